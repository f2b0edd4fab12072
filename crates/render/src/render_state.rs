//! What a render keeps for the next publish, so that a commit which only
//! edits the text of pages renders those pages without loading the site.
//!
//! A page's output reads the rest of the site only through what every page
//! shares (the theme's `site`, Liquid's `site`, the navbar and side
//! navigation fragments, the site's own layouts, the input keys) and through
//! its [`Surroundings`]. None of those read a page's body: listings,
//! navigation and Liquid's `site` read front matter. So while commits change
//! nothing but the bodies of pages (each page's front matter the same byte
//! for byte, no file added, removed or otherwise changed), all of it stays
//! true, and an edited page renders from it exactly as a whole render would
//! render it. Listings are the exception (they show posts, which a whole
//! render reads from every page), so the state never renders one.
//!
//! A state is kept in the repository's Git folder, in
//! `gazette/<site>/render-state/<id>`, named by the hash of its bytes; the
//! manifest of every output rendered with it names it, so an output is only
//! ever patched with the state of its own render, and a damaged file never
//! matches its name. A missing, damaged or foreign state means a whole
//! render, never a wrong page.

use std::collections::BTreeMap;
use std::path::Path;

use gazette_content::{Diagnostics, Page, PageReader, Value};
use gazette_theme::Theme;

use crate::context::Fragments;
use crate::footer::Footers;
use crate::fragment::Fragment;
use crate::kept_state::{FORMAT, SharedState, Stored};
use crate::liquid::{LiquidEngine, LiquidSite};
use crate::manifest::{Manifest, tool_fingerprint};
use crate::page::PageRenderer;
use crate::rendered::{Output, PageOutput, RenderOptions};
use crate::sanitize::ContentSanitizer;
use crate::site_head::SiteHead;
use crate::surroundings::Surroundings;

/// A kept state read back, checked against its name.
pub struct RenderState {
    bytes: Vec<u8>,
}

impl RenderState {
    /// The state named `id` in `folder`, if it is there, whole, and from
    /// this program.
    pub fn read(folder: &Path, id: &str) -> Option<Self> {
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Self::from_bytes(std::fs::read(folder.join(id)).ok()?, id)
    }

    /// A state read from elsewhere (a target that keeps it with the
    /// output), if its bytes are the ones `id` names and from this program.
    pub fn from_bytes(bytes: Vec<u8>, id: &str) -> Option<Self> {
        if blake3::hash(&bytes).to_hex()[..32] != *id {
            return None;
        }
        let state = Self { bytes };
        let stored = state.stored()?;
        (stored.format == FORMAT && stored.tool == tool_fingerprint()).then_some(state)
    }

    fn stored(&self) -> Option<Stored<'_>> {
        postcard::from_bytes(&self.bytes).ok()
    }

    /// The pages a state can render alone, and how to read them.
    pub fn open(&self) -> Option<OpenState<'_>> {
        let stored = self.stored()?;
        let shared: SharedState<'_> = postcard::from_bytes(stored.shared).ok()?;
        let theme_site = serde_json::from_str(&shared.theme_site).ok()?;
        Some(OpenState {
            stored,
            shared,
            theme_site,
        })
    }
}

/// A state decoded for a publish: the shared part whole, pages on demand.
pub struct OpenState<'a> {
    stored: Stored<'a>,
    pub(crate) shared: SharedState<'a>,
    theme_site: Value,
}

/// What a state knows of a page.
pub enum KnownPage {
    /// A page unit it can render alone, with its surroundings.
    Alone(Box<Surroundings>),
    /// A listing, or a page whose surroundings cannot be read.
    NeedsSite,
    /// Not a page unit of the site (a data file, media, an unpublished page).
    NotAPage,
}

