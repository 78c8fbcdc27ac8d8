//! The `kefu` binary as content staff use it: check, build, ask, inspect, with bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kefu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("kefu runs")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// `kefu chat BUNDLE` with `input` on its standard input (one message a line).
fn chat(bundle: &Path, input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["chat", bundle.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// An empty KB folder `kb` in a fresh temporary folder (kept alive by the `TempDir`).
fn empty_kb() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    std::fs::create_dir(&kb).unwrap();
    (tmp, kb)
}

/// The English demo KB built into a fresh temporary folder (kept alive by the `TempDir`).
fn demo_en_bundle() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("en.kefu");
    build_demo_en(&bundle);
    (tmp, bundle)
}

/// Builds the English demo KB into `bundle` (a path in a test's temporary folder).
fn build_demo_en(bundle: &Path) {
    let out = kefu(&["build", "-q", repo().join("www/demo/kb/en").to_str().unwrap(), "-o", bundle.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn demo_kbs_check_clean_and_build_deterministically() {
    let tmp = tempfile::tempdir().unwrap();
    for locale in ["zh-CN", "en"] {
        let src = repo().join("www/demo/kb").join(locale);
        let out = kefu(&["check", src.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stderr(&out).contains("0 errors"), "{}", stderr(&out));
        let a = tmp.path().join(format!("{locale}-a.kefu"));
        let b = tmp.path().join(format!("{locale}-b.kefu"));
        for path in [&a, &b] {
            let out = kefu(&["build", src.to_str().unwrap(), "-o", path.to_str().unwrap()]);
            assert!(out.status.success(), "{}", stderr(&out));
        }
        let (ba, bb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        assert!(ba.len() > 10_000);
        assert!(ba == bb, "two builds of {locale} differ");
        let out = kefu(&["inspect", a.to_str().unwrap()]);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("entries      86") || text.contains("entries"), "{text}");
        assert!(text.contains("+ 60 boosted trees"), "the confidence model of a calibrated KB has its trees: {text}");
        assert!(text.contains("+ learned term weights ("), "a KB ranks with learned term weights: {text}");
    }
}

#[test]
fn ask_finds_traditional_chinese_and_typos() {
    let tmp = tempfile::tempdir().unwrap();
    let zh = tmp.path().join("zh.kefu");
    let en = tmp.path().join("en.kefu");
    assert!(kefu(&["build", repo().join("www/demo/kb/zh-CN").to_str().unwrap(), "-o", zh.to_str().unwrap()])
        .status
        .success());
    assert!(kefu(&["build", repo().join("www/demo/kb/en").to_str().unwrap(), "-o", en.to_str().unwrap()])
        .status
        .success());
    let top = |bundle: &Path, q: &str| -> String {
        let out = kefu(&["ask", "--json", bundle.to_str().unwrap(), q]);
        assert!(out.status.success(), "{}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["hits"][0]["id"].as_str().unwrap_or("").to_string()
    };
    // Traditional characters fold to the simplified KB; typos are corrected.
    let simplified = top(&zh, "发票怎么开");
    assert!(!simplified.is_empty());
    assert_eq!(top(&zh, "發票怎麼開"), simplified);
    let right = top(&en, "how do I cancel my order");
    assert_eq!(top(&en, "how do I cancle my ordr"), right);
    // A swap that the stemmer does not recognise keeps its final "e" ("chnage"), and is
    // still corrected; the widget then answers it, as the well-typed question.
    let decision = |q: &str| -> String {
        let out = kefu(&["ask", "--json", en.to_str().unwrap(), q]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["decision"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(top(&en, "how do I chnage my adress"), top(&en, "how do I change my address"));
    assert_eq!(decision("how do I chnage my adress"), decision("how do I change my address"));
    // The plain output names each word searched in place of the shopper's: a typo fix, and a
    // related word the KB writes for one it never does.
    let plain = |bundle: &Path, q: &str| String::from_utf8(kefu(&["ask", bundle.to_str().unwrap(), q]).stdout).unwrap();
    assert!(plain(&en, "can i get a recipt").contains("searched as: recipt → receipt"));
    let manager = plain(&zh, "店长在吗 我要找你们经理");
    assert!(manager.contains("searched as: 店长 → "), "{manager}");
}

#[test]
fn bad_sources_name_file_and_line_and_fail() {
    let (tmp, kb) = empty_kb();
    write(
        &kb,
        "a.md",
        "---\nid: dup\nquestions: [How to pay?]\ncategory: payment\n---\nBy card.\n---\nid: dup\nquestions: [Refund]\ncategory: returns\nquick_replies: [nowhere]\n---\n\n",
    );
    write(&kb, "b.md", "---\nid: x\nquestions: [q]\ncategory: general\nlocale: fr\n---\nhi\n");
    let out = kefu(&["check", kb.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("a.md:8: error: duplicate id `dup`"), "{err}");
    assert!(err.contains("empty answer"), "{err}");
    assert!(err.contains("quick reply `nowhere`"), "{err}");
    assert!(err.contains("b.md:5: error: unknown locale `fr`"), "{err}");
    let out = kefu(&["build", kb.to_str().unwrap(), "-o", tmp.path().join("x.kefu").to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(!tmp.path().join("x.kefu").exists(), "nothing is written on errors");

    // Warnings alone do not fail the check.
    let ok = tmp.path().join("ok");
    std::fs::create_dir(&ok).unwrap();
    write(&ok, "a.md", "---\nid: a\nquestions: [Pay?]\ncategory: sundries\n---\nBy card.\n");
    let out = kefu(&["check", ok.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: unknown category"), "{}", stderr(&out));
}

#[test]
fn corrupt_bundles_give_distinct_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.kefu");
    assert!(kefu(&["build", repo().join("www/demo/kb/en").to_str().unwrap(), "-o", good.to_str().unwrap()])
        .status
        .success());
    let bytes = std::fs::read(&good).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", bytes[..bytes.len() / 2].to_vec(), "truncated"),
        ("magic", [b"GIF89a".as_slice(), &bytes[6..]].concat(), "not a kefu bundle"),
        (
            "version",
            {
                let mut b = bytes.clone();
                b[8] = 200;
                b
            },
            "newer than this kefu supports",
        ),
        (
            "checksum",
            {
                let mut b = bytes.clone();
                let n = b.len() - 100;
                b[n] ^= 0x55;
                b
            },
            "checksum mismatch",
        ),
        ("empty", vec![], "truncated"),
    ];
    for (name, data, expect) in cases {
        let path = tmp.path().join(format!("{name}.kefu"));
        std::fs::write(&path, data).unwrap();
        let out = kefu(&["ask", path.to_str().unwrap(), "refund"]);
        assert!(!out.status.success(), "{name} opened");
        let err = stderr(&out);
        assert!(err.contains(expect), "{name}: {err}");
        assert!(err.contains(path.to_str().unwrap()), "{name} names the file: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn csv_import_builds() {
    let (tmp, kb) = empty_kb();
    write(&kb, "faq.csv", "id,question,answer,category\nship,When will it ship?,Within **48 hours**.,shipping\nship,dispatch time,,shipping\npay,Can I pay by card?,Yes.,payment\n");
    let out_path = tmp.path().join("c.kefu");
    let out = kefu(&["build", kb.to_str().unwrap(), "-o", out_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = kefu(&["ask", "--json", out_path.to_str().unwrap(), "dispatch time?"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hits"][0]["id"], "ship");
}

#[test]
fn a_kb_with_too_few_alternate_questions_is_told_it_is_not_calibrated() {
    // One question an entry (CSV rows with their own ids): nothing to hold out. The build
    // still succeeds, but says what it could not estimate and how to fix it.
    let (tmp, kb) = empty_kb();
    let rows: String = (0..12).map(|i| format!("e{i},How do I do thing number {i}?,Like this {i}.\n")).collect();
    write(&kb, "faq.csv", &format!("id,question,answer\n{rows}"));
    let out_path = tmp.path().join("one.kefu");
    let out = kefu(&["build", kb.to_str().unwrap(), "-o", out_path.to_str().unwrap(), "--no-compress"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("needs at least 10 such questions in the KB; this KB has 0,"), "{err}");
    // No estimate is no rate: neither "n/a of covered questions" nor "wrong ≤ -0.0%".
    assert!(err.contains("(no held-out estimate;") && !err.contains("n/a") && !err.contains("-0.0"), "{err}");
    // Every entry with a second question, but eight questions in all: the warning says so.
    let few: String =
        (0..4).map(|i| format!("e{i},How do I do thing number {i}?,Like this {i}.\ne{i},thing {i} how,\n")).collect();
    write(&kb, "faq.csv", &format!("id,question,answer\n{few}"));
    let out = kefu(&["build", kb.to_str().unwrap(), "-o", out_path.to_str().unwrap(), "--no-compress"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("this KB has 8, so the answer threshold"), "{}", stderr(&out));
    // A KB with alternates gets no such warning.
    write(
        &kb,
        "faq.csv",
        &format!("id,question,answer\n{rows}{}", (0..12).map(|i| format!("e{i},thing {i} how,\n")).collect::<String>()),
    );
    let out = kefu(&["build", kb.to_str().unwrap(), "-o", out_path.to_str().unwrap(), "--no-compress"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("such questions"), "{}", stderr(&out));
}

#[test]
fn a_compressed_copy_that_cannot_be_written_leaves_no_stale_copy_beside_the_bundle() {
    let (tmp, kb) = empty_kb();
    write(&kb, "faq.csv", "id,question,answer\nship,When will it ship?,Within 48 hours.\n");
    let out_path = tmp.path().join("c.kefu");
    let out = kefu(&["build", "-q", kb.to_str().unwrap(), "-o", out_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let gz = tmp.path().join("c.kefu.gz");
    assert!(gz.exists());
    // The .br cannot be written (a folder holds its name): the earlier .gz must not stay to be
    // served in place of the new bundle.
    std::fs::remove_file(tmp.path().join("c.kefu.br")).unwrap();
    std::fs::create_dir(tmp.path().join("c.kefu.br")).unwrap();
    write(&kb, "faq.csv", "id,question,answer\nship,When will it ship?,Within 24 hours.\n");
    let out = kefu(&["build", "-q", kb.to_str().unwrap(), "-o", out_path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("compressed copies are not"), "{}", stderr(&out));
    assert!(!gz.exists(), "a stale .gz of the earlier bundle is left");
}

/// Runs `kefu serve` with `args`, which must refuse to start; returns its standard error.
/// Killed (and the test failed) if it is still running after 30 s.
fn serve_refused(args: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove("KEFU_DB")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kefu runs");
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("kefu serve {args:?} started instead of refusing");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success(), "{args:?}");
    stderr(&out)
}

#[test]
fn serve_names_unusable_storage_paths_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plain-file");
    write(tmp.path(), "plain-file", "not a directory");
    let db = tmp.path().join("k.sqlite");
    let (db_s, file_s) = (db.to_str().unwrap(), file.to_str().unwrap());

    // --data is a file.
    let err = serve_refused(&["--db", db_s, "--data", file_s]);
    assert_eq!(err.trim(), format!("kefu serve: cannot use data directory {file_s}: it exists but is not a directory"));
    // The database's directory is a file.
    let inside = file.join("k.sqlite");
    let err = serve_refused(&["--db", inside.to_str().unwrap(), "--data", tmp.path().join("d").to_str().unwrap()]);
    assert_eq!(
        err.trim(),
        format!("kefu serve: cannot use database directory {file_s}: it exists but is not a directory")
    );
    // --add-user checks the database path too.
    let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["serve", "--db", inside.to_str().unwrap(), "--add-user", "lily"])
        .env("KEFU_PASSWORD", "correct horse battery")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains(file_s), "{}", stderr(&out));

    // A read-only photo directory: refused at start, not at the first upload. Root writes
    // anyway, so there the check cannot fail and is skipped.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let photos = tmp.path().join("data/attachments");
        std::fs::create_dir_all(&photos).unwrap();
        std::fs::set_permissions(&photos, std::fs::Permissions::from_mode(0o555)).unwrap();
        let root = std::fs::write(photos.join("probe"), "x").is_ok();
        if root {
            eprintln!("running as root: the read-only photo directory case is skipped");
        } else {
            let data = tmp.path().join("data");
            let err = serve_refused(&["--db", db_s, "--data", data.to_str().unwrap()]);
            assert!(
                err.starts_with(&format!(
                    "kefu serve: cannot write photo directory {} (creating probe file): Permission denied",
                    photos.display()
                )),
                "{err}"
            );
        }
        std::fs::set_permissions(&photos, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Issue 15: index bytes changed and the checksum recomputed is a clean error, not a panic.
#[test]
fn damaged_index_with_a_valid_checksum_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.kefu");
    build_demo_en(&good);
    let bytes = std::fs::read(&good).unwrap();
    // The last file of the bundle is an index file; damage a run in its middle.
    let mut damaged = 0;
    for k in 1..40usize {
        let mut b = bytes.clone();
        let at = b.len() - k * 301;
        b[at..at + 8].fill(0xff);
        let crc = crc32fast_hash(&b[24..]);
        b[12..16].copy_from_slice(&crc.to_le_bytes());
        let path = tmp.path().join(format!("d{k}.kefu"));
        std::fs::write(&path, &b).unwrap();
        let out = kefu(&["ask", path.to_str().unwrap(), "where is my parcel"]);
        let err = stderr(&out);
        assert_ne!(out.status.code(), Some(101), "{k}: {err}");
        assert!(!err.contains("panicked"), "{k}: {err}");
        if !out.status.success() {
            assert!(err.starts_with(&format!("kefu: {}: bundle", path.display())), "{k}: {err}");
            damaged += err.contains("bundle index is damaged") as u32;
        }
    }
    assert!(damaged > 0, "no case reached the index checks");
}

/// CRC-32 (IEEE), as the bundle header stores it.
fn crc32fast_hash(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// `kefu chat`: one conversation over stdin, replies worded as the widget words them;
/// `kefu ask` with earlier messages gives the same reply to the last one.
#[test]
fn chat_keeps_the_conversation_and_ask_says_what_the_widget_says() {
    let (_tmp, bundle) = demo_en_bundle();
    let messages = ["my parcel hasn't moved in days", "2024112312345678", "talk to a person"];
    let out = chat(&bundle, messages.join("\n").as_bytes());
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // One reply per message, each after the echoed message.
    let replies: Vec<&str> = text.split("> ").filter(|s| !s.is_empty()).collect();
    assert_eq!(replies.len(), 3, "{text}");
    // The order number is asked for once; after it was given, it is not asked for again.
    assert!(replies[0].to_lowercase().contains("order number"), "{}", replies[0]);
    assert!(!replies[1].to_lowercase().contains("order number"), "{}", replies[1]);
    // Asking for a person opens the form (in the widget: at once, no button to find).
    assert!(replies[2].contains("hand-off form opens"), "{}", replies[2]);

    // `kefu ask` with the same messages ends on the same reply.
    let out = kefu(&["ask", bundle.to_str().unwrap(), messages[0], messages[1], messages[2]]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ask = String::from_utf8_lossy(&out.stdout).into_owned();
    let said = ask.split("the widget says:\n").nth(1).unwrap_or_default();
    assert_eq!(said, replies[2].split_once('\n').map(|x| x.1).unwrap_or_default(), "{ask}");
}

fn decoded(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let bytes = std::fs::read(path).unwrap();
    let mut out = Vec::new();
    if path.extension().unwrap() == "br" {
        brotli::Decompressor::new(&bytes[..], 4096).read_to_end(&mut out).unwrap();
    } else {
        flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_end(&mut out).unwrap();
    }
    out
}

#[test]
fn build_writes_matching_precompressed_copies_atomically() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("kb");
    std::fs::create_dir(&src).unwrap();
    write(
        &src,
        "a.md",
        "---\nid: returns\nquestions:\n  - how do I return an item\ncategory: returns\n---\nSend it back within 30 days.\n",
    );
    let out = tmp.path().join("kb.kefu");
    let (br, gz) = (tmp.path().join("kb.kefu.br"), tmp.path().join("kb.kefu.gz"));
    // Copies of an older bundle are there (as after a `cp` of a new bundle alone).
    std::fs::write(&br, b"old").unwrap();
    std::fs::write(&gz, b"old").unwrap();
    let o = kefu(&["build", src.to_str().unwrap(), "-o", out.to_str().unwrap(), "--no-calibrate", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bundle = std::fs::read(&out).unwrap();
    assert_eq!(decoded(&br), bundle);
    assert_eq!(decoded(&gz), bundle);
    assert!(std::fs::metadata(&br).unwrap().len() < bundle.len() as u64);
    // Only the three files: the temporary ones were renamed into place.
    let mut names: Vec<String> =
        std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["kb", "kb.kefu", "kb.kefu.br", "kb.kefu.gz"]);

    // A new entry: the copies follow the new bundle.
    write(&src, "b.md", "---\nid: hours\nquestions:\n  - when are you open\ncategory: general\n---\nEvery day 9–18.\n");
    let o = kefu(&["build", src.to_str().unwrap(), "-o", out.to_str().unwrap(), "--no-calibrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The summary tells the bundle's time from the copies' (brotli 11 is most of a build).
    assert!(stderr(&o).contains("s (+") && stderr(&o).contains("for the .br and .gz copies)"), "{}", stderr(&o));
    let bundle2 = std::fs::read(&out).unwrap();
    assert_ne!(bundle, bundle2);
    assert_eq!(decoded(&br), bundle2);
    assert_eq!(decoded(&gz), bundle2);

    // --no-compress: no copies, and the now stale ones are removed.
    let o = kefu(&["build", src.to_str().unwrap(), "-o", out.to_str().unwrap(), "--no-calibrate", "--no-compress"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("removed the stale"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(".gz copies"), "{}", stderr(&o));
    assert!(!br.exists() && !gz.exists());
    assert!(out.exists());

    // A bundle in the current folder (no parent path) works too.
    let o = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["build", src.to_str().unwrap(), "-o", "here.kefu", "--no-calibrate", "-q"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(decoded(&tmp.path().join("here.kefu.br")), std::fs::read(tmp.path().join("here.kefu")).unwrap());
}

/// A one-entry KB in a new folder `name` under `dir`.
fn one_entry_kb(dir: &Path, name: &str) -> PathBuf {
    let kb = dir.join(name);
    std::fs::create_dir_all(&kb).unwrap();
    write(&kb, "a.md", "---\nid: a\nquestions: [How do I pay?]\ncategory: payment\n---\nBy card.\n");
    kb
}

#[test]
fn build_never_writes_over_a_source_or_a_file_that_is_not_a_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = one_entry_kb(tmp.path(), "kb");
    let source = kb.join("a.md");
    let before = std::fs::read(&source).unwrap();
    let out = kefu(&["build", "-q", kb.to_str().unwrap(), "-o", source.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is one of the KB's source files"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&source).unwrap(), before);
    assert!(!kb.join("a.md.br").exists() && !kb.join("a.md.gz").exists());

    let notes = tmp.path().join("notes.txt");
    write(tmp.path(), "notes.txt", "my notes\n");
    let out = kefu(&["build", "-q", kb.to_str().unwrap(), "-o", notes.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("exists and is not a kefu bundle"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes\n");

    // A bundle, or an empty file, is replaced.
    let bundle = tmp.path().join("kb.kefu");
    for _ in 0..2 {
        let out = kefu(&["build", "-q", kb.to_str().unwrap(), "-o", bundle.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    std::fs::write(tmp.path().join("empty.kefu"), b"").unwrap();
    let out = kefu(&["build", "-q", kb.to_str().unwrap(), "-o", tmp.path().join("empty.kefu").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn linked_files_and_folders_are_read_and_bad_links_are_named() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let kb = one_entry_kb(tmp.path(), "kb");
    let shared = tmp.path().join("shared");
    std::fs::create_dir_all(shared.join("more")).unwrap();
    write(&shared, "s.md", "---\nid: s\nquestions: [Do you ship abroad?]\ncategory: shipping\n---\nNo.\n");
    write(&shared.join("more"), "m.md", "---\nid: m\nquestions: [Gift wrap?]\ncategory: product\n---\nYes.\n");
    symlink(shared.join("s.md"), kb.join("s.md")).unwrap();
    symlink(shared.join("more"), kb.join("more")).unwrap();
    // Drafts are skipped, with their folder's content.
    std::fs::create_dir(kb.join("_drafts")).unwrap();
    write(&kb.join("_drafts"), "d.md", "---\nid: d\nquestions: [Draft?]\ncategory: general\n---\nNot yet.\n");
    let out = kefu(&["check", kb.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("3 entries, 3 questions in 3 files: 0 errors, 0 warnings"), "{}", stderr(&out));

    symlink(&kb, kb.join("more").join("back")).unwrap();
    symlink(tmp.path().join("gone.md"), kb.join("gone.md")).unwrap();
    let out = kefu(&["check", kb.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("{}: error: the link points to ", kb.join("gone.md").display())), "{err}");
    assert!(
        err.contains(&format!("{}: warning: not followed: the link leads back to", kb.join("more/back").display())),
        "{err}"
    );
    assert!(err.contains("3 entries"), "{err}");
}

#[test]
fn only_the_top_kefu_toml_is_read_and_a_folder_without_kb_files_fails_check() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = one_entry_kb(tmp.path(), "kb");
    write(&kb, "kefu.toml", "[shop]\nname = \"Root Shop\"\n");
    std::fs::create_dir(kb.join("aaa")).unwrap();
    write(&kb.join("aaa"), "kefu.toml", "[shop]\nname = \"Sub Shop\"\n");
    write(&kb, "Cargo.toml", "not toml at all [[[");
    let out = kefu(&["check", kb.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let top = kb.join("kefu.toml").display().to_string();
    assert!(err.contains(&format!("aaa/kefu.toml: warning: not read: the settings are {top} only")), "{err}");
    assert!(err.contains(&format!("Cargo.toml: warning: not read: the settings are {top} only")), "{err}");
    assert!(err.contains("1 entries, 1 questions in 2 files: 0 errors, 2 warnings"), "{err}");
    let bundle = tmp.path().join("kb.kefu");
    assert!(kefu(&["build", "-q", kb.to_str().unwrap(), "-o", bundle.to_str().unwrap()]).status.success());
    let out = kefu(&["inspect", bundle.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("shop         Root Shop"));

    let only = tmp.path().join("only_toml");
    std::fs::create_dir(&only).unwrap();
    write(&only, "foo.toml", "[shop]\n");
    let out = kefu(&["check", only.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no KB files found"), "{}", stderr(&out));
    // A file with no entries fails check as it fails build.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    write(&empty, "f.tsv", "question\tanswer\n");
    let out = kefu(&["check", empty.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("error: the knowledge base has no entries"), "{}", stderr(&out));
}

#[test]
fn files_kefu_does_not_read_are_named_but_its_own_bundles_are_not() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = one_entry_kb(tmp.path(), "kb");
    for name in ["faq.xlsx", "notes.txt", "kb.kefu", "kb.kefu.br", "kb.kefu.gz", ".hidden.txt"] {
        write(&kb, name, "x");
    }
    let out = kefu(&["check", kb.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("faq.xlsx: warning: not read: kefu cannot read spreadsheets; export it as CSV UTF-8"),
        "{err}"
    );
    assert!(err.contains("notes.txt: warning: not read: kefu reads .md, .csv and .tsv files"), "{err}");
    assert!(!err.contains("kb.kefu") && !err.contains("hidden"), "{err}");
    assert!(err.contains("1 entries, 1 questions in 1 files: 0 errors, 2 warnings"), "{err}");
}

#[test]
fn policy_overrides_are_shown_and_a_clarify_above_answer_is_warned() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = tmp.path().join("kb");
    std::fs::create_dir(&kb).unwrap();
    for f in std::fs::read_dir(repo().join("www/demo/kb/en")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), kb.join(f.file_name())).unwrap();
    }
    let toml = std::fs::read_to_string(kb.join("kefu.toml")).unwrap();
    write(&kb, "kefu.toml", &format!("{toml}\n[policy]\nanswer_min = 0.2\nclarify_min = 0.9\n"));
    let out = kefu(&["check", kb.to_str().unwrap()]);
    let line = toml.lines().count() + 4;
    let want = format!("kefu.toml:{line}: warning: the clarify threshold (0.90) is above the answer threshold (0.20)");
    assert!(stderr(&out).contains(&want), "{}", stderr(&out));
    let bundle = tmp.path().join("p.kefu");
    let out = kefu(&["build", kb.to_str().unwrap(), "-o", bundle.to_str().unwrap(), "--no-compress"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("reply policy: answer at confidence ≥ 0.20 (set in kefu.toml; calibrated 0."), "{err}");
    assert!(err.contains("clarify at ≥ 0.90 (set in kefu.toml; calibrated 0."), "{err}");
    assert!(err.contains("warning: the clarify threshold (0.90) is above the answer threshold (0.20)"), "{err}");
    let out = kefu(&["inspect", bundle.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("policy       answer ≥ 0.20 (set in kefu.toml; calibrated 0."), "{text}");
    assert!(text.contains("clarify ≥ 0.90 (set in kefu.toml; calibrated 0."), "{text}");
    assert!(text.contains("the clarify threshold (0.90) is above the answer threshold (0.20)"), "{text}");
    // Without overrides the calibrated values are shown as such.
    let out = kefu(&["inspect", demo_en_bundle().1.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(calibrated), clarify ≥ ") && !text.contains("set in kefu.toml"), "{text}");
}

#[test]
fn a_file_that_is_not_utf8_does_not_hide_the_other_files_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = one_entry_kb(tmp.path(), "kb");
    std::fs::write(kb.join("b.md"), b"---\nid: b\nquestions: [caf\xe9]\ncategory: general\n---\nx\n").unwrap();
    write(&kb, "c.md", "---\nid: c\nquestions: [q]\ncategory: general\nlocale: fr\n---\nx\n");
    let out = kefu(&["check", kb.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("b.md:3: error: file is not valid UTF-8; save it as UTF-8"), "{err}");
    assert!(!err.contains("kefu: "), "a finding, not the command's failure: {err}");
    assert!(err.contains("c.md:5: error: unknown locale `fr`"), "{err}");
}

#[test]
fn check_lists_an_unreadable_file_before_the_errors_it_causes() {
    // a.md's quick reply names an entry of z.md, which is not UTF-8: the cause comes first.
    let (_tmp, kb) = empty_kb();
    write(&kb, "a.md", "---\nid: a\nquestions: [q]\ncategory: general\nquick_replies: [z]\n---\nx\n");
    std::fs::write(kb.join("z.md"), b"---\nid: z\nquestions: [caf\xe9]\ncategory: general\n---\nx\n").unwrap();
    let out = kefu(&["check", kb.to_str().unwrap()]);
    let err = stderr(&out);
    let first = err.lines().find(|l| l.contains("error")).unwrap_or_default();
    assert!(first.contains("z.md") && first.contains("not valid UTF-8"), "{err}");
    assert!(err.contains("names no entry"), "{err}");
}

#[test]
fn eval_shows_the_errors_behind_missing_queries() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("e.tsv");
    write(tmp.path(), "e.tsv", "split\tid\tlabel\ttext\nkb\ta::1\ta\thello\nqeury\tq1\ta\thi\nkb\tx\n");
    let out = kefu(&["eval", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("e.tsv:3: error: unknown split `qeury`"), "{err}");
    assert!(err.contains("e.tsv:4: error: expected 4 tab-separated columns"), "{err}");
    assert!(!err.contains("no query rows"), "{err}");
}

#[test]
fn eval_can_give_the_entries_answer_texts() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = "split\tid\tlabel\ttext\n\
        kb\ta1\tabroad\tdo you ship internationally\nkb\ta2\tabroad\tship to the usa\n\
        kb\tb1\tfee\thow much is shipping\nkb\tb2\tfee\tshipping cost\n\
        query\tq1\tabroad\tdo you ship to iceland\n";
    write(tmp.path(), "e.tsv", rows);
    let answers = "id\tlabel\tanswer\nx1\tabroad\tTo Japan and Iceland.\nx2\tabroad\tignored: not the first\n";
    write(tmp.path(), "a.tsv", answers);
    let (file, with) = (tmp.path().join("e.tsv"), tmp.path().join("a.tsv"));
    let json = |extra: &[&str]| {
        let mut args = vec!["eval", file.to_str().unwrap(), "--json", "--rankings"];
        let rankings = tmp.path().join("r.tsv");
        args.push(rankings.to_str().unwrap());
        args.extend_from_slice(extra);
        let out = kefu(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        (stderr(&out), std::fs::read_to_string(&rankings).unwrap())
    };
    let (err, plain) = json(&[]);
    assert!(!err.contains("got an answer"), "{err}");
    let (err, answered) = json(&["--answers", with.to_str().unwrap()]);
    assert!(err.contains("1 of 2 entries got an answer from"), "{err}");
    // The answer is searched: the entry that writes Iceland scores higher than without it (a
    // country in kefu's related words would be searched as "international" without it).
    let score = |tsv: &str| -> f32 {
        let line = tsv.lines().find(|l| l.contains("\tabroad\t")).unwrap_or_else(|| panic!("{tsv}"));
        line.rsplit('\t').next().unwrap().trim().parse().unwrap()
    };
    assert!(score(&answered) > score(&plain), "{plain}\n{answered}");

    write(tmp.path(), "bad.tsv", "id\tlabel\ttext\nx1\tabroad\thi\n");
    let bad = tmp.path().join("bad.tsv");
    let out = kefu(&["eval", file.to_str().unwrap(), "--answers", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bad.tsv:1: no `answer` column"), "{}", stderr(&out));
}

#[test]
fn chat_and_gaps_go_on_after_a_line_that_is_not_utf8() {
    let (tmp, bundle) = demo_en_bundle();
    let input = b"hello\nwhere \xff\xfe is it\nhow do I cancel my order\n";
    let out = chat(&bundle, input);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("stdin:2: warning: this line is not valid UTF-8"), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("> ").count(), 3, "{text}");
    assert!(text.contains("> how do I cancel my order"), "{text}");
    // The message is echoed as kept: a card number masked, as the widget shows it.
    let out = chat(&bundle, b"my card 4111 1111 1111 1111 was charged twice\n");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("> my card **** **** **** 1111 was charged twice"), "{text}");
    assert!(!text.contains("4111 1111"), "{text}");

    let log = tmp.path().join("log.txt");
    std::fs::write(&log, input).unwrap();
    let out = kefu(&["gaps", log.to_str().unwrap(), "--kb", bundle.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("{}:2: warning: this line is not valid UTF-8", log.display())));
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_printing_commands_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let (_tmp, bundle) = demo_en_bundle();
    for args in
        [vec!["inspect", "--entries", bundle.to_str().unwrap()], vec!["ask", bundle.to_str().unwrap(), "refund"]]
    {
        // A pipe whose reading end is closed before kefu writes.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
            .args(&args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.signal(), Some(13), "{args:?}: {:?} {}", out.status, stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

#[test]
fn estimates_that_do_not_exist_are_not_shown_as_nan() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = one_entry_kb(tmp.path(), "kb");
    for extra in [None, Some("--no-calibrate")] {
        let bundle = tmp.path().join("one.kefu");
        let mut args = vec!["build", kb.to_str().unwrap(), "-o", bundle.to_str().unwrap()];
        args.extend(extra);
        let out = kefu(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(!stderr(&out).contains("NaN"), "{}", stderr(&out));
        let out = kefu(&["inspect", bundle.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("NaN") && text.contains("n/a"), "{text}");
    }
}

#[test]
fn gaps_and_chat_print_shopper_text_with_control_characters_escaped() {
    let (tmp, bundle) = demo_en_bundle();
    let log = tmp.path().join("gaps.jsonl");
    std::fs::write(
        &log,
        "{\"text\":\"hello \\u001b]0;PWNED\\u0007 \\u001b[2J refund nepal\",\"decision\":\"handoff\",\"locale\":\"en\"}\n\
         \u{0}\u{1}\u{1b}[31mred nepal\n",
    )
    .unwrap();
    let out = kefu(&["gaps", log.to_str().unwrap(), "--kb", bundle.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
    assert!(text.contains("hello \\u{1b}]0;PWNED\\u{7} \\u{1b}[2J refund nepal"), "{text}");

    let out = chat(&bundle, b"\x1b]0;PWNED\x07where is my parcel\n");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("> \\u{1b}]0;PWNED\\u{7}where is my parcel"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

#[test]
fn gaps_names_skipped_lines_reads_records_without_decision_and_refuses_a_nan_threshold() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("gaps.jsonl");
    std::fs::write(&log, "{\"text\":\"do you ship to nepal\"}\n[\"array line\"]\n{broken\nshipping to nepal?\n")
        .unwrap();
    let kb = repo().join("www/demo/kb/en");
    let out = kefu(&["gaps", log.to_str().unwrap(), "--kb", kb.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:2: warning: line skipped: a JSON array", log.display())), "{err}");
    assert!(err.contains(&format!("{}:3: warning: line skipped: broken JSON", log.display())), "{err}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("2 unanswered messages"), "{text}");
    assert!(text.contains("2 unreadable lines skipped (line 2, 3)"), "{text}");
    for bad in ["NaN", "-5", "2"] {
        let out = kefu(&["gaps", log.to_str().unwrap(), "--kb", kb.to_str().unwrap(), "--threshold", bad]);
        assert!(!out.status.success(), "{bad}");
        assert!(stderr(&out).contains("is not between 0 and 1"), "{}", stderr(&out));
    }
}

#[test]
fn gaps_leaves_out_records_in_another_language_than_the_kb() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("gaps.jsonl");
    let rec = |text: &str, locale: &str| {
        format!("{{\"text\":\"{text}\",\"decision\":\"handoff\",\"locale\":\"{locale}\"}}\n")
    };
    let text: String = [
        rec("能送到西藏吗", "zh-CN"),
        rec("西藏可以發貨嗎", "zh-TW"),
        rec("西藏地区能不能送", "zh-CN"),
        rec("do you ship to nepal", "en"),
        rec("shipping to nepal?", "en"),
    ]
    .concat();
    std::fs::write(&log, text).unwrap();
    let gaps = |kb: &str, extra: &[&str]| {
        let kb = repo().join("www/demo/kb").join(kb);
        let mut args = vec!["gaps", log.to_str().unwrap(), "--kb", kb.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = kefu(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let en = gaps("en", &[]);
    assert!(en.starts_with("2 unanswered messages"), "{en}");
    assert!(en.contains("3 records in other languages than the KB's skipped: zh-CN 2, zh-TW 1"), "{en}");
    assert!(!en.contains("西藏"), "{en}");
    // zh-CN and zh-TW are one language: the Chinese KB reads traditional characters too.
    let zh = gaps("zh-CN", &[]);
    assert!(zh.starts_with("3 unanswered messages"), "{zh}");
    assert!(zh.contains("2 records in other languages than the KB's skipped: en 2"), "{zh}");
    assert!(!zh.contains("nepal"), "{zh}");
    let all = gaps("en", &["--all-languages"]);
    assert!(all.starts_with("5 unanswered messages"), "{all}");
    assert!(!all.contains("other languages"), "{all}");
}

#[test]
fn ask_hints_at_missing_quotes_and_refuses_an_empty_message() {
    let (_tmp, bundle) = demo_en_bundle();
    let b = bundle.to_str().unwrap();
    let out = kefu(&["ask", b, "where", "is", "my", "parcel"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "asked 4 messages as a conversation (one per argument); quote the question to ask it as one: \"where is my parcel\""
        ),
        "{}",
        stderr(&out)
    );
    // A conversation written on purpose, and one quoted question: no hint.
    for args in [&["ask", b, "my order is 2024112312345678", "where is it"][..], &["ask", b, "where is my parcel"]] {
        let out = kefu(args);
        assert!(out.status.success());
        assert_eq!(stderr(&out), "", "{args:?}");
    }
    for args in [&["ask", b, ""][..], &["ask", b, "   "]] {
        let out = kefu(args);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("the message is empty"), "{}", stderr(&out));
        assert!(!String::from_utf8_lossy(&out.stdout).contains("the widget says"));
    }
    let out = kefu(&["ask", b, "hello", ""]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("message 2 is empty"), "{}", stderr(&out));
}
