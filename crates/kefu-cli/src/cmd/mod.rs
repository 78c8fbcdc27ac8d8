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
