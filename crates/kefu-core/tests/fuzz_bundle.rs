//! Fuzzing of damaged bundles whose checksum was recomputed (issue 15): byte flips, byte
//! runs, truncations and random bytes, mostly inside the index files, then `Engine::open` and
//! a few searches. Nothing may panic out of the engine; every case ends in `Ok` or `Err`.
//!
//! `cargo test --release -p kefu-core --features build --test fuzz_bundle` runs a few thousand
//! cases; `KEFU_FUZZ_CASES=100000` (scripts/fuzz-bundle.sh) runs more and prints cases/s and
//! the outcomes. `KEFU_FUZZ_SEED` picks another sequence. A case that hangs is reported by a
//! watchdog (the process exits with its description).
#![cfg(feature = "build")]

use kefu_core::build::{build, BuildOptions};
use kefu_core::bundle::{self, BundleError};
use kefu_core::kb::{markdown, settings, Kb};
use kefu_core::Engine;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Cases of the normal test run.
const DEFAULT_CASES: u32 = 3000;
/// A case that takes longer than this is a hang.
const HANG: Duration = Duration::from_secs(20);
/// Questions asked of every bundle that opens: plain, typo (correction path), Chinese
/// (unigrams and bigrams), one past the query-term cap, and one of stopwords only.
const QUESTIONS: &[&str] = &[
    "where is my parcel",
    "retrun polciy for damaged items",
    "退货运费",
    "can i change the delivery address after ordering and pay by card or paypal and get a refund for the broken lamp sofa cushion warranty repair invoice voucher discount code shipping abroad",
    "how is my the",
];

fn load_kb(dir: &str) -> Kb {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/demo/kb").join(dir);
    let toml = std::fs::read_to_string(root.join("kefu.toml")).unwrap();
    let mut kb = Kb { entries: Vec::new(), settings: settings::read("kefu.toml", &toml).unwrap() };
    let mut files: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in files.iter().filter(|p| p.extension().is_some_and(|x| x == "md")) {
        let text = std::fs::read_to_string(f).unwrap();
        kb.entries.extend(markdown::read(&f.display().to_string(), &text, kb.settings.locale).0);
    }
    kb
}

/// One damage to a bundle. `file` indexes the bundle's files (wrapped); positions wrap too.
#[derive(Debug, Clone)]
enum Damage {
    /// XOR one byte of an index file.
    Flip { file: usize, at: usize, xor: u8 },
    /// Overwrite a run of an index file with one value.
    Run { file: usize, at: usize, len: usize, value: u8 },
    /// Overwrite a few bytes of an index file with random bytes.
    Bytes { file: usize, at: usize, bytes: Vec<u8> },
    /// Cut an index file short (the manifest's lengths follow, as a forger would do).
    Truncate { file: usize, keep: usize },
    /// Set one byte anywhere after the header (manifest, framing), checksum fixed after.
    Raw { at: usize, value: u8 },
}

fn damage() -> impl Strategy<Value = Damage> {
    let file = 0..64usize;
    let at = any::<usize>();
    prop_oneof![
        4 => (file.clone(), at, 1..=255u8).prop_map(|(file, at, xor)| Damage::Flip { file, at, xor }),
        2 => (file.clone(), at, 2..64usize, any::<u8>())
            .prop_map(|(file, at, len, value)| Damage::Run { file, at, len, value }),
        2 => (file.clone(), at, proptest::collection::vec(any::<u8>(), 2..9))
            .prop_map(|(file, at, bytes)| Damage::Bytes { file, at, bytes }),
        1 => (file, at).prop_map(|(file, keep)| Damage::Truncate { file, keep }),
        1 => (at, any::<u8>()).prop_map(|(at, value)| Damage::Raw { at, value }),
    ]
}

/// The bundle with the damage done and its checksum (and lengths) made to match.
fn apply(good: &bundle::Bundle, good_bytes: &[u8], d: &Damage) -> Vec<u8> {
    let mut files = good.files.clone();
    let n = files.len();
    let pick = |file: usize, files: &mut Vec<(String, Vec<u8>)>| -> usize {
        let i = file % n;
        if files[i].1.is_empty() {
            (i + 1) % n
        } else {
            i
        }
    };
    match d {
        Damage::Flip { file, at, xor } => {
            let i = pick(*file, &mut files);
            let data = &mut files[i].1;
            let at = at % data.len();
            data[at] ^= xor;
        }
        Damage::Run { file, at, len, value } => {
            let i = pick(*file, &mut files);
            let data = &mut files[i].1;
            let at = at % data.len();
            let end = (at + len).min(data.len());
            data[at..end].fill(*value);
        }
        Damage::Bytes { file, at, bytes } => {
            let i = pick(*file, &mut files);
            let data = &mut files[i].1;
            let at = at % data.len();
            for (k, b) in bytes.iter().enumerate() {
                if let Some(x) = data.get_mut(at + k) {
                    *x = *b;
                }
            }
        }
        Damage::Truncate { file, keep } => {
            let i = pick(*file, &mut files);
            let data = &mut files[i].1;
            let keep = keep % data.len();
            data.truncate(keep);
        }
        Damage::Raw { at, value } => {
            let mut b = good_bytes.to_vec();
            let at = 24 + at % (b.len() - 24);
            b[at] = *value;
            let crc = crc32fast::hash(&b[24..]);
            b[12..16].copy_from_slice(&crc.to_le_bytes());
            return b;
        }
    }
    bundle::write(&good.manifest, &files)
}

