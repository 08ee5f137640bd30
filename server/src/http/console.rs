//! The dispatchers' API: the live queue, an intake on one page, edits and
//! decisions bound to the revision they were made on, bulk actions, the
//! staff view of photos. Every route needs a signed-in dispatcher or admin
//! ([`Staff`]); every state-changing one comes from fieldcase's own origin
//! (`auth::same_origin`, layered in `http::router`).
//!
//! Routes: see [`fieldcase_core::console`].

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, RawQuery, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use fieldcase_core::console::{
    Approve, BulkAction, BulkFailure, BulkKind, BulkOutcome, FieldEdit, IntakeDetail, QueueChange,
    QueuePage, QueueQuery, Redact, Reject, Return, StaffUser,
};
use fieldcase_core::pii::{self, HealthTerms};
use fieldcase_core::structure::Proposal;
use fieldcase_core::wire::{ApiError, IntakeStatus};
use fieldcase_core::{CaseDraft, CaseSchema, FieldValue, IntakeId, Sha256};
use futures_util::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::AppState;
use super::extract::{Json, Path};
use crate::approval::{self, Approver};
use crate::auth::Staff;
use crate::error::{Error, Result};
use crate::store::review::{self, LastChange};
use crate::store::{Actor, Guarded, QueueFilter, QueueKeys};

/// Longest reason or question, in characters.
const MAX_DECISION_CHARS: usize = 2_000;
/// Most intakes in one bulk action.
const MAX_BULK: usize = 200;

/// This module's part of the API description (`/api/v1/openapi.json`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    schema,
    queue,
    detail,
    edit,
    redact,
    approve,
    reject,
    return_to_technician,
    bulk,
    events,
    photo
))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/console/schema", get(schema))
        .route("/api/v1/console/intakes", get(queue))
        .route("/api/v1/console/intakes/bulk", post(bulk))
        .route("/api/v1/console/intakes/{id}", get(detail).patch(edit))
        .route("/api/v1/console/intakes/{id}/redact", post(redact))
        .route("/api/v1/console/intakes/{id}/approve", post(approve))
        .route("/api/v1/console/intakes/{id}/reject", post(reject))
        .route(
            "/api/v1/console/intakes/{id}/return",
            post(return_to_technician),
        )
        .route("/api/v1/console/events", get(events))
        .route("/api/v1/console/photos/{sha256}", get(photo))
}

/// The health terms the personal-data checks look for: the policy's own
/// list, else the built-in one.
pub fn health_terms(state: &AppState) -> HealthTerms {
    state.policy.get().health_terms()
}

/// An intake's stored fields, as the store keeps them (JSON of a draft).
fn stored_fields(json: &str) -> Result<CaseDraft> {
    serde_json::from_str(json).map_err(|e| Error::Internal(format!("stored fields: {e}")))
}

fn actor(user: &StaffUser) -> Actor {
    Actor::new(user.role.into(), user.email.clone())
}

/// `GET /api/v1/console/schema`
#[utoipa::path(
    get,
    path = "/api/v1/console/schema",
    tag = "console",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The case schema the console edits against.", body = CaseSchema),
    )
)]
async fn schema(State(state): State<AppState>, _: Staff) -> Json<CaseSchema> {
    Json((*state.schema).clone())
}

fn is_day(s: &str) -> bool {
    fieldcase_core::validate::is_iso_date(s)
}

