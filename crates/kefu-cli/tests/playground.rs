//! `kefu playground` end to end: the page and its headers, the JSON answer (the same reply as
//! `kefu ask`), a rebuild on save, and a broken save that keeps the last good build answering.
//! `kefu build --watch` rebuilds the bundle on a save too.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// A running `kefu`, killed when the test ends (passing or not).
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("kefu starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        // Drains stdout for the whole run (a closed pipe would fail the program's writes).
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, lines }
    }

    fn line(&self, within: Duration) -> String {
        self.lines.recv_timeout(within).expect("kefu prints a line in time")
    }
}

fn copy_kb(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(repo().join("www/demo/kb/en")).unwrap() {
        let f = f.unwrap();
        if f.file_type().unwrap().is_file() {
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
        }
    }
}

/// One HTTP/1.1 exchange: (status, headers, body).
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_ascii_lowercase(), body.to_string())
}

fn ask(addr: &str, messages: &[&str]) -> serde_json::Value {
    let (status, _, body) = http(addr, "POST", "/api/ask", &serde_json::json!({ "messages": messages }).to_string());
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// Asks until `ok` holds for the answer (20 s at most), returning it.
fn ask_until(addr: &str, messages: &[&str], ok: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let v = ask(addr, messages);
        if ok(&v) {
            return v;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no rebuild within 20 s: {v:#}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn playground_answers_rebuilds_on_save_and_survives_a_broken_save() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    copy_kb(&kb);
    let pg = Running::start(&["playground", kb.to_str().unwrap(), "--addr", "127.0.0.1:0"]);
    let first = pg.line(Duration::from_secs(60));
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();

    // The page, its script and style, under a strict CSP.
    let (status, head, page) = http(&addr, "GET", "/", "");
    assert_eq!(status, 200);
    assert!(head.contains("content-security-policy: default-src 'self'"), "{head}");
    assert!(page.contains("/playground.js") && !page.contains("<script>") && !page.contains("<style"));
    let (status, _, script) = http(&addr, "GET", "/playground.js", "");
    assert_eq!(status, 200);
    assert!(script.contains("textContent"));
    for html in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"] {
        assert!(!script.contains(html), "the script uses {html}");
    }
    assert_eq!(http(&addr, "GET", "/playground.css", "").0, 200);

    // The answer, and the same words as `kefu ask` prints for the same message.
    let question = "how long does delivery take to beijing";
    let v = ask(&addr, &[question]);
    assert_eq!(v["decision"], "answer", "{v:#}");
    assert_eq!(v["hits"][0]["id"], "shipping-time-by-region", "{v:#}");
    assert_eq!(v["build"]["entries"], 86);
    assert_eq!(v["build"]["ok"], true);
    assert!(v["confidence"].as_f64().unwrap() >= v["answer_min"].as_f64().unwrap());
    for key in ["clarify_min", "coverage_min", "triage", "corrections"] {
        assert!(!v[key].is_null(), "{key} missing: {v:#}");
    }
    let terms = v["terms"].as_array().unwrap();
    // "delivery" is searched as what it folds to (a synonym, stemmed); that term is listed.
    let words = v["words"].as_array().unwrap();
    let delivery = words.iter().find(|w| w["typed"] == "delivery").expect("each typed word is listed");
    let folded = delivery["terms"][0].as_str().unwrap();
    assert!(terms.iter().any(|t| t["used"] == folded), "{terms:?}");
    assert!(terms.iter().any(|t| t["matched"] == "question"), "{terms:?}");
    let bundle = tmp.path().join("kb.kefu");
    let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["build", kb.to_str().unwrap(), "-o", bundle.to_str().unwrap(), "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out =
        Command::new(env!("CARGO_BIN_EXE_kefu")).args(["ask", bundle.to_str().unwrap(), question]).output().unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let says = printed.split_once("the widget says:\n").expect("kefu ask prints the reply").1;
    assert_eq!(v["reply"].as_str().unwrap(), says);

    // A save with a new entry: the page answers with it after the rebuild.
    std::fs::write(
        kb.join("extra.md"),
        "---\nid: seashell-payment\nquestions: [Can I pay with zanzibar seashells?]\ncategory: payment\nlocale: en\n---\nWe accept zanzibar seashells on Tuesdays.\n",
    )
    .unwrap();
    let shells = ["can I pay with zanzibar seashells"];
    let v = ask_until(&addr, &shells, |v| v["hits"][0]["id"] == "seashell-payment");
    assert_eq!(v["build"]["entries"], 87);
    assert!(v["reply"].as_str().unwrap().contains("Tuesdays"), "{v:#}");

    // A broken save: the error with file:line, and the last good build still answers.
    std::fs::write(kb.join("broken.md"), "---\nid: broken\nquestions: [x]\ncategory: general\nlocale: fr\n---\nhi\n")
        .unwrap();
    let v = ask_until(&addr, &shells, |v| v["build"]["ok"] == false);
    let errors = v["build"]["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e.as_str().unwrap().contains("broken.md:5: error: unknown locale `fr`")),
        "{errors:?}"
    );
    assert_eq!(v["hits"][0]["id"], "seashell-payment", "{v:#}");
    assert!(v["reply"].as_str().unwrap().contains("Tuesdays"));
    assert_eq!(v["build"]["entries"], 87);
    // The status endpoint says the same.
    let (_, _, status) = http(&addr, "GET", "/api/status", "");
    assert!(status.contains("broken.md:5:"), "{status}");

    // Fixed again: the errors go.
    std::fs::remove_file(kb.join("broken.md")).unwrap();
    ask_until(&addr, &shells, |v| v["build"]["ok"] == true);
    drop(pg);
}

#[test]
fn build_watch_rebuilds_the_bundle_on_save() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    copy_kb(&kb);
    let out = tmp.path().join("kb.kefu");
    let w = Running::start(&["build", kb.to_str().unwrap(), "-o", out.to_str().unwrap(), "--no-compress", "--watch"]);
    let first = w.line(Duration::from_secs(60));
    assert!(first.contains("built") && first.contains("kb.kefu"), "{first}");
    let before = std::fs::read(&out).unwrap();
    std::fs::write(
        kb.join("extra.md"),
        "---\nid: seashell-payment\nquestions: [Can I pay with zanzibar seashells?]\ncategory: payment\nlocale: en\n---\nYes.\n",
    )
    .unwrap();
    let second = w.line(Duration::from_secs(20));
    assert!(second.contains("built"), "{second}");
    assert_ne!(std::fs::read(&out).unwrap(), before);
    std::fs::write(kb.join("broken.md"), "---\nid: broken\nquestions: [x]\ncategory: general\nlocale: fr\n---\nhi\n")
        .unwrap();
    let third = w.line(Duration::from_secs(20));
    assert!(third.contains("build failed"), "{third}");
    drop(w);
}

#[test]
fn build_watch_does_not_rebuild_on_its_own_output_in_the_kb_folder() {
    // The bundle and its .br/.gz copies written into the KB folder were "a save" each time:
    // a rebuild about twice a second, forever.
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    copy_kb(&kb);
    let out = kb.join("kb.kefu");
    let w = Running::start(&["build", kb.to_str().unwrap(), "-o", out.to_str().unwrap(), "--watch"]);
    let first = w.line(Duration::from_secs(60));
    assert!(first.contains("built"), "{first}");
    assert!(w.lines.recv_timeout(Duration::from_secs(3)).is_err(), "rebuilt without a save");
    // A save is still seen.
    std::fs::write(
        kb.join("extra.md"),
        "---\nid: shells\nquestions: [Can I pay with shells?]\ncategory: payment\n---\nYes.\n",
    )
    .unwrap();
    let second = w.line(Duration::from_secs(20));
    assert!(second.contains("built"), "{second}");
    assert!(w.lines.recv_timeout(Duration::from_secs(3)).is_err(), "rebuilt again without a save");
    drop(w);
}

/// One raw HTTP/1.1 exchange with a `Host` of our choice: (status, body).
fn http_host(addr: &str, host: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let host = if host.is_empty() { String::new() } else { format!("Host: {host}\r\n") };
    // A body the server refuses may be cut off unread: a failed write is part of the test.
    let _ = write!(
        s,
        "{method} {path} HTTP/1.1\r\n{host}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or_else(|| panic!("an HTTP response: {raw:?}"));
    (head.split(' ').nth(1).unwrap().parse().unwrap(), body.to_string())
}

#[test]
fn playground_refuses_other_hosts_and_long_questions_with_json_the_page_can_show() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    copy_kb(&kb);
    let pg = Running::start(&["playground", kb.to_str().unwrap(), "--addr", "127.0.0.1:0"]);
    let first = pg.line(Duration::from_secs(60));
    let addr = first.split("http://").nth(1).and_then(|rest| rest.split('/').next()).unwrap().to_string();
    let port = addr.rsplit_once(':').unwrap().1.to_string();
    let ok = r#"{"messages":["where is my parcel"]}"#;

    // DNS rebinding: only the bound address and the loopback names are answered.
    for host in
        [addr.clone(), format!("localhost:{port}"), "LOCALHOST".into(), format!("[::1]:{port}"), "127.0.0.1".into()]
    {
        let (status, body) = http_host(&addr, &host, "GET", "/api/status", "");
        assert_eq!(status, 200, "{host}: {body}");
    }
    for host in
        [format!("evil.example:{port}"), "evil.example".into(), format!("127.0.0.1.evil.example:{port}"), String::new()]
    {
        let (status, body) = http_host(&addr, &host, "POST", "/api/ask", ok);
        assert_eq!(status, 421, "{host}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(v["error"].as_str().unwrap().contains("DNS rebinding"), "{v}");
        assert_eq!(http_host(&addr, &host, "GET", "/", "").0, 421, "{host}");
    }

    // A question longer than the widget reads: a JSON error that says so.
    let long = format!(r#"{{"messages":["{}"]}}"#, "where is my parcel ".repeat(120));
    let (status, body) = http_host(&addr, &addr, "POST", "/api/ask", &long);
    assert_eq!(status, 413, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let error = v["error"].as_str().unwrap();
    assert!(error.contains("the question is 2279 characters long"), "{error}");
    assert!(error.contains("at most 2000 characters of a message"), "{error}");
    // So long that the body is refused before it is read: JSON too, not axum's plain text.
    let huge = format!(r#"{{"messages":["{}"]}}"#, "x".repeat(2_500_000));
    let (status, body) = http_host(&addr, &addr, "POST", "/api/ask", &huge);
    assert_eq!(status, 413, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["error"].as_str().unwrap().contains("at most 2000 characters"), "{v}");
    // 2,000 characters are answered.
    let most = format!(r#"{{"messages":["{}"]}}"#, "a".repeat(2000));
    assert_eq!(http_host(&addr, &addr, "POST", "/api/ask", &most).0, 200);

    // The page shows the status and words of an answer that is not its JSON.
    let (_, _, script) = http(&addr, "GET", "/playground.js", "");
    assert!(script.contains("The playground answered ${r.status}"), "{script}");
    drop(pg);
}

#[test]
fn playground_lists_a_file_it_cannot_read_before_the_errors_it_causes() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    copy_kb(&kb);
    // One bad byte in order.md: the file is not read, and the quick replies of other files
    // that name its entries (account.md, shipping.md …) name no entry.
    let mut order = std::fs::read(kb.join("order.md")).unwrap();
    order.extend_from_slice(b"\xff\xfe bad\n");
    std::fs::write(kb.join("order.md"), order).unwrap();
    let pg = Running::start(&["playground", kb.to_str().unwrap(), "--addr", "127.0.0.1:0"]);
    let first = pg.line(Duration::from_secs(60));
    let addr = first.split("http://").nth(1).and_then(|rest| rest.split('/').next()).unwrap().to_string();
    let (status, _, body) = http(&addr, "GET", "/api/status", "");
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let errors: Vec<&str> = v["build"]["errors"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert!(errors.len() > 1, "{errors:?}");
    assert!(errors[0].contains("order.md:") && errors[0].contains("not valid UTF-8"), "{errors:?}");
    assert!(errors[1..].iter().any(|e| e.contains("account.md:") && e.ends_with("names no entry")), "{errors:?}");
    drop(pg);
}
