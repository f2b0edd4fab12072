//! Reading rendered pages: the links, images and element ids of one HTML
//! document, collected in one streaming pass with `lol_html`, each string
//! interned as it is read (`scan.rs`).

use std::borrow::Cow;
use std::cell::RefCell;

use gazette_content::decode_character_references;
use lol_html::html_content::Element;
use lol_html::{HtmlRewriter, Settings, element};

use crate::scan::{Image, PageScan, RefKind, ScanBuilder};

#[derive(Default)]
struct ScanState {
    scan: ScanBuilder,
    /// Where the start tag of the last image with a `src` ends, to look for
    /// text between it and the next.
    last_image_end: Option<usize>,
}

/// Scans one rendered page. Malformed HTML is read as browsers would; the
/// scan never fails, a document lol_html gives up on yields what was read.
/// Bytes that are not UTF-8 read as U+FFFD, as in the browser.
pub(crate) fn scan_page(html: &[u8]) -> PageScan<'static> {
    let state = RefCell::new(ScanState::default());
    let on_element = |element: &mut Element| {
        record_element(&mut state.borrow_mut(), html, element);
        Ok(())
    };
    // Not strict: markup lol_html finds ambiguous is read on, not refused.
    // Only elements are handled: a handler for text would make lol_html
    // decode every text chunk of the page, which cost a quarter of the scan
    // (text between images is looked for only where it matters, in
    // `has_text`), and the rewritten page is thrown away as it is made.
    let settings = Settings::new()
        .with_strict(false)
        .with_enable_esi_tags(false)
        .append_element_content_handler(element!("*", on_element));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    // A parse error leaves what was collected so far.
    if rewriter.write(html).is_ok() {
        let _ = rewriter.end();
    }
    state.take().scan.finish()
}

fn record_element(state: &mut ScanState, html: &[u8], element: &Element) {
    let tag = element.tag_name();
    let attributes = Attributes::of(html, element);
    let scan = &mut state.scan;
    if let Some(id) = attributes.get("id") {
        scan.id(&id);
    }
    match tag.as_str() {
        "a" | "area" => {
            if tag == "a"
                && let Some(name) = attributes.get("name")
            {
                scan.id(&name);
            }
            scan.reference(attributes.get("href").as_deref(), RefKind::Link);
        }
        "form" => scan.reference(attributes.get("action").as_deref(), RefKind::Link),
        "link" => scan.reference(attributes.get("href").as_deref(), RefKind::Resource),
        "script" | "iframe" | "source" | "embed" | "audio" | "track" => {
            scan.reference(attributes.get("src").as_deref(), RefKind::Resource);
        }
        "video" => {
            scan.reference(attributes.get("src").as_deref(), RefKind::Resource);
            scan.reference(attributes.get("poster").as_deref(), RefKind::Resource);
        }
        "object" => scan.reference(attributes.get("data").as_deref(), RefKind::Resource),
        "img" => {
            if let Some(src) = attributes.get("src") {
                let tag_span = element.source_location().bytes();
                let text_since_image = state
                    .last_image_end
                    .is_none_or(|end| has_text(html.get(end..tag_span.start).unwrap_or_default()));
                let repeats_previous = !text_since_image && scan.is_last_image(&src);
                let alt = attributes.get("alt");
                let role = attributes
                    .get("role")
                    .map(|role| role.trim().to_ascii_lowercase());
                let decorative = alt.as_deref() == Some("")
                    && (matches!(role.as_deref(), Some("presentation" | "none"))
                        || attributes
                            .get("aria-hidden")
                            .is_some_and(|hidden| hidden.trim() == "true"));
                scan.image(Image {
                    src: &src,
                    alt: alt.as_deref(),
                    decorative,
                    repeats_previous,
                });
                state.last_image_end = Some(tag_span.end);
                scan.reference(Some(&src), RefKind::Resource);
            }
        }
        _ => {}
    }
    if let Some(style) = attributes.get("style") {
        for url in style_urls(&style) {
            scan.reference(Some(url), RefKind::Resource);
        }
    }
}

