//! Mojibake: UTF-8 text that was decoded as Windows-1252 and encoded again,
//! so that `’` became `â€™` and `é` became `Ã©`.
//!
//! A run of characters is mojibake when their Windows-1252 bytes form one
//! valid UTF-8 sequence of two to four bytes. Repairing it replaces exactly
//! those characters with the one they spell and leaves every other byte of
//! the text as it was.

use std::collections::BTreeMap;
use std::ops::Range;

use encoding_rs::EncoderResult;

use crate::files::FileFinding;
use crate::locate::{Position, position_of};
use crate::rule::Rule;

/// One spot of mojibake in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MojibakeSpot {
    /// The byte range of the garbled characters in the text.
    pub range: Range<usize>,
    /// What was meant.
    pub repaired: String,
}

/// Every spot of mojibake in `text`, in order. Adjacent garbled sequences
/// form one spot, so text garbled twice (`ÃƒÂ©`) is repaired fully (`é`).
pub fn find_mojibake(text: &str) -> Vec<MojibakeSpot> {
    let mut spots: Vec<MojibakeSpot> = Vec::new();
    let mut from = 0;
    while let Some((range, decoded)) = next_sequence(text, from) {
        from = range.end;
        match spots.last_mut() {
            Some(last) if last.range.end == range.start => {
                last.range.end = range.end;
                last.repaired.push(decoded);
            }
            _ => spots.push(MojibakeSpot {
                range,
                repaired: decoded.to_string(),
            }),
        }
    }
    for spot in &mut spots {
        // Each pass undoes one round of garbling; real text needs at most a few.
        for _ in 0..4 {
            let (again, count) = repair_once(&spot.repaired);
            if count == 0 {
                break;
            }
            spot.repaired = again;
        }
    }
    spots
}

/// `text` with every spot of mojibake repaired, and how many there were.
pub fn repair_mojibake(text: &str) -> (String, usize) {
    apply(text, &find_mojibake(text))
}

fn repair_once(text: &str) -> (String, usize) {
    let mut spots = Vec::new();
    let mut from = 0;
    while let Some((range, decoded)) = next_sequence(text, from) {
        from = range.end;
        spots.push(MojibakeSpot {
            range,
            repaired: decoded.to_string(),
        });
    }
    apply(text, &spots)
}

fn apply(text: &str, spots: &[MojibakeSpot]) -> (String, usize) {
    if spots.is_empty() {
        return (text.to_owned(), 0);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for spot in spots {
        out.push_str(&text[copied..spot.range.start]);
        out.push_str(&spot.repaired);
        copied = spot.range.end;
    }
    out.push_str(&text[copied..]);
    (out, spots.len())
}

/// The mojibake of one source file, one finding per line.
pub(crate) fn file_findings(text: &str) -> Vec<FileFinding> {
    let mut by_line: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    for spot in find_mojibake(text) {
        let position = position_of(text, spot.range.start);
        let change = format!("`{}` → `{}`", &text[spot.range.clone()], spot.repaired);
        by_line
            .entry(position.line)
            .or_default()
            .push((position.column, change));
    }
    by_line
        .into_iter()
        .map(|(line, changes)| {
            let column = changes[0].0;
            let mut shown: Vec<&str> = Vec::new();
            for (_, change) in &changes {
                if !shown.contains(&change.as_str()) && shown.len() < 3 {
                    shown.push(change);
                }
            }
            FileFinding {
                rule: Rule::Mojibake,
                position: Position { line, column },
                message: format!(
                    "garbled text (UTF-8 read as Windows-1252): {}",
                    shown.join(", ")
                ),
                hint: "run `gazette check --fix-mojibake` to repair it in place".to_owned(),
            }
        })
        .collect()
}

/// The next garbled sequence at or after byte `from`, and the character it spells.
fn next_sequence(text: &str, from: usize) -> Option<(Range<usize>, char)> {
    let tail = &text[from..];
    for (offset, first) in tail.char_indices() {
        let Some(lead) = windows_1252_byte(first) else {
            continue;
        };
        let needed = match lead {
            0xC2..=0xDF => 1,
            0xE0..=0xEF => 2,
            0xF0..=0xF4 => 3,
            _ => continue,
        };
        let mut bytes = vec![lead];
        let mut end = offset + first.len_utf8();
        for next in tail[end..].chars().take(needed) {
            match windows_1252_byte(next) {
                Some(byte @ 0x80..=0xBF) => {
                    bytes.push(byte);
                    end += next.len_utf8();
                }
                _ => break,
            }
        }
        if bytes.len() != needed + 1 {
            continue;
        }
        if let Ok(decoded) = std::str::from_utf8(&bytes)
            && let Some(character) = decoded.chars().next()
            && !character.is_control()
        {
            return Some((from + offset..from + end, character));
        }
    }
    None
}

/// The byte Windows-1252 encodes `c` as (the WHATWG encoding, through
/// `encoding_rs`). The five bytes Windows-1252 leaves undefined map to the
/// C1 controls of the same value, as decoders that fall back to Latin-1
/// produce them.
fn windows_1252_byte(c: char) -> Option<u8> {
    if c.is_ascii() {
        return u8::try_from(c).ok();
    }
    let mut utf8 = [0; 4];
    let mut byte = [0; 1];
    let (result, _, written) = encoding_rs::WINDOWS_1252
        .new_encoder()
        .encode_from_utf8_without_replacement(c.encode_utf8(&mut utf8), &mut byte, true);
    (result == EncoderResult::InputEmpty && written == 1).then_some(byte[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curly_quotes_and_accents_garbled_once_are_found_and_repaired() {
        let text = "The Governmentâ€™s cafÃ© opens â€œsoonâ€\u{9d}.";
        let spots = find_mojibake(text);
        let repaired: Vec<&str> = spots.iter().map(|s| s.repaired.as_str()).collect();
        assert_eq!(repaired, ["’", "é", "“", "”"]);
        assert_eq!(&text[spots[0].range.clone()], "â€™");
        assert_eq!(
            repair_mojibake(text),
            ("The Government’s café opens “soon”.".to_owned(), 4)
        );
    }

    #[test]
    fn text_garbled_twice_is_repaired_fully() {
        let once = "Ã©";
        let twice: String = once
            .bytes()
            .map(|b| match b {
                0xC3 => "Ã",
                0x83 => "ƒ",
                0xC2 => "Â",
                0xA9 => "©",
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(twice, "ÃƒÂ©");
        assert_eq!(repair_mojibake(&twice), ("é".to_owned(), 1));
    }

    #[test]
    fn correct_text_in_many_languages_is_left_alone() {
        for text in [
            "São Paulo, naïve, café, Zürich, Æsir, ½ price, © 2024, “quoted” — fine",
            "新加坡政府 · தமிழ் · Melayu",
            "Ã alone, â and then a space, Â",
            "",
        ] {
            assert!(find_mojibake(text).is_empty(), "{text}");
            assert_eq!(repair_mojibake(text), (text.to_owned(), 0));
        }
    }

    #[test]
    fn repair_keeps_every_other_byte_including_crlf() {
        let text = "line one\r\nItâ€™s here\r\n\ttabbed\r\n";
        let (fixed, count) = repair_mojibake(text);
        assert_eq!(count, 1);
        assert_eq!(fixed, "line one\r\nIt’s here\r\n\ttabbed\r\n");
    }
}
