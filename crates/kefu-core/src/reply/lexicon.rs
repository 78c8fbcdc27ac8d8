//! Keyword matching for the reply policy: finds cue words and phrases in normalized text
//! (see [`crate::analyze::normalize`]: lowercase, half-width, simplified Chinese).
//!
//! A cue is written in simplified Chinese or lowercase English. Han cues match anywhere
//! (Chinese has no spaces); Latin cues match whole words, and a trailing `*` makes the last
//! word a prefix (`deliver*` matches "delivered", "delivery"). No regex: plain scanning.
//!
//! The policy's word lists (triage, small talk, follow-ups, emotion, wording) are declared
//! with [`word_lists!`]. Natively each list is a constant; `kefu build` writes them all into
//! the bundle ([`bundled`]), and the wasm widget reads them from there ([`install`]) instead
//! of carrying them: they are some 40 KB of text that every KB shares, and the bundle is the
//! data the widget downloads anyway. A list asked for before a bundle is installed is empty.

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

/// Declares one module's word lists: `word_lists! { "group"; /// doc \n NAME = ["a", "b*"]; … }`.
/// Each `NAME()` returns its list: the literal natively, the bundle's copy in wasm (where the
/// literals are not compiled in). The group's name is how the bundle files them ([`GROUPS`]).
macro_rules! word_lists {
    ($group:literal; $($(#[$doc:meta])* $name:ident = [$($w:literal),* $(,)?];)+) => {
        /// This module's word lists (see `reply::lexicon`: the bundle carries them to the browser).
        pub(crate) mod words {
            // The lists' docs link to the functions that read them, in the module above.
            #[allow(unused_imports)]
            use super::*;
            #[allow(non_camel_case_types, dead_code, clippy::upper_case_acronyms)]
            enum Ix { $($name),+ }
            pub(crate) const GROUP: &str = $group;
            pub(crate) const COUNT: usize = [$(Ix::$name),+].len();
            $(
                $(#[$doc])*
                #[allow(non_snake_case)]
                pub(crate) fn $name() -> &'static [&'static str] {
                    #[cfg(not(target_arch = "wasm32"))]
                    { &[$($w),*] }
                    #[cfg(target_arch = "wasm32")]
                    { $crate::reply::lexicon::loaded(GROUP, Ix::$name as usize) }
                }
            )+
            /// The lists in declaration order, as the bundle carries them.
            #[cfg(not(target_arch = "wasm32"))]
            pub(crate) fn lists() -> Vec<&'static [&'static str]> {
                vec![$($name()),+]
            }
        }
        #[allow(unused_imports)]
        use words::*;
    };
}
pub(crate) use word_lists;

/// Every module that declares word lists: (group name, how many lists).
pub(crate) const GROUPS: [(&str, usize); 5] = [
    (super::triage::words::GROUP, super::triage::words::COUNT),
    (super::smalltalk::words::GROUP, super::smalltalk::words::COUNT),
    (super::follow::words::GROUP, super::follow::words::COUNT),
    (super::emotion::words::GROUP, super::emotion::words::COUNT),
    (super::wording::words::GROUP, super::wording::words::COUNT),
];

/// The word lists as a bundle carries them: per group, its lists in declaration order.
pub type Stored = Vec<(String, Vec<Vec<String>>)>;

/// Every group's lists, for the bundle (`kefu build`).
#[cfg(not(target_arch = "wasm32"))]
pub fn bundled() -> Stored {
    let own = |v: Vec<&'static [&'static str]>| v.iter().map(|l| l.iter().map(|w| w.to_string()).collect()).collect();
    vec![
        (super::triage::words::GROUP.into(), own(super::triage::words::lists())),
        (super::smalltalk::words::GROUP.into(), own(super::smalltalk::words::lists())),
        (super::follow::words::GROUP.into(), own(super::follow::words::lists())),
        (super::emotion::words::GROUP.into(), own(super::emotion::words::lists())),
        (super::wording::words::GROUP.into(), own(super::wording::words::lists())),
    ]
}

/// Checks that a bundle's word lists are the ones this code reads: every group, with as many
/// lists as it declares. A bundle built by a kefu whose lists differ in shape is refused.
pub fn check(stored: &Stored) -> Result<(), String> {
    for (group, count) in GROUPS {
        match stored.iter().find(|(g, _)| g == group) {
            Some((_, lists)) if lists.len() == count => {}
            Some((_, lists)) => {
                return Err(format!("word lists `{group}`: {} lists, this kefu reads {count}", lists.len()))
            }
            None => return Err(format!("word lists `{group}` are missing")),
        }
    }
    Ok(())
}

#[cfg(target_arch = "wasm32")]
type Installed = Vec<(&'static str, Vec<&'static [&'static str]>)>;

#[cfg(target_arch = "wasm32")]
thread_local! {
    static INSTALLED: std::cell::Cell<Option<&'static Installed>> = const { std::cell::Cell::new(None) };
}

/// Makes a bundle's word lists the ones the policy reads (wasm; natively the lists are
/// constants and this does nothing). Call after [`check`]. The lists live as long as the
/// page: a widget installs them once per bundle it opens.
pub fn install(stored: &Stored) {
    #[cfg(target_arch = "wasm32")]
    {
        let leak = |s: &String| -> &'static str { Box::leak(s.clone().into_boxed_str()) };
        let lists: Installed = stored
            .iter()
            .map(|(g, lists)| {
                let lists = lists
                    .iter()
                    .map(|l| &*Box::leak(l.iter().map(leak).collect::<Vec<_>>().into_boxed_slice()))
                    .collect();
                (leak(g), lists)
            })
            .collect();
        let lists: &'static Installed = Box::leak(Box::new(lists));
        INSTALLED.with(|c| c.set(Some(lists)));
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = stored;
}

/// List `index` of `group` as installed from the bundle; empty before any is.
#[cfg(target_arch = "wasm32")]
pub(crate) fn loaded(group: &str, index: usize) -> &'static [&'static str] {
    let lists = INSTALLED.with(|c| c.get());
    lists
        .and_then(|all| all.iter().find(|(g, _)| *g == group))
        .and_then(|(_, lists)| lists.get(index).copied())
        .unwrap_or(&[])
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

    /// What the bundle carries is every declared list, word for word, in its group.
    #[test]
    fn bundled_lists_pass_their_own_check() {
        let stored = bundled();
        assert_eq!(check(&stored), Ok(()));
        assert_eq!(stored[0].1[0], super::super::triage::words::lists()[0]);
        let mut short = stored.clone();
        short[1].1.pop();
        assert!(check(&short).unwrap_err().contains("smalltalk"));
        assert!(check(&stored[1..].to_vec()).unwrap_err().contains("missing"));
    }

    /// Every module that declares word lists is in [`GROUPS`] (else the browser would read
    /// its lists as empty): found by reading the sources.
    #[test]
    fn every_word_list_group_is_registered() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/reply");
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices("\nsuper::lexicon::word_lists! {") {
                let group = text[at..].split('"').nth(1).unwrap();
                assert!(GROUPS.iter().any(|(g, _)| *g == group), "{}: group {group} is not in GROUPS", path.display());
            }
        }
    }

    #[test]
    fn remove_all_blanks_cues() {
        assert_eq!(remove_all("thanks a lot", &["thanks"]).trim(), "a lot");
        assert_eq!(remove_all("谢谢你", &["谢谢"]).trim(), "你");
        assert_eq!(remove_all("thanked", &["thank*"]).trim(), "");
    }
}