/// Parse the queue's query parameters, naming the one that is wrong.
fn queue_filter(q: &QueueQuery) -> Result<(QueueFilter, u32)> {
    let statuses = match q.status.as_deref().map(str::trim) {
        None | Some("") => IntakeStatus::WAITING.to_vec(),
        Some("all") => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|s| {
                IntakeStatus::parse(s.trim()).ok_or_else(|| {
                    Error::bad_request(
                        "bad_filter",
                        format!(
                            "Unknown status {:?}. Use any of: {}.",
                            s.trim(),
                            IntakeStatus::ALL.map(IntakeStatus::as_str).join(", ")
                        ),
                    )
                })
            })
            .collect::<Result<_>>()?,
    };
    for (name, day) in [("from", &q.from), ("to", &q.to)] {
        if let Some(d) = day
            && !is_day(d)
        {
            return Err(Error::bad_request(
                "bad_filter",
                format!("`{name}` must be a day as YYYY-MM-DD, such as 2026-11-30."),
            ));
        }
    }
    let after = match q.after.as_deref() {
        None | Some("") => None,
        Some(cursor) => {
            let mut parts = cursor.splitn(3, '|');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(rank), Some(at), Some(id)) => Some((
                    rank.parse::<i64>().map_err(|_| bad_cursor())?,
                    at.to_owned(),
                    id.to_owned(),
                )),
                _ => return Err(bad_cursor()),
            }
        }
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::bad_request(
            "bad_filter",
            "`limit` must be between 1 and 200.",
        ));
    }
    let nonblank = |o: &Option<String>| {
        o.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok((
        QueueFilter {
            statuses,
            priority: nonblank(&q.priority),
            asset_id: nonblank(&q.asset),
            account: nonblank(&q.account),
            from: nonblank(&q.from),
            to: nonblank(&q.to),
            words: q
                .q
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .take(10)
                .map(str::to_owned)
                .collect(),
            after,
        },
        limit,
    ))
}

fn bad_cursor() -> Error {
    Error::bad_request(
        "bad_cursor",
        "The `after` cursor is not one this server gave. Start again from the first page.",
    )
}

/// `GET /api/v1/console/intakes`
#[utoipa::path(
    get,
    path = "/api/v1/console/intakes",
    tag = "console",
    security(("session_cookie" = [])),
    params(QueueQuery),
    responses(
        (status = 200, description = "One page of the queue: priority (High first), then age.", body = QueuePage),
        (status = 400, description = "A filter or the cursor is malformed (`bad_filter`, `bad_cursor`).", body = ApiError),
    )
)]
async fn queue(
    State(state): State<AppState>,
    _: Staff,
    query: std::result::Result<Query<QueueQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<QueuePage>> {
    let Query(query) = query.map_err(|e| {
        Error::bad_request("bad_filter", format!("The filters are malformed: {e}."))
    })?;
    let (filter, limit) = queue_filter(&query)?;
    let slice = state.store.queue(&filter, limit).await?;
    Ok(Json(QueuePage {
        rows: slice.rows,
        next: slice.next,
        waiting: state.store.waiting_count().await?,
    }))
}

fn parse_id(raw: &str) -> Result<IntakeId> {
    IntakeId::parse(raw).ok_or_else(|| {
        Error::bad_request(
            "bad_intake_id",
            "The intake id in the path must be a UUID. Open the intake from the queue.",
        )
    })
}

fn intake_missing() -> Error {
    Error::not_found(
        "intake_not_found",
        "There is no intake with this id. Go back to the queue.",
    )
}

/// Everything the intake page shows.
pub async fn load_detail(state: &AppState, id: &IntakeId) -> Result<IntakeDetail> {
    let r = state
        .store
        .review_intake(id)
        .await?
        .ok_or_else(intake_missing)?;
    let fields = stored_fields(&r.fields_json)?;
    let proposal: Proposal = serde_json::from_str(&r.proposal_json).unwrap_or_default();
    let related = state.store.related_intakes(&r.asset.id, id).await?;
    let history = state.store.intake_events(id).await?;
    let pii = pii::scan(&state.schema, &r.notes, &fields.0, &health_terms(state));
    // What the policy said at submission, and what it leaves out of the
    // write now (the policy in force when the write happens is the one used).
    let mut policy = state.store.policy_note(&id.to_string()).await?;
    let current = state.policy.get();
    policy.not_written = fields
        .0
        .iter()
        .filter(|(name, value)| !value.is_blank() && !current.allows_field(name))
        .map(|(name, _)| name.clone())
        .collect();
    policy.photos_not_attached =
        !r.photos.is_empty() && !current.allows(fieldcase_core::policy::Action::AttachFiles);
    policy.case_not_written = !current.allows_case_write();
    Ok(IntakeDetail {
        id: r.id,
        reference: r.reference,
        status: r.status,
        revision: r.revision,
        asset: r.asset,
        notes: r.notes,
        fields,
        proposal,
        technician: r.technician,
        photos: r.photos,
        problems: r.problems,
        crm_messages: r.crm_messages,
        reason: r.reason,
        question: r.question,
        case_number: r.case_number,
        case_url: r.case_url,
        approved_hash: r.approved_hash,
        pii,
        related,
        history,
        origin: r.origin,
        policy,
        submitted_at: r.submitted_at,
        updated_at: r.updated_at,
    })
}

/// `GET /api/v1/console/intakes/{id}`
#[utoipa::path(
    get,
    path = "/api/v1/console/intakes/{id}",
    tag = "console",
    security(("session_cookie" = [])),
    params(("id" = String, Path, format = Uuid, description = "The intake's id.")),
    responses(
        (status = 200, description = "Everything the intake page shows.", body = IntakeDetail),
        (status = 400, description = "The id is not a UUID (`bad_intake_id`).", body = ApiError),
        (status = 404, description = "No intake has this id (`intake_not_found`).", body = ApiError),
    )
)]
async fn detail(
    State(state): State<AppState>,
    _: Staff,
    Path(raw): Path<String>,
) -> Result<Json<IntakeDetail>> {
    Ok(Json(load_detail(&state, &parse_id(&raw)?).await?))
}

