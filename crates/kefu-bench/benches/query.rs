//! Native query latency with criterion: kefu's `Engine::search` and plain tantivy, one query
//! per iteration, rotating over the data set's queries.
//!
//! Needs the data and index files that `kefu-bench data` and `kefu-bench native` write (the
//! folder in `KEFU_BENCH_DATA`, default `target/kefu-bench/data`); `bash bench/run.sh` runs
//! them first:
//!
//! ```text
//! cargo bench -p kefu-bench --features criterion --bench query
//! ```

use criterion::{criterion_group, criterion_main, Criterion};
use kefu_bench::baseline::{Baseline, Built};
use kefu_bench::data::{Manifest, Rows};
use kefu_bench::native::{index_path, System};
use kefu_core::Engine;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

/// The data sets benchmarked: small, 10k rows, 50k rows (those present in the data folder).
const DATASETS: &[&str] = &["sofmattress-full", "banking77-full", "synthetic-50k"];

fn data_dir() -> PathBuf {
    std::env::var_os("KEFU_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/kefu-bench/data"))
}

fn queries(c: &mut Criterion) {
    let dir = data_dir();
    let manifest = match Manifest::read(&dir) {
        Ok(m) => m,
        Err(e) => panic!("{e:#}\nrun `bash bench/run.sh` (or kefu-bench data + native) first"),
    };
    let mut group = c.benchmark_group("query");
    for name in DATASETS {
        let Ok(ds) = manifest.get(name) else {
            eprintln!("criterion: no data set {name} in {}, skipped", dir.display());
            continue;
        };
        let rows = Rows::read(&dir.join(&ds.tsv)).expect("data set reads");
        let qs: Vec<String> = rows.queries.iter().map(|(_, q)| q.clone()).collect();
        let read = |sys| {
            let p = index_path(&dir, sys, name);
            std::fs::read(&p)
                .unwrap_or_else(|e| panic!("cannot read {}: {e} (run kefu-bench native first)", p.display()))
        };
        let engine = Engine::open(&read(System::Kefu)).expect("kefu bundle opens");
        let mut i = 0usize;
        group.bench_function(format!("kefu/{name}"), |b| {
            b.iter(|| {
                i += 1;
                black_box(engine.search(&qs[i % qs.len()], 10))
            })
        });
        let baseline =
            Baseline::open(&Built::from_bytes(&read(System::Tantivy)).expect("baseline reads")).expect("opens");
        let mut i = 0usize;
        group.bench_function(format!("tantivy/{name}"), |b| {
            b.iter(|| {
                i += 1;
                black_box(baseline.search(&qs[i % qs.len()], 10))
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        .without_plots();
    targets = queries
}
criterion_main!(benches);
