//! Facts a shopper gives in passing: order numbers (by the merchant's pattern), phone numbers
//! (Chinese mobiles and international `+…` numbers) and product names from the KB.
//!
//! ## Order-number patterns
//!
//! A tiny pattern language, so `kefu.toml` can describe a shop's order numbers without regex:
//!
//! | piece | matches |
//! |---|---|
//! | `#` | one digit |
//! | `A` | one ASCII letter (either case) |
//! | `?` | one letter or digit |
//! | `\x` | the character `x` literally (for `\#`, `\A`, `\?`, `\{`, `\|`, `\\`) |
//! | any other character | itself (letters compare case-insensitively) |
//! | `{n}` / `{m,n}` after a piece | the piece repeated n times / m to n times |
//! | `|` | separates alternatives |
//!
//! The pattern must match a whole token (a run of letters, digits, `-` and `_`) that holds at
//! least one digit. The default, [`DEFAULT_ORDER_PATTERN`], is `A{0,4}-{0,1}#{10,20}`: 10–20
//! digits, optionally after up to four letters and a dash (`2023112312345678`, `SO-1234567890`).

use super::mask;
use crate::analyze::normalize;
use crate::bundle::EntryMeta;
use serde::{Deserialize, Serialize};

/// The order-number pattern used when `kefu.toml` does not set one.
pub const DEFAULT_ORDER_PATTERN: &str = "A{0,4}-{0,1}#{10,20}";
/// Longest pattern text accepted.
const MAX_PATTERN_LEN: usize = 200;
/// Most order numbers remembered per conversation.
pub const MAX_ORDERS: usize = 5;

/// Kinds of facts the policy may ask for or remember.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Fact {
    OrderNumber,
    Phone,
    Product,
}

impl Fact {
    /// Short machine name: `order_number`, `phone`, `product`.
    pub fn name(self) -> &'static str {
        match self {
            Fact::OrderNumber => "order_number",
            Fact::Phone => "phone",
            Fact::Product => "product",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Digit,
    Letter,
    Alnum,
    Lit(char),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Atom {
    class: Class,
    min: u8,
    max: u8,
}

/// A parsed order-number pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderPattern {
    alternatives: Vec<Vec<Atom>>,
}

impl Default for OrderPattern {
    fn default() -> Self {
        OrderPattern::parse(DEFAULT_ORDER_PATTERN).expect("the default pattern parses")
    }
}

impl OrderPattern {
    /// Parses a pattern (syntax in the module docs). The error says what is wrong.
    pub fn parse(text: &str) -> Result<OrderPattern, String> {
        if text.trim().is_empty() {
            return Err("the order-number pattern is empty".into());
        }
        if text.len() > MAX_PATTERN_LEN {
            return Err(format!("the order-number pattern is longer than {MAX_PATTERN_LEN} characters"));
        }
        let mut alternatives = Vec::new();
        let mut atoms: Vec<Atom> = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let class = match c {
                '|' => {
                    if atoms.is_empty() {
                        return Err("empty alternative around `|`".into());
                    }
                    alternatives.push(std::mem::take(&mut atoms));
                    continue;
                }
                '#' => Class::Digit,
                'A' => Class::Letter,
                '?' => Class::Alnum,
                '\\' => Class::Lit(chars.next().ok_or("`\\` at the end of the pattern")?.to_ascii_lowercase()),
                '{' | '}' => return Err(format!("`{c}` must follow a piece (use `\\{c}` for the character)")),
                other => Class::Lit(other.to_ascii_lowercase()),
            };
            let (mut min, mut max) = (1u8, 1u8);
            if chars.peek() == Some(&'{') {
                chars.next();
                let mut body = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(x) => body.push(x),
                        None => return Err("`{` without a closing `}`".into()),
                    }
                }
                let parse = |s: &str| -> Result<u8, String> {
                    s.trim().parse::<u8>().map_err(|_| format!("`{{{body}}}` is not a count like {{3}} or {{2,5}}"))
                };
                (min, max) = match body.split_once(',') {
                    Some((a, b)) => (parse(a)?, parse(b)?),
                    None => {
                        let n = parse(&body)?;
                        (n, n)
                    }
                };
                if max == 0 {
                    return Err(format!(
                        "`{{{body}}}`: a piece must be allowed at least once (a largest count of 1 to 64)"
                    ));
                }
                if min > max || max > 64 {
                    return Err(format!("`{{{body}}}`: counts go from 0 to 64, smallest first"));
                }
            }
            atoms.push(Atom { class, min, max });
        }
        if atoms.is_empty() {
            return Err("empty alternative around `|`".into());
        }
        alternatives.push(atoms);
        Ok(OrderPattern { alternatives })
    }

    /// The pattern of a shop: its own if set and valid, else the default.
    pub fn of_settings(pattern: Option<&str>) -> OrderPattern {
        pattern.and_then(|p| OrderPattern::parse(p).ok()).unwrap_or_default()
    }

    /// True when the pattern says order numbers are exactly 16 digits: an alternative of
    /// nothing but `#` pieces, each of one count, 16 in all (`#{16}`, `#{8}#{8}`). Then a
    /// number written as a card (four groups of four) after the bot asked for the order number
    /// is that order number (see [`mask::Expecting`]); a pattern that allows other lengths too,
    /// such as the default, does not say so.
    pub fn sixteen_digits(&self) -> bool {
        self.alternatives.iter().any(|alt| {
            alt.iter().all(|a| a.class == Class::Digit && a.min == a.max)
                && alt.iter().map(|a| a.min as usize).sum::<usize>() == 16
        })
    }

    /// True when the whole token matches one alternative.
    pub fn matches(&self, token: &str) -> bool {
        let chars: Vec<char> = token.chars().map(|c| c.to_ascii_lowercase()).collect();
        chars.len() <= 128 && self.alternatives.iter().any(|alt| match_at(alt, &chars))
    }
}

