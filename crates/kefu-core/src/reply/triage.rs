//! Triage: what kind of message this is, by the seeds' service process — a product question,
//! an order problem (tracking, delay, address change, cancel), a complaint or dispute
//! (broken, wrong item, poor quality, bad service) or an emergency (payment failed, account
//! stolen, fraud, and a product that caught fire, gave a shock or hurt someone) — plus whether
//! the shopper asks for a person.
//!
//! Works on normalized text, so traditional Chinese and full-width input need no lists of
//! their own. The most serious class found wins: urgent > complaint > order > product.

use super::lexicon;
use serde::{Deserialize, Serialize};

/// The kind of message, by the seeds' service process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Triage {
    /// Product, policy or promotion question (instant tier).
    #[default]
    Product,
    /// Order problem: tracking, delay, address change, cancel (after-sales tier).
    Order,
    /// Complaint or dispute: broken, wrong item, bad service (1-hour acknowledgement).
    Complaint,
    /// Payment failed, account stolen, fraud, a hazard or an injury (green channel).
    Urgent,
}

/// The specific problem behind a triage class; picks the wording of empathy and asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Cue {
    #[default]
    None,
    // Urgent.
    Payment,
    Account,
    Fraud,
    /// A product that caught fire, smoked, gave a shock or hurt someone. The seeds' green
    /// channel names payment and account problems; kefu adds safety, which no shop leaves
    /// in a queue, and tells the shopper first to stop using the item.
    Safety,
    // Complaint.
    /// A refund or return the shop turned down that the shopper disputes ("商家拒绝我退款",
    /// "my return was rejected"): the seeds' escalation (a senior agent reviews within 24 h, a
    /// final solution within 72 h), not a policy answer.
    Dispute,
    Damaged,
    WrongItem,
    /// The item is not as the listing described or showed it ("比描述的薄", "色差很大", "not as
    /// described"): no packing slip, but a description problem, returned at the shop's cost.
    NotAsDescribed,
    Quality,
    Service,
    // Order.
    Tracking,
    Delay,
    Address,
    Cancel,
    /// Where a refund is ("退款到底什么时候到", "where is my refund"): an order problem, but
    /// about money, not a parcel.
    Refund,
}

impl Cue {
    /// Short machine name (`payment`, `damaged`, `tracking` …), empty for none.
    pub fn name(self) -> &'static str {
        match self {
            Cue::None => "",
            Cue::Payment => "payment",
            Cue::Account => "account",
            Cue::Fraud => "fraud",
            Cue::Safety => "safety",
            Cue::Dispute => "dispute",
            Cue::Damaged => "damaged",
            Cue::WrongItem => "wrong_item",
            Cue::NotAsDescribed => "not_as_described",
            Cue::Quality => "quality",
            Cue::Service => "service",
            Cue::Tracking => "tracking",
            Cue::Delay => "delay",
            Cue::Address => "address",
            Cue::Cancel => "cancel",
            Cue::Refund => "refund",
        }
    }
}

#[allow(non_snake_case)]
fn URGENT() -> [(Cue, &'static [&'static str]); 5] {
    [
        (Cue::Safety, URGENT_SAFETY()),
        (Cue::Account, URGENT_ACCOUNT()),
        (Cue::Fraud, URGENT_FRAUD()),
        (Cue::Payment, URGENT_PAYMENT()),
        (Cue::None, URGENT_NONE()),
    ]
}

#[allow(non_snake_case)]
fn COMPLAINT() -> [(Cue, &'static [&'static str]); 6] {
    [
        (Cue::Dispute, COMPLAINT_DISPUTE()),
        (Cue::Damaged, COMPLAINT_DAMAGED()),
        (Cue::WrongItem, COMPLAINT_WRONG_ITEM()),
        (Cue::NotAsDescribed, COMPLAINT_NOT_AS_DESCRIBED()),
        (Cue::Quality, COMPLAINT_QUALITY()),
        (Cue::Service, COMPLAINT_SERVICE()),
    ]
}

#[allow(non_snake_case)]
fn ORDER() -> [(Cue, &'static [&'static str]); 4] {
    [
        (Cue::Address, ORDER_ADDRESS()),
        (Cue::Cancel, ORDER_CANCEL()),
        (Cue::Delay, ORDER_DELAY()),
        (Cue::Tracking, ORDER_TRACKING()),
    ]
}

/// The message is about the shop's own website or app ([`SHOP_ITSELF`]).
pub fn about_shop_itself(norm: &str) -> bool {
    lexicon::any(norm, SHOP_ITSELF())
}

/// The message asks when something will happen, how long it takes, or for news ([`WHEN`]).
pub fn asks_when(norm: &str) -> bool {
    lexicon::any(norm, WHEN())
}

/// The shopper says they have no order number at hand ([`NO_ORDER_NUMBER`]).
pub fn lacks_order_number(norm: &str) -> bool {
    lexicon::any(norm, NO_ORDER_NUMBER())
}

/// The shopper says the slip was theirs ("I ordered the wrong size", "拍错颜色了").
pub fn own_mistake(norm: &str) -> bool {
    lexicon::any(norm, OWN_MISTAKE())
}

/// Classifies normalized text: the class and its most specific cue.
pub fn classify(norm: &str) -> (Triage, Cue) {
    classify_as(norm, false)
}

/// [`classify`]; `entry`: the text is a KB question, whose problem is kept whoever caused it
/// ("I dropped it and it cracked, can you fix it" makes a repair entry one about damage, so
/// that a damage complaint may be answered with it).
fn classify_as(norm: &str, entry: bool) -> (Triage, Cue) {
    let not_goods = lexicon::any(norm, NOT_GOODS());
    // Calling the shop a cheat is a complaint about the service, not a fraud to report.
    let accused = shop_accused(norm);
    let own_mistake = own_mistake(norm);
    let smell_ingested = smell_ingested(norm);
    let hazard = hazard_reported(norm);
    let paid_repair = !entry && (lexicon::any(norm, OUT_OF_WARRANTY()) || own_damage(norm));
    for (class, table) in
        [(Triage::Urgent, &URGENT()[..]), (Triage::Complaint, &COMPLAINT()[..]), (Triage::Order, &ORDER()[..])]
    {
        for (cue, words) in table {
            // The exceptions below are weighed only for a cue the message names: most messages
            // name none, and the fraud one scans every complaint phrase.
            let named = if *cue == Cue::Payment {
                payment_reported(norm)
            } else {
                lexicon::any(norm, words)
                    || (*cue == Cue::Service && accused)
                    || (*cue == Cue::Safety && (smell_ingested || body_reacts(norm) || hazard))
            };
            if !named {
                continue;
            }
            // "优惠券用不了" / "the promo code doesn't work": a promotion question, not a
            // faulty product (the seeds' quality-complaint route would offer repair or
            // replacement for a coupon). Nor is a way to pay that does not work: reported
            // ("花呗用不了") it is a payment gone wrong, named above; asked about ("如果花呗用不了
            // 怎么办") a question for the FAQ.
            if *cue == Cue::Quality && (not_goods || way_to_pay_fails(&units(norm))) {
                continue;
            }
            // "过了保修期坏了 还能修吗", "I dropped it and the screen cracked": no fault of the
            // shop's, so no free replacement or refund to promise; the KB's paid repair answers.
            if matches!(cue, Cue::Damaged | Cue::Quality) && paid_repair {
                continue;
            }
            if *cue == Cue::Fraud && (accused || (!fraud_reported(norm) && complains(norm))) {
                continue;
            }
            // "空气炸锅第一次用有点冒烟正常吗", "会不会漏电", "will it catch fire": a question
            // about a risk, for the KB, not a hazard happening now; so is "burning smell on
            // first use, normal?" ([`first_use_smell_asked`]).
            // Not "水壶烧的水有股塑料味 还能喝吗": whether a smelly drink is safe is no question
            // to reassure with a new item's smell.
            let asked = lexicon::any(norm, RISK_QUESTION())
                || (lexicon::any(norm, NORMAL_QUESTION()) && lexicon::any(norm, FIRST_USE()))
                || first_use_smell_asked(norm);
            if *cue == Cue::Safety && asked && !smell_ingested && !hazard {
                continue;
            }
            // "我之前投诉的事处理得怎么样了": news of a complaint already made, for the KB's
            // complaint-progress answer, not a new one about the service.
            if *cue == Cue::Service && complaint_progress(norm) {
                continue;
            }
            // "定制的商品不给退吗" asks the policy; "凭什么不给退" disputes a decision.
            if *cue == Cue::Dispute && lexicon::any(norm, POLICY_ASKED()) {
                continue;
            }
            if *cue == Cue::WrongItem && own_mistake {
                continue;
            }
            if matches!(cue, Cue::Delay | Cue::Tracking) && lexicon::any(norm, REFUND()) {
                return (class, Cue::Refund);
            }
            return (class, *cue);
        }
    }
    (Triage::Product, Cue::None)
}

