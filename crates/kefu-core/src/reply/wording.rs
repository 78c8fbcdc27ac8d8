//! The bot's own words, in zh-CN, zh-TW and English: empathy, complaint acknowledgements,
//! asks (always saying why), small talk, hand-over messages and promises.
//!
//! House rules from the service standards: no buck-passing, no "you can't" (say what the
//! shopper *can* do), empathy that fits the situation — several variants per situation, chosen
//! by triage, cue, emotion and turn, never one fixed template. A test scans every string.

use super::decide::HandoffReason;
use super::emotion::Emotion;
use super::hours::{hhmm, Promises, ServiceHours};
use super::mask::Hidden;
use super::smalltalk::Smalltalk;
use super::triage::Cue;
use super::triage::Triage;
use crate::analyze::is_han;
use crate::kb::Locale;

/// Picks one of three wordings by locale.
fn t(loc: Locale, en: &str, cn: &str, tw: &str) -> String {
    match loc {
        Locale::En => en,
        Locale::ZhCn => cn,
        Locale::ZhTw => tw,
    }
    .to_string()
}

/// One of several wordings (en, zh-CN, zh-TW), taken in turn so that a line said again reads
/// differently.
fn by_turn(loc: Locale, options: &[(&str, &str, &str)], turn: u32) -> String {
    let (en, cn, tw) = options[turn as usize % options.len()];
    t(loc, en, cn, tw)
}

/// The language of the reply: the script of the shopper's *current* message when it shows
/// one (traditional → zh-TW, simplified → zh-CN, Latin letters only → en). A Chinese message
/// whose characters are the same in both scripts (你好, 可以吗) keeps the conversation's
/// Chinese so far, else the shop's when the shop is Chinese, else zh-CN.
pub fn pick_locale(shop: Locale, text: &str, previous: Option<Locale>) -> Locale {
    let han = text.chars().filter(|&c| is_han(c)).count();
    // A message mostly in English with a Chinese word or two ("where is my parcel 谢谢", "how
    // do I return the 电饭煲", "退款 how long?") is English: the language with more of the
    // message. A Chinese word is mostly two characters, so a run of Han characters weighs as
    // one word per two (QA: weighed one per character, "my 快递 hasn't arrived yet, 订单号 …"
    // got a Chinese reply at an English shop). A tie is the shop's language at an English shop
    // (its KB answers English), Chinese elsewhere.
    let english_words = super::lexicon::latin_words(text);
    let chinese_words = han_words(text);
    let chinese =
        chinese_words > english_words || (chinese_words > 0 && chinese_words == english_words && shop != Locale::En);
    if han > 0 && chinese {
        use crate::analyze::{script_of, Script};
        return match script_of(text) {
            Some(Script::Traditional) => Locale::ZhTw,
            Some(Script::Simplified) => Locale::ZhCn,
            None => match previous {
                Some(p @ (Locale::ZhCn | Locale::ZhTw)) => p,
                _ if shop != Locale::En => shop,
                _ => Locale::ZhCn,
            },
        };
    }
    let latin = text.chars().filter(|c| c.is_ascii_alphabetic()).count();
    // A first message at a Chinese shop that is one short Latin word with no vowel ("tk",
    // "zfb", "yyds") is pinyin initials, the way Chinese shoppers abbreviate (退款 → tk, 支付宝
    // → zfb), not English: it stays in the shop's language. English words have a vowel
    // (a e i o u), bar the few chat words and y-words listed in [`NO_VOWEL_ENGLISH`]; a longer
    // run of consonants is no word either way, and more than one word is a phrase. The KB's
    // own English vocabulary would not tell: a Chinese KB has little or none.
    if previous.is_none() && shop != Locale::En && han == 0 && is_pinyin_initials(text) {
        return shop;
    }
    // In a Chinese conversation a word or code in Latin letters alone ("ok", "thx", a tracking
    // number "SF1234567890123") is no switch to English: that takes a phrase.
    let chinese_so_far = matches!(previous, Some(Locale::ZhCn | Locale::ZhTw));
    if latin >= 2 && !(chinese_so_far && english_words < 2) {
        return Locale::En;
    }
    previous.unwrap_or(shop)
}

/// The Chinese words of `text`, counted as one per two Han characters of each run (a run of
/// one or three characters counts up): 退款 is one, 订单号 two.
fn han_words(text: &str) -> usize {
    let mut words = 0;
    let mut run: usize = 0;
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_han(c) {
            run += 1;
        } else {
            words += run.div_ceil(2);
            run = 0;
        }
    }
    words
}

/// `text` is one word of 2 to 6 Latin letters without a vowel that is no English word
/// ([`NO_VOWEL_ENGLISH`]): "tk", "zfb", "yyds", "TK?".
pub fn is_pinyin_initials(text: &str) -> bool {
    let word = text.trim().trim_matches(|c: char| !c.is_alphanumeric());
    let word = word.to_ascii_lowercase();
    (2..=6).contains(&word.len())
        && word.chars().all(|c| c.is_ascii_lowercase())
        && !word.chars().any(|c| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u'))
        && !NO_VOWEL_ENGLISH().contains(&word.as_str())
}

/// A duration: "3 minutes", "1 hour", "2 hours"; "3 分钟", "1 小时"; "3 分鐘", "1 小時".
pub fn duration(loc: Locale, minutes: u32) -> String {
    let (n, hours) = if minutes >= 60 && minutes.is_multiple_of(60) { (minutes / 60, true) } else { (minutes, false) };
    match (loc, hours) {
        (Locale::En, true) => format!("{n} hour{}", if n == 1 { "" } else { "s" }),
        (Locale::En, false) => format!("{n} minute{}", if n == 1 { "" } else { "s" }),
        (Locale::ZhCn, true) => format!("{n} 小时"),
        (Locale::ZhCn, false) => format!("{n} 分钟"),
        (Locale::ZhTw, true) => format!("{n} 小時"),
        (Locale::ZhTw, false) => format!("{n} 分鐘"),
    }
}

/// The next opening in words: "later today at 09:00", "tomorrow at 09:00", "Monday at 09:00".
pub fn when(loc: Locale, days_ahead: i64, weekday: u8, minute: u16) -> String {
    const EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    const CN: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const TW: [&str; 7] = ["週一", "週二", "週三", "週四", "週五", "週六", "週日"];
    let time = hhmm(minute);
    let w = weekday as usize % 7;
    match (loc, days_ahead) {
        (Locale::En, 0) => format!("{time} today"),
        (Locale::En, 1) => format!("{time} tomorrow"),
        (Locale::En, _) => format!("{time} on {}", EN[w]),
        (Locale::ZhCn, 0) => format!("今天 {time}"),
        (Locale::ZhCn, 1) => format!("明天 {time}"),
        (Locale::ZhCn, _) => format!("{} {time}", CN[w]),
        (Locale::ZhTw, 0) => format!("今天 {time}"),
        (Locale::ZhTw, 1) => format!("明天 {time}"),
        (Locale::ZhTw, _) => format!("{} {time}", TW[w]),
    }
}

/// Fills a merchant template's placeholders.
fn fill(template: &str, minutes: u32, time: &str, when: &str, hours: &str) -> String {
    template
        .replace("{minutes}", &minutes.to_string())
        .replace("{time}", time)
        .replace("{when}", when)
        .replace("{hours}", hours)
}

/// Which promise a reply makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromiseKind {
    Urgent,
    Complaint,
    AfterSales,
    /// Outside working hours: the reply is promised before the next opening (days until it,
    /// its weekday), or, close to the opening, by `minute` (local) that day
    /// ([`ServiceHours::reply_by`](super::hours::ServiceHours::reply_by)).
    OffHours {
        days_ahead: i64,
        weekday: u8,
        minute: u16,
        near: bool,
    },
    Peak {
        minutes: u32,
    },
}

