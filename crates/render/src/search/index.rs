//! The chunked index and the state it is updated from.
//!
//! The index is a pure function of the indexed pages (their ids, terms and
//! weights), so an update gives the bytes a clean build gives. Terms are
//! grouped by their first two characters ([`group_of`]); a group with more
//! than [`CHUNK_POSTINGS`] postings is split by longer prefixes, each part
//! a chunk file (`search-index/t/<key>.json`), and `search-index/index.json`
//! names every chunk with a hash of its bytes.
//!
//! The state (`state.rs`) holds each page unit's entry (its inputs digest
//! and indexed terms) and each group's postings, all as bytes decoded only
//! when needed: an update compares every page's entry with the one stored,
//! and decodes, changes and writes again only the groups holding a term of
//! a changed page, before or after.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::search::state::{
    STATE_UNIT, SearchState, StoredGroup, StoredState, encode_state, shard_unit,
};
use crate::search::tokens::{group_of, key_file_name, prefix};

/// The version of the files the theme's script reads.
pub(crate) const FORMAT: u32 = 1;

/// How many postings a chunk holds before its group is split by a longer
/// prefix: about 40 KB of JSON, a quick fetch even on a slow line.
pub(crate) const CHUNK_POSTINGS: usize = 2000;

/// No chunk key is longer than this many characters: a group of one very
/// common long word stays one chunk.
const MAX_KEY_CHARS: usize = 8;

/// Where the chunks and the list of chunks are written.
pub(crate) const INDEX_PATH: &str = "search-index/index.json";

/// A page as the index holds it: its id and its terms with their weights,
/// sorted by term. Terms borrow the page's text where it already has them
/// lower-cased: the entry is encoded at once, and a copy of every term of
/// every page only to encode it was measurable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct IndexedPage<'a> {
    pub id: String,
    pub terms: Vec<(Cow<'a, str>, u8)>,
}

/// The postings of a group: each term's pages (id, weight), sorted by id.
/// Borrowed from the stored bytes and from the changed pages: a large
/// group holds tens of thousands of postings, and one allocation for each
/// was most of what an edit to it cost.
type Postings<'a> = BTreeMap<&'a str, Vec<(&'a str, u8)>>;

/// A page unit as the state stores it.
#[derive(Clone, Copy, Serialize, Deserialize)]
pub(super) struct StoredPage<'a> {
    pub unit: &'a str,
    pub inputs: &'a str,
    /// An `Option<IndexedPage>`: `None` for a page left out of the index.
    #[serde(serialize_with = "as_bytes")]
    pub entry: &'a [u8],
}

/// Writes a byte slice in one piece. Serde's default for `&[u8]` is a
/// sequence of `u8`, which postcard writes a byte at a time (the state is
/// 37 MB at 10,000 pages); postcard writes both forms alike (a length,
/// then the bytes), so the state's bytes do not change.
pub(super) fn as_bytes<S: serde::Serializer>(
    bytes: &&[u8],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_bytes(bytes)
}

/// A page unit of the site now, for an update.
pub(crate) struct CurrentPage<'a> {
    pub unit: &'a str,
    pub inputs: &'a str,
    /// The encoded `Option<IndexedPage>`.
    pub entry: Cow<'a, [u8]>,
}

/// Encodes what a page gives the index.
pub(crate) fn encode_entry(entry: Option<&IndexedPage<'_>>) -> Vec<u8> {
    postcard::to_allocvec(&entry).unwrap_or_default()
}

/// A page's entry decoded in place: its strings borrow the entry's bytes
/// (postcard writes a `String` and a `&str` alike). On a cold build every
/// page is decoded, and a copy of each term was tens of MB at the peak.
#[derive(Deserialize)]
pub(super) struct PageTerms<'a> {
    id: &'a str,
    #[serde(borrow)]
    terms: Vec<(&'a str, u8)>,
}

pub(super) fn decode_entry(bytes: &[u8]) -> Option<PageTerms<'_>> {
    postcard::from_bytes::<Option<PageTerms<'_>>>(bytes)
        .ok()
        .flatten()
}

