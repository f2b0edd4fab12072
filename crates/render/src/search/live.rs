//! The index held in memory between page edits, so that an edit costs the
//! groups its words touch rather than the whole site: the stored state is
//! 37 MB at 10,000 pages, and decoding, rebuilding and encoding it again on
//! every save was most of the preview's time after an edit. Only the shards
//! an edit touches (`state.rs`) are decoded, and encoded again after it.
//!
//! The same edit gives the same files and state as [`update`](super::update)
//! over every page: both apply one page's changed postings with
//! [`diff_pages`] and rebuild a changed group with [`rebuild_group`].

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use super::index::{
    Changes, INDEX_PATH, IndexFile, StoredPage, chunk_path, chunk_unit, decode_entry, diff_pages,
    encode_entry, file, file_digest, index_json, is_indexed, rebuild_group,
};
use super::state::{
    GroupChunks, Head, ReadFile, STATE_UNIT, SearchState, Shard, ShardGroup, recorded_file,
    shard_count, shard_of, shard_path, shard_unit,
};
use super::{FileChanges, PageEdit, STATE_PATH, SearchDoc, page_unit};
use crate::manifest::{Manifest, OutputRecord, UnitRecord};

/// The index's state, encoded, with what an edit needs of it decoded: the
/// head's counts and every group's chunks, and each shard an edit touched.
pub(crate) struct LiveIndex<'a> {
    /// The head's bytes as of the last edit.
    head: Vec<u8>,
    /// Each shard's bytes as of the last edit, once read.
    shards: Vec<Option<Arc<Vec<u8>>>>,
    /// Reads a file of the state by path, for the shards not read yet,
    /// with the manifest whose records they must match.
    read_file: Option<(&'a Manifest, ReadFile<'a>)>,
    indexed: u64,
    bytes: u64,
    /// Every group's chunks (key and hash), by key.
    chunks: BTreeMap<String, Vec<(String, String)>>,
    /// The shards decoded so far, by number.
    open: BTreeMap<u32, LiveShard>,
    /// Shards encoded again since [`LiveIndex::take_state_files`] last
    /// said so, and shard files gone (the state was cut into fewer).
    rewritten: BTreeSet<u32>,
    gone: BTreeSet<u32>,
}

/// A shard decoded: its pages' inputs digests and entries, its groups'
/// postings (encoded: an edit decodes only the groups it changes). Entries
/// and postings stay in the bytes the shard was read from until an edit
/// replaces them: an edit changes a few of a shard's hundreds, and copying
/// the rest out (to encode them back) was most of reading a shard.
#[derive(Default)]
struct LiveShard {
    /// The bytes the shard was read from; empty for a shard made anew.
    read_from: Arc<Vec<u8>>,
    pages: BTreeMap<String, LivePage>,
    groups: BTreeMap<String, Held>,
    changed: bool,
}

struct LivePage {
    inputs: String,
    /// An encoded `Option<IndexedPage>`, as the state stores it.
    entry: Held,
}

/// Bytes of a shard: where they are in the bytes it was read from, or
/// bytes an edit made.
enum Held {
    Read(Range<usize>),
    Made(Vec<u8>),
}

impl LiveShard {
    fn read(bytes: &Arc<Vec<u8>>) -> Option<Self> {
        let shard = Shard::read(bytes)?;
        let held = |part: &[u8]| Held::Read(range_in(bytes, part));
        Some(Self {
            read_from: Arc::clone(bytes),
            pages: shard
                .pages
                .iter()
                .map(|page| {
                    let live = LivePage {
                        inputs: page.inputs.to_owned(),
                        entry: held(page.entry),
                    };
                    (page.unit.to_owned(), live)
                })
                .collect(),
            groups: shard
                .groups
                .iter()
                .map(|group| (group.key.to_owned(), held(group.postings)))
                .collect(),
            changed: false,
        })
    }

    /// The bytes `held` stands for.
    fn bytes<'s>(&'s self, held: &'s Held) -> &'s [u8] {
        match held {
            Held::Read(range) => &self.read_from[range.clone()],
            Held::Made(bytes) => bytes,
        }
    }

