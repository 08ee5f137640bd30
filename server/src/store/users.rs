//! Staff accounts (admins and dispatchers) and invitations. Passwords arrive
//! here already hashed (argon2id, `crate::auth`); invitation tokens as their
//! SHA-256. Roles are decoded once, here.

use fieldcase_core::console::{Role, StaffUser};
use sqlx::FromRow;
use uuid::Uuid;

use super::{Store, now};

/// An account as sign-in needs it.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: StaffUser,
    pub password_hash: String,
}

#[derive(FromRow)]
struct UserRow {
    id: String,
    email: String,
    name: String,
    role: String,
    password_hash: String,
    disabled_at: Option<String>,
}

impl UserRow {
    fn decode(self) -> Result<Account, sqlx::Error> {
        let bad = |what: &str, v: &str| sqlx::Error::Decode(format!("users.{what}: {v:?}").into());
        Ok(Account {
            user: StaffUser {
                id: Uuid::try_parse(&self.id).map_err(|_| bad("id", &self.id))?,
                email: self.email,
                name: self.name,
                role: Role::parse(&self.role).ok_or_else(|| bad("role", &self.role))?,
                active: self.disabled_at.is_none(),
            },
            password_hash: self.password_hash,
        })
    }
}

const USER_SELECT: &str = "SELECT id, email, name, role, password_hash, disabled_at FROM users";

/// An invitation, found by its token's hash, not yet used or expired.
#[derive(Debug, Clone)]
pub struct OpenInvitation {
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// The normal form of an e-mail address for look-ups.
pub fn normal_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Store {
    /// Make an account; `None` when the address has one already.
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<Option<StaffUser>, sqlx::Error> {
        let id = Uuid::now_v7();
        let at = now();
        let done = sqlx::query(
            "INSERT INTO users (id, email, name, role, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(normal_email(email))
        .bind(name.trim())
        .bind(role.as_str())
        .bind(password_hash)
        .bind(&at)
        .bind(&at)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        Ok(self.user(&id).await?.map(|a| a.user))
    }

    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, sqlx::Error> {
        let sql = format!("{USER_SELECT} WHERE email = $1");
        let row: Option<UserRow> = sqlx::query_as(&sql)
            .bind(normal_email(email))
            .fetch_optional(&self.pool)
            .await?;
        row.map(UserRow::decode).transpose()
    }

    pub async fn user(&self, id: &Uuid) -> Result<Option<Account>, sqlx::Error> {
        let sql = format!("{USER_SELECT} WHERE id = $1");
        let row: Option<UserRow> = sqlx::query_as(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(UserRow::decode).transpose()
    }

    /// Every account, by name.
    pub async fn list_users(&self) -> Result<Vec<StaffUser>, sqlx::Error> {
        let sql = format!("{USER_SELECT} ORDER BY name, email");
        let rows: Vec<UserRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|r| r.decode().map(|a| a.user))
            .collect()
    }

    pub async fn count_admins(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await
    }

    pub async fn set_user_role(&self, id: &Uuid, role: Role) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
            .bind(role.as_str())
            .bind(now())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_user_active(&self, id: &Uuid, active: bool) -> Result<(), sqlx::Error> {
        let at = now();
        sqlx::query("UPDATE users SET disabled_at = $1, updated_at = $2 WHERE id = $3")
            .bind((!active).then_some(at.clone()))
            .bind(&at)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_password_hash(&self, id: &Uuid, hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn create_invitation(
        &self,
        token_hash: &str,
        email: &str,
        name: &str,
        role: Role,
        invited_by: &Uuid,
        expires_at: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO invitations (token_hash, email, name, role, invited_by, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token_hash)
        .bind(normal_email(email))
        .bind(name.trim())
        .bind(role.as_str())
        .bind(invited_by.to_string())
        .bind(now())
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Use an invitation once: marks it accepted and returns what it
    /// invites; `None` when unknown, used or expired.
    pub async fn take_invitation(
        &self,
        token_hash: &str,
    ) -> Result<Option<OpenInvitation>, sqlx::Error> {
        let at = now();
        let row: Option<(String, String, String)> = sqlx::query_as(
            "UPDATE invitations SET accepted_at = $1 \
             WHERE token_hash = $2 AND accepted_at IS NULL AND expires_at > $3 \
             RETURNING email, name, role",
        )
        .bind(&at)
        .bind(token_hash)
        .bind(&at)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(email, name, role)| {
            Ok(OpenInvitation {
                email,
                name,
                role: Role::parse(&role).ok_or_else(|| {
                    sqlx::Error::Decode(format!("invitations.role {role:?}").into())
                })?,
            })
        })
        .transpose()
    }
}
