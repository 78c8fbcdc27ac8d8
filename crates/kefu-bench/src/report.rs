//! The report: native figures, the browser run (`bench/browser.mjs`), the widget's click →
//! ready loads (`tests/e2e/measure.mjs`), the wasm parity test (`bench/parity.sh`) and
//! criterion's estimates → `latest.json`, `latest.md` (tables, kefu/peer ratios, the targets of
//! issue 14 and those of issue 7 still tracked, where kefu loses) and the plots. Every figure is
//! computed here from raw measurements of one run, with the metric code of [`crate::metrics`]
//! for every system.

use crate::data::{Group, Manifest};
use crate::metrics::{accuracy, Accuracy, Latency, QueryOutcome};
use crate::native::{NativeRun, System};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The data set the headline figures and the targets use (10k rows).
pub const HEADLINE: &str = "banking77-full";
/// The browser systems, in report order.
pub const BROWSER_SYSTEMS: &[&str] = &["kefu", "minisearch", "minisearch-fuzzy", "flexsearch"];

/// One file the browser loads, with its sizes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileSize {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub br: u64,
    /// `code` (JS, wasm, CSS) or `index` (the KB data).
    #[serde(default)]
    pub kind: String,
}

/// One system on one data set in Chromium, as `bench/browser.mjs` writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BrowserRun {
    pub system: String,
    pub dataset: String,
    pub transfer: Vec<FileSize>,
    pub index_bytes: u64,
    /// Peers: building and serialising the index in Node, ahead of time. kefu: null (native).
    pub build_ms: Option<f64>,
    pub ttfq_cold_ms: Vec<f64>,
    pub ttfq_warm_ms: Vec<f64>,
    /// JS heap after load and a forced GC, minus the empty page's.
    pub heap_js_bytes: f64,
    /// kefu: wasm linear memory after load, and after all the queries.
    pub heap_wasm_bytes: f64,
    pub heap_wasm_after_queries_bytes: f64,
    pub lat_ms: Vec<f64>,
    pub outcomes: Option<Vec<QueryOutcome>>,
}

/// The whole browser run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BrowserFile {
    pub chromium: String,
    pub node: String,
    pub peers: BTreeMap<String, String>,
    pub widget: Vec<FileSize>,
    pub loadavg_start: Vec<f64>,
    pub loadavg_end: Vec<f64>,
    pub runs: Vec<BrowserRun>,
}

/// A browser row of the report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BrowserRow {
    pub system: String,
    pub dataset: String,
    pub kb_rows: usize,
    pub transfer_raw: u64,
    pub transfer_gzip: u64,
    pub transfer_br: u64,
    pub index_bytes: u64,
    pub index_br: u64,
    pub build_ms: Option<f64>,
    pub ttfq_cold_ms: f64,
    pub ttfq_warm_ms: f64,
    pub heap_js_mb: f64,
    pub heap_wasm_mb: f64,
    pub heap_mb: f64,
    pub latency: Latency,
    pub accuracy: Option<Accuracy>,
}

/// A native row of the report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NativeRow {
    pub system: String,
    pub dataset: String,
    pub kb_rows: usize,
    pub build_s: f64,
    pub rows_per_s: f64,
    pub index_rows_per_s: f64,
    pub index_bytes: usize,
    pub load_ms: f64,
    pub latency: Latency,
    pub reply_latency: Option<Latency>,
    pub peak_rss_build_mb: f64,
    pub peak_rss_query_mb: f64,
    pub accuracy: Option<Accuracy>,
    pub decisions: Vec<(String, usize)>,
}

/// One criterion estimate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CriterionRow {
    pub id: String,
    pub mean_us: f64,
    pub median_us: f64,
}

/// "kefu / peer" for one figure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ratio {
    pub figure: String,
    pub scope: String,
    pub peer: String,
    pub kefu: f64,
    pub peer_value: f64,
    pub ratio: f64,
    pub lower_is_better: bool,
}

impl Ratio {
    /// kefu is worse than the peer on this figure.
    pub fn kefu_loses(&self) -> bool {
        if self.lower_is_better {
            self.kefu > self.peer_value
        } else {
            self.kefu < self.peer_value
        }
    }
}

/// `tests/e2e/measure.mjs --out FILE`: the widget on the demo shop page, loaded `runs` times
/// cold (fresh browser context) and warm (reload), the launcher clicked right after load.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeasureFile {
    pub click_to_ready_cold_ms: Vec<f64>,
    pub click_to_ready_warm_ms: Vec<f64>,
    #[serde(default)]
    pub click_to_paint_cold_ms: Vec<f64>,
    #[serde(default)]
    pub click_to_paint_warm_ms: Vec<f64>,
    #[serde(default)]
    pub send_to_answer_ms: Vec<f64>,
}

/// `bench/parity.sh --out FILE`: the wasm parity test
/// (`cargo test -p kefu-widget --target wasm32-unknown-unknown --test parity`) over the eval
/// files' bundles and native rankings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ParityFile {
    pub command: String,
    /// The test ran and passed.
    pub passed: bool,
    /// The eval files, and whether their data was there (absent ones are skipped by the test).
    pub files: Vec<ParityEvalFile>,
    /// "parity: N eval queries ranked in wasm", when the test printed it.
    pub queries: Option<u64>,
    #[serde(default)]
    pub seconds: f64,
    /// The end of the test's output when it failed.
    #[serde(default)]
    pub log_tail: String,
}

/// One eval file of the parity test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParityEvalFile {
    pub name: String,
    pub present: bool,
}

/// Median, min and max of repeated measurements.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

impl Spread {
    /// None when there are no values.
    pub fn of(v: &[f64]) -> Option<Spread> {
        if v.is_empty() {
            return None;
        }
        let s = crate::sorted(v);
        Some(Spread { median: crate::median(v), min: s[0], max: s[s.len() - 1], n: s.len() })
    }

    fn show(&self) -> String {
        format!("median {} ms (min {}, max {}, n={})", ms(self.median), ms(self.min), ms(self.max), self.n)
    }
}

/// Click → ready of the widget (from [`MeasureFile`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClickToReady {
    pub cold: Option<Spread>,
    pub warm: Option<Spread>,
    pub paint_cold: Option<Spread>,
    pub paint_warm: Option<Spread>,
    pub send_to_answer: Option<Spread>,
}

