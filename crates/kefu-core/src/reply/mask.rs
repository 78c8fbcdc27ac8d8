//! Privacy masking: finds Chinese ID-card numbers (18 digits with a possible trailing `X`, and
//! the old 15-digit ones) and bank-card numbers (13–19 digits, Luhn-valid, spaces or dashes
//! allowed between groups) and replaces every digit but the last four with `*`. Groups of one
//! or two digits ("1101 0119 9003 0712 33", "1101011990-03-07-1233"), or with commas or line
//! breaks between them ("6228,4800,1234,5671"), make a number only when it is one as a
//! whole: an ID by its shape, or a card by its groups (fours) and checksum, as [`find_in`]
//! weighs it.
//!
//! Order numbers are not cards: a number right after an order cue ("订单号", "order #") is
//! left alone unless a card cue ("卡号", "card") says otherwise, and so is a bare number right
//! after the bot asked for the order number; either way not a number written as a card
//! ([`Expecting`]).
//! Full-width digits count as digits. Everything the widget stores or sends is the masked text.
//!
//! English-speaking shoppers' numbers go through the same [`find_in`] ([`others`]): US Social
//! Security and UK National Insurance numbers, IBANs (mod-97 checked), and a card's security
//! code and expiry date, which are masked whole, and a passport number said after a passport
//! cue ("passport no. E12345678", "护照号码 E12345678"). The loader's fallback form has its own
//! small masker (IDs and cards only) to stay within its size budget.

/// What a sensitive number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sensitive {
    IdCard,
    BankCard,
    /// A US Social Security number or a UK National Insurance number: an ID, but one with
    /// letters in it ([`others`]); the note calls it an ID number.
    NationalId,
    /// An IBAN: a bank account, masked letters and all down to its last four characters.
    BankAccount,
    /// A card's security code (CVV/CVC) or expiry date: masked whole, since even the last
    /// digits of a three-digit code are most of it.
    CardSecret,
    /// A passport number, only ever after a passport cue ([`passports`]): letters and digits,
    /// four of them hidden at least.
    Passport,
}

impl Sensitive {
    /// How many of its `significant` characters stay readable: none of a security code or
    /// expiry date, the last four of the others (of a passport number of six or seven, fewer:
    /// four stay hidden).
    fn kept(self, significant: usize) -> usize {
        match self {
            Sensitive::CardSecret => 0,
            Sensitive::Passport => significant.saturating_sub(4).min(4),
            _ => 4,
        }
    }

    /// The characters that are the number (the rest, separators and spaces, stay): letters
    /// too in an IBAN, an NI or a passport number, else digits and an ID's check `X`.
    fn significant(self, c: char) -> bool {
        match self {
            Sensitive::NationalId | Sensitive::BankAccount | Sensitive::Passport => c.is_alphanumeric() && c != '*',
            _ => digit(c).is_some() || matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ'),
        }
    }
}

/// What masking knows of the conversation and the shop as it weighs a number the shopper types.
///
/// A number written as a card (four groups of four digits, Luhn-valid) is masked as one even
/// right after the bot asked for the order number, or after an order cue ("订单号 4111 1111 1111
/// 1111"): the shopper has most likely pasted the wrong number, and a card left readable cannot
/// be taken back, where a masked order number costs a retype. Only a shop whose order numbers
/// are exactly 16 digits (its pattern says so: [`super::facts::OrderPattern::sixteen_digits`])
/// has such a number read as an order's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Expecting {
    /// The bot has just asked for the order number: a bare number is one, as if "订单号" stood
    /// before it.
    pub order: bool,
    /// The shop's order numbers are exactly 16 digits.
    pub sixteen_digit_orders: bool,
}

impl Expecting {
    /// Nothing asked, a shop with the default pattern: a bare Luhn-valid number is a card.
    pub const NOTHING: Expecting = Expecting { order: false, sixteen_digit_orders: false };
    /// The order number asked, a shop with the default pattern.
    pub const ORDER: Expecting = Expecting { order: true, sixteen_digit_orders: false };
}

/// A sensitive number found in a text: byte range in the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: Sensitive,
}

/// Which kinds of sensitive number a message held (and now has masked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hidden {
    pub id_card: bool,
    pub bank_card: bool,
    /// A bank account number (IBAN).
    pub bank_account: bool,
    /// A card's security code or expiry date.
    pub card_secret: bool,
    /// A passport number.
    pub passport: bool,
    /// A number of a kind written with letters as well as digits (a passport, an IBAN, a UK
    /// National Insurance number): what stays readable are its last characters, not digits.
    pub lettered: bool,
    /// Of the numbers left readable at their end (all but security codes and expiry dates),
    /// the fewest and the most characters left: 4 and 4 but for a short passport number.
    pub kept: (u8, u8),
}

impl Hidden {
    /// The kinds among `spans` of `text` (the text they were found in).
    pub fn of(text: &str, spans: &[Span]) -> Hidden {
        let any = |k: Sensitive| spans.iter().any(|s| s.kind == k);
        let kept = spans.iter().filter(|s| s.kind != Sensitive::CardSecret).map(|s| {
            let part = text.get(s.start..s.end).unwrap_or("");
            s.kind.kept(part.chars().filter(|&c| s.kind.significant(c)).count()).min(9) as u8
        });
        let kept = kept.fold(None, |k: Option<(u8, u8)>, n| Some(k.map_or((n, n), |(a, b)| (a.min(n), b.max(n)))));
        Hidden {
            id_card: any(Sensitive::IdCard) || any(Sensitive::NationalId),
            bank_card: any(Sensitive::BankCard),
            bank_account: any(Sensitive::BankAccount),
            card_secret: any(Sensitive::CardSecret),
            passport: any(Sensitive::Passport),
            lettered: any(Sensitive::NationalId) || any(Sensitive::BankAccount) || any(Sensitive::Passport),
            kept: kept.unwrap_or_default(),
        }
    }
}

/// A run of digits (with separators between groups) in a text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Run {
    pub start: usize,
    pub end: usize,
    /// The digits as ASCII (full-width folded), plus a trailing `X` if present.
    pub digits: String,
    /// True when the run had spaces or dashes between groups.
    pub grouped: bool,
    /// The groups between separators: byte range and digits.
    pub groups: Vec<(usize, usize, String)>,
    /// True when the next run follows it after a separator that only links the two (see
    /// [`runs`]): together they may be one number written loosely.
    pub loose_next: bool,
}

/// The digit value of an ASCII or full-width digit.
pub(crate) fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '\u{FF10}'..='\u{FF19}' => Some((c as u32 - 0xFF10) as u8),
        _ => None,
    }
}

fn latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || ('\u{FF21}'..='\u{FF3A}').contains(&c) || ('\u{FF41}'..='\u{FF5A}').contains(&c)
}

