//! Small talk: greetings, thanks, goodbyes, plain acknowledgements ("ok", "好的") and openers
//! that announce a question without asking it yet ("I have a question", "问一下"), in
//! Chinese and English. Such a message is answered without the index — but only when nothing
//! else is in it: "hi, where is my parcel?" is an order question with a greeting in front.

use super::lexicon;
use serde::{Deserialize, Serialize};

/// What kind of small talk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Smalltalk {
    Greeting,
    Thanks,
    Goodbye,
    /// "ok", "got it", "好的", "yes", "是的".
    Ack,
    /// A question announced but not asked yet: "I have a question", "请问", "help me", or
    /// only filler words ("the", "um"). Searching it would answer at random, and saying the
    /// shop has nothing for it would be wrong: the bot asks what the shopper needs.
    Opener,
    /// "are you a robot", "你是真人吗", "who am I talking to": the bot says what it is.
    Identity,
    /// "没用", "that didn't help", "不是这个", "都不是", "不是" (after a "did you mean"): the last
    /// reply missed. The bot apologises, asks
    /// for other words and offers a person.
    NotHelpful,
    /// "one sec", "let me check", "稍等", "我找找订单号": the shopper needs a moment (to find
    /// the order number just asked for). The bot waits, and what it asked for stays asked.
    Hold,
}

impl Smalltalk {
    /// Short machine name: `greeting`, `thanks`, `goodbye`, `ack`, `opener`, `identity`,
    /// `not_helpful`, `hold`.
    pub fn name(self) -> &'static str {
        match self {
            Smalltalk::Greeting => "greeting",
            Smalltalk::Thanks => "thanks",
            Smalltalk::Goodbye => "goodbye",
            Smalltalk::Ack => "ack",
            Smalltalk::Opener => "opener",
            Smalltalk::Identity => "identity",
            Smalltalk::NotHelpful => "not_helpful",
            Smalltalk::Hold => "hold",
        }
    }
}

/// The message takes back what was asked ([`DISMISS`]).
pub fn dismisses(norm: &str) -> bool {
    lexicon::any(norm, DISMISS())
}

/// The small talk in `norm` (normalized text), if that is all the message is.
pub fn classify(norm: &str) -> Option<Smalltalk> {
    let found = [
        (Smalltalk::Identity, lexicon::any(norm, IDENTITY())),
        (Smalltalk::NotHelpful, lexicon::any(norm, NOT_HELPFUL())),
        (Smalltalk::Hold, lexicon::any(norm, HOLD())),
        (Smalltalk::Goodbye, lexicon::any(norm, GOODBYE())),
        (Smalltalk::Thanks, lexicon::any(norm, THANKS())),
        (Smalltalk::Greeting, lexicon::any(norm, GREETING())),
        (Smalltalk::Ack, lexicon::any(norm, ACK()) || dismisses(norm)),
        (Smalltalk::Opener, lexicon::any(norm, OPENER())),
    ];
    let rest = strip(norm);
    let substance = rest.chars().filter(|c| c.is_alphanumeric()).count();
    // "1", "23": a number alone (not an order number, which the facts take) asks nothing;
    // searching it would answer whatever entry writes that number.
    if (1..=3).contains(&substance) && rest.chars().filter(|c| c.is_alphanumeric()).all(|c| c.is_ascii_digit()) {
        return Some(Smalltalk::Opener);
    }
    if substance > 0 {
        return None;
    }
    match found.iter().find(|(_, hit)| *hit) {
        Some(&(kind, _)) => Some(kind),
        // Nothing but filler words ("the", "um", "please"): a question still to come.
        None => norm.chars().any(char::is_alphanumeric).then_some(Smalltalk::Opener),
    }
}

/// `norm` without its questions about what the bot is ("你是机器人还是真人", "are you a bot or a
/// real person"): their 真人 / "person" asks what the bot is, not for a person.
pub fn without_identity(norm: &str) -> String {
    lexicon::remove_all(norm, IDENTITY())
}

/// `norm` without small-talk phrases and filler words: what is left says something.
pub fn strip(norm: &str) -> String {
    let mut rest = norm.to_string();
    for list in
        [HOLD(), GOODBYE(), THANKS(), GREETING(), ACK(), DISMISS(), OPENER(), IDENTITY(), NOT_HELPFUL(), FILLER()]
    {
        rest = lexicon::remove_all(&rest, list);
    }
    rest
}

