//! The check of an e-mail address a shopper types, shared by the widget (which says what is
//! wrong in the shopper's language before anything is sent) and `kefu serve` (which refuses
//! the same addresses with a JSON error naming the problem).
//!
//! Deliberately practical rather than the whole of RFC 5322: `local@domain` where the local
//! part is dot-separated runs of the characters mail providers accept unquoted, and the
//! domain is at least two dot-separated labels of letters (any script), digits and inner
//! hyphens, the last one not all digits. Quoted local parts, comments and address literals
//! (`user@[192.0.2.1]`) are refused: shops never see them from real shoppers, and they are
//! where header-injection tricks hide. So are `?`, `%`, `&`, `=`, `#` and quotes, which RFC 5322
//! allows but real mailboxes hardly use: in a `mailto:` link they start headers (`?bcc=`) or
//! escapes (`%40`), letting an address rewrite where the agent's mail goes. Full-width characters that phone keyboards produce
//! (`＠`, `．`, full-width letters) are folded first, surrounding spaces dropped, and the
//! domain lower-cased.

/// What is wrong with an address, most basic problem first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailError {
    /// Nothing was typed.
    Empty,
    /// Over 254 characters (the longest address SMTP can carry).
    TooLong,
    /// Spaces, control characters, characters such as `<>,;"` that cannot appear unquoted, or
    /// `?%&=#'` and backquotes, which would rewrite a `mailto:` link.
    BadCharacter,
    /// No `@`, or more than one.
    NoAt,
    /// Nothing before the `@`, over 64 characters, or dots at its ends or doubled.
    BadLocalPart,
    /// The part after the `@` is not a domain such as `example.com`.
    BadDomain,
}

impl EmailError {
    /// A short English description (the server's error message; the widget has its own words).
    pub fn message(self) -> &'static str {
        match self {
            EmailError::Empty => "an e-mail address is required",
            EmailError::TooLong => "the e-mail address is longer than 254 characters",
            EmailError::BadCharacter => {
                "the e-mail address contains spaces or characters such as <>,;\"?%&=# that are not allowed"
            }
            EmailError::NoAt => "the e-mail address needs exactly one @, as in name@example.com",
            EmailError::BadLocalPart => {
                "the part before the @ must be 1 to 64 characters without leading, trailing or double dots"
            }
            EmailError::BadDomain => "the part after the @ must be a domain such as example.com",
        }
    }

    /// A stable machine name (`empty`, `too_long`, …) for APIs and tests.
    pub fn code(self) -> &'static str {
        match self {
            EmailError::Empty => "empty",
            EmailError::TooLong => "too_long",
            EmailError::BadCharacter => "bad_character",
            EmailError::NoAt => "no_at",
            EmailError::BadLocalPart => "bad_local_part",
            EmailError::BadDomain => "bad_domain",
        }
    }
}

impl std::fmt::Display for EmailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for EmailError {}

/// Characters allowed unquoted in the local part besides letters and digits: RFC 5322 atext
/// without those refused as [`EmailError::BadCharacter`].
const LOCAL_SPECIALS: &str = "!$*+-/^_{|}~.";

/// Never in an address we accept: what needs quoting, and what has a meaning in a URL.
const BAD_CHARACTERS: &str = "<>()[]\\,;:\"?%&=#'`";

/// Checks `input` and returns the address as it should be stored and used: folded to
/// half-width, trimmed, domain in lower case (the local part keeps its case).
pub fn normalize(input: &str) -> Result<String, EmailError> {
    let folded: String = input
        .trim()
        .chars()
        .map(|c| match c {
            // Full-width ASCII (＠ ． ａ …) as typed with a Chinese IME.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '。' => '.',
            c => c,
        })
        .collect();
    if folded.is_empty() {
        return Err(EmailError::Empty);
    }
    if folded.chars().count() > 254 {
        return Err(EmailError::TooLong);
    }
    if folded.chars().any(|c| c.is_whitespace() || c.is_control() || BAD_CHARACTERS.contains(c)) {
        return Err(EmailError::BadCharacter);
    }
    let mut parts = folded.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(EmailError::NoAt);
    };
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_alphanumeric() || LOCAL_SPECIALS.contains(c));
    if !local_ok {
        return Err(EmailError::BadLocalPart);
    }
    let domain = domain.to_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.chars().count() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld_ok = labels.last().is_some_and(|t| !t.chars().all(|c| c.is_ascii_digit()));
    if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(EmailError::BadDomain);
    }
    Ok(format!("{local}@{domain}"))
}

