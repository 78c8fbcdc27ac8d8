//! "E-mail me this conversation" against a real SMTP receiver: a small SMTP server written
//! here on a loopback `TcpListener` (greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA with dot
//! unstuffing, RSET, NOOP, QUIT), which records each message it accepted. The test decodes
//! the mail as a mail client would (unfolded headers, RFC 2047 subject, base64 or
//! quoted-printable body) and checks recipient, sender, subject and the transcript. Also:
//! no SMTP configured, invalid addresses, the receiver refusing connections, accepting
//! and never answering (timeouts), refusing a recipient, idempotent retries, rate limits.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kefu_server::mail::MailConfig;
use kefu_server::ratelimit::Rate;
use kefu_server::Role;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::common::*;

const FROM: &str = "Demo Shop <service@shop.example>";

/// One message the receiver accepted.
#[derive(Debug, Clone)]
struct Received {
    helo: String,
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

/// How the receiver behaves.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Speaks SMTP.
    Normal,
    /// Accepts connections and never says a word.
    Silent,
}

struct SmtpReceiver {
    addr: std::net::SocketAddr,
    got: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpReceiver {
    async fn start(mode: Mode) -> SmtpReceiver {
        Self::start_on("127.0.0.1:0", mode).await
    }

    async fn start_on(addr: &str, mode: Mode) -> SmtpReceiver {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let store = got.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else { return };
                let store = store.clone();
                tokio::spawn(async move {
                    if mode == Mode::Silent {
                        // Hold the connection open without a greeting.
                        tokio::time::sleep(Duration::from_secs(120)).await;
                        drop(sock);
                        return;
                    }
                    let _ = session(sock, store).await;
                });
            }
        });
        SmtpReceiver { addr, got, task }
    }

    fn messages(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One SMTP session (RFC 5321's minimum, plus 8BITMIME in the EHLO answer). A recipient whose
/// local part is `nobody` is refused with 550, as a real server refuses an unknown mailbox.
async fn session(sock: tokio::net::TcpStream, store: Arc<Mutex<Vec<Received>>>) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 mx.test.local ESMTP kefu-test receiver\r\n").await?;
    let (mut helo, mut from, mut rcpt) = (String::new(), String::new(), Vec::<String>::new());
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end_matches(['\r', '\n']).to_string();
        let upper = cmd.to_ascii_uppercase();
        let angle = |s: &str| s.split_once('<').and_then(|(_, x)| x.split_once('>')).map(|(a, _)| a.to_string());
        if upper.starts_with("EHLO ") {
            helo = cmd[5..].to_string();
            w.write_all(b"250-mx.test.local greets you\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n").await?;
        } else if upper.starts_with("HELO ") {
            helo = cmd[5..].to_string();
            w.write_all(b"250 mx.test.local\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = angle(&cmd).unwrap_or_default();
            rcpt.clear();
            w.write_all(b"250 2.1.0 sender ok\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            let to = angle(&cmd).unwrap_or_default();
            if to.starts_with("nobody@") {
                w.write_all(b"550 5.1.1 no such mailbox here\r\n").await?;
            } else {
                rcpt.push(to);
                w.write_all(b"250 2.1.5 recipient ok\r\n").await?;
            }
        } else if upper == "DATA" {
            if rcpt.is_empty() {
                w.write_all(b"554 5.5.1 no valid recipients\r\n").await?;
                continue;
            }
            w.write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                // Transparency (RFC 5321 4.5.2): a leading dot was doubled by the sender.
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            store.lock().unwrap().push(Received {
                helo: helo.clone(),
                mail_from: from.clone(),
                rcpt_to: rcpt.clone(),
                data,
            });
            w.write_all(b"250 2.0.0 queued\r\n").await?;
        } else if upper == "RSET" {
            rcpt.clear();
            w.write_all(b"250 2.0.0 reset\r\n").await?;
        } else if upper == "NOOP" {
            w.write_all(b"250 2.0.0 ok\r\n").await?;
        } else if upper == "QUIT" {
            w.write_all(b"221 2.0.0 bye\r\n").await?;
            return Ok(());
        } else {
            w.write_all(b"502 5.5.2 command not implemented\r\n").await?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the mail as a client would

/// Headers (unfolded, names lower-cased) and the raw body.
fn split_message(data: &str) -> (Vec<(String, String)>, String) {
    let data = data.replace("\r\n", "\n");
    let (head, body) = data.split_once("\n\n").unwrap_or((&data, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for l in head.lines() {
        if l.starts_with(' ') || l.starts_with('\t') {
            if let Some(last) = headers.last_mut() {
                last.1.push_str(l);
            }
        } else if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    (headers, body.to_string())
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> &'a str {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

fn unbase64(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = A.iter().position(|&a| a == c).expect("base64 character") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn unquoted_printable(s: &str, underscores: bool) -> Vec<u8> {
    let b = s.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        match b[i] {
            b'=' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if b.get(i + 1) == Some(&b'\r') => i += 3,
            b'=' if i + 2 < b.len() => {
                out.push(u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16).unwrap());
                i += 3;
            }
            b'_' if underscores => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// An RFC 2047 header value (`=?utf-8?b?…?= =?utf-8?q?…?=`, whitespace between words dropped).
fn decode_words(v: &str) -> String {
    let mut out = Vec::new();
    let mut rest = v;
    while let Some(start) = rest.find("=?") {
        let plain = &rest[..start];
        if !plain.trim().is_empty() {
            out.extend_from_slice(plain.as_bytes());
        }
        let word = &rest[start + 2..];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        let (enc, text_and_rest) = (parts[1], parts[2]);
        let end = text_and_rest.find("?=").expect("end of encoded word");
        let text = &text_and_rest[..end];
        out.extend(if enc.eq_ignore_ascii_case("b") { unbase64(text) } else { unquoted_printable(text, true) });
        rest = &text_and_rest[end + 2..];
    }
    out.extend_from_slice(rest.as_bytes());
    String::from_utf8(out).unwrap()
}

/// (subject, to, from, plain-text body) of a received mail.
fn read_mail(m: &Received) -> (String, String, String, String) {
    let (h, body) = split_message(&m.data);
    assert!(header(&h, "content-type").to_ascii_lowercase().starts_with("text/plain"), "{h:?}");
    assert!(header(&h, "content-type").to_ascii_lowercase().contains("utf-8"), "{h:?}");
    let bytes = match header(&h, "content-transfer-encoding").to_ascii_lowercase().as_str() {
        "base64" => unbase64(&body),
        "quoted-printable" => unquoted_printable(&body.replace('\n', "\r\n").replace("=\r\n", ""), false),
        _ => body.into_bytes(),
    };
    let text = String::from_utf8(bytes).unwrap().replace("\r\n", "\n");
    (decode_words(header(&h, "subject")), header(&h, "to").to_string(), header(&h, "from").to_string(), text)
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn mail_config(url: &str, timeout: Duration) -> MailConfig {
    let mut m = MailConfig::new(url, None, FROM).unwrap();
    m.timeout = timeout;
    m
}

async fn post_transcript(t: &TestServer, body: &Value, token: Option<&str>) -> (u16, Value, Duration) {
    let started = Instant::now();
    let mut req = t.client.post(t.url("/api/transcripts")).json(body);
    if let Some(tok) = token {
        req = req.bearer_auth(tok);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(ct.starts_with("application/json"), "{status}: content-type {ct}");
    (status, r.json().await.unwrap(), started.elapsed())
}

fn transcript_body(email: &str, lines: Value, case_id: Option<&str>) -> Value {
    let mut b = json!({ "id": uuid(), "email": email, "locale": "zh-CN", "utc_offset_minutes": 480, "lines": lines });
    if let Some(c) = case_id {
        b["case_id"] = json!(c);
    }
    b
}

/// A case with an agent's reply and a shopper follow-up; returns (case id, token, agent name,
/// reply text, follow-up text).
async fn case_with_reply(t: &TestServer) -> (String, String, String, String, String) {
    let id = uuid();
    let (s, v) = t.create(&case_body(&id, &[])).await;
    assert_eq!(s, 201, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    let agent = "lily";
    t.add_user(agent, Role::Agent);
    let session = t.login(agent).await;
    let reply = "您好，新杯子今天补寄，顺丰单号 SF1400123456789。";
    let r = t.inbox_post(&session, &format!("/inbox/api/cases/{id}/reply"), json!({ "text": reply })).await;
    assert_eq!(r.status(), 201);
    let follow = "好的，退款请退到卡 4111 1111 1111 1111";
    let r = t
        .client
        .post(t.url(&format!("/api/cases/{id}/messages")))
        .bearer_auth(&token)
        .json(&json!({ "text": follow, "client_msg_id": uuid() }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    (id, token, agent.to_string(), reply.to_string(), follow.to_string())
}

// ---------------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn transcript_mail_reaches_a_real_smtp_receiver_once() {
    let rx = SmtpReceiver::start(Mode::Normal).await;
    let t = TestServer::start_with(|c| c.mail = Some(mail_config(&rx.url(), Duration::from_secs(5)))).await;
    let (case_id, token, agent, reply, follow) = case_with_reply(&t).await;

    // The shopper leaves an address on the case: the agent sees it in the inbox.
    let to = "Lily.Wang@Example.COM";
    let r = t
        .client
        .put(t.url(&format!("/api/cases/{case_id}/email")))
        .bearer_auth(&token)
        .json(&json!({ "email": to }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let stored = r.json::<Value>().await.unwrap()["email"].as_str().unwrap().to_string();
    assert_eq!(stored, "Lily.Wang@example.com", "domain lower-cased, local part kept");
    t.add_user("sam", Role::Supervisor);
    let sup = t.login("sam").await;
    let detail: Value = t.inbox_get(&sup, &format!("/inbox/api/cases/{case_id}")).await.json().await.unwrap();
    assert_eq!(detail["email"], stored.as_str());
    let queue: Value = t.inbox_get(&sup, "/inbox/api/queue?status=all").await.json().await.unwrap();
    assert_eq!(queue["cases"][0]["email"], stored.as_str());

    let mail: Value = t.client.get(t.url("/api/mail")).send().await.unwrap().json().await.unwrap();
    assert_eq!(mail["transcripts"], true);

    // The widget's part: the chat before the hand-off, with a card number typed in it.
    let card = "6222 0212 3456 7890 13"; // fails the Luhn check: not a card, stays
    let luhn_card = "4111111111111111";
    let question = format!("杯子碎了，付款卡号 {luhn_card}，备注编号 {card}");
    let bot = "很抱歉！请拍一张破损的照片，我帮您转人工客服。";
    let at = now_ms() - 120_000;
    let lines = json!([
        { "role": "shopper", "text": question, "at": at },
        { "role": "bot", "text": bot, "at": at + 1000 },
    ]);
    let body = transcript_body(&stored, lines, Some(&case_id));
    let (s, v, _) = post_transcript(&t, &body, Some(&token)).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["to"], kefu_core::email::masked(&stored));

    let got = rx.messages();
    assert_eq!(got.len(), 1, "one mail");
    let m = &got[0];
    assert_eq!(m.rcpt_to, vec![stored.clone()]);
    assert_eq!(m.mail_from, "service@shop.example");
    assert!(!m.helo.is_empty());
    let (subject, to_header, from_header, text) = read_mail(m);
    assert!(to_header.contains(&stored), "{to_header}");
    assert!(from_header.contains("service@shop.example"), "{from_header}");
    assert!(subject.contains("Demo Shop"), "subject names the shop from --mail-from: {subject}");
    // Everything said, once, in order: the widget's chat, then the case's follow-up and reply.
    let masked_luhn = format!("{}{}", "*".repeat(12), &luhn_card[12..]);
    let shown_question = question.replace(luhn_card, &masked_luhn);
    assert!(text.contains(&shown_question), "shopper line masked:\n{text}");
    assert!(!text.contains(luhn_card) && !text.contains("4111 1111 1111 1111"), "card numbers never in clear:\n{text}");
    assert!(text.contains(card), "a number that is not a card stays:\n{text}");
    assert!(text.contains(bot), "{text}");
    assert!(text.contains(&reply), "agent reply:\n{text}");
    assert!(text.contains(&agent), "agent name:\n{text}");
    assert!(text.contains(&follow.replace("4111 1111 1111", "**** **** ****")), "follow-up masked:\n{text}");
    assert!(text.contains(&case_id[..8]), "{text}");
    let order = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle} missing:\n{text}"));
    assert!(order(bot) < order(&reply), "chat before the case part");
    // Times in the shopper's offset (UTC+08:00).
    assert!(text.contains("UTC+08:00"), "{text}");

    // A retry of the same request (a lost answer) does not send again; other content under
    // the same id is a conflict.
    let (s, v, _) = post_transcript(&t, &body, Some(&token)).await;
    assert_eq!((s, &v["created"]), (200, &json!(false)), "{v}");
    let mut changed = body.clone();
    changed["lines"][1]["text"] = json!("另一段话");
    let (s, v, _) = post_transcript(&t, &changed, Some(&token)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("transcript_id_conflict")), "{v}");
    assert_eq!(rx.messages().len(), 1);
    // What is kept of it: the request's row, without address or text.
    let kept = t.count("SELECT COUNT(*) FROM mail_log WHERE status = 'sent'");
    assert_eq!(kept, 1);

    // Naming a case needs its token.
    let (s, v, _) = post_transcript(&t, &transcript_body(&stored, json!([]), Some(&case_id)), Some("wrong")).await;
    assert_eq!(s, 401, "{v}");

    // With no widget lines, the case's stored hand-off transcript stands in (English mail).
    let mut bare = transcript_body(&stored, json!([]), Some(&case_id));
    bare["locale"] = json!("en");
    let (s, v, _) = post_transcript(&t, &bare, Some(&token)).await;
    assert_eq!(s, 201, "{v}");
    let (subject, _, _, text) = read_mail(&rx.messages()[1]);
    assert!(subject.contains("Demo Shop") && subject.is_ascii(), "{subject}");
    let handed: Vec<String> = case_body(&case_id, &[])["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap().to_string())
        .collect();
    for l in &handed {
        assert!(text.contains(l.as_str()), "stored transcript line {l}:\n{text}");
    }
    assert!(text.contains(&reply), "{text}");
    t.stop().await;
}

#[tokio::test]
async fn transcript_without_smtp_is_a_clear_json_error_and_addresses_still_reach_the_inbox() {
    let t = TestServer::start().await;
    let mail: Value = t.client.get(t.url("/api/mail")).send().await.unwrap().json().await.unwrap();
    assert_eq!(mail["transcripts"], false);
    let (s, v, _) = post_transcript(&t, &transcript_body("lily@example.com", json!([]), None), None).await;
    assert_eq!(s, 503, "{v}");
    assert_eq!(v["error"]["code"], "mail_not_configured");
    assert!(v["error"]["message"].as_str().unwrap().contains("--smtp-url"), "{v}");

    // The address itself needs no SMTP: with the case at creation, or later.
    let id = uuid();
    let mut body = case_body(&id, &[]);
    body["email"] = json!("  ｌｉｌｙ＠ｅｘａｍｐｌｅ．ｃｏｍ ");
    let (s, v) = t.create(&body).await;
    assert_eq!(s, 201, "{v}");
    let stored: Option<String> =
        t.sql(|c| c.query_row("SELECT email FROM cases WHERE id = ?1", [&id], |r| r.get(0)).unwrap());
    assert_eq!(stored.as_deref(), Some("lily@example.com"));
    let token = v["token"].as_str().unwrap();
    let r = t
        .client
        .put(t.url(&format!("/api/cases/{id}/email")))
        .bearer_auth(token)
        .json(&json!({ "email": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(t.count("SELECT COUNT(*) FROM cases WHERE email IS NOT NULL"), 0, "null removes it");
    // A bad address in a new case is refused like everywhere else.
    let mut bad = case_body(&uuid(), &[]);
    bad["email"] = json!("lily at example.com");
    let (s, v) = t.create(&bad).await;
    assert_eq!(
        (s, v["error"]["code"].as_str(), v["error"]["field"].as_str()),
        (400, Some("invalid_email"), Some("email"))
    );
    t.stop().await;
}

#[tokio::test]
async fn invalid_addresses_are_400_naming_the_problem() {
    let rx = SmtpReceiver::start(Mode::Normal).await;
    let t = TestServer::start_with(|c| c.mail = Some(mail_config(&rx.url(), Duration::from_secs(5)))).await;
    let id = uuid();
    let (_, v) = t.create(&case_body(&id, &[])).await;
    let token = v["token"].as_str().unwrap().to_string();
    for (address, problem) in [
        ("", kefu_core::email::EmailError::Empty),
        ("lily.example.com", kefu_core::email::EmailError::NoAt),
        ("lily@localhost", kefu_core::email::EmailError::BadDomain),
        ("li..ly@example.com", kefu_core::email::EmailError::BadLocalPart),
        ("lily@example.com\r\nBcc: everyone@example.com", kefu_core::email::EmailError::BadCharacter),
    ] {
        let (s, v, _) = post_transcript(&t, &transcript_body(address, json!([]), None), None).await;
        assert_eq!(s, 400, "{address:?}: {v}");
        assert_eq!(v["error"]["code"], "invalid_email", "{v}");
        assert_eq!(v["error"]["field"], "email", "{v}");
        assert_eq!(v["error"]["message"], problem.message(), "{address:?}");
        let r = t
            .client
            .put(t.url(&format!("/api/cases/{id}/email")))
            .bearer_auth(&token)
            .json(&json!({ "email": address }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{address:?}");
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["message"], problem.message());
    }
    assert!(rx.messages().is_empty());
    assert_eq!(t.count("SELECT COUNT(*) FROM mail_log"), 0, "nothing recorded for refused requests");
    t.stop().await;
}

#[tokio::test]
async fn smtp_server_down_or_silent_is_a_clear_error_not_a_hang() {
    // Refused: a port nobody listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("smtp://127.0.0.1:{port}");
    let t = TestServer::start_with(|c| c.mail = Some(mail_config(&url, Duration::from_secs(2)))).await;
    let body =
        transcript_body("lily@example.com", json!([{ "role": "shopper", "text": "在吗", "at": now_ms() }]), None);
    let (s, v, took) = post_transcript(&t, &body, None).await;
    assert_eq!(s, 502, "{v}");
    assert_eq!(v["error"]["code"], "mail_failed");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains(&format!("127.0.0.1:{port}")) && msg.contains("could not be reached"), "{msg}");
    assert!(took < Duration::from_secs(5), "refused at once, took {took:?}");
    assert_eq!(t.count("SELECT COUNT(*) FROM mail_log WHERE status = 'failed'"), 1);

    // The relay comes back on that port: the same request (same id) is sent now, once.
    let rx = SmtpReceiver::start_on(&format!("127.0.0.1:{port}"), Mode::Normal).await;
    let (s, v, _) = post_transcript(&t, &body, None).await;
    assert_eq!(s, 201, "a failed request may be retried: {v}");
    assert_eq!(rx.messages().len(), 1);
    assert_eq!(rx.messages()[0].rcpt_to, vec!["lily@example.com".to_string()]);
    // A recipient the server refuses is named as such.
    let (s, v, _) = post_transcript(&t, &transcript_body("nobody@example.com", json!([]), None), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (502, Some("mail_failed")), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("refused the message"), "{v}");
    t.stop().await;

    // STARTTLS required, and the server does not offer it: refused, never sent in the clear.
    let plain = SmtpReceiver::start(Mode::Normal).await;
    let url = format!("smtp://{}?tls=required", plain.addr);
    let t = TestServer::start_with(|c| c.mail = Some(mail_config(&url, Duration::from_secs(2)))).await;
    let (s, v, _) = post_transcript(&t, &body, None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (502, Some("mail_failed")), "{v}");
    assert!(plain.messages().is_empty(), "nothing sent without TLS");
    t.stop().await;

    // Silent: accepts the connection and never greets. The request ends with 504 within the
    // configured timeout (per command, whole send at most 3×), not at the client's patience.
    let silent = SmtpReceiver::start(Mode::Silent).await;
    let timeout = Duration::from_secs(1);
    let t = TestServer::start_with(|c| c.mail = Some(mail_config(&silent.url(), timeout))).await;
    let (s, v, took) = post_transcript(&t, &body, None).await;
    assert_eq!(s, 504, "{v}");
    assert_eq!(v["error"]["code"], "mail_timeout");
    assert!(v["error"]["message"].as_str().unwrap().contains("did not answer"), "{v}");
    assert!(took >= timeout && took < timeout * 3 + Duration::from_secs(2), "took {took:?}");
    t.stop().await;
}

#[tokio::test]
async fn transcript_mails_are_rate_limited_per_recipient() {
    let rx = SmtpReceiver::start(Mode::Normal).await;
    let t = TestServer::start_with(|c| {
        c.mail = Some(mail_config(&rx.url(), Duration::from_secs(5)));
        c.rate_mail = Rate { burst: 2, per_minute: 1 };
    })
    .await;
    let send = |to: &str| transcript_body(to, json!([{ "role": "shopper", "text": "hi", "at": now_ms() }]), None);
    for _ in 0..2 {
        let (s, v, _) = post_transcript(&t, &send("amy@example.com"), None).await;
        assert_eq!(s, 201, "{v}");
    }
    let (s, v, _) = post_transcript(&t, &send("amy@example.com"), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (429, Some("mail_rate_limited")), "{v}");
    assert_eq!(rx.messages().len(), 2);
    // The limited request can be retried later with its id; nothing was sent for it.
    assert_eq!(t.count("SELECT COUNT(*) FROM mail_log WHERE status = 'failed'"), 1);
    t.stop().await;
}

#[tokio::test]
async fn transcript_mails_without_a_case_share_one_server_wide_budget() {
    let rx = SmtpReceiver::start(Mode::Normal).await;
    let t = TestServer::start_with(|c| {
        c.mail = Some(mail_config(&rx.url(), Duration::from_secs(5)));
        c.rate_mail_caseless = Rate { burst: 2, per_minute: 1 };
    })
    .await;
    let lines = || json!([{ "role": "shopper", "text": "hi", "at": now_ms() }]);
    // Different addresses (the per-recipient limit is off here): the third caseless mail
    // finds the shared budget spent.
    for to in ["a@example.com", "b@example.com"] {
        let (s, v, _) = post_transcript(&t, &transcript_body(to, lines(), None), None).await;
        assert_eq!(s, 201, "{v}");
    }
    let (s, v, _) = post_transcript(&t, &transcript_body("c@example.com", lines(), None), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (429, Some("mail_busy")), "{v}");
    // A shopper with a case (who reached a person) is not held back by it.
    let (case_id, token, ..) = case_with_reply(&t).await;
    let (s, v, _) = post_transcript(&t, &transcript_body("d@example.com", lines(), Some(&case_id)), Some(&token)).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(rx.messages().len(), 3);
    t.stop().await;
}
