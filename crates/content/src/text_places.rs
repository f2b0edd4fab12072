//! Where each text value of a YAML document is written, so a rule about a
//! value (an unsafe URL in `footer.yml`) can point at its line even when the
//! YAML spells it with escapes that a plain text search would not find.
//!
//! [`Value`](crate::Value) keeps no places; this reads the same text again
//! with the same budget, keeping the line and column of every string.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::front_matter;
use crate::yaml;

/// A text value of a YAML document and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlText {
    /// The mapping keys from the document's root down to the value; list
    /// positions are left out (`links: [{url: …}]` gives `["links", "url"]`).
    pub keys: Vec<String>,
    /// The value as YAML reads it (escapes resolved).
    pub value: String,
    /// 1-based line in the file.
    pub line: u32,
    /// 1-based column in the file, in characters.
    pub column: u32,
}

/// Every text value of a YAML file (`_config.yml`, `_data/footer.yml`), in
/// document order. A file that does not parse gives none: the loader
/// reports it.
pub fn yaml_texts(text: &str) -> Vec<YamlText> {
    texts_of(text, 0)
}

/// Every text value of a page's front matter, with lines of the whole file.
/// A file without closed front matter, or whose YAML does not parse, gives
/// none: the loader reports it.
pub fn front_matter_texts(file_text: &str) -> Vec<YamlText> {
    match front_matter::yaml_block(file_text) {
        Some((yaml_text, opening_line)) => texts_of(yaml_text, opening_line),
        None => Vec::new(),
    }
}

fn texts_of(text: &str, line_offset: u32) -> Vec<YamlText> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let Ok(root) = serde_saphyr::from_str_with_options::<Spanned<Node>>(text, yaml::options())
    else {
        return Vec::new();
    };
    let mut found = Vec::new();
    collect(&root, &mut Vec::new(), line_offset, &mut found);
    found
}

fn collect(
    node: &Spanned<Node>,
    keys: &mut Vec<String>,
    line_offset: u32,
    out: &mut Vec<YamlText>,
) {
    match &node.value {
        Node::Text(value) => out.push(YamlText {
            keys: keys.clone(),
            value: value.clone(),
            line: node.referenced.line() as u32 + line_offset,
            column: node.referenced.column() as u32,
        }),
        Node::List(items) => {
            for item in items {
                collect(item, keys, line_offset, out);
            }
        }
        Node::Map(entries) => {
            for (key, value) in entries {
                keys.push(key.clone());
                collect(value, keys, line_offset, out);
                keys.pop();
            }
        }
        Node::Other => {}
    }
}

/// A YAML node as far as places need it. The parser's depth budget bounds
/// the recursion.
enum Node {
    Text(String),
    List(Vec<Spanned<Node>>),
    Map(Vec<(String, Spanned<Node>)>),
    Other,
}

impl<'de> de::Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Node, E> {
        Ok(Node::Text(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Node, E> {
        Ok(Node::Text(value))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Other)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<KeyText, Spanned<Node>>()? {
            entries.push((key.0, value));
        }
        Ok(Node::Map(entries))
    }
}

/// A mapping key as text, whatever scalar it is written as (`404: …`).
struct KeyText(String);

impl<'de> de::Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyText;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping key")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<KeyText, E> {
                Ok(KeyText(value.to_owned()))
            }

            fn visit_bool<E: de::Error>(self, value: bool) -> Result<KeyText, E> {
                Ok(KeyText(value.to_string()))
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<KeyText, E> {
                Ok(KeyText(value.to_string()))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<KeyText, E> {
                Ok(KeyText(value.to_string()))
            }

            fn visit_f64<E: de::Error>(self, value: f64) -> Result<KeyText, E> {
                Ok(KeyText(value.to_string()))
            }

            fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                Ok(KeyText(String::new()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(texts: &[YamlText]) -> Vec<(String, &str, u32, u32)> {
        texts
            .iter()
            .map(|t| (t.keys.join("."), t.value.as_str(), t.line, t.column))
            .collect()
    }

    #[test]
    fn every_text_has_its_keys_line_and_column() {
        let texts = yaml_texts(
            "links:\n  - title: Top\n    url: \"java\\tscript:x\"\n    count: 3\nlogo: /a.png\n",
        );
        assert_eq!(
            places(&texts),
            vec![
                ("links.title".to_owned(), "Top", 2, 12),
                ("links.url".to_owned(), "java\tscript:x", 3, 10),
                ("logo".to_owned(), "/a.png", 5, 7),
            ]
        );
    }

    #[test]
    fn front_matter_lines_count_from_the_top_of_the_file() {
        let texts = front_matter_texts(
            "---\ntitle: A\nsections:\n  - hero:\n      url: /x/\n---\nBody: text\n",
        );
        assert_eq!(
            places(&texts),
            vec![
                ("title".to_owned(), "A", 2, 8),
                ("sections.hero.url".to_owned(), "/x/", 5, 12),
            ]
        );
    }

    #[test]
    fn what_does_not_parse_gives_nothing() {
        assert!(yaml_texts("a: [unclosed\n").is_empty());
        assert!(front_matter_texts("---\ntitle: unclosed\n").is_empty());
        assert!(yaml_texts(&crate::yaml::tests::alias_bomb()).is_empty());
    }
}
