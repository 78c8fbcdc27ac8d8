//! kefu-bench: kefu side by side with the search engines a shop would otherwise use.
//!
//! The run (`bash bench/run.sh`) flows one way, and the modules follow it:
//!
//! ```text
//! data (shared eval files, size subsets, synthetic 50k, demo KBs → TSV + datasets.json)
//!   → native (child process per KB: kefu and plain tantivy build, load, query, peak RSS)
//!   → [bench/browser.mjs: the same data in headless Chromium: kefu wasm, MiniSearch, FlexSearch]
//!   → report (one set of metric definitions for every system → latest.json, latest.md)
//!   → plot (latency vs KB size, risk–coverage curves, SVG)
//! ```
//!
//! [`baseline`] is plain tantivy with its default tokenizer, the floor kefu must beat.
//! [`metrics`] scores every system with `kefu_core::eval`, the code behind `kefu eval`, so a
//! peer's acc@1 means exactly what kefu's does.

pub mod baseline;
pub mod data;
pub mod metrics;
pub mod native;
pub mod plot;
pub mod report;

/// The values sorted ascending.
pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

/// Median of unsorted values; 0 when empty.
pub fn median(values: &[f64]) -> f64 {
    kefu_core::eval::percentile(&sorted(values), 0.5)
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(kefu_core::eval::percentile(&v, 0.5), 51.0);
        assert_eq!(kefu_core::eval::percentile(&v, 0.99), 99.0);
        assert_eq!(super::median(&[]), 0.0);
        assert_eq!(super::median(&[3.0, 1.0, 2.0]), 2.0);
    }
}
