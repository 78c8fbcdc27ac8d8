//! `kefu playground KB_DIR`: a local page where content staff type a question and see what
//! the widget would say, the ranking, the confidence against the thresholds, and why (the
//! analyzed terms, typo corrections, which terms the top entry matched). The KB is built in
//! memory and rebuilt on every save (`crate::watch`, as `kefu build --watch`); a save with
//! errors keeps serving the last good build and the page shows the errors with file:line.
//!
//! The page is one HTML, one JS and one CSS file embedded in the binary, served under
//! `Content-Security-Policy: default-src 'self'`; the script puts every KB or shopper text in
//! the page with `textContent`.

use crate::source;
use anyhow::{Context, Result};
use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kefu_core::analyze::{is_han_stopchar, is_stopword, TermKind};
use kefu_core::build::{build, BuildOptions};
use kefu_core::kb::{Kb, Severity};
use kefu_core::reply::{Decision, MAX_MESSAGE_CHARS};
use kefu_core::Engine;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, RwLock};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// KB folder or file (.md, .csv, .tsv), as for `kefu build`.
    pub kb: PathBuf,
    /// Address to listen on (port 0: any free port; the address is printed on stdout).
    #[arg(long, default_value = "127.0.0.1:8089")]
    pub addr: String,
    /// How many entries of the ranking to show.
    #[arg(short = 'n', long, default_value_t = 5)]
    pub top: usize,
}

const PAGE: &str = include_str!("playground/index.html");
const SCRIPT: &str = include_str!("playground/playground.js");
const STYLE: &str = include_str!("playground/playground.css");

/// One good build, kept until the next good one replaces it.
struct Built {
    engine: Engine,
    /// The sources as read: the questions of an entry, to tell which query terms it matched.
    kb: Kb,
    questions: u64,
    bytes: usize,
    /// Wall-clock seconds since the epoch when this build finished.
    built_at: u64,
    millis: u64,
    warnings: Vec<String>,
}

/// The state behind the page: the last good build and how the last attempt went.
#[derive(Default)]
struct Status {
    good: Option<Arc<Built>>,
    /// Errors of the last attempt (empty when it succeeded).
    errors: Vec<String>,
    /// Builds attempted so far (the page re-asks when it changes).
    generation: u64,
    /// Wall-clock seconds of the last attempt.
    attempted_at: u64,
}

