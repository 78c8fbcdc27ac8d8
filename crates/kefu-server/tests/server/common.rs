//! Test helpers: a real server on 127.0.0.1 (random port) with SQLite in a temp dir, or with a
//! fresh schema of a real PostgreSQL server when `KEFU_TEST_POSTGRES` names one
//! (`scripts/test.sh` starts a throwaway server and runs these tests once per engine).
#![allow(dead_code)]

use std::io::Cursor;
use std::path::PathBuf;
use std::time::Duration;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageEncoder, RgbImage, RgbaImage};
use kefu_server::db::{Conn, Target};
use kefu_server::ratelimit::Rate;
use kefu_server::{Config, Role, Running};
use serde_json::{json, Value};

pub struct TestServer {
    pub dir: tempfile::TempDir,
    pub server: Option<Running>,
    pub cfg: Config,
    pub client: reqwest::Client,
}

/// The database of one test as a `--db` value: `dir/file` (SQLite), or a schema of its own on
/// the PostgreSQL server named by `KEFU_TEST_POSTGRES` (libpq key=value form).
pub fn test_db_spec(dir: &std::path::Path, file: &str) -> String {
    match std::env::var("KEFU_TEST_POSTGRES") {
        Ok(base) if !base.trim().is_empty() => {
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let server: Target = format!("postgres:{base}").parse().unwrap();
            off_async(|| Conn::open(&server).unwrap().execute_batch(&format!("CREATE SCHEMA {schema}")).unwrap());
            format!("postgres:{base} options=-csearch_path={schema}")
        }
        _ => dir.join(file).to_str().unwrap().to_string(),
    }
}

pub fn test_db(dir: &std::path::Path, file: &str) -> Target {
    test_db_spec(dir, file).parse().unwrap()
}

pub fn on_postgres() -> bool {
    std::env::var("KEFU_TEST_POSTGRES").is_ok_and(|v| !v.trim().is_empty())
}

/// Runs blocking database code on a thread of its own: the synchronous PostgreSQL client
/// must not block the thread of an async test.
pub fn off_async<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

/// Opens `db` and runs `f` on it (off the async threads).
pub fn with_conn<T: Send>(db: &Target, f: impl FnOnce(&mut Conn) -> T + Send) -> T {
    off_async(|| f(&mut Conn::open(db).unwrap()))
}

