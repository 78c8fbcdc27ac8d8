//! Panic containment around index reading: a checksum only proves the bytes are the ones
//! written, not that the writer or whoever recomputed it was honest. The compact index
//! ([`crate::index`]) is checked whole as it is decoded, so that no search indexes out of
//! range; [`run`] is the second line, turning a panic that slipped through into
//! [`BundleError::Corrupt`]; [`quiet_panics`] keeps those caught panics off stderr.
//!
//! Only works with `panic = "unwind"` (native release). In wasm the widget is built with
//! `panic = "abort"` (and wasm32-unknown-unknown's std cannot unwind anyway): a panic there is
//! a trap that [`run`] cannot see, so [`crate::Engine::open`] checks the whole index up front
//! and the loader catches the trap (see docs/widget.md, "Damaged bundles").

use crate::bundle::BundleError;
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    /// How many [`run`] calls are active on this thread.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// Where the last contained panic happened (filled by the quiet hook, when installed).
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, which reads index data; a panic in it becomes [`BundleError::Corrupt`] naming
/// `what` was being done and the panic's message.
pub fn run<T>(what: &str, f: impl FnOnce() -> Result<T, BundleError>) -> Result<T, BundleError> {
    DEPTH.with(|d| d.set(d.get() + 1));
    let r = catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    r.unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        let at = LAST.with(|l| l.borrow_mut().take()).map(|at| format!(" at {at}")).unwrap_or_default();
        Err(BundleError::Corrupt { what: format!("{what}: {msg}{at}") })
    })
}

/// Installs a panic hook that stays silent for panics [`run`] contains (their message goes
/// into the error instead) and hands every other panic to the previous hook. Idempotent.
pub fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DEPTH.with(|d| d.get()) > 0 {
                let at = info.location().map(|l| format!("{}:{}", short(l.file()), l.line()));
                LAST.with(|l| *l.borrow_mut() = at);
            } else {
                previous(info)
            }
        }));
    });
}

/// `…/postcard-1.1.1/src/de/mod.rs` → `postcard-1.1.1/src/de/mod.rs`.
fn short(file: &str) -> &str {
    match file.rfind("/src/") {
        Some(i) => {
            let crate_start = file[..i].rfind('/').map_or(0, |j| j + 1);
            &file[crate_start..]
        }
        None => file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error() {
        quiet_panics();
        let r: Result<(), _> = run("reading", || panic!("vint overflow"));
        let Err(BundleError::Corrupt { what }) = r else { panic!("{r:?}") };
        assert!(what.starts_with("reading: vint overflow at kefu-core/src/guard.rs:"), "{what}");
        assert_eq!(run("ok", || Ok(3)), Ok(3));
        assert_eq!(DEPTH.with(|d| d.get()), 0);
    }
}
