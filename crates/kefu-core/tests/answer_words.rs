//! A merchant writes the facts in the answer ("we ship to … Iceland …"), not in a question for
//! each of them. A message word found only in the top entry's answer counts towards the
//! entry's coverage (a feature of the confidence), as one found in its questions does; a
//! word found nowhere in the entry still leaves it uncovered.
#![cfg(feature = "build")]

mod common;

use common::faq;
use kefu_core::engine::Exclude;
use kefu_core::kb::Entry;

fn shop(abroad_answer: &str) -> Vec<Entry> {
    vec![
        faq("abroad", &["Do you ship internationally?", "ship to the usa"], abroad_answer),
        faq("dispatch", &["How soon will my order ship?", "when do you ship"], "Within 48 hours."),
        faq("fee", &["How much is shipping?", "shipping cost"], "Free over 99."),
        faq("voltage", &["Will it work with 110 V?", "plug type"], "220 V, Chinese plug."),
    ]
}

fn top(engine: &kefu_core::Engine, q: &str, exclude: Exclude) -> (String, f32, f32) {
    let r = engine.search_excluding(q, 3, exclude);
    let hit = r.hits.first().unwrap_or_else(|| panic!("{q:?}: no hit"));
    (engine.entry(hit.entry).unwrap().id.clone(), hit.coverage, hit.entry_coverage)
}

#[test]
fn a_word_only_the_answer_writes_counts_towards_its_entry() {
    let listed = common::uncalibrated(shop("To Hong Kong, Japan, Iceland and the EU."));
    let (id, coverage, entry_coverage) = top(&listed, "do you ship to iceland", Exclude::default());
    assert_eq!(id, "abroad");
    assert!(coverage < 0.7, "the best question lacks iceland: {coverage}");
    assert!(entry_coverage > 0.99, "iceland is in the answer: {entry_coverage}");

    // The same shop whose answer does not name Iceland: the word stays uncovered.
    let unlisted = common::uncalibrated(shop("To Hong Kong, Japan and the EU."));
    let (_, _, entry_coverage) = top(&unlisted, "do you ship to iceland", Exclude::default());
    assert!(entry_coverage < 0.7, "iceland is nowhere in the entry: {entry_coverage}");
}

#[test]
fn another_entrys_answer_does_not_cover_the_top_entry() {
    // "Iceland" is written in the voltage entry's answer only; the shipping entry ranked first
    // does not get it.
    let mut entries = shop("To Hong Kong, Japan and the EU.");
    entries[3] = faq("voltage", &["Will it work with 110 V?", "plug type"], "Tested for the US (110 V) and Iceland.");
    let engine = common::uncalibrated(entries);
    let (id, _, entry_coverage) = top(&engine, "do you ship internationally to iceland", Exclude::default());
    assert_eq!(id, "abroad");
    assert!(entry_coverage < 0.9, "{entry_coverage}");
}
