//! The chunked index and the state it is updated from.
//!
//! The index is a pure function of the indexed pages (their ids, terms and
//! weights), so an update gives the bytes a clean build gives. Terms are
//! grouped by their first two characters ([`group_of`]); a group with more
//! than [`CHUNK_POSTINGS`] postings is split by longer prefixes, each part
//! a chunk file (`search-index/t/<key>.json`), and `search-index/index.json`
//! names every chunk with a hash of its bytes.
//!
//! The state (`.gazette-search` in the output) holds each page unit's
//! entry (its inputs digest and indexed terms) and each group's postings,
//! all as bytes decoded only when needed: an update compares every page's
//! entry with the one stored, and decodes, changes and writes again only
//! the groups holding a term of a changed page, before or after.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::manifest::tool_fingerprint;
use crate::search::tokens::{group_of, key_file_name, prefix};

/// The version of the stored state and of the files the theme's script reads.
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
/// sorted by term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IndexedPage {
    pub id: String,
    pub terms: Vec<(String, u8)>,
}

/// The postings of a group: each term's pages (id, weight), sorted by id.
type Postings = BTreeMap<String, Vec<(String, u8)>>;

/// The stored state, borrowed from its bytes.
#[derive(Serialize, Deserialize)]
pub(crate) struct Stored<'a> {
    format: u32,
    tool: &'a str,
    /// Every page unit, sorted by unit id.
    #[serde(borrow)]
    pages: Vec<StoredPage<'a>>,
    /// Every group, sorted by key.
    #[serde(borrow)]
    groups: Vec<StoredGroup<'a>>,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
struct StoredPage<'a> {
    unit: &'a str,
    inputs: &'a str,
    /// An `Option<IndexedPage>`: `None` for a page left out of the index.
    entry: &'a [u8],
}

#[derive(Clone, Serialize, Deserialize)]
struct StoredGroup<'a> {
    key: &'a str,
    /// Each chunk's key and the hash of its file.
    #[serde(borrow)]
    chunks: Vec<(&'a str, &'a str)>,
    /// The group's [`Postings`].
    postings: &'a [u8],
}

impl<'a> Stored<'a> {
    /// A stored state of this format and program, or `None`.
    pub(crate) fn read(bytes: &'a [u8]) -> Option<Self> {
        let stored: Self = postcard::from_bytes(bytes).ok()?;
        (stored.format == FORMAT && stored.tool == tool_fingerprint()).then_some(stored)
    }

    /// The stored entry of a page unit, if it was recorded with `inputs`.
    pub(crate) fn page(&self, unit: &str, inputs: &str) -> Option<&'a [u8]> {
        let index = self
            .pages
            .binary_search_by(|page| page.unit.cmp(unit))
            .ok()?;
        let page = self.pages[index];
        (page.inputs == inputs).then_some(page.entry)
    }

    /// Every page unit's id, inputs digest and entry.
    pub(crate) fn pages(&self) -> impl Iterator<Item = (&'a str, &'a str, &'a [u8])> + '_ {
        self.pages.iter().map(|p| (p.unit, p.inputs, p.entry))
    }
}

/// A page unit of the site now, for an update.
pub(crate) struct CurrentPage<'a> {
    pub unit: &'a str,
    pub inputs: &'a str,
    /// The encoded `Option<IndexedPage>`.
    pub entry: std::borrow::Cow<'a, [u8]>,
}

/// Encodes what a page gives the index.
pub(crate) fn encode_entry(entry: Option<&IndexedPage>) -> Vec<u8> {
    postcard::to_allocvec(&entry).unwrap_or_default()
}