/// One file of the index: its unit id, the digest its unit is recorded
/// with (the hash of its bytes), its path, and its bytes when they must be
/// written (`None`: the previous output holds them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexFile {
    pub unit: String,
    pub digest: String,
    pub path: String,
    pub bytes: Option<Vec<u8>>,
}

/// The index after an update: its files (the state's among them) and the
/// new state.
#[derive(Default)]
pub(crate) struct Updated {
    pub files: Vec<IndexFile>,
    pub state: SearchState,
}

/// The unit id of a chunk.
pub(crate) fn chunk_unit(key: &str) -> String {
    format!("search:chunk:{key}")
}

/// The index of `current` pages, updating `previous` (the last state, if
/// any): groups no page changed keep their bytes and files, when
/// `reusable(unit, digest)` says the previous output holds them.
pub(crate) fn update(
    previous: Option<&StoredState<'_>>,
    current: &[CurrentPage<'_>],
    reusable: impl Fn(&str, &str) -> bool + Sync,
) -> Updated {
    // The pages whose entry changed, decoded (in parallel: on a cold build
    // that is every page).
    let old_pages: HashMap<&str, &[u8]> = previous
        .map(|stored| stored.pages().collect())
        .unwrap_or_default();
    let current_units: HashSet<&str> = current.iter().map(|page| page.unit).collect();
    // Each changed page's entry before and after (none: not in the index).
    type EntryChange<'e> = (Option<&'e [u8]>, Option<&'e [u8]>);
    let mut changed: Vec<EntryChange<'_>> = current
        .iter()
        .filter_map(|page| {
            let old = old_pages.get(page.unit).copied();
            // A page edit hands back the stored entry itself for every
            // page it did not render: no need to compare its bytes.
            let same = old.is_some_and(|old| {
                std::ptr::eq(old, page.entry.as_ref()) || old == page.entry.as_ref()
            });
            (!same).then_some((old, Some(page.entry.as_ref())))
        })
        .collect();
    changed.extend(
        old_pages
            .iter()
            .filter(|(unit, _)| !current_units.contains(*unit))
            .map(|(_, entry)| (Some(*entry), None)),
    );
    // Decoded and diffed a batch at a time, each batch in parallel: its
    // pieces diff into changes of their own, appended in order, so the
    // pages are numbered as one pass would number them. The changes borrow
    // the entries' bytes, not the decoded pages, so no more than a piece
    // is held decoded, and no more than a batch's changes twice.
    let mut changes = Changes::default();
    for batch in changed.chunks(DECODE_BATCH) {
        let pieces: Vec<Changes<'_>> = batch
            .par_chunks(DIFF_PIECE)
            .map(|piece| {
                let mut changes = Changes::default();
                for (old, new) in piece {
                    let (old, new) = (old.and_then(decode_entry), new.and_then(decode_entry));
                    diff_pages(old.as_ref(), new.as_ref(), &mut changes);
                }
                changes
            })
            .collect();
        for piece in pieces {
            changes.append(piece);
        }
    }

    let old_groups: HashMap<&str, StoredGroup<'_>> = previous
        .map(|stored| stored.groups().map(|g| (g.key, g)).collect())
        .unwrap_or_default();
    // Every group of the index, in key order: the stored state and the list
    // of chunks follow it.
    let mut keys: Vec<&str> = old_groups.keys().copied().collect();
    let (ids, changed_groups) = changes.in_id_order();
    keys.extend(
        changed_groups
            .keys()
            .copied()
            .filter(|key| !old_groups.contains_key(key)),
    );
    keys.sort_unstable();
    let results: Vec<(Option<OwnedGroup>, Vec<IndexFile>)> = keys
        .par_iter()
        .map(|key| {
            group_update(
                key,
                old_groups.get(key),
                changed_groups.get(key),
                &ids,
                &reusable,
            )
        })
        .collect();
    // The changes are most of a cold build's peak memory: gone before the
    // state is encoded.
    drop(keys);
    drop(changed_groups);
    drop(ids);
    let mut groups = Vec::with_capacity(results.len());
    let mut files = Vec::new();
    for (group, group_files) in results {
        groups.extend(group);
        files.extend(group_files);
    }

    let pages = current.iter().map(|page| StoredPage {
        unit: page.unit,
        inputs: page.inputs,
        entry: &page.entry,
    });
    let indexed = current
        .iter()
        .filter(|page| is_indexed(&page.entry))
        .count();
    let index = index_json(groups.iter().map(|g| g.chunks.as_slice()), indexed);
    files.push(file("search:index", INDEX_PATH, index, &reusable));
    let state = encode_state(pages, groups.iter());
    files.extend(state_files(&state, &reusable));
    Updated { files, state }
}

/// The files of `state`, each written only when its bytes changed.
pub(super) fn state_files(
    state: &SearchState,
    reusable: &(impl Fn(&str, &str) -> bool + Sync),
) -> Vec<IndexFile> {
    let files: Vec<(String, &[u8])> = state.files().collect();
    // Hashed side by side: a cold build writes every shard.
    files
        .into_par_iter()
        .enumerate()
        .map(|(position, (path, bytes))| {
            // The head first, then shard 0, 1, …
            let unit = match position.checked_sub(1) {
                None => STATE_UNIT.to_owned(),
                Some(n) => shard_unit(n as u32),
            };
            // Copied only when written: most shards are kept.
            let digest = file_digest(bytes);
            let keep = reusable(&unit, &digest);
            IndexFile {
                unit,
                digest,
                path,
                bytes: (!keep).then(|| bytes.to_vec()),
            }
        })
        .collect()
}

/// Whether an encoded entry is a page in the index: postcard writes `Some`
/// as a first byte of 1.
pub(super) fn is_indexed(entry: &[u8]) -> bool {
    entry.first() == Some(&1)
}

/// How many changed pages are diffed before their pieces are appended
/// (each piece's changes are held twice while it is appended).
const DECODE_BATCH: usize = 256;

/// Pages diffed by one task of a batch.
const DIFF_PIECE: usize = 16;

/// What changed pages take out of and put into each group.
#[derive(Default)]
pub(super) struct Changes<'a> {
    /// Each changed page's id: a change names its page by its place here,
    /// 4 bytes instead of a 16-byte slice, for one change per posting of
    /// every page on a cold build.
    ids: Vec<&'a str>,
    /// Each changed group's change, by key.
    pub groups: HashMap<&'a str, GroupChange<'a>>,
}

