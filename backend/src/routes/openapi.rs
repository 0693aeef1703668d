//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of this API,
//! checked against the route table by the tests below. The build puts
//! `backend/openapi.json` among the static assets (`/openapi.json`); the
//! Worker answers with that file, so its 150 KB are not in every isolate.

use worker::{Request, Response};

use crate::config::App;
use crate::error::AppError;

/// Where the build puts the document among the static assets.
pub const ASSET_PATH: &str = "/openapi.json";

pub async fn get(app: &App, req: &Request) -> Result<Response, AppError> {
    let missing = || {
        AppError::Misconfigured(format!(
            "the API description is not among the static assets ({ASSET_PATH}): \
             build with scripts/build.sh, which puts it there"
        ))
    };
    let assets = app.assets.as_ref().ok_or_else(missing)?;
    let mut url = req.url()?;
    url.set_path(ASSET_PATH);
    url.set_query(None);
    let mut answer = assets.fetch(url.to_string(), None).await?;
    if answer.status_code() != 200 {
        return Err(missing());
    }
    let mut response = Response::ok(answer.text().await?)?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "application/json")?;
    headers.set("Cache-Control", "public, max-age=300")?;
    Ok(response)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::routes::Route;

    /// The document, as written in `backend/openapi.json`.
    const DOCUMENT: &str = include_str!("../../openapi.json");

    #[test]
    fn the_openapi_document_lists_exactly_the_routes_that_exist() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("valid JSON");
        assert_eq!(doc["openapi"], "3.1.0");
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .expect("path item")
                    .keys()
                    .filter(|k| {
                        ["get", "post", "put", "patch", "delete", "head", "options"]
                            .contains(&k.as_str())
                    })
                    .map(move |method| (path.clone(), method.clone()))
            })
            .collect();
        let routed: BTreeSet<(String, String)> = Route::ALL
            .iter()
            .map(|r| (r.path().to_owned(), r.method().to_string().to_lowercase()))
            .collect();
        let missing: Vec<_> = routed.difference(&documented).collect();
        let extra: Vec<_> = documented.difference(&routed).collect();
        assert!(
            missing.is_empty(),
            "routes missing from openapi.json: {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "openapi.json documents routes that do not exist: {extra:?}"
        );
    }

    #[test]
    fn the_languages_documented_are_those_lockbox_speaks() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("valid JSON");
        let documented: Vec<&str> = doc["components"]["schemas"]["Lang"]["enum"]
            .as_array()
            .expect("Lang enum")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let spoken: Vec<&str> = lockbox_shared::i18n::Lang::ALL
            .iter()
            .map(|l| l.as_str())
            .collect();
        assert_eq!(documented, spoken);
    }

    #[test]
    fn every_schema_reference_resolves() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("valid JSON");
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        for reference in refs {
            let pointer = reference.trim_start_matches('#');
            assert!(doc.pointer(pointer).is_some(), "dangling $ref {reference}");
        }
    }

    /// Rules between two parameters or fields cannot be written in JSON
    /// Schema: each operation says them in its description, so clients
    /// learn them before they call.
    #[test]
    fn operations_state_the_rules_between_their_parameters() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("valid JSON");
        let description = |path: &str, method: &str| {
            doc["paths"][path][method]["description"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no description"))
                .to_owned()
        };
        for (path, method, rule) in [
            ("/api/v1/audit", "get", "`start` must be before `end`"),
            (
                "/api/v1/audit/export.csv",
                "get",
                "`start` must be before `end`",
            ),
            (
                "/api/v1/audit/export.jsonl",
                "get",
                "`start` must be before `end`",
            ),
            ("/api/v1/audit/consistency", "get", "0 ≤ `from` ≤ `to` ≤"),
            (
                "/api/v1/audit/records/{id}/proof",
                "get",
                "`size` is at most",
            ),
            (
                "/api/v1/requests/{id}/approve",
                "post",
                "`duration_minutes` is at most the `duration_minutes` asked for",
            ),
        ] {
            let text = description(path, method);
            assert!(
                text.contains(rule),
                "{method} {path} does not say {rule:?}: {text}"
            );
        }
        // Every other decision refuses an approval's terms.
        for (path, item) in doc["paths"].as_object().expect("paths") {
            let body = item["post"]["requestBody"].to_string();
            if body.contains("DecisionBody") && !path.ends_with("/approve") {
                let text = description(path, "post");
                assert!(
                    text.contains("`duration_minutes` and `operations` are for `approve` only"),
                    "post {path}: {text}"
                );
            }
        }
    }

    fn collect_refs(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    if key == "$ref" {
                        if let Some(s) = v.as_str() {
                            out.push(s.to_owned());
                        }
                    } else {
                        collect_refs(v, out);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }
}
