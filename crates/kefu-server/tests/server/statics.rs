//! Hot update of static files: a bundle replaced in --pkg is what the next request gets, even
//! when stale `.br`/`.gz` copies of the old one are still next to it; ETags follow the content.

use std::io::{Read, Write};

use crate::common::*;

fn br(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let p = brotli::enc::BrotliEncoderParams { quality: 5, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &p).unwrap();
    out
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn unbr(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).unwrap();
    out
}

fn ungz(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

/// A compressible "bundle" whose content depends on `v` (same length for every `v`).
fn bundle(v: u8) -> Vec<u8> {
    (0..40_000u32).map(|i| if i % 1000 == 0 { b'0' + v } else { b"kefu bundle "[i as usize % 12] }).collect()
}

struct Got {
    status: u16,
    encoding: Option<String>,
    etag: Option<String>,
    cache: Option<String>,
    vary: Option<String>,
    body: Vec<u8>,
}

impl Got {
    /// The body with its content coding undone.
    fn plain(&self) -> Vec<u8> {
        match self.encoding.as_deref() {
            None => self.body.clone(),
            Some("br") => unbr(&self.body),
            Some("gzip") => ungz(&self.body),
            Some(e) => panic!("unexpected encoding {e}"),
        }
    }
}

async fn get(t: &TestServer, path: &str, headers: &[(&str, &str)]) -> Got {
    let mut rq = t.client.get(t.url(path));
    for (k, v) in headers {
        rq = rq.header(*k, *v);
    }
    let r = rq.send().await.unwrap();
    let h = |n: &str| r.headers().get(n).map(|v| v.to_str().unwrap().to_string());
    let (status, encoding, etag) = (r.status().as_u16(), h("content-encoding"), h("etag"));
    let (cache, vary) = (h("cache-control"), h("vary"));
    Got { status, encoding, etag, cache, vary, body: r.bytes().await.unwrap().to_vec() }
}

#[tokio::test]
async fn stale_precompressed_copies_are_not_served_and_etags_follow_content() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    let www = dir.path().join("www");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::create_dir_all(&www).unwrap();
    let kb = pkg.join("kb-en.kefu");
    let v1 = bundle(1);
    std::fs::write(&kb, &v1).unwrap();
    std::fs::write(pkg.join("kb-en.kefu.br"), br(&v1)).unwrap();
    std::fs::write(pkg.join("kb-en.kefu.gz"), gz(&v1)).unwrap();
    let t = TestServer::start_with(|c| {
        c.pkg = Some(pkg.clone());
        c.www = Some(www.clone());
    })
    .await;

    // Fresh copies are served as they are, each with its own strong ETag; bundles revalidate.
    let a = get(&t, "/kefu/kb-en.kefu", &[("accept-encoding", "br, gzip")]).await;
    assert_eq!((a.status, a.encoding.as_deref()), (200, Some("br")));
    assert_eq!(a.plain(), v1);
    assert_eq!(a.cache.as_deref(), Some("no-cache"));
    assert_eq!(a.vary.as_deref(), Some("accept-encoding"));
    let tag1 = a.etag.clone().unwrap();
    assert!(tag1.starts_with('"') && tag1.ends_with("-br\""), "{tag1}");
    let g = get(&t, "/kefu/kb-en.kefu", &[("accept-encoding", "gzip")]).await;
    assert_eq!((g.encoding.as_deref(), g.plain()), (Some("gzip"), v1.clone()));
    assert_eq!(g.etag.unwrap(), tag1.replace("-br", "-gz"));
    let i = get(&t, "/kefu/kb-en.kefu", &[]).await;
    assert_eq!((i.encoding, &i.body), (None, &v1));
    assert_eq!(i.etag.unwrap(), tag1.replace("-br", ""));
    // Revalidation of an unchanged bundle: 304, with the caching headers.
    let n = get(&t, "/kefu/kb-en.kefu", &[("accept-encoding", "br"), ("if-none-match", &tag1)]).await;
    assert_eq!(n.status, 304);
    assert_eq!(n.etag.as_deref(), Some(tag1.as_str()));
    assert_eq!(n.cache.as_deref(), Some("no-cache"));

    // The bundle is replaced (same size, same second), its copies are not: they are stale.
    let v2 = bundle(2);
    assert_eq!(v1.len(), v2.len());
    std::fs::write(&kb, &v2).unwrap();
    let b = get(&t, "/kefu/kb-en.kefu", &[("accept-encoding", "br")]).await;
    assert_eq!(b.status, 200);
    assert_eq!(b.encoding, None, "the stale .br was served");
    assert_eq!(b.plain(), v2);
    let tag2 = b.etag.clone().unwrap();
    assert_ne!(tag2.replace("-br", ""), tag1.replace("-br", ""));
    // gzip on the fly instead of the stale .gz.
    let c = get(&t, "/kefu/kb-en.kefu", &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(c.encoding.as_deref(), Some("gzip"));
    assert_eq!(c.plain(), v2);
    assert!(c.etag.unwrap().ends_with("-gz\""));
    // A browser holding the old bundle revalidates and gets the new one, whatever its
    // If-Modified-Since says (Last-Modified has one-second steps).
    let d = get(
        &t,
        "/kefu/kb-en.kefu",
        &[("accept-encoding", "br"), ("if-none-match", &tag1), ("if-modified-since", "Sun, 06 Nov 2094 08:49:37 GMT")],
    )
    .await;
    assert_eq!(d.status, 200);
    assert_eq!(d.plain(), v2);
    let e = get(&t, "/kefu/kb-en.kefu", &[("if-none-match", &tag2)]).await;
    assert_eq!(e.status, 304);

    // New copies written (as `kefu build` does): served again.
    std::fs::write(pkg.join("kb-en.kefu.br"), br(&v2)).unwrap();
    std::fs::write(pkg.join("kb-en.kefu.gz"), gz(&v2)).unwrap();
    let f = get(&t, "/kefu/kb-en.kefu", &[("accept-encoding", "br")]).await;
    assert_eq!((f.encoding.as_deref(), f.plain()), (Some("br"), v2.clone()));
    // A damaged copy is not served either.
    std::fs::write(pkg.join("kb-en.kefu.gz"), b"\x1f\x8b not gzip").unwrap();
    let g = get(&t, "/kefu/kb-en.kefu", &[("accept-encoding", "gzip")]).await;
    assert_eq!((g.encoding.as_deref(), g.plain()), (Some("gzip"), v2.clone()));
    assert!(g.body.len() > 20, "gzipped on the fly, not the 12-byte broken copy");

    // The same rule under --www; content-hashed widget files stay immutable.
    std::fs::write(www.join("app.js"), "console.log('new')").unwrap();
    std::fs::write(www.join("app.js.br"), br(b"console.log('old')")).unwrap();
    let w = get(&t, "/app.js", &[("accept-encoding", "br")]).await;
    assert_eq!((w.encoding, w.body), (None, b"console.log('new')".to_vec()));
    std::fs::write(pkg.join("kefu-widget.0123456789.js"), "export default 1").unwrap();
    let h = get(&t, "/kefu/kefu-widget.0123456789.js", &[]).await;
    assert!(h.cache.unwrap().contains("immutable"));
    assert!(h.etag.is_some());
    // Paths the file service refuses are still refused.
    for p in ["/kefu/../pkg/kb-en.kefu", "/kefu/%2e%2e/pkg/kb-en.kefu", "/kefu/missing.kefu"] {
        assert_ne!(get(&t, p, &[]).await.status, 200, "{p}");
    }
    t.stop().await;
}
