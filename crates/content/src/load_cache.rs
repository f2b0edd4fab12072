//! The load cache: files already parsed, by path and version, kept in
//! memory by the preview and stored between publishes (postcard) so a
//! one-page commit parses one file.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::Diagnostic;
use crate::classify::CollectionSpec;
use crate::file_outcome::FileOutcome;
use crate::page::Page;

/// Files read by earlier loads, by path, with the version they were read at.
///
/// Entries depend on where a file sits, which depends on the collections,
/// the resource room's folder and `exclude`; when those change, the cache
/// starts again.
///
/// A cache can be kept between runs ([`LoadCache::to_bytes`]): with Git
/// blob ids as versions, a publish then parses only the files a commit
/// changed. A cache read back keeps each entry as bytes until a load asks
/// for it, so each entry is decoded straight into the site, never copied.
/// Pages read back from it leave their bodies in the source
/// ([`PageBody::InSource`](crate::PageBody::InSource)): [`Site::read_body`](crate::Site::read_body) reads the ones needed.
#[derive(Debug, Default)]
pub struct LoadCache {
    context: String,
    files: HashMap<String, CacheEntry>,
    /// The bytes a stored cache was read from; [`CacheEntry::Stored`] points into them.
    stored: Vec<u8>,
    /// Entries added, replaced or dropped since the cache was made or read.
    changes: usize,
}

#[derive(Debug)]
pub(crate) enum CacheEntry {
    /// Read by a load of this process.
    Parsed(CachedFile),
    /// Read back from a stored cache: a [`StoredRecord`] at this range of
    /// [`LoadCache::stored`].
    Stored {
        version: String,
        record: std::ops::Range<usize>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct CachedFile {
    pub(crate) version: String,
    pub(crate) outcome: FileOutcome,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// The header of a stored cache: a different format or program starts afresh.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredCacheHeader {
    format: u32,
    stamp: String,
}

/// The index of a stored cache: every entry with its record's bytes.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredIndex<'a> {
    context: &'a str,
    #[serde(borrow)]
    entries: Vec<StoredEntry<'a>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredEntry<'a> {
    path: &'a str,
    version: &'a str,
    /// A [`StoredRecord`], encoded.
    record: &'a [u8],
}

/// What a file turned out to be, as stored.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredRecord {
    outcome: FileOutcome,
    diagnostics: Vec<Diagnostic>,
}

/// The version of the stored cache's layout.
const STORED_CACHE_FORMAT: u32 = 5;

impl LoadCache {
    /// The cache as bytes to keep between runs. `stamp` names the program
    /// that parsed the entries: a cache is only read back by the same one.
    pub fn to_bytes(&self, stamp: &str) -> Vec<u8> {
        let header = StoredCacheHeader {
            format: STORED_CACHE_FORMAT,
            stamp: stamp.to_owned(),
        };
        // Serialising finite values into memory cannot fail.
        let encode = |file: &CachedFile| {
            // Bodies are most of a site's bytes and a publish renders few
            // pages: they stay in the source (see `Site::read_body`).
            let outcome = match &file.outcome {
                FileOutcome::Page(page) => FileOutcome::Page(Box::new(Page {
                    body: page.body.left_in_source(),
                    ..Page::clone(page)
                })),
                other => other.clone(),
            };
            let record = StoredRecord {
                outcome,
                diagnostics: file.diagnostics.clone(),
            };
            postcard::to_stdvec(&record).unwrap_or_default()
        };
        let parsed: HashMap<&str, Vec<u8>> = self
            .files
            .iter()
            .filter_map(|(path, entry)| match entry {
                CacheEntry::Parsed(file) => Some((path.as_str(), encode(file))),
                CacheEntry::Stored { .. } => None,
            })
            .collect();
        let mut entries: Vec<StoredEntry<'_>> = self
            .files
            .iter()
            .map(|(path, entry)| match entry {
                CacheEntry::Parsed(file) => StoredEntry {
                    path,
                    version: &file.version,
                    record: &parsed[path.as_str()],
                },
                CacheEntry::Stored { version, record } => StoredEntry {
                    path,
                    version,
                    record: &self.stored[record.clone()],
                },
            })
            .collect();
        entries.sort_by(|a, b| a.path.cmp(b.path));
        let index = StoredIndex {
            context: &self.context,
            entries,
        };
        let mut bytes = postcard::to_stdvec(&header).unwrap_or_default();
        bytes.extend(postcard::to_stdvec(&index).unwrap_or_default());
        bytes
    }

