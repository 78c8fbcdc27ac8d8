//! `kefu eval FILE.tsv`: build from the kb rows, ask every query row, print the metrics.

use crate::source;
use anyhow::{Context, Result};
use kefu_core::build::{build, BuildOptions};
use kefu_core::eval::{report, score};
use kefu_core::reply::{respond, Conversation, Now, Thresholds};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// An evaluation TSV (`split id label text`).
    pub file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also list the N slowest queries with their times (text output only).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub slowest: usize,
    /// Write the top 5 entries of every query (line, query, rank, id, score) to this TSV: the
    /// native side of the browser parity test.
    #[arg(long, value_name = "TSV")]
    pub rankings: Option<PathBuf>,
    /// Write the bundle the queries were asked of to this file.
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// Write every query's outcome (line, label, top entry, confidence, decision, answered
    /// right) to this TSV: for reading where the threshold and the ranking lose questions.
    #[arg(long, value_name = "TSV")]
    pub outcomes: Option<PathBuf>,
    /// Give the entries answer texts, as a real KB has (the answer is searched too): a TSV with
    /// a header holding `label` and `answer` columns, such as bitext's `kb_answers.tsv`; the
    /// first answer of each label is its entry's.
    #[arg(long, value_name = "TSV")]
    pub answers: Option<PathBuf>,
}

