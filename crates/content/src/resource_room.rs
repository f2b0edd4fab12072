//! The resource room: a folder of categories, each with dated posts.

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
