//! `_data/footer.yml`: what the theme's footer reads, checked for its types.
//!
//! The theme reads link texts (`contact_us`, `faq`, …), a mapping of
//! `social_media` links and a list of `links`. A value of another type (a
//! list where a link belongs, a number for `social_media`) made Isomer's
//! Jekyll templates show nothing for it; here it is left out the same way,
//! with a warning at its line in `footer.yml` (an error under `--strict`),
//! rather than failing every page's template.

use crate::{Diagnostic, Diagnostics, Map, Source, Value};

/// The footer's keys that hold one link each.
const LINK_KEYS: &[&str] = &[
    "contact_us",
    "feedback",
    "faq",
    "privacy_policy",
    "terms_of_use",
];

/// The footer as the theme may read it, from the site's data (its
/// `footer` entry), with values of the wrong type left out and reported.
pub(crate) fn checked_footer(
    site: &str,
    source: &dyn Source,
    data: &Map,
    diagnostics: &mut Diagnostics,
) -> Value {
    let Some(footer) = data.get("footer") else {
        return Value::Null;
    };
    let file = ["_data/footer.yml", "_data/footer.yaml"]
        .into_iter()
        .find(|path| source.read(path).is_ok())
        .unwrap_or("_data/footer.yml");
    let text = source
        .read(file)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default();
    let mut report = |key: Option<&str>, message: String, hint: &str| {
        let line = key.and_then(|key| top_level_line(&text, key)).unwrap_or(1);
        diagnostics.push(
            Diagnostic::tolerated(site, file, "footer-type", message)
                .at(&text, line, 1)
                .with_hint(hint),
        );
    };
    let map = match footer {
        Value::Object(map) => map,
        Value::Null => return Value::Null,
        other => {
            report(
                None,
                format!(
                    "the footer is {}, not a mapping of keys such as `contact_us` and `social_media`: it is left out",
                    kind(other)
                ),
                "write `key: value` lines, as in `faq: /faq/`",
            );
            return Value::Null;
        }
    };
    let mut checked = Map::new();
    for (key, value) in map {
        let wrong = if LINK_KEYS.contains(&key.as_str()) {
            (!matches!(value, Value::String(_) | Value::Null)).then_some("a link (text)")
        } else if key == "social_media" {
            (!matches!(value, Value::Object(_) | Value::Null))
                .then_some("a mapping of networks to links (`facebook: https://…`)")
        } else if key == "links" {
            let is_list_of_maps = match value {
                Value::Array(items) => items.iter().all(Value::is_object),
                Value::Null => true,
                _ => false,
            };
            (!is_list_of_maps).then_some("a list of links, each with `title` and `url`")
        } else {
            None
        };
        match wrong {
            Some(expected) => report(
                Some(key),
                format!(
                    "`{key}` is {}, but the footer reads it as {expected}: it is left out",
                    kind(value)
                ),
                "fix the value's type, or remove the key",
            ),
            None => {
                checked.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(checked)
}

/// What kind of YAML value this is, for people.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "a yes/no value",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The line of a top-level `key:` in a YAML text.
fn top_level_line(text: &str, key: &str) -> Option<u32> {
    text.lines().enumerate().find_map(|(index, line)| {
        let (name, _) = line.split_once(':')?;
        (name.trim_end().trim_matches(['"', '\'']) == key && !line.starts_with([' ', '\t']))
            .then_some(index as u32 + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemorySource;

    #[test]
    fn values_of_the_wrong_type_are_left_out_with_a_warning_at_their_line() {
        let text =
            "contact_us: [1, 2]\nfaq: /faq/\nsocial_media: 5\nlinks: oops\nshow_reach: true\n";
        let source = MemorySource::from_files([("_data/footer.yml", text)]);
        let mut data = Map::new();
        data.insert(
            "footer".into(),
            crate::yaml::parse(text).expect("valid YAML"),
        );
        let mut diagnostics = Diagnostics::default();
        let footer = checked_footer("agency", &source, &data, &mut diagnostics);
        assert_eq!(
            footer,
            serde_json::json!({"faq": "/faq/", "show_reach": true})
        );
        let places: Vec<(&str, Option<u32>, Option<&str>)> = diagnostics
            .0
            .iter()
            .map(|d| (d.file.as_str(), d.line, d.code.as_deref()))
            .collect();
        assert_eq!(
            places,
            [
                ("_data/footer.yml", Some(1), Some("footer-type")),
                ("_data/footer.yml", Some(3), Some("footer-type")),
                ("_data/footer.yml", Some(4), Some("footer-type")),
            ]
        );
        assert!(!diagnostics.has_errors());
    }
}
