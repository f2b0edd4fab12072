//! What one page shows of the rest of its site besides what every page
//! shares: its neighbours, breadcrumbs and places in the navigation.

use gazette_content::{Page, PageKind, Site};

use crate::context::{self, Link, SideNavMarks, SiteView};

/// What one page shows of the rest of its site, besides the fragments and
/// `site`: its neighbours, breadcrumbs and places in the navigation. Worked
/// out from the whole site, and kept between publishes (`render_state`) so
/// that an edit to a page's text renders that page without the site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Surroundings {
    pub(crate) previous: Option<Link>,
    pub(crate) next: Option<Link>,
    pub(crate) breadcrumbs: Vec<Link>,
    /// The title of the page's collection, as the navbar names it.
    pub(crate) collection_title: Option<String>,
    /// The page's own mark in the navbar, if it is listed there.
    pub(crate) navbar_current: Option<u32>,
    /// The navbar entry whose section holds the page.
    pub(crate) navbar_section: Option<u32>,
    /// The marks the page fills in its collection's side navigation.
    pub(crate) side_nav: Option<SideNavMarks>,
}

impl Surroundings {
    /// The surroundings of a page that stands apart from the site's
    /// structure (a redirect page): only the homepage above it.
    pub(crate) fn home_only() -> Self {
        Self {
            previous: None,
            next: None,
            breadcrumbs: vec![Link {
                title: "Home".into(),
                url: Some("/".into()),
            }],
            collection_title: None,
            navbar_current: None,
            navbar_section: None,
            side_nav: None,
        }
    }

    /// The surroundings of `site.pages[index]`.
    pub(crate) fn of(site: &Site, view: &SiteView, index: usize, page: &Page) -> Self {
        let (previous, next) = view.neighbours.get(&index).copied().unwrap_or((None, None));
        let link = |i: Option<usize>| {
            i.map(|i| Link {
                title: site.pages[i].title.clone(),
                url: site.pages[i].url().map(str::to_owned),
            })
        };
        let in_room = matches!(
            page.kind,
            PageKind::Post { .. } | PageKind::Category { .. } | PageKind::ResourceRoom
        );
        let navbar_section = site
            .navigation
            .links
            .iter()
            .position(|link| {
                (link.collection.is_some() && link.collection.as_deref() == page.collection())
                    || (link.resource_room && in_room)
            })
            .map(|position| position as u32);
        Self {
            previous: link(previous),
            next: link(next),
            breadcrumbs: context::breadcrumbs(site, view, page),
            collection_title: page
                .collection()
                .and_then(|c| view.collection_titles.get(c))
                .cloned(),
            navbar_current: page
                .url()
                .and_then(|url| view.navbar_marks.get(url))
                .copied(),
            navbar_section,
            side_nav: view.side_nav_marks.get(&index).copied(),
        }
    }
}