    /// A cache read back from [`LoadCache::to_bytes`]; an empty cache when the
    /// bytes are damaged or were written by another program or format.
    /// Entries are decoded when a load uses them.
    pub fn from_bytes(bytes: Vec<u8>, stamp: &str) -> Self {
        let Ok((header, rest)) = postcard::take_from_bytes::<StoredCacheHeader>(&bytes) else {
            return Self::default();
        };
        if header.format != STORED_CACHE_FORMAT || header.stamp != stamp {
            return Self::default();
        }
        let Ok(index) = postcard::from_bytes::<StoredIndex<'_>>(rest) else {
            return Self::default();
        };
        let start = bytes.as_ptr() as usize;
        let files = index
            .entries
            .iter()
            .map(|entry| {
                let offset = entry.record.as_ptr() as usize - start;
                let stored = CacheEntry::Stored {
                    version: entry.version.to_owned(),
                    record: offset..offset + entry.record.len(),
                };
                (entry.path.to_owned(), stored)
            })
            .collect();
        let context = index.context.to_owned();
        Self {
            context,
            files,
            stored: bytes,
            changes: 0,
        }
    }

    /// How many entries loads added, replaced or dropped since the cache was
    /// made or read: how far a stored copy is behind.
    pub fn changes(&self) -> usize {
        self.changes
    }

    /// How many files the cache holds.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the cache holds no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub(crate) fn prepare(&mut self, context: String) {
        if self.context != context {
            self.changes += self.files.len().max(1);
            self.files.clear();
            self.stored = Vec::new();
            self.context = context;
        }
    }

    /// The entry of `path` if it was read at `version`: borrowed when this
    /// process parsed it, decoded from the stored bytes otherwise (a damaged
    /// record counts as missing, so the file is parsed again).
    pub(crate) fn get(
        &self,
        path: &str,
        version: &str,
    ) -> Option<std::borrow::Cow<'_, CachedFile>> {
        match self.files.get(path)? {
            CacheEntry::Parsed(file) if file.version == version => {
                Some(std::borrow::Cow::Borrowed(file))
            }
            CacheEntry::Stored {
                version: stored_version,
                record,
            } if stored_version == version => {
                let record: StoredRecord =
                    postcard::from_bytes(&self.stored[record.clone()]).ok()?;
                Some(std::borrow::Cow::Owned(CachedFile {
                    version: stored_version.clone(),
                    outcome: record.outcome,
                    diagnostics: record.diagnostics,
                }))
            }
            _ => None,
        }
    }

    pub(crate) fn insert(
        &mut self,
        path: &str,
        version: String,
        outcome: FileOutcome,
        diagnostics: Vec<Diagnostic>,
    ) {
        self.files.insert(
            path.to_owned(),
            CacheEntry::Parsed(CachedFile {
                version,
                outcome,
                diagnostics,
            }),
        );
        self.changes += 1;
    }

    pub(crate) fn forget_missing(&mut self, paths: &[String]) {
        let present: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
        let before = self.files.len();
        self.files.retain(|path, _| present.contains(path.as_str()));
        self.changes += before - self.files.len();
    }
}

/// What the place of every file depends on.
pub(crate) fn context_key(
    collections: &BTreeMap<String, CollectionSpec>,
    resources_name: Option<&str>,
    excluded: &[String],
    post_style: &str,
) -> String {
    let names: Vec<String> = collections
        .iter()
        .map(|(name, spec)| format!("{name}:{}", spec.output))
        .collect();
    format!(
        "{}|{}|{}|{post_style}",
        names.join(","),
        resources_name.unwrap_or(""),
        excluded.join(",")
    )
}
