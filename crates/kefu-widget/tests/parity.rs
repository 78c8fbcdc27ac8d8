//! In the browser (wasm-bindgen-test, headless Chromium): the demo bundles open from bytes,
//! rank exactly as the native CLI does (same entries, same order, scores within 1e-4), a
//! corrupt bundle is an error rather than a panic, and the widget mounted in a shadow root
//! answers from the bundle with DOM nodes.
//!
//! The same holds for every query of every eval file (the shared ones and kefu's own three):
//! the bundle `kefu eval` built and its top-5 rankings, compared bit for bit.
//!
//! `scripts/test-browser.sh` builds the bundles and the native rankings into
//! `target/kefu-test/` first (see `tests/native-rankings.mjs` and `kefu eval --rankings`).
#![cfg(target_arch = "wasm32")]

use kefu_core::Engine;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ZH: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/kefu-test/kb-zh-CN.kefu"));
const EN: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/kefu-test/kb-en.kefu"));
const NATIVE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/kefu-test/native-rankings.tsv"));
const REPLIES: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/kefu-test/native-replies.jsonl"));

/// A (locale, query) pair and its [(id, score)] in rank order.
type Ranked = ((String, String), Vec<(String, f32)>);

/// The native rankings, per (locale, query).
fn native() -> Vec<Ranked> {
    let mut out: Vec<Ranked> = Vec::new();
    for line in NATIVE.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let key = (f[0].to_string(), f[1].to_string());
        if out.last().map(|(k, _)| k != &key).unwrap_or(true) {
            out.push((key, Vec::new()));
        }
        if f[3] != "-" {
            out.last_mut().unwrap().1.push((f[3].to_string(), f[4].parse().unwrap()));
        }
    }
    out
}

/// The reply policy says in the browser exactly what `kefu ask` says natively, field by field,
/// for conversations that reach its word lists (which the wasm reads from the bundle: were
/// they missing, "转人工" would be searched and a burn would get an FAQ answer).
#[wasm_bindgen_test]
fn replies_equal_native() {
    use kefu_core::reply::{respond, Conversation, Decision, Now};
    let zh = Engine::open(ZH).expect("zh-CN bundle opens in wasm");
    let en = Engine::open(EN).expect("en bundle opens in wasm");
    let mut mismatches = Vec::new();
    let mut n = 0;
    for line in REPLIES.lines().filter(|l| !l.trim().is_empty()) {
        let want: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let engine = if want["locale"] == "en" { &en } else { &zh };
        let now = Now { unix_ms: want["now"].as_i64().expect("a moment"), utc_offset_minutes: 0 };
        let mut conv = Conversation::default();
        let mut reply = None;
        for m in want["messages"].as_array().expect("messages") {
            reply = Some(respond(engine, &mut conv, m.as_str().expect("a message"), now));
        }
        let r = reply.expect("a reply");
        let entry = match &r.decision {
            Decision::Answer { entry, .. } => engine.entry(*entry).map(|e| e.id.clone()),
            _ => None,
        };
        let got = serde_json::json!({
            "locale": want["locale"],
            "messages": want["messages"],
            "now": want["now"],
            "decision": r.decision.kind(),
            "entry": entry,
            "triage": format!("{:?}", r.triage),
            "policy": {
                "cue": r.cue.name(),
                "emotion": format!("{:?}", r.emotion),
                "locale": r.locale.tag(),
                "lead": r.lead,
                "message": r.message,
                "promise": r.promise,
                "offer_human": r.offer_human,
                "masked": r.masked,
            },
        });
        if got != want {
            mismatches.push(format!("wasm   {got}\nnative {want}"));
        }
        n += 1;
    }
    assert!(n >= 40, "only {n} conversations in the native replies");
    assert!(mismatches.is_empty(), "replies differ:\n{}", mismatches.join("\n"));
}

#[wasm_bindgen_test]
fn rankings_equal_native() {
    let zh = Engine::open(ZH).expect("zh-CN bundle opens in wasm");
    let en = Engine::open(EN).expect("en bundle opens in wasm");
    let expected = native();
    assert!(expected.len() >= 30, "only {} queries in the native rankings", expected.len());
    let mut mismatches = Vec::new();
    for ((locale, query), want) in &expected {
        let engine = if locale == "en" { &en } else { &zh };
        let got: Vec<(String, f32)> =
            engine.search(query, 5).hits.iter().map(|h| (engine.entry(h.entry).unwrap().id.clone(), h.score)).collect();
        let same = got.len() == want.len()
            && got.iter().zip(want).all(|((gi, gs), (wi, ws))| gi == wi && (gs - ws).abs() <= 1e-4 * ws.abs().max(1.0));
        if !same {
            mismatches.push(format!("{locale} {query}: wasm {got:?} native {want:?}"));
        }
    }
    assert!(mismatches.is_empty(), "rankings differ:\n{}", mismatches.join("\n"));
}

macro_rules! eval_case {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/kefu-test/eval/", $name, ".kefu"))
                as &[u8],
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/kefu-test/eval/", $name, ".tsv")),
        )
    };
}

