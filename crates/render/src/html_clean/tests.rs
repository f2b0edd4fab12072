//! The rule `html_clean` follows: HTML it writes straight is, byte for
//! byte, what the sanitiser writes of it.

use super::tokens::{Token, Tokens};
use crate::ContentSanitizer;
use crate::corpus_pages::corpus_pages;

/// `html` written straight (`None`: it goes to the sanitiser), and as the
/// sanitiser writes it.
fn both_ways(sanitizer: &ContentSanitizer, html: &str) -> (Option<String>, String) {
    (sanitizer.written_straight(html), sanitizer.sanitised(html))
}

#[track_caller]
fn assert_straight(sanitizer: &ContentSanitizer, html: &str) -> String {
    let (straight, sanitised) = both_ways(sanitizer, html);
    assert_eq!(
        straight.as_deref(),
        Some(sanitised.as_str()),
        "HTML: {html:?}"
    );
    sanitised
}

#[test]
fn editor_html_is_written_as_the_sanitiser_writes_it() {
    let sanitizer = ContentSanitizer::new();
    let page = concat!(
        "<p>Grants open in <strong>March</strong>; see <a href=\"/grants/\">the list</a>.</p>\n<p></p>\n",
        "<h2>How to apply</h2>\n",
        "<ul data-tight=\"true\" class=\"tight\"><li><p>Read the guide</p></li><li><p>Send the form</p></li></ul>\n",
        "<div class=\"isomer-image-wrapper\"><img style=\"width: 100%\" height=\"auto\" width=\"100%\" alt=\"A pier\" src=\"/images/pier.png\"></div>\n",
        "<div class=\"isomer-card-grid\"><a rel=\"noopener noreferrer nofollow\" href=\"https://www.example.gov.sg/\" class=\"isomer-card\">",
        "<div class=\"isomer-card-body\"><div class=\"isomer-card-title\">Parks</div></div></a>\n</div>\n",
        "<div data-type=\"detailGroup\" class=\"isomer-accordion\">\n<details class=\"isomer-details\">\n<summary>Who may apply?</summary>\n",
        "<div data-type=\"detailsContent\" class=\"isomer-details-content\">\n<p>Residents.</p>\n</div>\n</details>\n</div>\n",
        "<table style=\"minWidth: 50px\">\n<colgroup>\n<col>\n<col>\n</colgroup>\n<tbody>\n",
        "<tr><th rowspan=\"1\" colspan=\"1\"><p>Step</p></th><th rowspan=\"1\" colspan=\"1\"><p>When</p></th></tr>\n",
        "<tr><td rowspan=\"1\" colspan=\"1\"><p>Apply</p></td><td rowspan=\"1\" colspan=\"1\"><p>May</p></td></tr>\n",
        "</tbody>\n</table>\n",
    );
    let written = assert_straight(&sanitizer, page);
    // What the sanitiser changes, the straight writer changes too.
    assert!(written.contains(
        "<a href=\"https://www.example.gov.sg/\" class=\"isomer-card\" rel=\"noopener\">"
    ));
    assert!(written.contains("<img style=\"width:100%\""), "{written}");
    assert!(written.contains("<table style=\"\">"), "{written}");
}

