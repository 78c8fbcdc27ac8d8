//! Watching a KB source for saves, with std only: every `interval` the folder (or file) is
//! walked as `source::load` walks it and each file's modification time and length are compared
//! with the previous walk. Shared by `kefu build --watch` and `kefu playground`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How often the source is looked at.
pub const INTERVAL: Duration = Duration::from_millis(500);

/// What a walk saw: every file with its modification time and length, in path order.
pub type Snapshot = Vec<(PathBuf, Option<SystemTime>, u64)>;

/// Walks `src` (a folder, or one file) as `source::load` does (`source::walk`).
pub fn snapshot(src: &Path) -> Snapshot {
    let mut out = Snapshot::new();
    for entry in crate::source::walk(src).filter_map(Result::ok) {
        if !entry.file_type().is_file() {
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
pub fn watch(src: &Path, baseline: Snapshot, interval: Duration, mut on_change: impl FnMut() -> bool) {
    let mut last = baseline;
    loop {
        std::thread::sleep(interval);
        let now = snapshot(src);
        if now != last {
            last = now;
            if !on_change() {
                return;
            }
        }
    }
}
