//! Table rows with more cells than their header. GitHub's table rules (which
//! pulldown-cmark follows) drop the extra cells and their text; kramdown,
//! Jekyll's Markdown, keeps them. Real pages put a third column of text
//! under a two-column header, so before CommonMark reads a table its header
//! and delimiter rows get empty cells up to its widest row.

use std::borrow::Cow;

use crate::code_fences::CodeFences;

/// `text` with every table's header and delimiter rows as wide as its widest
/// row (borrowed when no table needs it).
pub(crate) fn widen_table_headers(text: &str) -> Cow<'_, str> {
    // No pipe, no table: one byte search rather than a look at every line.
    if memchr::memchr(b'|', text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut widened: Option<Vec<String>> = None;
    let mut fences = CodeFences::default();
    let mut index = 0;
    while index < lines.len() {
        if fences.is_code(lines[index]) {
            index += 1;
            continue;
        }
        let is_table = index + 1 < lines.len()
            && lines[index].contains('|')
            && is_delimiter_row(lines[index + 1]);
        if !is_table {
            index += 1;
            continue;
        }
        let rows_end = (index + 2..lines.len())
            .find(|&row| !lines[row].contains('|') || lines[row].trim().is_empty())
            .unwrap_or(lines.len());
        let header_cells = cell_count(lines[index]);
        let widest = (index + 2..rows_end)
            .map(|row| cell_count(lines[row]))
            .max()
            .unwrap_or(0);
        if widest > header_cells {
            let out =
                widened.get_or_insert_with(|| lines.iter().map(|l| (*l).to_owned()).collect());
            let extra = widest - header_cells;
            out[index] = add_cells(lines[index], extra, " ");
            out[index + 1] = add_cells(lines[index + 1], extra, "---");
        }
        index = rows_end;
    }
    match widened {
        Some(lines) => Cow::Owned(lines.concat()),
        None => Cow::Borrowed(text),
    }
}

/// A row like `|---|:--:|` or `--- | ---`.
fn is_delimiter_row(line: &str) -> bool {
    let row = line.trim();
    row.contains('-')
        && row.contains(['|', '-'])
        && row.trim_matches('|').split('|').all(|cell| {
            let cell = cell.trim();
            !cell.is_empty()
                && cell.trim_matches(':').chars().all(|c| c == '-')
                && cell.contains('-')
        })
}

/// The cells of a row: its unescaped `|`s, less the ones at either end.
fn cell_count(line: &str) -> usize {
    let row = line.trim();
    let mut pipes = 0usize;
    let mut after_backslash = false;
    for c in row.chars() {
        if c == '|' && !after_backslash {
            pipes += 1;
        }
        after_backslash = c == '\\' && !after_backslash;
    }
    let leading = usize::from(row.starts_with('|'));
    let trailing = usize::from(row.len() > 1 && row.ends_with('|') && !row.ends_with("\\|"));
    (pipes + 1).saturating_sub(leading + trailing)
}

/// `line` with `extra` cells holding `cell` added at its end.
fn add_cells(line: &str, extra: usize, cell: &str) -> String {
    let ending = &line[line.trim_end().len()..];
    let mut row = line.trim_end().to_owned();
    if !row.ends_with('|') {
        row.push_str(" |");
    }
    for _ in 0..extra {
        row.push_str(&format!(" {cell} |"));
    }
    row + ending
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kramdown_rule_a_row_wider_than_its_header_keeps_its_cells() {
        let text = "| A | B |\n|---|:-:|\n| 1 | 2 | 3 extra |\n\nAfter\n";
        assert_eq!(
            widen_table_headers(text),
            "| A | B |   |\n|---|:-:| --- |\n| 1 | 2 | 3 extra |\n\nAfter\n"
        );
        let bare = "A | B\n--- | ---\n1 | 2 | 3\n";
        assert_eq!(
            widen_table_headers(bare),
            "A | B |   |\n--- | --- | --- |\n1 | 2 | 3\n"
        );
    }

    #[test]
    fn tables_as_wide_as_their_header_and_code_are_left_alone() {
        for text in [
            "| A | B |\n|---|---|\n| 1 | 2 |\n",
            "```\n| A |\n|---|\n| 1 | 2 |\n```\n",
            "| A | B |\n|---|---|\n| 1 \\| 2 |\n",
        ] {
            assert!(
                matches!(widen_table_headers(text), Cow::Borrowed(_)),
                "{text}"
            );
        }
    }
}
