//! The public hand-off API: happy paths, idempotency, events, ratings, report.

use futures_util::StreamExt;
use kefu_server::Role;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn create_case_is_idempotent_and_conflicts_on_changed_body() {
    let t = TestServer::start().await;
    let id = uuid();
    let body = case_body(&id, &[]);
    let (s1, v1) = t.create(&body).await;
    assert_eq!(s1, 201, "{v1}");
    assert_eq!(v1["id"], id);
    assert_eq!(v1["created"], true);
    assert_eq!(v1["triage"], "complaint");
    assert_eq!(v1["sla_seconds"], 3600);
    let token = v1["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);

    let (s2, v2) = t.create(&body).await;
    assert_eq!(s2, 200);
    assert_eq!(v2["created"], false);
    assert_eq!(v2["token"], token.as_str());
    assert_eq!(t.count("SELECT COUNT(*) FROM cases"), 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM messages"), 2);

    let mut changed = body.clone();
    changed["description"] = json!("something else");
    let (s3, v3) = t.create(&changed).await;
    assert_eq!(s3, 409);
    assert_eq!(v3["error"]["code"], "case_id_conflict");

    // Upper-case UUID is the same case.
    let mut upper = body.clone();
    upper["id"] = json!(id.to_uppercase());
    assert_eq!(t.create(&upper).await.0, 200);
    t.stop().await;
}

#[tokio::test]
async fn transcript_times_as_floats_strings_and_skewed_clocks() {
    let t = TestServer::start().await;
    let mut b = case_body(&uuid(), &[]);
    b["transcript"] = json!([
        {"role": "shopper", "text": "float ms", "at": 1763884800000.0},
        {"role": "bot", "text": "rfc 3339", "at": "2026-11-23T08:00:00+08:00"},
        {"role": "shopper", "text": "clock in 2100", "at": 4_102_444_800_000i64},
    ]);
    let (s, v) = t.create(&b).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(t.create(&b).await.0, 200, "float body retried is the same case");
    let ats: Vec<i64> = t.sql(|c| {
        c.prepare("SELECT at FROM messages ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    });
    assert_eq!(ats[0], 1_763_884_800_000);
    assert_eq!(ats[1], 1_795_392_000_000);
    assert!(ats[2] <= now_ms(), "future times are stored as arrival time");
    t.stop().await;
}

#[tokio::test]
async fn sla_tiers_set_deadlines() {
    let t = TestServer::start().await;
    for (triage, secs) in [("urgent", 180), ("complaint", 3600), ("order", 7200), ("product", 7200), ("Urgent", 180)] {
        let mut b = case_body(&uuid(), &[]);
        b["triage"] = json!(triage);
        let (s, v) = t.create(&b).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["sla_seconds"], secs, "{triage}");
    }
    t.stop().await;
}

#[tokio::test]
async fn attachments_raw_and_multipart_are_reencoded_and_idempotent() {
    let t = TestServer::start().await;
    t.add_user("amy", Role::Agent);
    let (a1, a2, a3) = (uuid(), uuid(), uuid());
    let id = uuid();
    let body = case_body(&id, &[&a1, &a2, &a3]);
    let (_, v) = t.create(&body).await;
    let token = v["token"].as_str().unwrap().to_string();
    assert_eq!(v["attachments"]["expected"].as_array().unwrap().len(), 3);

    let j = jpeg(64, 48, 7);
    let (s, r) = t.upload(&id, &token, &a1, j.clone(), "image/jpeg").await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["mime"], "image/jpeg");
    assert_eq!(r["width"], 64);
    let (s, _) = t.upload(&id, &token, &a1, j.clone(), "image/jpeg").await;
    assert_eq!(s, 200, "same bytes again is a retry");
    let (s, r) = t.upload(&id, &token, &a1, jpeg(64, 48, 8), "image/jpeg").await;
    assert_eq!(s, 409, "{r}");

    // Multipart, PNG.
    let p = png(20, 10, 1);
    assert_eq!(t.upload_multipart(&id, &token, &a2, p.clone(), "crack.png", Some("image/png")).await, 201);

    // WebP becomes PNG.
    let w = webp(16, 16, 3);
    let (s, r) = t.upload(&id, &token, &a3, w.clone(), "application/octet-stream").await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["mime"], "image/png");

    let (_, again) = t.create(&body).await;
    assert_eq!(again["attachments"]["received"].as_array().unwrap().len(), 3);
    // The same view by GET, with the token only.
    let r = t.client.get(t.url(&format!("/api/cases/{id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let got: Value = r.json().await.unwrap();
    assert_eq!(got["attachments"]["received"].as_array().unwrap().len(), 3);
    assert_eq!(got["status"], "open");
    let r = t.client.get(t.url(&format!("/api/cases/{id}"))).bearer_auth("nope").send().await.unwrap();
    assert_eq!(r.status(), 401);

    // Stored bytes = the test's own re-encode.
    let s = t.login("amy").await;
    for (att, orig) in [(&a1, &j), (&a2, &p), (&a3, &w)] {
        let r = t.inbox_get(&s, &format!("/inbox/api/cases/{id}/attachments/{att}")).await;
        assert_eq!(r.status(), 200);
        let got = r.bytes().await.unwrap();
        assert_eq!(got.as_ref(), expected_reencode(orig).as_slice(), "attachment {att}");
    }
    assert_eq!(t.stored_files().len(), 3);
    t.stop().await;
}

#[tokio::test]
async fn exif_and_gps_are_dropped() {
    let t = TestServer::start().await;
    let id = uuid();
    let (_, v) = t.create(&case_body(&id, &[])).await;
    let token = v["token"].as_str().unwrap().to_string();
    // Insert an APP1 Exif segment with a fake GPS marker right after SOI.
    let j = jpeg(32, 32, 1);
    let payload = b"Exif\0\0MM\0*\0\0\0\x08GPSLatitude=31.2304N";
    let mut with_exif = vec![0xFF, 0xD8, 0xFF, 0xE1];
    with_exif.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    with_exif.extend_from_slice(payload);
    with_exif.extend_from_slice(&j[2..]);
    let (s, r) = t.upload(&id, &token, &uuid(), with_exif, "image/jpeg").await;
    assert_eq!(s, 201, "{r}");
    let stored = std::fs::read(&t.stored_files()[0]).unwrap();
    assert!(!stored.windows(4).any(|w| w == b"Exif"));
    assert!(!stored.windows(11).any(|w| w == b"GPSLatitude"));
    t.stop().await;
}

#[tokio::test]
async fn sse_delivers_agent_replies_and_resumes_with_last_event_id() {
    let t = TestServer::start().await;
    t.add_user("amy", Role::Agent);
    t.add_user("sam", Role::Supervisor);
    let id = uuid();
    let (_, v) = t.create(&case_body(&id, &[])).await;
    let token = v["token"].as_str().unwrap().to_string();

    let r = t.client.get(t.url(&format!("/api/cases/{id}/events?token={token}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut stream = r.bytes_stream();
    let mut text = String::new();
    let amy = t.login("amy").await;
    let rr = t
        .inbox_post(&amy, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "Sorry! A new cup is on its way."}))
        .await;
    assert_eq!(rr.status(), 201);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !text.contains("new cup") {
        let chunk =
            tokio::time::timeout_at(deadline, stream.next()).await.expect("reply within 10 s").unwrap().unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(stream);
    assert!(text.contains("event: received"), "{text}");
    assert!(text.contains("event: message"), "{text}");
    // Find the id of the message event.
    let msg_id: i64 = text
        .split("\n\n")
        .find(|b| b.contains("event: message"))
        .and_then(|b| b.lines().find_map(|l| l.strip_prefix("id: ")))
        .unwrap()
        .trim()
        .parse()
        .unwrap();

    // Resume after the message: the close event arrives, the message does not repeat.
    let sam = t.login("sam").await;
    assert_eq!(
        t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/close"), json!({"resolved": true})).await.status(),
        200
    );
    let r = t
        .client
        .get(t.url(&format!("/api/cases/{id}/events")))
        .bearer_auth(&token)
        .header("last-event-id", msg_id.to_string())
        .send()
        .await
        .unwrap();
    let mut stream = r.bytes_stream();
    let mut text = String::new();
    while !text.contains("event: closed") {
        let chunk = tokio::time::timeout_at(deadline, stream.next()).await.expect("closed event").unwrap().unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(!text.contains("new cup"), "{text}");
    assert!(text.contains("rating_requested"));
    drop(stream);
    t.stop().await;
}

#[tokio::test]
async fn long_poll_messages_and_rating() {
    let t = TestServer::start().await;
    t.add_user("sam", Role::Supervisor);
    let id = uuid();
    let (_, v) = t.create(&case_body(&id, &[])).await;
    let token = v["token"].as_str().unwrap().to_string();
    let poll = |after: i64, wait: u64| {
        t.client
            .get(t.url(&format!("/api/cases/{id}/events?after={after}&wait={wait}")))
            .bearer_auth(&token)
            .header("accept", "application/json")
            .send()
    };
    let first: Value = poll(0, 0).await.unwrap().json().await.unwrap();
    assert_eq!(first["events"][0]["type"], "received");
    let last = first["last_event_id"].as_i64().unwrap();

    // Follow-up from the shopper, idempotent by client_msg_id.
    let mid = uuid();
    for expected in [201, 200] {
        let r = t
            .client
            .post(t.url(&format!("/api/cases/{id}/messages")))
            .bearer_auth(&token)
            .json(&json!({"text": "Any news? 我的卡号 6222020200112233445 别外泄", "client_msg_id": mid}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), expected);
    }
    assert_eq!(t.count("SELECT COUNT(*) FROM messages WHERE source = 'live'"), 1);

    // Rating before close is refused.
    let rate = |n: i64| {
        t.client.post(t.url(&format!("/api/cases/{id}/rating"))).bearer_auth(&token).json(&json!({"rating": n})).send()
    };
    assert_eq!(rate(5).await.unwrap().status(), 409);

    // A waiting poll wakes on the agent's reply.
    let sam = t.login("sam").await;
    let waiter = tokio::spawn({
        let fut = poll(last, 20);
        async move { fut.await.unwrap().json::<Value>().await.unwrap() }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "Shipped today"})).await;
    let got = tokio::time::timeout(std::time::Duration::from_secs(10), waiter).await.unwrap().unwrap();
    assert_eq!(got["events"][0]["type"], "message");
    assert_eq!(got["events"][0]["text"], "Shipped today");
    assert_eq!(got["events"][0]["agent"], "sam");

    assert_eq!(t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/close"), json!({})).await.status(), 200);
    assert_eq!(rate(0).await.unwrap().status(), 422);
    assert_eq!(rate(6).await.unwrap().status(), 422);
    assert_eq!(rate(4).await.unwrap().status(), 200);
    assert_eq!(t.count("SELECT rating FROM cases"), 4);
    // Follow-ups after close are refused.
    let r = t
        .client
        .post(t.url(&format!("/api/cases/{id}/messages")))
        .bearer_auth(&token)
        .json(&json!({"text": "thanks"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    t.stop().await;
}

#[tokio::test]
async fn a_closed_case_takes_no_new_photos_like_no_new_messages() {
    let t = TestServer::start().await;
    t.add_user("sam", Role::Supervisor);
    let id = uuid();
    let (_, v) = t.create(&case_body(&id, &[])).await;
    let token = v["token"].as_str().unwrap().to_string();
    let before = uuid();
    let photo = jpeg(16, 16, 3);
    assert_eq!(t.upload(&id, &token, &before, photo.clone(), "image/jpeg").await.0, 201);
    let sam = t.login("sam").await;
    assert_eq!(t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/close"), json!({})).await.status(), 200);
    // A new photo: 409 case_closed, as a message gets; nothing stored.
    let (s, v) = t.upload(&id, &token, &uuid(), jpeg(16, 16, 4), "image/jpeg").await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("case_closed")), "{v}");
    assert_eq!(t.upload_multipart(&id, &token, &uuid(), jpeg(8, 8, 5), "late.jpg", Some("image/jpeg")).await, 409);
    let r = t
        .client
        .post(t.url(&format!("/api/cases/{id}/messages")))
        .bearer_auth(&token)
        .json(&json!({"text": "one more"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "case_closed");
    assert_eq!(t.count("SELECT COUNT(*) FROM attachments"), 1);
    // A retry of the photo stored before the close still answers as a retry.
    assert_eq!(t.upload(&id, &token, &before, photo, "image/jpeg").await.0, 200);
    t.stop().await;
}

#[tokio::test]
async fn pii_is_masked_in_stored_text_but_order_number_kept() {
    let t = TestServer::start().await;
    let id = uuid();
    let mut b = case_body(&id, &[]);
    // Date-led and Luhn-valid: an order number, kept readable where the text repeats it.
    b["order_number"] = json!("2024060198765432");
    b["description"] = json!("身份证 11010519491231002X, card 5500 0000 0000 0004, order 2024060198765432");
    t.create(&b).await;
    let d: String = t.sql(|c| c.query_row("SELECT description FROM cases", [], |r| r.get(0)).unwrap());
    assert!(d.contains("**************002X"), "{d}");
    assert!(d.contains("card **** **** **** 0004"), "{d}");
    assert!(d.contains("order 2024060198765432"), "{d}");
    let o: String = t.sql(|c| c.query_row("SELECT order_number FROM cases", [], |r| r.get(0)).unwrap());
    assert_eq!(o, "2024060198765432");

    // Tags and photo file names are shopper text too.
    let id = uuid();
    let mut b = case_body(&id, &[]);
    b["tags"] = json!(["card 4111111111111111"]);
    let (s, v) = t.create(&b).await;
    assert_eq!(s, 201, "{v}");
    let tags: String = t.sql(|c| c.query_row("SELECT tags FROM cases WHERE id = ?1", [&id], |r| r.get(0)).unwrap());
    assert_eq!(tags, r#"["card ************1111"]"#);
    let token = v["token"].as_str().unwrap();
    let name = "身份证 11010519491231002X.jpg";
    assert_eq!(t.upload_multipart(&id, token, &uuid(), jpeg(8, 8, 1), name, Some("image/jpeg")).await, 201);
    let name: String = t.sql(|c| c.query_row("SELECT filename FROM attachments", [], |r| r.get(0)).unwrap());
    assert_eq!(name, "身份证 **************002X.jpg");
    t.stop().await;
}

#[tokio::test]
async fn a_card_given_as_the_order_number_is_masked_and_shelters_no_card_in_the_text() {
    let t = TestServer::start().await;
    let id = uuid();
    let mut b = case_body(&id, &[]);
    b["order_number"] = json!("4111111111111111");
    b["description"] = json!("我的卡号 4111111111111111 被扣了两次，身份证 11010519491231002X");
    b["transcript"] = json!([{ "role": "shopper", "text": "card 4111111111111111", "at": now_ms() }]);
    let (s, v) = t.create(&b).await;
    assert_eq!(s, 201, "{v}");
    let (o, d): (String, String) = t.sql(|c| {
        c.query_row("SELECT order_number, description FROM cases", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap()
    });
    assert_eq!(o, "************1111");
    assert_eq!(d, "我的卡号 ************1111 被扣了两次，身份证 **************002X");
    let m: String = t.sql(|c| c.query_row("SELECT text FROM messages", [], |r| r.get(0)).unwrap());
    assert_eq!(m, "card ************1111");
    // A card cue is never sheltered by an order number equal to the digits after it.
    let id = uuid();
    let mut b = case_body(&id, &[]);
    b["order_number"] = json!("2024060198765432");
    b["description"] = json!("卡号 2024060198765432");
    t.create(&b).await;
    let d: String = t.sql(|c| c.query_row("SELECT description FROM cases WHERE id = ?1", [&id], |r| r.get(0)).unwrap());
    assert_eq!(d, "卡号 ************5432");
    t.stop().await;
}

#[tokio::test]
async fn bot_sessions_and_report() {
    let t = TestServer::start().await;
    t.add_user("sam", Role::Supervisor);
    for handed in [false, false, false, true] {
        let r = t
            .client
            .post(t.url("/api/sessions"))
            .json(&json!({"id": uuid(), "locale": "en", "messages": 3, "answered": 2, "handed_off": handed}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }
    let id = uuid();
    let (_, v) = t.create(&case_body(&id, &[])).await;
    let token = v["token"].as_str().unwrap().to_string();
    let sam = t.login("sam").await;
    t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "hi"})).await;
    t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/close"), json!({"resolved": true})).await;
    t.client
        .post(t.url(&format!("/api/cases/{id}/rating")))
        .bearer_auth(&token)
        .json(&json!({"rating": 5}))
        .send()
        .await
        .unwrap();
    t.create(&case_body(&uuid(), &[])).await;

    let r = t.sql(|c| kefu_server::report::compute(c, 7, now_ms() + 1000).unwrap());
    assert_eq!(r.cases, 2);
    assert_eq!(r.answered, 1);
    assert_eq!(r.resolved, 1);
    assert_eq!(r.resolution_rate, Some(0.5));
    assert_eq!(r.csat_avg, Some(5.0));
    assert_eq!(r.bot_sessions, 4);
    assert_eq!(r.bot_self_service_rate, Some(0.75));
    assert_eq!(r.escalation_rate, Some(0.0));
    let weeks = t.sql(|c| kefu_server::report::weekly(c, 20, now_ms() + 1000).unwrap());
    assert_eq!(weeks.len(), 3);
    assert_eq!(weeks.iter().map(|w| w.cases).sum::<i64>(), 2);
    assert_eq!(weeks[2].days, 6);
    let text = r.render();
    assert!(text.contains("CSAT") && text.contains("75.0%"), "{text}");
    t.stop().await;
}

#[tokio::test]
async fn follow_up_replayed_with_other_text_is_a_conflict() {
    let t = TestServer::start().await;
    let id = uuid();
    let (_, v) = t.create(&case_body(&id, &[])).await;
    let token = v["token"].as_str().unwrap().to_string();
    let send = |text: &str, mid: &str| {
        t.client
            .post(t.url(&format!("/api/cases/{id}/messages")))
            .bearer_auth(&token)
            .json(&json!({"text": text, "client_msg_id": mid}))
            .send()
    };
    let mid = uuid();
    let first = send("Where is my parcel?", &mid).await.unwrap();
    assert_eq!(first.status(), 201);
    let stored: Value = first.json().await.unwrap();
    // Identical replay (surrounding whitespace is trimmed as on the first send): the same message.
    let again = send("  Where is my parcel?\n", &mid).await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap(), stored);
    // Same id, other text: refused, and the new text is not stored anywhere.
    let r = send("Actually, please cancel the order", &mid).await.unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "client_msg_id_conflict", "{v}");
    assert_eq!(t.count("SELECT COUNT(*) FROM messages WHERE source = 'live'"), 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM messages WHERE text LIKE '%cancel%'"), 0);
    // A new id for the new text is accepted.
    assert_eq!(send("Actually, please cancel the order", &uuid()).await.unwrap().status(), 201);
    t.stop().await;
}