/// The promise in words, the merchant's wording when the reply is in the shop's language.
pub fn promise(loc: Locale, shop: Locale, kind: PromiseKind, p: &Promises, h: &ServiceHours) -> String {
    let own = |o: &Option<String>| o.as_ref().filter(|s| loc == shop && !s.trim().is_empty()).cloned();
    let hours = h.span_text();
    match kind {
        PromiseKind::Urgent => {
            let m = p.urgent_minutes;
            let d = duration(loc, m);
            own(&p.urgent).map(|s| fill(&s, m, &d, "", &hours)).unwrap_or_else(|| match loc {
                Locale::En => {
                    format!("It goes through our green channel: a specialist takes over within {d}, day or night.")
                }
                Locale::ZhCn => format!("留言走绿色通道，{d}内专人接手，全天 24 小时有效。"),
                Locale::ZhTw => format!("留言走綠色通道，{d}內由專人接手，全天 24 小時有效。"),
            })
        }
        PromiseKind::Complaint => {
            let m = p.complaint_minutes;
            let d = duration(loc, m);
            own(&p.complaint).map(|s| fill(&s, m, &d, "", &hours)).unwrap_or_else(|| match loc {
                Locale::En => format!(
                    "A colleague will confirm within {d} that your case is being handled, and follows it through to the end."
                ),
                Locale::ZhCn => format!("{d}内会有专人确认受理，并一直跟进到问题解决。"),
                Locale::ZhTw => format!("{d}內會有專人確認受理，並一路跟進到問題解決。"),
            })
        }
        PromiseKind::AfterSales => {
            let m = p.after_sales_minutes;
            let d = duration(loc, m);
            own(&p.after_sales).map(|s| fill(&s, m, &d, "", &hours)).unwrap_or_else(|| match loc {
                Locale::En => format!("A colleague will come back to you with a clear next step within {d}."),
                Locale::ZhCn => format!("{d}内同事会给您明确的处理方案。"),
                Locale::ZhTw => format!("{d}內同事會給您明確的處理方式。"),
            })
        }
        PromiseKind::OffHours { days_ahead, weekday, minute, near } => {
            let w = when(loc, days_ahead, weekday, minute.min(1439));
            own(&p.off_hours).map(|s| fill(&s, 0, "", &w, &hours)).unwrap_or_else(|| match (loc, near) {
                (Locale::En, false) => format!(
                    "Our team works {hours}. Leave your message and we'll reply before {w} with a first solution."
                ),
                (Locale::ZhCn, false) => format!("人工客服的服务时间是 {hours}。留言后，我们会在{w}前给您初步处理方案。"),
                (Locale::ZhTw, false) => format!("人工客服的服務時間是 {hours}。留言後，我們會在{w}前給您初步處理方案。"),
                // Just before opening: the message waits for the team, who start shortly.
                (Locale::En, true) => format!(
                    "Our team works {hours} and starts again shortly. Leave your message and we'll reply by {w} with a first solution."
                ),
                (Locale::ZhCn, true) => {
                    format!("人工客服的服务时间是 {hours}，马上就上班了。留言后，我们会在{w}前给您初步处理方案。")
                }
                (Locale::ZhTw, true) => {
                    format!("人工客服的服務時間是 {hours}，馬上就上班了。留言後，我們會在{w}前給您初步處理方案。")
                }
            })
        }
        PromiseKind::Peak { minutes } => {
            let d = duration(loc, minutes);
            own(&p.peak).map(|s| fill(&s, minutes, &d, "", &hours)).unwrap_or_else(|| match loc {
                Locale::En => {
                    format!("It's busier than usual right now: leave your question and it joins the queue; expect a reply within {d}.")
                }
                Locale::ZhCn => format!("现在咨询的人比较多，留言后会排队处理，预计 {d}内回复您。"),
                Locale::ZhTw => format!("目前詢問的人比較多，留言後會排入佇列，預計 {d}內回覆您。"),
            })
        }
    }
}

/// While waiting in peak mode: what to have ready (never what the shopper already gave).
pub fn prepare(loc: Locale, need_order: bool) -> String {
    if need_order {
        t(
            loc,
            "While you wait, you can get the order number and a photo of the problem ready, so it's solved in one go.",
            "等待的时候，您可以先准备好订单号和问题照片，这样一次就能处理好。",
            "等待的時候，您可以先準備好訂單編號和問題照片，這樣一次就能處理好。",
        )
    } else {
        t(
            loc,
            "While you wait, you can get a photo of the problem ready, so it's solved in one go.",
            "等待的时候，您可以先准备好问题照片，这样一次就能处理好。",
            "等待的時候，您可以先準備好問題照片，這樣一次就能處理好。",
        )
    }
}

/// Empathy for a safety report that is only a smell ([`super::triage::only_a_smell`]: "strong
/// chemical smell and my kid feels dizzy", "the kettle smells like burning"): worrying, where
/// smoke, a fire or a burn is frightening ([`empathy`]).
pub fn smell_empathy(loc: Locale, turn: u32) -> String {
    by_turn(
        loc,
        &[
            (
                "I'm sorry — a smell like that is worrying. Your safety comes first, and we'll look into it right now.",
                "非常抱歉，有这样的味道一定让您很担心。您的安全最重要，我们马上处理。",
                "非常抱歉，有這樣的味道一定讓您很擔心。您的安全最重要，我們馬上處理。",
            ),
            (
                "A smell like that is worrying, and you did the right thing telling us straight away.",
                "闻到这样的味道确实让人担心，谢谢您第一时间告诉我们。",
                "聞到這樣的味道確實讓人擔心，謝謝您第一時間告訴我們。",
            ),
        ],
        turn,
    )
}

/// Empathy that opens a reply, if the situation calls for it.
pub fn empathy(loc: Locale, triage: Triage, cue: Cue, emotion: Emotion, repeat: bool, turn: u32) -> Option<String> {
    let pick = |options: &[(&str, &str, &str)]| by_turn(loc, options, turn);
    if repeat {
        return Some(pick(&[
            (
                "I'm really sorry this still isn't sorted — that's not the experience you should have had.",
                "真的很抱歉，问题到现在还没解决，这不是您应该有的体验。",
                "真的很抱歉，問題到現在還沒解決，這不是您應該有的體驗。",
            ),
            (
                "I understand how frustrating it is to have to come back about this again. I'm sorry.",
                "还要您再来找我们一次，这种心情我非常理解，真的很抱歉。",
                "還要您再來找我們一次，這種心情我非常理解，真的很抱歉。",
            ),
        ]));
    }
    match (triage, emotion) {
        (Triage::Urgent, _) => Some(match cue {
            Cue::Safety => pick(&[
                (
                    "I'm so sorry — your safety comes first, and we'll deal with this right now.",
                    "非常抱歉，您的安全最重要，我们马上处理。",
                    "非常抱歉，您的安全最重要，我們馬上處理。",
                ),
                (
                    "That must have been frightening. Thank you for telling us straight away.",
                    "遇到这种情况一定吓坏了，谢谢您第一时间告诉我们。",
                    "遇到這種情況一定嚇壞了，謝謝您第一時間告訴我們。",
                ),
            ]),
            Cue::Account | Cue::Fraud => pick(&[
                (
                    "I understand how worrying this is — let's secure your account right now.",
                    "别担心，我们马上一起保护好您的账户。",
                    "別擔心，我們馬上一起保護好您的帳號。",
                ),
                (
                    "That sounds alarming; you did the right thing telling us straight away.",
                    "遇到这种情况一定很着急，您第一时间告诉我们是对的。",
                    "遇到這種情況一定很著急，您第一時間告訴我們是對的。",
                ),
            ]),
            _ => pick(&[
                (
                    "I know a payment problem is stressful — we'll sort it out with you right away.",
                    "付款出问题确实让人着急，我们马上帮您处理。",
                    "付款出問題確實讓人著急，我們馬上幫您處理。",
                ),
                (
                    "Don't worry, money matters go straight to the front of the line.",
                    "请放心，涉及款项的问题我们会最优先处理。",
                    "請放心，涉及款項的問題我們會最優先處理。",
                ),
            ]),
        }),
        (Triage::Complaint, Emotion::Angry) => Some(pick(&[
            (
                "I completely understand why you're upset, and I'm sorry.",
                "非常理解您现在生气的心情，真的很抱歉。",
                "非常理解您現在生氣的心情，真的很抱歉。",
            ),
            (
                "You have every reason to be annoyed — I'm sorry this happened.",
                "换作是我也会很生气，非常抱歉发生了这样的事。",
                "換作是我也會很生氣，非常抱歉發生了這樣的事。",
            ),
        ])),
        (Triage::Complaint, _) => Some(pick(&[
            (
                "I'm sorry about this — that's disappointing.",
                "很抱歉遇到这样的情况，确实让人失望。",
                "很抱歉遇到這樣的情況，確實讓人失望。",
            ),
            (
                "Thank you for telling us, and I'm sorry it happened.",
                "谢谢您告诉我们，发生这样的事真的很抱歉。",
                "謝謝您告訴我們，發生這樣的事真的很抱歉。",
            ),
        ])),
        (Triage::Order, Emotion::Angry) => Some(pick(&[
            (
                "I'm sorry for the wait — I understand how frustrating this is.",
                "让您等这么久，真的很抱歉，您的心情我完全理解。",
                "讓您等這麼久，真的很抱歉，您的心情我完全理解。",
            ),
            (
                "I'm sorry — you shouldn't have to chase us for this.",
                "很抱歉，还要您来催我们。",
                "很抱歉，還要您來催我們。",
            ),
        ])),
        (Triage::Order, Emotion::Anxious) => Some(match cue {
            Cue::Refund => pick(&[
                (
                    "I know you're waiting on your money; let's see where the refund is.",
                    "理解您等退款的心情，我们一起看看退款到哪一步了。",
                    "理解您等退款的心情，我們一起看看退款到哪一步了。",
                ),
                (
                    "Waiting for a refund is no fun; let's check on it.",
                    "等退款确实让人着急，我这就帮您查。",
                    "等退款確實讓人著急，我這就幫您查。",
                ),
            ]),
            Cue::Delay | Cue::Tracking => pick(&[
                (
                    "I understand — waiting for a parcel that doesn't show up is frustrating.",
                    "理解您的心情，等快递一直等不到确实很着急。",
                    "理解您的心情，等包裹一直等不到確實很著急。",
                ),
                (
                    "I know you've been waiting; let's find out where it is.",
                    "让您久等了，我们一起看看包裹现在到哪了。",
                    "讓您久等了，我們一起看看包裹現在到哪了。",
                ),
            ]),
            _ => pick(&[
                (
                    "I understand this is urgent for you; I'll keep it quick.",
                    "明白您着急，我尽快帮您处理。",
                    "明白您著急，我盡快幫您處理。",
                ),
                (
                    "Got it — let's get this changed for you as fast as we can.",
                    "收到，我们尽快帮您处理。",
                    "收到，我們盡快幫您處理。",
                ),
            ]),
        }),
        (_, Emotion::Angry) => Some(pick(&[
            (
                "I'm sorry for the trouble — I'll do my best to fix this for you.",
                "给您添麻烦了，非常抱歉，我会尽力帮您解决。",
                "給您添麻煩了，非常抱歉，我會盡力幫您解決。",
            ),
            (
                "I hear you, and I'm sorry. Let's sort this out.",
                "您的不满我收到了，真的很抱歉，我们一起解决。",
                "您的不滿我收到了，真的很抱歉，我們一起解決。",
            ),
        ])),
        (_, Emotion::Anxious) => Some(pick(&[
            ("No worries, I'm on it.", "别着急，我这就帮您看。", "別著急，我這就幫您看。"),
            (
                "I understand you need this quickly — here's what I have.",
                "明白您着急，马上为您解答。",
                "明白您著急，馬上為您解答。",
            ),
        ])),
        _ => None,
    }
}

