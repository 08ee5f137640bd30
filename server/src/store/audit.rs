//! The audit trail: one append-only table for everything that happens to an
//! intake, an account or the CRM connection. This module only ever INSERTs
//! into it and SELECTs from it (a test reads the store's source to prove no
//! statement updates or deletes a row; triggers refuse any that tried).

use fieldcase_core::IntakeId;
use fieldcase_core::console::{ActorKind, AuditEntry, AuditQuery};
use sqlx::{FromRow, SqliteConnection};
use uuid::Uuid;

use super::{Store, now, param};

/// Who did something, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    /// A person's e-mail or name, a rule's name, an AI client's name.
    pub name: String,
    /// For an AI assistant: the person whose grant it used.
    pub on_behalf_of: Option<String>,
}

impl Actor {
    pub fn new(kind: ActorKind, name: impl Into<String>) -> Self {
        Actor {
            kind,
            name: name.into(),
            on_behalf_of: None,
        }
    }

    /// fieldcase itself.
    pub fn system() -> Self {
        Actor::new(ActorKind::System, "fieldcase")
    }
}

/// One entry of an intake's audit trail, written with the change it records.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub actor_kind: ActorKind,
    pub actor: String,
    pub kind: &'static str,
    pub detail: serde_json::Value,
}

/// Append an event to an intake's audit trail, in the caller's transaction.
pub async fn insert_event(
    tx: &mut SqliteConnection,
    intake_id: &str,
    event: &NewEvent,
) -> Result<(), sqlx::Error> {
    let actor = Actor::new(event.actor_kind, event.actor.clone());
    record(tx, &actor, event.kind, Some(intake_id), &event.detail).await
}

/// Append any event (an intake's, when `intake_id` is given), in `tx`.
pub async fn record(
    tx: &mut SqliteConnection,
    actor: &Actor,
    kind: &str,
    intake_id: Option<&str>,
    detail: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_events (id, at, actor_kind, actor, on_behalf_of, kind, intake_id, \
         detail_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(now())
    .bind(actor.kind.as_str())
    .bind(&actor.name)
    .bind(&actor.on_behalf_of)
    .bind(kind)
    .bind(intake_id)
    .bind(detail.to_string())
    .execute(tx)
    .await?;
    Ok(())
}

/// [`record`] in one of the store's transactions.
pub async fn record_in(
    tx: &mut super::Tx,
    actor: &Actor,
    kind: &str,
    intake_id: Option<&str>,
    detail: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    record(tx.conn(), actor, kind, intake_id, detail).await
}

#[derive(FromRow)]
struct EntryRow {
    id: String,
    at: String,
    actor_kind: String,
    actor: String,
    on_behalf_of: Option<String>,
    kind: String,
    intake_id: Option<String>,
    reference: Option<String>,
    detail_json: String,
}

impl EntryRow {
    fn decode(self) -> Result<AuditEntry, sqlx::Error> {
        let bad = |what: &str, value: &str| {
            sqlx::Error::Decode(format!("audit_events.{what}: {value:?}").into())
        };
        Ok(AuditEntry {
            id: Uuid::try_parse(&self.id).map_err(|_| bad("id", &self.id))?,
            at: self.at,
            actor_kind: ActorKind::parse(&self.actor_kind)
                .ok_or_else(|| bad("actor_kind", &self.actor_kind))?,
            actor: self.actor,
            on_behalf_of: self.on_behalf_of,
            kind: self.kind,
            intake_id: match self.intake_id {
                Some(id) => Some(Uuid::try_parse(&id).map_err(|_| bad("intake_id", &id))?),
                None => None,
            },
            intake_reference: self.reference,
            detail: serde_json::from_str(&self.detail_json)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        })
    }
}

const ENTRY_SELECT: &str = "SELECT e.id, e.at, e.actor_kind, e.actor, e.on_behalf_of, e.kind, \
     e.intake_id, i.reference, e.detail_json \
     FROM audit_events e LEFT JOIN intakes i ON i.id = e.intake_id";

/// A page of the audit log, newest first.
#[derive(Debug, Clone)]
pub struct AuditSlice {
    pub entries: Vec<AuditEntry>,
    /// The cursor for the next (older) page.
    pub next: Option<String>,
}

impl Store {
    /// An intake's audit trail, oldest first.
    pub async fn intake_events(&self, id: &IntakeId) -> Result<Vec<AuditEntry>, sqlx::Error> {
        let sql = format!("{ENTRY_SELECT} WHERE e.intake_id = $1 ORDER BY e.at, e.id");
        let rows: Vec<EntryRow> = sqlx::query_as(&sql)
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(EntryRow::decode).collect()
    }

    /// Append an event outside any other change (sign-ins, refusals).
    pub async fn record_event(
        &self,
        actor: &Actor,
        kind: &str,
        detail: &serde_json::Value,
    ) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        record(&mut conn, actor, kind, None, detail).await
    }

    /// The audit log, newest first, filtered; `limit` rows at most.
    /// The filters were checked by the caller (`query` carries their text).
    pub async fn audit_log(
        &self,
        query: &AuditQuery,
        limit: u32,
    ) -> Result<AuditSlice, sqlx::Error> {
        let mut sql = format!("{ENTRY_SELECT} WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        if let Some(kind) = &query.actor_kind {
            let p = param(&mut binds, kind.clone());
            sql.push_str(&format!(" AND e.actor_kind = {p}"));
        }
        if let Some(actor) = &query.actor {
            let p = param(&mut binds, super::like_pattern(actor));
            sql.push_str(&format!(" AND LOWER(e.actor) LIKE {p} ESCAPE '\\'"));
        }
        if let Some(kind) = &query.kind {
            let p = param(&mut binds, kind.clone());
            sql.push_str(&format!(" AND e.kind = {p}"));
        }
        if let Some(intake) = &query.intake {
            let p1 = param(&mut binds, intake.to_ascii_uppercase());
            let p2 = param(&mut binds, intake.to_ascii_lowercase());
            sql.push_str(&format!(" AND (i.reference = {p1} OR e.intake_id = {p2})"));
        }
        if let Some(from) = &query.from {
            let p = param(&mut binds, format!("{from}T00:00:00"));
            sql.push_str(&format!(" AND e.at >= {p}"));
        }
        if let Some(to) = &query.to {
            let p = param(&mut binds, format!("{to}T99"));
            sql.push_str(&format!(" AND e.at < {p}"));
        }
        if let Some((at, id)) = query.before.as_deref().and_then(|c| c.split_once('|')) {
            let p1 = param(&mut binds, at.to_owned());
            let p2 = param(&mut binds, id.to_owned());
            sql.push_str(&format!(
                " AND (e.at < {p1} OR (e.at = {p1} AND e.id < {p2}))"
            ));
        }
        sql.push_str(&format!(
            " ORDER BY e.at DESC, e.id DESC LIMIT {}",
            limit + 1
        ));
        let mut q = sqlx::query_as::<_, EntryRow>(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut entries = rows
            .into_iter()
            .map(EntryRow::decode)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if entries.len() > limit as usize {
            entries.truncate(limit as usize);
            entries.last().map(|e| format!("{}|{}", e.at, e.id))
        } else {
            None
        };
        Ok(AuditSlice { entries, next })
    }
}
