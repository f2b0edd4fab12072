//! The index's state as files: a head and shards, so that an edit reads,
//! encodes and writes again the shards its pages and words fall in, not
//! the whole state (37 MB at 10,000 pages, which a one-page publish used to
//! encode, hash and write again in full).
//!
//! - The head (`.gazette-search`) holds what every edit needs of the whole
//!   index: how many shards there are, how many pages are indexed, the
//!   state's size and each group's chunks (the list of chunks is written
//!   from it).
//! - Shard `n` (`.gazette-search-<n>`) holds the pages whose unit id, and
//!   the groups whose key, hash to `n`: each page's inputs digest and
//!   entry, each group's postings.
//!
//! The number of shards follows the state's size alone ([`shard_count`]),
//! so an edit and a whole render of the same pages write the same files.
//! Each file is a unit of the manifest, and a state is read only when
//! every file is the one the manifest records: never half of another
//! version's.

use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::STATE_PATH;
use super::index::{OwnedGroup, StoredPage, file_digest};
use crate::manifest::{Manifest, tool_fingerprint};

/// The version of the state's format (the files the browser reads have
/// their own, `index::FORMAT`); another one is no state at all.
const FORMAT: u32 = 2;

/// About how many bytes of pages and postings a shard holds: an edit to
/// one page touches its own shard and those of the groups of its changed
/// words, a few dozen KB each.
const SHARD_BYTES: u64 = 64 * 1024;

/// At most this many shards: a state read from a bucket is one request per
/// shard.
const MAX_SHARDS: u32 = 256;

/// How many shards a state of `bytes` (entries and postings) is cut into:
/// a power of two, so that it changes rarely as a site grows.
pub(super) fn shard_count(bytes: u64) -> u32 {
    let wanted = bytes.div_ceil(SHARD_BYTES).max(1);
    u32::try_from(wanted.next_power_of_two())
        .unwrap_or(MAX_SHARDS)
        .min(MAX_SHARDS)
}

/// The shard of a page unit id or a group key, among `shards`.
pub(super) fn shard_of(name: &str, shards: u32) -> u32 {
    let hash = blake3::hash(name.as_bytes());
    let bytes = hash.as_bytes();
    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) % shards.max(1)
}

/// Where shard `n` is written.
pub(crate) fn shard_path(n: u32) -> String {
    format!("{STATE_PATH}-{n}")
}

/// The unit id of the head.
pub(super) const STATE_UNIT: &str = "search:state";

/// The unit id of shard `n`.
pub(super) fn shard_unit(n: u32) -> String {
    format!("search:state:{n}")
}

/// Reads a file of a previous output's state by its path in the output.
pub type ReadFile<'a> = &'a (dyn Fn(&str) -> Option<Vec<u8>> + Sync);

/// Whether `path` is a file of the state: its head or a shard. Neither is a
/// page to serve.
pub fn is_search_state_path(path: &str) -> bool {
    path == STATE_PATH
        || path
            .strip_prefix(STATE_PATH)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The index's state as a render leaves it: the head and every shard,
/// encoded. Shards are shared, so a copy of the state costs a pointer per
/// shard: a publish keeps the previous state for a whole render while an
/// edit changes a few shards of its copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchState {
    pub(super) head: Vec<u8>,
    pub(super) shards: Vec<Arc<Vec<u8>>>,
}

impl SearchState {
    /// The state of the output `manifest` describes, whose files
    /// `read_file` gives by path; `None` when a file is missing or is not
    /// the one the manifest records (another version's: a bucket publish
    /// cut short leaves new files beside the manifest before), or when the
    /// state is not one this program wrote.
    pub fn read(manifest: &Manifest, read_file: impl Fn(&str) -> Option<Vec<u8>>) -> Option<Self> {
        let head_bytes = recorded_file(manifest, STATE_UNIT, STATE_PATH, &read_file)?;
        let count = Head::read(&head_bytes)?.shards;
        let shards = (0..count)
            .map(|n| recorded_file(manifest, &shard_unit(n), &shard_path(n), &read_file))
            .map(|bytes| bytes.map(Arc::new))
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            head: head_bytes,
            shards,
        })
    }

    /// Every file of the state: its path and bytes.
    pub fn files(&self) -> impl Iterator<Item = (String, &[u8])> + '_ {
        std::iter::once((STATE_PATH.to_owned(), self.head.as_slice())).chain(
            (0u32..)
                .zip(&self.shards)
                .map(|(n, bytes)| (shard_path(n), bytes.as_slice())),
        )
    }

    /// Whether the state holds nothing (no render made it).
    pub fn is_empty(&self) -> bool {
        self.head.is_empty()
    }
}

