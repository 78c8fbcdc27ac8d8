//! The inbox page in a real headless Chromium (driven over WebDriver by chromedriver): an
//! agent logs in, opens a case whose every shopper-written field is an XSS attempt, sees it
//! as plain text with the photo loaded, and replies; the shopper's long-poll gets the reply.
//!
//! Needs Debian's `chromium` and `chromedriver` (scripts/test.sh installs them before the
//! Rust tests); without them the test says so and passes.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kefu_server::Role;
use serde_json::{json, Value};

use crate::common::*;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process with one browser session; both end on drop.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Ends the browser session (so Chromium exits, also when the test failed), then the driver.
    fn drop(&mut self) {
        use std::io::{Read, Write};
        if !self.session.is_empty() {
            let addr = self.base.trim_start_matches("http://").to_string();
            if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                let req = format!(
                    "DELETE /session/{} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    self.session
                );
                let _ = s.write_all(req.as_bytes());
                let _ = s.read_to_end(&mut Vec::new());
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn find(bin: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| std::path::Path::new(d).join(bin)).find(|p| p.is_file())
}

impl Browser {
    async fn start() -> Option<Browser> {
        let (Some(driver_bin), Some(chromium)) = (find("chromedriver"), find("chromium")) else {
            eprintln!("inbox_browser: chromium/chromedriver not installed; skipped (scripts/test.sh installs them)");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let http = client();
        let base = format!("http://127.0.0.1:{port}");
        let profile = tempfile::tempdir().unwrap();
        let profile_arg = format!("--user-data-dir={}", profile.path().display());
        let mut b = Browser { driver, base, session: String::new(), http, _profile: profile };
        for _ in 0..100 {
            if let Ok(r) = b.http.get(format!("{}/status", b.base)).send().await {
                if r.json::<Value>().await.map(|v| v["value"]["ready"] == true).unwrap_or(false) {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--lang=en-US", profile_arg],
        }}}});
        let v = b.call("POST", "/session", caps).await;
        b.session = v["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {v}")).to_string();
        Some(b)
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = if path == "/session" {
            format!("{}/session", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let req = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url).json(&body),
        };
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        v["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url })).await;
    }

    async fn js(&self, script: &str) -> Value {
        self.call("POST", "/execute/sync", json!({ "script": script, "args": [] })).await
    }

    /// Polls `script` until it returns something truthy; returns that.
    async fn wait_js(&self, what: &str, script: &str) -> Value {
        let end = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let v = self.js(script).await;
            if !(v.is_null() || v == false || v == 0 || v == "") {
                return v;
            }
            assert!(tokio::time::Instant::now() < end, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn element(&self, css: &str) -> String {
        let v = self.call("POST", "/element", json!({"using": "css selector", "value": css})).await;
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_string()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let e = self.element(css).await;
        self.call("POST", &format!("/element/{e}/value"), json!({ "text": text })).await;
    }

    async fn click(&self, css: &str) {
        let e = self.element(css).await;
        self.call("POST", &format!("/element/{e}/click"), json!({})).await;
    }
}

#[tokio::test]
async fn agent_sees_xss_as_text_with_photo_and_replies_in_a_real_browser() {
    let Some(browser) = Browser::start().await else { return };
    let t = TestServer::start().await;
    t.add_user("amy", Role::Agent);

    let xss = r#"<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold</b>"#;
    let id = uuid();
    let mut b = case_body(&id, &[]);
    b["description"] = json!(format!("Broken cup {xss}"));
    b["contact"] = json!(format!("Lily {}", &xss[..60]));
    b["promise"] = json!(xss);
    b["tags"] = json!(["<b>x</b>", "<script>"]);
    b["transcript"][0]["text"] = json!(xss);
    let email = "lily.shopper@example.com";
    b["email"] = json!(email);
    let (s, v) = t.create(&b).await;
    assert_eq!(s, 201, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    let name = r#""><img src=x onerror=alert(1)>.jpg"#;
    let s = t.upload_multipart(&id, &token, &uuid(), jpeg(60, 40, 5), name, Some("image/jpeg")).await;
    assert_eq!(s, 201);

    // Log in through the form.
    browser.goto(&t.url("/inbox/")).await;
    browser.wait_js("login form", "return !document.getElementById('login').hidden").await;
    browser.type_into("#login-name", "amy").await;
    browser.type_into("#login-password", "correct horse battery").await;
    browser.click("#login-form button[type=submit]").await;
    browser.wait_js("queue", "return document.querySelectorAll('#queue li').length").await;
    let who = browser.js("return document.getElementById('who').textContent").await;
    assert_eq!(who, "amy (agent)");

    // Open the case.
    browser.click("#queue li").await;
    let title =
        browser.wait_js("case", "const h = document.querySelector('.case-title'); return h && h.textContent").await;
    assert_eq!(title, format!("Broken cup {xss}"), "the description is shown as text");
    let page = browser
        .js("return { xss: window.__xss === undefined ? null : window.__xss, \
               injected: document.querySelectorAll('img[src=\"x\"], b, script:not([src]), iframe').length, \
               tags: [...document.querySelectorAll('.badges .tag')].map(e => e.textContent), \
               transcript: document.querySelector('.transcript li').lastChild.textContent, \
               facts: document.querySelector('.facts').textContent }")
        .await;
    assert_eq!(page["xss"], Value::Null, "{page}");
    assert_eq!(page["injected"], 0, "{page}");
    assert!(page["tags"].as_array().unwrap().contains(&json!("<b>x</b>")), "{page}");
    assert_eq!(page["transcript"], xss);
    assert!(page["facts"].as_str().unwrap().contains("20261123-0042"), "order number shown: {page}");
    // The e-mail the shopper left: a mailto link with the address as its text.
    let link =
        browser.js("const a = document.querySelector('.facts a.email'); return a && [a.textContent, a.href]").await;
    assert_eq!(link, json!([email, format!("mailto:{email}")]));
    // The photo loads (cookie-authenticated, served with a sandbox CSP); its name is alt text.
    let width = browser
        .wait_js("photo", "const i = document.querySelector('.photos img'); return i && i.complete && i.naturalWidth")
        .await;
    assert_eq!(width, 60);
    let alt = browser.js("return document.querySelector('.photos img').alt").await;
    assert_eq!(alt, r#""><img src=x onerror=alert(1)>.jpg"#);

    // Reply; the shopper's long-poll receives it.
    let poll = |after: i64, wait: u64| {
        t.client
            .get(t.url(&format!("/api/cases/{id}/events?after={after}&wait={wait}")))
            .bearer_auth(&token)
            .header("accept", "application/json")
            .send()
    };
    let last = poll(0, 0).await.unwrap().json::<Value>().await.unwrap()["last_event_id"].as_i64().unwrap();
    // Opening the case took nothing: no agent has joined the shopper's chat yet.
    let before: Value = poll(0, 0).await.unwrap().json().await.unwrap();
    assert!(before["events"].as_array().unwrap().iter().all(|e| e["type"] != "joined"), "{before}");
    // Starting to write joins the live chat (the shopper is told once), then the reply.
    browser.type_into(".reply-text", "Sorry, <i>a new cup</i> ships today.").await;
    let joined: Value = poll(last, 10).await.unwrap().json().await.unwrap();
    assert_eq!(joined["events"][0]["type"], "joined", "{joined}");
    assert_eq!(joined["events"][0]["agent"], "amy");
    let last = joined["last_event_id"].as_i64().unwrap();
    browser.click(".reply-form .send").await;
    let ev: Value = poll(last, 10).await.unwrap().json().await.unwrap();
    assert_eq!(ev["events"][0]["type"], "message", "{ev}");
    assert_eq!(ev["events"][0]["text"], "Sorry, <i>a new cup</i> ships today.");
    assert_eq!(ev["events"][0]["agent"], "amy");
    browser
        .wait_js("reply in the transcript", "return [...document.querySelectorAll('.transcript li.agent')].length")
        .await;
    assert_eq!(browser.js("return document.querySelectorAll('i').length").await, 0);
    drop(browser);
    t.stop().await;
}
