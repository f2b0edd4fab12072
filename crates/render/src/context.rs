//! What templates and Liquid see: the `site` value built once per site, and
//! the `page` value built for each page; and the navbar and side navigation
//! fragments rendered once from it.

use std::collections::HashMap;
use std::sync::Arc;

use gazette_content::{Collection, Diagnostic, Map, Page, PageKind, PostKind, Site, Value};
use gazette_theme::Theme;
use serde_json::json;

use crate::fragment::{self, Fragment};
use crate::sanitize::ContentSanitizer;

/// Everything about a site that every page shares, computed once.
pub(crate) struct SiteView {
    /// `site` for the theme's templates.
    pub theme_site: Value,
    /// `site` for Liquid in content: `_config.yml` with `data`, the pages,
    /// documents and posts added (see [`crate::liquid_site`]). Shared with
    /// [`crate::liquid::LiquidSite`], which converts it for Liquid only if
    /// a page needs it.
    pub liquid_site: Arc<Value>,
    /// Side navigation of each collection, by collection name, with marks.
    pub side_navs: HashMap<String, Value>,
    /// The marks each page fills in its side navigation, by page index.
    pub side_nav_marks: HashMap<usize, SideNavMarks>,
    /// The mark of each URL in the navbar.
    pub navbar_marks: HashMap<String, u32>,
    /// Each page's previous and next page in its collection.
    pub neighbours: HashMap<usize, (Option<usize>, Option<usize>)>,
    /// The title of each collection as the navbar names it.
    pub collection_titles: HashMap<String, String>,
    /// The resource room's title.
    pub room_title: String,
}