/// Sets each entry's answer from `path` (see [`Args::answers`]); how many entries got one.
fn add_answers(kb: &mut kefu_core::kb::Kb, path: &std::path::Path) -> Result<usize> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let answers = kefu_core::kb::table::read_answers(&text)
        .map_err(|(line, msg)| anyhow::anyhow!("{}:{line}: {msg}", path.display()))?;
    Ok(kefu_core::kb::table::give_answers(&mut kb.entries, &answers))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = source::load(&args.file)?;
    // Errors first: a bad row can be why there are no queries.
    if loaded.errors() > 0 {
        source::print_diagnostics(&loaded.diagnostics);
        anyhow::bail!("{}: {} errors", args.file.display(), loaded.errors());
    }
    if loaded.queries.is_empty() {
        anyhow::bail!("{}: no query rows to evaluate", args.file.display());
    }
    let mut loaded = loaded;
    if let Some(path) = &args.answers {
        let given = add_answers(&mut loaded.kb, path)?;
        eprintln!("{given} of {} entries got an answer from {}", loaded.kb.entries.len(), path.display());
    }
    let t0 = Instant::now();
    let (bytes, engine) = build(
        &loaded.kb,
        &BuildOptions { source_hash: loaded.source_hash.clone(), ..Default::default() },
        &mut |_, _| {},
    )?;
    let build_secs = t0.elapsed().as_secs_f64();
    if let Some(path) = &args.bundle {
        std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    let mut rankings = String::new();
    let mut outcome_lines = String::from("line\tlabel\ttop\tconfidence\tdecision\tanswered_right\n");
    let t = Thresholds::of(&engine);
    let mut outcomes = Vec::with_capacity(loaded.queries.len());
    // Why in-scope queries whose top entry was right got no direct answer.
    let mut lost: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for q in &loaded.queries {
        let start = Instant::now();
        let ranking = engine.search(&q.text, 10);
        let micros = start.elapsed().as_secs_f64() * 1e6;
        if args.rankings.is_some() {
            rankings_lines(&mut rankings, &engine, q, &ranking);
        }
        let mut o = score(&engine, q, &ranking, micros, &t);
        // The decision mix is the shipped policy's: `respond` (triage, asks, small talk,
        // hand-offs) on a fresh conversation. A direct answer is right when its entry has the
        // query's label.
        let reply = respond(&engine, &mut Conversation::default(), &q.text, Now::default());
        o.decided(&engine, q, &reply.decision);
        if o.top1 && !o.answered_right {
            let why = if o.confidence < t.answer_min {
                "confidence below the threshold".to_string()
            } else if ranking.hits.first().is_some_and(|h| h.coverage < t.coverage_min) {
                "coverage floor".to_string()
            } else {
                format!("policy: {:?} → {}", reply.triage, reply.decision.kind())
            };
            *lost.entry(why).or_default() += 1;
        }
        if args.outcomes.is_some() {
            let top = ranking.hits.first().and_then(|h| engine.entry(h.entry)).map_or("", |e| e.id.as_str());
            let _ = writeln!(
                outcome_lines,
                "{}\t{}\t{}\t{:.6}\t{}\t{}",
                q.line, q.label, top, o.confidence, o.decision, o.answered_right
            );
        }
        outcomes.push(o);
    }
    if let Some(path) = &args.outcomes {
        std::fs::write(path, outcome_lines).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.rankings {
        std::fs::write(path, rankings).with_context(|| format!("writing {}", path.display()))?;
    }
    let r = report(&outcomes, t.answer_min);
    if args.json {
        let out = serde_json::json!({
            "file": args.file.display().to_string(),
            "entries": engine.manifest().entries.len(),
            "kb_rows": engine.manifest().question_count,
            "bundle_bytes": bytes.len(),
            "build_seconds": build_secs,
            "report": r,
            "right_but_not_answered": lost,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    println!("{}", args.file.display());
    println!(
        "  kb: {} entries, {} rows → bundle {} bytes, built in {:.2} s",
        engine.manifest().entries.len(),
        engine.manifest().question_count,
        bytes.len(),
        build_secs
    );
    println!("  queries: {} ({} in scope)", r.queries, r.in_scope);
    println!("  acc@1 {}   R@3 {}", pct(r.acc_at_1), pct(r.recall_at_3));
    println!(
        "  shipped policy (answer ≥ {:.2}): self-service {}   wrong answers {}",
        r.answer_min,
        pct(r.self_service),
        pct(r.wrong_rate)
    );
    println!("  oracle self-service at ≤5% wrong: {}", pct(r.oracle_self_service_at_5));
    println!(
        "  one tap (answered right, or the entry among \"did you mean\" choices): {}   out of scope offered a \"did you mean\": {}",
        pct(r.one_tap),
        pct(r.offered_out_of_scope)
    );
    println!(
        "  decisions: {}",
        r.decisions.iter().filter(|(_, n)| *n > 0).map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
    );
    if !lost.is_empty() {
        println!(
            "  right at the top but not answered: {}",
            lost.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
        );
    }
    println!("  latency per query: p50 {:.3} ms   p99 {:.3} ms", r.p50_ms, r.p99_ms);
    println!("  risk–coverage (confidence threshold → answered, self-service, wrong):");
    for row in &r.risk_coverage {
        println!(
            "    ≥ {:.2}  {:>6}  {:>6}  {:>6}",
            row.threshold,
            pct(row.answered),
            pct(row.self_service),
            pct(row.wrong_rate)
        );
    }
    if args.slowest > 0 {
        // Outcomes are in query order: sort their indices by the time each one recorded.
        let mut order: Vec<usize> = (0..outcomes.len()).collect();
        order.sort_by(|&a, &b| outcomes[b].micros.total_cmp(&outcomes[a].micros));
        println!("  slowest queries:");
        for &i in order.iter().take(args.slowest) {
            println!("    {:>8.3} ms  {}", outcomes[i].micros / 1000.0, loaded.queries[i].text);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One query's top 5 as TSV lines (`line, query, rank, id, score`; rank 0 and `-` when
/// nothing matched). Scores print in Rust's shortest round-trip form, so the reader gets the
/// exact f32 back.
fn rankings_lines(
    out: &mut String,
    engine: &kefu_core::Engine,
    q: &kefu_core::kb::table::EvalQuery,
    r: &kefu_core::Ranking,
) {
    if r.hits.is_empty() {
        let _ = writeln!(out, "{}\t{}\t0\t-\t0", q.line, q.text);
    }
    for (i, h) in r.hits.iter().take(5).enumerate() {
        let id = engine.entry(h.entry).map(|e| e.id.as_str()).unwrap_or("?");
        let _ = writeln!(out, "{}\t{}\t{}\t{}\t{}", q.line, q.text, i + 1, id, h.score);
    }
}
