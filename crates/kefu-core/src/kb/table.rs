//! Reads tabular KB sources: CSV/TSV exports (question, answer, category …) and the
//! evaluation TSV format (`split id label text`) of the shared evaluation data.

use super::markdown::{bad_id_message, parse_answer, valid_id};
use super::{Diagnostic, Entry, Locale, SourceRef};

/// A query row of an evaluation file: the text and its expected label (`__none__` = out of scope).
#[derive(Debug, Clone, PartialEq)]
pub struct EvalQuery {
    pub text: String,
    pub label: String,
    pub line: usize,
}

/// Label of out-of-scope queries in evaluation files.
pub const OUT_OF_SCOPE: &str = "__none__";

/// True when a TSV's header is the evaluation format.
pub fn is_eval_format(text: &str) -> bool {
    let header = text.lines().next().unwrap_or("").trim_start_matches('\u{feff}');
    header.split('\t').map(str::trim).collect::<Vec<_>>() == ["split", "id", "label", "text"]
}

/// Reads an evaluation TSV: `kb` rows become entries (one per label, in first-seen order),
/// `query` rows come back as queries. Every bad row is reported with its line (and skipped),
/// so one run shows all of a file's problems.
pub fn read_eval(file: &str, text: &str, locale: Locale) -> (Vec<Entry>, Vec<EvalQuery>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    if !is_eval_format(text) {
        diags.push(Diagnostic::error(file, 1, "expected the header `split<TAB>id<TAB>label<TAB>text`"));
        return (vec![], vec![], diags);
    }
    let mut entries: Vec<Entry> = Vec::new();
    let mut by_label: std::collections::HashMap<String, usize> = Default::default();
    let mut queries = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let line_no = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.splitn(4, '\t').collect();
        if cols.len() != 4 {
            let msg = format!("expected 4 tab-separated columns, found {}", cols.len());
            diags.push(Diagnostic::error(file, line_no, msg));
            continue;
        }
        let (split, label, text) = (cols[0].trim(), cols[2].trim(), cols[3].trim());
        let empty = [("id", cols[1].trim()), ("label", label), ("text", text)].into_iter().find(|(_, v)| v.is_empty());
        if let Some((what, _)) = empty {
            diags.push(Diagnostic::error(file, line_no, format!("the row's {what} is empty")));
            continue;
        }
        match split {
            "kb" => {
                if label == OUT_OF_SCOPE {
                    diags.push(Diagnostic::error(file, line_no, "a kb row cannot have the out-of-scope label"));
                    continue;
                }
                let pos = *by_label.entry(label.to_string()).or_insert_with(|| {
                    entries.push(Entry {
                        id: label.to_string(),
                        category: "general".into(),
                        locale,
                        source: SourceRef { file: file.to_string(), line: line_no },
                        answer_optional: true,
                        ..Default::default()
                    });
                    entries.len() - 1
                });
                entries[pos].questions.push(text.to_string());
                entries[pos].questions_at.push(line_no);
            }
            "query" => queries.push(EvalQuery { text: text.to_string(), label: label.to_string(), line: line_no }),
            other => {
                let msg = format!("unknown split `{other}` (expected kb or query)");
                diags.push(Diagnostic::error(file, line_no, msg));
            }
        }
    }
    (entries, queries, diags)
}

/// The columns [`read_table`] reads; any other column is reported once and ignored.
pub const COLUMNS: &[&str] = &["id", "question", "answer", "category", "locale", "tags"];

/// An eval file's answer texts (bitext's `kb_answers.tsv`): a tab-separated header holding
/// `label` and `answer` columns, then rows; the first answer of each label. An error is the
/// line and what is wrong.
pub fn read_answers(text: &str) -> Result<std::collections::HashMap<&str, &str>, (usize, String)> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| h.trim() == name).ok_or((1, format!("no `{name}` column")));
    let (label, answer) = (col("label")?, col("answer")?);
    let mut first: std::collections::HashMap<&str, &str> = Default::default();
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split('\t').collect();
        let (Some(l), Some(a)) = (cells.get(label), cells.get(answer)) else {
            return Err((i + 2, "fewer cells than the header".into()));
        };
        first.entry(l.trim()).or_insert(a.trim());
    }
    Ok(first)
}

/// Gives each entry read by [`read_eval`] (its id is its label) the answer `answers` has for
/// it, as Markdown; how many got one.
pub fn give_answers(entries: &mut [Entry], answers: &std::collections::HashMap<&str, &str>) -> usize {
    let mut given = 0;
    for e in entries {
        if let Some(a) = answers.get(e.id.as_str()) {
            e.answer = parse_answer(a).0;
            given += 1;
        }
    }
    given
}