    /// `held` as bytes of its own, to move it to another shard.
    fn made(&self, held: Held) -> Held {
        match held {
            Held::Read(_) => Held::Made(self.bytes(&held).to_vec()),
            made @ Held::Made(_) => made,
        }
    }

    fn encode(&self) -> Vec<u8> {
        let pages = self
            .pages
            .iter()
            .map(|(unit, page)| StoredPage {
                unit,
                inputs: &page.inputs,
                entry: self.bytes(&page.entry),
            })
            .collect();
        let groups = self
            .groups
            .iter()
            .map(|(key, postings)| ShardGroup {
                key,
                postings: self.bytes(postings),
            })
            .collect();
        Shard::new(pages, groups).encode()
    }
}

/// Where `part`, a slice borrowed from `whole`, lies in it.
fn range_in(whole: &[u8], part: &[u8]) -> Range<usize> {
    let start = part.as_ptr() as usize - whole.as_ptr() as usize;
    start..start + part.len()
}

impl<'a> LiveIndex<'a> {
    /// The index of a stored state, or `None` when it is not one this
    /// program reads. Only the head is decoded.
    pub(crate) fn read(state: SearchState) -> Option<Self> {
        let shards = state.shards.into_iter().map(Some).collect();
        Self::with_shards(state.head, Some(shards), None)
    }

    /// The index of the state of the output `manifest` describes, whose
    /// files `read_file` gives by path: the head is read now, a shard when
    /// an edit touches it. Each must be the file the manifest records.
    pub(crate) fn open(manifest: &'a Manifest, read_file: ReadFile<'a>) -> Option<Self> {
        let head = recorded_file(manifest, STATE_UNIT, STATE_PATH, read_file)?;
        Self::with_shards(head, None, Some((manifest, read_file)))
    }

    /// The index of the head `head_bytes` and its `shards` (none read yet
    /// when `None`).
    fn with_shards(
        head_bytes: Vec<u8>,
        shards: Option<Vec<Option<Arc<Vec<u8>>>>>,
        read_file: Option<(&'a Manifest, ReadFile<'a>)>,
    ) -> Option<Self> {
        let head = Head::read(&head_bytes)?;
        let shards = shards.unwrap_or_else(|| vec![None; head.shards as usize]);
        if shards.len() != head.shards as usize {
            return None;
        }
        let (indexed, bytes) = (head.indexed, head.bytes);
        let chunks = head
            .groups
            .iter()
            .map(|group| {
                let chunks = group
                    .chunks
                    .iter()
                    .map(|(c, h)| ((*c).to_owned(), (*h).to_owned()))
                    .collect();
                (group.key.to_owned(), chunks)
            })
            .collect();
        Some(Self {
            head: head_bytes,
            shards,
            read_file,
            indexed,
            bytes,
            chunks,
            open: BTreeMap::new(),
            rewritten: BTreeSet::new(),
            gone: BTreeSet::new(),
        })
    }

    /// The stored state, as a whole render of the same pages writes it;
    /// `None` when some shard was never read.
    pub(crate) fn state(&self) -> Option<SearchState> {
        Some(SearchState {
            head: self.head.clone(),
            shards: self.shards.iter().cloned().collect::<Option<_>>()?,
        })
    }

    fn shard_count(&self) -> u32 {
        self.shards.len() as u32
    }

    /// Shard `n`, read and decoded if it was not yet; `None` when it
    /// cannot be read.
    fn shard(&mut self, n: u32) -> Option<&mut LiveShard> {
        if !self.open.contains_key(&n) {
            let slot = self.shards.get_mut(n as usize)?;
            if slot.is_none() {
                let (manifest, read_file) = self.read_file?;
                let bytes = recorded_file(manifest, &shard_unit(n), &shard_path(n), read_file)?;
                *slot = Some(Arc::new(bytes));
            }
            let shard = LiveShard::read(slot.as_ref()?)?;
            self.open.insert(n, shard);
        }
        self.open.get_mut(&n)
    }

