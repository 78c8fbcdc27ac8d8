//! Reads Markdown KB files: entries of YAML front matter between `---` lines, each followed
//! by its answer in a Markdown subset that is parsed here, once, into [`Answer`] blocks.

use super::{Answer, Block, Diagnostic, Entry, Inline, Link, Locale};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: Option<String>,
    #[serde(default)]
    questions: Vec<String>,
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    locale: Option<String>,
    #[serde(default)]
    quick_replies: Vec<String>,
    #[serde(default)]
    links: Vec<LinkDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkDef {
    title: String,
    url: String,
}

/// Reads the entries of one Markdown file. `default_locale` applies where an entry names none.
/// Problems come back as diagnostics naming `file` and the line; entries with errors are
/// still returned when they can be, so `kefu check` reports everything at once.
pub fn read(file: &str, text: &str, default_locale: Locale) -> (Vec<Entry>, Vec<Diagnostic>) {
    let mut entries = Vec::new();
    let mut diags = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() && lines[i].trim().is_empty() {
        i += 1;
    }
    if i == lines.len() {
        diags.push(Diagnostic::warning(file, 1, "file has no entries"));
        return (entries, diags);
    }
    if lines[i].trim_end() != "---" {
        diags.push(Diagnostic::error(file, i + 1, "expected `---` to open an entry's front matter"));
        return (entries, diags);
    }
    while i < lines.len() {
        // lines[i] is `---`: the front matter runs to the next `---`.
        let fm_start = i + 1;
        let Some(fm_end) = (fm_start..lines.len()).find(|&j| lines[j].trim_end() == "---") else {
            diags.push(Diagnostic::error(file, i + 1, "front matter is not closed by a `---` line"));
            break;
        };
        let body_start = fm_end + 1;
        let body_end = (body_start..lines.len()).find(|&j| lines[j].trim_end() == "---").unwrap_or(lines.len());
        let fm_text = lines[fm_start..fm_end].join("\n");
        let body = lines[body_start..body_end].join("\n");
        if let Some(e) =
            entry(file, fm_start, &lines[fm_start..fm_end], &fm_text, &body, body_start + 1, default_locale, &mut diags)
        {
            entries.push(e);
        }
        i = body_end;
    }
    (entries, diags)
}

#[allow(clippy::too_many_arguments)]
fn entry(
    file: &str,
    fm_start: usize,
    fm_lines: &[&str],
    fm_text: &str,
    body: &str,
    body_line: usize,
    default_locale: Locale,
    diags: &mut Vec<Diagnostic>,
) -> Option<Entry> {
    let entry_line = fm_start; // the `---` line, 1-based
    let fm: FrontMatter = match serde_yaml_ng::from_str(fm_text) {
        Ok(fm) => fm,
        Err(e) => {
            let line = e.location().map(|l| fm_start + l.line()).unwrap_or(entry_line);
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            diags.push(Diagnostic::error(file, line, format!("front matter: {msg}")));
            return None;
        }
    };
    let line_of = |needle: &str| -> usize {
        fm_lines.iter().position(|l| l.contains(needle)).map(|p| fm_start + p + 1).unwrap_or(entry_line)
    };
    let id = match fm.id {
        Some(id) if !id.trim().is_empty() => id.trim().to_string(),
        _ => {
            diags.push(Diagnostic::error(file, entry_line, "entry has no `id`"));
            return None;
        }
    };
    if !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        diags.push(Diagnostic::error(
            file,
            line_of("id:"),
            format!("id `{id}` may only hold letters, digits, `-`, `_` and `.`"),
        ));
    }
    let questions: Vec<String> = fm.questions.iter().map(|q| q.trim().to_string()).filter(|q| !q.is_empty()).collect();
    if questions.is_empty() {
        diags.push(Diagnostic::error(file, line_of("questions"), format!("entry `{id}` has no questions")));
    }
    let locale = match fm.locale.as_deref() {
        None => default_locale,
        Some(l) => match Locale::parse(l) {
            Some(l) => l,
            None => {
                diags.push(Diagnostic::error(
                    file,
                    line_of("locale:"),
                    format!("unknown locale `{l}` (use zh-CN, zh-TW or en)"),
                ));
                default_locale
            }
        },
    };
    let category = match fm.category {
        Some(c) if !c.trim().is_empty() => c.trim().to_string(),
        _ => {
            diags.push(Diagnostic::error(file, entry_line, format!("entry `{id}` has no `category`")));
            "general".to_string()
        }
    };
    let mut links = Vec::new();
    for l in fm.links {
        if safe_url(&l.url) {
            links.push(Link { title: l.title, url: l.url });
        } else {
            diags.push(Diagnostic::error(
                file,
                line_of(&l.url),
                format!(
                    "link `{}` uses a scheme that is not allowed (http, https, mailto, tel or a relative path)",
                    l.url
                ),
            ));
        }
    }
    let (answer, answer_diags) = parse_answer(body);
    for (offset, msg) in answer_diags {
        diags.push(Diagnostic::error(file, body_line + offset, msg));
    }
    let questions_at = questions.iter().map(|q| line_of(q)).collect();
    Some(Entry {
        id,
        questions,
        category,
        tags: fm.tags,
        locale,
        quick_replies: fm.quick_replies,
        links,
        answer,
        source: super::SourceRef { file: file.to_string(), line: entry_line },
        questions_at,
        answer_optional: false,
    })
}

