//! The parts of a Markdown body that kramdown (Jekyll's Markdown) leaves as
//! written, found before CommonMark reads the rest:
//!
//! - `{::nomarkdown}` … `{:/}` passes its text through as HTML, and
//!   `{::comment}` … `{:/}` drops it (outside HTML comments, where a note
//!   about the syntax stays a note);
//! - an HTML block runs from a line opening a block element to the line that
//!   closes it, blank lines and indented lines included. CommonMark ends an
//!   HTML block at the first blank line and reads what follows as Markdown,
//!   so an indented `<li>` after a blank line would become a code block
//!   showing the tags; kramdown keeps the block whole, as real pages (and
//!   their includes) expect.

use crate::code_fences::CodeFences;

/// A stretch of a body: Markdown to render, HTML to keep as it is, or text
/// to drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    Markdown(&'a str),
    Html(&'a str),
    /// Text kramdown drops (`{::comment}`), markers included.
    Dropped(&'a str),
}

/// kramdown's extensions around text that is not Markdown, and whether the
/// text is kept. Both end at `{:/}` (or `{:/name}`).
const EXTENSIONS: [(&str, bool); 2] = [("{::nomarkdown}", true), ("{::comment}", false)];

/// Elements whose opening tag at the start of a line starts an HTML block
/// that kramdown keeps whole until its closing tag.
const BLOCK_ELEMENTS: &[&str] = &[
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "div",
    "dl",
    "fieldset",
    "figure",
    "footer",
    "form",
    "header",
    "iframe",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "script",
    "section",
    "style",
    "table",
    "ul",
    "video",
];

/// `text` cut into Markdown and the HTML kramdown keeps as written.
pub(crate) fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut segments = Vec::new();
    let mut rest = text;
    while let Some(raw) = next_raw(rest) {
        if raw.start > 0 {
            segments.push(Segment::Markdown(&rest[..raw.start]));
        }
        segments.push(match raw.kept {
            Some(kept) => Segment::Html(kept),
            None => Segment::Dropped(&rest[raw.start..raw.end]),
        });
        rest = &rest[raw.end..];
    }
    if !rest.is_empty() {
        segments.push(Segment::Markdown(rest));
    }
    segments
}

/// A stretch kramdown does not read as Markdown: `start..end` of the text,
/// and what of it is written (none for a comment).
struct Raw<'a> {
    start: usize,
    end: usize,
    kept: Option<&'a str>,
}

fn next_raw(text: &str) -> Option<Raw<'_>> {
    let extension = next_extension(text).map(|(start, opening, keep)| {
        let inner_start = start + opening.len();
        let inner = &text[inner_start..];
        let (inner_end, end) = match inner.find("{:/") {
            Some(close) => {
                let after = inner[close..]
                    .find('}')
                    .map_or(inner.len(), |c| close + c + 1);
                (inner_start + close, inner_start + after)
            }
            None => (text.len(), text.len()),
        };
        Raw {
            start,
            end,
            kept: keep.then(|| &text[inner_start..inner_end]),
        }
    });
    let limit = extension.as_ref().map_or(text.len(), |raw| raw.start);
    match next_html_block(&text[..limit]) {
        Some((start, end)) => Some(Raw {
            start,
            end,
            kept: Some(&text[start..end]),
        }),
        None => extension,
    }
}

/// Where the next kramdown extension opens in `text`, outside HTML comments.
fn next_extension(text: &str) -> Option<(usize, &'static str, bool)> {
    // Most bodies hold none: one quick scan says so, where the loop below
    // reads the body once for each extension and again for comments.
    memchr::memmem::find(text.as_bytes(), b"{::")?;
    let mut from = 0;
    loop {
        let rest = &text[from..];
        let extension = EXTENSIONS
            .iter()
            .filter_map(|(opening, keep)| Some((rest.find(opening)?, *opening, *keep)))
            .min_by_key(|(at, ..)| *at);
        match (extension, rest.find("<!--")) {
            (Some((at, opening, keep)), comment) if comment.is_none_or(|c| at < c) => {
                return Some((from + at, opening, keep));
            }
            (Some(_), Some(comment)) => {
                let after = &rest[comment..];
                from += comment + after.find("-->")? + 3;
            }
            _ => return None,
        }
    }
}

/// Lines opening a block element that one body may have looked for their
/// closing tag: each look may read the rest of the body, so a body of
/// thousands of unclosed tags is left to CommonMark past this many.
const MAX_BLOCK_LOOKS: usize = 256;