fn class_ok(class: Class, c: char) -> bool {
    match class {
        Class::Digit => c.is_ascii_digit(),
        Class::Letter => c.is_ascii_alphabetic(),
        Class::Alnum => c.is_ascii_alphanumeric(),
        Class::Lit(l) => c == l,
    }
}

/// Backtracking match of atoms against all of `s`.
fn match_at(atoms: &[Atom], s: &[char]) -> bool {
    let Some((a, rest)) = atoms.split_first() else { return s.is_empty() };
    // How many leading chars this atom could take.
    let mut avail = 0;
    while avail < a.max as usize && avail < s.len() && class_ok(a.class, s[avail]) {
        avail += 1;
    }
    if avail < a.min as usize {
        return false;
    }
    (a.min as usize..=avail).rev().any(|k| match_at(rest, &s[k..]))
}

/// One token that may be an order number: byte range and text (full-width folded).
struct Token {
    start: usize,
    end: usize,
    text: String,
}

/// Runs of ASCII letters, digits, `-` and `_` (full-width folded), trimmed of `-`/`_`.
fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut cur: Option<Token> = None;
    for (i, c) in text.char_indices() {
        let folded = match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if folded.is_ascii_alphanumeric() || folded == '-' || folded == '_' {
            let t = cur.get_or_insert(Token { start: i, end: i, text: String::new() });
            t.text.push(folded);
            t.end = i + c.len_utf8();
        } else if let Some(t) = cur.take() {
            out.push(t);
        }
    }
    out.extend(cur);
    for t in &mut out {
        let lead = t.text.len() - t.text.trim_start_matches(['-', '_']).len();
        let trail = t.text.len() - t.text.trim_end_matches(['-', '_']).len();
        // Leading/trailing separators are ASCII or full-width; adjust the byte range by chars.
        t.text = t.text.trim_matches(['-', '_']).to_string();
        if lead > 0 {
            t.start += text[t.start..].chars().take(lead).map(char::len_utf8).sum::<usize>();
        }
        if trail > 0 {
            t.end -= text[..t.end].chars().rev().take(trail).map(char::len_utf8).sum::<usize>();
        }
    }
    out.retain(|t| !t.text.is_empty());
    out
}

/// Cues before a number that make it an order number even if it looks like a phone.
const ORDER_CUES: &[&str] = &["订单", "单号", "order", "purchase", "#", "no."];

/// Words shoppers glue to the number ("order113542617735902", "No12345678901").
const GLUED_PREFIXES: &[&str] = &["order", "ord", "no", "nr", "num", "number", "id"];

/// Words between a cue and its number: "order number is 12345", "订单编号是 12345".
const CUE_LINKS: &[&str] = &["is", "was", "number", "num", "no", "id", "是", "为", "号码", "编号", "号"];

