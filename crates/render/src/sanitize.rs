//! Content HTML sanitising: what a page body may contain once published.
//!
//! One allowlist serves Markdown output and the rich-text editor's HTML. It
//! keeps every element, class and `data-` attribute the Isomer editor writes
//! (card grids, image wrappers, accordions, tight lists, tables, embeds) and
//! drops scripts, event handlers, `javascript:` URLs and iframes from hosts
//! that are not on the embed allowlist. The iframes it keeps become
//! click-to-load placeholders ([`crate::embeds`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use gazette_content::is_allowed_url;

use crate::markdown::{MarkdownHtml, render_markdown_clean};
use crate::nesting::NestingError;
use crate::sanitiser_rules::SanitiserRules;

/// Hosts whose pages may be embedded in an iframe.
const EMBED_HOSTS: &[&str] = &[
    "www.youtube.com",
    "youtube.com",
    "www.youtube-nocookie.com",
    "player.vimeo.com",
    "form.gov.sg",
    "www.form.gov.sg",
    "www.google.com",
    "maps.google.com",
    "docs.google.com",
    "www.onemap.gov.sg",
    "www.onemap.sg",
    "app.powerbi.com",
    "datawrapper.dwcdn.net",
    "public.tableau.com",
    "www.facebook.com",
    "open.spotify.com",
];

const EXTRA_TAGS: &[&str] = &[
    "article",
    "aside",
    "audio",
    "caption",
    "col",
    "colgroup",
    "details",
    "div",
    "figcaption",
    "figure",
    "footer",
    "header",
    "iframe",
    "mark",
    "picture",
    "section",
    "source",
    "span",
    "summary",
    "video",
    "u",
    "s",
    "del",
    "ins",
    "sub",
    "sup",
    "small",
    "hr",
    "br",
    "abbr",
];

const GENERIC_ATTRIBUTES: &[&str] = &[
    "class",
    "id",
    "style",
    "title",
    "lang",
    "dir",
    "role",
    "align",
    "data-type",
    "data-tight",
];

const STYLE_PROPERTIES: &[&str] = &[
    "width",
    "max-width",
    "min-width",
    "height",
    "max-height",
    "min-height",
    "text-align",
    "vertical-align",
    "color",
    "background-color",
    "float",
    "clear",
    "margin",
    "margin-top",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "padding",
    "padding-top",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "border",
    "border-collapse",
    "border-width",
    "border-style",
    "border-color",
    "font-weight",
    "font-style",
    "font-size",
    "text-decoration",
    "white-space",
    "list-style-type",
    "aspect-ratio",
    "object-fit",
];

/// The `rel` every link gets: a page it opens in a new tab cannot reach
/// back through `window.opener`.
const LINK_REL: &str = "noopener";

/// How many distinct `style` values [`ContentSanitizer`] remembers the
/// filtered form of. Editors write a handful (`width: 100%`); a site with
/// more filters the rest each time.
const REMEMBERED_STYLES: usize = 4096;

/// The sanitiser, built once and shared by every render.
pub struct ContentSanitizer {
    builder: ammonia::Builder<'static>,
    /// What Markdown and HTML written without the sanitiser must follow.
    rules: SanitiserRules,
    /// `style` values as the sanitiser's filter writes them.
    styles: Mutex<HashMap<String, Option<String>>>,
}

impl Default for ContentSanitizer {
    fn default() -> Self {
        Self::new()
    }
}

