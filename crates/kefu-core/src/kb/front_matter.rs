//! Reads one entry's YAML front matter for [`super::markdown`], leniently: each field is read on
//! its own, so one bad field does not hide the others; every finding names the line of the
//! field or list item it is about; and YAML syntax errors are told in content staff's words.
//!
//! YAML values carry no positions, so the lines come from a [`Layout`] scanned from the raw
//! text: the front matter is flat (`field: value` lines and `- item` lines under them).

use super::Diagnostic;
use serde_yaml_ng::{Mapping, Value};
use std::collections::{HashMap, HashSet};

/// The fields an entry's front matter may have.
pub const FIELDS: &[&str] = &["id", "questions", "category", "tags", "locale", "quick_replies", "links", "products"];
/// The fields that take a list.
const LIST_FIELDS: &[&str] = &["questions", "tags", "quick_replies", "links", "products"];

/// A value and the file line (1-based) it is written on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub line: usize,
}

/// What a list of small records (`links:`, `products:`) is called and holds.
struct Record {
    /// The front-matter field.
    field: &'static str,
    /// One item, in messages ("link").
    noun: &'static str,
    /// Its fields, required ones (`title`, `url`) first.
    fields: &'static [&'static str],
    /// How to write an item, for messages.
    how: &'static str,
}

/// A link as written under `links:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkDef {
    pub title: String,
    /// The url, with the line of its `url:`.
    pub url: At<String>,
}

/// A product as written under `products:`: each value with the line it is written on (the
/// item's `- ` line when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductDef {
    /// The item's `- ` line.
    pub line: usize,
    pub title: At<String>,
    pub url: At<String>,
    pub image: Option<At<String>>,
    pub price: Option<At<String>>,
}

/// What could be read of one front matter. Fields that are missing or could not be read are
/// `None` or empty; the reason was reported as a diagnostic.
#[derive(Debug, Default)]
pub struct FrontMatter {
    pub id: Option<At<String>>,
    /// The items of `questions:` as written, less the blank ones (see [`visible_items`]).
    pub questions: Vec<At<String>>,
    pub category: Option<At<String>>,
    pub tags: Vec<String>,
    pub locale: Option<At<String>>,
    pub quick_replies: Vec<At<String>>,
    pub links: Vec<LinkDef>,
    pub products: Vec<ProductDef>,
    /// True when a YAML syntax error was reported: a field on a broken line is missing.
    pub damaged: bool,
    /// The line of each field name written (first occurrence).
    keys: Vec<(String, usize)>,
    /// Fields a finding was reported on (a bad value, or a misspelt name that meant them).
    reported: Vec<String>,
}

impl FrontMatter {
    /// The line of `name:`, if the field is written.
    pub fn line_of(&self, name: &str) -> Option<usize> {
        self.keys.iter().find(|(k, _)| k == name).map(|&(_, line)| line)
    }

    /// True when a finding already explains why `field` is missing or empty: a YAML syntax
    /// error (the field may sit on the broken line), a bad value, or a misspelt field name.
    /// A "has no `field`" error would then only repeat it.
    pub fn already_reported(&self, field: &str) -> bool {
        self.damaged || self.reported.iter().any(|f| f == field)
    }
}

/// Reads the front-matter `lines`, the first of which is file line `first_line` (1-based).
/// Every problem is pushed to `diags`, naming `file` and the line it is about.
pub fn read(file: &str, first_line: usize, lines: &[&str], diags: &mut Vec<Diagnostic>) -> FrontMatter {
    let mut lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let mut fm = FrontMatter::default();
    let invisible = strip_invisible(file, first_line, &mut lines, diags);
    let (mapping, damaged) = parse(file, first_line, &mut lines, diags);
    fm.damaged = damaged;
    fm.reported.extend(invisible);
    // Scanned after recovery, so the lines match what YAML read.
    let layout = Layout::scan(&lines);
    fm.keys = layout.keys.iter().map(|k| (k.name.clone(), first_line + k.at)).collect();
    let Some(mapping) = mapping else { return fm };
    for &at in &layout.strays {
        // YAML took these lines as part of the value above without complaint.
        diags.push(Diagnostic::warning(file, first_line + at, stray_message(&layout, at, true)));
    }
    let fields = Fields { file, first_line, lines: &lines };
    // Warnings that leave their field read as it is (not "reported": no other message waits on them).
    let mut later = Vec::new();
    for (key, value) in &mapping {
        let Some(name) = key.as_str() else {
            diags.push(Diagnostic::error(file, first_line, "field names are plain words, such as `id:`"));
            continue;
        };
        let key = layout.key(name);
        let line = key.map_or(first_line, |k| first_line + k.at);
        let found = diags.len();
        match name {
            "id" => fm.id = fields.scalar(name, line, value, diags).map(|value| At { value, line }),
            "category" => fm.category = fields.scalar(name, line, value, diags).map(|value| At { value, line }),
            "locale" => fm.locale = fields.scalar(name, line, value, diags).map(|value| At { value, line }),
            "questions" => fm.questions = visible_items(file, name, fields.list(name, key, value, diags), &mut later),
            "tags" => {
                let tags = visible_items(file, name, fields.list(name, key, value, diags), &mut later);
                later.extend(tags.iter().filter(|t| t.value.contains(['，', '、', '；'])).map(|t| {
                    let msg = format!(
                        "`{}` is one tag: `，`, `、` and `；` do not separate tags in YAML; write `[a, b]` with an \
                         ASCII comma, or each tag on its own `- ` line",
                        t.value
                    );
                    Diagnostic::warning(file, t.line, msg)
                }));
                fm.tags = tags.into_iter().map(|t| t.value).collect();
            }
            "quick_replies" => {
                fm.quick_replies = visible_items(file, name, fields.list(name, key, value, diags), &mut later)
            }
            "links" => fm.links = fields.links(key, value, diags),
            "products" => fm.products = fields.products(key, value, diags),
            _ => {
                let (msg, meant) = unknown_field(name);
                diags.push(Diagnostic::error(file, line, msg));
                fm.reported.extend(meant.map(String::from));
            }
        }
        if diags.len() > found {
            fm.reported.push(name.to_string());
        }
    }
    diags.extend(later);
    fm
}

/// The `items` of list field `name` that show something: a blank one (empty, or only spaces
/// and zero-width characters, as pasted from a web page or a chat app) is left out, with a
/// warning on its line in `later`. A question of zero-width characters alone would be a
/// question nobody can type.
fn visible_items(file: &str, name: &str, items: Vec<At<String>>, later: &mut Vec<Diagnostic>) -> Vec<At<String>> {
    let noun = match name {
        "questions" => "question",
        "quick_replies" => "quick reply",
        _ => "tag",
    };
    let (kept, blank): (Vec<_>, Vec<_>) =
        items.into_iter().partition(|i| !crate::analyze::visible(&i.value).is_empty());
    later.extend(blank.iter().map(|i| {
        let msg = format!(
            "this item of `{name}:` is blank (nothing visible: empty, or zero-width characters only), so it is left \
             out; write the {noun}, or delete the line"
        );
        Diagnostic::warning(file, i.line, msg)
    }));
    kept
}

/// True for the characters YAML refuses or reads as a line break: control characters other
/// than tab (NUL, ESC, DEL, C1 controls such as U+0085), U+2028, U+2029 and U+FFFE/U+FFFF.
fn invisible(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}')
}

