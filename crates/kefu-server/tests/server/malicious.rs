//! Malicious input: oversized and fake-type files, pixel bombs, path traversal, XSS, SQL-ish
//! text, huge JSON, wrong credentials.

use kefu_server::Role;
use serde_json::{json, Value};

use crate::common::*;

async fn case_with_token(t: &TestServer) -> (String, String) {
    let id = uuid();
    let (s, v) = t.create(&case_body(&id, &[])).await;
    assert_eq!(s, 201);
    (id, v["token"].as_str().unwrap().to_string())
}

/// A PNG that is only a valid header: IHDR claiming `w`×`h`, then a tiny IDAT and IEND.
fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = crc32(kind, 0xFFFF_FFFF);
        crc = crc32(data, crc);
        out.extend_from_slice(&(!crc).to_be_bytes());
    }
    fn crc32(data: &[u8], mut c: u32) -> u32 {
        for &b in data {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        c
    }
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[tokio::test]
async fn fake_types_and_non_images_are_refused() {
    let t = TestServer::start().await;
    let (id, token) = case_with_token(&t).await;
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (png(10, 10, 1), "image/jpeg", "type_mismatch"),
        (b"just some text, not a photo".to_vec(), "image/jpeg", "unsupported_type"),
        (b"<!doctype html><script>alert(1)</script>".to_vec(), "text/html", "unsupported_type"),
        (b"<html><body onload=alert(1)>".to_vec(), "image/png", "unsupported_type"),
        (jpeg(10, 10, 1), "text/html", "unsupported_type"),
        (b"GIF89a\x01\x00\x01\x00".to_vec(), "image/gif", "unsupported_type"),
    ];
    for (bytes, ct, code) in cases {
        let (s, v) = t.upload(&id, &token, &uuid(), bytes, ct).await;
        assert_eq!(s, 415, "{ct}: {v}");
        assert_eq!(v["error"]["code"], code, "{ct}: {v}");
    }
    // A .jpg name on PNG bytes in multipart.
    assert_eq!(t.upload_multipart(&id, &token, &uuid(), png(8, 8, 1), "photo.jpg", None).await, 415);
    // An .html file in multipart.
    let html = b"<script>alert(1)</script>".to_vec();
    assert_eq!(t.upload_multipart(&id, &token, &uuid(), html, "x.html", Some("text/html")).await, 415);
    // Truncated JPEG: right magic, broken body.
    let j = jpeg(200, 200, 3);
    let (s, v) = t.upload(&id, &token, &uuid(), j[..j.len() / 3].to_vec(), "image/jpeg").await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(t.count("SELECT COUNT(*) FROM attachments"), 0);
    assert!(t.stored_files().is_empty());
    t.stop().await;
}

