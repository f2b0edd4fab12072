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
use std::path::{Path, PathBuf};

use gazette_content::{Diagnostics, FrontMatter, Page, PageReader, Value};
use gazette_theme::Theme;
use serde::{Deserialize, Serialize};

use crate::fragment::Fragment;
use crate::liquid::LiquidEngine;
use crate::manifest::tool_fingerprint;
use crate::render::{
    Fragments, InputKeys, LiquidSite, Output, PageOutput, PageRenderer, RenderOptions, Surroundings,
};
use crate::sanitize::ContentSanitizer;

/// The version of the stored layout; another one is never read.
const FORMAT: u32 = 1;

/// How many states a site keeps: one per target it publishes to, and a few
/// more for publishes running side by side.
const KEPT_STATES: usize = 4;

/// A state as stored: the parts every page reads, then each page's and each
/// side navigation's bytes, decoded only for the pages a publish renders.
#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    format: u32,
    tool: &'a str,
    #[serde(borrow)]
    shared: &'a [u8],
    /// Side navigation fragments by collection, sorted.
    #[serde(borrow)]
    side_navs: Vec<(&'a str, &'a [u8])>,
    /// Every page unit by source path, sorted, with its [`Surroundings`];
    /// empty for listings, which only a whole render renders.
    #[serde(borrow)]
    pages: Vec<(&'a str, &'a [u8])>,
}

/// What every page reads.
#[derive(Serialize, Deserialize)]
pub(crate) struct SharedState {
    pub reader: PageReader,
    /// `site` for the theme's templates, as JSON text.
    pub theme_site: String,
    /// `site` for Liquid in content, as JSON text (parsed only when a page
    /// has Liquid).
    pub liquid_site: String,
    pub layouts: BTreeMap<String, FrontMatter>,
    pub navbar: Option<Fragment>,
    pub keys: InputKeys,
}

/// A state made by a render, ready to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptState {
    /// Its name: the hash of its bytes.
    pub id: String,
    bytes: Vec<u8>,
}

impl KeptState {
    /// Encodes a state. `pages` and `side_navs` are sorted here.
    pub(crate) fn new(
        shared: &SharedState,
        mut side_navs: Vec<(&str, Vec<u8>)>,
        mut pages: Vec<(String, Vec<u8>)>,
    ) -> Self {
        side_navs.sort_unstable_by(|a, b| a.0.cmp(b.0));
        pages.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // Should encoding fail (it never has), the state cannot be opened
        // and the next publish renders the whole site.
        let shared = postcard::to_allocvec(shared).unwrap_or_default();
        let stored = Stored {
            format: FORMAT,
            tool: tool_fingerprint(),
            shared: &shared,
            side_navs: side_navs
                .iter()
                .map(|(name, bytes)| (*name, bytes.as_slice()))
                .collect(),
            pages: pages
                .iter()
                .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
                .collect(),
        };
        let bytes = postcard::to_allocvec(&stored).unwrap_or_default();
        Self {
            id: blake3::hash(&bytes).to_hex()[..32].to_owned(),
            bytes,
        }
    }

    /// Writes the state into `folder` (a site's `render-state` folder) and
    /// removes all but the newest few there. A state is only an aid: when it
    /// cannot be written, the next publish renders the whole site.
    pub(crate) fn keep(&self, folder: &Path) {
        let path = folder.join(&self.id);
        if path.exists() {
            return;
        }
        let temporary = folder.join(format!("{}.{}.tmp", self.id, std::process::id()));
        let written = std::fs::create_dir_all(folder)
            .and_then(|()| std::fs::write(&temporary, &self.bytes))
            .and_then(|()| std::fs::rename(&temporary, &path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
            return;
        }
        prune(folder);
    }
}

/// Removes the oldest states of a folder beyond [`KEPT_STATES`], and any
/// temporary file a killed publish left.
fn prune(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut states: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let modified = entry.metadata().and_then(|m| m.modified()).ok();
        if path.extension().is_some_and(|e| e == "tmp") {
            // A publish writing one at this very moment loses it, which only
            // means its next publish renders the whole site.
            let stale = modified
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 60);
            if stale {
                let _ = std::fs::remove_file(&path);
            }
        } else if let Some(modified) = modified {
            states.push((modified, path));
        }
    }
    states.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    for (_, path) in states.into_iter().skip(KEPT_STATES) {
        let _ = std::fs::remove_file(path);
    }
}