/// The ids of a change's pages, sorted and each once: a change's page
/// numbers, once renumbered by [`Changes::in_id_order`], sort as the ids
/// they name do.
pub(super) struct PageIds<'a>(Vec<&'a str>);

impl<'a> PageIds<'a> {
    fn get(&self, page: u32) -> &'a str {
        self.0[page as usize]
    }
}

/// What changed pages take out of and put into one group.
#[derive(Default)]
pub(super) struct GroupChange<'a> {
    /// (term, page) pairs to remove; a page is its place in [`Changes::ids`].
    removed: Vec<(&'a str, u32)>,
    /// (term, page, weight) to add.
    added: Vec<(&'a str, u32, u8)>,
}

impl<'a> Changes<'a> {
    /// The change with its pages numbered in the order of their ids, one
    /// number per id (a page taken out and put back in shares it): a term's
    /// postings are kept in id order, and a cold build's (every page added)
    /// then sort by number, not by comparing ids.
    pub(super) fn in_id_order(mut self) -> (PageIds<'a>, HashMap<&'a str, GroupChange<'a>>) {
        let mut order: Vec<u32> = (0..self.ids.len() as u32).collect();
        order.sort_unstable_by_key(|&page| self.ids[page as usize]);
        let mut sorted: Vec<&str> = Vec::with_capacity(self.ids.len());
        let mut number = vec![0; self.ids.len()];
        for page in order {
            let id = self.ids[page as usize];
            if sorted.last() != Some(&id) {
                sorted.push(id);
            }
            number[page as usize] = (sorted.len() - 1) as u32;
        }
        for change in self.groups.values_mut() {
            for (_, page) in &mut change.removed {
                *page = number[*page as usize];
            }
            for (_, page, _) in &mut change.added {
                *page = number[*page as usize];
            }
        }
        (PageIds(sorted), self.groups)
    }

    /// Appends `later`, the changes of the pages after this one's: its
    /// pages are numbered after this one's, as if one change had seen
    /// them all.
    fn append(&mut self, later: Changes<'a>) {
        let offset = u32::try_from(self.ids.len()).expect("fewer than 2^32 changed pages");
        self.ids.extend(later.ids);
        for (key, change) in later.groups {
            let merged = self.groups.entry(key).or_default();
            merged.removed.extend(
                change
                    .removed
                    .into_iter()
                    .map(|(term, page)| (term, page + offset)),
            );
            merged.added.extend(
                change
                    .added
                    .into_iter()
                    .map(|(term, page, weight)| (term, page + offset, weight)),
            );
        }
    }

    /// The number that names page `id` in this change.
    fn page(&mut self, id: &'a str) -> u32 {
        // Two pages' changes for each of 4 billion pages would not fit
        // in memory long before this number overflows.
        let number = u32::try_from(self.ids.len()).expect("fewer than 2^32 changed pages");
        self.ids.push(id);
        number
    }
}

/// A page's entry `old` (none: a new page) replaced by `new` (none: a page
/// gone or left out): only the postings that differ are taken out and put
/// in, so a small edit touches the groups of the words it changed.
pub(super) fn diff_pages<'a>(
    old: Option<&PageTerms<'a>>,
    new: Option<&PageTerms<'a>>,
    changes: &mut Changes<'a>,
) {
    let kept: HashSet<(&str, u8)> = match (old, new) {
        (Some(old), Some(new)) if old.id == new.id => {
            let before: HashSet<(&str, u8)> = old.terms.iter().copied().collect();
            new.terms
                .iter()
                .copied()
                .filter(|posting| before.contains(posting))
                .collect()
        }
        _ => HashSet::default(),
    };
    if let Some(old) = old {
        let page = changes.page(old.id);
        for &(term, weight) in &old.terms {
            if !kept.contains(&(term, weight)) {
                let change = changes.groups.entry(group_of(term)).or_default();
                change.removed.push((term, page));
            }
        }
    }
    if let Some(new) = new {
        let page = changes.page(new.id);
        for &(term, weight) in &new.terms {
            if !kept.contains(&(term, weight)) {
                let change = changes.groups.entry(group_of(term)).or_default();
                change.added.push((term, page, weight));
            }
        }
    }
}