// The word lists above are read from the bundle in the browser (see `lexicon::word_lists!`).
super::lexicon::word_lists! {
    "smalltalk";
    GREETING = [
        "你好",
        "您好",
        "你们好",
        "哈喽",
        "哈啰",
        "嗨",
        "在吗",
        "在不在",
        "有人吗",
        "早上好",
        "上午好",
        "中午好",
        "下午好",
        "晚上好",
        "早安",
        "午安",
        "晚安",
        "hello",
        "hi",
        "hey",
        "hiya",
        "yo",
        "good morning",
        "good afternoon",
        "good evening",
        "greetings",
        "anyone there",
        "is anyone there",
        "anyone",
        "anybody there",
        "are you there",
        "howdy",
        "👋",
    ];
    THANKS = [
        "谢谢",
        "感谢",
        "多谢",
        "谢啦",
        "谢了",
        "辛苦了",
        "辛苦",
        "thanks",
        "thank you",
        "thank u",
        "thx",
        "ty",
        "cheers",
        "much appreciated",
        "appreciate it",
        "thankyou",
        "tysm",
        "🙏",
        "❤",
        "💕",
    ];
    GOODBYE = [
        "再见",
        "拜拜",
        "拜",
        "回头见",
        "下次见",
        "没有了",
        "没事了",
        "没问题了",
        "就这些",
        "bye",
        "goodbye",
        "bye bye",
        "see you",
        "see ya",
        "that's all",
        "thats all",
        "nothing else",
        "that is all",
        "have a nice day",
        "good night",
    ];
    ACK = [
        "东西收到了",
        "已收到",
        "收到了",
        "好的",
        "好",
        "嗯",
        "嗯嗯",
        "行",
        "可以",
        "知道了",
        "明白了",
        "明白",
        "收到",
        "了解",
        "懂了",
        "ok",
        "okay",
        "k",
        "kk",
        "got it",
        "understood",
        "alright",
        "all right",
        "sure",
        "cool",
        "great",
        "perfect",
        "fine",
        "noted",
        "yes",
        "yeah",
        "yep",
        "yup",
        "是的",
        "对的",
        "对",
        "没错",
        "👍",
        "👌",
        "🆗",
    ];
    OPENER = [
        "我有个问题",
        "我有一个问题",
        "有个问题",
        "有点问题",
        "问个问题",
        "请问一下",
        "问一下",
        "问下",
        "想问一下",
        "想问下",
        // "我想问下": with 我 the shorter phrases leave it behind, and 我 alone is no filler.
        "我想问一下",
        "我想问下",
        "我想咨询一下",
        "我想咨询下",
        "我想咨询",
        "我想请问一下",
        "想请问一下",
        "想请问",
        "我想问",
        "想问",
        "请问",
        "咨询一下",
        "咨询下",
        "想咨询",
        "咨询",
        "打扰一下",
        "打扰了",
        "帮个忙",
        "帮帮我",
        "帮我",
        "i have a question",
        "i have a problem",
        "i have an issue",
        "i've got a question",
        "i got a question",
        "quick question",
        "a question",
        "question",
        "can you help me",
        "can you help",
        "could you help me",
        "i need help",
        "i need some help",
        "need help",
        "help me",
        "excuse me",
        "can i ask something",
        "can i ask you something",
        "can i ask a question",
        "can i ask you a question",
        "could i ask something",
        "could i ask you something",
        "may i ask something",
        "may i ask a question",
        "i want to ask something",
        "i want to ask",
        "i'd like to ask something",
        "i'd like to ask",
        "i wanna ask",
        "got a question",
        "sorry to bother you",
    ];
    IDENTITY = [
        "你是机器人",
        // The other half of "are you X or Y" ("你是机器人还是真人").
        "还是真人",
        "还是人工",
        "还是机器人",
        "or a real person",
        "or a person",
        "or a human",
        "or a bot",
        "or a robot",
        "are you chatgpt",
        "你是chatgpt",
        "是机器人",
        "你是真人",
        "是真人",
        "你是人",
        "你是人工",
        "是人工",
        "你是ai",
        "你是谁",
        "你是什么",
        "机器人",
        "自动回复",
        "are you a robot",
        "are you a bot",
        "are you a real person",
        "are you a person",
        "are you human",
        "are you a human",
        "are you real",
        "are you ai",
        "are you an ai",
        "is this a bot",
        "is this a robot",
        "is this a real person",
        "is this ai",
        "am i talking to a bot",
        "am i talking to a robot",
        "am i talking to a human",
        "am i talking to a real person",
        "am i chatting with a bot",
        "am i chatting with a human",
        "am i chatting with a person",
        "am i talking to a person",
        "am i talking to someone real",
        // Chat shorthand for the same questions ("r u a bot").
        "r u a bot",
        "r u a robot",
        "r u human",
        "r u a human",
        "r u real",
        "r u a real person",
        "r u ai",
        "are u a bot",
        "are u a robot",
        "are u human",
        "are u a human",
        "are u real",
        "u a bot",
        "is this a human",
        "is this a person",
        "is this automated",
        "are you a machine",
        "are you automated",
        // Asked its name, the bot says who it is: the same introduction.
        "what's your name",
        "what is your name",
        "whats your name",
        "your name",
        "who is this",
        "你叫什么名字",
        "你叫什么",
        "你叫啥",
        "你的名字",
        "怎么称呼你",
        "怎么称呼您",
        "who are you",
        "who am i talking to",
        "what are you",
        "robot",
        "chatbot",
    ];
    NOT_HELPFUL = [
        "没用",
        "没有用",
        "没帮助",
        "没有帮助",
        "帮不上",
        "不是这个",
        "不是我要的",
        "不是我想问的",
        "不是我问的",
        "答非所问",
        "没解决",
        "没有解决",
        "还是不行",
        "都不是",
        "都不对",
        "不是",
        "none of these",
        "none of them",
        "none of those",
        "neither",
        "that didn't help",
        "that did not help",
        "didn't help",
        "did not help",
        "doesn't help",
        "not helpful",
        "that's not what i asked",
        "thats not what i asked",
        "not what i asked",
        "not what i meant",
        "that's not it",
        "thats not it",
        "wrong answer",
        "that's wrong",
        "thats wrong",
        "you didn't answer my question",
        "didn't answer my question",
        "doesn't answer my question",
        "that doesn't answer my question",
    ];
    HOLD = [
        "等一下",
        "等一等",
        "等等",
        "等我一下",
        "稍等",
        "请稍等",
        "稍等片刻",
        "马上",
        "我找找",
        "我找一下",
        "我去找",
        "我查查",
        "我查一下",
        "我去查",
        "我看看",
        "我看一下",
        "我翻一下",
        "我找找订单号",
        "我找一下订单号",
        "我查一下订单号",
        "我去找订单号",
        "我去查订单号",
        "one sec",
        "one second",
        "one moment",
        "one min",
        "one minute",
        "1 sec",
        "1 min",
        "a sec",
        "a second",
        "a moment",
        "a minute",
        "a min",
        "give me a sec",
        "give me a second",
        "give me a moment",
        "give me a minute",
        "gimme a sec",
        "just a sec",
        "just a second",
        "just a moment",
        "just a minute",
        "sec",
        "hold on",
        "hang on",
        "wait",
        "wait a sec",
        "wait a second",
        "wait a moment",
        "wait a minute",
        "let me check",
        "let me look",
        "let me see",
        "let me find it",
        "let me find",
        "let me look it up",
        "let me get it",
        "i'll check",
        "i'll look",
        "i'll find it",
        "checking",
        "brb",
    ];
    /// Taking back what was asked: "never mind", "算了不用了". Answered as "ok" (anything else?).
    DISMISS = [
        "never mind",
        "nevermind",
        "nevermind then",
        "never mind then",
        "forget that",
        "nvm",
        "forget it",
        "forget about it",
        "cancel that",
        "doesn't matter",
        "no worries",
        "算了",
        "那算了",
        "那就算了",
        "算了吧",
        "不用了",
        "没事了",
        "不需要了",
        "没关系了",
    ];
    /// Words that carry no request of their own.
    FILLER = [
        "啊", "呀", "哦", "噢", "哈", "呢", "吧", "啦", "嘛", "么", "吗", "的", "了", "哟", "喔", "你", "您", "们", "非常",
        "很", "多", "真", "太", "大家", "亲", "客服", "小", "so", "much", "very", "a", "lot", "again", "there", "please",
        "you", "all", "guys", "team", "bot", "and", "for", "the", "help", "your", "oh", "ah", "um", "well", "then", "just",
        "really", "too", "man", "dear", "hmm", "hm", "erm", "uh", "no", "nope", "一下", "呃", "额", "嗯哼",
        // "actually never mind", "oh actually, thanks": a word that turns, asking nothing.
        "actually",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::normalize;

    fn c(s: &str) -> Option<Smalltalk> {
        classify(&normalize(s))
    }

    #[test]
    fn smalltalk_in_both_languages() {
        let table: &[(&str, Option<Smalltalk>)] = &[
            ("你好", Some(Smalltalk::Greeting)),
            ("您好，在吗？", Some(Smalltalk::Greeting)),
            ("哈囉～", Some(Smalltalk::Greeting)),
            ("Hi there!", Some(Smalltalk::Greeting)),
            ("good morning", Some(Smalltalk::Greeting)),
            ("谢谢你！", Some(Smalltalk::Thanks)),
            ("謝謝您", Some(Smalltalk::Thanks)),
            ("thank you so much", Some(Smalltalk::Thanks)),
            ("Thanks, bye!", Some(Smalltalk::Goodbye)),
            ("再見", Some(Smalltalk::Goodbye)),
            ("ok", Some(Smalltalk::Ack)),
            ("东西收到了，谢谢", Some(Smalltalk::Thanks)),
            ("好的", Some(Smalltalk::Ack)),
            ("你好，我的快递到哪了", None),
            ("hi, where is my parcel?", None),
            ("👍👍", Some(Smalltalk::Ack)),
            ("🙏", Some(Smalltalk::Thanks)),
            ("😀", None),
            ("thanks, but the kettle is broken", None),
            ("how do I say thank you", None),
            ("", None),
            ("我有个问题", Some(Smalltalk::Opener)),
            ("你好，请问一下", Some(Smalltalk::Greeting)),
            ("請問", Some(Smalltalk::Opener)),
            ("I have a question", Some(Smalltalk::Opener)),
            ("can you help me please?", Some(Smalltalk::Opener)),
            ("the", Some(Smalltalk::Opener)),
            ("I have a question about returns", None),
            ("请问退货运费谁出", None),
            ("help, my card was charged twice", None),
            ("你是机器人吗？", Some(Smalltalk::Identity)),
            ("你是真人嗎", Some(Smalltalk::Identity)),
            ("hi, are you a bot?", Some(Smalltalk::Identity)),
            ("Am I talking to a real person?", Some(Smalltalk::Identity)),
            ("who are you", Some(Smalltalk::Identity)),
            ("can a robot vacuum be returned", None),
            ("你是机器人吗，退货运费谁出", None),
            ("没用", Some(Smalltalk::NotHelpful)),
            ("不是这个啊", Some(Smalltalk::NotHelpful)),
            ("no, that's not what I asked", Some(Smalltalk::NotHelpful)),
            ("That didn't help", Some(Smalltalk::NotHelpful)),
            ("都不是", Some(Smalltalk::NotHelpful)),
            ("none of these", Some(Smalltalk::NotHelpful)),
            ("hello?? anyone??", Some(Smalltalk::Greeting)),
            ("1", Some(Smalltalk::Opener)),
            ("12", Some(Smalltalk::Opener)),
            ("1.5m bed sheet size", None),
            ("the coupon didn't help", None),
            ("no refund yet", None),
            ("no thanks", Some(Smalltalk::Thanks)),
            ("no, that's all", Some(Smalltalk::Goodbye)),
            ("yes", Some(Smalltalk::Ack)),
            ("是的", Some(Smalltalk::Ack)),
            ("对", Some(Smalltalk::Ack)),
            ("yes I want a refund", None),
            ("是不是包邮", None),
            ("对了，发票怎么开", None),
            ("不是", Some(Smalltalk::NotHelpful)),
            ("不是我下的单", None),
            // QA: openers without their question, the bot's name, chat shorthand, never mind.
            ("我想问下", Some(Smalltalk::Opener)),
            ("我想问一下", Some(Smalltalk::Opener)),
            ("can i ask something", Some(Smalltalk::Opener)),
            ("can I ask you a question?", Some(Smalltalk::Opener)),
            ("我想问一下退货运费谁出", None),
            ("can i ask something about returns", None),
            ("r u a bot", Some(Smalltalk::Identity)),
            ("are u real?", Some(Smalltalk::Identity)),
            ("你叫什么名字", Some(Smalltalk::Identity)),
            ("what's your name", Some(Smalltalk::Identity)),
            ("你叫什么快递", None),
            ("那算了", Some(Smalltalk::Ack)),
            ("算了吧", Some(Smalltalk::Ack)),
            ("actually nevermind", Some(Smalltalk::Ack)),
            ("actually never mind", Some(Smalltalk::Ack)),
            ("forget it", Some(Smalltalk::Ack)),
            ("actually where is my parcel", None),
            ("ok give me a sec", Some(Smalltalk::Hold)),
            ("hold on, let me check", Some(Smalltalk::Hold)),
            ("one moment please", Some(Smalltalk::Hold)),
            ("稍等", Some(Smalltalk::Hold)),
            ("等一下，我找找", Some(Smalltalk::Hold)),
            ("好的我查一下订单号", Some(Smalltalk::Hold)),
            ("how long do i have to wait for a refund", None),
            ("let me check my order status", None),
        ];
        for (text, want) in table {
            assert_eq!(c(text), *want, "{text}");
        }
    }
}
