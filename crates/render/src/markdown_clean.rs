//! Markdown written straight as the HTML the sanitiser would make of it.
//!
//! Most Markdown bodies hold no raw HTML: every element in them is one that
//! Markdown writes (paragraphs, headings, lists, tables, links, images),
//! all on the sanitiser's allowlist. The sanitiser parses such a body's
//! HTML into a DOM and serialises it again, the largest cost of rendering a
//! page, only to spell the same elements its own way. So these bodies'
//! Markdown events are written here directly, spelled the way the
//! sanitiser's serialiser spells them:
//! - `<br>`, not `<br />`;
//! - quotes in text as they are;
//! - U+00A0 as `&nbsp;`;
//! - each link with the `rel` the sanitiser adds.
//!
//! Anything the sanitiser would drop or change gives up at once, and the
//! body goes the sanitiser's way:
//! - raw HTML;
//! - a URL it would refuse;
//! - a heading attribute off its allowlist;
//! - a link inside a link, which the HTML parser would move;
//! - a carriage return or NUL, which the parser rewrites;
//! - nesting deep enough to matter to the nesting budget.
//!
//! It is no weaker than the sanitiser: it writes only elements and
//! attributes on the sanitiser's allowlist, escapes every text and
//! attribute value, and checks each URL by the sanitiser's own rule. Tests
//! hold the two ways to the same bytes: on hand-picked cases, on 20,000
//! generated pages, and on every Markdown page of the corpus.

use std::collections::HashMap;
use std::fmt::Write as _;

use pulldown_cmark::{Alignment, CodeBlockKind, CowStr, Event, LinkType, Tag, TagEnd};

use crate::sanitiser_rules::{NeedsSanitiser, SanitiserRules, Written, escape};

/// How deep the written elements may nest. The nesting budget
/// (`nesting::MAX_DEPTH`) escapes HTML past it; half of it is far above any
/// real page and leaves deeper ones to the sanitiser's path, which applies
/// the budget exactly.
const MAX_ELEMENT_DEPTH: usize = crate::nesting::MAX_DEPTH / 2;

