//! Start-up checks of the storage paths, before anything is opened: the SQLite file and its
//! directory, the data directory and its photo directory must exist (created if missing) and
//! take a write (a probe file is created and removed). A failure names the path and the step,
//! e.g. `cannot write photo directory /x/photos/attachments (creating probe file): Permission
//! denied (os error 13)`, instead of a bare OS error once the first upload comes in.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::db::Target;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot use {what} {}: it exists but is not a directory", .path.display())]
    NotADirectory { what: &'static str, path: PathBuf },
    #[error("cannot use {what} {}: it exists but is not a regular file", .path.display())]
    NotAFile { what: &'static str, path: PathBuf },
    #[error("cannot write {what} {} ({step}): {cause}", .path.display())]
    Io { what: &'static str, path: PathBuf, step: &'static str, cause: std::io::Error },
}

fn io<'a>(what: &'static str, path: &'a Path, step: &'static str) -> impl FnOnce(std::io::Error) -> StorageError + 'a {
    move |cause| StorageError::Io { what, path: path.to_path_buf(), step, cause }
}

/// Creates `dir` if needed and checks it is a directory that takes a new file.
pub fn writable_dir(what: &'static str, dir: &Path) -> Result<(), StorageError> {
    if dir.exists() && !dir.is_dir() {
        return Err(StorageError::NotADirectory { what, path: dir.to_path_buf() });
    }
    // Refused with "Not a directory" when a parent is a file: say which one.
    if let Some(file) = dir.ancestors().skip(1).find(|a| a.is_file()) {
        return Err(StorageError::NotADirectory { what: "parent of the directory", path: file.to_path_buf() });
    }
    std::fs::create_dir_all(dir).map_err(io(what, dir, "creating directory"))?;
    let probe = dir.join(format!(".kefu-probe-{}-{}", std::process::id(), crate::util::random_token()));
    let created = std::fs::OpenOptions::new().write(true).create_new(true).open(&probe);
    let mut f = created.map_err(io(what, dir, "creating probe file"))?;
    let written = f.write_all(b"kefu").and_then(|_| f.sync_all()).map_err(io(what, dir, "writing probe file"));
    drop(f);
    let removed = std::fs::remove_file(&probe).map_err(io(what, dir, "removing probe file"));
    written.and(removed)
}

/// A SQLite database: its directory takes files (the WAL and shared-memory files live beside
/// it), and an existing file is a regular file that opens for reading and writing. Nothing
/// to check here for PostgreSQL.
pub fn check_db(target: &Target) -> Result<(), StorageError> {
    let Target::Sqlite(path) = target else { return Ok(()) };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    writable_dir("database directory", dir)?;
    if path.exists() {
        if !path.is_file() {
            return Err(StorageError::NotAFile { what: "database file", path: path.clone() });
        }
        let opened = std::fs::OpenOptions::new().read(true).write(true).open(path);
        opened.map_err(io("database file", path, "opening for reading and writing"))?;
    }
    Ok(())
}

/// The checks `kefu serve` runs before it opens its storage.
pub fn check_storage(db: &Target, data_dir: &Path) -> Result<(), StorageError> {
    check_db(db)?;
    writable_dir("data directory", data_dir)?;
    writable_dir("photo directory", &data_dir.join("attachments"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_where_a_directory_belongs_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("plain");
        std::fs::write(&file, "x").unwrap();
        let e = check_storage(&Target::Sqlite(tmp.path().join("k.sqlite")), &file).unwrap_err().to_string();
        assert_eq!(e, format!("cannot use data directory {}: it exists but is not a directory", file.display()));
        let e = check_db(&Target::Sqlite(file.join("k.sqlite"))).unwrap_err().to_string();
        assert!(e.contains(&file.display().to_string()) && e.contains("not a directory"), "{e}");
        let e = check_db(&Target::Sqlite(tmp.path().to_path_buf())).unwrap_err().to_string();
        assert!(e.starts_with("cannot use database file") && e.contains("not a regular file"), "{e}");
        // Good paths are created and left without probe files.
        let data = tmp.path().join("a/b/data");
        check_storage(&Target::Sqlite(tmp.path().join("new/k.sqlite")), &data).unwrap();
        assert!(tmp.path().join("new").is_dir());
        assert_eq!(std::fs::read_dir(data.join("attachments")).unwrap().count(), 0);
        assert_eq!(std::fs::read_dir(&data).unwrap().count(), 1, "only attachments/");
    }
}
