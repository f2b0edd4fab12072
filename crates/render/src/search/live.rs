//! The index held in memory between page edits, so that an edit costs the
//! groups its words touch rather than the whole site: the stored state is
//! 37 MB at 10,000 pages, and decoding, rebuilding and encoding it again on
//! every save was most of the preview's time after an edit.
//!
//! The same edit gives the same files and state as [`update`](super::update)
//! over every page: both apply one page's changed postings with
//! [`diff_pages`] and rebuild a changed group with [`rebuild_group`].

use std::collections::{BTreeMap, BTreeSet};

use super::index::{
    Changes, INDEX_PATH, OwnedGroup, Stored, StoredPage, chunk_path, chunk_unit, decode_entry,
    diff_pages, encode_entry, encode_state, file, index_json, is_indexed, rebuild_group,
};
use super::{FileChanges, PageEdit, SearchDoc, page_unit};
use crate::manifest::{Manifest, OutputRecord, UnitRecord};

/// The index's state decoded: each page unit's inputs digest and entry, and
/// each group with its chunks. Groups keep their postings encoded; an edit
/// decodes only the groups it changes.
pub(crate) struct LiveIndex {
    pages: BTreeMap<String, LivePage>,
    groups: BTreeMap<String, OwnedGroup>,
}

struct LivePage {
    inputs: String,
    /// An encoded `Option<IndexedPage>`, as the state stores it.
    entry: Vec<u8>,
}

impl LiveIndex {
    /// The index of a stored state, or `None` when it is not one this
    /// program reads.
    pub(crate) fn read(state: &[u8]) -> Option<Self> {
        let stored = Stored::read(state)?;
        let pages = stored
            .pages()
            .map(|(unit, inputs, entry)| {
                let page = LivePage {
                    inputs: inputs.to_owned(),
                    entry: entry.to_vec(),
                };
                (unit.to_owned(), page)
            })
            .collect();
        let groups = stored
            .owned_groups()
            .map(|group| (group.key.clone(), group))
            .collect();
        Some(Self { pages, groups })
    }

    /// The stored state, as a whole render of the same pages writes it.
    pub(crate) fn state(&self) -> Vec<u8> {
        let pages = self.pages.iter().map(|(unit, page)| StoredPage {
            unit,
            inputs: &page.inputs,
            entry: &page.entry,
        });
        encode_state(pages, self.groups.values())
    }

    /// Applies `edits` (pages rendered again) to the index and to the units
    /// `manifest` records for its files, and returns the files that change:
    /// the edited pages' own files, the chunks whose bytes changed, chunks
    /// gone, and the list of chunks. The state file is not among them
    /// ([`LiveIndex::state`] encodes it when it is needed), and its unit in
    /// `manifest` is left as it was. `None`, with nothing changed, when an
    /// edited page is not in the index: then the whole render decides.
    pub(crate) fn apply(
        &mut self,
        manifest: &mut Manifest,
        edits: Vec<PageEdit>,
    ) -> Option<FileChanges> {
        // The last edit of a page wins: two diffs of one page against the
        // index would add its postings twice.
        let edits: BTreeMap<String, PageEdit> =
            edits.into_iter().map(|e| (e.unit.clone(), e)).collect();
        if !edits.keys().all(|unit| self.pages.contains_key(unit)) {
            return None;
        }
        // Each changed page's entry before and after, kept while the
        // changes borrow them.
        let mut replaced: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for edit in edits.values() {
            let entry = encode_entry(edit.doc.as_ref().map(SearchDoc::indexed).as_ref());
            let page = self.pages.get_mut(&edit.unit)?;
            page.inputs.clone_from(&edit.inputs);
            if page.entry != entry {
                let old = std::mem::replace(&mut page.entry, entry.clone());
                replaced.push((old, entry));
            }
        }
        let decoded: Vec<_> = replaced
            .iter()
            .map(|(old, new)| (decode_entry(old), decode_entry(new)))
            .collect();
        let mut changes = Changes::default();
        for (old, new) in &decoded {
            diff_pages(old.as_ref(), new.as_ref(), &mut changes);
        }

        let mut files = FileChanges::new();
        let mut gone = BTreeSet::new();
        for (key, change) in changes.groups {
            let old = self.groups.remove(key);
            for (chunk, _) in old.iter().flat_map(|group| &group.chunks) {
                manifest.units.remove(&chunk_unit(chunk));
                gone.insert(chunk_path(chunk));
            }
            let postings = old.as_ref().map(|group| group.postings.as_slice());
            let Some((group, bytes)) = rebuild_group(key, postings, Some(&change), &changes.ids)
            else {
                continue;
            };
            for ((chunk, hash), bytes) in group.chunks.iter().zip(bytes) {
                let path = chunk_path(chunk);
                gone.remove(&path);
                let kept = old
                    .as_ref()
                    .is_some_and(|old| old.chunks.iter().any(|(c, h)| c == chunk && h == hash));
                if !kept {
                    files.push((path.clone(), Some(bytes)));
                }
                manifest
                    .units
                    .insert(chunk_unit(chunk), record(hash.clone(), path));
            }
            self.groups.insert(group.key.clone(), group);
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

        let indexed = self.pages.values().filter(|p| is_indexed(&p.entry)).count();
        let list = index_json(self.groups.values(), indexed);
        let list = file("search:index", INDEX_PATH, list, &|unit, digest| {
            manifest.reusable(unit, digest).is_some()
        });
        manifest
            .units
            .insert(list.unit, record(list.digest, list.path.clone()));
        files.extend(list.bytes.map(|bytes| (list.path, Some(bytes))));
        Some(files)
    }
}

/// The manifest's record of a file of the index that is no page.
pub(super) fn record(digest: String, path: String) -> UnitRecord {
    UnitRecord {
        inputs_digest: digest,
        outputs: vec![OutputRecord { path, url: None }],
    }
}