#[test]
fn what_the_parser_and_the_sanitiser_rewrite_is_written_their_way() {
    let sanitizer = ContentSanitizer::new();
    for html in [
        // The parser adds a table body, and `</table>` closes what is open.
        "<table><tr><td>a</td></tr></table>",
        "<table>\n<thead><tr><th>x</th></tr></thead>\n<tr><td>y</td></tr>\n</table>",
        "<table><tbody><tr><td>a</td></tr></table>",
        "<table><caption>Fees</caption><tr><td><table><tr><td>in</td></tr></table></td></tr></table>",
        // A line feed right after `<pre>` goes; the next one stays.
        "<pre>\nfirst\n\nsecond</pre><pre>\n\nkept</pre><listing>\nx</listing>",
        // Character references decoded, then escaped the serialiser's way.
        "<p>Fish &amp; chips &lt;3 &#8212; caf&eacute;&nbsp;&#x27;q&#39; &quot;x&quot; &gt; a</p>",
        "<p>Q&A, a & b, &#169; and &; and &unknown; here</p>",
        "<p title=\"a &amp; b &quot;c&quot; &lt;d&gt; &#xa0;\">x</p>",
        // Comments dropped.
        "<p>a<!-- a note -->b<!---->c<!-- x --->d</p>",
        // Elements off the allowlist lose their tags, not their content.
        "<center><font color=\"red\">x</font><dir><li>y</li></dir></center><big>z</big>",
        // Attributes off the allowlist, and URLs it refuses, left out.
        "<p onclick=\"steal()\" class=\"c\" data-x=\"1\" aria-label=\"l\">t</p>",
        "<a href=\"javascript:alert(1)\" target=\"_blank\" rel=\"opener\">x</a>",
        "<a href=\"mailto:help@example.gov.sg\">mail</a><a href=\"tel:+6560000000\">call</a><a href=\"http://[bad\">x</a>",
        "<img src=\"/a.png\" alt=\"A\" srcset=\"/a.png 1x, /b.png 2x\" style=\"width: 100%; position: fixed\" onerror=\"x()\">",
        "<img src=\"/a.png\" srcset=\"/a.png 1x,javascript:alert(1) 2x\">",
        "<video src=\"/v.mp4\" poster=\"javascript:x\" controls></video>",
        // Case, spacing, repeats and self-closing slashes as the tokenizer
        // reads them.
        "<DIV CLASS=\"x\" Id='y'>z</DiV >",
        "<p class=\"a\" class=\"b\"\n  title = \"t\">x<br/>y<br />z</p><div/>w</div><hr/>",
        "<span title=\"a<b>c\" lang=''>x</span> 1 < 2 <3 <= 4 >",
        // Elements open at the end are closed.
        "<div><p>unclosed <em>text",
        // Headings, lists and definitions, each closed before the next.
        "<h1>a</h1><h2 id=\"b\">b</h2><ol start=\"3\"><li>x</li><li>y<ul><li>z</li></ul></li></ol><dl><dt>t</dt><dd>d</dd></dl>",
        "<ul><li><div><p>x</p></div></li></ul><blockquote><p>q</p></blockquote>",
        "<p><b><i>x</i></b><code>c</code><sub>1</sub><sup>2</sup><mark>m</mark><abbr title=\"t\">a</abbr></p>",
        "<figure><picture><source srcset=\"/a.webp\" type=\"image/webp\"><img src=\"/a.png\" alt=\"\"></picture><figcaption>c</figcaption></figure>",
        "<details open><summary>s</summary><p>t</p></details>",
        // Script and style dropped with their content, in a table too;
        // frames kept (and made click-to-load), inputs and metas dropped.
        "<p>a<script src=\"/x.js\">if (a < b && c) { d('</p>'); }</script>b</p><style>p > a { color: red }</style>",
        "<table><script>x()</script><tr><style></style><td>c</td></tr></table><SCRIPT>y</SCRIPT >",
        "<p>Watch:</p><iframe src=\"https://www.youtube.com/embed/abc\" title=\"Video\" width=\"560\"></iframe>",
        "<div><input type=\"checkbox\" id=\"t\"><label>x</label></div>",
        "<meta http-equiv=\"refresh\" content=\"0; url=/x/\"><link rel=\"stylesheet\" href=\"/a.css\"><p>x</p>",
        "plain text only, with \u{a0} and é",
        "",
    ] {
        assert_straight(&sanitizer, html);
    }
}

#[test]
fn what_only_the_sanitiser_may_handle_goes_to_it() {
    let sanitizer = ContentSanitizer::new();
    for html in [
        // The parser closes or moves elements.
        "<p><div>x</div></p>",
        "<b><i>x</b></i>",
        "<ul><li>a<li>b</ul>",
        "<a href=\"/a\"><a href=\"/b\">x</a></a>",
        "<h2><h3>x</h3></h2>",
        "<p>x</h2>",
        "<td>x</td>",
        "<table>text</table>",
        "<table><td>x</td></table>",
        "<table><div>x</div></table>",
        "<p>x<table><tr><td>y</td></tr></table>",
        "</p>",
        // Content read by other rules.
        "<script><!-- <script> </script> --></script>",
        "<script>never closed",
        "<style>p{}</style ",
        "<script>x</script foo>",
        "<iframe src=\"https://www.youtube.com/embed/x\">text</iframe>",
        "<iframe src=\"https://evil.example/x\" title=\"t\"></iframe>",
        "<table><input type=\"hidden\"></table>",
        "<table><colgroup><style></style></colgroup></table>",
        "<textarea><b></textarea>",
        "<svg><rect/></svg>",
        "<o:p>x</o:p>",
        "<custom-element>x</custom-element>",
        // References and characters the tokenizer reads its own way.
        "&copy 2024",
        "a &lt b",
        "<a title=\"&amp=x\">y</a>",
        "&#128;",
        "&#0;",
        "&#xD800;",
        "&#12",
        "a\r\nb",
        "a\0b",
        // Tags the tokenizer recovers from.
        "<p class=x>y</p>",
        "<p class=\"x\"title=\"y\">z</p>",
        "<p",
        "<!DOCTYPE html>",
        "<?php echo 1; ?>",
        "<!-->x",
        "<!-- a --!> b",
        "<!-- never closed",
        "</ p>",
        // An attribute the sanitiser's filter drops.
        "<img src=\"/a.png\" alt=\"A\" srcset=\"javascript:alert(1) 2x\" width=\"1\">",
    ] {
        assert_eq!(sanitizer.written_straight(html), None, "{html:?}");
    }
}

