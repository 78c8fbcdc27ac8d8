//! Storage shared by more than one `kefu serve`: the PostgreSQL case (several servers on one
//! database), the relay's delivery claims, and a database connection lost under a running
//! server. Tests that need PostgreSQL return early on SQLite (scripts/test.sh runs this binary
//! once per engine).

use std::collections::HashSet;
use std::time::Duration;

use kefu_server::db::{Conn, Target};
use kefu_server::Role;
use serde_json::{json, Value};

use crate::common::*;

/// A second server on the same database and photo directory as `t`.
async fn sibling(t: &TestServer) -> TestServer {
    let cfg = t.cfg.clone();
    let server = kefu_server::start(cfg.clone()).await.unwrap();
    TestServer { dir: tempfile::tempdir().unwrap(), server: Some(server), cfg, client: client() }
}

#[tokio::test]
async fn two_servers_on_one_postgres_database_share_cases_and_live_replies() {
    if !on_postgres() {
        return;
    }
    let a = TestServer::start().await;
    let b = sibling(&a).await;
    a.add_user("amy", Role::Agent);

    // The shopper's widget talks to server A, with a photo.
    let (id, att) = (uuid(), uuid());
    let (s, v) = a.create(&case_body(&id, &[&att])).await;
    assert_eq!(s, 201, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    assert_eq!(a.upload(&id, &token, &att, jpeg(64, 48, 3), "image/jpeg").await.0, 201);
    // The same case retried on server B is recognised as a retry.
    let (s, v2) = b.create(&case_body_from_db(&a, &id, &att)).await;
    assert_eq!(s, 200, "{v2}");
    assert_eq!(v2["token"], token.as_str());

    // The agent works on server B: sees the case and its photo.
    let amy = b.login("amy").await;
    let q: Value = b.inbox_get(&amy, "/inbox/api/queue").await.json().await.unwrap();
    assert!(q["cases"].as_array().unwrap().iter().any(|c| c["id"] == id.as_str()), "{q}");
    let case: Value = b.inbox_get(&amy, &format!("/inbox/api/cases/{id}")).await.json().await.unwrap();
    let photo_url = case["attachments"][0]["url"].as_str().expect("photo listed").to_string();
    assert_eq!(b.inbox_get(&amy, &photo_url).await.status(), 200);

    // The shopper waits on server A; the agent replies on server B. Without the cross-server
    // notification the poll would sit out its 25 s; the client gives up after 10 s.
    let first: Value = a
        .client
        .get(a.url(&format!("/api/cases/{id}/events?after=0&wait=0")))
        .bearer_auth(&token)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let last = first["last_event_id"].as_i64().unwrap();
    let waiter = tokio::spawn({
        let req = a
            .client
            .get(a.url(&format!("/api/cases/{id}/events?after={last}&wait=25")))
            .bearer_auth(&token)
            .header("accept", "application/json")
            .timeout(Duration::from_secs(10))
            .send();
        async move { req.await.expect("reply heard within 10 s").json::<Value>().await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = b.inbox_post(&amy, &format!("/inbox/api/cases/{id}/reply"), json!({"text": "已查到，明天补发"})).await;
    assert_eq!(r.status(), 201);
    let got = waiter.await.unwrap();
    assert_eq!(got["events"][0]["text"], "已查到，明天补发", "{got}");

    b.stop().await;
    a.stop().await;
}

/// The request `create` sent for (id, att), rebuilt from the stored transcript times.
fn case_body_from_db(t: &TestServer, id: &str, att: &str) -> Value {
    let ats: Vec<i64> = t.sql(|c| {
        c.query_map("SELECT at FROM messages WHERE case_id = ?1 AND source = 'transcript' ORDER BY id", [id], |r| {
            r.get(0)
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    });
    let mut b = case_body(id, &[att]);
    b["transcript"][0]["at"] = ats[0].into();
    b["transcript"][1]["at"] = ats[1].into();
    b
}

#[test]
fn relays_claiming_at_once_get_disjoint_deliveries() {
    let dir = tempfile::tempdir().unwrap();
    let db: Target = test_db(dir.path(), "claims.sqlite");
    kefu_server::db::Db::open(&db).unwrap();
    let mut c = Conn::open(&db).unwrap();
    let cases: Vec<String> = (0..40).map(|_| uuid()).collect();
    for case in &cases {
        kefu_server::webhook::enqueue(&mut c, "case.created", case, "", json!({})).unwrap();
    }
    let now = now_ms();
    let lease = now + 60_000;
    // Two relays (two connections, as two servers would have) claim at the same moment.
    let barrier = std::sync::Barrier::new(2);
    let (x, y) = std::thread::scope(|s| {
        let claim = |owner: &'static str| {
            let (db, barrier) = (&db, &barrier);
            s.spawn(move || {
                let mut c = Conn::open(db).unwrap();
                barrier.wait();
                let mut got = Vec::new();
                for _ in 0..4 {
                    got.extend(
                        kefu_server::webhook::claim_due(&mut c, owner, now, lease, 10)
                            .unwrap()
                            .into_iter()
                            .map(|d| d.id),
                    );
                }
                got
            })
        };
        let (hx, hy) = (claim("relay-x"), claim("relay-y"));
        (hx.join().unwrap(), hy.join().unwrap())
    });
    let (sx, sy): (HashSet<i64>, HashSet<i64>) = (x.iter().copied().collect(), y.iter().copied().collect());
    assert_eq!(sx.len(), x.len(), "no relay claims a row twice");
    assert!(sx.is_disjoint(&sy), "both relays claimed {:?}", sx.intersection(&sy).collect::<Vec<_>>());
    assert_eq!(sx.len() + sy.len(), cases.len(), "every due delivery claimed once");
    // Held leases keep a third relay away until they run out.
    assert!(kefu_server::webhook::claim_due(&mut c, "relay-z", now + 1_000, now + 61_000, 100).unwrap().is_empty());
    let later = kefu_server::webhook::claim_due(&mut c, "relay-z", lease, lease + 60_000, 100).unwrap();
    assert_eq!(later.len(), cases.len(), "expired leases are claimable again");
}

#[tokio::test]
async fn a_lost_postgres_connection_is_reopened_and_no_case_is_lost() {
    if !on_postgres() {
        return;
    }
    let app = format!("kefu_rc_{}", &uuid()[..8]);
    let t = TestServer::start_with(|cfg| {
        if let Target::Postgres(spec) = &cfg.db {
            cfg.db = Target::Postgres(format!("{spec} application_name={app}"));
        }
    })
    .await;
    let (s, _) = t.create(&case_body(&uuid(), &[])).await;
    assert_eq!(s, 201);

    // The database drops the server's connections (a PostgreSQL restart or failover does this).
    let server: Target = format!("postgres:{}", std::env::var("KEFU_TEST_POSTGRES").unwrap()).parse().unwrap();
    let killed: i64 = with_conn(&server, |c| {
        c.query_row(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?1) k",
            [&app],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert!(killed >= 1, "the server's connection was found and ended");

    // The widget retries with the same case id until it is acknowledged: at most the request
    // that met the dead connection fails, and the case is stored once.
    let id = uuid();
    let body = case_body(&id, &[]);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let (s, _) = t.create(&body).await;
        statuses.push(s);
        if s == 201 || s == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(statuses.len() <= 2 && matches!(statuses.last(), Some(201)), "{statuses:?}");
    assert_eq!(t.count(&format!("SELECT COUNT(*) FROM cases WHERE id = '{id}'")), 1);
    assert_eq!(t.count("SELECT COUNT(*) FROM cases"), 2);
    t.stop().await;
}