fn order_cue_before(text: &str, at: usize) -> bool {
    let before: String = text[..at].chars().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
    let mut n = normalize(&before);
    // Drop the linking words and punctuation right before the number, then look for the cue
    // in what is left just before them.
    let ends_with_cue = |s: &str| {
        let tail: String = s.chars().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect();
        ORDER_CUES.iter().any(|c| tail.contains(c))
    };
    loop {
        let trimmed = n.trim_end_matches(|c: char| c.is_whitespace() || ":：,，=-".contains(c));
        // "单号" is a cue whose last character is also a linking word ("号"): look before
        // stripping too, or "我的单号 2024 …" loses its cue.
        if ends_with_cue(trimmed) {
            return true;
        }
        let linked = CUE_LINKS.iter().find(|w| {
            trimmed.strip_suffix(**w).is_some_and(|rest| {
                // An English word stands alone ("is", not the end of "this").
                !w.is_ascii() || !rest.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric())
            })
        });
        match linked {
            Some(w) => n = trimmed[..trimmed.len() - w.len()].to_string(),
            None => {
                n = trimmed.to_string();
                break;
            }
        }
    }
    ends_with_cue(&n)
}

/// True for an 11-digit Chinese mobile number (1[3-9] + 9 digits).
pub fn is_cn_mobile(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// What one message says: order numbers, phones (masked), products, and where they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub order_numbers: Vec<String>,
    /// Phone numbers, masked down to the last four digits.
    pub phones: Vec<String>,
    /// Product names as the KB writes them (tags of `product` entries).
    pub products: Vec<String>,
    /// Byte ranges of the order numbers and phones (to cut them out of the search text).
    pub spans: Vec<(usize, usize)>,
    /// Numbers given as order numbers ("订单号 12345") that do not fit the shop's pattern.
    pub rejected: Vec<String>,
}

impl Found {
    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.order_numbers.is_empty() && self.phones.is_empty() && self.products.is_empty()
    }
}

/// International numbers: `+` then digits, with spaces, dashes or brackets between them.
fn plus_numbers(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        if !matches!(chars[i].1, '+' | '\u{FF0B}') {
            i += 1;
            continue;
        }
        let start = chars[i].0;
        let mut digits = String::new();
        let mut end = start;
        let mut j = i + 1;
        let mut gap = 0;
        while j < chars.len() && digits.len() <= 16 {
            let c = chars[j].1;
            if let Some(d) = mask::digit(c) {
                digits.push((b'0' + d) as char);
                end = chars[j].0 + c.len_utf8();
                gap = 0;
            } else if matches!(c, ' ' | '-' | '(' | ')') && gap < 2 && !digits.is_empty()
                || (c == '(' && digits.is_empty())
            {
                gap += 1;
            } else {
                break;
            }
            j += 1;
        }
        if !digits.is_empty() {
            out.push((start, end, digits));
        }
        i = j.max(i + 1);
    }
    out
}

/// Words that only label a fact ("my order number is …", "电话：…").
const FACT_WORDS: &[&str] = &[
    "订单编号",
    "订单号码",
    "订单号",
    "订单",
    "单号",
    "编号",
    "号码",
    "手机号",
    "手机",
    "电话",
    "联系方式",
    "是",
    "我的",
    "这个",
    "这是",
    "给你",
    "发你",
    "order number",
    "order no",
    "order",
    "number",
    "no",
    "phone",
    "mobile",
    "tel",
    "my",
    "is",
    "it's",
    "its",
    "it",
    "here",
    "here's",
    "heres",
    "this",
    "the",
    "of",
    "call",
    "me",
    "on",
    "at",
];

/// True when `norm` (with the facts cut out) says nothing beyond labels and small talk.
pub fn only_facts(norm: &str) -> bool {
    let rest = super::lexicon::remove_all(norm, FACT_WORDS);
    !super::smalltalk::strip(&rest).chars().any(char::is_alphanumeric)
}

/// Masks a phone number down to its last four digits (keeping a leading `+`).
pub fn mask_phone(digits: &str, international: bool) -> String {
    let n = digits.chars().count();
    let mut out = String::new();
    if international {
        out.push('+');
    }
    for (i, c) in digits.chars().enumerate() {
        out.push(if i + 4 >= n { c } else { '*' });
    }
    out
}

/// Extracts the facts of one message. `sensitive` are the ID/card spans (never facts).
pub fn extract(text: &str, pattern: &OrderPattern, products: &[Product], sensitive: &[mask::Span]) -> Found {
    extract_answering(text, pattern, products, sensitive, false)
}