/// Tell every console that an intake changed.
pub async fn announce(state: &AppState, id: &IntakeId) {
    let Ok(Some(r)) = state.store.review_intake(id).await else {
        return;
    };
    let waiting = state.store.waiting_count().await.unwrap_or(0);
    // No console listening is fine.
    let _ = state.changes.send(QueueChange {
        id: r.id,
        reference: r.reference,
        status: r.status,
        revision: r.revision,
        waiting,
    });
}

/// The 409 for a request made on an old revision: who changed what, when.
async fn stale(state: &AppState, id: &IntakeId, current: u32) -> Result<Error> {
    let last = state.store.last_change(id).await?;
    let fields = state.store.fields_changed_at(id, current).await?;
    Ok(Error::conflict(
        "stale_revision",
        stale_message(last.as_ref(), &fields),
    ))
}

fn stale_message(last: Option<&LastChange>, fields: &[String]) -> String {
    let tail = "Nothing of yours was saved; what you typed is still on your screen. Reload the \
                latest, then make your change again if it is still needed.";
    match last {
        Some(c) if c.kind == "field_changed" && !fields.is_empty() => format!(
            "{} changed {} at {} while you were looking. {tail}",
            c.actor,
            fields.join(", "),
            short_time(&c.at)
        ),
        Some(c) => format!(
            "{} {} this intake at {} while you were looking. {tail}",
            c.actor,
            match c.kind.as_str() {
                "resubmitted" => "resubmitted",
                "approved" => "approved",
                "redacted" => "redacted personal data in",
                "rejected" => "rejected",
                "returned" => "returned",
                "written" => "wrote",
                _ => "changed",
            },
            short_time(&c.at)
        ),
        None => format!("Someone changed this intake while you were looking. {tail}"),
    }
}

/// `2026-11-30T14:02:11.123456Z` → `14:02:11 UTC`.
fn short_time(at: &str) -> String {
    at.get(11..19)
        .map_or_else(|| at.to_owned(), |t| format!("{t} UTC"))
}

/// Turn a guarded outcome into the answer a person understands.
async fn settle<T>(state: &AppState, id: &IntakeId, outcome: Guarded<T>) -> Result<T> {
    match outcome {
        Guarded::Done(t) => Ok(t),
        Guarded::Missing => Err(intake_missing()),
        Guarded::Stale { current } => Err(stale(state, id, current).await?),
        Guarded::NotAllowed(status) => Err(Error::conflict(
            "not_reviewable",
            format!(
                "This intake is {} now, so it cannot be changed here. Reload to see where it \
                 stands.",
                status.label().to_lowercase()
            ),
        )),
    }
}