struct Shared {
    status: RwLock<Status>,
    top: usize,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let shared = Arc::new(Shared { status: RwLock::new(Status::default()), top: args.top.max(1) });
    let baseline = crate::watch::snapshot(&args.kb);
    rebuild(&args.kb, &shared);
    {
        let s = shared.status.read().unwrap();
        for e in &s.errors {
            eprintln!("{e}");
        }
    }
    // The watcher: a plain thread, polling (see crate::watch).
    let (src, watched) = (args.kb.clone(), shared.clone());
    std::thread::spawn(move || {
        crate::watch::watch(&src, &[], baseline, crate::watch::INTERVAL, || {
            rebuild(&src, &watched);
            let s = watched.status.read().unwrap();
            let stamp = super::build_watch::clock();
            // A closed stdout must not stop the watcher: no println! here.
            let mut out = std::io::stdout().lock();
            let _ = match (&s.good, s.errors.len()) {
                (Some(b), 0) => writeln!(
                    out,
                    "{stamp} rebuilt: {} entries, {} questions in {} ms",
                    b.engine.manifest().entries.len(),
                    b.questions,
                    b.millis
                ),
                (_, n) => writeln!(out, "{stamp} build failed ({n} errors); still serving the last good build"),
            };
            let _ = out.flush();
            true
        })
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(serve(args, shared))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(args: Args, shared: Arc<Shared>) -> Result<()> {
    let listener =
        tokio::net::TcpListener::bind(&args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    println!("kefu playground: http://{addr}/ (watching {}; Ctrl-C ends)", args.kb.display());
    let _ = std::io::stdout().flush();
    let hosts = Arc::new(Hosts::new(&args.addr, addr));
    let app = Router::new()
        .route("/", get(|| async { asset("text/html; charset=utf-8", PAGE) }))
        .route("/playground.js", get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }))
        .route("/playground.css", get(|| async { asset("text/css; charset=utf-8", STYLE) }))
        .route("/api/status", get(status))
        .route("/api/ask", post(ask))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(move |req: axum::extract::Request, next: axum::middleware::Next| {
            let hosts = hosts.clone();
            async move {
                let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
                if hosts.allows(host) {
                    return next.run(req).await;
                }
                let message = format!(
                    "this is kefu playground at http://{}/; it answers only requests addressed to that address, \
                     localhost, 127.0.0.1 or [::1], not to `{}` (a guard against DNS rebinding: a web page \
                     reading your KB through a name of its own)",
                    hosts.shown,
                    host.escape_debug()
                );
                json_response(StatusCode::MISDIRECTED_REQUEST, &json!({ "error": message }))
            }
        }))
        .with_state(shared);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the playground server stopped")
}

/// Largest request body: a conversation of many messages of [`MAX_MESSAGE_CHARS`] fits.
const MAX_BODY: usize = 1 << 20;

/// The `Host` values the playground answers (DNS rebinding: a page on `evil.example` whose
/// name is made to resolve to 127.0.0.1 could otherwise read `/api/status` and `/api/ask`):
/// the bound address, the host name given to `--addr`, `localhost`, `127.0.0.1` and `[::1]`,
/// with any port or none. Bound to every interface (`0.0.0.0`, `[::]`), any IP address is
/// answered too (an address is not a name an attacker's DNS can point elsewhere).
struct Hosts {
    names: Vec<String>,
    any_ip: bool,
    /// The address for messages.
    shown: String,
}

impl Hosts {
    fn new(given: &str, bound: std::net::SocketAddr) -> Hosts {
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "[::1]"].iter().map(|s| s.to_string()).collect();
        names.push(match bound.ip() {
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        });
        if let Some((name, _)) = given.rsplit_once(':') {
            names.push(name.to_ascii_lowercase());
        }
        Hosts { names, any_ip: bound.ip().is_unspecified(), shown: bound.to_string() }
    }

    fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        // Without its port: "[::1]:8089" → "[::1]", "localhost:8089" → "localhost".
        let name = match host.rsplit_once(':') {
            Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty() => {
                if name.starts_with('[') || !name.contains(':') {
                    name
                } else {
                    // A bare IPv6 address ("::1"): no port in it.
                    host.as_str()
                }
            }
            _ => host.as_str(),
        };
        let name = name.strip_suffix('.').unwrap_or(name);
        if name.is_empty() {
            return false;
        }
        if self.names.iter().any(|n| n == name) {
            return true;
        }
        self.any_ip && name.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().is_ok()
    }
}

/// A response with the playground's headers: strict CSP, no sniffing, no caching.
fn asset(content_type: &'static str, body: impl Into<String>) -> Response {
    let mut r = body.into().into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'self'"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(HeaderName::from_static("referrer-policy"), HeaderValue::from_static("no-referrer"));
    r
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = asset("application/json", v.to_string());
    *r.status_mut() = status;
    r
}

/// Loads and builds the KB; on success the new engine replaces the old one at once, on
/// errors the old one stays and the errors are recorded.
fn rebuild(src: &Path, shared: &Shared) {
    // A panic inside the build must not end the watcher: it is one more failed build.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build_once(src)))
        .unwrap_or_else(|_| Err(vec![format!("{}: the build failed unexpectedly (a bug in kefu)", src.display())]));
    let mut s = shared.status.write().unwrap();
    s.generation += 1;
    s.attempted_at = unix_now();
    match result {
        Ok(built) => {
            s.good = Some(Arc::new(built));
            s.errors.clear();
        }
        Err(errors) => s.errors = errors,
    }
}

