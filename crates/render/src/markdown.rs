//! Markdown as Isomer authors write it: CommonMark with tables, footnotes and
//! strikethrough, plus the kramdown habits real pages rely on: automatic
//! heading ids and attribute lists such as `{:target="_blank"}` after a link.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use pulldown_cmark::{
    CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, TextMergeStream,
};

use crate::code_fences::CodeFences;
use crate::kramdown_raw::{self, Segment};
use crate::markdown_clean;
use crate::nesting::{self, NestingError, NestingMeter};
use crate::sanitiser_rules::SanitiserRules;
use crate::table_cells;

/// Renders a Markdown body to HTML (not yet sanitised), or says where it
/// nests deeper than the sanitiser may be given (see `nesting.rs`). What
/// kramdown keeps as written (see `kramdown_raw.rs`) is kept as
/// written, held to the same depth.
pub fn render_markdown(text: &str) -> Result<String, NestingError> {
    let mut html = String::with_capacity(text.len() * 3 / 2);
    let mut lines_before = 0;
    for segment in kramdown_raw::segments(text) {
        // A segment's lines count from its start: the error says the page's.
        let in_page = |mut error: NestingError| {
            error.line += lines_before;
            error
        };
        let part = match segment {
            Segment::Markdown(markdown) => {
                html.push_str(&render_commonmark(markdown).map_err(in_page)?);
                markdown
            }
            Segment::Html(raw) => {
                NestingMeter::default()
                    .html(raw, 0)
                    .map_err(|offset| in_page(nesting::too_deep(raw, offset)))?;
                html.push_str(raw);
                raw
            }
            Segment::Dropped(dropped) => dropped,
        };
        lines_before += part.matches('\n').count() as u32;
    }
    Ok(html)
}

/// A Markdown body's HTML, and whether the sanitiser must still see it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum MarkdownHtml {
    /// Written as the sanitiser would write it (`markdown_clean.rs`).
    Clean(String),
    /// Holds something only the sanitiser may handle: raw HTML, a URL it
    /// would drop.
    Unsanitised(String),
}

/// Renders a Markdown body as [`render_markdown`] does, written straight as
/// the sanitiser would write it when nothing in it needs the sanitiser.
pub(crate) fn render_markdown_clean(
    text: &str,
    rules: &SanitiserRules,
) -> Result<MarkdownHtml, NestingError> {
    let segments = kramdown_raw::segments(text);
    let mut kept = segments
        .iter()
        .filter(|segment| !matches!(segment, Segment::Dropped(_)));
    // Most bodies are one Markdown segment: parsed once, whichever way its
    // events are then written.
    if let (Some(Segment::Markdown(markdown)), None) = (kept.next(), kept.next()) {
        let written = with_events(markdown, |events| {
            let mut html = String::with_capacity(markdown.len() * 3 / 2);
            if markdown_clean::write_events(&events, rules, &mut html).is_ok() {
                return MarkdownHtml::Clean(html);
            }
            html.clear();
            pulldown_cmark::html::push_html(&mut html, events.into_iter());
            MarkdownHtml::Unsanitised(html)
        });
        // An error's line is the page's, which `render_markdown` counts.
        if let Ok(written) = written {
            return Ok(written);
        }
    } else if let Some(html) = segments_clean(&segments, text.len(), rules) {
        return Ok(MarkdownHtml::Clean(html));
    }
    render_markdown(text).map(MarkdownHtml::Unsanitised)
}

