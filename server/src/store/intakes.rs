//! Intakes, the photos attached to them, and their audit trail.

use std::collections::BTreeMap;

use fieldcase_core::IntakeId;
use fieldcase_core::wire::{IntakeStatus, PhotoLocation, Technician, intake_reference_candidate};
use serde::Serialize;
use sqlx::{FromRow, SqliteConnection};

pub use super::audit::NewEvent;
use super::{Store, now};

pub use fieldcase_core::console::ActorKind;

/// A checked submission, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewIntake<'a> {
    pub id: IntakeId,
    pub reference: &'a str,
    pub asset_id: &'a str,
    pub status: IntakeStatus,
    pub notes: &'a str,
    pub fields_json: &'a str,
    pub proposal_json: &'a str,
    pub technician: &'a Technician,
    pub request_hash: &'a str,
    /// SHA-256 of each photo, in display order.
    pub photos: &'a [String],
    /// Where some of them were taken (checked: each names one of `photos`).
    pub locations: &'a [PhotoLocation],
    /// What the queue sorts and filters on, from the fields.
    pub keys: &'a super::QueueKeys,
    pub event: NewEvent,
    /// Submitted by a customer through a portal (`None`: an asset's link).
    pub portal: Option<PortalOrigin<'a>>,
    /// Proposed by an AI assistant (`event.actor_kind` is `ai`): the person
    /// whose grant it used, recorded with the event.
    pub on_behalf_of: Option<&'a str>,
}

/// The portal an intake came through, and the customer (the token's `sub`).
#[derive(Debug, Clone, Copy)]
pub struct PortalOrigin<'a> {
    pub portal_id: &'a str,
    pub customer: &'a str,
}

/// The stored intake, as much as a receipt needs.
#[derive(Debug, Clone, FromRow)]
pub struct IntakeRecord {
    #[sqlx(try_from = "String")]
    pub id: IntakeId,
    pub reference: String,
    pub asset_id: String,
    #[sqlx(try_from = "String")]
    pub status: IntakeStatus,
    pub request_hash: String,
    pub created_at: String,
    pub photo_count: i64,
    pub crm_case_number: Option<String>,
    pub crm_case_url: Option<String>,
    /// What the CRM refused: a JSON object, field API name → message.
    pub problems_json: Option<String>,
    /// The portal it was submitted through, if any.
    pub portal_id: Option<String>,
}

/// Everything about an intake, for `intakes list`.
#[derive(Debug, Clone, Serialize)]
pub struct IntakeListing {
    pub id: String,
    pub reference: String,
    pub status: IntakeStatus,
    pub asset_id: String,
    pub asset_name: String,
    pub created_at: String,
    pub notes: String,
    pub fields: serde_json::Value,
    pub technician: Technician,
    /// SHA-256 of each photo, in display order.
    pub photos: Vec<String>,
    /// The CRM case's number, once written.
    pub case_number: Option<String>,
}

#[derive(FromRow)]
struct ListingRow {
    id: String,
    reference: String,
    #[sqlx(try_from = "String")]
    status: IntakeStatus,
    asset_id: String,
    asset_name: String,
    created_at: String,
    notes: String,
    fields_json: String,
    technician_name: String,
    technician_email: Option<String>,
    technician_phone: Option<String>,
    crm_case_number: Option<String>,
}

const RECORD_SELECT: &str = "SELECT i.id, i.reference, i.asset_id, i.status, i.request_hash, \
     i.created_at, (SELECT COUNT(*) FROM intake_photos p WHERE p.intake_id = i.id) AS photo_count, \
     i.crm_case_number, i.crm_case_url, i.problems_json, i.portal_id \
     FROM intakes i";

/// How many references an intake tries before giving up: the first is
/// derived from its id's last 40 random bits, the next ones from the whole id
/// (`intake_reference_candidate`). Two honest ids share the first with odds
/// of 1 in 2^40; more than a few in a row only happens on purpose.
const REFERENCE_ATTEMPTS: u32 = 16;

