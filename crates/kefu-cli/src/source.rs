//! Reading KB sources from disk: walks a folder (or takes one file), hands each file's text to
//! the kefu-core readers, and records what the manifest needs (source hash, build time).

use anyhow::{Context, Result};
use kefu_core::kb::{self, table::EvalQuery, Diagnostic, Kb, Locale, Severity};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// A KB as read from disk, with everything found wrong in it.
pub struct Loaded {
    pub kb: Kb,
    pub diagnostics: Vec<Diagnostic>,
    pub queries: Vec<EvalQuery>,
    pub source_hash: String,
    pub newest_mtime: u64,
    pub files: usize,
}

impl Loaded {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }
}

/// Reads a KB folder, or a single `.md`, `.csv` or `.tsv` file.
pub fn load(src: &Path) -> Result<Loaded> {
    let meta = std::fs::metadata(src).with_context(|| format!("cannot read {}", src.display()))?;
    let (root, files): (PathBuf, Vec<PathBuf>) = if meta.is_dir() {
        let mut files = Vec::new();
        for entry in walk(src) {
            let entry = entry.with_context(|| format!("cannot walk {}", src.display()))?;
            if entry.file_type().is_file() {
                files.push(entry.into_path());
            }
        }
        (src.to_path_buf(), files)
    } else {
        (src.parent().unwrap_or(Path::new(".")).to_path_buf(), vec![src.to_path_buf()])
    };
    let mut out = Loaded {
        kb: Kb::default(),
        diagnostics: vec![],
        queries: vec![],
        source_hash: String::new(),
        newest_mtime: 0,
        files: 0,
    };
    let mut hasher = Sha256::new();
    let label = |p: &Path| p.display().to_string();
    // Settings first: they give the default locale.
    if let Some(settings) = files.iter().find(|p| p.file_name().is_some_and(|n| n == "kefu.toml")) {
        let text = read_text(settings)?;
        match kb::settings::read(&label(settings), &text) {
            Ok(s) => out.kb.settings = s,
            Err(d) => out.diagnostics.push(d),
        }
    }
    let default_locale = out.kb.settings.locale;
    for path in &files {
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if !matches!(ext.as_str(), "md" | "csv" | "tsv" | "toml") || name.eq_ignore_ascii_case("README.md") {
            continue;
        }
        let text = read_text(path)?;
        let rel = path.strip_prefix(&root).unwrap_or(path).to_string_lossy().replace('\\', "/");
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
        out.files += 1;
        if let Ok(m) = std::fs::metadata(path).and_then(|m| m.modified()) {
            out.newest_mtime = out.newest_mtime.max(m.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0));
        }
        let file = label(path);
        match ext.as_str() {
            "md" => {
                let (entries, diags) = kb::markdown::read(&file, &text, default_locale);
                out.kb.entries.extend(entries);
                out.diagnostics.extend(diags);
            }
            "csv" => {
                let (entries, diags) = kb::table::read_table(&file, &text, b',', default_locale);
                out.kb.entries.extend(entries);
                out.diagnostics.extend(diags);
            }
            // An eval file has no locale column: Chinese when most of its letters are Han.
            "tsv" if kb::table::is_eval_format(&text) => match kb::table::read_eval(&file, &text, eval_locale(&text)) {
                Ok((entries, queries)) => {
                    out.kb.entries.extend(entries);
                    out.queries.extend(queries);
                }
                Err(d) => out.diagnostics.push(d),
            },
            "tsv" => {
                let (entries, diags) = kb::table::read_table(&file, &text, b'\t', default_locale);
                out.kb.entries.extend(entries);
                out.diagnostics.extend(diags);
            }
            _ => {}
        }
    }
    if out.files == 0 {
        anyhow::bail!("{}: no KB files found (.md, .csv, .tsv)", src.display());
    }
    out.diagnostics.extend(kb::lint::lint(&out.kb));
    out.source_hash = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(out)
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        anyhow::anyhow!("{}:{}: error: file is not valid UTF-8", path.display(), line)
    })
}

/// Build time: `SOURCE_DATE_EPOCH` if set, else the newest source file's modification time,
/// so rebuilding unchanged sources gives identical bytes.
pub fn build_time(loaded: &Loaded) -> u64 {
    std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(loaded.newest_mtime)
}

/// Prints diagnostics to stderr, errors first.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    // Errors first; within each severity, file by file in line order.
    sorted.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.file.cmp(&b.file)).then(a.line.cmp(&b.line)));
    for d in sorted {
        eprintln!("{d}");
    }
}

/// The entries of a KB folder in name order, without names starting with `.` or `_`
/// (editors' swap files, drafts). Shared by [`load`] and the watcher of `--watch`.
pub fn walk(src: &Path) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    walkdir::WalkDir::new(src).sort_by_file_name().into_iter().filter(|e| {
        e.as_ref().map_or(true, |e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !(name.starts_with('.') || name.starts_with('_'))
        })
    })
}

/// The language of an eval-format file, from its script (zh-CN when Han outnumbers Latin).
fn eval_locale(text: &str) -> Locale {
    let han = text.chars().filter(|&c| kefu_core::analyze::is_han(c)).count();
    let latin = text.chars().filter(|c| c.is_ascii_alphabetic()).count();
    if han > latin / 2 {
        Locale::ZhCn
    } else {
        Locale::En
    }
}