/// Characters that show nothing between two digits (zero-width space and joiners, soft
/// hyphen, direction marks, bidi controls): a number typed or pasted with them reads as one
/// number, so it is found as one.
fn transparent(c: char) -> bool {
    crate::analyze::is_invisible(c)
        || crate::analyze::is_bidi_control(c)
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The index of the first character at or after `k` that is not [`transparent`].
fn past_transparent(chars: &[(usize, char)], mut k: usize) -> usize {
    while chars.get(k).is_some_and(|&(_, c)| transparent(c)) {
        k += 1;
    }
    k
}

/// Finds digit runs. Groups of 3+ digits separated by one space or dash join into one run;
/// a trailing `X`/`x` right after 17 digits is kept (ID cards). Runs glued to Latin letters
/// (`SO123…`, `abc123`) are skipped: those are codes, not cards or IDs. [`transparent`]
/// characters between digits do not split a group.
///
/// A separator with a group of one or two digits on either side ("1101 0119 9003 0712 33",
/// "1101011990-03-07-1233"), a comma ("6228,4800,1234,5671") or a line break does not join:
/// dates, prices, counts and lists are written so too ("1,299", "1,2,3"). It links the runs
/// ([`Run::loose_next`]), for [`find_in`] to weigh them together, and the `X` may follow 17
/// digits of linked runs.
pub(crate) fn runs(text: &str) -> Vec<Run> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte = |k: usize| chars.get(k).map_or(text.len(), |&(b, _)| b);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i].1).is_none() {
            i += 1;
            continue;
        }
        let start_idx = i;
        // The runs of one chain (each loosely joined to the next) and the one being read.
        let mut chain: Vec<Run> = Vec::new();
        let mut run = Run { start: byte(i), ..Run::default() };
        let mut j = i;
        loop {
            let group_start = j;
            let before = run.digits.len();
            while j < chars.len() {
                if let Some(d) = digit(chars[j].1) {
                    run.digits.push((b'0' + d) as char);
                    j += 1;
                    continue;
                }
                let k = past_transparent(&chars, j);
                if k == j || chars.get(k).is_none_or(|&(_, c)| digit(c).is_none()) {
                    break;
                }
                j = k;
            }
            run.groups.push((byte(group_start), byte(j), run.digits[before..].to_string()));
            let group_len = run.digits.len() - before;
            let firm = separator_at(&chars, j).filter(|&width| group_len_at(&chars, j + width) > 0);
            let Some(width) = firm.or_else(|| link_at(&chars, j)) else { break };
            let next_len = group_len_at(&chars, j + width);
            if next_len == 0 {
                break;
            }
            // A separator between groups of 3+ digits joins them; with a shorter group on
            // either side, or a comma or line break, it only links the runs.
            if firm.is_some() && group_len >= 3 && next_len >= 3 {
                run.grouped = true;
            } else {
                run.end = byte(j);
                run.loose_next = true;
                let next = Run { start: byte(j + width), ..Run::default() };
                chain.push(std::mem::replace(&mut run, next));
            }
            j += width;
        }
        run.end = byte(j);
        chain.push(run);
        // 17 digits and an `X`: the run, or the last runs of the chain together, may be an ID.
        let mut tail = 0;
        let seventeen = chain.iter().rev().any(|r| {
            tail += r.digits.len();
            tail == 17
        });
        if j < chars.len() && matches!(chars[j].1, 'X' | 'x' | 'Ｘ' | 'ｘ') && seventeen {
            let next_is_letter = chars.get(j + 1).is_some_and(|&(_, c)| latin_letter(c));
            if !next_is_letter {
                j += 1;
                let last = chain.last_mut().expect("a chain has a run");
                last.digits.push('X');
                last.end = byte(j);
                if let Some(g) = last.groups.last_mut() {
                    g.1 = byte(j);
                    g.2.push('X');
                }
            }
        }
        let glued_after = j < chars.len() && latin_letter(chars[j].1);
        if glued_after {
            chain.pop();
            if let Some(last) = chain.last_mut() {
                last.loose_next = false;
            }
        }
        let glued_before = start_idx > 0 && latin_letter(chars[start_idx - 1].1) && !cue_word_before(&chars, start_idx);
        if glued_before && !chain.is_empty() {
            chain.remove(0);
        }
        out.append(&mut chain);
        i = j.max(i + 1);
    }
    out
}

/// How many digits the group at `at` has.
fn group_len_at(chars: &[(usize, char)], mut at: usize) -> usize {
    let mut n = 0;
    while chars.get(at).is_some_and(|&(_, c)| digit(c).is_some()) {
        n += 1;
        at = past_transparent(chars, at + 1);
    }
    n
}

/// The width of the separator between two digit groups at `at`: one or two spaces (ASCII,
/// no-break, thin or ideographic), or one dash, dot, slash or underscore (ASCII or full-width)
/// with up to one space on each side ("4111 - 1111"), as people type card and ID numbers.
/// [`transparent`] characters count as nothing.
fn separator_at(chars: &[(usize, char)], at: usize) -> Option<usize> {
    let spacing = |k: usize| chars.get(k).is_some_and(|&(_, c)| is_spacing(c));
    let mark = |k: usize| {
        chars.get(k).is_some_and(|&(_, c)| {
            matches!(
                c,
                '-' | '\u{2010}'
                    | '\u{2011}'
                    | '\u{2013}'
                    | '\u{2014}'
                    | '\u{FF0D}'
                    | '.'
                    | '\u{FF0E}'
                    | '/'
                    | '\u{FF0F}'
                    | '_'
            )
        })
    };
    // Each step passes the characters that show nothing.
    let step = |k: usize| past_transparent(chars, k + 1);
    let k = past_transparent(chars, at);
    let end = match (spacing(k), spacing(k + 1)) {
        (true, true) => step(k + 1),
        (true, false) => match step(k) {
            m if mark(m) && spacing(step(m)) => step(step(m)),
            m if mark(m) => step(m),
            m => m,
        },
        _ if mark(k) && spacing(step(k)) => step(step(k)),
        _ if mark(k) => step(k),
        _ => return None,
    };
    Some(end - at)
}

/// The width of a comma (ASCII or full-width) or a line break between two digit groups at
/// `at`, with up to one space on either side ("6228, 4800"; a number wrapped on a narrow
/// screen or pasted from two lines). These only link runs (see [`runs`]): they part the items
/// of a list and the thousands of a price far more often than a card's groups.
fn link_at(chars: &[(usize, char)], at: usize) -> Option<usize> {
    let past_space = |k: usize| {
        let k = past_transparent(chars, k);
        if chars.get(k).is_some_and(|&(_, c)| is_spacing(c)) {
            past_transparent(chars, k + 1)
        } else {
            k
        }
    };
    let k = past_space(at);
    let width = match chars.get(k).map(|&(_, c)| c)? {
        ',' | '\u{FF0C}' | '\n' | '\u{2028}' => 1,
        '\r' if chars.get(k + 1).is_some_and(|&(_, c)| c == '\n') => 2,
        '\r' => 1,
        _ => return None,
    };
    Some(past_space(k + width) - at)
}

/// Spaces people type between the groups of a number: ASCII, no-break, thin, ideographic.
fn is_spacing(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}' | '\u{3000}')
}

/// Latin words that, written right before a number ("ID11010519…", "card4111…"), name it
/// rather than make it a product code.
const GLUED_CUES: &[&str] = &["id", "idno", "idcard", "card", "cardno", "visa", "mastercard", "iban", "passport"];

/// True when the Latin letters right before `at` are one of [`GLUED_CUES`].
fn cue_word_before(chars: &[(usize, char)], at: usize) -> bool {
    let mut word: Vec<char> = chars[..at].iter().rev().map(|&(_, c)| c).take_while(|&c| latin_letter(c)).collect();
    word.reverse();
    let word: String = word.into_iter().collect::<String>();
    let word = crate::analyze::normalize(&word);
    GLUED_CUES.contains(&word.as_str())
}

/// Cues that say a number is an order, waybill or tracking number.
const ORDER_CUES: &[&str] =
    &["订单", "單號", "单号", "運單", "运单", "快递单", "物流单", "订单号", "order", "tracking", "waybill", "#", "no."];
/// Cues that say a number is a bank card.
const CARD_CUES: &[&str] =
    &["卡号", "银行卡", "信用卡", "储蓄卡", "借记卡", "card", "bank", "visa", "mastercard", "iban"];
/// Cues that say a number is an identity document.
const ID_CUES: &[&str] = &["身份证", "证件", "id card", "identity", "id number", "id no", "idcard", "passport"];

/// Words that point at a card without naming its number ("退款退到这张卡", "打到卡里").
const CARD_POINTERS: &[&str] = &["张卡", "卡里", "卡上"];

/// The message speaks of a card anywhere ([`CARD_CUES`], [`CARD_POINTERS`]): a card number in
/// it is the one it speaks of ("6222 0212 … 退款退到这张卡吧", "refund it to this card: 4111 …"),
/// and no order's number.
pub fn speaks_of_a_card(text: &str) -> bool {
    let norm = crate::analyze::normalize(text);
    has_cue(&norm, CARD_CUES) || has_cue(&norm, CARD_POINTERS)
}

/// A card cue ("卡号", "card", "visa" …) stands just before byte offset `at` of `text`.
pub fn card_cue_before(text: &str, at: usize) -> bool {
    has_cue(&context_before(text, at), CARD_CUES)
}

/// The lowercased, simplified text of up to 14 characters before a byte offset.
fn context_before(text: &str, at: usize) -> String {
    let before: String = text[..at].chars().rev().take(14).collect::<Vec<_>>().into_iter().rev().collect();
    crate::analyze::normalize(&before)
}

fn has_cue(ctx: &str, cues: &[&str]) -> bool {
    cues.iter().any(|c| ctx.contains(c))
}

