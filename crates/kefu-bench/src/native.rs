//! Native measurements of kefu and of plain tantivy ([`crate::baseline`]), one child process
//! per system, data set and phase, so each peak RSS (`VmHWM`) belongs to that phase alone:
//!
//! - *build*: read the KB, build (timed), write the index file next to the data (kefu's
//!   bundles are what the browser run loads);
//! - *query*: read the index file, open it from bytes (timed, median of 5), ask every query
//!   once untimed to warm up (at most 50), then every query timed, then score the answers.

use crate::baseline::{self, Baseline, Built};
use crate::data::{self, Dataset, Manifest, Rows};
use crate::metrics::{accuracy, Accuracy, Latency, QueryOutcome};
use anyhow::{bail, Context, Result};
use kefu_core::build::{build, BuildOptions};
use kefu_core::eval::score;
use kefu_core::kb::table::OUT_OF_SCOPE;
use kefu_core::reply::{respond, Conversation, Decision, Now, Thresholds};
use kefu_core::Engine;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The native systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum System {
    Kefu,
    Tantivy,
}

impl System {
    pub fn name(self) -> &'static str {
        match self {
            System::Kefu => "kefu",
            System::Tantivy => "tantivy",
        }
    }
    fn ext(self) -> &'static str {
        match self {
            System::Kefu => "kefu",
            System::Tantivy => "tantivy",
        }
    }
}

/// The phases, each run in its own process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Phase {
    Build,
    Query,
}

/// Figures of the build phase.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildFigures {
    /// Wall time of the build a user runs (kefu: `kefu build`, calibration included).
    pub build_s: f64,
    /// kefu: the index alone, without the reply policy's calibration. tantivy: = `build_s`.
    pub index_build_s: f64,
    /// KB rows per second of `build_s`.
    pub rows_per_s: f64,
    /// KB rows per second of `index_build_s`.
    pub index_rows_per_s: f64,
    /// Size of what is shipped or loaded (kefu: the bundle; tantivy: its index files).
    pub index_bytes: usize,
    pub peak_rss_kb: u64,
}

/// Figures of the query phase.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryFigures {
    /// Opening the index from bytes in memory: the first open and the median of 5.
    pub load_first_ms: f64,
    pub load_ms: f64,
    /// Search latency (kefu: `Engine::search`, 10 entries; tantivy: parse + top docs + group).
    pub latency: Latency,
    /// kefu only: the whole reply policy per message (`respond`, search included).
    pub reply_latency: Option<Latency>,
    pub accuracy: Option<Accuracy>,
    /// kefu only: how many messages got each decision of the shipped policy.
    pub decisions: Vec<(String, usize)>,
    pub peak_rss_kb: u64,
}

/// One system on one data set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NativeRun {
    pub system: System,
    pub dataset: String,
    pub kb_rows: usize,
    pub build: BuildFigures,
    pub query: QueryFigures,
}

/// Peak resident set of this process (`VmHWM`), in KiB; 0 where /proc is missing.
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Where a system's index file for a data set lives.
pub fn index_path(dir: &Path, system: System, ds: &str) -> PathBuf {
    dir.join("bundles").join(format!("{ds}.{}", system.ext()))
}

/// How many queries are asked untimed before timing.
pub const WARM_UP: usize = 50;

/// Runs one phase in this process and returns its JSON (the child side of [`run_all`]).
pub fn run_phase(dir: &Path, ds: &Dataset, system: System, phase: Phase) -> Result<serde_json::Value> {
    let v = match (system, phase) {
        (System::Kefu, Phase::Build) => serde_json::to_value(build_kefu(dir, ds)?)?,
        (System::Tantivy, Phase::Build) => serde_json::to_value(build_tantivy(dir, ds)?)?,
        (System::Kefu, Phase::Query) => serde_json::to_value(query_kefu(dir, ds)?)?,
        (System::Tantivy, Phase::Query) => serde_json::to_value(query_tantivy(dir, ds)?)?,
    };
    Ok(v)
}

