//! A rendered site kept in memory for the preview, so that an edit to one
//! page's body re-renders that page alone.

use gazette_content::{Diagnostics, Page, PageBody, Site};
use gazette_theme::Theme;

use crate::manifest::Manifest;
use crate::render::{Shared, render_all};
use crate::rendered::{Output, PageOutput, RenderOptions, RenderedSite};
use crate::search::{LiveIndex, PageEdit, SearchState};
use crate::surroundings::Surroundings;

/// A rendered site kept in memory with everything its pages shared, so that
/// an edit to one page's body re-renders that page alone: what a live
/// preview needs to answer an edit within milliseconds on a large site.
///
/// Only edits that leave everything other pages read unchanged qualify:
/// a page's body is read by that page alone (listings, navigation and
/// Liquid's `site` read front matter), so a page whose front matter, place
/// and kind are unchanged changes no other output. Anything else needs a
/// whole render, which [`RenderSession::render`] does and reuses what it can.
pub struct RenderSession {
    site: Site,
    theme: Theme,
    shared: Shared,
    /// The search index as of the last render or index update, decoded
    /// (`None` if the render's state could not be read): an edit updates
    /// the groups its words touch, and the state is encoded only when a
    /// whole render needs it ([`RenderSession::search_state`]).
    search: Option<LiveIndex<'static>>,
    /// Pages rendered since, whose words the index does not have yet.
    search_edits: Vec<PageEdit>,
}

/// A page rendered again by a [`RenderSession`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUpdate {
    /// Its unit id (the source path), as in the manifest.
    pub id: String,
    /// The digest of its inputs now.
    pub inputs_digest: String,
    /// Its outputs, each with its URL.
    pub outputs: Vec<(Output, PageOutput)>,
}

impl RenderSession {
    /// Renders `site` like [`render_site`](crate::render_site), reusing the outputs of
    /// `previous` (a manifest and the search state of its output), and
    /// keeps the session for later page edits when it succeeds.
    pub fn render(
        site: Site,
        mut theme: Theme,
        previous: Option<(&Manifest, &SearchState)>,
    ) -> Result<(RenderedSite, Self), Diagnostics> {
        let options = RenderOptions {
            previous: previous.map(|(manifest, _)| manifest),
            previous_search: previous.map(|(_, search)| search),
            ..RenderOptions::default()
        };
        let (rendered, diagnostics, shared) = render_all(&site, &mut theme, &options);
        match shared {
            Some(shared) if !diagnostics.has_errors() => {
                let search = LiveIndex::read(rendered.search_state.clone());
                Ok((
                    RenderedSite {
                        warnings: diagnostics,
                        ..rendered
                    },
                    Self {
                        site,
                        theme,
                        shared,
                        search,
                        search_edits: Vec::new(),
                    },
                ))
            }
            _ => Err(diagnostics),
        }
    }

    /// The site as last rendered (with page edits applied).
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Whether `edited` can replace the page of the same source path by
    /// re-rendering that page alone: it must differ from it only in its body.
    pub fn can_update(&self, edited: &Page) -> bool {
        self.index_of(edited)
            .is_some_and(|index| differs_only_in_body(&self.site.pages[index], edited))
    }

    /// Replaces a page by its edited version and renders it. `None` when the
    /// edit needs a whole render (see [`RenderSession::can_update`]); the
    /// page's diagnostics when it fails to render (the session then holds
    /// the edited page, so a fix renders alone too).
    pub fn update_page(&mut self, edited: Page) -> Option<Result<PageUpdate, Diagnostics>> {
        let index = self.index_of(&edited)?;
        let current = &self.site.pages[index];
        if !differs_only_in_body(current, &edited) || !current.published {
            return None;
        }
        self.site.pages[index] = edited;
        let page = &self.site.pages[index];
        let renderer = self
            .shared
            .renderer(&self.site, &self.theme, &RenderOptions::default());
        let inputs = self.shared.keys.page_inputs(page, None);
        let around = Surroundings::of(&self.site, &self.shared.view, index, page);
        Some(match renderer.render(page, &around) {
            Ok((outputs, doc)) => {
                self.search_edits.push(PageEdit {
                    unit: page.source_path.clone(),
                    inputs: inputs.clone(),
                    doc,
                });
                Ok(PageUpdate {
                    id: page.source_path.clone(),
                    inputs_digest: inputs,
                    outputs,
                })
            }
            Err(diagnostic) => Err(Diagnostics(vec![*diagnostic])),
        })
    }

    /// Brings the search index up to date with the pages updated since the
    /// last call: `manifest` (the preview's, with those pages' units) gets
    /// the index's units, and the files that change are returned, with
    /// their bytes or `None` for a file gone. The state's files are not
    /// among them, nor are their units in `manifest` updated: the session holds the
    /// state, and [`RenderSession::search_state`] gives it to the next
    /// whole render. `None` when the index cannot be updated alone: the
    /// caller then renders the whole site.
    pub fn update_search(
        &mut self,
        manifest: &mut Manifest,
    ) -> Option<Vec<(String, Option<Vec<u8>>)>> {
        let edits = std::mem::take(&mut self.search_edits);
        self.search.as_mut()?.apply(manifest, edits)
    }

    /// The search index's state (the
    /// [`SEARCH_STATE_PATH`](crate::SEARCH_STATE_PATH) file and its shards)
    /// as of the last render or [`RenderSession::update_search`], the bytes
    /// a whole render of the same pages writes: what the next render
    /// updates the index from.
    pub fn search_state(&self) -> Option<SearchState> {
        self.search.as_ref().and_then(LiveIndex::state)
    }

    fn index_of(&self, page: &Page) -> Option<usize> {
        self.site
            .pages
            .iter()
            .position(|candidate| candidate.source_path == page.source_path)
    }
}

/// Whether two versions of a page differ in nothing but their body (and the
/// id of their content, which follows the body).
fn differs_only_in_body(current: &Page, edited: &Page) -> bool {
    let without_body = |page: &Page| Page {
        body: PageBody::InSource { has_liquid: false },
        content_id: String::new(),
        ..page.clone()
    };
    // Cheap fields first: most edits that change more change one of these.
    current.body_line == edited.body_line
        && current.title == edited.title
        && without_body(current) == without_body(edited)
}
