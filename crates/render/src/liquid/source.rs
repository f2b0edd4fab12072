//! The pass over a template's text before `liquid-core` parses it.
//!
//! Ruby Liquid tokenizes a template itself and hands each tag its markup as
//! text; `liquid-core` parses every tag's markup with one grammar, which
//! rejects markup that Ruby Liquid and Jekyll accept (`{% include
//! folder/file.html key="…" %}`, `{% include {{ name }} %}`, `{% else if x
//! %}`, `{{ }}`, unknown filters). So this pass, which tokenizes as Ruby
//! Liquid does (`{%` to the next `%}`, `{{` to the next `}}`, `raw` and
//! `comment` bodies untouched), rewrites each tag Gazette registers to
//! `{% name xHEX %}`, where HEX encodes the tag's line and markup: the tag
//! decodes it ([`decode`]) and parses the markup its own way, and knows its
//! line for errors. Newlines inside a tag are kept, so lines still match.
//!
//! It also finds what Ruby Liquid rejects at parse time, with the line: a
//! block never closed, an `end` tag without its block, blocks nested deeper
//! than the budget allows (before the parser recurses into them).
//!
//! Other rewrites, each what Ruby Liquid 4 does:
//! - `{% else if x %}` and `{% else anything %}` are a plain `{% else %}`
//!   (Ruby Liquid's `else` ignores its markup);
//! - `{{ }}` renders nothing;
//! - a filter that is not registered is replaced by one that returns its
//!   input (`strict_filters` off).

use std::collections::HashSet;

use super::LiquidError;
use super::plain_text::{self, PlainTexts};

/// Tags that get their markup encoded (see the module documentation).
pub(crate) const ENCODED_TAGS: &[&str] = &[
    "assign",
    "capture",
    "case",
    "cycle",
    "decrement",
    "for",
    "highlight",
    "if",
    "ifchanged",
    "include",
    "include_relative",
    "increment",
    "link",
    "post_url",
    "tablerow",
    "unless",
    OUTPUT_TAG,
];

/// What `{{ … }}` becomes.
pub(crate) const OUTPUT_TAG: &str = "gz_output";

/// The filter that replaces unknown ones.
pub(crate) const UNKNOWN_FILTER: &str = "gz_unknown_filter";

/// Blocks: their end tag is `end` + the name.
const BLOCKS: &[&str] = &[
    "capture",
    "case",
    "comment",
    "for",
    "highlight",
    "if",
    "ifchanged",
    "raw",
    "tablerow",
    "unless",
];

/// Rewrites `text` for `liquid-core`; `filters` are the registered filter
/// names; blocks may nest `max_depth` deep.
pub(crate) fn prepare(
    text: &str,
    filters: &HashSet<String>,
    max_depth: usize,
) -> Result<String, LiquidError> {
    prepare_into(text, filters, max_depth, None)
}

/// [`prepare`], with each long stretch of plain text taken out into the
/// [`PlainTexts`] returned beside the template (see `plain_text.rs`).
pub(crate) fn prepare_stashing(
    text: &str,
    filters: &HashSet<String>,
    max_depth: usize,
) -> Result<(String, PlainTexts), LiquidError> {
    let mut stash = PlainTexts::default();
    let prepared = prepare_into(text, filters, max_depth, Some(&mut stash))?;
    Ok((prepared, stash))
}

