//! Reading rendered pages: the links, images and element ids of one HTML
//! document, collected in one streaming pass with `lol_html`.

use std::cell::RefCell;
use std::collections::HashSet;

use gazette_content::decode_character_references;
use lol_html::html_content::{Element, TextChunk};
use lol_html::{RewriteStrSettings, doc_text, element, rewrite_str};

/// What a reference is for: a link people follow or something the page loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `a[href]`, `area[href]`, `form[action]`.
    Link,
    /// `img[src]`, `source[src]`, `link[href]`, `script[src]`, `iframe[src]`,
    /// `video[poster]` and `url(...)` in a `style` attribute.
    Resource,
}

/// One URL as a rendered page has it, entities decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The URL.
    pub url: String,
    /// Followed or loaded.
    pub kind: RefKind,
}

/// One image of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// `src`, entities decoded.
    pub src: String,
    /// `alt`, when the element has one.
    pub alt: Option<String>,
    /// Whether the page says the image is decoration: `alt=""` with
    /// `role="presentation"` (or `none`) or `aria-hidden="true"`, as the
    /// theme marks the pictures of its post cards.
    pub decorative: bool,
    /// Whether the image before it has the same `src`, with no text between.
    pub repeats_previous: bool,
}

/// Everything the checker needs from one rendered page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageScan {
    /// Links and resources in document order.
    pub references: Vec<Reference>,
    /// Images in document order.
    pub images: Vec<Image>,
    /// Every `id` (and `a[name]`) on the page, the targets of `#anchors`.
    pub ids: HashSet<String>,
}

#[derive(Default)]
struct ScanState {
    scan: PageScan,
    /// Whether text has appeared since the last image.
    text_since_image: bool,
}

/// Scans one rendered page. Malformed HTML is read as browsers would; the
/// scan never fails, a document lol_html gives up on yields what was read.
pub fn scan_page(html: &str) -> PageScan {
    let state = RefCell::new(ScanState::default());
    let on_element = |element: &mut Element| {
        record_element(&mut state.borrow_mut(), element);
        Ok(())
    };
    let on_text = |text: &mut TextChunk| {
        if !text.as_str().trim().is_empty() {
            state.borrow_mut().text_since_image = true;
        }
        Ok(())
    };
    // Not strict: markup lol_html finds ambiguous is read on, not refused.
    let settings = RewriteStrSettings::new()
        .with_strict(false)
        .with_enable_esi_tags(false)
        .append_element_content_handler(element!("*", on_element))
        .append_document_content_handler(doc_text!(on_text));
    // The output is not needed; a parse error leaves what was collected so far.
    let _ = rewrite_str(html, settings);
    state.into_inner().scan
}

fn record_element(state: &mut ScanState, element: &Element) {
    let tag = element.tag_name();
    let attribute = |name: &str| {
        element
            .get_attribute(name)
            .map(|v| decode_character_references(&v).into_owned())
    };
    if let Some(id) = attribute("id") {
        state.scan.ids.insert(id);
    }
    let mut push = |url: Option<String>, kind: RefKind| {
        if let Some(url) = url {
            state.scan.references.push(Reference { url, kind });
        }
    };
    match tag.as_str() {
        "a" | "area" => {
            if tag == "a"
                && let Some(name) = attribute("name")
            {
                state.scan.ids.insert(name);
            }
            push(attribute("href"), RefKind::Link);
        }
        "form" => push(attribute("action"), RefKind::Link),
        "link" => push(attribute("href"), RefKind::Resource),
        "script" | "iframe" | "source" | "embed" | "audio" | "track" => {
            push(attribute("src"), RefKind::Resource);
        }
        "video" => {
            push(attribute("src"), RefKind::Resource);
            push(attribute("poster"), RefKind::Resource);
        }
        "object" => push(attribute("data"), RefKind::Resource),
        "img" => {
            if let Some(src) = attribute("src") {
                let repeats_previous = !state.text_since_image
                    && state.scan.images.last().is_some_and(|last| last.src == src);
                let alt = attribute("alt");
                let role = attribute("role").map(|role| role.trim().to_ascii_lowercase());
                let decorative = alt.as_deref() == Some("")
                    && (matches!(role.as_deref(), Some("presentation" | "none"))
                        || attribute("aria-hidden").is_some_and(|hidden| hidden.trim() == "true"));
                state.scan.images.push(Image {
                    src: src.clone(),
                    alt,
                    decorative,
                    repeats_previous,
                });
                state.text_since_image = false;
                push(Some(src), RefKind::Resource);
            }
        }
        _ => {}
    }
    if let Some(style) = attribute("style") {
        for url in style_urls(&style) {
            push(Some(url), RefKind::Resource);
        }
    }
}

/// The `url(...)` values of a `style` attribute.
fn style_urls(style: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = style;
    while let Some(start) = rest.find("url(") {
        rest = &rest[start + 4..];
        let Some(end) = rest.find(')') else {
            break;
        };
        let url = rest[..end].trim().trim_matches(['\'', '"']).trim();
        if !url.is_empty() {
            urls.push(url.to_owned());
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
            <p>text</p><img src="/images/a.png" alt=""></body></html>"#,
        );
        let urls: Vec<(&str, RefKind)> = scan
            .references
            .iter()
            .map(|r| (r.url.as_str(), r.kind))
            .collect();
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
        assert!(scan.ids.contains("contact") && scan.ids.contains("old-anchor"));
        let images: Vec<(Option<&str>, bool)> = scan
            .images
            .iter()
            .map(|i| (i.alt.as_deref(), i.repeats_previous))
            .collect();
        assert_eq!(
            images,
            [(Some("A"), false), (None, true), (Some(""), false)]
        );
    }

    #[test]
    fn only_an_empty_alt_with_a_presentation_role_or_hidden_is_decoration() {
        let scan = scan_page(
            r#"<img src="/a.png" alt="" role="presentation"><img src="/b.png" alt="" aria-hidden="true">
            <img src="/c.png" alt=""><img src="/d.png" role="presentation"><img src="/e.png" alt="E" role="none">"#,
        );
        let decorative: Vec<(&str, bool)> = scan
            .images
            .iter()
            .map(|image| (image.src.as_str(), image.decorative))
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
}
