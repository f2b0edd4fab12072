//! Which URLs and colours written in a site's data may reach a published
//! page's attributes and styles.
//!
//! Page bodies are sanitised as HTML; the theme, though, puts URLs from
//! navigation, the footer, homepage sections, front matter and settings into
//! `href`, `src` and `style` itself. Every such value passes here first (the
//! theme's `safe_url` and `css_color` filters, and the checker's rule for
//! unsafe URLs), so a `javascript:` link in `navigation.yml` or a colour that
//! closes a style rule never runs in a reader's browser.

use std::borrow::Cow;

/// The schemes a link or image may use; a URL without a scheme (a path, a
/// fragment, `//host/…`) is relative and allowed.
pub const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// What an unsafe URL becomes: a link to nowhere on the same page.
pub const INERT_URL: &str = "#";

/// The scheme of `url` as a browser reads it (lower-cased), or `None` for a
/// relative URL. Browsers drop leading and trailing control characters and
/// spaces and every tab and newline before they look for the scheme, so
/// `" java\tscript:"` is `javascript`; and a URL that reaches HTML unescaped
/// (a site's own Liquid layout) has its character references decoded
/// first, so `&#106;avascript&colon;` is `javascript` too.
pub fn url_scheme(url: &str) -> Option<String> {
    let decoded = decode_character_references(url);
    // Read up to the first `:`, stopping at the first character a scheme
    // cannot hold (`/`, `?` and `#` among them): most URLs a page holds are
    // relative and end here at their first character, with nothing copied.
    let mut scheme = String::new();
    for c in decoded.trim_start_matches(|c: char| c <= ' ').chars() {
        match c {
            '\t' | '\n' | '\r' => {}
            ':' if !scheme.is_empty() => return Some(scheme),
            c if c.is_ascii_alphabetic() => scheme.push(c.to_ascii_lowercase()),
            c if !scheme.is_empty() && (c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) => {
                scheme.push(c);
            }
            _ => return None,
        }
    }
    None
}

/// `text` with HTML character references decoded as a browser decodes an
/// attribute value (the WHATWG rules, through `htmlize`): numeric ones
/// (`&#106;`, `&#x6A;`, the `;` optional; null and overlong ones are
/// U+FFFD) and every named one (`&colon;`, `&Tab;`, `&amp;`, …).
pub fn decode_character_references(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    htmlize::unescape_attribute(text)
}

/// Whether `url` may go into an attribute: relative, or with an allowed
/// scheme.
pub fn is_allowed_url(url: &str) -> bool {
    url_scheme(url).is_none_or(|scheme| ALLOWED_SCHEMES.contains(&scheme.as_str()))
}

