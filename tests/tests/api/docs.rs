//! The published contract and its docs UI.

use tests::TestApp;

#[tokio::test]
async fn served_document_equals_the_checked_in_file() {
    let app = TestApp::spawn().await;
    let served: serde_json::Value = app
        .get("/api-docs/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(
        served, committed,
        "run `cargo run -p openapi` and commit openapi/openapi.json"
    );
    assert_eq!(served["openapi"], "3.1.0");
}

#[tokio::test]
async fn every_operation_declares_security_and_problem_errors() {
    let doc = api::openapi::document();
    let json = serde_json::to_value(&doc).unwrap();
    let paths = json["paths"].as_object().unwrap();
    assert!(!paths.is_empty());
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op.get("security").is_some(),
                "{method} {path} declares no security"
            );
            let responses = op["responses"].as_object().unwrap();
            let declares_problem = responses.values().any(|r| {
                r["content"]["application/problem+json"]["schema"]["$ref"]
                    == "#/components/schemas/Problem"
            });
            assert!(
                declares_problem,
                "{method} {path} declares no problem+json error"
            );
        }
    }
}

#[tokio::test]
async fn docs_ui_is_served_from_the_binary_without_outside_hosts() {
    let app = TestApp::spawn().await;
    let res = app.get("/docs").await;
    assert_eq!(res.status().as_u16(), 308);
    assert_eq!(res.headers()["location"], "/docs/");

    let res = app.get("/docs/").await;
    assert_eq!(res.status().as_u16(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("https://"),
        "the page must not load anything from outside: {html}"
    );

    let init = app
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api-docs/openapi.json"), "{init}");
    assert!(
        init.contains("\"validatorUrl\": \"none\"") || init.contains("\"validatorUrl\":\"none\""),
        "{init}"
    );
    for asset in [
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
    ] {
        let res = app.get(&format!("/docs/{asset}")).await;
        assert_eq!(res.status().as_u16(), 200, "{asset}");
    }
}