/// True for URLs the widget may link to: http(s), mailto, tel, or relative.
pub fn safe_url(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    if u.is_empty() {
        return false;
    }
    match u.find(':') {
        None => true,
        Some(colon) => {
            let scheme = &u[..colon];
            // A colon after a path or query character is not a scheme.
            if u[..colon].contains(['/', '?', '#']) {
                return true;
            }
            matches!(scheme, "http" | "https" | "mailto" | "tel")
        }
    }
}

/// Parses an answer body (Markdown subset) into blocks. Unsafe links become plain text and
/// are reported as (line offset, message).
pub fn parse_answer(body: &str) -> (Answer, Vec<(usize, String)>) {
    let mut blocks: Vec<Block> = Vec::new();
    let mut diags = Vec::new();
    let mut inlines: Vec<Inline> = Vec::new();
    let mut list: Option<(bool, Vec<Vec<Inline>>)> = None;
    let mut strong = 0usize;
    let mut depth = 0usize;
    let mut link: Option<(String, String)> = None; // (href, text)
    let line_at = |offset: usize| body[..offset.min(body.len())].matches('\n').count();
    let push_text = |inlines: &mut Vec<Inline>, link: &mut Option<(String, String)>, strong: usize, t: &str| {
        if let Some((_, text)) = link.as_mut() {
            text.push_str(t);
            return;
        }
        match (inlines.last_mut(), strong > 0) {
            (Some(Inline::Text(s)), false) | (Some(Inline::Strong(s)), true) => s.push_str(t),
            (_, false) => inlines.push(Inline::Text(t.to_string())),
            (_, true) => inlines.push(Inline::Strong(t.to_string())),
        }
    };
    let flush = |inlines: &mut Vec<Inline>, list: &mut Option<(bool, Vec<Vec<Inline>>)>, blocks: &mut Vec<Block>| {
        trim_inlines(inlines);
        if inlines.is_empty() {
            return;
        }
        let taken = std::mem::take(inlines);
        match list.as_mut() {
            Some((_, items)) => items.push(taken),
            None => blocks.push(Block::Paragraph(taken)),
        }
    };
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::List(first)) => {
                flush(&mut inlines, &mut list, &mut blocks);
                depth += 1;
                if list.is_none() {
                    list = Some((first.is_some(), Vec::new()));
                }
            }
            Event::End(TagEnd::List(_)) => {
                flush(&mut inlines, &mut list, &mut blocks);
                depth = depth.saturating_sub(1);
                // Nested lists are flattened into the outermost one, which closes the block.
                if depth == 0 {
                    if let Some((ordered, items)) = list.take() {
                        if !items.is_empty() {
                            blocks.push(Block::List { ordered, items });
                        }
                    }
                }
            }
            Event::Start(Tag::Item) | Event::End(TagEnd::Item) => flush(&mut inlines, &mut list, &mut blocks),
            Event::Start(Tag::Paragraph) | Event::Start(Tag::Heading { .. }) => {
                if list.is_none() {
                    flush(&mut inlines, &mut list, &mut blocks)
                }
            }
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Heading(_)) => {
                if list.is_none() {
                    flush(&mut inlines, &mut list, &mut blocks)
                } else {
                    push_text(&mut inlines, &mut link, strong, " ");
                }
            }
            Event::Start(Tag::Strong) => strong += 1,
            Event::End(TagEnd::Strong) => strong = strong.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => link = Some((dest_url.to_string(), String::new())),
            Event::End(TagEnd::Link) => {
                if let Some((href, text)) = link.take() {
                    if safe_url(&href) {
                        inlines.push(Inline::Link { text, href });
                    } else {
                        diags.push((line_at(range.start), format!("link `{href}` uses a scheme that is not allowed")));
                        push_text(&mut inlines, &mut link, strong, &text);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                push_text(&mut inlines, &mut link, strong, &t)
            }
            Event::SoftBreak => push_text(&mut inlines, &mut link, strong, " "),
            Event::HardBreak => push_text(&mut inlines, &mut link, strong, "\n"),
            _ => {}
        }
    }
    flush(&mut inlines, &mut list, &mut blocks);
    if let Some((ordered, items)) = list.take() {
        if !items.is_empty() {
            blocks.push(Block::List { ordered, items });
        }
    }
    (Answer { blocks }, diags)
}