fn build_once(src: &Path) -> Result<Built, Vec<String>> {
    let start = Instant::now();
    let loaded = source::load(src).map_err(|e| vec![format!("{e:#}")])?;
    let diags = source::in_fixing_order(&loaded.diagnostics);
    let errors: Vec<String> = diags.iter().filter(|d| d.severity == Severity::Error).map(|d| d.to_string()).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let warnings = diags.iter().map(|d| d.to_string()).collect();
    let opts = BuildOptions {
        built_at: source::build_time(&loaded),
        source_hash: loaded.source_hash.clone(),
        skip_calibration: false,
    };
    let (bytes, engine) =
        build(&loaded.kb, &opts, &mut |_, _| {}).map_err(|e| vec![format!("{}: {e}", src.display())])?;
    Ok(Built {
        engine,
        questions: loaded.kb.entries.iter().map(|e| e.questions.len() as u64).sum(),
        kb: loaded.kb,
        bytes: bytes.len(),
        built_at: unix_now(),
        millis: start.elapsed().as_millis() as u64,
        warnings,
    })
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn build_info(s: &Status) -> Value {
    let good = s.good.as_deref();
    json!({
        "ok": s.errors.is_empty(),
        "generation": s.generation,
        "attempted_at": s.attempted_at,
        "entries": good.map_or(0, |b| b.engine.manifest().entries.len()),
        "questions": good.map_or(0, |b| b.questions),
        "bytes": good.map_or(0, |b| b.bytes),
        "built_at": good.map(|b| b.built_at),
        "millis": good.map(|b| b.millis),
        "errors": s.errors,
        "warnings": good.map_or(&[][..], |b| &b.warnings[..]),
    })
}

async fn status(State(shared): State<Arc<Shared>>) -> Response {
    let s = shared.status.read().unwrap();
    json_response(StatusCode::OK, &json!({ "build": build_info(&s) }))
}

#[derive(serde::Deserialize)]
struct AskRequest {
    messages: Vec<String>,
}

async fn ask(
    State(shared): State<Arc<Shared>>,
    req: Result<Json<AskRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let (good, info) = {
        let s = shared.status.read().unwrap();
        (s.good.clone(), build_info(&s))
    };
    // Every refusal is JSON with an `error` the page can show.
    let req = match req {
        Ok(Json(req)) => req,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let error = format!(
                "the request is larger than {} KB: the widget reads at most {MAX_MESSAGE_CHARS} characters of a message; \
                 shorten the question",
                MAX_BODY / 1024
            );
            return json_response(StatusCode::PAYLOAD_TOO_LARGE, &json!({"error": error, "build": info}));
        }
        Err(e) => return json_response(e.status(), &json!({"error": e.body_text(), "build": info})),
    };
    let messages: Vec<String> = req.messages.into_iter().filter(|m| !m.trim().is_empty()).collect();
    if messages.is_empty() {
        return json_response(StatusCode::BAD_REQUEST, &json!({"error": "no message to ask", "build": info}));
    }
    if let Some((i, n)) =
        messages.iter().map(|m| m.trim().chars().count()).enumerate().find(|&(_, n)| n > MAX_MESSAGE_CHARS)
    {
        let which =
            if i + 1 == messages.len() { "the question".to_string() } else { format!("earlier message {}", i + 1) };
        let error = format!(
            "{which} is {n} characters long: the widget reads at most {MAX_MESSAGE_CHARS} characters of a message, \
             so the playground asks only up to that; shorten it"
        );
        return json_response(StatusCode::PAYLOAD_TOO_LARGE, &json!({"error": error, "build": info}));
    }
    let Some(built) = good else {
        return json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({"error": "no good build yet: fix the errors below", "build": info}),
        );
    };
    let top = shared.top;
    // Searching is CPU work: off the async threads.
    let answer = tokio::task::spawn_blocking(move || explain(&built, &messages, top)).await;
    match answer {
        Ok(Ok(mut v)) => {
            v["build"] = info;
            json_response(StatusCode::OK, &v)
        }
        Ok(Err(e)) => {
            json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({"error": format!("{e:#}"), "build": info}))
        }
        Err(e) => json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({"error": e.to_string(), "build": info})),
    }
}