    /// Applies `edits` (pages rendered again) to the index and to the units
    /// `manifest` records for its files, and returns the files that change:
    /// the edited pages' own files, the chunks whose bytes changed, chunks
    /// gone, and the list of chunks. The state's files are not among them
    /// ([`LiveIndex::take_state_files`] gives those), and their units in
    /// `manifest` are left as they were. `None` when an edited page is not
    /// in the index, with nothing changed, or when a shard it needs does
    /// not read: then the whole render decides, and makes a new index.
    pub(crate) fn apply(
        &mut self,
        manifest: &mut Manifest,
        edits: Vec<PageEdit>,
    ) -> Option<FileChanges> {
        // The last edit of a page wins: two diffs of one page against the
        // index would add its postings twice.
        let edits: BTreeMap<String, PageEdit> =
            edits.into_iter().map(|e| (e.unit.clone(), e)).collect();
        let count = self.shard_count();
        for unit in edits.keys() {
            if !self.shard(shard_of(unit, count))?.pages.contains_key(unit) {
                return None;
            }
        }
        // Each changed page's entry before and after, kept while the
        // changes borrow them.
        let mut replaced: Vec<(&str, Vec<u8>, Vec<u8>)> = Vec::new();
        for edit in edits.values() {
            let entry = encode_entry(edit.doc.as_ref().map(SearchDoc::indexed).as_ref());
            let shard = &self.open[&shard_of(&edit.unit, count)];
            let old = shard.bytes(&shard.pages[&edit.unit].entry);
            if *old != entry {
                replaced.push((&edit.unit, old.to_vec(), entry));
            }
        }
        let decoded: Vec<_> = replaced
            .iter()
            .map(|(_, old, new)| (decode_entry(old), decode_entry(new)))
            .collect();
        let mut changes = Changes::default();
        for (old, new) in &decoded {
            diff_pages(old.as_ref(), new.as_ref(), &mut changes);
        }
        // Every shard the edit changes is decoded before anything changes:
        // one that does not read leaves the index as it was.
        for key in changes.groups.keys() {
            self.shard(shard_of(key, count))?;
        }

        for edit in edits.values() {
            let shard = self.open.get_mut(&shard_of(&edit.unit, count))?;
            let page = shard.pages.get_mut(&edit.unit)?;
            if page.inputs != edit.inputs {
                page.inputs.clone_from(&edit.inputs);
                shard.changed = true;
            }
        }
        for (unit, old, new) in &replaced {
            let shard = self.open.get_mut(&shard_of(unit, count))?;
            let page = shard.pages.get_mut(*unit)?;
            page.entry = Held::Made(new.clone());
            shard.changed = true;
            self.bytes = (self.bytes + new.len() as u64).saturating_sub(old.len() as u64);
            self.indexed = (self.indexed + u64::from(is_indexed(new)))
                .saturating_sub(u64::from(is_indexed(old)));
        }

        let mut files = FileChanges::new();
        let mut gone = BTreeSet::new();
        let (ids, changed_groups) = changes.in_id_order();
        for (key, change) in changed_groups {
            let shard = self.open.get_mut(&shard_of(key, count))?;
            let old_postings = shard.groups.remove(key);
            let old_chunks = self.chunks.remove(key).unwrap_or_default();
            shard.changed = true;
            for (chunk, _) in &old_chunks {
                manifest.units.remove(&chunk_unit(chunk));
                gone.insert(chunk_path(chunk));
            }
            let old_postings = old_postings.as_ref().map(|held| shard.bytes(held));
            let old_len = old_postings.map_or(0, <[u8]>::len) as u64;
            let rebuilt = rebuild_group(key, old_postings, Some(&change), &ids);
            let Some((group, bytes)) = rebuilt else {
                self.bytes = self.bytes.saturating_sub(old_len);
                continue;
            };
            for ((chunk, hash), bytes) in group.chunks.iter().zip(bytes) {
                let path = chunk_path(chunk);
                gone.remove(&path);
                let kept = old_chunks.iter().any(|(c, h)| c == chunk && h == hash);
                if !kept {
                    files.push((path.clone(), Some(bytes)));
                }
                manifest
                    .units
                    .insert(chunk_unit(chunk), record(hash.clone(), path));
            }
            self.bytes = (self.bytes + group.postings.len() as u64).saturating_sub(old_len);
            shard
                .groups
                .insert(group.key.clone(), Held::Made(group.postings));
            self.chunks.insert(group.key, group.chunks);
        }
        files.extend(gone.into_iter().map(|path| (path, None)));

        for edit in edits.into_values() {
            let unit = page_unit(&edit.unit);
            let before = manifest.units.remove(&unit);
            match edit.doc {
                Some(doc) => {
                    let (path, bytes) = doc.file();
                    manifest
                        .units
                        .insert(unit, record(edit.inputs, path.clone()));
                    files.push((path, Some(bytes)));
                }
                None => files.extend(
                    before
                        .into_iter()
                        .flat_map(|unit| unit.outputs)
                        .map(|output| (output.path, None)),
                ),
            }
        }

        let list = index_json(
            self.chunks.values().map(Vec::as_slice),
            self.indexed as usize,
        );
        let list = file("search:index", INDEX_PATH, list, &|unit, digest| {
            manifest.reusable(unit, digest).is_some()
        });
        manifest
            .units
            .insert(list.unit, record(list.digest, list.path.clone()));
        files.extend(list.bytes.map(|bytes| (list.path, Some(bytes))));
        self.encode()?;
        Some(files)
    }

