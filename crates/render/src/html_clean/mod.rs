//! HTML written straight as the HTML the sanitiser would make of it.
//!
//! Bodies from the rich-text editor are HTML, and Markdown bodies may hold
//! raw HTML: the sanitiser (ammonia) parses each into a DOM with html5ever,
//! drops what its allowlist refuses and serialises the rest, the largest
//! cost of rendering such a page. Most of that HTML is already well formed
//! and on the allowlist, so the parse changes nothing but spelling. Such
//! HTML is read here a token at a time ([`tokens`]) and written as the
//! sanitiser would write it, replaying what the parser's tree builder and
//! the sanitiser do with each token:
//! - elements the sanitiser refuses lose their tags, not their content;
//! - attributes off its allowlist, and URLs it refuses, are left out;
//! - every link gets the `rel` it adds, styles are filtered by its own
//!   filter ([`crate::sanitize`]), comments are dropped;
//! - a table's rows get the `<tbody>` the parser adds, and `</table>`
//!   closes the row and section open in it;
//! - a line feed straight after `<pre>` is dropped, as the parser does;
//! - `script` and `style` go with their content; an empty `iframe` is
//!   kept and made click-to-load, as the sanitiser's output is;
//! - elements still open at the end are closed;
//! - text and values are escaped as its serialiser escapes them.
//!
//! Wherever the tree builder would do more than open and close elements
//! as written, this gives up and the body goes the sanitiser's way:
//! - an end tag that does not close the element opened last;
//! - a start tag that closes an open element first (a block inside a
//!   paragraph, a list item inside a list item, a link inside a link, a
//!   heading inside a heading);
//! - table content that the parser moves out of the table or wraps in
//!   elements of its own (text between rows, a cell outside a row);
//! - an element it does not know, or whose content the tokenizer reads by
//!   rules it does not replay (`textarea`, `title`, `svg`, `math`, a
//!   script holding `<!--`, a frame with text inside);
//! - an attribute the sanitiser's filter drops (it reorders the others);
//! - more than 128 open elements: half the nesting budget, which it is
//!   not measured against since it never reaches the parser.
//!
//! It is no weaker than the sanitiser: it writes only elements and
//! attributes on the sanitiser's allowlist (read from its builder, see
//! [`SanitiserRules`]), checks each URL by the sanitiser's own rule,
//! escapes every text and value, and tests hold the two ways to the same
//! bytes: on hand-picked cases, on generated HTML that reaches the corners
//! of the grammar, and on every page of the corpus.

mod tokens;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use crate::sanitiser_rules::{NeedsSanitiser, SanitiserRules, Written, escape};
use tokens::{Attribute, Token, Tokens};

/// How deep the written elements may nest: as in `markdown_clean`, half the
/// nesting budget, far above any real page.
const MAX_ELEMENT_DEPTH: usize = crate::nesting::MAX_DEPTH / 2;

/// `html` as the sanitiser would write it, or `None` when it holds
/// something only the sanitiser may handle. `style` is the sanitiser's
/// filter of a `style` attribute's value (`None`: give up).
pub(crate) fn write_straight(
    html: &str,
    rules: &SanitiserRules,
    style: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let mut writer = Writer {
        rules,
        style,
        out: String::with_capacity(html.len() + html.len() / 8),
        open: Vec::new(),
        ignore_line_feed: false,
        wrote_frame: false,
    };
    let mut tokens = Tokens::new(html);
    while let Some(token) = tokens.next() {
        if let Some(element) = writer.token(token.ok()?).ok()? {
            let text = tokens.raw_text(element.name).ok()?;
            writer.raw_text(element, text).ok()?;
        }
    }
    writer.close_all();
    Some(if writer.wrote_frame {
        crate::embeds::click_to_load(writer.out)
    } else {
        writer.out
    })
}

