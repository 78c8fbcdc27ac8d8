//! Picking from "did you mean": after the bot offered two or three entries, a shopper on a
//! phone often types the choice instead of tapping it: "第一个", "第2个", "1", "the second
//! one", "last". Such a message picks that entry; searching it would find nothing (or, worse,
//! an entry that happens to contain "first").
//!
//! Only a message that is nothing but the choice counts: "the first one is too small" is a new
//! question. Works on normalized text (simplified, lowercase, half-width).

/// Words around an English choice: "the second one please", "option 2", "I mean the first".
const EN_FILLER: &[&str] = &[
    "the", "one", "option", "number", "no", "no.", "#", "please", "pls", "i", "mean", "meant", "want", "choose",
    "pick", "it's", "its", "it", "is", "that", "this", "ok", "okay", "yes", "choice", "answer", "question", "a", "of",
    "them",
];
/// Characters around a Chinese choice: "就第一个吧", "选第2条", "是第三个啊".
const ZH_FILLER: &[char] = &[
    '第', '个', '條', '条', '项', '項', '选', '選', '就', '吧', '那', '这', '呢', '啊', '的', '是', '要', '我', '问',
    '题', '吗', '嗯', '好', '呀', '哦', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '最', '后',
];

/// Which of `offered` entries (0-based) the message picks, if it is only a choice.
pub fn chosen(norm: &str, offered: usize) -> Option<usize> {
    if offered == 0 {
        return None;
    }
    let text: String =
        norm.chars().map(|c| if c.is_alphanumeric() || c == '#' || c == '\'' { c } else { ' ' }).collect();
    let index = if text.chars().any(crate::analyze::is_han) { chinese(&text)? } else { english(&text)? };
    match index {
        Choice::Nth(i) if i < offered => Some(i),
        Choice::Last => Some(offered - 1),
        _ => None,
    }
}

/// The message is only a choice by position ("the second one", "第四个"), whatever was
/// offered: with nothing offered, or fewer options, it picks nothing and searching it would
/// answer at random.
pub fn is_choice(norm: &str) -> bool {
    chosen(norm, usize::MAX).is_some()
}

enum Choice {
    Nth(usize),
    Last,
}

/// "第一个", "第2条", "最后一个", "选二" (and nothing else but filler).
fn chinese(text: &str) -> Option<Choice> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    // Everything must be filler, a numeral or a digit.
    if compact.chars().any(|c| !ZH_FILLER.contains(&c) && !c.is_ascii_digit()) {
        return None;
    }
    if compact.contains("最后") {
        return Some(Choice::Last);
    }
    let digits: String = compact.chars().filter(char::is_ascii_digit).collect();
    let numerals: Vec<usize> = compact
        .chars()
        .filter_map(|c| match c {
            '一' => Some(0),
            '二' | '两' => Some(1),
            '三' => Some(2),
            '四' => Some(3),
            '五' => Some(4),
            '六' => Some(5),
            '七' => Some(6),
            '八' => Some(7),
            '九' => Some(8),
            _ => None,
        })
        .collect();
    match (digits.as_str(), numerals.as_slice()) {
        ("", [n]) => Some(Choice::Nth(*n)),
        (d, []) if !d.is_empty() => d.parse::<usize>().ok().filter(|&n| n >= 1).map(|n| Choice::Nth(n - 1)),
        _ => None,
    }
}

/// "1", "the first one", "2nd", "option 3", "the last".
fn english(text: &str) -> Option<Choice> {
    let words: Vec<&str> = text.split_whitespace().filter(|w| !EN_FILLER.contains(w)).collect();
    let [word] = words.as_slice() else { return None };
    Some(match word.trim_start_matches('#') {
        "1" | "1st" | "first" => Choice::Nth(0),
        "2" | "2nd" | "second" => Choice::Nth(1),
        "3" | "3rd" | "third" => Choice::Nth(2),
        "last" => Choice::Last,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::chosen;
    use crate::analyze::normalize;

    fn c(s: &str) -> Option<usize> {
        chosen(&normalize(s), 3)
    }

    #[test]
    fn a_typed_choice_picks_an_offered_entry() {
        for (text, want) in [
            ("第一个", Some(0)),
            ("第2个", Some(1)),
            ("就第三个吧", Some(2)),
            ("選第二條", Some(1)),
            ("最后一个", Some(2)),
            ("1", Some(0)),
            ("２", Some(1)),
            ("the first one", Some(0)),
            ("The 2nd one please", Some(1)),
            ("option 3", Some(2)),
            ("#1", Some(0)),
            ("the last", Some(2)),
            ("I mean the second", Some(1)),
            // Not a choice: a question, another number, or more than the choice.
            ("第四个", None),
            ("4", None),
            ("the first one is too small", None),
            ("第一次买东西", None),
            ("一个都不对", None),
            ("first time buyer discount", None),
            ("12", None),
            ("", None),
        ] {
            assert_eq!(c(text), want, "{text}");
        }
        assert_eq!(chosen("1", 0), None, "nothing offered, nothing picked");
        assert_eq!(chosen("third", 2), None);
    }
}
