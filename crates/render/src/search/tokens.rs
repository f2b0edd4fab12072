//! Words as the index stores them and the browser looks them up: runs of
//! letters and digits, lower-cased. The theme's script splits a query the
//! same way (`/[^\p{Alphabetic}\p{N}]+/u`, then `toLowerCase`), so a word
//! typed finds the word written, whatever its case or the punctuation
//! around it.

/// Words longer than this are not indexed: no one types them, and a page of
/// base64 or a long URL would otherwise fill a chunk.
pub(crate) const MAX_TERM_CHARS: usize = 40;

/// The words of `text`, lower-cased, in order, repeats included. Most words
/// are lower-case ASCII already and are borrowed, not copied; any other is
/// lower-cased by `str::to_lowercase` (titlecase letters and final sigma
/// included).
pub(crate) fn words(text: &str) -> impl Iterator<Item = Cow<'_, str>> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty() && word.chars().count() <= MAX_TERM_CHARS)
        .map(|word| {
            if word
                .bytes()
                .all(|byte| byte.is_ascii() && !byte.is_ascii_uppercase())
            {
                Cow::Borrowed(word)
            } else {
                Cow::Owned(word.to_lowercase())
            }
        })
}

use std::borrow::Cow;

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