/// Insert an intake with its photos and its first event, in the caller's
/// transaction; `Some(reference)` with the short reference it got. `None`
/// when the id exists (a retry, or a racing twin): nothing was written, and
/// the caller compares with the stored intake.
///
/// A reference already taken by another intake (a crafted id can collide on
/// purpose) is not a failure: the next candidate is tried, so the intake is
/// stored under another reference instead of failing for ever.
///
/// The insert is the transaction's first statement, so SQLite takes the write
/// lock before reading anything: racing twins queue on the lock
/// (busy_timeout) instead of failing on a stale snapshot.
pub async fn insert_intake(
    tx: &mut super::Tx,
    new: &NewIntake<'_>,
) -> Result<Option<String>, sqlx::Error> {
    let tx = tx.conn();
    let id = new.id.to_string();
    let at = now();
    let mut reference = new.reference.to_owned();
    let mut attempt = 0;
    loop {
        // `DO NOTHING` for either unique key (id or reference); which one
        // it was is told by looking for the id.
        let done = sqlx::query(
            "INSERT INTO intakes (id, reference, asset_id, status, notes, fields_json, \
             proposal_json, technician_name, technician_email, technician_phone, request_hash, \
             created_at, updated_at, subject, priority, priority_rank, hazard) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(&reference)
        .bind(new.asset_id)
        .bind(new.status.as_str())
        .bind(new.notes)
        .bind(new.fields_json)
        .bind(new.proposal_json)
        .bind(&new.technician.name)
        .bind(&new.technician.email)
        .bind(&new.technician.phone)
        .bind(new.request_hash)
        .bind(&at)
        .bind(&at)
        .bind(&new.keys.subject)
        .bind(&new.keys.priority)
        .bind(new.keys.priority_rank)
        .bind(i64::from(new.keys.hazard))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            break;
        }
        let twin: Option<i64> = sqlx::query_scalar("SELECT 1 FROM intakes WHERE id = $1")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
        if twin.is_some() {
            return Ok(None);
        }
        attempt += 1;
        if attempt >= REFERENCE_ATTEMPTS {
            return Err(sqlx::Error::Protocol(format!(
                "no free reference for intake {id} after {REFERENCE_ATTEMPTS} attempts"
            )));
        }
        tracing::warn!(intake_id = %id, taken = %reference, "intake reference taken; trying another");
        reference = intake_reference_candidate(&new.id.uuid(), attempt);
    }
    insert_photos(&mut *tx, &id, new.photos, new.locations).await?;
    if let Some(origin) = new.portal {
        sqlx::query("UPDATE intakes SET portal_id = $1, portal_customer = $2 WHERE id = $3")
            .bind(origin.portal_id)
            .bind(origin.customer)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
    }
    match new.on_behalf_of {
        Some(person) => {
            let actor = super::Actor {
                kind: new.event.actor_kind,
                name: new.event.actor.clone(),
                on_behalf_of: Some(person.to_owned()),
            };
            super::audit::record(tx, &actor, new.event.kind, Some(&id), &new.event.detail).await?;
        }
        None => insert_event(tx, &id, &new.event).await?,
    }
    Ok(Some(reference))
}

/// An intake's photos in display order, each with its location if it has
/// one; the caller has deleted any earlier rows of this intake.
pub(super) async fn insert_photos(
    conn: &mut SqliteConnection,
    intake_id: &str,
    photos: &[String],
    locations: &[PhotoLocation],
) -> Result<(), sqlx::Error> {
    for (position, sha) in photos.iter().enumerate() {
        let at = locations.iter().find(|l| &l.sha256 == sha);
        sqlx::query(
            "INSERT INTO intake_photos (intake_id, sha256, position, latitude, longitude, \
             accuracy_m) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(intake_id)
        .bind(sha)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(at.map(|l| l.latitude))
        .bind(at.map(|l| l.longitude))
        .bind(at.map(|l| l.accuracy_m))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Move an intake to `to` if its status is one of `from`; false otherwise.
pub async fn set_status(
    tx: &mut SqliteConnection,
    intake_id: &str,
    from: &[IntakeStatus],
    to: IntakeStatus,
) -> Result<bool, sqlx::Error> {
    let mut changed = false;
    for status in from {
        let done = sqlx::query(
            "UPDATE intakes SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(to.as_str())
        .bind(now())
        .bind(intake_id)
        .bind(status.as_str())
        .execute(&mut *tx)
        .await?;
        changed |= done.rows_affected() > 0;
    }
    Ok(changed)
}

impl Store {
    pub async fn intake(&self, id: &IntakeId) -> Result<Option<IntakeRecord>, sqlx::Error> {
        let sql = format!("{RECORD_SELECT} WHERE i.id = $1");
        sqlx::query_as(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
    }

    /// Every intake, oldest first, with its fields and photos.
    pub async fn list_intakes(&self) -> Result<Vec<IntakeListing>, sqlx::Error> {
        let rows: Vec<ListingRow> = sqlx::query_as(
            "SELECT i.id, i.reference, i.status, i.asset_id, a.name AS asset_name, i.created_at, \
             i.notes, i.fields_json, i.technician_name, i.technician_email, i.technician_phone, \
             i.crm_case_number \
             FROM intakes i JOIN assets a ON a.id = i.asset_id \
             ORDER BY i.created_at, i.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let photo_rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT intake_id, sha256 FROM intake_photos ORDER BY intake_id, position",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut photos: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (intake_id, sha) in photo_rows {
            photos.entry(intake_id).or_default().push(sha);
        }
        rows.into_iter()
            .map(|r| {
                let fields = serde_json::from_str(&r.fields_json)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                Ok(IntakeListing {
                    photos: photos.remove(&r.id).unwrap_or_default(),
                    id: r.id,
                    reference: r.reference,
                    status: r.status,
                    asset_id: r.asset_id,
                    asset_name: r.asset_name,
                    created_at: r.created_at,
                    notes: r.notes,
                    fields,
                    technician: Technician {
                        name: r.technician_name,
                        email: r.technician_email,
                        phone: r.technician_phone,
                    },
                    case_number: r.crm_case_number,
                })
            })
            .collect()
    }
}

pub use super::audit::insert_event;