/// A row of a table as read: the line it starts on and its cells as written, or the line and
/// what is wrong with it.
type Row = Result<(usize, Vec<String>), (usize, String)>;

/// Reads a CSV (`delimiter` b',') or TSV (b'\t') export with a header row.
///
/// CSV is RFC 4180: a cell holding a comma, quote or line break is written in double quotes.
/// TSV has no quoting: a cell cannot hold a tab, and a `"` is text, so one stray quote cannot
/// swallow the rows below it. The exception is Excel's TSV export: a cell wholly in quotes
/// with its inner quotes doubled (`"He said ""hi"""`) is unwrapped, and such a cell may run
/// over several lines (a cell holding line breaks), see [`tsv_records`].
///
/// A CSV whose header is separated by `;` and not by `,` (Excel's "CSV" where the decimal
/// comma is the custom) is read with `;` as the separator.
pub fn read_table(file: &str, text: &str, delimiter: u8, default_locale: Locale) -> (Vec<Entry>, Vec<Diagnostic>) {
    let delimiter = if delimiter == b',' && semicolon_separated(text) { b';' } else { delimiter };
    let tsv = delimiter == b'\t';
    let cell = |s: &str| if tsv { unquote(s.trim()) } else { s.trim().to_string() };
    let mut diags = Vec::new();
    // The line a record starts on, from its byte offset. After a CRLF line (as Excel saves)
    // the csv crate's position, line and byte alike, is the line break's `\n`, not the row
    // after it, so every line number of a Windows file was one too low; a `\n` at the
    // offset itself is counted as before it.
    let newlines: Vec<usize> = text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i).collect();
    let line_of = |byte: u64| newlines.partition_point(|&i| (i as u64) <= byte) + 1;
    // The header's raw cells, and each row as its line and raw cells (or what is wrong with it).
    let (raw_header, records): (Vec<String>, Vec<Row>) = if tsv {
        let mut recs = tsv_records(text).into_iter();
        let header = recs.next().map(|(_, cells)| cells).unwrap_or_default();
        (header, recs.map(Ok).collect())
    } else {
        let mut rdr = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
        let header = match rdr.headers() {
            Ok(h) => h.iter().map(String::from).collect(),
            Err(e) => return (vec![], vec![Diagnostic::error(file, 1, format!("cannot read header: {e}"))]),
        };
        let recs = rdr
            .records()
            .map(|rec| match rec {
                Ok(r) => Ok((r.position().map_or(0, |p| line_of(p.byte())), r.iter().map(String::from).collect())),
                Err(e) => Err((e.position().map_or(0, |p| line_of(p.byte())), format!("bad row: {e}"))),
            })
            .collect();
        (header, recs)
    };
    let headers: Vec<String> =
        raw_header.iter().map(|s| column_name(&cell(s.trim_start_matches('\u{feff}')).to_ascii_lowercase())).collect();
    // Spreadsheets may end the header with empty cells; those are no columns.
    let width = headers.iter().rposition(|h| !h.is_empty()).map_or(0, |p| p + 1);
    let headers = &headers[..width];
    for (i, h) in headers.iter().enumerate() {
        if !h.is_empty() && headers[..i].contains(h) {
            let msg = format!("the header names the column `{h}` twice; keep one (the second would be ignored)");
            diags.push(Diagnostic::error(file, 1, msg));
        }
    }
    let unknown: Vec<String> =
        headers.iter().filter(|h| !COLUMNS.contains(&h.as_str())).map(|h| unknown_column(h)).collect();
    if !unknown.is_empty() {
        let what = if unknown.len() == 1 { "column" } else { "columns" };
        let msg = format!(
            "{what} not read: {}; kefu reads the columns {} (or {})",
            unknown.join(", "),
            COLUMNS.join(", "),
            COLUMNS_ZH.join(", ")
        );
        diags.push(Diagnostic::warning(file, 1, msg));
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let Some(q_col) = col("question") else {
        let msg = format!(
            "header has no `question` column; kefu reads the columns {} (or {})",
            COLUMNS.join(", "),
            COLUMNS_ZH.join(", ")
        );
        diags.push(Diagnostic::error(file, 1, msg));
        return (vec![], diags);
    };
    let (a_col, c_col, id_col, l_col, t_col) = (col("answer"), col("category"), col("id"), col("locale"), col("tags"));
    let mut entries: Vec<Entry> = Vec::new();
    let mut key_to_pos: std::collections::HashMap<String, usize> = Default::default();
    // The answer each entry took, as written, and its line: a different one later is reported.
    let mut answers: std::collections::HashMap<usize, (String, usize)> = Default::default();
    // Quotes that garble cells, reported below; the rows they open on are told that way only.
    let quotes = if tsv { vec![] } else { stray_quotes(file, text, delimiter) };
    let mut rows = 0;
    for rec in records {
        rows += 1;
        let (line, raw) = match rec {
            Ok(r) => r,
            Err((line, msg)) => {
                diags.push(Diagnostic::error(file, line, msg));
                continue;
            }
        };
        let cells: Vec<String> = raw.iter().map(|c| cell(c)).collect();
        // A row of empty cells (spreadsheets leave them between rows) holds nothing to read.
        if cells.iter().all(|c| crate::analyze::visible(c).is_empty()) {
            rows -= 1;
            continue;
        }
        let written = cells.iter().rposition(|c| !c.is_empty()).map_or(0, |p| p + 1);
        if written > width {
            let hint = match delimiter {
                b'\t' => "a cell cannot hold a tab",
                b';' => "write a cell that holds a `;` in double quotes",
                _ => "write a cell that holds a comma in double quotes",
            };
            let msg = format!("this row has {written} cells but the header has {width} columns; {hint}");
            diags.push(Diagnostic::error(file, line, msg));
            continue;
        }
        if raw.len() < width && !quotes.iter().any(|d| d.line == line) {
            // A cell left out, or one split over two lines: the cells after it would be read
            // into the wrong columns or not at all.
            let missing: Vec<String> = headers[raw.len()..].iter().map(|h| format!("`{h}`")).collect();
            let msg = format!(
                "this row has {} of the header's {width} cells: no {} cell (read as empty); check that no cell is \
                 missing or split over two lines",
                raw.len(),
                missing.join(", ")
            );
            diags.push(Diagnostic::warning(file, line, msg));
        }
        let get = |c: Option<usize>| c.and_then(|c| cells.get(c)).map(String::as_str).unwrap_or("");
        let question = get(Some(q_col));
        // Zero-width characters alone (pasted from a web page or a chat app) show nothing either.
        if crate::analyze::visible(question).is_empty() {
            diags.push(Diagnostic::error(file, line, "row has an empty question"));
            continue;
        }
        let (answer, id) = (get(a_col), get(id_col));
        if !id.is_empty() && !valid_id(id) {
            diags.push(Diagnostic::error(file, line, bad_id_message(id)));
        }
        let key = if !id.is_empty() {
            id.to_string()
        } else if !answer.is_empty() {
            format!("answer:{answer}")
        } else {
            diags.push(Diagnostic::error(file, line, "row has neither an id nor an answer"));
            continue;
        };
        let pos = match key_to_pos.get(&key) {
            Some(&p) => p,
            None => {
                let id = if id.is_empty() { format!("{}-{}", stem_of(file), line) } else { id.to_string() };
                let locale = match get(l_col) {
                    "" => default_locale,
                    l => Locale::parse(l).unwrap_or_else(|| {
                        diags.push(Diagnostic::error(
                            file,
                            line,
                            format!("unknown locale `{l}` (use zh-CN, zh-TW or en)"),
                        ));
                        default_locale
                    }),
                };
                entries.push(Entry {
                    id,
                    category: match get(c_col) {
                        "" => "general".into(),
                        c => c.to_string(),
                    },
                    // Chinese spreadsheets separate with full-width marks and 、 as often.
                    tags: get(t_col)
                        .split([';', ',', '；', '，', '、'])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(String::from)
                        .collect(),
                    locale,
                    source: SourceRef { file: file.to_string(), line },
                    ..Default::default()
                });
                key_to_pos.insert(key, entries.len() - 1);
                entries.len() - 1
            }
        };
        let e = &mut entries[pos];
        e.questions.push(question.to_string());
        e.questions_at.push(line);
        match answers.get(&pos) {
            _ if answer.is_empty() => {}
            None => {
                let (parsed, d) = parse_answer(answer);
                e.answer = parsed;
                diags.extend(d.into_iter().map(|(_, severity, message)| Diagnostic {
                    severity,
                    file: file.to_string(),
                    line,
                    message,
                }));
                answers.insert(pos, (answer.to_string(), line));
            }
            Some((first, _)) if first == answer => {}
            Some((_, first_line)) => {
                let msg = format!(
                    "entry `{}` already has a different answer (line {first_line}); this row's answer is not \
                     used: leave it empty, or give the row its own id",
                    e.id
                );
                diags.push(Diagnostic::warning(file, line, msg));
            }
        }
    }
    if rows == 0 {
        diags.push(Diagnostic::warning(file, 1, "file has no entries"));
    }
    diags.extend(quotes);
    (entries, diags)
}

