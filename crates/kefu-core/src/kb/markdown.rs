//! Reads Markdown KB files: entries of YAML front matter between `---` lines, each followed
//! by its answer in a Markdown subset that is parsed here, once, into [`Answer`] blocks.

use super::front_matter::{self, FrontMatter};
use super::{Answer, Block, Diagnostic, Entry, FieldLines, Inline, Link, Locale, Product, Severity, SourceRef};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// Reads the entries of one Markdown file. `default_locale` applies where an entry names none.
/// Problems come back as diagnostics naming `file` and the line of the field they are about,
/// in line order; every entry is returned, even one with errors, so `kefu check` reports all
/// of an entry's problems at once (the build refuses a KB with errors anyway).
pub fn read(file: &str, text: &str, default_locale: Locale) -> (Vec<Entry>, Vec<Diagnostic>) {
    let mut entries = Vec::new();
    let mut diags = Vec::new();
    // Notepad and Excel start UTF-8 files with a byte-order mark; it is no part of the text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
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
    let first = i;
    while i < lines.len() {
        // lines[i] is `---`: the front matter runs to the next `---`.
        let fm_start = i + 1;
        // A `---` after an answer whose next written line is no `field:` line was meant as a
        // horizontal rule in that answer (Markdown's thematic break): say so, and read on from
        // the next `---` so the entries after it are not lost.
        let next = (fm_start..lines.len()).find(|&j| !lines[j].trim().is_empty());
        if let Some(n) = next.filter(|&n| i > first && !looks_like_field(lines[n])) {
            diags.push(Diagnostic::error(
                file,
                i + 1,
                format!(
                    "this `---` ends the answer above and opens an entry, but line {} is not front matter; \
                     a `---` line separates entries, so write a horizontal rule in an answer as `***`",
                    n + 1
                ),
            ));
            match (n..lines.len()).find(|&j| lines[j].trim_end() == "---") {
                Some(j) => {
                    i = j;
                    continue;
                }
                None => break,
            }
        }
        let Some(fm_end) = (fm_start..lines.len()).find(|&j| lines[j].trim_end() == "---") else {
            diags.push(Diagnostic::error(file, i + 1, "front matter is not closed by a `---` line"));
            break;
        };
        let body_start = fm_end + 1;
        let body_end = (body_start..lines.len()).find(|&j| lines[j].trim_end() == "---").unwrap_or(lines.len());
        let body = lines[body_start..body_end].join("\n");
        // The answer's first written line, else the closing `---` it belongs under (1-based).
        let answer_line = (body_start..body_end).find(|&j| !lines[j].trim().is_empty()).unwrap_or(fm_end) + 1;
        let source = SourceRef { file: file.to_string(), line: i + 1 };
        let fm = front_matter::read(file, fm_start + 1, &lines[fm_start..fm_end], &mut diags);
        entries.push(entry(source, fm, &body, body_start + 1, answer_line, default_locale, &mut diags));
        i = body_end;
    }
    diags.sort_by_key(|d| d.line);
    (entries, diags)
}