fn write_index(dir: &Path, system: System, ds: &str, bytes: &[u8]) -> Result<()> {
    let path = index_path(dir, system, ds);
    std::fs::create_dir_all(path.parent().unwrap_or(dir))?;
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn build_kefu(dir: &Path, ds: &Dataset) -> Result<BuildFigures> {
    let kb = data::kefu_kb(dir, ds)?;
    let rows: usize = kb.entries.iter().map(|e| e.questions.len()).sum();
    let opts = BuildOptions { source_hash: ds.name.clone(), ..Default::default() };
    let t = Instant::now();
    let (bytes, _engine) = build(&kb, &opts, &mut |_, _| {}).with_context(|| format!("{}: build failed", ds.name))?;
    let build_s = t.elapsed().as_secs_f64();
    drop(_engine);
    write_index(dir, System::Kefu, &ds.name, &bytes)?;
    let t = Instant::now();
    let (_b, _e) = build(&kb, &BuildOptions { skip_calibration: true, ..opts }, &mut |_, _| {})?;
    let index_build_s = t.elapsed().as_secs_f64();
    Ok(BuildFigures {
        build_s,
        index_build_s,
        rows_per_s: rows as f64 / build_s,
        index_rows_per_s: rows as f64 / index_build_s,
        index_bytes: bytes.len(),
        peak_rss_kb: peak_rss_kb(),
    })
}

fn build_tantivy(dir: &Path, ds: &Dataset) -> Result<BuildFigures> {
    let rows = Rows::read(&dir.join(&ds.tsv))?;
    let t = Instant::now();
    let built = baseline::build(&rows.kb).with_context(|| format!("{}: tantivy build failed", ds.name))?;
    let build_s = t.elapsed().as_secs_f64();
    write_index(dir, System::Tantivy, &ds.name, &built.to_bytes())?;
    let per_s = rows.kb.len() as f64 / build_s;
    Ok(BuildFigures {
        build_s,
        index_build_s: build_s,
        rows_per_s: per_s,
        index_rows_per_s: per_s,
        index_bytes: built.index_bytes(),
        peak_rss_kb: peak_rss_kb(),
    })
}

fn read_index(dir: &Path, system: System, ds: &str) -> Result<Vec<u8>> {
    let path = index_path(dir, system, ds);
    std::fs::read(&path).with_context(|| format!("cannot read {} (run the build phase first)", path.display()))
}

/// Times `open` five times: (first, median) in ms, and the last value.
fn time_loads<T>(mut open: impl FnMut() -> Result<T>) -> Result<(f64, f64, T)> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let t = Instant::now();
        let v = open()?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        last = Some(v);
    }
    Ok((times[0], crate::median(&times), last.expect("five loads")))
}

fn query_kefu(dir: &Path, ds: &Dataset) -> Result<QueryFigures> {
    let bytes = read_index(dir, System::Kefu, &ds.name)?;
    let (load_first_ms, load_ms, engine) =
        time_loads(|| Engine::open(&bytes).map_err(|e| anyhow::anyhow!("{}: bundle does not open: {e}", ds.name)))?;
    let (_, queries) = data::read_eval_file(&dir.join(&ds.tsv))?;
    for q in queries.iter().take(WARM_UP) {
        std::hint::black_box(engine.search(&q.text, 10));
    }
    let mut lat = Vec::with_capacity(queries.len());
    let mut rankings = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = Instant::now();
        let r = engine.search(&q.text, 10);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
        rankings.push(r);
    }
    let thresholds = Thresholds::of(&engine);
    let mut reply_lat = Vec::with_capacity(queries.len());
    let mut outcomes = Vec::with_capacity(queries.len());
    let mut decisions: Vec<(String, usize)> =
        ["answer", "clarify", "ask", "handoff", "smalltalk"].iter().map(|k| (k.to_string(), 0)).collect();
    for (q, ranking) in queries.iter().zip(&rankings) {
        // The shipped policy on a fresh conversation, exactly as `kefu eval` scores it.
        let t = Instant::now();
        let reply = respond(&engine, &mut Conversation::default(), &q.text, Now::default());
        reply_lat.push(t.elapsed().as_secs_f64() * 1e3);
        if let Some(d) = decisions.iter_mut().find(|(k, _)| k == reply.decision.kind()) {
            d.1 += 1;
        }
        let o = score(&engine, q, ranking, 0.0, &thresholds);
        let (answered, answered_right) = match reply.decision {
            Decision::Answer { entry, .. } => {
                (true, o.in_scope && engine.entry(entry).is_some_and(|e| e.id == q.label))
            }
            _ => (false, false),
        };
        outcomes.push(QueryOutcome {
            in_scope: o.in_scope,
            top1: o.top1,
            top3: o.top3,
            answered,
            answered_right,
            conf: vec![o.confidence],
        });
    }
    Ok(QueryFigures {
        load_first_ms,
        load_ms,
        latency: Latency::of(&lat),
        reply_latency: Some(Latency::of(&reply_lat)),
        accuracy: ds.labelled.then(|| accuracy(&outcomes)),
        decisions,
        peak_rss_kb: peak_rss_kb(),
    })
}

