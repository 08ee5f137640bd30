//! Admins manage assets and print their QR labels.
//!
//! | method | path                                          |                                   |
//! |--------|-----------------------------------------------|-----------------------------------|
//! | GET    | `/api/v1/admin/assets?q=&status=&page=&per_page=` | → [`AssetPage`]               |
//! | POST   | `/api/v1/admin/assets`                        | [`AssetInput`] → [`AdminAsset`]   |
//! | GET    | `/api/v1/admin/assets/{asset}`                | → [`AdminAsset`]                  |
//! | PUT    | `/api/v1/admin/assets/{asset}`                | [`AssetInput`] → [`AdminAsset`]   |
//! | POST   | `/api/v1/admin/assets/{asset}/retire`         | → [`AdminAsset`] (links revoked)  |
//! | POST   | `/api/v1/admin/assets/{asset}/rotate`         | → [`AdminAsset`] (a new link)     |
//! | GET    | `/api/v1/admin/assets/{asset}/label.svg`      | one label, SVG (name and serial)  |
//! | GET    | `/api/v1/admin/assets/{asset}/label.png`      | one label's code, PNG             |
//! | POST   | `/api/v1/admin/asset-imports/csv?mode=`       | `text/csv` → [`ImportReport`]     |
//! | POST   | `/api/v1/admin/asset-imports/salesforce`      | → [`ImportReport`]                |
//! | GET    | `/admin/assets/labels?ids=&paper=&grid=&crop=` | the print page (HTML)            |
//! | GET    | `/admin/assets/labels.css`                    | its stylesheet                    |
//!
//! Assets are never deleted: a retired asset keeps its intakes and its
//! links are revoked, so its labels answer as unknown codes do. Every change
//! is in the audit log, in the change's own transaction.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use fieldcase_core::assets::{
    AdminAsset, AssetInput, AssetPage, AssetStatus, CSV_COLUMNS, ImportMode, ImportProblem,
    ImportReport, LabelGrid, LabelPaper, MAX_LABELS, MAX_PER_PAGE, csv_column, is_salesforce_id,
    labels_path,
};
use fieldcase_core::console::{ActorKind, StaffUser};
use fieldcase_core::wire::ApiError;
use uuid::Uuid;

use super::AppState;
use super::admin::escape;
use super::extract::{Json, Path};
use crate::auth::Admin;
use crate::error::{Error, Result, megabytes};
use crate::i18n::Lang;
use crate::qr;
use crate::salesforce::SalesforceError;
use crate::store::{Actor, ImportItem, ManagedAsset};

/// The largest CSV accepted.
pub const MAX_CSV_BYTES: usize = 1024 * 1024;
/// The most data rows in one CSV.
pub const MAX_CSV_ROWS: usize = 5000;

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list, create, one, update, retire, rotate, label_svg, label_png, import_csv, import_org
))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/assets", get(list).post(create))
        .route("/api/v1/admin/assets/{asset}", get(one).put(update))
        .route("/api/v1/admin/assets/{asset}/retire", post(retire))
        .route("/api/v1/admin/assets/{asset}/rotate", post(rotate))
        .route("/api/v1/admin/assets/{asset}/label.svg", get(label_svg))
        .route("/api/v1/admin/assets/{asset}/label.png", get(label_png))
        .route("/api/v1/admin/asset-imports/csv", post(import_csv))
        .route("/api/v1/admin/asset-imports/salesforce", post(import_org))
}

pub fn page_router() -> Router<AppState> {
    Router::new()
        .route("/admin/assets/labels", get(labels_page))
        .route("/admin/assets/labels.css", get(labels_css))
}

fn actor(user: &StaffUser) -> Actor {
    Actor::new(ActorKind::Admin, user.email.clone())
}

fn asset_not_found() -> Error {
    Error::not_found(
        "asset_not_found",
        "There is no asset with this id. Reload the list of assets.",
    )
}

fn asset_retired() -> Error {
    Error::conflict(
        "asset_retired",
        "This asset is retired: it has no link and no label. Its intakes are kept.",
    )
}

fn parse_asset_id(raw: &str) -> Result<Uuid> {
    raw.parse().map_err(|_| asset_not_found())
}

/// The asset with its link made from the public URL.
fn view(state: &AppState, m: ManagedAsset) -> AdminAsset {
    let mut asset = m.asset;
    asset.link = m.token.map(|t| qr::link(&state.public_url, &t));
    asset
}

fn invalid(fields: fieldcase_core::FieldErrors) -> Error {
    Error::Validation {
        message: "Check the highlighted fields.".into(),
        fields,
    }
}