/// How the cases ended.
#[derive(Default, Debug)]
struct Tally {
    /// Opened, and every question answered.
    ok: u64,
    /// Refused at open, by error kind.
    refused: BTreeMap<String, u64>,
    /// Opened, but a search hit damage (a panic contained in `try_search`): in wasm, where
    /// panics cannot be caught, these are the cases that would trap at a question.
    search_damaged: u64,
    /// Where contained panics came from (open or search), by first line of the message.
    panics: BTreeMap<String, u64>,
}

fn kind(e: &BundleError) -> &'static str {
    match e {
        BundleError::BadMagic => "bad-magic",
        BundleError::Truncated { .. } => "truncated",
        BundleError::NewerVersion { .. } => "newer-version",
        BundleError::OlderVersion { .. } => "older-version",
        BundleError::Checksum { .. } => "checksum",
        BundleError::Malformed(_) => "malformed",
        BundleError::MissingSegment(_) => "missing-segment",
        BundleError::Corrupt { what } if contained(what) => "corrupt (contained panic)",
        BundleError::Corrupt { .. } => "corrupt (open's checks)",
    }
}

/// A panic caught by `kefu_core::guard::run` ("opening the index: <message> at <file:line>").
fn contained(what: &str) -> bool {
    what.starts_with("opening the index: ") || what.starts_with("searching the index: ")
}

fn site(e: &BundleError) -> Option<String> {
    let BundleError::Corrupt { what } = e else { return None };
    if !contained(what) {
        return None; // found by open's own checks, not a panic
    }
    // "searching the index: <message> at <file:line>": keep the phase and the place.
    let phase = what.split(':').next().unwrap_or("");
    let at = what.rsplit(" at ").next().unwrap_or("?");
    Some(format!("{phase} @ {at}"))
}

fn run_cases(cases: u32, seed: u64, verbose: bool) -> Tally {
    kefu_core::guard::quiet_panics();
    let good_bytes =
        build(&load_kb("en"), &BuildOptions { skip_calibration: true, ..Default::default() }, &mut |_, _| {})
            .unwrap()
            .0;
    let good = bundle::read(&good_bytes).unwrap();
    let tally = Mutex::new(Tally::default());
    let done = Arc::new(AtomicU64::new(0));
    let current = Arc::new(Mutex::new(String::new()));
    {
        let (done, current) = (done.clone(), current.clone());
        std::thread::spawn(move || {
            let mut last = (0, Instant::now());
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let d = done.load(Ordering::Relaxed);
                if d != last.0 {
                    last = (d, Instant::now());
                } else if last.1.elapsed() > HANG {
                    eprintln!("fuzz: case {d} hangs (> {HANG:?}): {}", current.lock().unwrap());
                    std::process::exit(3);
                }
            }
        });
    }
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 200, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    let start = Instant::now();
    let result = runner.run(&damage(), |d| {
        *current.lock().unwrap() = format!("{d:?}");
        let bytes = apply(&good, &good_bytes, &d);
        let outcome = match Engine::open(&bytes) {
            Err(e) => Err(e),
            Ok(engine) => QUESTIONS.iter().try_for_each(|q| engine.try_search(q, 5).map(|_| ())),
        };
        let mut t = tally.lock().unwrap();
        match outcome {
            Ok(()) => t.ok += 1,
            Err(e) => {
                if let Some(s) = site(&e) {
                    *t.panics.entry(s).or_default() += 1;
                }
                if matches!(&e, BundleError::Corrupt { what } if what.starts_with("searching")) {
                    t.search_damaged += 1;
                    if verbose {
                        eprintln!("fuzz: search damaged by {d:?}: {e}");
                    }
                } else {
                    *t.refused.entry(kind(&e).to_string()).or_default() += 1;
                }
            }
        }
        drop(t);
        done.fetch_add(1, Ordering::Relaxed);
        Ok(())
    });
    let secs = start.elapsed().as_secs_f64();
    result.unwrap();
    let t = tally.into_inner().unwrap();
    let total = t.ok + t.search_damaged + t.refused.values().sum::<u64>();
    println!("fuzz: {total} cases in {secs:.1} s ({:.0} cases/s), seed {seed}", total as f64 / secs);
    println!(
        "fuzz: Ok {} | Err at open {} {:?} | Err at search {}",
        t.ok,
        t.refused.values().sum::<u64>(),
        t.refused,
        t.search_damaged
    );
    for (s, n) in &t.panics {
        println!("fuzz: contained panic {n:>6} × {s}");
    }
    t
}

#[test]
fn damaged_bundles_never_panic() {
    let cases = std::env::var("KEFU_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_CASES);
    let seed = std::env::var("KEFU_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(15);
    let verbose = std::env::var_os("KEFU_FUZZ_VERBOSE").is_some();
    let t = run_cases(cases, seed, verbose);
    // The mutations must reach the index: most cases fail to open, some still open.
    assert!(t.ok > 0 && !t.refused.is_empty(), "{t:?}");
}
