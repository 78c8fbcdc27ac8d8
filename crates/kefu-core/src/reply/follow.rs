//! Follow-ups: a message that says little on its own, read with what came before it.
//!
//! Shoppers write the way they talk: "能烤鸡吗" right after asking about the air fryer's
//! capacity, "it's been 10 days" after "how long does a refund take", "hello? anyone there?"
//! or "多久能处理好" after being handed to a person. Each alone is a guess or an unrelated
//! answer; with the conversation's last topic it is clear. The rules, each narrow:
//!
//! - **A short follow-up on the last topic** ([`widen`]): a message of a few words that got a
//!   "did you mean" of its own is searched again with the last answered or offered question
//!   before it. The new answer counts only when its entry is the one the message itself ranked
//!   first: the topic settles a choice the message nearly made, it never brings in an entry the
//!   message put second or had nothing to do with ("退货了券还能返吗" after coupon stacking is
//!   not answered with stacking). A message that got no answer at all stays unanswered: tried,
//!   "今天天气怎么样" after the air fryer's capacity got the spec sheet.
//! - **A message that points back** ([`refers_back`], [`refer`]): "can it roast a chicken",
//!   "does it have a timer", "能烤鸡翅吗" (Chinese leaves the subject out) right after an
//!   answer about the air fryer mean the air fryer; "and for bedding?", "那床品呢" after the
//!   appliance warranty mean the same question about bedding. Alone, such a message ranks
//!   wrongly (another product's spec sheet, the bedding size table) or not at all. The rule
//!   acts only when both hold: the message refers back in words (a pronoun it/它/这个/这款,
//!   a Chinese question opening on its verb with no subject, or an ellipsis "and for…",
//!   "what about…", "那…呢", "…呢"), and the entry it settles on is among the message's own
//!   three best hits or is the topic's entry itself. A pronoun takes the first of those about
//!   the topic's product whose text has one of the message's own words (the spec sheet says
//!   "timer" and "chicken"), and only instead of no answer or an answer about another
//!   product; an ellipsis takes the first of the message's hits of the topic entry's kind
//!   (its category: warranty for warranty), and without one turns an answer of another kind
//!   into a "did you mean". A Chinese message opening on 有 or on a word that goes on from
//!   the last one ("就拆开看了一下没睡过", "那直接给我退款吧") points back as a pronoun does. A
//!   message that does not point back is never drawn to the topic:
//!   "今天天气怎么样" after the capacity was answered with the spec sheet when any unanswered
//!   message could take the topic's entry, and a pronoun message whose words the topic's
//!   entry does not have ("can it fly") keeps its own decision.
//! - **The problem raised before** ([`of_the_problem`]): "运费谁出" after a broken handle was
//!   handed over gets a "did you mean" of three; the one choice of the problem's kind (a
//!   complaint: the quality return's postage) answers it. A message about postage ("我已经寄
//!   回去了 运费12块 能报销吗") leans on the problem at any length, and also when it got no
//!   answer at all: the choice is then among its three best hits.
//! - **Time gone by** ([`overdue`]): "it's been 10 days", "都一个星期了" after a question about
//!   how long something takes says it is late: an order problem (a refund's when the topic was
//!   a refund), so the bot asks for the order number or hands over, as for "where is my refund".
//! - **After an urgent problem** ([`only_what_now`]): "what do i do now", "现在怎么办" after a
//!   burn or a stolen account asks about that problem: the first safety steps again, and the
//!   message goes with the urgent case in the green channel.
//! - **Escalation after a hand-over** ([`asks_to_escalate`]): "escalate it", "升级", "我要投诉
//!   你们主管" in any words get the escalation path (a senior agent within 24 hours, a final
//!   solution within 72) and go with the case.
//! - **After a hand-over** ([`about_the_case`]): a greeting ("anyone there?"), "how long will
//!   it take" or words that chase a reply ("什么时候给我回复", "still waiting") with no subject
//!   of their own, or a message the KB can't answer is about the case that is waiting for a
//!   colleague, not a new question: it goes with that case.

