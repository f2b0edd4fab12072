//! The readable text of a page's content HTML, for the index and for the
//! excerpts results show: character references decoded as HTML text
//! decodes them, script, style, template and noscript left out, every tag
//! a word break, runs of white space one space.
//!
//! The content HTML is the sanitiser's output (html5ever's serializer, or
//! the same bytes written straight by `markdown_clean.rs`, and the
//! click-to-load frames): tags whose attribute values are quoted, comments
//! gone. So one pass over its bytes reads it, where html5ever's
//! tokenizer, a character at a time, took 6.5 % of a corpus build's CPU;
//! a lone `<` that starts no tag stays text, as a browser shows it.

/// Elements whose content a reader does not see as text.
const HIDDEN: &[&str] = &["script", "style", "template", "noscript"];

/// The text of `html`, one space between words.
pub(crate) fn text_of_html(html: &str) -> String {
    let mut text = Collapsed {
        text: String::with_capacity(html.len() / 2),
        space: false,
    };
    let mut rest = html;
    while let Some(open) = memchr::memchr(b'<', rest.as_bytes()) {
        text.push(&htmlize::unescape(&rest[..open]));
        rest = &rest[open..];
        let Some(tag) = Tag::at(rest) else {
            text.push("<");
            rest = &rest[1..];
            continue;
        };
        // Inline tags break words too: `a<b>c</b>` indexes `a` and `c`,
        // which costs less than a wrong join of two words.
        text.space = true;
        rest = &rest[tag.len..];
        if let Some(name) = tag.hidden_start {
            rest = after_end_tag(rest, name);
        }
    }
    text.push(&htmlize::unescape(rest));
    text.text
}

/// Text whose runs of white space (`char::is_whitespace`) are one space,
/// none at either end, collapsed as it is appended.
struct Collapsed {
    text: String,
    /// Whether white space was met since the last character kept.
    space: bool,
}

impl Collapsed {
    /// Appends `piece` a run at a time: a run ends only at white space that
    /// must change (not a lone space between two characters kept).
    fn push(&mut self, piece: &str) {
        let bytes = piece.as_bytes();
        let (mut run_start, mut at) = (0, 0);
        while let Some(&byte) = bytes.get(at) {
            let space_len = match BYTE_KINDS[usize::from(byte)] {
                ByteKind::Kept => {
                    at += 1;
                    continue;
                }
                ByteKind::Space
                    if at > run_start
                        && bytes.get(at + 1).is_some_and(|&next| {
                            BYTE_KINDS[usize::from(next)] == ByteKind::Kept
                        }) =>
                {
                    at += 1;
                    continue;
                }
                ByteKind::Space | ByteKind::OtherAsciiSpace => 1,
                // A lead byte: `at` is a character boundary.
                ByteKind::MaybeSpace => match piece[at..].chars().next() {
                    Some(letter) if letter.is_whitespace() => letter.len_utf8(),
                    _ => {
                        at += 1;
                        continue;
                    }
                },
            };
            self.push_word(&piece[run_start..at]);
            self.space = true;
            at += space_len;
            run_start = at;
        }
        self.push_word(&piece[run_start..]);
    }

    fn push_word(&mut self, word: &str) {
        if word.is_empty() {
            return;
        }
        if self.space && !self.text.is_empty() {
            self.text.push(' ');
        }
        self.space = false;
        self.text.push_str(word);
    }
}

/// What a byte of text is to [`Collapsed::push`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByteKind {
    /// Copied as it is: not white space, nor the start of a character
    /// that could be.
    Kept,
    /// `' '`.
    Space,
    /// Tab, line feed, vertical tab, form feed, carriage return.
    OtherAsciiSpace,
    /// The first byte of a character that may be white space
    /// (`char::is_whitespace`): U+0085 and U+00A0 start with 0xC2, U+1680
    /// with 0xE1, U+2000 to U+205F with 0xE2, U+3000 with 0xE3.
    MaybeSpace,
}

const BYTE_KINDS: [ByteKind; 256] = {
    let mut kinds = [ByteKind::Kept; 256];
    kinds[b' ' as usize] = ByteKind::Space;
    let mut others = [b'\t', b'\n', 0x0b, 0x0c, b'\r'].as_slice();
    while let [byte, rest @ ..] = others {
        kinds[*byte as usize] = ByteKind::OtherAsciiSpace;
        others = rest;
    }
    kinds[0xC2] = ByteKind::MaybeSpace;
    kinds[0xE1] = ByteKind::MaybeSpace;
    kinds[0xE2] = ByteKind::MaybeSpace;
    kinds[0xE3] = ByteKind::MaybeSpace;
    kinds
};

