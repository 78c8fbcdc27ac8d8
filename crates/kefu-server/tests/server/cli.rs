//! `kefu serve --add-user` and `kefu report` through their clap arguments.

use clap::Parser;
use kefu_server::{ReportArgs, ServeArgs};

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
    let db = dir.path().join("k.sqlite");
    let db_s = db.to_str().unwrap();
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
    let c = rusqlite::Connection::open(&db).unwrap();
    let (n, role, hash): (i64, String, String) = c
        .query_row("SELECT COUNT(*), MAX(role), MAX(pw_hash) FROM users", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    assert_eq!((n, role.as_str()), (1, "agent"));
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("correct horse"));
    let v: i64 = c.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, kefu_server::db::MIGRATIONS.len() as i64);

    let r = Report::try_parse_from(["report", "--db", db_s, "--since", "30"]).unwrap().args;
    kefu_server::report(r).unwrap();
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
fn sla_flags_parse_and_bad_ones_are_refused() {
    let mut sla = kefu_server::Sla::default();
    sla.apply(&["urgent=90s".into(), "after-sales=3h".into()]).unwrap();
    assert_eq!(sla.urgent.as_secs(), 90);
    assert_eq!(sla.order.as_secs(), 3 * 3600);
    assert!(sla.apply(&["vip=1m".into()]).is_err());
    assert!(sla.apply(&["urgent=soon".into()]).is_err());
}
