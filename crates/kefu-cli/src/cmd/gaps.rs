//! `kefu gaps LOG --kb SRC`: what shoppers asked that the KB could not answer, grouped.
//!
//! LOG holds one [`GapRecord`] per line as JSON (what the widget and server collect from
//! `Reply::gap`); plain-text lines are taken as message texts. The messages are clustered
//! (kefu-core `reply::gaps`), and for each cluster the command prints its size, the typical
//! messages and the nearest existing entry, so content staff see what to write or extend.

use crate::source;
use anyhow::{Context, Result};
use kefu_core::build::{build, BuildOptions};
use kefu_core::kb::Locale;
use kefu_core::reply::gaps::{cluster, GapRecord, PICKED};
use kefu_core::Engine;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The log: JSON lines of gap records (or one message per line).
    pub log: PathBuf,
    /// The KB to compare with: a source folder or file, or a built bundle (.kefu).
    #[arg(long)]
    pub kb: PathBuf,
    /// How many clusters to print.
    #[arg(short = 'n', long, default_value_t = 15)]
    pub top: usize,
    /// Examples per cluster.
    #[arg(long, default_value_t = 3)]
    pub examples: usize,
    /// Cosine similarity (0–1) for a message to join a cluster.
    #[arg(long, default_value_t = 0.3, value_parser = threshold, allow_negative_numbers = true)]
    pub threshold: f32,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Keep records in every language: by default only those in the KB's language (and those
    /// without a locale) are read.
    #[arg(long)]
    pub all_languages: bool,
}

/// `--threshold`: a number from 0 to 1 (NaN, infinities and anything outside are refused).
fn threshold(s: &str) -> Result<f32, String> {
    match s.trim().parse::<f32>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        Ok(_) => Err(format!("`{s}` is not between 0 and 1 (a cosine similarity; 0.3 suits short shop questions)")),
        Err(_) => Err(format!("`{s}` is not a number from 0 to 1")),
    }
}

/// A log line that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// Counted from 1.
    pub line: usize,
    pub reason: String,
}

/// How many skipped lines are named one by one (in the report and on stderr).
const UNREADABLE_SHOWN: usize = 5;

