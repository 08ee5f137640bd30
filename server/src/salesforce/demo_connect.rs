//! `--demo-connect`: the browser's part of the real authorization-code flow,
//! done by the server itself so a newcomer's demo is connected without
//! clicking: sign in as the demo admin → `POST <fieldcase>/admin/salesforce/connect` → the org's authorize
//! page → its login-and-consent form, submitted with the demo credentials →
//! the redirect to fieldcase's callback → the status page.
//!
//! Only for the demo org: it fills in a password. Errors never quote a URL
//! (the callback's carries the authorization code).

use std::collections::BTreeMap;

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use url::Url;

/// Connect `fieldcase` (its base URL) to its configured org, logging in as
/// `username`. The error says which step failed.
pub async fn run(
    fieldcase: &str,
    admin: (&str, &str),
    username: &str,
    password: &str,
) -> Result<(), String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| format!("building an HTTP client: {e}"))?;
    let base = fieldcase.trim_end_matches('/');
    let origin = crate::auth::origin_of(base);
    // The admin's session: connecting is an admin's act, bound to a session.
    let signed_in = http
        .post(format!("{base}/api/v1/session"))
        .header(reqwest::header::ORIGIN, &origin)
        .json(&serde_json::json!({ "email": admin.0, "password": admin.1 }))
        .send()
        .await
        .map_err(|e| format!("signing in as the demo admin: {}", e.without_url()))?;
    if signed_in.status() != StatusCode::OK {
        return Err(format!(
            "signing in as the demo admin answered {}",
            signed_in.status()
        ));
    }
    let cookie = signed_in
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or("signing in as the demo admin gave no session cookie")?
        .to_owned();
    let start = Url::parse(&format!("{base}/admin/salesforce/connect"))
        .map_err(|e| format!("fieldcase's URL: {e}"))?;

    let authorize = redirect_target(
        http.post(start.clone())
            .header(reqwest::header::ORIGIN, &origin)
            .header(reqwest::header::COOKIE, &cookie),
        &start,
        "connect",
    )
    .await?;
    let page = http
        .get(authorize.clone())
        .send()
        .await
        .map_err(|e| format!("opening the org's login page: {}", e.without_url()))?;
    if page.status() != StatusCode::OK {
        return Err(format!("the org's login page answered {}", page.status()));
    }
    let html = page
        .text()
        .await
        .map_err(|e| format!("reading the login page: {}", e.without_url()))?;
    let form = LoginForm::parse(&html).ok_or("the org's login page has no login form")?;
    let action = authorize
        .join(&form.action)
        .map_err(|e| format!("the login form's action: {e}"))?;
    let mut fields = form.hidden;
    fields.insert("username".into(), username.to_owned());
    fields.insert("password".into(), password.to_owned());
    fields.insert("action".into(), "allow".into());

    let callback =
        redirect_target(http.post(action.clone()).form(&fields), &action, "log in").await?;
    if callback.query_pairs().any(|(k, _)| k == "error") {
        let description = callback
            .query_pairs()
            .find(|(k, _)| k == "error_description")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        return Err(format!("the org refused the authorisation: {description}"));
    }
    let done = http
        .get(callback.clone())
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .map_err(|e| format!("returning to fieldcase's callback: {}", e.without_url()))?;
    if !done.status().is_redirection() {
        return Err(format!(
            "fieldcase's callback answered {} (see its log)",
            done.status()
        ));
    }
    Ok(())
}

/// Send `request`; expect a redirect; resolve its target against `base`.
async fn redirect_target(
    request: reqwest::RequestBuilder,
    base: &Url,
    step: &str,
) -> Result<Url, String> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("{step}: {}", e.without_url()))?;
    if !response.status().is_redirection() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        let hint = if body.contains("Please check your username and password") {
            " (wrong demo username or password)"
        } else {
            ""
        };
        return Err(format!("{step}: expected a redirect, got {status}{hint}"));
    }
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("{step}: a redirect without a Location"))?;
    base.join(location)
        .map_err(|e| format!("{step}: the redirect target: {e}"))
}

/// The login page's form: where it posts, and its hidden fields.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LoginForm {
    action: String,
    hidden: BTreeMap<String, String>,
}

impl LoginForm {
    /// A tolerant reading of the first `<form>`: enough for the demo org's page.
    fn parse(html: &str) -> Option<Self> {
        let start = html.find("<form")?;
        let end = html[start..]
            .find("</form>")
            .map_or(html.len(), |e| start + e);
        let form = &html[start..end];
        let tag_end = form.find('>')?;
        let action = attribute(&form[..tag_end], "action").unwrap_or_default();
        let mut hidden = BTreeMap::new();
        let mut rest = form;
        while let Some(at) = rest.find("<input") {
            rest = &rest[at..];
            let close = rest.find('>').unwrap_or(rest.len());
            let tag = &rest[..close];
            if attribute(tag, "type").as_deref() == Some("hidden")
                && let Some(name) = attribute(tag, "name")
            {
                hidden.insert(name, attribute(tag, "value").unwrap_or_default());
            }
            rest = &rest[close..];
        }
        Some(LoginForm { action, hidden })
    }
}

/// An attribute's (unescaped) value in a tag: `name="value"`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let len = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + len]))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_login_forms_hidden_fields_are_read() {
        let html = r#"<main><form class="login" method="post" action="/services/oauth2/authorize">
            <input type="hidden" name="state" value="a&amp;b">
            <input type="hidden" name="redirect_uri" value="http://127.0.0.1:1/cb">
            <input type="text" id="username" name="username" value="demo">
            </form></main>"#;
        let form = LoginForm::parse(html).unwrap();
        assert_eq!(form.action, "/services/oauth2/authorize");
        assert_eq!(form.hidden["state"], "a&b");
        assert_eq!(form.hidden["redirect_uri"], "http://127.0.0.1:1/cb");
        assert!(!form.hidden.contains_key("username"));
        assert!(LoginForm::parse("<p>no form</p>").is_none());
    }
}
