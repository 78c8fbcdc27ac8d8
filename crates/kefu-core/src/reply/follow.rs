//! Follow-ups: a message that says little on its own, read with what came before it.
//!
//! Shoppers write the way they talk: "能烤鸡吗" right after asking about the air fryer's
//! capacity, "it's been 10 days" after "how long does a refund take", "hello? anyone there?"
//! or "多久能处理好" after being handed to a person. Each alone is a guess or an unrelated
//! answer; with the conversation's last topic it is clear. Three rules, each narrow:
//!
//! - **A short follow-up on the last topic** ([`widen`]): a message of a few words that got a
//!   "did you mean" of its own is searched again with the last answered or offered question
//!   before it. The new answer counts only when its entry is the one the message itself ranked
//!   first: the topic settles a choice the message nearly made, it never brings in an entry the
//!   message put second or had nothing to do with ("退货了券还能返吗" after coupon stacking is
//!   not answered with stacking). A message that got no answer at all stays unanswered: tried,
//!   "今天天气怎么样" after the air fryer's capacity got the spec sheet.
//! - **Time gone by** ([`overdue`]): "it's been 10 days", "都一个星期了" after a question about
//!   how long something takes says it is late: an order problem (a refund's when the topic was
//!   a refund), so the bot asks for the order number or hands over, as for "where is my refund".
//! - **After a hand-over** ([`about_the_case`]): a greeting ("anyone there?"), "how long will
//!   it take" with no subject of its own, or a message the KB can't answer is about the case
//!   that is waiting for a colleague, not a new question: it goes with that case.

use serde::{Deserialize, Serialize};

use super::lexicon;
use super::smalltalk::Smalltalk;
use crate::analyze::is_han;

/// The last message that had a topic of the KB: answered, or offered in a "did you mean".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Topic {
    /// The question as searched (masked, facts cut out, at most 500 characters).
    pub question: String,
    /// The entry id answered, if it was answered.
    pub entry: Option<String>,
}

/// Most Latin words, and most Han characters, of a message read as a follow-up: longer
/// messages say what they are about.
const SHORT_WORDS: usize = 6;
const SHORT_HAN: usize = 10;

/// The message is short enough to lean on the conversation ([`SHORT_WORDS`], [`SHORT_HAN`]).
pub fn is_short(norm: &str) -> bool {
    let han = norm.chars().filter(|&c| is_han(c)).count();
    let words = norm.split(|c: char| !c.is_alphanumeric() || is_han(c)).filter(|w| !w.is_empty()).count();
    han <= SHORT_HAN && words <= SHORT_WORDS && (han > 0 || words > 0)
}

/// The text to search for a short follow-up: the topic's question, then the message.
pub fn widened(topic: &Topic, question: &str) -> String {
    format!("{} {}", topic.question, question)
}

/// Keeps the follow-up's answer only when its entry is the message's own first one
/// (`settles`): see the module doc.
pub fn widen(settles: Option<u32>, widened_answer: Option<u32>) -> Option<u32> {
    widened_answer.filter(|&e| settles == Some(e))
}

/// Time gone by: "it's been 10 days", "a week already", "都一个星期了", "半个月了".
const ELAPSED: &[&str] = &[
    "it's been",
    "it has been",
    "its been",
    "been a week",
    "been two weeks",
    "been over a week",
    "days already",
    "weeks already",
    "a week already",
    "days now",
    "weeks now",
    "over a week",
    "more than a week",
    "days later",
    "days ago",
    "weeks ago",
    "一个星期了",
    "一星期了",
    "一周了",
    "两周了",
    "半个月了",
    "一个月了",
    "天了",
    "好久了",
    "这么久了",
    "过了一周",
    "过了一个星期",
];

/// Refund words: a late topic about them is a refund that has not arrived.
const REFUND: &[&str] = &["refund*", "money back", "退款", "退钱", "返款", "到账"];

/// The message says time has gone by ([`ELAPSED`]).
pub fn says_elapsed(norm: &str) -> bool {
    lexicon::any(norm, ELAPSED)
}

/// What is late, when a message says time has gone by after `topic`: a refund when the topic
/// was about one, else the order. `None` when the message says nothing of time.
pub fn overdue(topic: &Topic, norm: &str) -> Option<Overdue> {
    if !says_elapsed(norm) {
        return None;
    }
    let topic_norm = crate::analyze::normalize(&topic.question);
    Some(if lexicon::any(&topic_norm, REFUND) || lexicon::any(norm, REFUND) { Overdue::Refund } else { Overdue::Order })
}

