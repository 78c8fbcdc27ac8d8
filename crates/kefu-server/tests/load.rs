//! Bounded load test: N simulated widgets (default 200, at most 1000) at once, each creating
//! a case and uploading one small photo to a server on 127.0.0.1. Prints throughput and
//! latency percentiles, then checks that nothing was lost or duplicated. The second test does
//! the same with the webhook relay on, and checks every case and photo reached a receiver on
//! loopback exactly once.
//!
//! Runs with the other tests (a few seconds each); to see the figures:
//! `cargo test -p kefu-server --release --test load -- --nocapture --test-threads 1`
//! (`KEFU_LOAD_WIDGETS=500` to change the count). Loopback only, one round, 120 s cap.

#[path = "server/common.rs"]
mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use kefu_server::Role;

fn widgets() -> usize {
    std::env::var("KEFU_LOAD_WIDGETS").ok().and_then(|v| v.parse().ok()).unwrap_or(200).clamp(1, 1000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_200_widgets_case_and_photo() {
    let t = TestServer::start().await;
    run_load(&t, widgets(), "load").await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_200_widgets_with_webhook_relay() {
    const SECRET: &[u8] = b"load-test-webhook-secret-0123456789";
    // A receiver that checks signatures and counts acknowledged deliveries per (event, ref).
    let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let bad = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (s2, b2) = (seen.clone(), bad.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |h: axum::http::HeaderMap, body: axum::body::Bytes| {
            let (seen, bad) = (s2.clone(), b2.clone());
            async move {
                let sig = h.get("x-kefu-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
                let now = kefu_server::util::now_ms() / 1000;
                if !kefu_server::webhook::verify(SECRET, sig, &body, now, 300) {
                    bad.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    return axum::http::StatusCode::UNAUTHORIZED;
                }
                let ev = h.get("x-kefu-event").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                let case = h.get("x-kefu-case").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                *seen.lock().unwrap().entry(format!("{ev} {case}")).or_default() += 1;
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let recv = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let t = TestServer::start_with(|c| {
        let mut w = kefu_server::webhook::WebhookConfig::new(&format!("http://127.0.0.1:{port}/hook"), SECRET).unwrap();
        w.backoff_base = Duration::from_millis(200);
        w.backoff_max = Duration::from_secs(2);
        c.webhook = Some(w);
    })
    .await;
    let n = widgets();
    let started = Instant::now();
    run_load(&t, n, "relay").await;
    let end = Instant::now() + Duration::from_secs(120);
    while t.count("SELECT COUNT(*) FROM webhook_outbox WHERE state = 'delivered'") < 2 * n as i64 {
        assert!(Instant::now() < end, "relay did not drain in 120 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let drained = started.elapsed();
    let seen = seen.lock().unwrap().clone();
    println!(
        "relay: {} deliveries acknowledged {:.2} s after the first request ({:.0}/s); bad signatures {}",
        seen.values().sum::<usize>(),
        drained.as_secs_f64(),
        seen.values().sum::<usize>() as f64 / drained.as_secs_f64(),
        bad.load(std::sync::atomic::Ordering::SeqCst)
    );
    assert_eq!(bad.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert_eq!(seen.len(), 2 * n, "one case.created and one attachment.added per widget");
    assert!(seen.values().all(|c| *c == 1), "each delivered exactly once");
    t.stop().await;
    recv.abort();
}

async fn run_load(t: &TestServer, n: usize, label: &str) {
    t.add_user("amy", Role::Agent);
    assert!(t.addr().ip().is_loopback());
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(n)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();

    // Prepare the requests first so only HTTP + server work is timed.
    let widgets: Vec<(String, String, serde_json::Value, Vec<u8>)> = (0..n)
        .map(|i| {
            let (id, att) = (uuid(), uuid());
            let body = case_body(&id, &[&att]);
            (id, att, body, jpeg(160, 120, i as u8))
        })
        .collect();
    let photo_bytes: usize = widgets.iter().map(|w| w.3.len()).sum();

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for (id, att, body, photo) in widgets.clone() {
        let c = client.clone();
        let base = t.url("");
        tasks.push(tokio::spawn(async move {
            let t0 = Instant::now();
            let r = c.post(format!("{base}/api/cases")).json(&body).send().await.map_err(|e| e.to_string())?;
            if r.status() != 201 {
                return Err(format!("case: {}", r.status()));
            }
            let v: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
            let token = v["token"].as_str().unwrap_or_default().to_string();
            let t1 = Instant::now();
            let r = c
                .put(format!("{base}/api/cases/{id}/attachments/{att}"))
                .bearer_auth(&token)
                .header("content-type", "image/jpeg")
                .body(photo)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if r.status() != 201 {
                return Err(format!("photo: {}", r.status()));
            }
            Ok::<_, String>((t1 - t0, t1.elapsed(), t0.elapsed()))
        }));
    }
    let mut case_lat = Vec::new();
    let mut photo_lat = Vec::new();
    let mut total_lat = Vec::new();
    let mut errors = Vec::new();
    for task in tasks {
        match tokio::time::timeout(Duration::from_secs(120), task).await {
            Ok(Ok(Ok((a, b, c)))) => {
                case_lat.push(a);
                photo_lat.push(b);
                total_lat.push(c);
            }
            Ok(Ok(Err(e))) => errors.push(e),
            Ok(Err(e)) => errors.push(e.to_string()),
            Err(_) => errors.push("timeout".into()),
        }
    }
    let wall = started.elapsed();
    let pct = |v: &mut Vec<Duration>, p: f64| -> f64 {
        v.sort();
        if v.is_empty() {
            return f64::NAN;
        }
        let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
        v[i].as_secs_f64() * 1000.0
    };
    let cases = t.count("SELECT COUNT(*) FROM cases") as usize;
    let photos = t.count("SELECT COUNT(*) FROM attachments") as usize;
    let files = t.stored_files().len();
    println!("{label}: {n} widgets over 127.0.0.1, each POST /api/cases + PUT one {}-byte avg JPEG", photo_bytes / n);
    println!(
        "{label}: wall {:.2} s · {:.1} widgets/s · {:.1} requests/s",
        wall.as_secs_f64(),
        total_lat.len() as f64 / wall.as_secs_f64(),
        2.0 * total_lat.len() as f64 / wall.as_secs_f64()
    );
    println!(
        "{label}: case p50 {:.0} ms p99 {:.0} ms · photo p50 {:.0} ms p99 {:.0} ms · widget p50 {:.0} ms p99 {:.0} ms",
        pct(&mut case_lat, 0.5),
        pct(&mut case_lat, 0.99),
        pct(&mut photo_lat, 0.5),
        pct(&mut photo_lat, 0.99),
        pct(&mut total_lat, 0.5),
        pct(&mut total_lat, 0.99),
    );
    println!(
        "{label}: stored {cases} cases, {photos} photos, {files} files; errors {}; lost {}",
        errors.len(),
        n - cases.min(n)
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(cases, n);
    assert_eq!(photos, n);
    assert_eq!(files, n);

    // Every photo byte-identical to the expected re-encode (a sample of 20 through the inbox).
    let s = t.login("amy").await;
    for (id, att, _, photo) in widgets.iter().step_by((n / 20).max(1)) {
        let r = t.inbox_get(&s, &format!("/inbox/api/cases/{id}/attachments/{att}")).await;
        assert_eq!(r.bytes().await.unwrap().as_ref(), expected_reencode(photo).as_slice());
    }
}