/// The empathy before an escalation ("升级", "escalate"): the shopper is unhappy with how the
/// problem has been handled so far, so the line names that frustration before the hand-off
/// (the seeds' order for an upset shopper: the feeling first, then the solution).
pub fn escalation_empathy(loc: Locale, turn: u32) -> String {
    let options: [(&str, &str, &str); 2] = [
        (
            "I understand how frustrating it is when a problem still isn't resolved the way it should be, and I'm sorry.",
            "理解您的心情，问题到现在还没按您期望的解决，确实让人窝火，非常抱歉。",
            "理解您的心情，問題到現在還沒按您期望的解決，確實讓人窩火，非常抱歉。",
        ),
        (
            "I'm sorry the answer so far hasn't been good enough. I understand why you want this looked at again.",
            "很抱歉目前的处理没能让您满意，您想再找人认真看一遍，这个心情我完全理解。",
            "很抱歉目前的處理沒能讓您滿意，您想再找人認真看一遍，這個心情我完全理解。",
        ),
    ];
    by_turn(loc, &options, turn)
}

/// Whether a text's first sentence apologises (an entry written for upset shoppers that says
/// sorry itself: the bot's own empathy before it would say it twice).
pub fn opens_with_apology(text: &str) -> bool {
    let first: String = text
        .trim_start()
        .chars()
        .take_while(|c| !matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | '\n'))
        .take(120)
        .collect::<String>()
        .to_lowercase();
    ["sorry", "apologi", "抱歉", "对不起", "對不起", "不好意思", "致歉"].iter().any(|w| first.contains(w))
}

/// The complaint acknowledgement after the empathy: the cause, then the solution.
/// `norm` is the shopper's message, normalized.
pub fn complaint_ack(loc: Locale, cue: Cue, product: Option<&str>, norm: &str) -> String {
    let item_en = product.map_or("the item".to_string(), |p| format!("the {p}"));
    let item_zh = product.unwrap_or("商品");
    // Broken after months of use, or by the shopper: a warranty matter. The replacement or
    // refund below is for a fault on arrival; here the warranty answer or a person says what
    // applies (months in, usually a free repair), and the bot promises nothing it may take back.
    if matches!(cue, Cue::Damaged | Cue::Quality) && super::triage::in_use_for_a_while(norm) {
        return match loc {
            Locale::En => format!(
                "What we can do for {item_en} now depends on its warranty and on how it happened, so let's go through that together."
            ),
            Locale::ZhCn => format!("{item_zh}现在怎么处理，要看保修情况和损坏的原因，我们一起来看看。"),
            Locale::ZhTw => format!("{item_zh}現在怎麼處理，要看保固情況和損壞的原因，我們一起來看看。"),
        };
    }
    match cue {
        Cue::Damaged => match loc {
            Locale::En => format!(
                "Whether {item_en} got knocked about in transit or left us faulty, that's on us to put right: you can choose a free replacement or a full refund, and we cover the return shipping."
            ),
            Locale::ZhCn => format!("不管{item_zh}是运输途中磕碰，还是出厂时就有问题，都由我们负责：您可以选择免费换新或全额退款，来回运费都由我们承担。"),
            Locale::ZhTw => format!("不管{item_zh}是運送途中碰撞，還是出廠時就有問題，都由我們負責：您可以選擇免費換新或全額退款，來回運費都由我們負擔。"),
        },
        Cue::WrongItem => t(
            loc,
            "It looks like something went wrong when your order was packed. You can have the right item sent out, or a full refund — and we'll arrange the return of the wrong one at our cost.",
            "看起来是打包时出了差错。您可以选择补发正确的商品，或者全额退款；发错的商品由我们安排取回，运费我们承担。",
            "看起來是打包時出了差錯。您可以選擇補寄正確的商品，或者全額退款；寄錯的商品由我們安排取回，運費我們負擔。",
        ),
        Cue::NotAsDescribed => match loc {
            Locale::En => format!(
                "{} should be what the product page shows and says, so this one is on us. You can return it for a full refund or swap it for something that suits you better, and we cover the return shipping. Two or three photos of what arrived, next to the listing, help us settle it quickly.",
                capitalize(&item_en)
            ),
            Locale::ZhCn => format!("{item_zh}应该和商品页的描述、图片一致，对不上是我们的责任。您可以选择退货全额退款，或者换一款更合适的，退回的运费由我们承担。方便的话拍两三张实物照片，和商品页对照着发给我们，处理会更快。"),
            Locale::ZhTw => format!("{item_zh}應該和商品頁的描述、圖片一致，對不上是我們的責任。您可以選擇退貨全額退款，或者換一款更合適的，退回的運費由我們負擔。方便的話拍兩三張實物照片，和商品頁對照著傳給我們，處理會更快。"),
        },
        Cue::Quality => match loc {
            Locale::En => format!(
                "{} should work properly, so this is a quality problem on our side. You can choose a repair or replacement, or return it for a full refund, shipping on us.",
                capitalize(&item_en)
            ),
            Locale::ZhCn => format!("{item_zh}本来应该正常使用，这是我们的质量问题。您可以选择维修、换新，或者退货全额退款，运费由我们承担。"),
            Locale::ZhTw => format!("{item_zh}本來應該正常使用，這是我們的品質問題。您可以選擇維修、換新，或者退貨全額退款，運費由我們負擔。"),
        },
        Cue::Dispute => t(
            loc,
            "You can have this decision reviewed: a senior colleague re-examines your case within 24 hours and gives you a final solution within 72 hours, with everything said so far passed on.",
            "这个结果您可以申请复核：资深客服会在 24 小时内重新审核您的情况，72 小时内给出最终解决方案，之前的沟通记录会一起转过去。",
            "這個結果您可以申請複核：資深客服會在 24 小時內重新審核您的情況，72 小時內給出最終解決方案，之前的溝通記錄會一起轉過去。",
        ),
        Cue::Service => t(
            loc,
            "That isn't the service we want to give. I'm passing your feedback to a team lead, and a senior colleague will take over your question.",
            "这不是我们应有的服务。我会把您的反馈交给客服主管核实，并由资深客服继续为您处理。",
            "這不是我們應有的服務。我會把您的意見交給客服主管核實，並由資深客服繼續為您處理。",
        ),
        _ => t(
            loc,
            "I've noted exactly what went wrong, and we'll work out the fix with you.",
            "您遇到的情况我已经记录下来，我们会和您一起把问题解决。",
            "您遇到的情況我已經記錄下來，我們會和您一起把問題解決。",
        ),
    }
}