    /// Encodes the shards an edit changed, and the head; when the state's
    /// size now asks for another number of shards, cuts it again whole, as
    /// a whole render would.
    fn encode(&mut self) -> Option<()> {
        let count = self.shard_count();
        let wanted = shard_count(self.bytes);
        if wanted != count {
            for n in 0..count {
                self.shard(n)?;
            }
            let mut shards: Vec<LiveShard> = (0..wanted).map(|_| LiveShard::default()).collect();
            for mut shard in std::mem::take(&mut self.open).into_values() {
                for (unit, mut page) in std::mem::take(&mut shard.pages) {
                    page.entry = shard.made(page.entry);
                    shards[shard_of(&unit, wanted) as usize]
                        .pages
                        .insert(unit, page);
                }
                for (key, postings) in std::mem::take(&mut shard.groups) {
                    shards[shard_of(&key, wanted) as usize]
                        .groups
                        .insert(key, shard.made(postings));
                }
            }
            self.gone.extend(wanted..count);
            self.shards = vec![None; wanted as usize];
            for (n, mut shard) in (0u32..).zip(shards) {
                shard.changed = true;
                self.open.insert(n, shard);
            }
        }
        for (n, shard) in &mut self.open {
            if shard.changed {
                self.shards[*n as usize] = Some(Arc::new(shard.encode()));
                self.rewritten.insert(*n);
                self.gone.remove(n);
                shard.changed = false;
            }
        }
        let groups = self.chunks.iter().map(|(key, chunks)| GroupChunks {
            key,
            chunks: chunks
                .iter()
                .map(|(c, h)| (c.as_str(), h.as_str()))
                .collect(),
        });
        self.head = Head::new(self.shard_count(), self.indexed, self.bytes, groups).encode();
        Some(())
    }

    /// The state's files that changed since the last call (the head, the
    /// shards encoded again), each with its unit, and the shard files gone:
    /// what a publish of the edits writes and removes.
    pub(crate) fn take_state_files(&mut self) -> (Vec<IndexFile>, Vec<(String, String)>) {
        let mut files = Vec::with_capacity(self.rewritten.len() + 1);
        let changed = std::mem::take(&mut self.rewritten);
        let head = std::iter::once((STATE_UNIT.to_owned(), STATE_PATH.to_owned(), &self.head));
        // A shard is encoded again only once it was read.
        let shards = changed.iter().filter_map(|&n| {
            let bytes: &Vec<u8> = self.shards[n as usize].as_ref()?;
            Some((shard_unit(n), shard_path(n), bytes))
        });
        for (unit, path, bytes) in head.chain(shards) {
            let digest = file_digest(bytes);
            files.push(IndexFile {
                unit,
                digest,
                path,
                bytes: Some(bytes.clone()),
            });
        }
        let gone = std::mem::take(&mut self.gone)
            .into_iter()
            .map(|n| (shard_unit(n), shard_path(n)))
            .collect();
        (files, gone)
    }
}

/// The manifest's record of a file of the index that is no page.
pub(super) fn record(digest: String, path: String) -> UnitRecord {
    UnitRecord {
        inputs_digest: digest,
        outputs: vec![OutputRecord { path, url: None }],
    }
}
