//! `kefu-bench`: the native half of `bash bench/run.sh` (see docs/bench.md).
//!
//! ```text
//! kefu-bench data    --out DIR                 write the data sets + datasets.json
//! kefu-bench native  --data DIR --out FILE     kefu and tantivy, one child process per phase
//! kefu-bench report  --data DIR --native FILE --browser FILE [--measure FILE] [--parity FILE]
//!                    --out bench/results
//! ```

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use kefu_bench::data::{self, Manifest, Sizes, Sources};
use kefu_bench::native::{self, NativeRun, Phase, System};
use kefu_bench::report::{self, BrowserFile, Inputs, MeasureFile, ParityFile};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "kefu-bench",
    version,
    about = "kefu side by side with tantivy, MiniSearch and FlexSearch: data, native figures, report."
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Writes the benchmark's data sets (evaluation TSVs) and datasets.json into a folder.
    Data {
        /// The shared evaluation data (folders hint3_sofmattress, bitext_customer_support, banking77).
        #[arg(long, default_value = "../shared/eval")]
        eval: PathBuf,
        /// The demo shop's KB folders (en, zh-CN).
        #[arg(long, default_value = "www/demo/kb")]
        demo: PathBuf,
        /// The widget's parity queries (locale<TAB>query) asked of the demo KBs.
        #[arg(long, default_value = "crates/kefu-widget/tests/queries.tsv")]
        demo_queries: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Small data sets for a smoke run (minutes → seconds).
        #[arg(long)]
        quick: bool,
    },
    /// Measures kefu and plain tantivy natively on every data set; writes JSON.
    Native {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Only these data sets (comma-separated names).
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
    },
    /// One phase of one system on one data set, JSON to stdout (run by `native` in a child).
    #[command(hide = true)]
    Measure {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        dataset: String,
        #[arg(long, value_enum)]
        system: System,
        #[arg(long, value_enum)]
        phase: Phase,
    },
    /// Combines the native and browser figures into latest.json, latest.md and SVG plots.
    Report {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        native: PathBuf,
        #[arg(long)]
        browser: PathBuf,
        /// criterion's output folder (target/criterion); skipped when missing.
        #[arg(long)]
        criterion: Option<PathBuf>,
        /// The widget's click → ready loads (`node tests/e2e/measure.mjs N --out FILE`).
        #[arg(long)]
        measure: Option<PathBuf>,
        /// The wasm parity test's result (`bash bench/parity.sh --out FILE`).
        #[arg(long)]
        parity: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kefu-bench: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.cmd {
        Cmd::Data { eval, demo, demo_queries, out, quick } => {
            let m = data::prepare(
                &Sources { eval, demo, demo_queries },
                &out,
                if quick { Sizes::QUICK } else { Sizes::FULL },
            )?;
            for d in &m.datasets {
                eprintln!(
                    "data: {:<20} {:>6} kb rows {:>5} entries {:>5} queries",
                    d.name, d.kb_rows, d.entries, d.queries
                );
            }
        }
        Cmd::Native { data, out, only } => {
            let m = Manifest::read(&data)?;
            let exe = std::env::current_exe().context("cannot find this program's path")?;
            let runs = native::run_all(&exe, &data, &m, &only)?;
            std::fs::write(&out, serde_json::to_string_pretty(&runs)?)
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!("native: {} runs → {}", runs.len(), out.display());
        }
        Cmd::Measure { data, dataset, system, phase } => {
            let m = Manifest::read(&data)?;
            let ds = m.get(&dataset)?;
            let v = native::run_phase(&data, ds, system, phase)?;
            println!("{}", serde_json::to_string(&v)?);
        }
        Cmd::Report { data, native, browser, criterion, measure, parity, out } => {
            let manifest = Manifest::read(&data)?;
            let native: Vec<NativeRun> = report::read_json(&native, "native results")?;
            let browser: BrowserFile = report::read_json(&browser, "browser results")?;
            let criterion = criterion.map(|d| report::read_criterion(&d)).unwrap_or_default();
            let measure: Option<MeasureFile> =
                measure.map(|p| report::read_json(&p, "measure.mjs figures")).transpose()?;
            let parity: Option<ParityFile> = parity.map(|p| report::read_json(&p, "parity result")).transpose()?;
            let written = report::write(
                &Inputs {
                    manifest: &manifest,
                    native: &native,
                    browser: &browser,
                    criterion,
                    measure: measure.as_ref(),
                    parity: parity.as_ref(),
                },
                &out,
            )?;
            for p in written {
                eprintln!("report: {}", p.display());
            }
        }
    }
    Ok(())
}