/// A target of an issue and whether this run met it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Target {
    /// The issue that set it (14: the current targets; 7: earlier ones still tracked).
    #[serde(default)]
    pub issue: u32,
    pub target: String,
    pub measured: String,
    pub met: bool,
}

/// Minimum number of cold and of warm loads behind a click → ready target.
pub const MIN_LOADS: usize = 5;
/// Issue 14: the whole widget without a KB, brotli q11 (bytes).
pub const WIDGET_BR_MAX: u64 = 300_000;
/// Issue 14: the loader (`kefu.js`), gzip -9 (bytes).
pub const LOADER_GZIP_MAX: u64 = 4_000;
/// Issue 14: click → ready, median (ms).
pub const CLICK_COLD_MAX_MS: f64 = 150.0;
pub const CLICK_WARM_MAX_MS: f64 = 40.0;
/// Issue 14: kefu's query p99 in Chromium at [`HEADLINE`] (ms).
pub const QUERY_P99_MAX_MS: f64 = 1.0;

/// `latest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub command: String,
    pub generated_unix: u64,
    pub machine: BTreeMap<String, String>,
    pub notes: Vec<String>,
    pub datasets: Vec<crate::data::Dataset>,
    pub widget: Vec<FileSize>,
    pub browser: Vec<BrowserRow>,
    pub native: Vec<NativeRow>,
    pub criterion: Vec<CriterionRow>,
    pub ratios: Vec<Ratio>,
    /// The widget's click → ready loads (tests/e2e/measure.mjs); None when not run.
    #[serde(default)]
    pub click_to_ready: Option<ClickToReady>,
    /// The wasm parity test; None when not run.
    #[serde(default)]
    pub parity: Option<ParityFile>,
    pub targets: Vec<Target>,
    pub plots: Vec<String>,
}

const MB: f64 = 1024.0 * 1024.0;

/// Inputs of [`build`].
pub struct Inputs<'a> {
    pub manifest: &'a Manifest,
    pub native: &'a [NativeRun],
    pub browser: &'a BrowserFile,
    pub criterion: Vec<CriterionRow>,
    pub measure: Option<&'a MeasureFile>,
    pub parity: Option<&'a ParityFile>,
}

/// Computes the report (no files written).
pub fn build(inp: &Inputs) -> Report {
    let rows_of = |ds: &str| inp.manifest.datasets.iter().find(|d| d.name == ds).map_or(0, |d| d.kb_rows);
    let browser: Vec<BrowserRow> = inp
        .browser
        .runs
        .iter()
        .map(|r| {
            let sum = |f: &dyn Fn(&FileSize) -> u64| r.transfer.iter().map(f).sum::<u64>();
            BrowserRow {
                system: r.system.clone(),
                dataset: r.dataset.clone(),
                kb_rows: rows_of(&r.dataset),
                transfer_raw: sum(&|f| f.raw),
                transfer_gzip: sum(&|f| f.gzip),
                transfer_br: sum(&|f| f.br),
                index_bytes: r.index_bytes,
                index_br: r.transfer.iter().filter(|f| f.kind == "index").map(|f| f.br).sum(),
                // kefu's build is the native `kefu build` of the same KB (what a merchant runs).
                build_ms: r.build_ms.or_else(|| {
                    inp.native
                        .iter()
                        .find(|n| n.system == System::Kefu && n.dataset == r.dataset)
                        .map(|n| n.build.build_s * 1e3)
                }),
                ttfq_cold_ms: crate::median(&r.ttfq_cold_ms),
                ttfq_warm_ms: crate::median(&r.ttfq_warm_ms),
                heap_js_mb: r.heap_js_bytes / MB,
                heap_wasm_mb: r.heap_wasm_after_queries_bytes.max(r.heap_wasm_bytes) / MB,
                heap_mb: (r.heap_js_bytes + r.heap_wasm_after_queries_bytes.max(r.heap_wasm_bytes)) / MB,
                latency: Latency::of(&r.lat_ms),
                accuracy: r.outcomes.as_ref().map(|o| accuracy(o)),
            }
        })
        .collect();
    let native: Vec<NativeRow> = inp
        .native
        .iter()
        .map(|n| NativeRow {
            system: n.system.name().to_string(),
            dataset: n.dataset.clone(),
            kb_rows: n.kb_rows,
            build_s: n.build.build_s,
            rows_per_s: n.build.rows_per_s,
            index_rows_per_s: n.build.index_rows_per_s,
            index_bytes: n.build.index_bytes,
            load_ms: n.query.load_ms,
            latency: n.query.latency,
            reply_latency: n.query.reply_latency,
            peak_rss_build_mb: n.build.peak_rss_kb as f64 / 1024.0,
            peak_rss_query_mb: n.query.peak_rss_kb as f64 / 1024.0,
            accuracy: n.query.accuracy.clone(),
            decisions: n.query.decisions.clone(),
        })
        .collect();
    let mut report = Report {
        command: "bash bench/run.sh".into(),
        generated_unix: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        machine: machine(inp.browser),
        notes: notes(inp),
        datasets: inp.manifest.datasets.clone(),
        widget: inp.browser.widget.clone(),
        browser,
        native,
        criterion: inp.criterion.clone(),
        ratios: vec![],
        click_to_ready: inp.measure.map(|m| ClickToReady {
            cold: Spread::of(&m.click_to_ready_cold_ms),
            warm: Spread::of(&m.click_to_ready_warm_ms),
            paint_cold: Spread::of(&m.click_to_paint_cold_ms),
            paint_warm: Spread::of(&m.click_to_paint_warm_ms),
            send_to_answer: Spread::of(&m.send_to_answer_ms),
        }),
        parity: inp.parity.cloned(),
        targets: vec![],
        plots: vec![],
    };
    report.ratios = ratios(&report, inp.manifest);
    report.targets = targets(&report, inp.manifest);
    report
}

