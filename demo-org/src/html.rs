//! Plain, read-only HTML so a newcomer can see what fieldcase wrote: the
//! Cases (`/`), one Case with its Files (`/cases/{id}`), a file's bytes
//! (`/files/{ContentDocumentId}`, images shown inline) and the stylesheet
//! (`/style.css`); plus the OAuth login/consent page. No scripts, no inline
//! styles; a strict Content-Security-Policy says so.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::describe;
use crate::error::Result;
use crate::files;
use crate::ids;
use crate::oauth::AuthorizeParams;
use crate::server::Org;
use crate::store::{self, Record};

const STYLE: &str = r#"
:root { --ink: #1b2330; --muted: #5b6777; --line: #d9dee5; --accent: #0b5cad; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
header.top { background: #0b2545; color: #fff; padding: 14px 24px; }
header.top a { color: #fff; text-decoration: none; }
header.top p { margin: 2px 0 0; color: #c6d3e3; font-size: 13px; }
main { max-width: 1100px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 17px; margin: 28px 0 10px; }
section.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; font-weight: 600; font-size: 13px; color: var(--muted); }
td.mono, dd.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
a { color: var(--accent); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.empty { color: var(--muted); font-style: italic; }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; background: #e6eef8; font-size: 13px; }
.pill.High { background: #fde2e1; }
.pill.Low { background: #e8f5e9; }
.pre { white-space: pre-wrap; }
.files { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 14px; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
figure img { display: block; width: 100%; height: 180px; object-fit: cover; border-radius: 4px; background: #eef1f5; }
figure .noimg { height: 180px; display: flex; align-items: center; justify-content: center; color: var(--muted); background: #eef1f5; border-radius: 4px; }
figcaption { font-size: 13px; margin-top: 6px; word-break: break-all; }
form.login { max-width: 380px; margin: 40px auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 22px; }
form.login label { display: block; margin: 12px 0 4px; font-weight: 600; }
form.login input[type=text], form.login input[type=password] { width: 100%; padding: 8px; font-size: 15px; border: 1px solid var(--line); border-radius: 4px; }
form.login .buttons { display: flex; gap: 10px; margin-top: 18px; }
form.login button { flex: 1; padding: 9px; font-size: 15px; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
form.login button.secondary { background: #fff; color: var(--accent); }
.error { color: #a4161a; background: #fde2e1; padding: 8px 10px; border-radius: 4px; }
.scopes { color: var(--muted); font-size: 13px; }
"#;

const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · fieldcase demo org</title><link rel=\"stylesheet\" href=\"/style.css\"></head>\
         <body><header class=\"top\"><h1><a href=\"/\">fieldcase demo org</a></h1>\
         <p>A local Salesforce-compatible org — not Salesforce. Everything here lives on this machine.</p></header>\
         <main>{body}</main></body></html>\n",
        escape(title)
    );
    let mut res = (status, html).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn opt(r: &Record, f: &str) -> String {
    match r.get(f) {
        Some(Value::String(s)) => escape(s),
        Some(Value::Bool(b)) => if *b { "Yes" } else { "No" }.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// `2025-11-21T10:30:00.000+0000` → `2025-11-21 10:30 UTC`.
fn when(r: &Record, f: &str) -> String {
    match r.str(f) {
        Some(s) if s.len() >= 16 => format!("{} {} UTC", &s[..10], &s[11..16]),
        Some(s) => escape(s),
        None => String::new(),
    }
}

fn size(n: u64) -> String {
    match n {
        n if n >= 1024 * 1024 => format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)),
        n if n >= 1024 => format!("{:.0} KB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

fn internal(e: crate::error::Error) -> Response {
    tracing::error!(error = %e, "page failed");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Error",
        "<p class=\"error\">Something went wrong; see the demo org's log.</p>",
    )
}

/// `GET /style.css`.
pub async fn style() -> Response {
    let mut res = STYLE.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    res
}

/// Anything else.
pub async fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Not found",
        "<p>There is nothing here. <a href=\"/\">See the cases</a>.</p>",
    )
}

/// `GET /`: the org, its Cases, its Accounts and Assets.
pub async fn home(State(org): State<Org>) -> Response {
    match home_html(&org).await {
        Ok(body) => page(StatusCode::OK, "Cases", &body),
        Err(e) => internal(e),
    }
}

async fn home_html(org: &Org) -> Result<String> {
    let mut conn = org.store.read().await?;
    let mut cases = store::records_of(&mut conn, "Case").await?;
    cases.reverse();
    let assets = store::records_of(&mut conn, "Asset").await?;
    let accounts = store::records_of(&mut conn, "Account").await?;
    let links = store::records_of(&mut conn, "ContentDocumentLink").await?;
    let asset_names: HashMap<&str, String> = assets
        .iter()
        .map(|a| (a.id.as_str(), opt(a, "Name")))
        .collect();
    let account_names: HashMap<&str, String> = accounts
        .iter()
        .map(|a| (a.id.as_str(), opt(a, "Name")))
        .collect();
    let mut files_per: HashMap<&str, usize> = HashMap::new();
    for l in &links {
        if let Some(e) = l.str("LinkedEntityId") {
            *files_per.entry(e).or_default() += 1;
        }
    }

    let base = escape(&org.public_url);
    let mut b = String::new();
    b.push_str("<section class=\"card\"><dl class=\"facts\">");
    b.push_str(&format!(
        "<dt>Instance URL</dt><dd class=\"mono\">{base}</dd>"
    ));
    b.push_str(&format!(
        "<dt>Authorize</dt><dd class=\"mono\">{base}/services/oauth2/authorize</dd>"
    ));
    b.push_str(&format!(
        "<dt>Token</dt><dd class=\"mono\">{base}/services/oauth2/token</dd>"
    ));
    b.push_str(&format!(
        "<dt>Connected app</dt><dd class=\"mono\">{}</dd>",
        escape(&org.client_id)
    ));
    b.push_str(&format!(
        "<dt>Demo user</dt><dd class=\"mono\">{}</dd>",
        escape(&org.username)
    ));
    b.push_str(&format!(
        "<dt>API usage</dt><dd>{} of {} calls</dd>",
        org.api_used(),
        org.api_limit
    ));
    b.push_str("</dl></section>");

    b.push_str(&format!("<h2>Cases ({})</h2>", cases.len()));
    if cases.is_empty() {
        b.push_str("<p class=\"empty\">No cases yet. Approve an intake in fieldcase and it appears here.</p>");
    } else {
        b.push_str(
            "<table><thead><tr><th>Case</th><th>Subject</th><th>Priority</th><th>Type</th><th>Status</th>\
             <th>Asset</th><th>Reference</th><th>Created</th><th>Files</th></tr></thead><tbody>",
        );
        for c in &cases {
            let asset = c
                .str("AssetId")
                .map(|id| asset_names.get(id).cloned().unwrap_or_else(|| escape(id)));
            b.push_str(&format!(
                "<tr><td><a href=\"/cases/{id}\">{num}</a></td><td>{subject}</td><td><span class=\"pill {prio}\">{prio}</span></td>\
                 <td>{ty}</td><td>{status}</td><td>{asset}</td><td class=\"mono\">{key}</td><td>{created}</td><td>{files}</td></tr>",
                id = escape(&c.id),
                num = opt(c, "CaseNumber"),
                subject = opt(c, "Subject"),
                prio = opt(c, "Priority"),
                ty = opt(c, "Type"),
                status = opt(c, "Status"),
                asset = asset.unwrap_or_default(),
                key = opt(c, "Intake_Reference__c"),
                created = when(c, "CreatedDate"),
                files = files_per.get(c.id.as_str()).copied().unwrap_or(0),
            ));
        }
        b.push_str("</tbody></table>");
    }

    b.push_str(
        "<h2>Accounts and assets</h2><table><thead><tr><th>Asset</th><th>Serial number</th>\
                <th>Account</th><th>Asset Id</th><th>Account Id</th></tr></thead><tbody>",
    );
    for a in &assets {
        let account = a.str("AccountId").unwrap_or_default();
        b.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td></tr>",
            opt(a, "Name"),
            opt(a, "SerialNumber"),
            account_names.get(account).cloned().unwrap_or_default(),
            escape(&a.id),
            escape(account),
        ));
    }
    b.push_str("</tbody></table>");
    Ok(b)
}

/// `GET /cases/{id}`: one Case, every field set, and its Files.
pub async fn case_page(State(org): State<Org>, Path(id): Path<String>) -> Response {
    let Some(id) = ids::normalize(&id).filter(|i| ids::prefix(i) == "500") else {
        return not_found().await;
    };
    match case_html(&org, &id).await {
        Ok(Some((title, body))) => page(StatusCode::OK, &title, &body),
        Ok(None) => not_found().await,
        Err(e) => internal(e),
    }
}

async fn case_html(org: &Org, id: &str) -> Result<Option<(String, String)>> {
    let mut conn = org.store.read().await?;
    let Some(case) = store::get_record(&mut conn, id)
        .await?
        .filter(|r| r.sobject == "Case")
    else {
        return Ok(None);
    };
    let Some(def) = describe::sobject("Case") else {
        return Ok(None);
    };
    let title = format!("Case {}", case.str("CaseNumber").unwrap_or_default());
    let mut b = format!(
        "<h2>{} · {}</h2><section class=\"card\"><dl class=\"facts\">",
        escape(&title),
        opt(&case, "Subject")
    );
    b.push_str(&format!(
        "<dt>Id</dt><dd class=\"mono\">{}</dd>",
        escape(&case.id)
    ));
    for f in def
        .fields
        .iter()
        .filter(|f| !matches!(f.name, "Id" | "IsDeleted" | "SystemModstamp"))
    {
        let Some(v) = case.get(f.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let shown = match (f.name, v) {
            ("AssetId" | "AccountId", Value::String(rid)) => {
                let name = store::get_record(&mut conn, rid)
                    .await?
                    .map(|r| opt(&r, "Name"))
                    .unwrap_or_default();
                format!("{name} <code>{}</code>", escape(rid))
            }
            (_, Value::String(_)) if f.ty == describe::FieldType::DateTime => when(&case, f.name),
            _ => opt(&case, f.name),
        };
        let class = if f.ty == describe::FieldType::TextArea {
            " class=\"pre\""
        } else {
            ""
        };
        b.push_str(&format!(
            "<dt>{}</dt><dd{class}>{shown}</dd>",
            escape(f.label)
        ));
    }
    b.push_str("</dl></section>");

    let links = store::find_by_text(&mut conn, "ContentDocumentLink", "LinkedEntityId", id).await?;
    b.push_str(&format!("<h2>Files ({})</h2>", links.len()));
    if links.is_empty() {
        b.push_str("<p class=\"empty\">No files on this case.</p>");
    } else {
        b.push_str("<div class=\"files\">");
        for l in &links {
            let Some(doc_id) = l.str("ContentDocumentId") else {
                continue;
            };
            let Some(doc) = store::get_record(&mut conn, doc_id).await? else {
                continue;
            };
            let ftype = doc.str("FileType").unwrap_or("UNKNOWN").to_string();
            let version = match doc.str("LatestPublishedVersionId") {
                Some(v) => store::get_record(&mut conn, v).await?,
                None => None,
            };
            let bytes = doc.get("ContentSize").and_then(Value::as_u64).unwrap_or(0);
            let checksum = version
                .as_ref()
                .map(|v| opt(v, "Checksum"))
                .unwrap_or_default();
            let versions = version
                .as_ref()
                .map(|v| opt(v, "VersionNumber"))
                .unwrap_or_default();
            let href = format!("/files/{}", escape(doc_id));
            let preview = if files::is_image(&ftype) {
                format!(
                    "<a href=\"{href}\"><img src=\"{href}\" alt=\"{}\"></a>",
                    opt(&doc, "Title")
                )
            } else {
                format!(
                    "<a href=\"{href}\"><div class=\"noimg\">{}</div></a>",
                    escape(&ftype)
                )
            };
            // The version's Description, as Salesforce's file page shows it.
            let description = version
                .as_ref()
                .map(|v| opt(v, "Description"))
                .filter(|d| !d.is_empty())
                .map(|d| format!("<br><span class=\"desc\">{d}</span>"))
                .unwrap_or_default();
            b.push_str(&format!(
                "<figure>{preview}<figcaption><strong>{title}</strong><br>{size} · {ftype} · version {versions}<br>\
                 <code>{doc}</code><br>MD5 <code>{checksum}</code>{description}</figcaption></figure>",
                title = opt(&doc, "Title"),
                size = size(bytes),
                ftype = escape(&ftype),
                doc = escape(doc_id),
            ));
        }
        b.push_str("</div>");
    }
    b.push_str("<p><a href=\"/\">← All cases</a></p>");
    Ok(Some((title, b)))
}

/// `GET /files/{ContentDocumentId}` (or a ContentVersion id): the bytes.
pub async fn file(State(org): State<Org>, Path(id): Path<String>) -> Response {
    let Some(id) = ids::normalize(&id) else {
        return not_found().await;
    };
    let found = async {
        let mut conn = org.store.read().await?;
        let version_id = match ids::prefix(&id) {
            "069" => store::get_record(&mut conn, &id)
                .await?
                .and_then(|d| d.str("LatestPublishedVersionId").map(str::to_string)),
            "068" => Some(id.clone()),
            _ => None,
        };
        let Some(version_id) = version_id else {
            return Ok(None);
        };
        let Some(version) = store::get_record(&mut conn, &version_id).await? else {
            return Ok(None);
        };
        let data = store::content(&mut conn, &version_id).await?;
        Ok::<_, crate::error::Error>(data.map(|d| (version, d)))
    }
    .await;
    let (version, data) = match found {
        Ok(Some(x)) => x,
        Ok(None) => return not_found().await,
        Err(e) => return internal(e),
    };
    let ftype = version.str("FileType").unwrap_or("UNKNOWN");
    let mut res = (StatusCode::OK, data).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(files::mime_for(ftype)),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=60"),
    );
    if !files::is_image(ftype) {
        let name: String = version
            .str("PathOnClient")
            .unwrap_or("file")
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("file")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            .collect();
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    res
}

/// The page an authorize request with a bad client or callback ends on.
pub fn oauth_error_page(error: &str, description: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Authorization error",
        &format!(
            "<p class=\"error\">error={}&amp;error_description={}</p>",
            escape(error),
            escape(description)
        ),
    )
}

/// The login and consent page of the web-server flow.
pub fn login_page(org: &Org, p: &AuthorizeParams, username: &str, error: Option<&str>) -> Response {
    let mut b = String::from(
        "<form class=\"login\" method=\"post\" action=\"/services/oauth2/authorize\">",
    );
    b.push_str("<h2>Log in to the demo org</h2>");
    if let Some(e) = error {
        b.push_str(&format!("<p class=\"error\">{}</p>", escape(e)));
    }
    b.push_str(&format!(
        "<p><strong>{}</strong> is asking to access the org as you.</p>",
        escape(&org.client_id)
    ));
    if let Some(s) = &p.scope {
        b.push_str(&format!("<p class=\"scopes\">Scopes: {}</p>", escape(s)));
    }
    for (k, v) in p.hidden_fields() {
        b.push_str(&format!(
            "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
            escape(&v)
        ));
    }
    b.push_str(&format!(
        "<label for=\"username\">Username</label>\
         <input type=\"text\" id=\"username\" name=\"username\" value=\"{}\" autocomplete=\"username\" required>\
         <label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" autofocus>\
         <div class=\"buttons\"><button type=\"submit\" name=\"action\" value=\"allow\">Log in and allow</button>\
         <button type=\"submit\" name=\"action\" value=\"deny\" class=\"secondary\">Deny</button></div>",
        escape(username)
    ));
    b.push_str("</form>");
    page(StatusCode::OK, "Log in", &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
