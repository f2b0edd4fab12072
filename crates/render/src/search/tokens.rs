//! Words as the index stores them and the browser looks them up: runs of
//! letters and digits, lower-cased. The theme's script splits a query the
//! same way (`/[^\p{Alphabetic}\p{N}]+/u`, then `toLowerCase`), so a word
//! typed finds the word written, whatever its case or the punctuation
//! around it.

use std::borrow::Cow;

/// Words longer than this are not indexed: no one types them, and a page of
/// base64 or a long URL would otherwise fill a chunk.
pub(crate) const MAX_TERM_CHARS: usize = 40;

/// The words of `text`, lower-cased, in order, repeats included. Most words
/// are lower-case ASCII already and are borrowed, not copied; an ASCII word
/// with capitals is lower-cased as ASCII, any other by `str::to_lowercase`
/// (titlecase letters and final sigma included).
pub(crate) fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// The iterator of [`words`]. It sorts ASCII bytes through [`ASCII_CLASS`]
/// and decodes only the other characters: the words of every page are
/// counted on each full render, and splitting at `char::is_alphanumeric`
/// decoded them all.
pub(crate) struct Words<'t> {
    text: &'t str,
    /// Where the next word is looked for: always a character boundary.
    at: usize,
}

/// What a character is to the tokeniser, in the order [`Words`] keeps the
/// largest met in a word: a lower-case ASCII word is borrowed, an ASCII one
/// lower-cased as ASCII, any other by `str::to_lowercase`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Separator,
    LowerAsciiOrDigit,
    UpperAscii,
    NotAscii,
}

/// The class of each byte below 128.
const ASCII_CLASS: [Class; 128] = {
    let mut classes = [Class::Separator; 128];
    let mut byte = 0;
    while byte < 128 {
        classes[byte] = match byte as u8 {
            b'a'..=b'z' | b'0'..=b'9' => Class::LowerAsciiOrDigit,
            b'A'..=b'Z' => Class::UpperAscii,
            _ => Class::Separator,
        };
        byte += 1;
    }
    classes
};

impl<'t> Iterator for Words<'t> {
    type Item = Cow<'t, str>;

    fn next(&mut self) -> Option<Self::Item> {
        let text = self.text;
        let bytes = text.as_bytes();
        // A local copy, so the loops do not store to `self` at every byte.
        let mut at = self.at;
        loop {
            // Past the separators.
            while let Some(&byte) = bytes.get(at) {
                if class_at(text, at, byte) != Class::Separator {
                    break;
                }
                at += char_len(byte);
            }
            let start = at;
            if start == bytes.len() {
                self.at = at;
                return None;
            }
            // Through the word: its ASCII letters and digits (most words
            // are nothing else) a byte at a time, any other character
            // decoded.
            let (mut chars, mut largest) = (0, Class::LowerAsciiOrDigit);
            loop {
                let run = at;
                while let Some(&byte) = bytes.get(at) {
                    match ASCII_CLASS.get(usize::from(byte)) {
                        Some(Class::LowerAsciiOrDigit) => {}
                        Some(Class::UpperAscii) => largest = largest.max(Class::UpperAscii),
                        _ => break,
                    }
                    at += 1;
                }
                chars += at - run;
                let Some(&byte) = bytes.get(at) else { break };
                if byte.is_ascii() || class_not_ascii(&text[at..]) == Class::Separator {
                    break;
                }
                largest = Class::NotAscii;
                chars += 1;
                at += char_len(byte);
            }
            if chars > MAX_TERM_CHARS {
                continue;
            }
            self.at = at;
            let word = &text[start..at];
            return Some(match largest {
                Class::Separator | Class::LowerAsciiOrDigit => Cow::Borrowed(word),
                Class::UpperAscii => Cow::Owned(word.to_ascii_lowercase()),
                Class::NotAscii => Cow::Owned(word.to_lowercase()),
            });
        }
    }
}

/// The class of the character of `text` at `at` (a character boundary),
/// whose first byte is `byte`.
fn class_at(text: &str, at: usize, byte: u8) -> Class {
    match ASCII_CLASS.get(usize::from(byte)) {
        Some(&class) => class,
        None => class_not_ascii(&text[at..]),
    }
}

/// The class of the first character of `text`, which is not ASCII:
/// `NotAscii` when it is alphanumeric (`char::is_alphanumeric`), else a
/// separator.
#[cold]
fn class_not_ascii(text: &str) -> Class {
    match text.chars().next() {
        Some(letter) if letter.is_alphanumeric() => Class::NotAscii,
        _ => Class::Separator,
    }
}

/// The length in bytes of the UTF-8 character that starts with `first`.
fn char_len(first: u8) -> usize {
    match first {
        0..0xE0 => 1 + usize::from(first >= 0x80),
        0xE0..0xF0 => 3,
        _ => 4,
    }
}

/// The chunk group of a term: its first two characters (the whole term when
/// shorter). A group is split further by longer prefixes when it grows
/// large (`index.rs`); the browser asks for every chunk whose key is a prefix
/// of a word typed, or starts with it.
pub(crate) fn group_of(term: &str) -> &str {
    prefix(term, 2)
}

/// The first `chars` characters of `term` (all of it when shorter).
pub(crate) fn prefix(term: &str, chars: usize) -> &str {
    match term.char_indices().nth(chars) {
        Some((end, _)) => &term[..end],
        None => term,
    }
}

/// A file name for a chunk key: its UTF-8 bytes in hex, so any script's
/// letters give a plain ASCII name that no two keys share.
pub(crate) fn key_file_name(key: &str) -> String {
    key.bytes().map(|byte| format!("{byte:02x}")).collect()
}