fn query_pairs(raw: Option<&str>) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// `GET /api/v1/admin/assets`
#[utoipa::path(
    get,
    path = "/api/v1/admin/assets",
    operation_id = "list_assets",
    tag = "admin",
    security(("session_cookie" = [])),
    params(
        ("q" = Option<String>, Query, description = "Words in the name, serial number, site, location or account."),
        ("status" = Option<AssetStatus>, Query, description = "active (the default), retired or all."),
        ("page" = Option<u32>, Query, description = "1-based; 1 by default."),
        ("per_page" = Option<u32>, Query, description = "1 to 200; 50 by default."),
    ),
    responses(
        (status = 200, description = "One page of matching assets, by account then name.", body = AssetPage),
        (status = 400, description = "A parameter is not understood (`bad_query`).", body = ApiError),
    )
)]
async fn list(
    State(state): State<AppState>,
    _: Admin,
    RawQuery(raw): RawQuery,
) -> Result<Json<AssetPage>> {
    let params = query_pairs(raw.as_deref());
    let bad = |m: &str| Error::bad_request("bad_query", m.to_owned());
    let status = match params.get("status").map(String::as_str) {
        None | Some("") | Some("active") => AssetStatus::Active,
        Some("retired") => AssetStatus::Retired,
        Some("all") => AssetStatus::All,
        Some(_) => return Err(bad("status must be active, retired or all.")),
    };
    let page: u32 = match params.get("page") {
        None => 1,
        Some(p) => p
            .parse()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| bad("page must be a whole number from 1."))?,
    };
    let per_page: u32 = match params.get("per_page") {
        None => 50,
        Some(p) => p
            .parse()
            .ok()
            .filter(|p| (1..=MAX_PER_PAGE).contains(p))
            .ok_or_else(|| bad("per_page must be a whole number from 1 to 200."))?,
    };
    let q = params.get("q").map(String::as_str).unwrap_or_default();
    if q.chars().count() > 200 {
        return Err(bad("Search for at most 200 characters."));
    }
    let offset = u64::from(page - 1) * u64::from(per_page);
    let (rows, total) = state
        .store
        .admin_assets(q, status, offset, per_page)
        .await?;
    Ok(Json(AssetPage {
        assets: rows.into_iter().map(|m| view(&state, m)).collect(),
        total,
        page,
        per_page,
    }))
}

/// `POST /api/v1/admin/assets`
#[utoipa::path(
    post,
    path = "/api/v1/admin/assets",
    operation_id = "create_asset",
    tag = "admin",
    security(("session_cookie" = [])),
    request_body = AssetInput,
    responses(
        (status = 201, description = "The asset, with the link its label opens.", body = AdminAsset),
        (status = 422, description = "A field is not valid; `fields` says which and why.", body = ApiError),
    )
)]
async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(body): Json<AssetInput>,
) -> Result<(StatusCode, Json<AdminAsset>)> {
    let input = body.check().map_err(invalid)?;
    let token = crate::demo::new_token();
    let id = state
        .store
        .create_managed_asset(&input, &token, &actor(&admin))
        .await?;
    tracing::info!(asset_id = %id, "asset created");
    let made = state
        .store
        .admin_asset(&id)
        .await?
        .ok_or_else(asset_not_found)?;
    Ok((StatusCode::CREATED, Json(view(&state, made))))
}

/// `GET /api/v1/admin/assets/{asset}`
#[utoipa::path(
    get,
    path = "/api/v1/admin/assets/{asset}",
    operation_id = "get_asset",
    tag = "admin",
    security(("session_cookie" = [])),
    params(("asset" = String, Path, format = Uuid, description = "The asset's id.")),
    responses(
        (status = 200, description = "The asset and its current link.", body = AdminAsset),
        (status = 404, description = "No such asset (`asset_not_found`).", body = ApiError),
    )
)]
async fn one(
    State(state): State<AppState>,
    _: Admin,
    Path(raw): Path<String>,
) -> Result<Json<AdminAsset>> {
    let id = parse_asset_id(&raw)?;
    let found = state
        .store
        .admin_asset(&id)
        .await?
        .ok_or_else(asset_not_found)?;
    Ok(Json(view(&state, found)))
}