/// The acknowledgement of a smell: no fault admitted before anyone knows, the remedy for one
/// that stays (the seeds' quality rule: return or exchange, the shop pays shipping).
pub fn smell_ack(loc: Locale) -> String {
    t(
        loc,
        "A new item can smell for its first few days, and airing it usually clears that. If the smell is strong or doesn't fade, we'll replace it or take it back, shipping on us.",
        "新商品刚拆封的几天可能会有些气味，通风后一般会散掉。如果气味很重或者一直不散，我们给您换新或退货，运费由我们承担。",
        "新商品剛拆封的幾天可能會有些氣味，通風後一般會散掉。如果氣味很重或者一直不散，我們幫您換新或退貨，運費由我們負擔。",
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Asking for the order number, saying why (by what the shopper wants done).
pub fn ask_order_number(loc: Locale, triage: Triage, cue: Cue) -> String {
    let why = match (triage, cue) {
        (_, Cue::Address) => (
            "so I can check whether the parcel can still be redirected",
            "我好查一下包裹现在是否还来得及改地址",
            "我好查一下包裹現在是否還來得及改地址",
        ),
        (_, Cue::Cancel) => (
            "so I can see whether it has shipped yet and stop it in time",
            "我好确认它是否已经发货，及时帮您拦下来",
            "我好確認它是否已經出貨，及時幫您攔下來",
        ),
        (_, Cue::Delay) => (
            "so we can look up the parcel and chase the courier",
            "我们好查询包裹并催促快递公司",
            "我們好查詢包裹並催促物流公司",
        ),
        (_, Cue::Refund) => ("so I can check where your refund is", "我好帮您查一下退款进度", "我好幫您查一下退款進度"),
        (Triage::Complaint, _) => (
            "so we can pull up the order and arrange the fix",
            "我们好调出订单，尽快为您安排处理",
            "我們好調出訂單，盡快為您安排處理",
        ),
        // Not "the parcel": a bare "my order" question may be about a refund or a change.
        _ => ("so we can look up your order", "我们好帮您查询订单", "我們好幫您查詢訂單"),
    };
    match loc {
        Locale::En => format!(
            "Could you send me the order number, {}? You'll find it under \"My orders\". That's all I need — no other personal details.",
            why.0
        ),
        Locale::ZhCn => format!("麻烦发一下订单号，{}。在「我的订单」里就能找到，只需要订单号，不需要其他个人信息。", why.1),
        Locale::ZhTw => format!("麻煩傳一下訂單編號，{}。在「我的訂單」裡就能找到，只需要訂單編號，不需要其他個人資料。", why.2),
    }
}

/// Asking again when the number given does not look like an order number.
pub fn recheck_order_number(loc: Locale, given: &str) -> String {
    match loc {
        Locale::En => format!(
            "Thanks! {given} doesn't look like one of our order numbers, though — could you check it under \"My orders\" and send it again? I need it to look up your order."
        ),
        Locale::ZhCn => format!("谢谢！不过 {given} 好像和我们的订单号格式对不上，麻烦在「我的订单」里核对一下再发给我，我好帮您查询订单。"),
        Locale::ZhTw => format!("謝謝！不過 {given} 好像和我們的訂單編號格式對不上，麻煩在「我的訂單」裡核對一下再傳給我，我好幫您查詢訂單。"),
    }
}

/// The reply to a shopper taking back what they asked ("never mind", "算了不用了"): a neutral
/// "OK", never glad about it ("Great." read as if the bot were pleased the shopper gave up),
/// and the door left open.
pub fn dismissed(loc: Locale, turn: u32) -> String {
    let options: [(&str, &str, &str); 2] = [
        (
            "OK, no problem. If anything else comes up, just ask.",
            "好的，没问题。之后有其他需要，随时问我就好。",
            "好的，沒問題。之後有其他需要，隨時問我就好。",
        ),
        (
            "Sure, I'll leave it there. I'm here if you need anything else.",
            "好的，那先这样。有其他问题随时找我。",
            "好的，那先這樣。有其他問題隨時找我。",
        ),
    ];
    by_turn(loc, &options, turn)
}

/// The reply to small talk. `greeting` is the shop's own greeting (in the shop's locale).
pub fn smalltalk(loc: Locale, kind: Smalltalk, shop_name: &str, greeting: Option<&str>, turn: u32) -> String {
    let pick = |options: &[(&str, &str, &str)]| by_turn(loc, options, turn);
    match kind {
        Smalltalk::Greeting => {
            if let Some(g) = greeting.filter(|g| !g.trim().is_empty()) {
                return g.to_string();
            }
            let name_en = if shop_name.is_empty() { "the shop".to_string() } else { shop_name.to_string() };
            let name_zh = if shop_name.is_empty() { "本店".to_string() } else { shop_name.to_string() };
            match loc {
                Locale::En => format!(
                    "Hello! I'm the {name_en} assistant. Ask me about products, delivery or returns — and if it's about an order, just send me the order number."
                ),
                Locale::ZhCn => format!("您好！我是{name_zh}的智能客服。商品、物流、退换货都可以问我；如果是订单的问题，直接发订单号给我就好。"),
                Locale::ZhTw => format!("您好！我是{name_zh}的智慧客服。商品、物流、退換貨都可以問我；如果是訂單的問題，直接傳訂單編號給我就好。"),
            }
        }
        Smalltalk::Thanks => pick(&[
            (
                "You're welcome! Is there anything else I can help with?",
                "不客气！还有什么可以帮您的吗？",
                "不客氣！還有什麼可以幫您的嗎？",
            ),
            (
                "Happy to help! Anything else on your mind?",
                "很高兴能帮到您！还有其他问题吗？",
                "很高興能幫到您！還有其他問題嗎？",
            ),
        ]),
        Smalltalk::Goodbye => pick(&[
            (
                "Thanks for stopping by — have a lovely day! I'm here whenever you need me.",
                "感谢您的光临，祝您生活愉快！有需要随时来找我。",
                "感謝您的光臨，祝您生活愉快！有需要隨時來找我。",
            ),
            ("Bye for now, and enjoy your day!", "再见，祝您一切顺利！", "再見，祝您一切順利！"),
        ]),
        Smalltalk::Opener => pick(&[
            (
                "I'm listening: tell me what you need in a sentence or two.",
                "我在，您说说遇到了什么情况？",
                "我在，您說說遇到了什麼情況？",
            ),
            (
                "Sure, go ahead: what would you like to know? If it's about an order, send the order number with it.",
                "好的，您请说，想了解什么呢？如果是订单的问题，把订单号一起发给我就好。",
                "好的，您請說，想了解什麼呢？如果是訂單的問題，把訂單編號一起傳給我就好。",
            ),
        ]),
        // Honest about what it is (the seeds' opening: say who is serving), and the person is
        // one tap away.
        Smalltalk::Identity => {
            let name_en = if shop_name.is_empty() { "this shop".to_string() } else { shop_name.to_string() };
            let name_zh = if shop_name.is_empty() { "本店".to_string() } else { shop_name.to_string() };
            match loc {
                Locale::En => format!(
                    "I'm {name_en}'s automated assistant, not a person: I answer from the shop's help pages, and when I'm not sure I say so. If you'd rather talk to a person, just say \"talk to a person\" and I'll bring in a colleague with everything you've told me."
                ),
                Locale::ZhCn => format!("我是{name_zh}的智能客服助手，不是真人：我根据店铺的帮助内容回答，拿不准的会直接告诉您。想找人工客服的话，直接说「转人工」，我会把您说过的情况一并交给同事。"),
                Locale::ZhTw => format!("我是{name_zh}的智慧客服助理，不是真人：我根據店鋪的說明內容回答，拿不準的會直接告訴您。想找真人客服的話，直接說「轉人工」，我會把您說過的情況一併交給同事。"),
            }
        }
        Smalltalk::NotHelpful => t(
            loc,
            "Sorry that didn't help. Could you tell me what you need in other words? Or tap \"Leave a message for an agent\" and a colleague will take it from there.",
            "抱歉没能帮上忙。可以换个说法再说说您的情况吗？也可以点「给人工客服留言」，同事会接着处理。",
            "抱歉沒能幫上忙。可以換個說法再說說您的情況嗎？也可以點「留言給真人客服」，同事會接著處理。",
        ),
        Smalltalk::Hold => pick(&[
            ("Sure, take your time.", "好的，您慢慢来，不着急。", "好的，您慢慢來，不急。"),
            ("No rush, I'm here when you're ready.", "不着急，我在这儿等您。", "不急，我在這裡等您。"),
        ]),
        Smalltalk::Ack => pick(&[
            (
                "Great. Is there anything else I can do for you?",
                "好的，还有什么可以帮您的吗？",
                "好的，還有什麼可以幫您的嗎？",
            ),
            ("Got it. Just ask if anything else comes up.", "明白，有其他问题随时问我。", "明白，有其他問題隨時問我。"),
        ]),
    }
}

/// A choice by position that picks nothing: `offered` options were shown (none, or fewer).
pub fn no_such_choice(loc: Locale, offered: usize) -> String {
    if offered == 0 {
        return t(
            loc,
            "Which one do you mean? Tell me in a few words what you'd like to know.",
            "您指的是哪一个呢？用几个字说说想了解什么就好。",
            "您指的是哪一個呢？用幾個字說說想了解什麼就好。",
        );
    }
    match loc {
        Locale::En => format!(
            "There {} only {offered} above: tap one, or tell me in a few words what you need.",
            if offered == 1 { "is" } else { "are" }
        ),
        Locale::ZhCn => format!("上面只有 {offered} 个选项：点一下其中一个，或者用几个字说说您想问什么。"),
        Locale::ZhTw => format!("上面只有 {offered} 個選項：點一下其中一個，或者用幾個字說說您想問什麼。"),
    }
}

/// Pinyin initials alone ("tk", "zfb") that match nothing: asked what they stand for, with
/// the word as written, instead of being told the shop can't help ([`is_pinyin_initials`]).
pub fn what_it_stands_for(loc: Locale, word: &str) -> String {
    let word = word.trim();
    match loc {
        Locale::En => format!(
            "What do you mean by \"{word}\"? Tell me in a few words what you'd like to know, and I'll look it up."
        ),
        Locale::ZhCn => format!("您说的「{word}」是指什么呢？用一句话说说您想问的，我马上帮您查。"),
        Locale::ZhTw => format!("您說的「{word}」是指什麼呢？用一句話說說您想問的，我馬上幫您查。"),
    }
}

/// "Did you mean …" above the candidate buttons.
pub fn clarify(loc: Locale) -> String {
    t(
        loc,
        "To give you the right answer: which of these do you mean?",
        "为了给您准确的答案，请问您想问的是下面哪一个？",
        "為了給您準確的答案，請問您想問的是下面哪一個？",
    )
}

/// What the shopper can do meanwhile in an emergency. A safety problem's advice fits the
/// `hazard` its message names ([`Hazard::of`]; none for other cues): something swallowed or
/// choked on ([`swallowed_tip`]), water at a plug ([`water_at_power_tip`]), an electrical
/// product, fire or heat (unplug it, keep away while hot), or else an injury from
/// a product with no plug ("the shelf collapsed and fell on my kid"), where unplugging and
/// "hot or smoking" mean nothing.
pub fn urgent_tip(loc: Locale, cue: Cue, hazard: Option<Hazard>) -> Option<String> {
    match cue {
        Cue::Account | Cue::Fraud => Some(t(
            loc,
            "Meanwhile, you can change your password and sign out of unknown devices under Account security. We never ask for verification codes or payment passwords.",
            "在这期间，您可以先在「账户安全」里修改密码、退出陌生设备。我们不会向您索要验证码或支付密码。",
            "在這期間，您可以先在「帳號安全」裡修改密碼、登出陌生裝置。我們不會向您索取驗證碼或支付密碼。",
        )),
        Cue::Safety => hazard.map(|hazard| match hazard {
            Hazard::Swallowed => swallowed_tip(loc),
            Hazard::Water => water_at_power_tip(loc),
            Hazard::Ingested => t(
                loc,
                "Please don't drink or eat anything made in it or kept in it until our specialist has checked, and keep it aside. If anyone feels unwell after drinking or eating from it, get medical help first.",
                "在专员确认之前，请先不要饮用或食用用它做过、装过的东西，把它放到一边。如果有人喝过或吃过后感到不适，请先就医。",
                "在專員確認之前，請先不要飲用或食用用它做過、裝過的東西，把它放到一邊。如果有人喝過或吃過後感到不適，請先就醫。",
            ),
            Hazard::Electrical => t(
                loc,
                "Please stop using it and unplug it now, and keep away from it while it is hot or smoking. If anyone is hurt, get medical help first; in an emergency, call your local emergency number.",
                "请先停止使用并拔掉电源，它发烫或冒烟时不要靠近。如果有人受伤，请先就医；紧急情况请拨打 120 或 119。",
                "請先停止使用並拔掉電源，它發燙或冒煙時不要靠近。如果有人受傷，請先就醫；緊急情況請撥打 119。",
            ),
            Hazard::Injury => t(
                loc,
                "Please stop using it and keep it out of everyone's way. If anyone is hurt or reacts to it, with a rash or trouble breathing, get medical help first; in an emergency, call your local emergency number.",
                "请先停止使用，把它放到没人会碰到的地方。如果有人受伤，或者出现过敏、皮疹、呼吸不适，请先就医；紧急情况请拨打 120。",
                "請先停止使用，把它放到沒人會碰到的地方。如果有人受傷，或者出現過敏、皮疹、呼吸不適，請先就醫；緊急情況請撥打 119。",
            ),
        }),
        Cue::Payment => Some(t(
            loc,
            "If money left your account, it's safe: a failed payment is returned automatically, and the specialist will confirm it with you.",
            "如果已经扣款，请放心，付款失败的款项会原路退回，专人会和您确认到账情况。",
            "如果已經扣款，請放心，付款失敗的款項會原路退回，專人會和您確認退款狀況。",
        )),
        _ => None,
    }
}

/// The safety tip when something was swallowed or choked on: medical help comes before
/// anything about the item (there is nothing to unplug).
pub fn swallowed_tip(loc: Locale) -> String {
    t(
        loc,
        "If anything was swallowed or someone is choking, get medical help first: call your local emergency number now. Keep the rest of the item out of reach, and keep it to show the doctor.",
        "如果误吞了东西或有人被噎住，请先就医：马上拨打 120。把剩下的商品放到孩子够不着的地方，并留着给医生看。",
        "如果誤吞了東西或有人被噎住，請先就醫：馬上撥打 119。把剩下的商品放到孩子拿不到的地方，並留著給醫生看。",
    )
}

/// The safety tip for water at a plug or socket: pulling a wet plug can give the shock it
/// warns of, so the power goes off at the wall or the fuse box first.
pub fn water_at_power_tip(loc: Locale) -> String {
    t(
        loc,
        "Please don't touch the plug or the socket while they're wet: switch the power off at the wall or at the fuse box first, then unplug it and stop using it. If anyone got a shock, get medical help first; in an emergency, call your local emergency number.",
        "插头和插座湿着的时候请不要用手碰：先关掉墙上的开关或家里的电闸，再拔掉插头，停止使用。如果有人触电，请先就医；紧急情况请拨打 120 或 119。",
        "插頭和插座潮濕時請不要用手碰：先關掉牆上的開關或家裡的電源總開關，再拔掉插頭，停止使用。如果有人觸電，請先就醫；緊急情況請撥打 119。",
    )
}

/// The kind of hazard a safety message names, for its advice ([`urgent_tip`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hazard {
    /// Something swallowed, or choking.
    Swallowed,
    /// Water at a plug or socket: the power off at the wall before anyone touches it.
    Water,
    /// A smell or taste in what the goods made or held, with eating or drinking: nothing to
    /// unplug, and nothing to reassure about before the specialist has looked.
    Ingested,
    /// Electricity, fire or heat, or an appliance: unplug it, keep away while hot.
    Electrical,
    /// Anything else: an injury from a product without a plug (a shelf, a blade, glass).
    Injury,
}

impl Hazard {
    /// The hazard `norm` (a normalized message) names.
    pub fn of(norm: &str) -> Hazard {
        if super::triage::swallowed(norm) {
            Hazard::Swallowed
        } else if super::triage::water_at_power(norm) {
            Hazard::Water
        } else if super::triage::smell_ingested(norm) {
            Hazard::Ingested
        } else if super::lexicon::any(norm, ELECTRICAL()) {
            Hazard::Electrical
        } else {
            Hazard::Injury
        }
    }
}

/// The reply to a question the KB has nothing close to: say so plainly (never an unrelated
/// answer), name what the shop's FAQ does cover, and offer a person. `categories` are the
/// KB's category slugs, most used first; known ones are named in the reply's language.
pub fn out_of_scope(loc: Locale, categories: &[&str]) -> String {
    let Some(list) = topics(loc, categories) else {
        return t(
            loc,
            "Sorry, that's not something I can help with here. A colleague can take a look if you like.",
            "抱歉，这个问题我这里帮不上忙。需要的话可以为您转接同事看看。",
            "抱歉，這個問題我這裡幫不上忙。需要的話可以為您轉接同事看看。",
        );
    };
    match loc {
        Locale::En => format!(
            "Sorry, that's not something I can help with here. I can answer questions about {list}, or bring in a colleague if you like."
        ),
        Locale::ZhCn => format!("抱歉，这个问题我这里帮不上忙。我可以解答{list}方面的问题，也可以为您转接同事。"),
        Locale::ZhTw => format!("抱歉，這個問題我這裡幫不上忙。我可以解答{list}方面的問題，也可以為您轉接同事。"),
    }
}

/// The reply to a question in the shop's own words that no entry covers ("退款可以退到别的卡吗"
/// when the KB says how long a refund takes, not where it may go): not "we don't do that",
/// which would be wrong, but "no ready answer, and no guess", a person, and the shop's topics.
pub fn no_ready_answer(loc: Locale, categories: &[&str]) -> String {
    let Some(list) = topics(loc, categories) else {
        return t(
            loc,
            "I don't have a ready answer for that one, and I'd rather not guess. A colleague can look into it if you like.",
            "这个问题我这里还没有现成的答案，不想随便回答您。需要的话可以为您转接同事看看。",
            "這個問題我這裡還沒有現成的答案，不想隨便回答您。需要的話可以為您轉接同事看看。",
        );
    };
    match loc {
        Locale::En => format!(
            "I don't have a ready answer for that one, and I'd rather not guess. A colleague can look into it, or ask me about {list}."
        ),
        Locale::ZhCn => format!(
            "这个问题我这里还没有现成的答案，不想随便回答您。可以为您转接同事看看，也可以问我{list}方面的问题。"
        ),
        Locale::ZhTw => format!(
            "這個問題我這裡還沒有現成的答案，不想隨便回答您。可以為您轉接同事看看，也可以問我{list}方面的問題。"
        ),
    }
}

/// Up to four of the KB's categories named for shoppers, as a list in the reply's language
/// (`None` when none has a name).
fn topics(loc: Locale, categories: &[&str]) -> Option<String> {
    let names: Vec<&str> = categories.iter().filter_map(|c| category_name(loc, c)).take(4).collect();
    (!names.is_empty()).then(|| names.join(if loc == Locale::En { ", " } else { "、" }))
}

/// True when `text` names one of the topics the out-of-scope reply would list for these
/// categories, in any of the three locales ("do you guys ship on weekends?" names shipping):
/// saying "that's not something I can help with here … I can answer questions about shipping"
/// would contradict itself. English words are compared as stems, Chinese names by their
/// two-character words.
pub fn names_a_topic(loc: Locale, text: &str, categories: &[&str]) -> bool {
    use crate::analyze::{Analyzer, TermKind};
    let a = Analyzer::default();
    let said: Vec<String> = a
        .terms(text)
        .into_iter()
        .filter(|t| matches!(t.kind, TermKind::Word | TermKind::HanBigram))
        .map(|t| t.text)
        .collect();
    // The categories the reply in `loc` lists (as [`topics`] picks them).
    let shown = categories.iter().filter(|c| category_name(loc, c).is_some()).take(4);
    shown.flat_map(|c| [Locale::En, Locale::ZhCn, Locale::ZhTw].map(|l| category_name(l, c))).flatten().any(|name| {
        a.terms(name).into_iter().any(|t| {
            let word = t.kind == TermKind::HanBigram
                || (t.kind == TermKind::Word && t.text.len() >= 4 && !crate::analyze::is_stopword(&t.text));
            word && said.contains(&t.text)
        })
    })
}

/// True when the message (normalized, with the KB words its unknown ones were searched as:
/// the engine's typo fixes, "oder" → "order") names a topic every shop handles ("how long for
/// delivery to london", "can i get my money back", "能退款吗"). One word the KB lacks beside it
/// ("london", "naff", "bitcoin") does not make the question one the shop can't help with: the
/// reply says there is no ready answer, not "that's not something I can help with".
pub fn names_shop_topic(norm: &str, corrections: &[(String, String)]) -> bool {
    let fixed: Vec<&str> = corrections.iter().map(|(_, fix)| fix.as_str()).collect();
    let text = format!("{norm} {}", fixed.join(" "));
    super::lexicon::any(&text, SHOP_TOPIC_WORDS())
}

/// A category slug named for shoppers (`None` for a slug kefu does not know in Chinese).
fn category_name(loc: Locale, slug: &str) -> Option<&str> {
    let known: &[(&str, &str, &str, &str)] = &[
        ("order", "orders", "订单", "訂單"),
        ("shipping", "shipping", "物流配送", "物流配送"),
        ("returns", "returns and refunds", "退换货", "退換貨"),
        ("product", "our products", "商品", "商品"),
        ("promotion", "offers and coupons", "优惠活动", "優惠活動"),
        ("payment", "payment", "支付", "支付"),
        ("invoice", "invoices", "发票", "發票"),
        ("warranty", "warranty", "保修", "保修"),
        ("account", "your account", "账号", "帳號"),
    ];
    match known.iter().find(|k| k.0 == slug) {
        Some(&(_, en, cn, tw)) => Some(match loc {
            Locale::En => en,
            Locale::ZhCn => cn,
            Locale::ZhTw => tw,
        }),
        // Complaints and general questions are not topics to offer; unknown slugs are shown
        // as written in English only.
        None if loc == Locale::En && !matches!(slug, "complaint" | "general" | "") => Some(slug),
        None => None,
    }
}

/// The hand-over message (the promise follows separately). Nothing has reached a person yet
/// when it is shown: the case exists once the shopper sends the message it asks for, so it
/// invites that message and never says the case is already with someone.
pub fn handoff(loc: Locale, reason: HandoffReason, triage: Triage, cue: Cue, open: bool) -> String {
    match (reason, triage, open) {
        (_, Triage::Urgent, _) if cue == Cue::Safety => t(
            loc,
            "Leave our after-sales safety specialist a message here with what happened, and they take it straight away.",
            "请在这里给售后安全专员留言，说明发生了什么，专员会立即接手。",
            "請在這裡給售後安全專員留言，說明發生了什麼，專員會立即接手。",
        ),
        (_, Triage::Urgent, _) => t(
            loc,
            "Leave our security and payments team a message here with what happened, and they take it straight away.",
            "请在这里给安全与支付专员留言，说明发生了什么，专员会立即接手。",
            "請在這裡給安全與支付專員留言，說明發生了什麼，專員會立即接手。",
        ),
        (_, _, false) => t(
            loc,
            "Please leave your question here with any details or photos — a colleague will pick it up.",
            "请把问题和相关照片留在这里，同事会接手处理。",
            "請把問題和相關照片留在這裡，同事會接手處理。",
        ),
        (HandoffReason::Requested, _, true) => t(
            loc,
            "Sure — leave a colleague a message here; everything you've told me goes with it, so you won't have to repeat it.",
            "好的，请在这里给人工客服留言，您说过的情况会一并交给同事，您不用再重复。",
            "好的，請在這裡給真人客服留言，您說過的情況會一併交給同事，您不用再重複。",
        ),
        (HandoffReason::NoQuery, _, true) => t(
            loc,
            "Tell me a little more about what you need, or I can bring in a colleague for you.",
            "可以再多说一点您遇到的情况吗？也可以直接为您转接同事。",
            "可以再多說一點您遇到的情況嗎？也可以直接為您轉接同事。",
        ),
        (_, Triage::Complaint, true) | (HandoffReason::Rule, _, true) => t(
            loc,
            "A colleague needs to look into your order to put this right: leave them a message here and they'll follow it through.",
            "这件事需要同事查看您的订单来处理，请在这里留言，同事会接手跟进。",
            "這件事需要同事查看您的訂單來處理，請在這裡留言，同事會接手跟進。",
        ),
        _ => t(
            loc,
            "This one deserves a proper answer from a person: leave a colleague a message here, and everything you've said goes with it.",
            "这个问题由同事来为您解答会更准确，请在这里留言，您说过的内容会一并转给他。",
            "這個問題由同事來為您解答會更準確，請在這裡留言，您說過的內容會一併轉給他。",
        ),
    }
}

/// Instead of the same hand-over message twice in a row: the new question joins the earlier
/// one in the message the shopper leaves for a colleague (the widget fills the form with the
/// questions since the last answer), with the order number when it is known.
pub fn handoff_again(loc: Locale, has_order: bool) -> String {
    if has_order {
        t(
            loc,
            "Noted: this goes into the same message as what you said before, with your order number, so the colleague sees it all together and you won't have to repeat anything.",
            "收到，这条会和您刚才说的放在同一条留言里，连同订单号一起交给同事，您不用再重复说明。",
            "收到，這則會和您剛才說的放在同一則留言裡，連同訂單編號一起交給同事，您不用再重複說明。",
        )
    } else {
        t(
            loc,
            "Noted: this goes into the same message as what you said before, so the colleague sees it all together and you won't have to repeat anything.",
            "收到，这条会和您刚才说的放在同一条留言里一起交给同事，您不用再重复说明。",
            "收到，這則會和您剛才說的放在同一則留言裡一起交給同事，您不用再重複說明。",
        )
    }
}

/// Under an answer to an order problem, when the order number is not known yet.
pub fn order_hint(loc: Locale) -> String {
    t(
        loc,
        "If that doesn't settle it, send me the order number and a colleague will check this order for you.",
        "如果还没解决，把订单号发给我，同事会帮您查这一单。",
        "如果還沒解決，把訂單編號傳給我，同事會幫您查這一筆訂單。",
    )
}

/// A line under an answer to an order problem whose order number the shopper gave.
pub fn order_noted(loc: Locale) -> String {
    t(
        loc,
        "Your order number is noted: if you'd like a colleague to take care of this order for you, tap \"Leave a message for an agent\".",
        "订单号已经记下了；如果想请同事直接帮您处理这一单，点「给人工客服留言」就可以。",
        "訂單編號已經記下了；如果想請同事直接幫您處理這一筆訂單，點「留言給真人客服」就可以。",
    )
}

/// Said of an order number sent on its own after a hand-over: noted, and it goes with the case.
pub fn order_with_case(loc: Locale, number: &str) -> String {
    match loc {
        Locale::En => format!(
            "Noted: order {number}. It goes with your message for our colleague, so they can look it up straight away."
        ),
        Locale::ZhCn => format!("订单号 {number} 记下了，会和您给同事的留言放在一起，同事可以直接查这一单。"),
        Locale::ZhTw => format!("訂單編號 {number} 記下了，會和您給同事的留言放在一起，同事可以直接查這筆訂單。"),
    }
}

/// Said of a message about a handed-over case ("how long will it take", "anyone there?", more
/// detail): it goes with the case; the case's promise follows, if one was made.
pub fn case_with_colleague(loc: Locale) -> String {
    t(
        loc,
        "That goes with your message for our colleague: they'll see it with everything you've told me here.",
        "这条会和您给同事的留言放在一起，同事会看到您在这里说过的全部情况。",
        "這條會和您給同事的留言放在一起，同事會看到您在這裡說過的全部情況。",
    )
}

/// Said of a request to escalate ("escalate it", "升级", "我要找你们主管") after a hand-over:
/// the service standard's escalation path, and that the request goes with the case already
/// waiting for a colleague (not a new form, nor a silent "that goes with your message").
pub fn escalated_with_case(loc: Locale) -> String {
    t(
        loc,
        "Your request to escalate goes with your message for our colleague: a senior agent reviews your case and contacts you within 24 hours, and you get a final solution within 72 hours. Everything you've told me here goes along, so you won't need to explain again.",
        "您的升级申请会和您给同事的留言放在一起：资深客服会在 24 小时内重新审核您的情况并联系您，72 小时内给出最终解决方案。您在这里说过的情况会一并转过去，不用再讲一遍。",
        "您的升級申請會和您給同事的留言放在一起：資深客服會在 24 小時內重新審核您的情況並聯繫您，72 小時內給出最終解決方案。您在這裡說過的情況會一併轉過去，不用再講一遍。",
    )
}

/// A line offering a person next to an answer (complaints). It names the button the widget
/// shows under such a reply (and `kefu chat` prints): the widget's `LeaveMessage` label.
pub fn offer_human(loc: Locale) -> String {
    t(
        loc,
        "If you'd rather talk it through with a person, tap \"Leave a message for an agent\" and a colleague will take it from there.",
        "如果想直接和同事沟通，点「给人工客服留言」就可以。",
        "如果想直接和同事溝通，點「留言給真人客服」就可以。",
    )
}

/// Before an answer given for the third time in a row: it evidently did not help, and it is
/// the one the bot has (a person is offered after it, [`offer_human`]).
pub fn answer_did_not_help(loc: Locale) -> String {
    t(
        loc,
        "I'm sorry my answer didn't help. It's the one I have for this question, so here it is once more.",
        "抱歉，我的回答好像没能帮到您。这个问题我这里只有这个答案，再给您看一次。",
        "抱歉，我的回答好像沒能幫到您。這個問題我這裡只有這個答案，再給您看一次。",
    )
}

/// A line telling the shopper that ID-card, bank-card or passport numbers in their message were hidden
/// (the seeds' data rules: collect only what the service needs, and say why): the number is
/// shown masked to its last characters, stored and sent only so, and never needed in the chat.
/// What stays readable is said as it is: the last four digits of a card or an ID, the last
/// characters of a number written with letters (a passport, an IBAN), and as many as stay (a
/// passport number of six or seven keeps two or three).
pub fn masked_note(loc: Locale, hidden: Hidden) -> Option<String> {
    // The numbers shown down to their last four, by name; a card's security code and expiry
    // date are hidden whole and said apart.
    let named = [
        (hidden.id_card, ("ID", "身份证号", "身分證字號")),
        (hidden.bank_card, ("card", "银行卡号", "銀行卡號")),
        (hidden.bank_account, ("bank account", "银行账号", "銀行帳號")),
        (hidden.passport, ("passport", "护照号", "護照號碼")),
    ];
    let names: Vec<(&str, &str, &str)> = named.iter().filter(|n| n.0).map(|n| n.1).collect();
    let join = |list: Vec<&str>, and: &str| match list.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{}{and}{last}", rest.join(if and == " and " { ", " } else { "、" })),
        None => String::new(),
    };
    let en = match names.len() {
        0 => String::new(),
        1 => format!("{} number", names[0].0),
        _ => format!("{} numbers", join(names.iter().map(|n| n.0).collect(), " and ")),
    };
    let cn = join(names.iter().map(|n| n.1).collect(), "和");
    let tw = join(names.iter().map(|n| n.2).collect(), "和");
    // What stays readable: "the last four digits", "the last three characters" (后三位).
    let (fewest, most) = hidden.kept;
    let count = |n: u8| match n {
        1 => ("one", "一", "一"),
        2 => ("two", "两", "兩"),
        3 => ("three", "三", "三"),
        _ => ("four", "四", "四"),
    };
    let unit = if hidden.lettered { "characters" } else { "digits" };
    let (en_last, cn_last, tw_last) = if fewest == most {
        let (e, c, t) = count(fewest);
        (format!("the last {e} {unit}"), format!("后{c}位"), format!("後{t}碼"))
    } else {
        (format!("the last few {unit}"), "最后几位".to_string(), "最後幾碼".to_string())
    };
    Some(match (names.is_empty(), hidden.card_secret) {
        (true, false) => return None,
        (false, false) => t(
            loc,
            &format!("To keep you safe, I've hidden the {en} you sent down to {en_last}; we never need it in this chat."),
            &format!("为了您的信息安全，您发的{cn}我已隐去，只留{cn_last}；在这里不需要提供。"),
            &format!("為了您的資訊安全，您傳的{tw}我已隱去，只留{tw_last}；在這裡不需要提供。"),
        ),
        (false, true) => t(
            loc,
            &format!("To keep you safe, I've hidden the {en} you sent down to {en_last}, and the card's security code and expiry date completely; we never need them in this chat."),
            &format!("为了您的信息安全，您发的{cn}我已隐去，只留{cn_last}，卡的安全码和有效期已全部隐去；在这里不需要提供。"),
            &format!("為了您的資訊安全，您傳的{tw}我已隱去，只留{tw_last}，卡片的安全碼和有效期限已全部隱去；在這裡不需要提供。"),
        ),
        (true, true) => t(
            loc,
            "To keep you safe, I've hidden the card's security code and expiry date you sent; we never need them in this chat, and no one from the shop will ever ask for them.",
            "为了您的信息安全，您发的银行卡安全码和有效期我已全部隐去；在这里不需要提供，我们也不会向您索要。",
            "為了您的資訊安全，您傳的卡片安全碼和有效期限我已全部隱去；在這裡不需要提供，我們也不會向您索取。",
        ),
    })
}

