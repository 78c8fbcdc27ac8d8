//! `kefu build SRC -o OUT.kefu --watch`: build once, then rebuild the bundle on every save of
//! the sources (see `crate::watch`), one line per rebuild. A build with errors prints them and
//! leaves the last good bundle in place.

use super::build;
use anyhow::Result;
use kefu_server::sibling;
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

/// `kefu build` with its `--watch` flag.
#[derive(clap::Args)]
// Its own group name: clap names a struct's group after it, and the flattened one is `Args` too
// (a duplicate that debug builds reject when parsing `kefu build`).
#[group(id = "build_watch")]
pub struct Args {
    #[command(flatten)]
    pub build: build::Args,
    /// Keep running: rebuild the bundle whenever a source file changes (Ctrl-C ends).
    #[arg(long)]
    pub watch: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if !args.watch {
        return build::run(args.build);
    }
    let b = args.build;
    let once = || {
        let start = Instant::now();
        let copy = build::Args { quiet: true, ..b.clone() };
        let stamp = clock();
        match build::run(copy) {
            Ok(_) => {
                let bytes = std::fs::metadata(&b.output).map(|m| m.len()).unwrap_or(0);
                println!(
                    "{stamp} built {} ({bytes} bytes) in {:.2} s",
                    b.output.display(),
                    start.elapsed().as_secs_f64()
                );
            }
            Err(e) => println!("{stamp} build failed, {} unchanged: {e:#}", b.output.display()),
        }
        let _ = std::io::stdout().flush();
    };
    // The bundle and its copies may be written into the KB folder: not a change of the KB.
    let outputs: Vec<_> = [b.output.clone(), sibling(&b.output, "br"), sibling(&b.output, "gz")].into();
    let baseline = crate::watch::snapshot_without(&b.src, &outputs);
    once();
    if !b.quiet {
        eprintln!("watching {} (Ctrl-C ends)", b.src.display());
    }
    crate::watch::watch(&b.src, &outputs, baseline, crate::watch::INTERVAL, || {
        once();
        true
    });
    Ok(ExitCode::SUCCESS)
}

/// The wall-clock time of day, UTC, `HH:MM:SS`.
pub fn clock() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    format!("{:02}:{:02}:{:02}", secs / 3600 % 24, secs / 60 % 60, secs % 60)
}
