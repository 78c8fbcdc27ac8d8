//! The compact reader scores exactly as tantivy (issue 14): for every query of every shared
//! eval file (read from `../shared/eval`, never copied in) and of kefu's own Chinese file,
//! the documents [`Engine::gather`] returns, with their BM25 scores, are compared with
//! tantivy's own top documents for the same clauses on the index tantivy built.
//!
//! Scores must agree to 1e-5 (relative): the two add a document's clause scores in different
//! orders, so the last bits of an f32 may differ. Documents whose scores agree that closely
//! are a tie, and only ties may come in another order (or trade places at the 100th rank).
#![cfg(feature = "build")]

use kefu_core::build::{build, BuildOptions, TantivyIndex};
use kefu_core::kb::{table, Kb, Locale};
use std::path::{Path, PathBuf};

const GATHER: usize = 100;

fn files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = root.join("../shared/eval");
    let mut out = Vec::new();
    for set in ["hint3_sofmattress", "bitext_customer_support", "banking77"] {
        for variant in ["normalized", "full"] {
            out.push(shared.join(set).join(format!("{variant}.tsv")));
        }
    }
    out.push(root.join("eval/zh-service/normalized.tsv"));
    out.push(root.join("eval/zh-service/full.tsv"));
    out
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-5 * a.abs().max(b.abs()) + 1e-6
}

#[test]
fn compact_reader_scores_every_eval_query_as_tantivy_does() {
    let mut checked = 0usize;
    let mut tie_orders = 0usize;
    let mut max_rel = 0.0f32;
    for file in files() {
        if !file.exists() {
            eprintln!("skipped: {} not found (the shared evaluation data sits beside the repo)", file.display());
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let han = text.chars().filter(|&c| kefu_core::analyze::is_han(c)).count();
        let latin = text.chars().filter(|c| c.is_ascii_alphabetic()).count();
        let locale = if han > latin / 2 { Locale::ZhCn } else { Locale::En };
        let (entries, queries, diags) = table::read_eval(&file.display().to_string(), &text, locale);
        assert!(diags.is_empty(), "{diags:?}");
        let mut kb = Kb { entries, ..Default::default() };
        kb.settings.locale = locale;
        let (_, engine) =
            build(&kb, &BuildOptions { skip_calibration: true, ..Default::default() }, &mut |_, _| {}).unwrap();
        let tantivy = TantivyIndex::of(&kb).unwrap();
        assert_eq!(tantivy.export().unwrap(), *engine.index(), "{}: exported index differs", file.display());
        for q in &queries {
            let ours = engine.gather(&q.text);
            let theirs = tantivy.top_docs(&ours.clauses, GATHER).unwrap();
            let at = format!("{} line {}: {:?}", file.display(), q.line, q.text);
            assert_eq!(ours.docs.len(), theirs.len(), "{at}: document counts differ");
            let mut reordered = false;
            for (i, (&(d1, s1), &(d2, s2))) in ours.docs.iter().zip(&theirs).enumerate() {
                assert!(close(s1, s2), "{at}: rank {i}: score {s1} (doc {d1}) vs tantivy's {s2} (doc {d2})");
                max_rel = max_rel.max((s1 - s2).abs() / s1.abs().max(f32::MIN_POSITIVE));
                if d1 != d2 {
                    // Only a tie may change places: tantivy must give our document the same
                    // score, or (at the cut) an equal one.
                    let same = theirs.iter().find(|t| t.0 == d1).map(|t| t.1).unwrap_or(theirs[theirs.len() - 1].1);
                    assert!(close(s1, same), "{at}: rank {i}: doc {d1} ({s1}) vs tantivy's doc {d2} ({s2})");
                    reordered = true;
                }
            }
            tie_orders += reordered as usize;
            checked += 1;
        }
    }
    eprintln!(
        "tantivy parity: {checked} queries, top {GATHER} documents each; {tie_orders} with tied documents in \
         another order; largest relative score difference {max_rel:.2e}"
    );
}
