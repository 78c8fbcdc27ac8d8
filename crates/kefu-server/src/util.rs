//! Small helpers: clock, random tokens, hashing, durations.

use sha2::{Digest, Sha256};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> String {
    hex(&rand::random::<[u8; 32]>())
}

pub fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Compares two secrets without an early exit.
pub fn ct_eq(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Parses `90s`, `3m`, `1h`, `2d` or a plain number of seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: u64 = num.parse().map_err(|_| format!("bad duration `{s}` (use e.g. 90s, 3m, 1h, 2d)"))?;
    let secs = match unit {
        "s" => n,
        "m" | "min" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => return Err(format!("bad duration unit in `{s}` (s, m, h, d)")),
    };
    Ok(std::time::Duration::from_secs(secs))
}

/// Parses a canonical UUID from a path segment; anything else (`../../etc/passwd`) is refused.
pub fn parse_uuid(s: &str, what: &str) -> Result<String, crate::error::ApiError> {
    match uuid::Uuid::try_parse(s) {
        Ok(u) if s.len() == 36 => Ok(u.hyphenated().to_string()),
        _ => Err(crate::error::ApiError::bad_request("invalid_id", format!("{what} must be a UUID (8-4-4-4-12 hex)"))
            .field(what.to_string())),
    }
}

/// The file name of a stored photo's thumbnail, beside it in `<data>/attachments/`: made on
/// its first request, deleted with the photo.
pub fn thumb_file(file: &str) -> String {
    format!("{file}{THUMB_SUFFIX}")
}

/// What [`thumb_file`] appends to the photo's file name.
pub const THUMB_SUFFIX: &str = ".thumb.jpg";

/// The bytes of a stored photo (`file`, a server-generated name in `<data>/attachments/`).
/// A failure is logged with the path and the OS error; the client gets the plain 500.
pub async fn read_photo(data_dir: &std::path::Path, file: &str) -> crate::error::ApiResult<Vec<u8>> {
    let path = data_dir.join("attachments").join(file);
    tokio::fs::read(&path)
        .await
        .map_err(|e| crate::error::ApiError::internal(format!("reading photo {}: {e}", path.display())))
}
