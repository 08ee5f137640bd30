//! The pages' language: `?lang=` remembered in a first-party cookie with a
//! redirect, else the browser's `Accept-Language`; the server's own words
//! and the index of that language.

use fieldcase_core::AssetToken;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_spanish_browser_gets_the_code_page_and_the_first_paint_in_spanish() {
    let app = spawn_app().await;
    let unknown = AssetToken::from_random_bytes([2; 12]).to_string();
    let page = |path: String, lang: &'static str| {
        app.client
            .get(app.url(&path))
            .header("accept-language", lang)
            .send()
    };
    let response = page(format!("/a/{unknown}"), "es-MX,es;q=0.9")
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["vary"], "accept-language, cookie");
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"es\">"), "{html}");
    assert!(html.contains("<title>Código no activo</title>"), "{html}");
    // Its form, and the words its script shows, in Spanish; the switcher
    // offers English by its own name.
    assert!(html.contains(">Abrir</button>"), "{html}");
    assert!(html.contains("name=\"fieldcase-words\""), "{html}");
    assert!(
        html.contains("hreflang=\"en\" lang=\"en\">English</a>"),
        "{html}"
    );
    // An English browser: no words to carry, Spanish offered.
    let html = page(format!("/a/{unknown}"), "en-GB")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<title>Code not active</title>"));
    assert!(!html.contains("fieldcase-words"));
    assert!(html.contains("lang=\"es\">Español</a>"));

    // An asset's page: the first paint's card in the browser's language.
    let token = app.token("Feed pump P-12");
    let html = page(format!("/a/{token}"), "es")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<p class=\"eyebrow\">Equipo</p>"), "{html}");
    assert!(html.contains("<dt>Modelo</dt>"), "{html}");
}

#[tokio::test]
async fn the_switch_is_remembered_and_the_link_comes_back_clean() {
    let app = spawn_app().await;
    let token = app.token("Feed pump P-12");
    let response = app
        .client
        .get(app.url(&format!("/a/{token}?lang=es&from=qr")))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        format!("/a/{token}?from=qr")
    );
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("fc_lang=es; Path=/;"), "{cookie}");
    assert!(
        cookie.contains("SameSite=Lax") && cookie.contains("HttpOnly"),
        "{cookie}"
    );

    // The cookie wins over the browser's languages.
    let html = app
        .client
        .get(app.url(&format!("/a/{token}")))
        .header("accept-language", "en")
        .header("cookie", "fc_lang=es")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<dt>Modelo</dt>"), "{html}");

    // A language we do not have: back to the page, nothing remembered.
    let response = app.get(&format!("/a/{token}?lang=xx")).await;
    assert_eq!(response.status(), 303);
    assert!(response.headers().get("set-cookie").is_none());
    // Files and the API are not pages: `?lang=` is theirs (the worker's language).
    assert_eq!(app.get("/sw.js?lang=es").await.status(), 200);
    assert_eq!(
        app.get(&format!("/api/v1/assets/{token}?lang=es"))
            .await
            .status(),
        200
    );
}