fn prepare_into(
    text: &str,
    filters: &HashSet<String>,
    max_depth: usize,
    mut stash: Option<&mut PlainTexts>,
) -> Result<String, LiquidError> {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut open: Vec<(String, u32)> = Vec::new();
    let mut rest = text;
    let mut line: u32 = 1;
    while let Some(start) = find_delimiter(rest) {
        let (before, from) = rest.split_at(start);
        plain_text::push(&mut out, before, stash.as_deref_mut());
        line += count_lines(before);
        let is_tag = from.starts_with("{%");
        let close = if is_tag { "%}" } else { "}}" };
        let Some(end) = from[2..].find(close).map(|e| e + 2) else {
            let what = if is_tag { "tag" } else { "variable" };
            return Err(error(
                line,
                format!(
                    "{what} `{}` was never closed with `{close}`",
                    first_line(from)
                ),
            ));
        };
        let inner = &from[2..end];
        let whole = &from[..end + 2];
        let tag_line = line;
        line += count_lines(whole);
        rest = &from[end + 2..];

        let (left_trim, inner) = match inner.strip_prefix('-') {
            Some(inner) => ("-", inner),
            None => ("", inner),
        };
        let (inner, right_trim) = match inner.strip_suffix('-') {
            Some(inner) => (inner, "-"),
            None => (inner, ""),
        };
        let newlines = "\n".repeat(count_lines(whole) as usize);
        if !is_tag {
            let markup = inner.trim();
            if markup.is_empty() {
                out.push_str(&newlines);
                continue;
            }
            push_encoded(
                &mut out,
                (left_trim, right_trim),
                OUTPUT_TAG,
                tag_line,
                &unknown_filters(&big_integers_as_text(markup), filters),
                &newlines,
            );
            continue;
        }
        let markup = inner.trim_start();
        let name_end = markup
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(markup.len());
        let (name, args) = markup.split_at(name_end);
        let args = args.trim();
        match name {
            "raw" | "comment" => {
                // Ruby Liquid reads the body as text up to the end tag.
                let end_tag = format!("end{name}");
                let Some((body_len, end_len)) = find_end_tag(rest, &end_tag) else {
                    return Err(error(
                        tag_line,
                        format!("`{{% {name} %}}` is never closed with `{{% {end_tag} %}}`"),
                    ));
                };
                if open.len() >= max_depth {
                    return Err(too_deep(tag_line, max_depth));
                }
                out.push_str(whole);
                out.push_str(&rest[..body_len + end_len]);
                line += count_lines(&rest[..body_len + end_len]);
                rest = &rest[body_len + end_len..];
                continue;
            }
            "else" => {
                out.push_str(&format!("{{%{left_trim} else {right_trim}%}}{newlines}"));
                continue;
            }
            "elsif" | "when" => {
                out.push_str(&format!(
                    "{{%{left_trim} {name} {} {right_trim}%}}{newlines}",
                    unknown_filters(&big_integers_as_text(&without_braces(args)), filters)
                ));
                continue;
            }
            plain_text::TAG => {
                return Err(error(
                    tag_line,
                    format!("`{{% {name} %}}` is not a tag: Gazette's Liquid has no `{name}`"),
                ));
            }
            _ => {}
        }
        if let Some(block) = name.strip_prefix("end")
            && BLOCKS.contains(&block)
        {
            match open.pop() {
                Some((opened, _)) if opened == block => {}
                Some((opened, opened_line)) => {
                    return Err(error(
                        tag_line,
                        format!(
                            "`{{% {name} %}}` closes nothing: `{{% {opened} %}}` (line {opened_line}) is still open"
                        ),
                    ));
                }
                None => {
                    return Err(error(
                        tag_line,
                        format!("`{{% {name} %}}` closes no `{{% {block} %}}`"),
                    ));
                }
            }
            out.push_str(whole);
            continue;
        }
        if BLOCKS.contains(&name) {
            if open.len() >= max_depth {
                return Err(too_deep(tag_line, max_depth));
            }
            open.push((name.to_owned(), tag_line));
        }
        if ENCODED_TAGS.contains(&name) {
            let args = match name {
                // Their markup is not Liquid expressions.
                "include" | "include_relative" | "link" | "post_url" | "highlight" => {
                    args.to_owned()
                }
                // Ruby Liquid's lax parser reads `{{ x }}` inside a tag as `x`.
                _ => unknown_filters(&big_integers_as_text(&without_braces(args)), filters),
            };
            push_encoded(
                &mut out,
                (left_trim, right_trim),
                name,
                tag_line,
                &args,
                &newlines,
            );
        } else {
            out.push_str(whole);
        }
    }
    plain_text::push(&mut out, rest, stash);
    if let Some((name, opened_line)) = open.pop() {
        return Err(error(
            opened_line,
            format!("`{{% {name} %}}` is never closed with `{{% end{name} %}}`"),
        ));
    }
    Ok(out)
}

fn too_deep(line: u32, max_depth: usize) -> LiquidError {
    error(
        line,
        format!("blocks are nested more than {max_depth} deep (a budget of Gazette's Liquid)"),
    )
}

fn error(line: u32, message: String) -> LiquidError {
    LiquidError {
        message,
        line: Some(line),
        file: None,
    }
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(40) {
        Some((cut, _)) => &line[..cut],
        None => line,
    }
}

fn count_lines(text: &str) -> u32 {
    text.bytes().filter(|b| *b == b'\n').count() as u32
}

fn find_delimiter(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(1))
        .find(|&i| bytes[i] == b'{' && (bytes[i + 1] == b'%' || bytes[i + 1] == b'{'))
}

/// Where `{% end_tag %}` starts in `text`, and its length.
fn find_end_tag(text: &str, end_tag: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    while let Some(start) = text[offset..].find("{%") {
        let start = offset + start;
        let end = text[start..].find("%}")? + start + 2;
        let inner = text[start + 2..end - 2].trim_matches('-').trim();
        if inner == end_tag {
            return Some((start, end - start));
        }
        offset = start + 2;
    }
    None
}

fn push_encoded(
    out: &mut String,
    (left, right): (&str, &str),
    name: &str,
    line: u32,
    markup: &str,
    newlines: &str,
) {
    use std::fmt::Write;
    let _ = write!(out, "{{%{left} {name} x");
    for byte in format!("{line}:{markup}").bytes() {
        let _ = write!(out, "{byte:02x}");
    }
    let _ = write!(out, " {newlines}{right}%}}");
}

/// The line and markup a rewritten tag carries in its one argument.
pub(crate) fn decode(argument: &str) -> Option<(u32, String)> {
    let hex = argument.strip_prefix('x')?;
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let text = String::from_utf8(bytes).ok()?;
    let (line, markup) = text.split_once(':')?;
    Some((line.parse().ok()?, markup.to_owned()))
}