/// The bytes of the state file `path` of unit `unit`, when they are the
/// ones `manifest` records for it.
pub(super) fn recorded_file(
    manifest: &Manifest,
    unit: &str,
    path: &str,
    read_file: impl Fn(&str) -> Option<Vec<u8>>,
) -> Option<Vec<u8>> {
    let recorded = &manifest.units.get(unit)?.inputs_digest;
    let bytes = read_file(path)?;
    (file_digest(&bytes) == *recorded).then_some(bytes)
}

/// The head, borrowed from its bytes.
#[derive(Serialize, Deserialize)]
pub(super) struct Head<'a> {
    format: u32,
    tool: &'a str,
    pub shards: u32,
    /// How many pages are in the index.
    pub indexed: u64,
    /// The bytes of entries and postings the shards hold: with
    /// [`shard_count`], how many shards there are.
    pub bytes: u64,
    /// Every group with its chunks (key and hash), sorted by key.
    #[serde(borrow)]
    pub groups: Vec<GroupChunks<'a>>,
}

/// A group's chunks, as the head lists them.
#[derive(Serialize, Deserialize)]
pub(super) struct GroupChunks<'a> {
    pub key: &'a str,
    #[serde(borrow)]
    pub chunks: Vec<(&'a str, &'a str)>,
}

impl<'a> Head<'a> {
    /// A head of this format and program, or `None`.
    pub(super) fn read(bytes: &'a [u8]) -> Option<Self> {
        let head: Self = postcard::from_bytes(bytes).ok()?;
        (head.format == FORMAT && head.tool == tool_fingerprint() && head.shards > 0)
            .then_some(head)
    }

    /// The head of a state of `shards` shards.
    pub(super) fn new(
        shards: u32,
        indexed: u64,
        bytes: u64,
        groups: impl Iterator<Item = GroupChunks<'a>>,
    ) -> Self {
        Self {
            format: FORMAT,
            tool: tool_fingerprint(),
            shards,
            indexed,
            bytes,
            groups: groups.collect(),
        }
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        // Serialising finite values into memory cannot fail.
        postcard::to_allocvec(self).unwrap_or_default()
    }
}

/// A shard, borrowed from its bytes.
#[derive(Serialize, Deserialize)]
pub(super) struct Shard<'a> {
    format: u32,
    tool: &'a str,
    /// Its pages, sorted by unit id.
    #[serde(borrow)]
    pub pages: Vec<StoredPage<'a>>,
    /// Its groups' postings, sorted by key.
    #[serde(borrow)]
    pub groups: Vec<ShardGroup<'a>>,
}

/// A group's postings in a shard.
#[derive(Clone, Copy, Serialize, Deserialize)]
pub(super) struct ShardGroup<'a> {
    pub key: &'a str,
    /// The group's postings, encoded (see `index.rs`).
    #[serde(serialize_with = "super::index::as_bytes")]
    pub postings: &'a [u8],
}

impl<'a> Shard<'a> {
    /// A shard of this format and program, or `None`.
    pub(super) fn read(bytes: &'a [u8]) -> Option<Self> {
        let shard: Self = postcard::from_bytes(bytes).ok()?;
        (shard.format == FORMAT && shard.tool == tool_fingerprint()).then_some(shard)
    }

    /// A shard of these pages and groups (each sorted).
    pub(super) fn new(pages: Vec<StoredPage<'a>>, groups: Vec<ShardGroup<'a>>) -> Self {
        Self {
            format: FORMAT,
            tool: tool_fingerprint(),
            pages,
            groups,
        }
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        // Sized exactly: shards are mostly byte slices, cheap to count.
        let capacity = postcard::experimental::serialized_size(self).unwrap_or_default();
        postcard::to_extend(self, Vec::with_capacity(capacity)).unwrap_or_default()
    }
}

/// A state decoded whole, borrowed from its bytes: what a whole render
/// updates the index from.
pub(crate) struct StoredState<'a> {
    head: Head<'a>,
    shards: Vec<Shard<'a>>,
}

impl<'a> StoredState<'a> {
    /// The state `state` holds, if this program wrote it.
    pub(crate) fn read(state: &'a SearchState) -> Option<Self> {
        let head = Head::read(&state.head)?;
        if state.shards.len() != head.shards as usize {
            return None;
        }
        let shards = state
            .shards
            .iter()
            .map(|bytes| Shard::read(bytes))
            .collect::<Option<Vec<_>>>()?;
        Some(Self { head, shards })
    }