/// Commit a guarded change that was done (roll back one that was not),
/// answer why not, and tell the consoles of the change.
async fn conclude<T>(
    state: &AppState,
    id: &IntakeId,
    tx: crate::store::Tx,
    outcome: Guarded<T>,
) -> Result<T> {
    if matches!(outcome, Guarded::Done(_)) {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    let done = settle(state, id, outcome).await?;
    announce(state, id).await;
    Ok(done)
}

/// `PATCH /api/v1/console/intakes/{id}`
#[utoipa::path(
    patch,
    path = "/api/v1/console/intakes/{id}",
    tag = "console",
    security(("session_cookie" = [])),
    params(("id" = String, Path, format = Uuid, description = "The intake's id.")),
    request_body = FieldEdit,
    responses(
        (status = 200, description = "The intake after the edit (its revision went up).", body = IntakeDetail),
        (status = 400, description = "The id is not a UUID (`bad_intake_id`).", body = ApiError),
        (status = 404, description = "No intake has this id (`intake_not_found`).", body = ApiError),
        (status = 409, description = "The intake changed since that revision, or its status does not allow this (`stale_revision`, …); the message says who changed what.", body = ApiError),
        (status = 422, description = "A value is not valid for its field, or the field is unknown or not editable; `fields` says which.", body = ApiError),
    )
)]
async fn edit(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(raw): Path<String>,
    Json(body): Json<FieldEdit>,
) -> Result<Json<IntakeDetail>> {
    let id = parse_id(&raw)?;
    let current = state
        .store
        .review_intake(&id)
        .await?
        .ok_or_else(intake_missing)?;
    let mut draft = stored_fields(&current.fields_json)?;
    let mut changes: Vec<(String, Option<FieldValue>, Option<FieldValue>)> = Vec::new();
    let mut unknown = fieldcase_core::FieldErrors::default();
    for (name, value) in &body.fields {
        let def = match state.schema.field(name) {
            Some(def) if def.is_editable() => def,
            Some(def) => {
                unknown.0.insert(
                    name.clone(),
                    format!(
                        "{} is filled in by fieldcase and cannot be edited.",
                        def.label
                    ),
                );
                continue;
            }
            None => {
                unknown.0.insert(
                    name.clone(),
                    format!("There is no field {name:?} in the case schema."),
                );
                continue;
            }
        };
        // Compared and recorded as it will be stored: cleaned of invisible
        // and control characters, trimmed (a value `check_value` refuses is
        // kept as sent, for `validate` below to name).
        let value = value
            .clone()
            .filter(|v| !v.is_blank())
            .map(|v| fieldcase_core::validate::check_value(def, &v).unwrap_or(v));
        let before = draft.get(name).cloned();
        if before == value {
            continue;
        }
        match &value {
            Some(v) => draft.set(name.clone(), v.clone()),
            None => {
                draft.0.remove(name);
            }
        }
        // The audit trail records the change, with any personal data in
        // it redacted (counted by the submission, never kept).
        let terms = health_terms(&state);
        let unpersonal = |v: Option<FieldValue>| match v {
            Some(FieldValue::Text(t)) => Some(FieldValue::text(pii::redact_all(&t, &terms))),
            v => v,
        };
        changes.push((name.clone(), unpersonal(before), unpersonal(value)));
    }
    if !unknown.is_empty() {
        return Err(Error::validation(&state.schema, unknown));
    }
    let valid = draft
        .validate(&state.schema)
        .map_err(|errors| Error::validation(&state.schema, errors))?;
    if changes.is_empty() {
        if body.revision != current.revision {
            return Err(stale(&state, &id, current.revision).await?);
        }
        return Ok(Json(load_detail(&state, &id).await?));
    }
    let fields = valid.into_fields();
    let keys = QueueKeys::of(&state.schema, &fields);
    let fields_json =
        serde_json::to_string(&fields).map_err(|e| Error::Internal(format!("fields: {e}")))?;
    let mut tx = state.store.begin().await?;
    let outcome = review::edit_fields(
        &mut tx,
        &id.to_string(),
        body.revision,
        &fields_json,
        &keys,
        &changes,
        &actor(&user),
    )
    .await?;
    conclude(&state, &id, tx, outcome).await?;
    Ok(Json(load_detail(&state, &id).await?))
}