/// Luhn checksum (bank cards).
pub fn luhn(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = (b - b'0') as u32;
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// The number starts as a payment card can (ISO/IEC 7812's issuer numbers): 3–6 (Amex, JCB,
/// Diners, Visa, Mastercard, UnionPay, Discover, Maestro), 9 (national cards: older Chinese
/// bank cards), and of the 2s only Mastercard's 2221–2720 (taken as 22–27, the safe side).
/// Not 0, 1, 7 or 8, nor 20 or 21: the date an order number so often starts with
/// ("2024060198765432" passes the Luhn check one time in ten, and was masked as a card when it
/// came without a cue). A card cue before the digits masks them whatever they start with.
pub fn card_prefix(d: &str) -> bool {
    matches!(d.as_bytes(), [b'3'..=b'6' | b'9', ..] | [b'2', b'2'..=b'7', ..])
}

/// ISO 7064 MOD 11-2 check character of an 18-character Chinese ID.
pub fn id18_checksum_ok(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17].iter().zip(W).map(|(d, w)| (*d - b'0') as u32 * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    b[17].to_ascii_uppercase() == check
}

fn num(s: &str) -> u32 {
    s.bytes().fold(0, |a, b| a * 10 + (b - b'0') as u32)
}

fn plausible_date(year: u32, month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && (1..=31).contains(&day) && year > 0
}

/// True when an 18-character ID has a region code and a plausible birth date.
fn id18_shape(d: &str) -> bool {
    d.len() == 18
        && d.as_bytes()[0] != b'0'
        && d[..17].bytes().all(|b| b.is_ascii_digit())
        && (1900..=2099).contains(&num(&d[6..10]))
        && plausible_date(num(&d[6..10]), num(&d[10..12]), num(&d[12..14]))
}

/// True when a 15-digit old ID has a region code and a plausible birth date (YYMMDD).
fn id15_shape(d: &str) -> bool {
    d.len() == 15 && d.as_bytes()[0] != b'0' && plausible_date(1900 + num(&d[6..8]), num(&d[8..10]), num(&d[10..12]))
}

/// True for a run written as a card number: four groups of four digits.
fn card_shaped(run: &Run) -> bool {
    run.grouped && run.groups.len() == 4 && run.groups.iter().all(|g| g.2.len() == 4)
}

/// True for groups as card numbers are written: fours, the last group maybe of three
/// (4-4-4-4, 4-4-4-4-3 for 19 digits), or 4-6-5 and 4-6-4 (American Express, Diners). Not a
/// card and a short number after it ("4111 1111 1111 1111, 2 charges").
fn written_as_card(run: &Run) -> bool {
    let lens: Vec<usize> = run.groups.iter().map(|g| g.2.len()).collect();
    match lens.split_last() {
        Some((last, fours)) if fours.len() >= 3 => fours.iter().all(|&n| n == 4) && (3..=4).contains(last),
        _ => matches!(lens[..], [4, 6, 5] | [4, 6, 4]),
    }
}

/// Classifies one digit run with the words before it and what the bot just asked for.
fn classify(run: &Run, ctx: &str, expecting: Expecting) -> Option<Sensitive> {
    let d = run.digits.as_str();
    let n = d.len();
    let (card_cue, id_cue) = (has_cue(ctx, CARD_CUES), has_cue(ctx, ID_CUES));
    let order_cue =
        (expecting.order || has_cue(ctx, ORDER_CUES)) && (expecting.sixteen_digit_orders || !card_shaped(run));
    if d.ends_with('X') {
        return (n == 18 && (id_cue || id18_shape(d))).then_some(Sensitive::IdCard);
    }
    // People group an ID as 6-8-4 (region, birth date, sequence); only the check character
    // or a cue tells a grouped one from a card.
    if run.grouped && n == 18 && id18_shape(d) && (id_cue || id18_checksum_ok(d)) && !card_cue {
        return Some(Sensitive::IdCard);
    }
    if !run.grouped {
        if id_cue && (n == 18 || n == 15) {
            return Some(Sensitive::IdCard);
        }
        if n == 18 && id18_shape(d) && !card_cue && (id18_checksum_ok(d) || !order_cue) {
            return Some(Sensitive::IdCard);
        }
        if n == 15 && id15_shape(d) && !order_cue && !card_cue && !luhn(d) {
            return Some(Sensitive::IdCard);
        }
    }
    if (13..=19).contains(&n) {
        if card_cue {
            return Some(Sensitive::BankCard);
        }
        if luhn(d) && !order_cue && card_prefix(d) {
            return Some(Sensitive::BankCard);
        }
    }
    None
}

/// A number typed as a card, four groups of four split by spaces or dashes with a card's
/// first digits, is one even when it fails the check ("4532 1234 5678 9010 exp 12/27"): a
/// digit mistyped leaves fifteen of the shopper's sixteen readable. Not in a shop whose order
/// numbers are 16 digits when an order number is meant, and not groups joined by commas or
/// line breaks (counts, prices, lists), which need the check ([`loosely_written`]), and not
/// the first sixteen digits of a longer grouped number ("6222 0212 3456 7890 13").
fn typed_as_card(text: &str, run: &Run, ctx: &str, expecting: Expecting) -> Option<Sensitive> {
    let order = expecting.sixteen_digit_orders && (expecting.order || has_cue(ctx, ORDER_CUES));
    let after = text[run.end..].trim_start_matches([' ', '-', '\u{3000}']);
    let goes_on = after.chars().next().is_some_and(|c| digit(c).is_some());
    (card_shaped(run) && card_prefix(&run.digits) && !order && !goes_on).then_some(Sensitive::BankCard)
}

/// The sensitive numbers of `text`, in order. A run of groups that is not sensitive as a whole
/// ("4111 1111 1111 1111 4111 1111 1111 1111": two cards) is tried window by window.
pub fn find(text: &str) -> Vec<Span> {
    find_in(text, Expecting::NOTHING)
}

/// Like [`find`], for a message that answers the bot: right after it asked for the order
/// number, a bare Luhn-valid number counts as one (see [`Expecting`] for which). ID cards are
/// still recognised by their shape and check digit.
pub fn find_in(text: &str, expecting: Expecting) -> Vec<Span> {
    let mut out = Vec::new();
    let runs = runs(text);
    let mut next = 0;
    while next < runs.len() {
        if let Some((last, span)) = loosely_written(text, &runs[next..], expecting) {
            out.push(span);
            next += last + 1;
            continue;
        }
        let r = &runs[next];
        next += 1;
        let ctx = context_before(text, r.start);
        if let Some(kind) = classify(r, &ctx, expecting).or_else(|| typed_as_card(text, r, &ctx, expecting)) {
            out.push(Span { start: r.start, end: r.end, kind });
            continue;
        }
        if r.groups.len() < 2 {
            continue;
        }
        let mut i = 0;
        while i < r.groups.len() {
            let mut hit = None;
            let mut digits = String::new();
            let mut j = i;
            while j < r.groups.len() && digits.len() + r.groups[j].2.len() <= 19 {
                digits.push_str(&r.groups[j].2);
                j += 1;
                if digits.len() >= 13 {
                    let (start, end) = (r.groups[i].0, r.groups[j - 1].1);
                    let groups = r.groups[i..j].to_vec();
                    let window =
                        Run { start, end, digits: digits.clone(), grouped: j - i > 1, groups, loose_next: false };
                    if let Some(kind) = classify(&window, &context_before(text, start), expecting) {
                        hit = Some((j, Span { start, end, kind }));
                    }
                }
            }
            match hit {
                Some((next, span)) => {
                    out.push(span);
                    i = next;
                }
                None => i += 1,
            }
        }
    }
    others(text, &mut out);
    out
}

/// The sensitive numbers of other countries' shoppers, and a card's secrets, added to `found`
/// (the ID and card numbers [`find_in`] found, in order) where they do not overlap one, and an
/// IBAN in place of the pieces of it read as numbers of their own: a US Social Security number
/// ("123-45-6789"; nine digits in a row or spaced only after "SSN" or "social security"), a UK
/// National Insurance number ("QQ 12 34 56 C"), an IBAN (its mod-97 check right: an order
/// number with letters passes it one time in 97 only when also shaped as one), a card's
/// security code after "CVV", "CVC" or "security code", its expiry date after "exp" or right
/// after a card number, and a passport number after "passport" or "护照" ([`passports`]).
fn others(text: &str, found: &mut Vec<Span>) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut more = Vec::new();
    for i in 0..chars.len() {
        let starts_word = i == 0 || !chars[i - 1].1.is_alphanumeric();
        if !starts_word {
            continue;
        }
        let span = ssn_at(text, &chars, i)
            .map(|e| (e, Sensitive::NationalId))
            .or_else(|| ni_number_at(&chars, i).map(|e| (e, Sensitive::NationalId)))
            .or_else(|| iban_at(text, &chars, i).map(|e| (e, Sensitive::BankAccount)))
            .or_else(|| expiry_at(text, &chars, i, found).map(|e| (e, Sensitive::CardSecret)));
        if let Some((end, kind)) = span {
            more.push(Span { start: chars[i].0, end: chars.get(end).map_or(text.len(), |c| c.0), kind });
        }
    }
    more.extend(security_codes(text, &chars));
    more.extend(passports(text, &chars));
    for span in more {
        let overlaps = |s: &Span| s.start < span.end && span.start < s.end;
        if span.kind == Sensitive::BankAccount {
            found.retain(|s| !(overlaps(s) && span.start <= s.start && s.end <= span.end));
        }
        if !found.iter().any(overlaps) {
            found.push(span);
        }
    }
    found.sort_by_key(|s| s.start);
}

