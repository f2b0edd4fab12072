//! YAML as Jekyll reads it, parsed safely.
//!
//! Front matter and data files are untrusted input: serde-saphyr is panic-free
//! and its budget stops alias bombs ("billion laughs") before they allocate.

use crate::Value;

/// A YAML syntax or budget error, with its place inside the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    /// What went wrong, in the parser's words.
    pub message: String,
    /// 1-based line inside the YAML text.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// Whether the parser stopped at the budget (an alias bomb, absurd
    /// nesting) rather than at a syntax error: unsafe to tolerate.
    pub over_budget: bool,
}

/// Limits far above any real front matter or data file, far below what an
/// expanding alias bomb needs.
fn budget() -> serde_saphyr::Budget {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 200_000;
    budget.max_aliases = 2_000;
    budget.max_anchors = 2_000;
    budget.max_nodes = 100_000;
    budget.max_recorded_anchor_events = 20_000;
    budget.max_recorded_anchor_bytes = 1024 * 1024;
    budget.max_depth = 48;
    budget.max_documents = 1;
    budget
}

/// How every YAML text of a site is read: within [`budget`], repeated keys
/// as Jekyll reads them.
pub(crate) fn options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget());
    // Jekyll (Ruby's Psych) keeps the last of repeated keys; real front matter has them.
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
    // Diagnostics show their own snippet of the file.
    options.with_snippet = false;
    // Psych's booleans are YAML 1.1's less `y` and `n`, which stay text
    // (a letter in an A-to-Z list): read YAML 1.2's, then add the rest
    // (`psych_booleans`).
    options.strict_booleans = true;
    options
}

/// Parses one YAML document into a [`Value`]; an empty document is `null`.
pub(crate) fn parse(text: &str) -> Result<Value, YamlError> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    let parsed = serde_saphyr::from_str_with_options::<Value>(text, options());
    parsed.map(psych_booleans).map_err(|error| {
        let (line, column) = error
            .location()
            .map(|l| (l.line() as u32, l.column() as u32))
            .unwrap_or((1, 1));
        YamlError {
            // The budget error may come wrapped with its place.
            over_budget: matches!(error, serde_saphyr::Error::Budget { .. })
                || error.to_string().contains("budget breached"),
            message: first_line(&error.to_string()),
            line,
            column,
        }
    })
}

/// `yes`, `on`, `no` and `off` in any case as booleans, as Psych reads them.
/// A quoted `"yes"` becomes one too (the parsed value no longer tells it
/// from a plain one); Psych keeps that as text, and real files do not have it.
fn psych_booleans(value: Value) -> Value {
    match value {
        Value::String(text) => match text.to_ascii_lowercase().as_str() {
            "yes" | "on" => Value::Bool(true),
            "no" | "off" => Value::Bool(false),
            _ => Value::String(text),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(psych_booleans).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (key, psych_booleans(value)))
                .collect(),
        ),
        other => other,
    }
}

/// The parser's messages can carry a rendered snippet; diagnostics show their
/// own, so keep the first line only.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message).trim();
    let line = line.strip_prefix("error: ").unwrap_or(line);
    // The position is shown by the diagnostic itself, relative to the file.
    match line.split_once(": ") {
        Some((position, rest))
            if position.starts_with("line ") && position.contains(" column ") =>
        {
            rest.to_owned()
        }
        _ => line.to_owned(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn unquoted_dates_and_folded_strings_are_read_as_text() {
        let value = parse("date: 2024-03-07\ndescription: >\n  one\n  two\n").unwrap();
        assert_eq!(value["date"], "2024-03-07");
        assert_eq!(value["description"], "one two\n");
    }

    /// A "billion laughs": ten anchors, each a list of nine of the one before.
    pub(crate) fn alias_bomb() -> String {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let mut previous = 'a';
        for name in 'b'..='j' {
            text.push_str(&format!(
                "{name}: &{name} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n",
                p = previous
            ));
            previous = name;
        }
        text
    }

    #[test]
    fn an_alias_bomb_is_refused_quickly() {
        let error = parse(&alias_bomb()).expect_err("a billion laughs must not parse");
        assert!(error.line >= 1);
        assert!(error.over_budget, "{}", error.message);
    }

    #[test]
    fn psych_rule_yes_on_no_off_are_booleans_but_y_and_n_are_text() {
        let value = parse("a: n\nb: Y\nc: yes\nd: Off\ne: true\nf: [y, NO]\n").unwrap();
        assert_eq!(
            value,
            serde_json::json!({"a": "n", "b": "Y", "c": true, "d": false, "e": true, "f": ["y", false]})
        );
    }

    #[test]
    fn repeated_keys_keep_the_last_value_as_jekyll_did() {
        let value = parse("title: First\ntitle: Second\n").unwrap();
        assert_eq!(value["title"], "Second");
    }

    #[test]
    fn a_syntax_error_has_a_line_and_column() {
        let error = parse("title: ok\nlist: [unclosed\nnext: 1\n").unwrap_err();
        assert!(error.line >= 2, "{error:?}");
    }
}
