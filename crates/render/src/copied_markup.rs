//! Script in files a site publishes as they are: HTML without front matter
//! (verification files, exported reports) and SVG images. Jekyll copies
//! them byte for byte and so does Gazette, so they never pass the content
//! allowlist; [`script_signs`] finds what would run in a reader's browser
//! for the checker, and [`sanitize_svg`] cleans an SVG when a site asks.
//!
//! Both read the markup with html5ever, the parser browsers' rules are
//! written for, never with patterns.

use std::cell::RefCell;
use std::collections::HashSet;

use gazette_content::{is_allowed_url, url_scheme};
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Something in copied markup that runs script, and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptSign {
    /// 1-based line of the tag.
    pub line: u32,
    /// What it is, for people: "a `<script>` element".
    pub what: String,
}

/// Attributes whose value a browser follows or loads as a URL, and the SVG
/// animation attributes that can set one (`<set attributeName="href"
/// to="javascript:…">`).
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "xlink:href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "to",
    "from",
    "values",
];

/// Every `<script>` element, event handler (`on…=`) and URL attribute with a
/// scheme outside the allowlist (`javascript:`) in an HTML or SVG text.
pub fn script_signs(text: &str) -> Vec<ScriptSign> {
    let sink = SignSink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(text.into());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.signs.into_inner()
}

/// Collects signs while tokenizing, switching to raw text where the tree
/// builder would (inside `<script>`, `<style>`, `<textarea>`, …), so text
/// there is not read as tags.
#[derive(Default)]
struct SignSink {
    signs: RefCell<Vec<ScriptSign>>,
}

