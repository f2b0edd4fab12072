//! Collections: the `_<name>/` folders whose `collection.yml` orders the side
//! navigation and the navbar dropdown.

/// One collection of a site.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    /// Its name: the folder without the leading `_`.
    pub name: String,
    /// Whether its pages are written (`output: false` keeps them unpublished).
    pub output: bool,
    /// Its pages in `order`, with their third-level group.
    pub entries: Vec<CollectionEntry>,
}

/// A page's place in its collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionEntry {
    /// Index into [`crate::Site::pages`].
    pub page: usize,
    /// The third-level group (`third_nav_title`, or the subfolder) it belongs to.
    pub group: Option<String>,
}

impl Collection {
    /// The first page of each group and each page outside a group, in order:
    /// what the navbar dropdown lists.
    pub fn dropdown_entries(&self) -> impl Iterator<Item = &CollectionEntry> {
        let mut previous_group: Option<&str> = None;
        self.entries.iter().filter(move |entry| {
            let group = entry.group.as_deref();
            let first_of_run = group.is_none() || group != previous_group;
            previous_group = group;
            first_of_run
        })
    }
}
