//! A first FAQ, one question an entry, has no alternate question to hold out: kefu cannot
//! estimate how often it is right, and sets its answer threshold from out-of-scope questions
//! alone (`reply::calibrate`), with a prior confidence model led by how much of the message
//! the KB knows. Chit-chat that shares "what is" with one question is not answered with it.
#![cfg(feature = "build")]

mod common;

use kefu_core::build::{build, BuildOptions};
use kefu_core::kb::Kb;
use kefu_core::reply::{respond, Conversation, Decision, Now};
use kefu_core::Engine;

fn first_faq() -> Engine {
    let e = common::faq;
    let entries = vec![
        e("delivery", &["How long does delivery take?"], "3–5 business days."),
        e("abroad", &["Do you ship internationally?"], "To the EU and the US."),
        e("track", &["How can I track my order?"], "Use the link in your confirmation e-mail."),
        e("returns", &["What is your return policy?"], "Unused items within 30 days."),
        e("pay", &["Which payment methods do you accept?"], "Cards and PayPal."),
        e("sizes", &["How do I find my size?"], "See the size chart on each product."),
        e("gift", &["Do you offer gift wrapping?"], "Yes, at checkout."),
        e("cancel", &["Can I cancel my order?"], "Before it ships, in your account."),
        e("warranty", &["Is there a warranty?"], "Two years."),
        e("stock", &["When will an item be back in stock?"], "Sign up for the alert on its page."),
        e("invoice", &["Can I get an invoice?"], "It is in your account."),
        e("contact", &["How do I contact you?"], "Chat here, 9–22."),
    ];
    let kb = Kb { entries, ..Default::default() };
    build(&kb, &BuildOptions::default(), &mut |_, _| {}).unwrap().1
}

fn decide(engine: &Engine, q: &str) -> Decision {
    respond(engine, &mut Conversation::default(), q, Now::default()).decision
}

#[test]
fn a_first_faq_is_calibrated_on_out_of_scope_questions_alone() {
    let engine = first_faq();
    let c = &engine.manifest().calibration;
    // Nothing says how often answers are right, and the estimate says so ...
    assert!(c.est_self_service.is_nan(), "{c:?}");
    // ... but kefu's own out-of-domain questions were asked, and the threshold comes from them.
    assert!(c.far_samples > 100, "{c:?}");
    assert!(c.est_wrong_max <= kefu_core::reply::calibrate::TARGET_WRONG / 2.0, "{c:?}");
    for q in ["what is the meaning of life", "what is the weather tomorrow", "what is your favourite film"] {
        assert!(!matches!(decide(&engine, q), Decision::Answer { .. }), "{q}: {:?}", decide(&engine, q));
    }
    // Its own questions, and close wordings of them, are still answered.
    for (q, id) in [
        ("how long does delivery take", "delivery"),
        ("what is your return policy", "returns"),
        ("do you ship internationally?", "abroad"),
    ] {
        match decide(&engine, q) {
            Decision::Answer { entry, .. } => assert_eq!(engine.entry(entry).unwrap().id, id, "{q}"),
            other => panic!("{q}: {other:?}"),
        }
    }
}
