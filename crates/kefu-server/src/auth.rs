//! Inbox accounts (argon2id password hashes), sessions (HttpOnly SameSite=Strict cookie whose
//! sha256 is stored) and CSRF tokens (one per session, sent back in `X-CSRF-Token`).

use crate::db::{params, Conn, OptionalExtension};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::HeaderMap;

use crate::error::{ApiError, ApiResult};
use crate::util::{ct_eq, now_ms, random_token, sha256_hex};
use crate::{Role, State};

pub const COOKIE: &str = "kefu_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A logged-in inbox user.
#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    #[serde(skip)]
    pub csrf: String,
}

impl User {
    pub fn is_supervisor(&self) -> bool {
        self.role == Role::Supervisor
    }
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// Validates a user name: 1–32 of letters, digits, `.`, `_`, `-`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 32
        && name.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '_' || c == '-')
}

/// Creates a user or resets its password and role; true when created.
pub fn add_user(conn: &mut Conn, name: &str, role: Role, password: &str) -> anyhow::Result<bool> {
    if !valid_name(name) {
        anyhow::bail!("user name `{name}`: use 1–32 letters, digits, '.', '_' or '-'");
    }
    if password.chars().count() < 10 {
        anyhow::bail!("password too short: use at least 10 characters");
    }
    let hash = hash_password(password)?;
    let existing: Option<i64> =
        conn.query_row("SELECT id FROM users WHERE name = ?1", [name], |r| r.get(0)).optional()?;
    match existing {
        Some(id) => {
            conn.execute(
                "UPDATE users SET pw_hash = ?1, role = ?2, disabled = 0 WHERE id = ?3",
                params![hash, role.as_str(), id],
            )?;
            conn.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
            Ok(false)
        }
        None => {
            conn.execute(
                "INSERT INTO users (name, role, pw_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![name, role.as_str(), hash, now_ms()],
            )?;
            Ok(true)
        }
    }
}

/// Disables a user and ends its sessions; false when there is no such user.
pub fn disable_user(conn: &mut Conn, name: &str) -> anyhow::Result<bool> {
    let n = conn.execute("UPDATE users SET disabled = 1 WHERE name = ?1", [name])?;
    conn.execute("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE name = ?1)", [name])?;
    Ok(n > 0)
}

/// The password for `--add-user`: `KEFU_PASSWORD`, else the first line of stdin.
pub fn password_from_env_or_stdin() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("KEFU_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    eprint!("password: ");
    std::io::stdin().read_line(&mut line)?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        anyhow::bail!("no password: set KEFU_PASSWORD or pass it on standard input");
    }
    Ok(p)
}

// A valid hash to verify against when the user does not exist (same time either way).
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("kefu-dummy-password").unwrap_or_default())
}

/// Checks a name and password; on success creates a session: (cookie value, user).
/// The argon2 check (tens of ms, on purpose) runs outside the database lock: under it, every
/// login attempt would stall the whole API.
pub async fn login(st: &State, name: String, password: String) -> ApiResult<(String, User)> {
    let ttl = st.cfg.session_ttl.as_millis() as i64;
    let lookup = name.clone();
    let row: Option<(i64, String, String, i64)> = st
        .db
        .call(move |c| {
            Ok(c.query_row("SELECT id, role, pw_hash, disabled FROM users WHERE name = ?1", [&lookup], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?)
        })
        .await?;
    let hash = row.as_ref().map_or_else(|| dummy_hash().to_string(), |(_, _, h, _)| h.clone());
    let verified =
        tokio::task::spawn_blocking(move || verify_password(&hash, &password)).await.map_err(ApiError::internal)?;
    let Some((id, role, _, _)) = row.filter(|(_, _, _, disabled)| verified && *disabled == 0) else {
        return Err(ApiError::unauthorized("wrong user name or password"));
    };
    st.db
        .call(move |c| {
            let token = random_token();
            let csrf = random_token();
            let now = now_ms();
            c.execute("DELETE FROM sessions WHERE expires_at < ?1", [now])?;
            // Disabled while the password was checked: no session.
            let disabled: Option<i64> =
                c.query_row("SELECT disabled FROM users WHERE id = ?1", [id], |r| r.get(0)).optional()?;
            if disabled != Some(0) {
                return Err(ApiError::unauthorized("wrong user name or password"));
            }
            c.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![sha256_hex(token.as_bytes()), id, csrf, now, now + ttl],
            )?;
            let role = Role::parse(&role).unwrap_or(Role::Agent);
            Ok((token, User { id, name, role, csrf }))
        })
        .await
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    for h in headers.get_all(axum::http::header::COOKIE) {
        let Ok(s) = h.to_str() else { continue };
        for part in s.split(';') {
            if let Some((k, v)) = part.trim().split_once('=') {
                if k == COOKIE && !v.is_empty() {
                    return Some(v.to_string());
                }
            }
        }
    }
    None
}

/// The session's user, or 401.
pub async fn require_user(st: &State, headers: &HeaderMap) -> ApiResult<User> {
    let token = cookie_value(headers).ok_or_else(|| ApiError::unauthorized("login required"))?;
    let hash = sha256_hex(token.as_bytes());
    st.db
        .call(move |c| {
            let row = c
                .query_row(
                    "SELECT u.id, u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id \
                     WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0",
                    params![hash, now_ms()],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                        ))
                    },
                )
                .optional()?;
            let (id, name, role, csrf) = row.ok_or_else(|| ApiError::unauthorized("login required"))?;
            Ok(User { id, name, role: Role::parse(&role).unwrap_or(Role::Agent), csrf })
        })
        .await
}

/// The session's user for a state-changing request: also checks `X-CSRF-Token`.
pub async fn require_user_csrf(st: &State, headers: &HeaderMap) -> ApiResult<User> {
    let user = require_user(st, headers).await?;
    let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    if sent.is_empty() || !ct_eq(sent, &user.csrf) {
        return Err(ApiError::forbidden("csrf", "missing or wrong X-CSRF-Token"));
    }
    Ok(user)
}

/// Ends the current session.
pub async fn logout(st: &State, headers: &HeaderMap) -> ApiResult<()> {
    if let Some(token) = cookie_value(headers) {
        let hash = sha256_hex(token.as_bytes());
        st.db.call(move |c| Ok(c.execute("DELETE FROM sessions WHERE token_hash = ?1", [hash])?)).await?;
    }
    Ok(())
}

/// `Set-Cookie` value for a new session (or an expired one when `token` is empty).
pub fn session_cookie(token: &str, max_age_secs: u64, secure: bool) -> String {
    let max_age = if token.is_empty() { 0 } else { max_age_secs };
    format!(
        "{COOKIE}={token}; Path=/inbox; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}
