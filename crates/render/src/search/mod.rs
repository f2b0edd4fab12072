//! Full-text search: each page's text, extracted when the page renders, and
//! a static index split into chunks that the theme's script fetches only as
//! a reader's words need them. Pagefind was the reference; ARCHITECTURE.md
//! ("Search") says why Gazette keeps its own index: it must change one
//! page's words without reading every page again.
//!
//! Files written, beside the pages:
//! - `search-index/index.json`: the list of chunks (key and hash);
//! - `search-index/t/<key>.json`: a chunk, term → pages and weights;
//! - `search-index/p/<page id>.json`: one page's URL, title and text, read
//!   for the excerpts of the results shown;
//! - `.gazette-search` and its shards `.gazette-search-<n>`: the state the
//!   next render updates the index from (`state.rs`).

mod index;
mod live;
mod state;
mod text;
mod tokens;

use std::borrow::Cow;

use gazette_content::{Page, PageKind, PostKind};
use rustc_hash::FxHashMap as HashMap;

use crate::manifest::Manifest;

pub(crate) use index::{CurrentPage, IndexedPage, Updated, encode_entry, update};
pub(crate) use live::LiveIndex;
pub(crate) use state::StoredState;
pub use state::{ReadFile, SearchState, is_search_state_path};
pub(crate) use text::text_of_html;

/// Where a render keeps the head of the index's state in a site's output,
/// its shards beside it: a name no permalink may take
/// (`gazette_content::RESERVED_PREFIX`).
pub const SEARCH_STATE_PATH: &str = ".gazette-search";
pub(crate) use SEARCH_STATE_PATH as STATE_PATH;

/// How much of a page's text its file keeps for excerpts: a result shows a
/// few lines around the first words found, rarely past the first pages.
const TEXT_CHARS: usize = 20_000;

/// Weights of a term in a page: in the title, and in the body once or
/// twice, or three times or more. Coarse on purpose: a small edit seldom
/// moves a weight, so it seldom rewrites a chunk.
const IN_TITLE: u8 = 4;
const IN_BODY: u8 = 1;
const OFTEN_IN_BODY: u8 = 2;

/// What a page gives the index, from its render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SearchDoc {
    pub url: String,
    pub title: String,
    pub text: String,
}

impl SearchDoc {
    /// The document of `page` at `url`, whose content rendered to
    /// `content_html`; `None` for pages search leaves out: the search page,
    /// error pages, and posts that stand for another address.
    pub(crate) fn of(page: &Page, url: &str, content_html: &str) -> Option<Self> {
        let stands_for_another = page.redirect_to.is_some()
            || page.external_url.is_some()
            || matches!(
                page.kind,
                PageKind::Post {
                    kind: PostKind::Link,
                    ..
                }
            );
        if stands_for_another || page.layout == "search" || url == "/404.html" {
            return None;
        }
        let title = page.title.trim();
        Some(Self {
            url: url.to_owned(),
            title: if title.is_empty() { url } else { title }.to_owned(),
            text: text_of_html(content_html),
        })
    }

    /// The page's id in the index: from its URL, so it stays while the page
    /// stays at its address.
    pub(crate) fn id(&self) -> String {
        blake3::hash(self.url.as_bytes()).to_hex()[..16].to_owned()
    }

    /// The page's terms with their weights, sorted.
    pub(crate) fn indexed(&self) -> IndexedPage<'_> {
        // About one distinct word in every 16 bytes of text: sized once
        // rather than grown and rehashed as the words come.
        let mut counts: HashMap<Cow<'_, str>, (bool, u32)> =
            HashMap::with_capacity_and_hasher(self.text.len() / 16, Default::default());
        for word in tokens::words(&self.title) {
            counts.entry(word).or_default().0 = true;
        }
        for word in tokens::words(&self.text) {
            counts.entry(word).or_default().1 += 1;
        }
        // Sorted by their first eight bytes as one number, and only terms
        // that share those by the rest: most comparisons are then of two
        // integers, not two strings.
        let mut keyed: Vec<(u64, Cow<'_, str>, u8)> = counts
            .into_iter()
            .map(|(term, (in_title, count))| {
                let body = match count {
                    0 => 0,
                    1 | 2 => IN_BODY,
                    _ => OFTEN_IN_BODY,
                };
                let weight = body + if in_title { IN_TITLE } else { 0 };
                (leading_bytes(&term), term, weight)
            })
            .collect();
        keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let terms = keyed
            .into_iter()
            .map(|(_, term, weight)| (term, weight))
            .collect();
        IndexedPage {
            id: self.id(),
            terms,
        }
    }