#[test]
fn nesting_near_the_budget_goes_to_the_sanitiser() {
    let sanitizer = ContentSanitizer::new();
    let deep = "<div>".repeat(crate::nesting::MAX_DEPTH / 2 + 1);
    assert_eq!(sanitizer.written_straight(&deep), None);
    let real = "<div>".repeat(20) + "x" + &"</div>".repeat(20);
    assert_straight(&sanitizer, &real);
}

#[test]
fn the_tokens_are_the_tokenizers() {
    let tokens: Vec<_> = Tokens::new("a&lt;b<p class=\"c&amp;d\" hidden>e</p ><!-- f -->g < h")
        .map(Result::unwrap)
        .collect();
    assert_eq!(tokens.len(), 6, "{tokens:?}");
    assert_eq!(tokens[0], Token::Text("a<b".into()));
    let Token::Start { name, attributes } = &tokens[1] else {
        panic!("{tokens:?}");
    };
    assert_eq!(*name, "p");
    assert_eq!(attributes.len(), 2);
    assert_eq!(attributes[0].value, "c&d");
    assert_eq!(
        (attributes[1].name.as_ref(), attributes[1].value.as_ref()),
        ("hidden", "")
    );
    assert_eq!(tokens[3], Token::End { name: "p" });
    assert_eq!(tokens[4], Token::Comment);
    assert_eq!(tokens[5], Token::Text("g < h".into()));
}

/// Random HTML from a grammar of the elements `html_clean` knows, mostly
/// well nested with the wrong child now and then, attributes from the
/// allowlist and off it, and text with the characters that need care.
struct Generator {
    state: u64,
}

const ELEMENTS: &[&str] = &[
    "p",
    "div",
    "span",
    "a",
    "b",
    "i",
    "em",
    "strong",
    "code",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "blockquote",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "caption",
    "colgroup",
    "col",
    "br",
    "img",
    "hr",
    "dl",
    "dt",
    "dd",
    "details",
    "summary",
    "figure",
    "figcaption",
    "center",
    "font",
    "sup",
    "sub",
    "del",
    "u",
    "s",
    "small",
    "section",
    "tfoot",
    "script",
    "iframe",
    "form",
    "button",
    "nobr",
];

const ATTRIBUTES: &[&str] = &[
    " class=\"c\"",
    " id=\"x\"",
    " href=\"/a/b\"",
    " href=\"https://example.gov.sg/?q=1&amp;r=2\"",
    " href=\"javascript:alert(1)\"",
    " href=\"JavaScript:x\"",
    " href=\" http://a.sg\"",
    " href=\"//host/x\"",
    " src=\"/i.png\"",
    " src=\"data:image/png;base64,AA\"",
    " style=\"width: 50%\"",
    " style=\"color:red;position:absolute\"",
    " style=\"text-align: center;\"",
    " style=\"\"",
    " title=\"a &quot;b&quot; c\"",
    " title='single \"quoted\"'",
    " onclick=\"x()\"",
    " data-type=\"d\"",
    " data-other=\"o\"",
    " aria-hidden=\"true\"",
    " rel=\"nofollow\"",
    " target=\"_blank\"",
    " colspan=\"2\"",
    " alt=\"\"",
    " srcset=\"/a.png 1x, /b.png 2x\"",
    " CLASS=\"upper\"",
    " hidden",
    " lang=\"ms\"",
];

const TEXTS: &[&str] = &[
    "text",
    " ",
    "\n",
    "a &amp; b",
    "&lt;",
    "&gt;",
    "&nbsp;",
    "\u{a0}",
    "&#169;",
    "&#x1F600;",
    "&eacute;",
    "< ",
    ">",
    "\"",
    "'",
    "& ",
    "é",
    "中文",
    "&#10;",
    "\t",
    "<!-- c -->",
    "x > y",
    "Q&A",
];

/// Text that mostly sends a page to the sanitiser.
const RARE_TEXTS: &[&str] = &["&copy", "&notit;", "<", "&", "\r\n", "&#128;", "<!-->"];