/// `PUT /api/v1/admin/assets/{asset}`
#[utoipa::path(
    put,
    path = "/api/v1/admin/assets/{asset}",
    operation_id = "update_asset",
    tag = "admin",
    security(("session_cookie" = [])),
    params(("asset" = String, Path, format = Uuid, description = "The asset's id.")),
    request_body = AssetInput,
    responses(
        (status = 200, description = "The asset as saved; its link is unchanged.", body = AdminAsset),
        (status = 404, description = "No such asset (`asset_not_found`).", body = ApiError),
        (status = 422, description = "A field is not valid; `fields` says which and why.", body = ApiError),
    )
)]
async fn update(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(raw): Path<String>,
    Json(body): Json<AssetInput>,
) -> Result<Json<AdminAsset>> {
    let id = parse_asset_id(&raw)?;
    let input = body.check().map_err(invalid)?;
    state
        .store
        .update_managed_asset(&id, &input, &actor(&admin))
        .await?
        .ok_or_else(asset_not_found)?;
    let saved = state
        .store
        .admin_asset(&id)
        .await?
        .ok_or_else(asset_not_found)?;
    Ok(Json(view(&state, saved)))
}

/// `POST /api/v1/admin/assets/{asset}/retire`
#[utoipa::path(
    post,
    path = "/api/v1/admin/assets/{asset}/retire",
    operation_id = "retire_asset",
    tag = "admin",
    security(("session_cookie" = [])),
    params(("asset" = String, Path, format = Uuid, description = "The asset's id.")),
    responses(
        (status = 200, description = "Retired: its links answer as unknown codes from now on; nothing is deleted.", body = AdminAsset),
        (status = 404, description = "No such asset (`asset_not_found`).", body = ApiError),
        (status = 409, description = "Retired already (`asset_retired`).", body = ApiError),
    )
)]
async fn retire(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(raw): Path<String>,
) -> Result<Json<AdminAsset>> {
    let id = parse_asset_id(&raw)?;
    match state.store.retire_asset(&id, &actor(&admin)).await? {
        None => return Err(asset_not_found()),
        Some(false) => return Err(asset_retired()),
        Some(true) => tracing::info!(asset_id = %id, "asset retired"),
    }
    let saved = state
        .store
        .admin_asset(&id)
        .await?
        .ok_or_else(asset_not_found)?;
    Ok(Json(view(&state, saved)))
}

/// `POST /api/v1/admin/assets/{asset}/rotate`
#[utoipa::path(
    post,
    path = "/api/v1/admin/assets/{asset}/rotate",
    operation_id = "rotate_asset_link",
    tag = "admin",
    security(("session_cookie" = [])),
    params(("asset" = String, Path, format = Uuid, description = "The asset's id.")),
    responses(
        (status = 200, description = "A new link: the old label stops working at once; print the new one.", body = AdminAsset),
        (status = 404, description = "No such asset (`asset_not_found`).", body = ApiError),
        (status = 409, description = "The asset is retired (`asset_retired`).", body = ApiError),
    )
)]
async fn rotate(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(raw): Path<String>,
) -> Result<Json<AdminAsset>> {
    let id = parse_asset_id(&raw)?;
    let token = crate::demo::new_token();
    match state
        .store
        .rotate_asset_link(&id, &token, &actor(&admin))
        .await?
    {
        None => return Err(asset_not_found()),
        Some(false) => return Err(asset_retired()),
        Some(true) => tracing::info!(asset_id = %id, "asset link rotated"),
    }
    let saved = state
        .store
        .admin_asset(&id)
        .await?
        .ok_or_else(asset_not_found)?;
    Ok(Json(view(&state, saved)))
}

/// An active asset's label code.
async fn label_code(state: &AppState, raw: &str) -> Result<(AdminAsset, qrcode::QrCode)> {
    let id = parse_asset_id(raw)?;
    let m = state
        .store
        .admin_asset(&id)
        .await?
        .ok_or_else(asset_not_found)?;
    let token = m.token.clone().ok_or_else(asset_retired)?;
    let code = qr::label_code(&state.public_url, &token)
        .map_err(|e| Error::unprocessable("link_too_long", e.to_string()))?;
    Ok((view(state, m), code))
}

/// A file name for a download: the asset's serial number (else its name),
/// letters, digits, `-` and `_` only.
fn file_stem(a: &AdminAsset) -> String {
    let base = if a.serial_number.is_empty() {
        &a.name
    } else {
        &a.serial_number
    };
    let stem: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(60)
        .collect();
    format!("label-{}", stem.trim_matches('-'))
}

