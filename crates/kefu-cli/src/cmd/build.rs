//! `kefu build SRC -o OUT.kefu`: read, lint, index, calibrate and write one bundle, plus its
//! pre-compressed copies `OUT.kefu.br` and `OUT.kefu.gz` (what `kefu serve`, nginx
//! `brotli_static`/`gzip_static` or a CDN serve as they are). Every file is written to a
//! temporary name in the same folder and renamed into place, the bundle first: a server
//! reading the folder meanwhile sees the old or the new file, never half of one (and `kefu
//! serve` ignores a copy that no longer matches its bundle).

use crate::source;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use kefu_core::build::{build, BuildOptions};
use kefu_server::sibling;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args, Clone)]
pub struct Args {
    /// KB folder or file (.md, .csv, .tsv, or an evaluation TSV).
    pub src: PathBuf,
    /// Where to write the bundle.
    #[arg(short, long, default_value = "kb.kefu")]
    pub output: PathBuf,
    /// Skip the calibration of the reply thresholds (faster; default thresholds).
    #[arg(long)]
    pub no_calibrate: bool,
    /// Do not write the pre-compressed copies OUT.br and OUT.gz (stale ones are removed).
    #[arg(long)]
    pub no_compress: bool,
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
    check_output(&args.output, &loaded.sources)?;
    let questions: u64 = loaded.kb.entries.iter().map(|e| e.questions.len() as u64).sum();
    let bar = if args.quiet || questions < 2_000 { ProgressBar::hidden() } else { ProgressBar::new(questions) };
    bar.set_style(ProgressStyle::with_template("{spinner} indexing {bar:30} {pos}/{len} documents").unwrap());
    let opts = BuildOptions {
        built_at: source::build_time(&loaded),
        source_hash: loaded.source_hash.clone(),
        skip_calibration: args.no_calibrate,
    };
    let calibrating = !args.no_calibrate;
    let (bytes, engine) = build(&loaded.kb, &opts, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
        if done == total && calibrating {
            // The held-out searches of the calibration come next: most of a large build.
            bar.set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").unwrap());
            bar.set_message("calibrating the reply policy");
            bar.enable_steady_tick(std::time::Duration::from_millis(100));
        }
    })?;
    bar.finish_and_clear();
    write_atomic(&args.output, &bytes)?;
    let built_in = start.elapsed();
    if args.no_compress {
        remove_copies(&args.output, args.quiet)?;
    } else {
        // The two copies on two cores: brotli 11 takes most of the time (0.46 s for banking77
        // full's bundle), gzip the rest.
        let (br, gz) = std::thread::scope(|s| {
            let gz = s.spawn(|| gzip(&bytes));
            (brotli(&bytes), gz.join())
        });
        let gz = gz.map_err(|_| anyhow::anyhow!("gzip compression panicked"))??;
        let written = write_atomic(&sibling(&args.output, "br"), &br)
            .and_then(|_| write_atomic(&sibling(&args.output, "gz"), &gz));
        if let Err(e) = written {
            // Best effort: the write's error is the one to report.
            for ext in ["br", "gz"] {
                let _ = std::fs::remove_file(sibling(&args.output, ext));
            }
            return Err(e.context("the bundle is written, its compressed copies are not (none is left beside it)"));
        }
    }
    if !args.quiet {
        let warnings = loaded.diagnostics.len();
        let c = &engine.manifest().calibration;
        eprintln!(
            "built {}: {} entries, {} questions, {} bytes in {:.2} s{}{}",
            args.output.display(),
            loaded.kb.entries.len(),
            questions,
            bytes.len(),
            built_in.as_secs_f64(),
            if args.no_compress {
                String::new()
            } else {
                format!(" (+{:.2} s for the .br and .gz copies)", (start.elapsed() - built_in).as_secs_f64())
            },
            if warnings > 0 { format!(" ({warnings} warnings: run `kefu check`)") } else { String::new() }
        );
        let policy = &loaded.kb.settings.policy;
        let thresholds = format!(
            "answer at confidence ≥ {}, clarify at ≥ {}",
            super::threshold_value(policy.answer_min, c.answer_min),
            super::threshold_value(policy.clarify_min, c.clarify_min)
        );
        if c.samples > 0 && c.est_self_service.is_finite() {
            eprintln!(
                "reply policy: {thresholds} (held-out estimate at the calibrated thresholds: {} of covered questions answered right; wrong ≤ {} at any out-of-scope share 0–60%; {} samples, {} out-of-domain)",
                super::percent(c.est_self_service),
                super::percent(c.est_wrong_max),
                c.samples,
                c.far_samples
            );
        } else if c.samples > 0 {
            eprintln!(
                "reply policy: {thresholds} (no held-out estimate; {} samples, {} out-of-domain)",
                c.samples, c.far_samples
            );
        }
        let t = kefu_core::reply::Thresholds::with(c, policy);
        if let Some(w) = super::clarify_above_answer(t.answer_min, t.clarify_min) {
            eprintln!("warning: {w}");
        }
        if c.est_self_service.is_nan() && !args.no_calibrate {
            // `calibrate::fit` tries each question of an entry with two or more against the
            // rest, and needs ten such questions from all entries together.
            let held: usize = loaded.kb.entries.iter().map(|e| e.questions.len()).filter(|&n| n >= 2).sum();
            eprintln!(
                "warning: kefu estimates how often its answers are right by trying each question of an entry that has two or more against the others, and needs at least 10 such questions in the KB; this KB has {held}, so the answer threshold ({:.2}) is set from out-of-scope questions alone. Add more ways of asking to your entries (`questions:` in Markdown, more rows with the same id in CSV) for a calibrated bot",
                c.answer_min
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses an output path that would destroy what the user wrote: one of the KB files just
/// read, or an existing file that is not a kefu bundle (an empty one holds nothing to lose).
fn check_output(output: &Path, sources: &[PathBuf]) -> Result<()> {
    let Ok(meta) = std::fs::metadata(output) else { return Ok(()) };
    if !meta.is_file() {
        // A folder: the rename into place fails and says so.
        return Ok(());
    }
    let canonical = std::fs::canonicalize(output).ok();
    if sources.iter().any(|s| std::fs::canonicalize(s).ok() == canonical) {
        anyhow::bail!("{} is one of the KB's source files; write the bundle elsewhere", output.display());
    }
    let mut head = Vec::with_capacity(8);
    std::fs::File::open(output)
        .and_then(|f| f.take(8).read_to_end(&mut head))
        .with_context(|| format!("cannot read {}", output.display()))?;
    if !head.is_empty() && head != kefu_core::bundle::MAGIC {
        anyhow::bail!(
            "{} exists and is not a kefu bundle; it was not overwritten (remove it, or choose another -o)",
            output.display()
        );
    }
    Ok(())
}

/// Removes the `.br` and `.gz` copies beside `output`: a copy of an earlier bundle would be
/// served in place of the new one by servers that do not check (nginx gzip_static).
fn remove_copies(output: &Path, quiet: bool) -> Result<()> {
    for ext in ["br", "gz"] {
        let copy = sibling(output, ext);
        match std::fs::remove_file(&copy) {
            Ok(()) if !quiet => eprintln!("removed the stale {}", copy.display()),
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("cannot remove the stale {}", copy.display()))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Brotli at quality 11 (window 22), as scripts/build-widget.sh compresses the widget.
fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 2);
    let params =
        brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, size_hint: bytes.len(), ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("compressing into memory cannot fail");
    out
}

/// gzip -9.
fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 2), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?)
}

/// Writes `path` through a temporary file in the same folder, synced, then renamed over it.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}
