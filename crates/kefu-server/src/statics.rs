//! Static files of `--pkg` and `--www` (served by tower-http's `ServeDir`), made safe to
//! update in place:
//!
//! - A pre-compressed copy (`X.br`, `X.gz`) is served only while it decompresses to exactly
//!   the bytes of `X`. The check (decompress, compare) runs once per version of the pair, a
//!   version being the size, mtime, ctime and inode of both files; a copy left from an older
//!   `X` (the bundle was replaced by `cp`, the copies were not) is ignored with a warning, and
//!   `X` is served as it is (or gzipped on the fly).
//! - Every file gets a strong `ETag` made from the SHA-256 of its content (`"<hash>"`,
//!   `"<hash>-br"`, `"<hash>-gz"` for the brotli/gzip representations), and `If-None-Match`
//!   is answered from it (not from the one-second `Last-Modified`): a rebuilt bundle is a new
//!   ETag, so a browser revalidating its copy (`Cache-Control: no-cache`) gets the new one.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Files larger than this are served without the checks (no ETag, copies as they are).
const MAX_CHECKED: u64 = 64 << 20;
/// Files remembered at most (the cache is emptied when it holds more).
const MAX_REMEMBERED: usize = 4096;

/// The folder served and what is known about its files.
#[derive(Clone)]
pub struct Statics {
    root: Arc<PathBuf>,
    index_html: bool,
    known: Arc<Mutex<HashMap<PathBuf, Known>>>,
}

/// Which version of a file on disk: changes when the file is rewritten or replaced.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Stamp {
    len: u64,
    mtime: Option<SystemTime>,
    #[cfg(unix)]
    ctime: (i64, i64),
    #[cfg(unix)]
    ino: (u64, u64),
}

impl Stamp {
    fn of(m: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: m.len(),
            mtime: m.modified().ok(),
            #[cfg(unix)]
            ctime: (m.ctime(), m.ctime_nsec()),
            #[cfg(unix)]
            ino: (m.dev(), m.ino()),
        }
    }
}

#[derive(Clone)]
struct Known {
    stamp: Stamp,
    hash: String,
    /// Verdict on the `.br` and `.gz` copy of this version: (copy's stamp, matches).
    copies: [Option<(Stamp, bool)>; 2],
}

/// A pre-compressed copy of the requested file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Copy {
    Missing,
    Fresh,
    Stale,
}

/// What the ETag layer found out, handed to the inner layer (request extension).
#[derive(Clone)]
struct Facts {
    hash: String,
    br: Copy,
    gz: Copy,
}

impl Statics {
    /// `index_html`: the file service answers a directory path with its index.html.
    pub fn new(root: &Path, index_html: bool) -> Statics {
        Statics { root: Arc::new(root.to_path_buf()), index_html, known: Arc::default() }
    }

    /// The file a request path names under the root (`None`: not a plain path; the file
    /// service decides what to answer).
    fn file_of(&self, uri_path: &str) -> Option<PathBuf> {
        let decoded = percent_decode(uri_path)?;
        let mut p = self.root.as_ref().clone();
        for seg in decoded.split('/') {
            if seg.is_empty() || seg == "." {
                continue;
            }
            if seg == ".." || seg.contains('\\') || seg.contains(':') || seg.contains('\0') {
                return None;
            }
            p.push(seg);
        }
        if p.is_dir() {
            // The file service answers `dir/` with its index.html (--www) and `dir` with a
            // redirect or 404.
            if !(self.index_html && decoded.ends_with('/')) {
                return None;
            }
            p.push("index.html");
        }
        Some(p)
    }

    /// Content hash of `file` and the state of its copies (blocking: reads files).
    fn facts(&self, file: &Path) -> Option<Facts> {
        let meta = std::fs::metadata(file).ok()?;
        if !meta.is_file() || meta.len() > MAX_CHECKED {
            return None;
        }
        let stamp = Stamp::of(&meta);
        let mut known = self.known.lock().unwrap().get(file).cloned().filter(|k| k.stamp == stamp);
        let mut body: Option<Vec<u8>> = None;
        if known.is_none() {
            let bytes = std::fs::read(file).ok()?;
            known = Some(Known { stamp, hash: hex(&Sha256::digest(&bytes)[..16]), copies: [None, None] });
            body = Some(bytes);
        }
        let mut known = known.unwrap();
        let mut states = [Copy::Missing; 2];
        for (i, ext) in ["br", "gz"].into_iter().enumerate() {
            let copy = sibling(file, ext);
            let Some(cmeta) = std::fs::metadata(&copy).ok().filter(|m| m.is_file()) else {
                known.copies[i] = None;
                continue;
            };
            let cstamp = Stamp::of(&cmeta);
            let fresh = match known.copies[i] {
                Some((s, fresh)) if s == cstamp => fresh,
                _ => {
                    if body.is_none() {
                        body = Some(std::fs::read(file).ok()?);
                    }
                    let want = body.as_deref().unwrap();
                    let fresh = std::fs::File::open(&copy).is_ok_and(|f| {
                        let f = std::io::BufReader::new(f);
                        if ext == "br" {
                            same_content(brotli::Decompressor::new(f, 16 << 10), want)
                        } else {
                            same_content(flate2::read::MultiGzDecoder::new(f), want)
                        }
                    });
                    if !fresh {
                        tracing::warn!(
                            copy = %copy.display(),
                            "pre-compressed copy does not match its file (left from an older version?): serving the file itself"
                        );
                    }
                    known.copies[i] = Some((cstamp, fresh));
                    fresh
                }
            };
            states[i] = if fresh { Copy::Fresh } else { Copy::Stale };
        }
        let facts = Facts { hash: known.hash.clone(), br: states[0], gz: states[1] };
        let mut map = self.known.lock().unwrap();
        if map.len() >= MAX_REMEMBERED {
            map.clear();
        }
        map.insert(file.to_path_buf(), known);
        Some(facts)
    }
}

