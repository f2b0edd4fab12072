//! `site` as Liquid in pages and site layouts reads it, beyond `_config.yml`
//! and `site.data`: the documents of every collection (`site.<label>` and
//! `site.collections`), `site.pages`, `site.posts` with `site.categories` and
//! `site.tags`, and `site.time`, the way Jekyll gives them.
//!
//! Documents carry their front matter, `title`, `url` and `path`, not their
//! content: real layouts list and link pages, and leaving content out keeps an
//! edit to a page's text from re-rendering every page that lists the site.

use std::collections::BTreeMap;

use rayon::prelude::*;

use gazette_content::{Map, Page, PageKind, Site, Value};
use serde_json::json;

use crate::context::{liquid_page, post_summary};

/// Adds the site's pages, documents and posts to `site` (the config with
/// `data`), where Jekyll puts them. `time` is the site's time: Jekyll uses
/// the build's clock; Gazette uses the newest change to the site, so that
/// a build of one commit is the same whenever it runs.
pub(crate) fn add_site_index(liquid_site: &mut Map, site: &Site, time: Option<&str>) {
    // Every page's entry, built side by side (each is a copy of its front
    // matter): at 10,000 pages, built one after the other, they held up
    // every page's render by 50 ms. The lists are put together in order
    // below.
    let mut entries: Vec<Entry> = site
        .pages
        .par_iter()
        .map(|page| Entry::of(site, page))
        .collect();
    let mut documents: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut pages = Vec::new();
    let mut posts = Vec::new();
    for (index, page) in site.pages.iter().enumerate() {
        match (&page.kind, &mut entries[index]) {
            (PageKind::CollectionItem { collection }, Entry::Listed(_)) => {
                documents.entry(collection).or_default().push(index);
            }
            (_, Entry::Listed(entry)) => pages.push(std::mem::take(entry)),
            (_, Entry::Post { .. }) => posts.push(index),
            (_, Entry::Unlisted) => {}
        }
    }
    // Jekyll orders a collection's documents by date, then path; documents
    // without a date all take the build's date, so in practice by path.
    for docs in documents.values_mut() {
        docs.sort_by_key(|&index| by_date_and_path(&site.pages[index]));
    }

    let mut collections = Vec::new();
    for collection in &site.collections {
        let docs: Vec<Value> = documents
            .get(collection.name.as_str())
            .into_iter()
            .flatten()
            .map(|&index| {
                let mut doc = entries[index].take_listed();
                if let Value::Object(map) = &mut doc {
                    map.insert("collection".into(), json!(collection.name));
                }
                doc
            })
            .collect();
        // Built as a map rather than with `json!`, which would serialize
        // every document over again into a copy: a clone copies the maps
        // without hashing their keys anew.
        let mut entry = Map::new();
        entry.insert("label".into(), json!(collection.name));
        entry.insert("output".into(), json!(collection.output));
        entry.insert(
            "relative_directory".into(),
            json!(format!("_{}", collection.name)),
        );
        entry.insert("docs".into(), Value::Array(docs.clone()));
        collections.push(Value::Object(entry));
        // A collection named like a setting (`title`) does not hide it.
        liquid_site
            .entry(collection.name.clone())
            .or_insert(Value::Array(docs));
    }
    liquid_site.insert("collections".into(), Value::Array(collections));
    liquid_site.insert("html_pages".into(), Value::Array(pages.clone()));
    liquid_site.insert("pages".into(), Value::Array(pages));

    // Every post of the site, the resource room's and any other `_posts`
    // folder's, newest first as Jekyll's `site.posts` (posts of one day in
    // reverse path order).
    posts.sort_by_key(|&index| std::cmp::Reverse(by_date_and_path(&site.pages[index])));
    let mut categories: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut tags: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut all = Vec::with_capacity(posts.len());
    for index in posts {
        let Entry::Post {
            post,
            categories: post_categories,
        } = std::mem::replace(&mut entries[index], Entry::Unlisted)
        else {
            continue;
        };
        for category in post_categories {
            categories.entry(category).or_default().push(post.clone());
        }
        for tag in string_or_list(site.pages[index].data.get("tags")) {
            tags.entry(tag).or_default().push(post.clone());
        }
        all.push(post);
    }
    liquid_site.insert("posts".into(), Value::Array(all));
    // Moved in, not serialized over again (`json!` would copy every post).
    let by_name = |lists: BTreeMap<String, Vec<Value>>| {
        Value::Object(
            lists
                .into_iter()
                .map(|(name, posts)| (name, Value::Array(posts)))
                .collect(),
        )
    };
    liquid_site.insert("categories".into(), by_name(categories));
    liquid_site.insert("tags".into(), by_name(tags));
    if let Some(time) = time {
        liquid_site.insert("time".into(), json!(time));
    }
}

