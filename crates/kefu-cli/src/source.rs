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
    /// The files read (KB files and the settings), so `build` never writes over one.
    pub sources: Vec<PathBuf>,
}

impl Loaded {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }
}

/// Reads a KB folder, or a single `.md`, `.csv` or `.tsv` file.
///
/// The settings are the folder's own `kefu.toml`; a `kefu.toml` in a subfolder and any other
/// `.toml` get a warning that they are not read. A file that cannot be read (not UTF-8, no
/// permission) is an error naming it, and the other files are still read, so `kefu check`
/// shows every problem at once.
pub fn load(src: &Path) -> Result<Loaded> {
    let meta = std::fs::metadata(src).with_context(|| format!("cannot read {}", src.display()))?;
    let mut out = Loaded {
        kb: Kb::default(),
        diagnostics: vec![],
        queries: vec![],
        source_hash: String::new(),
        newest_mtime: 0,
        files: 0,
        sources: vec![],
    };
    let (root, files): (PathBuf, Vec<PathBuf>) = if meta.is_dir() {
        let mut files = Vec::new();
        for entry in walk(src) {
            match entry {
                Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
                Ok(_) => {}
                Err(e) => out.diagnostics.extend(walk_problem(src, e)?),
            }
        }
        (src.to_path_buf(), files)
    } else {
        (src.parent().unwrap_or(Path::new(".")).to_path_buf(), vec![src.to_path_buf()])
    };
    let settings = meta.is_dir().then(|| root.join("kefu.toml")).filter(|s| files.contains(s));
    let mut hasher = Sha256::new();
    let label = |p: &Path| p.display().to_string();
    // Settings first: they give the default locale.
    if let Some(settings) = &settings {
        match read_text(settings) {
            Ok(text) => match kb::settings::read(&label(settings), &text) {
                Ok(s) => {
                    // Both thresholds set, the wrong way round (one set: `kefu build` tells).
                    if let (Some(a), Some(c)) = (s.policy.answer_min, s.policy.clarify_min) {
                        if let Some(msg) = crate::cmd::clarify_above_answer(a, c) {
                            let line = text
                                .lines()
                                .position(|l| l.trim_start().starts_with("clarify_min"))
                                .map_or(0, |p| p + 1);
                            out.diagnostics.push(Diagnostic::warning(&label(settings), line, msg));
                        }
                    }
                    out.kb.settings = s
                }
                Err(d) => out.diagnostics.extend(d),
            },
            Err(d) => out.diagnostics.push(d),
        }
    }
    let default_locale = out.kb.settings.locale;
    let mut kb_files = 0;
    for path in &files {
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if name.eq_ignore_ascii_case("README.md") || is_bundle_file(path) {
            continue;
        }
        if !matches!(ext.as_str(), "md" | "csv" | "tsv" | "toml") {
            // Nothing staff put in the folder goes unmentioned.
            let msg = match ext.as_str() {
                "xlsx" | "xls" | "xlsm" | "ods" | "numbers" => {
                    "not read: kefu cannot read spreadsheets; export it as CSV UTF-8 (.csv) or tab-separated text (.tsv)"
                }
                _ => "not read: kefu reads .md, .csv and .tsv files (and the folder's kefu.toml)",
            };
            out.diagnostics.push(Diagnostic::warning(&label(path), 0, msg));
            continue;
        }
        if ext == "toml" && settings.as_ref() != Some(path) {
            let msg = if meta.is_dir() {
                format!("not read: the settings are {} only", label(&root.join("kefu.toml")))
            } else {
                "not read: give the KB folder, whose kefu.toml holds the settings".to_string()
            };
            out.diagnostics.push(Diagnostic::warning(&label(path), 0, msg));
            continue;
        }
        if ext != "toml" {
            kb_files += 1;
        }
        out.sources.push(path.clone());
        out.files += 1;
        let text = match read_text(path) {
            Ok(t) => t,
            Err(d) => {
                // The settings' error was reported when they were read.
                if ext != "toml" {
                    out.diagnostics.push(d);
                }
                continue;
            }
        };
        let rel = path.strip_prefix(&root).unwrap_or(path).to_string_lossy().replace('\\', "/");
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
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
            "tsv" if kb::table::is_eval_format(&text) => {
                let (entries, queries, diags) = kb::table::read_eval(&file, &text, eval_locale(&text));
                out.kb.entries.extend(entries);
                out.queries.extend(queries);
                out.diagnostics.extend(diags);
            }
            "tsv" => {
                let (entries, diags) = kb::table::read_table(&file, &text, b'\t', default_locale);
                out.kb.entries.extend(entries);
                out.diagnostics.extend(diags);
            }
            _ => {}
        }
    }
    if kb_files == 0 {
        anyhow::bail!(
            "{}: no KB files found (.md, .csv, .tsv; README.md and names starting with `.` or `_` are skipped)",
            src.display()
        );
    }
    if out.kb.entries.is_empty() && out.errors() == 0 {
        out.diagnostics.push(Diagnostic::error(&label(src), 0, "the knowledge base has no entries"));
    }
    out.diagnostics.extend(kb::lint::lint(&out.kb));
    out.source_hash = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(out)
}

