//! What kefu knows before it reads a KB, merged into every build (native only, never in the
//! wasm): customer-service synonym classes and related-word groups per language, and
//! out-of-domain questions that the calibration uses as examples of what no shop FAQ answers.
//!
//! The synonym classes go into the bundle's settings together with the KB's own groups, so
//! the widget folds exactly what the build folded; so do the related-word groups that hold
//! a word of the KB (`data/related/*.txt`, written for kefu). The out-of-domain sets
//! (`data/ood/*.txt`, written for kefu) never reach the bundle: only the thresholds learnt
//! from them do.

use crate::analyze::{Analyzer, TermKind};
use crate::kb::{Kb, Locale};
use std::collections::HashMap;

/// Chinese customer-service words that shoppers use for the same need. The first member is
/// the one the others are folded to. Only multi-character words (plus 啥/咋, which are
/// always "what"/"how"): a lone character such as 券 or 到 would fold too much.
const ZH_CLASSES: &[&[&str]] = &[
    &["退款", "退钱", "返款", "退费", "钱退回", "把钱退", "退回款"],
    &["退货", "退回去", "寄回去", "退掉"],
    &["换货", "调换", "换一个", "换个新的", "更换商品"],
    &["发货", "寄出", "出库", "发出", "出货", "发件"],
    &["快递", "物流", "包裹", "快件", "邮包"],
    &["送达", "到货", "收到货", "送到"],
    &["签收", "收货"],
    &["拒收", "拒签"],
    &["优惠券", "优惠卷", "折扣券", "代金券", "抵用券", "红包"],
    &["发票", "开票", "票据"],
    &["收货地址", "地址", "收件地址", "送货地址"],
    &["破损", "坏了", "损坏", "碎了", "摔坏", "压坏", "烂了"],
    &["尺码", "尺寸", "码数", "码子", "大小"],
    &["运费", "邮费", "快递费", "配送费"],
    &["包邮", "免运费", "免邮", "免运"],
    &["付款", "支付", "付钱", "买单", "结账"],
    &["登录", "登陆", "登入"],
    &["账号", "帐号", "账户", "帐户"],
    &["保修", "质保", "保固", "包修"],
    &["积分", "会员积分", "积份"],
    &["缺货", "没货", "断货", "无货", "卖完了"],
    &["补货", "到货通知", "再上架"],
    &["价格保护", "价保", "保价"],
    &["少件", "漏发", "少发", "少了一件"],
    &["发错", "错发", "寄错"],
    &["订单号", "单号", "订单编号"],
    &["取消订单", "撤单", "不想要了", "不要了"],
    &["怎么", "咋", "如何", "怎样", "怎么样"],
    &["什么时候", "啥时候", "何时", "几时"],
    &["多久", "多长时间", "几天"],
    &["什么", "啥"],
    &["可以", "能不能", "能否", "可不可以", "行不行"],
    &["客服", "售后"],
];

/// The KB's synonym groups with kefu's classes for its languages merged in. Groups that
/// share a member become one; the KB's own first member stays the canonical word.
pub fn synonym_groups(kb: &Kb) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = kb.settings.synonyms.clone();
    if has_chinese(kb) {
        groups.extend(ZH_CLASSES.iter().map(|c| c.iter().map(|w| w.to_string()).collect()));
    }
    merge(groups)
}

/// Unions groups that share a member (after normalization), keeping first-seen order.
fn merge(groups: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut owner: HashMap<String, usize> = HashMap::new();
    for group in groups {
        let keys: Vec<String> = group.iter().map(|w| crate::analyze::normalize(w.trim())).collect();
        let mut targets: Vec<usize> = keys.iter().filter_map(|k| owner.get(k).copied()).collect();
        targets.sort_unstable();
        targets.dedup();
        let into = match targets.first() {
            Some(&t) => t,
            None => {
                out.push(Vec::new());
                out.len() - 1
            }
        };
        // Fold later groups that this one connects into the first.
        for &t in targets.iter().skip(1).rev() {
            let moved = std::mem::take(&mut out[t]);
            for w in moved {
                owner.insert(crate::analyze::normalize(w.trim()), into);
                out[into].push(w);
            }
        }
        for (w, k) in group.into_iter().zip(keys) {
            if owner.get(&k) == Some(&into) {
                continue;
            }
            owner.insert(k, into);
            out[into].push(w);
        }
    }
    out.retain(|g| g.len() >= 2);
    out
}

