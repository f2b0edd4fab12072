//! Front matter: the YAML block between `---` lines at the top of a page.

use crate::{Map, Value, yaml};

/// A page file split into its front matter and its body.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FrontMatter {
    /// Every key written, unknown ones included, in file order.
    #[serde(with = "crate::json_text")]
    pub data: Map,
    /// The text after the closing `---`.
    pub body: String,
    /// The 1-based line of the file where the body starts.
    pub body_line: u32,
}

/// Why a file's front matter could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FrontMatterError {
    /// The opening `---` has no closing `---`.
    Unclosed,
    /// The YAML is malformed or over budget; positions are in the whole file.
    Yaml {
        message: String,
        line: u32,
        column: u32,
        over_budget: bool,
    },
    /// The YAML is valid but not a mapping of keys to values.
    NotAMapping { line: u32 },
}

/// Whether `text` starts with a front matter block, which in Jekyll is what
/// makes a file a page rather than a file copied as it is.
pub(crate) fn has_front_matter(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .next()
        .is_some_and(|first| first.trim_end() == "---")
}

/// A page file cut at its front matter's closing line.
struct Blocks<'a> {
    /// The YAML between the `---` lines.
    yaml: &'a str,
    /// The 1-based line of the opening `---`.
    opening_line: u32,
    /// The text after the closing line.
    body: &'a str,
    /// The 1-based line where the body starts.
    body_line: u32,
}

/// Finds the front matter block without parsing it. The caller has checked
/// [`has_front_matter`].
fn split(text: &str) -> Result<Blocks<'_>, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut offset = 0;
    let mut yaml_start = None;
    let mut closing = None;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end();
        match yaml_start {
            None => yaml_start = Some((offset + line.len(), index + 1)),
            Some(_) if content == "---" || content == "..." => {
                closing = Some((offset, offset + line.len(), index + 1));
                break;
            }
            Some(_) => {}
        }
        offset += line.len();
    }
    let (yaml_begin, opening_line) = yaml_start.ok_or(FrontMatterError::Unclosed)?;
    let (yaml_end, body_begin, closing_line) = closing.ok_or(FrontMatterError::Unclosed)?;
    Ok(Blocks {
        yaml: &text[yaml_begin..yaml_end],
        opening_line: opening_line as u32,
        body: &text[body_begin..],
        body_line: closing_line as u32 + 1,
    })
}

/// The body of a page file, as [`parse`] would give it, without parsing the
/// front matter: `None` when the front matter is not closed.
pub(crate) fn body_of(text: &str) -> Option<&str> {
    split(text).ok().map(|blocks| blocks.body)
}

/// The YAML of a page file's front matter and the line of its opening
/// `---` (the YAML's first line is the one after). `None` when the file has
/// no closed front matter.
pub(crate) fn yaml_block(text: &str) -> Option<(&str, u32)> {
    if !has_front_matter(text) {
        return None;
    }
    split(text)
        .ok()
        .map(|blocks| (blocks.yaml, blocks.opening_line))
}

/// Everything of a page file before its body: the opening line, the YAML and
/// the closing line. `None` when the file has no closed front matter.
///
/// Two versions of a file with the same head parse to the same front matter
/// on the same lines, whatever their bodies: a publish uses this to tell an
/// edit of a page's text from one that may change what other pages show.
pub fn head_of(text: &str) -> Option<&str> {
    if !has_front_matter(text) {
        return None;
    }
    let body = split(text).ok()?.body;
    Some(&text[..text.len() - body.len()])
}

/// The body after the front matter block, and its first line, whatever the
/// YAML inside: what Jekyll renders when the YAML does not parse.
pub(crate) fn body_after(text: &str) -> Option<(&str, u32)> {
    split(text)
        .ok()
        .map(|blocks| (blocks.body, blocks.body_line))
}

/// Splits and parses a page. The caller has checked [`has_front_matter`].
pub(crate) fn parse(text: &str) -> Result<FrontMatter, FrontMatterError> {
    let blocks = split(text)?;
    // The YAML starts on the line after the opening `---`.
    let line_offset = blocks.opening_line;
    let data = match yaml::parse(blocks.yaml) {
        Ok(Value::Object(map)) => map,
        Ok(Value::Null) => Map::new(),
        Ok(_) => {
            return Err(FrontMatterError::NotAMapping {
                line: line_offset + 1,
            });
        }
        Err(error) => {
            return Err(FrontMatterError::Yaml {
                message: error.message,
                line: error.line + line_offset,
                column: error.column,
                over_budget: error.over_budget,
            });
        }
    };
    Ok(FrontMatter {
        data,
        body: blocks.body.to_owned(),
        body_line: blocks.body_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_body_are_split_with_the_body_line() {
        let page = parse("---\ntitle: Hello\nextra_key: kept\n---\nBody\n").unwrap();
        assert_eq!(page.data["title"], "Hello");
        assert_eq!(page.data["extra_key"], "kept");
        assert_eq!(page.body, "Body\n");
        assert_eq!(page.body_line, 5);
    }

    #[test]
    fn a_missing_closing_line_is_reported() {
        assert_eq!(
            parse("---\ntitle: Hello\nBody\n"),
            Err(FrontMatterError::Unclosed)
        );
    }

    #[test]
    fn yaml_errors_point_at_the_line_in_the_file() {
        let Err(FrontMatterError::Yaml { line, .. }) = parse("---\ntitle: ok\nbad: [x\n---\n")
        else {
            panic!("expected a YAML error");
        };
        assert!(line >= 3, "line {line}");
    }

    #[test]
    fn the_head_is_all_before_the_body() {
        let text = "\u{feff}---\ntitle: A\n---\nBody {{ x }}\n";
        let head = head_of(text).unwrap();
        assert_eq!(head, "\u{feff}---\ntitle: A\n---\n");
        assert_eq!(&text[head.len()..], body_of(text).unwrap());
        assert_eq!(head_of("no front matter\n"), None);
        assert_eq!(head_of("---\ntitle: unclosed\n"), None);
    }

    #[test]
    fn empty_front_matter_is_an_empty_mapping() {
        let page = parse("---\n---\n$x: 1;\n").unwrap();
        assert!(page.data.is_empty());
        assert_eq!(page.body, "$x: 1;\n");
    }
}
