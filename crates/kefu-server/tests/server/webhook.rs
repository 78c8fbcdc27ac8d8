//! The webhook relay against a real receiver: an axum server on 127.0.0.1 that checks the
//! signature with its own HMAC code, parses the multipart photo parts and records what it
//! acknowledged. Includes the receiver being down, failing, and the kefu server restarting.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart};
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use kefu_server::webhook::WebhookConfig;
use kefu_server::Role;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::common::*;

const SECRET: &[u8] = b"a-webhook-secret-for-tests-0123456789";

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Got {
    delivery: String,
    event: String,
    envelope: Value,
    file: Option<(String, String, Vec<u8>)>, // (filename, content type, bytes)
    status: u16,
}

#[derive(Default)]
struct Receiver {
    got: Mutex<Vec<Got>>,
    /// Answer 500 to this many of the next requests (after reading them).
    fail_next: AtomicUsize,
    bad_signatures: AtomicUsize,
}

impl Receiver {
    fn acked(&self) -> Vec<Got> {
        self.got.lock().unwrap().iter().filter(|g| g.status == 200).cloned().collect()
    }
}

/// The receiver's own check, written from the documentation, not with kefu's code.
fn signature_ok(headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(h) = headers.get("x-kefu-signature").and_then(|v| v.to_str().ok()) else { return false };
    let parts: HashMap<&str, &str> = h.split(',').filter_map(|p| p.split_once('=')).collect();
    let (Some(t), Some(v1)) = (parts.get("t"), parts.get("v1")) else { return false };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    if (now - t.parse::<i64>().unwrap_or(0)).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let want: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    want == *v1
}

async fn receive(rx: Arc<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if !signature_ok(&headers, &body) {
        rx.bad_signatures.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    }
    let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let ct = h("content-type");
    let (envelope, file) = if ct.starts_with("multipart/form-data") {
        let req = axum::http::Request::builder()
            .header("content-type", &ct)
            .body(axum::body::Body::from(body.clone()))
            .unwrap();
        let mut mp = Multipart::from_request(req, &()).await.unwrap();
        let (mut env, mut file) = (Value::Null, None);
        while let Some(f) = mp.next_field().await.unwrap() {
            match f.name() {
                Some("event") => env = serde_json::from_slice(&f.bytes().await.unwrap()).unwrap(),
                Some("file") => {
                    let name = f.file_name().unwrap_or("").to_string();
                    let t = f.content_type().unwrap_or("").to_string();
                    file = Some((name, t, f.bytes().await.unwrap().to_vec()));
                }
                other => panic!("unexpected part {other:?}"),
            }
        }
        (env, file)
    } else {
        assert!(ct.starts_with("application/json"), "{ct}");
        (serde_json::from_slice(&body).unwrap(), None)
    };
    let fail = rx.fail_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    let status = if fail { 500 } else { 200 };
    rx.got.lock().unwrap().push(Got {
        delivery: h("x-kefu-delivery"),
        event: h("x-kefu-event"),
        envelope,
        file,
        status,
    });
    StatusCode::from_u16(status).unwrap()
}

/// Serves the receiver on `listener` until the returned handle is aborted.
fn serve_receiver(listener: tokio::net::TcpListener, rx: Arc<Receiver>) -> tokio::task::JoinHandle<()> {
    let app = axum::Router::new().route(
        "/hooks/kefu",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| receive(rx.clone(), headers, body)),
    );
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    })
}

fn webhook_cfg(port: u16) -> WebhookConfig {
    let mut w = WebhookConfig::new(&format!("http://127.0.0.1:{port}/hooks/kefu"), SECRET).unwrap();
    w.backoff_base = Duration::from_millis(100);
    w.backoff_max = Duration::from_millis(400);
    w.timeout = Duration::from_secs(5);
    w
}

async fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let end = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(tokio::time::Instant::now() < end, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn relays_cases_photos_and_follow_ups_signed_in_order_once() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let rx = Arc::new(Receiver::default());
    let recv = serve_receiver(listener, rx.clone());
    let t = TestServer::start_with(|c| c.webhook = Some(webhook_cfg(port))).await;
    t.add_user("amy", Role::Agent);

    let (id, a1, a2) = (uuid(), uuid(), uuid());
    let mut body = case_body(&id, &[&a1, &a2]);
    body["description"] = json!("<b>broken</b> card 4111 1111 1111 1111");
    let (s, v) = t.create(&body).await;
    assert_eq!(s, 201, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    let (j, p) = (jpeg(90, 60, 4), png(12, 8, 2));
    assert_eq!(t.upload(&id, &token, &a1, j.clone(), "image/jpeg").await.0, 201);
    assert_eq!(t.upload(&id, &token, &a2, p.clone(), "image/png").await.0, 201);
    let follow = json!({"text": "还有 4111111111111111", "client_msg_id": uuid()});
    let send_follow =
        || t.client.post(t.url(&format!("/api/cases/{id}/messages"))).bearer_auth(&token).json(&follow).send();
    assert_eq!(send_follow().await.unwrap().status(), 201);

    // Retries of everything: no new deliveries.
    assert_eq!(t.create(&body).await.0, 200);
    assert_eq!(t.upload(&id, &token, &a1, j.clone(), "image/jpeg").await.0, 200);
    assert_eq!(send_follow().await.unwrap().status(), 200);

    wait_until("4 deliveries", 20, || rx.acked().len() >= 4).await;
    tokio::time::sleep(Duration::from_millis(500)).await; // anything extra would show up now
    let got = rx.acked();
    assert_eq!(got.len(), 4, "{got:#?}");
    assert_eq!(rx.bad_signatures.load(Ordering::SeqCst), 0);
    let events: Vec<&str> = got.iter().map(|g| g.event.as_str()).collect();
    assert_eq!(events, ["case.created", "attachment.added", "attachment.added", "message.added"]);
    let ids: std::collections::HashSet<&str> = got.iter().map(|g| g.delivery.as_str()).collect();
    assert_eq!(ids.len(), 4, "one delivery id per event");
    for g in &got {
        assert_eq!(g.envelope["id"], g.delivery.as_str());
        assert_eq!(g.envelope["event"], g.event.as_str());
        assert_eq!(g.envelope["case_id"], id.as_str());
    }

    // The case as stored: masked card number, text verbatim (the receiver escapes), transcript.
    let case = &got[0].envelope["data"];
    assert_eq!(case["id"], id.as_str());
    assert_eq!(case["description"], "<b>broken</b> card **** **** **** 1111");
    assert_eq!(case["order_number"], "20261123-0042");
    assert_eq!(case["triage"], "complaint");
    assert_eq!(case["sla_seconds"], 3600);
    assert_eq!(case["transcript"].as_array().unwrap().len(), 2);
    assert_eq!(case["attachments_expected"], json!([a1, a2]));
    assert!(case.get("token").is_none(), "the shopper's case token is not relayed");

    // Photos: the stored re-encoded bytes, with matching metadata.
    let sess = t.login("amy").await;
    for (g, (att, orig, mime)) in got[1..3].iter().zip([(&a1, &j, "image/jpeg"), (&a2, &p, "image/png")]) {
        let (name, ct, bytes) = g.file.clone().expect("file part");
        let d = &g.envelope["data"];
        assert_eq!(d["id"], att.as_str());
        assert_eq!(d["mime"], mime);
        assert_eq!(ct, mime);
        assert!(name.starts_with(att.as_str()), "{name}");
        assert_eq!(bytes, expected_reencode(orig));
        assert_eq!(d["size"], bytes.len());
        assert_eq!(d["sha256"], kefu_server::util::sha256_hex(&bytes));
        let stored =
            t.inbox_get(&sess, &format!("/inbox/api/cases/{id}/attachments/{att}")).await.bytes().await.unwrap();
        assert_eq!(stored.as_ref(), bytes.as_slice());
    }
    let m = &got[3].envelope["data"];
    assert_eq!(m["role"], "shopper");
    assert_eq!(m["text"], "还有 ************1111");

    // The outbox keeps no second copy of delivered payloads.
    assert_eq!(t.count("SELECT COUNT(*) FROM webhook_outbox WHERE state = 'delivered' AND payload = '{}'"), 4);
    t.stop().await;
    recv.abort();
}

#[tokio::test]
async fn receiver_down_then_up_and_server_restart_deliver_each_exactly_once() {
    // Reserve a port, then leave it closed: the receiver is down.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let mut t = TestServer::start_with(|c| c.webhook = Some(webhook_cfg(port))).await;

    let mut expected = Vec::new();
    for i in 0..4u8 {
        let (id, att) = (uuid(), uuid());
        let (s, v) = t.create(&case_body(&id, &[&att])).await;
        assert_eq!(s, 201);
        let token = v["token"].as_str().unwrap().to_string();
        let photo = jpeg(40 + i as u32, 30, i);
        assert_eq!(t.upload(&id, &token, &att, photo.clone(), "image/jpeg").await.0, 201);
        expected.push((id, att, photo));
    }
    // Attempts fail with a connection error and are rescheduled, not lost.
    wait_until("failed attempts", 20, || {
        t.count("SELECT COUNT(*) FROM webhook_outbox WHERE attempts >= 2 AND last_error LIKE 'connect:%'") >= 4
    })
    .await;
    assert_eq!(t.count("SELECT COUNT(*) FROM webhook_outbox WHERE state = 'pending'"), 8);
    // Photos wait behind their case: none was tried before its case was delivered.
    assert_eq!(t.count("SELECT COUNT(*) FROM webhook_outbox WHERE event = 'attachment.added' AND attempts > 0"), 0);

    // kefu restarts while the receiver is still down: the outbox is in the database.
    t.restart().await;

    // The receiver comes up on that port, and fails its first two requests with a 500.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let rx = Arc::new(Receiver::default());
    rx.fail_next.store(2, Ordering::SeqCst);
    let recv = serve_receiver(listener, rx.clone());

    wait_until("all delivered", 30, || t.count("SELECT COUNT(*) FROM webhook_outbox WHERE state = 'delivered'") == 8)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let acked = rx.acked();
    assert_eq!(acked.len(), 8, "{acked:#?}");
    assert_eq!(rx.bad_signatures.load(Ordering::SeqCst), 0);
    // Exactly once per delivery id among the acknowledged; the 500s were retried with their id.
    let mut per_id: HashMap<&str, usize> = HashMap::new();
    for g in &acked {
        *per_id.entry(g.delivery.as_str()).or_default() += 1;
    }
    assert!(per_id.values().all(|n| *n == 1), "{per_id:?}");
    let all = rx.got.lock().unwrap().clone();
    let failed: Vec<&Got> = all.iter().filter(|g| g.status == 500).collect();
    assert_eq!(failed.len(), 2);
    for f in failed {
        assert!(acked.iter().any(|g| g.delivery == f.delivery), "a 500 is retried under the same delivery id");
    }
    // Every case and photo arrived, byte-identical, each case before its photo.
    for (id, att, photo) in &expected {
        let pos = |ev: &str| acked.iter().position(|g| g.event == ev && g.envelope["case_id"] == id.as_str()).unwrap();
        assert!(pos("case.created") < pos("attachment.added"));
        let g = &acked[pos("attachment.added")];
        assert_eq!(g.envelope["data"]["id"], att.as_str());
        assert_eq!(g.file.as_ref().unwrap().2, expected_reencode(photo));
    }
    t.stop().await;
    recv.abort();
}

#[tokio::test]
async fn a_delivery_past_its_retry_window_is_marked_failed_and_blocks_nothing_else() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let t = TestServer::start_with(|c| {
        let mut w = webhook_cfg(port);
        w.retry_for = Duration::from_millis(600);
        c.webhook = Some(w);
    })
    .await;
    let id = uuid();
    let (s, v) = t.create(&case_body(&id, &[])).await;
    assert_eq!(s, 201);
    wait_until("failed", 20, || t.count("SELECT COUNT(*) FROM webhook_outbox WHERE state = 'failed'") == 1).await;
    let err: String = t.sql(|c| c.query_row("SELECT last_error FROM webhook_outbox", [], |r| r.get(0)).unwrap());
    assert!(err.starts_with("connect:"), "{err}");
    // The receiver comes up; the shopper's side was never affected and a follow-up goes
    // through at once, not held back by the failed case delivery.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let rx = Arc::new(Receiver::default());
    let recv = serve_receiver(listener, rx.clone());
    let r = t
        .client
        .post(t.url(&format!("/api/cases/{id}/messages")))
        .bearer_auth(v["token"].as_str().unwrap())
        .json(&json!({"text": "hello?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    wait_until("follow-up delivered", 20, || rx.acked().len() == 1).await;
    assert_eq!(rx.acked()[0].event, "message.added");
    assert_eq!(t.count("SELECT COUNT(*) FROM webhook_outbox WHERE state = 'failed'"), 1);
    t.stop().await;
    recv.abort();
}

#[tokio::test]
async fn without_a_webhook_nothing_is_queued() {
    let t = TestServer::start().await;
    let id = uuid();
    let (_, v) = t.create(&case_body(&id, &[])).await;
    let token = v["token"].as_str().unwrap().to_string();
    assert_eq!(t.upload(&id, &token, &uuid(), jpeg(8, 8, 1), "image/jpeg").await.0, 201);
    assert_eq!(t.count("SELECT COUNT(*) FROM webhook_outbox"), 0);
    t.stop().await;
}