/// The digits from `at` (ASCII or full-width) and the index past them.
fn digits_at(chars: &[(usize, char)], at: usize) -> (String, usize) {
    let mut k = at;
    let mut d = String::new();
    while let Some(v) = chars.get(k).and_then(|&(_, c)| digit(c)) {
        d.push((b'0' + v) as char);
        k += 1;
    }
    (d, k)
}

/// Nothing alphanumeric at `at`: a number ends there.
fn ends_word(chars: &[(usize, char)], at: usize) -> bool {
    chars.get(at).is_none_or(|&(_, c)| !c.is_alphanumeric())
}

/// Words that name a US Social Security number.
const SSN_CUES: &[&str] = &["ssn", "social security", "social sec", "soc sec"];

/// The end of a US Social Security number at `at`: 3-2-4 digits with dashes, or (after an SSN
/// cue) with spaces or none; never one the SSA does not issue (area 000, 666 or 9xx, group 00,
/// serial 0000).
fn ssn_at(text: &str, chars: &[(usize, char)], at: usize) -> Option<usize> {
    let cued = || {
        let before: String = text[..chars[at].0].chars().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect();
        let before = crate::analyze::normalize(&before);
        SSN_CUES.iter().any(|cue| word_in(&before, cue))
    };
    let (area, k) = digits_at(chars, at);
    let (group, serial, end) = match (area.len(), chars.get(k).map(|c| c.1)) {
        (9, _) if ends_word(chars, k) && cued() => (area[3..5].to_string(), area[5..].to_string(), k),
        (3, Some(sep @ ('-' | ' '))) => {
            let (group, k) = digits_at(chars, k + 1);
            if group.len() != 2 || chars.get(k).map(|c| c.1) != Some(sep) {
                return None;
            }
            let (serial, k) = digits_at(chars, k + 1);
            if serial.len() != 4 || !ends_word(chars, k) || (sep == ' ' && !cued()) {
                return None;
            }
            (group, serial, k)
        }
        _ => return None,
    };
    let area = &area[..3];
    let issued = area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000";
    issued.then_some(end)
}

/// The end of a UK National Insurance number at `at`: two letters as HMRC issues them, six
/// digits and a letter A–D, spaces allowed between the pairs ("QQ 12 34 56 C").
fn ni_number_at(chars: &[(usize, char)], at: usize) -> Option<usize> {
    let letter = |k: usize| chars.get(k).map(|c| c.1.to_ascii_uppercase()).filter(char::is_ascii_uppercase);
    let (a, b) = (letter(at)?, letter(at + 1)?);
    let prefix: String = [a, b].iter().collect();
    if "DFIQUV".contains(a)
        || "DFIOQUV".contains(b)
        || ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&prefix.as_str())
    {
        return None;
    }
    // Six digits, in pairs or not, a space allowed before each pair and before the letter.
    let mut k = at + 2;
    let mut digits = 0;
    while digits < 6 {
        if chars.get(k).is_some_and(|c| c.1 == ' ') {
            k += 1;
        }
        let (d, next) = digits_at(chars, k);
        if d.is_empty() || d.len() % 2 == 1 || digits + d.len() > 6 {
            return None;
        }
        digits += d.len();
        k = next;
    }
    if chars.get(k).is_some_and(|c| c.1 == ' ') {
        k += 1;
    }
    letter(k).filter(|c| ('A'..='D').contains(c))?;
    ends_word(chars, k + 1).then_some(k + 1)
}

/// The end of an IBAN at `at`: a country's two letters, two check digits, then 11–30 letters
/// and digits, single spaces allowed between groups, as long as its country's IBANs are (any
/// length after an "IBAN" cue), with its ISO 7064 mod-97 check right.
fn iban_at(text: &str, chars: &[(usize, char)], at: usize) -> Option<usize> {
    let c = |k: usize| chars.get(k).map(|c| c.1.to_ascii_uppercase());
    let head = [c(at)?, c(at + 1)?, c(at + 2)?, c(at + 3)?];
    if !head[0].is_ascii_uppercase()
        || !head[1].is_ascii_uppercase()
        || !head[2].is_ascii_digit()
        || !head[3].is_ascii_digit()
    {
        return None;
    }
    let mut code: String = head.iter().collect();
    // The country's IBAN length, or, after an "IBAN" cue, any.
    let country = &code[..2];
    let length = IBAN_LENGTHS.iter().find(|(c, _)| *c == country).map(|&(_, n)| n);
    let cued = word_in(&context_before(text, chars[at].0), "iban");
    if length.is_none() && !cued {
        return None;
    }
    let mut k = at + 4;
    let mut best = None;
    loop {
        match c(k) {
            Some(ch) if ch.is_ascii_alphanumeric() => {
                code.push(ch);
                k += 1;
                if code.len() > 34 {
                    break;
                }
                let fits = length.map_or(code.len() >= 15, |n| code.len() == n);
                if fits && ends_word(chars, k) && iban_checks(&code) {
                    best = Some(k);
                }
            }
            Some(' ') if c(k + 1).is_some_and(|n| n.is_ascii_alphanumeric()) && c(k - 1) != Some(' ') => k += 1,
            _ => break,
        }
    }
    best
}

/// The length of each country's IBAN (SWIFT's IBAN registry).
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HN", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

/// ISO 7064 mod 97-10 over an IBAN (upper-case letters and digits): the first four moved to
/// the end, letters as 10–35, the number modulo 97 is 1.
fn iban_checks(code: &str) -> bool {
    let (head, rest) = code.split_at(4);
    let mut m = 0u32;
    for ch in rest.chars().chain(head.chars()) {
        let v = match ch.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        m = if v < 10 { (m * 10 + v) % 97 } else { (m * 100 + v) % 97 };
    }
    m == 1
}

/// Words that name a card's expiry date.
const EXPIRY_CUES: &[&str] =
    &["exp", "expiry", "expires", "expiration", "exp date", "valid thru", "valid until", "有效期", "到期"];

/// The end of a card's expiry date at `at` (MM/YY or MM/YYYY, with a slash, dash or dot):
/// after an expiry cue, or right after a card number ([`find_in`]'s or one the shopper masked
/// already, "**** 0004 12/27"). A date in a longer one ("2024/12/27") is none.
fn expiry_at(text: &str, chars: &[(usize, char)], at: usize, cards: &[Span]) -> Option<usize> {
    if at > 0 && matches!(chars[at - 1].1, '/' | '-' | '.') {
        return None;
    }
    let (month, k) = digits_at(chars, at);
    let sep = chars.get(k).map(|c| c.1).filter(|c| matches!(c, '/' | '-' | '.'))?;
    let (year, end) = digits_at(chars, k + 1);
    let month_ok = matches!(month.len(), 1 | 2) && (1..=12).contains(&num(&month));
    let trailing =
        chars.get(end).is_some_and(|c| c.1 == sep && chars.get(end + 1).is_some_and(|n| digit(n.1).is_some()));
    if !month_ok || !matches!(year.len(), 2 | 4) || !ends_word(chars, end) || trailing {
        return None;
    }
    let before = &text[..chars[at].0];
    let ctx = context_before(text, chars[at].0);
    let cued = EXPIRY_CUES.iter().any(|cue| word_in(&ctx, cue));
    let gap = |from: usize| before[from..].chars().all(|c| c.is_whitespace() || matches!(c, ',' | '，' | ';'));
    let after_card = cards.iter().any(|s| s.kind == Sensitive::BankCard && s.end <= before.len() && gap(s.end));
    let trimmed = before.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | ';'));
    let head = trimmed.trim_end_matches(|c: char| digit(c).is_some());
    let already = trimmed[head.len()..].chars().count() == 4 && head.trim_end().ends_with('*');
    (cued || after_card || already).then_some(end)
}

/// `word` stands in `text` as a word of its own (no Latin letter glued on either side).
fn word_in(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back().is_none_or(|c| !c.is_ascii_alphabetic());
        let after = text[i + word.len()..].chars().next().is_none_or(|c| !c.is_ascii_alphabetic());
        before && after
    })
}

/// Words that name a card's security code.
const SECURITY_CUES: &[&str] =
    &["cvv2", "cvc2", "cvv", "cvc", "csc", "security code", "card code", "card verification", "安全码", "校验码"];

/// The security codes of `text`: 3–4 digits after a security cue, with at most "is", "code",
/// "number", a colon or the like between ("CVV: 123", "security code is 1234", "安全码123").
fn security_codes(text: &str, chars: &[(usize, char)]) -> Vec<Span> {
    let lower: String = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut out = Vec::new();
    for cue in SECURITY_CUES {
        for (i, _) in lower.match_indices(cue) {
            let glued = lower[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphabetic());
            if glued {
                continue;
            }
            let rest = past_fillers(&lower[i + cue.len()..], &["is", "code", "number", "no.", "no", "was"]);
            let start = text.len() - rest.len();
            let Some(at) = chars.iter().position(|c| c.0 == start) else { continue };
            let (d, end) = digits_at(chars, at);
            if (3..=4).contains(&d.len()) && ends_word(chars, end) {
                out.push(Span { start, end: chars.get(end).map_or(text.len(), |c| c.0), kind: Sensitive::CardSecret });
            }
        }
    }
    out.sort_by_key(|s| s.start);
    out.dedup_by_key(|s| s.start);
    out
}