/// [`extract`] of a message that answers the bot's ask for the order number (`asked`): a
/// code of four or more digits that does not fit the pattern is a mistyped order number as if
/// "order number" stood before it ("its CH20240611-5532"), for the bot to ask again about.
pub fn extract_answering(
    text: &str,
    pattern: &OrderPattern,
    products: &[Product],
    sensitive: &[mask::Span],
    asked: bool,
) -> Found {
    let mut found = Found::default();
    let overlaps = |s: usize, e: usize| sensitive.iter().any(|x| s < x.end && x.start < e);
    // Phones first: `+` numbers, then digit runs that are Chinese mobiles.
    let mut phone_spans: Vec<(usize, usize)> = Vec::new();
    let runs = mask::runs(text);
    for (start, end, digits) in plus_numbers(text) {
        if (8..=15).contains(&digits.len()) && !overlaps(start, end) {
            found.phones.push(mask_phone(&digits, true));
            phone_spans.push((start, end));
        }
    }
    for run in &runs {
        if overlaps(run.start, run.end)
            || run.digits.ends_with('X')
            || phone_spans.iter().any(|&(s, e)| run.start < e && s < run.end)
        {
            continue;
        }
        let mut d = run.digits.as_str();
        for prefix in ["0086", "86"] {
            if d.len() == 11 + prefix.len() && d.starts_with(prefix) {
                d = &d[prefix.len()..];
            }
        }
        if is_cn_mobile(d) && !order_cue_before(text, run.start) {
            found.phones.push(mask_phone(d, false));
            phone_spans.push((run.start, run.end));
        }
    }
    // An order number read off a screen in groups ("2024 1123 1234 5678", "2024-1123-…"):
    // its digits joined, when they fit the pattern and the number is said to be an order's
    // (a cue before it) or is all the message holds (the answer to "send me the order number").
    for run in &runs {
        let (start, end) = (run.start, run.end);
        if !run.grouped
            || run.digits.ends_with('X')
            || overlaps(start, end)
            || phone_spans.iter().any(|&(s, e)| start < e && s < end)
            || !pattern.matches(&run.digits)
        {
            continue;
        }
        let alone = !text[..start].chars().chain(text[end..].chars()).any(char::is_alphanumeric);
        let cued = order_cue_before(text, start);
        // Written as a card begins (groups of four, a card's first digits) with no order cue:
        // maybe the first part of a card the next message completes, never an order number to
        // repeat back ("4111 1111 1111" after "I was charged twice").
        // (A whole card would have been masked already: a full 16 digits the masking left is
        // the shop's order number.)
        let card_like =
            run.digits.len() < 13 && run.groups.iter().all(|g| g.2.len() == 4) && mask::card_prefix(&run.digits);
        if mask::card_cue_before(text, start) || (card_like && !cued) {
            continue;
        }
        if alone || cued {
            if !found.order_numbers.contains(&run.digits) {
                found.order_numbers.push(run.digits.clone());
            }
            found.spans.push((start, end));
        }
    }
    // The spans so far are those grouped numbers': their groups are no tokens of their own.
    let grouped = found.spans.len();
    for mut t in tokens(text) {
        if !t.text.bytes().any(|b| b.is_ascii_digit())
            || mask::card_cue_before(text, t.start)
            || overlaps(t.start, t.end)
            || phone_spans.iter().any(|&(s, e)| t.start < e && s < t.end)
            || found.spans[..grouped].iter().any(|&(s, e)| t.start < e && s < t.end)
        {
            continue;
        }
        if !pattern.matches(&t.text) {
            // "order113542617735902": a cue word glued to the number.
            let letters = t.text.bytes().take_while(u8::is_ascii_alphabetic).count();
            let prefix = t.text[..letters].to_ascii_lowercase();
            let rest = t.text[letters..].trim_start_matches(['-', '_']).to_string();
            if letters > 0 && GLUED_PREFIXES.contains(&prefix.as_str()) && pattern.matches(&rest) {
                t.start += t.text.len() - rest.len();
                t.text = rest;
            }
        }
        if pattern.matches(&t.text) {
            let upper = t.text.to_ascii_uppercase();
            if !found.order_numbers.contains(&upper) {
                found.order_numbers.push(upper);
            }
            found.spans.push((t.start, t.end));
        } else if t.text.bytes().filter(u8::is_ascii_digit).count() >= 4
            && t.text.len() <= 40
            && (asked || order_cue_before(text, t.start))
            && found.rejected.len() < 3
        {
            found.rejected.push(t.text.to_ascii_uppercase());
        }
    }
    found.spans.extend(phone_spans);
    found.spans.sort_unstable();
    found.phones.dedup();
    found.products = find_products(text, products);
    found
}

