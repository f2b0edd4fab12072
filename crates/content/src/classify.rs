//! Where each file of a site belongs in the Isomer layout (a page, a
//! collection file, a post, media, a layout, or nothing), and which files
//! are part of the site at all.

use std::collections::BTreeMap;

use crate::config::{SiteConfig, truthy};

/// Folders starting with `_` that Jekyll gives a meaning other than a collection.
pub(crate) const RESERVED_FOLDERS: &[&str] = &[
    "_data",
    "_layouts",
    "_includes",
    "_sass",
    "_site",
    "_posts",
    "_drafts",
    "_plugins",
];

/// Files at the root that build a site but are never part of it.
pub(crate) const PLUMBING: &[&str] = &[
    "Gemfile",
    "Gemfile.lock",
    "netlify.toml",
    "README.md",
    "LICENSE",
    "LICENSE.md",
    "CONTRIBUTING.md",
    "package.json",
    "package-lock.json",
    "site.toml",
    "travis-script.js",
    "CNAME",
];

/// Folders whose files are media, copied as they are.
pub(crate) const MEDIA_FOLDERS: &[&str] = &["images", "files", "assets"];

/// Where a file sits in the Isomer layout.
pub(crate) enum Place {
    Homepage,
    Simple,
    CollectionFile {
        collection: String,
        relative: String,
    },
    RoomIndex {
        room: String,
    },
    CategoryIndex {
        room: String,
        category: String,
    },
    /// A file in a `_posts` folder: the folders above `_posts` are its
    /// categories, as written (the resource room and its category, for an
    /// Isomer post).
    Post {
        categories: Vec<String>,
    },
    Media,
    Layout(String),
    SassPartial,
    UnknownUnderscore(String),
    Ignored,
}

/// What the loader knows about one collection before reading its pages.
pub(crate) struct CollectionSpec {
    pub(crate) output: bool,
}

pub(crate) fn classify(
    path: &str,
    collections: &BTreeMap<String, CollectionSpec>,
    resources_name: Option<&str>,
) -> Place {
    let (top, rest) = path.split_once('/').unwrap_or(("", path));
    // Jekyll reads a `_posts` folder in any folder it reads (the site root
    // and every folder not starting with `_`), and every file below it.
    if let Some((above, _)) = path.split_once("_posts/")
        && (above.is_empty() || above.ends_with('/'))
        && !above.split('/').any(|folder| folder.starts_with('_'))
    {
        return Place::Post {
            categories: above
                .split('/')
                .filter(|folder| !folder.is_empty())
                .map(str::to_owned)
                .collect(),
        };
    }
    if top.is_empty() {
        return match path {
            "_config.yml" => Place::Ignored,
            "index.md" | "index.html" | "index.markdown" => Place::Homepage,
            _ if path.starts_with('_') && path != "_redirects" => Place::Ignored,
            _ => Place::Simple,
        };
    }
    if top == "_sass" {
        return Place::SassPartial;
    }
    if top == "_layouts" {
        let name = rest.rsplit_once('.').map_or(rest, |(stem, _)| stem);
        return Place::Layout(name.to_owned());
    }
    if let Some(collection) = top.strip_prefix('_') {
        if collections.contains_key(collection) {
            if rest == "collection.yml" || rest.ends_with(".keep") {
                return Place::Ignored;
            }
            return Place::CollectionFile {
                collection: collection.to_owned(),
                relative: rest.to_owned(),
            };
        }
        if RESERVED_FOLDERS.contains(&top) {
            return Place::Ignored;
        }
        return Place::UnknownUnderscore(top.to_owned());
    }
    if resources_name == Some(top) {
        let parts: Vec<&str> = rest.split('/').collect();
        return match parts.as_slice() {
            [index] if is_index(index) => Place::RoomIndex {
                room: top.to_owned(),
            },
            [category, index] if is_index(index) => Place::CategoryIndex {
                room: top.to_owned(),
                category: (*category).to_owned(),
            },
            _ => Place::Simple,
        };
    }
    if MEDIA_FOLDERS.contains(&top) {
        return Place::Media;
    }
    // Jekyll publishes every other file with front matter at its
    // permalink, or at its path (`pages/` and `misc/` are Isomer's habit,
    // not a rule).
    Place::Simple
}

pub(crate) fn is_index(file_name: &str) -> bool {
    matches!(file_name, "index.html" | "index.md" | "index.markdown")
}

/// The collections of a site: folders with a `collection.yml`, and those that
/// older sites declared in `_config.yml`.
pub(crate) fn collection_names(
    paths: &[String],
    config: &SiteConfig,
) -> BTreeMap<String, CollectionSpec> {
    let mut names = BTreeMap::new();
    for path in paths {
        if let Some(folder) = path.strip_suffix("/collection.yml")
            && let Some(name) = folder.strip_prefix('_')
            && !name.contains('/')
        {
            names.insert(name.to_owned(), CollectionSpec { output: true });
        }
    }
    if let Some(declared) = config.declared_collections() {
        for (name, settings) in declared {
            let output = settings.get("output").is_none_or(|flag| truthy(Some(flag)));
            names.insert(name.clone(), CollectionSpec { output });
        }
    }
    names
}