impl SiteView {
    pub fn new(
        site: &Site,
        stylesheets: &[String],
        sanitizer: &ContentSanitizer,
        time: Option<&str>,
    ) -> Self {
        let collection_titles: HashMap<String, String> = site
            .collections
            .iter()
            .map(|collection| {
                let title = site
                    .navigation
                    .links
                    .iter()
                    .find(|link| link.collection.as_deref() == Some(&collection.name))
                    .map(|link| link.title.clone())
                    .unwrap_or_else(|| title_case(&collection.name));
                (collection.name.clone(), title)
            })
            .collect();
        let room_title = site
            .resource_room
            .as_ref()
            .map(|room| {
                room.index_page
                    .map(|index| site.pages[index].title.clone())
                    .or_else(|| {
                        site.navigation
                            .links
                            .iter()
                            .find(|link| link.resource_room)
                            .map(|link| link.title.clone())
                    })
                    .unwrap_or_else(|| title_case(&room.name))
            })
            .unwrap_or_default();

        let mut side_navs = HashMap::new();
        let mut side_nav_marks = HashMap::new();
        let mut neighbours = HashMap::new();
        for collection in &site.collections {
            let (items, marks) = side_nav(site, collection);
            side_navs.insert(collection.name.clone(), items);
            side_nav_marks.extend(marks);
            let published: Vec<usize> = collection
                .entries
                .iter()
                .map(|entry| entry.page)
                .filter(|index| site.pages[*index].published)
                .collect();
            for (position, index) in published.iter().enumerate() {
                let previous = position.checked_sub(1).map(|p| published[p]);
                let next = published.get(position + 1).copied();
                neighbours.insert(*index, (previous, next));
            }
        }

        let mut navbar_marks: HashMap<String, u32> = HashMap::new();
        let mut navbar_mark = |url: &str| {
            let next = navbar_marks.len() as u32;
            fragment::mark(*navbar_marks.entry(url.to_owned()).or_insert(next))
        };
        let navigation: Vec<Value> = site
            .navigation
            .links
            .iter()
            .enumerate()
            .map(|(position, link)| {
                let mut children: Vec<Value> = Vec::new();
                let mut url = link.url.clone().unwrap_or_default();
                if let Some(name) = &link.collection
                    && let Some(collection) = site.collection(name)
                {
                    let mut listed = 0;
                    for entry in collection.dropdown_entries() {
                        let page = &site.pages[entry.page];
                        if let Some(page_url) = page.url().filter(|_| page.published) {
                            if listed == DROPDOWN_LIMIT {
                                // The first page's side navigation lists them all.
                                children.push(json!({
                                    "title": format!("More in {}", link.title),
                                    "url": children[0]["url"],
                                    "current": "",
                                    "more": true,
                                }));
                                break;
                            }
                            listed += 1;
                            let title = entry.group.clone().unwrap_or_else(|| page.title.clone());
                            children.push(json!({
                                "title": title,
                                "url": page_url,
                                "current": navbar_mark(page_url),
                            }));
                        }
                    }
                    if url.is_empty() {
                        url = children
                            .first()
                            .and_then(|c| c["url"].as_str())
                            .unwrap_or_default()
                            .to_owned();
                    }
                }
                if link.resource_room
                    && let Some(room) = &site.resource_room
                {
                    url = format!("/{}/", room.name);
                }
                for sub in &link.sublinks {
                    children.push(json!({
                        "title": sub.title,
                        "url": sub.url,
                        "current": navbar_mark(&sub.url),
                    }));
                }
                json!({
                    "title": link.title,
                    "active": fragment::mark(SECTION_MARKS + position as u32),
                    "current": navbar_mark(&url),
                    "url": url,
                    "external": link.external || is_external(&url),
                    "children": children,
                    "collection": link.collection,
                    "resource_room": link.resource_room,
                })
            })
            .collect();

        let config = &site.config.raw;
        let colors = config.get("colors").cloned().unwrap_or(Value::Null);
        let logo = site
            .navigation
            .logo
            .clone()
            .or_else(|| {
                config
                    .get("logo")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        let notification = site
            .homepage()
            .and_then(|home| home.text("notification"))
            .map(|text| sanitizer.clean(text))
            .filter(|text| !text.trim().is_empty());
        let theme_site = json!({
            "title": site.config.title(),
            "description": config.get("description"),
            "url": config.get("url"),
            // The published address as absolute URLs start with (no trailing `/`).
            "absolute_url": site.config.absolute_base(),
            "lang": site.config.lang(),
            "baseurl": config.get("baseurl").and_then(Value::as_str).unwrap_or(""),
            "favicon": config.get("favicon"),
            "shareicon": config.get("shareicon"),
            "logo": logo,
            "is_government": site.config.is_government(),
            // Checked ids only (`content::Analytics`): templates write them into script tags.
            "analytics": site.config.analytics().0,
            "primary_color": colors.get("primary-color").and_then(Value::as_str).unwrap_or("#2e4b9e"),
            "secondary_color": colors.get("secondary-color").and_then(Value::as_str).unwrap_or("#2e4b9e"),
            "colors": colors,
            "navigation": navigation,
            "footer": site.footer,
            "notification": notification,
            "stylesheets": stylesheets,
            "has_search": site.pages.iter().any(|p| p.layout == "search" && p.published),
            "resource_room": site.resource_room.as_ref().map(|room| json!({
                "name": room.name,
                "title": room_title,
                "url": format!("/{}/", room.name),
            })),
            "config": config,
            "data": site.data,
        });

        let mut liquid_site = config.clone();
        liquid_site.insert("data".into(), Value::Object(site.data.clone()));
        liquid_site
            .entry("baseurl")
            .or_insert_with(|| Value::String(String::new()));
        crate::liquid_site::add_site_index(&mut liquid_site, site, time);

        Self {
            theme_site,
            liquid_site: Arc::new(Value::Object(liquid_site)),
            side_navs,
            side_nav_marks,
            navbar_marks,
            neighbours,
            collection_titles,
            room_title,
        }
    }
}

/// A navbar dropdown lists at most this many of a collection's pages. Real
/// collections have a few dozen; one of a thousand pages would put a
/// thousand links on every page of the site, which nobody can use.
const DROPDOWN_LIMIT: usize = 30;

/// Marks of groups in a side navigation start here, after those of pages:
/// `open` on the group's details, and `active` on its list item.
const GROUP_MARKS: u32 = 1 << 24;
const GROUP_ACTIVE_MARKS: u32 = 2 << 24;
/// Marks of the navbar's sections (`active` on the item holding the page).
pub(crate) const SECTION_MARKS: u32 = 3 << 24;

/// The side navigation of a collection: pages and collapsible groups in
/// order, each with a mark for "current" (pages) or "open" (groups), and each
/// page's marks.
fn side_nav(site: &Site, collection: &Collection) -> (Value, Vec<(usize, SideNavMarks)>) {
    let mut items: Vec<Value> = Vec::new();
    let mut marks = Vec::new();
    let mut groups = 0;
    for (position, entry) in collection.entries.iter().enumerate() {
        let page = &site.pages[entry.page];
        let Some(url) = page.url().filter(|_| page.published) else {
            continue;
        };
        let current = position as u32;
        let link = json!({ "title": page.title, "url": url, "current": fragment::mark(current) });
        match &entry.group {
            Some(group) => {
                let continues = items
                    .last()
                    .is_some_and(|last| last["group"].as_str() == Some(group));
                if continues {
                    if let Some(pages) = items
                        .last_mut()
                        .and_then(|last| last["pages"].as_array_mut())
                    {
                        pages.push(link);
                    }
                } else {
                    groups += 1;
                    items.push(json!({
                        "group": group,
                        "pages": [link],
                        "open": fragment::mark(GROUP_MARKS + groups),
                        "active": fragment::mark(GROUP_ACTIVE_MARKS + groups),
                    }));
                }
                marks.push((
                    entry.page,
                    SideNavMarks {
                        current,
                        group: Some(groups),
                    },
                ));
            }
            None => {
                items.push(link);
                marks.push((
                    entry.page,
                    SideNavMarks {
                        current,
                        group: None,
                    },
                ));
            }
        }
    }
    (Value::Array(items), marks)
}

/// The marks a page fills in its collection's side navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct SideNavMarks {
    /// The mark on the page's own link.
    pub current: u32,
    /// The group holding it, if any.
    pub group: Option<u32>,
}

impl SideNavMarks {
    /// What the page writes at `mark`.
    pub(crate) fn fill(&self, mark: u32) -> Option<&'static str> {
        if mark == self.current {
            return Some(CURRENT_ATTRIBUTE);
        }
        let group = self.group?;
        if mark == GROUP_MARKS + group {
            Some(" open")
        } else if mark == GROUP_ACTIVE_MARKS + group {
            Some(" is-active")
        } else {
            None
        }
    }
}