/// One cluster as reported.
#[derive(Debug, Clone, Serialize)]
pub struct GapCluster {
    pub count: usize,
    pub terms: Vec<String>,
    pub examples: Vec<String>,
    /// The nearest existing entry: id, main question, mean score over the members that found it,
    /// best coverage.
    pub nearest: Option<Nearest>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Nearest {
    pub id: String,
    pub title: String,
    pub score: f32,
    pub coverage: f32,
}

/// Questions shoppers matched to an entry themselves: after a "did you mean" they chose it
/// (records with decision `picked`). Each is a phrasing worth adding to that entry.
#[derive(Debug, Clone, Serialize)]
pub struct Picked {
    pub id: String,
    /// The entry's main question; empty when the KB has no such entry (any more).
    pub title: String,
    pub count: usize,
    /// Distinct questions, most asked first.
    pub questions: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct GapReport {
    /// Unanswered messages (picked records not counted).
    pub records: usize,
    pub clustered: usize,
    pub clusters: usize,
    pub unreadable_lines: usize,
    /// The first few of them, with their line numbers and why.
    pub unreadable: Vec<Unreadable>,
    /// Records left out because their `locale` is not the KB's language: by locale as
    /// written, most first.
    pub other_languages: Vec<(String, usize)>,
    pub top: Vec<GapCluster>,
    /// By entry, most picked first.
    pub picked: Vec<Picked>,
}

/// Reads a log: JSON gap records, or plain lines as texts (a JSON string as its text).
/// Returns the records and the lines skipped: JSON that does not parse, an object that is not
/// a gap record, and JSON arrays, numbers, `true`/`false`/`null` (not questions). A byte-order
/// mark at the start (a log saved by Notepad or PowerShell) is no part of the first line.
pub fn read_log(text: &str) -> (Vec<GapRecord>, Vec<Unreadable>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let skip = |reason: String| Unreadable { line: i + 1, reason };
        let json = if line.starts_with(['{', '[', '"'])
            || line.parse::<f64>().is_ok()
            || ["true", "false", "null"].contains(&line)
        {
            serde_json::from_str::<serde_json::Value>(line)
        } else {
            out.push(GapRecord { text: line.to_string(), ..Default::default() });
            continue;
        };
        match json {
            Ok(v @ serde_json::Value::Object(_)) => match serde_json::from_value::<GapRecord>(v) {
                Ok(r) => out.push(r),
                Err(e) => bad.push(skip(format!("not a gap record: {e}"))),
            },
            Ok(serde_json::Value::String(t)) => out.push(GapRecord { text: t, ..Default::default() }),
            Ok(v) => {
                let what = match v {
                    serde_json::Value::Array(_) => "a JSON array",
                    serde_json::Value::Number(_) => "a number",
                    _ => "a JSON constant",
                };
                bad.push(skip(format!("{what}, not a gap record or a question")))
            }
            Err(e) if line.starts_with(['{', '[']) => {
                let e = e.to_string();
                let e = e.split(" at line ").next().unwrap_or_default();
                bad.push(skip(format!("broken JSON: {e}")))
            }
            // `"so-called" express`: text after all.
            Err(_) => out.push(GapRecord { text: line.to_string(), ..Default::default() }),
        }
    }
    // The widget's records come masked, a log made otherwise (plain lines from a shop's own
    // chat export) may not: ID and bank-card numbers are masked before anything is printed.
    for r in &mut out {
        r.text = kefu_core::reply::mask::mask(&r.text);
    }
    (out, bad)
}

/// Splits off the records in another language than the KB's (`kb`): their locale, as written,
/// names another language or none kefu knows. zh-CN and zh-TW are one language here: the
/// analyzer reads traditional characters as simplified, so a Chinese KB answers both (and the
/// reply's locale follows the script the shopper typed in). Records without a locale (plain
/// lines, hand-made logs) are kept. Returns the kept records and the skipped count per locale,
/// most first.
pub fn split_languages(records: Vec<GapRecord>, kb: Locale) -> (Vec<GapRecord>, Vec<(String, usize)>) {
    let chinese = |l: Locale| matches!(l, Locale::ZhCn | Locale::ZhTw);
    let same = |l: Locale| l == kb || (chinese(l) && chinese(kb));
    let mut kept = Vec::with_capacity(records.len());
    let mut other: Vec<(String, usize)> = Vec::new();
    for r in records {
        let tag = r.locale.trim();
        if tag.is_empty() || Locale::parse(tag).is_some_and(same) {
            kept.push(r);
            continue;
        }
        match other.iter_mut().find(|(t, _)| t == tag) {
            Some(o) => o.1 += 1,
            None => other.push((tag.to_string(), 1)),
        }
    }
    other.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    (kept, other)
}

/// Clusters the records and finds each cluster's nearest entry.
pub fn analyse(records: &[GapRecord], engine: &Engine, threshold: f32, top: usize, examples: usize) -> GapReport {
    let (chosen, records): (Vec<&GapRecord>, Vec<&GapRecord>) =
        records.iter().partition(|r| r.decision == PICKED && r.chosen.is_some());
    let picked = picked(&chosen, engine, examples);
    let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
    let clusters = cluster(&texts, engine.analyzer(), threshold);
    let clustered = clusters.iter().map(|c| c.members.len()).sum();
    let top = clusters
        .iter()
        .take(top)
        .map(|c| {
            // Distinct examples, most typical first.
            let mut ex: Vec<String> = Vec::new();
            for &m in &c.members {
                let t = texts[m].trim().to_string();
                if !ex.iter().any(|e| e.eq_ignore_ascii_case(&t)) {
                    ex.push(t);
                }
                if ex.len() >= examples {
                    break;
                }
            }
            // The nearest entry: votes of the most typical members' searches, by score.
            let mut votes: Vec<(u32, f32, f32, usize)> = Vec::new();
            for &m in c.members.iter().take(5) {
                for h in engine.search(texts[m], 3).hits {
                    match votes.iter_mut().find(|v| v.0 == h.entry) {
                        Some(v) => {
                            v.1 += h.score;
                            v.2 = v.2.max(h.coverage);
                            v.3 += 1;
                        }
                        None => votes.push((h.entry, h.score, h.coverage, 1)),
                    }
                }
            }
            votes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let nearest = votes.first().and_then(|&(entry, total, coverage, n)| {
                engine.entry(entry).map(|e| Nearest {
                    id: e.id.clone(),
                    title: e.title.clone(),
                    score: total / n as f32,
                    coverage,
                })
            });
            GapCluster { count: c.members.len(), terms: c.terms.clone(), examples: ex, nearest }
        })
        .collect();
    GapReport {
        records: records.len(),
        clustered,
        clusters: clusters.len(),
        unreadable_lines: 0,
        unreadable: Vec::new(),
        other_languages: Vec::new(),
        top,
        picked,
    }
}

/// Groups picked records by the entry chosen: most picked first (ties by id), each entry's
/// distinct questions (case and width folded) most asked first, at most `examples`.
fn picked(records: &[&GapRecord], engine: &Engine, examples: usize) -> Vec<Picked> {
    use std::collections::HashMap;
    // Per entry (in first-seen order): its questions as first written, counted by their
    // normalized form.
    type Asked = (String, usize);
    let mut by_entry: Vec<(String, Vec<Asked>, HashMap<String, usize>)> = Vec::new();
    for r in records {
        let Some(id) = &r.chosen else { continue };
        let text = r.text.trim();
        if text.is_empty() {
            continue;
        }
        let i = match by_entry.iter().position(|(e, _, _)| e == id) {
            Some(i) => i,
            None => {
                by_entry.push((id.clone(), Vec::new(), HashMap::new()));
                by_entry.len() - 1
            }
        };
        let (_, questions, seen) = &mut by_entry[i];
        let at = *seen.entry(kefu_core::analyze::normalize(text)).or_insert_with(|| {
            questions.push((text.to_string(), 0));
            questions.len() - 1
        });
        questions[at].1 += 1;
    }
    let mut out: Vec<Picked> = by_entry
        .into_iter()
        .map(|(id, mut questions, _)| {
            // Stable: equally asked questions keep the order they were first asked in.
            questions.sort_by_key(|q| std::cmp::Reverse(q.1));
            let title = engine.position_of(&id).and_then(|p| engine.entry(p)).map(|e| e.title.clone());
            Picked {
                count: questions.iter().map(|q| q.1).sum(),
                title: title.unwrap_or_default(),
                questions: questions.into_iter().take(examples).map(|q| q.0).collect(),
                id,
            }
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
    out
}

/// Opens a bundle, or builds one (uncalibrated: only search is needed) from KB sources.
fn engine_for(kb: &Path) -> Result<Engine> {
    if kb.extension().is_some_and(|e| e == "kefu") {
        return super::open_bundle(kb);
    }
    let loaded = source::load(kb)?;
    if loaded.errors() > 0 {
        source::print_diagnostics(&loaded.diagnostics);
        anyhow::bail!("{}: {} errors", kb.display(), loaded.errors());
    }
    let opts = BuildOptions { skip_calibration: true, ..Default::default() };
    let (_, engine) = build(&loaded.kb, &opts, &mut |_, _| {})?;
    Ok(engine)
}

pub fn run(args: Args) -> Result<ExitCode> {
    let bytes = std::fs::read(&args.log).with_context(|| format!("cannot read {}", args.log.display()))?;
    let name = args.log.display().to_string();
    let text: Vec<_> =
        bytes.split(|&b| b == b'\n').enumerate().map(|(i, l)| super::lossy_line(l, &name, i + 1)).collect();
    let (records, bad) = read_log(&text.join("\n"));
    let engine = engine_for(&args.kb)?;
    let (records, other_languages) = if args.all_languages {
        (records, Vec::new())
    } else {
        split_languages(records, engine.manifest().settings.locale)
    };
    for u in bad.iter().take(UNREADABLE_SHOWN) {
        eprintln!("{name}:{}: warning: line skipped: {}", u.line, printable(&u.reason));
    }
    if bad.len() > UNREADABLE_SHOWN {
        eprintln!("{name}: warning: {} more unreadable lines skipped", bad.len() - UNREADABLE_SHOWN);
    }
    let mut report = analyse(&records, &engine, args.threshold, args.top, args.examples.max(1));
    report.unreadable_lines = bad.len();
    report.other_languages = other_languages;
    report.unreadable = bad.into_iter().take(UNREADABLE_SHOWN).collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", render(&report));
    Ok(ExitCode::SUCCESS)
}

/// `s` safe to print on a terminal: control characters (C0 such as NUL and ESC, DEL, C1 such
/// as CSI) and the bidi embeddings, overrides and isolates are shown escaped (`\u{1b}`), so a
/// shopper's message cannot clear the screen, set the title or write the clipboard of whoever
/// reads the report, nor reorder what is shown. Log texts come from shoppers.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() || kefu_core::analyze::is_bidi_control(c);
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A quoted example line: at most 100 characters of `text`, made printable.
fn example(text: &str) -> String {
    let short: String = text.chars().take(100).collect();
    format!("      “{}”{}", printable(&short), if short.len() < text.len() { "…" } else { "" })
}

/// The report as text. Everything taken from the log or the KB goes through [`printable`].
pub fn render(r: &GapReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} unanswered messages, {} in {} clusters ({} without searchable words){}",
        r.records,
        r.clustered,
        r.clusters,
        r.records - r.clustered,
        if r.unreadable_lines > 0 {
            let lines: Vec<String> = r.unreadable.iter().map(|u| u.line.to_string()).collect();
            let more = if r.unreadable_lines > lines.len() { ", …" } else { "" };
            format!("; {} unreadable lines skipped (line {}{more})", r.unreadable_lines, lines.join(", "))
        } else {
            String::new()
        }
    );
    if !r.other_languages.is_empty() {
        let n: usize = r.other_languages.iter().map(|o| o.1).sum();
        let which: Vec<String> = r.other_languages.iter().map(|(l, k)| format!("{} {k}", printable(l))).collect();
        let _ = writeln!(
            out,
            "{n} records in other languages than the KB's skipped: {} (--all-languages keeps them)",
            which.join(", ")
        );
    }
    for (i, c) in r.top.iter().enumerate() {
        let terms: Vec<_> = c.terms.iter().map(|t| printable(t)).collect();
        let _ = writeln!(out, "\n{:>2}. {} × {}", i + 1, c.count, terms.join(", "));
        for e in &c.examples {
            let _ = writeln!(out, "{}", example(e));
        }
        match &c.nearest {
            Some(n) => {
                let _ = writeln!(
                    out,
                    "    nearest entry: {} “{}” (score {:.2}, coverage {:.2}) — extend it, or add a new entry",
                    printable(&n.id),
                    printable(&n.title),
                    n.score,
                    n.coverage
                );
            }
            None => {
                let _ = writeln!(out, "    nearest entry: none — a new topic for the KB");
            }
        }
    }
    if !r.picked.is_empty() {
        let n: usize = r.picked.iter().map(|p| p.count).sum();
        let _ = writeln!(
            out,
            "\n{n} questions shoppers matched to an entry themselves (chosen from \"did you mean\"): add them to the entry as questions"
        );
        for p in &r.picked {
            let title = if p.title.is_empty() {
                "not in this KB".to_string()
            } else {
                format!("“{}”", printable(&p.title))
            };
            let _ = writeln!(out, "  {} {} × {}", printable(&p.id), title, p.count);
            for q in &p.questions {
                let _ = writeln!(out, "{}", example(q));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The out-of-scope queries of the HINT3 SOFMattress set, read at test time.
    fn sofmattress() -> Option<PathBuf> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval/hint3_sofmattress/full.tsv");
        if p.exists() {
            Some(p)
        } else {
            eprintln!("skipped: {} is absent", p.display());
            None
        }
    }

    /// A gap record of an English widget.
    fn rec(text: &str, decision: &str, chosen: Option<&str>) -> GapRecord {
        GapRecord {
            text: text.into(),
            decision: decision.into(),
            chosen: chosen.map(String::from),
            locale: "en".into(),
            ..Default::default()
        }
    }

    #[test]
    fn log_lines_json_and_plain() {
        let log = "{\"text\":\"do you ship to nepal\",\"decision\":\"handoff\",\"top_entry\":null,\"locale\":\"en\",\"unix_ms\":1}\n\
                   plain question here\n\n{broken json\n";
        let (records, bad) = read_log(log);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].decision, "handoff");
        assert_eq!(records[1].text, "plain question here");
        assert_eq!(bad.len(), 1);
        // What kefu-core writes, serde reads.
        let r = GapRecord {
            text: "x \"y\"\n退货".into(),
            decision: "clarify".into(),
            top_entry: Some("a".into()),
            locale: "zh-CN".into(),
            unix_ms: 7,
            chosen: None,
        };
        let back: GapRecord = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(back, r);
        let r = GapRecord { decision: PICKED.into(), chosen: Some("b".into()), ..r };
        let back: GapRecord = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn shopper_text_reaches_the_terminal_with_its_control_characters_escaped() {
        let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/demo/kb/en");
        let engine = engine_for(&kb).unwrap();
        let nasty = "hello \u{1b}]0;PWNED\u{7} \u{1b}[2J refund nepal \u{0}\u{1}\u{9b}31m \u{202e}dlrow";
        let records = [
            rec(nasty, "handoff", None),
            rec(nasty, "handoff", None),
            rec(nasty, PICKED, Some("return-7-day")),
            rec("send it back", PICKED, Some("gone\u{1b}[2J\u{7}")),
        ];
        let text = render(&analyse(&records, &engine, 0.3, 10, 3));
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
        assert!(!text.contains('\u{202e}'), "{text:?}");
        assert!(
            text.contains("hello \\u{1b}]0;PWNED\\u{7} \\u{1b}[2J refund nepal \\u{0}\\u{1}\\u{9b}31m \\u{202e}dlrow"),
            "{text}"
        );
        assert!(text.contains("gone\\u{1b}[2J\\u{7} not in this KB × 1"), "{text}");
        assert_eq!(printable("退货 ok"), "退货 ok");
    }

    #[test]
    fn odd_log_lines_are_read_or_named_with_their_line_and_reason() {
        let log = "{\"text\":\"do you ship to nepal\"}\n\
                   [\"array line\"]\n\
                   12345\n\
                   {broken\n\
                   \n\
                   {\"decision\":\"handoff\"}\n\
                   \"a quoted question\"\n\
                   null\n\
                   \"so-called\" express\n";
        let (records, bad) = read_log(log);
        let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
        // A record without `decision` is an unanswered message like any other.
        assert_eq!(texts, ["do you ship to nepal", "a quoted question", "\"so-called\" express"]);
        assert_eq!(records[0].decision, "");
        let lines: Vec<usize> = bad.iter().map(|u| u.line).collect();
        assert_eq!(lines, [2, 3, 4, 6, 8]);
        assert!(bad[0].reason.contains("JSON array"), "{bad:?}");
        assert!(bad[1].reason.contains("number"), "{bad:?}");
        assert!(bad[2].reason.starts_with("broken JSON"), "{bad:?}");
        assert!(bad[3].reason.contains("missing field `text`"), "{bad:?}");
        assert!(!bad[3].reason.contains("column"), "{bad:?}");
        let mut report = GapReport {
            records: 3,
            clustered: 0,
            clusters: 0,
            unreadable_lines: 7,
            unreadable: bad,
            other_languages: vec![],
            top: vec![],
            picked: vec![],
        };
        report.unreadable.truncate(UNREADABLE_SHOWN);
        assert!(render(&report).contains("7 unreadable lines skipped (line 2, 3, 4, 6, 8, …)"), "{}", render(&report));
    }

    #[test]
    fn a_byte_order_mark_does_not_turn_the_first_record_into_a_plain_line() {
        let (records, bad) =
            read_log("\u{feff}{\"text\":\"do you ship to nepal\",\"decision\":\"handoff\"}\r\n\u{feff}x\n");
        let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
        // Only the file's own mark goes: one inside the log is the text's.
        assert_eq!(texts, ["do you ship to nepal", "\u{feff}x"]);
        assert_eq!((records[0].decision.as_str(), bad.len()), ("handoff", 0));
    }

    #[test]
    fn id_and_card_numbers_in_a_log_are_masked() {
        let log = "my card 4111 1111 1111 1111 was charged twice\n\
                   {\"text\":\"身份证11010519491231002X 能退吗\",\"decision\":\"handoff\"}\n\
                   \"order 2024112312345678 not here\"\n";
        let (records, _) = read_log(log);
        let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "my card **** **** **** 1111 was charged twice",
                "身份证**************002X 能退吗",
                "order 2024112312345678 not here"
            ]
        );
    }

