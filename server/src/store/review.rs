//! Review before create: the dispatchers' queue, an intake as a reviewer sees
//! it, edits and decisions bound to a revision, approval bound to a content
//! hash, and the technician's view of their own submissions.
//!
//! Every change here is a conditional UPDATE on `(id, revision, status)`, so
//! two reviewers acting on one intake can never both win: the second finds
//! nothing to update and is told who changed what.

use std::collections::BTreeMap;

use fieldcase_core::console::{AssetSummary, IntakeOrigin, IntakePhoto, QueueRow, RelatedIntake};
use fieldcase_core::wire::{GeoPoint, IntakeStatus, PhotoLocation, Technician};
use fieldcase_core::{CaseSchema, FieldErrors, FieldValue, IntakeId};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, SqliteConnection};
use uuid::Uuid;

use super::audit::{Actor, record};
use super::{Store, Tx, like_pattern, now, param};

/// Copies of the fields the queue sorts and filters on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueKeys {
    pub subject: String,
    pub priority: Option<String>,
    /// The priority's place in the schema's picklist (High first); after the
    /// last value when there is none.
    pub priority_rank: i64,
    pub hazard: bool,
}

impl QueueKeys {
    pub fn of(schema: &CaseSchema, fields: &BTreeMap<String, FieldValue>) -> Self {
        let text = |name: &str| fields.get(name).and_then(FieldValue::as_text);
        let priority = text("Priority").map(str::to_owned);
        let picklist = schema
            .field("Priority")
            .map(|f| f.values.as_slice())
            .unwrap_or(&[]);
        let priority_rank = priority
            .as_deref()
            .and_then(|p| picklist.iter().position(|v| v.value == p))
            .unwrap_or(picklist.len());
        QueueKeys {
            subject: text("Subject").unwrap_or_default().to_owned(),
            priority,
            priority_rank: i64::try_from(priority_rank).unwrap_or(i64::MAX),
            hazard: matches!(fields.get("Safety_Hazard__c"), Some(FieldValue::Bool(true))),
        }
    }
}

/// SHA-256 of exactly what an approval approves: the fields (a sorted map)
/// and the photo set, in order.
pub fn content_hash(fields_json: &str, photos: &[String]) -> String {
    let fields: serde_json::Value = serde_json::from_str(fields_json).unwrap_or_default();
    let canonical = json!({ "fields": fields, "photos": photos }).to_string();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// The queue's filters, checked and parsed by the caller.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub statuses: Vec<IntakeStatus>,
    pub priority: Option<String>,
    pub asset_id: Option<String>,
    pub account: Option<String>,
    /// Inclusive day bounds, `YYYY-MM-DD`.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Words that must all appear in the notes or the subject.
    pub words: Vec<String>,
    /// Keyset cursor: (priority_rank, created_at, id) of the last row seen.
    pub after: Option<(i64, String, String)>,
}

#[derive(FromRow)]
struct QueueRowDb {
    id: String,
    reference: String,
    status: String,
    revision: i64,
    asset_id: String,
    asset_name: String,
    account_name: String,
    priority: Option<String>,
    priority_rank: i64,
    hazard: i64,
    subject: String,
    technician_name: String,
    photo_count: i64,
    escalated: bool,
    proposed_by_ai: bool,
    created_at: String,
    updated_at: String,
}

fn decode_err(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("intakes.{what}: {value:?}").into())
}

pub(super) fn status_of(s: &str) -> Result<IntakeStatus, sqlx::Error> {
    IntakeStatus::parse(s).ok_or_else(|| decode_err("status", s))
}

fn uuid_of(s: &str) -> Result<Uuid, sqlx::Error> {
    Uuid::try_parse(s).map_err(|_| decode_err("id", s))
}

