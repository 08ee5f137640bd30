//! The language of the technician's and the customer's pages.
//!
//! The app is built once per language (`fieldcase-i18n`: `dist/index.html`
//! is English, `dist/index.es.html` Spanish, each naming its own
//! WebAssembly); this module picks which one a browser gets, and puts the
//! server's own words (the first paint's card, the "code not active" page,
//! the embed form) in the same language from the same catalog
//! (`i18n/es.json`).
//!
//! The choice, in order: `?lang=` on a page's link (answered with a
//! redirect to the same page without it, and remembered in a first-party
//! cookie, `fc_lang`), that cookie, then the browser's `Accept-Language`.
//! The embed has no cookies (a third party's iframe): its URL's `lang`, else
//! `Accept-Language`.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::AppState;

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
}

/// The cookie that remembers the choice made with the switcher.
pub const COOKIE: &str = "fc_lang";

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// The BCP 47 tag: `en`, `es`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// Its name in itself, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }

    /// The language the switcher offers from this one.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Es,
            Lang::Es => Lang::En,
        }
    }

    /// `es`, `ES`, `es-MX` → Spanish; only the primary subtag counts.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The app's index for this language in `dist/`.
    pub fn index_file(self) -> &'static str {
        match self {
            Lang::En => "index.html",
            Lang::Es => "index.es.html",
        }
    }

    /// The page's language: the `fc_lang` cookie, else `Accept-Language`,
    /// else English.
    pub fn of(headers: &HeaderMap) -> Lang {
        cookie(headers)
            .or_else(|| accepted(headers))
            .unwrap_or(Lang::En)
    }

    /// The embed's: its URL's `lang` (no cookies in a third party's frame),
    /// else `Accept-Language`.
    pub fn of_embed(query_lang: Option<&str>, headers: &HeaderMap) -> Lang {
        query_lang
            .and_then(Lang::parse)
            .or_else(|| accepted(headers))
            .unwrap_or(Lang::En)
    }
}

fn cookie(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| Lang::parse(value))
}

/// The most wanted language we have, by `Accept-Language`'s q-values.
/// Hand-written: a header of a few tags with q-values, and only the primary
/// subtag matters with two languages; a crate would add a dependency for
/// ten lines.
fn accepted(headers: &HeaderMap) -> Option<Lang> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(f32, Lang)> = None;
    for item in value.split(',').take(32) {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(lang) = Lang::parse(tag)
            && q > 0.0
            && best.is_none_or(|(b, _)| q > b)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// The Spanish catalog: English sentence → Spanish, as the app's builds use it.
static ES: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| serde_json::from_str(include_str!("../../i18n/es.json")).unwrap_or_default());

/// `english` in `lang` (English itself when the catalog lacks it; a test
/// checks that it never does for the server's sentences).
pub fn tr(lang: Lang, english: &'static str) -> &'static str {
    match lang {
        Lang::En => english,
        Lang::Es => ES.get(english).map_or(english, String::as_str),
    }
}

/// `english` in `lang`, if the catalog has it (English itself always).
fn lookup(lang: Lang, english: &str) -> Option<&'static str> {
    match lang {
        Lang::En => None,
        Lang::Es => ES.get(english).map(String::as_str),
    }
}

/// The scripts whose words a page in another language needs: the outbox and
/// status panel (every app page), the "code not active" page's, the embed's.
pub const OFFLINE_JS: &str = include_str!("../../app/js/offline.js");
pub const CODE_JS: &str = include_str!("../../public/code.js");
pub const EMBED_JS: &str = include_str!("../embed/embed.js");

/// The sentences a script shows: the literals of its `t('…')` / `t("…")` calls.
pub fn script_words(js: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = js;
    while let Some(at) = rest.find("t(") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + 2..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.') {
            continue;
        }
        let arg = rest.trim_start();
        let Some(quote) = arg.chars().next().filter(|c| *c == '\'' || *c == '"') else {
            continue;
        };
        let mut word = String::new();
        let mut escaped = false;
        let mut closed = false;
        for c in arg[1..].chars() {
            if escaped {
                word.push(c);
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == quote {
                closed = true;
                break;
            } else {
                word.push(c);
            }
        }
        if closed && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// `<meta name="fieldcase-words" content="{…}">`: the scripts' sentences in
/// `lang`, which they read at start (nothing for English, their own words).
pub fn words_meta(lang: Lang, scripts: &[&str]) -> String {
    if lang == Lang::En {
        return String::new();
    }
    let mut words = serde_json::Map::new();
    for js in scripts {
        for english in script_words(js) {
            if let Some(text) = lookup(lang, &english) {
                words.insert(english, serde_json::Value::String(text.to_owned()));
            }
        }
    }
    let json = serde_json::Value::Object(words).to_string();
    format!(
        "<meta name=\"fieldcase-words\" content=\"{}\">",
        crate::http::admin::escape(&json)
    )
}

/// `?lang=xx` on a page (not the API, the console or the embed): remember
/// it in the `fc_lang` cookie and send the browser to the same page without
/// it (so a reload or a shared link does not switch again).
pub async fn switch(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    // Pages only: not a file (`/sw.js?lang=es` is the worker of that language).
    let file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    let page = req.method() == Method::GET
        && !file
        && !["/api", "/console", "/embed", "/admin"]
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    let query = req.uri().query().unwrap_or_default();
    let wanted = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="))
        .map(Lang::parse);
    let (true, Some(wanted)) = (page, wanted) else {
        return next.run(req).await;
    };
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.starts_with("lang=") && !kv.is_empty())
        .collect();
    let mut location = path.to_owned();
    if !rest.is_empty() {
        location.push('?');
        location.push_str(&rest.join("&"));
    }
    let mut response = (
        StatusCode::SEE_OTHER,
        [
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::LOCATION, location),
        ],
    )
        .into_response();
    // An unknown language: back to the page, nothing remembered.
    if let Some(lang) = wanted {
        let secure = if state.auth.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
            lang.code()
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    response
}

