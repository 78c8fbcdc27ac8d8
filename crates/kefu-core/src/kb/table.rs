//! Reads tabular KB sources: CSV/TSV exports (question, answer, category …) and the
//! evaluation TSV format (`split id label text`) of the shared evaluation data.

use super::markdown::parse_answer;
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
/// `query` rows come back as queries.
pub fn read_eval(file: &str, text: &str, locale: Locale) -> Result<(Vec<Entry>, Vec<EvalQuery>), Diagnostic> {
    if !is_eval_format(text) {
        return Err(Diagnostic::error(file, 1, "expected the header `split<TAB>id<TAB>label<TAB>text`"));
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
            return Err(Diagnostic::error(
                file,
                line_no,
                format!("expected 4 tab-separated columns, found {}", cols.len()),
            ));
        }
        let (split, label, text) = (cols[0].trim(), cols[2].trim(), cols[3].trim());
        match split {
            "kb" => {
                if label == OUT_OF_SCOPE {
                    return Err(Diagnostic::error(file, line_no, "a kb row cannot have the out-of-scope label"));
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
                return Err(Diagnostic::error(file, line_no, format!("unknown split `{other}` (expected kb or query)")))
            }
        }
    }
    Ok((entries, queries))
}

/// Reads a CSV (`delimiter` b',') or TSV (b'\t') export with a header row.
pub fn read_table(file: &str, text: &str, delimiter: u8, default_locale: Locale) -> (Vec<Entry>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut rdr = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.trim().trim_start_matches('\u{feff}').to_ascii_lowercase()).collect(),
        Err(e) => return (vec![], vec![Diagnostic::error(file, 1, format!("cannot read header: {e}"))]),
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let Some(q_col) = col("question") else {
        return (vec![], vec![Diagnostic::error(file, 1, "header has no `question` column")]);
    };
    let (a_col, c_col, id_col, l_col, t_col) = (col("answer"), col("category"), col("id"), col("locale"), col("tags"));
    let mut entries: Vec<Entry> = Vec::new();
    let mut key_to_pos: std::collections::HashMap<String, usize> = Default::default();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                diags.push(Diagnostic::error(file, line, format!("bad row: {e}")));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map(str::trim).unwrap_or("");
        let question = get(Some(q_col));
        if question.is_empty() {
            diags.push(Diagnostic::error(file, line, "row has an empty question"));
            continue;
        }
        let answer = get(a_col);
        let key = if id_col.is_some() && !get(id_col).is_empty() {
            get(id_col).to_string()
        } else if !answer.is_empty() {
            format!("answer:{answer}")
        } else {
            diags.push(Diagnostic::error(file, line, "row has neither an id nor an answer"));
            continue;
        };
        let pos = match key_to_pos.get(&key) {
            Some(&p) => p,
            None => {
                let id = if get(id_col).is_empty() {
                    format!("{}-{}", stem_of(file), line)
                } else {
                    get(id_col).to_string()
                };
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
                    tags: get(t_col)
                        .split([';', ','])
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
        if e.answer.is_empty() && !answer.is_empty() {
            let (parsed, d) = parse_answer(answer);
            e.answer = parsed;
            diags.extend(d.into_iter().map(|(_, m)| Diagnostic::error(file, line, m)));
        }
    }
    (entries, diags)
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
        let (e, q) = read_eval("e.tsv", t, Locale::En).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].questions, ["hello", "hi there"]);
        assert_eq!(q[0].label, OUT_OF_SCOPE);
        let bad = read_eval("e.tsv", "split\tid\tlabel\ttext\nkb\tx\n", Locale::En).unwrap_err();
        assert_eq!(bad.line, 2);
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
}
