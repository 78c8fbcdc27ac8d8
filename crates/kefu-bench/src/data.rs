//! The benchmark's data sets, written once into one folder that every runner reads:
//!
//! - the six shared evaluation files (`../shared/eval`, sparse = `normalized.tsv` and `full.tsv`
//!   of sofmattress, bitext and banking77), unchanged, with their licences beside them;
//! - stratified subsets of banking77 full (100, 300, 1,000, 3,000 kb rows: rows are taken
//!   round-robin over the 77 intents, so every intent stays in the KB) for the size curve,
//!   asked a fixed subsample of the banking77 queries;
//! - `synthetic-50k`: 50,000 kb rows, 5,000 entries of 10 questions, generated with a seeded
//!   generator from the banking77 full rows (see [`synthetic`]); unlabelled, for scaling only;
//! - the demo shop's KBs (`www/demo/kb/en`, `zh-CN`), asked the widget's parity queries;
//!   unlabelled. kefu builds them from the Markdown (answers included); the other systems index
//!   their questions.
//!
//! Every data set is an evaluation TSV (`split id label text`) plus a line in `datasets.json`.

use anyhow::{bail, Context, Result};
use kefu_core::kb::table::{read_eval, EvalQuery};
use kefu_core::kb::{self, Entry, Kb, Locale, Severity};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Label written for queries whose right answer is not known (latency-only data sets).
pub const UNLABELLED: &str = "__unlabelled__";
/// Manifest file name inside the data folder.
pub const MANIFEST: &str = "datasets.json";

/// Why a data set is in the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// A shared evaluation file: accuracy and speed.
    Eval,
    /// A banking77 subset: the latency-vs-size curve.
    Scale,
    /// The generated 50k KB: the far end of the size curve.
    Synthetic,
    /// The demo shop's KB.
    Demo,
}

/// One data set of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dataset {
    /// Short name, e.g. `banking77-full`.
    pub name: String,
    pub group: Group,
    /// The evaluation TSV, relative to the data folder.
    pub tsv: String,
    /// For the demo KBs: the Markdown folder kefu builds from (absolute).
    pub markdown: Option<PathBuf>,
    /// KB rows (questions, alternates included).
    pub kb_rows: usize,
    /// Distinct entries (labels).
    pub entries: usize,
    pub queries: usize,
    /// Whether the queries carry their right answer (accuracy is measured).
    pub labelled: bool,
    /// Where the queries come from, for the report.
    pub query_note: String,
}

impl Dataset {
    /// A data set whose evaluation TSV is `<name>.tsv`, with its counts taken from `rows`.
    fn of(name: String, group: Group, rows: &Rows, query_note: String) -> Dataset {
        Dataset {
            tsv: format!("{name}.tsv"),
            name,
            group,
            markdown: None,
            kb_rows: rows.kb.len(),
            entries: rows.entries(),
            queries: rows.queries.len(),
            labelled: matches!(group, Group::Eval | Group::Scale),
            query_note,
        }
    }
}

/// The manifest: every data set, in report order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub datasets: Vec<Dataset>,
    /// How the data were made (for the report).
    pub notes: Vec<String>,
}

impl Manifest {
    /// Reads `datasets.json` from a data folder.
    pub fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {} (run `kefu-bench data` first)", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{}: not a kefu-bench data manifest", path.display()))
    }

    /// The data set called `name`.
    pub fn get(&self, name: &str) -> Result<&Dataset> {
        self.datasets.iter().find(|d| d.name == name).with_context(|| {
            let names: Vec<&str> = self.datasets.iter().map(|d| d.name.as_str()).collect();
            format!("no data set `{name}` (known: {})", names.join(", "))
        })
    }
}

/// Where the inputs are.
#[derive(Debug, Clone)]
pub struct Sources {
    /// `../shared/eval`.
    pub eval: PathBuf,
    /// `www/demo/kb` (folders `en`, `zh-CN`).
    pub demo: PathBuf,
    /// The widget's parity queries (`locale<TAB>query`).
    pub demo_queries: PathBuf,
}

