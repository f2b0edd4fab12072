//! Pages: every file with front matter that becomes (or lists) a URL.

use jiff::civil::Date;

use crate::{Map, Permalink, Value};

/// What part of an Isomer site a page belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PageKind {
    /// The site's `index.md`.
    Homepage,
    /// A page in `pages/`, `misc/` or the site root.
    Simple,
    /// A page of a collection (`_<name>/`).
    CollectionItem {
        /// The collection's name (its folder without the `_`).
        collection: String,
    },
    /// The resource room's landing page.
    ResourceRoom,
    /// The listing of one resource category.
    Category {
        /// The category's folder name.
        category: String,
    },
    /// A resource room post.
    Post {
        /// The category's folder name.
        category: String,
        /// Whether it is an article, a link out or a file download.
        kind: PostKind,
    },
}

/// The three kinds of resource room post, from the file name or the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PostKind {
    /// An article with its own page.
    Post,
    /// A link to another site: listed, never written.
    Link,
    /// A downloadable file in `files/`.
    File,
}

impl PostKind {
    /// The kind's name as Isomer writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Link => "link",
            Self::File => "file",
        }
    }
}

/// How a page's body is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BodyVariant {
    /// kramdown-flavoured Markdown (`variant: markdown`, or none in a `.md` file).
    Markdown,
    /// HTML written by the CMS's rich-text editor (`variant: tiptap`).
    Tiptap,
    /// A `.html` file: HTML as written.
    Html,
}

/// A page's body, Liquid not yet evaluated.
///
/// A page read back from a stored [`LoadCache`](crate::LoadCache) leaves its
/// body in the source: bodies are most of a site's bytes, and a publish reads
/// only those of the pages it renders ([`Site::read_body`](crate::Site::read_body)).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PageBody {
    /// The text as read.
    Text(String),
    /// Not read yet: still in the source, at the page's `content_id`.
    InSource {
        /// Whether the text has any Liquid (see [`has_liquid`]), which
        /// decides what the page reads without reading the page.
        has_liquid: bool,
    },
}

impl PageBody {
    /// The text, when it has been read.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            Self::InSource { .. } => None,
        }
    }

    /// Whether the body has any Liquid tag, read or not.
    pub fn has_liquid(&self) -> bool {
        match self {
            Self::Text(text) => has_liquid(text),
            Self::InSource { has_liquid } => *has_liquid,
        }
    }

    /// The same body left in the source: what a stored cache keeps.
    pub fn left_in_source(&self) -> Self {
        Self::InSource {
            has_liquid: self.has_liquid(),
        }
    }
}

impl From<String> for PageBody {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for PageBody {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

/// Whether `text` contains any Liquid at all (most pages do not): a `{{`
/// output or a `{%` tag.
pub fn has_liquid(text: &str) -> bool {
    // Asked of every body several times a render: one vectorised scan for
    // the brace, which most bodies never hold, rather than two reads of the
    // whole text.
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'{', bytes).any(|at| matches!(bytes.get(at + 1), Some(b'{' | b'%')))
}

/// One page of a site, parsed but not rendered.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Page {
    /// The file it came from, relative to the site root.
    pub source_path: String,
    /// An id of the file's content (a Git blob id, or a hash of the text).
    pub content_id: String,
    /// Which part of the site it belongs to.
    pub kind: PageKind,
    /// The front matter, every key as written.
    #[serde(with = "crate::json_text")]
    pub data: Map,
    /// The 1-based line of each top-level front matter key, for diagnostics.
    pub key_lines: Vec<(String, u32)>,
    /// The title (front matter, or the file name when there is none).
    pub title: String,
    /// The layout name (front matter, or the default for its kind).
    pub layout: String,
    /// Where it is published; `None` for link posts, which point elsewhere.
    pub permalink: Option<Permalink>,
    /// How the body is written.
    pub variant: BodyVariant,
    /// The body, Liquid not yet evaluated.
    pub body: PageBody,
    /// The 1-based line where the body starts in the file.
    pub body_line: u32,
    /// The date of a post (file name or `date`), or `date` of any page.
    pub date: Option<Date>,
    /// The third-level group of a collection page.
    pub third_nav_title: Option<String>,
    /// Whether the page is written out (false in an `output: false` collection).
    pub published: bool,
    /// Where a link post points.
    pub external_url: Option<String>,
    /// Where a page whose `permalink` is another site's URL sends readers:
    /// Jekyll wrote such a page at the URL taken as a path
    /// (`/https:/e27.co/story/`); its output should send the reader on, and
    /// listings should link to this URL itself.
    pub redirect_to: Option<String>,
    /// What a file post offers for download.
    pub file_url: Option<String>,
    /// The site paths the body names in `{% include_relative %}`, found
    /// when the body is read and kept where the body is not (the stored
    /// cache), so the site reads those files whatever it loads from.
    pub relative_includes: Vec<String>,
}

impl Page {
    /// The URL path of the page when it is published.
    pub fn url(&self) -> Option<&str> {
        self.permalink.as_ref().map(Permalink::as_str)
    }

    /// A text value from the front matter.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.data.get(key).and_then(Value::as_str)
    }

    /// The line of a front matter key, or the first line of the file.
    pub fn line_of(&self, key: &str) -> u32 {
        self.key_lines
            .iter()
            .find(|(k, _)| k == key)
            .map_or(1, |(_, line)| *line)
    }

    /// The collection of a collection page.
    pub fn collection(&self) -> Option<&str> {
        match &self.kind {
            PageKind::CollectionItem { collection } => Some(collection),
            _ => None,
        }
    }
}

/// Reads a date as Jekyll accepts it: `2024-03-07`, optionally followed by a time.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let day = text.get(..10)?;
    day.parse::<Date>().ok()
}

/// The top-level keys of a front matter block and their lines in the file.
pub(crate) fn key_lines(file_text: &str, last_line: u32) -> Vec<(String, u32)> {
    file_text
        .lines()
        .enumerate()
        .skip(1)
        .take_while(|(index, _)| (*index as u32) < last_line)
        .filter_map(|(index, line)| {
            let first = line.chars().next()?;
            if first.is_whitespace() || first == '#' || first == '-' {
                return None;
            }
            let (key, _) = line.split_once(':')?;
            Some((
                key.trim().trim_matches(['"', '\'']).to_owned(),
                index as u32 + 1,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::has_liquid;

    #[test]
    fn liquid_is_an_output_or_a_tag_opened_anywhere_in_the_text() {
        for text in ["{{ page.title }}", "a {% if x %}", "{x{{", "{ {%", "end {{"] {
            assert!(has_liquid(text), "{text:?}");
        }
        for text in [
            "",
            "{",
            "plain",
            "a { b } c",
            "{ {",
            "% { %}",
            "ends with {",
            "}}",
        ] {
            assert!(!has_liquid(text), "{text:?}");
        }
    }
}