/// Reports each line that holds [`invisible`] characters (they come in by copy-paste from web
/// pages and Word, and most editors do not show them), naming them and the field, and removes
/// them: YAML would give no line, or count a line break the editor does not show, and the
/// rest of the front matter is read as the editor shows it. Returns the fields named.
fn strip_invisible(file: &str, first_line: usize, lines: &mut [String], diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut fields = Vec::new();
    if !lines.iter().any(|l| l.chars().any(invisible)) {
        return fields;
    }
    let layout = Layout::scan(lines);
    for (i, line) in lines.iter_mut().enumerate() {
        let mut found: Vec<String> = Vec::new();
        for c in line.chars().filter(|&c| invisible(c)) {
            let name = format!("U+{:04X}", c as u32);
            if !found.contains(&name) {
                found.push(name);
            }
        }
        if found.is_empty() {
            continue;
        }
        let field = layout.keys.iter().find(|k| k.at == i).or_else(|| layout.owner(i)).map(|k| k.name.clone());
        let msg = format!(
            "this line holds the invisible {} {}{}; delete {}",
            if found.len() == 1 { "character" } else { "characters" },
            found.join(", "),
            field.as_ref().map_or(String::new(), |f| format!(" (in `{f}:`)")),
            if found.len() == 1 { "it" } else { "them" }
        );
        diags.push(Diagnostic::error(file, first_line + i, msg));
        fields.extend(field);
        line.retain(|c| !invisible(c));
    }
    fields
}

/// Parses the YAML, recovering from syntax errors: each is reported in plain words, the line
/// at fault is repaired or blanked and parsing starts again, so later fields are still read.
/// Returns the mapping (`None` when nothing could be read) and whether an error was reported.
fn parse(file: &str, first_line: usize, lines: &mut [String], diags: &mut Vec<Diagnostic>) -> (Option<Mapping>, bool) {
    recover(file, first_line, lines, diags, true)
}

/// [`parse`]; `fast`: [`skim`] first (the tests compare with reading the whole text per error).
fn recover(
    file: &str,
    first_line: usize,
    lines: &mut [String],
    diags: &mut Vec<Diagnostic>,
    fast: bool,
) -> (Option<Mapping>, bool) {
    let mut reported: HashSet<usize> = HashSet::new();
    let mut skimmed = !fast;
    // Each round changes a line: repairs it once, or empties it.
    for _ in 0..=2 * lines.len() {
        let err = match serde_yaml_ng::from_str::<Value>(&lines.join("\n")) {
            Ok(Value::Mapping(m)) => return (Some(m), !reported.is_empty()),
            Ok(Value::Null) => return (Some(Mapping::new()), !reported.is_empty()),
            Ok(_) => {
                let layout = Layout::scan(lines);
                let at = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
                let msg = if layout.strays.contains(&at) {
                    stray_message(&layout, at, false)
                } else {
                    "front matter is `field: value` lines, such as `id: return-policy`".to_string()
                };
                diags.push(Diagnostic::error(file, first_line + at, msg));
                return (None, true);
            }
            Err(e) => e,
        };
        if !skimmed {
            // Many broken lines would each cost a parse of the whole text: find and repair
            // them a few lines at a time first, then carry on here with what is left.
            skimmed = true;
            skim(file, first_line, lines, diags, &mut reported);
            continue;
        }
        let problem = explain(&err, lines, first_line);
        if !mend(file, first_line, lines, problem, diags, &mut reported) {
            break;
        }
    }
    (None, true)
}

/// Reports `problem` (unless its line was reported already: then a repair did not help, and
/// the line is dropped without a second message) and repairs or blanks its line. False when
/// nothing could be changed (the line is empty already).
fn mend(
    file: &str,
    first_line: usize,
    lines: &mut [String],
    mut problem: Problem,
    diags: &mut Vec<Diagnostic>,
    reported: &mut HashSet<usize>,
) -> bool {
    if reported.contains(&problem.line) {
        problem.fix = Fix::Blank;
    } else {
        diags.push(Diagnostic::error(file, first_line + problem.line, problem.message));
        reported.insert(problem.line);
    }
    let before = lines[problem.line].clone();
    match problem.fix {
        Fix::Blank => lines[problem.line].clear(),
        Fix::BlankTo(end) => lines[problem.line..end].iter_mut().for_each(String::clear),
        Fix::Untab => {
            let l = &lines[problem.line];
            lines[problem.line] = if split_key(l.trim_start()).is_some_and(|(n, _)| FIELDS.contains(&n)) {
                l.trim_start().to_string()
            } else {
                let cut = l.len() - l.trim_start_matches([' ', '\t', '-']).len();
                l[..cut].replace('\t', "  ") + &l[cut..]
            };
        }
        Fix::Dedent => lines[problem.line] = before.trim_start().to_string(),
    }
    if lines[problem.line] == before {
        // The repair changed nothing: drop the line; give up when it is empty already.
        if before.is_empty() {
            return false;
        }
        lines[problem.line].clear();
    }
    true
}

/// The first lines a window of [`skim`] holds; it doubles while no error is found in it.
const WINDOW: usize = 32;

/// Finds and repairs the syntax errors of a long front matter as [`parse`] does, but without
/// parsing the whole text once per error (10,000 broken lines took 20 s so): YAML reads a
/// window of lines from a `start` where its state is known, so each error costs a parse of
/// the lines since the one before. The window is cut off at its end, so an error near there
/// may be the cut's doing: the window is made longer and read again. Past an error, `start`
/// moves to the last line before it that begins a field or an item of the field's list, once
/// the lines up to there read without error on their own (so no quote or `[` is open there).
/// A field written twice is found from the names above `start`, as YAML would.
///
/// Stops where a window cannot tell (an alias, a line it cannot place after a repair):
/// [`parse`] reads the whole text after this, and finds what is left.
fn skim(
    file: &str,
    first_line: usize,
    lines: &mut [String],
    diags: &mut Vec<Diagnostic>,
    reported: &mut HashSet<usize>,
) {
    let n = lines.len();
    let (mut start, mut at_start, mut len) = (0, Cursor::default(), WINDOW);
    // The line of each field name written above `start` (first occurrence), and the names YAML
    // read as fields there (a line in a quoted text may look like a field).
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut fields: HashSet<String> = HashSet::new();
    let mut written = Written(Vec::new());
    for _ in 0..8 * (n + 8) {
        let header = at_start.header(lines, start);
        let h = header.len();
        let end = (start + len).min(n);
        // Without the lines emptied by repairs, so that a long run of them costs nothing each
        // time (YAML skips them, and says where the next written line starts; at the end of
        // the text it names the last line, so the empty ones there are kept): `rows` holds the
        // line of each line read after the header.
        let tail =
            if end == n { (start..n).rev().find(|&i| !lines[i].is_empty()).map_or(start, |i| i + 1) } else { end };
        let mut rows = Vec::new();
        let mut i = written.next(lines, start);
        while i < tail {
            rows.push(i);
            i = written.next(lines, i + 1);
        }
        rows.extend(tail..end);
        let window: Vec<String> = header.iter().chain(rows.iter().map(|&i| &lines[i])).cloned().collect();
        let err = match serde_yaml_ng::from_str::<Value>(&window.join("\n")) {
            Ok(Value::Mapping(_) | Value::Null) => None,
            Ok(_) => return,
            Err(e) => Some(e),
        };
        // The row YAML stopped at (`rows.len()` at the end of the text).
        let stop = match &err {
            None => None,
            Some(e) => match e.location().map(|l| l.line().saturating_sub(1)) {
                Some(at) if at >= h => Some((at - h).min(rows.len())),
                _ => return,
            },
        };
        let line_of = |row: usize| rows.get(row).copied().unwrap_or(end);
        // The first field in the window written before (YAML says so where it reads its name),
        // and the line of its first.
        let mut names: HashMap<&str, usize> = HashMap::new();
        let again = rows.iter().find_map(|&i| {
            let name = field_name(&lines[i])?;
            match seen.get(name).or(names.get(name)) {
                Some(&first) => Some((i, first, name.to_string())),
                None => {
                    names.insert(name, i);
                    None
                }
            }
        });
        let problem = match (again, stop.map(line_of)) {
            (Some((at, ..)), Some(stop)) if at == stop => return,
            (Some((at, first, name)), stop) if stop.is_none_or(|stop| at < stop) => {
                // Both must be fields for YAML: this one is when nothing above it is left open.
                let Some(above) = read_alone(&header, lines, start, at) else { return };
                if !fields.contains(&name) && !above.contains(&name) {
                    return;
                }
                let block_end = (at + 1..n).find(|&j| field_name(&lines[j]).is_some()).unwrap_or(n);
                let message = format!(
                    "`{name}:` is written twice in this entry (first on line {}); keep one",
                    first_line + first
                );
                Problem { line: at, message, fix: Fix::BlankTo(block_end) }
            }
            (_, None) if end == n => return,
            (_, None) => {
                len *= 2;
                continue;
            }
            (_, Some(_)) => {
                let (Some(err), Some(stop)) = (err, stop) else { return };
                let text = err.to_string();
                if text.contains("duplicate entry") || text.contains("anchor") {
                    return;
                }
                if end < n && stop + 2 >= rows.len() {
                    // Maybe the cut at the window's end: read more.
                    len *= 2;
                    continue;
                }
                let mut problem = explain(&err, &window, first_line);
                match problem.line.checked_sub(h).and_then(|row| rows.get(row)) {
                    Some(&line) if !matches!(problem.fix, Fix::BlankTo(_)) => problem.line = line,
                    _ => return,
                }
                problem
            }
        };
        let at_fault = problem.line;
        if !mend(file, first_line, lines, problem, diags, reported) {
            return;
        }
        len = at_fault - start + WINDOW;
        if at_fault == start {
            // The header stands for the state before `start` only while its line still
            // closes what the lines above opened.
            if start > 0 && !at_start.boundary(lines, start) {
                return;
            }
            continue;
        }
        // Start again at the last line before the line at fault that can be.
        // (An empty line changes nothing for the cursor, nor names a field.)
        let mut cursor = at_start.clone();
        let mut next = None;
        let mut i = start;
        while i < at_fault {
            if i > start && cursor.boundary(lines, i) {
                next = Some((i, cursor.clone()));
            }
            cursor.step(lines, i);
            i = written.next(lines, i + 1);
        }
        let next = next.and_then(|(i, cursor)| Some((i, cursor, read_alone(&header, lines, start, i)?)));
        if let Some((i, cursor, above)) = next {
            fields.extend(above);
            let mut j = start;
            while j < i {
                if let Some(name) = field_name(&lines[j]) {
                    seen.entry(name.to_string()).or_insert(j);
                }
                j = written.next(lines, j + 1);
            }
            (start, at_start) = (i, cursor);
        }
    }
}