/// One group after an update: kept as it was when no page changed it and
/// the previous output holds its chunks, otherwise its postings changed and
/// its chunks written again. `None` for a group left with no postings.
fn group_update(
    key: &str,
    old: Option<&StoredGroup<'_>>,
    change: Option<&GroupChange<'_>>,
    ids: &PageIds<'_>,
    reusable: &(impl Fn(&str, &str) -> bool + Sync),
) -> (Option<OwnedGroup>, Vec<IndexFile>) {
    let chunks_kept = old.is_some_and(|group| {
        group
            .chunks
            .iter()
            .all(|(chunk, hash)| reusable(&chunk_unit(chunk), hash))
    });
    if let (Some(old), None, true) = (old, change, chunks_kept) {
        let files = old
            .chunks
            .iter()
            .map(|(chunk, hash)| IndexFile {
                unit: chunk_unit(chunk),
                digest: (*hash).to_owned(),
                path: chunk_path(chunk),
                bytes: None,
            })
            .collect();
        return (Some(old.owned()), files);
    }

    let Some((group, bytes)) = rebuild_group(key, old.map(|g| g.postings), change, ids) else {
        return (None, Vec::new());
    };
    let files = group
        .chunks
        .iter()
        .zip(bytes)
        .map(|((chunk, hash), bytes)| {
            let unit = chunk_unit(chunk);
            let keep = reusable(&unit, hash);
            IndexFile {
                unit,
                digest: hash.clone(),
                path: chunk_path(chunk),
                bytes: (!keep).then_some(bytes),
            }
        })
        .collect();
    (Some(group), files)
}