/// How the tree builder treats an element, for the elements this module
/// knows. Each kind names the rule of the HTML standard's "in body" (or
/// table) insertion modes that applies to it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Closes an open `<p>` first ("address, article, … ul").
    Block,
    /// `p`: closes an open `<p>` first.
    Paragraph,
    /// `h1`–`h6`: closes an open `<p>`, and a heading open right before.
    Heading,
    /// `pre`, `listing`: closes an open `<p>`; a line feed right after
    /// the start tag is dropped.
    Preformatted,
    /// `li`: closes an open `<li>` (within the nearest list) and `<p>`.
    ListItem,
    /// `dd`, `dt`: closes an open `<dd>` or `<dt>`, and `<p>`.
    DefinitionItem,
    /// `hr`: closes an open `<p>`; no content.
    Rule,
    /// `br`, `img`, `wbr`, `source`: no content.
    Void,
    /// `input`, `meta`, `link`: no content, and moved out of a table by
    /// the tree builder (the sanitiser drops them).
    BodyVoid,
    /// `style`, `script`: content the tokenizer reads as text, which the
    /// sanitiser drops with the element.
    RawText,
    /// `iframe`: content read as text; the sanitiser keeps the frame (from
    /// an allowed host) and the embeds pass makes it click-to-load.
    Frame,
    /// `a`: closes an open `<a>` (by the adoption agency algorithm).
    Anchor,
    /// `b`, `em`, `strong`, …: a formatting element, reopened by the tree
    /// builder where it is misnested.
    Formatting,
    /// Any other element the builder opens and closes as written.
    Phrase,
    Table,
    Caption,
    ColumnGroup,
    Column,
    /// `tbody`, `thead` (`tfoot`, which the sanitiser refuses, is left to
    /// it).
    TableSection,
    Row,
    Cell,
}

impl Kind {
    /// Elements of the standard's "special" category: the list item rule
    /// stops at them.
    fn is_special(self) -> bool {
        !matches!(self, Kind::Anchor | Kind::Formatting | Kind::Phrase)
    }

    /// Elements that bound a "button scope": a `<p>` beyond one is not
    /// closed.
    fn bounds_button_scope(self) -> bool {
        matches!(self, Kind::Table | Kind::Cell | Kind::Caption)
    }
}

/// An element this module knows: its name in lower case and its kind.
#[derive(Clone, Copy, Debug)]
struct Element {
    name: &'static str,
    kind: Kind,
}