fn u32_of(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A page of the queue and the cursor after its last row.
pub struct QueueSlice {
    pub rows: Vec<QueueRow>,
    pub next: Option<String>,
}

const QUEUE_SELECT: &str = "SELECT i.id, i.reference, i.status, i.revision, i.asset_id, \
     a.name AS asset_name, a.account_name, i.priority, i.priority_rank, i.hazard, i.subject, \
     i.technician_name, (SELECT COUNT(*) FROM intake_photos p WHERE p.intake_id = i.id) AS \
     photo_count, i.escalated_at IS NOT NULL AS escalated, \
     EXISTS (SELECT 1 FROM mcp_proposals m WHERE m.intake_id = i.id) AS proposed_by_ai, \
     i.created_at, i.updated_at \
     FROM intakes i JOIN assets a ON a.id = i.asset_id";

/// An intake with all a reviewer needs, before the related lists.
#[derive(Debug, Clone)]
pub struct ReviewIntake {
    pub id: Uuid,
    pub reference: String,
    pub status: IntakeStatus,
    pub revision: u32,
    pub asset: AssetSummary,
    pub notes: String,
    pub fields_json: String,
    pub proposal_json: String,
    pub technician: Technician,
    pub photos: Vec<IntakePhoto>,
    pub problems: FieldErrors,
    /// The CRM's own words on a refusal: staff only.
    pub crm_messages: FieldErrors,
    pub reason: Option<String>,
    pub question: Option<String>,
    pub case_number: Option<String>,
    pub case_url: Option<String>,
    pub approved_hash: Option<String>,
    /// The portal a customer submitted it through, if any.
    pub origin: Option<IntakeOrigin>,
    pub submitted_at: String,
    pub updated_at: String,
}

#[derive(FromRow)]
struct ReviewRow {
    id: String,
    reference: String,
    status: String,
    revision: i64,
    asset_id: String,
    asset_name: String,
    serial_number: String,
    model: String,
    account_name: String,
    site: String,
    location: Option<String>,
    notes: String,
    fields_json: String,
    proposal_json: String,
    technician_name: String,
    technician_email: Option<String>,
    technician_phone: Option<String>,
    problems_json: Option<String>,
    crm_messages_json: Option<String>,
    reason: Option<String>,
    question: Option<String>,
    crm_case_number: Option<String>,
    crm_case_url: Option<String>,
    approved_hash: Option<String>,
    created_at: String,
    updated_at: String,
    portal_id: Option<String>,
    portal_name: Option<String>,
    portal_customer: Option<String>,
}

#[derive(FromRow)]
struct PhotoRow {
    sha256: String,
    content_type: String,
    width: i64,
    height: i64,
    bytes: i64,
    latitude: Option<f64>,
    longitude: Option<f64>,
    accuracy_m: Option<f64>,
}

#[derive(FromRow)]
struct RelatedRow {
    id: String,
    reference: String,
    status: String,
    subject: String,
    created_at: String,
    crm_case_number: Option<String>,
    crm_case_url: Option<String>,
}

impl RelatedRow {
    fn decode(self) -> Result<RelatedIntake, sqlx::Error> {
        Ok(RelatedIntake {
            id: uuid_of(&self.id)?,
            reference: self.reference,
            status: status_of(&self.status)?,
            subject: self.subject,
            submitted_at: self.created_at,
            case_number: self.crm_case_number,
            case_url: self.crm_case_url,
        })
    }
}

/// What the last revision-changing event was, for a stale request's 409.
#[derive(Debug, Clone)]
pub struct LastChange {
    pub actor: String,
    pub kind: String,
    pub detail: serde_json::Value,
    pub at: String,
}

/// The outcome of a change bound to a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guarded<T> {
    Done(T),
    /// The intake is not at the revision the request was made on.
    Stale {
        current: u32,
    },
    /// The intake is in no state for this change.
    NotAllowed(IntakeStatus),
    Missing,
}

