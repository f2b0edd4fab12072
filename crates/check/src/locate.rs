//! Finding where a URL of a rendered page was written in the sources, so a
//! finding can point at the file, line and column to edit.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use gazette_content::{Site, Source, percent_decode};
use rayon::prelude::*;

/// The text of the site's source files the checker reads, by path, each
/// read the first time a check asks for it: a check that starts from a
/// state reads only the files it has something to say about
/// (`files.rs`), and the few every check reads (`_config.yml`,
/// `_redirects`, the navigation).
pub struct SourceTexts<'s> {
    source: &'s dyn Source,
    /// `None` once a file was found unreadable or not UTF-8 (the loader has
    /// already reported it).
    texts: BTreeMap<String, OnceLock<Option<String>>>,
}

impl<'s> SourceTexts<'s> {
    /// The texts of `paths` in `source`, none read yet.
    pub fn new(source: &'s dyn Source, paths: BTreeSet<String>) -> Self {
        let texts = paths
            .into_iter()
            .map(|path| (path, OnceLock::new()))
            .collect();
        Self { source, texts }
    }

    /// Where the texts are read from.
    pub fn source(&self) -> &'s dyn Source {
        self.source
    }

    /// The text of one of the files, read now if it has not been; `None`
    /// for a file that is not one of them, cannot be read or is not UTF-8.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.texts
            .get(path)?
            .get_or_init(|| String::from_utf8(self.source.read(path).ok()?).ok())
            .as_deref()
    }

    /// Every file's path, in order, whether or not it has been read.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.texts.keys().map(String::as_str)
    }

    /// Every file and its text, by path: the files not read yet are read
    /// first, side by side.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.texts.par_iter().for_each(|(path, _)| {
            self.get(path);
        });
        self.paths()
            .filter_map(|path| Some((path, self.get(path)?)))
    }
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// Where the `nth` (0-based) occurrence of `url` is written in `text`, trying
/// the forms a source may use for it (as rendered, percent-decoded, with
/// `&amp;`). When the text has fewer occurrences, the last one is used, since
/// a layout may repeat a link that the source has once.
pub fn find_url(text: &str, url: &str, nth: usize) -> Option<Position> {
    if url.trim().is_empty() {
        return None;
    }
    let decoded = percent_decode(url);
    let escaped = url.replace('&', "&amp;");
    for needle in [url, decoded.as_str(), escaped.as_str()] {
        let offsets: Vec<usize> = text.match_indices(needle).map(|(at, _)| at).collect();
        if let Some(&offset) = offsets.get(nth).or(offsets.last()) {
            return Some(position_of(text, offset));
        }
    }
    None
}

/// The line and column of a byte offset.
pub fn position_of(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    Position { line, column }
}

/// The source files findings may point into: pages, settings and data.
pub(crate) fn checked_paths(site: &Site, source: &dyn Source) -> BTreeSet<String> {
    let mut paths: BTreeSet<String> = site.pages.iter().map(|p| p.source_path.clone()).collect();
    if let Ok(listing) = source.list() {
        paths.extend(listing.into_iter().filter(|path| {
            let settings = path == "_config.yml" || path == "_redirects";
            let data =
                path.starts_with("_data/") && (path.ends_with(".yml") || path.ends_with(".yaml"));
            let order = path.starts_with('_') && path.ends_with("/collection.yml");
            settings || data || order
        }));
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_found_as_written_decoded_or_escaped() {
        let text = "---\ntitle: A\n---\nSee [the report](</files/Annual Report.pdf>) and\n<a href=\"/q?a=1&amp;b=2\">q</a> [x](/x/) [y](/x/)\n";
        assert_eq!(
            find_url(text, "/files/Annual%20Report.pdf", 0),
            Some(Position {
                line: 4,
                column: 19
            })
        );
        assert_eq!(
            find_url(text, "/q?a=1&b=2", 0),
            Some(Position {
                line: 5,
                column: 10
            })
        );
        assert_eq!(
            find_url(text, "/x/", 1),
            Some(Position {
                line: 5,
                column: 45
            })
        );
        assert_eq!(
            find_url(text, "/x/", 5),
            Some(Position {
                line: 5,
                column: 45
            })
        );
        assert_eq!(find_url(text, "/nowhere/", 0), None);
    }
}