/// The attribute that marks a link to the page being read.
pub(crate) const CURRENT_ATTRIBUTE: &str = " aria-current=\"page\"";

/// A post as listings show it.
pub(crate) fn post_summary(site: &Site, page: &Page) -> Value {
    let (category, kind) = match &page.kind {
        PageKind::Post { category, kind } => (category.as_str(), *kind),
        _ => ("", PostKind::Post),
    };
    let category_title = site
        .resource_room
        .as_ref()
        .and_then(|room| room.categories.iter().find(|c| c.name == category))
        .map(|c| c.title.clone())
        .unwrap_or_else(|| title_case(category));
    let url = match kind {
        PostKind::Link => page
            .external_url
            .clone()
            .or_else(|| page.url().map(str::to_owned)),
        PostKind::File => page
            .file_url
            .clone()
            .or_else(|| page.url().map(str::to_owned)),
        PostKind::Post => page.url().map(str::to_owned),
    };
    json!({
        "title": page.title,
        "url": url,
        "kind": kind.as_str(),
        "category": category,
        "category_title": category_title,
        // Isomer's cards show `09 DEC 2020`: a two-digit day.
        "date": page.date.map(|d| d.strftime("%d %b %Y").to_string()),
        "year": page.date.map(|d| d.year()),
        "date_iso": page.date.map(|d| d.to_string()),
        "description": page.text("description"),
        "image": page.text("image").filter(|i| !i.trim().is_empty()),
        "external": kind == PostKind::Link,
    })
}

/// `page` for Liquid in content: the front matter plus `url` and `title`.
pub(crate) fn liquid_page(page: &Page) -> Value {
    let mut map: Map = page.data.clone();
    map.insert("title".into(), Value::String(page.title.clone()));
    if let Some(url) = page.url() {
        map.insert("url".into(), Value::String(url.to_owned()));
    }
    map.insert("path".into(), Value::String(page.source_path.clone()));
    Value::Object(map)
}