/// Where an intake stands now (for deciding why a guarded change failed).
async fn standing(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Option<(IntakeStatus, u32)>, sqlx::Error> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT status, revision FROM intakes WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|(s, r)| Ok((status_of(&s)?, u32_of(r))))
        .transpose()
}

async fn refusal<T>(
    conn: &mut SqliteConnection,
    id: &str,
    revision: u32,
) -> Result<Guarded<T>, sqlx::Error> {
    Ok(match standing(conn, id).await? {
        None => Guarded::Missing,
        Some((_, current)) if current != revision => Guarded::Stale { current },
        Some((status, _)) => Guarded::NotAllowed(status),
    })
}

fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Change fields of a reviewable intake at `revision`; bumps the revision and
/// records one `field_changed` event per field (from → to).
pub async fn edit_fields(
    tx: &mut Tx,
    id: &str,
    revision: u32,
    fields_json: &str,
    keys: &QueueKeys,
    changes: &[(String, Option<FieldValue>, Option<FieldValue>)],
    actor: &Actor,
) -> Result<Guarded<u32>, sqlx::Error> {
    let conn = tx.conn();
    let reviewable = IntakeStatus::WAITING;
    let sql = format!(
        "UPDATE intakes SET fields_json = $1, subject = $2, priority = $3, priority_rank = $4, \
         hazard = $5, revision = revision + 1, status = CASE WHEN status = 'submitted' THEN \
         'in_review' ELSE status END, updated_at = $6 \
         WHERE id = $7 AND revision = $8 AND status IN ({})",
        placeholders(9, reviewable.len())
    );
    let mut q = sqlx::query(&sql)
        .bind(fields_json)
        .bind(&keys.subject)
        .bind(&keys.priority)
        .bind(keys.priority_rank)
        .bind(i64::from(keys.hazard))
        .bind(now())
        .bind(id)
        .bind(i64::from(revision));
    for s in reviewable {
        q = q.bind(s.as_str());
    }
    if q.execute(&mut *conn).await?.rows_affected() == 0 {
        return refusal(conn, id, revision).await;
    }
    for (field, from, to) in changes {
        record(
            conn,
            actor,
            "field_changed",
            Some(id),
            &json!({ "field": field, "from": from, "to": to, "revision": revision + 1 }),
        )
        .await?;
    }
    Ok(Guarded::Done(revision + 1))
}

/// The text of a reviewable intake after a redaction of personal data.
#[derive(Debug, Clone)]
pub struct RedactedText<'a> {
    pub notes: &'a str,
    pub fields_json: &'a str,
    pub proposal_json: &'a str,
    pub keys: &'a QueueKeys,
    /// What the audit trail says: where, which kinds, how many; never a value.
    pub detail: serde_json::Value,
}

/// Replace a reviewable intake's notes, fields and proposal at `revision`
/// by their redacted text; bumps the revision and records one `redacted`
/// event (its detail and the new revision).
pub async fn redact(
    tx: &mut Tx,
    id: &str,
    revision: u32,
    text: &RedactedText<'_>,
    actor: &Actor,
) -> Result<Guarded<u32>, sqlx::Error> {
    let conn = tx.conn();
    let reviewable = IntakeStatus::WAITING;
    let sql = format!(
        "UPDATE intakes SET notes = $1, fields_json = $2, proposal_json = $3, subject = $4, \
         priority = $5, priority_rank = $6, hazard = $7, revision = revision + 1, \
         status = CASE WHEN status = 'submitted' THEN 'in_review' ELSE status END, \
         updated_at = $8 WHERE id = $9 AND revision = $10 AND status IN ({})",
        placeholders(11, reviewable.len())
    );
    let mut q = sqlx::query(&sql)
        .bind(text.notes)
        .bind(text.fields_json)
        .bind(text.proposal_json)
        .bind(&text.keys.subject)
        .bind(&text.keys.priority)
        .bind(text.keys.priority_rank)
        .bind(i64::from(text.keys.hazard))
        .bind(now())
        .bind(id)
        .bind(i64::from(revision));
    for s in reviewable {
        q = q.bind(s.as_str());
    }
    if q.execute(&mut *conn).await?.rows_affected() == 0 {
        return refusal(conn, id, revision).await;
    }
    let mut detail = text.detail.clone();
    if let Some(d) = detail.as_object_mut() {
        d.insert("revision".into(), json!(revision + 1));
    }
    record(conn, actor, "redacted", Some(id), &detail).await?;
    Ok(Guarded::Done(revision + 1))
}

