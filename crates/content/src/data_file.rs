//! `_data/` files, read as Jekyll reads them into `site.data`: YAML, JSON,
//! CSV and TSV by stem, folders as nested maps. In CSV and TSV the first row
//! names the columns, and every other row becomes a map from those names to
//! the row's text (`site.data.NAME` is an array of such maps).

use crate::diagnostic::Diagnostic;
use crate::loader::Loader;
use crate::{Map, Value};

impl Loader<'_> {
    /// `_data/`: YAML, JSON, CSV and TSV files by stem, files in folders as
    /// nested maps (`_data/a/b.yml` is `site.data.a.b`), as Jekyll reads them.
    pub(crate) fn read_data(&mut self, paths: &[String]) -> Map {
        let mut data = Map::new();
        'files: for path in paths {
            let Some(file_name) = path.strip_prefix("_data/") else {
                continue;
            };
            let Some((stem, ext)) = file_name.rsplit_once('.') else {
                continue;
            };
            let ext = ext.to_ascii_lowercase();
            if !matches!(ext.as_str(), "yml" | "yaml" | "json" | "csv" | "tsv") {
                continue;
            }
            let Some(file) = self.read_text(path) else {
                continue;
            };
            let value = match ext.as_str() {
                "csv" | "tsv" => {
                    let delimiter = if ext == "csv" { ',' } else { '\t' };
                    match parse_delimited(&file.text, delimiter) {
                        Ok(value) => Some(value),
                        Err(message) => {
                            self.error(
                                Diagnostic::error(
                                    self.name,
                                    path,
                                    format!("malformed {}: {message}", ext.to_uppercase()),
                                )
                                .with_hint("close every `\"` that opens a field"),
                            );
                            None
                        }
                    }
                }
                _ => self.parse_yaml_file(&file),
            };
            let Some(value) = value else { continue };
            // Folders become nested maps.
            let mut parts: Vec<&str> = stem.split('/').collect();
            let last = parts.pop().unwrap_or_default();
            let mut map = &mut data;
            for part in parts {
                let entry = map
                    .entry(part.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(Map::new());
                }
                let Value::Object(inner) = entry else {
                    continue 'files;
                };
                map = inner;
            }
            map.insert(last.to_owned(), value);
        }
        data
    }
}

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
