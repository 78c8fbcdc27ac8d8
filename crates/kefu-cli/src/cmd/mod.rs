//! One module per `kefu` subcommand.

pub mod ask;
pub mod build;
pub mod build_watch;
pub mod chat;
pub mod check;
pub mod eval;
pub mod gaps;
pub mod inspect;
pub mod playground;

use anyhow::{Context, Result};
use kefu_core::Engine;
use std::path::Path;

/// Opens a bundle file, naming it in any error.
pub fn open_bundle(path: &Path) -> Result<Engine> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Engine::open(&bytes).with_context(|| format!("{}", path.display()))
}

/// `x` as a percentage with one decimal; "n/a" when there is no estimate (a KB too small to
/// hold questions out, or built with `--no-calibrate`, has NaN there).
pub fn percent(x: f32) -> String {
    if x.is_finite() {
        format!("{:.1}%", x * 100.0)
    } else {
        "n/a".to_string()
    }
}

/// One line of input (`n` counts from 1) as text. A line that is not UTF-8 is decoded with
/// U+FFFD for its bad bytes and a warning naming `source` and the line, so one bad line
/// does not end a session or a report.
pub fn lossy_line<'a>(bytes: &'a [u8], source: &str, n: usize) -> std::borrow::Cow<'a, str> {
    let text = String::from_utf8_lossy(bytes);
    if let std::borrow::Cow::Owned(_) = text {
        eprintln!("{source}:{n}: warning: this line is not valid UTF-8; its bad bytes are read as \u{fffd}");
    }
    text
}