/// A message as units for proximity: each Latin word (apostrophes dropped: "won't" is
/// "wont") and each Han character.
fn units(norm: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in norm.chars() {
        if (c.is_alphanumeric() && !crate::analyze::is_han(c)) || c == '\'' {
            if c != '\'' {
                word.push(c);
            }
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if crate::analyze::is_han(c) {
            out.push(c.to_string());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Where `cue` occurs in `units`: the index of its first unit and one past its last. A
/// trailing `*` makes the last unit a prefix, as in [`lexicon`].
fn spans(units: &[String], cue: &str) -> Vec<(usize, usize)> {
    let (cue, prefix) = cue.strip_suffix('*').map_or((cue, false), |c| (c, true));
    let parts = self::units(cue);
    if parts.is_empty() || parts.len() > units.len() {
        return Vec::new();
    }
    let last = parts.len() - 1;
    (0..=units.len() - parts.len())
        .filter(|&i| {
            parts.iter().enumerate().all(|(k, p)| {
                let u = &units[i + k];
                if k == last && prefix {
                    u.starts_with(p.as_str())
                } else {
                    u == p
                }
            })
        })
        .map(|i| (i, i + parts.len()))
        .collect()
}

/// A cue of `first` followed by a cue of `then` at most `gap` units after it ends: "card …
/// declined" with a word or two between them, which no fixed phrase list can spell out.
fn followed(units: &[String], first: &[&str], then: &[&str], gap: usize) -> bool {
    let ends: Vec<usize> = first.iter().flat_map(|c| spans(units, c)).map(|(_, end)| end).collect();
    if ends.is_empty() {
        return false;
    }
    then.iter().flat_map(|c| spans(units, c)).any(|(start, _)| ends.iter().any(|&e| start >= e && start - e <= gap))
}

/// A payment went wrong, said in the shopper's own words rather than a fixed phrase: a card
/// or payment close before a failure ("my card got declined at checkout"), a charge close
/// before "twice" ("i got charged 2x", "you took the money twice"), money gone with no
/// order, a way to pay said not to work ("花呗用不了", "my paypal keeps failing"), and the
/// same in Chinese ("付款的时候一直显示失败", "钱被扣了两次"). The seeds put a failed
/// payment in the 3-minute green channel however it is worded.
fn payment_went_wrong(norm: &str) -> bool {
    let mut u = units(norm);
    // "it took twice as long": a comparison, not a second charge.
    for i in 0..u.len().saturating_sub(1) {
        if u[i + 1] == "as" && TWICE().contains(&u[i].as_str()) {
            u[i].clear();
        }
    }
    let failed = followed(&u, PAYING(), FAILING(), 4) || followed(&u, FAILING(), PAYING(), 1);
    // "declined" names a payment wherever the way of paying is: "my cvv is 123 and it keeps
    // declining".
    let declined = lexicon::any(norm, &["declin*"]) && PAYING().iter().any(|p| !spans(&u, p).is_empty());
    let twice = followed(&u, CHARGING(), TWICE(), 4)
        || followed(&u, TWICE(), CHARGING(), 1)
        || followed(&u, CHARGING(), DOUBLE(), 1)
        || followed(&u, DOUBLE(), CHARGING(), 0);
    let no_order = lexicon::any(norm, MONEY_OUT()) && lexicon::any(norm, NO_ORDER());
    let zh = followed(&u, ZH_PAYING(), ZH_FAILING(), 8)
        || followed(&u, ZH_CHARGING(), ZH_TWICE(), 4)
        || followed(&u, ZH_TWICE(), ZH_TAKING(), 1)
        || (lexicon::any(norm, ZH_MONEY_OUT()) && lexicon::any(norm, ZH_NO_ORDER()));
    way_to_pay_fails(&u) || failed || declined || twice || no_order || zh
}

/// A way to pay named, and soon after it that it does not work: a word between it and an
/// English failure ("my credit card is not working"), [`METHOD_REACH`] before a Chinese one.
fn way_to_pay_fails(u: &[String]) -> bool {
    followed(u, PAY_METHODS(), METHOD_FAILS(), 1) || followed(u, PAY_METHODS(), ZH_METHOD_FAILS(), METHOD_REACH)
}

/// A payment went wrong and the shopper says so ([`URGENT_PAYMENT`], [`payment_went_wrong`]),
/// in the part of the message that reports: a sentence that asks what would happen ("what
/// happens if my credit card is declined?", "如果花呗用不了怎么办") is a question for the FAQ,
/// whichever way it names the payment, while "my card was declined, what happens if I try
/// again" and "付款失败了，如果不能解决我就投诉" report one before they ask.
fn payment_reported(norm: &str) -> bool {
    let said = reported_part(norm);
    lexicon::any(&said, URGENT_PAYMENT()) || payment_went_wrong(&said)
}

/// `norm` without what it asks about: each sentence from a [`PAYMENT_ASKED`] cue on ("what
/// happens if …", "如果 …") is left out, up to its end. "主要是" and the like are no "要是".
fn reported_part(norm: &str) -> String {
    let mut said = lexicon::remove_all(norm, NOT_ASKED());
    while let Some(at) = PAYMENT_ASKED().iter().filter_map(|c| lexicon::find(&said, c)).min() {
        let end = said[at..].find(['.', '?', '!', '。', ';', '\n']).map_or(said.len(), |i| at + i);
        said.replace_range(at..end, " ");
    }
    said
}

/// How far after a way to pay (in [`units`]: Chinese characters) a Chinese failure may be
/// said: "花呗怎么一直用不了" is about 花呗, "用信用卡买的电热水壶插上电就用不了" about the kettle.
const METHOD_REACH: usize = 6;

/// Something was swallowed or choked on ([`SWALLOWED`]).
pub fn swallowed(norm: &str) -> bool {
    lexicon::any(norm, SWALLOWED()) && !lexicon::any(norm, CARD_KEPT())
}

/// Water at the mains: water leaking onto a plug or socket, or a wet plug ("leaking water all
/// over the plug socket", "插座进水了"), which can electrocute before it sparks.
pub fn water_at_power(norm: &str) -> bool {
    let u = units(norm);
    followed(&u, WATER(), POWER(), 4)
        || followed(&u, POWER(), WATER(), 4)
        || followed(&u, ZH_WATER(), ZH_POWER(), 6)
        || followed(&u, ZH_POWER(), ZH_WATER(), 6)
}

/// A hazard the shopper reports, which their "is it safe?" or "会不会漏电" does not turn into
/// a product question ([`RISK_QUESTION`]): something swallowed or water at the mains. Only a
/// hypothetical is left to the KB; "会不会" counts as one when nothing has happened yet (no 了).
fn hazard_reported(norm: &str) -> bool {
    let hypothetical = lexicon::any(norm, HYPOTHETICAL()) || (norm.contains("会不会") && !norm.contains('了'));
    (swallowed(norm) || water_at_power(norm)) && !hypothetical
}

/// A count in English words; "a few" is taken as three, "several" as four.
fn count_en(word: &str) -> Option<f32> {
    let n = match word {
        "a" | "an" | "one" => 1.0,
        "two" | "couple" => 2.0,
        "three" | "few" => 3.0,
        "four" | "several" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "half" => 0.5,
        w => w.parse().ok()?,
    };
    Some(n)
}

/// Days in a unit of time, English and Chinese.
fn unit_days(unit: &str) -> Option<f32> {
    Some(match unit.trim_end_matches('s') {
        "day" | "天" | "日" => 1.0,
        "week" | "wk" | "周" | "星期" | "礼拜" => 7.0,
        "month" | "mo" | "mth" | "月" => 30.0,
        "year" | "yr" | "年" => 365.0,
        _ => return None,
    })
}

/// An English duration starting at `u[i]` ("3 months", "a couple of weeks", "half a year",
/// "5months"): its length in days and how many units it spans.
fn duration_en(u: &[String], i: usize) -> Option<(f32, usize)> {
    let w = u[i].as_str();
    // "5months": the count and the unit typed as one word.
    if let Some(at) = w.find(|c: char| !c.is_ascii_digit()).filter(|&at| at > 0) {
        let (n, unit) = w.split_at(at);
        return Some((n.parse::<f32>().ok()? * unit_days(unit)?, 1));
    }
    let n = count_en(w)?;
    let mut j = i + 1;
    // "a couple of", "a few", "half a".
    while j < u.len() && j <= i + 2 && matches!(u[j].as_str(), "couple" | "few" | "of" | "a") {
        j += 1;
    }
    let n = if j > i + 1 && u[i + 1] == "few" {
        3.0
    } else if j > i + 1 && u[i + 1] == "couple" {
        2.0
    } else {
        n
    };
    Some((n * unit_days(u.get(j)?)?, j + 1 - i))
}

/// A Chinese duration starting at char `i` of `c` ("三个月", "半年", "两个多星期", "10天"):
/// days and chars spanned.
fn duration_zh(c: &[char], i: usize) -> Option<(f32, usize)> {
    let digit = |ch: char| "0123456789一二两三四五六七八九十半几".contains(ch);
    let mut j = i;
    while j < c.len() && digit(c[j]) {
        j += 1;
    }
    if j == i {
        return None;
    }
    let run: String = c[i..j].iter().collect();
    let one = |ch: char| -> f32 {
        match ch {
            '一' => 1.0,
            '二' | '两' => 2.0,
            '三' | '几' => 3.0,
            '四' => 4.0,
            '五' => 5.0,
            '六' => 6.0,
            '七' => 7.0,
            '八' => 8.0,
            '九' => 9.0,
            '十' => 10.0,
            '半' => 0.5,
            d => d.to_digit(10).map_or(0.0, |d| d as f32),
        }
    };
    let n = if run.chars().all(|ch| ch.is_ascii_digit()) {
        run.parse().ok()?
    } else if let Some((tens, ones)) = run.split_once('十') {
        // 十二 = 12, 二十 = 20; any other run ("七八") is read by its last character.
        tens.chars().last().map_or(1.0, one) * 10.0 + ones.chars().last().map_or(0.0, one)
    } else {
        one(run.chars().last()?)
    };
    for skip in ["个", "多", "个多"] {
        if c[j..].iter().take(skip.chars().count()).copied().eq(skip.chars()) {
            j += skip.chars().count();
        }
    }
    for unit in ["星期", "礼拜", "天", "日", "周", "月", "年"] {
        if c[j..].iter().take(unit.chars().count()).copied().eq(unit.chars()) {
            return Some((n * unit_days(unit)?, j + unit.chars().count() - i));
        }
    }
    None
}

/// The item has been in use for a while, or the damage is the shopper's own: "kettle broke
/// after 3 months", "its 5 months old", "用了三个月", "买了半年", "过了保修期", "I dropped
/// it", "我摔坏的". Then a fault is a warranty matter, not the quality problem on arrival the
/// seeds' rule (return or exchange, shipping on the shop) is about, and the bot promises no
/// remedy before the KB's warranty answer or a person says what applies. A week or less is
/// still the first days after delivery (the 7-day return), so "broke after 3 days" is not.
pub fn in_use_for_a_while(norm: &str) -> bool {
    const DAYS: f32 = 7.0;
    // Said outright. "这不是人为损坏", "it's not my fault": a denial is no own damage
    // ([`NOT_OWN_DAMAGE`]).
    let said = [USED_A_WHILE(), OUT_OF_WARRANTY(), OWN_DAMAGE(), ACCIDENT()];
    if said.iter().any(|words| lexicon::any(norm, words)) && !lexicon::any(norm, NOT_OWN_DAMAGE()) {
        return true;
    }
    let u = units(norm);
    let had = lexicon::any(norm, &["had it", "had this", "had mine", "used it", "using it", "owned it", "use it"]);
    let bought = lexicon::any(norm, &["bought", "purchased", "got it", "had it"]);
    for i in 0..u.len() {
        let Some((days, len)) = duration_en(&u, i) else { continue };
        let before = if i > 0 { u[i - 1].as_str() } else { "" };
        let next = u.get(i + len).map_or("", String::as_str);
        let waited = u[i.saturating_sub(4)..i].iter().any(|w| WAITED().contains(&w.as_str()));
        let used = match (before, next) {
            (_, "old") => true,
            ("after" | "within", _) | (_, "after") => !waited,
            ("for", _) => had && !waited,
            (_, "ago") => bought && !waited,
            _ => false,
        };
        if used && days > DAYS {
            return true;
        }
    }
    // Chinese: a duration after 用 or 买 ("用了三个月", "才买了两周"), or before 就 or 后
    // ("半年就坏了", "三个月后不转了").
    let c: Vec<char> = norm.chars().collect();
    for i in 0..c.len() {
        let Some((days, len)) = duration_zh(&c, i) else { continue };
        let before = &c[i.saturating_sub(4)..i];
        let after: String = c[i + len..].iter().take(2).collect();
        let used = before.iter().any(|&ch| ch == '用' || ch == '买')
            || ["就", "后", "以后", "之后"].iter().any(|w| after.starts_with(w));
        if used && days > DAYS {
            return true;
        }
    }
    false
}

/// The complaint problems an entry's questions are about ([`Cue::name`]s, first seen first):
/// "颜色发错了" makes an entry one about a wrong item. Kept in the bundle, so that a complaint
/// is answered only with an entry about the same problem.
#[cfg(feature = "build")]
pub fn complaint_cues(questions: &[String]) -> Vec<String> {
    use std::sync::OnceLock;
    // Most questions hold no complaint phrase at all: one pass of an automaton over the
    // phrases (as written, and without apostrophes, as `lexicon` also matches them) tells
    // which need the whole classification. Without it, classifying banking77's 10,000
    // questions took half a second, three times the rest of the build.
    static PHRASES: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    let phrases = PHRASES.get_or_init(|| {
        let mut all: Vec<String> = Vec::new();
        let complaint = COMPLAINT();
        let words = complaint.iter().flat_map(|(_, w)| w.iter()).chain(SHOP_ACCUSED().iter());
        for w in words {
            let w = w.trim_end_matches('*');
            all.push(w.to_string());
            if w.contains('\'') {
                all.push(w.replace('\'', ""));
            }
        }
        aho_corasick::AhoCorasick::new(all).expect("the complaint phrases make an automaton")
    });
    let mut cues: Vec<String> = Vec::new();
    for q in questions {
        let norm = crate::analyze::normalize(q);
        if !phrases.is_match(&norm) {
            continue;
        }
        let (triage, cue) = classify_as(&norm, true);
        if triage == Triage::Complaint && cue != Cue::None && !cues.iter().any(|c| c == cue.name()) {
            cues.push(cue.name().to_string());
        }
    }
    cues
}

/// A symptom beside a body or the goods' use ("用了被子皮肤很痒", "the pillow gave my baby a
/// rash", "the fumes made me dizzy"), not a question about the risk (see `classify`).
fn body_reacts(norm: &str) -> bool {
    lexicon::any(norm, SYMPTOM()) && lexicon::any(norm, BODY_OR_USE())
}

/// A smell or taste with eating or drinking ("水壶烧出来的水有股塑料味 还能喝吗", "my kettle
/// smells like plastic, is it safe to drink"): a possible health risk, for the safety
/// specialist, not a new item's smell to air out.
pub fn smell_ingested(norm: &str) -> bool {
    (about_smell(norm) || lexicon::any(norm, OFF_TASTE())) && lexicon::any(norm, INGESTED())
}

/// The message reports a fraud done to the shopper (someone posing as the shop, a card used
/// by someone else, being cheated): a fraud word other than the insults.
fn fraud_reported(norm: &str) -> bool {
    let fraud = URGENT_FRAUD().iter();
    fraud.filter(|w| !FRAUD_INSULTS().contains(w)).any(|w| lexicon::find(norm, w).is_some())
}

/// The shopper calls the shop a cheat: a fixed phrase ([`SHOP_ACCUSED`]), or an insult
/// ([`FRAUD_INSULTS`]) said of "you" a few words on ("你们是不是骗子", "are you guys a scam"),
/// unless a fraud done to them is reported besides ("有人冒充你们客服 是骗子吗").
fn shop_accused(norm: &str) -> bool {
    if lexicon::any(norm, SHOP_ACCUSED()) {
        return true;
    }
    if fraud_reported(norm) {
        return false;
    }
    let u = units(norm);
    followed(&u, ACCUSED_YOU(), FRAUD_INSULTS(), 2) || followed(&u, ZH_ACCUSED_YOU(), FRAUD_INSULTS(), 4)
}

/// The message complains about the goods or the service (any complaint cue's words: "这是诈骗吧
/// 东西根本不能用" calls a faulty item a fraud).
fn complains(norm: &str) -> bool {
    COMPLAINT().iter().any(|(_, words)| lexicon::any(norm, words))
}

/// The shopper says the damage is their own doing, and not that it isn't.
fn own_damage(norm: &str) -> bool {
    lexicon::any(norm, OWN_DAMAGE()) && !lexicon::any(norm, NOT_OWN_DAMAGE())
}

/// The message asks after a complaint already made ([`PROGRESS`]) and says nothing else about
/// the service: "投诉的事怎么样了", not "态度太差了 投诉进度呢".
fn complaint_progress(norm: &str) -> bool {
    if !lexicon::any(norm, PROGRESS()) || !lexicon::any(norm, COMPLAINT_NAMED()) {
        return false;
    }
    let rest = lexicon::remove_all(norm, COMPLAINT_NAMED());
    let service = COMPLAINT_SERVICE().iter();
    !service.into_iter().any(|w| lexicon::find(&rest, w).is_some())
}

/// The message asks the shop to delete what it keeps about the shopper ("我不想你们保存我的手机号
/// 和地址 能删吗", "删除我的个人信息", "please delete my personal data", "erase my account"): a
/// word of erasing close to a word of personal data, either way round. The seeds' data rules
/// make such a request one for the shop's deletion process or a person, never a guess.
pub fn asks_erasure(norm: &str) -> bool {
    let u = units(norm);
    followed(&u, ERASING(), PERSONAL_DATA(), 4) || followed(&u, PERSONAL_DATA(), ERASING(), 4)
}

/// The message only asks to escalate ([`ESCALATE`]): "会员怎么升级" is no such request.
pub fn asks_escalation(norm: &str) -> bool {
    // Apostrophes go on both sides: "I'd like to escalate" is the list's "i'd like to escalate".
    let bare = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric() || *c == ' ').collect() };
    let message = bare(norm);
    ESCALATE().iter().any(|e| bare(e) == message.trim())
}

/// The message (or an entry's text, normalized) is about a smell ([`SMELL`]).
pub fn about_smell(norm: &str) -> bool {
    lexicon::any(norm, SMELL())
}

/// An entry's normalized text speaks of a smell ([`SMELL_TEXT`]).
pub fn speaks_of_smell(norm: &str) -> bool {
    lexicon::any(norm, SMELL_TEXT())
}

/// The only hazard the message names is a smell ("strong chemical smell and my kid feels
/// dizzy", "the kettle smells like burning", "烧焦味"): a smell word, and no safety word left
/// once the burning smells ([`BURNT_SMELL`]) are taken out, so no smoke, fire, sparks,
/// melting, shock, burn or injury besides ("烧焦味 还冒烟了", "burning smell and the plug is
/// melted").
pub fn only_a_smell(norm: &str) -> bool {
    let rest = lexicon::remove_all(norm, BURNT_SMELL());
    (about_smell(norm) || rest != norm) && !lexicon::any(&rest, URGENT_SAFETY())
}

/// The shopper asks whether a new item's smell is normal ("burning smell on first use,
/// normal?", "第一次用有烧焦味，正常？"): a product question the KB answers (the first empty
/// run, airing), not a report, when the smell is all there is ([`only_a_smell`]) and nobody
/// feels it ([`body_reacts`]). "not normal" says, not asks.
fn first_use_smell_asked(norm: &str) -> bool {
    let asked = lexicon::any(&lexicon::remove_all(norm, NOT_NORMAL()), NORMAL_ASKED());
    asked && lexicon::any(norm, FIRST_USE()) && only_a_smell(norm) && !body_reacts(norm)
}

/// True when the shopper asks for a person.
pub fn wants_human(norm: &str) -> bool {
    lexicon::any(norm, HUMAN())
        && !lexicon::any(norm, NOT_HUMAN())
        && (!lexicon::any(norm, HOURS_ASKED()) || lexicon::any(norm, HUMAN_NOW()))
}

// The word lists above are read from the bundle in the browser (see `lexicon::word_lists!`).
super::lexicon::word_lists! {
    "triage";
    /// [`URGENT`]: the words of `Cue::Safety`.
    URGENT_SAFETY = [
        "着火",
        "起火",
        "失火",
        "冒烟",
        "冒火",
        "火花",
        "烧起来",
        "烧焦",
        "爆炸",
        "炸开",
        "炸裂",
        "自燃",
        "触电",
        "电到",
        "被电",
        "电了一下",
        "漏电",
        "烫伤",
        "烧伤",
        "受伤",
        "伤到",
        "割伤",
        "割到手",
        "烫到",
        "烫红",
        "烫起泡",
        "把手烫",
        "把孩子烫",
        "麻手",
        "烧了个洞",
        "烧黑",
        "鼓包",
        "突然炸了",
        "时候炸了",
        "流血",
        "中毒",
        "送医",
        "住院",
        "进了医院",
        "去了医院",
        "caught fire",
        "on fire",
        "burst into flames",
        "in flames",
        // Not "smoke" alone: a shop may sell smoke alarms.
        "started smoking",
        "is smoking",
        "was smoking",
        "smoke came",
        "smoke coming",
        "smoke is coming",
        "scald*",
        "zapped",
        "shocks me",
        "melted",
        "smoke from",
        "burning smell",
        "smells of burning",
        "smell of burning",
        "smells like burning",
        "smell like burning",
        "smells burnt",
        "smells of smoke",
        "smells like smoke",
        "smell of smoke",
        "smells burning",
        "smell burning",
        "burnt smell",
        "burned smell",
        "smells burned",
        "it's smoking",
        "burning plastic",
        "melting plastic",
        "烧焦味",
        "焦味",
        "糊味",
        "烧糊",
        "电线味",
        "sparks",
        "sparked",
        "sparking",
        "exploded",
        "explodes",
        "explosion",
        "electric shock",
        "shocked me",
        "got a shock",
        "gave me a shock",
        "electrocut*",
        "burned me",
        "burnt me",
        "burned my",
        "burnt my",
        "burned himself",
        "burned herself",
        "burned myself",
        "burned his",
        "burnt his",
        "burned her",
        "burnt her",
        "burned their",
        "burnt their",
        "burned our",
        "burnt our",
        "blistering",
        "blistered",
        "blisters",
        "got burned",
        "got burnt",
        "hand is burn*",
        "hands are burn*",
        "finger is burn*",
        "fingers are burn*",
        "arm is burn*",
        "skin is burn*",
        "i'm burned",
        "i am burned",
        "injured",
        "injury",
        "hurt me",
        "hurt my",
        "hurt myself",
        "cut myself",
        "bleeding",
        "poisoned",
        "poisoning",
        "toxic",
        "in hospital",
        "to hospital",
        "to the hospital",
        "in the hospital",
        // A body reacting to the goods, said as having happened ("过敏了", "broke out in
        // hives"): a health report like a burn, for the safety specialist, never a smell
        // that airing clears ("我对乳胶过敏" or "is it hypoallergenic" asks about a product).
        // Symptoms that are also said in jest ("看得我头晕", "your prices make me dizzy")
        // count only with a body or the goods' use beside them ([`SYMPTOM`]).
        "过敏了",
        "过敏反应",
        "过敏得",
        "过敏严重",
        "严重过敏",
        "引起过敏",
        "导致过敏",
        "红疹",
        "起疹",
        "疹子",
        "皮疹",
        "荨麻疹",
        "皮肤痒",
        "皮肤发痒",
        "呼吸困难",
        "喘不上气",
        "allergic reaction",
        "allergic to it",
        "allergy attack",
        "hives",
        "itchy skin",
        "skin is itchy",
        "skin itch*",
        "skin irritation",
        "irritated my skin",
        "trouble breathing",
    ];
    /// [`URGENT`]: the words of `Cue::Account`.
    URGENT_ACCOUNT = [
        "被盗",
        "盗号",
        "号被",
        "账号被",
        "帐号被",
        "账户被",
        "陌生设备",
        "异地登录",
        "不是我登录",
        "被人登录",
        "被人改了",
        "hacked",
        "hacker",
        "stolen account",
        "account stolen",
        "account was stolen",
        "someone logged",
        "logged into my account",
        "someone else logged",
        "someone changed my",
        "account compromised",
        "not me who ordered",
    ];
    /// [`URGENT`]: the words of `Cue::Fraud`.
    URGENT_FRAUD = [
        "诈骗",
        "骗子",
        "被骗",
        "盗刷",
        "冒充",
        "钓鱼",
        "不是我下的单",
        "没下单却",
        "fraud",
        "scam*",
        "scammed",
        "phishing",
        "unauthori*",
        "didn't make this",
        "did not make this",
        "i didn't order",
        "i did not order",
        "pretending to be",
        "posing as",
        "fake customer service",
        "假客服",
        "假冒",
    ];
    /// [`URGENT`]: the words of `Cue::Payment`.
    URGENT_PAYMENT = [
        "付款失败",
        "支付失败",
        "付不了款",
        "付不了钱",
        "支付不了",
        "付款不了",
        "无法支付",
        "无法付款",
        "付款不成功",
        "支付不成功",
        "扣款失败",
        "重复扣款",
        "扣了两次",
        "扣两次",
        "多扣",
        "扣款异常",
        "扣了钱",
        "钱扣了",
        "payment failed",
        "payment fail*",
        "payment declined",
        "card declined",
        "can't pay",
        "cant pay",
        "cannot pay",
        "unable to pay",
        "charged twice",
        "double charged",
        "charged me twice",
        "money was taken",
        "took my money",
        "payment didn't go through",
        "payment not going through",
        "payment won't go through",
        "transaction failed",
        "charged but no order",
        "钱扣了订单没",
        "扣款了没有订单",
        "被扣款",
    ];
    /// [`URGENT`]: the words of `Cue::None`.
    URGENT_NONE = ["紧急", "急急急", "urgent", "emergency"];
    /// [`COMPLAINT`]: the words of `Cue::Dispute`.
    COMPLAINT_DISPUTE = [
        "拒绝退款",
        "拒绝我退款",
        "拒绝给我退款",
        "拒绝了我的退款",
        "拒绝了退款",
        "拒绝退货",
        "拒绝我退货",
        "拒绝了我的退货",
        "拒绝售后",
        "拒绝了我的售后",
        "退款被拒",
        "退货被拒",
        "售后被拒",
        "申请被拒",
        "驳回",
        "不给退",
        "不给我退",
        "不让退",
        "不让我退",
        "不肯退",
        "不同意退",
        "不同意给我退",
        "不同意我退",
        "refused my refund",
        "refused my return",
        "refused a refund",
        "refused to refund",
        "refuse to refund",
        "refusing to refund",
        "refusing my refund",
        "denied my refund",
        "denied my return",
        "rejected my refund",
        "rejected my return",
        "refund was denied",
        "refund was refused",
        "refund was rejected",
        "refund request was",
        "return was denied",
        "return was refused",
        "return was rejected",
        "return request was",
        "won't refund",
        "will not refund",
        "wouldn't refund",
        "won't give me a refund",
        "won't accept my return",
    ];
    /// [`COMPLAINT`]: the words of `Cue::Damaged`.
    COMPLAINT_DAMAGED = [
        "坏了",
        "破损",
        "损坏",
        "摔坏",
        "烂了",
        "变形",
        "划痕",
        "刮花",
        "scratched",
        "torn",
        "ripped",
        "压坏",
        "碎了",
        "裂了",
        "破了",
        "摔碎",
        "压扁",
        "坏的",
        "broken",
        "broke",
        "damaged",
        "smashed",
        "cracked",
        "shattered",
        "dented",
        "arrived damaged",
        "a crack",
        "a hole",
        "holes in",
        "stained",
        "a stain",
        "chipped",
    ];
    /// [`COMPLAINT`]: the words of `Cue::WrongItem`.
    COMPLAINT_WRONG_ITEM = [
        "发错",
        "错发",
        "寄错",
        "少发",
        "漏发",
        "少了一件",
        "少了个",
        "少了一个",
        "少一个",
        "少件",
        "少了东西",
        "少了一样",
        "缺件",
        "不是我买的",
        "wrong item",
        "wrong size",
        "wrong colour",
        "wrong color",
        "wrong product",
        "not what i ordered",
        "missing item",
        "missing part*",
        "item missing",
        "parts missing",
    ];
    /// [`COMPLAINT`]: the words of `Cue::NotAsDescribed`.
    COMPLAINT_NOT_AS_DESCRIBED = [
        "货不对板",
        "描述不符",
        "描述不一样",
        "描述不一致",
        "比描述",
        "图片不一样",
        "图片不符",
        "图片不一致",
        "比图片",
        "照片不一样",
        "照片不符",
        "比照片",
        "图文不符",
        "实物不符",
        "和宣传的不一样",
        "跟宣传的不一样",
        "色差很大",
        "色差太大",
        "色差好大",
        "色差严重",
        "严重色差",
        "not as described",
        "not what was advertised",
        "not what was described",
        "not what was pictured",
        "跟图片差",
        "和图片差",
        "与图片差",
        "跟描述差",
        "和描述差",
        "than described",
        "than advertised",
        "than pictured",
        "than in the picture",
        "than the picture",
        "than the photo",
        "than on the website",
        "than on the site",
        "than in the listing",
        "nothing like the photo*",
        "nothing like the picture*",
        "nothing like the description",
        "doesn't match the photo*",
        "doesn't match the picture*",
        "doesn't match the description",
        "doesn't match the listing",
        "does not match the photo*",
        "does not match the picture*",
        "does not match the description",
        "does not match the listing",
        "different from the photo*",
        "different from the picture*",
        "different from the description",
        "not what the listing",
        "not like the photo*",
        "not like the picture*",
    ];
    /// [`COMPLAINT`]: the words of `Cue::Quality`.
    COMPLAINT_QUALITY = [
        "质量差",
        "质量太差",
        "质量问题",
        "质量不好",
        "不能用",
        "用不了",
        "不工作",
        "不转",
        "不加热",
        "故障",
        "有问题",
        "假货",
        "次品",
        "残次",
        "掉色",
        "起球",
        "异味",
        "怪味",
        "臭味",
        "刺鼻",
        "有股味",
        "瑕疵",
        "毛病",
        "不好用",
        "坏掉",
        "漏水",
        "doesn't work",
        "does not work",
        "not working",
        "stopped working",
        "won't turn on",
        "wont turn on",
        "faulty",
        "defective",
        "poor quality",
        "bad quality",
        // A complaint says the item is fake; "are your products real or fake" asks.
        "is fake",
        "are fake",
        "a fake",
        "looks fake",
        "it's fake",
        "its fake",
        "smells",
        "stinks",
        "strange smell",
        "weird smell",
        "bad smell",
        "chemical smell",
        "leak*",
        "falling apart",
    ];
    /// [`COMPLAINT`]: the words of `Cue::Service`.
    COMPLAINT_SERVICE = [
        "投诉",
        "态度差",
        "态度很差",
        "服务很差",
        "服务太差",
        "态度太差",
        "态度不好",
        "态度恶劣",
        "不理人",
        "不理我",
        "没人回",
        "没人理",
        "挂我电话",
        "挂了我电话",
        "no one replied",
        "nobody replied",
        "no one answered",
        "nobody answered",
        "waiting for a reply",
        "days for a reply",
        "hours for a reply",
        "still no reply",
        "hung up on me",
        "敷衍",
        "一直拖",
        "拖这么久",
        "拖了这么久",
        "差评",
        "不满意",
        "太差劲",
        "垃圾店",
        "再也不买",
        "never buy again",
        "never shop here again",
        "never again",
        "维权",
        "12315",
        "消协",
        "消费者协会",
        "工商局",
        "举报你们",
        "consumer protection",
        // A legal threat, not a question about the law ("律师咨询怎么找"): said of the case.
        "找律师",
        "请律师",
        "律师函",
        "起诉",
        "告你们",
        "法院见",
        "上法院",
        "my lawyer",
        "get a lawyer",
        "my solicitor",
        "legal action",
        "sue you",
        "sue your",
        "sue the",
        "take you to court",
        "small claims",
        "chargeback",
        "charge back",
        "report you to",
        "trading standards",
        "骗人",
        "欺骗",
        "complain*",
        "rude",
        "bad service",
        "terrible service",
        "awful service",
        "horrible service",
        "worst service",
        "service is terrible",
        "service is awful",
        "service is horrible",
        "service is bad",
        "service is poor",
        "service is the worst",
        "poor service",
        "ignored",
        "ignoring me",
        "unacceptable",
        "not happy",
        "unhappy",
        "disappointed",
        "worst",
        "ripped off",
        "rip off",
    ];
    /// [`ORDER`]: the words of `Cue::Address`.
    ORDER_ADDRESS = [
        "改地址",
        "修改地址",
        "地址填错",
        "地址写错",
        "换地址",
        "更改地址",
        "改收货",
        "地址错了",
        "改一下地址",
        "change address",
        "change the address",
        "change my address",
        "wrong address",
        "update my address",
        "update the address",
        "new address",
        "redirect",
        "改收货地址",
        "改一下收货地址",
        "修改收货地址",
        "地址改一下",
        "换个地址",
        "地址要改",
        "改一下地址",
    ];
    /// [`ORDER`]: the words of `Cue::Cancel`.
    ORDER_CANCEL = [
        "取消订单",
        "不想要了",
        "取消这个订单",
        "撤销订单",
        "订单取消",
        "拦截",
        "cancel*",
        "don't want it anymore",
        "stop the order",
        "stop my order",
    ];
    /// [`ORDER`]: the words of `Cue::Delay`.
    ORDER_DELAY = [
        "还没到",
        "还没收到",
        "没收到",
        "迟迟",
        "延迟",
        "太慢",
        "好几天",
        "几天了",
        "一直没",
        "还没发货",
        "没发货",
        "不发货",
        "怎么还没",
        "超时",
        "不动了",
        "没更新",
        "丢件",
        "丢了",
        "催单",
        "催一下",
        "催发货",
        "催催",
        "hasn't arrived",
        "has not arrived",
        "hasn't come",
        "not arrived",
        "not received",
        "haven't received",
        "have not received",
        "never received",
        "never arrived",
        "didn't arrive",
        "still waiting",
        "still not",
        "late",
        "delayed",
        "overdue",
        "taking so long",
        "not shipped",
        "hasn't shipped",
        "lost parcel",
        "parcel lost",
        "package lost",
        "parcel is lost",
        "lost in transit",
        "stuck",
        "没动",
        "没有动静",
        "几天都没",
        "还不到",
        "haven't got",
        "have not got",
        "didn't get my",
        "did not get my",
        "not delivered",
        "hasn't been delivered",
        "wasn't delivered",
        "missing parcel",
        "parcel missing",
        "package missing",
        "没到货",
        "还没送到",
        "收不到货",
        "没有收到",
    ];
    /// [`ORDER`]: the words of `Cue::Tracking`.
    ORDER_TRACKING = [
        "到哪了",
        "到哪里了",
        "到哪儿了",
        "物流信息",
        "快递到",
        "包裹到",
        "查物流",
        "查快递",
        "查单",
        "查件",
        "查订单",
        "查下订单",
        "查一下订单",
        "查查订单",
        "查询订单",
        "订单查询",
        "订单状态",
        "看下订单",
        "看一下订单",
        "我的订单",
        "我的快递",
        "我的包裹",
        "单号",
        "发货了吗",
        "什么时候到",
        "签收",
        "派送",
        "配送",
        "where is my",
        "where's my",
        "wheres my",
        "track*",
        "my order",
        "my parcel",
        "my package",
        "my delivery",
        "the parcel",
        "order status",
        "shipping status",
        "when will it arrive",
        "when will my",
        "dispatch*",
        "shipped",
        "courier",
    ];
    /// Phrases that ask for a person.
    HUMAN = [
        "人工",
        "真人",
        "人呢",
        "客服呢",
        "转人工",
        "找人工",
        "活人",
        "客服人员",
        "人类",
        "找个人",
        "找你们的人",
        "human",
        "real person",
        "a person",
        "live agent",
        "an agent",
        "agent please",
        "speak to someone",
        "talk to someone",
        "speak to a",
        "talk to a",
        "representative",
        "operator",
        "customer service person",
        "someone real",
        "live chat",
        "speak with someone",
        "speak with somebody",
        "speak with a",
        "speak with customer service",
        "talk with someone",
        "talk with somebody",
        "talk with a",
        "chat with someone",
        "chat with somebody",
        "chat with a",
        "speak to somebody",
        "talk to somebody",
        "contact customer service",
        "reach customer service",
        "speak with customer support",
        "agent",
        "a manager",
        "the manager",
        "your manager",
        "supervisor",
        // Asking to be called or written to back.
        "联系我",
        "给我打电话",
        "给我回电话",
        "打给我",
        "回电",
        // Not "call me" alone: a KB may answer it (a shop that calls leads back).
        "call me on",
        "call me at",
        "call me back",
        "contact me",
        "email me",
        "e-mail me",
        "get back to me",
    ];
    /// "No need for a person": these cancel a request.
    NOT_HUMAN = [
        "不用转人工",
        "不用人工",
        "不需要人工",
        "不要人工",
        "不用真人",
        "不用找人工",
        "别转人工",
        "no need for a human",
        "don't need a human",
        "dont need a human",
        "no need for an agent",
        "don't need an agent",
        "not a human",
        "no human",
    ];
    /// The shop's own website, app or pages: a message about them ("your website keeps crashing",
    /// "网站一直打不开") is the shop's business even when the KB has no entry for it.
    SHOP_ITSELF = ["website", "web site", "your site", "app", "checkout page", "网站", "网页", "页面", "小程序", "闪退", "打不开"];
    /// Asking when or how long, or for news ("多久能处理好", "any update?").
    WHEN = [
        "多久",
        "多长时间",
        "什么时候",
        "啥时候",
        "几点",
        "几天",
        "有消息",
        "进展",
        "进度",
        "how long",
        "when will",
        "when can",
        "when do",
        "when are you",
        "any update",
        "any news",
        "how soon",
    ];
    /// The shopper has no order number at hand: after an answer, asking for it again is no help.
    NO_ORDER_NUMBER = [
        "don't know my order number",
        "don't have my order number",
        "don't have an order number",
        "don't have the order number",
        "can't find my order number",
        "can't find the order number",
        "lost my order number",
        "forgot my order number",
        "no order number",
        "where is my order number",
        "where do i find my order number",
        "不知道订单号",
        "没有订单号",
        "找不到订单号",
        "订单号找不到",
        "忘了订单号",
        "订单号忘了",
        "不记得订单号",
        "订单号在哪",
    ];
    /// Ways of paying (English): a failure word soon after one is a payment gone wrong.
    PAYING = [
        "card",
        "cards",
        "cvv",
        "visa",
        "mastercard",
        "amex",
        "paypal",
        "pay",
        "paying",
        "payment",
        "payments",
        "transaction",
        "checkout",
        "bank",
    ];
    /// Failure words: after a way of paying ("my card got declined", "tried to pay but it failed")
    /// or right before one ("failed payment", "rejected my card", "failed to pay").
    FAILING = [
        "declined",
        "declining",
        "declines",
        "rejected",
        "failed",
        "failing",
        "fails",
        "error",
        "bounced",
        "refused",
        "denied",
        "wont go through",
        "didnt go through",
        "doesnt go through",
        "not going through",
        "isnt going through",
        "not go through",
        "never went through",
    ];
    /// Taking money (English): with "twice" soon after it, the shopper paid twice for one thing.
    CHARGING = [
        "charged",
        "charge",
        "charging",
        "billed",
        "billing",
        "deducted",
        "debited",
        "withdrawn",
        "took",
        "taken",
        "paid",
    ];
    /// Twice (English). "Double" only right next to the charge: "paid for the double duvet" is a size.
    TWICE = ["twice", "2x", "x2", "two times", "2 times"];
    DOUBLE = ["double", "duplicate", "doubled"];
    /// Money gone without an order to show for it (English): the money half…
    MONEY_OUT = [
        "money gone",
        "money is gone",
        "money was taken",
        "money taken",
        "money has been taken",
        "money left",
        "money has left",
        "left my account",
        "left my bank",
        "gone from my",
        "taken from my",
        "deducted",
        "debited",
        "charged",
        "i paid",
        "i've paid",
        "already paid",
    ];
    /// … and the order half.
    NO_ORDER = [
        "no order",
        "order not placed",
        "order wasn't placed",
        "order was not placed",
        "order didn't go through",
        "order did not go through",
        "order never went through",
        "order isn't showing",
        "order is not showing",
        "order not showing",
        "order doesn't show",
        "order does not show",
        "order isn't there",
        "order failed",
        "no confirmation",
        "no order confirmation",
        "can't see my order",
        "can't see the order",
        "order says unpaid",
        "order shows unpaid",
        "still says unpaid",
    ];
    /// The same in Chinese, where the units are characters: paying …
    ZH_PAYING = ["付款", "支付", "付钱", "刷卡", "银行卡", "信用卡", "储蓄卡", "结账", "结算", "买单"];
    /// … failing …
    ZH_FAILING = ["失败", "不成功", "没成功", "未成功", "被拒", "拒绝", "不通过", "没通过", "报错", "出错", "异常"];
    /// … taking money (not a bare 扣: 扣子 is a button, 折扣 a discount) …
    ZH_CHARGING = ["扣了", "扣款", "扣费", "扣钱", "被扣", "扣我", "付了", "支付了", "收了我", "多收"];
    /// … twice, after the taking ("扣了我两次") or before it ("重复扣款", "两次扣款") …
    ZH_TWICE = ["两次", "两遍", "2次", "二次", "两笔", "2笔", "双倍", "重复"];
    ZH_TAKING = ["扣", "付款", "支付", "收费"];
    /// … and paid without an order to show for it (钱扣了 alone is already a payment cue).
    ZH_MONEY_OUT = ["付了钱", "钱付了", "已付款", "已经付款", "付款成功", "支付成功", "钱没了", "钱被扣"];
    ZH_NO_ORDER = [
        "没有订单",
        "没订单",
        "订单没生成",
        "订单没有生成",
        "没生成订单",
        "订单没出来",
        "没下单成功",
        "下单没成功",
        "显示未付款",
        "显示待付款",
        "还是待付款",
        "订单不见",
        "找不到订单",
        "订单消失",
    ];
    /// A payment going wrong asked about, not happening ("what happens if my card is declined",
    /// "如果付款失败会怎样"): for the FAQ, not the green channel. Narrower than [`HYPOTHETICAL`]:
    /// "not sure if it went through, my card was declined" reports one.
    PAYMENT_ASKED = ["what if", "what happens if", "what happens when", "in case", "如果", "万一", "假如", "要是"];
    /// Words that end in a [`PAYMENT_ASKED`] cue and ask nothing ("主要是付款失败了": mainly).
    NOT_ASKED = ["主要是", "只要是", "需要是", "还要是"];
    /// Something swallowed or choked on: a child or a pet in danger, whatever the item.
    SWALLOWED = [
        "swallowed",
        "choked",
        "choking on",
        "is choking",
        "was choking",
        "started choking",
        "误吞",
        "吞了",
        "吞下",
        "吞进",
        "卡喉咙",
        "卡在喉咙",
        "卡住喉咙",
        "卡到喉咙",
        "噎住",
        "噎着",
    ];
    /// A cash machine keeping a card ("the ATM swallowed my card", "取款机吞卡了") is a bank's
    /// matter, not a person in danger.
    CARD_KEPT = ["atm", "cash machine", "machine", "card", "取款机", "吞卡", "银行卡"];
    /// Water where it is not meant to be (English): leaking, wet, water got in …
    WATER = [
        "leaking",
        "leaked",
        "leaks",
        "wet",
        "dripping",
        "dripped",
        "spilled",
        "spilt",
        "soaked",
        "flooded",
        "water got",
        "water gets",
        "water came",
        "water coming",
        "water is coming",
        "water in",
        "water into",
        "water inside",
        "water all over",
        "water on",
        "water everywhere",
    ];
    /// … near the mains (English) …
    POWER = [
        "plug",
        "plugs",
        "socket",
        "sockets",
        "outlet",
        "outlets",
        "power point",
        "power strip",
        "extension lead",
        "mains",
        "electrics",
        "electrical",
        "wiring",
        "wires",
        "cable",
        "cord",
    ];
    /// … and the same in Chinese.
    ZH_WATER = ["漏水", "进水", "渗水", "溅水", "水洒", "洒水", "湿了", "有水", "水漏", "泡水"];
    ZH_POWER = ["插座", "插头", "插排", "排插", "插线板", "电源", "电线", "线路", "电路"];
    /// A hypothetical ("what if water gets in the plug", "万一孩子吞了怎么办"): a question for
    /// the KB, not a hazard happening now.
    HYPOTHETICAL = ["if", "what if", "如果", "万一", "假如", "要是"];
    /// The item has been in use a while or worn ("after a while", "wear and tear", "用久了"):
    /// the item's age, said without a number (see `in_use_for_a_while`).
    USED_A_WHILE = [
        "after a while",
        "after some time",
        "after a long time",
        "wear and tear",
        "worn out",
        "over time",
        "bought it last",
        "got it last",
        "purchased it last",
        "用了一段时间",
        "用久了",
        "用了很久",
        "用了好久",
        "用了几年",
        "用了好几年",
    ];
    /// An accident that does not say whose it was ("dropped it", "knocked it over", "掉地上"):
    /// the shopper's, or the courier's. Enough to hold back the free remedy
    /// (`in_use_for_a_while`), not to call it a paid repair ([`OWN_DAMAGE`] names who).
    ACCIDENT = [
        "dropped it",
        "knocked it over",
        "knocked it off",
        "stepped on it",
        "sat on it",
        "by accident",
        "accidentally",
        "不小心碰",
        "掉地上",
        "掉到地上",
    ];
    /// Before "after N weeks": the time was the wait for the parcel ("arrived broken after 3
    /// weeks in transit"), not time in use.
    WAITED = [
        "arrived",
        "arrive",
        "arriving",
        "came",
        "delivered",
        "delivery",
        "shipping",
        "shipped",
        "transit",
        "waited",
        "waiting",
        "wait",
    ];
    /// Asking whether a hazard is normal ("正常吗", "is it normal"): a question for the KB only
    /// about a new item ([`FIRST_USE`]: "空气炸锅第一次用有点冒烟正常吗"); of an item in use
    /// ("the kettle is smoking, is it normal?") it is a report.
    NORMAL_QUESTION = ["正常吗", "正常么", "is it normal", "is that normal", "is this normal"];
    /// A question about a risk rather than a report of one.
    RISK_QUESTION = [
        "会不会",
        "会着火",
        "会起火",
        "会冒烟",
        "会漏电",
        "会爆炸",
        "风险",
        "安全吗",
        "是否",
        "容易",
        "will it",
        "could it",
        "is it safe",
        "risk",
        // Allergies and itching, asked about ("会过敏吗", "适合过敏体质吗", "is it hypoallergenic").
        "会过敏",
        "过敏吗",
        "过敏体质",
        "易过敏",
        "防过敏",
        "抗过敏",
        "低敏",
        "会痒",
        "痒不痒",
        "痒吗",
        "适合",
        "hypoallergenic",
        "suitable",
        "allergy sufferers",
        "for people with",
    ];
    /// Eating or drinking what the goods made or held, asked about or done.
    INGESTED = [
        "还能喝",
        "能喝吗",
        "能不能喝",
        "可以喝吗",
        "敢喝",
        "还能吃",
        "能吃吗",
        "能不能吃",
        "可以吃吗",
        "敢吃",
        "safe to drink",
        "safe to eat",
        "ok to drink",
        "okay to drink",
        "ok to eat",
        "okay to eat",
        "fine to drink",
        "fine to eat",
        "drinkable",
        "still drink",
        "still eat",
    ];
    /// Symptoms that name a reaction only beside a body or the goods' use ([`BODY_OR_USE`]): alone
    /// they are also said in jest or of a parcel ("选来选去看得我头晕", "the box arrived swollen").
    SYMPTOM = [
        "头晕",
        "恶心",
        "呕吐",
        "拉肚子",
        "腹泻",
        "红肿",
        "起包",
        "起红点",
        "起疙瘩",
        "瘙痒",
        "发痒",
        "很痒",
        "好痒",
        "rash",
        "rashes",
        "a reaction",
        "swollen",
        "swelling",
        "dizzy",
        "nause*",
        "vomit*",
        "threw up",
        "throwing up",
        "diarrh*",
        "itch*",
    ];
    /// A body or a person, or the goods used, worn, slept under, eaten or drunk from, or smelt.
    BODY_OR_USE = [
        "皮肤",
        "脸上",
        "脸都",
        "身上",
        "全身",
        "手上",
        "脖子",
        "孩子",
        "宝宝",
        "小孩",
        "儿子",
        "女儿",
        "老人",
        "用了",
        "用完",
        "使用后",
        "盖了",
        "睡了",
        "穿了",
        "戴了",
        "涂了",
        "抹了",
        "喝了",
        "吃了",
        "闻了",
        "味道",
        "气味",
        "skin",
        "face",
        "body",
        "my hands",
        "my neck",
        "baby",
        "kid",
        "kids",
        "child",
        "children",
        "son",
        "daughter",
        "after using",
        "since using",
        "after sleeping",
        "after drinking",
        "after eating",
        "after wearing",
        "used it",
        "slept on",
        "the smell",
        "the fumes",
        "fumes",
    ];
    /// Smells and tastes of something that should not be there, beyond [`SMELL`].
    OFF_TASTE = [
        "塑料味",
        "胶味",
        "化学味",
        "漆味",
        "锈味",
        "金属味",
        "药味",
        "霉味",
        "tastes like",
        "tastes of",
        "taste of",
        "weird taste",
        "strange taste",
        "funny taste",
    ];
    /// Fraud words that name no fraud done to the shopper: in a complaint about the service
    /// ("我要投诉 垃圾店铺 骗子") they are an insult, not a report for the green channel.
    FRAUD_INSULTS = ["骗子", "诈骗", "fraud", "scam*"];
    /// Who an insult of [`FRAUD_INSULTS`] is said of, a few words before it ("are you a scam",
    /// "you people are frauds"): the shop.
    ACCUSED_YOU = ["you", "you guys", "you people", "your shop", "your store", "your company"];
    /// [`ACCUSED_YOU`] in Chinese, up to four characters before the insult ("你们是不是骗子").
    ZH_ACCUSED_YOU = ["你们", "你家", "你们店", "你们家", "商家"];
    /// The shopper calls the shop a cheat ("你们就是骗子"): an angry complaint about the service
    /// (cue `Service`), not a fraud to report through the green channel.
    SHOP_ACCUSED = [
        "你们就是骗子",
        "你们是骗子",
        "你们这是诈骗",
        "骗子公司",
        "骗子店",
        "骗子商家",
        "you are scammers",
        "you're scammers",
        "you guys are scammers",
        "you are a scam",
        "you're a scam",
        "your shop is a scam",
        "your company is a scam",
        "scam company",
        "scam shop",
        "shop is a scam",
        "store is a scam",
        "site is a scam",
        "website is a scam",
        "店就是骗子",
        "店是骗子",
        "店就是骗人",
    ];
    /// Money coming back: with a "where is it" or "still not here", the refund is late, not a parcel.
    REFUND = ["退款", "退钱", "退的钱", "refund*", "money back", "my money"];
    /// The shopper's own slip, not the shop's: "I ordered the wrong size" asks how to exchange,
    /// "you sent the wrong size" is a wrong item.
    OWN_MISTAKE = [
        "买错",
        "拍错",
        "下错",
        "选错",
        "点错",
        "ordered the wrong",
        "bought the wrong",
        "chose the wrong",
        "picked the wrong",
        "selected the wrong",
        "wrong size selected",
        "wrong colour selected",
        "wrong color selected",
    ];
    /// Things a shopper can find "not working" that are not goods: coupons, codes, points, gift
    /// cards. With one of them, "用不了" / "doesn't work" is a question about the promotion.
    NOT_GOODS = [
        "优惠券",
        "优惠卷",
        "券",
        "红包",
        "积分",
        "优惠码",
        "折扣码",
        "兑换码",
        "礼品卡",
        "满减",
        "coupon*",
        "voucher*",
        "promo code*",
        "discount code*",
        "gift card*",
        "promo*",
        "points",
        "reward point*",
    ];
    /// The warranty is over: a breakdown now is a paid repair, not the shop's fault to put right.
    /// Not "过保" alone: "超过保质期" is a shelf life, "用过保湿霜" a moisturiser, "通过保价"
    /// shipping insurance.
    OUT_OF_WARRANTY = [
        "过了保修",
        "过保了",
        "已过保",
        "已经过保",
        "刚过保",
        "过保的",
        "过保后",
        "过保修",
        "过保一",
        "过保两",
        "过保半",
        "过保几",
        "保修期过了",
        "保修期已过",
        "保修期已经过了",
        "保修过了",
        "超过保修",
        "超出保修",
        "出了保修期",
        "出保了",
        "保修过期",
        "保修期外",
        "不在保修",
        "过了质保",
        "质保期过了",
        "质保过了",
        "超过质保期",
        "超出质保期",
        "不在质保期",
        "out of warranty",
        "warranty expired",
        "warranty has expired",
        "warranty had expired",
        "warranty is over",
        "warranty ran out",
        "warranty has run out",
        "warranty ended",
        "warranty has ended",
        "expired warranty",
        "past the warranty",
        "after the warranty",
        "outside the warranty",
        "outside warranty",
        "no longer under warranty",
        "not under warranty",
    ];
    /// Damage said not to be the shopper's own ("这不是人为损坏", "it's not my fault"), or
    /// done by the courier ("快递不小心摔坏了": 不小心摔 alone is the shopper's): the
    /// complaint stands.
    NOT_OWN_DAMAGE = [
        "快递不小心",
        "快递员不小心",
        "快递小哥不小心",
        "物流不小心",
        "送货的不小心",
        "courier dropped",
        "driver dropped",
        "不是人为",
        "非人为",
        "并非人为",
        "没有人为",
        "不是我摔",
        "不是我弄",
        "没摔",
        "没有摔",
        "没碰",
        "not my fault",
        "wasn't my fault",
        "isn't my fault",
        "not my own fault",
        "i didn't drop",
        "i did not drop",
        "i never dropped",
        "didn't drop it",
    ];
    /// The shopper (or someone at home) caused the damage ("I dropped it", "我摔坏的", "人为"):
    /// a paid repair, not a faulty item.
    OWN_DAMAGE = [
        "人为",
        "我摔",
        "自己摔",
        "我弄坏",
        "自己弄坏",
        "我不小心",
        "不小心摔",
        "不小心弄",
        "不小心掉",
        // Not "被我" alone: "被我发现有裂缝" is the shopper finding the shop's fault ("被我摔" is
        // "我摔", "被孩子摔" "孩子摔").
        "被我弄",
        "被我碰",
        "被孩子弄",
        "孩子摔",
        "孩子弄坏",
        "小孩摔",
        "小孩弄坏",
        "i dropped",
        "i broke",
        "i accidentally",
        "accidentally dropped",
        "accidentally broke",
        "my fault",
        "my own fault",
        "my son broke",
        "my daughter broke",
        "my kid broke",
        "my kids broke",
        "my toddler broke",
        "dog chewed",
        "i sat on",
        "i spilled",
    ];
    /// Asking whether the policy refuses a return, not disputing a refusal.
    POLICY_ASKED = ["不给退吗", "不让退吗", "不给退货吗", "不让退货吗", "不给退款吗"];
    /// Asking how far a case got ("处理得怎么样了", "有结果了吗", "status of my complaint").
    PROGRESS = [
        "怎么样了",
        "进度",
        "进展",
        "处理到哪",
        "到哪一步",
        "有结果了吗",
        "有结果吗",
        "有没有结果",
        "处理好了吗",
        "处理了吗",
        "有回复了吗",
        "status of my",
        "status of the",
        "update on my",
        "update on the",
        "progress",
        "any news",
        "any update",
        "what happened with my",
        "what happened to my",
    ];
    /// The words naming a complaint itself, which a question about its progress holds.
    COMPLAINT_NAMED = ["投诉", "complain*"];
    /// Ways to pay. "花呗用不了", "my credit card isn't working": a payment that fails, for the
    /// green channel (the seeds' urgent tier), not a faulty product with a repair to offer. Whole
    /// names only: "卡" or "card" alone is as often a gift card or a membership card.
    PAY_METHODS = [
        "花呗",
        "白条",
        "微信支付",
        "支付宝",
        "云闪付",
        "信用卡",
        "银行卡",
        "储蓄卡",
        "借记卡",
        "网银",
        "apple pay",
        "google pay",
        "paypal",
        "credit card",
        "debit card",
        "bank card",
    ];
    /// Not working, said of a way to pay (English) …
    METHOD_FAILS = [
        "doesn't work",
        "does not work",
        "isn't working",
        "is not working",
        "not working",
        "won't work",
        "keeps failing",
        "failed",
        "declined",
        "rejected",
    ];
    /// … and in Chinese.
    ZH_METHOD_FAILS = [
        "用不了",
        "不能用",
        "没法用",
        "无法使用",
        "付不了",
        "付不出",
        "支付不了",
        "付款不了",
        "不能付",
        "不能支付",
        "不好使",
        "被拒",
        "失败",
    ];
    /// [`asks_erasure`]: erasing …
    ERASING = ["删", "清除", "注销", "销毁", "delete", "deleted", "erase", "remove", "wipe"];
    /// … what the shop keeps about the shopper.
    PERSONAL_DATA = [
        "个人信息",
        "个人资料",
        "个人数据",
        "信息",
        "资料",
        "数据",
        "隐私",
        "手机号",
        "电话",
        "地址",
        "身份证",
        "账号",
        "账户",
        "帐号",
        "帐户",
        "personal data",
        "personal information",
        "personal details",
        "data",
        "details",
        "information",
        "info",
        "phone number",
        "number",
        "address",
        "account",
    ];
    /// Asking to escalate and nothing else: the word a shop's escalation answer tells shoppers to
    /// send ("发送「升级」", "type \"escalate\"").
    ESCALATE = [
        "升级",
        "升级处理",
        "申请升级",
        "我要升级",
        "要求升级",
        "escalate",
        "escalate it",
        "escalate this",
        "escalate my case",
        "escalation",
        "please escalate",
        "escalate please",
        "escalate my complaint",
        "i want to escalate",
        "i want to escalate this",
        "i want to escalate my complaint",
        "i'd like to escalate",
        "i would like to escalate",
        "升级投诉",
        "我要升级投诉",
        "投诉升级",
        "申请升级处理",
    ];
    /// Smell words: a complaint of a smell may be a new item's smell that airing clears.
    SMELL = ["异味", "怪味", "臭味", "气味", "味道", "有股味", "有味", "刺鼻", "smell*", "stink*", "odor*", "odour*"];
    /// An entry's text that speaks of smells: any 味 ("新机味", "乳胶味") or a smell word.
    SMELL_TEXT = ["味", "smell*", "stink*", "odor*", "odour*"];
    /// The safety words that are a smell of burning and nothing more ([`only_a_smell`]).
    BURNT_SMELL = [
        "burning smell",
        "burnt smell",
        "burned smell",
        "smells of burning",
        "smell of burning",
        "smells like burning",
        "smell like burning",
        "smells burning",
        "smell burning",
        "smells burnt",
        "smells burned",
        "smells of smoke",
        "smells like smoke",
        "smell of smoke",
        "烧焦味",
        "烧焦的味",
        "烧焦的气味",
        "焦糊味",
        "烧糊味",
        "焦味",
        "糊味",
        "电线味",
    ];
    /// A new item's first days ([`first_use_smell_asked`]).
    FIRST_USE = [
        "first use*",
        "first time",
        "first few",
        "first run",
        "first used",
        "1st use",
        "1st time",
        "new",
        "第一次",
        "首次",
        "头一次",
        "刚买",
        "新买",
        "刚收到",
        "刚到",
        "刚用",
        "新机",
        "新的",
    ];
    /// Asking whether something is normal ([`first_use_smell_asked`]).
    NORMAL_ASKED = ["normal", "正常", "is it ok*", "is that ok*", "is this ok*"];
    /// Saying it is not ("不正常", "not normal"): no question.
    NOT_NORMAL = ["not normal", "isn't normal", "不正常", "不太正常"];
    /// When people are there to talk to ("几点有人工", "人工客服工作时间", "what time can I talk to a
    /// person"): a question for the KB's service hours, not a request to hand over now.
    HOURS_ASKED = [
        "几点",
        "上班",
        "下班",
        "工作时间",
        "服务时间",
        "上班时间",
        "在线时间",
        "营业时间",
        "什么时候有",
        "什么时间",
        "啥时候有",
        "周末有",
        "节假日有",
        "what time",
        "what hours",
        "which hours",
        "opening hours",
        "business hours",
        "working hours",
        "office hours",
        "hours of",
        "when are",
        "when can",
        "when do",
        "available when",
        "on weekends",
        "at weekends",
    ];
    /// A request for a person in so many words ("转人工", "I want to talk to a person"): with an hours
    /// word too ("转人工 等了好长时间了") it is still one.
    HUMAN_NOW = [
        "转人工",
        "找人工",
        "要人工",
        "接人工",
        "叫人工",
        "换人工",
        "i want a",
        "i want to talk",
        "i want to speak",
        "i need to talk",
        "i need to speak",
        "put me through",
        "transfer me",
        "right now",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::normalize;

    fn c(s: &str) -> (Triage, Cue) {
        classify(&normalize(s))
    }

    #[test]
    fn classes_in_both_languages_and_scripts() {
        let table: &[(&str, Triage, Cue)] = &[
            ("空气炸锅多大容量？", Triage::Product, Cue::None),
            ("What size is the air fryer?", Triage::Product, Cue::None),
            // A symptom said in jest or of a parcel is no safety report; beside a body or the
            // goods' use it is.
            ("选来选去看得我头晕 到底哪个好", Triage::Product, Cue::None),
            ("your prices make me dizzy", Triage::Product, Cue::None),
            ("dont make a rash decision, which pillow is best", Triage::Product, Cue::None),
            ("the box arrived swollen", Triage::Product, Cue::None),
            // Damage said not to be the shopper's own is still the shop's to put right.
            ("这不是人为损坏 水壶坏了", Triage::Complaint, Cue::Damaged),
            ("it's not my fault, the kettle arrived broken", Triage::Complaint, Cue::Damaged),
            // The courier's accident is no own damage; an accident with no one named is.
            ("快递不小心摔坏了", Triage::Complaint, Cue::Damaged),
            ("快递员不小心把杯子摔碎了", Triage::Complaint, Cue::Damaged),
            ("the courier dropped it and the kettle is broken", Triage::Complaint, Cue::Damaged),
            ("不小心摔坏了 能修吗", Triage::Product, Cue::None),
            ("被子味道太大 闻了头晕", Triage::Urgent, Cue::Safety),
            ("the fumes from the air fryer made me dizzy", Triage::Urgent, Cue::Safety),
            ("my face is swollen after using the pillow", Triage::Urgent, Cue::Safety),
            ("我的快递到哪了", Triage::Order, Cue::Tracking),
            ("帮我查下订单", Triage::Order, Cue::Tracking),
            ("i ordered a kettle last week and it still hasnt come", Triage::Order, Cue::Delay),
            ("your service is terrible", Triage::Complaint, Cue::Service),
            ("东西收到了但是少了一个", Triage::Complaint, Cue::WrongItem),
            ("訂單查詢", Triage::Order, Cue::Tracking),
            ("我的快遞到哪了", Triage::Order, Cue::Tracking),
            ("where is my parcel", Triage::Order, Cue::Tracking),
            ("包裹好几天了还没到", Triage::Order, Cue::Delay),
            ("my order is LATE", Triage::Order, Cue::Delay),
            ("地址填错了，能改地址吗", Triage::Order, Cue::Address),
            ("I need to change my address", Triage::Order, Cue::Address),
            ("我要取消訂單", Triage::Order, Cue::Cancel),
            ("please cancel it", Triage::Order, Cue::Cancel),
            ("收到的水壶是坏的", Triage::Complaint, Cue::Damaged),
            ("收到的水壺是壞的", Triage::Complaint, Cue::Damaged),
            ("the kettle arrived broken", Triage::Complaint, Cue::Damaged),
            ("the duvet cover has a hole in it", Triage::Complaint, Cue::Damaged),
            ("the kettle arrived with a crack in it", Triage::Complaint, Cue::Damaged),
            ("the pillow I got is fake", Triage::Complaint, Cue::Quality),
            ("are your products real or fake?", Triage::Product, Cue::None),
            ("第三次问了，退款到底什么时候到", Triage::Order, Cue::Refund),
            ("where is my refund", Triage::Order, Cue::Refund),
            ("我的快递到哪了", Triage::Order, Cue::Tracking),
            ("你们就是骗子", Triage::Complaint, Cue::Service),
            ("有人冒充客服说给我退款，是骗子吗", Triage::Urgent, Cue::Fraud),
            // An insult said of the shop a few words on is an accusation, not a fraud to
            // report (QA: this went to the security green channel with "change your password").
            ("这是我第三次问了！！！退款到底啥时候到 每次都让我等 你们是不是骗子", Triage::Complaint, Cue::Service),
            ("are you guys a scam", Triage::Complaint, Cue::Service),
            ("有人冒充你们客服 是骗子吗", Triage::Urgent, Cue::Fraud),
            ("someone pretending to be you scammed me", Triage::Urgent, Cue::Fraud),
            ("is this email a scam", Triage::Urgent, Cue::Fraud),
            // A legal threat is a complaint to escalate; asking about the law is not.
            (
                "if this isnt sorted by friday im going to my lawyer and doing a chargeback",
                Triage::Complaint,
                Cue::Service,
            ),
            ("再不处理我就找律师起诉你们", Triage::Complaint, Cue::Service),
            ("律师咨询怎么找", Triage::Product, Cue::None),
            // Someone else's burn, and blisters, are injuries too.
            (
                "my 4 year old touched the slow cooker lid and burned his hand, its blistering",
                Triage::Urgent,
                Cue::Safety,
            ),
            ("the kettle burnt her fingers", Triage::Urgent, Cue::Safety),
            ("你们发错货了", Triage::Complaint, Cue::WrongItem),
            ("you sent the wrong item", Triage::Complaint, Cue::WrongItem),
            ("客服態度很差", Triage::Complaint, Cue::Service),
            ("the fryer stopped working", Triage::Complaint, Cue::Quality),
            ("收到的枕头有股怪味 是不是有毒", Triage::Complaint, Cue::Quality),
            ("the pillow has a weird smell", Triage::Complaint, Cue::Quality),
            ("my new latex pillow smells", Triage::Complaint, Cue::Quality),
            ("空气炸锅冒烟着火了", Triage::Urgent, Cue::Safety),
            ("水壶漏电", Triage::Urgent, Cue::Safety),
            ("does the smoke alarm need batteries", Triage::Product, Cue::None),
            ("空气炸锅第一次用有点冒烟正常吗", Triage::Product, Cue::None),
            ("电热毯会不会漏电", Triage::Product, Cue::None),
            ("will the air fryer catch fire", Triage::Product, Cue::None),
            ("my daughter scalded her hand with the kettle", Triage::Urgent, Cue::Safety),
            ("smoke is coming out of the slow cooker", Triage::Urgent, Cue::Safety),
            ("烧水壶把我手烫起泡了", Triage::Urgent, Cue::Safety),
            ("this shop is a scam, I want my money back", Triage::Complaint, Cue::Service),
            ("你们怎么回事 一直拖", Triage::Complaint, Cue::Service),
            ("这是诈骗吧 东西根本不能用", Triage::Complaint, Cue::Quality),
            ("a fake customer service agent took 500 from my account", Triage::Urgent, Cue::Fraud),
            ("someone pretending to be you took my money", Triage::Urgent, Cue::Fraud),
            ("付款失败了怎么办", Triage::Urgent, Cue::Payment),
            ("付款失敗", Triage::Urgent, Cue::Payment),
            ("my payment failed", Triage::Urgent, Cue::Payment),
            ("帳號被盜了", Triage::Urgent, Cue::Account),
            ("my account was hacked", Triage::Urgent, Cue::Account),
            ("I think this is a scam", Triage::Urgent, Cue::Fraud),
            ("the sheets are smaller than described", Triage::Complaint, Cue::NotAsDescribed),
            ("四件套比描述的小", Triage::Complaint, Cue::NotAsDescribed),
            ("the sheets are thinner than described", Triage::Complaint, Cue::NotAsDescribed),
            ("the colour doesn't match the photos", Triage::Complaint, Cue::NotAsDescribed),
            ("床单比描述的薄", Triage::Complaint, Cue::NotAsDescribed),
            ("实物和图片不一样", Triage::Complaint, Cue::NotAsDescribed),
            ("實物和圖片不一樣", Triage::Complaint, Cue::NotAsDescribed),
            ("收到的和描述不符", Triage::Complaint, Cue::NotAsDescribed),
            ("色差太大了", Triage::Complaint, Cue::NotAsDescribed),
            ("会有色差吗", Triage::Product, Cue::None),
            ("I'm going to report you to consumer protection", Triage::Complaint, Cue::Service),
            ("我要去消协投诉你们", Triage::Complaint, Cue::Service),
            ("your agent hung up on me", Triage::Complaint, Cue::Service),
            ("I've been waiting 3 days for a reply", Triage::Complaint, Cue::Service),
            ("发了好几条都没人回", Triage::Complaint, Cue::Service),
            ("you sent the wrong size", Triage::Complaint, Cue::WrongItem),
            ("i ordered the wrong size", Triage::Product, Cue::None),
            ("拍错颜色了", Triage::Product, Cue::None),
            ("I haven't got my order yet", Triage::Order, Cue::Delay),
            ("我的包裹一直没有收到", Triage::Order, Cue::Delay),
            ("the payment didn't go through but money left my bank", Triage::Urgent, Cue::Payment),
            ("錢扣了訂單沒生成", Triage::Urgent, Cue::Payment),
            ("the sofa cover arrived torn", Triage::Complaint, Cue::Damaged),
            ("桌面有划痕", Triage::Complaint, Cue::Damaged),
            ("快递三天都没动了！！！", Triage::Order, Cue::Delay),
            ("我想改一下收货地址", Triage::Order, Cue::Address),
            ("商品有瑕疵，要求退款", Triage::Complaint, Cue::Quality),
            ("优惠券用不了怎么办", Triage::Product, Cue::None),
            ("優惠券用不了", Triage::Product, Cue::None),
            ("my coupon code is not working", Triage::Product, Cue::None),
            ("the kettle is not working", Triage::Complaint, Cue::Quality),
            ("垃圾店铺，再也不买了", Triage::Complaint, Cue::Service),
            ("紧急！", Triage::Urgent, Cue::None),
            ("我的优惠劵怎么用不了", Triage::Product, Cue::None),
            ("花呗用不了", Triage::Urgent, Cue::Payment),
            ("my paypal keeps failing", Triage::Urgent, Cue::Payment),
            ("微信支付用不了", Triage::Urgent, Cue::Payment),
            ("花呗怎么一直用不了", Triage::Urgent, Cue::Payment),
            ("paypal 一直用不了", Triage::Urgent, Cue::Payment),
            ("my credit card is not working", Triage::Urgent, Cue::Payment),
            ("apple pay doesn't work", Triage::Urgent, Cue::Payment),
            // A way to pay that fails, asked about, is a question like "what happens if my card
            // is declined" (below), however the payment is named; said before the question, a
            // report.
            ("如果花呗用不了怎么办", Triage::Product, Cue::None),
            ("what if my paypal doesn't work", Triage::Product, Cue::None),
            ("what happens if my credit card is declined", Triage::Product, Cue::None),
            ("what happens if my credit card is declined?", Triage::Product, Cue::None),
            ("what happens if payment fails", Triage::Product, Cue::None),
            ("如果付款失败会怎样", Triage::Product, Cue::None),
            ("my credit card was declined but the money was taken", Triage::Urgent, Cue::Payment),
            ("my card was declined, what happens if i try again", Triage::Urgent, Cue::Payment),
            ("我的卡被扣款了但是订单失败", Triage::Urgent, Cue::Payment),
            ("付款失败了，如果不能解决我就投诉", Triage::Urgent, Cue::Payment),
            ("主要是付款失败了", Triage::Urgent, Cue::Payment),
            ("what happens if my card is declined? my paypal was charged twice", Triage::Urgent, Cue::Payment),
            ("用信用卡买的电热水壶插上电就用不了", Triage::Complaint, Cue::Quality),
            ("I paid with my credit card but the kettle is not working", Triage::Complaint, Cue::Quality),
            ("过了保修期坏了 还能修吗", Triage::Product, Cue::None),
            ("my warranty expired and the fryer stopped working", Triage::Product, Cue::None),
            ("my toddler broke the lid, can you fix it", Triage::Product, Cue::None),
            ("出保了 水壶坏了", Triage::Product, Cue::None),
            ("过保一个月 坏了", Triage::Product, Cue::None),
            // "过保" inside other words is no warranty: a shelf life, a moisturiser.
            ("面膜超过保质期了 质量有问题", Triage::Complaint, Cue::Quality),
            ("用过保湿霜 感觉质量不好", Triage::Complaint, Cue::Quality),
            // An accident that does not say whose it was (the courier's?) is no paid repair.
            ("快递员不小心碰坏了", Triage::Complaint, Cue::Damaged),
            ("the courier dropped it and the kettle broke", Triage::Complaint, Cue::Damaged),
            ("拆开被我发现杯子碎了", Triage::Complaint, Cue::Damaged),
            ("枕头让我过敏了", Triage::Urgent, Cue::Safety),
            ("the duvet gave me hives", Triage::Urgent, Cue::Safety),
            ("我对乳胶过敏 这个枕头含乳胶吗", Triage::Product, Cue::None),
            ("会过敏吗", Triage::Product, Cue::None),
            ("水壶有股塑料味 还能喝吗", Triage::Urgent, Cue::Safety),
            ("退货申请被驳回了", Triage::Complaint, Cue::Dispute),
            ("they denied my return", Triage::Complaint, Cue::Dispute),
            ("定制的商品不给退吗", Triage::Product, Cue::None),
            ("投诉进度怎么查", Triage::Product, Cue::None),
            ("what's the status of my complaint", Triage::Product, Cue::None),
            ("态度太差了 投诉进度呢", Triage::Complaint, Cue::Service),
            // A payment gone wrong in the shopper's own words, not a fixed phrase.
            ("i got charged 2x for the kettle wtf", Triage::Urgent, Cue::Payment),
            ("you took the money twice from my account", Triage::Urgent, Cue::Payment),
            ("my cvv is 123 and it keeps declining", Triage::Urgent, Cue::Payment),
            ("my card got declined at checkout", Triage::Urgent, Cue::Payment),
            ("my card was declined", Triage::Urgent, Cue::Payment),
            ("billed twice for one order", Triage::Urgent, Cue::Payment),
            ("payment error but money gone from my bank", Triage::Urgent, Cue::Payment),
            ("I paid but the order isn't showing", Triage::Urgent, Cue::Payment),
            ("tried to pay three times and it failed every time", Triage::Urgent, Cue::Payment),
            ("they double charged me", Triage::Urgent, Cue::Payment),
            ("钱被扣了两次", Triage::Urgent, Cue::Payment),
            ("not sure if it went through, my card was declined", Triage::Urgent, Cue::Payment),
            ("what happens if my card is declined", Triage::Product, Cue::None),
            ("如果付款一直失败会怎样", Triage::Product, Cue::None),
            ("付款的时候一直显示失败", Triage::Urgent, Cue::Payment),
            ("同一个订单重复扣款了", Triage::Urgent, Cue::Payment),
            ("支付宝付了钱但是没有订单", Triage::Urgent, Cue::Payment),
            ("扣了两次", Triage::Urgent, Cue::Payment),
            ("支付不成功", Triage::Urgent, Cue::Payment),
            ("钱扣了订单没生成", Triage::Urgent, Cue::Payment),
            // … and what only looks like one.
            ("delivery took twice as long as promised", Triage::Product, Cue::None),
            ("I paid for the double duvet cover, which size is it", Triage::Product, Cue::None),
            ("which cards do you accept", Triage::Product, Cue::None),
            ("the kettle failed, will you pay for the return shipping", Triage::Product, Cue::None),
            // Hazards reported with "is it safe?": water at the mains, something swallowed.
            ("kettle is leaking water all over the plug socket, is it safe", Triage::Urgent, Cue::Safety),
            ("the plug got wet from the kettle", Triage::Urgent, Cue::Safety),
            ("水壶漏水 插座都湿了", Triage::Urgent, Cue::Safety),
            ("插座进水了 会不会漏电", Triage::Urgent, Cue::Safety),
            ("my baby swallowed a piece of the pillow", Triage::Urgent, Cue::Safety),
            ("my son is choking on a button from the duvet cover", Triage::Urgent, Cue::Safety),
            ("孩子误吞了枕头里的填充物", Triage::Urgent, Cue::Safety),
            ("宝宝把扣子吞了 要紧吗", Triage::Urgent, Cue::Safety),
            // … and questions about risk, which stay with the KB.
            ("is it safe for babies?", Triage::Product, Cue::None),
            ("what if water gets in the plug", Triage::Product, Cue::None),
            ("万一插头进水了怎么办", Triage::Product, Cue::None),
            ("the atm swallowed my card", Triage::Product, Cue::None),
            ("how much water does it hold and how long is the cord", Triage::Product, Cue::None),
            ("is this a choking hazard for toddlers", Triage::Product, Cue::None),
            ("优惠折扣可以用两次吗", Triage::Product, Cue::None),
            ("衣服扣子掉了", Triage::Product, Cue::None),
        ];
        for (text, class, cue) in table {
            assert_eq!(c(text), (*class, *cue), "{text}");
        }
    }

    #[test]
    fn an_item_in_use_for_a_while_or_broken_by_the_shopper() {
        // A denial of own damage keeps the shop's promise.
        assert!(!in_use_for_a_while(&crate::analyze::normalize("it's not my fault, the kettle arrived broken")));
        assert!(!in_use_for_a_while(&crate::analyze::normalize("这不是人为损坏 水壶坏了")));
        for yes in [
            "kettle broke after 3 months",
            "kettle switch broke, its 5 months old. whats the process",
            "my kettle broke after 3 months, can i get it fixed",
            "the fryer stopped working after a couple of weeks",
            "it broke after half a year",
            "I've had it for 2 years and now it's broken",
            "bought it 8 months ago and the handle cracked",
            "stopped heating after 5months",
            "it's out of warranty, can you still repair it",
            "I dropped it and the lid cracked",
            "用了三个月就坏了",
            "买了半年 开关坏了",
            "才用了两个多星期就不加热了",
            "半年后就不转了",
            "过了保修期坏了 还能修吗 要多少钱",
            "水壶是我摔坏的",
            "人为损坏可以修吗",
            // Said outright: the warranty, the shopper's doing, an accident, the item's age.
            "the warranty had expired and the fryer broke",
            "过了质保期 水壶坏了",
            "my toddler broke the lid",
            "被我碰坏了",
            "I knocked it over and it's broken",
            "孩子不小心碰倒了 水壶坏了",
            "the pillow is worn out",
        ] {
            assert!(in_use_for_a_while(&normalize(yes)), "{yes}");
        }
        for no in [
            "the kettle arrived broken",
            "kettle broke after 3 days",
            "it arrived broken after 3 weeks in transit",
            "I waited a month and it came damaged",
            "the sheets are 2 metres wide but torn",
            "收到的水壶是坏的",
            "等了一个月才到 结果是坏的",
            "第三天就坏了",
            "超过保质期了",
        ] {
            assert!(!in_use_for_a_while(&normalize(no)), "{no}");
        }
    }

    #[test]
    fn the_most_serious_class_wins() {
        // Damaged AND late: a complaint.
        assert_eq!(c("parcel is late and the kettle is broken").0, Triage::Complaint);
        // Payment failed while ordering: urgent.
        assert_eq!(c("订单付款失败").0, Triage::Urgent);
    }

    #[test]
    fn a_smell_on_first_use_asked_about_is_a_product_question_a_smell_with_more_a_hazard() {
        for asked in [
            "burning smell on first use, normal?",
            "burning smell on first use normal",
            "my new air fryer has a burning smell, is this normal",
            "burnt smell the first time I used it, is that ok?",
            "第一次用有烧焦味，正常？",
            "刚买的空气炸锅有糊味 正常不",
        ] {
            assert_eq!(c(asked), (Triage::Product, Cue::None), "{asked}");
        }
        // "smells" names a smell complaint, which the KB's smell entry answers too.
        assert_eq!(c("it smells burnt the first time I used it, is that ok?"), (Triage::Complaint, Cue::Quality));
        for report in [
            "it's smoking and smells burning",
            "烧焦味 还冒烟了",
            "burning smell and the plug is melted",
            "burning smell on first use and it's smoking, normal?",
            "burning smell on first use, that's not normal",
            "第一次用就有烧焦味 不正常吧",
            "burning smell on first use and my son feels dizzy, normal?",
            // Not new: a burning smell from an item in use is a hazard, asked about or not.
            "the kettle smells like burning, is this normal",
            "the kettle is smoking, is it normal?",
            "水壶冒烟了 正常吗",
        ] {
            assert_eq!(c(report), (Triage::Urgent, Cue::Safety), "{report}");
        }
        assert!(only_a_smell(&normalize("strong chemical smell and my kid feels dizzy")));
        assert!(only_a_smell(&normalize("空气炸锅有股糊味")));
        assert!(!only_a_smell(&normalize("烧焦味 还冒烟了")));
        assert!(!only_a_smell(&normalize("burning smell and the plug is melted")));
        assert!(!only_a_smell(&normalize("the kettle caught fire")));
    }

    #[test]
    fn asking_for_a_person() {
        for yes in [
            "转人工",
            "我要找真人",
            "轉人工",
            "I want a human",
            "can I talk to a real person",
            "agent please",
            "call me on 13812345678",
            "请联系我",
            "人呢",
            "客服呢？",
            "I want a manager",
            "let me speak to your supervisor",
            "转人工 等了好长时间了",
        ] {
            assert!(wants_human(&normalize(yes)), "{yes}");
        }
        for no in [
            "humane treatment",
            "where is my parcel",
            "工作人",
            "你好",
            "谢谢，不用转人工了",
            "no need for a human, thanks",
            "几点有人工",
            "人工客服工作时间",
            "when are your agents available",
        ] {
            assert!(!wants_human(&normalize(no)), "{no}");
        }
    }
}