/// The address with most of the local part hidden, for notices shown on screen
/// (`lily.wang@example.com` → `l***g@example.com`).
pub fn masked(address: &str) -> String {
    let Some((local, domain)) = address.rsplit_once('@') else { return "***".into() };
    let chars: Vec<char> = local.chars().collect();
    let shown = match chars.len() {
        0 => String::new(),
        1 | 2 => format!("{}***", chars[0]),
        n => format!("{}***{}", chars[0], chars[n - 1]),
    };
    format!("{shown}@{domain}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalizes_real_addresses() {
        assert_eq!(normalize("  Lily.Wang+shop@Example.COM ").as_deref(), Ok("Lily.Wang+shop@example.com"));
        assert_eq!(normalize("12345678@qq.com").as_deref(), Ok("12345678@qq.com"));
        assert_eq!(normalize("ｌｉｌｙ＠ｅｘａｍｐｌｅ．ｃｏｍ").as_deref(), Ok("lily@example.com"));
        assert_eq!(normalize("王@例子。中国").as_deref(), Ok("王@例子.中国"));
        assert_eq!(normalize("a@b-c.io").as_deref(), Ok("a@b-c.io"));
    }

    #[test]
    fn names_the_problem() {
        assert_eq!(normalize("   "), Err(EmailError::Empty));
        assert_eq!(normalize("lily example.com"), Err(EmailError::BadCharacter));
        assert_eq!(normalize("lily@example.com\r\nBcc: x@y.z"), Err(EmailError::BadCharacter));
        assert_eq!(normalize("Lily <lily@example.com>"), Err(EmailError::BadCharacter));
        // What would rewrite the inbox's `mailto:` link: headers, escapes, fragments, quotes.
        for bad in [
            "shop%40real.example?bcc=spy%40evil.example&body=Refund-approved@example.com",
            "lily?cc=x@example.com",
            "li%6cy@example.com",
            "a&b@example.com",
            "a=b@example.com",
            "lily#x@example.com",
            "o'brien@example.com",
            "a`b@example.com",
            "lily@exa%6dple.com",
            "lily\u{3000}@example.com",
            "lily\u{a0}@example.com",
        ] {
            assert_eq!(normalize(bad), Err(EmailError::BadCharacter), "{bad}");
        }
        assert_eq!(normalize("lily.example.com"), Err(EmailError::NoAt));
        assert_eq!(normalize("a@b@example.com"), Err(EmailError::NoAt));
        assert_eq!(normalize("@example.com"), Err(EmailError::BadLocalPart));
        assert_eq!(normalize("lily.@example.com"), Err(EmailError::BadLocalPart));
        assert_eq!(normalize("li..ly@example.com"), Err(EmailError::BadLocalPart));
        assert_eq!(normalize("lily@"), Err(EmailError::BadDomain));
        assert_eq!(normalize("lily@localhost"), Err(EmailError::BadDomain));
        assert_eq!(normalize("lily@example..com"), Err(EmailError::BadDomain));
        assert_eq!(normalize("lily@-example.com"), Err(EmailError::BadDomain));
        assert_eq!(normalize("lily@192.168.1.1"), Err(EmailError::BadDomain));
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(normalize(&long), Err(EmailError::TooLong));
        let local = format!("{}@example.com", "a".repeat(65));
        assert_eq!(normalize(&local), Err(EmailError::BadLocalPart));
    }

    #[test]
    fn masks_for_display() {
        assert_eq!(masked("lily.wang@example.com"), "l***g@example.com");
        assert_eq!(masked("li@example.com"), "l***@example.com");
        assert_eq!(masked("王小明@例子.中国"), "王***明@例子.中国");
    }
}
