//! The audit log for admins: filtered, newest first, and as CSV.
//!
//! | method | path                        |                          |
//! |--------|-----------------------------|--------------------------|
//! | GET    | `/api/v1/admin/audit?…`     | [`AuditQuery`] → [`AuditPage`] |
//! | GET    | `/api/v1/admin/audit.csv?…` | the same rows as CSV (at most 50,000) |
//!
//! The CSV is written by the `csv` crate (quoting) and every cell that a
//! spreadsheet would run as a formula (`= + - @`, tab, CR) is neutralised
//! with a leading apostrophe.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use fieldcase_core::console::{ActorKind, AuditEntry, AuditPage, AuditQuery};
use fieldcase_core::wire::ApiError;

use super::AppState;
use super::extract::Json;
use crate::auth::Admin;
use crate::error::{Error, Result};

/// Most rows one CSV export carries.
const CSV_MAX_ROWS: u32 = 50_000;

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(page, csv_export))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/audit", get(page))
        .route("/api/v1/admin/audit.csv", get(csv_export))
}

type QueryResult = std::result::Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>;

/// Check the filters; blank ones count as absent.
fn checked(query: QueryResult) -> Result<AuditQuery> {
    let Query(mut q) = query.map_err(|e| {
        Error::bad_request("bad_filter", format!("The filters are malformed: {e}."))
    })?;
    for field in [
        &mut q.actor_kind,
        &mut q.actor,
        &mut q.kind,
        &mut q.intake,
        &mut q.from,
        &mut q.to,
        &mut q.before,
    ] {
        if field.as_deref().is_some_and(|s| s.trim().is_empty()) {
            *field = None;
        }
    }
    if let Some(kind) = &q.actor_kind
        && ActorKind::parse(kind).is_none()
    {
        return Err(Error::bad_request(
            "bad_filter",
            format!(
                "Unknown actor kind {kind:?}. Use one of: {}.",
                ActorKind::ALL.map(ActorKind::as_str).join(", ")
            ),
        ));
    }
    for (name, day) in [("from", &q.from), ("to", &q.to)] {
        if let Some(d) = day
            && !fieldcase_core::validate::is_iso_date(d)
        {
            return Err(Error::bad_request(
                "bad_filter",
                format!("`{name}` must be a day as YYYY-MM-DD, such as 2026-11-30."),
            ));
        }
    }
    if q.before.as_deref().is_some_and(|c| !c.contains('|')) {
        return Err(Error::bad_request(
            "bad_cursor",
            "The `before` cursor is not one this server gave. Start again from the newest page.",
        ));
    }
    Ok(q)
}

/// `GET /api/v1/admin/audit`
#[utoipa::path(
    get,
    path = "/api/v1/admin/audit",
    tag = "admin",
    security(("session_cookie" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of the audit log, newest first.", body = AuditPage),
        (status = 400, description = "A filter or the cursor is malformed (`bad_filter`, `bad_cursor`).", body = ApiError),
    )
)]
async fn page(
    State(state): State<AppState>,
    _: Admin,
    query: QueryResult,
) -> Result<Json<AuditPage>> {
    let q = checked(query)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let slice = state.store.audit_log(&q, limit).await?;
    Ok(Json(AuditPage {
        entries: slice.entries,
        next: slice.next,
    }))
}

/// `GET /api/v1/admin/audit.csv`
#[utoipa::path(
    get,
    path = "/api/v1/admin/audit.csv",
    tag = "admin",
    security(("session_cookie" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "The same rows as CSV (at most 50,000), as an attachment.", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "`attachment; filename=\"fieldcase-audit.csv\"`"))),
        (status = 400, description = "A filter or the cursor is malformed (`bad_filter`, `bad_cursor`).", body = ApiError),
    )
)]
async fn csv_export(
    State(state): State<AppState>,
    _: Admin,
    query: QueryResult,
) -> Result<impl IntoResponse> {
    let q = checked(query)?;
    let slice = state.store.audit_log(&q, CSV_MAX_ROWS).await?;
    let body = to_csv(&slice.entries)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"fieldcase-audit.csv\"",
            ),
        ],
        body,
    ))
}

/// A cell a spreadsheet will show as text, never run as a formula.
pub fn safe_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// The entries as CSV, one row each, with a header row.
pub fn to_csv(entries: &[AuditEntry]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Internal(format!("writing CSV: {e}"));
    w.write_record([
        "at",
        "actor_kind",
        "actor",
        "on_behalf_of",
        "kind",
        "intake_reference",
        "intake_id",
        "detail",
    ])
    .map_err(fail)?;
    for e in entries {
        let intake_id = e.intake_id.map(|id| id.to_string()).unwrap_or_default();
        let row = [
            e.at.as_str(),
            e.actor_kind.as_str(),
            &e.actor,
            e.on_behalf_of.as_deref().unwrap_or_default(),
            &e.kind,
            e.intake_reference.as_deref().unwrap_or_default(),
            &intake_id,
            &e.detail.to_string(),
        ];
        w.write_record(row.iter().map(|cell| safe_cell(cell)))
            .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("writing CSV: {e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quotes_escaped() {
        let entry = AuditEntry {
            id: uuid::Uuid::nil(),
            at: "2026-11-30T10:00:00.000000Z".into(),
            actor_kind: ActorKind::Dispatcher,
            actor: "=HYPERLINK(\"http://evil\")".into(),
            on_behalf_of: None,
            kind: "field_changed".into(),
            intake_id: None,
            intake_reference: Some("FC-AAAA-BBBB".into()),
            detail: serde_json::json!({"to": "+1 555, \"x\""}),
        };
        let text = String::from_utf8(to_csv(&[entry]).unwrap()).unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("at,actor_kind,actor"));
        let row = lines.next().unwrap();
        assert!(
            row.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
            "{row}"
        );
        assert_eq!(safe_cell("-2+3"), "'-2+3");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("plain"), "plain");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[2], "'=HYPERLINK(\"http://evil\")");
        assert_eq!(&record[7], "{\"to\":\"+1 555, \\\"x\\\"\"}");
    }
}
