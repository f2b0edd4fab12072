//! Units of work (a page, a copied file, a stylesheet, a theme asset) and
//! the keys of the inputs they read: a unit whose inputs are unchanged since
//! the previous publish reuses its outputs instead of rendering.

use std::collections::{BTreeMap, BTreeSet};

use gazette_content::{Page, PageKind, Pagination, Site, StaticFile, Value};
use gazette_theme::Theme;
use serde_json::json;

use crate::context::SiteView;
use crate::manifest::{Inputs, OutputRecord, hash_json, inputs_digest, tool_fingerprint};
use crate::rendered::{Output, OutputContents};

/// The digest of a unit's inputs, from `(name, id)` pairs.
pub(crate) fn inputs<const N: usize>(pairs: [(&str, String); N]) -> String {
    inputs_digest(&input_map(pairs))
}

fn input_map<const N: usize>(pairs: [(&str, String); N]) -> Inputs {
    pairs
        .into_iter()
        .map(|(name, id)| (name.to_owned(), id))
        .collect()
}

/// One unit of work and what came of it.
pub(crate) struct Unit {
    pub id: String,
    /// The digest of its inputs.
    pub inputs: String,
    /// Each output with the page URL it serves, for pages.
    pub outputs: Vec<(Output, Option<String>)>,
    pub reused: bool,
    pub is_page: bool,
}

impl Unit {
    pub(crate) fn reused(id: &str, inputs: String, records: Vec<OutputRecord>) -> Self {
        let is_page = records.iter().any(|record| record.url.is_some());
        Self {
            id: id.to_owned(),
            inputs,
            outputs: records
                .into_iter()
                .map(|record| {
                    (
                        Output {
                            contents: OutputContents::Reuse(record.path.clone()),
                            path: record.path,
                            origin: id.to_owned(),
                        },
                        record.url,
                    )
                })
                .collect(),
            reused: true,
            is_page,
        }
    }

    /// A file copied as it is, or an SVG sanitised on the way (`sanitize`).
    pub(crate) fn copy(file: &StaticFile, inputs: String, sanitize: bool) -> Self {
        let path = file.source_path.clone();
        Self {
            id: file.source_path.clone(),
            inputs,
            outputs: vec![(
                Output {
                    path: file.output_path.clone(),
                    contents: if sanitize {
                        OutputContents::CopySanitizedSvg(path)
                    } else {
                        OutputContents::Copy(path)
                    },
                    origin: file.source_path.clone(),
                },
                None,
            )],
            reused: false,
            is_page: false,
        }
    }
}

/// Ids of the inputs that many pages share, computed once per site.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct InputKeys {
    /// The theme chain and site template overrides.
    pub theme: String,
    /// Everything every page reads: settings, data, navigation, footer, theme,
    /// the site's own layouts, and this tool's version.
    pub site: String,
    /// Per collection: its pages' titles, URLs and groups (side navigation,
    /// previous and next, breadcrumbs).
    collections: BTreeMap<String, String>,
    /// The resource room's posts and categories (listings, Liquid's `site.posts`).
    room: String,
    /// Liquid's `site` beyond the settings: pages, documents, posts, time.
    site_index: String,
    /// The files pages include relative to themselves: site path → digest.
    relative_includes: BTreeMap<String, String>,
    /// The site's own layouts (`_layouts/`), whose Liquid reads `site`.
    site_layouts: BTreeSet<String>,
    /// The page jekyll-paginate repeats, and how many times.
    pagination: Option<(String, usize)>,
}

impl InputKeys {
    pub(crate) fn new(
        site: &Site,
        theme: &Theme,
        view: &SiteView,
        pagination: Option<&Pagination>,
    ) -> Self {
        let layouts: BTreeMap<&String, (&gazette_content::Map, &String)> = site
            .layouts
            .iter()
            .map(|(name, layout)| (name, (&layout.data, &layout.body)))
            .collect();
        // Hashed by reference (tuples are JSON arrays): these values are
        // large, and copying them into one `json!` value costs more than
        // hashing them.
        let site_key = hash_json(&(
            tool_fingerprint(),
            theme.fingerprint(),
            &view.theme_site,
            layouts,
            &site.sass_partials,
            &site.includes,
        ));
        let collections = view
            .side_navs
            .iter()
            .map(|(name, nav)| {
                let first = site
                    .collection(name)
                    .and_then(|c| c.entries.first())
                    .and_then(|entry| site.pages[entry.page].url());
                (name.clone(), hash_json(&(nav, first)))
            })
            .collect();
        let room = match &site.resource_room {
            Some(room) => {
                // Liquid's `site.posts`: the summary of every post, as
                // listings show them.
                let posts = view.liquid_site.get("posts");
                let categories: Vec<Value> = room
                    .categories
                    .iter()
                    .map(|c| {
                        json!([
                            c.name,
                            c.title,
                            c.index_page.and_then(|i| site.pages[i].url())
                        ])
                    })
                    .collect();
                hash_json(&(&view.room_title, posts, categories))
            }
            None => String::new(),
        };
        Self {
            theme: theme.fingerprint().to_owned(),
            site: site_key,
            collections,
            room,
            site_index: hash_json(&*view.liquid_site),
            relative_includes: site
                .relative_includes
                .iter()
                .map(|(path, text)| (path.clone(), hash_json(text)))
                .collect(),
            site_layouts: site.layouts.keys().cloned().collect(),
            pagination: pagination.map(|p| (site.pages[p.template].source_path.clone(), p.pages)),
        }
    }

    /// The digest of what a page reads.
    pub(crate) fn page_inputs(&self, page: &Page, last_updated: Option<String>) -> String {
        let mut inputs = input_map([
            ("site", self.site.clone()),
            ("page", page.content_id.clone()),
        ]);
        if let Some(collection) = page.collection()
            && let Some(key) = self.collections.get(collection)
        {
            inputs.insert("collection".into(), key.clone());
        }
        // Liquid in the page or in a site layout can read all of `site`.
        let reads_liquid_site = page.body.has_liquid() || self.site_layouts.contains(&page.layout);
        let reads_room = matches!(
            page.kind,
            PageKind::Homepage
                | PageKind::ResourceRoom
                | PageKind::Category { .. }
                | PageKind::Post { .. }
        ) || reads_liquid_site;
        if reads_room && !self.room.is_empty() {
            inputs.insert("room".into(), self.room.clone());
        }
        if reads_liquid_site {
            inputs.insert("site-index".into(), self.site_index.clone());
        }
        if let Some((template, pages)) = &self.pagination
            && *template == page.source_path
        {
            inputs.insert("listing-pages".into(), pages.to_string());
        }
        if let Some(date) = last_updated {
            inputs.insert("last-updated".into(), date);
        }
        if !page.relative_includes.is_empty() {
            let files: Vec<(&String, Option<&String>)> = page
                .relative_includes
                .iter()
                .map(|path| (path, self.relative_includes.get(path)))
                .collect();
            inputs.insert("relative-includes".into(), hash_json(&files));
        }
        inputs_digest(&inputs)
    }
}