#[tokio::test]
async fn pixel_bombs_and_oversized_files_are_refused() {
    let t = TestServer::start_with(|c| {
        c.max_attachment_bytes = 200_000;
        c.max_case_bytes = 400_000;
        c.max_attachments = 3;
    })
    .await;
    let (id, token) = case_with_token(&t).await;
    for (w, h) in [(100_000, 100_000), (20_000, 20_000), (16_385, 1), (7000, 6000)] {
        let (s, v) = t.upload(&id, &token, &uuid(), png_header_only(w, h), "image/png").await;
        assert_eq!(s, 413, "{w}x{h}: {v}");
        assert_eq!(v["error"]["code"], "image_too_large", "{v}");
    }
    // Over the per-file size limit (checked from Content-Length and while reading).
    let big = vec![0xFFu8; 300_000];
    let (s, v) = t.upload(&id, &token, &uuid(), big, "image/jpeg").await;
    assert_eq!(s, 413, "{v}");
    assert_eq!(v["error"]["code"], "body_too_large");
    // Per-case total and count.
    let noisy = |seed: u8| {
        let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ seed as u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        };
        let img = image::RgbImage::from_fn(300, 200, |_, _| image::Rgb([next(), next(), next()]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(img.as_raw(), 300, 200, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    };
    use image::ImageEncoder;
    let p = noisy(1);
    assert!(p.len() > 100_000 && p.len() < 200_000, "{}", p.len());
    assert_eq!(t.upload(&id, &token, &uuid(), p.clone(), "image/png").await.0, 201);
    assert_eq!(t.upload(&id, &token, &uuid(), noisy(2), "image/png").await.0, 201);
    let (s, v) = t.upload(&id, &token, &uuid(), noisy(3), "image/png").await;
    assert_eq!(s, 413, "{v}");
    assert_eq!(v["error"]["code"], "case_too_large");
    assert_eq!(t.upload(&id, &token, &uuid(), jpeg(10, 10, 1), "image/jpeg").await.0, 201);
    let (s, v) = t.upload(&id, &token, &uuid(), jpeg(10, 10, 2), "image/jpeg").await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["error"]["code"], "attachment_limit");
    assert_eq!(t.count("SELECT COUNT(*) FROM attachments"), 3);
    t.stop().await;
}

#[tokio::test]
async fn oversized_photos_are_refused_with_their_real_size_and_the_limit_hit() {
    let t = TestServer::start().await;
    let (id, token) = case_with_token(&t).await;
    let side = "over the limit of 16384 px per side";
    // Real, decodable JPEG and PNG files one pixel too long (WebP cannot exceed 16383 px), and
    // header-only bombs.
    let cases: Vec<(Vec<u8>, &str, String)> = vec![
        (jpeg(16_385, 1, 1), "image/jpeg", format!("image is 16385×1 pixels, {side}")),
        (png(1, 16_385, 2), "image/png", format!("image is 1×16385 pixels, {side}")),
        (png_header_only(100_000, 100_000), "image/png", format!("image is 100000×100000 pixels, {side}")),
        (
            png_header_only(7000, 6000),
            "image/png",
            "image is 7000×6000 pixels (42000000 in all), over the limit of 36000000 pixels".to_string(),
        ),
    ];
    for (bytes, ct, message) in cases {
        let (s, v) = t.upload(&id, &token, &uuid(), bytes, ct).await;
        assert_eq!(s, 413, "{message}: {v}");
        assert_eq!(v["error"]["code"], "image_too_large", "{v}");
        assert_eq!(v["error"]["message"], message.as_str(), "{v}");
    }
    // Exactly at the side limit is fine.
    assert_eq!(t.upload(&id, &token, &uuid(), png(16_384, 1, 4), "image/png").await.0, 201);
    t.stop().await;
}

#[tokio::test]
async fn path_traversal_ids_and_names_go_nowhere() {
    let t = TestServer::start().await;
    let (id, token) = case_with_token(&t).await;
    for bad in [
        "../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "x",
        "..",
        "00000000-0000-0000-0000-00000000000g",
    ] {
        let (s, v) = t.upload(&id, &token, bad, jpeg(8, 8, 1), "image/jpeg").await;
        assert!(s == 400 || s == 404, "{bad}: {s} {v}");
        let r = t
            .client
            .put(t.url(&format!("/api/cases/{bad}/attachments/{}", uuid())))
            .bearer_auth(&token)
            .body(jpeg(8, 8, 1))
            .send()
            .await
            .unwrap();
        assert!(r.status() == 400 || r.status() == 404, "{bad}: {}", r.status());
    }
    // A traversal file name is display text only.
    let s =
        t.upload_multipart(&id, &token, &uuid(), jpeg(8, 8, 1), "../../../../tmp/evil.jpg", Some("image/jpeg")).await;
    assert_eq!(s, 201);
    assert!(!std::path::Path::new("/tmp/evil.jpg").exists());
    let files = t.stored_files();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_str().unwrap().to_string();
    assert!(name.len() == 68 && name.ends_with(".jpg") && name[..64].chars().all(|c| c.is_ascii_hexdigit()), "{name}");
    // Case ids in the body must be UUIDs too.
    let mut b = case_body("../../etc/passwd", &[]);
    let (s, v) = t.create(&b).await;
    assert_eq!(s, 400, "{v}");
    b["id"] = json!(uuid());
    b["attachments"] = json!(["../x"]);
    assert_eq!(t.create(&b).await.0, 400);
    t.stop().await;
}

#[tokio::test]
async fn xss_and_sql_text_is_stored_verbatim_and_served_as_json() {
    let t = TestServer::start().await;
    t.add_user("amy", Role::Agent);
    let xss = "<img src=x onerror=alert(1)><script>alert('x')</script>";
    let sql = "'; DROP TABLE cases; -- \" OR 1=1 --";
    let id = uuid();
    let mut b = case_body(&id, &[]);
    b["description"] = json!(format!("{xss} {sql}"));
    b["contact"] = json!(sql);
    b["tags"] = json!([xss.chars().take(32).collect::<String>()]);
    b["transcript"][0]["text"] = json!(xss);
    let (s, v) = t.create(&b).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(t.count("SELECT COUNT(*) FROM cases"), 1, "table still there");
    let sess = t.login("amy").await;
    let r = t.inbox_get(&sess, &format!("/inbox/api/cases/{id}")).await;
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["description"], format!("{xss} {sql}"));
    assert_eq!(d["contact"], sql);
    assert_eq!(d["messages"][0]["text"], xss);
    // The inbox page has no inline script or style, a strict CSP, and renders with textContent.
    let r = t.client.get(t.url("/inbox/")).send().await.unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    let html = r.text().await.unwrap();
    assert!(!html.contains("<script>") && !html.contains("style=") && !html.contains("<style"));
    let js = t.client.get(t.url("/inbox/inbox.js")).send().await.unwrap().text().await.unwrap();
    assert!(!js.contains("innerHTML") && !js.contains("insertAdjacentHTML") && !js.contains("document.write"));
    t.stop().await;
}