/// The first HTML block of `text` that CommonMark would cut at a blank line:
/// a line opening a block element (outside code fences) to the end of the
/// line that closes it, when a blank line lies between. Blocks CommonMark
/// reads whole anyway, and blocks never closed, are left to it.
fn next_html_block(text: &str) -> Option<(usize, usize)> {
    // No tag, no block: one byte search instead of a look at every line.
    if !text.contains('<') {
        return None;
    }
    let mut fences = CodeFences::default();
    let mut offset = 0;
    // A block read whole by CommonMark is skipped past, not looked into.
    let mut skip_to = 0;
    let mut looks = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if start < skip_to {
            continue;
        }
        if fences.is_code(line) {
            continue;
        }
        let trimmed = line.trim_start();
        if line.len() - trimmed.len() > 3 {
            continue;
        }
        let Some(name) = opening_block_element(trimmed) else {
            continue;
        };
        looks += 1;
        if looks > MAX_BLOCK_LOOKS {
            return None;
        }
        let Some(close) = balanced_end(&text[start..], name) else {
            continue;
        };
        let end = text[start + close..]
            .find('\n')
            .map_or(text.len(), |newline| start + close + newline + 1);
        if text[start..end].lines().any(|line| line.trim().is_empty()) {
            return Some((start, end));
        }
        skip_to = end;
    }
    None
}

/// The block element a line opens, unless its tag asks kramdown to read its
/// content as Markdown (`markdown="1"`).
fn opening_block_element(line: &str) -> Option<&'static str> {
    let tag = line.strip_prefix('<')?;
    let name_length = tag
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(tag.len());
    let name = &tag[..name_length];
    let element = BLOCK_ELEMENTS
        .iter()
        .find(|element| element.eq_ignore_ascii_case(name))?;
    let opening_tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    (!opening_tag.contains("markdown=")).then_some(*element)
}

/// The offset just past the tag that closes the element `name` opened at the
/// start of `text`, counting the same elements nested inside.
fn balanced_end(text: &str, name: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    // `<name` or `</name` followed by the end of the name.
    let tag_at = |at: usize, closing: bool| {
        let name_start = at + 1 + usize::from(closing);
        let name_end = name_start + name.len();
        bytes
            .get(name_start..name_end)?
            .eq_ignore_ascii_case(name.as_bytes())
            .then_some(())?;
        let after = bytes.get(name_end).copied();
        after
            .is_none_or(|c| c == b'>' || c == b'/' || c.is_ascii_whitespace())
            .then_some(())
    };
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(found) = text[at..].find('<') {
        let tag_start = at + found;
        if bytes.get(tag_start + 1) == Some(&b'/') && tag_at(tag_start, true).is_some() {
            let tag_end = tag_start + text[tag_start..].find('>')? + 1;
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(tag_end);
            }
            at = tag_end;
        } else {
            if tag_at(tag_start, false).is_some() {
                depth += 1;
            }
            at = tag_start + 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::{Html, Markdown};

    #[test]
    fn kramdown_keeps_an_html_block_whole_across_blank_lines() {
        let text = "Intro\n\n<ul class=\"faq\">\n    <li>One</li>\n\n    <li><div>Two</div></li>\n</ul>\nAfter *this*.\n";
        assert_eq!(
            segments(text),
            [
                Markdown("Intro\n\n"),
                Html(
                    "<ul class=\"faq\">\n    <li>One</li>\n\n    <li><div>Two</div></li>\n</ul>\n"
                ),
                Markdown("After *this*.\n"),
            ]
        );
    }

    #[test]
    fn blocks_commonmark_reads_whole_unclosed_ones_and_code_are_left_to_it() {
        for text in [
            "<div>\n  one line block\n</div>\n",
            "<div>\n\nnever closed\n",
            "```\n<div>\n\n</div>\n```\n",
            "<div markdown=\"1\">\n\n**read as Markdown**\n\n</div>\n",
        ] {
            assert_eq!(segments(text), [Markdown(text)], "{text}");
        }
    }

    #[test]
    fn nested_elements_of_the_same_name_close_at_the_outer_tag() {
        let text = "<div>\n<div>inner</div>\n\n</div>\nrest\n";
        assert_eq!(
            segments(text),
            [
                Html("<div>\n<div>inner</div>\n\n</div>\n"),
                Markdown("rest\n")
            ]
        );
    }
}