impl ContentSanitizer {
    /// The Isomer allowlist.
    pub fn new() -> Self {
        let mut builder = ammonia::Builder::default();
        builder
            .add_tags(EXTRA_TAGS)
            .add_generic_attributes(GENERIC_ATTRIBUTES)
            .add_generic_attribute_prefixes(["aria-"])
            .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect::<HashSet<_>>())
            .add_tag_attributes("a", ["target", "name", "download"])
            .add_tag_attributes("img", ["width", "height", "loading", "srcset", "sizes"])
            .add_tag_attributes(
                "iframe",
                [
                    "src",
                    "width",
                    "height",
                    "allow",
                    "allowfullscreen",
                    "frameborder",
                    "loading",
                    "referrerpolicy",
                    "scrolling",
                ],
            )
            .add_tag_attributes(
                "video",
                [
                    "src",
                    "controls",
                    "autoplay",
                    "muted",
                    "loop",
                    "poster",
                    "width",
                    "height",
                    "playsinline",
                    "preload",
                ],
            )
            .add_tag_attributes("audio", ["src", "controls", "preload"])
            .add_tag_attributes("source", ["src", "type", "srcset", "media"])
            .add_tag_attributes("details", ["open"])
            .add_tag_attributes("ol", ["start", "type", "reversed"])
            .add_tag_attributes("td", ["colspan", "rowspan", "width", "valign"])
            .add_tag_attributes("th", ["colspan", "rowspan", "width", "valign", "scope"])
            .add_tag_attributes("col", ["span", "width"])
            .add_tag_attributes("colgroup", ["span", "width"])
            .add_tag_attributes("table", ["border", "cellpadding", "cellspacing", "width"])
            .add_tag_attributes("li", ["value"])
            .link_rel(Some(LINK_REL))
            .attribute_filter(filter_attribute);
        // The straight writers follow the allowlist and the rules below;
        // ammonia's others are at their defaults, which they follow too.
        debug_assert!(builder.clone_tag_attribute_values().is_empty());
        debug_assert!(builder.clone_set_tag_attribute_values().is_empty());
        debug_assert!(builder.clone_allowed_classes().is_empty());
        debug_assert!(builder.is_url_relative_pass_through());
        let rules = SanitiserRules {
            schemes: builder.clone_url_schemes().into_iter().collect(),
            link_rel: LINK_REL,
            tags: builder.clone_tags().into_iter().collect(),
            clean_content_tags: builder.clone_clean_content_tags().into_iter().collect(),
            generic_attributes: builder.clone_generic_attributes().into_iter().collect(),
            generic_attribute_prefixes: builder
                .clone_generic_attribute_prefixes()
                .map(|prefixes| prefixes.into_iter().collect())
                .unwrap_or_default(),
            tag_attributes: builder
                .clone_tag_attributes()
                .into_iter()
                .map(|(tag, attributes)| (tag, attributes.into_iter().collect()))
                .collect(),
        };
        Self {
            builder,
            rules,
            styles: Mutex::new(HashMap::new()),
        }
    }

    /// A Markdown body as sanitised HTML, or where it nests too deep. A
    /// body with nothing the sanitiser would change is written straight
    /// (`markdown_clean.rs`); the sanitiser cleans the others.
    pub(crate) fn markdown(&self, text: &str) -> Result<String, NestingError> {
        Ok(match render_markdown_clean(text, &self.rules)? {
            MarkdownHtml::Clean(html) => html,
            MarkdownHtml::Unsanitised(html) => self.clean(&html),
        })
    }

    /// Cleans one fragment of HTML. HTML nested deeper than the content
    /// budget is never parsed: it comes back escaped, as text. A page body
    /// reports it as an error instead ([`clean_body`](Self::clean_body));
    /// fields in front matter (a notification, a section's text) show it.
    pub fn clean(&self, html: &str) -> String {
        self.clean_body(html)
            .unwrap_or_else(|_| crate::markdown::escape_attribute(html))
    }

    /// A body of HTML as sanitised HTML, or where it nests too deep. HTML
    /// with nothing the parser or the sanitiser would change but spelling
    /// is written straight (`html_clean`), in one pass and within a depth
    /// limit of its own, stricter than the budget. The budget guards the
    /// sanitiser's parser, so it is checked (another pass over every byte)
    /// only for HTML that goes to it.
    pub(crate) fn clean_body(&self, html: &str) -> Result<String, NestingError> {
        if let Some(clean) = self.written_straight(html) {
            return Ok(clean);
        }
        crate::nesting::check_html(html)?;
        Ok(self.sanitised(html))
    }

    /// What Markdown written without the sanitiser must follow.
    #[cfg(test)]
    pub(crate) fn rules(&self) -> &SanitiserRules {
        &self.rules
    }

    /// `html` written straight, or `None` where it goes to the sanitiser.
    pub(crate) fn written_straight(&self, html: &str) -> Option<String> {
        let style = |value: &str| self.filtered_style(value);
        crate::html_clean::write_straight(html, &self.rules, &style)
    }

    /// `html` through the sanitiser itself.
    pub(crate) fn sanitised(&self, html: &str) -> String {
        // Serialized straight into a buffer of about the input's size:
        // `Document::to_string` grows one from empty and then copies it.
        let mut serialized = Vec::with_capacity(html.len() + html.len() / 8);
        // Writing into a Vec cannot fail.
        let _ = self.builder.clean(html).write_to(&mut serialized);
        // html5ever writes UTF-8 only.
        let cleaned = String::from_utf8(serialized)
            .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
        crate::embeds::click_to_load(cleaned)
    }
}