/// The patterns of `exclude` in `_config.yml` that Jekyll applies: those
/// not also listed in `include`, each relative to the site root.
pub(crate) fn excluded_paths(config: &SiteConfig) -> Vec<String> {
    let included: Vec<String> = config.include();
    config
        .exclude()
        .into_iter()
        .filter(|entry| !included.contains(entry))
        .map(|entry| entry.trim().trim_start_matches('/').to_owned())
        .filter(|entry| !entry.is_empty())
        .collect()
}

pub(crate) fn is_site_file(path: &str, excluded: &[String]) -> bool {
    if PLUMBING.contains(&path) {
        return false;
    }
    let hidden = path.split('/').any(|segment| {
        (segment.starts_with('.') && segment != ".keep")
            || segment.starts_with('#')
            || segment.ends_with('~')
    });
    if hidden {
        return false;
    }
    let top = path.split('/').next().unwrap_or(path);
    if matches!(top, "node_modules" | "vendor" | "_site" | "templates") {
        return false;
    }
    // Jekyll filters each folder before reading inside it, then each file.
    let folders = path.match_indices('/').map(|(end, _)| (&path[..end], true));
    !folders
        .chain([(path, false)])
        .any(|(entry, is_folder)| is_excluded(entry, is_folder, excluded))
}

/// Jekyll's test of one entry against `exclude` (`EntryFilter#glob_include?`):
/// a pattern matches as a glob whose `*` also matches `/` (`File.fnmatch`
/// without `FNM_PATHNAME`), as a prefix of the path (so `vendor/bundle/`
/// leaves out everything below it), or, for a folder, as its name and a `/`.
fn is_excluded(entry: &str, is_folder: bool, patterns: &[String]) -> bool {
    patterns.iter().any(|pattern| {
        fnmatch(pattern.as_bytes(), entry.as_bytes())
            || entry.starts_with(pattern.as_str())
            || (is_folder
                && pattern.len() == entry.len() + 1
                && pattern.starts_with(entry)
                && pattern.ends_with('/'))
    })
}

/// Ruby's `File.fnmatch` without flags: `*` matches any run of characters
/// (`/` included), `?` any one, `[a-z]` and `[!a-z]` (or `[^a-z]`) a class,
/// and `\` escapes the next character. Braces are literal.
pub(crate) fn fnmatch(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where to resume after the last `*`: the pattern after it, and the
    // text position it has consumed up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        let step = match pattern.get(p) {
            Some(b'*') => {
                star = Some((p + 1, t));
                p += 1;
                continue;
            }
            Some(b'?') => Some(p + 1),
            Some(b'[') => match_class(pattern, p, text[t]),
            Some(b'\\') if p + 1 < pattern.len() => (pattern[p + 1] == text[t]).then_some(p + 2),
            Some(&c) => (c == text[t]).then_some(p + 1),
            None => None,
        };
        match (step, star) {
            (Some(next), _) => {
                p = next;
                t += 1;
            }
            (None, Some((after_star, consumed))) => {
                p = after_star;
                t = consumed + 1;
                star = Some((after_star, consumed + 1));
            }
            (None, None) => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches `byte` against the class opening at `pattern[open]`: the pattern
/// position after the class when it matches (an unclosed class never does).
fn match_class(pattern: &[u8], open: usize, byte: u8) -> Option<usize> {
    let mut i = open + 1;
    let negated = matches!(pattern.get(i), Some(b'!' | b'^'));
    if negated {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    loop {
        let c = *pattern.get(i)?;
        if c == b']' && !first {
            return (found != negated).then_some(i + 1);
        }
        first = false;
        if pattern.get(i + 1) == Some(&b'-') && pattern.get(i + 2).is_some_and(|&e| e != b']') {
            found |= (c..=pattern[i + 2]).contains(&byte);
            i += 3;
        } else {
            found |= c == byte;
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jekyll_rule_exclude_globs_match_as_file_fnmatch_without_pathname() {
        let excluded: Vec<String> = ["*.txt", "vendor/bundle/", "drafts", "notes/[a-c]*.md"]
            .map(str::to_owned)
            .to_vec();
        for path in [
            "a.txt",
            "deep/folder/b.txt",
            "vendor/bundle/x.md",
            "drafts/idea.md",
            "draftsman.md",
            "notes/alpha.md",
        ] {
            assert!(!is_site_file(path, &excluded), "{path} is excluded");
        }
        for path in ["a.md", "vendorx/a.md", "notes/delta.md", "txt.md"] {
            assert!(is_site_file(path, &excluded), "{path} is kept");
        }
    }

    #[test]
    fn fnmatch_follows_ruby() {
        assert!(fnmatch(b"*", b"a/b"));
        assert!(fnmatch(b"a?c", b"a/c"));
        assert!(fnmatch(b"[!x]y", b"zy"));
        assert!(!fnmatch(b"[!x]y", b"xy"));
        assert!(fnmatch(b"\\*", b"*"));
        assert!(!fnmatch(b"\\*", b"a"));
        assert!(fnmatch(b"{a,b}", b"{a,b}"));
        assert!(fnmatch(b"*.md*", b"x.md"));
        assert!(!fnmatch(b"*.md", b"x.mdx"));
    }
}