/// A CSV quote that garbles cells: one never closed (the csv reader takes everything after it,
/// to the end of the file, as one cell), or one closed in the middle of a cell, on its own line
/// (`"he said "hi""`, read as `he said hi""`) or lines later (by the opening quote of a later
/// cell: the rows between are one cell). Either way what staff wrote would be lost or changed
/// without a word. Each is reported at the line the quote opens.
fn stray_quotes(file: &str, text: &str, delimiter: u8) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let (mut line, mut field_start) = (1, true);
    // The line a quoted cell opened on, while in one.
    let mut open: Option<usize> = None;
    let mut bytes = text.bytes().peekable();
    while let Some(b) = bytes.next() {
        match (open, b) {
            (Some(_), b'"') if bytes.peek() == Some(&b'"') => {
                bytes.next();
            }
            (Some(from), b'"') => {
                open = None;
                field_start = false;
                let ends_cell = matches!(bytes.peek(), None | Some(b'\r' | b'\n')) || bytes.peek() == Some(&delimiter);
                if ends_cell {
                    continue;
                }
                let msg = if from < line {
                    format!(
                        "the quote `\"` opened here runs to line {line}, where it ends in the middle of a cell: \
                         the rows between are read as one cell; close the cell with `\"` where it ends, and write a \
                         `\"` inside a quoted cell as `\"\"`"
                    )
                } else {
                    "a quoted cell here ends at a `\"` in the middle of the cell, so the text after it is garbled; \
                     write a `\"` inside a quoted cell as `\"\"` (`\"he said \"\"hi\"\"\"`)"
                        .to_string()
                };
                out.push(Diagnostic::error(file, from, msg));
            }
            (_, b'\n') => {
                line += 1;
                field_start = open.is_none();
            }
            (Some(_), _) => {}
            (None, b'"') if field_start => open = Some(line),
            (None, b'\r') => field_start = true,
            (None, b) if b == delimiter => field_start = true,
            (None, _) => field_start = false,
        }
    }
    if let Some(from) = open {
        let msg = format!(
            "the quote `\"` opened here is never closed: everything after it ({} lines) is read as one cell; close \
             the cell with `\"`, and write a `\"` inside a quoted cell as `\"\"`",
            line - from + 1 - usize::from(text.ends_with('\n'))
        );
        out.push(Diagnostic::error(file, from, msg));
    }
    out
}