/// The attributes of one start tag, read from the page's bytes where they
/// were written: looking one up allocates nothing unless it is there.
struct Attributes<'a> {
    /// Each attribute's name and value as written (a value-less one has an
    /// empty value).
    written: Vec<(&'a [u8], &'a [u8])>,
}

impl<'a> Attributes<'a> {
    fn of(html: &'a [u8], element: &Element) -> Self {
        let slice = |range: std::ops::Range<usize>| html.get(range).unwrap_or_default();
        let written = element
            .attributes()
            .iter()
            .filter_map(|attribute| {
                let name = slice(attribute.name_source_location()?.bytes());
                let value = attribute
                    .value_source_location()
                    .map_or(&[][..], |location| slice(location.bytes()));
                Some((name, value))
            })
            .collect();
        Self { written }
    }

    /// The first value of `name` (lowercase ASCII), entities decoded, as
    /// browsers keep the first of repeated attributes: borrowed from the
    /// page when it has neither entities nor bytes that are not UTF-8, so
    /// that a string the page's scan already has is not copied again.
    fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        let &(_, value) = self
            .written
            .iter()
            .find(|(written, _)| written.eq_ignore_ascii_case(name.as_bytes()))?;
        Some(match String::from_utf8_lossy(value) {
            Cow::Borrowed(value) => decode_character_references(value),
            Cow::Owned(value) => Cow::Owned(decode_character_references(&value).into_owned()),
        })
    }
}

/// Whether a stretch of markup holds text: anything but tags, comments and
/// white space, as the same image twice with nothing between reads as a
/// mistake and with a caption between does not. Character references are
/// text, even `&nbsp;`, as they are to `lol_html`'s text chunks, which this
/// stands in for.
fn has_text(markup: &[u8]) -> bool {
    let mut other_bytes = Vec::new();
    let mut at = 0;
    while at < markup.len() {
        let rest = &markup[at..];
        if rest.starts_with(b"<!--") {
            at += find(&rest[4..], b"-->").map_or(rest.len(), |end| 4 + end + 3);
        } else if rest.len() > 1
            && rest[0] == b'<'
            && (rest[1].is_ascii_alphabetic() || matches!(rest[1], b'/' | b'!' | b'?'))
        {
            at += tag_length(rest);
        } else if rest[0].is_ascii() {
            if !rest[0].is_ascii_whitespace() {
                return true;
            }
            at += 1;
        } else {
            // Beyond ASCII, white space (a no-break space) needs decoding.
            other_bytes.push(rest[0]);
            at += 1;
        }
    }
    !String::from_utf8_lossy(&other_bytes).trim().is_empty()
}

