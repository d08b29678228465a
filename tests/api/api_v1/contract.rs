//! The contract: the OpenAPI document is valid OpenAPI, and a property-based fuzzer
//! (schemathesis) run against the live test server finds no server error and no answer the
//! document does not allow. Both tools are installed by `scripts/setup.sh test` into a
//! virtualenv under `target/api-tools`.

use std::path::PathBuf;
use std::process::Stdio;

use reqwest::StatusCode;
use serde_json::json;

use super::ApiClient;
use crate::helpers::spawn_app_configured;

fn tool(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/api-tools/bin")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/setup.sh test (make test does)",
        path.display()
    );
    path
}

async fn run(command: &mut tokio::process::Command) -> (bool, String) {
    let output = command
        .stdin(Stdio::null())
        .output()
        .await
        .expect("the tool runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_validates_and_a_fuzzer_finds_nothing_it_does_not_allow() {
    // The fuzzer asks far faster than the general limits allow (they have a test of their own).
    let app = spawn_app_configured(|state| {
        state.auth.api_rate_per_minute = 0;
        state.auth.api_account_rate_per_minute = 0;
    })
    .await;
    let (api, _) = ApiClient::new_member(&app).await;
    // Someone to write to, and a conversation whose history can be read.
    let bob = app.sign_up_new_member().await;
    let sent = api
        .post(
            "/messages",
            json!({"recipient": bob.username, "body": {"type": "text", "text": "Hello"}}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED);

    let document = reqwest::get(format!("{}/api/v1/openapi.json", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("openapi.json");
    std::fs::write(&file, &document).unwrap();
    let (valid, output) =
        run(tokio::process::Command::new(tool("openapi-spec-validator")).arg(&file)).await;
    assert!(valid, "the document is not valid OpenAPI:\n{output}");

    let seed = std::env::var("SCHEMATHESIS_SEED").unwrap_or_else(|_| "16".into());
    let token = api.token.clone().unwrap();
    let (clean, output) = run(tokio::process::Command::new(tool("st"))
        .current_dir(folder.path())
        .args(["run", &format!("{}/api/v1/openapi.json", app.address)])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
                 response_schema_conformance,response_headers_conformance",
        ])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--max-examples", "40", "--seed", &seed])
        .args(["--workers", "2", "--request-timeout", "10"])
        .args(["--generation-database", "none", "--no-color"])
        .args(["--suppress-health-check", "all"]))
    .await;
    assert!(
        clean,
        "schemathesis found problems (seed {seed}):\n{output}"
    );
    // The run reached every operation.
    assert!(output.contains("passed"), "{output}");
}