/// Skips the lines emptied by repairs (a line once empty stays so) in a time that does not
/// grow with their number: each empty line keeps how far the run it is in was known to go.
struct Written(Vec<usize>);

impl Written {
    /// The first line from `i` on that is not empty (`lines.len()` when none is).
    fn next(&mut self, lines: &[String], i: usize) -> usize {
        if self.0.len() < lines.len() {
            self.0 = (0..lines.len()).collect();
        }
        let mut j = i;
        while j < lines.len() && lines[j].is_empty() {
            j = self.0[j].max(j + 1);
        }
        let mut k = i;
        while k < j {
            let on = self.0[k].max(k + 1);
            self.0[k] = j;
            k = on;
        }
        j
    }
}

/// The names of the fields the lines from `start` up to `end` hold (after `header`, whose
/// field is not theirs), when they read as fields without a YAML error.
fn read_alone(header: &[String], lines: &[String], start: usize, end: usize) -> Option<HashSet<String>> {
    let text: Vec<&str> = header.iter().chain(&lines[start..end]).map(String::as_str).collect();
    let mut names: HashSet<String> = match serde_yaml_ng::from_str::<Value>(&text.join("\n")) {
        Ok(Value::Mapping(m)) => m.keys().filter_map(Value::as_str).map(String::from).collect(),
        Ok(Value::Null) => HashSet::new(),
        _ => return None,
    };
    if let Some(name) = header.first().and_then(|l| field_name(l)) {
        names.remove(name);
    }
    Some(names)
}

/// The field name a line starts with, as [`Layout::scan`] finds them.
fn field_name(line: &str) -> Option<&str> {
    if is_blank(line) || line.starts_with([' ', '\t']) {
        return None;
    }
    split_key(line).map(|(name, _)| name)
}

/// What [`Layout::scan`] knows at the start of a line, as far as YAML's state there goes: the
/// field above and the first item of its list.
#[derive(Debug, Clone, Default)]
struct Cursor {
    /// The line of the last field name, and whether its value is on that line.
    key: Option<(usize, bool)>,
    /// The first `- ` line of that field's list.
    first_item: Option<usize>,
    /// True when other lines come between the field and its first `- ` line: then the field's
    /// value starts there, and a `- ` line below may be part of it (a plain text goes on over
    /// lines indented deeper than the field name).
    not_list: bool,
}

impl Cursor {
    /// Takes in line `i`, as [`Layout::scan`] does.
    fn step(&mut self, lines: &[String], i: usize) {
        let line = lines[i].as_str();
        if is_blank(line) {
            return;
        }
        if !line.starts_with([' ', '\t']) {
            if let Some((_, rest)) = split_key(line) {
                let inline = !rest.trim().is_empty() && !rest.trim_start().starts_with('#');
                *self = Cursor { key: Some((i, inline)), first_item: None, not_list: false };
                return;
            }
        }
        if self.first_item.is_none() {
            if self.boundary(lines, i) {
                self.first_item = Some(i);
            } else {
                self.not_list = true;
            }
        }
    }

    /// True when line `i` (coming next) starts a field, or an item of the list of the field
    /// above, lined up with its first: everything the lines above opened is closed there.
    fn boundary(&self, lines: &[String], i: usize) -> bool {
        let line = lines[i].as_str();
        if !line.starts_with([' ', '\t']) && split_key(line).is_some() {
            return true;
        }
        matches!(self.key, Some((_, false)))
            && !self.not_list
            && is_dash(line)
            && self.first_item.is_none_or(|f| indent(&lines[f]) == indent(line))
    }

    /// The lines that put YAML in the state it has at the start of line `i`, a [`boundary`]
    /// (or the first line): the field's line, and an item standing for those above.
    ///
    /// [`boundary`]: Cursor::boundary
    fn header(&self, lines: &[String], i: usize) -> Vec<String> {
        let line = lines[i].as_str();
        let starts_field = !line.starts_with([' ', '\t']) && split_key(line).is_some();
        match (self.key, self.first_item) {
            _ if i == 0 || starts_field => Vec::new(),
            (Some((k, _)), None) => vec![lines[k].clone()],
            (Some((k, _)), Some(f)) => {
                let item = &lines[f];
                vec![lines[k].clone(), format!("{}- x", &item[..indent(item)])]
            }
            (None, _) => Vec::new(),
        }
    }
}

/// A YAML syntax error, explained: the line at fault (index into the front matter), the
/// message for content staff, and how to get past the line to read the rest.
struct Problem {
    line: usize,
    message: String,
    fix: Fix,
}

enum Fix {
    /// Empty the line.
    Blank,
    /// Empty the lines from `line` up to this index (a whole field).
    BlankTo(usize),
    /// Turn tabs in the indentation into spaces (remove it before a field name).
    Untab,
    /// Remove the indentation.
    Dedent,
}