/// What a follow-up says is late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overdue {
    Refund,
    Order,
}

/// Words that ask about the case itself and nothing else: "how long will it take", "any
/// update?", "多久能处理好", "什么时候回复我". A message of these words alone has no subject
/// of its own.
const CASE_ONLY: &[&str] = &[
    "how long",
    "how soon",
    "when",
    "will",
    "would",
    "does",
    "do",
    "is",
    "it",
    "this",
    "that",
    "take",
    "takes",
    "any",
    "update",
    "updates",
    "news",
    "someone",
    "somebody",
    "anyone",
    "you",
    "me",
    "reply",
    "respond",
    "answer",
    "get back",
    "hear back",
    "to",
    "be",
    "done",
    "sorted",
    "the",
    "my",
    "case",
    "request",
    "please",
    "still",
    "so",
    "now",
    "多久",
    "多长时间",
    "什么时候",
    "啥时候",
    "能",
    "会",
    "要",
    "可以",
    "处理",
    "回复",
    "答复",
    "回我",
    "联系我",
    "结果",
    "有消息",
    "进展",
    "进度",
    "好",
    "完",
    "我",
    "的",
    "了",
    "吗",
    "呢",
    "啊",
    "呀",
    "还",
    "要等",
    "等",
    "大概",
    "一般",
    "请问",
];

/// The message asks only about the case (see [`CASE_ONLY`]): nothing is left of it once those
/// words are taken out.
pub fn only_about_the_case(norm: &str) -> bool {
    let rest = lexicon::remove_all(norm, CASE_ONLY);
    !rest.chars().any(char::is_alphanumeric)
}

/// After a hand-over, a small-talk message that is waiting for the person ("hello? anyone
/// there?", "请问") is about the case; thanks, goodbye and "ok" are answered as ever.
pub fn waits_for_person(small: Option<Smalltalk>) -> bool {
    matches!(small, Some(Smalltalk::Greeting | Smalltalk::Opener))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::normalize;

    #[test]
    fn short_is_a_few_words_or_characters() {
        for m in ["能烤鸡吗", "it has been 10 days", "what about the blue one", "那个呢"] {
            assert!(is_short(&normalize(m)), "{m}");
        }
        for m in [
            "how long does it take for a refund to reach my bank card",
            "我想问一下空气炸锅能不能烤一整只鸡",
            "",
            "???",
        ] {
            assert!(!is_short(&normalize(m)), "{m}");
        }
    }

    #[test]
    fn the_topic_only_sharpens_a_choice_the_message_made() {
        assert_eq!(widen(Some(7), Some(7)), Some(7));
        assert_eq!(widen(Some(4), Some(7)), None);
        assert_eq!(widen(Some(7), None), None);
        assert_eq!(widen(None, Some(7)), None);
    }

    #[test]
    fn time_gone_by_is_late_and_a_refund_when_the_topic_was_one() {
        let refund = Topic { question: "how long does a refund take".into(), entry: None };
        let parcel = Topic { question: "多久能送到".into(), entry: None };
        assert_eq!(overdue(&refund, &normalize("it has been 10 days")), Some(Overdue::Refund));
        assert_eq!(overdue(&refund, &normalize("It's been two weeks!")), Some(Overdue::Refund));
        assert_eq!(overdue(&parcel, &normalize("都一个星期了")), Some(Overdue::Order));
        assert_eq!(overdue(&parcel, &normalize("已经5天了")), Some(Overdue::Order));
        assert_eq!(overdue(&parcel, &normalize("退款都半个月了")), Some(Overdue::Refund));
        assert_eq!(overdue(&refund, &normalize("can I pay by card")), None);
        assert_eq!(overdue(&parcel, &normalize("天气怎么样")), None);
    }

    #[test]
    fn a_question_about_the_case_has_no_subject_of_its_own() {
        for m in ["how long will it take", "any update?", "多久能处理好", "什么时候回复我", "When will someone reply?"]
        {
            assert!(only_about_the_case(&normalize(m)), "{m}");
        }
        for m in ["how long will shipping take", "多久能发货", "when do you restock the kettle", "退款多久到账"]
        {
            assert!(!only_about_the_case(&normalize(m)), "{m}");
        }
    }
}