fn notes(inp: &Inputs) -> Vec<String> {
    let mut n = inp.manifest.notes.clone();
    n.extend([
        "Browser: one headless Chromium, one page per system and data set, served from 127.0.0.1 (gzip on the wire, COOP/COEP so performance.now() has 5 µs resolution). Engines load as a shop would: kefu = wasm-bindgen JS + the widget's wasm + the bundle (fetch); MiniSearch/FlexSearch = their npm bundle (minified) + an index serialised in Node ahead of time (MiniSearch.loadJSON / FlexSearch import).".to_string(),
        "Time to first usable query: from navigation start to the first answered query, median of 3 loads in a fresh browser context (cold: empty HTTP and code caches) and of 3 reloads in the same context (warm).".to_string(),
        "Query latency: every query of the data set once, timed one by one with performance.now() after an untimed warm-up of the first 50; the peers' time includes mapping rows to entries (top 3 distinct entries).".to_string(),
        "Heap: JS heap after a forced GC (CDP), minus an empty page's, plus kefu's wasm linear memory (after load and after all queries, the larger).".to_string(),
        "Transfer: gzip -9 and brotli q11 of every file the page needs for search (kefu: wasm-bindgen JS, the widget wasm with its UI, the bundle; peers: library JS + index JSON). The whole kefu widget (loader, JS, wasm, CSS) is the widget line.".to_string(),
        "Peers have no reply policy: they answer whenever they return a hit (self-service and wrong rate at that policy). Their oracle self-service takes the best of several confidence scores (raw top score, score per query term, top/(top+runner-up); FlexSearch returns no scores, so: share of its top 10 rows with the top row's entry, plus 1 when all query words match). kefu's figures come from its shipped reply policy (answer/clarify/ask/hand-off) and its calibrated confidence, as `kefu eval` computes them.".to_string(),
        "MiniSearch: fields [text], storeFields [label]; default search, and search with {fuzzy: 0.2, prefix: true}. FlexSearch: Index with tokenize strict, resolution 9, Normalize encoder + the English language preset (stemmer, stop words), search with suggest: true, limit 20 — the best mean acc@1 on the six eval files among 10 configurations tried (tuning on the test data favours FlexSearch).".to_string(),
        "Click → ready (issue 14): tests/e2e/measure.mjs on the demo shop page (www/index.html with the widget of this run, served by tests/server.mjs: brotli, strict CSP), N cold loads (fresh browser context, launcher clicked right after load, before the idle preload) and N warm ones (reload in the same context); median, min and max. A target needs at least 5 of each.".to_string(),
        "Rankings wasm = native (issue 14): bench/parity.sh builds every eval file's bundle and top-5 rankings with the native `kefu eval --bundle --rankings` (as scripts/test-browser.sh does) and runs `cargo test -p kefu-widget --target wasm32-unknown-unknown --test parity` in headless Chromium, which asks every query of every file in wasm and compares ids and scores bit for bit. Met only when the test passed with no eval file skipped.".to_string(),
        "Native: one child process per system, data set and phase; peak RSS is that process's VmHWM. kefu build = `kefu build` (index + leave-one-out calibration of the reply policy); `index rows/s` is the index alone. tantivy = default tokenizer, TEXT question field, QueryParser (OR), single-threaded writer, in RAM.".to_string(),
    ]);
    n
}

fn machine(b: &BrowserFile) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
        s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
    });
    m.insert("cpu".into(), cpu.unwrap_or_else(|| "unknown".into()));
    m.insert("cores".into(), std::thread::available_parallelism().map(|n| n.get().to_string()).unwrap_or_default());
    let mem = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines().find(|l| l.starts_with("MemTotal")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
    });
    m.insert("memory".into(), mem.map(|kb| format!("{:.0} GiB", kb / MB)).unwrap_or_default());
    let os = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    m.insert("kernel".into(), format!("Linux {}", os.trim()));
    m.insert("chromium".into(), b.chromium.clone());
    m.insert("node".into(), b.node.clone());
    let rustc = std::process::Command::new("rustc").arg("-V").output().ok();
    m.insert("rustc".into(), rustc.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default());
    let la = |v: &[f64]| v.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(" ");
    m.insert(
        "load average (start → end of browser run)".into(),
        format!("{} → {}", la(&b.loadavg_start), la(&b.loadavg_end)),
    );
    for (k, v) in &b.peers {
        m.insert(k.clone(), v.clone());
    }
    m
}

fn peer_label(s: &str) -> &str {
    match s {
        "kefu" => "kefu (wasm)",
        "minisearch" => "MiniSearch",
        "minisearch-fuzzy" => "MiniSearch fuzzy+prefix",
        "flexsearch" => "FlexSearch",
        "tantivy" => "tantivy (default)",
        other => other,
    }
}