/// Sizes of the data sets; [`Sizes::QUICK`] is a smoke run.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub subsets: &'static [usize],
    pub subset_queries: usize,
    pub synthetic_entries: usize,
    pub synthetic_queries: usize,
    /// Only the sofmattress files and banking77 sparse of the eval files.
    pub small_eval_only: bool,
}

impl Sizes {
    pub const FULL: Sizes = Sizes {
        subsets: &[100, 300, 1000, 3000],
        subset_queries: 500,
        synthetic_entries: 5000,
        synthetic_queries: 300,
        small_eval_only: false,
    };
    pub const QUICK: Sizes = Sizes {
        subsets: &[300],
        subset_queries: 100,
        synthetic_entries: 500,
        synthetic_queries: 50,
        small_eval_only: true,
    };
}

/// Questions per synthetic entry.
pub const SYNTHETIC_QUESTIONS: usize = 10;
/// Seed of the synthetic generator.
pub const SYNTHETIC_SEED: u64 = 0x6b65_6675_2007;

const EVAL_FILES: &[(&str, &str)] =
    &[("hint3_sofmattress", "sofmattress"), ("bitext_customer_support", "bitext"), ("banking77", "banking77")];
const VARIANTS: &[(&str, &str)] = &[("normalized.tsv", "sparse"), ("full.tsv", "full")];

/// One parsed evaluation file: kb rows (label, text) in file order and the queries.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub kb: Vec<(String, String)>,
    pub queries: Vec<(String, String)>,
}

/// Reads an evaluation TSV with kefu's reader (`kefu eval`'s): kb entries and queries, with
/// the file name and line in every error.
pub fn read_eval_file(path: &Path) -> Result<(Vec<Entry>, Vec<EvalQuery>)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_eval(&path.display().to_string(), &text)
}

