//! Where site files come from: the [`Source`] trait and an in-memory source.
//!
//! A source is "a tree of files at some revision". The working directory and a
//! Git commit's tree (both in `gazette-store`) implement it, so the content
//! model never knows which one it reads.

use std::collections::BTreeMap;

/// A read-only tree of files. Paths are relative, `/`-separated and never start
/// with `/`; they name files only (folders are implied).
pub trait Source: Send + Sync {
    /// Every file path in the tree, sorted.
    fn list(&self) -> Result<Vec<String>, SourceError>;

    /// The bytes of one file.
    fn read(&self, path: &str) -> Result<Vec<u8>, SourceError>;

    /// A short description for people, such as a folder path or a revision.
    fn describe(&self) -> String;

    /// An id that changes exactly when the file's content does, if the source
    /// knows one without reading the file (a Git blob id). Incremental
    /// publishing compares these; sources without ids are hashed instead.
    fn content_id(&self, path: &str) -> Option<String> {
        let _ = path;
        None
    }

    /// [`Source::content_id`] of `path`, whose `bytes` the caller has just
    /// read: a source whose ids are hashes of the content computes it from
    /// them instead of reading the file a second time.
    fn content_id_of(&self, path: &str, bytes: &[u8]) -> Option<String> {
        let _ = bytes;
        self.content_id(path)
    }

    /// A cheap token that changes whenever the file may have changed (a Git
    /// blob id, or a file's modification time and size), so that a reload
    /// can skip files it has already read.
    fn version(&self, path: &str) -> Option<String> {
        self.content_id(path)
    }
}

/// A failure to list or read a source. Sources put what went wrong in words.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The path does not exist in this tree.
    #[error("{path}: no such file in {source_name}")]
    NotFound {
        /// The requested path.
        path: String,
        /// The source's description.
        source_name: String,
    },
    /// The source could not be read (I/O, a corrupt object, ...).
    #[error("{path}: {message}")]
    Unreadable {
        /// The path that failed, or the source root.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// A source held in memory: handy in tests and for content generated on the fly.
#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    files: BTreeMap<String, Vec<u8>>,
}

impl MemorySource {
    /// A source with the given `(path, contents)` pairs.
    pub fn from_files<P, C>(files: impl IntoIterator<Item = (P, C)>) -> Self
    where
        P: Into<String>,
        C: Into<Vec<u8>>,
    {
        Self {
            files: files
                .into_iter()
                .map(|(path, contents)| (path.into(), contents.into()))
                .collect(),
        }
    }

    /// Adds or replaces one file.
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), contents.into());
    }
}

impl Source for MemorySource {
    fn list(&self) -> Result<Vec<String>, SourceError> {
        Ok(self.files.keys().cloned().collect())
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, SourceError> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| SourceError::NotFound {
                path: path.to_owned(),
                source_name: self.describe(),
            })
    }

    fn describe(&self) -> String {
        "an in-memory source".to_owned()
    }

    fn version(&self, path: &str) -> Option<String> {
        let bytes = self.files.get(path)?;
        Some(blake3::hash(bytes).to_hex().to_string())
    }
}
