//! `kefu check SRC`: lint a KB. Exit 1 on errors, 0 with only warnings.

use crate::source;
use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// KB folder or file.
    pub src: PathBuf,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = source::load(&args.src)?;
    source::print_diagnostics(&loaded.diagnostics);
    let errors = loaded.errors();
    let warnings = loaded.diagnostics.len() - errors;
    let questions: usize = loaded.kb.entries.iter().map(|e| e.questions.len()).sum();
    eprintln!(
        "{}: {} entries, {} questions in {} files: {} errors, {} warnings",
        args.src.display(),
        loaded.kb.entries.len(),
        questions,
        loaded.files,
        errors,
        warnings
    );
    Ok(if errors > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
