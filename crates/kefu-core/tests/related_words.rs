//! A shop word the KB never writes stands in for a related word it does ("reimbursed" for
//! "refund"); a word the KB writes is matched as it is.
#![cfg(feature = "build")]

mod common;

use common::{top_id as top, uncalibrated};
use kefu_core::Engine;

fn engine(extra: &[(&str, &[&str])]) -> Engine {
    let e = common::faq;
    let mut entries = vec![
        e("refund-time", &["How long does a refund take?", "When do I get my refund?"], "5 days."),
        e("repair", &["Do you offer repairs?", "Can you repair my watch?"], "Yes."),
        e("delivery-time", &["How long does delivery take?", "When will my order arrive?"], "2 days."),
        e("hours", &["When are you open?", "What are your opening hours?"], "9–17."),
    ];
    for (id, questions) in extra {
        entries.push(e(id, questions, "Other."));
    }
    uncalibrated(entries)
}

#[test]
fn an_unknown_shop_word_finds_the_entry_of_its_relative() {
    let engine = engine(&[]);
    // "how long … take" would pull towards delivery; "reimbursed" is the telling word.
    assert_eq!(top(&engine, "reimbursed?"), "refund-time");
    assert_eq!(top(&engine, "can you fix a cracked screen"), "repair");
    let r = engine.search("reimbursed?", 3);
    assert_eq!(r.corrections.len(), 1, "{:?}", r.corrections);
    assert_eq!(r.corrections[0].1, "refund");
}

#[test]
fn a_word_the_kb_writes_is_matched_as_it_is() {
    let engine = engine(&[("reimburse", &["How do I claim a reimbursement for postage?"])]);
    assert_eq!(top(&engine, "reimbursement"), "reimburse");
    assert!(engine.search("reimbursement", 3).corrections.is_empty());
}