/// A TSV file's records: each as the line it starts on and its cells as written (Excel's
/// quotes kept, for [`unquote`]), blank lines skipped. A tab ends a cell and a line break ends
/// a record, except in a cell as Excel exports one that holds line breaks: the last cell of a
/// line opens with `"`, holds no single `"` (only doubled ones) and no tab, and a later line
/// closes it with a single `"` at a tab or at its end. Such a cell runs over those lines, its
/// line breaks kept. Any other `"` is text, so a stray quote cannot swallow rows.
fn tsv_records(text: &str) -> Vec<(usize, Vec<String>)> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let mut out = Vec::new();
    let mut n = 0;
    while n < lines.len() {
        let start = n;
        let mut cells: Vec<String> = lines[n].split('\t').map(String::from).collect();
        n += 1;
        // The last cell opens a quote its line does not close: look for the line that does.
        while cells.last().is_some_and(|c| opens_quote(c)) {
            let Some((k, at)) = closing_at(&lines[n..]).map(|(i, at)| (n + i, at)) else { break };
            let last = cells.last_mut().expect("checked above");
            for line in &lines[n..k] {
                last.push('\n');
                last.push_str(line);
            }
            let (end, rest) = lines[k].split_at(at);
            last.push('\n');
            last.push_str(end);
            if let Some(rest) = rest.strip_prefix('\t') {
                cells.extend(rest.split('\t').map(String::from));
            }
            n = k + 1;
        }
        if !(cells.len() == 1 && cells[0].trim().is_empty()) {
            out.push((start + 1, cells));
        }
    }
    out
}

/// True when `cell` opens an Excel quote it does not close: it starts with `"` and after it
/// holds only doubled quotes.
fn opens_quote(cell: &str) -> bool {
    let Some(inner) = cell.trim_start().strip_prefix('"') else { return false };
    let b = inner.as_bytes();
    let mut j = 0;
    while j < b.len() {
        match b[j] {
            b'"' if b.get(j + 1) == Some(&b'"') => j += 2,
            b'"' => return false,
            _ => j += 1,
        }
    }
    true
}