/// Outer layer (around compression): ETag from the content hash, `If-None-Match` answered
/// here, other conditional headers the file service would judge by mtime removed.
pub async fn etags(State(st): State<Statics>, mut req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return next.run(req).await;
    }
    let Some(file) = st.file_of(req.uri().path()) else { return next.run(req).await };
    let facts = {
        let st = st.clone();
        tokio::task::spawn_blocking(move || st.facts(&file)).await.ok().flatten()
    };
    let Some(facts) = facts else { return next.run(req).await };
    let h = req.headers_mut();
    if let Some(inm) = h.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        if let Some(tag) = matching_tag(inm, &facts.hash) {
            let mut r = StatusCode::NOT_MODIFIED.into_response();
            if let Ok(v) = HeaderValue::from_str(&tag) {
                r.headers_mut().insert(header::ETAG, v);
            }
            r.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            return r;
        }
        // RFC 9110 §13.2.2: with If-None-Match present, If-Modified-Since is ignored.
        h.remove(header::IF_NONE_MATCH);
        h.remove(header::IF_MODIFIED_SINCE);
    }
    if let Some(ir) = h.get(header::IF_RANGE).and_then(|v| v.to_str().ok()) {
        if ir.starts_with('"') || ir.starts_with("W/") {
            // Strong comparison: the range is of this very content, or the whole file is sent.
            let same = !ir.starts_with("W/") && ir.trim_matches('"') == facts.hash;
            if !same {
                h.remove(header::RANGE);
            }
            h.remove(header::IF_RANGE);
        }
    }
    let hash = facts.hash.clone();
    req.extensions_mut().insert(facts);
    let mut r = next.run(req).await;
    if r.status() == StatusCode::OK || r.status() == StatusCode::PARTIAL_CONTENT {
        let suffix = match r.headers().get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()) {
            None | Some("identity") => "",
            Some("br") => "-br",
            Some("gzip") => "-gz",
            Some(_) => "-z",
        };
        if let Ok(v) = HeaderValue::from_str(&format!("\"{hash}{suffix}\"")) {
            r.headers_mut().insert(header::ETAG, v);
        }
        // ServeDir leaves it out on the pre-compressed copies it sends.
        if !r.headers().contains_key(header::VARY) {
            r.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    r
}

/// Inner layer (next to the file service): the encodings whose copy is stale are taken out
/// of `Accept-Encoding`, so the file service serves the file itself (the compression layer
/// above still gzips it on the fly when the shopper's browser asked for gzip).
pub async fn fresh_copies(mut req: Request, next: Next) -> Response {
    let stale = match req.extensions().get::<Facts>() {
        Some(f) => (f.br == Copy::Stale, f.gz == Copy::Stale),
        None => (false, false),
    };
    if stale.0 || stale.1 {
        let h = req.headers_mut();
        let kept: Vec<String> = h
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|t| t.trim())
            .filter(|t| {
                let name = t.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                !(stale.0 && name == "br" || stale.1 && (name == "gzip" || name == "x-gzip"))
            })
            .map(str::to_string)
            .collect();
        h.remove(header::ACCEPT_ENCODING);
        if let Ok(v) = HeaderValue::from_str(&kept.join(", ")) {
            h.insert(header::ACCEPT_ENCODING, v);
        }
    }
    next.run(req).await
}

/// The client's tag (as it sent it) when one of `If-None-Match` is a version of `hash`.
fn matching_tag(inm: &str, hash: &str) -> Option<String> {
    if inm.trim() == "*" {
        return Some(format!("\"{hash}\""));
    }
    inm.split(',').map(str::trim).find_map(|t| {
        let opaque = t.strip_prefix("W/").unwrap_or(t);
        let inner = opaque.strip_prefix('"')?.strip_suffix('"')?;
        let base = inner.strip_suffix("-br").or_else(|| inner.strip_suffix("-gz")).unwrap_or(inner);
        (base == hash).then(|| opaque.to_string())
    })
}

/// `X` → `X.br` / `X.gz`: where a precompressed copy of a file sits (`kefu build` writes
/// them there, this server serves them when they match).
pub fn sibling(file: &Path, ext: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

/// Whether `r` yields exactly `want` (stops at the first difference; a broken stream is not).
fn same_content(mut r: impl Read, want: &[u8]) -> bool {
    let mut buf = vec![0u8; 64 << 10];
    let mut at = 0;
    loop {
        match r.read(&mut buf) {
            Ok(0) => return at == want.len(),
            Ok(n) => {
                if at + n > want.len() || buf[..n] != want[at..at + n] {
                    return false;
                }
                at += n;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `%xx` decoding of a URI path (`None`: not UTF-8 afterwards).
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let h = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = h {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_matching() {
        assert_eq!(matching_tag("\"abc\"", "abc").as_deref(), Some("\"abc\""));
        assert_eq!(matching_tag("W/\"abc-br\", \"x\"", "abc").as_deref(), Some("\"abc-br\""));
        assert_eq!(matching_tag("\"abd-gz\"", "abc"), None);
        assert!(matching_tag("*", "abc").is_some());
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("/a%20b/%2e%2e").as_deref(), Some("/a b/.."));
        assert_eq!(percent_decode("/x%2").as_deref(), Some("/x%2"));
        assert_eq!(percent_decode("%"), Some("%".into()));
    }
}
