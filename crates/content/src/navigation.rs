//! `_data/navigation.yml`: the navbar, in both forms real sites use.
//!
//! The current form is a mapping with `logo` and `links`; older sites have a
//! bare list whose entries use `sub-links` and `external: true`. Both read into
//! the same [`Navigation`].

use crate::config::truthy;
use crate::{Map, Value};

/// The navbar of a site.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Navigation {
    /// The logo image path, when navigation.yml names one.
    pub logo: Option<String>,
    /// The top-level entries in order.
    pub links: Vec<NavLink>,
}

/// One top-level navbar entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NavLink {
    /// The label.
    pub title: String,
    /// Where it points, for plain links.
    pub url: Option<String>,
    /// A dropdown of this collection's pages, in collection order.
    pub collection: Option<String>,
    /// A link to the resource room.
    pub resource_room: bool,
    /// A hand-written dropdown.
    pub sublinks: Vec<NavSublink>,
    /// Older sites mark links to other sites.
    pub external: bool,
}

/// One entry of a hand-written dropdown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NavSublink {
    /// The label.
    pub title: String,
    /// Where it points.
    pub url: String,
}

/// A navigation entry that could not be understood, by index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NavProblem {
    pub index: usize,
    pub message: String,
}

impl Navigation {
    /// Reads either form; entries without a title are reported and skipped.
    pub(crate) fn from_value(value: &Value) -> (Self, Vec<NavProblem>) {
        let (logo, links) = match value {
            Value::Object(map) => (
                text(map, "logo"),
                map.get("links").and_then(Value::as_array).cloned(),
            ),
            Value::Array(items) => (None, Some(items.clone())),
            _ => (None, None),
        };
        let mut problems = Vec::new();
        let mut navigation = Navigation {
            logo,
            links: Vec::new(),
        };
        for (index, item) in links.unwrap_or_default().iter().enumerate() {
            let Some(map) = item.as_object() else {
                problems.push(NavProblem {
                    index,
                    message: "a navigation entry must be a mapping with `title`".into(),
                });
                continue;
            };
            let Some(title) = text(map, "title") else {
                problems.push(NavProblem {
                    index,
                    message: "a navigation entry has no `title`".into(),
                });
                continue;
            };
            let sublinks = map
                .get("sublinks")
                .or_else(|| map.get("sub-links"))
                .and_then(Value::as_array)
                .map(|subs| {
                    subs.iter()
                        .filter_map(Value::as_object)
                        .filter_map(|sub| {
                            Some(NavSublink {
                                title: text(sub, "title")?,
                                url: text(sub, "url").unwrap_or_default(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            navigation.links.push(NavLink {
                title,
                url: text(map, "url"),
                collection: text(map, "collection"),
                resource_room: truthy(map.get("resource_room")),
                sublinks,
                external: truthy(map.get("external")),
            });
        }
        (navigation, problems)
    }
}

fn text(map: &Map, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    #[test]
    fn the_current_form_reads_collections_sublinks_and_the_resource_room() {
        let value = yaml::parse(
            "logo: /images/logo.svg\nlinks:\n  - title: About\n    collection: about\n  - title: News\n    resource_room: true\n  - title: More\n    url: /more/\n    sublinks:\n      - title: One\n        url: /one/\n",
        )
        .unwrap();
        let (nav, problems) = Navigation::from_value(&value);
        assert!(problems.is_empty());
        assert_eq!(nav.logo.as_deref(), Some("/images/logo.svg"));
        assert_eq!(nav.links[0].collection.as_deref(), Some("about"));
        assert!(nav.links[1].resource_room);
        assert_eq!(nav.links[2].sublinks[0].url, "/one/");
    }

    #[test]
    fn the_older_list_form_reads_sub_links_and_external() {
        let value = yaml::parse(
            "- title: Home\n  url: /\n- title: Portal\n  url: https://example.org\n  external: true\n- title: Guides\n  url: /guides/\n  sub-links:\n    - title: First\n      url: /guides/first/\n",
        )
        .unwrap();
        let (nav, problems) = Navigation::from_value(&value);
        assert!(problems.is_empty());
        assert_eq!(nav.links.len(), 3);
        assert!(nav.links[1].external);
        assert_eq!(nav.links[2].sublinks[0].title, "First");
    }
}
