//! The Salesforce connection and the authorisations in progress. Tokens and
//! PKCE verifiers arrive here already sealed (encrypted) by the connector;
//! this module never sees them in the clear.

use sqlx::FromRow;

use super::{Store, now};

/// The stored connection.
#[derive(Debug, Clone, FromRow)]
pub struct StoredConnection {
    pub flow: String,
    pub instance_url: String,
    pub identity_url: Option<String>,
    pub user_id: Option<String>,
    pub org_id: Option<String>,
    pub scope: Option<String>,
    pub access_token_enc: String,
    pub refresh_token_enc: Option<String>,
    pub needs_reauth_at: Option<String>,
    pub reauth_reason: Option<String>,
    pub connected_at: String,
}

/// A fresh connection (both tokens sealed).
#[derive(Debug, Clone)]
pub struct NewConnection<'a> {
    pub flow: &'a str,
    pub instance_url: &'a str,
    pub identity_url: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub org_id: Option<&'a str>,
    pub scope: Option<&'a str>,
    pub access_token_enc: &'a str,
    pub refresh_token_enc: Option<&'a str>,
}

impl Store {
    pub async fn salesforce_connection(&self) -> Result<Option<StoredConnection>, sqlx::Error> {
        sqlx::query_as(
            "SELECT flow, instance_url, identity_url, user_id, org_id, scope, access_token_enc, \
             refresh_token_enc, needs_reauth_at, reauth_reason, connected_at \
             FROM salesforce_connections WHERE id = 'default'",
        )
        .fetch_optional(&self.pool)
        .await
    }

