//! Character-level normalization: full-width → half-width, Unicode lowercase, traditional →
//! simplified Chinese, control characters → spaces, invisible format characters (zero-width
//! spaces and joiners, soft hyphens, byte-order marks: chat apps paste them inside words)
//! dropped.
//!
//! The traditional → simplified step is one table lookup per character ([`t2s`], generated
//! from OpenCC's character dictionaries by `scripts/gen/t2s.py`, ~3,000 pairs). Character
//! level is enough for matching: the index and the query pass through the same table, so
//! `優惠券可以疊加嗎` and `优惠券可以叠加吗` become the same text.

#[path = "t2s_table.rs"]
mod t2s_table;

/// The traditional → simplified pairs, sorted by the traditional code point: decoded on first
/// use from the generated table's two delta columns (stored so, they weigh a third less in
/// the compressed wasm).
fn t2s() -> &'static [(u16, u16)] {
    use std::sync::OnceLock;
    static PAIRS: OnceLock<Vec<(u16, u16)>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        let mut at: u16 = 0;
        t2s_table::T2S_STEPS
            .iter()
            .zip(t2s_table::T2S_SHIFTS)
            .map(|(&step, &shift)| {
                at = at.wrapping_add(step);
                (at, at.wrapping_add(shift as u16))
            })
            .collect()
    })
}

/// The simplified form of a traditional or variant character (itself when it has none).
pub fn simplify(c: char) -> char {
    let code = c as u32;
    if !(0x3400..=0xFFFF).contains(&code) {
        return c;
    }
    let pairs = t2s();
    match pairs.binary_search_by_key(&(code as u16), |&(t, _)| t) {
        Ok(i) => char::from_u32(pairs[i].1 as u32).unwrap_or(c),
        Err(_) => c,
    }
}

/// Simplified characters [`traditional`] leaves as written although [`t2s`] folds just one
/// traditional character onto them: each is a traditional character in its own right too, or
/// has other traditional forms the table does not hold (后 of 皇后 and 後, 才 and 纔, 范 and
/// 範 …), by OpenCC's simplified → traditional dictionary (`STCharacters.txt`: more than one
/// form, or another one). Characters with several forms in the table (发 → 發/髮, 里 → 裡/裏,
/// 台, 干, 面 …) are left as written without being listed.
const KEEP_AS_WRITTEN: &str = "㐹万丑丰于云亘仆价伙余佛佣俊修僵克党冢冬准凌几凶出划刮制千卜占即卷厂厘叶吁吃合吊同后呆周咨咸咽哄唇喂噪回困埼夸奸姜娘家尸局岩岳巨布帘席幸广庵弦彩征御志念恤愈愿戚才扎托扣折挂挨挲挽捆据搜擡教斗旋旗既昆暗朱朴杆杠杯杰松板极柜查栗核梁棋棱檐欲污沈沾泄注涂涌淀游漓潨熏玩璇症痹皂真着睾矩确私秋种筑糊糖累胄胜腊腌膻致舍芸苔苹范荐蓑蔑蔿虫蚝蜡蝎表谷跖踊辟适逾郁酸链飧";

/// The traditional form of a simplified character when it has exactly one ([`KEEP_AS_WRITTEN`]
/// says which have not), else the character itself. Built from [`t2s`] read backwards on first
/// use: no table of its own in the bundle.
pub fn traditional(c: char) -> char {
    use std::sync::OnceLock;
    static S2T: OnceLock<Vec<(u16, u16)>> = OnceLock::new();
    let table = S2T.get_or_init(|| {
        let mut v: Vec<(u16, u16)> = t2s().iter().map(|&(t, s)| (s, t)).collect();
        v.sort_unstable();
        let mut out: Vec<(u16, u16)> = Vec::with_capacity(v.len());
        for (i, &(s, t)) in v.iter().enumerate() {
            let alone = (i == 0 || v[i - 1].0 != s) && v.get(i + 1).is_none_or(|n| n.0 != s);
            let keep = char::from_u32(s as u32).is_some_and(|c| KEEP_AS_WRITTEN.contains(c));
            if alone && !keep {
                out.push((s, t));
            }
        }
        out
    });
    let Ok(code) = u16::try_from(c as u32) else { return c };
    match table.binary_search_by_key(&code, |&(s, _)| s) {
        Ok(i) => char::from_u32(table[i].1 as u32).unwrap_or(c),
        Err(_) => c,
    }
}