fn parse_eval(file: &str, text: &str) -> Result<(Vec<Entry>, Vec<EvalQuery>)> {
    let (entries, queries, diags) = read_eval(file, text, Locale::En);
    if !diags.is_empty() {
        anyhow::bail!("{}", diags.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"));
    }
    Ok((entries, queries))
}

impl Rows {
    /// Parses an evaluation TSV, with the file name and line in every error.
    pub fn parse(file: &str, text: &str) -> Result<Rows> {
        let (entries, queries) = parse_eval(file, text)?;
        Ok(Rows::from_eval(entries, queries))
    }

    /// Reads and parses an evaluation TSV.
    pub fn read(path: &Path) -> Result<Rows> {
        let (entries, queries) = read_eval_file(path)?;
        Ok(Rows::from_eval(entries, queries))
    }

    /// kefu's reader groups kb rows by label; this puts them back in file order.
    fn from_eval(entries: Vec<Entry>, queries: Vec<EvalQuery>) -> Rows {
        let mut kb: Vec<(usize, String, String)> = entries
            .into_iter()
            .flat_map(|e| {
                let id = e.id;
                e.questions_at.into_iter().zip(e.questions).map(move |(line, q)| (line, id.clone(), q))
            })
            .collect();
        kb.sort_unstable_by_key(|r| r.0);
        Rows {
            kb: kb.into_iter().map(|(_, label, text)| (label, text)).collect(),
            queries: queries.into_iter().map(|q| (q.label, q.text)).collect(),
        }
    }

    /// Writes the rows as an evaluation TSV (tabs and line breaks in texts become spaces).
    pub fn to_tsv(&self, prefix: &str) -> String {
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        let mut out = String::from("split\tid\tlabel\ttext\n");
        for (i, (label, text)) in self.kb.iter().enumerate() {
            out.push_str(&format!("kb\t{prefix}:kb{}\t{}\t{}\n", i + 1, clean(label), clean(text)));
        }
        for (i, (label, text)) in self.queries.iter().enumerate() {
            out.push_str(&format!("query\t{prefix}:q{}\t{}\t{}\n", i + 1, clean(label), clean(text)));
        }
        out
    }

    /// Number of distinct kb labels.
    pub fn entries(&self) -> usize {
        let mut labels: Vec<&str> = self.kb.iter().map(|(l, _)| l.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        labels.len()
    }
}

/// Writes every data set into `out` and returns the manifest (also written as `datasets.json`).
pub fn prepare(src: &Sources, out: &Path, sizes: Sizes) -> Result<Manifest> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut m = Manifest { datasets: Vec::new(), notes: Vec::new() };
    let mut banking_full: Option<Rows> = None;
    for (folder, short) in EVAL_FILES {
        for (file, variant) in VARIANTS {
            let name = format!("{short}-{variant}");
            let is_banking_full = *folder == "banking77" && *variant == "full";
            let small = *short == "sofmattress" || name == "banking77-sparse";
            let listed = !sizes.small_eval_only || small;
            if !listed && !is_banking_full {
                continue;
            }
            let path = src.eval.join(folder).join(file);
            let rows = Rows::read(&path)?;
            if listed {
                copy_licence(&src.eval.join(folder), out, folder)?;
                std::fs::copy(&path, out.join(format!("{name}.tsv")))
                    .with_context(|| format!("cannot copy {}", path.display()))?;
                let note = format!("all {} query rows of {folder}/{file}", rows.queries.len());
                m.datasets.push(Dataset::of(name, Group::Eval, &rows, note));
            }
            if is_banking_full {
                banking_full = Some(rows);
            }
        }
    }
    let banking = banking_full.context("banking77/full.tsv was not read")?;

    for &size in sizes.subsets {
        let rows =
            Rows { kb: stratified(&banking.kb, size), queries: subsample(&banking.queries, sizes.subset_queries) };
        let name = format!("banking77-{size}");
        write(out, &name, &rows)?;
        let note = format!(
            "{} of the 3,080 banking77 queries (every ~{}th)",
            rows.queries.len(),
            banking.queries.len() / rows.queries.len().max(1)
        );
        m.datasets.push(Dataset::of(name, Group::Scale, &rows, note));
    }
    m.notes.push(format!(
        "banking77-N: N kb rows of banking77 full taken round-robin over its 77 intents (file order within an intent); queries: a fixed subsample of {} banking77 queries.",
        sizes.subset_queries
    ));

    let syn = Rows {
        kb: synthetic(&banking, sizes.synthetic_entries, SYNTHETIC_SEED),
        queries: subsample(&banking.queries, sizes.synthetic_queries)
            .into_iter()
            .map(|(_, t)| (UNLABELLED.to_string(), t))
            .collect(),
    };
    let name = format!("synthetic-{}k", syn.kb.len() / 1000);
    write(out, &name, &syn)?;
    let note = format!("{} banking77 queries, unlabelled (latency only)", syn.queries.len());
    m.datasets.push(Dataset::of(name.clone(), Group::Synthetic, &syn, note));
    m.notes.push(format!(
        "{name}: {} entries × {SYNTHETIC_QUESTIONS} questions generated from banking77 full (seed {SYNTHETIC_SEED:#x}): each question joins the start of one row and the end of another row of the same intent; every entry's first question carries a reference word of its own. Queries unlabelled (latency, size and memory only).",
        sizes.synthetic_entries
    ));

    let parity = std::fs::read_to_string(&src.demo_queries)
        .with_context(|| format!("cannot read {}", src.demo_queries.display()))?;
    for locale in ["en", "zh-CN"] {
        let folder = src.demo.join(locale);
        let kb = load_markdown(&folder)?;
        let mut rows = Rows::default();
        for e in &kb.entries {
            for q in &e.questions {
                rows.kb.push((e.id.clone(), q.clone()));
            }
        }
        for line in parity.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            if let Some((loc, q)) = line.split_once('\t') {
                if loc == locale {
                    rows.queries.push((UNLABELLED.to_string(), q.trim().to_string()));
                }
            }
        }
        if rows.queries.is_empty() {
            bail!("{}: no `{locale}` queries", src.demo_queries.display());
        }
        let name = format!("demo-{locale}");
        write(out, &name, &rows)?;
        let folder = std::fs::canonicalize(&folder).with_context(|| format!("cannot resolve {}", folder.display()))?;
        let note = format!("the widget's {} `{locale}` parity queries, unlabelled", rows.queries.len());
        m.datasets.push(Dataset {
            markdown: Some(folder),
            entries: kb.entries.len(),
            ..Dataset::of(name, Group::Demo, &rows, note)
        });
    }
    m.notes.push("demo-*: kefu builds from the Markdown KB (answers and kefu.toml synonyms included); MiniSearch, FlexSearch and tantivy index the questions.".into());

    let json = serde_json::to_string_pretty(&m)?;
    std::fs::write(out.join(MANIFEST), json)
        .with_context(|| format!("cannot write {}", out.join(MANIFEST).display()))?;
    Ok(m)
}

