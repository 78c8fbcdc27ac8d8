//! Held-out searches (the calibration's stand-ins for shoppers) see the KB as if it lacked
//! the excluded question or entry: its words are unknown, not known and free.
#![cfg(feature = "build")]

mod common;

use kefu_core::build::{build, BuildOptions};
use kefu_core::engine::Exclude;
use kefu_core::kb::Kb;
use kefu_core::Engine;

fn engine() -> Engine {
    let e = common::faq;
    let kb = Kb {
        entries: vec![
            e("returns", &["how do I return a blender", "return policy"], "Within 7 days."),
            e("fryer", &["what size is the fryer", "fryer capacity"], "4.5 litres."),
            e("delivery", &["how long does delivery take", "shipping time"], "Two days."),
        ],
        ..Default::default()
    };
    build(&kb, &BuildOptions { skip_calibration: true, ..Default::default() }, &mut |_, _| {}).unwrap().1
}

#[test]
fn a_held_out_question_does_not_know_its_own_words() {
    let engine = engine();
    let whole = engine.search("how do I return a blender", 5);
    assert_eq!(whole.known, 1.0);
    // Question 0 held out: "blender" is in no other document, so it is unknown.
    let held = engine.search_excluding("how do I return a blender", 5, Exclude { question: Some(0), entry: None });
    assert!(held.known < 1.0, "known {}", held.known);
    assert_eq!(held.hits.first().map(|h| h.entry), Some(0), "'return' still finds its entry");
    // A typo is not corrected to a word only the held-out question has.
    let typo = engine.search("blendr", 5);
    assert_eq!(typo.corrections, [("blendr".to_string(), "blender".to_string())]);
    let typo = engine.search_excluding("blendr", 5, Exclude { question: Some(0), entry: None });
    assert!(typo.corrections.is_empty() && typo.hits.is_empty(), "{typo:?}");
}

#[test]
fn a_hidden_entry_takes_its_questions_and_answer_with_it() {
    let engine = engine();
    assert_eq!(engine.search("fryer capacity litres", 5).known, 1.0);
    let hidden = engine.search_excluding("fryer capacity litres", 5, Exclude { question: None, entry: Some(1) });
    assert_eq!(hidden.known, 0.0, "fryer, capacity and litres are only in the hidden entry");
    assert!(hidden.hits.is_empty());
}

#[test]
fn every_question_of_a_hidden_entry_is_asked() {
    use kefu_core::reply::calibrate::{samples, Kind, Models};
    let e = |id: &str, qs: &[&str]| common::faq(id, qs, "An answer.");
    let kb = Kb {
        entries: vec![
            e("returns", &["return policy", "send it back", "how do returns work", "refund window", "return label"]),
            e("fryer", &["fryer size", "fryer capacity"]),
        ],
        ..Default::default()
    };
    let engine = build(&kb, &BuildOptions { skip_calibration: true, ..Default::default() }, &mut |_, _| {}).unwrap().1;
    let s = samples(&engine, &kb, &[], &Models::none(&engine));
    // Each hidden entry is asked with all its wordings (not its first three): the near
    // out-of-scope estimate of a KB with few entries rests on more than a handful.
    assert_eq!(s.iter().filter(|x| x.kind == Kind::Near).count(), 7);
    assert_eq!(s.iter().filter(|x| x.kind == Kind::InScope).count(), 7);
}
