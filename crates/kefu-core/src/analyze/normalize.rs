//! Character-level normalization: full-width → half-width, Unicode lowercase, traditional →
//! simplified Chinese, control characters → spaces.

/// Normalizes `text` for matching. Idempotent.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c as u32 {
            // Full-width ASCII variants → ASCII.
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        };
        if c.is_control() {
            out.push(' ');
        } else if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    if out.chars().any(super::is_han) {
        fast2s::convert(&out)
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn folds_width_case_and_script() {
        assert_eq!(normalize("ＡＢＣ　Ｄ"), "abc d");
        assert_eq!(normalize("發票與運費"), "发票与运费");
        assert_eq!(normalize("a\u{0}b"), "a b");
        let once = normalize("Ｒｅｆｕｎｄ 退貨");
        assert_eq!(normalize(&once), once);
    }
}
