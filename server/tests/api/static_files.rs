//! The built app, security headers, and the server's own pages.

use std::time::{Duration, Instant};

use sha2::Digest;

use crate::helpers::{assert_api_error, body_json, spawn_app, spawn_app_with};

fn assert_security_headers(response: &reqwest::Response) {
    let h = response.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let paths = [
        "/".to_owned(),
        format!("/a/{}", app.pump()),
        "/a/UNKNOWNUNKNOWNUNKNO".to_owned(),
        format!("/api/v1/assets/{}", app.pump()),
        "/api/v1/assets/nope".to_owned(),
        "/api/nothing".to_owned(),
        "/healthz".to_owned(),
        "/fieldcase-app-0123456789abcdef.js".to_owned(),
        "/missing.js".to_owned(),
    ];
    for path in paths {
        let response = app.get(&path).await;
        assert_security_headers(&response);
    }
}

#[tokio::test]
async fn index_boots_from_a_file_not_an_inline_script() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let html = response.text().await.unwrap();
    assert!(!html.contains("import init"), "{html}");
    let src = html
        .split("<script type=\"module\" src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no boot script tag: {html}"));
    assert!(src.starts_with("/boot-") && src.ends_with(".js"), "{src}");

    let boot = app.get(src).await;
    assert_eq!(boot.status(), 200);
    assert_eq!(
        boot.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(boot.text().await.unwrap().contains("import init"));
}

#[tokio::test]
async fn deep_links_get_the_app_and_missing_files_do_not() {
    let app = spawn_app().await;
    let response = app.get("/review/step/2").await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("fake fieldcase app")
    );

    let response = app.get("/missing.js").await;
    assert_eq!(response.status(), 404);

    let response = app.get("/fieldcase-app-0123456789abcdef_bg.wasm").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let response = app.get("/manifest.json").await;
    assert_eq!(response.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn the_manifest_is_named_with_its_version_and_cached_while_it_is_current() {
    // Fixed names (the manifest, the icon) are named in index.html with
    // their content's version, so a repeat visit fetches neither.
    let app = spawn_app().await;
    let version = &hex::encode(sha2::Sha256::digest(br#"{"name":"fieldcase"}"#))[..16];
    let html = app.get("/").await.text().await.unwrap();
    let link = format!("<link rel=\"manifest\" href=\"/manifest.json?v={version}\">");
    assert!(html.contains(&link), "{html}");

    let response = app.get(&format!("/manifest.json?v={version}")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // An old or made-up version is answered, but never cached for good.
    let response = app.get("/manifest.json?v=0123456789abcdef").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    // A changed file: the page names the new version (at the next start).
    std::fs::write(
        app.dist_dir.path().join("manifest.json"),
        br#"{"name":"x"}"#,
    )
    .unwrap();
    let response = app.get(&format!("/manifest.json?v={version}")).await;
    assert_eq!(response.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn precompressed_copies_are_served_to_browsers_that_accept_them() {
    let app = spawn_app().await;
    // Compression runs in the background after start-up.
    let br = app.dist_dir.path().join("index.html.br");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !(br.exists() && app.dist_dir.path().join("index.html.gz").exists()) {
        assert!(Instant::now() < deadline, "no index.html.br after 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let response = app
        .client
        .get(app.url("/review"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "br");
    // The index is also chosen by the browser's language (cookie, then
    // Accept-Language): caches must key on those too.
    assert_eq!(
        response.headers()["vary"],
        "accept-encoding, accept-language, cookie"
    );
    let compressed = response.bytes().await.unwrap();
    let mut html = Vec::new();
    brotli::BrotliDecompress(&mut &compressed[..], &mut html).unwrap();
    assert!(
        String::from_utf8(html)
            .unwrap()
            .contains("fake fieldcase app")
    );

    let response = app
        .client
        .get(app.url("/fieldcase-app-0123456789abcdef.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let response = app.get("/fieldcase-app-0123456789abcdef.js").await;
    assert!(response.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn health_check_answers_ok() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn without_a_built_app_the_api_still_works() {
    let app = spawn_app_with(&["--dist", "/nonexistent/fieldcase-dist"]).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("trunk build"));

    let response = app.get(&format!("/api/v1/assets/{}", app.pump())).await;
    assert_eq!(response.status(), 200);
    let response = app.get("/api/v1/nope").await;
    assert_api_error(&body_json(response).await, "not_found");
}

/// The technician app works offline through a service worker made for each
/// release: revalidated on every load (so a new release is seen at the next
/// open), listing exactly the release's files, the boot script the server
/// wrote included, and nothing the browser would not load.
#[tokio::test]
async fn the_service_worker_caches_this_release_and_is_always_revalidated() {
    let app = spawn_app().await;
    let response = app.get("/sw.js").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    let sw = response.text().await.unwrap();
    assert!(
        !sw.contains("__FIELDCASE_RELEASE__"),
        "the release is filled in"
    );
    let release = sw
        .split("const RELEASE = ")
        .nth(1)
        .and_then(|r| r.split(";\n").next())
        .unwrap_or_else(|| panic!("no release in the worker: {sw}"));
    let release: serde_json::Value = serde_json::from_str(release).unwrap();
    let version = release["version"].as_str().unwrap();
    assert_eq!(version.len(), 16, "{version}");
    let files: Vec<&str> = release["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let html = app.get("/").await.text().await.unwrap();
    let boot = html
        .split("<script type=\"module\" src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    for f in [
        "/index.html",
        boot,
        "/fieldcase-app-0123456789abcdef.js",
        "/fieldcase-app-0123456789abcdef_bg.wasm",
        "/main-5a7c1e2f3b4d6e80.css",
    ] {
        assert!(files.contains(&f), "{f} missing from {files:?}");
    }
    assert!(
        !files
            .iter()
            .any(|f| f.ends_with(".br") || f.ends_with(".gz") || *f == "/sw.js"),
        "{files:?}"
    );
    // Every file it lists is served.
    for f in &files {
        assert_eq!(app.get(f).await.status(), 200, "{f}");
    }
    // The app's pages name this release, so a worker of the previous one
    // that fetches them knows the page runs this one (app/js/sw.js).
    for page in [
        "/".to_owned(),
        "/index.html".to_owned(),
        format!("/a/{}", app.pump()),
    ] {
        let response = app.get(&page).await;
        assert_eq!(response.status(), 200, "{page}");
        assert_eq!(response.headers()["fieldcase-release"], version, "{page}");
    }
    // Not the API's answers, nor the other files.
    let context = format!("/api/v1/assets/{}", app.pump());
    for other in ["/sw.js", context.as_str(), boot] {
        let response = app.get(other).await;
        assert_eq!(response.status(), 200, "{other}");
        assert!(
            response.headers().get("fieldcase-release").is_none(),
            "{other}"
        );
    }
}