/// Elements a page starts with.
const ROOTS: &[&str] = &[
    "p",
    "div",
    "ul",
    "ol",
    "table",
    "h2",
    "blockquote",
    "pre",
    "details",
    "figure",
    "dl",
    "span",
    "a",
    "hr",
    "section",
    "center",
];

impl Generator {
    fn next(&mut self, below: usize) -> usize {
        self.state = self
            .state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.state >> 33) as usize % below
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len())]
    }

    fn text(&mut self) -> &'static str {
        if self.next(30) == 0 {
            self.pick(RARE_TEXTS)
        } else {
            self.pick(TEXTS)
        }
    }

    /// The children an element usually takes, so that most of what is
    /// generated is well formed.
    fn child_of(&mut self, parent: &str) -> &'static str {
        let usual: &[&str] = match parent {
            "ul" | "ol" => &["li"],
            "dl" => &["dt", "dd"],
            "table" => &["thead", "tbody", "tr", "caption", "colgroup"],
            "thead" | "tbody" | "tfoot" => &["tr"],
            "tr" => &["td", "th"],
            "colgroup" => &["col"],
            "details" => &["summary", "p"],
            "p" | "span" | "a" | "b" | "i" | "em" | "strong" | "code" | "h2" | "h3" | "sup" => &[
                "span", "b", "i", "em", "strong", "code", "a", "br", "img", "sup",
            ],
            _ => ELEMENTS,
        };
        // Now and then, any element at all.
        if self.next(20) == 0 {
            self.pick(ELEMENTS)
        } else {
            self.pick(usual)
        }
    }

    fn element(&mut self, name: &str, depth: usize, out: &mut String) {
        out.push('<');
        out.push_str(name);
        for _ in 0..self.next(3) {
            let attribute = self.pick(ATTRIBUTES);
            out.push_str(attribute);
        }
        out.push('>');
        if matches!(name, "br" | "img" | "hr" | "col" | "input" | "meta") {
            return;
        }
        let in_table = matches!(
            name,
            "table" | "thead" | "tbody" | "tfoot" | "tr" | "colgroup"
        );
        for _ in 0..self.next(4) {
            if depth < 6 && self.next(3) > 0 {
                let child = self.child_of(name);
                self.element(child, depth + 1, out);
            } else if !in_table || self.next(8) == 0 {
                let text = self.text();
                out.push_str(text);
            } else {
                out.push('\n');
            }
        }
        // Now and then, a missing or a wrong end tag.
        match self.next(40) {
            0 => {}
            1 => {
                let other = self.pick(ELEMENTS);
                out.push_str(&format!("</{other}>"));
            }
            _ => out.push_str(&format!("</{name}>")),
        }
    }
}

#[test]
fn generated_html_written_straight_is_what_the_sanitiser_writes() {
    let sanitizer = ContentSanitizer::new();
    let mut generator = Generator {
        state: 0x9e37_79b9_7f4a_7c15,
    };
    let mut straight_pages = 0;
    for _ in 0..COUNT {
        let mut html = String::new();
        for _ in 0..1 + generator.next(4) {
            let root = generator.pick(ROOTS);
            generator.element(root, 0, &mut html);
            let text = generator.text();
            html.push_str(text);
        }
        let (straight, sanitised) = both_ways(&sanitizer, &html);
        if let Some(straight) = straight {
            straight_pages += 1;
            assert_eq!(straight, sanitised, "HTML: {html:?}");
        }
    }
    // Not a test that passes with nothing written straight.
    assert!(straight_pages * 5 > COUNT, "{straight_pages} of {COUNT}");
}

const COUNT: usize = 20_000;

/// The rule on real pages: every HTML page of the corpus, and every
/// Markdown page's HTML, that is written straight is what the sanitiser
/// writes.
#[test]
fn every_corpus_page_written_straight_is_what_the_sanitiser_writes() {
    let sanitizer = ContentSanitizer::new();
    let (mut straight_pages, mut pages) = (0, 0);
    for page in corpus_pages(&["md", "html"]) {
        let Some(body) = page.body() else {
            continue;
        };
        let html = if page.extension() == "md" {
            let Ok(html) = crate::markdown::render_markdown(body) else {
                continue;
            };
            html
        } else {
            body.to_owned()
        };
        if crate::nesting::check_html(&html).is_err() {
            continue;
        }
        pages += 1;
        let (straight, sanitised) = both_ways(&sanitizer, &html);
        if let Some(straight) = straight {
            straight_pages += 1;
            assert_eq!(straight, sanitised, "{}", page.path.display());
        }
    }
    // Not a test that passes with nothing written straight.
    assert!(
        straight_pages * 2 > pages,
        "{straight_pages} of {pages} pages written straight"
    );
}
