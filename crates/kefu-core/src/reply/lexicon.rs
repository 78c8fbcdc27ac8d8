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
/// literals are not compiled in). The module's [`Group`] is its entry in [`GROUPS`]; a module
/// whose group is not listed there does not compile.
macro_rules! word_lists {
    ($group:literal; $($(#[$doc:meta])* $name:ident = [$($w:literal),* $(,)?];)+) => {
        /// This module's word lists (see `reply::lexicon`: the bundle carries them to the browser).
        pub(crate) mod words {
            // The lists' docs link to the functions that read them, in the module above.
            #[allow(unused_imports)]
            use super::*;
            use $crate::reply::lexicon::{slot, Group};
            #[allow(non_camel_case_types, dead_code, clippy::upper_case_acronyms)]
            enum Ix { $($name),+ }
            /// This module's entry in the registry of word-list groups.
            pub(crate) const GROUP: Group = Group {
                name: $group,
                count: [$(Ix::$name),+].len(),
                #[cfg(not(target_arch = "wasm32"))]
                lists,
            };
            /// Where the registry files this group (evaluated natively too, so that a group
            /// missing from the registry is a compile error on every target).
            #[allow(dead_code)]
            const SLOT: usize = slot($group);
            const _: usize = SLOT;
            $(
                $(#[$doc])*
                #[allow(non_snake_case)]
                pub(crate) fn $name() -> &'static [&'static str] {
                    #[cfg(not(target_arch = "wasm32"))]
                    { &[$($w),*] }
                    #[cfg(target_arch = "wasm32")]
                    { $crate::reply::lexicon::loaded(SLOT, Ix::$name as usize) }
                }
            )+
            /// The lists in declaration order, as the bundle carries them.
            #[cfg(not(target_arch = "wasm32"))]
            fn lists() -> Vec<&'static [&'static str]> {
                vec![$($name()),+]
            }
        }
        #[allow(unused_imports)]
        use words::*;
    };
}
pub(crate) use word_lists;

/// One module's word lists as the registry knows them.
pub(crate) struct Group {
    /// The name the bundle files the lists under.
    pub name: &'static str,
    /// How many lists the module declares.
    pub count: usize,
    /// The lists themselves, in declaration order (natively; the wasm reads the bundle's).
    #[cfg(not(target_arch = "wasm32"))]
    pub lists: fn() -> Vec<&'static [&'static str]>,
}

/// Every module that declares word lists: the one registry that [`bundled`], [`check`] and
/// the browser's lookup all read.
pub(crate) const GROUPS: [Group; 5] = [
    super::triage::words::GROUP,
    super::smalltalk::words::GROUP,
    super::follow::words::GROUP,
    super::emotion::words::GROUP,
    super::wording::words::GROUP,
];

/// The position of group `name` in [`GROUPS`], at compile time: a group that is not
/// registered stops the build rather than reading as empty lists in the browser.
pub(crate) const fn slot(name: &str) -> usize {
    const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    let mut i = 0;
    while i < GROUPS.len() {
        if same(GROUPS[i].name, name) {
            return i;
        }
        i += 1;
    }
    panic!("a module declares word lists whose group is not in reply::lexicon::GROUPS")
}

/// The word lists as a bundle carries them: per group, its lists in declaration order.
pub type Stored = Vec<(String, Vec<Vec<String>>)>;

/// Every group's lists, for the bundle (`kefu build`).
#[cfg(not(target_arch = "wasm32"))]
pub fn bundled() -> Stored {
    GROUPS
        .iter()
        .map(|g| {
            let lists = (g.lists)().iter().map(|l| l.iter().map(|w| w.to_string()).collect()).collect();
            (g.name.to_string(), lists)
        })
        .collect()
}

/// Checks that a bundle's word lists are the ones this code reads: every group in the order
/// of [`GROUPS`], with as many lists as it declares. A bundle built by a kefu whose lists
/// differ in shape is refused.
pub fn check(stored: &Stored) -> Result<(), String> {
    for (at, Group { name, count, .. }) in GROUPS.iter().enumerate() {
        match stored.get(at) {
            Some((g, lists)) if g == name && lists.len() == *count => {}
            Some((g, lists)) if g == name => {
                return Err(format!("word lists `{name}`: {} lists, this kefu reads {count}", lists.len()))
            }
            _ => return Err(format!("word lists `{name}` are missing (or out of order)")),
        }
    }
    if stored.len() > GROUPS.len() {
        return Err(format!("{} groups of word lists, this kefu reads {}", stored.len(), GROUPS.len()));
    }
    Ok(())
}

/// The installed lists: per group, in the order of [`GROUPS`].
#[cfg(target_arch = "wasm32")]
type Installed = Vec<Vec<&'static [&'static str]>>;

#[cfg(target_arch = "wasm32")]
thread_local! {
    static INSTALLED: std::cell::Cell<Option<&'static Installed>> = const { std::cell::Cell::new(None) };
}

/// Makes a bundle's word lists the ones the policy reads (wasm; natively the lists are
/// constants and this drops them). Call after [`check`]. The strings are moved, not copied,
/// and live as long as the page: a widget installs them once per bundle it opens.
pub fn install(stored: Stored) {
    #[cfg(target_arch = "wasm32")]
    {
        // `check` has made sure the groups come in the order of `GROUPS`.
        let slots: Installed = stored
            .into_iter()
            .map(|(_, lists)| {
                lists
                    .into_iter()
                    .map(|list| {
                        let words: Vec<&'static str> =
                            list.into_iter().map(|w| &*Box::leak(w.into_boxed_str())).collect();
                        &*Box::leak(words.into_boxed_slice())
                    })
                    .collect()
            })
            .collect();
        let slots: &'static Installed = Box::leak(Box::new(slots));
        INSTALLED.with(|c| c.set(Some(slots)));
    }
    #[cfg(not(target_arch = "wasm32"))]
    drop(stored);
}

/// List `index` of the group at `slot` of [`GROUPS`] as installed from the bundle; empty
/// before any is.
#[cfg(target_arch = "wasm32")]
pub(crate) fn loaded(slot: usize, index: usize) -> &'static [&'static str] {
    INSTALLED.with(|c| c.get()).and_then(|all| all.get(slot)).and_then(|lists| lists.get(index).copied()).unwrap_or(&[])
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
        assert_eq!(stored[0].1[0], (GROUPS[0].lists)()[0]);
        let mut short = stored.clone();
        short[1].1.pop();
        assert!(check(&short).unwrap_err().contains("smalltalk"));
        assert!(check(&stored[1..].to_vec()).unwrap_err().contains("missing"));
        // The browser files the lists by position: groups out of order, or one too many, are refused.
        let mut swapped = stored.clone();
        swapped.swap(0, 1);
        assert!(check(&swapped).unwrap_err().contains("out of order"));
        let mut more = stored.clone();
        more.push(("spare".into(), vec![]));
        assert!(check(&more).unwrap_err().contains("groups"));
    }

    #[test]
    fn remove_all_blanks_cues() {
        assert_eq!(remove_all("thanks a lot", &["thanks"]).trim(), "a lot");
        assert_eq!(remove_all("谢谢你", &["谢谢"]).trim(), "你");
        assert_eq!(remove_all("thanked", &["thank*"]).trim(), "");
    }
}