/// Breadcrumbs from the homepage to (but not including) the page itself.
pub(crate) fn breadcrumbs(site: &Site, view: &SiteView, page: &Page) -> Vec<Link> {
    let crumb = |title: &str, url: Option<&str>| Link {
        title: title.to_owned(),
        url: url.map(str::to_owned),
    };
    let mut crumbs = vec![crumb("Home", Some("/"))];
    match &page.kind {
        PageKind::Homepage => return Vec::new(),
        PageKind::CollectionItem { collection } => {
            let first_url = site
                .collection(collection)
                .and_then(|c| c.entries.first())
                .and_then(|entry| site.pages[entry.page].url());
            let title = view
                .collection_titles
                .get(collection)
                .cloned()
                .unwrap_or_else(|| title_case(collection));
            crumbs.push(crumb(&title, first_url));
            if let Some(group) = &page.third_nav_title {
                crumbs.push(crumb(group, None));
            }
        }
        PageKind::Category { .. } | PageKind::Post { .. } => {
            if let Some(room) = &site.resource_room {
                crumbs.push(crumb(&view.room_title, Some(&format!("/{}/", room.name))));
            }
            if let PageKind::Post { category, .. } = &page.kind
                && let Some(room) = &site.resource_room
                && let Some(found) = room.categories.iter().find(|c| &c.name == category)
            {
                let url = found.index_page.and_then(|index| site.pages[index].url());
                crumbs.push(crumb(&found.title, url));
            }
        }
        PageKind::ResourceRoom | PageKind::Simple => {}
    }
    crumbs
}

/// `about-us` → `About Us`, for names that have no title of their own.
pub(crate) fn title_case(name: &str) -> String {
    name.split(['-', '_', ' '])
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn is_external(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//")
}

/// The navbar and each collection's side navigation, rendered once.
pub(crate) struct Fragments {
    pub navbar: Option<Fragment>,
    pub side_navs: HashMap<String, Fragment>,
}

impl Fragments {
    const NAVBAR: &'static str = "partials/navbar.html";
    const SIDE_NAV: &'static str = "partials/side_nav.html";

    pub(crate) fn render(
        site: &Site,
        theme: &Theme,
        view: &SiteView,
    ) -> Result<Self, Box<Diagnostic>> {
        let failed = |template: &str, error: gazette_theme::ThemeError| {
            Box::new(
                Diagnostic::error(
                    &site.name,
                    "",
                    format!("the theme's `{template}` failed: {error}"),
                )
                .with_hint("this is a problem in the theme's templates"),
            )
        };
        let navbar = if theme.has_template(Self::NAVBAR) {
            let html = theme
                .render(Self::NAVBAR, &tera::Context::new())
                .map_err(|error| failed(Self::NAVBAR, error))?;
            Some(Fragment::parse(&html))
        } else {
            None
        };
        let mut side_navs = HashMap::new();
        if theme.has_template(Self::SIDE_NAV) {
            for (name, items) in &view.side_navs {
                let mut context = tera::Context::new();
                context.insert("side_nav", items);
                context.insert("collection_title", &view.collection_titles.get(name));
                let html = theme
                    .render(Self::SIDE_NAV, &context)
                    .map_err(|error| failed(Self::SIDE_NAV, error))?;
                side_navs.insert(name.clone(), Fragment::parse(&html));
            }
        }
        Ok(Self { navbar, side_navs })
    }
}

/// A link as templates read it (`{title, url}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Link {
    pub title: String,
    pub url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use gazette_content::MemorySource;

    #[test]
    fn a_long_collection_lists_its_first_pages_in_the_navbar_and_links_to_the_rest() {
        let mut source = MemorySource::from_files([
            ("_config.yml", "title: T\n"),
            (
                "_data/navigation.yml",
                "links:\n  - title: Guides\n    collection: guides\n",
            ),
        ]);
        let mut order = String::from("collections:\n  guides:\n    order:\n");
        for n in 0..40 {
            order.push_str(&format!("      - p{n:02}.md\n"));
            source.insert(
                format!("_guides/p{n:02}.md"),
                format!("---\ntitle: Page {n}\npermalink: /guides/{n}/\n---\n"),
            );
        }
        source.insert("_guides/collection.yml", order);
        let site = Site::load("t", &source).unwrap().site;
        let view = SiteView::new(&site, &[], &ContentSanitizer::new(), None);
        let children = view.theme_site["navigation"][0]["children"]
            .as_array()
            .unwrap();
        assert_eq!(children.len(), DROPDOWN_LIMIT + 1);
        assert_eq!(children[DROPDOWN_LIMIT]["title"], "More in Guides");
        assert_eq!(children[DROPDOWN_LIMIT]["url"], "/guides/0/");
        let side_nav = view.side_navs["guides"].as_array().unwrap();
        assert_eq!(
            side_nav.len(),
            40,
            "the side navigation still lists every page"
        );
    }
}