/// Byte ranges of web links and e-mail addresses in `text`: "https://shop/item/123 is this in
/// stock" asks about stock, and the link's words would only be searched as noise.
pub fn link_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        let w = word.trim_end();
        let lower = w.to_ascii_lowercase();
        let link = lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.");
        let email = w.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
        if link || email {
            out.push((at, at + w.len()));
        }
        at += word.len();
    }
    out
}

/// True when a KB question is written for a message that carries an order number: it holds
/// one (by the shop's pattern) or a `{{…}}` placeholder naming an order ("how do I cancel
/// order {{order_id}}?"). The policy answers such an entry even when the shopper's message
/// gives the number; other entries leave an order with its number to a person.
pub fn names_an_order(question: &str, pattern: &OrderPattern) -> bool {
    let placeholder = question.split("{{").skip(1).any(|rest| {
        rest.split_once("}}").is_some_and(|(inside, _)| {
            let inside = normalize(inside);
            ORDER_PLACEHOLDER_WORDS.iter().any(|w| inside.contains(w))
        })
    });
    // An order number has digits (`extract` takes only tokens with one): most questions have
    // none, and skipping them saves the build a pass of `extract` over the whole KB.
    placeholder
        || (question.chars().any(|c| mask::digit(c).is_some())
            && !extract(question, pattern, &[], &[]).order_numbers.is_empty())
}

/// Words that make a `{{…}}` placeholder stand for an order (normalized: simplified, lower case).
const ORDER_PLACEHOLDER_WORDS: &[&str] = &["order", "purchase", "订单", "单号"];

/// A product name the KB knows, with its normalized form for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub name: String,
    norm: String,
}

/// Product names of a KB: tags of entries whose category is `product` that either appear in
/// a product entry's main question (so "air fryer", not "specs") or look like a model code
/// (letters and digits, e.g. `LZ-AF45`).
pub fn products(entries: &[EntryMeta]) -> Vec<Product> {
    let product_entries: Vec<&EntryMeta> =
        entries.iter().filter(|e| e.category.trim().eq_ignore_ascii_case("product")).collect();
    let titles: Vec<String> = product_entries.iter().map(|e| normalize(&e.title)).collect();
    let mut out: Vec<Product> = Vec::new();
    for e in &product_entries {
        for tag in &e.tags {
            let norm = normalize(tag.trim());
            if norm.chars().count() < 2 || out.iter().any(|p| p.norm == norm) {
                continue;
            }
            let model = norm.chars().any(|c| c.is_ascii_digit()) && norm.chars().any(|c| c.is_alphabetic());
            if model || titles.iter().any(|t| super::lexicon::find(t, &norm).is_some()) {
                out.push(Product { name: tag.trim().to_string(), norm });
            }
        }
    }
    // Longest first, so "latex pillow" wins over "pillow".
    out.sort_by(|a, b| b.norm.len().cmp(&a.norm.len()).then_with(|| a.norm.cmp(&b.norm)));
    out
}

/// What kind of thing each product is, as shoppers name it without the exact name: the last
/// word of an English name of several words ("latex pillow" → "pillow", "air fryer" →
/// "fryer"; at least four letters, so not "set" or "pot"), the last two characters of a
/// Chinese name of three or more ("电炖锅" → "炖锅"). Normalized, longest first.
pub fn product_kinds(products: &[Product]) -> Vec<Product> {
    let mut out: Vec<Product> = Vec::new();
    for p in products {
        let kind = if p.norm.chars().all(|c| c.is_ascii_lowercase() || c == ' ') {
            match p.norm.rsplit_once(' ') {
                Some((_, last)) if last.len() >= 4 => last.to_string(),
                _ => continue,
            }
        } else if p.norm.chars().all(crate::analyze::is_han) && p.norm.chars().count() >= 3 {
            let chars: Vec<char> = p.norm.chars().collect();
            chars[chars.len() - 2..].iter().collect()
        } else {
            continue;
        };
        if !out.iter().any(|k| k.norm == kind) {
            out.push(Product { name: kind.clone(), norm: kind });
        }
    }
    out.sort_by(|a, b| b.norm.len().cmp(&a.norm.len()).then_with(|| a.norm.cmp(&b.norm)));
    out
}

