//! Related shop words for English messages: a word the KB never writes is looked up here and
//! stands in for the related words the KB does write ("reimbursed" for "refund", "swap" for
//! "exchange"), at less than a word's weight, as a typo fix stands in for a misspelt one. Only
//! for unknown words: a KB that writes the shopper's own word is matched on it, so a rich KB
//! (many alternates, its own vocabulary) is ranked as before, and the merchant's `[synonyms]`
//! still decide which words are one thing in their shop.
//!
//! The groups are kefu's own list of general web-shop words (not any one KB's); a word may
//! sit in several groups.

use std::collections::HashMap;
use std::sync::OnceLock;

const GROUPS: &[&[&str]] = &[
    &["refund", "reimburse", "reimbursement", "repay", "repayment", "moneyback"],
    &["return", "returning", "returns"],
    &["exchange", "swap", "replace", "replacement", "switch"],
    &["repair", "fix", "mend", "service"],
    &["warranty", "guarantee", "guaranteed"],
    &["genuine", "authentic", "original", "legit", "legitimate", "fake", "counterfeit", "knockoff", "replica"],
    &["unsubscribe", "optout", "newsletter", "mailing"],
    &["voucher", "coupon", "code", "promo", "discount"],
    &["parcel", "package", "packet", "shipment", "delivery"],
    &["ship", "dispatch", "send", "post", "mail"],
    &["deliver", "arrive", "arrival", "receive"],
    &["cancel", "cancellation", "stop", "abort"],
    &["change", "modify", "edit", "amend", "alter", "update"],
    &["address", "postcode", "zip", "postal"],
    &["cost", "price", "fee", "charge", "postage"],
    &["damaged", "broken", "cracked", "shattered", "smashed", "dented", "scratched", "faulty", "defective"],
    &["login", "signin", "logon"],
    &["password", "passcode", "passwd"],
    &["delete", "remove", "erase", "erasure", "close"],
    &["invoice", "receipt", "bill"],
    &["person", "human", "agent", "someone", "representative", "staff", "operator"],
    &["phone", "call", "telephone", "ring"],
    &["email", "mail", "e-mail"],
    &["gift", "present"],
    &["wrap", "wrapping", "packaging", "giftwrap"],
    &["stock", "available", "availability", "restock", "unavailable", "soldout"],
    &["instalment", "installment", "klarna", "clearpay", "afterpay", "financing", "finance"],
    &["declined", "rejected", "refused", "failed", "denied", "bounced"],
    &["late", "delayed", "overdue", "slow"],
    &["missing", "lost", "absent"],
    &["wrong", "incorrect", "different"],
    &["colour", "color"],
    &["hours", "open", "opening", "closing"],
    &["international", "abroad", "overseas", "worldwide", "foreign"],
    &["customs", "duty", "duties", "import", "tax", "vat"],
    &["collect", "pickup", "collection"],
    &["store", "shop", "branch", "showroom"],
    &["quick", "fast", "express", "quickly", "faster", "rush", "urgent"],
    &["track", "tracking", "trace", "status"],
    &["compatible", "compatibility", "fit", "fits", "work", "support"],
    &["cheap", "cheaper", "drop", "dropped", "reduced", "lower"],
    &["student", "unidays", "studentbeans"],
    &["preorder", "presale", "prerelease"],
];

/// The groups' words stemmed, and for each stem the groups it is in.
struct Table {
    groups: Vec<Vec<String>>,
    of: HashMap<String, Vec<u16>>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let groups: Vec<Vec<String>> = GROUPS.iter().map(|g| g.iter().map(|w| super::stem_word(w)).collect()).collect();
        let mut of: HashMap<String, Vec<u16>> = HashMap::new();
        for (g, group) in groups.iter().enumerate() {
            for w in group {
                let ids = of.entry(w.clone()).or_default();
                if !ids.contains(&(g as u16)) {
                    ids.push(g as u16);
                }
            }
        }
        Table { groups, of }
    })
}

/// The (stemmed) words related to a stemmed word, itself left out, in table order (a word
/// of two groups may come twice).
pub fn related(stem: &str) -> impl Iterator<Item = &'static str> + '_ {
    let t = table();
    let groups = t.of.get(stem).map(Vec::as_slice).unwrap_or(&[]);
    groups.iter().flat_map(move |&g| t.groups[g as usize].iter().map(String::as_str)).filter(move |w| *w != stem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::stem_word;

    #[test]
    fn a_shop_word_has_its_relatives_stemmed_and_not_itself() {
        let of = |w: &str| related(&stem_word(w)).map(str::to_string).collect::<Vec<_>>();
        let r = of("reimbursed");
        assert!(r.contains(&stem_word("refund")), "{r:?}");
        assert!(!r.contains(&stem_word("reimbursed")), "{r:?}");
        // A word in two groups ("mail": shipping and email) has the relatives of both.
        let mail = of("mail");
        assert!(mail.contains(&stem_word("dispatch")) && mail.contains(&stem_word("email")), "{mail:?}");
        assert!(of("giraffe").is_empty());
    }
}