/// The order of documents and posts: by date, then path.
fn by_date_and_path(page: &Page) -> (Option<jiff::civil::Date>, &str) {
    (page.date, &page.source_path)
}

/// What one page gives `site`'s lists.
enum Entry {
    /// A collection's document or a page of `site.pages`: its front
    /// matter with `title`, `url` and `path`.
    Listed(Value),
    /// A post of `site.posts`: its summary and front matter, with the
    /// categories it is listed under.
    Post {
        post: Value,
        categories: Vec<String>,
    },
    /// In no list: unpublished, or with no URL.
    Unlisted,
}

impl Entry {
    fn of(site: &Site, page: &Page) -> Self {
        let listed = page.published && page.permalink.is_some();
        match &page.kind {
            // An `output: false` collection's documents are not written, but
            // Liquid reads them all the same.
            PageKind::CollectionItem { .. } => Self::Listed(liquid_page(page)),
            PageKind::Post { .. } if listed => {
                let categories = post_categories(page);
                let mut post = post_summary(site, page);
                if let (Value::Object(post), Value::Object(front_matter)) =
                    (&mut post, liquid_page(page))
                {
                    for (key, value) in front_matter {
                        post.entry(key).or_insert(value);
                    }
                    // A Time in Jekyll, which Liquid prints and date filters read.
                    if let Some(date) = page.date {
                        post.insert("date".into(), json!(format!("{date} 00:00:00 +0800")));
                    }
                    post.insert("categories".into(), json!(categories));
                }
                Self::Post { post, categories }
            }
            PageKind::Post { .. } => Self::Unlisted,
            _ if listed => Self::Listed(liquid_page(page)),
            _ => Self::Unlisted,
        }
    }

    /// A listed entry's value, left empty: each is in one list only.
    fn take_listed(&mut self) -> Value {
        match self {
            Self::Listed(value) => std::mem::take(value),
            _ => Value::Null,
        }
    }
}

/// A post's categories as Jekyll gives them: the folders above `_posts`
/// (`media/news/_posts/x.md` is in `media` and `news`), then those its front
/// matter names.
fn post_categories(page: &Page) -> Vec<String> {
    let above = page
        .source_path
        .split_once("_posts/")
        .map_or("", |(above, _)| above);
    let mut categories: Vec<String> = above
        .split('/')
        .filter(|folder| !folder.is_empty())
        .map(str::to_owned)
        .collect();
    for key in ["category", "categories"] {
        for category in string_or_list(page.data.get(key)) {
            if !categories.contains(&category) {
                categories.push(category);
            }
        }
    }
    categories
}

/// `site.time`: the day of the newest change to the site's files, in
/// Singapore time, or today when the site's history is unknown (a folder
/// outside Git). Jekyll's is the clock when it builds; a Gazette build of one
/// commit is the same whenever it runs, and a day (what sites show of it: the
/// year in a footer) re-renders the pages reading it once a day of edits at
/// most, not on every publish.
pub fn site_time(last_changed: Option<&BTreeMap<String, i64>>) -> String {
    let newest = last_changed
        .and_then(|changes| changes.values().max())
        .and_then(|seconds| jiff::Timestamp::from_second(*seconds).ok())
        .unwrap_or_else(jiff::Timestamp::now);
    newest
        .to_zoned_datetime(crate::liquid::singapore())
        .date()
        .to_string()
}

/// Tags as Jekyll reads them: a list, or one string of words.
fn string_or_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(words)) => words.split_whitespace().map(str::to_owned).collect(),
        other => gazette_content::string_list(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_time_is_the_day_of_the_newest_change_in_singapore() {
        // 2024-03-07 17:30 UTC is 01:30 on the 8th in Singapore.
        let changes = BTreeMap::from([("a.md".to_owned(), 1_709_832_600), ("b.md".to_owned(), 0)]);
        assert_eq!(site_time(Some(&changes)), "2024-03-08");
    }

    #[test]
    fn jekyll_rule_liquid_reads_the_documents_of_an_unwritten_collection() {
        let source = gazette_content::MemorySource::from_files([
            ("_config.yml", "title: T\n"),
            (
                "_people/collection.yml",
                "collections:\n  people:\n    output: false\n",
            ),
            ("_people/b.md", "---\ntitle: Bea\nrole: Lead\n---\n"),
            ("_people/a.md", "---\ntitle: Ann\nrole: Chair\n---\n"),
        ]);
        let site = Site::load("agency", &source).expect("a site").site;
        let mut liquid_site = Map::new();
        add_site_index(&mut liquid_site, &site, None);
        let roles: Vec<&str> = liquid_site["people"]
            .as_array()
            .expect("site.people")
            .iter()
            .filter_map(|doc| doc["role"].as_str())
            .collect();
        assert_eq!(
            roles,
            ["Chair", "Lead"],
            "in path order, though never written"
        );
    }
}
