//! The connector's HTTP against a real local server: what a 200, a 5xx, an
//! expired session, a refusal, a timeout and a dropped connection become.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use fieldcase_server::salesforce::rest::{Api, CallError, http_client};
use serde_json::json;

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}

async fn fake_salesforce() -> String {
    let router = Router::new()
        .route(
            "/services/data/v64.0/ok",
            get(|headers: HeaderMap| async move {
                let auth = headers["authorization"].to_str().unwrap().to_owned();
                axum::Json(json!({ "authorization": auth }))
            }),
        )
        .route(
            "/services/data/v64.0/down",
            get(|| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    axum::Json(json!([{"message": "down", "errorCode": "SERVER_UNAVAILABLE"}])),
                )
            }),
        )
        .route(
            "/services/data/v64.0/expired",
            get(|| async {
                (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])),
                )
            }),
        )
        .route(
            "/services/data/v64.0/refused",
            get(|| async {
                (
                    StatusCode::BAD_REQUEST,
                    axum::Json(json!([{"message": "Required fields are missing: [Subject]", "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["Subject"]}])),
                )
            }),
        )
        .route(
            "/services/data/v64.0/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                axum::Json(json!({}))
            }),
        )
        .route(
            "/services/data/v64.0/elsewhere",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [("location", "http://example.invalid/steal")],
                )
            }),
        );
    serve(router).await
}

#[tokio::test]
async fn answers_become_values_retries_refreshes_or_refusals() {
    let base = fake_salesforce().await;
    let http = http_client(Duration::from_millis(500)).unwrap();
    let api = Api::new(&http, &base, "v64.0", "00Dtoken!secret");

    let ok = api.get_json("/ok").await.unwrap();
    assert_eq!(ok["authorization"], "Bearer 00Dtoken!secret");

    assert!(
        matches!(api.get_json("/down").await, Err(CallError::Transient(c)) if c == "HTTP 503 SERVER_UNAVAILABLE")
    );
    assert_eq!(
        api.get_json("/expired").await,
        Err(CallError::InvalidSession)
    );
    let Err(CallError::Rejected(errors)) = api.get_json("/refused").await else {
        panic!("a refusal");
    };
    assert_eq!(errors[0].code, "REQUIRED_FIELD_MISSING");
    assert_eq!(errors[0].fields, ["Subject"]);

    let started = std::time::Instant::now();
    assert_eq!(
        api.get_json("/slow").await,
        Err(CallError::Transient("timed out".into()))
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the timeout applies"
    );

    // Redirects are not followed: a token never travels elsewhere.
    assert!(
        matches!(api.get_json("/elsewhere").await, Err(CallError::Rejected(e)) if e[0].code == "HTTP_302")
    );
}

#[tokio::test]
async fn a_dropped_connection_and_a_closed_port_are_passing_failures() {
    // Accepts, reads a little, and hangs up without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            use tokio::io::AsyncReadExt;
            let mut buf = [0u8; 512];
            let _ = socket.read(&mut buf).await;
            drop(socket);
        }
    });
    let http = http_client(Duration::from_secs(2)).unwrap();
    let dropped = Api::new(&http, &address, "64.0", "t").get_json("/x").await;
    assert!(
        matches!(dropped, Err(CallError::Transient(_))),
        "{dropped:?}"
    );

    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let refused = Api::new(&http, &closed, "64.0", "t").get_json("/x").await;
    assert_eq!(
        refused,
        Err(CallError::Transient("could not connect".into()))
    );
}
