//! `kefu check`: the rules a KB must follow before it is built, each finding with file and line.

use super::{Diagnostic, Entry, Kb, SourceRef};
use crate::analyze::normalize;
use std::collections::HashMap;

/// Categories kefu knows; others are accepted with a warning.
pub const CATEGORIES: &[&str] = &[
    "product",
    "order",
    "shipping",
    "returns",
    "payment",
    "account",
    "complaint",
    "promotion",
    "invoice",
    "warranty",
    "general",
];

/// Answers longer than this (characters) are hard to read in a chat bubble.
pub const MAX_ANSWER_CHARS: usize = 1200;

/// Checks a whole KB. Readers report syntax problems and missing fields; this reports the
/// cross-entry rules and the rules on field values. Findings about a field point at its line
/// (see [`super::FieldLines`]) and every finding of every entry is reported.
pub fn lint(kb: &Kb) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut ids: HashMap<&str, SourceRef> = HashMap::new();
    for e in &kb.entries {
        // An entry without an id has been reported by its reader.
        if e.id.is_empty() {
            continue;
        }
        let here = SourceRef { file: e.source.file.clone(), line: field_line(e, e.lines.id) };
        if let Some(first) = ids.get(e.id.as_str()) {
            out.push(Diagnostic::error(
                &here.file,
                here.line,
                format!("duplicate id `{}` (first defined at {first})", e.id),
            ));
        } else {
            ids.insert(&e.id, here);
        }
    }
    // Normalized question -> (entry index, file, line) of its first occurrence.
    let mut questions: HashMap<String, (usize, &str, usize)> = HashMap::new();
    for (n, e) in kb.entries.iter().enumerate() {
        let file = e.source.file.as_str();
        if e.answer.is_empty() && !e.answer_optional {
            out.push(Diagnostic::error(
                file,
                field_line(e, e.lines.answer),
                format!("{} has an empty answer", name(e)),
            ));
        }
        let len = e.answer.plain_text().chars().count();
        if len > MAX_ANSWER_CHARS {
            out.push(Diagnostic::warning(
                file,
                field_line(e, e.lines.answer),
                format!("answer of {} has {len} characters; keep chat answers under {MAX_ANSWER_CHARS}", of(e)),
            ));
        }
        if !CATEGORIES.contains(&e.category.as_str()) {
            out.push(Diagnostic::warning(
                file,
                field_line(e, e.lines.category),
                format!("unknown category `{}` (known: {})", e.category, CATEGORIES.join(", ")),
            ));
        }
        for (i, q) in e.quick_replies.iter().enumerate() {
            if !ids.contains_key(q.as_str()) {
                out.push(Diagnostic::error(
                    file,
                    field_line(e, e.lines.quick_replies.get(i).copied().unwrap_or(0)),
                    format!("quick reply `{q}` of {} names no entry", of(e)),
                ));
            }
        }
        for (i, q) in e.questions.iter().enumerate() {
            let line = field_line(e, e.questions_at.get(i).copied().unwrap_or(0));
            let key: String = normalize(q).split_whitespace().collect::<Vec<_>>().join(" ");
            match questions.get(&key) {
                None => {
                    questions.insert(key, (n, file, line));
                }
                // The same entry again, or entries sharing an id (reported as duplicates above).
                Some(&(other, ..)) if other == n || (!e.id.is_empty() && kb.entries[other].id == e.id) => {}
                Some(&(other, other_file, l)) => out.push(Diagnostic::warning(
                    file,
                    line,
                    format!(
                        "question \"{q}\" of {} is also a question of {} ({other_file}:{l}); shoppers asking it get either",
                        of(e),
                        of(&kb.entries[other])
                    ),
                )),
            }
        }
    }
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    out
}

/// `line` when the reader knew the field's line, else the line where the entry starts.
fn field_line(e: &Entry, line: usize) -> usize {
    if line > 0 {
        line
    } else {
        e.source.line
    }
}

/// How a message names an entry as its subject: by id, or plainly when it has none.
fn name(e: &Entry) -> String {
    if e.id.is_empty() {
        "entry".to_string()
    } else {
        format!("entry `{}`", e.id)
    }
}