fn decode_entry(bytes: &[u8]) -> Option<IndexedPage> {
    postcard::from_bytes::<Option<IndexedPage>>(bytes)
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

/// The index after an update: its files and the new state.
pub(crate) struct Updated {
    pub files: Vec<IndexFile>,
    pub state: Vec<u8>,
}

/// The unit id of a chunk.
pub(crate) fn chunk_unit(key: &str) -> String {
    format!("search:chunk:{key}")
}

/// The index of `current` pages, updating `previous` (the last state, if
/// any): groups no page changed keep their bytes and files, when
/// `reusable(unit, digest)` says the previous output holds them.
pub(crate) fn update(
    previous: Option<&Stored<'_>>,
    current: &[CurrentPage<'_>],
    reusable: impl Fn(&str, &str) -> bool,
) -> Updated {
    // What changed pages take out of and put into each group.
    let mut change = Change::default();
    let old_pages: BTreeMap<&str, &[u8]> = previous
        .map(|stored| stored.pages.iter().map(|p| (p.unit, p.entry)).collect())
        .unwrap_or_default();
    let mut seen = BTreeSet::new();
    for page in current {
        seen.insert(page.unit);
        let old = old_pages.get(page.unit).copied();
        if old == Some(page.entry.as_ref()) {
            continue;
        }
        change.replace(old, &page.entry);
    }
    for (unit, entry) in &old_pages {
        if !seen.contains(unit) {
            change.replace(Some(entry), &encode_entry(None));
        }
    }
    let Change {
        removed,
        added,
        mut touched,
    } = change;

    let old_groups: BTreeMap<&str, &StoredGroup<'_>> = previous
        .map(|stored| stored.groups.iter().map(|g| (g.key, g)).collect())
        .unwrap_or_default();
    // A group whose chunks the previous output does not hold is rebuilt.
    for (key, group) in &old_groups {
        if group
            .chunks
            .iter()
            .any(|(chunk, hash)| !reusable(&chunk_unit(chunk), hash))
        {
            touched.insert((*key).to_owned());
        }
    }

    let mut groups: Vec<OwnedGroup> = Vec::new();
    let mut files = Vec::new();
    let mut all_keys: BTreeSet<String> = old_groups.keys().map(|k| (*k).to_owned()).collect();
    all_keys.extend(touched.iter().cloned());
    for key in all_keys {
        let old = old_groups.get(key.as_str());
        if !touched.contains(&key) {
            let Some(old) = old else { continue };
            for (chunk, hash) in &old.chunks {
                files.push(IndexFile {
                    unit: chunk_unit(chunk),
                    digest: (*hash).to_owned(),
                    path: chunk_path(chunk),
                    bytes: None,
                });
            }
            groups.push(OwnedGroup {
                key,
                chunks: old
                    .chunks
                    .iter()
                    .map(|(c, h)| ((*c).to_owned(), (*h).to_owned()))
                    .collect(),
                postings: old.postings.to_vec(),
            });
            continue;
        }
        let mut postings: Postings = old
            .and_then(|g| postcard::from_bytes(g.postings).ok())
            .unwrap_or_default();
        if let Some(gone) = removed.get(key.as_str()) {
            for (term, id) in gone {
                if let Some(list) = postings.get_mut(term) {
                    list.retain(|(page, _)| page != id);
                }
            }
        }
        if let Some(new) = added.get(key.as_str()) {
            for (term, id, weight) in new {
                let list = postings.entry(term.clone()).or_default();
                match list.binary_search_by(|(page, _)| page.cmp(id)) {
                    Ok(at) => list[at].1 = list[at].1.max(*weight),
                    Err(at) => list.insert(at, (id.clone(), *weight)),
                }
            }
        }
        postings.retain(|_, list| !list.is_empty());
        if postings.is_empty() {
            continue;
        }
        let mut chunks = Vec::new();
        let terms: Vec<(&String, &Vec<(String, u8)>)> = postings.iter().collect();
        split(&terms, &key, &mut chunks);
        let mut recorded = Vec::with_capacity(chunks.len());
        for (chunk, range) in chunks {
            let bytes = chunk_json(&terms[range]);
            let hash = blake3::hash(&bytes).to_hex()[..32].to_owned();
            let unit = chunk_unit(&chunk);
            let keep = reusable(&unit, &hash);
            files.push(IndexFile {
                unit,
                digest: hash.clone(),
                path: chunk_path(&chunk),
                bytes: (!keep).then_some(bytes),
            });
            recorded.push((chunk, hash));
        }
        groups.push(OwnedGroup {
            key,
            chunks: recorded,
            postings: postcard::to_allocvec(&postings).unwrap_or_default(),
        });
    }

    let pages: Vec<StoredPage<'_>> = current
        .iter()
        .map(|page| StoredPage {
            unit: page.unit,
            inputs: page.inputs,
            entry: &page.entry,
        })
        .collect();
    let index = index_json(&groups, current);
    files.push(file("search:index", INDEX_PATH, index, &reusable));
    let stored = Stored {
        format: FORMAT,
        tool: tool_fingerprint(),
        pages,
        groups: groups
            .iter()
            .map(|group| StoredGroup {
                key: &group.key,
                chunks: group
                    .chunks
                    .iter()
                    .map(|(c, h)| (c.as_str(), h.as_str()))
                    .collect(),
                postings: &group.postings,
            })
            .collect(),
    };
    let state = postcard::to_allocvec(&stored).unwrap_or_default();
    files.push(file(
        "search:state",
        super::STATE_PATH,
        state.clone(),
        &reusable,
    ));
    Updated { files, state }
}

/// What changed pages take out of and put into each group.
#[derive(Default)]
struct Change {
    /// (term, page id) pairs to remove, by group.
    removed: BTreeMap<String, BTreeSet<(String, String)>>,
    /// (term, page id, weight) to add, by group.
    added: BTreeMap<String, Vec<(String, String, u8)>>,
    /// Every group either touches.
    touched: BTreeSet<String>,
}

impl Change {
    /// A page's entry `old` (none: a new page) replaced by `new`: only the
    /// postings that differ are taken out and put in, so a small edit
    /// touches the groups of the words it changed.
    fn replace(&mut self, old: Option<&[u8]>, new: &[u8]) {
        let old = old.and_then(decode_entry);
        let new = decode_entry(new);
        let same_id = matches!((&old, &new), (Some(a), Some(b)) if a.id == b.id);
        let kept: BTreeSet<(&str, u8)> = match (&old, &new) {
            (Some(old), Some(new)) if same_id => {
                let before: BTreeSet<(&str, u8)> =
                    old.terms.iter().map(|(t, w)| (t.as_str(), *w)).collect();
                new.terms
                    .iter()
                    .map(|(t, w)| (t.as_str(), *w))
                    .filter(|posting| before.contains(posting))
                    .collect()
            }
            _ => BTreeSet::new(),
        };
        if let Some(old) = &old {
            for (term, weight) in &old.terms {
                if kept.contains(&(term.as_str(), *weight)) {
                    continue;
                }
                let group = group_of(term).to_owned();
                self.touched.insert(group.clone());
                self.removed
                    .entry(group)
                    .or_default()
                    .insert((term.clone(), old.id.clone()));
            }
        }
        if let Some(new) = &new {
            for (term, weight) in &new.terms {
                if kept.contains(&(term.as_str(), *weight)) {
                    continue;
                }
                let group = group_of(term).to_owned();
                self.touched.insert(group.clone());
                self.added
                    .entry(group)
                    .or_default()
                    .push((term.clone(), new.id.clone(), *weight));
            }
        }
    }
}

struct OwnedGroup {
    key: String,
    chunks: Vec<(String, String)>,
    postings: Vec<u8>,
}

/// An index file whose bytes are written only when they changed.
fn file(
    unit: &str,
    path: &str,
    bytes: Vec<u8>,
    reusable: &impl Fn(&str, &str) -> bool,
) -> IndexFile {
    let digest = blake3::hash(&bytes).to_hex()[..32].to_owned();
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
fn split(
    terms: &[(&String, &Vec<(String, u8)>)],
    key: &str,
    out: &mut Vec<(String, std::ops::Range<usize>)>,
) {
    split_from(terms, 0, key, out);
}

fn split_from(
    terms: &[(&String, &Vec<(String, u8)>)],
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
fn chunk_json(terms: &[(&String, &Vec<(String, u8)>)]) -> Vec<u8> {
    let mut out = String::from("{");
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
            out.push_str(&format!("\"{id}\",{weight}"));
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
fn index_json(groups: &[OwnedGroup], current: &[CurrentPage<'_>]) -> Vec<u8> {
    // postcard writes `Some` as a first byte of 1.
    let pages = current
        .iter()
        .filter(|page| page.entry.first() == Some(&1))
        .count();
    let mut chunks = String::new();
    for group in groups {
        for (key, hash) in &group.chunks {
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