use serde::{Deserialize, Serialize};

use super::lexicon;
use super::smalltalk::Smalltalk;
use super::triage::Triage;
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

/// How a message points back at the last topic ([`refers_back`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// "it", "它", "这款", or a Chinese question with no subject ("能烤鸡翅吗"): the topic's
    /// product.
    Pronoun,
    /// "and for bedding?", "what about the kettle", "那床品呢": the topic's question, about
    /// something else.
    Ellipsis,
}

/// Whether (and how) a short message points back at the last topic: see the module doc.
/// `names_product`: the message names a product of the KB itself (then a Chinese question
/// opening on its verb has its subject).
pub fn refers_back(norm: &str, names_product: bool) -> Option<Reference> {
    let t = norm.trim().trim_end_matches(|c: char| !c.is_alphanumeric()).trim();
    if t.is_empty() {
        return None;
    }
    let starts = |cues: &[&str]| cues.iter().any(|c| lexicon::find(t, c) == Some(0));
    if starts(ELLIPSIS()) || t.ends_with('呢') {
        return Some(Reference::Ellipsis);
    }
    if lexicon::any(t, PRONOUN()) || (!names_product && (starts(NO_SUBJECT()) || starts(GOES_ON()))) {
        return Some(Reference::Pronoun);
    }
    None
}

/// An entry as [`refer`] weighs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen<'a> {
    pub entry: u32,
    pub category: &'a str,
    /// It names the topic's product (the topic's entry does).
    pub about_topic: bool,
    /// It names another product of the KB and not the topic's.
    pub other_product: bool,
    /// Its text has one of the message's own words.
    pub fits: bool,
}

/// What a message that points back gets ([`refer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Referred {
    /// The message's own decision stands.
    Keep,
    /// This entry answers it.
    Answer(u32),
    /// The message's answer is of another kind than the topic: a "did you mean" instead.
    Clarify,
}

/// The entry a message that points back settles on (see the module doc): `answered` is the
/// entry of the message's own answer, if it got one; `hits` its best entries, best first;
/// `wider` the best entries of the topic's question and the message searched together
/// ([`widened`]). An ellipsis asks the topic's question about something else ("and the uk?"
/// after "how much is shipping"), so when none of its own three best is of the topic's kind,
/// the three best of that question are looked at too: alone, "uk" finds the voltage abroad,
/// with the question before it, international shipping.
pub fn refer(reference: Reference, answered: Option<&Seen>, topic: &Seen, hits: &[Seen], wider: &[Seen]) -> Referred {
    let best = &hits[..hits.len().min(3)];
    let wider = &wider[..wider.len().min(3)];
    match reference {
        Reference::Pronoun => {
            if answered.is_some_and(|a| !a.other_product) {
                return Referred::Keep;
            }
            let own = best.iter().find(|h| h.about_topic && h.fits);
            match own.or(Some(topic).filter(|t| t.fits)) {
                Some(c) => Referred::Answer(c.entry),
                None => Referred::Keep,
            }
        }
        Reference::Ellipsis => {
            let of_kind = |h: &&Seen| h.entry != topic.entry && h.category == topic.category && h.fits;
            match best.iter().find(of_kind).or_else(|| wider.iter().find(of_kind)) {
                Some(c) => Referred::Answer(c.entry),
                None if answered.is_some_and(|a| a.category != topic.category) => Referred::Clarify,
                None => Referred::Keep,
            }
        }
    }
}