/// A group's postings (`old`, encoded; none for a new group) with `change`
/// applied, cut into chunks: the group, with each chunk's key and hash, and
/// each chunk's bytes in the same order. `None` when no posting is left.
/// `ids` names the change's pages.
pub(super) fn rebuild_group<'a>(
    key: &str,
    old: Option<&'a [u8]>,
    change: Option<&GroupChange<'a>>,
    ids: &PageIds<'a>,
) -> Option<(OwnedGroup, Vec<Vec<u8>>)> {
    let mut postings: Postings<'a> = old
        .and_then(|bytes| postcard::from_bytes(bytes).ok())
        .unwrap_or_default();
    if let Some(change) = change {
        apply_change(&mut postings, change, ids);
    }
    if postings.is_empty() {
        return None;
    }
    let mut chunks = Vec::new();
    let terms: Vec<Term<'_>> = postings.iter().map(|(t, l)| (*t, l.as_slice())).collect();
    split(&terms, key, &mut chunks);
    let mut bytes = Vec::with_capacity(chunks.len());
    let mut recorded = Vec::with_capacity(chunks.len());
    for (chunk, range) in chunks {
        let json = chunk_json(&terms[range]);
        recorded.push((chunk, file_digest(&json)));
        bytes.push(json);
    }
    let group = OwnedGroup {
        key: key.to_owned(),
        chunks: recorded,
        postings: postcard::to_allocvec(&postings).unwrap_or_default(),
    };
    Some((group, bytes))
}

/// Takes a group's removed postings out and puts its added ones in. Each
/// term's list stays sorted by page id with one posting per page (the
/// highest weight when a page is added twice): changes are sorted and
/// merged a term at a time rather than inserted one by one, which on a cold
/// build (every page added) would shift long lists once per page.
fn apply_change<'a>(postings: &mut Postings<'a>, change: &GroupChange<'a>, ids: &PageIds<'a>) {
    let mut removed: Vec<(&str, &str)> = change
        .removed
        .iter()
        .map(|&(term, page)| (term, ids.get(page)))
        .collect();
    removed.sort_unstable();
    for run in removed.chunk_by(|a, b| a.0 == b.0) {
        if let Some(list) = postings.get_mut(run[0].0) {
            list.retain(|(page, _)| run.binary_search(&(run[0].0, *page)).is_err());
        }
    }
    // Bucketed by term first: sorting the few distinct terms and then each
    // term's pages costs less than sorting every (term, page) pair. Page
    // numbers sort as their ids do (`PageIds`).
    let mut added: HashMap<&str, Vec<(u32, u8)>> = HashMap::default();
    for &(term, page, weight) in &change.added {
        added.entry(term).or_default().push((page, weight));
    }
    for (term, mut run) in added {
        run.sort_unstable();
        let list = postings.entry(term).or_default();
        list.extend(
            run.into_iter()
                .map(|(page, weight)| (ids.get(page), weight)),
        );
        // Stable: of two postings of one page, the kept one is the first.
        list.sort_by(|a, b| a.0.cmp(b.0));
        list.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 = kept.1.max(later.1);
            }
            same
        });
    }
    postings.retain(|_, list| !list.is_empty());
}

/// A term of a group with its postings.
type Term<'a> = (&'a str, &'a [(&'a str, u8)]);

/// A group as an update leaves it: its key, each chunk's key and hash, and
/// its encoded [`Postings`].
pub(super) struct OwnedGroup {
    pub key: String,
    pub chunks: Vec<(String, String)>,
    pub postings: Vec<u8>,
}