/// The reply to the last message (after the earlier ones), with the ranking and the why.
fn explain(built: &Built, messages: &[String], top: usize) -> Result<Value> {
    let engine = &built.engine;
    let last = messages.last().map(String::as_str).unwrap_or_default();
    let super::ask::Look { ranking, thresholds: t, confidence, reply, .. } =
        super::ask::look(engine, messages, top, None)?;
    let hits: Vec<Value> = ranking
        .hits
        .iter()
        .take(top)
        .filter_map(|h| {
            let e = engine.entry(h.entry)?;
            Some(json!({
                "id": e.id, "title": e.title, "score": r3(h.score),
                "coverage": r3(h.coverage), "question_coverage": r3(h.question_coverage),
            }))
        })
        .collect();
    let chosen = match &reply.decision {
        Decision::Answer { entry, .. } => engine.entry(*entry).map(|e| e.id.clone()),
        _ => None,
    };
    let candidates: Vec<String> = match &reply.decision {
        Decision::Clarify { candidates } => {
            candidates.iter().filter_map(|c| engine.entry(*c)).map(|e| e.id.clone()).collect()
        }
        _ => vec![],
    };
    // Which of the query's terms the top entry has: its questions and its answer, analyzed
    // by the same analyzer (through the KB as read, since the bundle keeps no questions).
    let analyzer = engine.analyzer();
    let top_entry = ranking.hits.first().and_then(|h| engine.entry(h.entry));
    let (in_questions, in_answer): (HashSet<String>, HashSet<String>) =
        match top_entry.and_then(|m| built.kb.entries.iter().find(|e| e.id == m.id)) {
            Some(e) => (
                e.questions.iter().flat_map(|q| analyzer.terms(q)).map(|t| t.text).collect(),
                analyzer.terms(&e.answer.plain_text()).into_iter().map(|t| t.text).collect(),
            ),
            None => Default::default(),
        };
    let mut seen = HashSet::new();
    let terms: Vec<Value> = analyzer
        .terms(last)
        .into_iter()
        .filter(|t| seen.insert(t.text.clone()))
        .map(|t| {
            let used = ranking
                .corrections
                .iter()
                .find(|(typed, _)| *typed == t.text)
                .map_or_else(|| t.text.clone(), |(_, used)| used.clone());
            let (kind, stop) = match t.kind {
                TermKind::Word => ("word", is_stopword(&t.text)),
                TermKind::HanUnigram => ("han", is_han_stopchar(&t.text)),
                TermKind::HanBigram => ("han-pair", false),
                TermKind::Joined { .. } => ("joined", is_stopword(&t.text)),
            };
            let matched = if in_questions.contains(&used) {
                Some("question")
            } else if in_answer.contains(&used) {
                Some("answer")
            } else {
                None
            };
            json!({"term": t.text, "used": used, "kind": kind, "stopword": stop, "matched": matched})
        })
        .collect();
    // Each typed word and what the index sees of it (normalised, synonyms folded, stemmed).
    let words: Vec<Value> = last
        .split_whitespace()
        .map(|w| json!({"typed": w, "terms": analyzer.terms(w).into_iter().map(|t| t.text).collect::<Vec<_>>()}))
        .collect();
    Ok(json!({
        "reply": super::chat::say(engine, &reply),
        "decision": reply.decision.kind(),
        "entry": chosen,
        "candidates": candidates,
        "triage": format!("{:?}", reply.triage),
        "confidence": r3(confidence),
        "answer_min": r3(t.answer_min),
        "clarify_min": r3(t.clarify_min),
        "margin_min": r3(t.margin_min),
        "coverage_min": r3(t.coverage_min),
        "margin": r3(ranking.margin()),
        "known": r3(ranking.known),
        "hits": hits,
        "top_entry": top_entry.map(|e| e.id.clone()),
        "corrections": ranking.corrections,
        "terms": terms,
        "words": words,
    }))
}

/// A score for people: three decimals (f32 noise would show as 0.44999998807907104).
fn r3(x: f32) -> f64 {
    (x as f64 * 1000.0).round() / 1000.0
}