fn download(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /api/v1/admin/assets/{asset}/label.svg`
#[utoipa::path(
    get,
    path = "/api/v1/admin/assets/{asset}/label.svg",
    operation_id = "asset_label_svg",
    tag = "admin",
    security(("session_cookie" = [])),
    params(("asset" = String, Path, format = Uuid, description = "The asset's id.")),
    responses(
        (status = 200, description = "The label: its QR code (version 3 or lower, error correction M) with the name and serial number under it.", content_type = "image/svg+xml", body = String),
        (status = 404, description = "No such asset (`asset_not_found`).", body = ApiError),
        (status = 409, description = "The asset is retired (`asset_retired`).", body = ApiError),
        (status = 422, description = "The public URL is too long for a small code (`link_too_long`).", body = ApiError),
    )
)]
async fn label_svg(
    State(state): State<AppState>,
    _: Admin,
    Path(raw): Path<String>,
) -> Result<Response> {
    let (asset, code) = label_code(&state, &raw).await?;
    let svg = qr::label_svg(&code, &asset.name, &asset.serial_number);
    Ok(download(
        "image/svg+xml",
        format!("{}.svg", file_stem(&asset)),
        svg.into_bytes(),
    ))
}

/// `GET /api/v1/admin/assets/{asset}/label.png`
#[utoipa::path(
    get,
    path = "/api/v1/admin/assets/{asset}/label.png",
    operation_id = "asset_label_png",
    tag = "admin",
    security(("session_cookie" = [])),
    params(("asset" = String, Path, format = Uuid, description = "The asset's id.")),
    responses(
        (status = 200, description = "The label's QR code as a PNG, 10 pixels a module, with its quiet zone.", content_type = "image/png", body = Vec<u8>),
        (status = 404, description = "No such asset (`asset_not_found`).", body = ApiError),
        (status = 409, description = "The asset is retired (`asset_retired`).", body = ApiError),
        (status = 422, description = "The public URL is too long for a small code (`link_too_long`).", body = ApiError),
    )
)]
async fn label_png(
    State(state): State<AppState>,
    _: Admin,
    Path(raw): Path<String>,
) -> Result<Response> {
    let (asset, code) = label_code(&state, &raw).await?;
    let png = qr::label_png(&code, 10).map_err(|e| Error::Internal(format!("label PNG: {e}")))?;
    Ok(download(
        "image/png",
        format!("{}.png", file_stem(&asset)),
        png,
    ))
}

// ---- imports --------------------------------------------------------------

/// The CSV's rows checked: the items to import (with their row numbers),
/// the problems, and how many rows were read.
struct Checked {
    items: Vec<(u32, ImportItem)>,
    problems: Vec<ImportProblem>,
    rows: u32,
}

fn problem(row: u32, column: &str, message: impl Into<String>) -> ImportProblem {
    ImportProblem {
        row,
        column: column.to_owned(),
        message: message.into(),
        salesforce_id: None,
    }
}

/// Read and check a CSV. `Err` for a file that cannot be imported at all
/// (its header, its size); row problems are in [`Checked::problems`].
fn check_csv(bytes: &[u8]) -> Result<Checked> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let unusable = |m: String| Error::unprocessable("csv_unusable", m);
    let headers = reader
        .headers()
        .map_err(|e| unusable(format!("The first line (the column names) cannot be read: {e}. Save the file as CSV, UTF-8.")))?
        .clone();
    // Column index → the field it fills, and the header as written.
    let mut columns: Vec<(&'static str, String)> = Vec::new();
    for h in &headers {
        let Some(field) = csv_column(h) else {
            let known: Vec<&str> = CSV_COLUMNS.iter().map(|(_, n)| n[0]).collect();
            return Err(unusable(format!(
                "Row 1: the column {:?} is not known. Rename or remove it; the columns are {}.",
                fieldcase_core::text::printable(h),
                known.join(", ")
            )));
        };
        if columns.iter().any(|(f, _)| *f == field) {
            return Err(unusable(format!(
                "Row 1: two columns fill the same field ({:?}). Keep one.",
                fieldcase_core::text::printable(h)
            )));
        }
        columns.push((field, h.to_owned()));
    }
    for required in ["name", "account_name"] {
        if !columns.iter().any(|(f, _)| *f == required) {
            let name = if required == "name" {
                "name"
            } else {
                "account"
            };
            return Err(unusable(format!(
                "Row 1: the column \"{name}\" is missing. Add it: every asset needs a name and an account."
            )));
        }
    }
    let header_of = |field: &str| -> String {
        columns
            .iter()
            .find(|(f, _)| *f == field)
            .map_or_else(|| field.to_owned(), |(_, h)| h.clone())
    };
    let mut checked = Checked {
        items: Vec::new(),
        problems: Vec::new(),
        rows: 0,
    };
    // (salesforce id | serial+account) → the row that had it first.
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let row = u32::try_from(i + 2).unwrap_or(u32::MAX);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                checked.rows += 1;
                checked.problems.push(problem(
                    row,
                    "",
                    format!("This row cannot be read as CSV ({e}): check its quotes."),
                ));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        checked.rows += 1;
        if checked.rows as usize > MAX_CSV_ROWS {
            return Err(Error::TooLarge {
                code: "csv_too_many_rows",
                message: format!(
                    "The file has more than {MAX_CSV_ROWS} rows: split it into files of at most {MAX_CSV_ROWS}."
                ),
            });
        }
        if record.len() != columns.len() {
            checked.problems.push(problem(
                row,
                "",
                format!(
                    "This row has {} values but the header has {} columns: check for a missing or extra comma.",
                    record.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let mut input = AssetInput::default();
        let mut salesforce_id = None;
        for ((field, _), value) in columns.iter().zip(record.iter()) {
            let v = value.to_owned();
            match *field {
                "name" => input.name = v,
                "serial_number" => input.serial_number = v,
                "model" => input.model = v,
                "account_name" => input.account_name = v,
                "site" => input.site = v,
                "location" => input.location = Some(v),
                "install_date" => input.install_date = Some(v),
                _ => salesforce_id = Some(v).filter(|s| !s.is_empty()),
            }
        }
        let mut bad = false;
        if let Some(id) = &salesforce_id
            && !is_salesforce_id(id)
        {
            bad = true;
            checked.problems.push(problem(
                row,
                &header_of("salesforce_id"),
                "This is not a Salesforce record id (15 or 18 letters and digits): copy the Asset's Id, or leave it empty.",
            ));
        }
        let input = match input.check() {
            Ok(i) => Some(i),
            Err(fields) => {
                for (field, message) in fields.0 {
                    checked
                        .problems
                        .push(problem(row, &header_of(&field), message));
                }
                None
            }
        };
        let Some(input) = input.filter(|_| !bad) else {
            continue;
        };
        let key = match &salesforce_id {
            Some(id) => Some((format!("sf:{}", id.to_ascii_lowercase()), "salesforce_id")),
            None if !input.serial_number.is_empty() => Some((
                format!(
                    "sn:{}\u{0}{}",
                    input.serial_number,
                    input.account_name.to_lowercase()
                ),
                "serial_number",
            )),
            None => None,
        };
        if let Some((key, field)) = key {
            if let Some(first) = seen.get(&key) {
                checked.problems.push(problem(
                    row,
                    &header_of(field),
                    format!(
                        "Row {first} has the same {} for this account: keep one of the two rows.",
                        if field == "salesforce_id" {
                            "Salesforce id"
                        } else {
                            "serial number"
                        }
                    ),
                ));
                continue;
            }
            seen.insert(key, row);
        }
        checked.items.push((
            row,
            ImportItem {
                input,
                crm_asset_id: salesforce_id,
                crm_account_id: None,
                token: crate::demo::new_token(),
            },
        ));
    }
    if checked.rows == 0 {
        return Err(unusable(
            "The file has column names but no rows: add one row per asset under them.".into(),
        ));
    }
    Ok(checked)
}

/// `POST /api/v1/admin/asset-imports/csv?mode=all_or_nothing|valid_rows`
#[utoipa::path(
    post,
    path = "/api/v1/admin/asset-imports/csv",
    operation_id = "import_assets_csv",
    tag = "admin",
    security(("session_cookie" = [])),
    params(("mode" = Option<ImportMode>, Query, description = "all_or_nothing (the default): nothing is imported until every row is valid; valid_rows: the valid rows are imported, the others reported.")),
    request_body(content = String, content_type = "text/csv", description = "UTF-8 CSV, at most 1 MB and 5,000 rows; the first line names the columns: name, serial, model, account, site, location, install_date (YYYY-MM-DD), salesforce_id. name and account are required."),
    responses(
        (status = 200, description = "What was imported, and every bad row's problems (row, column, what to fix).", body = ImportReport),
        (status = 400, description = "The mode is not understood (`bad_query`).", body = ApiError),
        (status = 413, description = "Over 1 MB or 5,000 rows.", body = ApiError),
        (status = 415, description = "Not `text/csv`.", body = ApiError),
        (status = 422, description = "The file cannot be imported at all: its column names, or no rows (`csv_unusable`).", body = ApiError),
    )
)]
async fn import_csv(
    State(state): State<AppState>,
    Admin(admin): Admin,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportReport>> {
    let mode = match query_pairs(raw.as_deref()).get("mode").map(String::as_str) {
        None | Some("") | Some("all_or_nothing") => ImportMode::AllOrNothing,
        Some("valid_rows") => ImportMode::ValidRows,
        Some(_) => {
            return Err(Error::bad_request(
                "bad_query",
                "mode must be all_or_nothing or valid_rows.",
            ));
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !(content_type.starts_with("text/csv") || content_type.starts_with("text/plain")) {
        return Err(Error::UnsupportedMediaType {
            message: "Send the file as text/csv.".into(),
        });
    }
    let bytes = axum::body::to_bytes(body, MAX_CSV_BYTES + 1)
        .await
        .map_err(|_| Error::TooLarge {
            code: "csv_too_large",
            message: format!(
                "The file is over {}: split it into smaller files.",
                megabytes(MAX_CSV_BYTES as u64)
            ),
        })?;
    if bytes.len() > MAX_CSV_BYTES {
        return Err(Error::TooLarge {
            code: "csv_too_large",
            message: format!(
                "The file is over {}: split it into smaller files.",
                megabytes(MAX_CSV_BYTES as u64)
            ),
        });
    }
    let checked = check_csv(&bytes)?;
    let bad_rows = {
        let mut rows: Vec<u32> = checked.problems.iter().map(|p| p.row).collect();
        rows.sort_unstable();
        rows.dedup();
        u32::try_from(rows.len()).unwrap_or(u32::MAX)
    };
    let mut report = ImportReport {
        mode,
        rows: checked.rows,
        created: 0,
        updated: 0,
        skipped: bad_rows,
        problems: checked.problems,
    };
    let import = mode == ImportMode::ValidRows || report.problems.is_empty();
    if import && !checked.items.is_empty() {
        let items: Vec<ImportItem> = checked.items.into_iter().map(|(_, i)| i).collect();
        let counts = state
            .store
            .import_assets(&items, "csv", &actor(&admin))
            .await?;
        report.created = counts.created;
        report.updated = counts.updated;
    }
    if !import {
        // Nothing imported: every row is skipped until the file is fixed.
        report.skipped = report.rows;
    }
    tracing::info!(
        rows = report.rows,
        created = report.created,
        updated = report.updated,
        problems = report.problems.len(),
        "assets imported from CSV"
    );
    Ok(Json(report))
}

/// `POST /api/v1/admin/asset-imports/salesforce`
#[utoipa::path(
    post,
    path = "/api/v1/admin/asset-imports/salesforce",
    operation_id = "import_assets_salesforce",
    tag = "admin",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The org's Asset records imported by their Salesforce Id: new ones made with a link, known ones updated; records that cannot be imported (no name or account) reported.", body = ImportReport),
        (status = 409, description = "No org is connected, or it must be connected again (`salesforce_not_connected`).", body = ApiError),
        (status = 503, description = "Salesforce did not answer; try again later.", body = ApiError),
    )
)]
async fn import_org(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> Result<Json<ImportReport>> {
    let records = state.salesforce.org_assets().await.map_err(|e| match e {
        SalesforceError::NotConfigured(_)
        | SalesforceError::NotConnected
        | SalesforceError::NeedsReauthorization(_)
        | SalesforceError::Authorization(_)
        | SalesforceError::UnknownAuthorization => Error::conflict(
            "salesforce_not_connected",
            "Salesforce is not connected: connect it at /admin/salesforce, then import again.",
        ),
        SalesforceError::Transient(_) | SalesforceError::LeaseLost => Error::Busy {
            retry_after_secs: 30,
            message: "Salesforce did not answer. Try again in a minute.".into(),
        },
        SalesforceError::Rejected(errors) => Error::unprocessable(
            "salesforce_refused",
            format!(
                "Salesforce refused to list Asset records ({}): give the integration user Read on Asset and Account.",
                crate::salesforce::rest::summarize(&errors)
            ),
        ),
        SalesforceError::Store(e) => Error::Database(e),
    })?;
    let mut report = ImportReport {
        mode: ImportMode::ValidRows,
        rows: u32::try_from(records.len()).unwrap_or(u32::MAX),
        created: 0,
        updated: 0,
        skipped: 0,
        problems: Vec::new(),
    };
    let mut items = Vec::new();
    for (i, r) in records.into_iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let input = AssetInput {
            name: r.name,
            serial_number: r.serial_number,
            model: String::new(),
            account_name: r.account_name,
            site: r.site,
            location: r.location,
            install_date: r.install_date,
        };
        if !is_salesforce_id(&r.id) {
            report.skipped += 1;
            continue;
        }
        match input.check() {
            Ok(input) => items.push(ImportItem {
                input,
                crm_asset_id: Some(r.id),
                crm_account_id: r.account_id,
                token: crate::demo::new_token(),
            }),
            Err(fields) => {
                report.skipped += 1;
                for (field, message) in fields.0 {
                    let message = if field == "account_name" {
                        "The Asset has no account in Salesforce: set its Account there, then import again.".to_owned()
                    } else {
                        message
                    };
                    report.problems.push(ImportProblem {
                        row,
                        column: field,
                        message,
                        salesforce_id: Some(r.id.clone()),
                    });
                }
            }
        }
    }
    if !items.is_empty() {
        let counts = state
            .store
            .import_assets(&items, "salesforce", &actor(&admin))
            .await?;
        report.created = counts.created;
        report.updated = counts.updated;
    }
    tracing::info!(
        rows = report.rows,
        created = report.created,
        updated = report.updated,
        "assets imported from the org"
    );
    Ok(Json(report))
}

// ---- the print page -----------------------------------------------------

const LABELS_CSS: &str = include_str!("../../labels/labels.css");

/// `GET /admin/assets/labels.css`
async fn labels_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        LABELS_CSS,
    )
        .into_response()
}

/// A page in the one shell of the server's pages, with the labels' stylesheet.
async fn shell(
    state: &AppState,
    status: StatusCode,
    title: &str,
    lead: &str,
    more: &str,
) -> Response {
    let assets = super::assets::page_assets(state).await;
    let html = super::assets::page_html_with(
        Lang::En,
        &assets,
        title,
        lead,
        more,
        "<link rel=\"stylesheet\" href=\"/admin/assets/labels.css\">\n",
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// What the print page was asked for.
struct SheetRequest {
    ids: Vec<Uuid>,
    paper: LabelPaper,
    grid: LabelGrid,
    crop: bool,
}

fn parse_sheet(raw: Option<&str>) -> std::result::Result<SheetRequest, String> {
    let params = query_pairs(raw);
    let paper = match params.get("paper").map(String::as_str) {
        None | Some("") => LabelPaper::A4,
        Some(p) => LabelPaper::parse(p).ok_or("The paper must be a4 or letter.")?,
    };
    let grid = match params.get("grid").map(String::as_str) {
        None | Some("") => LabelGrid::G3x8,
        Some(g) => LabelGrid::parse(g).ok_or("The grid must be 3x8 or 2x5.")?,
    };
    let crop = matches!(
        params.get("crop").map(String::as_str),
        Some("1" | "on" | "true")
    );
    let mut ids = Vec::new();
    for part in params
        .get("ids")
        .map(String::as_str)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let id: Uuid = part.parse().map_err(|_| {
            format!(
                "{:?} is not an asset id. Choose the assets on the Assets page again.",
                fieldcase_core::text::printable(part)
            )
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.len() > MAX_LABELS {
        return Err(format!(
            "{} assets were chosen; print at most {MAX_LABELS} at a time.",
            ids.len()
        ));
    }
    Ok(SheetRequest {
        ids,
        paper,
        grid,
        crop,
    })
}

/// `GET /admin/assets/labels`: a sheet of QR labels to print.
async fn labels_page(
    State(state): State<AppState>,
    admin: Result<Admin>,
    RawQuery(raw): RawQuery,
) -> Response {
    match admin {
        Ok(_) => {}
        Err(Error::Unauthorized { .. }) => {
            let next = match &raw {
                Some(q) => format!("/admin/assets/labels?{q}"),
                None => "/admin/assets/labels".to_owned(),
            };
            let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
            return Redirect::to(&format!("/console/sign-in?next={next}")).into_response();
        }
        Err(Error::Forbidden { message, .. }) => {
            return shell(
                &state,
                StatusCode::FORBIDDEN,
                "Labels",
                &escape(&message),
                "",
            )
            .await;
        }
        Err(other) => return other.into_response(),
    }
    let back = "<p class=\"no-print\"><a href=\"/console/assets\">Back to the assets</a></p>";
    let request = match parse_sheet(raw.as_deref()) {
        Ok(r) => r,
        Err(message) => {
            return shell(
                &state,
                StatusCode::BAD_REQUEST,
                "Labels",
                &escape(&message),
                back,
            )
            .await;
        }
    };
    let found = match state.store.admin_assets_by_id(&request.ids).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "labels: assets could not be read");
            return shell(
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                "Labels",
                "The assets could not be read from the database. Try again in a minute.",
                back,
            )
            .await;
        }
    };
    let missing = request.ids.len() - found.len();
    let (active, retired): (Vec<ManagedAsset>, Vec<ManagedAsset>) =
        found.into_iter().partition(|m| m.token.is_some());
    let mut notes = String::new();
    if !retired.is_empty() {
        notes.push_str(&format!(
            "<p class=\"no-print note\">{} retired asset{} left out: a retired asset has no link.</p>",
            retired.len(),
            if retired.len() == 1 { " was" } else { "s were" }
        ));
    }
    if missing > 0 {
        notes.push_str(&format!(
            "<p class=\"no-print note\">{missing} chosen asset{} no longer exist{}.</p>",
            if missing == 1 { "" } else { "s" },
            if missing == 1 { "s" } else { "" }
        ));
    }
    if active.is_empty() {
        return shell(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "No labels to print",
            "No active asset is chosen, so there is nothing to print. On the Assets page, tick \
             the assets whose labels you need, then choose Print labels.",
            &format!("{notes}{back}"),
        )
        .await;
    }
    let mut labels = Vec::with_capacity(active.len());
    for m in &active {
        let Some(token) = &m.token else { continue };
        match qr::label_code(&state.public_url, token) {
            Ok(code) => labels.push((m, code)),
            Err(e) => {
                return shell(
                    &state,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Labels",
                    &escape(&e.to_string()),
                    back,
                )
                .await;
            }
        }
    }
    let per_sheet = request.grid.per_sheet();
    let sheets = labels.len().div_ceil(per_sheet);
    let mut body = String::new();
    body.push_str(&notes);
    body.push_str(&toolbar(&request, sheets));
    let class = format!(
        "sheet p-{} g-{}{}",
        request.paper.as_str(),
        request.grid.as_str(),
        if request.crop { " crop" } else { "" }
    );
    for chunk in labels.chunks(per_sheet) {
        body.push_str(&format!(
            "<section class=\"{class}\" aria-label=\"Label sheet\">"
        ));
        for (m, code) in chunk {
            let a = &m.asset;
            body.push_str(&format!(
                "<div class=\"label\" data-asset=\"{id}\">{svg}<p class=\"name\">{name}</p>{serial}</div>",
                id = a.id,
                svg = qr::svg_element(code, &format!("QR code for {}", a.name)),
                name = escape(&a.name),
                serial = if a.serial_number.is_empty() {
                    String::new()
                } else {
                    format!("<p class=\"serial\">S/N {}</p>", escape(&a.serial_number))
                },
            ));
        }
        body.push_str("</section>");
    }
    let lead = format!(
        "{} label{} on {} {} sheet{} of {}.",
        labels.len(),
        if labels.len() == 1 { "" } else { "s" },
        sheets,
        request.paper.label(),
        if sheets == 1 { "" } else { "s" },
        request.grid.label()
    );
    shell(&state, StatusCode::OK, "Labels", &escape(&lead), &body).await
}

/// The screen-only part of the print page: how to print, and the other
/// papers, grids and crop marks for the same assets.
fn toolbar(r: &SheetRequest, sheets: usize) -> String {
    let link = |paper: LabelPaper, grid: LabelGrid, crop: bool, text: &str, current: bool| {
        let href = labels_path(&r.ids, paper, grid, crop);
        if current {
            format!(
                "<a href=\"{}\" aria-current=\"page\">{text}</a>",
                escape(&href)
            )
        } else {
            format!("<a href=\"{}\">{text}</a>", escape(&href))
        }
    };
    let mut out =
        String::from("<nav class=\"no-print label-options\" aria-label=\"Label options\">");
    out.push_str("<p>Paper: ");
    for p in LabelPaper::ALL {
        out.push_str(&link(p, r.grid, r.crop, p.label(), p == r.paper));
        out.push(' ');
    }
    out.push_str("</p><p>Grid: ");
    for g in LabelGrid::ALL {
        out.push_str(&link(r.paper, g, r.crop, g.label(), g == r.grid));
        out.push(' ');
    }
    out.push_str("</p><p>Crop marks: ");
    out.push_str(&link(r.paper, r.grid, true, "on", r.crop));
    out.push(' ');
    out.push_str(&link(r.paper, r.grid, false, "off", !r.crop));
    out.push_str(&format!(
        "</p><p>Print with your browser (Ctrl+P or ⌘P): scale 100% (actual size), margins none, \
         headers and footers off. {sheets} sheet{}.</p><p><a href=\"/console/assets\">Back to the assets</a></p></nav>",
        if sheets == 1 { "" } else { "s" }
    ));
    out
}