#[tokio::test]
async fn invalid_and_huge_json_get_clear_errors() {
    let t = TestServer::start_with(|c| c.max_json_bytes = 64 * 1024).await;
    let post = |body: Vec<u8>, ct: &'static str| {
        t.client.post(t.url("/api/cases")).header("content-type", ct).body(body).send()
    };
    let huge = format!("{{\"id\":\"{}\",\"locale\":\"en\",\"description\":\"{}\"}}", uuid(), "a".repeat(200_000));
    let r = post(huge.into_bytes(), "application/json").await.unwrap();
    assert_eq!(r.status(), 413);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "body_too_large");

    // The same without Content-Length (chunked): bounded while streaming.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..100).map(|_| Ok(vec![b' '; 4096])).collect();
    let r = t
        .client
        .post(t.url("/api/cases"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..100).map(|_| Ok(vec![0xFF; 4096])).collect();
    let (id, token) = case_with_token(&t).await;
    let r = t
        .client
        .put(t.url(&format!("/api/cases/{id}/attachments/{}", uuid())))
        .bearer_auth(&token)
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert!(r.status() == 413 || r.status() == 415, "{}", r.status());

    // Deep nesting (stack exhaustion attempt) inside the size limit.
    let deep = format!("{}{}", "[".repeat(30_000), "]".repeat(30_000));
    let r = post(deep.into_bytes(), "application/json").await.unwrap();
    assert_eq!(r.status(), 422);
    let deep = format!("{{\"id\": {}1{}}}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
    let r = post(deep.into_bytes(), "application/json").await.unwrap();
    assert_eq!(r.status(), 422);

    let r = post(b"{not json".to_vec(), "application/json").await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "invalid_json");
    // A body cut short names no made-up field ("?"); inside the transcript, the entry it is in.
    for (cut, field) in [
        (format!("{{\"id\":\"{}\"", uuid()), Value::Null),
        ("{\"transcript\":[{\"role\":\"shopper\"".to_string(), json!("transcript[0]")),
    ] {
        let r = post(cut.clone().into_bytes(), "application/json").await.unwrap();
        assert_eq!(r.status(), 422);
        let v = r.json::<Value>().await.unwrap();
        assert_eq!((&v["error"]["code"], &v["error"]["field"]), (&json!("invalid_json"), &field), "{cut}: {v}");
    }
    let r = post(b"{}".to_vec(), "text/plain").await.unwrap();
    assert_eq!(r.status(), 415);

    let checks: Vec<(Value, &str)> = vec![
        (json!({"triage": "bogus"}), "triage"),
        (json!({"emotion": "furious"}), "emotion"),
        (json!({"unknown_field": 1}), "unknown_field"),
        (json!({"locale": "<script>"}), "locale"),
        (json!({"description": "x".repeat(5000)}), "description"),
        (json!({"description": "bell\u{7}"}), "description"),
        (json!({"order_number": "1".repeat(65)}), "order_number"),
        (json!({"transcript": [{"role": "hacker", "text": "x", "at": 1}]}), "transcript[0].role"),
        (json!({"transcript": [{"role": "shopper", "text": "x", "at": "yesterday"}]}), "transcript[0].at"),
        (json!({"transcript": [{"role": "shopper", "text": "x", "at": -5}]}), "transcript[0].at"),
        (
            json!({"attachments": ["00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000001"]}),
            "attachments",
        ),
        (json!({"tags": vec!["a"; 11]}), "tags"),
    ];
    for (patch, expect) in checks {
        let mut b = case_body(&uuid(), &[]);
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let (s, v) = t.create(&b).await;
        assert_eq!(s, 422, "{patch}: {v}");
        let got = v["error"]["field"].as_str().unwrap_or(v["error"]["code"].as_str().unwrap());
        assert_eq!(got, expect, "{patch}: {v}");
    }
    assert_eq!(t.count("SELECT COUNT(*) FROM cases"), 1, "only the helper's case");
    t.stop().await;
}

