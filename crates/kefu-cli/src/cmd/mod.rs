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
        // A rate of -0.0 (or a rounding error under zero) is shown as 0.0%.
        let s = format!("{:.1}%", x * 100.0);
        if s == "-0.0%" {
            "0.0%".to_string()
        } else {
            s
        }
    } else {
        "n/a".to_string()
    }
}

/// A reply threshold as it applies: `name ≥ value`, and where the value comes from, the
/// calibration or `kefu.toml` (then the calibrated one beside it, so both can be seen).
pub fn threshold(name: &str, set: Option<f32>, calibrated: f32) -> String {
    format!("{name} ≥ {}", threshold_value(set, calibrated))
}

/// The value part of [`threshold`]: `0.20 (set in kefu.toml; calibrated 0.51)` or `0.51 (calibrated)`.
pub fn threshold_value(set: Option<f32>, calibrated: f32) -> String {
    match set {
        Some(v) => format!("{v:.2} (set in kefu.toml; calibrated {calibrated:.2})"),
        None => format!("{calibrated:.2} (calibrated)"),
    }
}

/// The warning for a `clarify_min` above `answer_min` (effective values), if it is.
pub fn clarify_above_answer(answer_min: f32, clarify_min: f32) -> Option<String> {
    (clarify_min > answer_min).then(|| {
        format!(
            "the clarify threshold ({clarify_min:.2}) is above the answer threshold ({answer_min:.2}): a message \
             under {answer_min:.2} is never offered \"did you mean\" candidates, only a person; in kefu.toml \
             [policy], keep clarify_min at or below answer_min"
        )
    })
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