/// Translates the common YAML failures (stray or mis-indented list item, tab, missing `:`,
/// unclosed quote or bracket, repeated field) into plain messages on the line at fault; others
/// get a generic message that keeps YAML's words.
fn explain(err: &serde_yaml_ng::Error, lines: &[String], first_line: usize) -> Problem {
    let text = err.to_string();
    // libyaml says "PROBLEM at line L column C, while CONTEXT at line L column C"; the context's
    // position is left out when it is the very start of the text.
    let (head, context) = match text.split_once(", while ") {
        Some((h, c)) => (h, Some(c)),
        None => (text.as_str(), None),
    };
    let what = head.split(" at line ").next().unwrap_or(head);
    let (ctx_what, ctx_line, ctx_col) = match context {
        Some(c) => {
            let (w, pos) = c.split_once(" at line ").unwrap_or((c, "1 column 1"));
            let mut nums = pos.split(" column ").map(|n| n.trim().parse::<usize>().unwrap_or(1));
            (w, nums.next().unwrap_or(1).saturating_sub(1), nums.next().unwrap_or(1).saturating_sub(1))
        }
        None => ("", 0, 0),
    };
    let last = lines.len() - 1;
    let ctx_line = ctx_line.min(last);
    let (line, col) = err.location().map_or((0, 0), |l| (l.line().saturating_sub(1), l.column().saturating_sub(1)));
    let line = line.min(last);
    let layout = Layout::scan(lines);
    let at = |line: usize, message: String, fix: Fix| Problem { line, message, fix };
    let char_at = |line: usize, col: usize| lines[line].chars().nth(col);

    // "links[0]: duplicate entry with key "title"": the path of the mapping (none for the
    // front matter itself), whose first line YAML gives as the error's.
    if let Some((path, name)) = what.split_once("duplicate entry with key ") {
        return written_twice(
            lines,
            path.trim_end_matches([':', ' ']),
            name.trim_matches(['"', '\'']),
            line,
            first_line,
        );
    }
    if what.contains("tab character") || char_at(line, col) == Some('\t') {
        return at(line, "this line has a tab where YAML needs spaces; indent with spaces only".into(), Fix::Untab);
    }
    if ctx_what.starts_with("scanning a quoted scalar") {
        let q = char_at(ctx_line, ctx_col).filter(|c| matches!(c, '"' | '\'')).unwrap_or('"');
        let msg = format!("the quote `{q}` opened here is never closed; end the text with `{q}` on the same line");
        return at(ctx_line, msg, Fix::Blank);
    }
    if what.starts_with("did not find expected ',' or") {
        let (open, close) = if ctx_what.contains("flow mapping") { ('{', '}') } else { ('[', ']') };
        if !lines[ctx_line].contains(close) {
            let msg = format!("the `{open}` opened here is never closed; end it with `{close}` on the same line");
            return at(ctx_line, msg, Fix::Blank);
        }
    }
    if what.starts_with("could not find expected ':'") && ctx_what.starts_with("scanning a simple key") {
        return at(ctx_line, missing_colon(&lines[ctx_line]), Fix::Blank);
    }
    if what.starts_with("mapping values are not allowed") {
        let here = &lines[line];
        if let Some((name, _)) =
            split_key(here.trim_start()).filter(|(n, _)| here.starts_with([' ', '\t']) && FIELDS.contains(n))
        {
            let msg = format!("`{name}:` is indented; start field names at the beginning of the line");
            return at(line, msg, Fix::Dedent);
        }
        // A line without `: ` runs on into the next one, where YAML then finds the `:`.
        if let Some(prev) = (0..line).rev().find(|&p| !is_blank(&lines[p])) {
            let p = &lines[prev];
            if !p.starts_with([' ', '\t']) && !is_dash(p) && split_key(p).is_none() {
                return at(prev, missing_colon(p), Fix::Blank);
            }
        }
        if value_of(here).contains(": ") {
            let msg = "this value holds `: `, which YAML reads as a new field; put the whole value in quotes";
            return at(line, msg.into(), Fix::Blank);
        }
    }
    if ctx_what.starts_with("scanning an alias") && lines[line].trim_start().starts_with('*') {
        return at(line, "list items start with `- `, not `* `".into(), Fix::Blank);
    }
    if what.starts_with("did not find expected key") || what.starts_with("did not find expected '-' indicator") {
        // A list before any field: YAML only notices at the first field below it.
        if ctx_what.starts_with("parsing a block collection")
            && is_dash(&lines[ctx_line])
            && layout.owner(ctx_line).is_none()
        {
            return at(ctx_line, stray_message(&layout, ctx_line, false), Fix::Blank);
        }
        let here = &lines[line];
        if is_dash(here) && col == indent(here) {
            return at(line, stray_message(&layout, line, false), Fix::Blank);
        }
        if let Some(q) = text_after_quote(here) {
            let msg = if q == '\'' {
                "the text goes on after its closing `'`; put all of it in the quotes, and write a `'` inside them as `''`"
            } else {
                "the text goes on after its closing `\"`; put all of it in the quotes"
            };
            return at(line, msg.into(), Fix::Blank);
        }
        let msg = "this line is not lined up with the lines above it; check its indentation";
        return at(line, format!("{msg} (YAML: {what})"), Fix::Blank);
    }
    if what.starts_with("found character that cannot start any token") {
        if let Some(c) = char_at(line, col) {
            return at(line, format!("a value cannot start with `{c}`; put the whole value in quotes"), Fix::Blank);
        }
    }
    let msg = format!("this line cannot be read (YAML: {what}); check its indentation, its `:` and its quotes");
    at(line, msg, Fix::Blank)
}

/// The error on a key written twice in one mapping: the front matter itself (`path` empty), or
/// the one at `path` (`links[0]`) that starts on line `start`. Names the key, the line of the
/// second (where it is reported) and of the first; the second is then left out: the field's
/// whole block, or the item's one line.
fn written_twice(lines: &[String], path: &str, name: &str, start: usize, first_line: usize) -> Problem {
    let is_name = |i: &usize| written_key(&lines[*i]).is_some_and(|k| k == name);
    let (same, what): (Vec<usize>, String) = if path.is_empty() {
        let top = (0..lines.len()).filter(|&i| !is_blank(&lines[i]) && indent(&lines[i]) == 0 && !is_dash(&lines[i]));
        (top.filter(is_name).collect(), "this entry".into())
    } else {
        // The mapping's lines: its first, and those below indented deeper than it.
        let deeper = (start + 1..lines.len())
            .take_while(|&i| is_blank(&lines[i]) || indent(&lines[i]) > indent(&lines[start]))
            .filter(|&i| !is_blank(&lines[i]));
        let what = match path.split_once('[').map(|(field, _)| field) {
            Some("links") => "this link".into(),
            Some("products") => "this product".into(),
            _ => format!("`{path}`"),
        };
        (std::iter::once(start).chain(deeper).filter(is_name).collect(), what)
    };
    match same[..] {
        [first, again, ..] => {
            let message =
                format!("`{name}:` is written twice in {what} (first on line {}); keep one", first_line + first);
            let fix = if path.is_empty() {
                let end = (again + 1..lines.len())
                    .find(|&i| indent(&lines[i]) == 0 && !is_dash(&lines[i]) && written_key(&lines[i]).is_some())
                    .unwrap_or(lines.len());
                Fix::BlankTo(end)
            } else {
                Fix::Blank
            };
            Problem { line: again, message, fix }
        }
        // Both on one line (`{title: A, title: B}`), or written in a way not found here.
        _ => Problem {
            line: start,
            message: format!("`{name}:` is written twice on this line; keep one"),
            fix: Fix::Blank,
        },
    }
}

/// The key a line writes (`name:`, `"name":` or `name :`, after any indentation and `- `).
fn written_key(line: &str) -> Option<&str> {
    let t = value_or_line(line);
    let (name, rest) = match t.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let close = t[1..].find(q)? + 1;
            (&t[1..close], t[close + 1..].trim_start())
        }
        _ => {
            let colon = t.find(':')?;
            (t[..colon].trim_end(), &t[colon..])
        }
    };
    let rest = rest.strip_prefix(':')?;
    (!name.is_empty() && (rest.is_empty() || rest.starts_with([' ', '\t']))).then_some(name)
}

/// The message for a top-level line that has no `:` after its field name.
fn missing_colon(line: &str) -> String {
    let t = line.trim();
    match t.split_once(':') {
        Some((name, value)) if !name.contains(' ') => {
            format!("`{t}` needs a space after the `:`; write `{name}: {}`", value.trim())
        }
        _ => match t.split_once(' ') {
            Some((name, value)) => format!("`{t}` has no `:` after the field name; write `{name}: {}`", value.trim()),
            None => format!("`{t}` has no `:`; write fields as `{t}: value`"),
        },
    }
}