type Fig = (&'static str, bool, fn(&BrowserRow) -> Option<f64>);

const BROWSER_FIGURES: &[Fig] = &[
    ("transfer gzip (bytes)", true, |r| Some(r.transfer_gzip as f64)),
    ("transfer brotli (bytes)", true, |r| Some(r.transfer_br as f64)),
    ("index bytes", true, |r| Some(r.index_bytes as f64)),
    ("time to first query, cold (ms)", true, |r| Some(r.ttfq_cold_ms)),
    ("time to first query, warm (ms)", true, |r| Some(r.ttfq_warm_ms)),
    ("query p50 (ms)", true, |r| Some(r.latency.p50_ms)),
    ("query p99 (ms)", true, |r| Some(r.latency.p99_ms)),
    ("heap after load (MB)", true, |r| Some(r.heap_mb)),
    ("build time (ms)", true, |r| r.build_ms),
    ("acc@1", false, |r| r.accuracy.as_ref().map(|a| a.acc_at_1)),
    ("R@3", false, |r| r.accuracy.as_ref().map(|a| a.recall_at_3)),
    ("self-service at shipped policy", false, |r| r.accuracy.as_ref().map(|a| a.self_service)),
    ("wrong-answer rate at shipped policy", true, |r| r.accuracy.as_ref().map(|a| a.wrong_rate)),
    ("oracle self-service @5% wrong", false, |r| r.accuracy.as_ref().map(|a| a.oracle_self_service_at_5)),
];

type NFig = (&'static str, bool, fn(&NativeRow) -> Option<f64>);

const NATIVE_FIGURES: &[NFig] = &[
    ("native build throughput (rows/s)", false, |r| Some(r.rows_per_s)),
    ("native index-only build throughput (rows/s)", false, |r| Some(r.index_rows_per_s)),
    ("native index bytes", true, |r| Some(r.index_bytes as f64)),
    ("native load (ms)", true, |r| Some(r.load_ms)),
    ("native query p50 (ms)", true, |r| Some(r.latency.p50_ms)),
    ("native query p99 (ms)", true, |r| Some(r.latency.p99_ms)),
    ("native peak RSS, query process (MB)", true, |r| Some(r.peak_rss_query_mb)),
    ("native acc@1", false, |r| r.accuracy.as_ref().map(|a| a.acc_at_1)),
    ("native oracle self-service @5% wrong", false, |r| r.accuracy.as_ref().map(|a| a.oracle_self_service_at_5)),
];

fn ratios(r: &Report, m: &Manifest) -> Vec<Ratio> {
    let mut out = Vec::new();
    let find = |sys: &str, ds: &str| r.browser.iter().find(|b| b.system == sys && b.dataset == ds);
    let eval_files: Vec<&str> = m.datasets.iter().filter(|d| d.group == Group::Eval).map(|d| d.name.as_str()).collect();
    let headline = if find("kefu", HEADLINE).is_some() { HEADLINE } else { largest_eval(m) };
    for &(figure, lower, f) in BROWSER_FIGURES {
        let accuracy_figure = !lower || figure.starts_with("wrong");
        for peer in &BROWSER_SYSTEMS[1..] {
            // Speed and size at the headline KB; accuracy as the mean over the eval files.
            let (scope, kefu, theirs) = if accuracy_figure {
                let pairs: Vec<(f64, f64)> =
                    eval_files.iter().filter_map(|ds| Some((f(find("kefu", ds)?)?, f(find(peer, ds)?)?))).collect();
                if pairs.is_empty() {
                    continue;
                }
                let n = pairs.len() as f64;
                (
                    format!("mean over {} eval files", pairs.len()),
                    pairs.iter().map(|p| p.0).sum::<f64>() / n,
                    pairs.iter().map(|p| p.1).sum::<f64>() / n,
                )
            } else {
                let (Some(k), Some(p)) = (find("kefu", headline).and_then(f), find(peer, headline).and_then(f)) else {
                    continue;
                };
                (headline.to_string(), k, p)
            };
            out.push(Ratio {
                figure: figure.into(),
                scope,
                peer: peer.to_string(),
                kefu,
                peer_value: theirs,
                ratio: if theirs != 0.0 { kefu / theirs } else { f64::NAN },
                lower_is_better: lower,
            });
        }
    }
    let nfind = |sys: &str, ds: &str| r.native.iter().find(|b| b.system == sys && b.dataset == ds);
    let ds = if nfind("kefu", HEADLINE).is_some() { HEADLINE } else { largest_eval(m) };
    for &(figure, lower, f) in NATIVE_FIGURES {
        let (Some(k), Some(p)) = (nfind("kefu", ds).and_then(f), nfind("tantivy", ds).and_then(f)) else { continue };
        out.push(Ratio {
            figure: figure.into(),
            scope: ds.into(),
            peer: "tantivy".into(),
            kefu: k,
            peer_value: p,
            ratio: if p != 0.0 { k / p } else { f64::NAN },
            lower_is_better: lower,
        });
    }
    out
}

fn largest_eval(m: &Manifest) -> &str {
    m.datasets.iter().filter(|d| d.group == Group::Eval).max_by_key(|d| d.kb_rows).map_or("", |d| d.name.as_str())
}

/// Thousands separated with commas: 227540 → "227,540".
fn thousands(n: u64) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn targets(r: &Report, m: &Manifest) -> Vec<Target> {
    let mut t = issue14_targets(r);
    t.extend(issue7_targets(r, m));
    t
}

/// The targets of issue 14, every one of them always listed: a figure this run did not measure
/// is a miss that says why.
fn issue14_targets(r: &Report) -> Vec<Target> {
    let mut t = Vec::new();
    let mut push = |target: String, measured: String, met: bool| t.push(Target { issue: 14, target, measured, met });

    let widget_br: u64 = r.widget.iter().map(|f| f.br).sum();
    push(
        format!("whole widget without KB ≤ 300 KB brotli ({} B)", thousands(WIDGET_BR_MAX)),
        if r.widget.is_empty() {
            "not measured (no widget files in the browser run)".into()
        } else {
            format!(
                "{} B brotli q11 ({})",
                thousands(widget_br),
                r.widget.iter().map(|f| format!("{} {}", f.name, thousands(f.br))).collect::<Vec<_>>().join(", ")
            )
        },
        !r.widget.is_empty() && widget_br <= WIDGET_BR_MAX,
    );
    let loader = r.widget.iter().find(|f| f.name == "kefu.js");
    push(
        format!("loader (pkg/kefu.js) ≤ 4 KB gzip ({} B)", thousands(LOADER_GZIP_MAX)),
        match loader {
            Some(l) => {
                format!("{} B gzip -9 (brotli {} B, raw {} B)", thousands(l.gzip), thousands(l.br), thousands(l.raw))
            }
            None => "not measured (no kefu.js among the widget files)".into(),
        },
        loader.is_some_and(|l| l.gzip <= LOADER_GZIP_MAX),
    );
    for (warm, max) in [(false, CLICK_COLD_MAX_MS), (true, CLICK_WARM_MAX_MS)] {
        let which = if warm { "warm" } else { "cold" };
        let spread = r.click_to_ready.as_ref().and_then(|c| if warm { c.warm } else { c.cold });
        let (measured, met) = match spread {
            Some(s) if s.n < MIN_LOADS => (format!("{}: fewer than {MIN_LOADS} loads", s.show()), false),
            Some(s) => (s.show(), s.median <= max),
            None => ("not measured (tests/e2e/measure.mjs did not run)".into(), false),
        };
        push(format!("click → ready ≤ {max:.0} ms {which} (median of ≥ {MIN_LOADS} loads)"), measured, met);
    }
    let find = |sys: &str| r.browser.iter().find(|b| b.system == sys && b.dataset == HEADLINE);
    let absent = || format!("not measured ({HEADLINE} is not in this run)");
    let k = find("kefu");
    push(
        format!("query p99 ≤ {QUERY_P99_MAX_MS:.0} ms in Chromium at 10k rows ({HEADLINE})"),
        k.map(|k| {
            format!(
                "kefu p99 {} ms, p50 {} ms ({} queries)",
                ms(k.latency.p99_ms),
                ms(k.latency.p50_ms),
                k.latency.queries
            )
        })
        .unwrap_or_else(absent),
        k.is_some_and(|k| k.latency.p99_ms <= QUERY_P99_MAX_MS),
    );
    let ms_run = find("minisearch");
    push(
        "query p99 ≥ 5× faster than MiniSearch (same page, same queries)".into(),
        match (k, ms_run) {
            (Some(k), Some(p)) => format!(
                "MiniSearch p99 {} ms / kefu {} ms = {:.1}× (fuzzy+prefix: {})",
                ms(p.latency.p99_ms),
                ms(k.latency.p99_ms),
                p.latency.p99_ms / k.latency.p99_ms,
                find("minisearch-fuzzy")
                    .map(|f| format!("{:.1}×", f.latency.p99_ms / k.latency.p99_ms))
                    .unwrap_or_else(|| "n/a".into())
            ),
            _ => absent(),
        },
        matches!((k, ms_run), (Some(k), Some(p)) if p.latency.p99_ms >= 5.0 * k.latency.p99_ms),
    );
    let (measured, met) = match &r.parity {
        None => ("not measured (the parity test did not run)".to_string(), false),
        Some(p) => {
            let present: Vec<&str> = p.files.iter().filter(|f| f.present).map(|f| f.name.as_str()).collect();
            let skipped: Vec<&str> = p.files.iter().filter(|f| !f.present).map(|f| f.name.as_str()).collect();
            let queries =
                p.queries.map(|q| format!("{} queries", thousands(q))).unwrap_or_else(|| "all queries".into());
            let mut text = if p.passed {
                format!("identical, bit for bit: {queries} of {} eval files in wasm = native", present.len())
            } else {
                format!("parity test FAILED on {} eval files", present.len())
            };
            if !skipped.is_empty() {
                let _ = write!(text, "; skipped (no eval data): {}", skipped.join(", "));
            }
            let _ = write!(text, " (`{}`, {:.0} s)", p.command, p.seconds);
            (text, p.passed && skipped.is_empty() && !present.is_empty())
        }
    };
    push("rankings in the browser (wasm) identical to native on every eval file".into(), measured, met);
    t
}

/// The targets of issue 7 that issue 14 did not replace.
fn issue7_targets(r: &Report, m: &Manifest) -> Vec<Target> {
    let mut t = Vec::new();
    let find = |sys: &str, ds: &str| r.browser.iter().find(|b| b.system == sys && b.dataset == ds);
    if let (Some(k), Some(ms)) = (find("kefu", HEADLINE), find("minisearch", HEADLINE)) {
        let all: Vec<(String, u64, u64)> = r
            .browser
            .iter()
            .filter(|b| b.system == "kefu")
            .filter_map(|b| find("minisearch", &b.dataset).map(|p| (b.dataset.clone(), b.index_bytes, p.index_bytes)))
            .collect();
        let holds = all.iter().filter(|(_, k, p)| *k * 2 <= *p).count();
        t.push(Target {
            issue: 7,
            target: "index bytes ≤ ½ of MiniSearch's serialized JSON".into(),
            measured: format!(
                "{HEADLINE}: kefu {} vs MiniSearch {} bytes ({:.2}×); holds on {holds} of {} data sets",
                k.index_bytes,
                ms.index_bytes,
                k.index_bytes as f64 / ms.index_bytes as f64,
                all.len()
            ),
            met: k.index_bytes * 2 <= ms.index_bytes,
        });
        t.push(Target {
            issue: 7,
            target: "wasm memory ≤ 16 MB at 10k rows".into(),
            measured: format!(
                "{:.1} MiB wasm linear memory on {HEADLINE} (JS heap +{:.1} MiB)",
                k.heap_wasm_mb, k.heap_js_mb
            ),
            met: k.heap_wasm_mb <= 16.0,
        });
    }
    let nk: Vec<&NativeRow> = r
        .native
        .iter()
        .filter(|n| n.system == "kefu" && (n.dataset == HEADLINE || n.dataset.starts_with("synthetic")))
        .collect();
    if !nk.is_empty() {
        t.push(Target {
            issue: 7,
            target: "native build ≥ 50,000 rows/s".into(),
            measured: nk
                .iter()
                .map(|n| {
                    format!(
                        "{}: {:.0} rows/s as shipped (calibration included), {:.0} rows/s index only",
                        n.dataset, n.rows_per_s, n.index_rows_per_s
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            met: nk.iter().all(|n| n.rows_per_s >= 50_000.0),
        });
    }
    let eval: Vec<&str> = m.datasets.iter().filter(|d| d.group == Group::Eval).map(|d| d.name.as_str()).collect();
    let mut lost = Vec::new();
    let mut compared = 0;
    for ds in &eval {
        let Some(k) = find("kefu", ds).and_then(|b| b.accuracy.as_ref()) else { continue };
        for peer in &BROWSER_SYSTEMS[1..] {
            if let Some(p) = find(peer, ds).and_then(|b| b.accuracy.as_ref()) {
                compared += 1;
                if k.acc_at_1 <= p.acc_at_1 {
                    lost.push(format!(
                        "{ds} vs {} ({:.1} ≤ {:.1})",
                        peer_label(peer),
                        100.0 * k.acc_at_1,
                        100.0 * p.acc_at_1
                    ));
                }
            }
        }
    }
    if compared > 0 {
        t.push(Target {
            issue: 7,
            target: "acc@1 above both peers on every file".into(),
            measured: if lost.is_empty() {
                format!("above on all {compared} (file, peer) pairs")
            } else {
                format!("not above on: {}", lost.join(", "))
            },
            met: lost.is_empty(),
        });
    }
    t
}

fn kb(bytes: f64) -> String {
    format!("{:.1}", bytes / 1024.0)
}

fn pct(x: f64) -> String {
    format!("{:.1}", 100.0 * x)
}

fn ms(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// Renders `latest.md`.
pub fn markdown(r: &Report, m: &Manifest) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# kefu benchmark: latest run\n");
    let _ = writeln!(
        s,
        "Written by `{}` (crates/kefu-bench + bench/browser.mjs); every figure below was measured in this one run. How to read it: docs/bench.md.\n",
        r.command
    );
    let _ = writeln!(s, "## Machine\n");
    for (k, v) in &r.machine {
        let _ = writeln!(s, "- {k}: {v}");
    }
    let _ = writeln!(s, "\n## Targets (issue 14)\n\n| target | measured | met |\n|---|---|---|");
    for t in r.targets.iter().filter(|t| t.issue == 14) {
        let _ = writeln!(s, "| {} | {} | {} |", t.target, t.measured, if t.met { "yes" } else { "**no**" });
    }
    let earlier: Vec<&Target> = r.targets.iter().filter(|t| t.issue != 14).collect();
    if !earlier.is_empty() {
        let _ = writeln!(s, "\nStill tracked from issue 7 (its widget-size and p99 targets are replaced by the ones above):\n\n| target | measured | met |\n|---|---|---|");
        for t in earlier {
            let _ = writeln!(s, "| {} | {} | {} |", t.target, t.measured, if t.met { "yes" } else { "**no**" });
        }
    }
    let _ = writeln!(s, "\n## kefu / peer, same run\n");
    let _ = writeln!(s, "Ratio = kefu's figure ÷ the peer's; speed and size at `{HEADLINE}` (9,996 kb rows), accuracy as the mean over the eval files.\n");
    let mut by_fig: Vec<(&str, Vec<&Ratio>)> = Vec::new();
    for x in &r.ratios {
        match by_fig.iter_mut().find(|(f, _)| *f == x.figure) {
            Some((_, v)) => v.push(x),
            None => by_fig.push((&x.figure, vec![x])),
        }
    }
    for (fig, xs) in &by_fig {
        let better = if xs[0].lower_is_better { "lower is better" } else { "higher is better" };
        let parts: Vec<String> = xs
            .iter()
            .map(|x| {
                format!(
                    "kefu/{} **{:.2}×** ({} vs {})",
                    peer_label(&x.peer),
                    x.ratio,
                    num(x.kefu, fig),
                    num(x.peer_value, fig)
                )
            })
            .collect();
        let _ = writeln!(s, "- {fig} [{}; {better}]: {}", xs[0].scope, parts.join(", "));
    }
    let _ = writeln!(s, "\n## Where kefu loses\n");
    let mut any = false;
    for (fig, xs) in &by_fig {
        let lost: Vec<String> = xs
            .iter()
            .filter(|x| x.kefu_loses())
            .map(|x| format!("{} {}", peer_label(&x.peer), num(x.peer_value, fig)))
            .collect();
        if !lost.is_empty() {
            any = true;
            let _ = writeln!(s, "- {fig} [{}]: kefu {} vs {}", xs[0].scope, num(xs[0].kefu, fig), lost.join(", "));
        }
    }
    if !any {
        let _ = writeln!(s, "Nowhere in this run's summary ratios.");
    }
    for t in r.targets.iter().filter(|t| !t.met) {
        let _ = writeln!(s, "- target missed: {} ({})", t.target, t.measured);
    }

    let _ = writeln!(s, "\n## Answer quality (eval files, in Chromium; tantivy native)\n");
    let _ = writeln!(s, "acc@1 / R@3 / self-service at the shipped policy (its wrong-answer rate) / oracle self-service at ≤5% wrong, in %.\n");
    let _ =
        writeln!(s, "| file | system | acc@1 | R@3 | self-service (wrong) | oracle @5% |\n|---|---|---|---|---|---|");
    for ds in m.datasets.iter().filter(|d| d.group == Group::Eval) {
        let mut rows: Vec<(&str, &Accuracy)> = BROWSER_SYSTEMS
            .iter()
            .filter_map(|sys| {
                r.browser
                    .iter()
                    .find(|b| b.system == *sys && b.dataset == ds.name)
                    .and_then(|b| Some((*sys, b.accuracy.as_ref()?)))
            })
            .collect();
        if let Some(a) =
            r.native.iter().find(|n| n.system == "tantivy" && n.dataset == ds.name).and_then(|n| n.accuracy.as_ref())
        {
            rows.push(("tantivy", a));
        }
        for (sys, a) in rows {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} ({}) | {} |",
                ds.name,
                peer_label(sys),
                pct(a.acc_at_1),
                pct(a.recall_at_3),
                pct(a.self_service),
                pct(a.wrong_rate),
                pct(a.oracle_self_service_at_5)
            );
        }
    }

    let _ = writeln!(s, "\n## In the browser: size, load, speed, memory\n");
    let _ = writeln!(s, "Transfer = JS + wasm + index, KiB gzip / brotli (kefu's wasm carries the whole chat UI; the peers' figures have no UI). TTFQ = time to first usable query after navigation, ms (cold / warm cache). Heap = JS heap after GC over an empty page + wasm memory, MiB. Build = the peers' index build + JSON in Node ahead of time; kefu's `kefu build`, native, calibration included.\n");
    let _ = writeln!(s, "| data set | rows | system | transfer gz / br | index KiB | build ms | TTFQ cold / warm | p50 / p99 ms (queries) | heap MiB |\n|---|---|---|---|---|---|---|---|---|");
    for ds in &m.datasets {
        for sys in BROWSER_SYSTEMS {
            let Some(b) = r.browser.iter().find(|b| b.system == *sys && b.dataset == ds.name) else { continue };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} / {} | {} | {} | {} / {} | {} / {} ({}) | {:.1} |",
                ds.name,
                ds.kb_rows,
                peer_label(sys),
                kb(b.transfer_gzip as f64),
                kb(b.transfer_br as f64),
                kb(b.index_bytes as f64),
                b.build_ms.map(ms).unwrap_or_else(|| "—".into()),
                ms(b.ttfq_cold_ms),
                ms(b.ttfq_warm_ms),
                ms(b.latency.p50_ms),
                ms(b.latency.p99_ms),
                b.latency.queries,
                b.heap_mb
            );
        }
    }
    let wsum = |f: &dyn Fn(&FileSize) -> u64| r.widget.iter().map(f).sum::<u64>();
    if !r.widget.is_empty() {
        let _ = writeln!(
            s,
            "\nWhole widget as deployed (pkg/: {}): {} bytes raw, {} gzip, {} brotli.",
            r.widget.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "),
            wsum(&|f| f.raw),
            wsum(&|f| f.gzip),
            wsum(&|f| f.br)
        );
    }

    if let Some(c) = &r.click_to_ready {
        let _ = writeln!(s, "\n## The widget on the demo shop: click → ready\n");
        let _ = writeln!(s, "`tests/e2e/measure.mjs` (headless Chromium, the demo page served by tests/server.mjs with brotli as a CDN would): the launcher clicked right after load, until the panel is ready in the DOM, and until that state is painted (next frame). Cold = fresh browser context; warm = reload in the same context (HTTP and code caches).\n");
        let _ = writeln!(s, "| figure | median ms | min | max | loads |\n|---|---|---|---|---|");
        for (name, x) in [
            ("click → ready, cold", c.cold),
            ("click → ready, warm", c.warm),
            ("click → painted, cold", c.paint_cold),
            ("click → painted, warm", c.paint_warm),
            ("send → answer in the DOM (demo KB)", c.send_to_answer),
        ] {
            if let Some(x) = x {
                let _ = writeln!(s, "| {name} | {} | {} | {} | {} |", ms(x.median), ms(x.min), ms(x.max), x.n);
            }
        }
    }

    let _ = writeln!(s, "\n## Native (release build)\n");
    let _ = writeln!(s, "Build = s and KB rows/s (kefu: as shipped, with calibration; index only in brackets). Load = open from bytes, median of 5. Peak RSS of the build and of the query process.\n");
    let _ = writeln!(s, "| data set | rows | system | build s | rows/s (index only) | index KiB | load ms | p50 / p99 ms | reply p50 / p99 ms | peak RSS build / query MiB | acc@1 |\n|---|---|---|---|---|---|---|---|---|---|---|");
    for ds in &m.datasets {
        for n in r.native.iter().filter(|n| n.dataset == ds.name) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {:.3} | {:.0} ({:.0}) | {} | {} | {} / {} | {} | {:.0} / {:.0} | {} |",
                ds.name,
                ds.kb_rows,
                peer_label(&n.system).replace(" (wasm)", ""),
                n.build_s,
                n.rows_per_s,
                n.index_rows_per_s,
                kb(n.index_bytes as f64),
                ms(n.load_ms),
                ms(n.latency.p50_ms),
                ms(n.latency.p99_ms),
                n.reply_latency.map(|l| format!("{} / {}", ms(l.p50_ms), ms(l.p99_ms))).unwrap_or_else(|| "—".into()),
                n.peak_rss_build_mb,
                n.peak_rss_query_mb,
                n.accuracy.as_ref().map(|a| pct(a.acc_at_1)).unwrap_or_else(|| "—".into())
            );
        }
    }
    if let Some(k) = r.native.iter().find(|n| n.system == "kefu" && n.dataset == HEADLINE) {
        if let Some(b) = r.browser.iter().find(|b| b.system == "kefu" && b.dataset == HEADLINE) {
            if let (Some(na), Some(ba)) = (&k.accuracy, &b.accuracy) {
                let same = (na.acc_at_1 - ba.acc_at_1).abs() < 1e-9 && (na.self_service - ba.self_service).abs() < 1e-9;
                let _ = writeln!(
                    s,
                    "\nwasm = native on {HEADLINE}: acc@1 {} vs {}, self-service {} vs {} ({}).",
                    pct(ba.acc_at_1),
                    pct(na.acc_at_1),
                    pct(ba.self_service),
                    pct(na.self_service),
                    if same { "identical" } else { "DIFFERENT" }
                );
            }
        }
    }
    if !r.criterion.is_empty() {
        let _ = writeln!(s, "\n## criterion (native, per query, rotating over the data set's queries)\n\n| benchmark | mean µs | median µs |\n|---|---|---|");
        for c in &r.criterion {
            let _ = writeln!(s, "| {} | {:.1} | {:.1} |", c.id, c.mean_us, c.median_us);
        }
    }
    let _ = writeln!(s, "\n## Plots\n");
    for p in &r.plots {
        let _ = writeln!(s, "- [{p}]({p})");
    }
    let _ = writeln!(s, "\n## Data sets\n\n| name | rows | entries | queries |\n|---|---|---|---|");
    for d in &m.datasets {
        let _ = writeln!(s, "| {} | {} | {} | {} |", d.name, d.kb_rows, d.entries, d.query_note);
    }
    let _ = writeln!(s, "\n## How it was measured\n");
    for n in &r.notes {
        let _ = writeln!(s, "- {n}");
    }
    s
}

