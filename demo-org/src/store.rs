//! All SQL lives here: SQLite in WAL mode, runtime queries, migrations
//! embedded from `demo-org/migrations`.
//!
//! Writes run in `BEGIN IMMEDIATE` transactions ([`Store::write`]), so two
//! writers queue on SQLite's lock (with a busy timeout) instead of failing
//! when one upgrades a read. Composite requests nest savepoints inside.

use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::Result;

/// The database handle every handler shares (cheap to clone).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// One record of any sObject. `fields` holds every field but `Id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: String,
    pub sobject: String,
    pub fields: Map<String, Value>,
}

impl Record {
    pub fn get(&self, field: &str) -> Option<&Value> {
        if field == "Id" {
            return None;
        }
        self.fields.get(field)
    }

    pub fn str(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(Value::as_str)
    }
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: String,
    sobject: String,
    fields: String,
}

impl TryFrom<RecordRow> for Record {
    type Error = sqlx::Error;
    fn try_from(r: RecordRow) -> Result<Self, sqlx::Error> {
        let fields = match serde_json::from_str(&r.fields) {
            Ok(Value::Object(m)) => m,
            Ok(_) => Map::new(),
            Err(e) => return Err(sqlx::Error::Decode(Box::new(e))),
        };
        Ok(Record {
            id: r.id,
            sobject: r.sobject,
            fields,
        })
    }
}

/// A stored OAuth code, found by its hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeRow {
    pub client_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub scope: String,
    pub expires_at: i64,
    pub used: bool,
}

/// A stored access or refresh token, found by its hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub token_hash: String,
    pub kind: String,
    pub refresh_hash: Option<String>,
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub issued_at: i64,
    pub expires_at: Option<i64>,
    pub revoked: bool,
}

impl Store {
    /// Open (creating if missing) and migrate `<data_dir>/demo-org.db`.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir)?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join("demo-org.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!().run(&pool).await?;
        Ok(Store { pool })
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<PoolConnection<Sqlite>> {
        Ok(self.pool.acquire().await?)
    }

