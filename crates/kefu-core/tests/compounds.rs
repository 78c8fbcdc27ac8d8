//! A word written as one by the shopper and as two by the KB, or the other way round
//! ("preorders" / "pre-orders", "topup" / "top up", "pre-order" / "preorder"), finds its entry.
#![cfg(feature = "build")]

mod common;

use common::{top_id as top, uncalibrated};
use kefu_core::Engine;

fn engine() -> Engine {
    let e = common::faq;
    let entries = vec![
        e("preorder", &["How do pre-orders work?", "When will my pre-order ship?"], "On release day."),
        e("top-up", &["How do I top up my card?", "My top up failed"], "Card → Top up."),
        e("backorder", &["Can I backorder an item?"], "Yes, from the product page."),
        e("compatible", &["Will this case work with my phone?", "Which models does it fit?"], "See the list."),
        e("returns", &["How do I return an item?", "What is your return policy?"], "Within 30 days."),
        e("hours", &["When is customer service open?", "What are your opening hours?"], "9–17."),
    ];
    uncalibrated(entries)
}

#[test]
fn a_word_the_kb_writes_as_two_is_matched_by_its_parts() {
    let engine = engine();
    // The compound is the message's only telling word.
    assert_eq!(top(&engine, "preorders?"), "preorder");
    assert_eq!(top(&engine, "topup"), "top-up");
    // The parts count as known words: the message is covered, not full of unknown words.
    let r = engine.search("how do preorders work", 3);
    assert!(r.hits[0].coverage > 0.9, "coverage {}", r.hits[0].coverage);
}

#[test]
fn a_hyphenated_word_finds_the_kb_word_written_as_one() {
    let engine = engine();
    assert_eq!(top(&engine, "back-order?"), "backorder");
}

#[test]
fn words_that_only_look_like_two_known_words_are_left_alone() {
    let engine = engine();
    // "hours" is known as it is; "caseload" is not "case" + "load" (no "load" in the KB).
    let r = engine.search("caseload", 3);
    assert!(r.hits.is_empty(), "{:?}", r.hits.iter().map(|h| h.entry).collect::<Vec<_>>());
}

#[test]
fn chat_spellings_of_function_words_weigh_as_the_words() {
    // "u" for "you", "ur" for "your", "plz" for "please": as little telling as the words they
    // stand for, not rare unknown words that leave most of the message uncovered.
    let engine = engine();
    for (chat, plain) in
        [("can u return an item", "can you return an item"), ("ur return policy plz", "your return policy please")]
    {
        let (a, b) = (engine.search(chat, 3), engine.search(plain, 3));
        assert_eq!(a.hits[0].entry, b.hits[0].entry, "{chat}");
        // The KB never writes the chat spelling, but a function word it lacks costs little.
        assert!(a.known > 0.8 && a.known > b.known - 0.1, "{chat}: known {} against {}", a.known, b.known);
        let (ca, cb) = (a.hits[0].coverage, b.hits[0].coverage);
        assert!(ca > cb - 0.1, "{chat}: coverage {ca} against {cb}");
    }
}
