//! Where each file of a site belongs in the Isomer layout (a page, a
//! collection file, a post, media, a layout, or nothing), and which files
//! are part of the site at all.

use std::collections::BTreeMap;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

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
    /// A file in a `_drafts` folder, which Jekyll reads where it reads
    /// `_posts` and only under `--drafts`: a post without a date in its name.
    Draft {
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
    if let Some(categories) = categories_above(path, "_posts/") {
        return Place::Post { categories };
    }
    if let Some(categories) = categories_above(path, "_drafts/") {
        return Place::Draft { categories };
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

/// The folders above `folder` (`_posts/` or `_drafts/`) in `path`, which are
/// a post's categories, when `path` is inside such a folder that Jekyll reads
/// (none of the folders above starts with `_`).
fn categories_above(path: &str, folder: &str) -> Option<Vec<String>> {
    let (above, _) = path.split_once(folder)?;
    let read = (above.is_empty() || above.ends_with('/'))
        && !above.split('/').any(|folder| folder.starts_with('_'));
    read.then(|| {
        above
            .split('/')
            .filter(|folder| !folder.is_empty())
            .map(str::to_owned)
            .collect()
    })
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

/// The `exclude` patterns of `_config.yml` that Jekyll applies (those not
/// also listed in `include`, each relative to the site root), with their
/// globs compiled once for the whole site.
pub(crate) struct ExcludeRules {
    patterns: Vec<String>,
    globs: GlobSet,
}

impl ExcludeRules {
    pub(crate) fn new(patterns: Vec<String>) -> Self {
        let mut globs = GlobSetBuilder::new();
        for pattern in &patterns {
            // A pattern Ruby's fnmatch would never match (an unclosed
            // class) still excludes what it is a prefix of, below.
            if let Some(glob) = fnmatch_glob(pattern) {
                globs.add(glob);
            }
        }
        let globs = globs.build().unwrap_or_else(|_| GlobSet::empty());
        Self { patterns, globs }
    }

    /// The patterns as written, for the load cache's key.
    pub(crate) fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Jekyll's test of one entry (`EntryFilter#glob_include?`): a pattern
    /// matches as a glob whose `*` also matches `/` (`File.fnmatch` without
    /// `FNM_PATHNAME`), as a prefix of the path (so `vendor/bundle/` leaves
    /// out everything below it), or, for a folder, as its name and a `/`.
    fn excludes(&self, entry: &str, is_folder: bool) -> bool {
        self.globs.is_match(entry)
            || self.patterns.iter().any(|pattern| {
                entry.starts_with(pattern.as_str())
                    || (is_folder
                        && pattern.len() == entry.len() + 1
                        && pattern.starts_with(entry)
                        && pattern.ends_with('/'))
            })
    }
}

/// Ruby's `File.fnmatch` without flags as a glob: `*` crosses `/`, `\`
/// escapes, and braces are literal (Ruby expands them only under
/// `FNM_EXTGLOB`), so they are quoted in classes.
fn fnmatch_glob(pattern: &str) -> Option<globset::Glob> {
    let literal_braces = pattern.replace('{', "[{]").replace('}', "[}]");
    GlobBuilder::new(&literal_braces)
        .literal_separator(false)
        .backslash_escape(true)
        .build()
        .ok()
}

pub(crate) fn excluded_paths(config: &SiteConfig) -> ExcludeRules {
    let included: Vec<String> = config.include();
    ExcludeRules::new(
        config
            .exclude()
            .into_iter()
            .filter(|entry| !included.contains(entry))
            .map(|entry| entry.trim().trim_start_matches('/').to_owned())
            .filter(|entry| !entry.is_empty())
            .collect(),
    )
}

pub(crate) fn is_site_file(path: &str, excluded: &ExcludeRules) -> bool {
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
        .any(|(entry, is_folder)| excluded.excludes(entry, is_folder))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jekyll_rule_exclude_globs_match_as_file_fnmatch_without_pathname() {
        let excluded = ExcludeRules::new(
            ["*.txt", "vendor/bundle/", "drafts", "notes/[a-c]*.md"]
                .map(str::to_owned)
                .to_vec(),
        );
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
    fn jekyll_rule_exclude_globs_follow_ruby_fnmatch() {
        let matches = |pattern: &str, text: &str| {
            fnmatch_glob(pattern).is_some_and(|glob| glob.compile_matcher().is_match(text))
        };
        assert!(matches("*", "a/b"));
        assert!(matches("a?c", "a/c"));
        assert!(matches("[!x]y", "zy"));
        assert!(!matches("[!x]y", "xy"));
        assert!(matches("\\*", "*"));
        assert!(!matches("\\*", "a"));
        assert!(matches("{a,b}", "{a,b}"));
        assert!(!matches("{a,b}", "a"));
        assert!(matches("*.md*", "x.md"));
        assert!(!matches("*.md", "x.mdx"));
        assert!(!matches("[", "["), "an unclosed class never matches");
    }
}