/// `rest` past the words between a cue and its number: spaces, a colon, "#", "是" and the
/// like, and any of `words` ("is", "number", "号码"), as often as they come.
fn past_fillers<'a>(mut rest: &'a str, words: &[&str]) -> &'a str {
    loop {
        let trimmed = rest
            .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '：' | '#' | '=' | '-' | '是' | '为'));
        let word = words
            .iter()
            .find(|w| trimmed.starts_with(*w) && !trimmed[w.len()..].starts_with(|c: char| c.is_ascii_alphabetic()));
        match word {
            Some(w) => rest = &trimmed[w.len()..],
            None => return trimmed,
        }
    }
}

/// Words that name a passport (traditional 護照 too: masking reads the text as typed).
const PASSPORT_CUES: &[&str] = &["passport", "护照", "護照"];

/// The passport numbers of `text`: 6–9 Latin letters and digits, a digit among them, right
/// after a passport cue with at most "number", "no.", "is", "号码", "是", a colon or the like
/// between ("passport no. E12345678", "护照号码：E12345678"; China's E/G + 8 digits, most
/// countries' 6–9 characters). Never one without the cue: "order E12345678" is an order's.
fn passports(text: &str, chars: &[(usize, char)]) -> Vec<Span> {
    const FILLERS: &[&str] = &["number", "num", "no.", "no", "nr", "is", "号码", "號碼", "号", "號", "编号", "編號"];
    let lower: String = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut out = Vec::new();
    for cue in PASSPORT_CUES {
        for (i, _) in lower.match_indices(cue) {
            if lower[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            let start = text.len() - past_fillers(&lower[i + cue.len()..], FILLERS).len();
            let Some(at) = chars.iter().position(|c| c.0 == start) else { continue };
            let part = |c: char| c.is_ascii_alphanumeric() || digit(c).is_some();
            let len = chars[at..].iter().take_while(|c| part(c.1)).count();
            let has_digit = chars[at..at + len].iter().any(|c| digit(c.1).is_some());
            if (6..=9).contains(&len) && has_digit {
                let end = chars.get(at + len).map_or(text.len(), |c| c.0);
                out.push(Span { start, end, kind: Sensitive::Passport });
            }
        }
    }
    out.sort_by_key(|s| s.start);
    out
}

/// A number written loosely over `runs[0]` and the runs it is linked to ([`Run::loose_next`]):
/// the longest series of them that together is written as a card ([`written_as_card`]) or
/// shaped as an 18-character ID, and is sensitive as a whole ("1101 0119 9003 0712 33": an ID
/// in fours). The index of its last run, and its span. Without one, each run is weighed on
/// its own as before, never a window across a link ("2024-11-23 138-1234-5678").
fn loosely_written(text: &str, runs: &[Run], expecting: Expecting) -> Option<(usize, Span)> {
    let mut whole = runs.first().filter(|r| r.loose_next)?.clone();
    let mut ctx = None;
    let mut found = None;
    for (last, run) in runs.iter().enumerate().skip(1) {
        if !runs[last - 1].loose_next || whole.digits.len() + run.digits.len() > 19 {
            break;
        }
        whole.digits.push_str(&run.digits);
        whole.groups.extend(run.groups.iter().cloned());
        whole.end = run.end;
        whole.grouped = true;
        if !written_as_card(&whole) && !id18_shape(&whole.digits) {
            continue;
        }
        let ctx = ctx.get_or_insert_with(|| context_before(text, whole.start));
        if let Some(kind) = classify(&whole, ctx, expecting) {
            found = Some((last, Span { start: whole.start, end: whole.end, kind }));
        }
    }
    found
}

/// The start of a card number at the end of one message, kept for the next: a shopper may send
/// a card in two bubbles ("卡号 6228 4800", then "1234 5671"), and neither half is a card alone.
/// Held in memory for one message only ([`super::Conversation`] never stores it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CardStart {
    /// The message as it was stored (masked).
    pub text: String,
    /// Where the digits are in `text` (bytes).
    pub start: usize,
    pub end: usize,
    /// The digits, ASCII.
    pub digits: String,
    /// The digits of each group, in order.
    pub groups: Vec<String>,
    /// A card cue ("卡号", "card") stands before them.
    pub cue: bool,
}

/// The digit run (with the runs loosely linked to it) that ends `message`, if it may be the
/// first part of a card: after a card cue ("my card is 6228 4800"), or written as a card
/// begins, in at least two groups of four ("6228 4800"). Never a number already masked in
/// the message (`spans`), nor one an order or ID cue names ("订单号 2024 1123" is an order's).
/// `masked` is the message as stored: its digits at the end are the same as the message's.
pub fn card_start(message: &str, masked: &str, spans: &[Span]) -> Option<CardStart> {
    let runs = runs(message);
    let last = runs.len().checked_sub(1)?;
    let rest = &message[runs[last].end..];
    if !rest.chars().all(|c| c.is_whitespace() || matches!(c, ',' | '，' | '、' | '-' | ':' | '：')) {
        return None;
    }
    let mut first = last;
    while first > 0 && runs[first - 1].loose_next {
        first -= 1;
    }
    let (start, end) = (runs[first].start, runs[last].end);
    if spans.iter().any(|s| s.start < end && start < s.end) {
        return None;
    }
    let groups: Vec<String> = runs[first..=last].iter().flat_map(|r| r.groups.iter().map(|g| g.2.clone())).collect();
    let digits: String = groups.concat();
    if digits.len() >= 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ctx = context_before(message, start);
    let cue = has_cue(&ctx, CARD_CUES);
    if !cue && (has_cue(&ctx, ORDER_CUES) || has_cue(&ctx, ID_CUES)) {
        return None;
    }
    let fours = groups.len() >= 2 && groups.iter().all(|g| g.len() == 4);
    if !(fours || cue && digits.len() >= 4) {
        return None;
    }
    // Nothing after the digits was masked: they end the stored text as they end the message.
    let shift = message.len() - end;
    let (start, end) = (masked.len().checked_sub(message.len() - start)?, masked.len() - shift);
    Some(CardStart { text: masked.to_string(), start, end, digits, groups, cue })
}

/// The rest of the card begun by `begun` at the start of `message`: the longest series of the
/// message's leading digit groups that, after `begun`'s, makes 13–19 digits, passes the Luhn
/// check, and is written as a card ([`written_as_card`] over both parts) or follows a card
/// cue. A group shaped as a mobile number (11 digits from 1) is never part of it, and nor is
/// a number the message's own masking found (`spans`). The span to mask in `message`, and the
/// earlier message with its part masked (the last four digits of the whole stay readable).
pub fn card_end(begun: &CardStart, message: &str, spans: &[Span]) -> Option<(Span, String)> {
    let runs = runs(message);
    let head = runs.first()?;
    if !message[..head.start].chars().all(char::is_whitespace) {
        return None;
    }
    let mut parts: Vec<(usize, String)> = Vec::new();
    for (k, r) in runs.iter().enumerate() {
        if k > 0 && !runs[k - 1].loose_next {
            break;
        }
        parts.extend(r.groups.iter().map(|g| (g.1, g.2.clone())));
    }
    let mut digits = begun.digits.clone();
    let mut lens: Vec<usize> = begun.groups.iter().map(String::len).collect();
    let mut found = None;
    for (end, group) in &parts {
        let phone = group.len() == 11 && group.starts_with('1');
        if phone || digits.len() + group.len() > 19 || !group.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        digits.push_str(group);
        lens.push(group.len());
        let shape = Run { groups: lens.iter().map(|&n| (0, 0, "0".repeat(n))).collect(), ..Run::default() };
        if digits.len() >= 13 && luhn(&digits) && (begun.cue || written_as_card(&shape)) {
            found = Some((*end, digits.len() - begun.digits.len()));
        }
    }
    let (end, added) = found?;
    let span = Span { start: head.start, end, kind: Sensitive::BankCard };
    if spans.iter().any(|s| s.start < span.end && span.start < s.end) {
        return None;
    }
    // The earlier part keeps readable only what falls among the last four digits of the card.
    let keep = 4usize.saturating_sub(added);
    let mut previous = String::with_capacity(begun.text.len());
    previous.push_str(&begun.text[..begun.start]);
    let part = &begun.text[begun.start..begun.end];
    let total = part.chars().filter(|&c| digit(c).is_some()).count();
    let mut seen = 0;
    for c in part.chars() {
        if digit(c).is_some() {
            seen += 1;
            previous.push(if seen + keep > total { c } else { '*' });
        } else {
            previous.push(c);
        }
    }
    previous.push_str(&begun.text[begun.end..]);
    Some((span, previous))
}