/// A body of several segments written as the sanitiser would write it, or
/// `None` when one of them needs the sanitiser or nests too deep.
fn segments_clean(
    segments: &[Segment<'_>],
    length: usize,
    rules: &SanitiserRules,
) -> Option<String> {
    let mut html = String::with_capacity(length * 3 / 2);
    for segment in segments {
        match segment {
            Segment::Markdown(markdown) => {
                with_events(markdown, |events| {
                    markdown_clean::write_events(&events, rules, &mut html)
                })
                .ok()?
                .ok()?;
            }
            Segment::Html(_) => return None,
            Segment::Dropped(_) => {}
        }
    }
    Some(html)
}

fn render_commonmark(text: &str) -> Result<String, NestingError> {
    with_events(text, |events| {
        let mut html = String::with_capacity(text.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        html
    })
}

/// Hands `write` the events of a Markdown segment, once kramdown's
/// attribute lists are applied and headings have ids.
fn with_events<T>(text: &str, write: impl FnOnce(Vec<Event<'_>>) -> T) -> Result<T, NestingError> {
    let widened = table_cells::widen_table_headers(text);
    let text = strip_block_attribute_lines(&widened);
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut meter = NestingMeter::default();
    let mut too_deep_at = None;
    let measured = Parser::new_ext(&text, options)
        .into_offset_iter()
        .map_while(|(event, range)| {
            let within = match &event {
                Event::Start(_) => meter.open(range.start),
                Event::End(_) => {
                    meter.close();
                    Ok(())
                }
                Event::Html(html) | Event::InlineHtml(html) => meter.html(html, range.start),
                _ => Ok(()),
            };
            match within {
                Ok(()) => Some(event),
                Err(offset) => {
                    too_deep_at = Some(offset);
                    None
                }
            }
        });
    let mut events: Vec<Event<'_>> = TextMergeStream::new(measured).collect();
    if let Some(offset) = too_deep_at {
        return Err(nesting::too_deep(&text, offset));
    }
    apply_inline_attribute_lists(&mut events);
    add_heading_ids(&mut events);
    Ok(write(events))
}

/// kramdown block attribute lines (`{: .class}` alone on a line) style the block
/// before them; Gazette's theme does the styling, so the lines are dropped
/// rather than shown as text. Lines inside code fences are kept.
fn strip_block_attribute_lines(text: &str) -> Cow<'_, str> {
    // Most texts hold none: one byte search rather than a copy a line at
    // a time.
    if memchr::memmem::find(text.as_bytes(), b"{:").is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut fences = CodeFences::default();
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !fences.is_code(line) && trimmed.starts_with("{:") && trimmed.ends_with('}') {
            out.push('\n');
            continue;
        }
        out.push_str(line);
    }
    Cow::Owned(out)
}

/// Attributes from a kramdown attribute list: `key="value"`, `.class`, `#id`.
fn parse_attribute_list(list: &str) -> Vec<(String, String)> {
    let mut attributes: Vec<(String, String)> = Vec::new();
    let mut classes = Vec::new();
    let mut rest = list.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            classes.push(after[..end].to_owned());
            rest = after[end..].trim_start();
        } else if let Some(after) = rest.strip_prefix('#') {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            attributes.push(("id".into(), after[..end].to_owned()));
            rest = after[end..].trim_start();
        } else if let Some((key, after)) = rest.split_once('=') {
            let key = key.trim().to_owned();
            let after = after.trim_start();
            let (value, remaining) = match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let end = inner.find(quote).unwrap_or(inner.len());
                    (&inner[..end], inner.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            if !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                attributes.push((key, value.to_owned()));
            }
            rest = remaining.trim_start();
        } else {
            break;
        }
    }
    if !classes.is_empty() {
        attributes.push(("class".into(), classes.join(" ")));
    }
    attributes
}

/// Finds `{:...}` right after a link or image and turns the element into raw
/// HTML carrying those attributes.
fn apply_inline_attribute_lists(events: &mut Vec<Event<'_>>) {
    let mut open: Vec<usize> = Vec::new();
    let mut index = 0;
    while index < events.len() {
        match &events[index] {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => open.push(index),
            Event::End(TagEnd::Link | TagEnd::Image) => {
                let start = open.pop();
                if let (Some(start), Some(Event::Text(next))) = (start, events.get(index + 1))
                    && let Some(after) = next.strip_prefix("{:")
                    && let Some(close) = after.find('}')
                {
                    let attributes = parse_attribute_list(&after[..close]);
                    let remaining = after[close + 1..].to_owned();
                    events[index + 1] = Event::Text(CowStr::from(remaining));
                    index = rewrite_with_attributes(events, start, index, &attributes);
                }
            }
            _ => {}
        }
        index += 1;
    }
}