fn has_chinese(kb: &Kb) -> bool {
    kb.settings.locale != Locale::En || kb.entries.iter().any(|e| e.locale != Locale::En)
}

const RELATED_EN: &str = include_str!("../data/related/en.txt");
const RELATED_ZH: &str = include_str!("../data/related/zh-CN.txt");

/// kefu's related-word groups for the KB's languages (`data/related/*.txt`), as the terms the
/// KB's analyzer makes of them (stemmed, folded), keeping the groups that hold a term the KB
/// writes (`known`): the others could never lead a message anywhere. A member that is no
/// single term (a phrase, a stopword the analyzer splits) is left out.
pub fn related_groups(kb: &Kb, analyzer: &Analyzer, known: impl Fn(&str) -> bool) -> Vec<Vec<String>> {
    let mut sets = Vec::new();
    if has_english(kb) {
        sets.push(RELATED_EN);
    }
    if has_chinese(kb) {
        sets.push(RELATED_ZH);
    }
    let term = |word: &str| {
        let terms = analyzer.terms(word);
        let mut words = terms.iter().filter(|t| matches!(t.kind, TermKind::Word | TermKind::HanBigram));
        match (words.next(), words.next()) {
            (Some(t), None) => Some(t.text.clone()),
            _ => None,
        }
    };
    let mut out = Vec::new();
    for line in sets.iter().flat_map(|s| s.lines()).map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let mut group: Vec<String> = Vec::new();
        for t in line.split_whitespace().filter_map(term) {
            if !group.contains(&t) {
                group.push(t);
            }
        }
        if group.len() >= 2 && group.iter().any(|t| known(t)) {
            out.push(group);
        }
    }
    out
}

fn has_english(kb: &Kb) -> bool {
    kb.settings.locale == Locale::En || kb.entries.iter().any(|e| e.locale == Locale::En)
}

const OOD_EN: &str = include_str!("../data/ood/en.txt");
const OOD_ZH: &str = include_str!("../data/ood/zh-CN.txt");

/// kefu's out-of-domain questions for the KB's languages (comment lines dropped).
pub fn out_of_domain(kb: &Kb) -> Vec<&'static str> {
    let mut sets = Vec::new();
    if has_english(kb) {
        sets.push(OOD_EN);
    }
    if has_chinese(kb) {
        sets.push(OOD_ZH);
    }
    sets.iter().flat_map(|s| s.lines()).map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(groups: &[&[&str]]) -> Vec<Vec<String>> {
        groups.iter().map(|g| g.iter().map(|w| w.to_string()).collect()).collect()
    }

    #[test]
    fn groups_sharing_a_member_merge_and_keep_the_first_head() {
        let merged = merge(g(&[&["快递", "物流"], &["包裹", "快件"], &["物流", "快件", "邮包"], &["a", "b"]]));
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0][0], "快递");
        for w in ["物流", "包裹", "快件", "邮包"] {
            assert_eq!(merged[0].iter().filter(|x| *x == w).count(), 1, "{w} in {:?}", merged[0]);
        }
        assert_eq!(merged[1], ["a", "b"]);
    }

    #[test]
    fn out_of_domain_sets_are_large_and_clean() {
        for (name, text) in [("en", OOD_EN), ("zh-CN", OOD_ZH)] {
            let lines: Vec<_> = text.lines().filter(|l| !l.starts_with('#')).collect();
            assert!(lines.len() >= 1000, "{name}: {} lines", lines.len());
            assert!(lines.iter().all(|l| !l.trim().is_empty()), "{name} has blank lines");
        }
    }
}
