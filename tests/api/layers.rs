//! The layer rule, checked on the source: dependencies point one way.
//!
//! - `web/`, `db/` and `storage/` are plumbing: they import no feature (nor the composition
//!   modules that wire features together).
//! - A feature may use another feature's `domain`, `queries`, `models`, `views` or service
//!   modules, never its `handlers`: only `startup` (which builds the routes) imports handlers.

use std::path::{Path, PathBuf};

/// Plumbing: imports no feature.
const PLUMBING: &[&str] = &["web", "db", "storage"];
/// Modules that wire features together (and so may import them).
const COMPOSITION: &[&str] = &["startup", "cli", "bootstrap", "demo", "jobs", "metrics"];

/// The top-level modules a piece of code names through `crate::`: `crate::a::b` gives
/// `a::b`, `crate::{a, b::c}` gives `a` and `b::c`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let item = item.trim();
                if !item.is_empty() {
                    found.push(item.split_whitespace().next().unwrap().to_owned());
                }
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            found.push(rest[..end].trim_end_matches(':').to_owned());
        }
    }
    found
}

/// What is wrong with a file's imports, given the top-level module it belongs to.
fn violations(module: &str, code: &str, features: &[String]) -> Vec<String> {
    let mut wrong = Vec::new();
    for path in crate_paths(code) {
        let top = path.split("::").next().unwrap_or_default();
        if PLUMBING.contains(&module)
            && (features.iter().any(|f| f == top) || COMPOSITION.contains(&top))
        {
            wrong.push(format!("plumbing `{module}` imports `crate::{path}`"));
        }
        // A feature's JSON API handlers (`api`) are handlers too; the OpenAPI document reads
        // their annotations as `startup` reads their routes.
        if !matches!(module, "startup" | "openapi")
            && top != module
            && path
                .split("::")
                .any(|part| part == "handlers" || part == "api")
        {
            wrong.push(format!(
                "`{module}` imports another module's handlers: `crate::{path}`"
            ));
        }
    }
    wrong
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn dependencies_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let top = |path: &Path| -> String {
        let relative = path.strip_prefix(&src).unwrap();
        let first = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        first.trim_end_matches(".rs").to_owned()
    };
    let modules: Vec<String> = {
        let mut m: Vec<String> = files.iter().map(|f| top(f)).collect();
        m.sort();
        m.dedup();
        m
    };
    let features: Vec<String> = modules
        .iter()
        .filter(|m| !PLUMBING.contains(&m.as_str()) && !COMPOSITION.contains(&m.as_str()))
        .filter(|m| !["lib", "main", "config", "telemetry"].contains(&m.as_str()))
        .cloned()
        .collect();
    assert!(features.contains(&"listings".to_owned()), "{features:?}");

    let mut wrong = Vec::new();
    for file in &files {
        let code = std::fs::read_to_string(file).unwrap();
        for problem in violations(&top(file), &code, &features) {
            wrong.push(format!(
                "{}: {problem}",
                file.strip_prefix(&src).unwrap().display()
            ));
        }
    }

    assert!(
        wrong.is_empty(),
        "imports against the layer rule:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_rule_catches_forbidden_imports() {
    let features = vec![
        "accounts".to_owned(),
        "listings".to_owned(),
        "search".to_owned(),
    ];
    assert_eq!(
        violations("web", "use crate::accounts::queries;", &features).len(),
        1
    );
    assert_eq!(
        violations(
            "db",
            "let x = crate::{config, listings::domain};",
            &features
        )
        .len(),
        1
    );
    assert_eq!(
        violations(
            "search",
            "use crate::listings::handlers::card_views;",
            &features
        )
        .len(),
        1
    );
    assert!(violations("search", "use crate::listings::queries;", &features).is_empty());
    assert!(violations("startup", "use crate::listings::handlers as l;", &features).is_empty());
    assert!(violations("web", "use crate::config::SecretKey;", &features).is_empty());
    assert!(violations("listings", "use crate::listings::handlers::x;", &features).is_empty());
}