/// Reject or return a reviewable intake at `revision`, with the text the
/// technician will read. Records `rejected` / `returned`.
pub async fn decide(
    tx: &mut Tx,
    id: &str,
    revision: u32,
    to: IntakeStatus,
    text: &str,
    actor: &Actor,
) -> Result<Guarded<()>, sqlx::Error> {
    let conn = tx.conn();
    let (column, kind, key) = match to {
        IntakeStatus::Rejected => ("reason", "rejected", "reason"),
        IntakeStatus::Returned => ("question", "returned", "question"),
        other => return Ok(Guarded::NotAllowed(other)),
    };
    let reviewable = IntakeStatus::WAITING;
    let sql = format!(
        "UPDATE intakes SET status = $1, {column} = $2, updated_at = $3 \
         WHERE id = $4 AND revision = $5 AND status IN ({})",
        placeholders(6, reviewable.len())
    );
    let mut q = sqlx::query(&sql)
        .bind(to.as_str())
        .bind(text)
        .bind(now())
        .bind(id)
        .bind(i64::from(revision));
    for s in reviewable {
        q = q.bind(s.as_str());
    }
    if q.execute(&mut *conn).await?.rows_affected() == 0 {
        return refusal(conn, id, revision).await;
    }
    record(
        conn,
        actor,
        kind,
        Some(id),
        &json!({ key: text, "revision": revision }),
    )
    .await?;
    Ok(Guarded::Done(()))
}

/// Approve a reviewable intake at `revision` (`None`: whatever its revision,
/// for the submit path's own rules): status `approved`, the hash of its
/// fields and photos kept on the intake and on its write job, and the
/// `approved` event naming the approver and the hash. Returns the hash.
pub async fn approve_intake(
    tx: &mut Tx,
    id: &str,
    revision: Option<u32>,
    actor: &Actor,
    via: &str,
    policy_version: Option<u32>,
) -> Result<Guarded<String>, sqlx::Error> {
    let conn = tx.conn();
    let row: Option<(String, String, i64)> =
        sqlx::query_as("SELECT status, fields_json, revision FROM intakes WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((status, fields_json, current)) = row else {
        return Ok(Guarded::Missing);
    };
    let (status, current) = (status_of(&status)?, u32_of(current));
    if revision.is_some_and(|r| r != current) {
        return Ok(Guarded::Stale { current });
    }
    if !status.is_reviewable() {
        return Ok(Guarded::NotAllowed(status));
    }
    let photos: Vec<String> = sqlx::query_scalar(
        "SELECT sha256 FROM intake_photos WHERE intake_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let hash = content_hash(&fields_json, &photos);
    let done = sqlx::query(
        "UPDATE intakes SET status = 'approved', approved_hash = $1, problems_json = NULL, \
         crm_messages_json = NULL, \
         updated_at = $2 WHERE id = $3 AND revision = $4 AND status = $5",
    )
    .bind(&hash)
    .bind(now())
    .bind(id)
    .bind(i64::from(current))
    .bind(status.as_str())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return refusal(conn, id, current).await;
    }
    enqueue_approved(conn, id, &hash).await?;
    record(
        conn,
        actor,
        "approved",
        Some(id),
        &match policy_version {
            None => json!({ "via": via, "approved_hash": hash, "revision": current }),
            Some(v) => json!({ "via": via, "approved_hash": hash, "revision": current,
                               "policy_version": v }),
        },
    )
    .await?;
    Ok(Guarded::Done(hash))
}

