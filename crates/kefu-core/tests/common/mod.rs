//! Helpers shared by the integration tests.

use kefu_core::kb::{Entry, Locale};

/// An English FAQ entry with these questions and answer.
pub fn faq(id: &str, questions: &[&str], answer: &str) -> Entry {
    Entry {
        id: id.into(),
        questions: questions.iter().map(|q| q.to_string()).collect(),
        category: "faq".into(),
        locale: Locale::En,
        answer: kefu_core::kb::markdown::parse_answer(answer).0,
        ..Default::default()
    }
}

/// An engine built from these entries without calibration (ranking tests).
#[allow(dead_code)] // not every test file ranks
#[cfg(feature = "build")]
pub fn uncalibrated(entries: Vec<Entry>) -> kefu_core::Engine {
    let kb = kefu_core::kb::Kb { entries, ..Default::default() };
    let options = kefu_core::build::BuildOptions { skip_calibration: true, ..Default::default() };
    kefu_core::build::build(&kb, &options, &mut |_, _| {}).unwrap().1
}

/// The id of the entry ranked first for `q` (the test fails when nothing is found).
#[allow(dead_code)] // not every test file ranks
pub fn top_id(engine: &kefu_core::Engine, q: &str) -> String {
    let r = engine.search(q, 3);
    let hit = r.hits.first().unwrap_or_else(|| panic!("{q:?}: no hit"));
    engine.entry(hit.entry).unwrap().id.clone()
}
