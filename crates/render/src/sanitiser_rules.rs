//! What the writers that stand in for the sanitiser must know of it: which
//! elements, attributes and URLs it keeps, the `rel` it gives every link,
//! and how its serialiser escapes text.
//!
//! Both writers ([`crate::markdown_clean`] for Markdown,
//! [`crate::html_clean`] for HTML) write a body straight only when it comes
//! out exactly as the sanitiser would write it, and give up otherwise. The
//! allowlist here is read from the sanitiser's own builder, so there is one
//! list, not two to keep in step.

use rustc_hash::{FxHashMap, FxHashSet};

/// The sanitiser's rules, as the straight writers need them (looked up for
/// every element and attribute: hashed with Fx, not SipHash).
pub(crate) struct SanitiserRules {
    /// The schemes of absolute URLs it keeps.
    pub schemes: FxHashSet<&'static str>,
    /// The `rel` it adds to every `<a>`.
    pub link_rel: &'static str,
    /// The elements it keeps; the others lose their tags, not their
    /// content, but for these:
    pub tags: FxHashSet<&'static str>,
    /// The elements it drops with their content (`script`, `style`).
    pub clean_content_tags: FxHashSet<&'static str>,
    /// Attributes it keeps on every element it keeps.
    pub generic_attributes: FxHashSet<&'static str>,
    /// Prefixes of attribute names it keeps on every element (`aria-`).
    pub generic_attribute_prefixes: Vec<&'static str>,
    /// Attributes it keeps on one element.
    pub tag_attributes: FxHashMap<&'static str, FxHashSet<&'static str>>,
}

impl SanitiserRules {
    /// Whether the sanitiser keeps `url` in an `href` or `src`. It parses
    /// the URL: an absolute one must have an allowed scheme, a relative one
    /// passes (the sanitiser passes them through as written, ammonia's
    /// default), and one that fails to parse for any other reason is
    /// dropped.
    pub fn keeps_url(&self, url: &str) -> bool {
        match url::Url::parse(url) {
            Ok(parsed) => self.schemes.contains(parsed.scheme()),
            Err(url::ParseError::RelativeUrlWithoutBase) => true,
            Err(_) => false,
        }
    }

    /// Whether the sanitiser keeps attribute `attribute` of an `element`
    /// it keeps (before it looks at the value).
    pub fn keeps_attribute(&self, element: &str, attribute: &str) -> bool {
        self.generic_attributes.contains(attribute)
            || self
                .generic_attribute_prefixes
                .iter()
                .any(|prefix| attribute.starts_with(prefix))
            || self
                .tag_attributes
                .get(element)
                .is_some_and(|attributes| attributes.contains(attribute))
    }
}

/// Something only the sanitiser may handle.
#[derive(Debug)]
pub(crate) struct NeedsSanitiser;

/// A write that may find something only the sanitiser may handle.
pub(crate) type Written = Result<(), NeedsSanitiser>;

/// Appends `text` escaped as the sanitiser's serialiser escapes it: `&`,
/// `<`, `>` and U+00A0 always, `"` in an attribute. A carriage return or a
/// NUL, which the HTML parser rewrites, needs the sanitiser.
pub(crate) fn escape(out: &mut String, text: &str, attribute: bool) -> Written {
    let bytes = text.as_bytes();
    let mut run_start = 0;
    let mut at = 0;
    loop {
        // Most bytes need nothing: skipped a table lookup at a time.
        while bytes
            .get(at)
            .is_some_and(|&byte| !MAY_ESCAPE[usize::from(byte)])
        {
            at += 1;
        }
        let Some(&byte) = bytes.get(at) else {
            break;
        };
        let (replacement, width) = match byte {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' if attribute => ("&quot;", 1),
            // U+00A0 in UTF-8.
            0xC2 if bytes.get(at + 1) == Some(&0xA0) => ("&nbsp;", 2),
            b'\r' | b'\0' => return Err(NeedsSanitiser),
            _ => {
                at += 1;
                continue;
            }
        };
        out.push_str(&text[run_start..at]);
        out.push_str(replacement);
        at += width;
        run_start = at;
    }
    out.push_str(&text[run_start..]);
    Ok(())
}

/// The bytes [`escape`] looks at: the characters it escapes, the first
/// byte of U+00A0, and those that need the sanitiser.
const MAY_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut bytes = b"&<>\"\r\0\xC2".as_slice();
    while let [byte, rest @ ..] = bytes {
        table[*byte as usize] = true;
        bytes = rest;
    }
    table
};