/// Replaces `events[start..=end]` (a link or an image) with raw HTML that has
/// `attributes`; returns the index of the element's last event afterwards.
fn rewrite_with_attributes(
    events: &mut Vec<Event<'_>>,
    start: usize,
    end: usize,
    attributes: &[(String, String)],
) -> usize {
    let extra: String = attributes
        .iter()
        .fold(String::new(), |mut out, (key, value)| {
            let _ = write!(out, " {key}=\"{}\"", escape_attribute(value));
            out
        });
    match events[start].clone() {
        Event::Start(Tag::Link {
            dest_url,
            title,
            link_type,
            ..
        }) => {
            let href = if link_type == LinkType::Email {
                format!("mailto:{dest_url}")
            } else {
                dest_url.to_string()
            };
            let mut open = format!("<a href=\"{}\"", escape_attribute(&href));
            if !title.is_empty() {
                let _ = write!(open, " title=\"{}\"", escape_attribute(&title));
            }
            open.push_str(&extra);
            open.push('>');
            events[start] = Event::InlineHtml(CowStr::from(open));
            events[end] = Event::InlineHtml(CowStr::from("</a>"));
            end
        }
        Event::Start(Tag::Image {
            dest_url, title, ..
        }) => {
            let alt: String = events[start + 1..end]
                .iter()
                .filter_map(|event| match event {
                    Event::Text(text) | Event::Code(text) => Some(text.as_ref()),
                    _ => None,
                })
                .collect();
            let mut tag = format!(
                "<img src=\"{}\" alt=\"{}\"",
                escape_attribute(&dest_url),
                escape_attribute(&alt)
            );
            if !title.is_empty() {
                let _ = write!(tag, " title=\"{}\"", escape_attribute(&title));
            }
            tag.push_str(&extra);
            tag.push_str(" />");
            events.splice(start..=end, [Event::InlineHtml(CowStr::from(tag))]);
            start
        }
        _ => end,
    }
}