/// How a message names an entry after "of": by id, or by where it starts when it has none.
fn of(e: &Entry) -> String {
    if e.id.is_empty() {
        format!("the entry at {}", e.source)
    } else {
        format!("`{}`", e.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::{markdown, Locale, Severity};

    #[test]
    fn finds_each_rule() {
        let text = "---\nid: a\nquestions: [Refund?]\ncategory: returns\nquick_replies: [zz]\n---\nok\n---\nid: a\nquestions: [x]\ncategory: weird\n---\n\n---\nid: b\nquestions: [refund?]\ncategory: returns\n---\nok\n";
        let (entries, d) = markdown::read("k.md", text, Locale::En);
        assert!(d.is_empty());
        let diags = lint(&Kb { entries, ..Default::default() });
        let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(msgs.iter().any(|m| m.starts_with("k.md:9: error: duplicate id `a`")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("empty answer")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("quick reply `zz`")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("unknown category")), "{msgs:?}");
        assert!(
            diags.iter().any(|d| d.severity == Severity::Warning && d.message.contains("also a question")),
            "{msgs:?}"
        );
    }

    fn check(text: &str) -> Vec<String> {
        let (entries, mut diags) = markdown::read("k.md", text, Locale::En);
        diags.extend(lint(&Kb { entries, ..Default::default() }));
        diags.sort_by_key(|d| d.line);
        diags.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn findings_about_a_field_point_at_its_line() {
        let long = "x".repeat(MAX_ANSWER_CHARS + 100);
        let text = format!(
            "---\nid: a\nquestions:\n  - Refund?\n  - money back\ncategory: weird\nquick_replies:\n  - b\n  - zz\n---\n\nok\n\
             ---\nid: b\nquestions: [refund?]\ncategory: returns\nquick_replies: [nope]\n---\n\
             ---\nid: a\nquestions: [x]\ncategory: returns\n---\n{long}\n"
        );
        let known = CATEGORIES.join(", ");
        assert_eq!(
            check(&text),
            [
                format!("k.md:6: warning: unknown category `weird` (known: {known})"),
                "k.md:9: error: quick reply `zz` of `a` names no entry".into(),
                "k.md:15: warning: question \"refund?\" of `b` is also a question of `a` (k.md:4); shoppers asking \
                 it get either"
                    .into(),
                "k.md:17: error: quick reply `nope` of `b` names no entry".into(),
                "k.md:18: error: entry `b` has an empty answer".into(),
                "k.md:20: error: duplicate id `a` (first defined at k.md:2)".into(),
                format!("k.md:24: warning: answer of `a` has {} characters; keep chat answers under 1200", long.len()),
            ]
        );
    }

    #[test]
    fn all_errors_of_an_entry_are_reported_at_once() {
        // No id, an unknown quick reply and an empty answer, then YAML, locale and list errors.
        let text = "---\nquestions: [Where is my parcel?]\ncategory: shipping\nquick_replies: [nope]\n---\n\
                    ---\nid: b\nquestions:\n  - Where is it?\ncategory: shipping\n- another question\nlocale: fr\n\
                    tags: urgent\n---\nIt is on its way.\n";
        assert_eq!(
            check(text),
            [
                "k.md:1: error: entry has no `id`",
                "k.md:4: error: quick reply `nope` of the entry at k.md:1 names no entry",
                "k.md:5: error: entry has an empty answer",
                "k.md:11: error: a list item here belongs to no field (`category:` takes one value); put it under \
                 `questions:` or the list it belongs to",
                "k.md:12: error: unknown locale `fr` (use zh-CN, zh-TW or en)",
                "k.md:13: error: `tags:` takes a list; write each item on its own line below it, starting with `- `",
            ]
        );
    }

    #[test]
    fn blank_questions_are_left_out_with_a_warning_on_their_line() {
        // Empty, quoted empty, and zero-width characters only (U+200B, U+200C, U+200D, U+FEFF,
        // U+2060): nothing a shopper could type, so no question.
        let text =
            "---\nid: a\nquestions:\n  - How do I return?\n  -\n  - \"\u{200b}\"\n  - \u{200c}\u{200d}\u{2060}\n  \
                    - \"\u{feff}\"\n  - ''\ncategory: returns\n---\nWithin 7 days.\n";
        let blank = "warning: this item of `questions:` is blank (nothing visible: empty, or zero-width characters \
                     only), so it is left out; write the question, or delete the line";
        let want: Vec<String> = (5..=9).map(|line| format!("k.md:{line}: {blank}")).collect();
        assert_eq!(check(text), want);
        let (entries, _) = markdown::read("k.md", text, Locale::En);
        assert_eq!(
            (entries[0].questions.as_slice(), entries[0].questions_at.as_slice()),
            (&["How do I return?".to_string()][..], &[4][..])
        );
        // With no question left the entry has none: still an error.
        assert_eq!(
            check("---\nid: a\nquestions:\n  - \u{200b}\ncategory: returns\n---\nWithin 7 days.\n"),
            ["k.md:3: error: entry `a` has no questions".to_string(), format!("k.md:4: {blank}")]
        );
    }

    #[test]
    fn entries_without_field_lines_point_at_their_start() {
        let (entries, d) =
            crate::kb::table::read_table("f.csv", "question,answer,category\nHi?,Hello,weird\n", b',', Locale::En);
        assert!(d.is_empty(), "{d:?}");
        let diags = lint(&Kb { entries, ..Default::default() });
        assert_eq!((diags.len(), diags[0].line), (1, 2), "{diags:?}");
    }
}