fn num(x: f64, figure: &str) -> String {
    if figure.contains("acc") || figure.contains("R@3") || figure.contains("self-service") || figure.contains("wrong") {
        format!("{}%", pct(x))
    } else if figure.contains("(ms)") {
        format!("{} ms", ms(x))
    } else if figure.contains("MB") {
        format!("{x:.1} MiB")
    } else {
        format!("{x:.0}")
    }
}

/// Reads criterion's estimates (`<dir>/**/new/estimates.json` with `benchmark.json`).
pub fn read_criterion(dir: &Path) -> Vec<CriterionRow> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "new") {
                    if let Some(row) = criterion_row(&p) {
                        out.push(row);
                    }
                } else if p.file_name().is_none_or(|n| n != "base" && n != "change" && n != "report") {
                    stack.push(p);
                }
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn criterion_row(new: &Path) -> Option<CriterionRow> {
    let b: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(new.join("benchmark.json")).ok()?).ok()?;
    let e: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(new.join("estimates.json")).ok()?).ok()?;
    Some(CriterionRow {
        id: b["full_id"].as_str()?.to_string(),
        mean_us: e["mean"]["point_estimate"].as_f64()? / 1e3,
        median_us: e["median"]["point_estimate"].as_f64()? / 1e3,
    })
}