/// `POST /api/v1/console/intakes/{id}/redact`
#[utoipa::path(
    post,
    path = "/api/v1/console/intakes/{id}/redact",
    tag = "console",
    security(("session_cookie" = [])),
    params(("id" = String, Path, format = Uuid, description = "The intake's id.")),
    request_body = Redact,
    responses(
        (status = 200, description = "Redacted in the notes and fields (its revision went up); the audit trail says which kinds, never the words.", body = IntakeDetail),
        (status = 400, description = "The id is not a UUID (`bad_intake_id`).", body = ApiError),
        (status = 404, description = "No intake has this id (`intake_not_found`).", body = ApiError),
        (status = 409, description = "The intake changed since that revision, a finding is no longer there, or its status does not allow this (`stale_revision`, `finding_gone`, …).", body = ApiError),
        (status = 422, description = "Nothing was chosen to redact, or a redacted field no longer fits its field (`nothing_to_redact`, …).", body = ApiError),
    )
)]
async fn redact(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(raw): Path<String>,
    Json(body): Json<Redact>,
) -> Result<Json<IntakeDetail>> {
    let id = parse_id(&raw)?;
    let current = state
        .store
        .review_intake(&id)
        .await?
        .ok_or_else(intake_missing)?;
    if body.revision != current.revision {
        return Err(stale(&state, &id, current.revision).await?);
    }
    let draft = stored_fields(&current.fields_json)?;
    let terms = health_terms(&state);
    let chosen = if body.all {
        pii::scan(&state.schema, &current.notes, &draft.0, &terms)
    } else {
        body.findings.clone()
    };
    if chosen.is_empty() {
        return Err(Error::unprocessable(
            "nothing_to_redact",
            if body.all {
                "There is no personal data in this intake to redact."
            } else {
                "Choose a finding to redact, or redact all of them."
            },
        ));
    }
    let Some(done) = pii::redact_intake(&state.schema, &current.notes, &draft.0, &terms, &chosen)
    else {
        return Err(Error::conflict(
            "finding_gone",
            "That personal data is no longer where it was: the notes or a field changed. \
             Reload the intake, then redact what it shows.",
        ));
    };
    let valid = CaseDraft(done.fields.clone())
        .validate(&state.schema)
        .map_err(|errors| Error::validation(&state.schema, errors))?;
    let fields = valid.into_fields();
    // Structuring's highlights and values follow the redaction.
    let mut proposal: Proposal = serde_json::from_str(&current.proposal_json).unwrap_or_default();
    for f in &mut proposal.fields {
        if let FieldValue::Text(t) = &f.value {
            f.value = FieldValue::text(done.apply(t, &terms));
        }
        if let fieldcase_core::structure::Source::Notes { spans } = &mut f.source {
            for s in spans.iter_mut() {
                let (a, b) = (
                    pii::moved(s.start as usize, &done.notes_redacted, true),
                    pii::moved(s.end as usize, &done.notes_redacted, false),
                );
                *s = fieldcase_core::structure::Span::new(a, b);
            }
        }
    }
    let keys = QueueKeys::of(&state.schema, &fields);
    let fields_json =
        serde_json::to_string(&fields).map_err(|e| Error::Internal(format!("fields: {e}")))?;
    let proposal_json =
        serde_json::to_string(&proposal).map_err(|e| Error::Internal(format!("proposal: {e}")))?;
    let detail = serde_json::json!({ "redacted": pii::counts_by_field(&done.redacted) });
    let mut tx = state.store.begin().await?;
    let outcome = review::redact(
        &mut tx,
        &id.to_string(),
        body.revision,
        &review::RedactedText {
            notes: &done.notes,
            fields_json: &fields_json,
            proposal_json: &proposal_json,
            keys: &keys,
            detail,
        },
        &actor(&user),
    )
    .await?;
    conclude(&state, &id, tx, outcome).await?;
    tracing::info!(intake_id = %id, redacted = done.redacted.len(), "personal data redacted");
    Ok(Json(load_detail(&state, &id).await?))
}

/// Approve one intake at a revision; the caller reports the outcome.
async fn approve_one(
    state: &AppState,
    user: &StaffUser,
    id: &IntakeId,
    revision: u32,
    via: &'static str,
) -> Result<()> {
    unredacted_personal_data(state, id, revision).await?;
    let mut tx = state.store.begin().await?;
    let outcome = approval::approve(
        &mut tx,
        &id.to_string(),
        Some(revision),
        &Approver::person(user, via),
    )
    .await?;
    conclude(state, id, tx, outcome).await?;
    state.write_wake.notify_one();
    tracing::info!(intake_id = %id, "intake approved");
    Ok(())
}