/// A kept state read back, checked against its name.
pub(crate) struct RenderState {
    bytes: Vec<u8>,
}

impl RenderState {
    /// The state named `id` in `folder`, if it is there, whole, and from
    /// this program.
    pub(crate) fn read(folder: &Path, id: &str) -> Option<Self> {
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let bytes = std::fs::read(folder.join(id)).ok()?;
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
    pub(crate) fn open(&self) -> Option<OpenState<'_>> {
        let stored = self.stored()?;
        let shared: SharedState = postcard::from_bytes(stored.shared).ok()?;
        let theme_site = serde_json::from_str(&shared.theme_site).ok()?;
        Some(OpenState {
            stored,
            shared,
            theme_site,
        })
    }
}

/// A state decoded for a publish: the shared part whole, pages on demand.
pub(crate) struct OpenState<'a> {
    stored: Stored<'a>,
    pub shared: SharedState,
    theme_site: Value,
}

/// What a state knows of a page.
pub(crate) enum KnownPage {
    /// A page unit it can render alone, with its surroundings.
    Alone(Box<Surroundings>),
    /// A listing, or a page whose surroundings cannot be read.
    NeedsSite,
    /// Not a page unit of the site (a data file, media, an unpublished page).
    NotAPage,
}

impl OpenState<'_> {
    /// What the state knows of the file at `path`.
    pub(crate) fn page(&self, path: &str) -> KnownPage {
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
    pub(crate) fn render(
        &self,
        theme: &mut Theme,
        pages: &[(Page, Surroundings)],
        options: &RenderOptions<'_>,
    ) -> Result<Vec<RenderedUnit>, Diagnostics> {
        theme.insert_global("site", &self.theme_site);
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
        let liquid = LiquidEngine::new();
        let liquid_site = LiquidSite::from_json(self.shared.liquid_site.clone());
        let sanitizer = ContentSanitizer::new();
        let renderer = PageRenderer {
            site_name: self.shared.reader.site_name(),
            layouts: &self.shared.layouts,
            listings: None,
            theme,
            fragments: &fragments,
            liquid: &liquid,
            liquid_site: &liquid_site,
            sanitizer: &sanitizer,
            last_changed: options.last_changed,
            bodies: options.bodies,
        };
        let mut units = Vec::with_capacity(pages.len());
        let mut diagnostics = Diagnostics::default();
        for (page, around) in pages {
            let inputs = self
                .shared
                .keys
                .page_inputs(page, renderer.last_updated(page));
            match renderer.render(page, around) {
                Ok(outputs) => units.push(RenderedUnit {
                    id: page.source_path.clone(),
                    inputs_digest: inputs,
                    outputs,
                }),
                Err(diagnostic) => diagnostics.push(*diagnostic),
            }
        }
        if diagnostics.0.is_empty() {
            Ok(units)
        } else {
            diagnostics.sort();
            Err(diagnostics)
        }
    }
}

/// A page rendered from a state.
pub(crate) struct RenderedUnit {
    pub id: String,
    pub inputs_digest: String,
    pub outputs: Vec<(Output, PageOutput)>,
}