/// Reads a JSON file with a clear error.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {what} {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not a valid {what}", path.display()))
}

/// Writes `latest.json`, `latest.md` and the plots into `out`; returns the written paths.
pub fn write(inp: &Inputs, out: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut report = build(inp);
    let plots = crate::plot::all(&report, inp.manifest, out)?;
    report.plots = plots.iter().filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string())).collect();
    let json = out.join("latest.json");
    std::fs::write(&json, serde_json::to_string_pretty(&report)?)?;
    let md = out.join("latest.md");
    std::fs::write(&md, markdown(&report, inp.manifest))?;
    let mut written = vec![json, md];
    written.extend(plots);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, gzip: u64, br: u64) -> FileSize {
        FileSize { name: name.into(), raw: br * 3, gzip, br, kind: "code".into() }
    }

    fn run(system: &str, lat_ms: f64) -> BrowserRun {
        BrowserRun {
            system: system.into(),
            dataset: HEADLINE.into(),
            transfer: vec![],
            index_bytes: 1000,
            build_ms: Some(1.0),
            ttfq_cold_ms: vec![10.0],
            ttfq_warm_ms: vec![5.0],
            heap_js_bytes: 0.0,
            heap_wasm_bytes: MB,
            heap_wasm_after_queries_bytes: MB,
            lat_ms: vec![lat_ms; 200],
            outcomes: None,
        }
    }

    fn browser(runs: Vec<BrowserRun>) -> BrowserFile {
        BrowserFile {
            chromium: "test".into(),
            node: "test".into(),
            peers: BTreeMap::new(),
            widget: vec![
                file("kefu.js", 3_900, 3_400),
                file("kefu-widget.0123456789.js", 11_000, 9_800),
                file("kefu-widget.0123456789.wasm", 250_000, 211_000),
            ],
            loadavg_start: vec![],
            loadavg_end: vec![],
            runs,
        }
    }

    fn parity(passed: bool, absent: &[&str]) -> ParityFile {
        let names = ["sofmattress-normalized", "sofmattress-full", "banking77-full"];
        ParityFile {
            command: "cargo test -p kefu-widget --target wasm32-unknown-unknown --test parity".into(),
            passed,
            files: names.iter().map(|n| ParityEvalFile { name: n.to_string(), present: !absent.contains(n) }).collect(),
            queries: Some(4000),
            seconds: 60.0,
            log_tail: String::new(),
        }
    }

    fn report(b: &BrowserFile, measure: Option<&MeasureFile>, parity: Option<&ParityFile>) -> Report {
        let manifest = Manifest { datasets: vec![], notes: vec![] };
        build(&Inputs { manifest: &manifest, native: &[], browser: b, criterion: vec![], measure, parity })
    }

    fn met(r: &Report, prefix: &str) -> bool {
        r.targets
            .iter()
            .find(|t| t.issue == 14 && t.target.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}"))
            .met
    }

    #[test]
    fn issue_14_targets_are_met_from_the_measurements() {
        let b = browser(vec![run("kefu", 0.4), run("minisearch", 2.5)]);
        let m = MeasureFile {
            click_to_ready_cold_ms: vec![120.0, 90.0, 200.0, 100.0, 110.0],
            click_to_ready_warm_ms: vec![30.0, 35.0, 20.0, 90.0, 25.0],
            ..Default::default()
        };
        let p = parity(true, &[]);
        let r = report(&b, Some(&m), Some(&p));
        let t14: Vec<&Target> = r.targets.iter().filter(|t| t.issue == 14).collect();
        assert_eq!(t14.len(), 7);
        assert!(t14.iter().all(|t| t.met), "{t14:#?}");
        let cold = r.click_to_ready.as_ref().unwrap().cold.unwrap();
        assert_eq!((cold.median, cold.min, cold.max, cold.n), (110.0, 90.0, 200.0, 5));
        assert!(t14[2].measured.contains("median 110 ms (min 90.00, max 200, n=5)"), "{}", t14[2].measured);
        assert!(t14[0].measured.starts_with("224,200 B brotli"), "{}", t14[0].measured);
        assert!(t14[6].measured.contains("4,000 queries of 3 eval files"), "{}", t14[6].measured);
        // The issue-7 rows replaced by issue 14 are gone; the others stay.
        assert!(r.targets.iter().all(|t| !t.target.contains("450 KB") && !t.target.contains("≤ 2 ms")));
        assert!(r.targets.iter().any(|t| t.issue == 7 && t.target.starts_with("wasm memory")));
        let md = markdown(&r, &Manifest { datasets: vec![], notes: vec![] });
        let (a, b) = (md.find("## Targets (issue 14)").unwrap(), md.find("Still tracked from issue 7").unwrap());
        assert!(a < b);
        assert!(md.contains("| click → ready, warm | 30.00 | 20.00 | 90.00 | 5 |"), "{md}");
    }

    #[test]
    fn issue_14_targets_missed_or_unmeasured_say_no() {
        // Too slow, too big, fewer than 5 loads, a skipped eval file.
        let mut b = browser(vec![run("kefu", 1.5), run("minisearch", 5.0)]);
        b.widget[0].gzip = 4_217;
        b.widget[2].br = 300_000;
        let m = MeasureFile {
            click_to_ready_cold_ms: vec![100.0, 100.0, 100.0, 100.0],
            click_to_ready_warm_ms: vec![41.0; 5],
            ..Default::default()
        };
        let p = parity(true, &["banking77-full"]);
        let r = report(&b, Some(&m), Some(&p));
        for prefix in [
            "whole widget",
            "loader",
            "click → ready ≤ 150",
            "click → ready ≤ 40",
            "query p99 ≤ 1",
            "query p99 ≥ 5×",
            "rankings",
        ] {
            assert!(!met(&r, prefix), "{prefix}");
        }
        assert!(r.targets.iter().any(|t| t.measured.contains("fewer than 5 loads")));
        assert!(r.targets.iter().any(|t| t.measured.contains("skipped (no eval data): banking77-full")));

        // Nothing measured: every row is still there, and missed.
        let mut b = browser(vec![]);
        b.widget.clear();
        let r = report(&b, None, None);
        let t14: Vec<&Target> = r.targets.iter().filter(|t| t.issue == 14).collect();
        assert_eq!(t14.len(), 7);
        assert!(t14.iter().all(|t| !t.met && t.measured.starts_with("not measured")), "{t14:#?}");

        // A failed parity test is a miss even with every file present.
        let r = report(&browser(vec![]), None, Some(&parity(false, &[])));
        assert!(!met(&r, "rankings"));
    }

    #[test]
    fn thousands_separate() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(4_000), "4,000");
        assert_eq!(thousands(227_540), "227,540");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