impl OpenState<'_> {
    /// How the site the state was made from reads a page file.
    pub fn page_reader(&self) -> &PageReader {
        &self.shared.reader
    }

    /// The fingerprint of the theme the state was made with, site
    /// overrides included: pages render from the state only with that theme.
    pub fn theme_fingerprint(&self) -> &str {
        &self.shared.keys.theme
    }

    /// What the state knows of the file at `path`.
    pub fn page(&self, path: &str) -> KnownPage {
        let pages = &self.stored.pages;
        let Ok(index) = pages.binary_search_by(|(candidate, _)| (*candidate).cmp(path)) else {
            return KnownPage::NotAPage;
        };
        let bytes = pages[index].1;
        if bytes.is_empty() {
            return KnownPage::NeedsSite;
        }
        match postcard::from_bytes(bytes) {
            Ok(around) => KnownPage::Alone(Box::new(around)),
            Err(_) => KnownPage::NeedsSite,
        }
    }

    /// The side navigation fragment of a collection.
    fn side_nav(&self, collection: &str) -> Option<Fragment> {
        let side_navs = &self.stored.side_navs;
        let index = side_navs
            .binary_search_by(|(candidate, _)| (*candidate).cmp(collection))
            .ok()?;
        postcard::from_bytes(side_navs[index].1).ok()
    }

    /// Renders `pages` (each with its surroundings) as a whole render would.
    /// `theme` must be the one the state was made with: its fingerprint is
    /// the state's. Each result is the page's unit: its id, the digest of its
    /// inputs and its outputs.
    pub fn render(
        &self,
        theme: &mut Theme,
        pages: &[(Page, Surroundings)],
        options: &RenderOptions<'_>,
    ) -> Result<Vec<RenderedUnit>, Diagnostics> {
        theme.insert_global("site", &self.theme_site);
        crate::sanitize::install_in(theme);
        let mut fragments = Fragments {
            navbar: self.shared.navbar.clone(),
            side_navs: Default::default(),
        };
        for (page, _) in pages {
            if let Some(collection) = page.collection()
                && !fragments.side_navs.contains_key(collection)
                && let Some(fragment) = self.side_nav(collection)
            {
                fragments.side_navs.insert(collection.to_owned(), fragment);
            }
        }
        let liquid = LiquidEngine::with_files(
            self.shared.includes.clone(),
            &crate::render::theme_includes(theme),
            self.shared.links.clone(),
        );
        let liquid_site = LiquidSite::from_json(&self.shared.liquid_site);
        let sanitizer = ContentSanitizer::new();
        let renderer = PageRenderer {
            site_name: self.shared.reader.site_name(),
            layouts: &self.shared.layouts,
            listings: None,
            pagination: None,
            theme,
            fragments: &fragments,
            liquid: &liquid,
            liquid_site: &liquid_site,
            sanitizer: &sanitizer,
            last_changed: options.last_changed,
            bodies: options.bodies,
            warnings: Default::default(),
            footers: Footers::default(),
            site_head: SiteHead::default(),
        };
        let mut units = Vec::with_capacity(pages.len());
        let mut diagnostics = Diagnostics::default();
        for (page, around) in pages {
            let inputs = self
                .shared
                .keys
                .page_inputs(page, renderer.last_updated(page));
            match renderer.render(page, around) {
                Ok((outputs, search)) => units.push(RenderedUnit {
                    id: page.source_path.clone(),
                    inputs_digest: inputs,
                    outputs: outputs
                        .into_iter()
                        .map(|(output, page)| (output, Some(page)))
                        .collect(),
                    search,
                }),
                Err(diagnostic) => diagnostics.push(*diagnostic),
            }
        }
        // A page with warnings takes the whole render, which reports them.
        diagnostics.extend(renderer.take_warnings());
        if diagnostics.0.is_empty() {
            Ok(units)
        } else {
            diagnostics.sort();
            Err(diagnostics)
        }
    }
}

impl OpenState<'_> {
    /// The sitemap, robots.txt and feeds written again with `dates`, each
    /// only when what it shows differs from its unit in `previous`.
    pub fn site_files(
        &self,
        dates: &BTreeMap<String, i64>,
        previous: &Manifest,
    ) -> Vec<RenderedUnit> {
        let reusable = |id: &str, inputs: &str| previous.reusable(id, inputs).is_some();
        self.shared
            .site_files
            .units(Some(dates), &reusable)
            .into_iter()
            .filter_map(|unit| {
                Some(RenderedUnit {
                    id: unit.id,
                    inputs_digest: unit.inputs,
                    outputs: unit.outputs?.into_iter().map(|o| (o, None)).collect(),
                    search: None,
                })
            })
            .collect()
    }
}

/// A unit rendered from a state (a page, or a site file such as the
/// sitemap): its id, the digest of its inputs and its outputs with the page
/// each serves, ready to patch into the previous output
/// ([`patched`](crate::patched)).
pub struct RenderedUnit {
    pub(crate) id: String,
    pub(crate) inputs_digest: String,
    pub(crate) outputs: Vec<(Output, Option<PageOutput>)>,
    pub(crate) search: Option<crate::search::SearchDoc>,
}

#[cfg(test)]
mod tests;