/// The digest an index file's unit is recorded with: the start of its
/// bytes' hash.
pub(super) fn file_digest(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..32].to_owned()
}

/// An index file whose bytes are written only when they changed.
pub(super) fn file(
    unit: &str,
    path: &str,
    bytes: Vec<u8>,
    reusable: &impl Fn(&str, &str) -> bool,
) -> IndexFile {
    let digest = file_digest(&bytes);
    let keep = reusable(unit, &digest);
    IndexFile {
        unit: unit.to_owned(),
        digest,
        path: path.to_owned(),
        bytes: (!keep).then_some(bytes),
    }
}

/// Where a chunk is written.
pub(crate) fn chunk_path(key: &str) -> String {
    format!("search-index/t/{}.json", key_file_name(key))
}

/// Splits a group's sorted terms into chunks of at most [`CHUNK_POSTINGS`]
/// postings, by ever longer prefixes; a term shorter than the prefix keeps
/// the shorter key (its own chunk).
fn split(terms: &[Term<'_>], key: &str, out: &mut Vec<(String, std::ops::Range<usize>)>) {
    split_from(terms, 0, key, out);
}

fn split_from(
    terms: &[Term<'_>],
    offset: usize,
    key: &str,
    out: &mut Vec<(String, std::ops::Range<usize>)>,
) {
    let count: usize = terms.iter().map(|(_, list)| list.len()).sum();
    let depth = key.chars().count();
    if count <= CHUNK_POSTINGS || depth >= MAX_KEY_CHARS || terms.len() == 1 {
        out.push((key.to_owned(), offset..offset + terms.len()));
        return;
    }
    // Sorted terms sharing a prefix are neighbours.
    let mut start = 0;
    while start < terms.len() {
        let sub = prefix(terms[start].0, depth + 1);
        let end = start
            + terms[start..]
                .iter()
                .take_while(|(term, _)| prefix(term, depth + 1) == sub)
                .count();
        if sub == key {
            // The term that is the key itself: a chunk of its own.
            out.push((key.to_owned(), offset + start..offset + end));
        } else {
            split_from(&terms[start..end], offset + start, sub, out);
        }
        start = end;
    }
}

/// A chunk as the browser reads it: `{"term": ["page id", weight, …], …}`.
fn chunk_json(terms: &[Term<'_>]) -> Vec<u8> {
    use std::fmt::Write as _;
    // A posting is `"<16 hex digits>",<weight>,`; terms add their name.
    let postings: usize = terms.iter().map(|(_, list)| list.len()).sum();
    let mut out = String::with_capacity(2 + postings * 22 + terms.len() * 16);
    out.push('{');
    for (position, (term, list)) in terms.iter().enumerate() {
        if position > 0 {
            out.push(',');
        }
        out.push_str(&json_string(term));
        out.push_str(":[");
        for (index, (id, weight)) in list.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(id);
            out.push_str("\",");
            // Weights are single digits (`IN_TITLE` + `OFTEN_IN_BODY` at
            // most): written without the formatting machinery.
            match weight {
                0..=9 => out.push(char::from(b'0' + weight)),
                _ => {
                    let _ = write!(out, "{weight}");
                }
            }
        }
        out.push(']');
    }
    out.push('}');
    out.into_bytes()
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// `search-index/index.json`: the format, how many pages are indexed, and
/// every chunk's key with the start of its hash (the browser adds it to the
/// chunk's URL, so a cached chunk is never read after it changed).
pub(super) fn index_json<'a>(
    groups: impl Iterator<Item = &'a [(String, String)]>,
    pages: usize,
) -> Vec<u8> {
    let mut chunks = String::new();
    for group in groups {
        for (key, hash) in group {
            if !chunks.is_empty() {
                chunks.push(',');
            }
            chunks.push_str(&json_string(key));
            chunks.push(':');
            chunks.push_str(&json_string(&hash[..12.min(hash.len())]));
        }
    }
    format!("{{\"format\":{FORMAT},\"pages\":{pages},\"chunks\":{{{chunks}}}}}").into_bytes()
}