/// `text` with the digits of its last digit run (and the groups before it, with the spaces,
/// dashes and commas between them) replaced by `*`: a record sent before the next message
/// can tell whether they begin a card ([`card_start`]).
pub fn hide_trailing_digits(text: &str) -> String {
    let mut rest: Vec<char> = text.chars().collect();
    let mut k = rest.len();
    while k > 0 {
        let c = rest[k - 1];
        if digit(c).is_some() {
            rest[k - 1] = '*';
        } else if c.is_alphanumeric() {
            break;
        }
        k -= 1;
    }
    rest.into_iter().collect()
}

/// `text` with every sensitive number masked down to its last four digits.
pub fn mask(text: &str) -> String {
    mask_spans(text, &find(text))
}

/// Like [`mask`], but a number equal to one of `keep` stays readable: a case's own order
/// number, which the agent needs and which, when numeric, passes the card checksum one time
/// in ten. Numbers compare as [`fold`]s them ("4111…x" does not shelter "4111…"). A number
/// the text itself calls a card ("卡号 …", "card …") is masked all the same: the shopper said
/// what it is, whatever was typed into the order field.
pub fn mask_keeping(text: &str, keep: &[&str]) -> String {
    let keep: Vec<String> = keep.iter().map(|k| fold(k)).filter(|k| !k.is_empty()).collect();
    let spans: Vec<Span> = find(text)
        .into_iter()
        .filter(|s| !keep.contains(&fold(&text[s.start..s.end])) || card_cue_before(text, s.start))
        .collect();
    mask_spans(text, &spans)
}

/// An order number as given (a form field, the page's `identify`): kept, unless it is in
/// fact a resident ID (18 characters, check character right) or a payment card (Luhn-valid
/// and starting as a card does, [`card_prefix`]: a date-led order number such as
/// "2024060198765432" is kept), which is masked like one.
pub fn order_number(order: &str) -> String {
    let folded = fold(order);
    let spans = find(order);
    let whole = |kind| spans.iter().any(|s| s.kind == kind && fold(&order[s.start..s.end]) == folded);
    if (whole(Sensitive::IdCard) && id18_checksum_ok(&folded)) || whole(Sensitive::BankCard) {
        mask(order)
    } else {
        order.to_string()
    }
}

/// A number as compared with an order number: full-width characters folded to ASCII, letters
/// upper-cased, the spaces and dashes people put between groups dropped; everything else kept.
fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}' | '\u{FF0D}'))
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .flat_map(char::to_uppercase)
        .collect()
}

/// Masks the given spans (from [`find`]) of `text`.
pub fn mask_spans(text: &str, spans: &[Span]) -> String {
    mask_spans_at(text, spans).0
}

/// Like [`mask_spans`], also giving where each masked number is in the result (byte ranges;
/// masking keeps the characters but not their widths: a full-width digit becomes `*`).
pub fn mask_spans_at(text: &str, spans: &[Span]) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(text.len());
    let mut at = Vec::with_capacity(spans.len());
    let mut last = 0;
    for s in spans {
        out.push_str(&text[last..s.start]);
        let start = out.len();
        let part = &text[s.start..s.end];
        let significant = part.chars().filter(|&c| s.kind.significant(c)).count();
        let mut seen = 0;
        for c in part.chars() {
            if s.kind.significant(c) {
                seen += 1;
                out.push(if seen + s.kind.kept(significant) > significant { c } else { '*' });
            } else {
                out.push(c);
            }
        }
        at.push((start, out.len()));
        last = s.end;
    }
    out.push_str(&text[last..]);
    (out, at)
}

