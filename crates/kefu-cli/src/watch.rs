//! Watching a KB source for saves, with std only: every `interval` the folder (or file) is
//! walked as `source::load` walks it and each file's modification time and length are compared
//! with the previous walk. Shared by `kefu build --watch` and `kefu playground`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How often the source is looked at.
pub const INTERVAL: Duration = Duration::from_millis(500);

/// What a walk saw: every file with its modification time and length, in path order.
pub type Snapshot = Vec<(PathBuf, Option<SystemTime>, u64)>;

/// Walks `src` (a folder, or one file) as `source::load` does (`source::walk`), leaving out
/// bundles and their compressed copies (`*.kefu`, `*.kefu.br`, `*.kefu.gz`): kefu writes those,
/// never reads them, and a bundle built into the KB folder would otherwise set off a rebuild
/// every time it is written. (Its temporary files are named `.…`, skipped by the walk.)
pub fn snapshot(src: &Path) -> Snapshot {
    snapshot_without(src, &[])
}

/// [`snapshot`], also without the files `ignore` names (the output of `kefu build --watch`
/// and its copies, whatever their names).
pub fn snapshot_without(src: &Path, ignore: &[PathBuf]) -> Snapshot {
    // Each ignored file as its name and its folder's canonical path (the walk may name it
    // through another path).
    let folder = |p: &Path| match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => std::fs::canonicalize(d).ok(),
        _ => std::fs::canonicalize(".").ok(),
    };
    let ignore: Vec<_> = ignore.iter().map(|p| (p.file_name().map(|n| n.to_owned()), folder(p))).collect();
    let mut out = Snapshot::new();
    for entry in crate::source::walk(src).filter_map(Result::ok) {
        if !entry.file_type().is_file() || crate::source::is_bundle_file(entry.path()) {
            continue;
        }
        let name = entry.path().file_name().map(|n| n.to_owned());
        if ignore.iter().any(|(n, d)| *n == name && *d == folder(entry.path())) {
            continue;
        }
        let meta = entry.metadata().ok();
        let mtime = meta.as_ref().and_then(|m| m.modified().ok());
        out.push((entry.into_path(), mtime, meta.map_or(0, |m| m.len())));
    }
    out
}

/// Calls `on_change` whenever a walk of `src` differs from the previous one, forever (or
/// until `on_change` returns false). `baseline` is the walk taken before the caller's first
/// build (so a save during that build is not missed).
pub fn watch(
    src: &Path,
    ignore: &[PathBuf],
    baseline: Snapshot,
    interval: Duration,
    mut on_change: impl FnMut() -> bool,
) {
    let mut last = baseline;
    loop {
        std::thread::sleep(interval);
        let now = snapshot_without(src, ignore);
        if now != last {
            last = now;
            if !on_change() {
                return;
            }
        }
    }
}