/// The element named `name` (any case), when this module knows how the
/// tree builder treats it. Left out on purpose: the other elements whose
/// content the tokenizer reads as text (`textarea`, `title`, `xmp`,
/// `noscript`, …), foreign content (`svg`, `math`),
/// forms and their controls, `select`, `template`, `ruby`'s parts,
/// `nobr`, `image`, and elements the standard and html5ever disagree on
/// (`search`).
fn element(name: &str) -> Option<Element> {
    let lower;
    let name = if name.bytes().any(|byte| byte.is_ascii_uppercase()) {
        lower = name.to_ascii_lowercase();
        lower.as_str()
    } else {
        name
    };
    let (name, kind) = match name {
        "address" => ("address", Kind::Block),
        "article" => ("article", Kind::Block),
        "aside" => ("aside", Kind::Block),
        "blockquote" => ("blockquote", Kind::Block),
        "center" => ("center", Kind::Block),
        "details" => ("details", Kind::Block),
        "dir" => ("dir", Kind::Block),
        "div" => ("div", Kind::Block),
        "dl" => ("dl", Kind::Block),
        "fieldset" => ("fieldset", Kind::Block),
        "figcaption" => ("figcaption", Kind::Block),
        "figure" => ("figure", Kind::Block),
        "footer" => ("footer", Kind::Block),
        "header" => ("header", Kind::Block),
        "hgroup" => ("hgroup", Kind::Block),
        "main" => ("main", Kind::Block),
        "menu" => ("menu", Kind::Block),
        "nav" => ("nav", Kind::Block),
        "ol" => ("ol", Kind::Block),
        "section" => ("section", Kind::Block),
        "summary" => ("summary", Kind::Block),
        "ul" => ("ul", Kind::Block),
        "p" => ("p", Kind::Paragraph),
        "h1" => ("h1", Kind::Heading),
        "h2" => ("h2", Kind::Heading),
        "h3" => ("h3", Kind::Heading),
        "h4" => ("h4", Kind::Heading),
        "h5" => ("h5", Kind::Heading),
        "h6" => ("h6", Kind::Heading),
        "pre" => ("pre", Kind::Preformatted),
        "listing" => ("listing", Kind::Preformatted),
        "li" => ("li", Kind::ListItem),
        "dd" => ("dd", Kind::DefinitionItem),
        "dt" => ("dt", Kind::DefinitionItem),
        "hr" => ("hr", Kind::Rule),
        "br" => ("br", Kind::Void),
        "img" => ("img", Kind::Void),
        "wbr" => ("wbr", Kind::Void),
        "source" => ("source", Kind::Void),
        "input" => ("input", Kind::BodyVoid),
        "meta" => ("meta", Kind::BodyVoid),
        "link" => ("link", Kind::BodyVoid),
        "style" => ("style", Kind::RawText),
        "script" => ("script", Kind::RawText),
        "iframe" => ("iframe", Kind::Frame),
        "a" => ("a", Kind::Anchor),
        "b" => ("b", Kind::Formatting),
        "big" => ("big", Kind::Formatting),
        "code" => ("code", Kind::Formatting),
        "em" => ("em", Kind::Formatting),
        "font" => ("font", Kind::Formatting),
        "i" => ("i", Kind::Formatting),
        "s" => ("s", Kind::Formatting),
        "small" => ("small", Kind::Formatting),
        "strike" => ("strike", Kind::Formatting),
        "strong" => ("strong", Kind::Formatting),
        "tt" => ("tt", Kind::Formatting),
        "u" => ("u", Kind::Formatting),
        "abbr" => ("abbr", Kind::Phrase),
        "acronym" => ("acronym", Kind::Phrase),
        "audio" => ("audio", Kind::Phrase),
        "bdi" => ("bdi", Kind::Phrase),
        "bdo" => ("bdo", Kind::Phrase),
        "cite" => ("cite", Kind::Phrase),
        "data" => ("data", Kind::Phrase),
        "del" => ("del", Kind::Phrase),
        "dfn" => ("dfn", Kind::Phrase),
        "ins" => ("ins", Kind::Phrase),
        "kbd" => ("kbd", Kind::Phrase),
        "label" => ("label", Kind::Phrase),
        "mark" => ("mark", Kind::Phrase),
        "picture" => ("picture", Kind::Phrase),
        "q" => ("q", Kind::Phrase),
        "samp" => ("samp", Kind::Phrase),
        "span" => ("span", Kind::Phrase),
        "sub" => ("sub", Kind::Phrase),
        "sup" => ("sup", Kind::Phrase),
        "time" => ("time", Kind::Phrase),
        "var" => ("var", Kind::Phrase),
        "video" => ("video", Kind::Phrase),
        "table" => ("table", Kind::Table),
        "caption" => ("caption", Kind::Caption),
        "colgroup" => ("colgroup", Kind::ColumnGroup),
        "col" => ("col", Kind::Column),
        "tbody" => ("tbody", Kind::TableSection),
        "thead" => ("thead", Kind::TableSection),
        "tr" => ("tr", Kind::Row),
        "td" => ("td", Kind::Cell),
        "th" => ("th", Kind::Cell),
        _ => return None,
    };
    Some(Element { name, kind })
}

/// The `<tbody>` the tree builder opens for a row put straight in a table.
const IMPLIED_TABLE_BODY: Element = Element {
    name: "tbody",
    kind: Kind::TableSection,
};

/// An element open in the output, as on the tree builder's stack.
struct Open {
    element: Element,
    /// Whether the sanitiser keeps it (otherwise its tags are not written).
    kept: bool,
}

