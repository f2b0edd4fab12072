//! The resource room: a folder of categories, each with dated posts.

use std::collections::BTreeMap;

use crate::page::{Page, PageKind};

/// A site's resource room (`resources_name` in `_config.yml`).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceRoom {
    /// The folder name, which is also its URL segment.
    pub name: String,
    /// The landing page (`<name>/index.html`), by index into the site's pages.
    pub index_page: Option<usize>,
    /// Categories in folder-name order.
    pub categories: Vec<Category>,
    /// Every post, newest first.
    pub posts: Vec<usize>,
}

/// One category of the resource room.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// The folder name.
    pub name: String,
    /// The title shown (its index page's title, or the folder name).
    pub title: String,
    /// The category listing page, by index into the site's pages.
    pub index_page: Option<usize>,
    /// Its posts, newest first.
    pub posts: Vec<usize>,
}

/// The resource room named `room`, from the site's pages: its index, its
/// categories and their posts, newest first.
pub(crate) fn build_resource_room(room: &str, pages: &[Page]) -> ResourceRoom {
    let mut categories: BTreeMap<String, Category> = BTreeMap::new();
    let mut index_page = None;
    let mut posts = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        match &page.kind {
            PageKind::ResourceRoom => index_page = Some(index),
            PageKind::Category { category } => {
                let entry = categories
                    .entry(category.clone())
                    .or_insert_with(|| empty_category(category));
                entry.index_page = Some(index);
                entry.title = page.title.clone();
            }
            PageKind::Post { category, .. } => {
                posts.push(index);
                categories
                    .entry(category.clone())
                    .or_insert_with(|| empty_category(category))
                    .posts
                    .push(index);
            }
            _ => {}
        }
    }
    // Jekyll sorts posts by date, then path, and Liquid's `site.posts` is
    // that order reversed: posts of one day come in reverse path order.
    let newest_first = |a: &usize, b: &usize| {
        (&pages[*b].date, &pages[*b].source_path).cmp(&(&pages[*a].date, &pages[*a].source_path))
    };
    posts.sort_by(newest_first);
    for category in categories.values_mut() {
        category.posts.sort_by(newest_first);
    }
    ResourceRoom {
        name: room.to_owned(),
        index_page,
        categories: categories.into_values().collect(),
        posts,
    }
}

fn empty_category(name: &str) -> Category {
    Category {
        name: name.to_owned(),
        title: name.to_owned(),
        index_page: None,
        posts: Vec::new(),
    }
}
