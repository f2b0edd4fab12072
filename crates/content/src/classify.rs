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
    Post {
        room: String,
        category: String,
    },
    Media,
    Layout(String),
    SassPartial,
    UnknownUnderscore(String),
    Outside,
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
            [category, "_posts", ..] => Place::Post {
                room: top.to_owned(),
                category: (*category).to_owned(),
            },
            _ => Place::Simple,
        };
    }
    if MEDIA_FOLDERS.contains(&top) {
        return Place::Media;
    }
    if top == "pages" || top == "misc" {
        return Place::Simple;
    }
    Place::Outside
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

/// Paths left out by `exclude` in `_config.yml` (exact files or folder prefixes).
pub(crate) fn excluded_paths(config: &SiteConfig) -> Vec<String> {
    config
        .exclude()
        .into_iter()
        .map(|entry| entry.trim().trim_start_matches('/').to_owned())
        .filter(|entry| !entry.is_empty())
        .collect()
}

pub(crate) fn is_site_file(path: &str, excluded: &[String]) -> bool {
    if PLUMBING.contains(&path) {
        return false;
    }
    let hidden = path
        .split('/')
        .any(|segment| segment.starts_with('.') && segment != ".keep");
    if hidden {
        return false;
    }
    let top = path.split('/').next().unwrap_or(path);
    if matches!(top, "node_modules" | "vendor" | "_site" | "templates") {
        return false;
    }
    !excluded.iter().any(|entry| {
        let entry = entry.trim_end_matches('/');
        path == entry || path.starts_with(&format!("{entry}/"))
    })
}