/// Markup that starts at a `<`: a tag, an end tag, a comment or a
/// declaration.
struct Tag {
    /// Bytes up to and including its `>` (all that is left when unclosed).
    len: usize,
    /// The name of a hidden element (script, style, …) this tag opens.
    hidden_start: Option<&'static str>,
}

impl Tag {
    /// The markup at the start of `html` (which starts with `<`), or `None`
    /// when the `<` starts none and is text.
    fn at(html: &str) -> Option<Self> {
        let bytes = html.as_bytes();
        if let Some(comment) = html.strip_prefix("<!--") {
            let len = comment.find("-->").map_or(html.len(), |end| end + 7);
            return Some(Self {
                len,
                hidden_start: None,
            });
        }
        // An end tag needs a letter after `</`; a declaration (`<!`, `<?`)
        // any character; a start tag a letter after `<`.
        let name_start = match (bytes.get(1), bytes.get(2)) {
            (Some(b'/'), Some(letter)) if letter.is_ascii_alphabetic() => 2,
            (Some(b'!' | b'?'), _) => 2,
            (Some(letter), _) if letter.is_ascii_alphabetic() => 1,
            _ => return None,
        };
        let name_len = bytes[name_start..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'))
            .unwrap_or(bytes.len() - name_start);
        let name = &html[name_start..name_start + name_len];
        let len = tag_end(bytes, name_start + name_len);
        let self_closing = bytes[..len].ends_with(b"/>");
        let opens = name_start == 1 && !self_closing;
        let hidden_start = if opens {
            HIDDEN
                .iter()
                .find(|hidden| hidden.eq_ignore_ascii_case(name))
                .copied()
        } else {
            None
        };
        Some(Self { len, hidden_start })
    }
}

/// Where a tag whose attributes start at `from` ends: past its `>`, which
/// a quoted attribute value may contain.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while at < bytes.len() {
        match bytes[at] {
            b'>' => return at + 1,
            b'=' => {
                at += 1;
                while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                    at += 1;
                }
                if let Some(&quote @ (b'"' | b'\'')) = bytes.get(at) {
                    at = memchr::memchr(quote, &bytes[at + 1..])
                        .map_or(bytes.len(), |end| at + 1 + end + 1);
                }
            }
            _ => at += 1,
        }
    }
    bytes.len()
}

/// The rest of `html` after the end tag of the hidden element `name`
/// (nothing when it never ends: the browser hides the rest too).
fn after_end_tag<'a>(html: &'a str, name: &str) -> &'a str {
    let bytes = html.as_bytes();
    let mut at = 0;
    while let Some(found) = html[at..].find("</") {
        let start = at + found + 2;
        let end = start + name.len();
        if bytes
            .get(start..end)
            .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name.as_bytes()))
            && bytes
                .get(end)
                .is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'))
        {
            return &html[tag_end(bytes, end)..];
        }
        at = start;
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::{BYTE_KINDS, ByteKind, text_of_html};

    #[test]
    fn every_white_space_character_starts_with_a_byte_the_table_stops_at() {
        for letter in (0..=char::MAX as u32).filter_map(char::from_u32) {
            let mut utf8 = [0; 4];
            let first = letter.encode_utf8(&mut utf8).as_bytes()[0];
            let kind = BYTE_KINDS[usize::from(first)];
            if letter.is_ascii() {
                assert_eq!(kind != ByteKind::Kept, letter.is_whitespace(), "{letter:?}");
            } else if letter.is_whitespace() {
                assert_eq!(kind, ByteKind::MaybeSpace, "{letter:?}");
            }
        }
    }

    #[test]
    fn tags_break_words_and_quoted_values_may_hold_a_closing_bracket() {
        assert_eq!(
            text_of_html(
                r#"<p title="a > b" class='x>y'>one<b>two</b></p><img alt="3 > 2" src=x.png>three"#
            ),
            "one two three"
        );
    }

    #[test]
    fn a_lone_bracket_is_text_as_a_browser_shows_it() {
        assert_eq!(
            text_of_html("1 < 2 and 3 <= 4 </ 5"),
            "1 < 2 and 3 <= 4 </ 5"
        );
    }

    #[test]
    fn references_decode_as_html_text_does() {
        assert_eq!(
            text_of_html("caf&eacute; &#x41;&#66; &lt;tag&gt; &copy 2026 &unknown;"),
            "café AB <tag> © 2026 &unknown;"
        );
    }

    #[test]
    fn hidden_elements_comments_and_unclosed_ones_are_left_out() {
        assert_eq!(
            text_of_html(
                "a<!-- note --><SCRIPT type=x>if (a</b) {}</Script >b<noscript>n</noscript>c<style>d"
            ),
            "a b c"
        );
        assert_eq!(text_of_html("<script/>kept"), "kept");
    }
}