fn write(out: &Path, name: &str, rows: &Rows) -> Result<()> {
    let path = out.join(format!("{name}.tsv"));
    std::fs::write(&path, rows.to_tsv(name)).with_context(|| format!("cannot write {}", path.display()))
}

fn copy_licence(folder: &Path, out: &Path, name: &str) -> Result<()> {
    let dir = out.join("licences");
    std::fs::create_dir_all(&dir)?;
    for f in std::fs::read_dir(folder).with_context(|| format!("cannot read {}", folder.display()))? {
        let f = f?;
        let fname = f.file_name().to_string_lossy().to_string();
        if fname.starts_with("LICENSE") || fname == "SOURCE.md" {
            std::fs::copy(f.path(), dir.join(format!("{name}-{fname}")))?;
        }
    }
    Ok(())
}

/// `n` rows taken round-robin over the labels (in first-seen order), each label's rows in file
/// order; returned in file order.
pub fn stratified(rows: &[(String, String)], n: usize) -> Vec<(String, String)> {
    let mut order: Vec<&str> = Vec::new();
    let mut by_label: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (label, _)) in rows.iter().enumerate() {
        by_label
            .entry(label.as_str())
            .or_insert_with(|| {
                order.push(label.as_str());
                Vec::new()
            })
            .push(i);
    }
    let mut picked = Vec::with_capacity(n.min(rows.len()));
    let mut round = 0;
    while picked.len() < n.min(rows.len()) {
        for label in &order {
            if let Some(&i) = by_label[label].get(round) {
                if picked.len() < n {
                    picked.push(i);
                }
            }
        }
        round += 1;
    }
    picked.sort_unstable();
    picked.into_iter().map(|i| rows[i].clone()).collect()
}

/// `k` items spread evenly over `items` (all of them when `k` ≥ len).
pub fn subsample<T: Clone>(items: &[T], k: usize) -> Vec<T> {
    if k >= items.len() {
        return items.to_vec();
    }
    (0..k).map(|i| items[i * items.len() / k].clone()).collect()
}

/// A small, seeded generator (SplitMix64): the same seed gives the same KB on every machine.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Synthetic kb rows: `entries` entries of [`SYNTHETIC_QUESTIONS`] questions. Entry `e` is
/// built from intent `e mod 77` of the source rows: each question is the first part of one
/// random row of that intent followed by the last part of another, and the entry's first
/// question ends with a reference word of its own (`ref<e>`), as product names and codes make
/// real FAQ entries distinct. Labels are `syn<e>-<intent>`.
pub fn synthetic(source: &Rows, entries: usize, seed: u64) -> Vec<(String, String)> {
    let mut order: Vec<&str> = Vec::new();
    let mut by_label: HashMap<&str, Vec<Vec<&str>>> = HashMap::new();
    for (label, text) in &source.kb {
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        by_label
            .entry(label.as_str())
            .or_insert_with(|| {
                order.push(label.as_str());
                Vec::new()
            })
            .push(words);
    }
    let mut rng = SplitMix::new(seed);
    let mut out = Vec::with_capacity(entries * SYNTHETIC_QUESTIONS);
    for e in 0..entries {
        let intent = order[e % order.len()];
        let rows = &by_label[intent];
        let label = format!("syn{e:05}-{intent}");
        for q in 0..SYNTHETIC_QUESTIONS {
            let a = &rows[rng.below(rows.len())];
            let b = &rows[rng.below(rows.len())];
            let cut_a = 1 + rng.below(a.len());
            let cut_b = rng.below(b.len());
            let mut words: Vec<&str> = a[..cut_a].iter().chain(&b[cut_b..]).copied().collect();
            let reference = format!("ref{e}");
            if q == 0 {
                words.push(&reference);
            }
            out.push((label.clone(), words.join(" ")));
        }
    }
    out
}