/// A link [`walk`] could not follow, as a finding: a loop is a warning (the files are read
/// once, where the loop starts), a link to nothing is an error. Other failures (a folder that
/// cannot be read) end the load.
fn walk_problem(src: &Path, e: walkdir::Error) -> Result<Option<Diagnostic>> {
    let Some(path) = e.path() else { anyhow::bail!("cannot walk {}: {e}", src.display()) };
    let file = path.display().to_string();
    // Editors' lock files are links to nothing named `.#…`: skipped like any dotted name.
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    if e.depth() > 0 && (name.starts_with('.') || name.starts_with('_')) {
        return Ok(None);
    }
    if let Some(above) = e.loop_ancestor() {
        let msg = format!("not followed: the link leads back to {} (a loop)", above.display());
        return Ok(Some(Diagnostic::warning(&file, 0, msg)));
    }
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        let to = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
        let msg = format!("the link points to {to}, which does not exist; fix or remove the link");
        return Ok(Some(Diagnostic::error(&file, 0, msg)));
    }
    anyhow::bail!("cannot walk {}: {e}", src.display())
}

/// A source file's text; a file that cannot be read, or is not UTF-8, is an error naming it
/// (and the line of the first bad byte).
fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::error(&file, 0, format!("cannot read the file: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
            return Diagnostic::error(&file, 1, "file is UTF-16; save it as UTF-8");
        }
        let line = bytes[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        Diagnostic::error(&file, line, "file is not valid UTF-8; save it as UTF-8")
    })
}

/// Build time: `SOURCE_DATE_EPOCH` if set, else the newest source file's modification time,
/// so rebuilding unchanged sources gives identical bytes.
pub fn build_time(loaded: &Loaded) -> u64 {
    std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(loaded.newest_mtime)
}

/// Diagnostics in the order a reader should fix them. Errors first; among them a file that
/// could not be read (not UTF-8, unreadable) before everything else, and the quick replies
/// naming an entry that is missing (often one of that file's) last: the cause above its
/// consequences. Then file by file in line order.
pub fn in_fixing_order(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    let rank = |m: &str| {
        if m.starts_with("file is ") || m.starts_with("cannot read") {
            0
        } else if m.ends_with("names no entry") {
            2
        } else {
            1
        }
    };
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| rank(&a.message).cmp(&rank(&b.message)))
            .then_with(|| a.file.cmp(&b.file))
            .then(a.line.cmp(&b.line))
    });
    sorted
}

/// Prints diagnostics to stderr, in [`in_fixing_order`].
pub fn print_diagnostics(diags: &[Diagnostic]) {
    for d in in_fixing_order(diags) {
        eprintln!("{d}");
    }
}

/// The entries of a KB folder in name order, without names starting with `.` or `_` (editors'
/// swap files, drafts; a folder's whole content). Links to files and folders are followed, as if
/// their targets were in the folder; a link that leads back to a folder above it (a loop) or to
/// nothing comes back as an error naming it (see [`walk_problem`]). Shared by [`load`] and the
/// watcher of `--watch`.
pub fn walk(src: &Path) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    walkdir::WalkDir::new(src).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        let name = e.file_name().to_string_lossy();
        e.depth() == 0 || !(name.starts_with('.') || name.starts_with('_'))
    })
}

/// A bundle or one of its compressed copies (`*.kefu`, `*.kefu.br`, `*.kefu.gz`), as `kefu
/// build` writes them: not a KB file, and not one to warn about when built into the KB folder.
pub fn is_bundle_file(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    [".kefu", ".kefu.br", ".kefu.gz"].iter().any(|ext| name.ends_with(ext))
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
