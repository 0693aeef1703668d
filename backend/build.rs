//! Embeds the migrations (`../migrations/*.sql`, in name order) so that a
//! tenant's Durable Object applies to its own SQLite the very files D1
//! and the model test apply; and reads the rate limits out of
//! `../wrangler.toml` (the one place they are written), so that the Worker
//! can say them in its refusals and its metrics.

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    let mut out = String::from("/// Every migration, in order: (file name, SQL).\n");
    out.push_str("pub const MIGRATIONS: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_else(|| panic!("{} has no UTF-8 name", path.display()));
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.canonicalize()
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        ));
    }
    out.push_str("];\n");
    let target = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}")))
        .join("migrations.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("writing {}: {e}", target.display()));
    rate_limits();
}

/// `RATE_LIMITS`: each `[[ratelimits]]` of wrangler.toml as (binding,
/// limit, period in seconds).
fn rate_limits() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../wrangler.toml");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let config: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = String::from(
        "/// The `[[ratelimits]]` of wrangler.toml: (binding, limit, period in seconds).\n\
         pub const RATE_LIMITS: &[(&str, u32, u32)] = &[\n",
    );
    for entry in config
        .get("ratelimits")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let name = entry.get("name").and_then(|v| v.as_str());
        let simple = entry.get("simple");
        let number = |key: &str| {
            simple
                .and_then(|s| s.get(key))
                .and_then(|v| v.as_integer())
                .and_then(|n| u32::try_from(n).ok())
        };
        match (name, number("limit"), number("period")) {
            (Some(name), Some(limit), Some(period)) => {
                out.push_str(&format!("    ({name:?}, {limit}, {period}),\n"))
            }
            _ => {
                panic!("wrangler.toml: a [[ratelimits]] needs name, simple.limit and simple.period")
            }
        }
    }
    out.push_str("];\n");
    let target = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}")))
        .join("rate_limits.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("writing {}: {e}", target.display()));
}
