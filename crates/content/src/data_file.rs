//! `_data/` files in CSV and TSV, read as Jekyll reads them: the first row
//! names the columns, and every other row becomes a map from those names to
//! the row's text (`site.data.NAME` is an array of such maps).

use crate::{Map, Value};

/// Parses delimited text (`,` for CSV, `\t` for TSV) with a header row.
/// Fields may be quoted with `"` (a doubled `""` is a quote inside one) and
/// may then hold the delimiter and line breaks. An unclosed quote is an error.
pub(crate) fn parse_delimited(text: &str, delimiter: char) -> Result<Value, String> {
    let rows = split_rows(text.strip_prefix('\u{feff}').unwrap_or(text), delimiter)?;
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return Ok(Value::Array(Vec::new()));
    };
    let entries = rows
        .filter(|row| !(row.len() == 1 && row[0].is_empty()))
        .map(|row| {
            let mut map = Map::new();
            for (index, name) in header.iter().enumerate() {
                let cell = row.get(index).cloned();
                map.insert(name.clone(), cell.map_or(Value::Null, Value::String));
            }
            Value::Object(map)
        })
        .collect();
    Ok(Value::Array(entries))
}

fn split_rows(text: &str, delimiter: char) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut quote_line = 0;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                quote_line = line;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                line += 1;
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            c if c == delimiter => row.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    if quoted {
        return Err(format!(
            "the quote opened on line {quote_line} is never closed"
        ));
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_maps_named_by_the_header() {
        let value = parse_delimited(
            "name,role\nAda,\"Chair, board\"\n\"Bo \"\"B\"\"\",Member\n",
            ',',
        )
        .unwrap();
        assert_eq!(
            value,
            serde_json::json!([
                {"name": "Ada", "role": "Chair, board"},
                {"name": "Bo \"B\"", "role": "Member"}
            ])
        );
        let tsv = parse_delimited("a\tb\r\n1\t2\r\n", '\t').unwrap();
        assert_eq!(tsv, serde_json::json!([{"a": "1", "b": "2"}]));
        assert!(parse_delimited("a\n\"open", ',').is_err());
    }
}