    /// The page's own file: where it is and its bytes.
    pub(crate) fn file(&self) -> (String, Vec<u8>) {
        /// The file's fields, in the order its bytes have always had them
        /// (the JSON object they were built as kept its order).
        #[derive(serde::Serialize)]
        struct PageFile<'a> {
            url: &'a str,
            title: &'a str,
            text: &'a str,
        }
        // A text no longer in bytes than the limit in characters is whole.
        let cut = (self.text.len() > TEXT_CHARS)
            .then(|| self.text.char_indices().nth(TEXT_CHARS))
            .flatten();
        let text = cut.map_or(self.text.as_str(), |(end, _)| &self.text[..end]);
        let file = PageFile {
            url: &self.url,
            title: &self.title,
            text,
        };
        (
            page_file_path(&self.id()),
            serde_json::to_vec(&file).unwrap_or_default(),
        )
    }
}

/// A term's first eight bytes as a big-endian number, shorter terms padded
/// with zeros: numbers in the order of the terms' bytes, so equal only for
/// terms that share their first eight bytes (a term holds no NUL).
fn leading_bytes(term: &str) -> u64 {
    let mut bytes = [0; 8];
    let length = term.len().min(8);
    bytes[..length].copy_from_slice(&term.as_bytes()[..length]);
    u64::from_be_bytes(bytes)
}

/// Where a page's own file is written.
fn page_file_path(id: &str) -> String {
    format!("search-index/p/{id}.json")
}

/// The unit id of a page's own file.
pub(crate) fn page_unit(source_path: &str) -> String {
    format!("search:page:{source_path}")
}

/// Files an update changes: each path with its new bytes, or `None` for a
/// file gone.
pub(crate) type FileChanges = Vec<(String, Option<Vec<u8>>)>;

/// A page rendered again, for an update of the index without the rest.
pub(crate) struct PageEdit {
    pub unit: String,
    pub inputs: String,
    pub doc: Option<SearchDoc>,
}

/// A previous output's index state, ready for an edit of some of its pages
/// ([`patched`](crate::patched)): only the shards the edit touches are
/// read and decoded.
pub struct PreviousSearch<'a>(LiveIndex<'a>);

impl<'a> PreviousSearch<'a> {
    /// The index whose stored state is `state`; `None` when this program
    /// cannot read it.
    pub fn decode(state: SearchState) -> Option<Self> {
        LiveIndex::read(state).map(Self)
    }

    /// The index of the output `manifest` describes, whose state's files
    /// `read_file` gives by path: the head now, a shard when an edit needs
    /// it, each checked against the manifest's record. `None` when the head
    /// is missing, is not the one recorded, or this program cannot read it.
    pub fn open(manifest: &'a Manifest, read_file: ReadFile<'a>) -> Option<Self> {
        LiveIndex::open(manifest, read_file).map(Self)
    }
}

/// Updates `index`, the index of the output `manifest` records, for
/// `edits`: the manifest's search units are replaced, and the files that
/// change are returned (bytes to write, or `None` for a file gone), the
/// state's among them. `None` when the index does not know an edited page
/// or a shard it needs cannot be read: then the whole render decides.
pub(crate) fn apply_edits(
    manifest: &mut Manifest,
    PreviousSearch(mut index): PreviousSearch<'_>,
    edits: Vec<PageEdit>,
) -> Option<FileChanges> {
    let mut changes = index.apply(manifest, edits)?;
    let (written, gone) = index.take_state_files();
    for file in written {
        let record = live::record(file.digest, file.path.clone());
        manifest.units.insert(file.unit, record);
        changes.push((file.path, file.bytes));
    }
    for (unit, path) in gone {
        manifest.units.remove(&unit);
        changes.push((path, None));
    }
    Some(changes)
}

#[cfg(test)]
mod tests;
