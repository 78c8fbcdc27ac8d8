//! Fault tests: dropped connections, restarts, duplicate submissions. After each, every case
//! and photo is stored exactly once, and photos are byte-identical to the test's re-encode.

use std::time::Duration;

use kefu_server::Role;
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use crate::common::*;

/// Sends the head and half the body of a request, then closes the connection.
async fn half_request(t: &TestServer, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut s = tokio::net::TcpStream::connect(t.addr()).await.unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n", t.addr(), body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&body[..body.len() / 2]).await.unwrap();
    s.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(s); // connection dropped mid-upload
    tokio::time::sleep(Duration::from_millis(200)).await;
}

async fn assert_photo(t: &TestServer, sess: &Session, case: &str, att: &str, original: &[u8]) {
    let r = t.inbox_get(sess, &format!("/inbox/api/cases/{case}/attachments/{att}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), expected_reencode(original).as_slice());
}

#[tokio::test]
async fn dropped_mid_upload_then_retry() {
    let t = TestServer::start().await;
    t.add_user("amy", Role::Agent);
    let id = uuid();
    let att = uuid();
    let body = serde_json::to_vec(&case_body(&id, &[&att])).unwrap();

    // The case POST itself dropped halfway: nothing stored.
    half_request(&t, "POST", "/api/cases", &[("Content-Type", "application/json")], &body).await;
    assert_eq!(t.count("SELECT COUNT(*) FROM cases"), 0);
    let (s, v) = t.create(&serde_json::from_slice(&body).unwrap()).await;
    assert_eq!(s, 201);
    let token = v["token"].as_str().unwrap().to_string();

    // The photo dropped halfway, twice: no row, no file.
    let photo = jpeg(400, 300, 9);
    let auth = format!("Bearer {token}");
    for _ in 0..2 {
        half_request(
            &t,
            "PUT",
            &format!("/api/cases/{id}/attachments/{att}"),
            &[("Authorization", &auth), ("Content-Type", "image/jpeg")],
            &photo,
        )
        .await;
    }
    assert_eq!(t.count("SELECT COUNT(*) FROM attachments"), 0);
    assert!(t.stored_files().is_empty(), "{:?}", t.stored_files());

    // Retry in full: stored once; a further retry is a no-op.
    assert_eq!(t.upload(&id, &token, &att, photo.clone(), "image/jpeg").await.0, 201);
    assert_eq!(t.upload(&id, &token, &att, photo.clone(), "image/jpeg").await.0, 200);
    assert_eq!(t.count("SELECT COUNT(*) FROM attachments"), 1);
    assert_eq!(t.stored_files().len(), 1);
    let s = t.login("amy").await;
    assert_photo(&t, &s, &id, &att, &photo).await;
    t.stop().await;
}

#[tokio::test]
async fn restart_keeps_cases_tokens_and_events() {
    let mut t = TestServer::start().await;
    t.add_user("amy", Role::Agent);
    let mut cases = Vec::new();
    for i in 0..5u8 {
        let id = uuid();
        let att = uuid();
        let (s, v) = t.create(&case_body(&id, &[&att])).await;
        assert_eq!(s, 201);
        let token = v["token"].as_str().unwrap().to_string();
        let photo = jpeg(50 + i as u32, 40, i);
        assert_eq!(t.upload(&id, &token, &att, photo.clone(), "image/jpeg").await.0, 201);
        cases.push((id, att, token, photo));
    }
    let sess = t.login("amy").await;
    let (id0, _, token0, _) = &cases[0];
    t.inbox_post(&sess, &format!("/inbox/api/cases/{id0}/reply"), serde_json::json!({"text": "before restart"})).await;

    // A thumbnail of a kept photo, stored on its first request.
    let (_, att0, _, _) = &cases[0];
    let thumb = t.client.get(t.url(&format!("/api/cases/{id0}/attachments/{att0}/thumb"))).bearer_auth(token0);
    assert_eq!(thumb.send().await.unwrap().status(), 200);
    let kept_thumb = t.stored_files().into_iter().find(|f| f.to_string_lossy().ends_with(".thumb.jpg")).unwrap();

    // Leftovers of a crash between writing a file and committing its row (and a thumbnail
    // whose photo is gone).
    let attachments = t.cfg.data_dir.join("attachments");
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(7200);
    for (name, bytes) in [
        ("0123abcd.jpg.tmp", &b"half"[..]),
        ("deadbeef.jpg", &b"orphan"[..]),
        ("deadbeef.jpg.thumb.jpg", &b"orphan's thumbnail"[..]),
    ] {
        std::fs::write(attachments.join(name), bytes).unwrap();
        std::fs::File::options().write(true).open(attachments.join(name)).unwrap().set_modified(two_hours_ago).unwrap();
    }
    // With PostgreSQL another server may share the photo directory and be mid-upload: a fresh
    // file without a row is left alone there.
    std::fs::write(attachments.join("cafe0001.jpg"), b"in flight elsewhere").unwrap();

    t.restart().await;
    assert!(!attachments.join("deadbeef.jpg").exists() && !attachments.join("0123abcd.jpg.tmp").exists());
    assert!(!attachments.join("deadbeef.jpg.thumb.jpg").exists());
    assert!(kept_thumb.exists(), "a kept photo's thumbnail is no orphan");
    assert_eq!(attachments.join("cafe0001.jpg").exists(), on_postgres());
    std::fs::remove_file(attachments.join("cafe0001.jpg")).ok();

    // Sessions live in the database too.
    let r = t.inbox_get(&sess, "/inbox/api/queue").await;
    assert_eq!(r.status(), 200);
    let q: Value = r.json().await.unwrap();
    assert_eq!(q["cases"].as_array().unwrap().len(), 5);
    for (id, att, token, photo) in &cases {
        // Re-submitting after the restart is still a retry, with the same token.
        let (s, v) = t.create(&case_body_for(&t, id, att)).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["token"], token.as_str());
        assert_eq!(t.upload(id, token, att, photo.clone(), "image/jpeg").await.0, 200);
        assert_photo(&t, &sess, id, att, photo).await;
    }
    assert_eq!(t.count("SELECT COUNT(*) FROM cases"), 5);
    assert_eq!(t.count("SELECT COUNT(*) FROM attachments"), 5);
    assert_eq!(t.stored_files().len(), 6, "5 photos and one thumbnail");

    // The shopper's event stream picks up where it was.
    let r = t
        .client
        .get(t.url(&format!("/api/cases/{id0}/events?after=0&wait=0")))
        .bearer_auth(token0)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let ev: Value = r.json().await.unwrap();
    assert_eq!(ev["events"][1]["text"], "before restart");
    t.stop().await;
}

// The body create() sent for (id, att): case_body is deterministic apart from timestamps, so
// re-read the transcript times from the database to rebuild the identical request.
fn case_body_for(t: &TestServer, id: &str, att: &str) -> Value {
    let ats: Vec<i64> = t.sql(|c| {
        let mut stmt =
            c.prepare("SELECT at FROM messages WHERE case_id = ?1 AND source = 'transcript' ORDER BY id").unwrap();
        stmt.query_map([id], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    });
    let mut b = case_body(id, &[att]);
    b["transcript"][0]["at"] = ats[0].into();
    b["transcript"][1]["at"] = ats[1].into();
    b
}

#[tokio::test]
async fn concurrent_duplicate_submissions_store_exactly_once() {
    let t = TestServer::start().await;
    t.add_user("amy", Role::Agent);
    let id = uuid();
    let atts: Vec<String> = (0..3).map(|_| uuid()).collect();
    let refs: Vec<&str> = atts.iter().map(String::as_str).collect();
    let body = case_body(&id, &refs);

    // Ten identical case submissions at once.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (c, url, b) = (t.client.clone(), t.url("/api/cases"), body.clone());
        tasks.push(tokio::spawn(async move {
            let r = c.post(url).json(&b).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }));
    }
    let mut statuses = Vec::new();
    let mut tokens = std::collections::HashSet::new();
    for task in tasks {
        let (s, v) = task.await.unwrap();
        statuses.push(s);
        tokens.insert(v["token"].as_str().unwrap().to_string());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 9);
    assert_eq!(tokens.len(), 1);
    let token = tokens.into_iter().next().unwrap();

    // Each photo uploaded 4 times concurrently.
    let photos: Vec<Vec<u8>> = (0..3).map(|i| if i == 1 { png(30, 30, i) } else { jpeg(120, 90, i) }).collect();
    let mut tasks = Vec::new();
    for (att, photo) in atts.iter().zip(&photos) {
        for _ in 0..4 {
            let (c, url, tok, p) =
                (t.client.clone(), t.url(&format!("/api/cases/{id}/attachments/{att}")), token.clone(), photo.clone());
            tasks.push(tokio::spawn(async move {
                c.put(url).bearer_auth(tok).body(p).send().await.unwrap().status().as_u16()
            }));
        }
    }
    let mut st = Vec::new();
    for task in tasks {
        st.push(task.await.unwrap());
    }
    assert_eq!(st.iter().filter(|s| **s == 201).count(), 3, "{st:?}");
    assert_eq!(st.iter().filter(|s| **s == 200).count(), 9, "{st:?}");
    assert_eq!(t.count("SELECT COUNT(*) FROM cases"), 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM messages"), 2);
    assert_eq!(t.count("SELECT COUNT(*) FROM attachments"), 3);
    assert_eq!(t.stored_files().len(), 3, "losers of the race leave no files behind");
    let s = t.login("amy").await;
    for (att, photo) in atts.iter().zip(&photos) {
        assert_photo(&t, &s, &id, att, photo).await;
    }
    t.stop().await;
}

#[tokio::test]
async fn slow_request_heads_are_cut_off() {
    use tokio::io::AsyncReadExt;
    let t = TestServer::start_with(|c| c.header_timeout = Duration::from_millis(500)).await;
    let mut s = tokio::net::TcpStream::connect(t.addr()).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap(); // never finished
    let mut buf = Vec::new();
    let r = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    assert!(r.is_ok(), "the server must close a connection whose head never completes");
    // A normal request on a new connection still works.
    let r = t.client.get(t.url("/healthz")).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "ok");
    t.stop().await;
}

#[tokio::test]
async fn purge_removes_old_closed_cases_and_their_photos_only() {
    let t = TestServer::start().await;
    t.add_user("sam", Role::Supervisor);
    let sam = t.login("sam").await;
    let mut ids = Vec::new();
    for i in 0..3u8 {
        let id = uuid();
        let (_, v) = t.create(&case_body(&id, &[])).await;
        let token = v["token"].as_str().unwrap().to_string();
        let att = uuid();
        assert_eq!(t.upload(&id, &token, &att, jpeg(20, 20, i), "image/jpeg").await.0, 201);
        // A thumbnail asked for: stored beside the photo, and deleted with it.
        let thumb = t.client.get(t.url(&format!("/api/cases/{id}/attachments/{att}/thumb"))).bearer_auth(&token);
        assert_eq!(thumb.send().await.unwrap().status(), 200);
        ids.push(id);
    }
    assert_eq!(t.stored_files().len(), 6);
    for id in &ids[..2] {
        t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/close"), serde_json::json!({})).await;
    }
    let cfg = t.cfg.clone();
    let mut t = t;
    t.server.take().unwrap().stop().await; // a one-shot command, run while the server is down
    let (cases, photos) = off_async(|| {
        let db = kefu_server::db::Db::open(&cfg.db).unwrap();
        // Cutoff in the past: nothing closed that long ago.
        assert_eq!(kefu_server::purge_closed(&cfg, &db, now_ms() - 3_600_000).unwrap(), (0, 0));
        kefu_server::purge_closed(&cfg, &db, now_ms() + 1000).unwrap()
    });
    assert_eq!((cases, photos), (2, 2));
    assert_eq!(t.count("SELECT COUNT(*) FROM cases"), 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM attachments"), 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM messages"), 2);
    assert_eq!(t.count("SELECT COUNT(*) FROM events WHERE case_id <> (SELECT id FROM cases)"), 0);
    // The open case's photo and its thumbnail.
    assert_eq!(t.stored_files().len(), 2);
    let open: String = t.sql(|c| c.query_row("SELECT id FROM cases", [], |r| r.get(0)).unwrap());
    assert_eq!(open, ids[2]);
}