impl TokenSink for SignSink {
    type Handle = ();

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind == TagKind::EndTag {
            return TokenSinkResult::Continue;
        }
        let line = u32::try_from(line_number).unwrap_or(u32::MAX);
        let mut signs = self.signs.borrow_mut();
        let name = tag.name.to_string();
        if name == "script" {
            signs.push(ScriptSign {
                line,
                what: "a `<script>` element".to_owned(),
            });
        }
        for attribute in &tag.attrs {
            let attribute_name = attribute.name.local.to_string();
            let value = attribute.value.to_string();
            if attribute_name.starts_with("on") {
                signs.push(ScriptSign {
                    line,
                    what: format!("an event handler `{attribute_name}` on `<{name}>`"),
                });
            } else if URL_ATTRIBUTES.contains(&attribute_name.as_str())
                && let Some(scheme) = value
                    .split(';')
                    .find(|url| !is_allowed_url(url))
                    .and_then(url_scheme)
            {
                signs.push(ScriptSign {
                    line,
                    what: format!("a `{scheme}:` URL in `{attribute_name}` of `<{name}>`"),
                });
            }
        }
        if tag.self_closing {
            return TokenSinkResult::Continue;
        }
        match name.as_str() {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

/// SVG's drawing, structure, text, gradient, filter and clipping elements:
/// what an illustration or an icon uses. Not `script`, `foreignObject`
/// (HTML inside a drawing), `style` (CSS can load from other hosts), or the
/// animation elements that can rewrite an `href`.
const SVG_ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "title",
    "desc",
    "metadata",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "image",
    "a",
    "switch",
    "marker",
    "pattern",
    "clipPath",
    "mask",
    "linearGradient",
    "radialGradient",
    "stop",
    "filter",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
];

/// SVG's geometry and presentation attributes, links and identity; no
/// event handlers.
const SVG_ATTRIBUTES: &[&str] = &[
    "xmlns",
    "xmlns:xlink",
    "version",
    "id",
    "class",
    "style",
    "lang",
    "xml:lang",
    "xml:space",
    "viewBox",
    "preserveAspectRatio",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "dx",
    "dy",
    "d",
    "points",
    "pathLength",
    "transform",
    "gradientTransform",
    "gradientUnits",
    "patternTransform",
    "patternUnits",
    "patternContentUnits",
    "spreadMethod",
    "offset",
    "fx",
    "fy",
    "fr",
    "href",
    "xlink:href",
    "xlink:title",
    "target",
    "role",
    "aria-label",
    "aria-hidden",
    "focusable",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "opacity",
    "color",
    "display",
    "visibility",
    "overflow",
    "clip-path",
    "clip-rule",
    "clipPathUnits",
    "mask",
    "maskUnits",
    "maskContentUnits",
    "filter",
    "filterUnits",
    "primitiveUnits",
    "stop-color",
    "stop-opacity",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "alignment-baseline",
    "letter-spacing",
    "word-spacing",
    "text-decoration",
    "textLength",
    "lengthAdjust",
    "startOffset",
    "marker-start",
    "marker-mid",
    "marker-end",
    "markerWidth",
    "markerHeight",
    "markerUnits",
    "refX",
    "refY",
    "orient",
    "in",
    "in2",
    "result",
    "stdDeviation",
    "mode",
    "type",
    "values",
    "operator",
    "k1",
    "k2",
    "k3",
    "k4",
    "flood-color",
    "flood-opacity",
    "lighting-color",
    "radius",
    "scale",
    "xChannelSelector",
    "yChannelSelector",
    "baseFrequency",
    "numOctaves",
    "seed",
    "stitchTiles",
    "tableValues",
    "slope",
    "intercept",
    "amplitude",
    "exponent",
    "kernelMatrix",
    "order",
    "divisor",
    "bias",
    "targetX",
    "targetY",
    "edgeMode",
    "preserveAlpha",
    "surfaceScale",
    "specularConstant",
    "specularExponent",
    "diffuseConstant",
    "azimuth",
    "elevation",
    "pointsAtX",
    "pointsAtY",
    "pointsAtZ",
    "limitingConeAngle",
    "z",
    "requiredFeatures",
    "systemLanguage",
];

const XLINK: &str = "http://www.w3.org/1999/xlink";

/// An SVG file with everything that can run script removed: `<script>`,
/// `<foreignObject>` and `<style>` with their content, event handlers, and
/// links whose scheme the allowlist refuses. Drawing elements and their
/// attributes are kept, with SVG's letter case.
pub fn sanitize_svg(text: &str) -> String {
    let elements: HashSet<&str> = SVG_ELEMENTS.iter().copied().collect();
    let attributes: HashSet<&str> = SVG_ATTRIBUTES.iter().copied().collect();
    let removed_with_content: HashSet<&str> =
        ["script", "style", "foreignObject"].into_iter().collect();
    let cleaned = ammonia::Builder::empty()
        .tags(elements)
        .generic_attributes(attributes)
        .clean_content_tags(removed_with_content)
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None)
        .attribute_filter(|_, attribute, value| {
            let is_link = matches!(attribute, "href" | "xlink:href");
            (!is_link || is_allowed_url(value)).then(|| value.into())
        })
        .clean(text)
        .to_string();
    // ammonia writes HTML, in which a no-break space is `&nbsp;`; an SVG
    // file is XML, which knows only the numeric form.
    let cleaned = cleaned.replace("&nbsp;", "&#160;");
    // HTML reads `xlink:href` without a declaration of its prefix and
    // ammonia drops the declaration; an XML reader needs it.
    if cleaned.contains(" xlink:") && !cleaned.contains("xmlns:xlink=") {
        return cleaned.replacen("<svg", &format!("<svg xmlns:xlink=\"{XLINK}\""), 1);
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whats(text: &str) -> Vec<(u32, String)> {
        script_signs(text)
            .into_iter()
            .map(|sign| (sign.line, sign.what))
            .collect()
    }

    #[test]
    fn scripts_handlers_and_script_urls_are_found_at_their_lines() {
        let svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\">\n<script>if (a < b) { x('<img src=x onerror=y>') }</script>\n<a xlink:href=\" JaVaScRiPt:alert(1)\"><rect/></a>\n<foreignObject><body xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(2)</script></body></foreignObject>\n<set attributeName=\"href\" to=\"javascript:alert(3)\"/>\n</svg>\n";
        assert_eq!(
            whats(svg),
            vec![
                (2, "an event handler `onload` on `<svg>`".to_owned()),
                (3, "a `<script>` element".to_owned()),
                (4, "a `javascript:` URL in `xlink:href` of `<a>`".to_owned()),
                (5, "a `<script>` element".to_owned()),
                (6, "a `javascript:` URL in `to` of `<set>`".to_owned()),
            ]
        );
    }

    #[test]
    fn markup_without_script_has_no_signs() {
        assert!(
            whats("<!doctype html>\n<title><script>not a tag</script></title><p onion=\"\">A <a href=\"/about/\">link</a> and <a href=\"mailto:a@b.sg\">mail</a>.</p><textarea><script></textarea>")
                .iter()
                .all(|(_, what)| what.contains("onion")),
        );
        assert!(
            whats("<svg viewBox=\"0 0 1 1\"><use href=\"#icon\"/><path d=\"M0 0\"/></svg>")
                .is_empty()
        );
    }

    #[test]
    fn the_svg_sanitiser_keeps_drawings_and_drops_what_runs() {
        let svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 10 10\" onload=\"alert(1)\"><defs><linearGradient id=\"g\" gradientUnits=\"userSpaceOnUse\"><stop offset=\"0\" stop-color=\"#fff\"/></linearGradient></defs><script>alert(2)</script><foreignObject><body><p>HTML</p></body></foreignObject><a xlink:href=\"javascript:alert(3)\"><path d=\"M0 0L10 10\" fill=\"url(#g)\" onclick=\"alert(4)\"/></a><a href=\"https://www.gov.sg/\"><text x=\"1\" y=\"2\">Gov&#160;SG</text></a><use xlink:href=\"#g\"/></svg>\n";
        let clean = sanitize_svg(svg);
        for kept in [
            "viewBox=\"0 0 10 10\"",
            "<linearGradient id=\"g\" gradientUnits=\"userSpaceOnUse\">",
            "stop-color=\"#fff\"",
            "<path d=\"M0 0L10 10\" fill=\"url(#g)\">",
            "href=\"https://www.gov.sg/\"",
            "xlink:href=\"#g\"",
            "xmlns=\"http://www.w3.org/2000/svg\"",
            "xmlns:xlink=\"http://www.w3.org/1999/xlink\"",
            "Gov&#160;SG",
        ] {
            assert!(clean.contains(kept), "`{kept}` is kept:\n{clean}");
        }
        for dropped in [
            "alert",
            "script",
            "foreignObject",
            "HTML",
            "onload",
            "onclick",
        ] {
            assert!(!clean.contains(dropped), "`{dropped}` is dropped:\n{clean}");
        }
        assert!(script_signs(&clean).is_empty(), "{clean}");
    }
}
