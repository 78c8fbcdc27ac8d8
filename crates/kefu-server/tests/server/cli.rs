//! `kefu serve --add-user` and `kefu report` through their clap arguments.

use clap::Parser;
use kefu_server::db::{Conn, Db, Target, MIGRATIONS};
use kefu_server::{ReportArgs, ServeArgs};

use crate::common::{test_db_spec, with_conn};

#[derive(Parser)]
struct Serve {
    #[command(flatten)]
    args: ServeArgs,
}

#[derive(Parser)]
struct Report {
    #[command(flatten)]
    args: ReportArgs,
}

#[test]
fn add_user_then_report() {
    let dir = tempfile::tempdir().unwrap();
    let spec = test_db_spec(dir.path(), "k.sqlite");
    let db: Target = spec.parse().unwrap();
    let db_s = spec.as_str();
    // Defaults parse, and --role needs --add-user.
    let d = Serve::try_parse_from(["serve"]).unwrap().args;
    assert_eq!(d.addr, "127.0.0.1:8080");
    assert_eq!(d.rate_ip.burst, 120);
    assert!(Serve::try_parse_from(["serve", "--role", "agent"]).is_err());
    assert!(Serve::try_parse_from(["serve", "--rate-ip", "lots"]).is_err());

    std::env::set_var("KEFU_PASSWORD", "correct horse battery");
    let a = Serve::try_parse_from(["serve", "--db", db_s, "--add-user", "lily", "--role", "supervisor"]).unwrap().args;
    kefu_server::serve(a).unwrap();
    // Again: updates, does not duplicate.
    let a = Serve::try_parse_from(["serve", "--db", db_s, "--add-user", "lily", "--role", "agent"]).unwrap().args;
    kefu_server::serve(a).unwrap();
    let bad = Serve::try_parse_from(["serve", "--db", db_s, "--add-user", "../etc"]).unwrap().args;
    assert!(kefu_server::serve(bad).is_err());
    std::env::remove_var("KEFU_PASSWORD");
    let (n, role, hash, v): (i64, String, String, i64) = with_conn(&db, |c| {
        let (n, role, hash) = c
            .query_row("SELECT COUNT(*), MAX(role), MAX(pw_hash) FROM users", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        (n, role, hash, c.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0)).unwrap())
    });
    assert_eq!((n, role.as_str()), (1, "agent"));
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("correct horse"));
    assert_eq!(v, MIGRATIONS.len() as i64);

    let r = Report::try_parse_from(["report", "--db", db_s, "--since", "30"]).unwrap().args;
    kefu_server::report(r).unwrap();
    // A period of 0 days, or one digit too many (14 million weekly blocks), is refused.
    for bad in ["0", "100000000"] {
        assert!(Report::try_parse_from(["report", "--db", db_s, "--since", bad]).is_err(), "{bad}");
    }
    let missing = Report::try_parse_from(["report", "--db", "/nonexistent/x.sqlite"]).unwrap().args;
    assert!(kefu_server::report(missing).is_err());
}

#[test]
fn bad_origins_and_addresses_are_refused_before_binding() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.sqlite");
    for bad in [
        vec!["--allow-origin", "shop.example"],
        vec!["--allow-origin", "https://shop.example/path"],
        vec!["--allow-origin", "https://*.example"],
        vec!["--addr", "not-an-address"],
        vec!["--sla", "urgent=soon"],
    ] {
        let mut argv = vec!["serve", "--db", db.to_str().unwrap()];
        argv.extend(bad.iter().copied());
        let a = Serve::try_parse_from(argv).unwrap().args;
        assert!(kefu_server::serve(a).is_err(), "{bad:?}");
    }
}

#[test]
fn missing_www_or_pkg_folders_are_refused_by_name_and_the_database_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.sqlite");
    for (flag, what) in [("--www", "storefront"), ("--pkg", "built widget")] {
        let missing = dir.path().join("nonexistent").join(&flag[2..]);
        let argv = vec!["serve", "--db", db.to_str().unwrap(), flag, missing.to_str().unwrap()];
        let e = kefu_server::serve(Serve::try_parse_from(argv).unwrap().args).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "{flag} {}: no such folder (the {what}, served at {})",
                missing.display(),
                if flag == "--www" { "/" } else { "/kefu/" }
            )
        );
        // A file is no folder either.
        let argv = vec!["serve", "--db", db.to_str().unwrap(), flag, db.to_str().unwrap()];
        std::fs::write(&db, "").unwrap();
        assert!(kefu_server::serve(Serve::try_parse_from(argv).unwrap().args).is_err());
        std::fs::remove_file(&db).unwrap();
    }
    assert!(!dir.path().join("nonexistent").exists() && !db.exists(), "nothing created");

    // The banner names the database file in full, and says when this start creates it.
    let fresh = dir.path().join("a/b/x.sqlite");
    let note = kefu_server::database_note(&Target::Sqlite(fresh.clone()));
    let folder = dir.path().join("a");
    assert_eq!(
        note,
        format!("{} (new file, created now with the missing folder {})", fresh.display(), folder.display())
    );
    let note = kefu_server::database_note(&Target::Sqlite(db.clone()));
    assert_eq!(note, format!("{} (new file, created now)", db.display()));
    std::fs::write(&db, "").unwrap();
    assert_eq!(kefu_server::database_note(&Target::Sqlite(db.clone())), db.display().to_string());
    let cwd = std::env::current_dir().unwrap();
    let rel = kefu_server::database_note(&Target::Sqlite("rel-x.sqlite".into()));
    assert_eq!(rel, format!("{} (new file, created now)", cwd.join("rel-x.sqlite").display()));
}