/// Appends the HTML of one Markdown segment's `events` to `out`, as the
/// sanitiser would write the HTML pulldown-cmark makes of them, or says
/// that the sanitiser must see them (then `out` holds part of the segment).
pub(crate) fn write_events(
    events: &[Event<'_>],
    rules: &SanitiserRules,
    out: &mut String,
) -> Written {
    let mut writer = Writer {
        rules,
        out,
        end_newline: true,
        table_alignments: &[],
        table_cell: 0,
        in_table_head: false,
        footnotes: HashMap::new(),
        links_open: 0,
        depth: 0,
    };
    let mut index = 0;
    while let Some(event) = events.get(index) {
        index += 1;
        match event {
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => index += writer.image(dest_url, title, &events[index..])?,
            Event::Start(tag) => writer.start(tag)?,
            Event::End(tag) => writer.end(*tag),
            Event::Text(text) => {
                writer.text(text)?;
                writer.end_newline = text.ends_with('\n');
            }
            Event::Code(text) => {
                writer.write("<code>");
                writer.text(text)?;
                writer.write("</code>");
            }
            Event::SoftBreak => writer.write("\n"),
            Event::HardBreak => writer.write("<br>\n"),
            Event::Rule => {
                if !writer.end_newline {
                    writer.write("\n");
                }
                writer.write("<hr>\n");
            }
            Event::FootnoteReference(name) => writer.footnote_reference(name)?,
            // Raw HTML, and what options Gazette does not turn on.
            Event::Html(_)
            | Event::InlineHtml(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::TaskListMarker(_) => return Err(NeedsSanitiser),
        }
    }
    Ok(())
}

struct Writer<'e, 'o> {
    rules: &'e SanitiserRules,
    out: &'o mut String,
    /// Whether what was written last ends a line: pulldown-cmark starts a
    /// block on a new line, and the sanitiser keeps the line breaks.
    end_newline: bool,
    table_alignments: &'e [Alignment],
    table_cell: usize,
    in_table_head: bool,
    /// Each footnote's number, by name, in the order first named.
    footnotes: HashMap<&'e str, usize>,
    links_open: usize,
    /// Elements open, counted generously (the nesting budget leaves out
    /// elements whose end tag may be left out).
    depth: usize,
}

impl<'e> Writer<'e, '_> {
    fn write(&mut self, html: &str) {
        self.out.push_str(html);
        if !html.is_empty() {
            self.end_newline = html.ends_with('\n');
        }
    }

    /// Writes `html` at the start of a line.
    fn write_on_new_line(&mut self, html: &str) {
        if !self.end_newline {
            self.out.push('\n');
        }
        self.write(html);
    }

    fn open(&mut self) -> Written {
        self.depth += 1;
        if self.depth > MAX_ELEMENT_DEPTH {
            return Err(NeedsSanitiser);
        }
        Ok(())
    }

    fn text(&mut self, text: &str) -> Written {
        escape(self.out, text, false)
    }

    fn attribute(&mut self, name: &str, value: &str) -> Written {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape(self.out, value, true)?;
        self.out.push('"');
        Ok(())
    }

    fn start(&mut self, tag: &'e Tag<'e>) -> Written {
        self.open()?;
        match tag {
            Tag::Paragraph => self.write_on_new_line("<p>"),
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                // `{#id .class key=value}`: the sanitiser keeps no
                // attribute other than an id and classes on a heading.
                if !attrs.is_empty() {
                    return Err(NeedsSanitiser);
                }
                self.write_on_new_line("<");
                let _ = write!(self.out, "{level}");
                if let Some(id) = id {
                    self.attribute("id", id)?;
                }
                if !classes.is_empty() {
                    let classes: Vec<&str> = classes.iter().map(|class| class.as_ref()).collect();
                    self.attribute("class", &classes.join(" "))?;
                }
                self.write(">");
            }
            Tag::BlockQuote(None) => self.write_on_new_line("<blockquote>\n"),
            Tag::CodeBlock(kind) => {
                if !self.end_newline {
                    self.write("\n");
                }
                self.open()?;
                let language = match kind {
                    CodeBlockKind::Fenced(info) => info.split(' ').next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                self.write("<pre><code");
                if !language.is_empty() {
                    self.attribute("class", &format!("language-{language}"))?;
                }
                self.write(">");
            }
            Tag::List(Some(1)) => self.write_on_new_line("<ol>\n"),
            Tag::List(Some(start)) => {
                self.write_on_new_line("<ol start=\"");
                let _ = write!(self.out, "{start}");
                self.write("\">\n");
            }
            Tag::List(None) => self.write_on_new_line("<ul>\n"),
            Tag::Item => self.write_on_new_line("<li>"),
            Tag::FootnoteDefinition(name) => {
                self.write_on_new_line("<div class=\"footnote-definition\"");
                self.attribute("id", name)?;
                let number = self.footnote_number(name);
                let _ = write!(
                    self.out,
                    "><sup class=\"footnote-definition-label\">{number}</sup>"
                );
                self.end_newline = false;
            }
            Tag::Table(alignments) => {
                self.table_alignments = alignments;
                // The parser adds the `<tbody>` a table's rows go in.
                self.open()?;
                self.write("<table>");
            }
            Tag::TableHead => {
                self.in_table_head = true;
                self.table_cell = 0;
                self.open()?;
                self.write("<thead><tr>");
            }
            Tag::TableRow => {
                self.table_cell = 0;
                self.write("<tr>");
            }
            Tag::TableCell => {
                self.write(if self.in_table_head { "<th" } else { "<td" });
                // The sanitiser's style filter rewrites pulldown-cmark's
                // `text-align: left` to this.
                let style = match self.table_alignments.get(self.table_cell) {
                    Some(Alignment::Left) => " style=\"text-align:left\"",
                    Some(Alignment::Center) => " style=\"text-align:center\"",
                    Some(Alignment::Right) => " style=\"text-align:right\"",
                    Some(Alignment::None) | None => "",
                };
                self.write(style);
                self.write(">");
            }
            Tag::Emphasis => self.write("<em>"),
            Tag::Strong => self.write("<strong>"),
            Tag::Strikethrough => self.write("<del>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                // The HTML parser closes a link that a link opens inside.
                if self.links_open > 0 {
                    return Err(NeedsSanitiser);
                }
                self.links_open += 1;
                let href = if *link_type == LinkType::Email {
                    format!("mailto:{}", href_value(dest_url))
                } else {
                    href_value(dest_url)
                };
                self.link_open(&href, title)?;
            }
            // Parsed only with options Gazette does not turn on.
            Tag::BlockQuote(Some(_))
            | Tag::HtmlBlock
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript
            | Tag::MetadataBlock(_)
            | Tag::Image { .. } => return Err(NeedsSanitiser),
        }
        Ok(())
    }

    /// `<a href=… title=… rel=…>`, when the sanitiser keeps the URL.
    fn link_open(&mut self, href: &str, title: &str) -> Written {
        if !self.rules.keeps_url(href) {
            return Err(NeedsSanitiser);
        }
        self.out.push_str("<a");
        self.attribute("href", href)?;
        if !title.is_empty() {
            self.attribute("title", title)?;
        }
        self.attribute("rel", self.rules.link_rel)?;
        self.write(">");
        Ok(())
    }

    fn end(&mut self, tag: TagEnd) {
        self.depth = self.depth.saturating_sub(1);
        let html = match tag {
            TagEnd::Paragraph => "</p>\n",
            TagEnd::Heading(level) => {
                let _ = write!(self.out, "</{level}");
                ">\n"
            }
            TagEnd::Table => {
                self.depth = self.depth.saturating_sub(1);
                "</tbody></table>\n"
            }
            TagEnd::TableHead => {
                self.in_table_head = false;
                self.depth = self.depth.saturating_sub(1);
                "</tr></thead><tbody>\n"
            }
            TagEnd::TableRow => "</tr>\n",
            TagEnd::TableCell => {
                self.table_cell += 1;
                if self.in_table_head { "</th>" } else { "</td>" }
            }
            TagEnd::BlockQuote(_) => "</blockquote>\n",
            TagEnd::CodeBlock => {
                self.depth = self.depth.saturating_sub(1);
                "</code></pre>\n"
            }
            TagEnd::List(true) => "</ol>\n",
            TagEnd::List(false) => "</ul>\n",
            TagEnd::Item => "</li>\n",
            TagEnd::Emphasis => "</em>",
            TagEnd::Strong => "</strong>",
            TagEnd::Strikethrough => "</del>",
            TagEnd::Link => {
                self.links_open = self.links_open.saturating_sub(1);
                "</a>"
            }
            TagEnd::FootnoteDefinition => "</div>\n",
            // Their starts give up before an end is reached.
            TagEnd::HtmlBlock
            | TagEnd::Image
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::MetadataBlock(_) => "",
        };
        self.write(html);
    }

    fn footnote_number(&mut self, name: &'e str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(name).or_insert(next)
    }

    fn footnote_reference(&mut self, name: &'e CowStr<'e>) -> Written {
        // Its `<a>` inside a link's would be moved by the parser.
        if self.links_open > 0 {
            return Err(NeedsSanitiser);
        }
        self.write("<sup class=\"footnote-reference\">");
        self.link_open(&format!("#{name}"), "")?;
        let number = self.footnote_number(name);
        let _ = write!(self.out, "{number}</a></sup>");
        self.end_newline = false;
        Ok(())
    }

    /// An image, whose `alt` is the text of the events up to its end;
    /// returns how many events that took.
    fn image(
        &mut self,
        dest_url: &str,
        title: &str,
        rest: &'e [Event<'e>],
    ) -> Result<usize, NeedsSanitiser> {
        let src = href_value(dest_url);
        if !self.rules.keeps_url(&src) {
            return Err(NeedsSanitiser);
        }
        let mut alt = String::new();
        let mut nested = 0_usize;
        let mut taken = 0;
        for event in rest {
            taken += 1;
            match event {
                Event::Start(_) => nested += 1,
                Event::End(_) if nested == 0 => break,
                Event::End(_) => nested -= 1,
                Event::Text(text) | Event::Code(text) => alt.push_str(text),
                Event::SoftBreak | Event::HardBreak | Event::Rule => alt.push(' '),
                Event::FootnoteReference(name) => {
                    let number = self.footnote_number(name);
                    let _ = write!(alt, "[{number}]");
                }
                Event::Html(_)
                | Event::InlineHtml(_)
                | Event::InlineMath(_)
                | Event::DisplayMath(_)
                | Event::TaskListMarker(_) => return Err(NeedsSanitiser),
            }
        }
        self.out.push_str("<img");
        self.attribute("src", &src)?;
        self.attribute("alt", &alt)?;
        if !title.is_empty() {
            self.attribute("title", title)?;
        }
        self.write(">");
        Ok(taken)
    }
}