    #[test]
    fn thresholds_outside_0_to_1_are_refused() {
        assert_eq!(threshold("0.35"), Ok(0.35));
        assert_eq!(threshold("1"), Ok(1.0));
        for bad in ["NaN", "nan", "inf", "-5", "1.5", "abc", ""] {
            assert!(threshold(bad).is_err(), "{bad}");
        }
        assert!(threshold("NaN").unwrap_err().contains("not between 0 and 1"));
    }

    #[test]
    fn records_in_another_language_than_the_kb_are_left_out_and_counted() {
        let rec = |text: &str, locale: &str| GapRecord {
            text: text.into(),
            decision: "handoff".into(),
            locale: locale.into(),
            ..Default::default()
        };
        let records = vec![
            rec("能送到西藏吗", "zh-CN"),
            rec("西藏可以發貨嗎", "zh-TW"),
            rec("do you ship to nepal", "en"),
            rec("shipping to nepal?", "en"),
            rec("livrez-vous au népal", "fr"),
            rec("plain line", ""),
        ];
        let (kept, other) = split_languages(records.clone(), Locale::ZhCn);
        let texts: Vec<&str> = kept.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["能送到西藏吗", "西藏可以發貨嗎", "plain line"]);
        assert_eq!(other, [("en".to_string(), 2), ("fr".to_string(), 1)]);
        let (kept, other) = split_languages(records, Locale::En);
        let texts: Vec<&str> = kept.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["do you ship to nepal", "shipping to nepal?", "plain line"]);
        assert_eq!(other, [("fr".to_string(), 1), ("zh-CN".to_string(), 1), ("zh-TW".to_string(), 1)]);

        let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/demo/kb/en");
        let engine = engine_for(&kb).unwrap();
        let mut report = analyse(&kept, &engine, 0.3, 10, 3);
        report.other_languages = other;
        let text = render(&report);
        assert!(text.starts_with("3 unanswered messages"), "{text}");
        assert!(
            text.contains("3 records in other languages than the KB's skipped: fr 1, zh-CN 1, zh-TW 1 (--all-languages keeps them)"),
            "{text}"
        );
        assert!(!text.contains("西藏"), "{text}");
    }

    #[test]
    fn clusters_chinese_questions_against_the_demo_kb() {
        let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/demo/kb/zh-CN");
        let engine = engine_for(&kb).unwrap();
        let log = [
            "能送到西藏吗",
            "西藏可以发货吗",
            "西藏地区能不能送",
            "可以货到付款吗",
            "支持货到付款吗？",
            "貨到付款可以嗎",
            "你们有实体店吗",
        ]
        .iter()
        .map(|t| {
            GapRecord { text: t.to_string(), decision: "handoff".into(), locale: "zh-CN".into(), ..Default::default() }
                .to_json()
        })
        .collect::<Vec<_>>()
        .join("\n");
        let (records, bad) = read_log(&log);
        assert_eq!((records.len(), bad.len()), (7, 0));
        let report = analyse(&records, &engine, 0.3, 10, 3);
        println!("{}", render(&report));
        assert_eq!(report.top[0].count, 3);
        assert_eq!(report.top[1].count, 3);
        let tibet = report.top.iter().find(|c| c.examples.iter().any(|e| e.contains("西藏"))).unwrap();
        assert!(tibet.examples.iter().all(|e| e.contains("西藏")));
        let cod = report.top.iter().find(|c| c.examples.iter().any(|e| e.contains("货到付款"))).unwrap();
        assert!(cod.examples.iter().any(|e| e.contains("貨到付款")), "traditional joins simplified: {cod:?}");
        assert!(report.top.iter().all(|c| c.nearest.is_some()));
    }

    #[test]
    fn picked_questions_are_listed_by_entry_not_clustered() {
        let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/demo/kb/en");
        let engine = engine_for(&kb).unwrap();
        let log = [
            rec("can I send it back", "clarify", None),
            rec("can I send it back", PICKED, Some("return-7-day")),
            rec("Can I send it back", PICKED, Some("return-7-day")),
            rec("i want my money back", PICKED, Some("return-7-day")),
            rec("when does it ship", PICKED, Some("dispatch-time")),
            rec("renamed since", PICKED, Some("gone-entry")),
            rec("do you ship to nepal", "handoff", None),
        ]
        .iter()
        .map(GapRecord::to_json)
        .collect::<Vec<_>>()
        .join("\n");
        let (records, bad) = read_log(&log);
        assert_eq!((records.len(), bad.len()), (7, 0));
        let report = analyse(&records, &engine, 0.3, 10, 3);
        // Only the two unanswered messages are clustered.
        assert_eq!(report.records, 2);
        let ids: Vec<(&str, usize)> = report.picked.iter().map(|p| (p.id.as_str(), p.count)).collect();
        assert_eq!(ids, [("return-7-day", 3), ("dispatch-time", 1), ("gone-entry", 1)]);
        // Case-folded duplicates count once, the most asked first.
        assert_eq!(report.picked[0].questions, ["can I send it back", "i want my money back"]);
        assert!(!report.picked[0].title.is_empty());
        assert!(report.picked[2].title.is_empty());
        let text = render(&report);
        assert!(text.contains("5 questions shoppers matched to an entry themselves"), "{text}");
        assert!(text.contains("gone-entry not in this KB × 1"), "{text}");
    }

    #[test]
    fn clusters_the_out_of_scope_queries_of_sofmattress() {
        let Some(path) = sofmattress() else { return };
        let text = std::fs::read_to_string(&path).unwrap();
        let log: String = text
            .lines()
            .filter_map(|l| {
                let cols: Vec<&str> = l.split('\t').collect();
                (cols.len() == 4 && cols[0] == "query" && cols[2] == "__none__").then(|| {
                    GapRecord {
                        text: cols[3].to_string(),
                        decision: "handoff".into(),
                        locale: "en".into(),
                        ..Default::default()
                    }
                    .to_json()
                })
            })
            .collect::<Vec<_>>()
            .join("\n");
        let dir = tempfile::tempdir().unwrap();
        let log_path = dir.path().join("gaps.jsonl");
        std::fs::write(&log_path, &log).unwrap();
        let (records, bad) = read_log(&std::fs::read_to_string(&log_path).unwrap());
        assert_eq!((records.len(), bad.len()), (144, 0));
        let engine = engine_for(&path).unwrap();
        let report = analyse(&records, &engine, 0.3, 10, 3);
        println!("{}", render(&report));
        assert_eq!(report.records, 144);
        // Grouping happened: far fewer clusters than messages, and real groups exist.
        assert!(report.clusters < 110, "{} clusters", report.clusters);
        assert!(report.top[0].count >= 4, "{:?}", report.top[0]);
        assert!(report.top.iter().take(5).all(|c| c.count >= 2 && !c.examples.is_empty()));
        assert!(report.top.iter().filter(|c| c.nearest.is_some()).count() >= 5);
        // The two "not able to order the pillow" messages land together.
        let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
        let clusters = cluster(&texts, engine.analyzer(), 0.3);
        let at = |needle: &str| {
            let i = texts.iter().position(|t| *t == needle).unwrap();
            clusters.iter().position(|c| c.members.contains(&i))
        };
        assert!(at("i am not able to order pillows").is_some());
        assert_eq!(at("i am not able to order pillows"), at("i am not able order the pillow"));
    }
}