/// `text` in traditional characters as far as [`traditional`] can tell them: for a KB's
/// simplified titles shown to a shopper who writes traditional. Two characters common in shop
/// text that [`traditional`] leaves as written are told by the word they are in
/// ([`in_shop_words`]): 发 (发货 → 發貨, 头发 → 頭髮) and 几 (几天 → 幾天, 茶几 as written).
pub fn to_traditional(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len())
        .map(|i| {
            let c = chars[i];
            if !super::is_han(c) {
                return c;
            }
            let prev = i.checked_sub(1).map(|p| chars[p]);
            in_shop_words(prev, c, chars.get(i + 1).copied()).unwrap_or_else(|| traditional(c))
        })
        .collect()
}

/// 发 and 几 by their neighbours: each has two traditional forms, but in a shop's text one is
/// meant nearly always. 发 is 發 (发货, 发票, 发送) except in hair words (头发, 理发, 发型 …:
/// 髮); 几 is 幾 (几天, 几点) except in 茶几 (the small table, itself traditional). QA saw
/// "发到我這里要几天" among converted buttons. `None` for any other character.
fn in_shop_words(prev: Option<char>, c: char, next: Option<char>) -> Option<char> {
    match c {
        '发' => {
            // What follows wins: 抬头发票 and 枕头发黄 (both in the demo KB) are 發.
            let sends = next.is_some_and(|n| "票货送出黄霉现生布放错件给到回".contains(n));
            let hair_before = prev.is_some_and(|p| "头理染护洗脱美烫卷毛吹".contains(p));
            let hair_after = next.is_some_and(|n| "型丝夹际胶蜡质梢根".contains(n));
            Some(if !sends && (hair_before || hair_after) { '髮' } else { '發' })
        }
        '几' => Some(if prev == Some('茶') { '几' } else { '幾' }),
        _ => None,
    }
}

/// Which Chinese script a text is written in, as far as its characters tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Simplified,
    Traditional,
}

/// The script of the Han characters of `text`: traditional when it has more traditional-only
/// characters than simplified-only ones, simplified when it has simplified-only ones, `None`
/// when every character is written the same in both (你好, 可以) or there are none.
pub fn script_of(text: &str) -> Option<Script> {
    use std::sync::OnceLock;
    static SIMPLIFIED_ONLY: OnceLock<Vec<u16>> = OnceLock::new();
    let simplified_only = SIMPLIFIED_ONLY.get_or_init(|| {
        let mut v: Vec<u16> = t2s().iter().map(|&(_, s)| s).collect();
        v.sort_unstable();
        v.dedup();
        v.retain(|s| t2s().binary_search_by_key(s, |&(t, _)| t).is_err());
        v
    });
    let (mut trad, mut simp) = (0usize, 0usize);
    for c in text.chars().filter(|&c| super::is_han(c)).take(400) {
        let Ok(code) = u16::try_from(c as u32) else { continue };
        if simplify(c) != c {
            trad += 1;
        } else if simplified_only.binary_search(&code).is_ok() {
            simp += 1;
        }
    }
    match (trad, simp) {
        (0, 0) => None,
        (t, s) if t > s => Some(Script::Traditional),
        _ => Some(Script::Simplified),
    }
}

/// Bidi embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069): invisible,
/// they make the text around them read in another order than it was typed.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that print nothing and join or split nothing a reader sees: zero-width space,
/// non-joiner and joiner, word joiner, soft hyphen, byte-order mark.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{00AD}' | '\u{FEFF}')
}

