//! Every answer the integration tests read is checked against the API's own
//! OpenAPI document (`backend/openapi.json`): its path and status must be
//! documented, and its body must fit one of the documented schemas for that
//! path and status. Document and server cannot drift apart unnoticed.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::{json, Value};

/// The document, as the server serves it.
pub const DOCUMENT: &str = include_str!("../../backend/openapi.json");

fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_str(DOCUMENT).expect("openapi.json is JSON"))
}

/// The documented path template `path` falls under, preferring literal
/// segments over `{parameters}`.
fn template_of(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    let actual: Vec<&str> = path.split('/').collect();
    document()["paths"]
        .as_object()?
        .keys()
        .filter_map(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != actual.len() {
                return None;
            }
            let mut params = 0;
            for (t, a) in parts.iter().zip(&actual) {
                if t.starts_with('{') {
                    if a.is_empty() {
                        return None;
                    }
                    params += 1;
                } else if t != a {
                    return None;
                }
            }
            Some((params, template.as_str()))
        })
        .min()
        .map(|(_, t)| t)
}

fn resolve(value: &'static Value) -> &'static Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(pointer) => document()
            .pointer(pointer.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling $ref {pointer}")),
        None => value,
    }
}

/// The schemas documented for `status` at `template`, across its methods,
/// for `media_type`.
fn schemas(template: &str, status: u16, media_type: &str) -> Vec<&'static Value> {
    let item = &document()["paths"][template];
    let mut out = Vec::new();
    for method in ["get", "post", "put", "patch", "delete"] {
        let Some(responses) = item.get(method).and_then(|op| op.get("responses")) else {
            continue;
        };
        let Some(response) = responses
            .get(status.to_string())
            .or_else(|| responses.get("default"))
        else {
            continue;
        };
        let response = resolve(response);
        match response.get("content").and_then(Value::as_object) {
            Some(content) => {
                let media = content
                    .get(media_type)
                    .or_else(|| content.values().next())
                    .and_then(|m| m.get("schema"));
                out.extend(media);
            }
            None => out.push(&Value::Null),
        }
    }
    out
}

fn validator(schema: &Value) -> jsonschema::Validator {
    static CACHE: OnceLock<Mutex<HashMap<String, jsonschema::Validator>>> = OnceLock::new();
    let key = schema.to_string();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .entry(key)
        .or_insert_with(|| {
            let root = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "allOf": [schema],
                "components": document()["components"],
            });
            jsonschema::options()
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|err| panic!("schema does not compile: {err}: {schema}"))
        })
        .clone()
}

/// Panics unless an answer to `path` with `status`, `content_type` and
/// `body` is what the document says the API answers.
pub fn check(path: &str, status: u16, content_type: &str, body: &str) {
    if !path.starts_with("/api/v1/") {
        return;
    }
    let Some(template) = template_of(path) else {
        // A path the API does not have: a problem document saying so.
        assert_eq!(
            status, 404,
            "openapi.json documents no path for {path} (answered {status})"
        );
        let value: Value = serde_json::from_str(body).unwrap_or_else(|err| {
            panic!("{path} answered 404 with a body that is not JSON ({err}): {body}")
        });
        let problem = json!({ "$ref": "#/components/schemas/Problem" });
        if let Err(err) = validator(&problem).validate(&value) {
            panic!("the 404 of {path} is not a problem document: {err}: {body}");
        }
        return;
    };
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    let candidates = schemas(template, status, media_type);
    assert!(
        !candidates.is_empty(),
        "openapi.json does not document status {status} for {template} ({path}): {body}"
    );
    if body.is_empty() || candidates.iter().any(|s| s.is_null()) {
        // A HEAD answer, or a response documented without a body.
        return;
    }
    if !media_type.ends_with("json") {
        // A file (CSV, JSON lines, a signed note): its media type must be
        // the documented one; its contents are the tests' to check.
        let documented = document()["paths"][template]["get"]["responses"][status.to_string()]
            ["content"]
            .get(media_type)
            .is_some();
        assert!(
            documented,
            "{template} answered {status} as {media_type}, which openapi.json does not document"
        );
        return;
    }
    let value: Value = serde_json::from_str(body).unwrap_or_else(|err| {
        panic!("{path} answered {status} with a body that is not JSON ({err}): {body}")
    });
    let mut errors = Vec::new();
    for schema in &candidates {
        let validator = validator(schema);
        match validator.validate(&value) {
            Ok(()) => return,
            Err(err) => errors.push(format!("{err} at {}", err.instance_path())),
        }
    }
    panic!(
        "the answer of {path} ({status}) does not fit openapi.json ({template}): {}\nbody: {body}",
        errors.join("; ")
    );
}