/// When the policy requires redaction: refused while the intake at this
/// revision still holds personal data, with what is left. (A newer revision
/// is refused by the approval itself as stale.)
async fn unredacted_personal_data(state: &AppState, id: &IntakeId, revision: u32) -> Result<()> {
    let policy = state.policy.get();
    if !policy.requires_redaction() {
        return Ok(());
    }
    let Some(current) = state.store.review_intake(id).await? else {
        return Ok(()); // the approval answers "not found"
    };
    if current.revision != revision {
        return Ok(());
    }
    let draft = stored_fields(&current.fields_json)?;
    let found = pii::scan(
        &state.schema,
        &current.notes,
        &draft.0,
        &policy.health_terms(),
    );
    if found.is_empty() {
        return Ok(());
    }
    let kinds: std::collections::BTreeSet<&str> = found.iter().map(|f| f.kind.label()).collect();
    Err(Error::conflict(
        "personal_data_unredacted",
        format!(
            "The policy requires personal data to be redacted before approval, and this intake \
             still holds {} finding(s) ({}). Redact them (Redact all), then approve.",
            found.len(),
            kinds.into_iter().collect::<Vec<_>>().join(", ")
        ),
    ))
}

/// The reason of a rejection or the question of a return, checked.
fn decision_text(to: IntakeStatus, text: &str) -> Result<String> {
    let (what, why) = if to == IntakeStatus::Returned {
        (
            "question",
            "the technician answers it when they amend and resend the intake.",
        )
    } else {
        (
            "reason",
            "the technician reads it on their link, so say why it cannot go on.",
        )
    };
    // Multi-line, cleaned of invisible and control characters: the
    // technician's link shows it and the CLI prints it.
    let text =
        fieldcase_core::text::clean(text, fieldcase_core::text::Lines::Multi).unwrap_or_default();
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::unprocessable(
            "text_required",
            format!("Write the {what}: {why}"),
        ));
    }
    let n = text.chars().count();
    if n > MAX_DECISION_CHARS {
        return Err(Error::unprocessable(
            "text_too_long",
            format!("The {what} is {n} characters; the limit is {MAX_DECISION_CHARS}. Shorten it."),
        ));
    }
    Ok(text.to_owned())
}

async fn decide_one(
    state: &AppState,
    user: &StaffUser,
    id: &IntakeId,
    revision: u32,
    to: IntakeStatus,
    text: &str,
) -> Result<()> {
    let mut tx = state.store.begin().await?;
    let outcome =
        review::decide(&mut tx, &id.to_string(), revision, to, text, &actor(user)).await?;
    conclude(state, id, tx, outcome).await
}

/// `POST /api/v1/console/intakes/{id}/approve`
#[utoipa::path(
    post,
    path = "/api/v1/console/intakes/{id}/approve",
    tag = "console",
    security(("session_cookie" = [])),
    params(("id" = String, Path, format = Uuid, description = "The intake's id.")),
    request_body = Approve,
    responses(
        (status = 200, description = "Approved and queued for the CRM.", body = IntakeDetail),
        (status = 400, description = "The id is not a UUID (`bad_intake_id`).", body = ApiError),
        (status = 404, description = "No intake has this id (`intake_not_found`).", body = ApiError),
        (status = 409, description = "The intake changed since that revision, or its status does not allow this (`stale_revision`, …); the message says who changed what. Or the policy requires redaction and personal data is left (`personal_data_unredacted`): redact it, then approve.", body = ApiError),
        (status = 422, description = "The intake cannot be approved as it is (a required field is missing, …); the message says what to fix.", body = ApiError),
    )
)]
async fn approve(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(raw): Path<String>,
    Json(body): Json<Approve>,
) -> Result<Json<IntakeDetail>> {
    let id = parse_id(&raw)?;
    approve_one(&state, &user, &id, body.revision, "console").await?;
    Ok(Json(load_detail(&state, &id).await?))
}

