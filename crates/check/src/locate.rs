//! Finding where a URL of a rendered page was written in the sources, so a
//! finding can point at the file, line and column to edit.

use std::collections::{BTreeMap, BTreeSet};

use gazette_content::{Site, Source, percent_decode};
use rayon::prelude::*;

/// The text of the site's source files the checker reads, by path.
#[derive(Debug, Default)]
pub struct SourceTexts {
    texts: BTreeMap<String, String>,
}

impl SourceTexts {
    /// Reads `paths` from `source`; files that cannot be read or are not
    /// UTF-8 are left out (the loader has already reported them).
    /// Files are read side by side: a check reads every page's source
    /// again, which the loader has read but not kept.
    pub fn read(source: &dyn Source, paths: BTreeSet<String>) -> Self {
        let texts = paths
            .into_par_iter()
            .filter_map(|path| {
                let bytes = source.read(&path).ok()?;
                Some((path, String::from_utf8(bytes).ok()?))
            })
            .collect();
        Self { texts }
    }

    /// The text of one file.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.texts.get(path).map(String::as_str)
    }

    /// Every file and its text, by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.texts
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str()))
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