#[test]
fn sla_flags_parse_and_bad_ones_are_refused() {
    let mut sla = kefu_server::Sla::default();
    sla.apply(&["urgent=90s".into(), "after-sales=3h".into()]).unwrap();
    assert_eq!(sla.urgent.as_secs(), 90);
    assert_eq!(sla.order.as_secs(), 3 * 3600);
    assert!(sla.apply(&["vip=1m".into()]).is_err());
    assert!(sla.apply(&["urgent=soon".into()]).is_err());
    // A zero response time makes every case overdue on arrival.
    let zero = sla.apply(&["urgent=0m".into()]).unwrap_err().to_string();
    assert!(zero.contains("longer than 0"), "{zero}");
}

#[test]
fn webhook_flags_need_a_url_and_a_long_enough_secret() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("webhook.secret");
    std::fs::write(&secret, "0123456789abcdef0123456789abcdef\n").unwrap();
    let short = dir.path().join("short.secret");
    std::fs::write(&short, "tooshort\n").unwrap();
    let (s, sh) = (secret.to_str().unwrap(), short.to_str().unwrap());
    let cfg = |argv: &[&str]| {
        let mut v = vec!["serve"];
        v.extend_from_slice(argv);
        kefu_server::Config::from_args(&Serve::try_parse_from(v).unwrap().args)
    };

    let c = cfg(&["--webhook-url", "https://helpdesk.example/hooks/kefu", "--webhook-secret-file", s]).unwrap();
    let w = c.webhook.expect("webhook configured");
    assert_eq!(w.url.as_str(), "https://helpdesk.example/hooks/kefu");
    assert_eq!(&*w.secret, b"0123456789abcdef0123456789abcdef", "trailing newline dropped");
    assert_eq!(w.retry_for.as_secs(), 3 * 86_400);
    let c = cfg(&["--webhook-url", "http://127.0.0.1:9/x", "--webhook-secret-file", s, "--webhook-retry-for", "6h"]);
    assert_eq!(c.unwrap().webhook.unwrap().retry_for.as_secs(), 6 * 3600);
    assert!(cfg(&[]).unwrap().webhook.is_none());

    for bad in [
        vec!["--webhook-url", "https://helpdesk.example/hooks/kefu"], // no secret
        vec!["--webhook-url", "https://helpdesk.example/x", "--webhook-secret-file", sh], // too short
        vec!["--webhook-url", "https://helpdesk.example/x", "--webhook-secret-file", "/nonexistent/secret"],
        vec!["--webhook-url", "ftp://helpdesk.example/x", "--webhook-secret-file", s],
        vec!["--webhook-secret-file", s], // no URL
        vec!["--webhook-url", "https://helpdesk.example/x", "--webhook-secret-file", s, "--webhook-retry-for", "soon"],
    ] {
        let e = cfg(&bad).err().unwrap_or_else(|| panic!("{bad:?} must be refused"));
        assert!(!e.to_string().contains("0123456789abcdef"), "the secret never appears in messages: {e}");
    }
}

#[test]
fn migrations_upgrade_an_old_database_and_refuse_a_newer_one() {
    let dir = tempfile::tempdir().unwrap();
    let db: Target = test_db_spec(dir.path(), "v1.sqlite").parse().unwrap();
    // A database as the first release left it: schema version 1, one case.
    {
        let mut c = Conn::open(&db).unwrap();
        let (name, sql) = MIGRATIONS[0];
        c.execute_batch(&kefu_server::db::ddl(c.engine(), sql)).unwrap();
        c.execute_batch(
            "CREATE TABLE schema_version (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .unwrap();
        c.execute("INSERT INTO schema_version VALUES (1, ?1, 0)", [name]).unwrap();
        c.execute(
            "INSERT INTO cases (id, created_at, locale, description, triage, emotion, token, fingerprint, deadline_at) \
             VALUES ('00000000-0000-4000-8000-000000000001', 1, 'en', 'old case', 'order', 'calm', 't', 'f', 2)",
            [],
        )
        .unwrap();
    }
    Db::open(&db).unwrap();
    let mut c = Conn::open(&db).unwrap();
    let v: i64 = c.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, MIGRATIONS.len() as i64);
    let d: String = c.query_row("SELECT description FROM cases", [], |r| r.get(0)).unwrap();
    assert_eq!(d, "old case");
    if !db.is_postgres() {
        let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }
    assert_eq!(c.query_row("SELECT COUNT(*) FROM webhook_outbox", [], |r| r.get::<_, i64>(0)).unwrap(), 0);
    // Opening again applies nothing twice.
    drop(c);
    Db::open(&db).unwrap();
    // A database from a newer kefu is refused, not damaged.
    let mut c = Conn::open(&db).unwrap();
    c.execute("INSERT INTO schema_version VALUES (99, '099_future', 0)", []).unwrap();
    drop(c);
    let e = Db::open(&db).err().expect("newer schema refused").to_string();
    assert!(e.contains("newer"), "{e}");
    let mut c = Conn::open(&db).unwrap();
    assert_eq!(c.query_row("SELECT description FROM cases", [], |r| r.get::<_, String>(0)).unwrap(), "old case");
}
