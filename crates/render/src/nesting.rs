//! The nesting budget of content: how deep a page's blocks and HTML
//! elements may nest before the page ends with an error.
//!
//! The sanitiser's HTML parser (html5ever, inside ammonia) looks through the
//! open elements at nearly every tag, so its time grows with depth times
//! tags: 100,000 nested `>` quotes or `<div>`s took it minutes. Markdown
//! itself (pulldown-cmark) parses such nesting in linear time without
//! recursion, so the depth is measured on its event stream (blocks and inline
//! elements), and on the raw HTML it passes through, before anything reaches
//! the parser.

use thiserror::Error;

/// How deep content may nest. The deepest real page of the corpus nests 14
/// HTML elements (quotes and lists in Markdown, 5): this is far above any
/// real page, and far below what makes html5ever slow (about a second for a
/// megabyte of tags at this depth) or a recursion overflow.
pub(crate) const MAX_DEPTH: usize = 256;

/// Content nests deeper than the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("nests deeper than {limit} levels (a budget of Gazette's content)")]
pub struct NestingError {
    /// The budget.
    pub limit: usize,
    /// The 1-based line of the text where the budget ran out.
    pub line: u32,
}

/// Counts open blocks and open HTML elements through a text, in order.
#[derive(Debug, Default)]
pub(crate) struct NestingMeter {
    /// Blocks and inline elements Markdown opened.
    blocks: usize,
    /// HTML elements opened and not yet closed.
    elements: usize,
    /// Inside an HTML comment, or the raw text of an element (`script`,
    /// `style`) whose closing tag is this one; kept across fragments, as
    /// Markdown hands an HTML block over line by line.
    skipping: Option<&'static str>,
}

/// Elements that never hold others, and elements whose end tag HTML lets
/// authors leave out (the parser closes them at the next sibling): neither
/// deepens the tree however many there are.
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody",
    "thead", "tfoot", "colgroup", "rp", "rt",
];

/// Elements whose content the parser reads as text, and the end tag (in
/// lower case) that ends it.
const RAW_TEXT: &[(&str, &str)] = &[
    ("script", "</script"),
    ("style", "</style"),
    ("textarea", "</textarea"),
    ("title", "</title"),
    ("xmp", "</xmp"),
    ("iframe", "</iframe"),
    ("noembed", "</noembed"),
    ("noframes", "</noframes"),
];

impl NestingMeter {
    /// Markdown opened a block or inline element at `offset`.
    pub(crate) fn open(&mut self, offset: usize) -> Result<(), usize> {
        self.blocks += 1;
        self.check(offset)
    }

    /// Markdown closed one.
    pub(crate) fn close(&mut self) {
        self.blocks = self.blocks.saturating_sub(1);
    }

    /// A fragment of raw HTML that starts at `offset` of the text. Its tags
    /// are counted as the parser would nest them, closely enough: a stray
    /// end tag closes nothing Markdown opened.
    pub(crate) fn html(&mut self, fragment: &str, offset: usize) -> Result<(), usize> {
        let bytes = fragment.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            if let Some(end) = self.skipping {
                match find_ignoring_case(&fragment[at..], end) {
                    Some(found) => {
                        at += found + end.len();
                        self.skipping = None;
                    }
                    None => return Ok(()),
                }
                continue;
            }
            let Some(found) = fragment[at..].find('<') else {
                return Ok(());
            };
            let tag_start = at + found;
            let rest = &fragment[tag_start + 1..];
            if rest.starts_with("!--") {
                self.skipping = Some("-->");
                at = tag_start + 4;
                continue;
            }
            let closing = rest.starts_with('/');
            let name_start = usize::from(closing);
            let name_length = rest[name_start..]
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .unwrap_or(rest.len() - name_start);
            at = tag_start + 1 + name_start + name_length;
            let name = &rest[name_start..name_start + name_length];
            if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                continue;
            }
            // Compared ignoring case where it stands: a lower-case copy of
            // every tag's name cost more than the comparisons.
            if NOT_NESTING
                .iter()
                .any(|known| known.eq_ignore_ascii_case(name))
            {
                continue;
            }
            if closing {
                self.elements = self.elements.saturating_sub(1);
                continue;
            }
            // Up to the tag's end, or the next tag when this one has none, so
            // a text of unclosed tags is read once, not once per tag.
            let self_closing = bytes[at..]
                .iter()
                .position(|&byte| byte == b'>' || byte == b'<')
                .is_some_and(|end| bytes[at + end] == b'>' && bytes[at + end - 1] == b'/');
            if self_closing {
                continue;
            }
            if let Some((_, end)) = RAW_TEXT
                .iter()
                .find(|(raw, _)| raw.eq_ignore_ascii_case(name))
            {
                self.skipping = Some(end);
                continue;
            }
            self.elements += 1;
            self.check(offset + tag_start)?;
        }
        Ok(())
    }

    /// The offset where the budget ran out, if it did.
    fn check(&self, offset: usize) -> Result<(), usize> {
        if self.blocks + self.elements > MAX_DEPTH {
            Err(offset)
        } else {
            Ok(())
        }
    }
}