/// The message for a `- ` line that is no item of a list field. `merged`: YAML accepted the
/// line as part of the value above it (so this is a warning, not a syntax error).
fn stray_message(layout: &Layout, at: usize, merged: bool) -> String {
    const HOME: &str = "put it under `questions:` or the list it belongs to";
    match layout.owner(at) {
        Some(k) if LIST_FIELDS.contains(&k.name.as_str()) && !k.inline && !k.items.is_empty() => {
            if merged {
                format!(
                    "this list item is indented deeper than the other items of `{}:`, so it is read as part of \
                     the item above; indent its `-` like theirs",
                    k.name
                )
            } else {
                format!(
                    "this list item is not lined up with the other items of `{}:`; indent its `-` like theirs",
                    k.name
                )
            }
        }
        Some(k) if LIST_FIELDS.contains(&k.name.as_str()) && k.inline => format!(
            "a list item here belongs to no field: `{0}:` already has a value on its own line{1}; \
             write every item on its own `- ` line under `{0}:`",
            k.name,
            if merged { ", and this line is read as part of it" } else { "" }
        ),
        Some(k) if FIELDS.contains(&k.name.as_str()) => format!(
            "a list item here belongs to no field (`{}:` takes one value{}); {HOME}",
            k.name,
            if merged { ", so this line is read as part of it" } else { "" }
        ),
        _ => format!("a list item here belongs to no field; {HOME}"),
    }
}

/// The message for a field kefu does not know, and the field it likely meant.
fn unknown_field(name: &str) -> (String, Option<&'static str>) {
    if name == "answer" {
        return ("unknown field `answer`; write the answer below the `---` that closes the front matter".into(), None);
    }
    let lower = name.to_ascii_lowercase().replace('-', "_");
    match FIELDS.iter().map(|&f| (strsim::levenshtein(&lower, f), f)).min() {
        Some((d, f)) if d <= 2 => (format!("unknown field `{name}`; did you mean `{f}`?"), Some(f)),
        _ => (format!("unknown field `{name}` (the fields are {})", FIELDS.join(", ")), None),
    }
}

/// Reads field values from the parsed mapping, with the lines of the raw text.
struct Fields<'a> {
    file: &'a str,
    first_line: usize,
    lines: &'a [String],
}

