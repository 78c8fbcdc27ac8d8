//! `kefu build SRC -o OUT.kefu`: read, lint, index, calibrate and write one bundle.

use crate::source;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use kefu_core::build::{build, BuildOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// KB folder or file (.md, .csv, .tsv, or an evaluation TSV).
    pub src: PathBuf,
    /// Where to write the bundle.
    #[arg(short, long, default_value = "kb.kefu")]
    pub output: PathBuf,
    /// Skip the calibration of the reply thresholds (faster; default thresholds).
    #[arg(long)]
    pub no_calibrate: bool,
    /// No progress bar or summary.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let start = Instant::now();
    let loaded = source::load(&args.src)?;
    if loaded.errors() > 0 {
        source::print_diagnostics(&loaded.diagnostics);
        anyhow::bail!("{}: {} errors; nothing was written", args.src.display(), loaded.errors());
    }
    let questions: u64 = loaded.kb.entries.iter().map(|e| e.questions.len() as u64).sum();
    let bar = if args.quiet || questions < 2_000 { ProgressBar::hidden() } else { ProgressBar::new(questions) };
    bar.set_style(ProgressStyle::with_template("{spinner} indexing {bar:30} {pos}/{len} documents").unwrap());
    let opts = BuildOptions {
        built_at: source::build_time(&loaded),
        source_hash: loaded.source_hash.clone(),
        skip_calibration: args.no_calibrate,
    };
    let (bytes, engine) = build(&loaded.kb, &opts, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    std::fs::write(&args.output, &bytes).with_context(|| format!("cannot write {}", args.output.display()))?;
    if !args.quiet {
        let warnings = loaded.diagnostics.len();
        let c = &engine.manifest().calibration;
        eprintln!(
            "built {}: {} entries, {} questions, {} bytes in {:.2} s{}",
            args.output.display(),
            loaded.kb.entries.len(),
            questions,
            bytes.len(),
            start.elapsed().as_secs_f64(),
            if warnings > 0 { format!(" ({warnings} warnings: run `kefu check`)") } else { String::new() }
        );
        if c.samples > 0 {
            eprintln!(
                "reply policy: answer at confidence ≥ {:.2} (held-out estimate: {:.1}% of covered questions answered right; wrong ≤ {:.1}% at any out-of-scope share 0–60%; {} samples, {} out-of-domain)",
                c.answer_min,
                c.est_self_service * 100.0,
                c.est_wrong_max * 100.0,
                c.samples,
                c.far_samples
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