/// Where the quoted cell continued on `lines` closes: the line (index) and the byte just
/// after its closing `"`. None when a single `"` is followed by other text, a tab comes before
/// the close, or no line closes it: then it is no cell as Excel writes one.
fn closing_at(lines: &[&str]) -> Option<(usize, usize)> {
    for (i, line) in lines.iter().enumerate() {
        let b = line.as_bytes();
        let mut j = 0;
        while j < b.len() {
            match b[j] {
                b'"' if b.get(j + 1) == Some(&b'"') => j += 2,
                b'"' if matches!(b.get(j + 1), None | Some(b'\t')) => return Some((i, j + 1)),
                b'"' | b'\t' => return None,
                _ => j += 1,
            }
        }
    }
    None
}

/// A TSV cell as Excel exports it: `"…"` with every inner `"` doubled is unwrapped; any other
/// cell, a lone `"` inside included, is text as written.
fn unquote(cell: &str) -> String {
    let Some(inner) = cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')) else {
        return cell.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        // A single `"` inside: the quotes are part of the text, not Excel's.
        if c == '"' && chars.next() != Some('"') {
            return cell.to_string();
        }
        out.push(c);
    }
    out
}

/// The Chinese names of [`COLUMNS`], in its order, as staff write them in a header.
pub const COLUMNS_ZH: &[&str] = &["编号", "问题", "答案", "分类", "语言", "标签"];

/// A header cell as the column it names: [`COLUMNS`] as they are, and the Chinese names
/// staff write (simplified or traditional) as the column they mean.
fn column_name(h: &str) -> String {
    let name = match h {
        "编号" | "編號" | "序号" | "序號" => "id",
        "问题" | "問題" | "提问" | "提問" | "常见问题" | "常見問題" | "问法" | "問法" => "question",
        "答案" | "回答" | "答复" | "答覆" | "回复" | "回覆" | "解答" => "answer",
        "分类" | "分類" | "类别" | "類別" | "类目" | "類目" => "category",
        "语言" | "語言" => "locale",
        "标签" | "標籤" | "标签词" | "關鍵詞" | "关键词" => "tags",
        other => other,
    };
    name.to_string()
}

/// True when a CSV's header is separated by `;`: its first line holds no `,` but a `;`
/// between column names kefu reads, the question among them.
fn semicolon_separated(text: &str) -> bool {
    let header = text.lines().next().unwrap_or("").trim_start_matches('\u{feff}');
    !header.contains(',')
        && header.split(';').any(|h| column_name(&h.trim().trim_matches('"').to_ascii_lowercase()) == "question")
        && header.contains(';')
}

/// An unknown column for the warning: its name, and the column it likely meant.
fn unknown_column(name: &str) -> String {
    if name.is_empty() {
        return "a column with no name".to_string();
    }
    // A suggestion only for a name that shares letters with it (`问题` is two edits from `id`).
    let near = |d: usize, c: &str| d <= 2 && d < name.chars().count().min(c.len());
    match COLUMNS.iter().map(|&c| (strsim::levenshtein(name, c), c)).min() {
        Some((d, c)) if near(d, c) => format!("`{name}` (did you mean `{c}`?)"),
        _ => format!("`{name}`"),
    }
}

