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

fn zh(id: &str, questions: &[&str]) -> kefu_core::kb::Entry {
    kefu_core::kb::Entry { locale: kefu_core::kb::Locale::ZhCn, ..common::faq(id, questions, "好的。") }
}

fn zh_engine() -> Engine {
    uncalibrated(vec![
        zh("complaint", &["我要投诉", "对处理结果不满意可以投诉吗"]),
        zh("ship-time", &["什么时候发货", "下单后多久发货"]),
        zh("login", &["登录不上怎么办", "密码忘了登录不了"]),
    ])
}

#[test]
fn a_chinese_word_the_kb_never_writes_finds_the_entry_of_its_relative() {
    let engine = zh_engine();
    // 领导 (a manager) is nowhere in the KB; its group has 投诉, which the complaint entry
    // writes. Without the group the message shares no word with any entry.
    assert_eq!(top(&engine, "找你们领导来"), "complaint");
    let r = engine.search("找你们领导来", 3);
    assert!(r.corrections.iter().any(|(typed, used)| typed == "领导" && used == "投诉"), "{:?}", r.corrections);
    // 出库 (left the warehouse) stands in for the shipping entry's 发货.
    assert_eq!(top(&engine, "多久出库"), "ship-time");
}

#[test]
fn chinese_seams_stay_seams_and_known_words_stay_themselves() {
    let engine = zh_engine();
    // 发货 is the KB's own word: matched as it is, nothing stands in for it; the seams of
    // the message (么时, 时候 …) are no words of any group.
    let r = engine.search("什么时候能发货", 3);
    assert!(r.corrections.is_empty(), "{:?}", r.corrections);
    assert_eq!(top(&engine, "什么时候能发货"), "ship-time");
}

#[test]
fn only_groups_that_reach_the_kb_travel_in_the_bundle() {
    let zh = zh_engine();
    let related = &zh.manifest().settings.related;
    assert!(!related.is_empty());
    // Every group holds a word of this KB; a KB of three entries reaches only a few of them.
    assert!(related.iter().all(|g| g.iter().any(|t| !zh.search(t, 1).hits.is_empty())), "{related:?}");
    assert!(related.len() < 40, "{} groups", related.len());
    // An English KB gets the English groups only, as stemmed terms ("reimbursement" → "reimburs"),
    // with the Chinese service words written into them (退款 beside "refund"), and no Chinese
    // group (领导 with 投诉).
    let en = engine(&[]);
    let groups = &en.manifest().settings.related;
    assert!(groups.iter().flatten().all(|t| t.is_ascii() || t.chars().count() == 2), "{groups:?}");
    assert!(groups.iter().any(|g| g.contains(&"refund".to_string()) && g.contains(&"退款".to_string())));
    assert!(!groups.iter().flatten().any(|t| t == "领导" || t == "投诉"), "{groups:?}");
    assert!(
        groups.iter().any(|g| g.contains(&"refund".to_string()) && g.contains(&"reimburs".to_string())),
        "{groups:?}"
    );
}

#[test]
fn a_chinese_service_word_at_an_english_shop_is_searched_as_the_english_one() {
    let engine = engine(&[]);
    // QA: "退款 how long?" at an English shop got "no ready answer": 退款 was a word of no KB.
    let r = engine.search("退款 how long?", 3);
    assert!(r.corrections.contains(&("退款".to_string(), "refund".to_string())), "{:?}", r.corrections);
    assert_eq!(top(&engine, "退款 how long?"), "refund-time");
}