#[tokio::test]
async fn wrong_case_tokens_are_refused() {
    let t = TestServer::start().await;
    let (id, token) = case_with_token(&t).await;
    let (other, other_token) = case_with_token(&t).await;
    let _ = other;
    for tok in ["", "wrong", other_token.as_str(), &token[..63]] {
        let (s, _) = t.upload(&id, tok, &uuid(), jpeg(8, 8, 1), "image/jpeg").await;
        assert_eq!(s, 401, "token {tok:?}");
        let r = t
            .client
            .get(t.url(&format!("/api/cases/{id}/events?token={tok}")))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let r = t
            .client
            .post(t.url(&format!("/api/cases/{id}/messages")))
            .bearer_auth(tok)
            .json(&json!({"text": "hi"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let r = t
            .client
            .post(t.url(&format!("/api/cases/{id}/rating")))
            .bearer_auth(tok)
            .json(&json!({"rating": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    // The response for an existing case id never leaks to a conflicting submitter.
    let mut b = case_body(&id, &[]);
    b["description"] = json!("hijack");
    let (s, v) = t.create(&b).await;
    assert_eq!(s, 409);
    assert!(v.get("token").is_none());
    t.stop().await;
}

#[tokio::test]
async fn rate_limits_per_ip_and_client() {
    let t = TestServer::start_with(|c| {
        c.rate_ip = kefu_server::ratelimit::Rate { burst: 8, per_minute: 1 };
        c.rate_client = kefu_server::ratelimit::Rate { burst: 3, per_minute: 1 };
    })
    .await;
    let send = |client: &'static str| {
        t.client.post(t.url("/api/cases")).header("x-kefu-client", client).json(&case_body(&uuid(), &[])).send()
    };
    let mut codes = Vec::new();
    for _ in 0..5 {
        codes.push(send("widget-a").await.unwrap().status().as_u16());
    }
    assert_eq!(codes, [201, 201, 201, 429, 429]);
    let mut codes = Vec::new();
    for _ in 0..5 {
        codes.push(send("widget-b").await.unwrap().status().as_u16());
    }
    // widget-b has its own bucket, but the IP bucket (8) runs out.
    assert_eq!(codes, [201, 201, 201, 429, 429]);
    let r = send("widget-c").await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    t.stop().await;
}