impl ContentSanitizer {
    /// A `style` attribute's value as the sanitiser's filter writes it
    /// (only the allowed properties, spelled its way), or `None` where that
    /// cannot be read back. The filter is ammonia's own, not public: it is
    /// run on an element holding nothing but this value.
    fn filtered_style(&self, value: &str) -> Option<String> {
        let remembered = |styles: &HashMap<String, Option<String>>| styles.get(value).cloned();
        if let Some(filtered) = self.styles.lock().ok().as_deref().and_then(remembered) {
            return filtered;
        }
        let mut element = String::from("<span style=\"");
        // A value with a carriage return or a NUL is left to the sanitiser.
        crate::sanitiser_rules::escape(&mut element, value, true).ok()?;
        element.push_str("\"></span>");
        let cleaned = self.builder.clean(&element).to_string();
        let filtered = cleaned
            .strip_prefix("<span style=\"")
            .and_then(|rest| rest.strip_suffix("\"></span>"))
            .filter(|escaped| !escaped.contains('"'))
            .map(unescape_attribute);
        if let Ok(mut styles) = self.styles.lock()
            && styles.len() < REMEMBERED_STYLES
        {
            styles.insert(value.to_owned(), filtered.clone());
        }
        filtered
    }
}

/// A value the serialiser escaped for an attribute, unescaped: it escapes
/// `&`, `"`, `<`, `>` and U+00A0 and nothing else.
fn unescape_attribute(escaped: &str) -> String {
    escaped
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The sanitiser's own filter of attribute values, run after its
/// allowlist: iframes only from embed hosts, and only the image candidates
/// of a `srcset` whose URL it allows. `None` drops the attribute.
pub(crate) fn filter_attribute<'v>(
    element: &str,
    attribute: &str,
    value: &'v str,
) -> Option<Cow<'v, str>> {
    if element == "iframe" && attribute == "src" && !is_allowed_embed(value) {
        return None;
    }
    // ammonia checks the scheme of `src` and `href` only; each image
    // candidate of a `srcset` is a URL a browser loads too.
    if attribute == "srcset" {
        return match safe_srcset(value)? {
            filtered if filtered == value => Some(Cow::Borrowed(value)),
            filtered => Some(Cow::Owned(filtered)),
        };
    }
    Some(Cow::Borrowed(value))
}

/// A `srcset` with only the candidates whose URL passes the allowlist
/// (`gazette_content::is_allowed_url`), or `None` when none does.
fn safe_srcset(value: &str) -> Option<String> {
    let candidates = srcset_candidates(value);
    if candidates.iter().all(|(url, _)| is_allowed_url(url)) {
        return (!candidates.is_empty()).then(|| value.to_owned());
    }
    let kept: Vec<String> = candidates
        .into_iter()
        .filter(|(url, _)| is_allowed_url(url))
        .map(|(url, descriptors)| {
            if descriptors.is_empty() {
                url.to_owned()
            } else {
                format!("{url} {descriptors}")
            }
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join(", "))
}

/// A `srcset`'s image candidates, each a URL and its descriptors (`2x`,
/// `640w`), split as the HTML standard's algorithm does: a URL runs to the
/// next whitespace (so `data:…;base64,…` keeps its comma) and loses any
/// trailing commas, which end its candidate; descriptors run to a comma
/// outside parentheses.
fn srcset_candidates(value: &str) -> Vec<(&str, &str)> {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c');
    let mut candidates = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| is_space(c) || c == ',');
        if rest.is_empty() {
            return candidates;
        }
        let url_end = rest.find(is_space).unwrap_or(rest.len());
        let (url, after) = rest.split_at(url_end);
        if url.ends_with(',') {
            candidates.push((url.trim_end_matches(','), ""));
            rest = after;
            continue;
        }
        let mut depth = 0_u32;
        let descriptors_end = after
            .char_indices()
            .find(|&(_, c)| match c {
                '(' => {
                    depth += 1;
                    false
                }
                ')' => {
                    depth = depth.saturating_sub(1);
                    false
                }
                ',' => depth == 0,
                _ => false,
            })
            .map_or(after.len(), |(at, _)| at);
        candidates.push((url, after[..descriptors_end].trim()));
        rest = &after[descriptors_end..];
    }
}

fn is_allowed_embed(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    EMBED_HOSTS.contains(&host.to_ascii_lowercase().as_str())
}