/// `POST /api/v1/console/intakes/{id}/reject`
#[utoipa::path(
    post,
    path = "/api/v1/console/intakes/{id}/reject",
    tag = "console",
    security(("session_cookie" = [])),
    params(("id" = String, Path, format = Uuid, description = "The intake's id.")),
    request_body = Reject,
    responses(
        (status = 200, description = "Rejected; the technician sees the reason.", body = IntakeDetail),
        (status = 400, description = "The id is not a UUID (`bad_intake_id`).", body = ApiError),
        (status = 404, description = "No intake has this id (`intake_not_found`).", body = ApiError),
        (status = 409, description = "The intake changed since that revision, or its status does not allow this (`stale_revision`, …); the message says who changed what.", body = ApiError),
        (status = 422, description = "The reason is empty or too long.", body = ApiError),
    )
)]
async fn reject(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(raw): Path<String>,
    Json(body): Json<Reject>,
) -> Result<Json<IntakeDetail>> {
    let id = parse_id(&raw)?;
    let reason = decision_text(IntakeStatus::Rejected, &body.reason)?;
    decide_one(
        &state,
        &user,
        &id,
        body.revision,
        IntakeStatus::Rejected,
        &reason,
    )
    .await?;
    Ok(Json(load_detail(&state, &id).await?))
}

/// `POST /api/v1/console/intakes/{id}/return`
#[utoipa::path(
    post,
    path = "/api/v1/console/intakes/{id}/return",
    tag = "console",
    security(("session_cookie" = [])),
    params(("id" = String, Path, format = Uuid, description = "The intake's id.")),
    request_body = Return,
    responses(
        (status = 200, description = "Returned; the technician sees the question.", body = IntakeDetail),
        (status = 400, description = "The id is not a UUID (`bad_intake_id`).", body = ApiError),
        (status = 404, description = "No intake has this id (`intake_not_found`).", body = ApiError),
        (status = 409, description = "The intake changed since that revision, or its status does not allow this (`stale_revision`, …); the message says who changed what.", body = ApiError),
        (status = 422, description = "The question is empty or too long.", body = ApiError),
    )
)]
async fn return_to_technician(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(raw): Path<String>,
    Json(body): Json<Return>,
) -> Result<Json<IntakeDetail>> {
    let id = parse_id(&raw)?;
    let question = decision_text(IntakeStatus::Returned, &body.question)?;
    decide_one(
        &state,
        &user,
        &id,
        body.revision,
        IntakeStatus::Returned,
        &question,
    )
    .await?;
    Ok(Json(load_detail(&state, &id).await?))
}

/// `POST /api/v1/console/intakes/bulk`
#[utoipa::path(
    post,
    path = "/api/v1/console/intakes/bulk",
    tag = "console",
    security(("session_cookie" = [])),
    request_body = BulkAction,
    responses(
        (status = 200, description = "Which intakes were acted on, and why each other one was not.", body = BulkOutcome),
        (status = 422, description = "No intakes, too many, or a reject without a reason.", body = ApiError),
    )
)]
async fn bulk(
    State(state): State<AppState>,
    Staff(user): Staff,
    Json(body): Json<BulkAction>,
) -> Result<Json<BulkOutcome>> {
    if body.items.is_empty() {
        return Err(Error::unprocessable(
            "nothing_selected",
            "Select at least one intake in the queue.",
        ));
    }
    if body.items.len() > MAX_BULK {
        return Err(Error::unprocessable(
            "too_many_selected",
            format!(
                "{} intakes are selected; one bulk action takes at most {MAX_BULK}. Select fewer.",
                body.items.len()
            ),
        ));
    }
    let reason = match body.action {
        BulkKind::Reject => Some(decision_text(
            IntakeStatus::Rejected,
            body.reason.as_deref().unwrap_or_default(),
        )?),
        BulkKind::Approve => None,
    };
    let mut outcome = BulkOutcome {
        done: Vec::new(),
        failed: Vec::new(),
    };
    for item in &body.items {
        let result = match &reason {
            None => approve_one(&state, &user, &item.id.into(), item.revision, "bulk").await,
            Some(reason) => {
                decide_one(
                    &state,
                    &user,
                    &item.id.into(),
                    item.revision,
                    IntakeStatus::Rejected,
                    reason,
                )
                .await
            }
        };
        match result {
            Ok(()) => outcome.done.push(item.id),
            Err(e @ (Error::Database(_) | Error::Io(_) | Error::Internal(_))) => return Err(e),
            Err(e) => {
                let reference = state
                    .store
                    .review_intake(&item.id.into())
                    .await?
                    .map(|r| r.reference)
                    .unwrap_or_else(|| item.id.to_string());
                outcome.failed.push(BulkFailure {
                    id: item.id,
                    reference,
                    message: e.public_message(),
                });
            }
        }
    }
    Ok(Json(outcome))
}

