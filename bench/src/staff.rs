//! A signed-in staff member's requests: sign in once (sign-in is rate-limited
//! per account and per address), then send the session cookie by hand with
//! every request, and the server's own `Origin` with every state-changing
//! one (the same-origin rule for staff routes).

use fieldcase_core::console::{Approve, IntakeDetail, SignIn};
use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};

use crate::Result;

/// The demo's dispatcher (`server/src/demo.rs`, seeded by `serve --demo`;
/// `scripts/bench` signs the demo admin in with curl).
pub const DEMO_DISPATCHER_EMAIL: &str = "dispatcher@fieldcase.example";
pub const DEMO_STAFF_PASSWORD: &str = "demo-password-1";

const SESSION_COOKIE: &str = "fieldcase_session";

#[derive(Clone)]
pub struct Staff {
    pub http: reqwest::Client,
    pub base: String,
    /// `fieldcase_session=…`, as sent back in `Cookie`.
    pub cookie: String,
}

/// `scheme://host[:port]` of a base URL, as a browser sends it in `Origin`.
pub fn origin_of(base: &str) -> String {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let host_len = rest.find('/').unwrap_or(rest.len());
    base[..base.len() - rest.len() + host_len].to_owned()
}

/// The session cookie's `name=value` among a response's `Set-Cookie`s.
pub fn session_cookie<'a>(set_cookies: impl IntoIterator<Item = &'a str>) -> Option<String> {
    set_cookies.into_iter().find_map(|c| {
        let pair = c.split(';').next()?.trim();
        (pair.starts_with(SESSION_COOKIE) && pair[SESSION_COOKIE.len()..].starts_with('='))
            .then(|| pair.to_owned())
    })
}

impl Staff {
    /// Sign in (one attempt: a refusal is an error, never retried).
    pub async fn sign_in(
        http: &reqwest::Client,
        base: &str,
        email: &str,
        password: &str,
    ) -> Result<Self> {
        let resp = http
            .post(format!("{base}/api/v1/session"))
            .header(ORIGIN, origin_of(base))
            .json(&SignIn {
                email: email.to_owned(),
                password: password.to_owned(),
            })
            .send()
            .await?;
        if !resp.status().is_success() {
            let status = resp.status();
            let body = resp.text().await.unwrap_or_default();
            return Err(format!("signing in as {email}: {status} {body}").into());
        }
        let cookie = session_cookie(
            resp.headers()
                .get_all(SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok()),
        )
        .ok_or("signing in set no fieldcase_session cookie")?;
        Ok(Self {
            http: http.clone(),
            base: base.to_owned(),
            cookie,
        })
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .header(ORIGIN, origin_of(&self.base))
    }

    /// Approve an intake at its current revision, as a dispatcher on the
    /// intake page does (read it, then approve what was read). A `500` is
    /// retried, as the dispatcher would (its message says to), at most
    /// [`APPROVE_ATTEMPTS`] times in all: answers how many were retried.
    pub async fn approve(&self, id: uuid::Uuid) -> Result<u32> {
        let mut retried = 0;
        loop {
            let detail: IntakeDetail = self
                .get(&format!("/api/v1/console/intakes/{id}"))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            let resp = self
                .post(&format!("/api/v1/console/intakes/{id}/approve"))
                .json(&Approve {
                    revision: detail.revision,
                })
                .send()
                .await?;
            let status = resp.status();
            if status.is_success() {
                return Ok(retried);
            }
            let body = resp.text().await.unwrap_or_default();
            if !status.is_server_error() || retried + 1 >= APPROVE_ATTEMPTS {
                return Err(format!("approving {id}: {status} {body}").into());
            }
            retried += 1;
            tokio::time::sleep(std::time::Duration::from_millis(20 * u64::from(retried))).await;
        }
    }
}

/// Attempts at one approval before giving up.
pub const APPROVE_ATTEMPTS: u32 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_the_session_cookie() {
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(
            origin_of("http://127.0.0.1:8080/x/y"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            session_cookie([
                "other=1; Path=/",
                "fieldcase_session_x=2",
                "fieldcase_session=abc.def; HttpOnly; SameSite=Lax; Path=/",
            ])
            .as_deref(),
            Some("fieldcase_session=abc.def")
        );
        assert_eq!(session_cookie(["other=1"]), None);
    }
}
