//! Keyword matching for the reply policy: finds cue words and phrases in normalized text
//! (see [`crate::analyze::normalize`]: lowercase, half-width, simplified Chinese).
//!
//! A cue is written in simplified Chinese or lowercase English. Han cues match anywhere
//! (Chinese has no spaces); Latin cues match whole words, and a trailing `*` makes the last
//! word a prefix (`deliver*` matches "delivered", "delivery"). No regex: plain scanning.

use crate::analyze::is_han;

/// True when `c` continues a Latin word (letters, digits, apostrophes).
fn word_char(c: char) -> bool {
    (c.is_alphanumeric() && !is_han(c)) || c == '\''
}

/// Words of two or more Latin letters in raw text ("can't login" has two): how much of a
/// message is English, for the reply's language and for shouting.
pub fn latin_words(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 2).count()
}

/// Where `cue` occurs in `text` (byte offset of the first match), honouring word boundaries.
/// A cue with an apostrophe also matches without it: shoppers type "hasnt arrived".
pub fn find(text: &str, cue: &str) -> Option<usize> {
    locate(text, cue).map(|(at, _)| at)
}

/// [`find`], with the length in bytes of the form of the cue that matched (prefix `*` left out).
fn locate(text: &str, cue: &str) -> Option<(usize, usize)> {
    let len = |c: &str| c.trim_end_matches('*').len();
    if let Some(at) = find_exact(text, cue) {
        return Some((at, len(cue)));
    }
    let bare = cue.contains('\'').then(|| cue.replace('\'', ""))?;
    find_exact(text, &bare).map(|at| (at, len(&bare)))
}

fn find_exact(text: &str, cue: &str) -> Option<usize> {
    let (cue, prefix) = match cue.strip_suffix('*') {
        Some(c) => (c, true),
        None => (cue, false),
    };
    if cue.is_empty() {
        return None;
    }
    let latin_start = cue.chars().next().is_some_and(word_char);
    let latin_end = cue.chars().last().is_some_and(word_char);
    let mut from = 0;
    while let Some(i) = text[from..].find(cue) {
        let at = from + i;
        let end = at + cue.len();
        let before_ok = !latin_start || !text[..at].chars().last().is_some_and(word_char);
        let after_ok = prefix || !latin_end || !text[end..].chars().next().is_some_and(word_char);
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + cue.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Where `word` or its English plural (`word` + `s`, ASCII words only) occurs in `text`:
/// the byte range of the form found. Names of products and tags are matched so.
pub fn find_or_plural(text: &str, word: &str) -> Option<(usize, usize)> {
    if let Some(at) = find(text, word) {
        return Some((at, at + word.len()));
    }
    let plural = format!("{word}s");
    word.is_ascii().then(|| find(text, &plural)).flatten().map(|at| (at, at + plural.len()))
}

/// The first cue of `cues` that occurs in `text`.
pub fn first<'a>(text: &str, cues: &[&'a str]) -> Option<&'a str> {
    cues.iter().copied().find(|c| find(text, c).is_some())
}

/// True when any cue of `cues` occurs in `text`.
pub fn any(text: &str, cues: &[&str]) -> bool {
    first(text, cues).is_some()
}

/// How many distinct cues of `cues` occur in `text`.
pub fn count(text: &str, cues: &[&str]) -> usize {
    cues.iter().filter(|c| find(text, c).is_some()).count()
}

/// `text` with every occurrence of every cue replaced by a space (longest cues first).
pub fn remove_all(text: &str, cues: &[&str]) -> String {
    let mut sorted: Vec<&str> = cues.to_vec();
    sorted.sort_by_key(|c| std::cmp::Reverse(c.len()));
    let mut out = text.to_string();
    for cue in sorted {
        let mut guard = 0;
        while let Some((at, len)) = locate(&out, cue) {
            // For prefix cues, remove the whole word the prefix starts.
            let mut end = at + len;
            if cue.ends_with('*') {
                end += out[end..].find(|c: char| !word_char(c)).unwrap_or(out.len() - end);
            }
            out.replace_range(at..end, " ");
            guard += 1;
            if guard > 1000 {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_cues_match_whole_words_only() {
        assert!(find("my order is late", "late").is_some());
        assert!(find("chocolate cake", "late").is_none());
        assert!(find("it was delivered", "deliver*").is_some());
        assert!(find("undelivered", "deliver*").is_none());
        assert!(find("hi there", "hi").is_some());
        assert!(find("this is it", "hi").is_none());
        // Apostrophes may be left out ("hasnt"), never added.
        assert!(find("it hasnt arrived", "hasn't arrived").is_some());
        assert!(find("it hasn't arrived", "hasnt arrived").is_none());
        assert_eq!(remove_all("ok i cant log in", &["can't"]), "ok i   log in");
    }

    #[test]
    fn han_cues_match_anywhere() {
        assert!(find("我的快递还没到啊", "还没到").is_some());
        assert_eq!(first("付款失败了", &["退款", "付款失败"]), Some("付款失败"));
        assert_eq!(count("坏了 还发错了", &["坏了", "发错", "投诉"]), 2);
    }

    #[test]
    fn remove_all_blanks_cues() {
        assert_eq!(remove_all("thanks a lot", &["thanks"]).trim(), "a lot");
        assert_eq!(remove_all("谢谢你", &["谢谢"]).trim(), "你");
        assert_eq!(remove_all("thanked", &["thank*"]).trim(), "");
    }
}
