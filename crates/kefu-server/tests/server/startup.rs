//! Start-up checks: storage paths that cannot be used stop `start` with an error naming the
//! path and the step, instead of a server that reports healthy and then fails every upload.

use kefu_server::db::Target;

use crate::common::*;

async fn start_error(cfg: kefu_server::Config) -> String {
    match kefu_server::start(cfg).await {
        Ok(running) => {
            running.stop().await;
            panic!("the server started");
        }
        Err(e) => format!("{e:#}"),
    }
}

#[tokio::test]
async fn unusable_data_and_database_paths_stop_the_start_with_their_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();

    // A file where the data directory belongs (either engine).
    let mut cfg = config(dir.path());
    cfg.data_dir = file.clone();
    let e = start_error(cfg).await;
    assert_eq!(e, format!("cannot use data directory {}: it exists but is not a directory", file.display()));

    // A data directory whose photo directory is a file.
    let mut cfg = config(dir.path());
    cfg.data_dir = dir.path().join("data2");
    std::fs::create_dir_all(&cfg.data_dir).unwrap();
    std::fs::write(cfg.data_dir.join("attachments"), "x").unwrap();
    let e = start_error(cfg.clone()).await;
    assert!(e.starts_with("cannot use photo directory ") && e.contains("data2/attachments"), "{e}");

    // SQLite: a database whose directory is a file, and a database path that is a directory.
    let mut cfg = config(dir.path());
    cfg.db = Target::Sqlite(file.join("kefu.sqlite"));
    let e = start_error(cfg).await;
    assert_eq!(e, format!("cannot use database directory {}: it exists but is not a directory", file.display()));
    let mut cfg = config(dir.path());
    cfg.db = Target::Sqlite(dir.path().to_path_buf());
    let e = start_error(cfg).await;
    assert_eq!(e, format!("cannot use database file {}: it exists but is not a regular file", dir.path().display()));
}

#[cfg(unix)]
#[tokio::test]
async fn a_read_only_photo_directory_stops_the_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let photos = cfg.data_dir.join("attachments");
    std::fs::create_dir_all(&photos).unwrap();
    std::fs::set_permissions(&photos, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes into read-only directories, so there the check cannot fail: the server starts
    // and a photo upload works.
    let root = std::fs::write(photos.join("probe"), "x").is_ok();
    let result = if root {
        eprintln!("running as root: a read-only directory is writable; checking the start succeeds");
        let _ = std::fs::remove_file(photos.join("probe"));
        let running = kefu_server::start(cfg.clone()).await.expect("starts");
        running.stop().await;
        None
    } else {
        Some(start_error(cfg.clone()).await)
    };
    std::fs::set_permissions(&photos, std::fs::Permissions::from_mode(0o755)).unwrap();
    if let Some(e) = result {
        let want =
            format!("cannot write photo directory {} (creating probe file): Permission denied", photos.display());
        assert!(e.starts_with(&want), "{e}");
    }
    // Probe files never stay behind.
    assert_eq!(std::fs::read_dir(&photos).unwrap().count(), 0);
}