/// Said after [`masked_note`] when the card began in the shopper's previous message: that
/// part is hidden too.
pub fn masked_previous_note(loc: Locale) -> String {
    t(
        loc,
        "The part you sent in your previous message is hidden the same way.",
        "您上一条消息里的前半段卡号也一并隐去了。",
        "您上一則訊息裡的前半段卡號也一併隱去了。",
    )
}

// The word lists above are read from the bundle in the browser (see `lexicon::word_lists!`).
super::lexicon::word_lists! {
    "wording";
    /// English words and chat shorthand without a vowel of a e i o u ([`pick_locale`]).
    NO_VOWEL_ENGLISH = [
        "thx", "pls", "plz", "nvm", "hmm", "hm", "ty", "sry", "brb", "lmk", "tbh", "smh", "wtf", "ppl", "msg", "my", "by",
        "why", "try", "fly", "dry", "cry", "shy", "sky", "gym", "spy", "sly", "pry", "ply", "wry", "tv", "pc",
    ];
    /// Words that name electricity, fire or heat, or a product with a plug or a battery.
    ELECTRICAL = [
        "fire",
        "flame*",
        "smok*",
        "spark*",
        "burn*",
        "shock*",
        "electric*",
        "overheat*",
        "hot",
        "melt*",
        "explod*",
        "plug*",
        "socket",
        "wire*",
        "cable",
        "charger",
        "charging",
        "battery",
        "batteries",
        "appliance*",
        "kettle",
        "fryer",
        "heater",
        "toaster",
        "blender",
        "起火",
        "着火",
        "冒烟",
        "火花",
        "漏电",
        "触电",
        "电到",
        "发烫",
        "烫",
        "烧",
        "爆炸",
        "炸了",
        "短路",
        "焦味",
        "插头",
        "插座",
        "电源",
        "电线",
        "充电",
        "电池",
        "电器",
    ];
    /// Words of the topics every shop's customer service handles, whatever its KB calls them
    /// (normalized; `*` ends a prefix, see [`super::lexicon`]): delivery, refunds and returns,
    /// orders, payment, warranty, offers, invoices, and buying in bulk.
    SHOP_TOPIC_WORDS = [
        "ship*",
        "deliver*",
        "dispatch*",
        "postage",
        "courier*",
        "parcel*",
        "package*",
        "tracking",
        "arriv*",
        "refund*",
        "money back",
        "reimburs*",
        "return*",
        "exchang*",
        "replacement*",
        "order*",
        "pay",
        "paid",
        "paying",
        "payment*",
        "checkout",
        "warrant*",
        "guarantee*",
        "repair*",
        "coupon*",
        "promo*",
        "discount*",
        "voucher*",
        "invoice*",
        "receipt*",
        "cancel*",
        "wholesale",
        "bulk",
        "partnership*",
        "退款",
        "退货",
        "退钱",
        "换货",
        "发货",
        "快递",
        "物流",
        "配送",
        "包裹",
        "订单",
        "下单",
        "付款",
        "支付",
        "保修",
        "维修",
        "优惠",
        "发票",
        "运费",
        "签收",
        "售后",
        "到货",
        "批发",
        "合作",
    ];
}

