//! The tokens of HTML that [`super`] can write straight: the part of the
//! HTML tokenizer's grammar in which a token means one thing only.
//!
//! Text, start tags with quoted attribute values, end tags without
//! attributes, comments, and the text of `style`, `script` and `iframe`
//! up to their end tags. Everything where the tokenizer recovers from
//! an error or reads by a rule of its own gives up instead: a tag cut off
//! by the end of the input, an unquoted attribute value, `<!DOCTYPE` and
//! `<?`, a named character reference without its semicolon (the tokenizer
//! reads some and not others, and differently in attributes), a numeric
//! one the tokenizer replaces, and carriage returns and NULs, which it
//! rewrites before tokenizing.

use std::borrow::Cow;

use crate::sanitiser_rules::NeedsSanitiser;

/// One token, as the HTML tokenizer would emit it.
#[derive(Debug, PartialEq)]
pub(super) enum Token<'h> {
    /// Text, its character references decoded.
    Text(Cow<'h, str>),
    /// A start tag: its name as written (any case) and its attributes,
    /// names in lower case and values decoded, in the order written. A
    /// trailing `/` is read and, as the tree builder does for every element
    /// that takes content, ignored.
    Start {
        name: &'h str,
        attributes: Vec<Attribute<'h>>,
    },
    /// An end tag: its name as written.
    End { name: &'h str },
    /// A comment, which the sanitiser drops.
    Comment,
}

#[derive(Debug, PartialEq)]
pub(super) struct Attribute<'h> {
    pub name: Cow<'h, str>,
    pub value: Cow<'h, str>,
}

/// The tokens of an HTML fragment, or [`NeedsSanitiser`] where one falls
/// outside this grammar (after which the iterator is not to be used).
pub(super) struct Tokens<'h> {
    html: &'h str,
    at: usize,
}

type Read<'h> = Result<Token<'h>, NeedsSanitiser>;

impl<'h> Tokens<'h> {
    pub(super) fn new(html: &'h str) -> Self {
        Self { html, at: 0 }
    }

    fn rest(&self) -> &'h str {
        &self.html[self.at..]
    }

    /// The text up to the next tag or comment. A `<` that starts neither
    /// is text, as the tokenizer reads it.
    fn text(&mut self) -> Read<'h> {
        let bytes = self.html.as_bytes();
        let start = self.at;
        let mut decoded_text: Option<String> = None;
        let mut run = start;
        let mut at = start;
        loop {
            let Some(offset) = bytes[at..]
                .iter()
                .position(|&byte| matches!(byte, b'<' | b'&' | b'\r' | b'\0'))
            else {
                at = bytes.len();
                break;
            };
            at += offset;
            match bytes[at] {
                b'<' if at > start && starts_markup(bytes.get(at + 1)) => break,
                b'<' => at += 1,
                b'&' => match char_ref(&self.html[at + 1..])? {
                    None => at += 1,
                    Some((decoded, length)) => {
                        let text = decoded_text.get_or_insert_with(String::new);
                        text.push_str(&self.html[run..at]);
                        decoded.push_onto(text);
                        at += 1 + length;
                        run = at;
                    }
                },
                _ => return Err(NeedsSanitiser),
            }
        }
        self.at = at;
        Ok(Token::Text(match decoded_text {
            Some(mut text) => {
                text.push_str(&self.html[run..at]);
                Cow::Owned(text)
            }
            None => Cow::Borrowed(&self.html[start..at]),
        }))
    }

    /// The content of an element whose start tag was just read and whose
    /// content the tokenizer reads as text to its end tag (`style`,
    /// `script`, `iframe`): the text, with the end tag `</name>` read too.
    /// Script whose text holds `<!--` (where the tokenizer's escaped
    /// states begin) and content never closed give up.
    pub(super) fn raw_text(&mut self, name: &str) -> Result<&'h str, NeedsSanitiser> {
        let rest = self.rest();
        let mut from = 0;
        loop {
            let found = from + rest[from..].find("</").ok_or(NeedsSanitiser)?;
            let after = &rest[found + 2..];
            let ends = after
                .get(..name.len())
                .is_some_and(|written| written.eq_ignore_ascii_case(name))
                && after[name.len()..].starts_with(|c: char| is_space(c) || c == '/' || c == '>');
            if !ends {
                from = found + 2;
                continue;
            }
            let text = &rest[..found];
            if name == "script" && text.contains("<!--") {
                return Err(NeedsSanitiser);
            }
            let close = after[name.len()..].trim_start_matches(is_space);
            if !close.starts_with('>') {
                return Err(NeedsSanitiser);
            }
            self.at = self.html.len() - close.len() + 1;
            return Ok(text);
        }
    }

    /// A tag or a comment, at a `<` that starts one.
    fn markup(&mut self) -> Read<'h> {
        let rest = self.rest();
        match rest.as_bytes().get(1) {
            Some(b'!') => self.comment(),
            Some(b'/') => self.end_tag(),
            Some(byte) if byte.is_ascii_alphabetic() => self.start_tag(),
            _ => Err(NeedsSanitiser),
        }
    }

    /// `<!--` to the first `-->`, when nothing in between ends the comment
    /// another way (`<!-->`, `<!--->`, `--!>`).
    fn comment(&mut self) -> Read<'h> {
        let body = self.rest().strip_prefix("<!--").ok_or(NeedsSanitiser)?;
        if body.starts_with('>') || body.starts_with("->") {
            return Err(NeedsSanitiser);
        }
        let end = body.find("-->").ok_or(NeedsSanitiser)?;
        if body[..end + 3].contains("--!>") {
            return Err(NeedsSanitiser);
        }
        self.at += "<!--".len() + end + "-->".len();
        Ok(Token::Comment)
    }

    /// `</name>`, with white space allowed before the `>`.
    fn end_tag(&mut self) -> Read<'h> {
        let rest = &self.rest()[2..];
        let name = tag_name(rest)?;
        let after = rest[name.len()..].trim_start_matches(is_space);
        if !after.starts_with('>') {
            return Err(NeedsSanitiser);
        }
        self.at = self.html.len() - after.len() + 1;
        Ok(Token::End { name })
    }

    /// `<name attribute="value" …>`, values quoted.
    fn start_tag(&mut self) -> Read<'h> {
        let rest = &self.rest()[1..];
        let name = tag_name(rest)?;
        let mut rest = &rest[name.len()..];
        let mut attributes = Vec::new();
        loop {
            let after_space = rest.trim_start_matches(is_space);
            let spaced = after_space.len() < rest.len();
            rest = after_space;
            match rest.as_bytes().first() {
                Some(b'>') => {
                    rest = &rest[1..];
                    break;
                }
                Some(b'/') if rest.as_bytes().get(1) == Some(&b'>') => {
                    rest = &rest[2..];
                    break;
                }
                // An attribute must follow white space.
                Some(_) if spaced => {
                    let (attribute, after) = attribute(rest)?;
                    attributes.push(attribute);
                    rest = after;
                }
                _ => return Err(NeedsSanitiser),
            }
        }
        self.at = self.html.len() - rest.len();
        Ok(Token::Start { name, attributes })
    }
}