    /// Store a new connection, replacing any earlier one (and its
    /// re-authorisation flag).
    pub async fn save_salesforce_connection(
        &self,
        c: &NewConnection<'_>,
    ) -> Result<(), sqlx::Error> {
        let at = now();
        sqlx::query(
            "INSERT INTO salesforce_connections (id, flow, instance_url, identity_url, user_id, \
             org_id, scope, access_token_enc, refresh_token_enc, needs_reauth_at, reauth_reason, \
             connected_at, updated_at) \
             VALUES ('default', $1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, $9, $10) \
             ON CONFLICT (id) DO UPDATE SET flow = excluded.flow, \
             instance_url = excluded.instance_url, identity_url = excluded.identity_url, \
             user_id = excluded.user_id, org_id = excluded.org_id, scope = excluded.scope, \
             access_token_enc = excluded.access_token_enc, \
             refresh_token_enc = excluded.refresh_token_enc, needs_reauth_at = NULL, \
             reauth_reason = NULL, connected_at = excluded.connected_at, \
             updated_at = excluded.updated_at",
        )
        .bind(c.flow)
        .bind(c.instance_url)
        .bind(c.identity_url)
        .bind(c.user_id)
        .bind(c.org_id)
        .bind(c.scope)
        .bind(c.access_token_enc)
        .bind(c.refresh_token_enc)
        .bind(&at)
        .bind(&at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A refreshed access token (and a rotated refresh token, when Salesforce
    /// sent one). Only for the connection whose sealed access token was
    /// `previous`, so a stale refresh never overwrites a newer connection.
    pub async fn update_salesforce_tokens(
        &self,
        previous_access_enc: &str,
        access_token_enc: &str,
        refresh_token_enc: Option<&str>,
        instance_url: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE salesforce_connections SET access_token_enc = $1, \
             refresh_token_enc = COALESCE($2, refresh_token_enc), instance_url = $3, \
             updated_at = $4 WHERE id = 'default' AND access_token_enc = $5",
        )
        .bind(access_token_enc)
        .bind(refresh_token_enc)
        .bind(instance_url)
        .bind(now())
        .bind(previous_access_enc)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Salesforce refused the grant: an administrator must connect again.
    /// Salesforce refused the grant: the connection is lost until an admin
    /// connects again (recorded once in the audit trail, as `system`).
    pub async fn mark_salesforce_needs_reauth(&self, reason: &str) -> Result<(), sqlx::Error> {
        let at = now();
        let mut tx = self.write_tx().await?;
        let newly = sqlx::query(
            "UPDATE salesforce_connections SET needs_reauth_at = $1, reauth_reason = $2, \
             updated_at = $3 WHERE id = 'default' AND needs_reauth_at IS NULL",
        )
        .bind(&at)
        .bind(reason)
        .bind(&at)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if newly {
            super::audit::record(
                &mut tx,
                &super::Actor::system(),
                "salesforce_disconnected",
                None,
                &serde_json::json!({ "reason": reason }),
            )
            .await?;
        } else {
            sqlx::query(
                "UPDATE salesforce_connections SET reauth_reason = $1, updated_at = $2 \
                 WHERE id = 'default'",
            )
            .bind(reason)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// Remember an authorisation in progress until `expires_at`; forget
    /// expired ones.
    pub async fn insert_salesforce_auth_request(
        &self,
        state: &str,
        verifier_enc: &str,
        expires_at: &str,
    ) -> Result<(), sqlx::Error> {
        let at = now();
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM salesforce_auth_requests WHERE expires_at < $1")
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO salesforce_auth_requests (state, verifier_enc, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(state)
        .bind(verifier_enc)
        .bind(&at)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Take (use up) an unexpired authorisation by its state: its sealed PKCE
    /// verifier. A state works once.
    pub async fn take_salesforce_auth_request(
        &self,
        state: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String, String)> = sqlx::query_as(
            "DELETE FROM salesforce_auth_requests WHERE state = $1 \
             RETURNING verifier_enc, expires_at",
        )
        .bind(state)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(verifier, expires_at)| (expires_at > now()).then_some(verifier)))
    }
}

/// The last preflight's row.
#[derive(Debug, Clone, FromRow)]
struct PreflightRow {
    connected_at: String,
    ran_at: String,
    login_url: String,
    environment: String,
    passed: bool,
    fields_checked: i64,
    problems_json: String,
}

impl Store {
    /// Keep `p` as the last preflight, run against the connection made at
    /// `connected_at`.
    pub async fn save_preflight(
        &self,
        connected_at: &str,
        p: &fieldcase_core::wire::Preflight,
    ) -> Result<(), sqlx::Error> {
        let problems = serde_json::to_string(&p.problems).unwrap_or_else(|_| "[]".into());
        sqlx::query(
            "INSERT INTO salesforce_preflights (id, connected_at, ran_at, login_url, environment, \
             passed, fields_checked, problems_json) \
             VALUES ('default', $1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (id) DO UPDATE SET connected_at = excluded.connected_at, \
             ran_at = excluded.ran_at, login_url = excluded.login_url, \
             environment = excluded.environment, passed = excluded.passed, \
             fields_checked = excluded.fields_checked, problems_json = excluded.problems_json",
        )
        .bind(connected_at)
        .bind(&p.ran_at)
        .bind(&p.login_url)
        .bind(p.environment.as_str())
        .bind(p.passed)
        .bind(i64::from(p.fields_checked))
        .bind(problems)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The last preflight, if it ran against the connection made at
    /// `connected_at` (a newer connection has not been checked).
    pub async fn last_preflight(
        &self,
        connected_at: &str,
    ) -> Result<Option<fieldcase_core::wire::Preflight>, sqlx::Error> {
        let row: Option<PreflightRow> = sqlx::query_as(
            "SELECT connected_at, ran_at, login_url, environment, passed, fields_checked, \
             problems_json FROM salesforce_preflights WHERE id = 'default'",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row.filter(|r| r.connected_at == connected_at) else {
            return Ok(None);
        };
        let environment = fieldcase_core::wire::OrgEnvironment::parse(&row.environment)
            .ok_or_else(|| {
                sqlx::Error::Decode(format!("unknown environment {:?}", row.environment).into())
            })?;
        Ok(Some(fieldcase_core::wire::Preflight {
            ran_at: row.ran_at,
            environment,
            login_url: row.login_url,
            passed: row.passed,
            fields_checked: u32::try_from(row.fields_checked).unwrap_or(0),
            problems: serde_json::from_str(&row.problems_json).unwrap_or_default(),
        }))
    }
}