/// Every fixed string above in every locale (for the house-rules test).
#[cfg(test)]
pub(crate) fn all_samples() -> Vec<String> {
    use super::HandoffReason as R;
    let mut out = Vec::new();
    let p = Promises::default();
    let h = ServiceHours::default();
    let cues = [
        Cue::None,
        Cue::Payment,
        Cue::Account,
        Cue::Fraud,
        Cue::Safety,
        Cue::Damaged,
        Cue::Dispute,
        Cue::WrongItem,
        Cue::NotAsDescribed,
        Cue::Quality,
        Cue::Service,
        Cue::Tracking,
        Cue::Delay,
        Cue::Address,
        Cue::Cancel,
    ];
    let triages = [Triage::Product, Triage::Order, Triage::Complaint, Triage::Urgent];
    for loc in [Locale::En, Locale::ZhCn, Locale::ZhTw] {
        for kind in [
            PromiseKind::Urgent,
            PromiseKind::Complaint,
            PromiseKind::AfterSales,
            PromiseKind::OffHours { days_ahead: 1, weekday: 2, minute: 540, near: false },
            PromiseKind::OffHours { days_ahead: 0, weekday: 2, minute: 600, near: true },
            PromiseKind::Peak { minutes: 10 },
        ] {
            out.push(promise(loc, Locale::En, kind, &p, &h));
        }
        out.push(prepare(loc, true));
        out.push(prepare(loc, false));
        for &cue in &cues {
            for &tr in &triages {
                for em in [Emotion::Calm, Emotion::Anxious, Emotion::Angry] {
                    for turn in 0..2 {
                        out.extend(empathy(loc, tr, cue, em, turn == 1 && em == Emotion::Angry, turn));
                    }
                }
                out.push(ask_order_number(loc, tr, cue));
            }
            out.push(complaint_ack(loc, cue, None, ""));
            out.push(complaint_ack(loc, cue, Some("kettle"), ""));
            out.push(complaint_ack(loc, cue, Some("kettle"), "broke after 3 months"));
            for norm in ["", "it caught fire", "he swallowed a part"] {
                out.extend(urgent_tip(loc, cue, Some(Hazard::of(norm))));
            }
        }
        for kind in [
            Smalltalk::Greeting,
            Smalltalk::Thanks,
            Smalltalk::Goodbye,
            Smalltalk::Ack,
            Smalltalk::Opener,
            Smalltalk::Identity,
            Smalltalk::NotHelpful,
            Smalltalk::Hold,
        ] {
            for turn in 0..2 {
                out.push(smalltalk(loc, kind, "Shop", None, turn));
            }
        }
        for turn in 0..2 {
            out.push(dismissed(loc, turn));
            out.push(escalation_empathy(loc, turn));
            out.push(smell_empathy(loc, turn));
        }
        out.push(swallowed_tip(loc));
        out.push(water_at_power_tip(loc));
        out.push(clarify(loc));
        out.push(offer_human(loc));
        out.push(answer_did_not_help(loc));
        out.push(order_hint(loc));
        out.push(order_noted(loc));
        let four = Hidden { kept: (4, 4), ..Hidden::default() };
        for (id_card, bank_card) in [(true, false), (false, true), (true, true)] {
            out.extend(masked_note(loc, Hidden { id_card, bank_card, ..four }));
        }
        out.extend(masked_note(loc, Hidden { bank_account: true, card_secret: true, lettered: true, ..four }));
        out.extend(masked_note(loc, Hidden { card_secret: true, ..Hidden::default() }));
        for kept in [(4, 4), (3, 3), (2, 2)] {
            out.extend(masked_note(loc, Hidden { passport: true, lettered: true, kept, ..Hidden::default() }));
        }
        out.extend(masked_note(loc, Hidden { id_card: true, passport: true, lettered: true, kept: (3, 4), ..four }));
        out.push(masked_previous_note(loc));
        out.push(handoff_again(loc, true));
        out.push(handoff_again(loc, false));
        out.push(escalated_with_case(loc));
        out.push(recheck_order_number(loc, "12345"));
        out.push(what_it_stands_for(loc, "tk"));
        out.push(out_of_scope(loc, &["shipping", "returns", "complaint", "custom-slug"]));
        out.push(out_of_scope(loc, &[]));
        out.push(no_ready_answer(loc, &["shipping", "returns", "complaint", "custom-slug"]));
        out.push(no_ready_answer(loc, &[]));
        for r in [R::LowConfidence, R::NoQuery, R::Requested, R::Rule] {
            for &tr in &triages {
                for open in [true, false] {
                    for cue in [Cue::None, Cue::Safety] {
                        out.push(handoff(loc, r, tr, cue, open));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safety_advice_fits_the_hazard() {
        let tip =
            |loc, text: &str| urgent_tip(loc, Cue::Safety, Some(Hazard::of(&crate::analyze::normalize(text)))).unwrap();
        let shelf = tip(Locale::En, "the shelf collapsed and fell on my kid, he's bleeding");
        assert!(
            !shelf.contains("unplug") && !shelf.contains("hot or smoking") && shelf.contains("medical help"),
            "{shelf}"
        );
        assert!(tip(Locale::En, "the kettle is sparking and smoking").contains("unplug"));
        assert!(tip(Locale::En, "the charger caught fire").contains("unplug"));
        assert!(tip(Locale::En, "my toddler swallowed a magnet from the toy").contains("swallowed"));
        assert!(tip(Locale::En, "water is leaking onto the plug").contains("fuse box"));
        let drink = tip(Locale::En, "my kettle smells like plastic is it safe to drink");
        assert!(drink.contains("don't drink") && !drink.contains("unplug"), "{drink}");
        assert!(!tip(Locale::ZhCn, "架子塌了砸到孩子流血了").contains("拔掉电源"));
        assert!(tip(Locale::ZhCn, "电水壶冒烟了").contains("拔掉电源"));
        assert!(tip(Locale::ZhCn, "孩子误吞了一个零件").contains("误吞"));
        // The hazard is read by the caller, once, and only for a safety problem.
        assert_eq!(urgent_tip(Locale::En, Cue::Safety, None), None);
        assert!(urgent_tip(Locale::En, Cue::Payment, None).is_some());
    }

    #[test]
    fn house_rules_hold_for_every_string() {
        const FORBIDDEN: &[&str] = &[
            "not my problem",
            "ask someone else",
            "not our problem",
            "can't",
            "cannot",
            "can not",
            "unable",
            "not possible",
            "这不归我管",
            "不归我管",
            "不是我的问题",
            "你找别人",
            "找别人",
            "不關我",
            "不歸我管",
            "不能",
            "无法",
            "無法",
            "没办法",
            "沒辦法",
        ];
        let all = all_samples();
        assert!(all.len() > 300);
        for s in &all {
            let low = s.to_lowercase();
            for f in FORBIDDEN {
                assert!(!low.contains(f), "`{s}` contains `{f}`");
            }
            assert!(!s.trim().is_empty());
        }
    }

    #[test]
    fn traditional_strings_are_traditional_and_simplified_are_simplified() {
        let loc_of = |s: &str| pick_locale(Locale::En, s, None);
        for loc in [Locale::ZhCn, Locale::ZhTw] {
            let smell = [smell_empathy(loc, 0), smell_empathy(loc, 1)];
            for s in [clarify(loc), ask_order_number(loc, Triage::Order, Cue::Delay), offer_human(loc)]
                .into_iter()
                .chain(smell)
            {
                assert_eq!(loc_of(&s), loc, "{s}");
            }
        }
    }

    #[test]
    fn locale_follows_the_script() {
        assert_eq!(pick_locale(Locale::En, "我的快递到哪了", None), Locale::ZhCn);
        assert_eq!(pick_locale(Locale::En, "我的快遞到哪了", None), Locale::ZhTw);
        assert_eq!(pick_locale(Locale::ZhCn, "where is my parcel", None), Locale::En);
        assert_eq!(pick_locale(Locale::ZhCn, "2023112312345678", None), Locale::ZhCn);
        assert_eq!(pick_locale(Locale::ZhCn, "2023112312345678", Some(Locale::En)), Locale::En);
        assert_eq!(pick_locale(Locale::ZhTw, "你好", None), Locale::ZhTw);
        assert_eq!(pick_locale(Locale::ZhCn, "优惠券怎么用", Some(Locale::ZhTw)), Locale::ZhCn);
        assert_eq!(pick_locale(Locale::ZhCn, "你好", Some(Locale::ZhTw)), Locale::ZhTw);
        assert_eq!(pick_locale(Locale::En, "你好", Some(Locale::En)), Locale::ZhCn);
        // Mixed: the language with more words (two Han characters weigh as an English word).
        assert_eq!(pick_locale(Locale::En, "where is my parcel 谢谢", None), Locale::En);
        assert_eq!(pick_locale(Locale::En, "how do I return the 电饭煲", None), Locale::En);
        assert_eq!(pick_locale(Locale::En, "iphone 充不进电怎么办", None), Locale::ZhCn);
        assert_eq!(pick_locale(Locale::ZhCn, "我想退 iPhone 15", None), Locale::ZhCn);
        // QA: mostly English with a Chinese word or two at an English shop.
        assert_eq!(pick_locale(Locale::En, "退款 how long?", None), Locale::En);
        assert_eq!(pick_locale(Locale::En, "my 快递 hasn't arrived yet, 订单号 2024112312345678", None), Locale::En);
        // A tie is the shop's language at an English shop, Chinese at a Chinese one.
        assert_eq!(pick_locale(Locale::En, "can't login 怎么办", None), Locale::En);
        assert_eq!(pick_locale(Locale::ZhCn, "can't login 怎么办", None), Locale::ZhCn);
        assert_eq!(pick_locale(Locale::En, "login 怎么办", None), Locale::ZhCn);
        // Pinyin initials alone as the first message keep a Chinese shop's language; an
        // English word, shorthand, or a phrase does not.
        for m in ["tk", "TK", "zfb", "yyds?", "dd"] {
            assert_eq!(pick_locale(Locale::ZhCn, m, None), Locale::ZhCn, "{m}");
            assert_eq!(pick_locale(Locale::ZhTw, m, None), Locale::ZhTw, "{m}");
        }
        for m in ["hi", "thx", "why", "help", "tk pls", "ok"] {
            assert_eq!(pick_locale(Locale::ZhCn, m, None), Locale::En, "{m}");
        }
        assert_eq!(pick_locale(Locale::En, "tk", None), Locale::En);
        assert_eq!(pick_locale(Locale::ZhCn, "tk", Some(Locale::En)), Locale::En);
    }

    #[test]
    fn empathy_varies_with_the_situation() {
        let a = empathy(Locale::En, Triage::Urgent, Cue::Account, Emotion::Anxious, false, 0).unwrap();
        let b = empathy(Locale::En, Triage::Urgent, Cue::Payment, Emotion::Anxious, false, 0).unwrap();
        let c = empathy(Locale::En, Triage::Complaint, Cue::Damaged, Emotion::Angry, false, 0).unwrap();
        let d = empathy(Locale::En, Triage::Complaint, Cue::Damaged, Emotion::Angry, false, 1).unwrap();
        assert!(a != b && b != c && c != d);
        assert!(empathy(Locale::En, Triage::Product, Cue::None, Emotion::Calm, false, 0).is_none());
    }

    #[test]
    fn an_item_in_use_for_months_is_promised_no_replacement_or_refund() {
        use crate::analyze::normalize;
        for (loc, msg) in [
            (Locale::En, "kettle broke after 3 months"),
            (Locale::En, "I dropped it and now it's cracked"),
            (Locale::ZhCn, "用了三个月就坏了"),
            (Locale::ZhTw, "買了半年就壞了"),
        ] {
            for cue in [Cue::Damaged, Cue::Quality] {
                let ack = complaint_ack(loc, cue, Some("kettle"), &normalize(msg));
                for promise in ["replacement", "refund", "换新", "退款", "換新"] {
                    assert!(!ack.contains(promise), "{msg}: `{promise}` in {ack}");
                }
            }
        }
        // On arrival the seeds' rule holds: the shop's fault, replace or refund.
        let ack = complaint_ack(Locale::En, Cue::Damaged, Some("kettle"), "the kettle arrived broken");
        assert!(ack.contains("free replacement or a full refund"), "{ack}");
    }

    #[test]
    fn durations_and_days() {
        assert_eq!(duration(Locale::En, 60), "1 hour");
        assert_eq!(duration(Locale::En, 120), "2 hours");
        assert_eq!(duration(Locale::En, 3), "3 minutes");
        assert_eq!(duration(Locale::ZhCn, 60), "1 小时");
        assert_eq!(duration(Locale::ZhTw, 90), "90 分鐘");
        assert_eq!(when(Locale::En, 1, 2, 540), "09:00 tomorrow");
        assert_eq!(when(Locale::ZhCn, 3, 0, 540), "周一 09:00");
    }
}