/// (name, bundle, native rankings) of every eval file; empty when its data was absent.
const EVAL: &[(&str, &[u8], &str)] = &[
    eval_case!("sofmattress-normalized"),
    eval_case!("sofmattress-full"),
    eval_case!("bitext-normalized"),
    eval_case!("bitext-full"),
    eval_case!("banking77-normalized"),
    eval_case!("banking77-full"),
    eval_case!("zh-service-normalized"),
    eval_case!("zh-service-full"),
    eval_case!("en-shop-normalized"),
    eval_case!("en-shop-full"),
    eval_case!("zh-beauty-normalized"),
    eval_case!("zh-beauty-full"),
];

#[wasm_bindgen_test]
fn rankings_equal_native_on_every_eval_query() {
    let mut queries = 0usize;
    let mut mismatches = Vec::new();
    for &(name, bundle, native) in EVAL {
        if bundle.is_empty() {
            web_sys::console::log_1(&format!("parity: {name} skipped (no eval data)").into());
            continue;
        }
        let engine = Engine::open(bundle).unwrap_or_else(|e| panic!("{name}: bundle opens in wasm: {e}"));
        // Lines of one query are consecutive: line, query, rank, id, score.
        let mut want: Vec<(String, f32)> = Vec::new();
        let mut current: Option<(&str, &str)> = None;
        let mut check = |key: (&str, &str), want: &mut Vec<(String, f32)>| {
            let got: Vec<(String, f32)> = engine
                .search(key.1, 5)
                .hits
                .iter()
                .map(|h| (engine.entry(h.entry).unwrap().id.clone(), h.score))
                .collect();
            let same = got.len() == want.len()
                && got.iter().zip(want.iter()).all(|((gi, gs), (wi, ws))| gi == wi && gs.to_bits() == ws.to_bits());
            if !same && mismatches.len() < 20 {
                mismatches.push(format!("{name} line {}: {:?}: wasm {got:?} native {want:?}", key.0, key.1));
            }
            queries += 1;
            want.clear();
        };
        for line in native.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            let key = (f[0], f[1]);
            if current.is_some_and(|c| c != key) {
                check(current.unwrap(), &mut want);
            }
            current = Some(key);
            if f[3] != "-" {
                want.push((f[3].to_string(), f[4].parse().unwrap()));
            }
        }
        if let Some(key) = current {
            check(key, &mut want);
        }
    }
    web_sys::console::log_1(&format!("parity: {queries} eval queries ranked in wasm").into());
    let present = EVAL.iter().filter(|e| !e.1.is_empty()).count();
    assert!(present == 0 || queries >= 100 * present, "only {queries} queries in {present} eval files");
    assert!(mismatches.is_empty(), "rankings differ:\n{}", mismatches.join("\n"));
}

#[wasm_bindgen_test]
fn corrupt_bundles_are_errors() {
    assert!(Engine::open(b"not a bundle at all").is_err());
    assert!(Engine::open(&ZH[..ZH.len() / 2]).is_err());
    let mut flipped = ZH.to_vec();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x55;
    assert!(Engine::open(&flipped).is_err());
}

fn shadow() -> web_sys::ShadowRoot {
    let doc = web_sys::window().unwrap().document().unwrap();
    let host = doc.create_element("kefu-chat").unwrap();
    doc.body().unwrap().append_child(&host).unwrap();
    let root = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
    let button = doc.create_element("button").unwrap();
    button.set_class_name("kefu-launcher");
    root.append_child(&button).unwrap();
    root
}

#[wasm_bindgen_test]
fn widget_answers_with_dom_nodes() {
    web_sys::window().unwrap().session_storage().unwrap().unwrap().clear().unwrap();
    let root = shadow();
    let settings = js_sys::Object::new();
    js_sys::Reflect::set(&settings, &"locale".into(), &"zh-CN".into()).unwrap();
    let events = js_sys::Array::new();
    let sink = events.clone();
    let emit =
        wasm_bindgen::closure::Closure::<dyn FnMut(String, wasm_bindgen::JsValue)>::new(move |name: String, _| {
            sink.push(&name.into());
        });
    kefu_widget::mount(root.clone(), settings.into(), emit.as_ref().unchecked_ref::<js_sys::Function>().clone())
        .unwrap();
    emit.forget();
    kefu_widget::bundle(ZH);
    let panel = root.query_selector(".kefu-panel").unwrap().unwrap();
    assert_eq!(panel.get_attribute("data-state").as_deref(), Some("ready"));
    kefu_widget::command("ask", "七天无理由退货怎么申请".into());
    assert!(!panel.has_attribute("hidden"), "ask opens the panel");
    let answer = root.query_selector(".kefu-bot[data-entry=\"return-7-day\"]").unwrap().expect("answer shown");
    // The answer's numbered list is an <ol> with <li> items; bold is <strong>.
    assert!(answer.query_selector(".kefu-bubble ol > li").unwrap().is_some());
    assert!(answer.query_selector(".kefu-bubble strong").unwrap().is_some());
    let link = answer.query_selector("a").unwrap().expect("the entry's link");
    assert_eq!(link.get_attribute("rel").as_deref(), Some("noopener noreferrer"));
    let names: Vec<String> = events.iter().filter_map(|v| v.as_string()).collect();
    assert!(names.contains(&"ready".to_string()) && names.contains(&"open".to_string()), "{names:?}");
    // Persisted for the next page.
    let saved = web_sys::window().unwrap().session_storage().unwrap().unwrap().get_item("kefu.v2.chat").unwrap();
    let chat = kefu_widget::store::decode(&saved.expect("saved")).expect("decodes");
    assert_eq!(chat.messages.len(), 3);
}