/// Gives every heading without an explicit `{#id}` an id as kramdown did:
/// lower case, punctuation dropped, spaces as hyphens, unique on the page.
fn add_heading_ids(events: &mut [Event<'_>]) {
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut open: Option<(usize, String)> = None;
    for index in 0..events.len() {
        match &events[index] {
            Event::Start(Tag::Heading { id: None, .. }) => open = Some((index, String::new())),
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, heading_text)) = open.as_mut() {
                    heading_text.push_str(text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, heading_text)) = open.take() {
                    let base = heading_slug(&heading_text);
                    let count = used.entry(base.clone()).or_insert(0);
                    let id = if *count == 0 {
                        base.clone()
                    } else {
                        format!("{base}-{count}")
                    };
                    *count += 1;
                    if let Event::Start(Tag::Heading {
                        level,
                        classes,
                        attrs,
                        ..
                    }) = &events[start]
                    {
                        let (level, classes, attrs): (HeadingLevel, _, _) =
                            (*level, classes.clone(), attrs.clone());
                        events[start] = Event::Start(Tag::Heading {
                            level,
                            id: Some(CowStr::from(id)),
                            classes,
                            attrs,
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

fn heading_slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if c == ' ' || c == '-' {
            slug.push('-');
        } else if c == '_' {
            slug.push('_');
        }
    }
    if slug.is_empty() {
        "section".to_owned()
    } else {
        slug
    }
}

/// Escapes text for a double-quoted HTML attribute.
pub(crate) fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_footnotes_and_strikethrough_render() {
        let html =
            render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ new[^1]\n\n[^1]: note\n")
                .unwrap();
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("footnote"), "{html}");
    }

    #[test]
    fn headings_get_kramdown_style_unique_ids() {
        let html =
            render_markdown("## What's New?\n\n## What's New?\n\n### Keep {#custom}\n").unwrap();
        assert!(html.contains("<h2 id=\"whats-new\">"), "{html}");
        assert!(html.contains("<h2 id=\"whats-new-1\">"), "{html}");
        assert!(html.contains("<h3 id=\"custom\">"), "{html}");
    }

    #[test]
    fn an_attribute_list_after_a_link_becomes_attributes() {
        let html =
            render_markdown("See [the form](https://form.gov.sg/x){:target=\"_blank\"} now.\n")
                .unwrap();
        assert!(
            html.contains("<a href=\"https://form.gov.sg/x\" target=\"_blank\">the form</a> now."),
            "{html}"
        );
    }

    #[test]
    fn an_attribute_list_after_an_image_becomes_attributes() {
        let html =
            render_markdown("![A chart](/images/chart.png){: width=\"50%\" .wide}\n").unwrap();
        assert!(
            html.contains(
                "<img src=\"/images/chart.png\" alt=\"A chart\" width=\"50%\" class=\"wide\" />"
            ),
            "{html}"
        );
    }

    #[test]
    fn block_attribute_lines_are_dropped_outside_code() {
        let html = render_markdown("Para\n{: .note}\n\n```\n{: kept}\n```\n").unwrap();
        assert!(!html.contains("{: .note}"), "{html}");
        assert!(html.contains("{: kept}"), "{html}");
    }

    #[test]
    fn kramdown_nomarkdown_passes_html_through_and_comment_drops_text() {
        let html = render_markdown(
            "<!-- the {::nomarkdown}{:/} tags keep HTML as it is -->\nBefore *a*.\n\n{::nomarkdown}\n<div>\n\n    <p>not code</p>\n</div>\n{:/}\n\n{::comment}hidden{:/comment} After *b*.\n",
        )
        .unwrap();
        assert!(
            html.contains("<em>a</em>") && html.contains("<em>b</em>"),
            "{html}"
        );
        assert!(
            html.contains("    <p>not code</p>"),
            "kept as written, not a code block: {html}"
        );
        let (comment, rest) = html.split_once("-->").expect("the HTML comment is kept");
        assert!(
            comment.contains("{::nomarkdown}{:/}"),
            "a note about the syntax is left alone"
        );
        assert!(
            !rest.contains("nomarkdown") && !rest.contains("hidden") && !rest.contains("{:/"),
            "{html}"
        );
    }

    #[test]
    fn raw_html_passes_through_for_the_sanitiser() {
        let html = render_markdown(
            "<div class=\"row\">\n<figure><figcaption>Cap</figcaption></figure>\n</div>\n",
        )
        .unwrap();
        assert!(html.contains("<figcaption>Cap</figcaption>"), "{html}");
    }

    #[test]
    fn deep_quotes_lists_and_html_end_at_the_line_the_budget_runs_out() {
        let limit = crate::nesting::MAX_DEPTH;
        let quotes = "> ".repeat(100_000) + "deep\n";
        let error = render_markdown(&format!("Intro\n\n{quotes}")).unwrap_err();
        assert_eq!((error.limit, error.line), (limit, 3));

        let lists = "- ".repeat(100_000) + "deep\n";
        assert_eq!(render_markdown(&lists).unwrap_err().line, 1);

        // Lines count from the top of the page, past a block kept as HTML.
        let after_block = format!("<div>\n\n</div>\n{{::comment}}\nnote\n{{:/}}\n{quotes}");
        assert_eq!(render_markdown(&after_block).unwrap_err().line, 7);

        let divs = "<div>\n".repeat(100_000);
        let error = render_markdown(&format!("# Title\n\n{divs}")).unwrap_err();
        // The budget counts the blocks around the HTML too.
        assert!(
            (limit as u32 - 2..=limit as u32 + 3).contains(&error.line),
            "{error:?}"
        );

        let inline = "<span>".repeat(100_000);
        assert_eq!(
            render_markdown(&format!("Text {inline}")).unwrap_err().line,
            1
        );
    }

    #[test]
    fn real_nesting_renders() {
        let quotes = "> ".repeat(20) + "quoted\n";
        let lists = (0..20)
            .map(|level| format!("{}- item {level}\n", "  ".repeat(level)))
            .collect::<String>();
        let divs = "<div>\n".repeat(20) + &"</div>\n".repeat(20);
        for text in [quotes, lists, divs] {
            assert!(render_markdown(&text).is_ok(), "{text}");
        }
    }
}
