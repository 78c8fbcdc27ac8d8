//! Emotion: how upset the shopper sounds, from words ("气死了", "ridiculous"), emphasis
//! ("!!!", "？？？", ALL CAPS), faces (😡, 😭) and the conversation so far (a second complaint is anger,
//! not a fresh question). The policy opens with empathy that fits.

use super::lexicon;
use serde::{Deserialize, Serialize};

/// The shopper's mood as far as the text shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Emotion {
    #[default]
    Calm,
    Anxious,
    Angry,
}

/// Signals of emphasis in the raw text: runs of `!`/`?` and shouting in capitals.
fn emphasis(text: &str) -> (bool, bool) {
    let mut run_bang = 0;
    let mut run_q = 0;
    let (mut bangs, mut questions) = (false, false);
    for c in text.chars() {
        match c {
            '!' | '！' => {
                run_bang += 1;
                run_q = 0;
            }
            '?' | '？' => {
                run_q += 1;
                run_bang = 0;
            }
            _ => {
                run_bang = 0;
                run_q = 0;
            }
        }
        bangs |= run_bang >= 3;
        questions |= run_q >= 3;
    }
    (bangs, questions)
}

/// True for shouting: at least two words and eight letters, 70%+ of Latin letters in capitals.
pub fn all_caps(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    let words = lexicon::latin_words(text);
    let upper = letters.iter().filter(|c| c.is_ascii_uppercase()).count();
    letters.len() >= 8 && words >= 2 && upper * 10 >= letters.len() * 7
}

/// Faces that say it without words ("😡😡😡" is a message of its own on a phone).
const ANGRY_FACES: &[char] = &['😡', '🤬', '😠', '💢', '👿', '😤'];
const ANXIOUS_FACES: &[char] = &['😰', '😟', '😥', '😨', '😧', '😫', '😩', '😭'];

/// The emotion of one message. `norm` is the normalized text, `complaints` the number of
/// complaints in the conversation including this message.
pub fn detect(text: &str, norm: &str, complaints: u32) -> Emotion {
    let (bangs, questions) = emphasis(text);
    let face = |faces: &[char]| text.chars().any(|c| faces.contains(&c));
    if lexicon::any(norm, ANGRY())
        || all_caps(text)
        || complaints >= 2
        || (bangs && complaints >= 1)
        || face(ANGRY_FACES)
    {
        return Emotion::Angry;
    }
    if bangs || questions || lexicon::any(norm, ANXIOUS()) || face(ANXIOUS_FACES) {
        return Emotion::Anxious;
    }
    Emotion::Calm
}

// The word lists above are read from the bundle in the browser (see `lexicon::word_lists!`).
super::lexicon::word_lists! {
    "emotion";
    ANGRY = [
        "气死",
        "生气",
        "愤怒",
        "火大",
        "恼火",
        "垃圾",
        "什么破",
        "破东西",
        "坑人",
        "坑爹",
        "黑店",
        "无语",
        "受够",
        "忍无可忍",
        "太过分",
        "过分",
        "离谱",
        "恶心",
        "骗子",
        "退钱",
        "滚",
        "差劲",
        "有病",
        "搞什么",
        "angry",
        "furious",
        "livid",
        "ridiculous",
        "unacceptable",
        "outrageous",
        "disgusting",
        "rubbish",
        "garbage",
        "useless",
        "pathetic",
        "fed up",
        "sick of",
        "wtf",
        "damn",
        "bloody",
        "crap",
        "shit*",
        "fuck*",
        "worst",
        "terrible",
        "awful",
        "scam*",
        // "what a joke", not "tell me a joke".
        "what a joke",
        "is a joke",
        "such a joke",
        "total joke",
        "is this a joke",
        "hate",
        "never again",
        "how dare",
    ];
    ANXIOUS = [
        "急",
        "着急",
        "赶紧",
        "快点",
        "尽快",
        "马上",
        "担心",
        "害怕",
        "怕",
        "慌",
        "等了好久",
        "等了很久",
        "好几天",
        "几天了",
        "怎么还没",
        "到底",
        "求求",
        "拜托",
        "救命",
        "不安",
        "urgent",
        "asap",
        "hurry",
        "quickly",
        "worried",
        "worry",
        "anxious",
        "nervous",
        "scared",
        "afraid",
        "still waiting",
        "for days",
        "for weeks",
        "days now",
        "please help",
        "help me",
        "need it by",
        "right now",
        "immediately",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::normalize;

    fn e(text: &str, complaints: u32) -> Emotion {
        detect(text, &normalize(text), complaints)
    }

    #[test]
    fn emotions_in_both_languages() {
        let table: &[(&str, u32, Emotion)] = &[
            ("空气炸锅多大？", 0, Emotion::Calm),
            ("What size is the kettle?", 0, Emotion::Calm),
            ("气死我了，什么破快递", 0, Emotion::Angry),
            ("氣死我了", 0, Emotion::Angry),
            ("this is ridiculous", 0, Emotion::Angry),
            ("WHERE IS MY PARCEL", 0, Emotion::Angry),
            ("快点发货好吗，很急", 0, Emotion::Anxious),
            ("很著急", 0, Emotion::Anxious),
            ("I'm worried it got lost", 0, Emotion::Anxious),
            ("where is it???", 0, Emotion::Anxious),
            ("到了吗！！！", 0, Emotion::Anxious),
            // A second complaint in one conversation is anger.
            ("还是坏的", 2, Emotion::Angry),
            // Exclamation marks on a complaint.
            ("broken!!!", 1, Emotion::Angry),
            // Faces alone.
            ("😡😡😡", 0, Emotion::Angry),
            ("快递还没到 😭", 0, Emotion::Anxious),
            ("thanks 😊", 0, Emotion::Calm),
        ];
        for (text, complaints, want) in table {
            assert_eq!(e(text, *complaints), *want, "{text}");
        }
    }

    #[test]
    fn caps_needs_enough_letters() {
        assert!(!all_caps("OK"));
        assert!(!all_caps("LZ-AF45 manual"));
        assert!(all_caps("THIS IS NOT OK"));
    }
}