/// Checks that `html` nests no deeper than the budget.
pub(crate) fn check_html(html: &str) -> Result<(), NestingError> {
    NestingMeter::default()
        .html(html, 0)
        .map_err(|offset| too_deep(html, offset))
}

/// The error for a budget that ran out at `offset` of `text`.
pub(crate) fn too_deep(text: &str, offset: usize) -> NestingError {
    let before = text.get(..offset).unwrap_or(text);
    NestingError {
        limit: MAX_DEPTH,
        line: u32::try_from(before.matches('\n').count() + 1).unwrap_or(u32::MAX),
    }
}

/// Where `needle` (ASCII, starting with a character that is not a letter:
/// `-->`, `</script`) first appears in `haystack`, ignoring case. Each
/// candidate is found by a byte search for the first character, which
/// skips long comments and scripts far faster than comparing at every
/// byte.
fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    let (&first, rest) = needle.as_bytes().split_first()?;
    debug_assert!(first.is_ascii() && !first.is_ascii_alphabetic());
    let bytes = haystack.as_bytes();
    let mut from = 0;
    while let Some(found) = haystack[from..].find(char::from(first)) {
        let at = from + found;
        let candidate = &bytes[at + 1..];
        if candidate.len() >= rest.len() && candidate[..rest.len()].eq_ignore_ascii_case(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_divs(depth: usize) -> String {
        "<div>\n".repeat(depth) + &"</div>".repeat(depth)
    }

    #[test]
    fn nesting_up_to_the_budget_passes_and_one_more_fails_at_its_line() {
        assert_eq!(check_html(&nested_divs(MAX_DEPTH)), Ok(()));
        let error = check_html(&nested_divs(MAX_DEPTH + 1)).unwrap_err();
        assert_eq!(error.line, u32::try_from(MAX_DEPTH + 1).unwrap());
    }

    #[test]
    fn siblings_void_elements_and_omitted_end_tags_do_not_deepen() {
        let siblings = "<div><span>a</span></div>\n".repeat(10_000);
        let voids = "<br><img src=x><hr/><input>".repeat(10_000);
        let omitted = "<ul>".to_owned() + &"<li>item <p>text".repeat(10_000) + "</ul>";
        let self_closing = "<span/>".repeat(10_000);
        for html in [siblings, voids, omitted, self_closing] {
            assert_eq!(check_html(&html), Ok(()), "{}", &html[..40]);
        }
    }

    #[test]
    fn tags_in_comments_and_scripts_are_not_elements() {
        let hidden = "<div>".repeat(MAX_DEPTH * 2);
        for html in [
            format!("<!-- {hidden} -->"),
            format!("<script>let s = '{hidden}';</script>"),
            format!("<STYLE>/* {hidden} */</Style>"),
        ] {
            assert_eq!(check_html(&html), Ok(()), "{}", &html[..20]);
        }
        // What follows the comment counts again.
        let after = format!("<!-- x -->{}", "<div>".repeat(MAX_DEPTH + 1));
        assert!(check_html(&after).is_err());
    }

    #[test]
    fn a_comment_split_across_fragments_is_still_a_comment() {
        let mut meter = NestingMeter::default();
        meter.html("<!-- start\n", 0).unwrap();
        meter.html(&"<div>".repeat(MAX_DEPTH * 2), 11).unwrap();
        meter.html("end -->\n<div>", 2000).unwrap();
        assert_eq!(meter.elements, 1);
    }

    #[test]
    fn stray_end_tags_do_not_cancel_markdown_blocks() {
        let mut meter = NestingMeter::default();
        for offset in 0..MAX_DEPTH {
            meter.open(offset).unwrap();
        }
        meter.html(&"</div>".repeat(MAX_DEPTH), 0).unwrap();
        assert_eq!(meter.open(MAX_DEPTH), Err(MAX_DEPTH));
    }
}