/// `text` without its [`is_invisible`] characters and the spaces at its ends: what a reader
/// sees of a message (a message of nothing else is empty).
pub fn visible(text: &str) -> String {
    let kept: String = text.chars().filter(|&c| !is_invisible(c)).collect();
    kept.trim().to_string()
}

/// Common miswritings of customer-service words, folded onto the word meant (after the
/// script is folded, so 帳號 is caught too). Only pairs whose written form means nothing else
/// in a shop's chat: 卷 typed for 券 in a coupon's name (卷发棒, a curling iron, is untouched:
/// only the whole names are), 登陆 ("land") for 登录 (log in), 收获 ("harvest") for 收货 in
/// "delivery address", 冲值 for 充值 (top up), the older 帐 of 帐号/帐户/帐单 for today's 账, and
/// 劵 for 券 on its own: 劵 ("tired", in old texts) is no word a shopper means, while 优惠劵 and
/// 劵 for a coupon are among the commonest slips of the pinyin keyboard, which offers both.
/// Each pair has as many characters and bytes on both sides, so offsets into the text hold.
const MISWRITTEN: &[(&str, &str)] = &[
    ("优惠卷", "优惠券"),
    ("代金卷", "代金券"),
    ("购物卷", "购物券"),
    ("抵用卷", "抵用券"),
    ("礼品卷", "礼品券"),
    ("登陆", "登录"),
    ("收获地址", "收货地址"),
    ("冲值", "充值"),
    ("帐号", "账号"),
    ("帐户", "账户"),
    ("帐单", "账单"),
    ("劵", "券"),
];

/// Normalizes `text` for matching. Idempotent.
pub fn normalize(text: &str) -> String {
    let out = fold_chars(text);
    // Most messages hold none of the miswritten characters: no search for the pairs.
    if !out.contains(['卷', '陆', '获', '冲', '帐', '劵']) {
        return out;
    }
    let mut out = out;
    for (wrong, right) in MISWRITTEN {
        if out.contains(wrong) {
            out = out.replace(wrong, right);
        }
    }
    out
}