/// Gives `theme`'s `content_html` filter this allowlist, so HTML that
/// authors wrote in front matter (contact fields) shows as sanitised HTML.
pub(crate) fn install_in(theme: &mut gazette_theme::Theme) {
    let sanitizer = ContentSanitizer::new();
    theme.set_html_sanitizer(move |html| sanitizer.clean(html));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isomer_editor_markup_is_kept() {
        let html = r#"<div class="isomer-card-grid"><a class="isomer-card" href="/x/"><div class="isomer-card-image"><img src="/images/a.png" alt="A"></div><div class="isomer-card-body"><h4 class="isomer-card-title">T</h4></div></a></div><div data-type="detailGroup" class="isomer-accordion"><details class="isomer-details"><summary>Q</summary><div data-type="detailsContent">A</div></details></div><ul data-tight="true" class="tight"><li>x</li></ul>"#;
        let clean = ContentSanitizer::new().clean(html);
        for kept in [
            "class=\"isomer-card-grid\"",
            "class=\"isomer-card\"",
            "href=\"/x/\"",
            "data-type=\"detailGroup\"",
            "<details class=\"isomer-details\">",
            "<summary>Q</summary>",
            "data-tight=\"true\"",
        ] {
            assert!(clean.contains(kept), "{kept} missing from {clean}");
        }
    }

    #[test]
    fn scripts_handlers_and_javascript_urls_are_dropped() {
        let clean = ContentSanitizer::new().clean(
            r#"<p onclick="steal()">Hi<script>alert(1)</script><a href="javascript:alert(1)">x</a><img src="x.png" onerror="bad()"></p>"#,
        );
        assert!(!clean.contains("onclick"), "{clean}");
        assert!(!clean.contains("script"), "{clean}");
        assert!(!clean.contains("javascript:"), "{clean}");
        assert!(!clean.contains("onerror"), "{clean}");
        assert!(clean.contains("Hi"), "{clean}");
    }

    #[test]
    fn srcset_candidates_with_script_or_data_urls_are_dropped() {
        let sanitizer = ContentSanitizer::new();
        let only_script = sanitizer.clean(
            r#"<img src="/a.png" alt="A" srcset="javascript:alert(1) 2x"><picture><source srcset=" JaVaScRiPt:alert(2)"></picture>"#,
        );
        assert!(!only_script.contains("srcset"), "{only_script}");
        assert!(
            !only_script.to_lowercase().contains("javascript"),
            "{only_script}"
        );

        let mixed = sanitizer.clean(
            r#"<img src="/a.png" alt="A" srcset="/a-1x.png 1x,javascript:alert(1) 2x, data:image/png;base64,AAAA 3x,/a-640.png 640w">"#,
        );
        assert!(
            mixed.contains(r#"srcset="/a-1x.png 1x, /a-640.png 640w""#),
            "{mixed}"
        );

        let fine = sanitizer.clean(
            r#"<img src="/a.png" alt="A" srcset="/a-1x.png 1x, https://cdn.example.sg/a,b.png 2x">"#,
        );
        assert!(
            fine.contains(r#"srcset="/a-1x.png 1x, https://cdn.example.sg/a,b.png 2x""#),
            "{fine}"
        );
    }

    #[test]
    fn srcset_splits_as_browsers_split_it() {
        assert_eq!(
            srcset_candidates(" a.png 1x,b.png,, c.png (x, y) 2x ,d.png,"),
            [
                ("a.png", "1x"),
                ("b.png", ""),
                ("c.png", "(x, y) 2x"),
                ("d.png", "")
            ]
        );
        assert_eq!(srcset_candidates(" , "), Vec::<(&str, &str)>::new());
    }

    #[test]
    fn iframes_of_allowed_hosts_wait_for_a_click_and_others_are_dropped() {
        let sanitizer = ContentSanitizer::new();
        let allowed = sanitizer
            .clean(r#"<iframe src="https://www.youtube.com/embed/abc" title="Video"></iframe>"#);
        assert!(!allowed.contains("<iframe"), "{allowed}");
        assert!(
            allowed.contains("data-embed-src=\"https://www.youtube-nocookie.com/embed/abc\""),
            "{allowed}"
        );
        let refused = sanitizer.clean(r#"<iframe src="https://evil.example/phish"></iframe>"#);
        assert!(!refused.contains("evil.example"), "{refused}");
        let written = sanitizer.clean(
            r#"<div data-embed-src="javascript:alert(1)"><button class="embed-load">x</button></div>"#,
        );
        assert!(!written.contains("data-embed-src"), "{written}");
    }

    #[test]
    fn the_budget_guards_the_parser_so_html_written_straight_is_not_held_to_it() {
        let sanitizer = ContentSanitizer::new();
        let max = crate::nesting::MAX_DEPTH;
        // Tags inside an attribute's value are text to the parser, but the
        // budget's meter, reading closely enough, counts them.
        let html = format!("<p title=\"{}\">x</p>", "<div>".repeat(max + 1));
        assert!(crate::nesting::check_html(&html).is_err());
        assert_eq!(
            sanitizer.clean_body(&html).unwrap(),
            sanitizer.sanitised(&html)
        );
        // HTML that nests past the budget still does not reach the parser.
        let deep = "<div>".repeat(max + 1);
        assert!(sanitizer.clean_body(&deep).is_err());
    }

    #[test]
    fn html_nested_beyond_the_budget_is_escaped_not_parsed() {
        let deep = "<div>".repeat(100_000) + "<script>alert(1)</script>";
        let clean = ContentSanitizer::new().clean(&deep);
        assert!(
            clean.starts_with("&lt;div&gt;&lt;div&gt;"),
            "{}",
            &clean[..40]
        );
        assert!(!clean.contains('<'));
    }
}