/// Queue (or queue again, after a correction) the write of exactly `hash`.
async fn enqueue_approved(
    conn: &mut SqliteConnection,
    id: &str,
    hash: &str,
) -> Result<(), sqlx::Error> {
    let at = now();
    sqlx::query(
        "INSERT INTO write_jobs (intake_id, state, attempts, next_attempt_at, approved_hash, \
         created_at, updated_at) VALUES ($1, 'pending', 0, $2, $3, $2, $2) \
         ON CONFLICT (intake_id) DO UPDATE SET state = 'pending', attempts = 0, \
         next_attempt_at = $2, approved_hash = $3, lease_owner = NULL, lease_until = NULL, \
         last_error = NULL, updated_at = $2",
    )
    .bind(id)
    .bind(&at)
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// A returned intake, amended by the technician: the same intake, a new
/// revision, back in the queue. `None` when it is not `returned` any more.
#[allow(clippy::too_many_arguments)]
pub async fn resubmit(
    tx: &mut Tx,
    id: &str,
    notes: &str,
    fields_json: &str,
    proposal_json: &str,
    keys: &QueueKeys,
    technician: &Technician,
    request_hash: &str,
    photos: &[String],
    locations: &[PhotoLocation],
    actor: &Actor,
    changed_fields: &[String],
    pii: &serde_json::Value,
) -> Result<Option<u32>, sqlx::Error> {
    let conn = tx.conn();
    let revision: Option<i64> = sqlx::query_scalar(
        "UPDATE intakes SET status = 'submitted', notes = $1, fields_json = $2, \
         proposal_json = $3, subject = $4, priority = $5, priority_rank = $6, hazard = $7, \
         technician_name = $8, technician_email = $9, technician_phone = $10, \
         request_hash = $11, revision = revision + 1, updated_at = $12 \
         WHERE id = $13 AND status = 'returned' RETURNING revision",
    )
    .bind(notes)
    .bind(fields_json)
    .bind(proposal_json)
    .bind(&keys.subject)
    .bind(&keys.priority)
    .bind(keys.priority_rank)
    .bind(i64::from(keys.hazard))
    .bind(&technician.name)
    .bind(&technician.email)
    .bind(&technician.phone)
    .bind(request_hash)
    .bind(now())
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(revision) = revision else {
        return Ok(None);
    };
    let before: Vec<String> = sqlx::query_scalar(
        "SELECT sha256 FROM intake_photos WHERE intake_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for (kind, sha) in before
        .iter()
        .filter(|s| !photos.contains(s))
        .map(|s| ("photo_removed", s))
        .chain(
            photos
                .iter()
                .filter(|s| !before.contains(s))
                .map(|s| ("photo_added", s)),
        )
    {
        record(conn, actor, kind, Some(id), &json!({ "sha256": sha })).await?;
    }
    sqlx::query("DELETE FROM intake_photos WHERE intake_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    super::intakes::insert_photos(&mut *conn, id, photos, locations).await?;
    record(
        conn,
        actor,
        "resubmitted",
        Some(id),
        &with_pii(
            json!({
                "revision": revision,
                "changed_fields": changed_fields,
                "photo_count": photos.len(),
            }),
            pii,
        ),
    )
    .await?;
    Ok(Some(u32_of(revision)))
}

/// `detail` with `"pii"`: how many of each kind of personal data the
/// intake holds where (`pii::counts_by_field`), when it holds any.
pub fn with_pii(mut detail: serde_json::Value, pii: &serde_json::Value) -> serde_json::Value {
    if let (Some(d), Some(counts)) = (detail.as_object_mut(), pii.as_object())
        && !counts.is_empty()
    {
        d.insert("pii".into(), pii.clone());
    }
    detail
}

impl Store {
    /// One page of the queue: priority first (High on top), then oldest first.
    pub async fn queue(&self, filter: &QueueFilter, limit: u32) -> Result<QueueSlice, sqlx::Error> {
        let mut sql = format!("{QUEUE_SELECT} WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        if !filter.statuses.is_empty() {
            let ps: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| param(&mut binds, s.as_str()))
                .collect();
            sql.push_str(&format!(" AND i.status IN ({})", ps.join(", ")));
        }
        if let Some(p) = &filter.priority {
            let p = param(&mut binds, p.clone());
            sql.push_str(&format!(" AND i.priority = {p}"));
        }
        if let Some(a) = &filter.asset_id {
            let p = param(&mut binds, a.clone());
            sql.push_str(&format!(" AND i.asset_id = {p}"));
        }
        if let Some(a) = &filter.account {
            let p = param(&mut binds, a.clone());
            sql.push_str(&format!(" AND a.account_name = {p}"));
        }
        if let Some(from) = &filter.from {
            let p = param(&mut binds, format!("{from}T00:00:00"));
            sql.push_str(&format!(" AND i.created_at >= {p}"));
        }
        if let Some(to) = &filter.to {
            let p = param(&mut binds, format!("{to}T99"));
            sql.push_str(&format!(" AND i.created_at < {p}"));
        }
        for word in &filter.words {
            let p = param(&mut binds, like_pattern(word));
            sql.push_str(&format!(
                " AND (LOWER(i.notes) LIKE {p} ESCAPE '\\' OR LOWER(i.subject) LIKE {p} ESCAPE '\\')"
            ));
        }
        let mut rank_bind = None;
        if let Some((rank, at, id)) = &filter.after {
            rank_bind = Some(*rank);
            let p_at = param(&mut binds, at.clone());
            let p_id = param(&mut binds, id.clone());
            let p_rank = format!("${}", binds.len() + 1);
            sql.push_str(&format!(
                " AND (i.priority_rank > {p_rank} OR (i.priority_rank = {p_rank} AND \
                 (i.created_at > {p_at} OR (i.created_at = {p_at} AND i.id > {p_id}))))"
            ));
        }
        sql.push_str(&format!(
            " ORDER BY i.priority_rank, i.created_at, i.id LIMIT {}",
            limit + 1
        ));
        let mut q = sqlx::query_as::<_, QueueRowDb>(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        if let Some(rank) = rank_bind {
            q = q.bind(rank);
        }
        let mut rows = q.fetch_all(&self.pool).await?;
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last()
                .map(|r| format!("{}|{}|{}", r.priority_rank, r.created_at, r.id))
        } else {
            None
        };
        let rows = rows
            .into_iter()
            .map(|r| {
                Ok(QueueRow {
                    id: uuid_of(&r.id)?,
                    reference: r.reference,
                    status: status_of(&r.status)?,
                    revision: u32_of(r.revision),
                    asset_id: r.asset_id,
                    asset_name: r.asset_name,
                    account_name: r.account_name,
                    priority: r.priority,
                    hazard: r.hazard != 0,
                    subject: r.subject,
                    technician: r.technician_name,
                    photo_count: u32_of(r.photo_count),
                    escalated: r.escalated,
                    proposed_by_ai: r.proposed_by_ai,
                    submitted_at: r.created_at,
                    updated_at: r.updated_at,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(QueueSlice { rows, next })
    }

    /// Intakes waiting for a person.
    pub async fn waiting_count(&self) -> Result<u64, sqlx::Error> {
        let waiting = IntakeStatus::WAITING;
        let sql = format!(
            "SELECT COUNT(*) FROM intakes WHERE status IN ({})",
            placeholders(1, waiting.len())
        );
        let mut q = sqlx::query_scalar::<_, i64>(&sql);
        for s in waiting {
            q = q.bind(s.as_str());
        }
        let n = q.fetch_one(&self.pool).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// An intake as a reviewer sees it (photos with their staff URLs).
    pub async fn review_intake(&self, id: &IntakeId) -> Result<Option<ReviewIntake>, sqlx::Error> {
        let row: Option<ReviewRow> = sqlx::query_as(
            "SELECT i.id, i.reference, i.status, i.revision, i.asset_id, a.name AS asset_name, \
             a.serial_number, a.model, a.account_name, a.site, a.location, i.notes, \
             i.fields_json, i.proposal_json, i.technician_name, i.technician_email, \
             i.technician_phone, i.problems_json, i.crm_messages_json, i.reason, i.question, \
             i.crm_case_number, i.crm_case_url, i.approved_hash, i.created_at, i.updated_at, \
             i.portal_id, po.name AS portal_name, i.portal_customer \
             FROM intakes i JOIN assets a ON a.id = i.asset_id \
             LEFT JOIN portals po ON po.id = i.portal_id WHERE i.id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let photos: Vec<PhotoRow> = sqlx::query_as(
            "SELECT p.sha256, p.content_type, p.width, p.height, p.bytes, ip.latitude, \
             ip.longitude, ip.accuracy_m FROM intake_photos ip \
             JOIN photos p ON p.sha256 = ip.sha256 WHERE ip.intake_id = $1 ORDER BY ip.position",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let field_errors = |json: Option<&str>| match json {
            Some(json) => serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(Box::new(e))),
            None => Ok(FieldErrors::default()),
        };
        let problems = field_errors(r.problems_json.as_deref())?;
        let crm_messages = field_errors(r.crm_messages_json.as_deref())?;
        Ok(Some(ReviewIntake {
            id: uuid_of(&r.id)?,
            reference: r.reference,
            status: status_of(&r.status)?,
            revision: u32_of(r.revision),
            asset: AssetSummary {
                id: r.asset_id,
                name: r.asset_name,
                serial_number: r.serial_number,
                model: r.model,
                account_name: r.account_name,
                site: r.site,
                location: r.location,
            },
            notes: r.notes,
            fields_json: r.fields_json,
            proposal_json: r.proposal_json,
            technician: Technician {
                name: r.technician_name,
                email: r.technician_email,
                phone: r.technician_phone,
            },
            photos: photos
                .into_iter()
                .map(|p| IntakePhoto {
                    location: match (p.latitude, p.longitude, p.accuracy_m) {
                        (Some(latitude), Some(longitude), Some(accuracy_m)) => Some(GeoPoint {
                            latitude,
                            longitude,
                            accuracy_m,
                        }),
                        _ => None,
                    },
                    url: format!("/api/v1/console/photos/{}", p.sha256),
                    thumb_url: format!("/api/v1/console/photos/{}?thumb", p.sha256),
                    sha256: p.sha256,
                    content_type: p.content_type,
                    width: u32_of(p.width),
                    height: u32_of(p.height),
                    bytes: u64::try_from(p.bytes).unwrap_or(0),
                })
                .collect(),
            problems,
            crm_messages,
            reason: r.reason,
            question: r.question,
            case_number: r.crm_case_number,
            case_url: r.crm_case_url,
            approved_hash: r.approved_hash,
            origin: match (r.portal_id, r.portal_name) {
                (Some(id), Some(name)) => Some(IntakeOrigin {
                    portal_id: uuid_of(&id)?,
                    portal_name: name,
                    customer: r.portal_customer.unwrap_or_default(),
                }),
                _ => None,
            },
            submitted_at: r.created_at,
            updated_at: r.updated_at,
        }))
    }

    /// The asset's other intakes still open, and its cases of the last 90
    /// days: what a reviewer checks for a duplicate.
    pub async fn related_intakes(
        &self,
        asset_id: &str,
        except: &IntakeId,
    ) -> Result<Vec<RelatedIntake>, sqlx::Error> {
        let since = super::before_now(std::time::Duration::from_secs(90 * 24 * 3600));
        let rows: Vec<RelatedRow> = sqlx::query_as(
            "SELECT id, reference, status, subject, created_at, crm_case_number, crm_case_url \
             FROM intakes WHERE asset_id = $1 AND id <> $2 AND (status NOT IN ('written', \
             'rejected') OR created_at >= $3) ORDER BY created_at DESC, id DESC LIMIT 20",
        )
        .bind(asset_id)
        .bind(except.to_string())
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(RelatedRow::decode).collect()
    }

    /// The most recent change that moved the intake past `revision`: who,
    /// what and when, for the message of a stale request.
    pub async fn last_change(&self, id: &IntakeId) -> Result<Option<LastChange>, sqlx::Error> {
        let row: Option<(String, String, String, String)> = sqlx::query_as(
            "SELECT actor, kind, detail_json, at FROM audit_events WHERE intake_id = $1 AND \
             kind IN ('field_changed', 'redacted', 'resubmitted', 'approved', 'rejected', \
             'returned', 'written', 'needs_attention') ORDER BY at DESC, id DESC LIMIT 1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(actor, kind, detail, at)| {
            Ok(LastChange {
                actor,
                kind,
                detail: serde_json::from_str(&detail)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                at,
            })
        })
        .transpose()
    }

    /// The fields changed at the intake's latest revision (for "who changed what").
    pub async fn fields_changed_at(
        &self,
        id: &IntakeId,
        revision: u32,
    ) -> Result<Vec<String>, sqlx::Error> {
        let details: Vec<String> = sqlx::query_scalar(
            "SELECT detail_json FROM audit_events WHERE intake_id = $1 AND kind = \
             'field_changed' ORDER BY at, id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(details
            .iter()
            .filter_map(|d| serde_json::from_str::<serde_json::Value>(d).ok())
            .filter(|d| d["revision"].as_u64() == Some(u64::from(revision)))
            .filter_map(|d| d["field"].as_str().map(str::to_owned))
            .collect())
    }

    /// The technician's recent submissions on an asset: the last 30 days,
    /// newest first, at most 20.
    pub async fn asset_submissions(
        &self,
        asset_id: &str,
    ) -> Result<Vec<SubmissionRow>, sqlx::Error> {
        let since = super::before_now(std::time::Duration::from_secs(30 * 24 * 3600));
        sqlx::query_as(
            "SELECT id, reference, status, subject, created_at, updated_at, reason, question, \
             crm_case_number FROM intakes WHERE asset_id = $1 AND created_at >= $2 \
             ORDER BY created_at DESC, id DESC LIMIT 20",
        )
        .bind(asset_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await
    }

    /// One submission on an asset (`None` for another asset's).
    pub async fn asset_submission(
        &self,
        asset_id: &str,
        id: &IntakeId,
    ) -> Result<Option<SubmissionRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, reference, status, subject, created_at, updated_at, reason, question, \
             crm_case_number FROM intakes WHERE asset_id = $1 AND id = $2",
        )
        .bind(asset_id)
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
    }
}

/// A submission as its technician sees it in the list.
#[derive(Debug, Clone, FromRow)]
pub struct SubmissionRow {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub subject: String,
    pub created_at: String,
    pub updated_at: String,
    pub reason: Option<String>,
    pub question: Option<String>,
    pub crm_case_number: Option<String>,
}

impl SubmissionRow {
    pub fn decode(self) -> Result<fieldcase_core::console::SubmissionSummary, sqlx::Error> {
        Ok(fieldcase_core::console::SubmissionSummary {
            id: uuid_of(&self.id)?,
            reference: self.reference,
            status: status_of(&self.status)?,
            subject: self.subject,
            submitted_at: self.created_at,
            updated_at: self.updated_at,
            reason: self.reason,
            question: self.question,
            case_number: self.crm_case_number,
        })
    }
}
