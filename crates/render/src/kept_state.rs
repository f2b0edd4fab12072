//! The state a render keeps for the next publish, in its stored form:
//! what every page shares, then each page's surroundings and each side
//! navigation, encoded with postcard and named by the hash of the bytes.
//! Reading it back is `render_state.rs`'s.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gazette_content::{FrontMatter, PageReader};
use serde::{Deserialize, Serialize};

use crate::fragment::Fragment;
use crate::manifest::tool_fingerprint;
use crate::unit::InputKeys;

/// The version of the stored layout; another one is never read.
pub(crate) const FORMAT: u32 = 2;

/// How many states a site keeps: one per target it publishes to, and a few
/// more for publishes running side by side.
pub(crate) const KEPT_STATES: usize = 4;

/// A state as stored: the parts every page reads, then each page's and each
/// side navigation's bytes, decoded only for the pages a publish renders.
#[derive(Serialize, Deserialize)]
pub(crate) struct Stored<'a> {
    pub format: u32,
    pub tool: &'a str,
    #[serde(borrow)]
    pub shared: &'a [u8],
    /// Side navigation fragments by collection, sorted.
    #[serde(borrow)]
    pub side_navs: Vec<(&'a str, &'a [u8])>,
    /// Every page unit by source path, sorted, with its [`Surroundings`];
    /// empty for listings, which only a whole render renders.
    #[serde(borrow)]
    pub pages: Vec<(&'a str, &'a [u8])>,
}

/// What every page reads.
#[derive(Serialize, Deserialize)]
pub(crate) struct SharedState<'a> {
    pub reader: PageReader,
    /// `site` for the theme's templates, as JSON text.
    pub theme_site: String,
    /// `site` for Liquid in content, as JSON text (parsed only when a page
    /// has Liquid), borrowed from the state's bytes when read back: it is
    /// most of them (1.1 of 1.9 MB at 1,000 pages).
    #[serde(borrow)]
    pub liquid_site: Cow<'a, str>,
    pub layouts: BTreeMap<String, FrontMatter>,
    /// The site's `_includes/` by path, for Liquid's `include`.
    pub includes: BTreeMap<String, String>,
    /// What Liquid's `link` and `post_url` find.
    pub links: crate::liquid::SiteTargets,
    pub navbar: Option<Fragment>,
    pub keys: InputKeys,
    /// What the sitemap and feeds list, to write them again with new dates.
    pub site_files: crate::site_files::SiteFiles,
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
        shared: &SharedState<'_>,
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

    /// Its bytes, for targets that keep the state with the output.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Writes the state into `folder` (a site's `render-state` folder) and
    /// removes all but the newest few there. A state is only an aid: when it
    /// cannot be written, the next publish renders the whole site.
    pub fn keep(&self, folder: &Path) {
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
