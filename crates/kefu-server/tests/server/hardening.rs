//! Gaps a robustness probe found: a queue a flood could hide cases in, a login limit one
//! guesser could spend for everyone, agent text without the shopper's rules, a second photo
//! dropped, addresses that rewrote the inbox's `mailto:` link, a database file deleted under
//! the server, and smaller validation edges.

use std::collections::HashSet;

use kefu_server::Role;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn queue_pages_reach_every_case_and_say_how_many_are_not_shown() {
    let t = TestServer::start().await;
    t.add_user("amy", Role::Agent);
    // Urgent cases sort first: a flood of them must not push the others out of reach.
    let mut ids = HashSet::new();
    for i in 0..7 {
        let id = uuid();
        let mut b = case_body(&id, &[]);
        b["triage"] = json!(if i < 5 { "urgent" } else { "order" });
        assert_eq!(t.create(&b).await.0, 201);
        ids.insert(id);
    }
    let amy = t.login("amy").await;
    let mut seen = HashSet::new();
    for (offset, len, not_shown) in [(0, 3, 4), (3, 3, 4), (6, 1, 6)] {
        let q: Value =
            t.inbox_get(&amy, &format!("/inbox/api/queue?limit=3&offset={offset}")).await.json().await.unwrap();
        assert_eq!((q["total"].as_i64(), q["offset"].as_i64(), q["limit"].as_i64()), (Some(7), Some(offset), Some(3)));
        assert_eq!(q["cases"].as_array().unwrap().len(), len, "{q}");
        assert_eq!(q["not_shown"], not_shown, "{q}");
        for c in q["cases"].as_array().unwrap() {
            seen.insert(c["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(seen, ids, "every case on some page");
    // The default page is the old one, all at once here.
    let q: Value = t.inbox_get(&amy, "/inbox/api/queue?status=all").await.json().await.unwrap();
    assert_eq!((q["cases"].as_array().unwrap().len(), q["not_shown"].as_i64()), (7, Some(0)));
    for bad in ["limit=0", "limit=501", "offset=-1"] {
        let r = t.inbox_get(&amy, &format!("/inbox/api/queue?{bad}")).await;
        assert_eq!(r.status(), 400, "{bad}");
    }
    t.stop().await;
}

#[tokio::test]
async fn login_limit_is_per_user_name_with_a_looser_cap_per_ip() {
    let t = TestServer::start_with(|c| c.rate_login = "2/1".parse().unwrap()).await;
    t.add_user("amy", Role::Agent);
    t.add_user("sam", Role::Supervisor);
    let login = |name: &'static str, password: &'static str| {
        t.client.post(t.url("/inbox/api/login")).json(&json!({"name": name, "password": password})).send()
    };
    assert_eq!(login("amy", "wrong password!").await.unwrap().status(), 401);
    assert_eq!(login("amy", "wrong password!").await.unwrap().status(), 401);
    assert_eq!(login("amy", "correct horse battery").await.unwrap().status(), 429, "amy's bucket is empty");
    // Someone guessing amy's password from the same address (a reverse proxy) does not lock
    // sam out.
    t.login("sam").await;
    // The per-IP cap (10 × 2) still ends a guesser trying many names.
    let mut statuses = Vec::new();
    for i in 0..20 {
        let r = t
            .client
            .post(t.url("/inbox/api/login"))
            .json(&json!({"name": format!("user{i}"), "password": "wrong password!"}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 16, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 4, "{statuses:?}");
    t.stop().await;
}

#[tokio::test]
async fn agent_replies_follow_the_shoppers_text_rules_and_closed_cases_stay_put() {
    let t = TestServer::start().await;
    t.add_user("sam", Role::Supervisor);
    t.add_user("amy", Role::Agent);
    let id = uuid();
    assert_eq!(t.create(&case_body(&id, &[])).await.0, 201);
    let sam = t.login("sam").await;
    let path = format!("/inbox/api/cases/{id}/reply");
    let reply = |text: &str| t.inbox_post(&sam, &path, json!({ "text": text }));
    for (text, code) in [("a\u{0}b", "U+0000"), ("\u{1b}[31mred", "U+001B"), ("bell\u{7}", "U+0007")] {
        let r = reply(text).await;
        assert_eq!(r.status(), 422, "{text:?}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["field"], "text", "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains(code), "{v}");
    }
    assert_eq!(t.count("SELECT COUNT(*) FROM messages WHERE role = 'agent'"), 0);
    assert_eq!(reply("   ").await.status(), 422);
    // Lines and tabs are text; bidi overrides are dropped (they disguise what is shown).
    assert_eq!(reply("Order\t#1\nships \u{202E}today\u{2066}").await.status(), 201);
    let stored: String =
        t.sql(|c| c.query_row("SELECT text FROM messages WHERE role = 'agent'", [], |r| r.get(0)).unwrap());
    assert_eq!(stored, "Order\t#1\nships today");

    assert_eq!(t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/close"), json!({})).await.status(), 200);
    let r = t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/assign"), json!({"user": "amy"})).await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "case_closed");
    assert_eq!(t.count("SELECT COUNT(*) FROM cases WHERE assigned_to IS NOT NULL AND status = 'closed'"), 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM audit WHERE action = 'assign'"), 0);
    t.stop().await;
}

#[tokio::test]
async fn two_photos_in_one_upload_are_refused_not_dropped() {
    let t = TestServer::start().await;
    let (id, att) = (uuid(), uuid());
    let (_, v) = t.create(&case_body(&id, &[&att])).await;
    let token = v["token"].as_str().unwrap().to_string();
    let part = |bytes: Vec<u8>, name: &str| {
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()).mime_str("image/jpeg").unwrap()
    };
    let form = reqwest::multipart::Form::new()
        .text("note", "two photos")
        .part("file", part(jpeg(30, 20, 1), "a.jpg"))
        .part("file2", part(jpeg(30, 20, 2), "b.jpg"));
    let r = t
        .client
        .put(t.url(&format!("/api/cases/{id}/attachments/{att}")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "invalid_multipart", "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("one photo per request"), "{v}");
    assert_eq!(t.count("SELECT COUNT(*) FROM attachments"), 0);
    assert!(t.stored_files().is_empty());
    // One file part beside other fields is fine.
    let form = reqwest::multipart::Form::new().text("note", "one photo").part("file", part(jpeg(30, 20, 1), "a.jpg"));
    let r = t
        .client
        .put(t.url(&format!("/api/cases/{id}/attachments/{att}")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    t.stop().await;
}

#[tokio::test]
async fn addresses_that_would_rewrite_the_mailto_link_are_refused() {
    let t = TestServer::start().await;
    let id = uuid();
    let (_, v) = t.create(&case_body(&id, &[])).await;
    let token = v["token"].as_str().unwrap().to_string();
    for address in [
        "shop%40real.example?bcc=spy%40evil.example&body=Refund-approved@example.com",
        "lily?cc=spy@evil.example",
        "lily#top@example.com",
        "o'brien@example.com",
    ] {
        let r = t
            .client
            .put(t.url(&format!("/api/cases/{id}/email")))
            .bearer_auth(&token)
            .json(&json!({ "email": address }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{address}");
        let v: Value = r.json().await.unwrap();
        assert_eq!((v["error"]["code"].as_str(), v["error"]["field"].as_str()), (Some("invalid_email"), Some("email")));
        let mut body = case_body(&uuid(), &[]);
        body["email"] = json!(address);
        assert_eq!(t.create(&body).await.0, 400, "{address}");
    }
    assert_eq!(t.count("SELECT COUNT(*) FROM cases WHERE email IS NOT NULL"), 0);
    // The inbox builds the link from encoded parts, never the raw address.
    let js = t.client.get(t.url("/inbox/inbox.js")).send().await.unwrap().text().await.unwrap();
    assert!(!js.contains("\"mailto:\" + c.email"), "raw mailto");
    assert!(js.contains("\"mailto:\" + encodeURIComponent("), "encoded mailto");
    t.stop().await;
}

#[tokio::test]
async fn validation_edges_null_emotion_bearer_case_content_type_and_bidi() {
    let t = TestServer::start().await;
    // `"emotion": null` is the default, like the optional strings.
    let id = uuid();
    let mut b = case_body(&id, &[]);
    b["emotion"] = Value::Null;
    b["description"] = json!("order \u{202E}4200\u{202C} broken");
    let (s, v) = t.create(&b).await;
    assert_eq!(s, 201, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    let (emotion, description): (String, String) = t.sql(|c| {
        c.query_row("SELECT emotion, description FROM cases WHERE id = ?1", [&id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    });
    assert_eq!((emotion.as_str(), description.as_str()), ("calm", "order 4200 broken"));
    // Spaces and zero-width characters alone are no description.
    let mut b = case_body(&uuid(), &[]);
    b["description"] = json!(" \u{200B}\u{FEFF} \n");
    b["transcript"] = json!([]);
    let (s, v) = t.create(&b).await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("description")), "{v}");
    // Nor a shopper's follow-up or an agent's reply: a blank bubble, and the agent's would
    // stop the response-time clock.
    let blank = " \u{200B}\u{FEFF}\u{2060} \n";
    let r = t
        .client
        .post(t.url(&format!("/api/cases/{id}/messages")))
        .bearer_auth(&token)
        .json(&json!({"text": blank, "client_msg_id": uuid()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    t.add_user("blank", Role::Agent);
    let agent = t.login("blank").await;
    let r = t.inbox_post(&agent, &format!("/inbox/api/cases/{id}/reply"), json!({"text": blank})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(t.count("SELECT COUNT(*) FROM messages WHERE source = 'live'"), 0);
    let first: Option<i64> =
        t.sql(|c| c.query_row("SELECT first_response_at FROM cases WHERE id = ?1", [&id], |r| r.get(0)).unwrap());
    assert_eq!(first, None);
    // Words between invisible characters are a message, kept without them at the ends.
    let r = t.inbox_post(&agent, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "\u{200B}ok\u{200B}"})).await;
    assert_eq!(r.status(), 201);
    let text: String =
        t.sql(|c| c.query_row("SELECT text FROM messages WHERE source = 'live'", [], |r| r.get(0)).unwrap());
    assert_eq!(text, "ok");
    // A missing field is named, at the top and inside the transcript.
    let mut b = case_body(&uuid(), &[]);
    b.as_object_mut().unwrap().remove("triage");
    let (s, v) = t.create(&b).await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("triage")), "{v}");
    let mut b = case_body(&uuid(), &[]);
    b["transcript"][0].as_object_mut().unwrap().remove("text");
    let (s, v) = t.create(&b).await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("transcript[0].text")), "{v}");
    // A null where a value is required names the field.
    let mut b = case_body(&uuid(), &[]);
    b["triage"] = Value::Null;
    let (s, v) = t.create(&b).await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("triage")), "{v}");
    let mut b = case_body(&uuid(), &[]);
    b["transcript"][1]["at"] = json!(true);
    let (s, v) = t.create(&b).await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("transcript[1].at")), "{v}");

    // The auth scheme is case-insensitive.
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let r = t
            .client
            .get(t.url(&format!("/api/cases/{id}")))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{scheme}");
    }

    // application/json exactly, with at most a UTF-8 charset.
    for (ct, status) in [
        ("application/json", 201),
        ("Application/JSON; charset=UTF-8", 201),
        ("application/json;charset=\"utf-8\"", 201),
        ("application/jsonfoo", 415),
        ("application/json-patch+json", 415),
        ("application/json; charset=latin1", 415),
        ("application/json; boundary=x", 415),
    ] {
        let body = serde_json::to_vec(&case_body(&uuid(), &[])).unwrap();
        let r = t.client.post(t.url("/api/cases")).header("content-type", ct).body(body).send().await.unwrap();
        assert_eq!(r.status(), status, "{ct}");
    }
    t.stop().await;
}

#[tokio::test]
async fn a_database_file_deleted_under_the_server_gets_503_not_lost_cases() {
    if on_postgres() {
        return;
    }
    let mut t = TestServer::start().await;
    assert_eq!(t.create(&case_body(&uuid(), &[])).await.0, 201);
    let db = t.dir.path().join("kefu.sqlite");
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let (s, v) = t.create(&case_body(&uuid(), &[])).await;
    assert_eq!((s, v["error"]["code"].as_str()), (503, Some("storage_unavailable")), "{v}");

    // Starting again on the missing file beside the old photos would make an empty database
    // and delete every photo as an orphan: refused, naming both.
    t.server.take().unwrap().stop().await;
    std::fs::write(t.cfg.data_dir.join("attachments").join("0123abcd.jpg"), b"a photo").unwrap();
    let e = kefu_server::start(t.cfg.clone()).await.err().expect("start refused").to_string();
    assert!(e.contains("kefu.sqlite") && e.contains("attachments") && e.contains("1 photo file"), "{e}");
    assert!(t.cfg.data_dir.join("attachments").join("0123abcd.jpg").exists());
}