/// The one choice of a "did you mean" (`offered`: the triage class of each entry's title, in
/// the order offered) that is of the kind of the problem the shopper raised before
/// (`problem`: a complaint, an order problem): "运费谁出" after a broken handle was handed
/// over offers the postage of a quality return, of a change-of-mind return and the shipping
/// fee; only the first is about a fault, and that is the one. `None` when no choice or more
/// than one is of that kind, or the problem is no complaint or order problem.
pub fn of_the_problem(problem: Triage, offered: &[Triage]) -> Option<usize> {
    if !matches!(problem, Triage::Complaint | Triage::Order) {
        return None;
    }
    let mut of_kind = offered.iter().enumerate().filter(|(_, &t)| t == problem);
    match (of_kind.next(), of_kind.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// The message is about postage or paying it back ([`POSTAGE`]).
pub fn about_postage(norm: &str) -> bool {
    lexicon::any(norm, POSTAGE())
}

/// The message's own words once the pointing and subjectless words are gone: Latin words of
/// three or more letters, and of two that are no common word ("uk", "eu", "tv": "and the
/// uk?" is about the UK), Han characters one by one (the KB writes 整鸡 where the shopper
/// writes 鸡翅).
pub fn telling_words(norm: &str) -> Vec<String> {
    let rest = lexicon::remove_all(norm, NO_SUBJECT_WORDS());
    let mut out: Vec<String> = Vec::new();
    let telling = |w: &&str| w.len() >= 3 || (w.len() == 2 && !TWO_LETTER_WORDS().contains(w));
    for w in rest.split(|c: char| !c.is_alphanumeric() || is_han(c)).filter(telling) {
        out.push(w.to_string());
    }
    out.extend(rest.chars().filter(|&c| is_han(c)).map(String::from));
    out.sort();
    out.dedup();
    out
}

/// `text` (normalized) has one of `words` ([`telling_words`]).
pub fn has_a_word(text: &str, words: &[String]) -> bool {
    words.iter().any(|w| {
        if w.chars().all(is_han) {
            text.contains(w.as_str())
        } else {
            lexicon::find_or_plural(text, w).is_some()
        }
    })
}

/// The message says time has gone by ([`ELAPSED`]).
pub fn says_elapsed(norm: &str) -> bool {
    lexicon::any(norm, ELAPSED())
}

/// What is late, when a message says time has gone by after `topic`: a refund when the topic
/// was about one, else the order. `None` when the message says nothing of time.
pub fn overdue(topic: &Topic, norm: &str) -> Option<Overdue> {
    if !says_elapsed(norm) {
        return None;
    }
    let topic_norm = crate::analyze::normalize(&topic.question);
    Some(if lexicon::any(&topic_norm, REFUND()) || lexicon::any(norm, REFUND()) {
        Overdue::Refund
    } else {
        Overdue::Order
    })
}

/// What a follow-up says is late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overdue {
    Refund,
    Order,
}

/// The message asks only about the case (see [`CASE_ONLY`]): nothing is left of it once those
/// words, and the words that chase a reply ([`CHASE`]) and the small words around them
/// ([`AROUND_CHASE`]), are taken out.
pub fn only_about_the_case(norm: &str) -> bool {
    let rest = lexicon::remove_all(norm, CASE_ONLY());
    let rest = lexicon::remove_all(&rest, CHASE());
    let rest = lexicon::remove_all(&rest, AROUND_CHASE());
    !rest.chars().any(char::is_alphanumeric)
}

/// The message chases a reply ([`CHASE`]).
pub fn chases_a_reply(norm: &str) -> bool {
    lexicon::any(norm, CHASE())
}

/// After a hand-over, the message asks for the case to be escalated ([`ESCALATE`]).
pub fn asks_to_escalate(norm: &str) -> bool {
    lexicon::any(norm, ESCALATE()) && !lexicon::any(norm, NOT_ESCALATION())
}

/// The message only asks what to do next ([`WHAT_NOW`]): nothing is left once those words
/// and the small words around them are taken out.
pub fn only_what_now(norm: &str) -> bool {
    if !lexicon::any(norm, WHAT_NOW()) {
        return false;
    }
    let rest = lexicon::remove_all(norm, WHAT_NOW());
    let rest = lexicon::remove_all(&rest, AROUND_WHAT_NOW());
    !rest.chars().any(char::is_alphanumeric)
}

/// After a hand-over, a small-talk message that is waiting for the person ("hello? anyone
/// there?", "请问") is about the case; thanks, goodbye and "ok" are answered as ever.
pub fn waits_for_person(small: Option<Smalltalk>) -> bool {
    matches!(small, Some(Smalltalk::Greeting | Smalltalk::Opener))
}

// The word lists above are read from the bundle in the browser (see `lexicon::word_lists!`).
super::lexicon::word_lists! {
    "follow";
    /// Words that stand for the product just discussed.
    PRONOUN = ["it", "its", "it's", "this one", "that one", "它", "这个", "这款", "这台", "这种", "那款", "那台"];
    /// A Chinese question that opens on its verb leaves the subject (the topic) out: "有定时功能
    /// 吗" (有, as 有没有) after the air fryer's spec sheet.
    NO_SUBJECT = ["能", "可以", "可不可以", "能不能", "会不会", "有没有", "有", "是不是", "带", "支持", "适合", "好用", "耐用"];
    /// A Chinese message that goes on from the last one: "就拆开看了一下没睡过" after whether an
    /// opened pillow can be returned, "那直接给我退款吧" after the lost parcel's options. The
    /// opening word says it continues what was said; its subject is the topic's.
    GOES_ON = ["就", "就是", "只是", "只", "那", "那就", "那么", "那我", "不过", "可是", "但是"];
    /// Openings of an English ellipsis.
    ELLIPSIS = [
        "and for",
        "and what about",
        "what about",
        "how about",
        "and the",
        "and with",
        "and to",
        "and in",
        "and if",
        "what if",
        "same for",
    ];
    /// Words about what shipping costs or paying it back: "运费12块 能报销吗", "who covers the
    /// postage". After a complaint such a message asks who pays the return of the faulty item,
    /// however long it is ([`about_postage`]).
    POSTAGE = [
        "运费",
        "邮费",
        "快递费",
        "寄回的钱",
        "报销",
        "運費",
        "郵費",
        "shipping cost*",
        "shipping fee*",
        "return shipping",
        "postage",
        "reimburs*",
        "pay me back",
    ];
    /// Words of a message that point back or carry no subject: what is left of it is what its
    /// entry must speak of ([`telling_words`]).
    /// Two-letter English words: the other two-letter words of a message are abbreviations
    /// that tell what it is about ("uk", "eu", "tv"; [`telling_words`]).
    TWO_LETTER_WORDS = [
        "ah", "am", "an", "as", "at", "be", "by", "do", "eh", "go", "ha", "he", "hi", "if", "in", "is", "it", "me",
        "mr", "ms", "my", "no", "of", "oh", "ok", "on", "or", "so", "to", "uh", "um", "up", "us", "we", "ya", "yo",
    ];
    NO_SUBJECT_WORDS = [
        "and", "for", "what", "about", "how", "can", "could", "does", "do", "did", "is", "are", "will", "would", "have",
        "has", "it", "its", "this", "that", "one", "the", "a", "an", "with", "of", "to", "in", "on", "you", "me", "my",
        "use", "be", "吗", "呢", "吧", "啊", "的", "了", "能", "可以", "不", "会", "有", "没", "是", "它", "这", "那",
        "个", "款", "台", "种", "么", "什", "怎", "样", "用", "我", "你", "还", "也", "都", "要", "带", "支持", "适合",
    ];
    /// Time gone by: "it's been 10 days", "a week already", "都一个星期了", "半个月了".
    ELAPSED = [
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
    REFUND = ["refund*", "money back", "退款", "退钱", "返款", "到账"];
    /// Words that ask about the case itself and nothing else: "how long will it take", "any
    /// update?", "多久能处理好", "什么时候回复我". A message of these words alone has no subject
    /// of its own.
    CASE_ONLY = [
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
    /// Words that chase a reply or say the shopper is still waiting for one: "给我回复", "回个话",
    /// "还要等多久", "怎么还没人回", "人呢", "any update?", "still waiting", "when will someone
    /// get back to me". QA found a closed list of whole questions misses the next wording ("什么
    /// 时候回复我" was one, "什么时候给我回复" was not), so the rule is the kind of word: after a
    /// hand-over, a message that chases a reply, or asks when, and says nothing else
    /// ([`only_about_the_case`]) is about the case. A subject of its own ("退款", "shipping")
    /// keeps a new question a new question.
    CHASE = [
        "回复",
        "回我",
        "回话",
        "回个话",
        "回一下",
        "答复",
        "理我",
        "没人",
        "没有人",
        "人呢",
        "有人",
        "等",
        "等着",
        "等了",
        "进展",
        "进度",
        "消息",
        "结果",
        "reply",
        "replied",
        "respond",
        "responded",
        "get back",
        "getting back",
        "got back",
        "hear back",
        "hear from",
        "heard back",
        "heard from",
        "update",
        "updates",
        "news",
        "wait",
        "waiting",
        "waited",
        "progress",
        "someone",
        "somebody",
        "anyone",
        "anybody",
    ];
    /// Small words that go with [`CHASE`] and [`CASE_ONLY`] and name no subject: "给我回复"
    /// (给), "回个话" (个), "怎么还没人回" (怎么, 回), "are you still there".
    AROUND_CHASE = [
        "给", "个", "回", "怎么", "还没", "没", "一直", "都", "一下", "到底", "人", "吧", "哦", "呢", "嘛", "i", "i'm",
        "im", "am", "are", "was", "been", "have", "has", "haven't", "hasn't", "no", "not", "yet", "there", "for", "from",
        "about", "on", "a", "an", "us", "we", "back", "already", "again", "hello", "hi", "any",
    ];
    /// Words that ask for the case to go higher: "this is the 3rd time i'm asking, escalate it",
    /// "升级", "我要投诉你们主管". Only after a hand-over ([`asks_to_escalate`]): there a case is
    /// waiting, and such words in a longer message ask for it to be escalated (before one,
    /// the message is searched, and only the escalation word alone escalates).
    ESCALATE = [
        "escalat*",
        "senior agent",
        "supervisor",
        "manager",
        "your boss",
        "someone higher",
        "升级",
        "主管",
        "经理",
        "领导",
        "上级",
        "資深",
        "资深客服",
    ];
    /// Words that make 升级 / upgrade something else: a membership level, an app, firmware.
    NOT_ESCALATION = ["会员", "等级", "版本", "固件", "系统", "app", "vip", "member*", "firmware", "software", "version"];
    /// Words that ask what to do next and name nothing: "what do i do now", "现在怎么办", "那我该
    /// 怎么做". After an urgent problem (a burn, a stolen account) such a message asks about that
    /// problem: QA found it searched, with a "did you mean" about wrong items and lost parcels
    /// under a burnt hand.
    WHAT_NOW = [
        "what do i do",
        "what should i do",
        "what can i do",
        "what do i need to do",
        "what now",
        "now what",
        "what next",
        "what's next",
        "then what",
        "怎么办",
        "咋办",
        "怎么做",
        "该怎么做",
        "怎么处理",
        "该做什么",
        "做什么",
        "然后呢",
        "接下来呢",
        "下一步",
    ];
    /// Small words around [`WHAT_NOW`] that name no subject: "so what do i do now", "那我现在该怎
    /// 么办呀".
    AROUND_WHAT_NOW = [
        "so",
        "ok",
        "okay",
        "and",
        "now",
        "then",
        "right",
        "please",
        "i",
        "me",
        "we",
        "那",
        "那我",
        "我",
        "我们",
        "现在",
        "该",
        "应该",
        "要",
        "需要",
        "then",
        "呢",
        "呀",
        "啊",
        "吗",
        "吧",
        "了",
        "先",
        "接下来",
    ];
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
    fn pointing_back_is_a_pronoun_a_missing_subject_or_an_ellipsis() {
        let r = |m: &str| refers_back(&normalize(m), false);
        for m in ["can it roast a chicken", "does it have a timer", "能烤鸡翅吗", "这款有定时吗", "它能烤蛋糕吗"]
        {
            assert_eq!(r(m), Some(Reference::Pronoun), "{m}");
        }
        for m in
            ["and for bedding?", "what about the kettle", "那床品呢", "床品呢？", "and to hong kong?", "and the uk?"]
        {
            assert_eq!(r(m), Some(Reference::Ellipsis), "{m}");
        }
        for m in ["今天天气怎么样", "do you sell cars", "how long does a refund take", "退货运费谁出", ""]
        {
            assert_eq!(r(m), None, "{m}");
        }
        // A Chinese message that goes on from the last one.
        for m in ["就拆开看了一下没睡过", "那直接给我退款吧", "有定时功能吗"] {
            assert_eq!(r(m), Some(Reference::Pronoun), "{m}");
        }
        // A question that names its product has its subject.
        assert_eq!(refers_back(&normalize("能退货吗"), false), Some(Reference::Pronoun));
        assert_eq!(refers_back(&normalize("能用空气炸锅烤吗"), true), None);
    }

    #[test]
    fn pointing_back_settles_on_the_topic_product_or_the_topic_kind() {
        let seen = |entry, category, about_topic, other_product, fits| Seen {
            entry,
            category,
            about_topic,
            other_product,
            fits,
        };
        let fryer = seen(1, "product", true, false, true);
        let stew = seen(2, "product", false, true, false);
        let claim = seen(3, "warranty", false, false, false);
        // "does it have a timer": another product's spec sheet answered; the topic's has the word.
        assert_eq!(refer(Reference::Pronoun, Some(&stew), &fryer, &[stew, claim], &[]), Referred::Answer(1));
        // "can it fly": the topic's entry does not have the word, nor any hit about it.
        let fryer_unfit = Seen { fits: false, ..fryer };
        assert_eq!(refer(Reference::Pronoun, None, &fryer_unfit, &[stew, claim], &[]), Referred::Keep);
        // An answer about no product in particular ("能退货吗" → returns) stands.
        let returns = seen(4, "returns", false, false, true);
        assert_eq!(refer(Reference::Pronoun, Some(&returns), &fryer, &[returns], &[]), Referred::Keep);
        // A hit about the topic's product other than its entry wins over the entry.
        let care = seen(5, "product", true, false, true);
        assert_eq!(refer(Reference::Pronoun, None, &fryer, &[stew, care], &[]), Referred::Answer(5));
        // "and for bedding?" after the appliance warranty: the bedding warranty among the hits.
        let warranty = seen(6, "warranty", true, false, true);
        let size = seen(7, "product", false, true, true);
        let textiles = seen(8, "warranty", false, true, true);
        let care_bedding = seen(9, "product", false, true, true);
        assert_eq!(
            refer(Reference::Ellipsis, Some(&size), &warranty, &[size, care_bedding, textiles], &[]),
            Referred::Answer(8)
        );
        // None of that kind: no size table for a warranty question, a "did you mean".
        assert_eq!(refer(Reference::Ellipsis, Some(&size), &warranty, &[size, care_bedding], &[]), Referred::Clarify);
        assert_eq!(refer(Reference::Ellipsis, None, &warranty, &[size, care_bedding], &[]), Referred::Keep);
        // "and the uk?" after the shipping fee: alone the voltage abroad (a product entry) and
        // an address change; with the question before it, international shipping.
        let fee = seen(10, "shipping", false, false, true);
        let voltage = seen(11, "product", false, false, true);
        let address = seen(12, "order", false, false, false);
        let abroad = seen(13, "shipping", false, false, true);
        let returns_postage = seen(14, "returns", false, false, false);
        assert_eq!(
            refer(Reference::Ellipsis, None, &fee, &[voltage, address], &[fee, returns_postage, abroad]),
            Referred::Answer(13)
        );
        // The message's own hit of the topic's kind comes first; a wider hit that lacks the
        // message's words is none.
        assert_eq!(
            refer(Reference::Ellipsis, None, &fee, &[abroad], &[seen(15, "shipping", false, false, true)]),
            Referred::Answer(13)
        );
        let unfit = Seen { fits: false, ..abroad };
        assert_eq!(refer(Reference::Ellipsis, None, &fee, &[voltage], &[fee, unfit]), Referred::Keep);
    }

    #[test]
    fn a_choice_of_the_kind_of_the_problem_raised_before_is_that_choice() {
        use Triage::*;
        // 运费多少钱 / 质量问题退货运费谁出 / 无理由退货运费谁出 after a broken handle.
        assert_eq!(of_the_problem(Complaint, &[Product, Complaint, Product]), Some(1));
        assert_eq!(of_the_problem(Order, &[Order, Order, Product]), None);
        assert_eq!(of_the_problem(Complaint, &[Product, Product]), None);
        assert_eq!(of_the_problem(Product, &[Product, Complaint]), None);
    }

    #[test]
    fn telling_words_leave_out_the_pointing() {
        assert_eq!(telling_words(&normalize("does it have a timer")), vec!["timer".to_string()]);
        assert_eq!(telling_words(&normalize("能烤鸡翅吗")), vec!["烤".to_string(), "翅".to_string(), "鸡".to_string()]);
        assert!(has_a_word(
            &normalize("1400 W, 0–60 minute timer"),
            &telling_words(&normalize("is there a timer on it"))
        ));
        // A two-letter abbreviation tells; a two-letter word does not.
        assert_eq!(telling_words(&normalize("and the uk?")), vec!["uk".to_string()]);
        assert_eq!(telling_words(&normalize("and if it's ok?")), Vec::<String>::new());
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
    fn asking_for_a_higher_level_escalates() {
        for m in ["this is the 3rd time i'm asking, escalate it", "升级", "我要投诉你们主管", "get me your manager"]
        {
            assert!(asks_to_escalate(&normalize(m)), "{m}");
        }
        for m in ["会员怎么升级", "how do I update the app version", "any update?", "退款多久到账"] {
            assert!(!asks_to_escalate(&normalize(m)), "{m}");
        }
    }

    #[test]
    fn postage_and_paying_it_back() {
        for m in
            ["我已经寄回去了 运费12块 能报销吗", "who pays the return shipping", "can you reimburse me", "邮费谁出"]
        {
            assert!(about_postage(&normalize(m)), "{m}");
        }
        for m in ["我要退货", "how long does shipping take", "退款多久到账"] {
            assert!(!about_postage(&normalize(m)), "{m}");
        }
    }

    #[test]
    fn what_now_names_nothing_of_its_own() {
        for m in
            ["what do i do now", "what should I do?", "so what now", "现在怎么办", "那我该怎么做", "那我现在该怎么办呀"]
        {
            assert!(only_what_now(&normalize(m)), "{m}");
        }
        for m in ["what do i do if my parcel is late", "优惠券用不了怎么办", "怎么退货", "ok", ""] {
            assert!(!only_what_now(&normalize(m)), "{m}");
        }
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

    #[test]
    fn chasing_a_reply_in_other_words_is_about_the_case() {
        for m in [
            "什么时候给我回复",
            "什么时候给我回个话",
            "还要等多久",
            "怎么还没人回",
            "人呢",
            "when will someone get back to me",
            "any update?",
            "still waiting",
            "I'm still waiting for a reply",
        ] {
            let n = normalize(m);
            assert!(chases_a_reply(&n) || crate::reply::triage::asks_when(&n), "{m}");
            assert!(only_about_the_case(&n), "{m}");
        }
        for m in ["什么时候给我退款", "等多久能发货", "still waiting for my refund", "any update on shipping to Canada"]
        {
            assert!(!only_about_the_case(&normalize(m)), "{m}");
        }
    }
}