fn stem_of(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = name.split('.').next().unwrap_or(name);
    stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_rows_group_by_label() {
        let t = "split\tid\tlabel\ttext\nkb\ta::1\ta\thello\nkb\ta::2\ta\thi there\nkb\tb::1\tb\tbye\nquery\tq1\t__none__\twhat\n";
        let (e, q, d) = read_eval("e.tsv", t, Locale::En);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].questions, ["hello", "hi there"]);
        assert_eq!(q[0].label, OUT_OF_SCOPE);
    }

    #[test]
    fn every_bad_eval_row_is_reported() {
        let t = "split\tid\tlabel\ttext\nkb\tx\nfoo\tq1\ta\thi\nkb\ta::1\t\thello\nkb\ta::2\ta\t \n\
                 kb\t\ta\thello\nkb\tb::1\t__none__\thi\nkb\tc::1\tc\tfine\nquery\tq2\tc\tfine?\n";
        let (e, q, d) = read_eval("e.tsv", t, Locale::En);
        let got: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            got,
            [
                "e.tsv:2: error: expected 4 tab-separated columns, found 2",
                "e.tsv:3: error: unknown split `foo` (expected kb or query)",
                "e.tsv:4: error: the row's label is empty",
                "e.tsv:5: error: the row's text is empty",
                "e.tsv:6: error: the row's id is empty",
                "e.tsv:7: error: a kb row cannot have the out-of-scope label",
            ]
        );
        // The sound rows are still read.
        assert_eq!((e.len(), e[0].id.as_str(), q.len()), (1, "c", 1));
    }

    #[test]
    fn tsv_quotes_are_text_and_cannot_swallow_rows() {
        let t = "question\tanswer\tcategory\n\"Buy now\" button does nothing?\tReload the page.\tgeneral\n\
                 \"Express delivery - how fast?\tNext day.\tshipping\nCan I pay by card?\tYes, we take \"all\" cards.\tpayment\n\
                 \"He said \"\"hi\"\"\"\t\"Say \"\"hello\"\"\"\t\"general\"\n";
        let (e, d) = read_table("f.tsv", t, b'\t', Locale::En);
        assert!(d.is_empty(), "{d:?}");
        let rows: Vec<(&str, String, &str)> =
            e.iter().map(|e| (e.questions[0].as_str(), e.answer.plain_text(), e.category.as_str())).collect();
        assert_eq!(
            rows,
            [
                ("\"Buy now\" button does nothing?", "Reload the page.".to_string(), "general"),
                ("\"Express delivery - how fast?", "Next day.".to_string(), "shipping"),
                ("Can I pay by card?", "Yes, we take \"all\" cards.".to_string(), "payment"),
                // Excel's quoting is unwrapped.
                ("He said \"hi\"", "Say \"hello\"".to_string(), "general"),
            ]
        );
        assert_eq!(e[3].questions_at, [5]);
        // CSV keeps RFC 4180 quoting: a quoted cell may hold commas and line breaks.
        let (e, d) =
            read_table("f.csv", "question,answer\n\"Hi, there\",\"Line one\nline \"\"two\"\"\"\n", b',', Locale::En);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            (e[0].questions[0].as_str(), e[0].answer.plain_text()),
            ("Hi, there", "Line one line \"two\"".into())
        );
    }

    #[test]
    fn an_excel_tsv_cell_with_line_breaks_is_one_cell() {
        // As Excel saves it: CRLF, the cell with a line break in quotes.
        let t = "question\tanswer\tcategory\r\nhow return\t\"Line one\r\nLine two\"\treturns\r\nship time\t2 days\tshipping\r\n\
                 \"Say \"\"hi\"\"\r\n\r\nor hello\"\t\"Hi\tgeneral\r\n\"Buy now\r\nq2\ta2\tgeneral\r\n";
        let (e, d) = read_table("t.tsv", t, b'\t', Locale::En);
        let rows: Vec<(&str, String, &str, usize)> = e
            .iter()
            .map(|e| (e.questions[0].as_str(), e.answer.plain_text(), e.category.as_str(), e.questions_at[0]))
            .collect();
        assert_eq!(
            rows,
            [
                ("how return", "Line one Line two".to_string(), "returns", 2),
                ("ship time", "2 days".to_string(), "shipping", 4),
                // A first cell over three lines, a blank one among them; the quote of `"Hi`
                // opens no cell (it is not the last of its line) and is text.
                ("Say \"hi\"\n\nor hello", "\"Hi".to_string(), "general", 5),
                ("q2", "a2".to_string(), "general", 9),
            ]
        );
        // A quote never closed as Excel would close it is text, and the rows below it are rows:
        // here one row short of a cell, which is named.
        let got: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            got,
            ["t.tsv:8: warning: this row has 1 of the header's 3 cells: no `answer`, `category` cell (read as empty); \
              check that no cell is missing or split over two lines",
             "t.tsv:8: error: row has neither an id nor an answer"]
        );
    }

    #[test]
    fn rows_with_fewer_cells_than_the_header_are_named() {
        for (name, delim, t) in [
            ("f.tsv", b'\t', "question\tanswer\tcategory\nq1\ta1\nq2\ta2\tc\n"),
            ("f.csv", b',', "question,answer,category\nq1,a1\nq2,a2,c\n"),
        ] {
            let (e, d) = read_table(name, t, delim, Locale::En);
            let got: Vec<String> = d.iter().map(|d| d.to_string()).collect();
            let want = format!(
                "{name}:2: warning: this row has 2 of the header's 3 cells: no `category` cell (read as empty); \
                 check that no cell is missing or split over two lines"
            );
            assert_eq!(got, [want]);
            assert_eq!(e.len(), 2);
        }
    }

    #[test]
    fn table_columns_and_ids_are_checked() {
        let check = |t: &str| {
            let (_, d) = read_table("f.tsv", t, b'\t', Locale::En);
            d.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        };
        assert_eq!(
            check("question\tanswer\tcategroy\tlocal\nq\ta\tc\tzh-CN\n"),
            ["f.tsv:1: warning: columns not read: `categroy` (did you mean `category`?), `local` (did you mean \
              `locale`?); kefu reads the columns id, question, answer, category, locale, tags (or 编号, 问题, 答案, \
              分类, 语言, 标签)"]
        );
        assert_eq!(
            check("question\tanswer\tquestion\nA?\ta\tB?\n"),
            ["f.tsv:1: error: the header names the column `question` twice; keep one (the second would be ignored)"]
        );
        // Extra cells are an error; empty ones at the end of a row (as spreadsheets write them) are not.
        assert_eq!(
            check("question\tanswer\nq1\ta\tstray\tmore\nq2\tb\t\t\n"),
            ["f.tsv:2: error: this row has 4 cells but the header has 2 columns; a cell cannot hold a tab"]
        );
        assert_eq!(
            check("id\tquestion\tanswer\nbad id!\tq\ta\n"),
            ["f.tsv:2: error: id `bad id!` may only hold letters, digits, `-`, `_` and `.`"]
        );
        assert_eq!(
            check("id\tquestion\tanswer\nr\tq1\tFirst.\nr\tq2\t\nr\tq3\tFirst.\nr\tq4\tSecond.\n"),
            ["f.tsv:5: warning: entry `r` already has a different answer (line 2); this row's answer is not used: \
              leave it empty, or give the row its own id"]
        );
        assert_eq!(check("question\tanswer\n"), ["f.tsv:1: warning: file has no entries"]);
        // A question of zero-width characters alone is as empty as one of nothing.
        assert_eq!(
            check("question\tanswer\n\u{200b}\u{feff}\ta\nq\tb\n"),
            ["f.tsv:2: error: row has an empty question"]
        );
    }

    #[test]
    fn a_csv_quote_that_swallows_rows_is_an_error_on_its_line() {
        let check = |t: &str| {
            let (_, d) = read_table("f.csv", t, b',', Locale::En);
            d.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        };
        // Never closed: the rows below it were one cell of line 2, without a word.
        assert_eq!(
            check("question,answer,category\nReturn window?,\"7 days, see policy,returns\nWhere is my parcel?,Check My orders,shipping\nCard?,Yes,payment\n"),
            ["f.csv:2: error: the quote `\"` opened here is never closed: everything after it (3 lines) is read as one \
              cell; close the cell with `\"`, and write a `\"` inside a quoted cell as `\"\"`"]
        );
        // Closed by the next quoted cell's opening quote, lines later: the cells that follow
        // are shifted (other messages), and this one says why.
        let got =
            check("question,answer,category,tags\nReturn window?,\"7 days\nParcel?,Check orders\n\"Hi, there\",Hi\n");
        let want = "f.csv:2: error: the quote `\"` opened here runs to line 4, where it ends in the middle of a cell: \
                    the rows between are read as one cell; close the cell with `\"` where it ends, and write a `\"` \
                    inside a quoted cell as `\"\"`";
        assert!(got.iter().any(|d| d == want), "{got:?}");
        // A quote that ends a quoted cell in its middle, on its own line: the cell was read as
        // `he said hi""` without a word.
        assert_eq!(
            check("question,answer,category\nwhat is 12\" pizza,\"he said \"hi\"\",general\nok?,\"fine\" ,general\n"),
            [
                "f.csv:2: error: a quoted cell here ends at a `\"` in the middle of the cell, so the text after it is \
                 garbled; write a `\"` inside a quoted cell as `\"\"` (`\"he said \"\"hi\"\"\"`)",
                "f.csv:3: error: a quoted cell here ends at a `\"` in the middle of the cell, so the text after it is \
                 garbled; write a `\"` inside a quoted cell as `\"\"` (`\"he said \"\"hi\"\"\"`)"
            ]
        );
        // Quoted cells with line breaks, doubled quotes, CRLF, a quote inside an unquoted cell.
        assert!(check("question,answer\r\n\"Hi, there\",\"Line one\r\nline \"\"two\"\"\"\r\n5\" screen?,Yes\r\n")
            .is_empty());
    }

    #[test]
    fn line_numbers_are_the_same_with_windows_line_endings() {
        // Excel saves CSV with CRLF: every message named the line before the row's own.
        // `a`'s question spans lines 2–3 (a quoted CSV cell): `b` (no question) is on line 4,
        // `c` (a cell too many) on line 5; TSV has no quoted cells, so one line less.
        let csv = "id,question,answer,category\na,\"q\n1\",ans,shipping\nb,,ans,shipping\nc,q3,ans3,shipping,extra\n";
        let tsv =
            "id\tquestion\tanswer\tcategory\na\tq1\tans\tshipping\nb\t\tans\tshipping\nc\tq3\tans3\tshipping\textra\n";
        for (name, delim, lf, want) in [("f.csv", b',', csv, [4, 5]), ("f.tsv", b'\t', tsv, [3, 4])] {
            for (sep, text) in [("LF", lf.to_string()), ("CRLF", lf.replace('\n', "\r\n"))] {
                let (_, d) = read_table(name, &text, delim, Locale::En);
                let lines: Vec<usize> = d.iter().map(|d| d.line).collect();
                assert_eq!(lines, want, "{sep} {name}: {d:?}");
            }
        }
    }

    #[test]
    fn csv_rows_with_one_id_are_alternates() {
        let t = "id,question,answer,category\nr,How to return?,**7 days**,returns\nr,return item,,returns\n,Pay by card?,Yes,payment\n";
        let (e, d) = read_table("f.csv", t, b',', Locale::En);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].questions.len(), 2);
        assert_eq!(e[0].answer.plain_text(), "7 days");
        assert_eq!(e[1].id, "f-4");
        let (_, d) = read_table("f.csv", "question,answer\n,x\n", b',', Locale::En);
        assert_eq!((d[0].line, d[0].file.as_str()), (2, "f.csv"));
    }

    #[test]
    fn excel_csv_with_semicolons_chinese_headers_and_empty_rows_is_read() {
        // Excel's CSV where the decimal comma is the custom: `;` between cells.
        let t =
            "question;answer;category\r\nhow return;\"7 days; see policy\";returns\r\nship time;2,5 days;shipping\r\n";
        let (e, d) = read_table("f.csv", t, b',', Locale::En);
        assert!(d.is_empty(), "{d:?}");
        let rows: Vec<(&str, String)> = e.iter().map(|e| (e.questions[0].as_str(), e.answer.plain_text())).collect();
        assert_eq!(rows, [("how return", "7 days; see policy".into()), ("ship time", "2,5 days".into())]);
        // Chinese column names, traditional ones too.
        for header in ["问题,答案,分类,标签", "問題,答案,分類,標籤"] {
            let (e, d) =
                read_table("f.csv", &format!("{header}\n退货要多久,七天内,returns,退货\n"), b',', Locale::ZhCn);
            assert!(d.is_empty(), "{d:?}");
            assert_eq!((e[0].questions[0].as_str(), e[0].category.as_str()), ("退货要多久", "returns"));
            assert_eq!((e[0].answer.plain_text(), e[0].tags.clone()), ("七天内".to_string(), vec!["退货".to_string()]));
        }
        // An unknown Chinese column gets no made-up suggestion; a missing question names the columns.
        let (_, d) = read_table("f.csv", "题目,答案\nq,a\n", b',', Locale::ZhCn);
        let got: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            got,
            [
                "f.csv:1: warning: column not read: `题目`; kefu reads the columns id, question, answer, category, \
                 locale, tags (or 编号, 问题, 答案, 分类, 语言, 标签)",
                "f.csv:1: error: header has no `question` column; kefu reads the columns id, question, answer, \
                 category, locale, tags (or 编号, 问题, 答案, 分类, 语言, 标签)"
            ]
        );
        // Rows of empty cells are skipped; a row with an answer and no question is still an error.
        let (e, d) =
            read_table("f.csv", "question,answer,category\nq1,a1,c\n,,\n , ,\nq2,a2,c\n,a3,c\n", b',', Locale::En);
        let got: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        assert_eq!(got, ["f.csv:6: error: row has an empty question"]);
        assert_eq!(e.len(), 2);
        let (_, d) = read_table("f.tsv", "question\tanswer\n\t\n\t\n", b'\t', Locale::En);
        assert_eq!(d.iter().map(|d| d.to_string()).collect::<Vec<_>>(), ["f.tsv:1: warning: file has no entries"]);
    }

    #[test]
    fn tags_separated_by_chinese_punctuation_are_several_tags() {
        let t = "question\tanswer\ttags\n七天无理由退货怎么申请\t收到 7 天内可以退\t退货，售后、七天；无理由; ok\n";
        let (e, d) = read_table("f.tsv", t, b'\t', Locale::ZhCn);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(e[0].tags, ["退货", "售后", "七天", "无理由", "ok"]);
    }
}