struct Writer<'r> {
    rules: &'r SanitiserRules,
    style: &'r dyn Fn(&str) -> Option<String>,
    out: String,
    /// The tree builder's stack of open elements, less the root.
    open: Vec<Open>,
    /// Set after `<pre>`: a line feed that starts the next token is
    /// dropped.
    ignore_line_feed: bool,
    /// Whether an `<iframe>` was written, for the embeds pass.
    wrote_frame: bool,
}

/// What [`Writer::token`] wrote: `Some` for the start tag of an element
/// whose content the tokenizer reads as text, to be read next.
type Tokened = Result<Option<Element>, NeedsSanitiser>;

impl Writer<'_> {
    fn token(&mut self, token: Token<'_>) -> Tokened {
        let ignore_line_feed = std::mem::take(&mut self.ignore_line_feed);
        match token {
            Token::Text(text) => {
                let text = if ignore_line_feed {
                    text.strip_prefix('\n').unwrap_or(&text)
                } else {
                    &text
                };
                self.text(text).map(|()| None)
            }
            Token::Start { name, attributes } => {
                let element = element(name).ok_or(NeedsSanitiser)?;
                if matches!(element.kind, Kind::RawText | Kind::Frame) {
                    return self
                        .raw_text_start(element, &attributes)
                        .map(|()| Some(element));
                }
                self.start(element, &attributes).map(|()| None)
            }
            Token::End { name } => {
                let element = element(name).ok_or(NeedsSanitiser)?;
                self.end(element).map(|()| None)
            }
            Token::Comment => Ok(None),
        }
    }

    /// The start tag of `style`, `script` or `iframe`. The tree builder
    /// puts the first two where they are, in a table too ("in head"
    /// rules); a frame in a table is moved out of it.
    fn raw_text_start(&mut self, element: Element, attributes: &[Attribute<'_>]) -> Written {
        let in_table = matches!(
            self.current(),
            Some(Kind::Table | Kind::TableSection | Kind::Row)
        );
        match element.kind {
            Kind::RawText if self.current() != Some(Kind::ColumnGroup) => {
                // Dropped with its content, or left to the sanitiser.
                if self.rules.clean_content_tags.contains(element.name) {
                    Ok(())
                } else {
                    Err(NeedsSanitiser)
                }
            }
            Kind::Frame if !in_table && self.current() != Some(Kind::ColumnGroup) => {
                if self.start_tag(element, attributes)? {
                    self.wrote_frame = true;
                }
                Ok(())
            }
            _ => Err(NeedsSanitiser),
        }
    }

    /// The text content of a `style`, `script` or `iframe` and its end
    /// tag. A frame's text is written as it is (the serialiser does not
    /// escape it), or kept as text where the sanitiser refuses frames:
    /// only a frame with none is written straight.
    fn raw_text(&mut self, element: Element, text: &str) -> Written {
        match element.kind {
            Kind::Frame if !text.is_empty() => Err(NeedsSanitiser),
            Kind::Frame if self.rules.tags.contains(element.name) => {
                self.out.push_str("</iframe>");
                Ok(())
            }
            // Dropped with its content (see `raw_text_start`).
            _ => Ok(()),
        }
    }

    fn current(&self) -> Option<Kind> {
        self.open.last().map(|open| open.element.kind)
    }

    fn text(&mut self, text: &str) -> Written {
        if text.is_empty() {
            return Ok(());
        }
        // In a table, outside its cells, the tree builder keeps white space
        // where it is and moves any other text out in front of the table.
        let in_table_structure = matches!(
            self.current(),
            Some(Kind::Table | Kind::TableSection | Kind::Row | Kind::ColumnGroup)
        );
        if in_table_structure
            && !text
                .bytes()
                .all(|byte| matches!(byte, b' ' | b'\t' | b'\n' | b'\x0c'))
        {
            return Err(NeedsSanitiser);
        }
        escape(&mut self.out, text, false)
    }

    fn start(&mut self, element: Element, attributes: &[Attribute<'_>]) -> Written {
        match (self.current(), element.kind) {
            // "In table": a section, a caption or a column group opens; a
            // row opens in a table body the builder adds.
            (Some(Kind::Table), Kind::Caption | Kind::ColumnGroup | Kind::TableSection) => {
                self.push(element, attributes)
            }
            (Some(Kind::Table), Kind::Row) => {
                self.push(IMPLIED_TABLE_BODY, &[])?;
                self.push(element, attributes)
            }
            (Some(Kind::TableSection), Kind::Row) | (Some(Kind::Row), Kind::Cell) => {
                self.push(element, attributes)
            }
            (Some(Kind::ColumnGroup), Kind::Column) => self.void(element, attributes),
            (Some(Kind::Table | Kind::TableSection | Kind::Row | Kind::ColumnGroup), _) => {
                Err(NeedsSanitiser)
            }
            // "In body", in a cell or a caption too.
            (_, Kind::Block | Kind::Paragraph | Kind::Table) => {
                self.refuse_open_paragraph()?;
                self.push(element, attributes)
            }
            (current, Kind::Heading) => {
                self.refuse_open_paragraph()?;
                if current == Some(Kind::Heading) {
                    return Err(NeedsSanitiser);
                }
                self.push(element, attributes)
            }
            (_, Kind::Preformatted) => {
                self.refuse_open_paragraph()?;
                self.push(element, attributes)?;
                self.ignore_line_feed = true;
                Ok(())
            }
            (_, Kind::ListItem | Kind::DefinitionItem) => {
                self.refuse_open_item(element)?;
                self.refuse_open_paragraph()?;
                self.push(element, attributes)
            }
            (_, Kind::Rule) => {
                self.refuse_open_paragraph()?;
                self.void(element, attributes)
            }
            (_, Kind::Void) => self.void(element, attributes),
            (_, Kind::BodyVoid) => self.void(element, attributes),
            (_, Kind::Anchor) => {
                if self
                    .open
                    .iter()
                    .any(|open| open.element.kind == Kind::Anchor)
                {
                    return Err(NeedsSanitiser);
                }
                self.push(element, attributes)
            }
            (_, Kind::Formatting | Kind::Phrase) => self.push(element, attributes),
            // Table parts outside a table are dropped by the builder.
            (
                _,
                Kind::Caption
                | Kind::ColumnGroup
                | Kind::Column
                | Kind::TableSection
                | Kind::Row
                | Kind::Cell,
            ) => Err(NeedsSanitiser),
            // Read through `raw_text_start`.
            (_, Kind::RawText | Kind::Frame) => Err(NeedsSanitiser),
        }
    }

    /// Gives up where a `<p>` is open within the button scope: the start
    /// tag would close it.
    fn refuse_open_paragraph(&self) -> Written {
        for open in self.open.iter().rev() {
            if open.element.kind == Kind::Paragraph {
                return Err(NeedsSanitiser);
            }
            if open.element.kind.bounds_button_scope() {
                break;
            }
        }
        Ok(())
    }

    /// Gives up where the list item rule would close an open item: an
    /// `li` for `li`, a `dd` or `dt` for either, found before a special
    /// element other than `address`, `div` and `p`.
    fn refuse_open_item(&self, item: Element) -> Written {
        for open in self.open.iter().rev() {
            if open.element.kind == item.kind {
                return Err(NeedsSanitiser);
            }
            if open.element.kind.is_special()
                && !matches!(open.element.name, "address" | "div" | "p")
            {
                break;
            }
        }
        Ok(())
    }

    fn push(&mut self, element: Element, attributes: &[Attribute<'_>]) -> Written {
        if self.open.len() >= MAX_ELEMENT_DEPTH {
            return Err(NeedsSanitiser);
        }
        let kept = self.start_tag(element, attributes)?;
        self.open.push(Open { element, kept });
        Ok(())
    }

    fn void(&mut self, element: Element, attributes: &[Attribute<'_>]) -> Written {
        self.start_tag(element, attributes).map(drop)
    }

    fn end(&mut self, element: Element) -> Written {
        let current = self.open.last().ok_or(NeedsSanitiser)?;
        if current.element.name == element.name {
            self.pop();
            return Ok(());
        }
        // `</table>` closes the row and the section open in the table
        // (the tree builder's "in row" and "in table body" rules).
        if element.kind == Kind::Table {
            let kinds: Vec<Kind> = self.open.iter().map(|open| open.element.kind).collect();
            let closed = match kinds[..] {
                [.., Kind::Table, Kind::TableSection, Kind::Row] => 3,
                [.., Kind::Table, Kind::TableSection] => 2,
                _ => return Err(NeedsSanitiser),
            };
            for _ in 0..closed {
                self.pop();
            }
            return Ok(());
        }
        Err(NeedsSanitiser)
    }

    fn pop(&mut self) {
        // Only elements that take content are pushed.
        if let Some(open) = self.open.pop()
            && open.kept
        {
            self.out.push_str("</");
            self.out.push_str(open.element.name);
            self.out.push('>');
        }
    }

    /// Closes what is open at the end, as the serialiser closes the
    /// elements the parser left open.
    fn close_all(&mut self) {
        while !self.open.is_empty() {
            self.pop();
        }
    }

    /// Writes `element`'s start tag when the sanitiser keeps it, with the
    /// attributes it keeps, and says whether it did.
    fn start_tag(
        &mut self,
        element: Element,
        attributes: &[Attribute<'_>],
    ) -> Result<bool, NeedsSanitiser> {
        let name = element.name;
        if !self.rules.tags.contains(name) {
            return Ok(false);
        }
        let mut kept: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(attributes.len() + 1);
        for (index, attribute) in attributes.iter().enumerate() {
            // The tokenizer drops a repeated attribute.
            if attributes[..index]
                .iter()
                .any(|earlier| earlier.name == attribute.name)
            {
                continue;
            }
            if !self.rules.keeps_attribute(name, &attribute.name) {
                continue;
            }
            if is_url_attribute(name, &attribute.name) && !self.rules.keeps_url(&attribute.value) {
                continue;
            }
            kept.push((&attribute.name, Cow::Borrowed(&attribute.value)));
        }
        if name == "a" {
            kept.push(("rel", Cow::Borrowed(self.rules.link_rel)));
        }
        for (attribute, value) in &mut kept {
            // The sanitiser's filter drops a value with `swap_remove`,
            // which reorders the attributes after it.
            match crate::sanitize::filter_attribute(name, attribute, value).ok_or(NeedsSanitiser)? {
                Cow::Borrowed(_) => {}
                Cow::Owned(filtered) => *value = Cow::Owned(filtered),
            }
            if *attribute == "style" {
                *value = Cow::Owned((self.style)(value).ok_or(NeedsSanitiser)?);
            }
        }
        self.out.push('<');
        self.out.push_str(name);
        for (attribute, value) in &kept {
            self.out.push(' ');
            self.out.push_str(attribute);
            self.out.push_str("=\"");
            escape(&mut self.out, value, true)?;
            self.out.push('"');
        }
        self.out.push('>');
        Ok(true)
    }
}

/// Whether the sanitiser reads attribute `attribute` of `element` as a URL
/// and checks its scheme (ammonia's list).
fn is_url_attribute(element: &str, attribute: &str) -> bool {
    matches!(attribute, "href" | "src" | "xlink:href")
        || (element == "a" && attribute == "ping")
        || (element == "video" && attribute == "poster")
        || (element == "form" && attribute == "action")
        || (element == "object" && attribute == "data")
        || (matches!(element, "button" | "input") && attribute == "formaction")
}