impl<'h> Iterator for Tokens<'h> {
    type Item = Read<'h>;

    fn next(&mut self) -> Option<Read<'h>> {
        let rest = self.rest();
        if rest.is_empty() {
            return None;
        }
        let bytes = rest.as_bytes();
        Some(if bytes[0] == b'<' && starts_markup(bytes.get(1)) {
            self.markup()
        } else {
            self.text()
        })
    }
}

/// Whether a `<` followed by `next` starts markup rather than being text.
fn starts_markup(next: Option<&u8>) -> bool {
    next.is_some_and(|&byte| byte.is_ascii_alphabetic() || matches!(byte, b'/' | b'!' | b'?'))
}

/// The white space of the HTML tokenizer, less the carriage return that
/// only the sanitiser handles.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0c')
}

/// A tag's name at the start of `rest`: ASCII letters and digits, starting
/// with a letter, and ended by white space, `/` or `>`.
fn tag_name(rest: &str) -> Result<&str, NeedsSanitiser> {
    let length = rest
        .bytes()
        .position(|byte| !byte.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = &rest[..length];
    let ended = rest[length..]
        .chars()
        .next()
        .is_some_and(|c| is_space(c) || c == '/' || c == '>');
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) && ended {
        Ok(name)
    } else {
        Err(NeedsSanitiser)
    }
}

/// One attribute at the start of `rest`, and what follows it.
fn attribute(rest: &str) -> Result<(Attribute<'_>, &str), NeedsSanitiser> {
    let length = rest
        .bytes()
        .position(|byte| {
            !(byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b':' | b'.'))
        })
        .unwrap_or(rest.len());
    if length == 0 {
        return Err(NeedsSanitiser);
    }
    let written = &rest[..length];
    let name = if written.bytes().any(|byte| byte.is_ascii_uppercase()) {
        Cow::Owned(written.to_ascii_lowercase())
    } else {
        Cow::Borrowed(written)
    };
    let after_name = &rest[length..];
    let after_space = after_name.trim_start_matches(is_space);
    let Some(value_and_rest) = after_space.strip_prefix('=') else {
        // No value: the attribute's value is empty.
        return Ok((
            Attribute {
                name,
                value: Cow::Borrowed(""),
            },
            after_name,
        ));
    };
    let quoted = value_and_rest.trim_start_matches(is_space);
    let quote = match quoted.as_bytes().first() {
        Some(&quote @ (b'"' | b'\'')) => quote as char,
        _ => return Err(NeedsSanitiser),
    };
    let inner = &quoted[1..];
    let end = inner.find(quote).ok_or(NeedsSanitiser)?;
    let value = attribute_value(&inner[..end])?;
    let after = &inner[end + 1..];
    // The tokenizer reads an attribute straight after a value as a new
    // attribute, with an error: left to the sanitiser.
    if !after.starts_with(|c: char| is_space(c) || c == '/' || c == '>') {
        return Err(NeedsSanitiser);
    }
    Ok((Attribute { name, value }, after))
}