/// True for a line that can open front matter: `name:` (a field) or a YAML comment.
fn looks_like_field(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#')
        || t.split_once(':').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

/// Checks one entry's fields and parses its answer (`body`, starting at file line `body_line`).
/// `source` is the entry's opening `---`, where findings about a field that is not written point.
fn entry(
    source: SourceRef,
    fm: FrontMatter,
    body: &str,
    body_line: usize,
    answer_line: usize,
    default_locale: Locale,
    diags: &mut Vec<Diagnostic>,
) -> Entry {
    let file = source.file.as_str();
    let line_of = |name: &str| fm.line_of(name).unwrap_or(source.line);
    let id = fm.id.as_ref().map(|i| i.value.trim().to_string()).filter(|i| !i.is_empty()).unwrap_or_default();
    if id.is_empty() {
        if !fm.already_reported("id") {
            diags.push(Diagnostic::error(file, line_of("id"), "entry has no `id`"));
        }
    } else if !valid_id(&id) {
        diags.push(Diagnostic::error(file, line_of("id"), bad_id_message(&id)));
    }
    let name = if id.is_empty() { "entry".to_string() } else { format!("entry `{id}`") };
    // Blank questions were left out, each with a warning, by the front-matter reader.
    let (questions, questions_at): (Vec<String>, Vec<usize>) =
        fm.questions.iter().map(|q| (q.value.trim().to_string(), q.line)).unzip();
    if questions.is_empty() && !fm.already_reported("questions") {
        diags.push(Diagnostic::error(file, line_of("questions"), format!("{name} has no questions")));
    }
    let locale = match &fm.locale {
        None => default_locale,
        Some(l) => Locale::parse(&l.value).unwrap_or_else(|| {
            diags.push(Diagnostic::error(
                file,
                l.line,
                format!("unknown locale `{}` (use zh-CN, zh-TW or en)", l.value),
            ));
            default_locale
        }),
    };
    let category = match fm.category.as_ref().map(|c| c.value.trim()).filter(|c| !c.is_empty()) {
        Some(c) => c.to_string(),
        None => {
            if !fm.already_reported("category") {
                diags.push(Diagnostic::error(file, line_of("category"), format!("{name} has no `category`")));
            }
            "general".to_string()
        }
    };
    let mut links = Vec::new();
    for l in fm.links {
        if safe_url(&l.url.value) {
            links.push(Link { title: l.title, url: l.url.value });
        } else {
            diags.push(Diagnostic::error(
                file,
                l.url.line,
                format!(
                    "link `{}` uses a scheme that is not allowed (http, https, mailto, tel or a relative path)",
                    l.url.value
                ),
            ));
        }
    }
    let mut products = Vec::new();
    for (i, p) in fm.products.into_iter().enumerate() {
        if i == MAX_PRODUCTS {
            diags.push(Diagnostic::error(
                file,
                p.line,
                format!("an entry shows at most {MAX_PRODUCTS} products; move the others to another entry"),
            ));
        }
        let mut ok = i < MAX_PRODUCTS;
        let title = p.title.value.trim().to_string();
        let chars = title.chars().count();
        if title.is_empty() {
            diags.push(Diagnostic::error(file, p.title.line, "the product's `title:` is empty"));
            ok = false;
        } else if chars > MAX_PRODUCT_TITLE {
            diags.push(Diagnostic::error(
                file,
                p.title.line,
                format!("product title is {chars} characters long; keep it to {MAX_PRODUCT_TITLE}"),
            ));
            ok = false;
        }
        for (what, u) in [("url", Some(&p.url)), ("image", p.image.as_ref())] {
            if let Some(u) = u.filter(|u| !card_url(&u.value)) {
                diags.push(Diagnostic::error(
                    file,
                    u.line,
                    format!(
                        "product {what} `{}` is not allowed; use an http(s) address or a path on this site \
                         starting with `/`",
                        u.value
                    ),
                ));
                ok = false;
            }
        }
        let price = p.price.map(|p| p.value.trim().to_string()).filter(|p| !p.is_empty());
        if ok {
            let image = p.image.map(|i| i.value.trim().to_string()).filter(|i| !i.is_empty());
            products.push(Product { title, url: p.url.value.trim().to_string(), image, price });
        }
    }
    let (answer, answer_diags) = parse_answer(body);
    for (offset, severity, message) in answer_diags {
        diags.push(Diagnostic { severity, file: file.to_string(), line: body_line + offset, message });
    }
    let lines = FieldLines {
        id: fm.id.as_ref().map_or(0, |i| i.line),
        category: fm.category.as_ref().map_or(0, |c| c.line),
        quick_replies: fm.quick_replies.iter().map(|q| q.line).collect(),
        answer: answer_line,
    };
    Entry {
        id,
        questions,
        category,
        tags: fm.tags,
        locale,
        quick_replies: fm.quick_replies.into_iter().map(|q| q.value).collect(),
        links,
        products,
        answer,
        source,
        questions_at,
        lines,
        answer_optional: false,
    }
}

/// True when `id` is a valid entry id: ASCII letters, digits, `-`, `_` and `.` only (ids go
/// into quick replies, URLs and logs). The rule for every KB format.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The error for an id that breaks [`valid_id`]'s rule.
pub fn bad_id_message(id: &str) -> String {
    format!("id `{id}` may only hold letters, digits, `-`, `_` and `.`")
}

/// The most products one entry shows.
pub const MAX_PRODUCTS: usize = 4;
/// The longest product title, in characters.
pub const MAX_PRODUCT_TITLE: usize = 80;

/// True for product and image URLs: `http(s)://…`, or a path on the shop's own site starting
/// with a single `/`. Nothing else (no `//host`, no other scheme, no spaces or control characters).
pub fn card_url(url: &str) -> bool {
    let u = url.trim();
    if u.is_empty() || u.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return false;
    }
    let lower = u.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) {
        r
    } else {
        return u.starts_with('/') && !u.starts_with("//");
    };
    // A host must follow.
    !rest.is_empty() && !rest.starts_with(['/', '?', '#'])
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

