//! kefu-core: the engine behind the kefu chat widget and the `kefu` CLI.
//!
//! Data flows one way, and the modules follow it:
//!
//! ```text
//! kb (sources → entries) → analyze (normalize, tokenize) → build (native: index → bundle bytes)
//!   → bundle (verify, open from bytes; carries the calibration and the learned weights)
//!   → engine (search → ranking, with index: questions, pool: entries, learn: term weights)
//!   → reply (decide what to say)
//! ```
//!
//! The crate does no I/O and reads no clock: callers hand in bytes and time. That keeps the
//! wasm build (in the shopper's browser) and the native build (CLI, server) identical.

pub mod analyze;
pub mod bundle;
pub mod calibration;
pub mod email;
pub mod engine;
pub mod guard;
pub mod index;
pub mod kb;
pub mod learn;
pub mod parallel;
pub mod pool;
pub mod reply;

#[cfg(feature = "build")]
pub mod build;
#[cfg(feature = "build")]
pub mod eval;
#[cfg(feature = "build")]
pub mod prior;

pub use bundle::{BundleError, Manifest};
pub use engine::{Engine, Hit, Ranking};
pub use kb::{Answer, Block, Entry, Inline, Link, Locale, Product};
