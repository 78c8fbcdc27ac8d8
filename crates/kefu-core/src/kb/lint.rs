//! `kefu check`: the rules a KB must follow before it is built, each finding with file and line.

use super::{Diagnostic, Kb};
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

/// Checks a whole KB. Readers report syntax problems; this reports the cross-entry rules.
pub fn lint(kb: &Kb) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut ids: HashMap<&str, &super::SourceRef> = HashMap::new();
    for e in &kb.entries {
        if let Some(first) = ids.get(e.id.as_str()) {
            out.push(Diagnostic::error(
                &e.source.file,
                e.source.line,
                format!("duplicate id `{}` (first defined at {first})", e.id),
            ));
        } else {
            ids.insert(&e.id, &e.source);
        }
    }
    let mut questions: HashMap<String, (&str, &str, usize)> = HashMap::new();
    for e in &kb.entries {
        if e.questions.is_empty() {
            out.push(Diagnostic::error(&e.source.file, e.source.line, format!("entry `{}` has no questions", e.id)));
        }
        if e.answer.is_empty() && !e.answer_optional {
            out.push(Diagnostic::error(&e.source.file, e.source.line, format!("entry `{}` has an empty answer", e.id)));
        }
        let len = e.answer.plain_text().chars().count();
        if len > MAX_ANSWER_CHARS {
            out.push(Diagnostic::warning(
                &e.source.file,
                e.source.line,
                format!("answer of `{}` has {len} characters; keep chat answers under {MAX_ANSWER_CHARS}", e.id),
            ));
        }
        if !CATEGORIES.contains(&e.category.as_str()) {
            out.push(Diagnostic::warning(
                &e.source.file,
                e.source.line,
                format!("unknown category `{}` (known: {})", e.category, CATEGORIES.join(", ")),
            ));
        }
        for q in &e.quick_replies {
            if !ids.contains_key(q.as_str()) {
                out.push(Diagnostic::error(
                    &e.source.file,
                    e.source.line,
                    format!("quick reply `{q}` of `{}` names no entry", e.id),
                ));
            }
        }
        for (i, q) in e.questions.iter().enumerate() {
            let line = e.questions_at.get(i).copied().filter(|&l| l > 0).unwrap_or(e.source.line);
            let key: String = normalize(q).split_whitespace().collect::<Vec<_>>().join(" ");
            match questions.get(&key) {
                Some(&(other, file, l)) if other != e.id => out.push(Diagnostic::warning(
                    &e.source.file,
                    line,
                    format!("question \"{q}\" of `{}` is also a question of `{other}` ({file}:{l}); shoppers asking it get either", e.id),
                )),
                Some(_) => {}
                None => {
                    questions.insert(key, (&e.id, &e.source.file, line));
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    out
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
        assert!(msgs.iter().any(|m| m.starts_with("k.md:8: error: duplicate id `a`")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("empty answer")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("quick reply `zz`")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("unknown category")), "{msgs:?}");
        assert!(
            diags.iter().any(|d| d.severity == Severity::Warning && d.message.contains("also a question")),
            "{msgs:?}"
        );
    }
}