/// Reads a Markdown KB folder (`*.md` except README.md, plus `kefu.toml`) the way `kefu build`
/// does. Errors name the file and line.
pub fn load_markdown(folder: &Path) -> Result<Kb> {
    let mut files = Vec::new();
    collect(folder, &mut files)?;
    files.sort();
    if files.is_empty() {
        bail!("{}: no Markdown files", folder.display());
    }
    let mut kb = Kb::default();
    if let Some(settings) = files.iter().find(|p| p.file_name().is_some_and(|n| n == "kefu.toml")) {
        let text = std::fs::read_to_string(settings).with_context(|| format!("cannot read {}", settings.display()))?;
        kb.settings = kb::settings::read(&settings.display().to_string(), &text)
            .map_err(|d| anyhow::anyhow!("{}", d.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")))?;
    }
    let mut errors = Vec::new();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "md")) {
        if path.file_name().is_some_and(|n| n.eq_ignore_ascii_case("README.md")) {
            continue;
        }
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let (entries, diags) = kb::markdown::read(&path.display().to_string(), &text, kb.settings.locale);
        errors.extend(diags.into_iter().filter(|d| d.severity == Severity::Error).map(|d| d.to_string()));
        kb.entries.extend(entries);
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    Ok(kb)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// A data set's KB as kefu builds it: from the Markdown folder, else the TSV's kb rows.
pub fn kefu_kb(dir: &Path, ds: &Dataset) -> Result<Kb> {
    match &ds.markdown {
        Some(folder) => load_markdown(folder),
        None => Ok(Kb { entries: read_eval_file(&dir.join(&ds.tsv))?.0, ..Default::default() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Rows {
        let mut r = Rows::default();
        for (l, n) in [("a", 5), ("b", 2), ("c", 4)] {
            for i in 0..n {
                r.kb.push((l.to_string(), format!("{l} question number {i}")));
            }
        }
        r.queries.push(("a".into(), "q".into()));
        r
    }

    #[test]
    fn stratified_keeps_every_label() {
        let r = rows();
        let s = stratified(&r.kb, 4);
        let labels: Vec<&str> = s.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["a", "a", "b", "c"]);
        assert_eq!(stratified(&r.kb, 100).len(), r.kb.len());
    }

    #[test]
    fn synthetic_is_deterministic_and_sized() {
        let r = rows();
        let a = synthetic(&r, 7, 42);
        assert_eq!(a, synthetic(&r, 7, 42));
        assert_ne!(a, synthetic(&r, 7, 43));
        assert_eq!(a.len(), 7 * SYNTHETIC_QUESTIONS);
        assert!(a[0].1.ends_with("ref0"));
        assert!(a[0].0.starts_with("syn00000-a"));
        assert_eq!(Rows { kb: a, queries: vec![] }.entries(), 7);
    }

    #[test]
    fn tsv_round_trips_and_bad_files_name_the_line() {
        let r = rows();
        let back = Rows::parse("x.tsv", &r.to_tsv("x")).unwrap();
        assert_eq!(back.kb, r.kb);
        assert_eq!(back.queries, r.queries);
        let err = Rows::parse("bad.tsv", "split\tid\tlabel\ttext\nkb\tonly two\n").unwrap_err();
        assert!(err.to_string().contains("bad.tsv:2"), "{err}");
    }

    #[test]
    fn subsample_spreads_evenly() {
        let v: Vec<usize> = (0..10).collect();
        assert_eq!(subsample(&v, 5), [0, 2, 4, 6, 8]);
        assert_eq!(subsample(&v, 20).len(), 10);
    }
}