/// The length of the tag `markup` starts with, to its `>`: a `>` inside a
/// quoted attribute value does not end it.
fn tag_length(markup: &[u8]) -> usize {
    let mut quote = None;
    let mut after_equals = false;
    for (index, &byte) in markup.iter().enumerate() {
        match quote {
            Some(open) if byte == open => quote = None,
            Some(_) => {}
            None if byte == b'>' => return index + 1,
            None if after_equals && matches!(byte, b'"' | b'\'') => quote = Some(byte),
            None => {}
        }
        if quote.is_none() && !byte.is_ascii_whitespace() {
            after_equals = byte == b'=';
        }
    }
    markup.len()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The `url(...)` values of a `style` attribute.
fn style_urls(style: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    let mut rest = style;
    while let Some(start) = rest.find("url(") {
        rest = &rest[start + 4..];
        let Some(end) = rest.find(')') else {
            break;
        };
        let url = rest[..end].trim().trim_matches(['\'', '"']).trim();
        if !url.is_empty() {
            urls.push(url);
        }
        rest = &rest[end..];
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resources_ids_and_images_are_collected_in_order() {
        let scan = scan_page(
            r#"<html><head><link rel="stylesheet" href="&#x2F;misc&#x2F;custom.css"></head>
            <body><h2 id="contact">Contact</h2><a name="old-anchor"></a>
            <a href="/about/?a=1&amp;b=2#team">About</a>
            <section style="background-image: url('/images/hero.jpg')"></section>
            <form action="/search/"></form>
            <img src="/images/a.png" alt="A"><img src="/images/a.png">
            <p>text</p><img src="/images/a.png" alt=""></body></html>"#
                .as_bytes(),
        );
        let urls: Vec<(&str, RefKind)> = scan.references().map(|r| (r.url, r.kind)).collect();
        assert_eq!(
            urls,
            [
                ("/misc/custom.css", RefKind::Resource),
                ("/about/?a=1&b=2#team", RefKind::Link),
                ("/images/hero.jpg", RefKind::Resource),
                ("/search/", RefKind::Link),
                ("/images/a.png", RefKind::Resource),
                ("/images/a.png", RefKind::Resource),
                ("/images/a.png", RefKind::Resource),
            ]
        );
        assert!(scan.has_id("contact") && scan.has_id("old-anchor"));
        let images: Vec<(Option<&str>, bool)> =
            scan.images().map(|i| (i.alt, i.repeats_previous)).collect();
        assert_eq!(
            images,
            [(Some("A"), false), (None, true), (Some(""), false)]
        );
    }

    #[test]
    fn only_an_empty_alt_with_a_presentation_role_or_hidden_is_decoration() {
        let scan = scan_page(
            r#"<img src="/a.png" alt="" role="presentation"><img src="/b.png" alt="" aria-hidden="true">
            <img src="/c.png" alt=""><img src="/d.png" role="presentation"><img src="/e.png" alt="E" role="none">"#
                .as_bytes(),
        );
        let decorative: Vec<(&str, bool)> = scan
            .images()
            .map(|image| (image.src, image.decorative))
            .collect();
        assert_eq!(
            decorative,
            [
                ("/a.png", true),
                ("/b.png", true),
                ("/c.png", false),
                ("/d.png", false),
                ("/e.png", false),
            ]
        );
    }

    #[test]
    fn an_image_repeats_the_previous_only_with_no_text_between() {
        let repeats = |between: &str| {
            let page =
                format!(r#"<p><img src="/a.png" alt="A">{between}<img src="/a.png" alt="A"></p>"#);
            let scan = scan_page(page.as_bytes());
            let images: Vec<_> = scan.images().collect();
            images[1].repeats_previous
        };
        assert!(repeats(""));
        assert!(repeats(" \u{a0}\n <br>"));
        assert!(repeats("<!-- a <b>comment</b> -->"));
        assert!(repeats(r#"<span title="a > b" data-x='<c>'></span>"#));
        assert!(!repeats("<figcaption>A caption</figcaption>"));
        assert!(!repeats("&nbsp;"));
        assert!(!repeats("\u{2014}"));
        assert!(!repeats("<span title=\"x\">2</span>"));
        assert!(!repeats("<img src=\"/b.png\" alt=\"B\">"));
    }

    #[test]
    fn attribute_names_match_in_any_case_and_the_first_of_a_repeat_wins() {
        let scan =
            scan_page(br#"<A HREF="/first/" href="/second/" ID="top">x</A><img SRC="/i.png">"#);
        let urls: Vec<&str> = scan.references().map(|r| r.url).collect();
        assert_eq!(urls, ["/first/", "/i.png"]);
        assert!(scan.has_id("top"));
    }

    #[test]
    fn bytes_that_are_not_utf8_read_as_replacement_characters() {
        let scan = scan_page(b"<a href=\"/caf\xe9/\">x</a>");
        let urls: Vec<&str> = scan.references().map(|r| r.url).collect();
        assert_eq!(urls, ["/caf\u{fffd}/"]);
    }
}