    /// The stored entry of a page unit, if it was recorded with `inputs`.
    pub(crate) fn page(&self, unit: &str, inputs: &str) -> Option<&'a [u8]> {
        let shard = &self.shards[shard_of(unit, self.head.shards) as usize];
        let index = shard
            .pages
            .binary_search_by(|page| page.unit.cmp(unit))
            .ok()?;
        let page = shard.pages[index];
        (page.inputs == inputs).then_some(page.entry)
    }

    /// Every page unit's id, inputs digest and entry (in no order).
    pub(super) fn pages(&self) -> impl Iterator<Item = (&'a str, &'a [u8])> + '_ {
        self.shards
            .iter()
            .flat_map(|shard| shard.pages.iter().map(|page| (page.unit, page.entry)))
    }

    /// Every group: its key, chunks and encoded postings.
    pub(super) fn groups(&self) -> impl Iterator<Item = StoredGroup<'_>> + '_ {
        self.head.groups.iter().filter_map(|group| {
            let shard = &self.shards[shard_of(group.key, self.head.shards) as usize];
            let index = shard
                .groups
                .binary_search_by(|stored| stored.key.cmp(group.key))
                .ok()?;
            Some(StoredGroup {
                key: group.key,
                chunks: &group.chunks,
                postings: shard.groups[index].postings,
            })
        })
    }
}

/// A group of a stored state.
#[derive(Clone, Copy)]
pub(super) struct StoredGroup<'a> {
    pub key: &'a str,
    pub chunks: &'a [(&'a str, &'a str)],
    pub postings: &'a [u8],
}

impl StoredGroup<'_> {
    pub(super) fn owned(&self) -> OwnedGroup {
        OwnedGroup {
            key: self.key.to_owned(),
            chunks: self
                .chunks
                .iter()
                .map(|(c, h)| ((*c).to_owned(), (*h).to_owned()))
                .collect(),
            postings: self.postings.to_vec(),
        }
    }
}

/// The state of `pages` (sorted by unit) and `groups` (sorted by key), as
/// a whole render writes it.
pub(super) fn encode_state<'a>(
    pages: impl Iterator<Item = StoredPage<'a>>,
    groups: impl Iterator<Item = &'a OwnedGroup>,
) -> SearchState {
    let pages: Vec<StoredPage<'a>> = pages.collect();
    let groups: Vec<&OwnedGroup> = groups.collect();
    let bytes = state_bytes(
        pages.iter().map(|page| page.entry.len()),
        groups.iter().map(|group| group.postings.len()),
    );
    let count = shard_count(bytes);
    let mut shard_pages: Vec<Vec<StoredPage<'_>>> = vec![Vec::new(); count as usize];
    for page in &pages {
        shard_pages[shard_of(page.unit, count) as usize].push(*page);
    }
    let mut shard_groups: Vec<Vec<ShardGroup<'_>>> = vec![Vec::new(); count as usize];
    for group in &groups {
        shard_groups[shard_of(&group.key, count) as usize].push(ShardGroup {
            key: &group.key,
            postings: &group.postings,
        });
    }
    // Up to 256 shards of about 64 KB, each encoded on its own: on a cold
    // build they were one core's work at the end of the render.
    let shards = shard_pages
        .into_par_iter()
        .zip(shard_groups)
        .map(|(pages, groups)| Arc::new(Shard::new(pages, groups).encode()))
        .collect();
    let indexed = pages
        .iter()
        .filter(|page| super::index::is_indexed(page.entry))
        .count() as u64;
    let head = Head::new(
        count,
        indexed,
        bytes,
        groups.iter().map(|g| g.chunks_listed()),
    );
    SearchState {
        head: head.encode(),
        shards,
    }
}

/// The size that sets the number of shards: every page's entry and every
/// group's postings.
pub(super) fn state_bytes(
    entries: impl Iterator<Item = usize>,
    postings: impl Iterator<Item = usize>,
) -> u64 {
    (entries.sum::<usize>() + postings.sum::<usize>()) as u64
}

impl OwnedGroup {
    /// The group's chunks as the head lists them.
    pub(super) fn chunks_listed(&self) -> GroupChunks<'_> {
        GroupChunks {
            key: &self.key,
            chunks: self
                .chunks
                .iter()
                .map(|(c, h)| (c.as_str(), h.as_str()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_grow_by_powers_of_two_with_the_state_up_to_a_bound() {
        assert_eq!(shard_count(0), 1);
        assert_eq!(shard_count(SHARD_BYTES), 1);
        assert_eq!(shard_count(SHARD_BYTES + 1), 2);
        assert_eq!(shard_count(5 * SHARD_BYTES), 8);
        assert_eq!(shard_count(u64::MAX / 2), MAX_SHARDS);
    }

    #[test]
    fn state_paths_are_the_head_and_numbered_shards_only() {
        assert!(is_search_state_path(".gazette-search"));
        assert!(is_search_state_path(&shard_path(12)));
        assert!(!is_search_state_path(".gazette-search-"));
        assert!(!is_search_state_path(".gazette-search-x"));
        assert!(!is_search_state_path(".gazette-searches"));
        assert!(!is_search_state_path("search-index/index.json"));
    }
}