/// A peer's confidence candidates from its entry scores: the raw top score, the top score per
/// query term, and the top entry's share of the top two entries' scores.
pub fn peer_confidences(scores: &[f32], terms: usize) -> Vec<f32> {
    let s1 = scores.first().copied().unwrap_or(0.0);
    let s2 = scores.get(1).copied().unwrap_or(0.0);
    vec![s1, s1 / terms.max(1) as f32, if s1 > 0.0 { s1 / (s1 + s2) } else { 0.0 }]
}

fn query_tantivy(dir: &Path, ds: &Dataset) -> Result<QueryFigures> {
    let bytes = read_index(dir, System::Tantivy, &ds.name)?;
    let (load_first_ms, load_ms, index) = time_loads(|| Baseline::open(&Built::from_bytes(&bytes)?))?;
    let rows = Rows::read(&dir.join(&ds.tsv))?;
    for (_, q) in rows.queries.iter().take(WARM_UP) {
        std::hint::black_box(index.search(q, 10));
    }
    let mut lat = Vec::with_capacity(rows.queries.len());
    let mut ranked = Vec::with_capacity(rows.queries.len());
    for (_, q) in &rows.queries {
        let t = Instant::now();
        let r = index.search(q, 10);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
        ranked.push(r);
    }
    let outcomes: Vec<QueryOutcome> = rows
        .queries
        .iter()
        .zip(&ranked)
        .map(|((label, _), r)| {
            let at = |i: usize| r.entries.get(i).map(|(e, _)| index.label(*e));
            let top1 = at(0) == Some(label.as_str());
            let scores: Vec<f32> = r.entries.iter().map(|(_, s)| *s).collect();
            QueryOutcome {
                in_scope: label != OUT_OF_SCOPE,
                top1,
                top3: (0..3).any(|i| at(i) == Some(label.as_str())),
                answered: !r.entries.is_empty(),
                answered_right: top1,
                conf: peer_confidences(&scores, r.terms),
            }
        })
        .collect();
    Ok(QueryFigures {
        load_first_ms,
        load_ms,
        latency: Latency::of(&lat),
        reply_latency: None,
        accuracy: ds.labelled.then(|| accuracy(&outcomes)),
        decisions: vec![],
        peak_rss_kb: peak_rss_kb(),
    })
}

/// Runs every (system, data set) in child processes of `exe` (this binary's `measure`
/// command), builds before queries, and returns the figures in manifest order.
pub fn run_all(exe: &Path, dir: &Path, manifest: &Manifest, only: &[String]) -> Result<Vec<NativeRun>> {
    let mut out = Vec::new();
    for ds in &manifest.datasets {
        if !only.is_empty() && !only.contains(&ds.name) {
            continue;
        }
        for system in [System::Kefu, System::Tantivy] {
            eprintln!("native: {} on {} ({} kb rows)", system.name(), ds.name, ds.kb_rows);
            let build: BuildFigures = serde_json::from_value(child(exe, dir, &ds.name, system, "build")?)?;
            let query: QueryFigures = serde_json::from_value(child(exe, dir, &ds.name, system, "query")?)?;
            out.push(NativeRun { system, dataset: ds.name.clone(), kb_rows: ds.kb_rows, build, query });
        }
    }
    Ok(out)
}

fn child(exe: &Path, dir: &Path, ds: &str, system: System, phase: &str) -> Result<serde_json::Value> {
    let output = Command::new(exe)
        .args(["measure", "--data"])
        .arg(dir)
        .args(["--dataset", ds, "--system", system.name(), "--phase", phase])
        .output()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    if !output.status.success() {
        bail!(
            "{} {phase} on {ds} failed ({}):\n{}",
            system.name(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::from_slice(&output.stdout)
        .with_context(|| format!("{} {phase} on {ds}: unreadable output", system.name()))
}