/// A link's destination as the sanitiser reads it from pulldown-cmark's
/// `href`: bytes outside ASCII and ASCII that URLs do not allow
/// percent-encoded, as pulldown-cmark encodes them (`&` and `'` it
/// escapes as HTML instead, which the parser reads back).
fn href_value(url: &str) -> String {
    let mut value = String::with_capacity(url.len());
    for &byte in url.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$%&'()*+,-./:;=?@^_~".contains(&byte) {
            value.push(byte as char);
        } else {
            let _ = write!(value, "%{byte:02X}");
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use crate::ContentSanitizer;
    use crate::corpus_pages::corpus_pages;
    use crate::markdown::{MarkdownHtml, render_markdown, render_markdown_clean};

    /// The body written straight, or `None` when it went to the sanitiser.
    pub(super) fn straight(sanitizer: &ContentSanitizer, markdown: &str) -> Option<String> {
        match render_markdown_clean(markdown, sanitizer.rules()) {
            Ok(MarkdownHtml::Clean(html)) => Some(html),
            _ => None,
        }
    }

    /// The body as the sanitiser writes it.
    pub(super) fn sanitised(sanitizer: &ContentSanitizer, markdown: &str) -> String {
        render_markdown(markdown)
            .map(|html| sanitizer.clean(&html))
            .unwrap_or_default()
    }

    /// The body written straight (`None`: it went to the sanitiser) and as
    /// the sanitiser writes it.
    fn both_ways(sanitizer: &ContentSanitizer, markdown: &str) -> (Option<String>, String) {
        (
            straight(sanitizer, markdown),
            sanitised(sanitizer, markdown),
        )
    }

    #[test]
    fn markdown_without_html_is_written_as_the_sanitiser_writes_it() {
        let sanitizer = ContentSanitizer::new();
        let cases = [
            "Plain *em* **strong** ~~gone~~ `a < b && \"c\"` and 'quotes' \"too\".\n",
            "Entities: &copy; &amp; &lt;tag&gt; &#34; &nbsp;non\u{a0}breaking &quot;\n",
            "# Title\n\n## What's New?\n\n## What's New?\n\n### Kept {#custom .a .b}\n",
            "Setext\n======\n\nline one  \nline two\\\nline three\nsoft\n",
            "- one\n- two\n  - nested *x*\n\n    code in item\n\n3. three\n4. four\n\n1. first\n",
            "> quote\n>\n> > nested\n> - list in quote\n\n---\n\n***\ntext\n",
            "```rust \"x\" & y\nfn main() { let a = \"</code>\" < 1; }\n```\n\n    indented & <b>\n\n```\n\nblank first\n```\n",
            "| Left | Mid | Right | None |\n|:-----|:---:|------:|------|\n| a & b | `c` | **d** | [e](/e/) |\n| 1 |\n",
            "| Only | Head |\n|---|---|\n",
            "[rel](/about/) [abs](https://www.gov.sg/a?b=1&c='2') [t](page.html \"Title & \\\"q\\\"\")\n",
            "<https://www.tech.gov.sg/x y> <someone@agency.gov.sg> [spaces](<a file.pdf>) [uni](/café/ü?q=ä#ß)\n",
            "[ref][r] and [collapsed][] and [r]\n\n[r]: /ref/ 'Ref title'\n[collapsed]: mailto:a@b.sg\n",
            "![An *image* `alt`](/images/a.png \"Pic\") [![linked](/b.png)](/c/) ![](<x y.png>)\n",
            "Text[^1] and again[^note] and[^1].\n\n[^1]: First *note*.\n[^note]: Second\n    with more.\n",
            "![alt with note[^n]](/i.png)\n\n[^n]: N\n",
            "[text[^1]](/x/) [a [b](/b/)](/a/)\n\n[^1]: note\n",
            "Weird [ftp](ftp://files.gov.sg/a) [tel](tel:+6561234567) [hash](#top) [q](?a=b) [ws]( /x ) [empty]()\n",
            "\\<not a tag\\> 5 > 3 & 2 < 4 `<script>`\n",
            "",
            "\n\n\n",
            "# Only a heading",
        ];
        for markdown in cases {
            let (straight, sanitised) = both_ways(&sanitizer, markdown);
            assert_eq!(
                straight.as_deref(),
                Some(sanitised.as_str()),
                "Markdown:\n{markdown}"
            );
        }
    }

    #[test]
    fn what_the_sanitiser_would_change_goes_to_the_sanitiser() {
        let sanitizer = ContentSanitizer::new();
        let cases = [
            // Raw HTML, inline and as a block, and kramdown's kept HTML.
            "Some <b>bold</b> text.\n",
            "<div class=\"row\">\n\nText\n\n</div>\n",
            "{::nomarkdown}\n<p>kept</p>\n{:/}\n",
            // Attribute lists become raw HTML.
            "[form](https://form.gov.sg/x){:target=\"_blank\"}\n",
            // URLs the sanitiser drops.
            "[x](javascript:alert(1))\n",
            "![x](data:image/png;base64,AAAA)\n",
            "[x](vbscript:msgbox)\n",
            "[x](http://exa%20mple.com/)\n",
            // Heading attributes off the allowlist.
            "# Title {#t onclick=alert(1)}\n",
            // Characters the parser rewrites.
            "carriage &#13; return\n",
        ];
        for markdown in cases {
            let (straight, sanitised) = both_ways(&sanitizer, markdown);
            assert_eq!(
                straight, None,
                "Markdown:\n{markdown}\nsanitised:\n{sanitised}"
            );
        }
    }

    #[test]
    fn nesting_near_the_budget_goes_to_the_sanitiser() {
        let sanitizer = ContentSanitizer::new();
        let deep = "> ".repeat(crate::nesting::MAX_DEPTH - 10) + "deep\n";
        assert_eq!(both_ways(&sanitizer, &deep).0, None);
        let real = "> ".repeat(20) + "quoted\n";
        let (straight, sanitised) = both_ways(&sanitizer, &real);
        assert_eq!(straight, Some(sanitised));
    }

    /// The rule this module follows, on real pages: for every Markdown
    /// page of the corpus written straight, the sanitiser writes the same
    /// bytes.
    #[test]
    fn every_corpus_page_written_straight_is_what_the_sanitiser_writes() {
        let sanitizer = ContentSanitizer::new();
        let (mut straight_pages, mut pages) = (0, 0);
        for page in corpus_pages(&["md"]) {
            let body = page.body().unwrap_or(&page.text);
            pages += 1;
            let (straight, sanitised) = both_ways(&sanitizer, body);
            if let Some(straight) = straight {
                straight_pages += 1;
                assert_eq!(straight, sanitised, "{}", page.path.display());
            }
        }
        // Not a test that passes with nothing written straight.
        assert!(
            straight_pages * 3 > pages,
            "{straight_pages} of {pages} pages written straight"
        );
    }
}

