//! A KB question typed word for word is answered with its entry, even when the pooled
//! ranking puts a neighbour with many similar questions first.
#![cfg(feature = "build")]

mod common;

use kefu_core::build::{build, BuildOptions};
use kefu_core::engine::Exclude;
use kefu_core::kb::Kb;
use kefu_core::reply::{respond, Conversation, Decision, Now};
use kefu_core::Engine;

fn engine(extra: &[(&str, &[&str])]) -> Engine {
    let e = common::faq;
    let mut entries = vec![
        e(
            "change-phone",
            &[
                "how do I change my phone number",
                "change phone number",
                "update my phone number",
                "new phone number on my account",
                "my phone number changed",
                "edit the phone number",
            ],
            "Account → Security → Phone.",
        ),
        e("contact", &["how do I reach you", "what's your phone number"], "Chat with us here, 9–22."),
        e("returns", &["how do I return an item", "return policy"], "Within 7 days."),
    ];
    for (id, questions) in extra {
        entries.push(e(id, questions, "Other."));
    }
    let kb = Kb { entries, ..Default::default() };
    build(&kb, &BuildOptions { skip_calibration: true, ..Default::default() }, &mut |_, _| {}).unwrap().1
}

fn id(engine: &Engine, entry: u32) -> String {
    engine.entry(entry).unwrap().id.clone()
}

#[test]
fn a_question_typed_word_for_word_is_its_entrys() {
    let engine = engine(&[]);
    let r = engine.search("What's your phone number?", 5);
    // The pool of phone-number questions ranks the other entry first ...
    assert_eq!(id(&engine, r.hits[0].entry), "change-phone", "{r:?}");
    // ... but the message is the contact entry's question, word for word.
    assert_eq!(r.word_for_word.map(|e| id(&engine, e)).as_deref(), Some("contact"));
    let reply = respond(&engine, &mut Conversation::default(), "what's your phone number", Now::default());
    match reply.decision {
        Decision::Answer { entry, .. } => assert_eq!(id(&engine, entry), "contact"),
        other => panic!("{other:?}"),
    }
    // One word more or less is no longer word for word.
    assert_eq!(engine.search("what's your phone number please", 5).word_for_word, None);
    assert_eq!(engine.search("your phone number", 5).word_for_word, None);
    // Case and punctuation do not matter.
    assert!(engine.search("WHAT'S YOUR PHONE NUMBER??", 5).word_for_word.is_some());
}

#[test]
fn the_same_words_under_two_entries_decide_nothing() {
    let engine = engine(&[("hotline", &["what's your phone number", "hotline"])]);
    assert_eq!(engine.search("what's your phone number", 5).word_for_word, None);
}

#[test]
fn held_out_searches_never_see_it() {
    let engine = engine(&[]);
    // Hiding a question (the calibration's in-scope sample) or an entry leaves it unset.
    let q = engine.search_excluding("how do I reach you", 5, Exclude { question: Some(6), entry: None });
    assert_eq!(q.word_for_word, None);
    let e = engine.search_excluding("what's your phone number", 5, Exclude { question: None, entry: Some(0) });
    assert_eq!(e.word_for_word, None);
}