/// `{{` and `}}` outside string literals, as spaces.
fn without_braces(markup: &str) -> String {
    if !markup.contains("{{") && !markup.contains("}}") {
        return markup.to_owned();
    }
    let mut out = String::with_capacity(markup.len());
    let mut quote = None;
    let mut chars = markup.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if (c == '{' || c == '}') && chars.peek() == Some(&c) => {
                chars.next();
                out.push_str("  ");
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

/// Integer literals too big for 64 bits (outside string literals) as
/// string literals: `liquid-core`'s parser panics on them, and Ruby's big
/// integers print as their digits, which a string does too (the arithmetic
/// filters read such text as a number).
fn big_integers_as_text(markup: &str) -> String {
    let bytes = markup.as_bytes();
    let mut out = String::with_capacity(markup.len());
    let mut quote = None;
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match quote {
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            None if byte.is_ascii_digit() => {
                let digits = bytes[at..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let is_name = |i: usize| bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_';
                let before = at.checked_sub(1);
                // `item2`, `a.12`, `1.5`: part of a name or of a float (but
                // `1..5` is a range).
                let after_dot = before.is_some_and(|i| {
                    bytes[i] == b'.' && i.checked_sub(1).is_none_or(|j| bytes[j] != b'.')
                });
                let in_word = before.is_some_and(is_name)
                    || after_dot
                    || (bytes.get(at + digits) == Some(&b'.')
                        && bytes.get(at + digits + 1).is_some_and(u8::is_ascii_digit));
                // `-5` is a negative number; `primary-5` a name.
                let signed = before
                    .is_some_and(|i| bytes[i] == b'-' && !i.checked_sub(1).is_some_and(is_name));
                let in_word = in_word || (before.is_some_and(|i| bytes[i] == b'-') && !signed);
                let start = if signed { at - 1 } else { at };
                let literal = &markup[start..at + digits];
                if !in_word && literal.parse::<i64>().is_err() {
                    out.push_str(&markup[copied..start]);
                    out.push('"');
                    out.push_str(literal);
                    out.push('"');
                    copied = at + digits;
                }
                at += digits;
                continue;
            }
            None => {}
        }
        at += 1;
    }
    out.push_str(&markup[copied..]);
    out
}

/// Replaces filters that are not registered (outside string literals).
fn unknown_filters(markup: &str, filters: &HashSet<String>) -> String {
    let mut out = String::with_capacity(markup.len());
    let mut quote = None;
    let mut chars = markup.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        out.push(c);
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '|' => {
                let after = &markup[index + 1..];
                let spaces = after.len() - after.trim_start().len();
                let name_len = after[spaces..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(after.len() - spaces);
                let name = &after[spaces..spaces + name_len];
                if !name.is_empty() && !filters.contains(name) {
                    out.push_str(&after[..spaces]);
                    out.push_str(UNKNOWN_FILTER);
                    for _ in 0..spaces + name_len {
                        chars.next();
                    }
                }
            }
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters() -> HashSet<String> {
        ["upcase".to_owned()].into_iter().collect()
    }

    #[test]
    fn tags_carry_their_line_and_markup() {
        let out = prepare("a\n{% include x/y.html k=\"v\" %}", &filters(), 10).unwrap();
        let argument = out.split_whitespace().nth(3).unwrap();
        assert_eq!(decode(argument), Some((2, "x/y.html k=\"v\"".to_owned())));
    }

    #[test]
    fn structure_errors_have_lines() {
        let error = prepare("x\n\n{% if a %}", &filters(), 10).unwrap_err();
        assert_eq!(error.line, Some(3));
        let error = prepare("{% endfor %}", &filters(), 10).unwrap_err();
        assert_eq!(error.line, Some(1));
        let deep = "{% if a %}".repeat(11) + &"{% endif %}".repeat(11);
        assert!(prepare(&deep, &filters(), 10).is_err());
    }

    #[test]
    fn unknown_filters_and_else_if_are_rewritten() {
        assert_eq!(
            unknown_filters("a | upcase | nope: 1 | '|x'", &filters()),
            format!("a | upcase | {UNKNOWN_FILTER}: 1 | '|x'")
        );
        let out = prepare(
            "{% raw %}{% else if %}{% endraw %}{%- else if x -%}",
            &filters(),
            10,
        )
        .unwrap();
        assert_eq!(out, "{% raw %}{% else if %}{% endraw %}{%- else -%}");
    }

    #[test]
    fn integers_too_big_for_64_bits_become_text() {
        assert_eq!(
            big_integers_as_text(
                "99999999999999999999 | times: -99999999999999999999 (1..99999999999999999999)"
            ),
            "\"99999999999999999999\" | times: \"-99999999999999999999\" (1..\"99999999999999999999\")"
        );
        for kept in [
            "9223372036854775807 | minus: -9223372036854775808",
            "item12345678901234567890 | a.12345678901234567890 | (1..5)",
            "primary-12345678901234567890 | 1.12345678901234567890",
            "'12345678901234567890'",
        ] {
            assert_eq!(big_integers_as_text(kept), kept);
        }
    }
}