#[cfg(test)]
mod generated {
    use super::tests::{sanitised, straight};
    use crate::ContentSanitizer;

    /// Pieces of Markdown syntax, joined at random into pages that no
    /// author would write but that reach the corners of the grammar.
    const PIECES: &[&str] = &[
        "*",
        "**",
        "_",
        "`",
        "``",
        "[",
        "](",
        ")",
        "]",
        "(",
        "<",
        ">",
        "&",
        "amp;",
        "#",
        "# ",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        "3) ",
        "> ",
        "|",
        "| --- |",
        "---",
        ":",
        "![",
        "[^1]",
        "\n[^1]: ",
        "    ",
        "\\",
        "\"",
        "'",
        "\u{a0}",
        "é",
        "ü",
        "https://",
        "mailto:",
        "a",
        "b c",
        "{#x}",
        "{: .c}",
        "{:",
        "}",
        "~~",
        "```",
        "\t",
        " ",
        "  \n",
        "&#13;",
        "&nbsp;",
        "&#0;",
        "javascript:",
        "www.gov.sg",
        "@",
        "x@y.sg",
        "<https://a.sg/b c>",
        "[r]",
        "\n[r]: /r/\n",
        "\"t\"",
        "%20",
        "?q=1&r=2",
        "=",
        "\n| a | b |\n|:-|-:|\n| 1 | 2 |\n",
        "<b>",
        "</b>",
        "\n  ",
        "  - ",
        "\n    ",
        "***",
        "___",
        "[^2]",
        "\n[^2]: x\n",
        "&quot;",
        "&#x27;",
        "(t)",
        "\r\n",
        "\r",
        "\0",
        "\u{feff}",
        "\u{2028}",
        "&#xa0;",
        "<mailto:a@b.sg>",
        "![a](b)",
        "[a](b \"t\")",
        "~~~",
        "\n```js\n",
        "{#id .cls}",
        "{#h k=v}",
    ];

    #[test]
    fn generated_pages_written_straight_are_what_the_sanitiser_writes() {
        let sanitizer = ContentSanitizer::new();
        // A fixed linear congruential sequence: the same pages every run.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |below: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % below
        };
        let mut straight_pages = 0;
        for _ in 0..COUNT {
            let length = 1 + next(40);
            let markdown: String = (0..length).map(|_| PIECES[next(PIECES.len())]).collect();
            let Some(straight) = straight(&sanitizer, &markdown) else {
                continue;
            };
            straight_pages += 1;
            assert_eq!(
                straight,
                sanitised(&sanitizer, &markdown),
                "Markdown: {markdown:?}"
            );
        }
        assert!(straight_pages * 4 > COUNT, "{straight_pages} of {COUNT}");
    }

    const COUNT: usize = 20_000;
}