/// Where a site's states are kept.
pub(crate) fn folder_of(git_dir: &Path, site: &str) -> PathBuf {
    git_dir.join("gazette").join(site).join("render-state")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use gazette_content::{MemorySource, Site};
    use gazette_store::WorkTreeSource;

    use super::*;
    use crate::render::{OutputContents, render_site};

    const FILES: &[(&str, &str)] = &[
        ("_config.yml", "title: Agency\n"),
        (
            "_data/navigation.yml",
            "links:\n  - title: Guides\n    collection: guides\n",
        ),
        (
            "_guides/collection.yml",
            "collections:\n  guides:\n    output: true\n    order:\n      - one.md\n      - two.md\n",
        ),
        (
            "_guides/one.md",
            "---\ntitle: One\npermalink: /guides/one/\n---\nFirst.\n",
        ),
        (
            "_guides/two.md",
            "---\ntitle: Two\npermalink: /guides/two/\n---\nSecond.\n",
        ),
        ("index.md", "---\nlayout: homepage\ntitle: Home\n---\n"),
    ];

    fn themes() -> WorkTreeSource {
        WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes"))
            .expect("the workspace's themes")
    }

    /// The site rendered whole, keeping its state.
    fn render_whole(source: &MemorySource) -> crate::RenderedSite {
        let site = Site::load("agency", source).expect("a site").site;
        let mut theme = Theme::load(&themes(), "isomer", Some(source)).expect("the theme");
        let options = RenderOptions {
            keep_state: true,
            ..RenderOptions::default()
        };
        render_site(&site, &mut theme, &options).expect("renders")
    }

    #[test]
    fn an_edited_page_renders_from_the_state_as_in_a_whole_render() {
        let mut source = MemorySource::from_files(FILES.iter().copied());
        let before = render_whole(&source);
        let kept = before.state.clone().expect("a state");
        assert_eq!(before.manifest.render_state.as_ref(), Some(&kept.id));

        source.insert(
            "_guides/two.md",
            "---\ntitle: Two\npermalink: /guides/two/\n---\nSecond, {{ site.title }}.\n",
        );
        let after = render_whole(&source);
        assert_eq!(
            after.state,
            Some(kept.clone()),
            "a text edit keeps the state"
        );

        let folder = tempfile::tempdir().unwrap();
        kept.keep(folder.path());
        let state = RenderState::read(folder.path(), &kept.id).expect("read back");
        let open = state.open().expect("decodes");
        let KnownPage::Alone(around) = open.page("_guides/two.md") else {
            panic!("a collection page renders alone");
        };
        assert!(matches!(open.page("index.md"), KnownPage::NeedsSite));
        assert!(matches!(open.page("_config.yml"), KnownPage::NotAPage));

        let page = open
            .shared
            .reader
            .read_page(&source, "_guides/two.md")
            .expect("a page")
            .expect("no problems");
        let mut theme = Theme::load(&themes(), "isomer", Some(&source)).expect("the theme");
        let units = open
            .render(&mut theme, &[(page, *around)], &RenderOptions::default())
            .expect("renders");
        let whole = after
            .outputs
            .iter()
            .find(|o| o.path == "guides/two/index.html")
            .expect("the page");
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].outputs[0].0.contents, whole.contents);
        let OutputContents::Rendered(html) = &whole.contents else {
            panic!("rendered");
        };
        assert!(String::from_utf8_lossy(html).contains("Second, Agency."));
        assert_eq!(
            units[0].inputs_digest,
            after.manifest.units["_guides/two.md"].inputs_digest
        );
    }

    #[test]
    fn a_state_is_read_only_under_its_own_name_and_the_newest_few_are_kept() {
        let folder = tempfile::tempdir().unwrap();
        let mut ids = Vec::new();
        for n in 0..KEPT_STATES + 2 {
            let mut source = MemorySource::from_files(FILES.iter().copied());
            source.insert("_config.yml", format!("title: Agency {n}\n"));
            let kept = render_whole(&source).state.expect("a state");
            kept.keep(folder.path());
            ids.push(kept.id);
            // Modification times order the states.
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let left: Vec<bool> = ids
            .iter()
            .map(|id| RenderState::read(folder.path(), id).is_some())
            .collect();
        assert_eq!(left, [false, false, true, true, true, true]);

        let newest = ids.last().unwrap();
        assert!(RenderState::read(folder.path(), "../escape").is_none());
        let elsewhere = folder.path().join("0123456789abcdef0123456789abcdef");
        std::fs::copy(folder.path().join(newest), &elsewhere).unwrap();
        assert!(
            RenderState::read(folder.path(), "0123456789abcdef0123456789abcdef").is_none(),
            "bytes that do not hash to the name are refused"
        );
    }
}
