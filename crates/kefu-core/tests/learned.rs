//! Learned term weights ([`kefu_core::learn`]): fitted at build time, carried in the bundle,
//! added to the lexical scores of entries with more than two questions, checked when a
//! bundle opens.
#![cfg(feature = "build")]

mod common;

use kefu_core::build::{build, BuildOptions};
use kefu_core::bundle::{self, BundleError};
use kefu_core::engine::Exclude;
use kefu_core::kb::Kb;
use kefu_core::Engine;

fn kb() -> Kb {
    let e = |id: &str, qs: &[&str]| common::faq(id, qs, "An answer.");
    Kb {
        entries: vec![
            e(
                "pending-top-up",
                &["my top up is pending", "top up still pending", "why is my top up pending", "pending top up money"],
            ),
            e(
                "pending-transfer",
                &["my transfer is pending", "transfer still pending", "why is my transfer pending", "pending transfer"],
            ),
            e("card-limit", &["what is my card limit", "card spending limit"]),
        ],
        ..Default::default()
    }
}

fn bytes(calibrated: bool) -> Vec<u8> {
    build(&kb(), &BuildOptions { skip_calibration: !calibrated, ..Default::default() }, &mut |_, _| {}).unwrap().0
}

#[test]
fn entries_with_many_questions_gain_their_learned_probability() {
    let engine = Engine::open(&bytes(false)).unwrap();
    assert!(engine.learned().is_some());
    let query = "why is the top up pending and my card limit";
    let learned = engine.search(query, 5);
    let lexical = engine.search_with(query, 5, Exclude::default(), None);
    let score = |r: &kefu_core::Ranking, id: &str| {
        let pos = engine.position_of(id).unwrap();
        r.hits.iter().find(|h| h.entry == pos).map(|h| h.score).unwrap()
    };
    // Four questions: the pool's weight is a half, so the learned view adds to the score.
    assert!(score(&learned, "pending-top-up") > score(&lexical, "pending-top-up"));
    assert_eq!(learned.hits[0].entry, engine.position_of("pending-top-up").unwrap());
    // Two questions: ranked as without learned weights.
    assert_eq!(score(&learned, "card-limit"), score(&lexical, "card-limit"));
}

#[test]
fn builds_are_reproducible_with_the_weights() {
    let (a, b) = (bytes(true), bytes(true));
    assert!(a == b, "two builds differ");
    let m = bundle::read(&a).unwrap().manifest;
    let learned = m.learned.expect("a calibrated build carries learned weights");
    assert!(!learned.values.is_empty());
}

#[test]
fn damaged_learned_weights_are_a_clear_error() {
    let good = bundle::read(&bytes(false)).unwrap();
    let mut broken = good.clone();
    let learned = broken.manifest.learned.as_mut().unwrap();
    learned.offsets.pop();
    let err = Engine::open(&bundle::write(&broken.manifest, &broken.files)).unwrap_err();
    assert!(matches!(&err, BundleError::Malformed(m) if m.contains("learned weights")), "{err}");

    let mut broken = good.clone();
    let learned = broken.manifest.learned.as_mut().unwrap();
    if let Some(e) = learned.entries.first_mut() {
        *e = 99;
    }
    let err = Engine::open(&bundle::write(&broken.manifest, &broken.files)).unwrap_err();
    assert!(matches!(&err, BundleError::Malformed(m) if m.contains("learned weights")), "{err}");
}

#[test]
fn the_engine_a_build_returns_is_the_one_its_bundle_opens() {
    // The build opens its bundle before calibrating and keeps that engine, calibrated, rather
    // than opening the final bytes again.
    let (bytes, built) = build(&kb(), &BuildOptions::default(), &mut |_, _| {}).unwrap();
    let opened = Engine::open(&bytes).unwrap();
    // Serialised, so that an unknown estimate (NaN) compares equal to itself.
    let manifest = |e: &Engine| postcard::to_allocvec(e.manifest()).unwrap();
    assert_eq!(manifest(&built), manifest(&opened));
    assert_eq!(built.format(), opened.format());
    let query = "why is the top up pending";
    assert_eq!(built.search(query, 5), opened.search(query, 5));
}