/// Parses an answer body (Markdown subset) into blocks. Findings come back as (line offset in
/// `body`, severity, message): an unsafe link (an error; it becomes plain text), a nested list
/// (a warning: answers hold one level of list, and its items join the list around it) and an
/// image (a warning: answers show no images, and its alt text stands in its place).
pub fn parse_answer(body: &str) -> (Answer, Vec<(usize, Severity, String)>) {
    let mut blocks: Vec<Block> = Vec::new();
    let mut diags = Vec::new();
    let mut inlines: Vec<Inline> = Vec::new();
    let mut list: Option<(bool, Vec<Vec<Inline>>)> = None;
    let mut strong = 0usize;
    let mut depth = 0usize;
    let mut link: Option<(String, String)> = None; // (href, text)
    let mut image: Option<(String, usize, String)> = None; // (src, line offset, alt text)
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
                if depth > 0 {
                    // The bundle's answer blocks hold one level of list (a format change to
                    // hold more): say so where the content staff can put it right.
                    diags.push((line_at(range.start), Severity::Warning, NESTED_LIST.to_string()));
                }
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
            Event::Start(Tag::Paragraph) | Event::Start(Tag::Heading { .. }) if list.is_none() => {
                flush(&mut inlines, &mut list, &mut blocks)
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
                        let msg = format!("link `{href}` uses a scheme that is not allowed");
                        diags.push((line_at(range.start), Severity::Error, msg));
                        push_text(&mut inlines, &mut link, strong, &text);
                    }
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some((dest_url.to_string(), line_at(range.start), String::new()))
            }
            Event::End(TagEnd::Image) => {
                if let Some((src, line, alt)) = image.take() {
                    diags.push((line, Severity::Warning, image_message(&src, alt.trim())));
                }
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                if let Some((_, _, alt)) = image.as_mut() {
                    alt.push_str(&t);
                }
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

/// The warning on a list inside a list item.
const NESTED_LIST: &str = "nested list flattened: answers show one level of list, so its items become items of the \
                           list around it; write them as items of that list, or as text in their item";

/// The warning on an image `![alt](src)`: the answer keeps its alt text as text.
fn image_message(src: &str, alt: &str) -> String {
    let shown =
        if alt.is_empty() { "and it has no alt text".to_string() } else { format!("only its alt text \"{alt}\"") };
    format!(
        "image `{src}` is not shown: answers show no images, {shown}; link to the picture with `[text](url)` to \
         offer it"
    )
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
    fn a_byte_order_mark_is_not_part_of_the_file() {
        let (entries, diags) = read("kb/r.md", &format!("\u{feff}{FILE}"), Locale::En);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(entries, read("kb/r.md", FILE, Locale::En).0);
    }

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
    fn a_rule_in_an_answer_is_named_and_the_next_entry_still_read() {
        let text = "---\nid: a\nquestions: [q]\ncategory: c\n---\nIntro.\n\n---\n\nMore.\n---\nid: b\nquestions: [r]\ncategory: c\n---\nThree days.\n";
        let (entries, diags) = read("x.md", text, Locale::En);
        assert_eq!(entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].line, 8);
        assert!(diags[0].message.contains("line 10 is not front matter") && diags[0].message.contains("***"));
        // A comment or a field after `---` is front matter as before.
        let (entries, diags) = read(
            "x.md",
            "---\nid: a\nquestions: [q]\ncategory: c\n---\nA.\n---\n# b\nid: b\nquestions: [r]\ncategory: c\n---\nB.\n",
            Locale::En,
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn errors_name_the_line() {
        let (_, diags) = read("x.md", "---\nid: a\nquestions: [q]\ncategory: c\nlocale: fr\n---\nbody\n", Locale::En);
        assert_eq!(diags.len(), 1);
        assert_eq!((diags[0].line, diags[0].file.as_str()), (5, "x.md"));
        let (_, diags) = read("x.md", "---\nid: a\nquestions: [q\ncategory: c\n---\nbody\n", Locale::En);
        assert_eq!(
            diags[0].to_string(),
            "x.md:3: error: the `[` opened here is never closed; end it with `]` on the same line"
        );
        let (_, diags) = read("x.md", "no front matter\n", Locale::En);
        assert_eq!(diags[0].line, 1);
    }

    #[test]
    fn a_stray_list_item_is_told_in_plain_words() {
        let text = "---\nid: return-policy\nquestions:\n  - How do I return an item?\ncategory: returns\n\
                    - can I send it back\nlocale: en\n---\nWithin 7 days.\n";
        let (entries, diags) = read("kb/returns.md", text, Locale::En);
        let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            msgs,
            ["kb/returns.md:6: error: a list item here belongs to no field (`category:` takes one value); \
              put it under `questions:` or the list it belongs to"]
        );
        // The rest of the entry is still read.
        assert_eq!((entries[0].id.as_str(), entries[0].category.as_str()), ("return-policy", "returns"));
    }

    #[test]
    fn every_finding_of_an_entry_is_reported_in_line_order() {
        let text = "---\nid: bad id\nquestions:\n  - q\n  - Note: this\ncategory: returns\n- stray\nlocale: fr\n\
                    tags: x\n---\nSee [this](javascript:alert(1)).\n";
        let (entries, diags) = read("k.md", text, Locale::En);
        let lines: Vec<usize> = diags.iter().map(|d| d.line).collect();
        assert_eq!(lines, [2, 5, 7, 8, 9, 11], "{diags:?}");
        assert_eq!(entries.len(), 1);
    }

    #[test]
    fn a_nested_list_is_flattened_with_a_warning_on_its_line() {
        let text =
            "---\nid: a\nquestions: [q]\ncategory: c\n---\nSteps:\n\n1. Open your orders\n   - pick the order\n   \
                    - tap Return\n2. Send it back\n";
        let (entries, diags) = read("k.md", text, Locale::En);
        let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            msgs,
            ["k.md:9: warning: nested list flattened: answers show one level of list, so its items become items of \
              the list around it; write them as items of that list, or as text in their item"]
        );
        // Nothing is lost: every item is there, in order, in the one list.
        assert_eq!(
            entries[0].answer.plain_text(),
            "Steps:\n1. Open your orders\n2. pick the order\n3. tap Return\n4. Send it back"
        );
        // A list that is not nested is not warned about, nor are two lists one after the other.
        let (_, diags) =
            read("k.md", "---\nid: a\nquestions: [q]\ncategory: c\n---\n- a\n- b\n\nText.\n\n1. c\n", Locale::En);
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn an_image_keeps_its_alt_text_with_a_warning_on_its_line() {
        let text =
            "---\nid: a\nquestions: [q]\ncategory: c\n---\nPack it like this:\n\n![the box, taped](/img/box.png) \
             then ship it.\n\nOr ![](/img/empty.png).\n";
        let (entries, diags) = read("k.md", text, Locale::En);
        let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "k.md:8: warning: image `/img/box.png` is not shown: answers show no images, only its alt text \
                 \"the box, taped\"; link to the picture with `[text](url)` to offer it",
                "k.md:10: warning: image `/img/empty.png` is not shown: answers show no images, and it has no alt \
                 text; link to the picture with `[text](url)` to offer it",
            ]
        );
        assert_eq!(entries[0].answer.plain_text(), "Pack it like this:\nthe box, taped then ship it.\nOr .");
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