fn trim_inlines(inlines: &mut Vec<Inline>) {
    if let Some(Inline::Text(s)) = inlines.first_mut() {
        *s = s.trim_start().to_string();
    }
    if let Some(Inline::Text(s)) = inlines.last_mut() {
        *s = s.trim_end().to_string();
    }
    inlines.retain(|i| !matches!(i, Inline::Text(s) if s.is_empty()));
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "---\nid: a\nquestions:\n  - How do I return?\n  - return item\ncategory: returns\nquick_replies: [b]\n---\nYou can return within **7 days**:\n\n1. Open orders\n2. Click [return](/help/returns)\n\n- fast\n- free\n---\nid: b\nquestions: [Refund time?]\ncategory: payment\nlocale: zh-TW\n---\nThree days.\n";

    #[test]
    fn reads_two_entries_with_parsed_answers() {
        let (entries, diags) = read("kb/r.md", FILE, Locale::En);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(entries.len(), 2);
        let a = &entries[0];
        assert_eq!(a.questions, ["How do I return?", "return item"]);
        assert_eq!(a.questions_at, [4, 5]);
        assert_eq!(a.quick_replies, ["b"]);
        assert_eq!(
            a.answer.blocks[0],
            Block::Paragraph(vec![
                Inline::Text("You can return within ".into()),
                Inline::Strong("7 days".into()),
                Inline::Text(":".into())
            ])
        );
        assert_eq!(
            a.answer.blocks[1],
            Block::List {
                ordered: true,
                items: vec![
                    vec![Inline::Text("Open orders".into())],
                    vec![
                        Inline::Text("Click ".into()),
                        Inline::Link { text: "return".into(), href: "/help/returns".into() }
                    ]
                ]
            }
        );
        assert!(matches!(&a.answer.blocks[2], Block::List { ordered: false, items } if items.len() == 2));
        assert_eq!(entries[1].locale, Locale::ZhTw);
        assert_eq!(entries[1].source.line, 16);
    }

    #[test]
    fn errors_name_the_line() {
        let (_, diags) = read("x.md", "---\nid: a\nquestions: [q]\ncategory: c\nlocale: fr\n---\nbody\n", Locale::En);
        assert_eq!(diags.len(), 1);
        assert_eq!((diags[0].line, diags[0].file.as_str()), (5, "x.md"));
        let (_, diags) = read("x.md", "---\nid: a\nquestions: [q\ncategory: c\n---\nbody\n", Locale::En);
        assert!(diags[0].message.starts_with("front matter"), "{diags:?}");
        let (_, diags) = read("x.md", "no front matter\n", Locale::En);
        assert_eq!(diags[0].line, 1);
    }

    #[test]
    fn unsafe_links_are_refused_and_html_stays_text() {
        let (a, d) = parse_answer("Click [here](javascript:alert(1)) <img src=x onerror=alert(1)>");
        assert_eq!(d.len(), 1);
        let text = a.plain_text();
        assert!(text.contains("here") && text.contains("<img"));
        assert!(!a
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Paragraph(i) if i.iter().any(|x| matches!(x, Inline::Link{..})))));
    }
}