/// An attribute's value with its character references decoded.
fn attribute_value(raw: &str) -> Result<Cow<'_, str>, NeedsSanitiser> {
    if raw.bytes().any(|byte| matches!(byte, b'\r' | b'\0')) {
        return Err(NeedsSanitiser);
    }
    let Some(first) = raw.find('&') else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut value = String::with_capacity(raw.len());
    value.push_str(&raw[..first]);
    let mut at = first;
    while at < raw.len() {
        let next = raw[at..].find('&').map_or(raw.len(), |offset| at + offset);
        value.push_str(&raw[at..next]);
        if next == raw.len() {
            break;
        }
        match char_ref(&raw[next + 1..])? {
            None => {
                value.push('&');
                at = next + 1;
            }
            Some((decoded, length)) => {
                decoded.push_onto(&mut value);
                at = next + 1 + length;
            }
        }
    }
    Ok(Cow::Owned(value))
}

/// The one or two characters a character reference stands for.
#[derive(Clone, Copy)]
struct Decoded(char, Option<char>);

impl Decoded {
    fn push_onto(self, text: &mut String) {
        text.push(self.0);
        text.extend(self.1);
    }
}

/// The character reference that follows a `&` (`rest` starts after it)
/// and how many bytes it takes, `None` when the `&` is text, or
/// [`NeedsSanitiser`] where the tokenizer's reading depends on more than
/// this grammar holds: a reference without its semicolon reads one way in
/// text and another in attributes, so each gives up.
fn char_ref(rest: &str) -> Result<Option<(Decoded, usize)>, NeedsSanitiser> {
    if let Some(number) = rest.strip_prefix('#') {
        return numeric_ref(number).map(|(c, length)| Some((Decoded(c, None), 1 + length)));
    }
    let length = rest
        .bytes()
        .position(|byte| !byte.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    if length == 0 {
        return Ok(None);
    }
    let name = &rest[..length];
    if rest[length..].starts_with(';')
        && let Some(&(first, second)) = html5ever::data::NAMED_ENTITIES.get(&rest[..=length])
        && let Some(first) = char::from_u32(first).filter(|&c| c != '\0')
    {
        let second = char::from_u32(second).filter(|&c| c != '\0');
        return Ok(Some((Decoded(first, second), length + 1)));
    }
    // A known name without its semicolon (`&copy`, or `&amp` in `&ampx;`).
    let legacy = (1..=name.len().min(LONGEST_LEGACY_NAME)).any(|end| {
        html5ever::data::NAMED_ENTITIES
            .get(&name[..end])
            .is_some_and(|&(first, _)| first != 0)
    });
    if legacy {
        Err(NeedsSanitiser)
    } else {
        Ok(None)
    }
}

/// Longer than the longest name of a reference the tokenizer reads without
/// a semicolon (six letters: `&frac34`, `&middot`).
const LONGEST_LEGACY_NAME: usize = 8;

/// `&#…;` after the `#`: its character and its length, when the tokenizer
/// keeps the number as it is. Numbers it replaces (zero, surrogates, past
/// U+10FFFF, the C1 controls it maps to Windows-1252) and those it keeps
/// with an error (other controls, non-characters) give up, as does a
/// reference without its semicolon.
fn numeric_ref(rest: &str) -> Result<(char, usize), NeedsSanitiser> {
    let (digits, radix, prefix) = match rest.as_bytes().first() {
        Some(b'x' | b'X') => (&rest[1..], 16, 1),
        _ => (rest, 10, 0),
    };
    let length = digits
        .bytes()
        .position(|byte| !(byte as char).is_digit(radix))
        .unwrap_or(digits.len());
    if length == 0 || length > 8 || !digits[length..].starts_with(';') {
        return Err(NeedsSanitiser);
    }
    let code = u32::from_str_radix(&digits[..length], radix).map_err(|_| NeedsSanitiser)?;
    let replaced_or_flagged = code < 0x20 && !matches!(code, 0x09 | 0x0a | 0x0c)
        || (0x7f..=0x9f).contains(&code)
        || (0xfdd0..=0xfdef).contains(&code)
        || code & 0xfffe == 0xfffe;
    let c = char::from_u32(code)
        .filter(|_| !replaced_or_flagged)
        .ok_or(NeedsSanitiser)?;
    Ok((c, prefix + length + 1))
}