/// Sends the head and part of the body, then stalls; returns the response head the server sends.
async fn stalled_request(t: &TestServer, head: String, part: &[u8]) -> String {
    use tokio::io::AsyncReadExt;
    let mut s = tokio::net::TcpStream::connect(t.addr()).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(part).await.unwrap();
    s.flush().await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await.expect("an answer").unwrap();
    String::from_utf8_lossy(&buf[..n]).to_string()
}

#[tokio::test]
async fn trickled_bodies_time_out_with_408_raw_multipart_and_json() {
    let t = TestServer::start_with(|c| c.body_timeout = Duration::from_millis(400)).await;
    let id = uuid();
    let (_, v) = t.create(&case_body(&id, &[])).await;
    let token = v["token"].as_str().unwrap().to_string();
    let host = t.addr();
    let photo = jpeg(64, 64, 1);

    let raw = format!(
        "PUT /api/cases/{id}/attachments/{} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
        uuid(),
        photo.len()
    );
    let r = stalled_request(&t, raw, &photo[..100]).await;
    assert!(r.starts_with("HTTP/1.1 408"), "{r}");
    assert!(r.contains("body_timeout"), "{r}");

    let boundary = "XbOuNdArY";
    let mp_head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    );
    let total = mp_head.len() + photo.len() + boundary.len() + 8;
    let multipart = format!(
        "PUT /api/cases/{id}/attachments/{} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {total}\r\n\r\n",
        uuid()
    );
    let mut part = mp_head.into_bytes();
    part.extend_from_slice(&photo[..100]);
    let r = stalled_request(&t, multipart, &part).await;
    assert!(r.starts_with("HTTP/1.1 408"), "{r}");

    let json = format!(
        "POST /api/cases HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
    );
    let r = stalled_request(&t, json, b"{\"id\": ").await;
    assert!(r.starts_with("HTTP/1.1 408"), "{r}");

    assert_eq!(t.count("SELECT COUNT(*) FROM attachments"), 0);
    assert!(t.stored_files().is_empty());
    assert_eq!(t.count("SELECT COUNT(*) FROM cases"), 1);
    t.stop().await;
}