/// The switcher in the top bar: a link to the same page in the other
/// language (`?lang=`, see [`switch`]).
pub fn switcher_html(lang: Lang) -> String {
    let other = lang.other();
    format!(
        "<a class=\"lang\" href=\"?lang={code}\" hreflang=\"{code}\" lang=\"{code}\">{name}</a>",
        code = other.code(),
        name = other.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_cookie_wins_then_the_browsers_languages_by_preference() {
        assert_eq!(Lang::of(&headers(&[])), Lang::En);
        assert_eq!(
            Lang::of(&headers(&[("accept-language", "es-MX,es;q=0.9,en;q=0.8")])),
            Lang::Es
        );
        assert_eq!(
            Lang::of(&headers(&[(
                "accept-language",
                "fr-FR, en;q=0.5, es;q=0.7"
            )])),
            Lang::Es
        );
        assert_eq!(
            Lang::of(&headers(&[("accept-language", "fr, de;q=0.9")])),
            Lang::En
        );
        assert_eq!(
            Lang::of(&headers(&[("accept-language", "es;q=0")])),
            Lang::En
        );
        assert_eq!(
            Lang::of(&headers(&[
                ("accept-language", "es"),
                ("cookie", "fieldcase_session=x; fc_lang=en")
            ])),
            Lang::En
        );
        assert_eq!(Lang::of(&headers(&[("cookie", "fc_lang=es")])), Lang::Es);
    }

    #[test]
    fn the_embed_takes_its_url_then_the_browser() {
        let h = headers(&[("accept-language", "es"), ("cookie", "fc_lang=en")]);
        assert_eq!(Lang::of_embed(None, &h), Lang::Es);
        assert_eq!(Lang::of_embed(Some("en"), &h), Lang::En);
        assert_eq!(Lang::of_embed(Some("xx"), &h), Lang::Es);
    }

    #[test]
    fn spanish_comes_from_the_apps_catalog() {
        assert_eq!(tr(Lang::En, "Model"), "Model");
        assert_ne!(tr(Lang::Es, "Model"), "Model");
    }

    #[test]
    fn every_sentence_of_the_embed_and_the_error_pages_is_in_the_catalog() {
        let mut missing: Vec<&str> = crate::http::embed::words::ALL
            .iter()
            .chain([&crate::error::ASSET_INACTIVE_MESSAGE])
            .filter(|w| !ES.contains_key(**w))
            .copied()
            .collect();
        missing.dedup();
        assert!(missing.is_empty(), "add to i18n/es.json: {missing:#?}");
    }

    #[test]
    fn every_sentence_of_the_scripts_is_in_the_catalog() {
        let mut missing = Vec::new();
        for js in [OFFLINE_JS, CODE_JS, EMBED_JS] {
            let words = script_words(js);
            assert!(words.len() > 3, "found the script's words: {words:?}");
            missing.extend(words.into_iter().filter(|w| !ES.contains_key(w)));
        }
        assert!(missing.is_empty(), "add to i18n/es.json: {missing:#?}");
    }

    #[test]
    fn a_spanish_page_carries_its_scripts_words_escaped_and_english_none() {
        let js = "const a = t('Online'); x.t('no'); const b = t(\"Say \\\"hi\\\"\");";
        assert_eq!(
            script_words(js),
            vec!["Online".to_owned(), "Say \"hi\"".to_owned()]
        );
        assert_eq!(words_meta(Lang::En, &[OFFLINE_JS]), "");
        let meta = words_meta(Lang::Es, &[OFFLINE_JS]);
        assert!(
            meta.starts_with("<meta name=\"fieldcase-words\" content=\"{&quot;"),
            "{meta}"
        );
        assert!(!meta.contains("\"Online\""));
    }

    /// The literals of `tr(lang, "…")` calls in a source file.
    fn sentences(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find("tr(") {
            let before = rest[..at].chars().next_back();
            let line = rest[..at].rsplit('\n').next().unwrap_or_default();
            rest = &rest[at + 3..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                || line.trim_start().starts_with("//")
            {
                continue;
            }
            // `tr(lang, "…")`: the argument after the comma, if a literal.
            let Some(comma) = rest.find(',') else { break };
            let arg = rest[comma + 1..].trim_start();
            if !arg.starts_with('"') || rest[..comma].contains(['(', '"', ')']) {
                continue;
            }
            let mut literal = String::from("\"");
            let mut escaped = false;
            for c in arg[1..].chars() {
                literal.push(c);
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    break;
                }
            }
            if let Ok(s) = serde_json::from_str::<String>(&literal) {
                out.push(s);
            }
        }
        out
    }

    /// Every `tr(…, "…")` of the server has its Spanish in `i18n/es.json`.
    #[test]
    fn every_sentence_of_the_server_is_in_the_catalog() {
        let mut missing = Vec::new();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![dir];
        let mut seen = 0;
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("src") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).expect("source");
                    for english in sentences(&text) {
                        seen += 1;
                        if !ES.contains_key(&english) {
                            missing.push(english);
                        }
                    }
                }
            }
        }
        assert!(seen > 5, "the scan found the server's sentences ({seen})");
        assert!(missing.is_empty(), "add to i18n/es.json: {missing:#?}");
    }
}
