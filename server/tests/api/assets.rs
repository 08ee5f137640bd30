//! `GET /api/v1/assets/{token}`, the `/a/{token}` page and the QR label.

use fieldcase_core::AssetToken;
use fieldcase_server::store::NewAsset;
use serde_json::json;

use crate::helpers::{assert_api_error, body_json, spawn_app};

#[tokio::test]
async fn a_demo_token_opens_its_assets_context() {
    let app = spawn_app().await;
    let token = app.pump();

    let response = app.get(&format!("/api/v1/assets/{token}")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = body_json(response).await;
    assert_eq!(body["asset"]["token"], token.as_str());
    assert_eq!(body["schema"]["object"], "Case");
    assert!(
        body["schema"]["fields"]
            .as_array()
            .is_some_and(|f| f.len() > 10)
    );
    insta::assert_json_snapshot!(
        json!({ "asset": body["asset"], "limits": body["limits"] }),
        { ".asset.token" => "[token]" }
    );
}

/// The code form, sent before its script ran: a code typed as people type
/// it opens the asset; anything else is the form again with what was typed
/// and what to fix.
#[tokio::test]
async fn a_code_sent_without_the_pages_script_opens_its_asset_or_says_what_to_fix() {
    let app = spawn_app().await;
    let token = app.pump();
    let typed = token.to_lowercase();
    let grouped: Vec<String> = typed
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect())
        .collect();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .get(app.url("/open"))
        .query(&[("code", grouped.join(" "))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], format!("/a/{token}"));

    for (typed, says) in [
        ("ABC123", "an asset code has 20 characters; this one has 6."),
        ("", "Type the code printed under the QR."),
        (
            "ABCDEFGHIJKLMNOPQRS0",
            "is not one of them (the letter O?).",
        ),
    ] {
        let response = client
            .get(app.url("/open"))
            .query(&[("code", typed)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let page = response.text().await.unwrap();
        assert!(page.contains(says), "{typed}: {page}");
        assert!(page.contains(&format!("value=\"{typed}\"")), "{page}");
    }
    // What was typed goes back escaped.
    let response = client
        .get(app.url("/open"))
        .query(&[("code", "<script>alert(1)</script>")])
        .send()
        .await
        .unwrap();
    let page = response.text().await.unwrap();
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(page.contains("&lt;script&gt;"), "{page}");
}

#[tokio::test]
async fn tokens_are_case_insensitive() {
    let app = spawn_app().await;
    let token = app.pump().to_lowercase();
    assert_eq!(
        app.get(&format!("/api/v1/assets/{token}")).await.status(),
        200
    );
}

#[tokio::test]
async fn unknown_malformed_and_revoked_tokens_get_one_answer() {
    let app = spawn_app().await;
    let revoked = app.token("Chiller CH-2");
    assert!(
        app.store
            .revoke_token(&AssetToken::parse(&revoked).unwrap())
            .await
            .unwrap()
    );
    let unknown = AssetToken::from_random_bytes([9; 12]).to_string();

    let mut bodies = Vec::new();
    for token in [
        unknown.as_str(),
        "not-a-token",
        "ABC",
        revoked.as_str(),
        "ABCDEFGHIJKLMNOPQRS1",
    ] {
        let response = app.get(&format!("/api/v1/assets/{token}")).await;
        assert_eq!(response.status(), 404, "{token}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let body = body_json(response).await;
        assert_api_error(&body, "asset_inactive");
        bodies.push(body);
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "same body for all: {bodies:?}"
    );
    insta::assert_json_snapshot!(bodies[0]);

    // The other assets still work.
    assert_eq!(
        app.get(&format!("/api/v1/assets/{}", app.pump()))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn the_link_page_serves_the_app_for_an_active_code() {
    let app = spawn_app().await;
    let response = app.get(&format!("/a/{}", app.pump())).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let html = response.text().await.unwrap();
    assert!(html.contains("fake fieldcase app"), "{html}");
}

#[tokio::test]
async fn the_link_page_says_not_active_and_nothing_else() {
    let app = spawn_app().await;
    let revoked = app.token("Forklift FL-07");
    app.store
        .revoke_token(&AssetToken::parse(&revoked).unwrap())
        .await
        .unwrap();
    let unknown = AssetToken::from_random_bytes([1; 12]).to_string();
    for token in [unknown.as_str(), revoked.as_str(), "x%20y", "short"] {
        let response = app.get(&format!("/a/{token}")).await;
        assert_eq!(response.status(), 404, "{token}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = response.text().await.unwrap();
        assert!(html.contains("<title>Code not active</title>"), "{html}");
        assert!(
            html.contains("This code is not active — ask your dispatcher."),
            "{html}"
        );
        // The app's look (its stylesheet), a field for the code on the label
        // and a Scan button; the only script is the page's static file (no
        // inline script: the CSP forbids it).
        assert!(
            html.contains("<link rel=\"stylesheet\" href=\"/main-5a7c1e2f3b4d6e80.css\">"),
            "{html}"
        );
        assert!(html.contains("<label for=\"code\">"), "{html}");
        assert!(html.contains(">Scan a code</button>"), "{html}");
        assert_eq!(html.matches("<script").count(), 1, "{html}");
        assert!(
            html.contains("<script type=\"module\" src=\"/public/code.js\"></script>"),
            "{html}"
        );
        assert!(
            !html.contains("Forklift") && !html.contains("Contoso"),
            "no asset info: {html}"
        );
    }
}

#[tokio::test]
async fn upper_case_qr_links_lead_to_the_page() {
    let app = spawn_app().await;
    let token = app.pump();
    let response = app.get(&format!("/A/{token}")).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers()["location"],
        format!("/a/{token}").as_str()
    );

    let response = app.get("/A/not-a-token").await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn the_qr_label_is_an_svg_of_the_upper_case_link() {
    let app = spawn_app().await;
    let link = app
        .links
        .iter()
        .find(|l| l.name == "Feed pump P-12")
        .unwrap();
    assert_eq!(link.link, app.url(&format!("/a/{}", link.token)));
    assert_eq!(link.qr, app.url(&format!("/qr/{}.svg", link.token)));

    let response = app.client.get(&link.qr).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let svg = response.text().await.unwrap();
    assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");

    let unknown = AssetToken::from_random_bytes([2; 12]);
    let response = app.get(&format!("/qr/{unknown}.svg")).await;
    assert_eq!(response.status(), 404);
    assert_api_error(&body_json(response).await, "asset_inactive");
    assert_eq!(
        app.get(&format!("/qr/{}", link.token)).await.status(),
        404,
        "needs .svg"
    );
}

#[tokio::test]
async fn the_link_page_paints_the_asset_card_before_any_webassembly() {
    let app = spawn_app().await;
    let token = AssetToken::from_random_bytes([7; 12]);
    let new = NewAsset {
        name: "Pump <P-9> & \"co\"".into(),
        serial_number: "SN-<1>".into(),
        model: "Grundfos CR 10".into(),
        account_name: "O'Brien & Sons".into(),
        site: "Plant 2".into(),
        location: Some("Bay <3>".into()),
        install_date: Some("2021-03-04".into()),
        crm_asset_id: None,
        crm_account_id: None,
    };
    app.store.create_asset(&new, &token).await.unwrap();

    let response = app.get(&format!("/a/{token}")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let html = response.text().await.unwrap();
    // In the body, before the app's own markup, every text escaped.
    let card = "<h1 id=\"asset-name\" tabindex=\"-1\">Pump &lt;P-9&gt; &amp; &quot;co&quot;</h1>";
    assert!(html.contains(card), "{html}");
    assert!(
        html.find(card).unwrap() < html.find("fake fieldcase app").unwrap(),
        "{html}"
    );
    for fact in [
        "<dt>Model</dt><dd>Grundfos CR 10</dd>",
        "<dt>Serial</dt><dd>SN-&lt;1&gt;</dd>",
        "<dt>Account</dt><dd>O&#39;Brien &amp; Sons</dd>",
        "<dt>Site</dt><dd>Plant 2 — Bay &lt;3&gt;</dd>",
        "<dt>Installed</dt><dd>2021-03-04</dd>",
    ] {
        assert!(html.contains(fact), "{fact}: {html}");
    }
    assert!(
        html.contains("<title>Pump &lt;P-9&gt; &amp; &quot;co&quot; · fieldcase</title>"),
        "{html}"
    );
    assert!(!html.contains("<P-9>"), "{html}");
    // The notes card too, as the app draws it (its hint is the first
    // screen's largest text, so the largest paint is this one), its box
    // read-only until the app's takes its place: nothing typed is lost.
    assert!(
        html.contains(
            "<label for=\"notes\" class=\"big-label\">What did you find?</label>\
             <p class=\"hint\" id=\"notes-hint\">Type it as it comes: symptoms, readings, error codes. \
             It's saved on this phone as you type.</p>\
             <textarea id=\"notes\" rows=\"8\" aria-describedby=\"notes-hint\" readonly></textarea>"
        ),
        "{html}"
    );
    assert!(
        html.find("notes-hint").unwrap() < html.find("fake fieldcase app").unwrap(),
        "{html}"
    );

    // Brotli when the browser takes it (it is the first load), and a repeat
    // visit costs a 304.
    let response = app
        .client
        .get(app.url(&format!("/a/{token}")))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "br");
    let br = response.bytes().await.unwrap();
    let mut plain = Vec::new();
    brotli::BrotliDecompress(&mut &br[..], &mut plain).unwrap();
    assert_eq!(String::from_utf8(plain).unwrap(), html);
    let response = app
        .client
        .get(app.url(&format!("/a/{token}")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 304);

    // Another asset, another card: nothing of this one.
    let other = app
        .get(&format!("/a/{}", app.pump()))
        .await
        .text()
        .await
        .unwrap();
    assert!(other.contains("Feed pump P-12"), "{other}");
    assert!(!other.contains("P-9"), "{other}");
}

/// The `Fieldcase-Versions` header of an asset's page, by name.
fn versions(response: &reqwest::Response) -> std::collections::HashMap<String, String> {
    let header = response.headers()["fieldcase-versions"].to_str().unwrap();
    header
        .split(", ")
        .map(|pair| {
            let (name, etag) = pair.split_once('=').unwrap();
            (name.to_owned(), etag.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn the_page_names_the_version_of_each_answer_it_reads_first() {
    // A repeat visit moves only the HTML: the service worker answers the
    // context and the recent submissions from its cache when it keeps
    // exactly the version the page names; anything changed is a new one.
    let app = spawn_app().await;
    let token = app.pump();
    let page = app.get(&format!("/a/{token}")).await;
    let named = versions(&page);
    let page_etag = page.headers()["etag"].clone();

    let context = app.get(&format!("/api/v1/assets/{token}")).await;
    assert_eq!(context.headers()["etag"], named["context"].as_str());
    assert_eq!(context.headers()["cache-control"], "no-store");
    let intakes = app.get(&format!("/api/v1/assets/{token}/intakes")).await;
    assert_eq!(intakes.headers()["etag"], named["intakes"].as_str());
    assert_eq!(body_json(intakes).await, json!([]));

    // Another asset: other versions.
    let other = versions(
        &app.get(&format!("/a/{}", app.token("Forklift FL-07")))
            .await,
    );
    assert_ne!(other["context"], named["context"]);

    // A submission: the list's version changes, and the page's with it (a
    // browser revalidating the page gets the new header, not a 304).
    let id = uuid::Uuid::now_v7();
    let sent = app
        .put_intake(id, &crate::helpers::submission(id, &token, &[]))
        .await;
    assert!(sent.status().is_success(), "{}", sent.status());
    let again = app
        .client
        .get(app.url(&format!("/a/{token}")))
        .header("if-none-match", page_etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_ne!(again.headers()["etag"], page_etag);
    let now = versions(&again);
    assert_eq!(now["context"], named["context"]);
    assert_ne!(now["intakes"], named["intakes"]);
    let intakes = app.get(&format!("/api/v1/assets/{token}/intakes")).await;
    assert_eq!(intakes.headers()["etag"], now["intakes"].as_str());
    assert_eq!(body_json(intakes).await.as_array().unwrap().len(), 1);
}