/// The products named in `text` (plural `s` allowed after English names).
pub fn find_products(text: &str, products: &[Product]) -> Vec<String> {
    if products.is_empty() {
        return Vec::new();
    }
    let norm = normalize(text);
    let mut out: Vec<String> = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for p in products {
        if let Some((s, e)) = super::lexicon::find_or_plural(&norm, &p.norm) {
            if !taken.iter().any(|&(ts, te)| s < te && ts < e) {
                taken.push((s, e));
                out.push(p.name.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orders(text: &str) -> Vec<String> {
        extract(text, &OrderPattern::default(), &[], &mask::find(text)).order_numbers
    }

    #[test]
    fn a_question_names_an_order_by_its_number_or_a_placeholder() {
        let p = OrderPattern::default();
        for q in ["cancel order 732201349959", "how do I cancel purchase {{Order ID}}?", "取消订单 {{订单号}}"] {
            assert!(names_an_order(q, &p), "{q}");
        }
        for q in ["how do I cancel my order?", "my card {{card_type}} was declined", "call 400 123", "{{order"] {
            assert!(!names_an_order(q, &p), "{q}");
        }
    }

    #[test]
    fn default_pattern_takes_typical_order_numbers() {
        let p = OrderPattern::default();
        assert!(p.matches("2023112312345678"));
        assert!(p.matches("SO-1234567890"));
        assert!(p.matches("dd12345678901"));
        assert!(!p.matches("123456789")); // 9 digits: too short
        assert!(!p.matches("123456789012345678901")); // 21 digits: too long
        assert!(!p.matches("ABCDE1234567890")); // five letters
        assert!(!p.matches("LZ-AF45"));
    }

    #[test]
    fn custom_patterns_parse_and_match() {
        let p = OrderPattern::parse("SO-#{8}|\\A#{6}").unwrap();
        assert!(p.matches("SO-12345678"));
        assert!(p.matches("so-12345678"));
        assert!(p.matches("A123456"));
        assert!(!p.matches("B123456"));
        assert!(!p.matches("SO-1234567"));
        let q = OrderPattern::parse("?{4}-#{4}").unwrap();
        assert!(q.matches("ab12-3456"));
        for bad in ["", "{3}", "#{3", "#{5,2}", "#{x}", "a||b", "#{0}", "\\"] {
            assert!(OrderPattern::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        // The message says what is wrong with the count given.
        assert!(OrderPattern::parse("#{0}").unwrap_err().contains("at least once"));
        assert!(OrderPattern::parse("#{5,2}").unwrap_err().contains("smallest first"));
        assert!(OrderPattern::parse("#{65}").unwrap_err().contains("0 to 64"));
    }

    #[test]
    fn only_a_pattern_of_exactly_sixteen_digits_says_orders_look_like_cards() {
        for yes in ["#{16}", "#{8}#{8}", "SO-#{8}|#{16}", "################"] {
            assert!(OrderPattern::parse(yes).unwrap().sixteen_digits(), "{yes}");
        }
        for no in [DEFAULT_ORDER_PATTERN, "#{10,20}", "#{15,16}", "A#{16}", "?{16}", "#{4}-#{4}-#{4}-#{4}"] {
            assert!(!OrderPattern::parse(no).unwrap().sixteen_digits(), "{no}");
        }
    }

    #[test]
    fn extracts_one_several_or_none() {
        assert_eq!(orders("我的订单号是2023112312345678，还没发货"), ["2023112312345678"]);
        assert_eq!(orders("orders SO-1234567890 and 98765432101234"), ["SO-1234567890", "98765432101234"]);
        assert_eq!(orders("訂單編號：２０２３１１２３１２３４５６７８"), ["2023112312345678"]);
        assert!(orders("my order 12345 is late").is_empty());
        assert_eq!(orders("remove an item from order113542617735902"), ["113542617735902"]);
        assert_eq!(orders("No.12345678901"), ["12345678901"]);
        assert!(orders("model12345678901").is_empty());
        let f = extract("my order 12345 is late", &OrderPattern::default(), &[], &[]);
        assert_eq!(f.rejected, ["12345"]);
        assert!(extract("I paid 12345 yuan", &OrderPattern::default(), &[], &[]).rejected.is_empty());
        // The cue a few linking words before the number.
        for text in ["my order number is 12345", "订单编号是：12345", "Order no. is 12345"] {
            assert_eq!(extract(text, &OrderPattern::default(), &[], &[]).rejected, ["12345"], "{text}");
        }
        assert!(extract("I ordered 2 items and paid 12345", &OrderPattern::default(), &[], &[]).rejected.is_empty());
        let text = "see https://shop.example/item/1 or mail bob@example.com, thanks";
        let spans: Vec<&str> = link_spans(text).iter().map(|&(a, b)| &text[a..b]).collect();
        assert_eq!(spans, ["https://shop.example/item/1", "bob@example.com,"]);
        assert!(orders("I ordered 3 kettles on 2023-11-23").is_empty());
        // A bank card is never an order number.
        assert!(orders("4111111111111111").is_empty());
    }

    #[test]
    fn phones_are_found_masked_and_not_taken_as_orders() {
        let f = extract("电话13812345678", &OrderPattern::default(), &[], &[]);
        assert_eq!(f.phones, ["*******5678"]);
        assert!(f.order_numbers.is_empty());
        let f = extract("call me on +44 7700 900123 please", &OrderPattern::default(), &[], &[]);
        assert_eq!(f.phones, ["+********0123"]);
        let f = extract("call 138-1234-5678", &OrderPattern::default(), &[], &[]);
        assert_eq!(f.phones, ["*******5678"]);
        // After an order cue an 11-digit number is an order number.
        let f = extract("订单号13812345678901", &OrderPattern::default(), &[], &[]);
        assert_eq!(f.order_numbers, ["13812345678901"]);
        assert!(f.phones.is_empty());
    }

    #[test]
    fn an_order_number_written_in_groups_is_one_order_number() {
        let p = OrderPattern::default();
        let orders = |text: &str| extract(text, &p, &[], &[]);
        // After a cue, and alone (the answer to "send me the order number").
        for text in [
            "订单号 2024 1123 1234 5678 还没发货",
            "order no. 2024-1123-1234-5678 hasn't shipped",
            "2024 1123 1234 5678",
        ] {
            let f = orders(text);
            assert_eq!(f.order_numbers, ["2024112312345678"], "{text}");
            assert!(f.rejected.is_empty(), "{text}: {:?}", f.rejected);
            let (s, e) = f.spans[0];
            assert!(text[s..e].starts_with("2024") && text[s..e].ends_with("5678"), "{text}");
        }
        // Groups in a sentence without a cue stay words; so do dates, and phones are phones.
        assert!(orders("we sold 100 200 300 400 units").order_numbers.is_empty());
        assert!(orders("2024 11 23").order_numbers.is_empty());
        let f = orders("138 1234 5678");
        assert_eq!((f.phones.len(), f.order_numbers.len()), (1, 0));
    }

    #[test]
    fn products_come_from_product_entries() {
        let e = |title: &str, tags: &[&str]| EntryMeta {
            title: title.into(),
            category: "product".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        };
        let list = products(&[
            e("What size is the air fryer?", &["air fryer", "specs", "LZ-AF45"]),
            e("空气炸锅多大容量？", &["空气炸锅", "规格"]),
            EntryMeta {
                title: "Where is my parcel".into(),
                category: "order".into(),
                tags: vec!["parcel".into()],
                ..Default::default()
            },
        ]);
        let names: Vec<&str> = list.iter().map(|p| p.name.as_str()).collect();
        assert!(names.contains(&"air fryer") && names.contains(&"LZ-AF45") && names.contains(&"空气炸锅"));
        assert!(!names.contains(&"specs") && !names.contains(&"parcel"));
        assert_eq!(find_products("my Air Fryers basket broke", &list), ["air fryer"]);
        assert_eq!(find_products("空氣炸鍋壞了", &list), ["空气炸锅"]);
        assert_eq!(find_products("lz-af45 manual?", &list), ["LZ-AF45"]);
        assert!(find_products("fryer", &list).is_empty());
        // "fryer" names the kind of product, though not the product.
        let kinds = product_kinds(&list);
        assert_eq!(find_products("my Fryers smell", &kinds), ["fryer"]);
        assert_eq!(find_products("炸鍋壞了", &kinds), ["炸锅"]);
        assert!(
            find_products("a deep frying pan", &kinds).is_empty()
                && find_products("do you sell cars", &kinds).is_empty()
        );
    }
}
