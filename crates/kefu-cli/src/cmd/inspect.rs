//! `kefu inspect BUNDLE`: manifest, calibration and the size of each part.

use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The bundle (.kefu).
    pub bundle: PathBuf,
    /// List every entry.
    #[arg(long)]
    pub entries: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let bytes = std::fs::read(&args.bundle).with_context(|| format!("cannot read {}", args.bundle.display()))?;
    let b = kefu_core::bundle::read(&bytes).with_context(|| args.bundle.display().to_string())?;
    let m = &b.manifest;
    let manifest_bytes = bytes.len() - 24 - 8 - b.files.iter().map(|(n, d)| 6 + n.len() + d.len()).sum::<usize>();
    println!("bundle       {} ({} bytes, format {})", args.bundle.display(), bytes.len(), b.format_version);
    println!("built by     kefu {} at {} (unix seconds)", m.kefu_version, m.built_at);
    println!("source hash  {}", m.source_hash);
    println!(
        "shop         {} ({})",
        if m.settings.name.is_empty() { "-" } else { &m.settings.name },
        m.settings.locale.tag()
    );
    println!("entries      {} ({} questions)", m.entries.len(), m.question_count);
    println!("synonyms     {} groups", m.settings.synonyms.len());
    println!("related      {} groups of shop words that reach this KB's words", m.settings.related.len());
    let c = &m.calibration;
    let t = kefu_core::reply::Thresholds::with(c, &m.settings.policy);
    if let Some(w) = super::clarify_above_answer(t.answer_min, t.clarify_min) {
        println!("warning      {w}");
    }
    println!(
        "policy       {}, {}",
        super::threshold("answer", m.settings.policy.answer_min, c.answer_min),
        super::threshold("clarify", m.settings.policy.clarify_min, c.clarify_min),
    );
    println!(
        "estimate     over {} held-out questions, {} of them out-of-domain, at the calibrated thresholds: {} of covered questions answered right, {} answered wrong",
        c.samples,
        c.far_samples,
        super::percent(c.est_self_service),
        super::percent(c.est_wrong_rate),
    );
    println!(
        "wrong rate   ≤ {} estimated at any out-of-scope share from 0 to {:.0}% (target {:.0}%)",
        super::percent(c.est_wrong_max),
        kefu_core::reply::calibrate::MAX_OUT_OF_SCOPE_SHARE * 100.0,
        kefu_core::reply::calibrate::TARGET_WRONG * 100.0
    );
    println!(
        "confidence   logistic regression over {} ranking features{}",
        kefu_core::reply::FEATURES,
        match c.model.trees.len() {
            0 => String::new(),
            n => format!(" + {n} boosted trees"),
        }
    );
    println!(
        "ranking      questions (BM25) + entries pooled{}",
        match &m.learned {
            Some(l) => format!(" + learned term weights ({} kept, a byte each)", l.values.len()),
            None => String::new(),
        }
    );
    println!("manifest     {manifest_bytes} bytes");
    for (name, data) in &b.files {
        println!("  {:<44} {:>9} bytes", name, data.len());
    }
    if args.entries {
        for e in &m.entries {
            println!(
                "{:<32} {:<10} {:<6} {} questions  {}",
                e.id,
                e.category,
                e.locale.tag(),
                e.question_count,
                e.title
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