    /// A write transaction (`BEGIN IMMEDIATE`).
    pub async fn write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

// ---- records ---------------------------------------------------------------

pub async fn insert_record(conn: &mut SqliteConnection, record: &Record) -> Result<()> {
    sqlx::query("INSERT INTO records (id, sobject, fields) VALUES ($1, $2, $3)")
        .bind(&record.id)
        .bind(&record.sobject)
        .bind(Value::Object(record.fields.clone()).to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Inserts `record` unless a record with its id exists (seeding).
pub async fn insert_record_if_missing(
    conn: &mut SqliteConnection,
    record: &Record,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO records (id, sobject, fields) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&record.id)
    .bind(&record.sobject)
    .bind(Value::Object(record.fields.clone()).to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn replace_fields(
    conn: &mut SqliteConnection,
    id: &str,
    fields: &Map<String, Value>,
) -> Result<()> {
    sqlx::query("UPDATE records SET fields = $1 WHERE id = $2")
        .bind(Value::Object(fields.clone()).to_string())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_record(conn: &mut SqliteConnection, id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM records WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get_record(conn: &mut SqliteConnection, id: &str) -> Result<Option<Record>> {
    let row: Option<RecordRow> =
        sqlx::query_as("SELECT id, sobject, fields FROM records WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(Record::try_from).transpose()?)
}

/// Every record of `sobject`, oldest first.
pub async fn records_of(conn: &mut SqliteConnection, sobject: &str) -> Result<Vec<Record>> {
    let rows: Vec<RecordRow> =
        sqlx::query_as("SELECT id, sobject, fields FROM records WHERE sobject = $1 ORDER BY seq")
            .bind(sobject)
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|r| Record::try_from(r).map_err(Into::into))
        .collect()
}

/// Records of `sobject` whose text `field` equals `value`, ignoring case (as
/// Salesforce matches external ids and SOQL `=`), oldest first.
pub async fn find_by_text(
    conn: &mut SqliteConnection,
    sobject: &str,
    field: &str,
    value: &str,
) -> Result<Vec<Record>> {
    let rows: Vec<RecordRow> = sqlx::query_as(
        "SELECT id, sobject, fields FROM records
         WHERE sobject = $1 AND lower(json_extract(fields, $2)) = lower($3) ORDER BY seq",
    )
    .bind(sobject)
    .bind(format!("$.{field}"))
    .bind(value)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| Record::try_from(r).map_err(Into::into))
        .collect()
}

pub async fn count_records(conn: &mut SqliteConnection, sobject: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE sobject = $1")
            .bind(sobject)
            .fetch_one(conn)
            .await?,
    )
}

/// The next value of counter `name`; the first is `start + 1`.
pub async fn next_number(conn: &mut SqliteConnection, name: &str, start: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO counters (name, value) VALUES ($1, $2 + 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
    )
    .bind(name)
    .bind(start)
    .fetch_one(conn)
    .await?)
}

// ---- file bytes --------------------------------------------------------------

pub async fn put_content(conn: &mut SqliteConnection, version_id: &str, data: &[u8]) -> Result<()> {
    sqlx::query("INSERT INTO content_data (version_id, data) VALUES ($1, $2)")
        .bind(version_id)
        .bind(data)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn content(conn: &mut SqliteConnection, version_id: &str) -> Result<Option<Vec<u8>>> {
    Ok(
        sqlx::query_scalar("SELECT data FROM content_data WHERE version_id = $1")
            .bind(version_id)
            .fetch_optional(conn)
            .await?,
    )
}

// ---- API usage ---------------------------------------------------------------

pub async fn record_api_call(conn: &mut SqliteConnection, route: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO api_calls (route, calls) VALUES ($1, 1)
         ON CONFLICT (route) DO UPDATE SET calls = calls + 1",
    )
    .bind(route)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn api_calls(conn: &mut SqliteConnection) -> Result<Vec<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT route, calls FROM api_calls ORDER BY route")
            .fetch_all(conn)
            .await?,
    )
}

// ---- OAuth -------------------------------------------------------------------

pub async fn insert_code(
    conn: &mut SqliteConnection,
    code_hash: &str,
    row: &CodeRow,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO oauth_codes (code_hash, client_id, user_id, redirect_uri, code_challenge, scope, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(code_hash)
    .bind(&row.client_id)
    .bind(&row.user_id)
    .bind(&row.redirect_uri)
    .bind(&row.code_challenge)
    .bind(&row.scope)
    .bind(row.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn code(conn: &mut SqliteConnection, code_hash: &str) -> Result<Option<CodeRow>> {
    Ok(sqlx::query_as(
        "SELECT client_id, user_id, redirect_uri, code_challenge, scope, expires_at, used
         FROM oauth_codes WHERE code_hash = $1",
    )
    .bind(code_hash)
    .fetch_optional(conn)
    .await?)
}

/// Marks a code used; false when it already was (a concurrent exchange won).
pub async fn use_code(conn: &mut SqliteConnection, code_hash: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE oauth_codes SET used = 1 WHERE code_hash = $1 AND used = 0")
        .bind(code_hash)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn insert_token(conn: &mut SqliteConnection, row: &TokenRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO oauth_tokens (token_hash, kind, refresh_hash, client_id, user_id, scope, issued_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&row.token_hash)
    .bind(&row.kind)
    .bind(&row.refresh_hash)
    .bind(&row.client_id)
    .bind(&row.user_id)
    .bind(&row.scope)
    .bind(row.issued_at)
    .bind(row.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn token(conn: &mut SqliteConnection, token_hash: &str) -> Result<Option<TokenRow>> {
    Ok(sqlx::query_as(
        "SELECT token_hash, kind, refresh_hash, client_id, user_id, scope, issued_at, expires_at, revoked
         FROM oauth_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?)
}

/// Revokes a token; for a refresh token, also every access token issued with it.
pub async fn revoke_token(conn: &mut SqliteConnection, token_hash: &str) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE oauth_tokens SET revoked = 1 WHERE token_hash = $1 OR refresh_hash = $1",
    )
    .bind(token_hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Fault injection: every live access token expires now.
pub async fn expire_access_tokens(conn: &mut SqliteConnection, now_ms: i64) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE oauth_tokens SET expires_at = $1
         WHERE kind = 'access' AND revoked = 0 AND expires_at > $1",
    )
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Fault injection: every refresh token is revoked (access tokens stay).
pub async fn revoke_refresh_tokens(conn: &mut SqliteConnection) -> Result<u64> {
    let done =
        sqlx::query("UPDATE oauth_tokens SET revoked = 1 WHERE kind = 'refresh' AND revoked = 0")
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}
