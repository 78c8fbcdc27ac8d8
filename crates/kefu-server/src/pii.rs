//! Masking of ID-card and bank-card numbers in stored text: a second line of defence behind
//! the widget's own masking, with the very same rules (`kefu_core::reply::mask`: 18- and
//! 15-digit resident IDs with a plausible birth date, Luhn-valid card numbers, cue words such
//! as 身份证 / card, the separators people type between groups; US SSNs, UK NI numbers,
//! IBANs, a card's security code and expiry, a passport number after a passport cue). Only the
//! last 4 characters stay visible (none of a security code or expiry, at most a short passport
//! number's last 2); a number equal to the case's own order number stays readable.

pub use kefu_core::reply::mask::{mask_keeping as mask, order_number};

#[cfg(test)]
mod tests {
    use super::{mask, order_number};

    #[test]
    fn masks_id_cards() {
        assert_eq!(mask("ID 11010519491231002X ok", &[]), "ID **************002X ok");
        assert_eq!(mask("身份证110105194912310021", &[]), "身份证**************0021");
        assert_eq!(mask("old 110105491231002", &[]), "old ***********1002");
        // Glued to its cue, in full width, grouped 6-8-4, followed by a phone number.
        assert_eq!(mask("ID11010519491231002X", &[]), "ID**************002X");
        assert_eq!(mask("身份证１１０１０５１９４９１２３１００２Ｘ", &[]), "身份证**************００２Ｘ");
        assert_eq!(mask("身份证 110105 19491231 002X", &[]), "身份证 ****** ******** 002X");
        assert_eq!(mask("身份证11010519491231002X 13812345678", &[]), "身份证**************002X 13812345678");
    }

    #[test]
    fn masks_cards_as_people_type_them() {
        assert_eq!(mask("card 4111111111111111.", &[]), "card ************1111.");
        assert_eq!(mask("card 4111 1111 1111 1111", &[]), "card **** **** **** 1111");
        assert_eq!(mask("卡号４１１１１１１１１１１１１１１１", &[]), "卡号************１１１１");
        // The date right after a card is its expiry: hidden whole.
        assert_eq!(mask("4111111111111111 12/25", &[]), "************1111 **/**");
        assert_eq!(mask("4111111111111111 5500000000000004", &[]), "************1111 ************0004");
        for sep in ["  ", ".", "/", "_", "\u{a0}", "\u{2014}", "\u{FF0D}", "\u{3000}"] {
            let typed = ["4111", "1111", "1111", "1111"].join(sep);
            let want = format!("{}{sep}1111", ["****"; 3].join(sep));
            assert_eq!(mask(&typed, &[]), want, "separator {sep:?}");
        }
        assert_eq!(mask("card4111111111111111", &[]), "card************1111");
    }

    #[test]
    fn keeps_order_numbers_phones_and_codes() {
        assert_eq!(mask("order 4111111111111111", &[]), "order 4111111111111111");
        assert_eq!(mask("4111111111111111 never came", &["4111111111111111"]), "4111111111111111 never came");
        // An order number with a letter does not shelter the digits without it.
        assert_eq!(mask("4111111111111111 never came", &["4111111111111111X"]), "************1111 never came");
        assert_eq!(mask("phone 13812345678 qty 3", &[]), "phone 13812345678 qty 3");
        assert_eq!(mask("SKU4111111111111111", &[]), "SKU4111111111111111");
        assert_eq!(mask("paid 2024.11.23 at 12/25", &[]), "paid 2024.11.23 at 12/25");
    }

    #[test]
    fn an_id_given_as_the_order_number_is_masked() {
        assert_eq!(order_number("11010519491231002X"), "**************002X");
        assert_eq!(order_number("2024112312345678"), "2024112312345678");
        // A card typed as the order number is masked too (it starts as a card does and passes
        // Luhn); a date-led order number that passes Luhn stays readable.
        assert_eq!(order_number("4111111111111111"), "************1111");
        assert_eq!(order_number("2024060198765432"), "2024060198765432");
        // A card cue is never sheltered by an equal order number.
        assert_eq!(
            mask("我的卡号 4111111111111111 扣了两次", &["4111111111111111"]),
            "我的卡号 ************1111 扣了两次"
        );
    }
}