impl Fields<'_> {
    /// A one-value field (`id`, `category`, `locale`) as text; `None` when empty or not one value.
    fn scalar(&self, name: &str, line: usize, value: &Value, diags: &mut Vec<Diagnostic>) -> Option<String> {
        match value {
            Value::Null => None,
            Value::Sequence(_) => {
                diags.push(Diagnostic::error(self.file, line, format!("`{name}:` takes one value, not a list")));
                None
            }
            v => self.text_at(v, line).or_else(|| {
                let msg = format!("`{name}:` takes one plain value; put it in quotes");
                diags.push(Diagnostic::error(self.file, line, msg));
                None
            }),
        }
    }

    /// A list field's text items, each with its line (the field's line when the list is
    /// written on it, as `[a, b]`); an empty item (`-` alone) is an empty text.
    fn list(&self, name: &str, key: Option<&Key>, value: &Value, diags: &mut Vec<Diagnostic>) -> Vec<At<String>> {
        let key_line = key.map_or(self.first_line, |k| self.first_line + k.at);
        let items = match value {
            Value::Null => return Vec::new(),
            Value::Sequence(items) => items,
            _ => {
                let msg =
                    format!("`{name}:` takes a list; write each item on its own line below it, starting with `- `");
                diags.push(Diagnostic::error(self.file, key_line, msg));
                return Vec::new();
            }
        };
        // A `[…]` list on the field's line: its items as written, when a plain split finds
        // as many as YAML did (a quoted comma makes it fall back to YAML's print).
        let flow: Vec<String> = key
            .filter(|k| k.inline)
            .and_then(|k| self.lines.get(k.at))
            .and_then(|l| split_key(l.trim_start()))
            .and_then(|(_, rest)| {
                rest.split(" #").next()?.trim().strip_prefix('[')?.strip_suffix(']').map(String::from)
            })
            .map(|inner| inner.split(',').map(|p| p.trim().to_string()).collect())
            .filter(|parts: &Vec<String>| parts.len() == items.len())
            .unwrap_or_default();
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let line = self.item_line(key, i);
            match item {
                Value::Null => out.push(At { value: String::new(), line }),
                v => match text_as_written(v, flow.get(i).map(String::as_str).or_else(|| self.raw_value(line))) {
                    Some(value) => out.push(At { value, line }),
                    None => diags.push(Diagnostic::error(self.file, line, self.not_text(line))),
                },
            }
        }
        out
    }

    /// The links under `links:`, each `title` + `url`.
    fn links(&self, key: Option<&Key>, value: &Value, diags: &mut Vec<Diagnostic>) -> Vec<LinkDef> {
        let how = "write each link as `- title: …` with `url: …` on the next line";
        self.records(key, value, Record { field: "links", noun: "link", fields: &["title", "url"], how }, diags)
            .into_iter()
            .filter_map(|(line, values)| {
                let [title, url]: [Option<At<String>>; 2] = values.try_into().ok()?;
                self.complete("link", line, title, url, diags).map(|(title, url)| LinkDef { title: title.value, url })
            })
            .collect()
    }

    /// The products under `products:`, each `title` + `url` and optional `image` and `price`.
    fn products(&self, key: Option<&Key>, value: &Value, diags: &mut Vec<Diagnostic>) -> Vec<ProductDef> {
        let how = "write each product as `- title: …` with `url: …` (and optional `image: …`, `price: …`) on the \
                   lines below";
        let kind = Record { field: "products", noun: "product", fields: &["title", "url", "image", "price"], how };
        self.records(key, value, kind, diags)
            .into_iter()
            .filter_map(|(line, values)| {
                let [title, url, image, price]: [Option<At<String>>; 4] = values.try_into().ok()?;
                let (title, url) = self.complete("product", line, title, url, diags)?;
                Some(ProductDef { line, title, url, image, price })
            })
            .collect()
    }

    /// A list field whose items are small records (`- title: …` / `  url: …`): for each item
    /// its `- ` line and the value of each of `kind.fields` (with the line it is written on),
    /// reporting a list that is not one, an item that is not a record, unknown fields and
    /// values that are not text.
    #[allow(clippy::type_complexity)]
    fn records(
        &self,
        key: Option<&Key>,
        value: &Value,
        kind: Record,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<(usize, Vec<Option<At<String>>>)> {
        let Record { field, noun, fields, how } = kind;
        let key_line = key.map_or(self.first_line, |k| self.first_line + k.at);
        let items = match value {
            Value::Null => return Vec::new(),
            Value::Sequence(items) => items,
            _ => {
                diags.push(Diagnostic::error(self.file, key_line, format!("`{field}:` takes a list; {how}")));
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let line = self.item_line(key, i);
            let Value::Mapping(m) = item else {
                diags.push(Diagnostic::error(
                    self.file,
                    line,
                    format!("this {noun} has no `title:` and `url:`; {how}"),
                ));
                continue;
            };
            let mut values: Vec<Option<At<String>>> = vec![None; fields.len()];
            for (k, v) in m {
                let name = k.as_str().unwrap_or("?");
                let at = self.item_field_line(key, i, name).unwrap_or(line);
                let Some(slot) = fields.iter().position(|f| *f == name) else {
                    let list = match fields.split_last() {
                        Some((last, [])) => format!("`{last}:`"),
                        Some((last, rest)) => {
                            let rest: Vec<String> = rest.iter().map(|f| format!("`{f}:`")).collect();
                            format!("{} and `{last}:`", rest.join(", "))
                        }
                        None => String::new(),
                    };
                    let msg = format!("unknown field `{name}` in a {noun} (a {noun} has {list})");
                    diags.push(Diagnostic::error(self.file, at, msg));
                    continue;
                };
                match self.text_at(v, at) {
                    Some(value) => values[slot] = Some(At { value, line: at }),
                    None if v.is_null() => {}
                    None => diags.push(Diagnostic::error(
                        self.file,
                        at,
                        format!("the {noun}'s `{name}:` takes one value (text); put it in quotes"),
                    )),
                }
            }
            out.push((line, values));
        }
        out
    }

    /// The title and url a link or product needs, or the error that one is missing.
    fn complete(
        &self,
        noun: &str,
        line: usize,
        title: Option<At<String>>,
        url: Option<At<String>>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(At<String>, At<String>)> {
        match (title, url) {
            (Some(title), Some(url)) => Some((title, url)),
            (None, _) => {
                diags.push(Diagnostic::error(self.file, line, format!("this {noun} needs a `title:`")));
                None
            }
            (_, None) => {
                diags.push(Diagnostic::error(self.file, line, format!("this {noun} needs a `url:`")));
                None
            }
        }
    }

    /// The line of item `i` of a list field; the field's line when the list is on it.
    /// A scalar as text, a number or true/false as the author wrote it on `line`: YAML reads
    /// `id: 1.50` as the number 1.5 and `- 1e3` as 1000.0, which are not what was meant.
    fn text_at(&self, v: &Value, line: usize) -> Option<String> {
        text_as_written(v, self.raw_value(line))
    }

    /// The value written on `line` (after `- ` and `name:`, before a ` #` comment).
    fn raw_value(&self, line: usize) -> Option<&str> {
        let l = self.lines.get(line.checked_sub(self.first_line)?)?;
        let t = l.trim_start();
        let t = t.strip_prefix("- ").unwrap_or(t);
        let t = split_key(t).map_or(t, |(_, rest)| rest);
        Some(t.split(" #").next().unwrap_or(t).trim())
    }

    fn item_line(&self, key: Option<&Key>, i: usize) -> usize {
        let at = key.map_or(0, |k| k.items.get(i).copied().unwrap_or(k.at));
        self.first_line + at
    }

    /// The line of `field:` inside item `i` of a list of records, if written on a line of
    /// its own block.
    fn item_field_line(&self, key: Option<&Key>, i: usize, field: &str) -> Option<usize> {
        let key = key?;
        let start = *key.items.get(i)?;
        let end = key.items.get(i + 1).copied().unwrap_or(key.end);
        (start..end)
            .find(|&l| split_key(value_or_line(&self.lines[l])).is_some_and(|(n, _)| n == field))
            .map(|l| self.first_line + l)
    }

    /// The message for a list item that is not plain text.
    fn not_text(&self, line: usize) -> String {
        let raw = &self.lines[line - self.first_line];
        if value_or_line(raw).contains(": ") {
            "this item holds `: `, which YAML reads as a field; put the whole item in quotes".into()
        } else {
            "this item cannot be read as text; put the whole item in quotes".into()
        }
    }
}

/// A scalar as text; a number or true/false as `raw` writes it when `raw` is that very
/// scalar (else as YAML prints it).
fn text_as_written(v: &Value, raw: Option<&str>) -> Option<String> {
    let printed = text_of(v)?;
    let is_v = |r: &&str| {
        matches!(v, Value::Number(_) | Value::Bool(_)) && serde_yaml_ng::from_str::<Value>(r).ok().as_ref() == Some(v)
    };
    Some(raw.filter(is_v).map_or(printed, String::from))
}

/// A scalar as text: strings as written, numbers and true/false as YAML prints them.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Where the fields and their list items are in the raw lines (indexes into the front matter).
#[derive(Debug, Default)]
struct Layout {
    keys: Vec<Key>,
    /// `- ` lines that are no item of a list field: before any field, under a one-value field or
    /// a field with its value on its line, or not lined up with the items above.
    strays: Vec<usize>,
}

/// A `name:` line at the start of a line, and its block.
#[derive(Debug)]
struct Key {
    name: String,
    at: usize,
    /// One past the last line of the field's block (the next field's line).
    end: usize,
    /// True when a value follows the `:` on the field's own line.
    inline: bool,
    /// The `- ` lines of its items, all at the indentation of the first.
    items: Vec<usize>,
}

impl Layout {
    fn scan<S: AsRef<str>>(lines: &[S]) -> Layout {
        let mut layout = Layout::default();
        for (i, line) in lines.iter().map(AsRef::as_ref).enumerate() {
            if is_blank(line) {
                continue;
            }
            if !line.starts_with([' ', '\t']) {
                if let Some((name, rest)) = split_key(line) {
                    if let Some(k) = layout.keys.last_mut() {
                        k.end = i;
                    }
                    let inline = !rest.trim().is_empty() && !rest.trim_start().starts_with('#');
                    layout.keys.push(Key { name: name.to_string(), at: i, end: lines.len(), inline, items: vec![] });
                    continue;
                }
            }
            if is_dash(line) {
                match layout.keys.last_mut() {
                    Some(k)
                        if !k.inline && k.items.first().is_none_or(|&f| indent(lines[f].as_ref()) == indent(line)) =>
                    {
                        k.items.push(i)
                    }
                    _ => layout.strays.push(i),
                }
            }
        }
        layout
    }

    /// The first field written as `name:`.
    fn key(&self, name: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// The field whose block holds line `at`.
    fn owner(&self, at: usize) -> Option<&Key> {
        self.keys.iter().rev().find(|k| k.at < at)
    }
}

/// `name: rest` when the line starts with a field name followed by `:` and a space (or end).
fn split_key(line: &str) -> Option<(&str, &str)> {
    let (name, rest) = line.split_once(':')?;
    let ok = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        && (rest.is_empty() || rest.starts_with([' ', '\t']));
    ok.then_some((name, rest))
}

fn is_blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// True for a list item line: `-` then a space or nothing.
fn is_dash(line: &str) -> bool {
    let t = line.trim_start();
    t == "-" || t.starts_with("- ") || t.starts_with("-\t")
}

/// Width of the line's indentation (in bytes; tabs count one).
fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The line without its indentation and `- `.
fn value_or_line(line: &str) -> &str {
    let t = line.trim_start();
    if is_dash(t) {
        t[1..].trim_start()
    } else {
        t
    }
}

/// The value written on a line: after `- ` or after `name: `.
fn value_of(line: &str) -> &str {
    let t = value_or_line(line);
    split_key(t).map_or(t, |(_, rest)| rest.trim())
}

/// The quote character when the line's value is quoted but text follows the closing quote.
fn text_after_quote(line: &str) -> Option<char> {
    let v = value_of(line);
    let q = v.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let close = v[1..].find(q)? + 1;
    let after = v[close + 1..].trim();
    (!after.is_empty() && !after.starts_with('#')).then_some(q)
}

#[cfg(test)]
mod tests {
    use crate::kb::{markdown, Entry, Locale};

    /// Reads `fm` as the front matter of a one-entry file `k.md` (its line 1 is file line 2)
    /// and returns the entry and the diagnostics as `kefu check` prints them.
    fn check(fm: &str) -> (Entry, Vec<String>) {
        let (mut entries, diags) = markdown::read("k.md", &format!("---\n{fm}\n---\nAnswer.\n"), Locale::En);
        assert_eq!(entries.len(), 1, "{diags:?}");
        (entries.remove(0), diags.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn common_yaml_mistakes_get_plain_messages_on_their_line() {
        let cases: &[(&str, &[&str])] = &[
            // A stray list item under a one-value field.
            (
                "id: a\nquestions: [q]\ncategory: returns\n- another question",
                &["k.md:5: error: a list item here belongs to no field (`category:` takes one value); \
                   put it under `questions:` or the list it belongs to"],
            ),
            // An item under a list field whose value is on its own line.
            (
                "id: a\nquestions: How do I return?\n- another question\ncategory: returns",
                &[
                    "k.md:3: error: `questions:` takes a list; write each item on its own line below it, \
                     starting with `- `",
                    "k.md:4: error: a list item here belongs to no field: `questions:` already has a value on \
                     its own line; write every item on its own `- ` line under `questions:`",
                ],
            ),
            // A mis-indented item.
            (
                "id: a\nquestions:\n  - q1\n - q2\ncategory: returns",
                &["k.md:5: error: this list item is not lined up with the other items of `questions:`; \
                   indent its `-` like theirs"],
            ),
            // Items before any field (YAML only complains at the field below).
            (
                "- q\nid: a\nquestions: [x]\ncategory: returns",
                &["k.md:2: error: a list item here belongs to no field; put it under `questions:` or the list \
                   it belongs to"],
            ),
            (
                "id: a\nquestions:\n\t- q1\ncategory: returns",
                &["k.md:4: error: this line has a tab where YAML needs spaces; indent with spaces only"],
            ),
            (
                "id: a\nquestions: [q]\ncategory returns",
                &["k.md:4: error: `category returns` has no `:` after the field name; write `category: returns`"],
            ),
            // A line without `:` runs into the next one, where YAML reports it.
            (
                "id a\nquestions: [q]\ncategory: returns",
                &["k.md:2: error: `id a` has no `:` after the field name; write `id: a`"],
            ),
            (
                "id:a\nquestions: [q]\ncategory: returns",
                &["k.md:2: error: `id:a` needs a space after the `:`; write `id: a`"],
            ),
            (
                "id: a\nquestions:\n  - \"How do I return?\ncategory: returns",
                &["k.md:4: error: the quote `\"` opened here is never closed; end the text with `\"` on the same \
                   line"],
            ),
            (
                "id: a\nquestions:\n  - 'don't know'\ncategory: returns",
                &["k.md:4: error: the text goes on after its closing `'`; put all of it in the quotes, and write \
                   a `'` inside them as `''`"],
            ),
            (
                "id: a\nquestions: [q\ncategory: returns",
                &["k.md:3: error: the `[` opened here is never closed; end it with `]` on the same line"],
            ),
            (
                "id: a\nquestions: [q]\ncategory: returns\nid: b",
                &["k.md:5: error: `id:` is written twice in this entry (first on line 2); keep one"],
            ),
            (
                "id: a\n  category: returns\nquestions: [q]",
                &["k.md:3: error: `category:` is indented; start field names at the beginning of the line"],
            ),
            ("id: a\nquestions:\n  * q\ncategory: returns", &["k.md:4: error: list items start with `- `, not `* `"]),
            (
                "id: a\nquestions: [q]\ncategory: returns: extra",
                &["k.md:4: error: this value holds `: `, which YAML reads as a new field; put the whole value in \
                   quotes"],
            ),
            (
                "id: a\nquestions: [q]\ncategory: @home",
                &["k.md:4: error: a value cannot start with `@`; put the whole value in quotes"],
            ),
            // YAML accepts a deeper item as part of the one above: a warning, same words.
            (
                "id: a\nquestions:\n  - q1\n    - q2\ncategory: returns",
                &["k.md:5: warning: this list item is indented deeper than the other items of `questions:`, so \
                   it is read as part of the item above; indent its `-` like theirs"],
            ),
        ];
        for (fm, want) in cases {
            let (_, got) = check(fm);
            assert_eq!(got, *want, "front matter:\n{fm}");
        }
    }

    #[test]
    fn a_key_written_twice_is_named_on_the_line_of_the_second() {
        let cases: &[(&str, &[&str])] = &[
            // In one link or product of a list.
            (
                "id: a\nquestions: [q]\nlinks:\n  - title: A\n    title: B\n    url: /x\ncategory: returns",
                &["k.md:6: error: `title:` is written twice in this link (first on line 5); keep one"],
            ),
            (
                "id: a\nquestions: [q]\nproducts:\n  - title: A\n    url: /x\n    url: /y\ncategory: returns",
                &["k.md:7: error: `url:` is written twice in this product (first on line 6); keep one"],
            ),
            // Both in a `{…}` on one line.
            (
                "id: a\nquestions: [q]\nlinks: [{title: A, title: B, url: /x}]\ncategory: returns",
                &["k.md:4: error: `title:` is written twice on this line; keep one"],
            ),
            // A field name in quotes or with a space before its `:` is the same field.
            (
                "\"id\": a\nquestions: [q]\ncategory: returns\nid: b",
                &["k.md:5: error: `id:` is written twice in this entry (first on line 2); keep one"],
            ),
            (
                "id: a\nquestions: [q]\ncategory: returns\n'category': b",
                &["k.md:5: error: `category:` is written twice in this entry (first on line 4); keep one"],
            ),
            (
                "id : a\nquestions: [q]\ncategory: returns\nid: b",
                &["k.md:5: error: `id:` is written twice in this entry (first on line 2); keep one"],
            ),
        ];
        for (fm, want) in cases {
            let (_, got) = check(fm);
            assert_eq!(got, *want, "front matter:\n{fm}");
        }
        // The rest of the link is read.
        let (e, _) = check("id: a\nquestions: [q]\nlinks:\n  - title: A\n    title: B\n    url: /x\ncategory: returns");
        assert_eq!((e.links.len(), e.links[0].title.as_str(), e.category.as_str()), (1, "A", "returns"));
    }

    #[test]
    fn other_yaml_errors_still_name_their_line() {
        let (_, got) = check("id: a\nquestions:\n  - a\n  x: y\ncategory: returns");
        assert_eq!(
            got,
            ["k.md:5: error: this line is not lined up with the lines above it; check its indentation \
              (YAML: did not find expected '-' indicator)"]
        );
        let (_, got) = check("id: a\nquestions: [q]\ncategory: *nowhere");
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("k.md:4: error: this line cannot be read (YAML: unknown anchor)"), "{got:?}");
    }

    #[test]
    fn reading_goes_on_after_a_syntax_error() {
        let (e, got) = check(
            "id: a\n\tquestions: [q]\ncategory: \"returns\ntags: [x]\n- stray\nlocale: zh-TW\nquick_replies: [b]",
        );
        assert_eq!(
            got,
            [
                "k.md:3: error: this line has a tab where YAML needs spaces; indent with spaces only",
                "k.md:4: error: the quote `\"` opened here is never closed; end the text with `\"` on the same line",
                "k.md:6: error: a list item here belongs to no field: `tags:` already has a value on its own line; \
                 write every item on its own `- ` line under `tags:`",
            ]
        );
        // The fields on sound lines are read, and the lines repaired by the fix are too.
        assert_eq!((e.id.as_str(), e.locale, e.quick_replies.as_slice()), ("a", Locale::ZhTw, &["b".to_string()][..]));
        assert_eq!((e.questions.as_slice(), e.tags.as_slice()), (&["q".to_string()][..], &["x".to_string()][..]));
    }

    #[test]
    fn tags_run_together_with_chinese_punctuation_are_named_on_their_line() {
        let (e, got) = check("id: a\nquestions: [怎么退货]\ncategory: returns\ntags: [退货，售后, 七天]");
        assert_eq!(
            got,
            ["k.md:5: warning: `退货，售后` is one tag: `，`, `、` and `；` do not separate tags in YAML; write `[a, b]` \
              with an ASCII comma, or each tag on its own `- ` line"]
        );
        assert_eq!(e.tags, ["退货，售后", "七天"]);
        let (_, got) = check("id: a\nquestions: [q]\ncategory: returns\ntags:\n  - 退货\n  - 售后、七天");
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("k.md:7: warning: `售后、七天` is one tag"), "{got:?}");
        let (_, got) = check("id: a\nquestions: [q]\ncategory: returns\ntags: [退货, 售后]");
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn thousands_of_broken_lines_are_each_reported() {
        // 3,000 tab-indented questions: each is reported on its line and still read.
        let mut fm = String::from("id: a\nquestions:\n");
        for i in 0..3000 {
            fm.push_str(&format!("\t- question {i}\n"));
        }
        fm.push_str("category: returns\ntags: [x]");
        let (e, got) = check(&fm);
        let want: Vec<String> = (0..3000)
            .map(|i| {
                format!("k.md:{}: error: this line has a tab where YAML needs spaces; indent with spaces only", i + 4)
            })
            .collect();
        assert_eq!(got, want);
        assert_eq!(e.questions.len(), 3000);
        assert_eq!((e.questions[2999].as_str(), e.category.as_str()), ("question 2999", "returns"));
        // Other mistakes, many times over, between sound lines: one error on each broken line.
        let mut fm = String::from("id: a\nquestions:\n");
        let mut broken = Vec::new();
        for i in 0..2000 {
            let line = fm.lines().count() + 2;
            match i % 4 {
                0 => fm.push_str(&format!("  * q{i}\n")),
                1 => fm.push_str(&format!("  - fine {i}\n")),
                2 => fm.push_str(&format!("  - \"open {i}\n")),
                _ => fm.push_str(&format!("\t- tab {i}\n")),
            }
            if i % 4 != 1 {
                broken.push(line);
            }
        }
        fm.push_str("category: returns");
        let (e, got) = check(&fm);
        let lines: Vec<usize> =
            got.iter().map(|d| d["k.md:".len()..].split(':').next().unwrap().parse().unwrap()).collect();
        assert_eq!(lines, broken);
        assert!(got.iter().all(|d| d.contains(": error: ")), "{got:?}");
        assert_eq!((e.questions.len(), e.category.as_str()), (1000, "returns"));
    }

    /// Reading a window of lines at a time finds what reading the whole text per error finds.
    #[test]
    fn skimming_finds_what_a_whole_reading_finds() {
        const POOL: &[&str] = &[
            "id: a",
            "category: returns",
            "tags: [x, y]",
            "questions:",
            "quick_replies:",
            "links:",
            "products:",
            "locale: en",
            "  - q",
            "  - fine question",
            "  - 'don''t'",
            "\t- tab",
            "  * star",
            " - short",
            "    - deep",
            "- flush",
            "  - \"open",
            "  - a: b",
            "  - [a",
            "category returns",
            "id:a",
            "  category: x",
            "foo: @x",
            "  - title: T",
            "    url: /u",
            "    price: \"1\"",
            "\tquestions: [q]",
            "x: y: z",
            "  - \"multi",
            "  line\"",
            "# comment",
            "",
            "  - |",
            "    block",
            "questions: [a,",
            "  b]",
            "  - 'quote' after",
            "id: b",
            "    continued",
            "\t\tx",
            "  -",
            "- title: F",
            "  url: /f",
            "  - &k anchored",
            "  - *k",
            "tags: [a",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for round in 0..500 {
            let count = 20 + next(140);
            // Mostly sound list items, so that windows move on between the mistakes.
            let lines: Vec<String> = (0..count)
                .map(|_| if next(2 + round % 4) == 0 { POOL[next(POOL.len())] } else { POOL[8 + next(2)] }.to_string())
                .collect();
            let run = |fast: bool| {
                let (mut lines, mut diags) = (lines.clone(), Vec::new());
                let (mapping, damaged) = super::recover("k.md", 2, &mut lines, &mut diags, fast);
                // In line order, as `kefu check` prints them.
                diags.sort_by_key(|d| d.line);
                let diags: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
                (format!("{mapping:?}"), damaged, diags, lines)
            };
            assert_eq!(run(true), run(false), "round {round}:\n{}", lines.join("\n"));
        }
    }

    #[test]
    fn invisible_characters_are_named_on_their_line_and_the_rest_is_read() {
        for (c, name) in
            [('\u{1b}', "U+001B"), ('\0', "U+0000"), ('\u{7f}', "U+007F"), ('\u{2028}', "U+2028"), ('\u{85}', "U+0085")]
        {
            let (e, got) =
                check(&format!("id: a\nquestions:\n  - first\n  - Where{c} is it?\ncategory: returns\ntags: [x]"));
            assert_eq!(
                got,
                [format!("k.md:5: error: this line holds the invisible character {name} (in `questions:`); delete it")],
                "{name}"
            );
            assert_eq!(e.questions, ["first", "Where is it?"], "{name}");
            assert_eq!((e.category.as_str(), e.tags.as_slice()), ("returns", &["x".to_string()][..]), "{name}");
        }
        let (_, got) = check("id: a\u{7}\u{1b}\u{7}\nquestions: [q]\ncategory: returns");
        assert_eq!(
            got,
            ["k.md:2: error: this line holds the invisible characters U+0007, U+001B (in `id:`); delete them"]
        );
    }

    #[test]
    fn numbers_stay_as_written() {
        let (e, got) =
            check("id: 1.50\nquestions:\n  - 1e3\n  - 007 # a comment\n  - True\ncategory: returns\ntags: [1.50, x]");
        assert!(got.is_empty(), "{got:?}");
        assert_eq!(e.id, "1.50");
        assert_eq!(e.questions, ["1e3", "007", "True"]);
        assert_eq!(e.tags, ["1.50", "x"]);
        // A quoted comma in a `[…]` list: YAML's print of the number.
        let (e, _) = check("id: a\nquestions: [q]\ncategory: returns\ntags: [\"a, b\", 1.50]");
        assert_eq!(e.tags, ["a, b", "1.5"]);
    }

    #[test]
    fn bad_field_values_name_the_field_or_item_line() {
        let (e, got) = check("id: a\nquestions:\n  - Note: this\n  - fine\ncategroy: returns\ntags: [x]");
        assert_eq!(
            got,
            [
                "k.md:4: error: this item holds `: `, which YAML reads as a field; put the whole item in quotes",
                "k.md:6: error: unknown field `categroy`; did you mean `category`?",
            ]
        );
        assert_eq!((e.questions.as_slice(), e.questions_at.as_slice()), (&["fine".to_string()][..], &[5][..]));
        let (_, got) = check(
            "id: a\nquestions: [q]\ncategory: [returns]\nlinks:\n  - title: Help\n    url: javascript:x\n  - title: No url\nanswer: hi",
        );
        assert_eq!(
            got,
            [
                "k.md:4: error: `category:` takes one value, not a list",
                "k.md:7: error: link `javascript:x` uses a scheme that is not allowed (http, https, mailto, tel \
                 or a relative path)",
                "k.md:8: error: this link needs a `url:`",
                "k.md:9: error: unknown field `answer`; write the answer below the `---` that closes the front \
                 matter",
            ]
        );
        // A number is text enough for an id.
        let (e, got) = check("id: 404\nquestions: [q]\ncategory: returns");
        assert!(got.is_empty(), "{got:?}");
        assert_eq!(e.id, "404");
    }

    #[test]
    fn products_are_read_and_checked_on_their_lines() {
        let (e, got) = check(
            "id: a\nquestions: [q]\ncategory: product\nproducts:\n  - title: Air fryer <b>LZ</b>\n    url: /product.html\n    image: /shop/img/air-fryer.svg\n    price: \"¥299\"\n  - title: Kettle\n    url: https://shop.example/kettle",
        );
        assert!(got.is_empty(), "{got:?}");
        assert_eq!(
            e.products,
            [
                crate::kb::Product {
                    title: "Air fryer <b>LZ</b>".into(),
                    url: "/product.html".into(),
                    image: Some("/shop/img/air-fryer.svg".into()),
                    price: Some("¥299".into()),
                },
                crate::kb::Product {
                    title: "Kettle".into(),
                    url: "https://shop.example/kettle".into(),
                    image: None,
                    price: None,
                },
            ]
        );
        let long = "x".repeat(81);
        let (e, got) = check(&format!(
            "id: a\nquestions: [q]\ncategory: product\nproducts:\n  - title: A\n    url: javascript:alert(1)\n  - title: B\n    url: /b\n    image: //evil.example/x.png\n  - url: /c\n  - title: {long}\n    url: /d\n  - title: E\n    url: /e\n    colour: red\n  - title: F\n    url: /f\n  - title: G\n    url: /g\n  - title: H\n    url: /h\n  - just text"
        ));
        assert_eq!(
            got,
            [
                "k.md:7: error: product url `javascript:alert(1)` is not allowed; use an http(s) address or a path on \
                 this site starting with `/`",
                "k.md:10: error: product image `//evil.example/x.png` is not allowed; use an http(s) address or a \
                 path on this site starting with `/`",
                "k.md:11: error: this product needs a `title:`",
                "k.md:12: error: product title is 81 characters long; keep it to 80",
                "k.md:16: error: unknown field `colour` in a product (a product has `title:`, `url:`, `image:` and \
                 `price:`)",
                "k.md:17: error: an entry shows at most 4 products; move the others to another entry",
                "k.md:23: error: this product has no `title:` and `url:`; write each product as `- title: …` with \
                 `url: …` (and optional `image: …`, `price: …`) on the lines below",
            ]
        );
        let titles: Vec<&str> = e.products.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["E"]);
    }
}