fn fold_chars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c as u32 {
            // Full-width ASCII variants → ASCII.
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            // Typographic apostrophes (phone keyboards type "can’t") → ASCII.
            0x2018 | 0x2019 | 0x02BC => '\'',
            _ => c,
        };
        if is_invisible(c) {
            continue;
        }
        if c.is_control() {
            out.push(' ');
        } else if super::is_han(c) {
            out.push(simplify(c));
        } else if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn folds_width_case_and_script() {
        assert_eq!(normalize("ＡＢＣ　Ｄ"), "abc d");
        assert_eq!(normalize("發票與運費"), "发票与运费");
        assert_eq!(normalize("a\u{0}b"), "a b");
        assert_eq!(normalize("Hasn’t"), "hasn't");
        // Pasted from a chat app: invisible characters inside a word.
        assert_eq!(normalize("退\u{200b}货 re\u{00ad}fund\u{feff}"), "退货 refund");
        assert_eq!(super::visible(" \u{200b}退\u{200b}货 \n"), "退货");
        assert_eq!(super::visible("\u{200b}\u{feff} "), "");
        let once = normalize("Ｒｅｆｕｎｄ 退貨");
        assert_eq!(normalize(&once), once);
    }

    #[test]
    fn common_miswritings_are_folded_and_real_words_kept() {
        assert_eq!(normalize("优惠卷怎么用不了"), normalize("优惠券怎么用不了"));
        assert_eq!(normalize("優惠卷怎麼用不了"), "优惠券怎么用不了");
        assert_eq!(normalize("登陆不了"), "登录不了");
        assert_eq!(normalize("收获地址填错了"), "收货地址填错了");
        assert_eq!(normalize("帳號被盜"), "账号被盗");
        assert_eq!(normalize("冲值没到账"), "充值没到账");
        assert_eq!(normalize("我的优惠劵怎么用不了"), "我的优惠券怎么用不了");
        assert_eq!(normalize("满减劵"), "满减券");
        // Real words with the same characters stay.
        assert_eq!(normalize("卷发棒能带上飞机吗"), "卷发棒能带上飞机吗");
        assert_eq!(normalize("这次收获很大 陆地 冲洗"), "这次收获很大 陆地 冲洗");
        for (wrong, right) in super::MISWRITTEN {
            assert_eq!((wrong.len(), wrong.chars().count()), (right.len(), right.chars().count()));
            assert_eq!(normalize(right), *right, "{right} is folded again");
        }
        let once = normalize("優惠卷 帳戶 登陆");
        assert_eq!(normalize(&once), once);
    }

    #[test]
    fn simplified_titles_turn_traditional_where_the_form_is_certain() {
        use super::to_traditional;
        assert_eq!(to_traditional("空气炸锅多大容量？"), "空氣炸鍋多大容量？");
        assert_eq!(to_traditional("优惠券可以叠加吗"), "優惠券可以疊加嗎");
        // Several traditional forms, or a traditional character itself: as written.
        assert_eq!(to_traditional("后里面干面台"), "后里面干面台");
        // 发 and 几 by the word they are in.
        assert_eq!(to_traditional("发到我这里要几天？"), "發到我這里要幾天？");
        assert_eq!(to_traditional("还没发货怎么改地址？"), "還沒發貨怎么改地址？");
        assert_eq!(to_traditional("头发和发型"), "頭髮和髮型");
        for m in ["公司抬头发票", "枕头发黄了"] {
            assert!(to_traditional(m).contains('發') && !to_traditional(m).contains('髮'), "{m}");
        }
        assert_eq!(to_traditional("茶几几点到"), "茶几幾點到");
        assert_eq!(to_traditional("Air fryer 4.5 L"), "Air fryer 4.5 L");
        // Never a character that folds back to something else.
        for &(_, s) in super::t2s() {
            let c = char::from_u32(s as u32).unwrap();
            assert_eq!(super::simplify(super::traditional(c)), c, "{c}");
        }
    }

    #[test]
    fn tells_the_script_of_a_message() {
        use super::{script_of, Script};
        assert_eq!(script_of("優惠券可以疊加嗎"), Some(Script::Traditional));
        assert_eq!(script_of("优惠券可以叠加吗"), Some(Script::Simplified));
        assert_eq!(script_of("你好"), None);
        // 么 is the simplified 麼, whatever Taiwan also writes with it: a message whose only
        // telling character is 么 is simplified, and 麼 folds onto it.
        assert_eq!(script_of("路由器怎么重置"), Some(Script::Simplified));
        assert_eq!(script_of("路由器怎麼重置"), Some(Script::Traditional));
        assert_eq!(super::normalize("怎麼"), "怎么");
        assert_eq!(script_of("hello"), None);
    }

    #[test]
    fn every_traditional_form_is_folded_once() {
        assert_eq!(normalize("優惠券可以疊加嗎"), normalize("优惠券可以叠加吗"));
        assert_eq!(normalize("裡面的麪包"), "里面的面包");
        // The table is sorted (binary search) and idempotent (no target is a key).
        assert!(super::t2s().windows(2).all(|w| w[0].0 < w[1].0));
        // The delta columns decode to every pair, the first and the last included.
        assert_eq!(super::t2s().len(), super::t2s_table::T2S_SHIFTS.len());
        assert_eq!(super::t2s().first(), Some(&(0x346F, 0x3454)));
        assert_eq!(super::t2s().last(), Some(&(0x9FD3, 0x9FD2)));
        for &(_, s) in super::t2s() {
            let c = char::from_u32(s as u32).unwrap();
            assert_eq!(super::simplify(c), c, "{c} maps again");
        }
    }
}
