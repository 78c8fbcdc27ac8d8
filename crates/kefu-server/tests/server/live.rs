//! Live chat: typing relayed on the event stream and never stored, `joined` with the agent's
//! name only, and the case history (messages of both sides, photo thumbnails) for the
//! shopper's widget, behind the case token.

use std::time::Duration;

use futures_util::StreamExt;
use kefu_server::Role;
use serde_json::{json, Value};

use crate::common::*;

/// An open SSE stream of a case, read into text.
struct Sse {
    stream: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    text: String,
}

impl Sse {
    async fn open(t: &TestServer, id: &str, token: &str) -> Sse {
        let r = t.client.get(t.url(&format!("/api/cases/{id}/events?token={token}"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        Sse { stream: Box::pin(r.bytes_stream()), text: String::new() }
    }

    /// Reads until `done(text)` holds (10 s at most).
    async fn until(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !done(&self.text) {
            let chunk = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .unwrap_or_else(|_| panic!("{what} within 10 s; got:\n{}", self.text))
                .unwrap()
                .unwrap();
            self.text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The SSE blocks of event type `kind`: (id line if any, parsed data).
    fn blocks(&self, kind: &str) -> Vec<(Option<String>, Value)> {
        self.text
            .split("\n\n")
            .filter(|b| b.lines().any(|l| l == format!("event: {kind}")))
            .map(|b| {
                let id = b.lines().find_map(|l| l.strip_prefix("id: ")).map(str::to_string);
                let data = b.lines().find_map(|l| l.strip_prefix("data: ")).unwrap_or("null");
                (id, serde_json::from_str(data).unwrap())
            })
            .collect()
    }
}

async fn new_case(t: &TestServer) -> (String, String) {
    let id = uuid();
    let (s, v) = t.create(&case_body(&id, &[])).await;
    assert_eq!(s, 201, "{v}");
    (id, v["token"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn typing_is_relayed_to_the_stream_and_never_stored() {
    let t = TestServer::start().await;
    t.add_user("amy", Role::Agent);
    t.add_user("bob", Role::Agent);
    let (id, token) = new_case(&t).await;
    let amy = t.login("amy").await;
    let bob = t.login("bob").await;
    let before = (t.count("SELECT COUNT(*) FROM events"), t.count("SELECT COUNT(*) FROM messages"));

    let mut sse = Sse::open(&t, &id, &token).await;
    sse.until("the first event", |s| s.contains("event: received")).await;
    let typing = format!("/inbox/api/cases/{id}/typing");
    assert_eq!(t.inbox_post(&amy, &typing, json!({})).await.status(), 204);
    sse.until("the typing signal", |s| s.contains("event: typing")).await;
    let got = sse.blocks("typing");
    assert_eq!(got.len(), 1, "{}", sse.text);
    let (event_id, data) = &got[0];
    assert_eq!(*event_id, None, "a typing signal has no id (it must not move Last-Event-ID)");
    assert_eq!(data["agent"], "amy");
    assert!(data["ttl_ms"].as_u64().unwrap() >= 2000, "{data}");
    assert_eq!(
        (t.count("SELECT COUNT(*) FROM events"), t.count("SELECT COUNT(*) FROM messages")),
        before,
        "typing is not stored"
    );
    // Nor replayed: a long poll from the start has only the stored events.
    let r = t
        .client
        .get(t.url(&format!("/api/cases/{id}/events?after=0&wait=0")))
        .bearer_auth(&token)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let polled: Value = r.json().await.unwrap();
    let kinds: Vec<&str> = polled["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["received"]);

    // The reply rule applies: once the case is Amy's, Bob may not type on it.
    assert_eq!(t.inbox_post(&amy, &format!("/inbox/api/cases/{id}/join"), json!({})).await.status(), 200);
    let r = t.inbox_post(&bob, &typing, json!({})).await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "not_assigned");
    // No session, no CSRF token, an unknown case: JSON errors.
    let r = t.client.post(t.url(&typing)).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = t.client.post(t.url(&typing)).header("cookie", &amy.cookie).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.json::<Value>().await.unwrap()["error"]["code"].is_string());
    let r = t.inbox_post(&amy, &format!("/inbox/api/cases/{}/typing", uuid()), json!({})).await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "not_found");
    // Typing on another case does not reach this stream; the next reply does, once.
    let (other, _) = new_case(&t).await;
    assert_eq!(t.inbox_post(&bob, &format!("/inbox/api/cases/{other}/typing"), json!({})).await.status(), 204);
    assert_eq!(t.inbox_post(&amy, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "Hi"})).await.status(), 201);
    sse.until("the reply", |s| s.contains("event: message")).await;
    assert_eq!(sse.blocks("typing").len(), 1, "{}", sse.text);
    drop(sse);
    t.stop().await;
}

#[tokio::test]
async fn joined_names_the_agent_once_and_nothing_else() {
    let t = TestServer::start().await;
    t.add_user("amy", Role::Agent);
    t.add_user("bob", Role::Agent);
    t.add_user("sam", Role::Supervisor);
    let (id, token) = new_case(&t).await;
    let amy = t.login("amy").await;
    let sam = t.login("sam").await;
    let mut sse = Sse::open(&t, &id, &token).await;

    let join = format!("/inbox/api/cases/{id}/join");
    let r = t.inbox_post(&amy, &join, json!({})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["joined"], true);
    // Opening the case again tells the shopper nothing new.
    assert_eq!(t.inbox_post(&amy, &join, json!({})).await.json::<Value>().await.unwrap()["joined"], false);
    sse.until("joined", |s| s.contains("event: joined")).await;
    let joined = sse.blocks("joined");
    assert_eq!(joined.len(), 1);
    let (event_id, data) = &joined[0];
    assert!(event_id.is_some(), "joined is stored and resumable");
    let mut keys: Vec<&str> = data.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["agent", "at", "id", "type"], "only the agent's name goes to the shopper: {data}");
    assert_eq!(data["agent"], "amy");
    let amy_id = t.count("SELECT id FROM users WHERE name = 'amy'");
    assert!(!data.to_string().contains(&format!("\"{amy_id}\"")), "{data}");
    // The case is Amy's now.
    let d: Value = t.inbox_get(&sam, &format!("/inbox/api/cases/{id}")).await.json().await.unwrap();
    assert_eq!(d["assigned_to"], "amy");

    // A supervisor hands it to Bob: Bob joined.
    assert_eq!(
        t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/assign"), json!({"user": "bob"})).await.status(),
        200
    );
    sse.until("bob joined", |s| s.contains("\"agent\":\"bob\"")).await;
    assert_eq!(sse.blocks("joined").len(), 2);
    // Amy may no longer join (the reply rule).
    assert_eq!(t.inbox_post(&amy, &join, json!({})).await.status(), 403);
    // A closed case takes no one.
    assert_eq!(t.inbox_post(&sam, &format!("/inbox/api/cases/{id}/close"), json!({})).await.status(), 200);
    assert_eq!(t.inbox_post(&sam, &join, json!({})).await.status(), 409);
    drop(sse);

    // The shopper's history names the agent who joined last, and nothing about accounts.
    let h: Value = t
        .client
        .get(t.url(&format!("/api/cases/{id}/history")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["agent"], "bob");
    assert_eq!(h["status"], "closed");
    let text = h.to_string();
    for secret in ["pw_hash", "argon2", "token", "assigned_to", "contact", "138****5678"] {
        assert!(!text.contains(secret), "history leaks {secret}: {text}");
    }
    t.stop().await;
}

#[tokio::test]
async fn history_gives_both_sides_and_thumbnails_only_with_the_token() {
    let t = TestServer::start().await;
    t.add_user("amy", Role::Agent);
    let id = uuid();
    let (att1, att2) = (uuid(), uuid());
    let (s, v) = t.create(&case_body(&id, &[&att1, &att2])).await;
    assert_eq!(s, 201, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    assert_eq!(t.upload(&id, &token, &att1, jpeg(1200, 800, 1), "image/jpeg").await.0, 201);
    assert_eq!(t.upload(&id, &token, &att2, png(300, 500, 2), "image/png").await.0, 201);
    let follow = t
        .client
        .post(t.url(&format!("/api/cases/{id}/messages")))
        .bearer_auth(&token)
        .json(&json!({"text": "还有一个杯子也裂了", "client_msg_id": uuid()}))
        .send()
        .await
        .unwrap();
    assert_eq!(follow.status(), 201);
    let amy = t.login("amy").await;
    t.inbox_post(&amy, &format!("/inbox/api/cases/{id}/join"), json!({})).await;
    let r = t.inbox_post(&amy, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "两个都给您补发。"})).await;
    assert_eq!(r.status(), 201);

    let history = format!("/api/cases/{id}/history");
    let h: Value = t.client.get(t.url(&history)).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(h["id"], id.as_str());
    assert_eq!(h["description"], "Cup arrived broken");
    assert_eq!(h["order_number"], "20261123-0042");
    assert_eq!(h["agent"], "amy");
    let said: Vec<(String, String, String)> = h["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["role"].as_str().unwrap().into(),
                m["source"].as_str().unwrap().into(),
                m["text"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want = [
        ("shopper", "transcript", "我的杯子到货就碎了"),
        ("bot", "transcript", "很抱歉！请发一张照片。"),
        ("shopper", "live", "还有一个杯子也裂了"),
        ("agent", "live", "两个都给您补发。"),
    ];
    let want: Vec<(String, String, String)> =
        want.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(said, want, "{h}");
    assert_eq!(h["messages"][3]["agent"], "amy");
    assert_eq!(h["messages"][2]["agent"], Value::Null);
    // Resuming the stream after the history's last event repeats nothing.
    let last = h["last_event_id"].as_i64().unwrap();
    assert_eq!(last, t.count(&format!("SELECT MAX(id) FROM events WHERE case_id = '{id}'")));

    // Photos: the thumbnails are small JPEGs of the stored photos.
    let photos = h["photos"].as_array().unwrap();
    assert_eq!(photos.iter().map(|p| p["id"].as_str().unwrap()).collect::<Vec<_>>(), [att1.as_str(), att2.as_str()]);
    assert_eq!((photos[0]["width"].as_i64(), photos[0]["height"].as_i64()), (Some(1200), Some(800)));
    for (p, want) in photos.iter().zip([(288, 192), (173, 288)]) {
        let url = p["thumb_url"].as_str().unwrap();
        let r = t.client.get(t.url(url)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
        let (w, h) = (img.width() as i64, img.height() as i64);
        assert!((w - want.0).abs() <= 1 && (h - want.1).abs() <= 1, "thumbnail {w}×{h}, want about {want:?}");
        // `?token=` works too (what an <img> or EventSource-style URL would carry).
        let r = t.client.get(t.url(&format!("{url}?token={token}"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    // Made once and kept beside each photo: later requests read that file and decode nothing
    // (with the photos' bytes made unreadable, the thumbnails still come).
    let files = t.stored_files();
    let thumbs: Vec<_> = files.iter().filter(|f| f.to_string_lossy().ends_with(".thumb.jpg")).collect();
    assert_eq!((files.len(), thumbs.len()), (4, 2), "{files:?}");
    let first = t.client.get(t.url(photos[0]["thumb_url"].as_str().unwrap())).bearer_auth(&token).send().await.unwrap();
    let first = first.bytes().await.unwrap();
    for f in files.iter().filter(|f| !thumbs.contains(f)) {
        std::fs::write(f, b"not an image any more").unwrap();
    }
    let again = t.client.get(t.url(photos[0]["thumb_url"].as_str().unwrap())).bearer_auth(&token).send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.bytes().await.unwrap(), first);

    // Only with this case's token.
    let (other, other_token) = {
        let o = uuid();
        let (_, v) = t.create(&case_body(&o, &[])).await;
        (o, v["token"].as_str().unwrap().to_string())
    };
    let thumb = photos[0]["thumb_url"].as_str().unwrap().to_string();
    for (path, auth, status) in [
        (history.clone(), None, 401),
        (history.clone(), Some("wrong-token"), 401),
        (history.clone(), Some(other_token.as_str()), 401),
        (thumb.clone(), None, 401),
        (thumb.clone(), Some(other_token.as_str()), 401),
        (format!("/api/cases/{other}/attachments/{att1}/thumb"), Some(other_token.as_str()), 404),
        (format!("/api/cases/{id}/attachments/{}/thumb", uuid()), Some(token.as_str()), 404),
        (format!("/api/cases/{}/history", uuid()), Some(token.as_str()), 404),
        (format!("/api/cases/{id}/attachments/nope/thumb"), Some(token.as_str()), 400),
    ] {
        let mut req = t.client.get(t.url(&path));
        if let Some(a) = auth {
            req = req.bearer_auth(a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), status, "{path} with {auth:?}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{path}: JSON error");
        let v: Value = r.json().await.unwrap();
        assert!(v["error"]["code"].is_string(), "{v}");
    }
    t.stop().await;
}

#[tokio::test]
async fn typing_on_one_server_reaches_the_shopper_on_another_once() {
    if !on_postgres() {
        return;
    }
    let a = TestServer::start().await;
    let cfg = a.cfg.clone();
    let b = TestServer {
        dir: tempfile::tempdir().unwrap(),
        server: Some(kefu_server::start(cfg.clone()).await.unwrap()),
        cfg,
        client: client(),
    };
    a.add_user("amy", Role::Agent);
    let (id, token) = new_case(&a).await;
    // The shopper follows the case on A (and on B, where the agent works).
    let mut on_a = Sse::open(&a, &id, &token).await;
    let mut on_b = Sse::open(&b, &id, &token).await;
    on_a.until("A's first event", |s| s.contains("event: received")).await;
    on_b.until("B's first event", |s| s.contains("event: received")).await;
    let amy = b.login("amy").await;
    assert_eq!(b.inbox_post(&amy, &format!("/inbox/api/cases/{id}/typing"), json!({})).await.status(), 204);
    on_a.until("typing heard on A", |s| s.contains("event: typing")).await;
    on_b.until("typing heard on B", |s| s.contains("event: typing")).await;
    // A reply after it: by then a doubled typing signal would have arrived too.
    assert_eq!(
        b.inbox_post(&amy, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "好的"})).await.status(),
        201
    );
    on_a.until("the reply on A", |s| s.contains("event: message")).await;
    on_b.until("the reply on B", |s| s.contains("event: message")).await;
    assert_eq!(on_a.blocks("typing").len(), 1, "{}", on_a.text);
    assert_eq!(on_b.blocks("typing").len(), 1, "once on the agent's own server too: {}", on_b.text);
    assert_eq!(a.count("SELECT COUNT(*) FROM events WHERE kind = 'typing'"), 0);
    drop((on_a, on_b));
    b.stop().await;
    a.stop().await;
}
