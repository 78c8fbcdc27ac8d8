//! `kefu ask BUNDLE "question"`: the ranking, the decision, and the reply exactly as the
//! widget would word it. Earlier messages of the conversation may come first
//! (`kefu ask kb.kefu "my order 2024112312345678" "where is it"`): every message goes through
//! the same `respond` call as in the widget, and the reply to the last one is shown.

use anyhow::{Context, Result};
use kefu_core::reply::{Decision, Reply, Thresholds};
use kefu_core::{Engine, Ranking};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// The bundle (.kefu).
    pub bundle: PathBuf,
    /// The shopper's message (quote it); when several are given, the earlier ones are the
    /// conversation so far and the last one is asked. Several single words get a hint on
    /// stderr (quotes forgotten?); an empty message is refused.
    #[arg(required = true, num_args = 1..)]
    pub question: Vec<String>,
    /// How many entries to list.
    #[arg(short = 'n', long, default_value_t = 5)]
    pub top: usize,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Reply as at this moment (Unix milliseconds, UTC) instead of now: service hours and
    /// promises depend on the time (the browser parity test pins it).
    #[arg(long, value_name = "UNIX_MS", hide = true)]
    pub now_ms: Option<i64>,
}

/// What `kefu ask` and the playground show for a conversation: the ranking of the last
/// message as typed, the thresholds and confidence, and the widget's reply.
pub struct Look {
    pub ranking: Ranking,
    /// Time of the search alone.
    pub took: std::time::Duration,
    pub thresholds: Thresholds,
    pub confidence: f32,
    pub reply: Reply,
}

/// Ranks the last message (a damaged index is an error here) and replies to every message
/// in turn through the widget's own path (facts, triage, retrieval, policy).
pub fn look(engine: &Engine, messages: &[String], top: usize, now_ms: Option<i64>) -> Result<Look> {
    let last = messages.last().map(String::as_str).unwrap_or_default();
    let start = Instant::now();
    let ranking = engine.try_search(last, top.max(3))?;
    let took = start.elapsed();
    let thresholds = Thresholds::of(engine);
    let confidence = engine.manifest().calibration.model.confidence(&ranking);
    let (_, reply) = super::chat::converse_at(engine, messages, 0, now_ms);
    let reply = reply.context("no message to ask")?;
    Ok(Look { ranking, took, thresholds, confidence, reply })
}

/// What to say before asking, if anything: a forgotten pair of quotes (`kefu ask kb.kefu
/// where is my parcel`) asks every word as a message of its own, and the reply and ranking
/// shown are those of the last word.
pub fn hint(messages: &[String]) -> Option<String> {
    let single = |m: &String| !m.trim().is_empty() && !m.trim().contains(char::is_whitespace);
    (messages.len() > 1 && messages.iter().all(single)).then(|| {
        format!(
            "kefu ask: asked {} messages as a conversation (one per argument); quote the question to ask it as one: \"{}\"",
            messages.len(),
            messages.join(" ")
        )
    })
}

pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(i) = args.question.iter().position(|m| m.trim().is_empty()) {
        let which = if args.question.len() == 1 { "the message".to_string() } else { format!("message {}", i + 1) };
        anyhow::bail!("{which} is empty: the widget never sends an empty message; give the shopper's words");
    }
    if let Some(h) = hint(&args.question) {
        eprintln!("{}", super::gaps::printable(&h));
    }
    let engine = super::open_bundle(&args.bundle)?;
    let Look { ranking, took, thresholds: t, confidence, reply } =
        look(&engine, &args.question, args.top, args.now_ms).with_context(|| args.bundle.display().to_string())?;
    let decision = reply.decision.clone();
    if args.json {
        let hits: Vec<_> = ranking
            .hits
            .iter()
            .take(args.top)
            .map(|h| {
                let e = engine.entry(h.entry).expect("hit names an entry");
                serde_json::json!({"id": e.id, "title": e.title, "score": h.score, "coverage": h.coverage})
            })
            .collect();
        let out = serde_json::json!({
            "decision": decision.kind(),
            "entry": match &decision { Decision::Answer { entry, .. } => engine.entry(*entry).map(|e| e.id.clone()), _ => None },
            "triage": format!("{:?}", reply.triage),
            "reply": super::chat::say(&engine, &reply),
            // The policy's reply field by field (what the browser parity test compares).
            "policy": {
                "cue": reply.cue.name(),
                "emotion": format!("{:?}", reply.emotion),
                "locale": reply.locale.tag(),
                "lead": reply.lead,
                "message": reply.message,
                "promise": reply.promise,
                "offer_human": reply.offer_human,
                "masked": reply.masked,
            },
            "confidence": confidence,
            "hits": hits,
            "corrections": ranking.corrections,
            "micros": took.as_micros() as u64,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    for (i, h) in ranking.hits.iter().take(args.top).enumerate() {
        let e = engine.entry(h.entry).expect("hit names an entry");
        println!("{:>2}. {:<28} score {:>6.2}  coverage {:.2}  {}", i + 1, e.id, h.score, h.coverage, e.title);
    }
    if ranking.hits.is_empty() {
        println!("(no entry matches)");
    }
    // A typo fix or a related shop word the KB writes, searched in place of the shopper's.
    for (typed, used) in &ranking.corrections {
        println!("searched as: {typed} → {used}");
    }
    let what = match &decision {
        Decision::Answer { entry, .. } => format!("answer with `{}`", engine.entry(*entry).map_or("?", |e| &e.id)),
        Decision::Clarify { candidates } => format!(
            "clarify: did you mean {}",
            candidates
                .iter()
                .filter_map(|c| engine.entry(*c))
                .map(|e| format!("`{}`", e.id))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Decision::Handoff { reason } => format!("hand over to a human ({reason:?})"),
        Decision::Ask { fact } => format!("ask for the {}", fact.name()),
        Decision::Smalltalk { kind } => format!("small talk ({})", kind.name()),
    };
    println!(
        "decision: {what} (triage {:?}; confidence {confidence:.2}, answer at ≥ {:.2}; {:.2} ms)",
        reply.triage,
        t.answer_min,
        took.as_secs_f64() * 1000.0
    );
    println!("the widget says:");
    print!("{}", super::chat::say(&engine, &reply));
    Ok(ExitCode::SUCCESS)
}