/// A masked number with the words that introduce it as one ("身份证号是 …", "my card
/// number is …"), when such words do: the shopper has said what the number is, and the rest
/// of the message is the question ("身份证11010519491231002X 多久发货" asks when the order
/// ships). `None` for a number without them: one found by its checksum alone may be the
/// order number of another shop's customer, whose message is not the rest of it.
pub fn with_its_cue(text: &str, (start, end): (usize, usize)) -> Option<(usize, usize)> {
    const FILLERS: &[&str] = &["号码", "号", "是", "为", "number", "no.", "no", "is", "#"];
    let lower = |s: &str| crate::analyze::normalize(s);
    let mut from = start;
    loop {
        let before = text[..from].trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '：' | ',' | '，'));
        let cut = |w: &str| {
            let tail = before.len().checked_sub(w.len()).filter(|&i| before.is_char_boundary(i))?;
            (lower(&before[tail..]) == w).then_some(tail)
        };
        if let Some(i) = CARD_CUES.iter().chain(ID_CUES).find_map(|w| cut(w)) {
            // A cue is a word of its own ("card", not the end of "discard").
            let joined = text[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphabetic())
                && text[i..].starts_with(|c: char| c.is_ascii_alphabetic());
            return (!joined).then_some((i, end));
        }
        from = FILLERS.iter().find_map(|w| cut(w))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 11010519491231002X: a well-known specimen ID with a valid check character.
    #[test]
    fn masks_id_cards_keeping_the_last_four() {
        assert!(id18_checksum_ok("11010519491231002X"));
        assert_eq!(mask("我的身份证11010519491231002X"), "我的身份证**************002X");
        assert_eq!(mask("ID: 11010519491231002x ok"), "ID: **************002x ok");
        // An old 15-digit ID.
        assert_eq!(mask("身份證號碼 110105491231002"), "身份證號碼 ***********1002");
    }

    #[test]
    fn masks_numbers_as_people_type_them() {
        // Two spaces, dots, slashes, underscores, no-break and ideographic spaces, long and
        // full-width dashes between the groups.
        for sep in ["  ", ".", "/", "_", "\u{a0}", "\u{3000}", "\u{2014}", "\u{FF0D}"] {
            let typed = format!("card {}", ["4111", "1111", "1111", "1111"].join(sep));
            assert_eq!(mask(&typed), format!("card {}{sep}1111", ["****"; 3].join(sep)), "{sep:?}");
        }
        // An ID grouped 6-8-4, and numbers written right after their cue word.
        assert_eq!(mask("身份证 110105 19491231 002X"), "身份证 ****** ******** 002X");
        assert_eq!(mask("110105-19491231-002X"), "******-********-002X");
        assert_eq!(mask("ID11010519491231002X"), "ID**************002X");
        assert_eq!(mask("card4111111111111111"), "card************1111");
        // Still not numbers to hide: codes, dates, phones.
        assert_eq!(mask("SKU4111111111111111"), "SKU4111111111111111");
        assert_eq!(mask("2024.11.23 12/25 138-1234-5678"), "2024.11.23 12/25 138-1234-5678");
        assert_eq!(mask("2024 - 11 - 23, 138 - 1234 - 5678"), "2024 - 11 - 23, 138 - 1234 - 5678");
    }

    // 110101199003071233: a test ID with a valid check digit.
    #[test]
    fn an_id_grouped_in_fours_is_masked_whole() {
        // 4-4-4-4-2: the group of two ended the number, and the 16 digits before it are no card.
        assert_eq!(mask("身份证：1101 0119 9003 0712 33"), "身份证：**** **** **** **12 33");
        assert_eq!(mask("1101 0119 9003 0712 33 多久发货"), "**** **** **** **12 33 多久发货");
        assert_eq!(mask("1101 0519 4912 3100 2X"), "**** **** **** **00 2X");
        let kinds = |text: &str| find_in(text, Expecting::ORDER).iter().map(|s| s.kind).collect::<Vec<_>>();
        assert_eq!(kinds("1101 0119 9003 0712 33"), [Sensitive::IdCard]);
        // A wrong check digit: an ID after an ID cue only.
        assert_eq!(mask("身份证 1101 0119 9003 0712 34"), "身份证 **** **** **** **12 34");
        assert_eq!(mask("1101 0119 9003 0712 34"), "1101 0119 9003 0712 34");
        // A card with a short group after it is still the card.
        assert_eq!(mask("4111 1111 1111 1111 12"), "**** **** **** 1111 12");
        assert_eq!(mask("4111 1111 1111 1111-3 charges"), "**** **** **** 1111-3 charges");
        assert_eq!(mask("订单号 2024 1123 1234 5678 12"), "订单号 2024 1123 1234 5678 12");
    }

    #[test]
    fn an_id_with_its_birth_date_written_as_a_date_is_masked() {
        assert_eq!(mask("1101011990-03-07-1233"), "**********-**-**-1233");
        assert_eq!(mask("身份证 110101 1990-03-07 1233"), "身份证 ****** ****-**-** 1233");
        // Dates, prices and phones written beside each other stay.
        assert_eq!(mask("1990-03-07 生日, 2024-03-07 13812345678"), "1990-03-07 生日, 2024-03-07 13812345678");
        assert_eq!(mask("12-25 1,299.00 2024.11.23 138-1234-5678"), "12-25 1,299.00 2024.11.23 138-1234-5678");
    }

    // 6228480012345671: a test card number, Luhn-valid.
    #[test]
    fn a_card_with_commas_between_its_groups_is_masked() {
        assert_eq!(mask("6228,4800,1234,5671"), "****,****,****,5671");
        assert_eq!(mask("卡号6228，4800，1234，5671"), "卡号****，****，****，5671");
        assert_eq!(mask("card 6228, 4800, 1234, 5671 thx"), "card ****, ****, ****, 5671 thx");
        assert_eq!(mask("6228 , 4800 , 1234 , 5671"), "**** , **** , **** , 5671");
        assert_eq!(mask("1,6228,4800,1234,5671"), "1,****,****,****,5671");
        // Counts, prices, phones and order numbers with commas stay.
        assert_eq!(mask("1,2,3"), "1,2,3");
        assert_eq!(mask("I bought 1,299 and 2,399 items"), "I bought 1,299 and 2,399 items");
        assert_eq!(mask("1,299,000,000,000,000 and 1299,2399"), "1,299,000,000,000,000 and 1299,2399");
        assert_eq!(mask("13812345678,13912345678"), "13812345678,13912345678");
        assert_eq!(mask("订单号 2024,1123,1234,5678"), "订单号 2024,1123,1234,5678");
        assert_eq!(mask("6228,4800,1234,5678"), "6228,4800,1234,5678");
    }

    #[test]
    fn a_number_broken_over_lines_is_masked() {
        assert_eq!(mask("6228 4800\n1234 5671"), "**** ****\n**** 5671");
        assert_eq!(mask("卡号：\n6228\r\n4800 \r\n1234\r\n5671\n谢谢"), "卡号：\n****\r\n**** \r\n****\r\n5671\n谢谢");
        assert_eq!(mask("身份证 1101 0119\n9003 0712 33"), "身份证 **** ****\n**** **12 33");
        // Numbers on lines of their own stay.
        assert_eq!(mask("订单号 2024 1123\n1234 5678"), "订单号 2024 1123\n1234 5678");
        assert_eq!(mask("2021\n2022\n2023\n2024"), "2021\n2022\n2023\n2024");
        assert_eq!(mask("13812345678\n13912345678"), "13812345678\n13912345678");
        assert_eq!(mask("6228 4800\n\n1234 5671"), "6228 4800\n\n1234 5671");
    }

    #[test]
    fn masks_numbers_with_spaced_dashes_or_invisible_characters_between_digits() {
        // A dash with a space on either side, as typed on a phone.
        assert_eq!(mask("card 4111 - 1111 - 1111 - 1111"), "card **** - **** - **** - 1111");
        assert_eq!(mask("卡号 6222 -0212- 3456 – 7894"), "卡号 **** -****- **** – 7894");
        assert_eq!(mask("4111 - 1111 - 1111 - 1111 was charged"), "**** - **** - **** - 1111 was charged");
        // Zero-width characters and direction marks (pasted from an app or a web page) show
        // nothing: the number reads as one and is masked as one.
        assert_eq!(
            mask("card 4111\u{200b}1111\u{200b}1111\u{200b}1111"),
            "card ****\u{200b}****\u{200b}****\u{200b}1111"
        );
        assert_eq!(mask("41\u{2060}11111111111111 ok"), "**\u{2060}**********1111 ok");
        assert_eq!(mask("4111 \u{200e}1111 1111\u{feff} 1111"), "**** \u{200e}**** ****\u{feff} 1111");
        assert_eq!(mask("身份证 110105\u{200f}19491231002X"), "身份证 ******\u{200f}********002X");
        // …and an order number with them is still an order number.
        assert_eq!(
            mask("订单号 4111\u{200b}1111\u{200b}1111\u{200b}1111"),
            "订单号 4111\u{200b}1111\u{200b}1111\u{200b}1111"
        );
    }

    #[test]
    fn a_masked_number_is_cut_with_the_words_that_introduce_it() {
        let cut = |text: &str| {
            let (masked, at) = mask_spans_at(text, &find(text));
            let Some((s, e)) = with_its_cue(&masked, at[0]) else { return "kept".to_string() };
            format!("{}|{}", &masked[..s], &masked[e..])
        };
        assert_eq!(cut("身份证11010519491231002X 多久发货"), "| 多久发货");
        assert_eq!(cut("我的身份证号是：110105 19491231 002X，多久发货"), "我的|，多久发货");
        assert_eq!(cut("my card number is 4111 1111 1111 1111, when"), "my |, when");
        // Found by its checksum alone, a number stays in the question (it may be an order's).
        assert_eq!(cut("退款到 4111111111111111 可以吗"), "kept");
        assert_eq!(cut("cancel purchase 4111111111111111"), "kept");
        assert_eq!(cut("discard 4111111111111111 please"), "kept");
        // Full-width digits are masked to one-byte stars: the range is the masked text's.
        assert_eq!(cut("卡号４１１１１１１１１１１１１１１１退款"), "|退款");
    }

    #[test]
    fn the_order_number_stays_readable_unless_it_is_an_id() {
        assert_eq!(
            mask_keeping("4111111111111111 never came", &["4111 1111 1111 1111"]),
            "4111111111111111 never came"
        );
        assert_eq!(mask_keeping("4111111111111111 never came", &["4111111111111111X"]), "************1111 never came");
        assert_eq!(order_number("11010519491231002X"), "**************002X");
        assert_eq!(order_number("2024112312345678"), "2024112312345678");
    }

    #[test]
    fn a_card_given_as_the_order_number_is_masked_and_shelters_nothing() {
        assert_eq!(order_number("4111111111111111"), "************1111");
        assert_eq!(order_number("4111 1111 1111 1111"), "**** **** **** 1111");
        // Date-led and Luhn-valid: an order number, kept (card_prefix).
        assert!(luhn("2024060198765432"));
        assert_eq!(order_number("2024060198765432"), "2024060198765432");
        // A card cue in the text masks the number even when it equals the order number.
        assert_eq!(
            mask_keeping("我的卡号 4111111111111111 扣款两次", &["4111111111111111"]),
            "我的卡号 ************1111 扣款两次"
        );
        assert_eq!(
            mask_keeping("card 2024060198765432 was charged", &["2024060198765432"]),
            "card ************5432 was charged"
        );
        assert_eq!(mask_keeping("订单 2024060198765432 没到", &["2024060198765432"]), "订单 2024060198765432 没到");
    }

    #[test]
    fn masks_luhn_valid_cards_with_separators() {
        assert!(luhn("4111111111111111"));
        assert_eq!(mask("card 4111 1111 1111 1111 thx"), "card **** **** **** 1111 thx");
        assert_eq!(mask("卡号6222-0212-3456-7894"), "卡号****-****-****-7894");
        assert_eq!(mask("4111111111111111"), "************1111");
        // Written as a card but failing the check (a digit mistyped, a made-up number): still
        // a card. Not a date-led number grouped in fours.
        assert!(!luhn("4532123456789010"));
        assert_eq!(mask("its 4532 1234 5678 9010 exp 12/27"), "its **** **** **** 9010 exp **/**");
        assert_eq!(mask("2024 1123 1234 5678"), "2024 1123 1234 5678");
        assert_eq!(mask("备注编号 6222 0212 3456 7890 13"), "备注编号 6222 0212 3456 7890 13");
    }

    #[test]
    fn leaves_order_numbers_and_short_numbers_alone() {
        // Luhn-valid, but said to be an order number.
        assert_eq!(mask("订单号 4111111111111111"), "订单号 4111111111111111");
        assert_eq!(mask("order #4111111111111111"), "order #4111111111111111");
        // Not Luhn-valid, no card cue.
        assert_eq!(mask("2023112300012345"), "2023112300012345");
        assert_eq!(mask("4532123456789010"), "4532123456789010");
        // Letters glued on: a code.
        assert_eq!(mask("DD4111111111111111"), "DD4111111111111111");
        assert_eq!(mask("I bought 2 items for 399"), "I bought 2 items for 399");
    }

    #[test]
    fn cards_in_a_row_are_each_masked() {
        let m = mask("4111 1111 1111 1111 4111 1111 1111 1111");
        assert_eq!(m, "**** **** **** 1111 **** **** **** 1111");
    }

    #[test]
    fn after_an_order_number_ask_bare_numbers_are_orders() {
        assert!(find_in("4111111111111111", Expecting::ORDER).is_empty());
        assert_eq!(find_in("11010519491231002X", Expecting::ORDER).len(), 1);
        assert_eq!(find_in("卡号 4111111111111111", Expecting::ORDER).len(), 1);
    }

    #[test]
    fn after_an_order_number_ask_a_number_written_as_a_card_is_one() {
        let kinds = |text: &str, expecting| find_in(text, expecting).iter().map(|s| s.kind).collect::<Vec<_>>();
        assert_eq!(kinds("4111 1111 1111 1111", Expecting::ORDER), [Sensitive::BankCard]);
        assert_eq!(kinds("４１１１－１１１１－１１１１－１１１１", Expecting::ORDER), [Sensitive::BankCard]);
        // Two in a row: each window of four groups is one.
        let two = "4111 1111 1111 1111 5500 0000 0000 0004";
        assert_eq!(kinds(two, Expecting::ORDER), [Sensitive::BankCard, Sensitive::BankCard]);
        // Grouped otherwise, or not Luhn-valid: the order number.
        assert!(kinds("41111 11111 111111", Expecting::ORDER).is_empty());
        assert!(kinds("2024 1123 1234 5678", Expecting::ORDER).is_empty());
        // Said to be an order's number, it is still a card, but not in a shop whose order
        // numbers are 16 digits.
        let sixteen = Expecting { order: false, sixteen_digit_orders: true };
        for cued in ["order 4111 1111 1111 1111", "订单号 4111-1111-1111-1111"] {
            assert_eq!(kinds(cued, Expecting::ORDER), [Sensitive::BankCard], "{cued}");
            assert_eq!(kinds(cued, Expecting::NOTHING), [Sensitive::BankCard], "{cued}");
            assert!(kinds(cued, sixteen).is_empty(), "{cued}");
        }
        assert!(kinds("4111 1111 1111 1111", Expecting { order: true, ..sixteen }).is_empty());
        assert_eq!(kinds("4111 1111 1111 1111", sixteen), [Sensitive::BankCard]);
        // Written otherwise after an order cue: the order's number, Luhn-valid or not.
        assert!(kinds("order 4111111111111111", Expecting::NOTHING).is_empty());
        assert!(kinds("订单号 2024 1123 1234 5678", Expecting::NOTHING).is_empty());
    }

    #[test]
    fn full_width_digits_are_masked_too() {
        assert_eq!(mask("４１１１１１１１１１１１１１１１"), "************１１１１");
        // An IME switched mid-number: both widths in one number.
        assert_eq!(mask("6228４８００１２３４5671"), "************5671");
        assert_eq!(mask("6228 ４８００ 1234 ５６７１"), "**** **** **** ５６７１");
        assert_eq!(mask("身份证１１０１０１199003071233"), "身份证**************1233");
        assert_eq!(mask("１１０１ 0119 ９００３ 0712 ３３"), "**** **** **** **12 ３３");
        // 17 digits and not Luhn-valid: no card number, whatever the widths.
        assert_eq!(mask("6228０４８００１２３４5671"), "6228０４８００１２３４5671");
    }

    // GB29 NWBK 6016 1331 9268 19 and DE89 3704 0044 0532 0130 00: the registry's specimens.
    #[test]
    fn english_shoppers_id_bank_and_card_secrets_are_masked() {
        assert_eq!(
            mask("my ssn is 123-45-6789 do you need it for the invoice"),
            "my ssn is ***-**-6789 do you need it for the invoice"
        );
        assert_eq!(mask("social security number 123456789"), "social security number *****6789");
        assert_eq!(mask("SSN: 123 45 6789"), "SSN: *** ** 6789");
        assert_eq!(mask("my NI number is AB 12 34 56 C"), "my NI number is ** ** *4 56 C");
        assert_eq!(mask("ni ab123456c thanks"), "ni *****456c thanks");
        assert_eq!(
            mask("please refund to my IBAN GB29 NWBK 6016 1331 9268 19"),
            "please refund to my IBAN **** **** **** **** **68 19"
        );
        assert_eq!(mask("DE89370400440532013000 thanks"), "******************3000 thanks");
        assert_eq!(
            mask("payment failed with card **** **** **** 0004 exp 12/27 cvv 123"),
            "payment failed with card **** **** **** 0004 exp **/** cvv ***"
        );
        assert_eq!(mask("card 4111 1111 1111 1111 12/25, CVC: 1234"), "card **** **** **** 1111 **/**, CVC: ****");
        assert_eq!(mask("security code is 987"), "security code is ***");
        assert_eq!(
            mask("卡号 4111111111111111 有效期 08/29 安全码123"),
            "卡号 ************1111 有效期 **/** 安全码***"
        );
        let kinds = |text: &str| find(text).iter().map(|s| s.kind).collect::<Vec<_>>();
        assert_eq!(kinds("IBAN GB29 NWBK 6016 1331 9268 19"), [Sensitive::BankAccount]);
        let text = "ssn 123-45-6789 iban GB29NWBK60161331926819 cvv 123";
        assert_eq!(
            Hidden::of(text, &find(text)),
            Hidden {
                id_card: true,
                bank_card: false,
                bank_account: true,
                card_secret: true,
                passport: false,
                lettered: true,
                kept: (4, 4)
            }
        );
    }

    #[test]
    fn order_numbers_dates_and_phones_are_not_taken_for_them() {
        for kept in [
            // A checksum wrong by one digit, order numbers with letters, SSNs never issued.
            "IBAN GB28 NWBK 6016 1331 9268 19",
            "order GB29NWBK60161331926818",
            "order SO2024112312345678901",
            "order AB12345678901234",
            "000-12-3456 666-12-3456 912-34-5678 123-00-4567",
            // Nine digits, spaced SSNs and NI-shaped codes without a cue.
            "order 123456789 and 123 45 6789",
            "SKU GB123456A, code DQ123456A",
            // Dates and prices, also after the word "expect".
            "I expect it by 12/25, ordered 2024/12/27, phone 415-555-0123",
            "it cost 1/2 price, delivered 3-4 days",
            "cvv? where do I find the security code",
        ] {
            assert_eq!(mask(kept), kept);
        }
    }

    // The passport numbers QA's shoppers sent; C01X00T47 is Germany's specimen.
    #[test]
    fn passport_numbers_after_a_passport_cue_are_masked() {
        assert_eq!(mask("my passport number is 123456789"), "my passport number is *****6789");
        assert_eq!(mask("passport no. E12345678"), "passport no. *****5678");
        assert_eq!(mask("护照号码 E12345678"), "护照号码 *****5678");
        assert_eq!(mask("護照號碼 G12345678"), "護照號碼 *****5678");
        assert_eq!(mask("护照号码是E12345678，帮我查一下"), "护照号码是*****5678，帮我查一下");
        assert_eq!(mask("Passport: C01X00T47 thanks"), "Passport: *****0T47 thanks");
        assert_eq!(mask("passport #EA1234567"), "passport #*****4567");
        // A short one keeps four characters hidden at least.
        assert_eq!(mask("passport number AB1234"), "passport number ****34");
        let kinds = |text: &str| find(text).iter().map(|s| s.kind).collect::<Vec<_>>();
        assert_eq!(kinds("passport E12345678, card 4111111111111111"), [Sensitive::Passport, Sensitive::BankCard]);
        let hidden = |text: &str| Hidden::of(text, &find(text));
        let passport = Hidden { passport: true, lettered: true, ..Hidden::default() };
        assert_eq!(hidden("护照号码 E12345678"), Hidden { kept: (4, 4), ..passport });
        // A short one keeps fewer: what the note tells the shopper.
        assert_eq!(hidden("passport number AB1234"), Hidden { kept: (2, 2), ..passport });
        assert_eq!(hidden("passport number X123456"), Hidden { kept: (3, 3), ..passport });
        assert_eq!(
            hidden("passport X123456, card 4111111111111111"),
            Hidden { bank_card: true, kept: (3, 4), ..passport }
        );
    }

    #[test]
    fn order_numbers_and_passport_words_are_not_taken_for_passport_numbers() {
        for kept in [
            "order E12345678",
            "订单号 E12345678",
            "E12345678 never came",
            "my passport number is required",
            "passport renewal 2024",
            "my passport and order E12345678",
            "护照丢了 订单E12345678",
            "passport number E1234567890",
        ] {
            assert_eq!(mask(kept), kept);
        }
        // Nor a bare one right after the bot asked for the order number.
        assert!(find_in("E12345678", Expecting::ORDER).is_empty());
    }

    #[test]
    fn multiple_numbers_in_one_message() {
        let m = mask("ID 11010519491231002X, card 4111111111111111, order 2023112300012345");
        assert_eq!(m, "ID **************002X, card ************1111, order 2023112300012345");
    }
}