pub fn config(dir: &std::path::Path) -> Config {
    let mut cfg = Config::new(test_db(dir, "kefu.sqlite"), dir.join("data"));
    cfg.addr = "127.0.0.1:0".parse().unwrap();
    cfg.rate_ip = Rate { burst: 0, per_minute: 0 };
    cfg.rate_client = Rate { burst: 0, per_minute: 0 };
    cfg.rate_login = Rate { burst: 0, per_minute: 0 };
    cfg.rate_mail = Rate { burst: 0, per_minute: 0 };
    cfg.rate_mail_caseless = Rate { burst: 0, per_minute: 0 };
    cfg.escalation_tick = Duration::from_millis(100);
    cfg.secure_cookie = false;
    cfg
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build().unwrap()
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(f: impl FnOnce(&mut Config)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = config(dir.path());
        f(&mut cfg);
        let server = kefu_server::start(cfg.clone()).await.unwrap();
        TestServer { dir, server: Some(server), cfg, client: client() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.as_ref().unwrap().url(), path)
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.server.as_ref().unwrap().addr
    }

    /// Stops the server and starts it again on the same database and data dir.
    pub async fn restart(&mut self) {
        self.server.take().unwrap().stop().await;
        self.server = Some(kefu_server::start(self.cfg.clone()).await.unwrap());
    }

    /// Runs `f` on a connection of its own to the server's database.
    pub fn sql<T: Send>(&self, f: impl FnOnce(&mut Conn) -> T + Send) -> T {
        with_conn(&self.cfg.db, f)
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.sql(|c| c.query_row(sql, [], |r| r.get(0)).unwrap())
    }

    pub fn stored_files(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> =
            std::fs::read_dir(self.cfg.data_dir.join("attachments")).unwrap().map(|e| e.unwrap().path()).collect();
        v.sort();
        v
    }

    pub fn add_user(&self, name: &str, role: Role) {
        self.sql(|c| kefu_server::auth::add_user(c, name, role, "correct horse battery").unwrap());
    }

    /// Logs in; returns (cookie header value, csrf token).
    pub async fn login(&self, name: &str) -> Session {
        let r = self
            .client
            .post(self.url("/inbox/api/login"))
            .json(&json!({"name": name, "password": "correct horse battery"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login {name}");
        let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        let cookie = cookie.split(';').next().unwrap().to_string();
        let v: Value = r.json().await.unwrap();
        Session { cookie, csrf: v["csrf"].as_str().unwrap().to_string() }
    }

    pub async fn inbox_get(&self, s: &Session, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).header("cookie", &s.cookie).send().await.unwrap()
    }

    pub async fn inbox_post(&self, s: &Session, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("cookie", &s.cookie)
            .header("x-csrf-token", &s.csrf)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Creates a case; returns (status, body).
    pub async fn create(&self, body: &Value) -> (u16, Value) {
        let r = self.client.post(self.url("/api/cases")).json(body).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn upload(&self, case: &str, token: &str, att: &str, bytes: Vec<u8>, ct: &str) -> (u16, Value) {
        let r = self
            .client
            .put(self.url(&format!("/api/cases/{case}/attachments/{att}")))
            .bearer_auth(token)
            .header("content-type", ct)
            .body(bytes)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// Uploads `bytes` as the `file` part of a multipart form named `filename` (part type
    /// `mime` when given); returns the status.
    pub async fn upload_multipart(
        &self,
        case: &str,
        token: &str,
        att: &str,
        bytes: Vec<u8>,
        filename: &str,
        mime: Option<&str>,
    ) -> u16 {
        let mut part = reqwest::multipart::Part::bytes(bytes).file_name(filename.to_string());
        if let Some(m) = mime {
            part = part.mime_str(m).unwrap();
        }
        let r = self
            .client
            .put(self.url(&format!("/api/cases/{case}/attachments/{att}")))
            .bearer_auth(token)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap();
        r.status().as_u16()
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await;
        }
    }
}

pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn now_ms() -> i64 {
    kefu_server::util::now_ms()
}

pub fn case_body(id: &str, attachments: &[&str]) -> Value {
    json!({
        "id": id,
        "locale": "zh-CN",
        "transcript": [
            {"role": "shopper", "text": "我的杯子到货就碎了", "at": now_ms() - 60_000},
            {"role": "bot", "text": "很抱歉！请发一张照片。", "at": now_ms() - 55_000},
        ],
        "order_number": "20261123-0042",
        "contact": "138****5678",
        "description": "Cup arrived broken",
        "triage": "complaint",
        "emotion": "angry",
        "promise": "We'll get back to you within 1 hour.",
        "attachments": attachments,
        "tags": ["breakage"],
    })
}

/// A deterministic test photo.
pub fn rgb(w: u32, h: u32, seed: u8) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x as u8).wrapping_add(seed), (y as u8).wrapping_mul(3), seed ^ (x ^ y) as u8])
    })
}

pub fn jpeg(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92).encode_image(&rgb(w, h, seed)).unwrap();
    out
}

pub fn png(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let img = RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, seed, 200]));
    let mut out = Vec::new();
    PngEncoder::new(&mut out).write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgba8).unwrap();
    out
}

pub fn webp(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let img = rgb(w, h, seed);
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out).write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8).unwrap();
    out
}

/// The test's own re-encode, following the rules in docs/handoff-api.md.
pub fn expected_reencode(original: &[u8]) -> Vec<u8> {
    let format = image::guess_format(original).unwrap();
    let img: DynamicImage = image::load_from_memory(original).unwrap();
    let mut out = Vec::new();
    match format {
        image::ImageFormat::Jpeg => {
            JpegEncoder::new_with_quality(&mut out, 85).encode_image(&img.to_rgb8()).unwrap();
        }
        _ => {
            img.write_with_encoder(PngEncoder::new(&mut out)).unwrap();
        }
    }
    let _ = Cursor::new(&out);
    out
}
