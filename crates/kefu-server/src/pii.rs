//! Masking of ID-card and bank-card numbers in stored text: a second line of defence behind
//! the widget's own masking. Only the last 4 characters stay visible.
//!
//! - Chinese resident ID: 18 characters (17 digits + digit or X) or 15 digits, with a
//!   plausible birth date in the middle (so most order numbers are left alone).
//! - Bank card: 13–19 digits passing the Luhn check.
//!
//! Digits may be ASCII or full-width (０–９) and grouped with single spaces or hyphens
//! ("6222 0212 3456 7890"). A run equal to the case's own order number is kept as is.

/// Masks sensitive numbers in `text`; `keep` lists digit strings that must stay (order numbers).
pub fn mask(text: &str, keep: &[&str]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_none() || (i > 0 && is_word(chars[i - 1])) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run: digits with single space/hyphen separators between digits, optional final X.
        let start = i;
        let mut end = i; // exclusive
        let mut digits = String::new();
        let mut j = i;
        while j < chars.len() {
            if let Some(d) = digit(chars[j]) {
                digits.push(d);
                j += 1;
                end = j;
            } else if (chars[j] == ' ' || chars[j] == '-') && j + 1 < chars.len() && digit(chars[j + 1]).is_some() {
                j += 1;
            } else {
                break;
            }
        }
        let mut x_suffix = false;
        if end < chars.len() && (chars[end] == 'X' || chars[end] == 'x') && digits.len() == 17 {
            x_suffix = true;
            end += 1;
        }
        // A run glued to letters on its right (e.g. "SKU123…abc") is not a number on its own.
        let glued = end < chars.len() && is_word(chars[end]);
        let sensitive = !glued
            && !keep.iter().any(|k| !k.is_empty() && normalize(k) == digits)
            && (is_id_card(&digits, x_suffix) || is_bank_card(&digits, x_suffix));
        if sensitive {
            let total = end - start;
            for (k, c) in chars[start..end].iter().enumerate() {
                let visible = total - k <= 4;
                if visible || !(digit(*c).is_some() || *c == 'X' || *c == 'x') {
                    out.push(*c);
                } else {
                    out.push('*');
                }
            }
        } else {
            out.extend(&chars[start..end]);
        }
        i = end;
    }
    out
}

fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || digit(c).is_some() || c == '_'
}

fn normalize(s: &str) -> String {
    s.chars().filter_map(digit).collect()
}

fn plausible_date(y: u32, m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && (1..=31).contains(&d) && y > 0
}

fn is_id_card(digits: &str, x_suffix: bool) -> bool {
    let n = |s: &str| s.parse::<u32>().unwrap_or(0);
    match (digits.len(), x_suffix) {
        (17, true) | (18, false) => {
            let y = n(&digits[6..10]);
            (1900..=2099).contains(&y) && plausible_date(y, n(&digits[10..12]), n(&digits[12..14]))
        }
        (15, false) => plausible_date(1900 + n(&digits[6..8]), n(&digits[8..10]), n(&digits[10..12])),
        _ => false,
    }
}

fn is_bank_card(digits: &str, x_suffix: bool) -> bool {
    !x_suffix && (13..=19).contains(&digits.len()) && kefu_core::reply::mask::luhn(digits)
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn masks_id_cards() {
        assert_eq!(mask("ID 11010519491231002X ok", &[]), "ID **************002X ok");
        assert_eq!(mask("身份证110105194912310021", &[]), "身份证**************0021");
        assert_eq!(mask("old 110105491231002", &[]), "old ***********1002");
    }

    #[test]
    fn masks_luhn_cards_keeps_others() {
        assert_eq!(mask("card 4111111111111111.", &[]), "card ************1111.");
        assert_eq!(mask("card 4111 1111 1111 1111", &[]), "card **** **** **** 1111");
        assert_eq!(mask("card 4111-1111-1111-1112", &[]), "card 4111-1111-1111-1112"); // not Luhn
        assert_eq!(mask("卡号４１１１１１１１１１１１１１１１", &[]), "卡号************１１１１");
        assert_eq!(mask("order 4111111111111111", &["4111111111111111"]), "order 4111111111111111");
        assert_eq!(mask("phone 13812345678 qty 3", &[]), "phone 13812345678 qty 3");
        assert_eq!(mask("SKU4111111111111111", &[]), "SKU4111111111111111");
    }
}