/// `url` as it may be written into an attribute or a CSS `url('…')`: an
/// unsafe URL becomes [`INERT_URL`], and the characters that could end a
/// quoted attribute or CSS string (quotes, parentheses, backslashes, angle
/// brackets, spaces and controls) are percent-encoded, which leaves what
/// the URL points at unchanged.
pub fn safe_url(url: &str) -> Cow<'_, str> {
    if !is_allowed_url(url) {
        return Cow::Borrowed(INERT_URL);
    }
    let needs_encoding = |c: char| {
        c.is_control() || matches!(c, ' ' | '"' | '\'' | '(' | ')' | '\\' | '<' | '>' | '`')
    };
    let trimmed = url.trim();
    if !trimmed.contains(needs_encoding) {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(trimmed.len() + 8);
    for c in trimmed.chars() {
        if needs_encoding(c) {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `value` is a CSS colour and nothing else: `#rgb`, `#rgba`,
/// `#rrggbb`, `#rrggbbaa`, a colour function of numbers (`rgb(…)`,
/// `rgba(…)`, `hsl(…)`, `hsla(…)`), or a keyword such as `navy`.
pub fn is_css_color(value: &str) -> bool {
    let value = value.trim();
    if let Some(hex) = value.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some((function, rest)) = value.split_once('(') {
        let arguments = rest.strip_suffix(')');
        return matches!(
            function.trim().to_ascii_lowercase().as_str(),
            "rgb" | "rgba" | "hsl" | "hsla"
        ) && arguments.is_some_and(|arguments| {
            arguments
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | ' ' | '/' | '-'))
        });
    }
    !value.is_empty() && value.len() <= 32 && value.chars().all(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_web_mail_and_phone_urls_are_allowed() {
        for url in [
            "/about/",
            "about.html",
            "#top",
            "?q=1",
            "//cdn.example.sg/a.png",
            "https://www.gov.sg/",
            "HTTP://example.com",
            "mailto:help@example.gov.sg",
            "tel:+6561234567",
            "",
        ] {
            assert!(is_allowed_url(url), "{url}");
        }
    }

    #[test]
    fn script_and_data_urls_are_refused_however_they_are_spelled() {
        for url in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "&#106;avascript:alert(1)",
            "&#x6A;&#X61;vascript:alert(1)",
            "&#0000000000106avascript:alert(1)",
            "javascript&colon;alert(1)",
            "java&Tab;script:alert(1)",
        ] {
            assert!(!is_allowed_url(url), "{url:?}");
            assert_eq!(safe_url(url), INERT_URL, "{url:?}");
        }
    }

    #[test]
    fn character_references_decode_as_in_an_attribute_and_stray_ampersands_stay() {
        assert_eq!(
            decode_character_references("a &amp; b &#39;c&#x27; &copy; & d &#106x &lpar;"),
            "a & b 'c' \u{a9} & d jx ("
        );
        // In an attribute a reference without `;` followed by `=` or a
        // letter is a query parameter, not a character.
        assert_eq!(
            decode_character_references("/q?a=1&copy=2&notit"),
            "/q?a=1&copy=2&notit"
        );
    }

    #[test]
    fn the_scheme_is_what_a_browser_reads_after_trimming_and_dropping_tabs_and_newlines() {
        // The rule spelled out: trim controls and spaces, drop every tab and
        // newline, and take what comes before a `:` that precedes any `/`,
        // `?` or `#`, if it is a letter then letters, digits, `+`, `-`, `.`.
        fn by_definition(url: &str) -> Option<String> {
            let decoded = decode_character_references(url);
            let cleaned: String = decoded
                .trim_matches(|c: char| c <= ' ')
                .chars()
                .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                .collect();
            let end = cleaned.find([':', '/', '?', '#'])?;
            let scheme = cleaned[..end].to_owned();
            let mut chars = scheme.chars();
            let valid = cleaned[end..].starts_with(':')
                && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
            valid.then(|| scheme.to_ascii_lowercase())
        }
        let urls = [
            "",
            ":",
            "/a:b",
            "?x:y",
            "#f:g",
            "a",
            "a:",
            "A1+.-z:rest",
            "1a:b",
            "+a:b",
            " \u{1} JaVa\tScRiPt\n:alert(1)",
            "java script:x",
            "java\u{0c}script:x",
            "&#106;avascript&colon;x",
            "&#x6A;ava&Tab;script:x",
            "mailto:a@b",
            "tel:+65",
            "https://example.org/",
            "//host/path",
            "ftp://x",
            "data:text/html,x",
            "ü:x",
            "a\u{a0}:x",
            "  \r\n ",
            "http\r:x",
        ];
        for url in urls {
            assert_eq!(url_scheme(url), by_definition(url), "{url:?}");
        }
    }

    #[test]
    fn a_colon_after_a_path_is_not_a_scheme() {
        assert_eq!(url_scheme("/a:b"), None);
        assert_eq!(url_scheme("a/b:c"), None);
        assert_eq!(url_scheme("?x=javascript:1"), None);
        assert_eq!(url_scheme("1abc:x"), None);
        assert_eq!(url_scheme("/a?b=1&amp;c=2:3"), None);
        assert_eq!(url_scheme("&unknown;x:1"), None);
        assert_eq!(url_scheme("&#99999999999;x:1"), None);
    }

    #[test]
    fn characters_that_end_a_quoted_value_are_percent_encoded() {
        assert_eq!(
            safe_url("/img/a b'); background: url('//evil.example/x"),
            "/img/a%20b%27%29;%20background:%20url%28%27//evil.example/x"
        );
        assert_eq!(safe_url("https://a.example/x"), "https://a.example/x");
    }

    #[test]
    fn only_colours_pass_as_colours() {
        for colour in [
            "#2e4b9e",
            "#FFF",
            "navy",
            "rgb(10, 20, 30)",
            "hsla(120, 50%, 50%, 0.5)",
        ] {
            assert!(is_css_color(colour), "{colour}");
        }
        for value in [
            "red; } body { background: url(//evil.example/x) }",
            "url(//evil.example/x)",
            "#12345",
            "expression(alert(1))",
            "rgb(1,2,3) url(x)",
            "",
        ] {
            assert!(!is_css_color(value), "{value}");
        }
    }
}