/// `GET /api/v1/console/events`: a `queue` event for every change.
#[utoipa::path(
    get,
    path = "/api/v1/console/events",
    tag = "console",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Server-sent events, endless: one `queue` event (data: a `QueueChange`) per change.", content_type = "text/event-stream", body = String),
    )
)]
async fn events(
    State(state): State<AppState>,
    _: Staff,
) -> Sse<impl Stream<Item = std::result::Result<Event, Infallible>>> {
    let stream = BroadcastStream::new(state.changes.subscribe()).filter_map(|change| {
        // A console that fell behind just refreshes on the next change.
        let change = change.ok()?;
        Event::default()
            .event("queue")
            .json_data(change)
            .ok()
            .map(Ok)
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// `GET /api/v1/console/photos/{sha256}[?thumb]`: any intake's photo, for staff.
#[utoipa::path(
    get,
    path = "/api/v1/console/photos/{sha256}",
    tag = "console",
    security(("session_cookie" = [])),
    params(("sha256" = String, Path, description = "The photo's SHA-256."), ("thumb" = Option<String>, Query, description = "Present (`?thumb`): the JPEG thumbnail instead of the photo.")),
    responses(
        (status = 200, description = "The photo in its own type (JPEG, PNG or WebP), or its JPEG thumbnail.", content((super::openapi::FileBytes = "image/jpeg"), (super::openapi::FileBytes = "image/png"), (super::openapi::FileBytes = "image/webp"))),
        (status = 404, description = "No such photo (`photo_not_found`).", body = ApiError),
    )
)]
async fn photo(
    State(state): State<AppState>,
    _: Staff,
    Path(sha256): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse> {
    let record = match Sha256::parse(&sha256) {
        Some(sha256) => state.store.photo(&sha256).await?,
        None => None,
    };
    let Some(record) = record else {
        return Err(Error::not_found(
            "photo_not_found",
            "There is no such photo.",
        ));
    };
    let thumb = query
        .as_deref()
        .is_some_and(|q| q.split('&').any(|p| p == "thumb"));
    let (path, content_type) = if thumb {
        (state.files.thumb_path(&sha256), "image/jpeg".to_owned())
    } else {
        (state.files.photo_path(&sha256), record.content_type)
    };
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|_| Error::not_found("photo_not_found", "This photo's file is missing."))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                "private, max-age=86400, immutable".to_owned(),
            ),
        ],
        bytes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_edit_names_who_changed_what() {
        let last = LastChange {
            actor: "ann@example.com".into(),
            kind: "field_changed".into(),
            detail: serde_json::json!({}),
            at: "2026-11-30T14:02:11.000000Z".into(),
        };
        let m = stale_message(Some(&last), &["Priority".into(), "Subject".into()]);
        assert!(
            m.starts_with("ann@example.com changed Priority, Subject at 14:02:11 UTC"),
            "{m}"
        );
        assert!(m.contains("Nothing of yours was saved"), "{m}");
    }

    #[test]
    fn queue_filters_name_what_is_wrong() {
        let bad = QueueQuery {
            status: Some("submitted,lost".into()),
            ..QueueQuery::default()
        };
        let Err(Error::BadRequest { message, .. }) = queue_filter(&bad) else {
            panic!("an unknown status must be refused");
        };
        assert!(message.contains("\"lost\""), "{message}");
        let (f, limit) = queue_filter(&QueueQuery::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.statuses, IntakeStatus::WAITING.to_vec());
        assert_eq!(limit, 50);
        let day = QueueQuery {
            from: Some("30/11/2026".into()),
            ..QueueQuery::default()
        };
        assert!(queue_filter(&day).is_err());
    }
}
