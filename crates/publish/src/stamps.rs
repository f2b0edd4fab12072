//! What Gazette knows of each file of a version it wrote, so that a later
//! publish keeps a file of the spare version only when it is still the file
//! Gazette wrote there.
//!
//! The manifest says which inputs each file was rendered from; it cannot say
//! whether the file on disk is still that rendering (edited in place,
//! damaged, replaced). So after writing a version, the folder target records
//! each file's size, modification time, change time, inode and a content
//! hash in `.gazette-files` beside the manifest. Before a file of the spare
//! is kept, its metadata is compared with the record: any difference in
//! size, inode or modification time rewrites it. The change time also moves
//! when another version links or unlinks the same file (versions share files
//! through hard links), so a file whose change time alone differs is read
//! and its hash compared: only then is a file's content read. A version
//! without the record (written by an older Gazette, or damaged) is trusted
//! for nothing: every file is rewritten.

use rustc_hash::FxHashMap as HashMap;
use std::fs;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::output::safe_join;

/// Where the record is kept in a version: a name no permalink may take
/// (`gazette_content::RESERVED_PREFIX`).
pub const STAMPS_PATH: &str = ".gazette-files";

/// The version of the record's format; another one is no record at all.
const FORMAT: u32 = 1;

/// A hash of a file's bytes (the first half of its BLAKE3 hash).
pub(crate) type ContentHash = [u8; 16];

/// The hash of `bytes`.
pub(crate) fn content_hash(bytes: &[u8]) -> ContentHash {
    let mut hash = [0; 16];
    hash.copy_from_slice(&blake3::hash(bytes).as_bytes()[..16]);
    hash
}

/// What Gazette recorded about one file just after writing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamp {
    size: u64,
    /// Modification time: seconds and nanoseconds.
    modified: (i64, u32),
    /// Change time (of the inode): seconds and nanoseconds.
    changed: (i64, u32),
    inode: u64,
    hash: ContentHash,
}

/// The stamp of the file at `path`, just written with bytes hashing to
/// `hash`.
pub(crate) fn stamp_file(path: &Path, hash: ContentHash) -> std::io::Result<Stamp> {
    Stamp::of(path, hash)
}

impl Stamp {
    /// The hash of the file's bytes when it was written.
    pub(crate) fn hash(&self) -> ContentHash {
        self.hash
    }

    /// The stamp of the file at `path` as it is now, whose bytes hash to `hash`.
    fn of(path: &Path, hash: ContentHash) -> std::io::Result<Self> {
        let metadata = fs::symlink_metadata(path)?;
        if !metadata.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        Ok(Self::of_written(&metadata, hash))
    }

    /// The stamp of a regular file just written, from its `metadata`, whose
    /// bytes hash to `hash`.
    pub(crate) fn of_written(metadata: &fs::Metadata, hash: ContentHash) -> Self {
        let (modified, changed, inode) = times_and_inode(metadata);
        Self {
            size: metadata.len(),
            modified,
            changed,
            inode,
            hash,
        }
    }
}

#[cfg(unix)]
fn times_and_inode(metadata: &fs::Metadata) -> ((i64, u32), (i64, u32), u64) {
    use std::os::unix::fs::MetadataExt;
    (
        (metadata.mtime(), metadata.mtime_nsec() as u32),
        (metadata.ctime(), metadata.ctime_nsec() as u32),
        metadata.ino(),
    )
}

/// Without change times and inodes, only size and modification time speak;
/// the change time is unknown, so every kept file is hashed.
#[cfg(not(unix))]
fn times_and_inode(metadata: &fs::Metadata) -> ((i64, u32), (i64, u32), u64) {
    let modified = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or((0, 0), |d| (d.as_secs() as i64, d.subsec_nanos()));
    (modified, (-1, 0), 0)
}

/// The record of one version: a stamp per output path.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Stamps {
    format: u32,
    files: HashMap<String, Stamp>,
}

impl Stamps {
    /// The record of the version in `root`; `None` when it has none or it
    /// cannot be read (nothing of the version is then trusted).
    pub(crate) fn read(root: &Path) -> Option<Self> {
        let bytes = fs::read(root.join(STAMPS_PATH)).ok()?;
        postcard::from_bytes::<Self>(&bytes)
            .ok()
            .filter(|stamps| stamps.format == FORMAT)
    }

    /// Whether the file of `relative` at `path` is still the one recorded:
    /// the same size, inode and modification time, and the same change time
    /// or else the same content. Returns its fresh stamp if so.
    pub(crate) fn unchanged(&self, relative: &str, path: &Path) -> Option<Stamp> {
        let recorded = self.files.get(relative)?;
        let now = Stamp::of(path, recorded.hash).ok()?;
        if now.size != recorded.size
            || now.inode != recorded.inode
            || now.modified != recorded.modified
        {
            return None;
        }
        if now.changed == recorded.changed {
            return Some(now);
        }
        // Only the change time moved: a link made or removed by another
        // version, or a write that put the old modification time back.
        let bytes = fs::read(path).ok()?;
        (content_hash(&bytes) == recorded.hash).then_some(now)
    }

    /// The files of the version at `root` that are still as this record
    /// says ([`Stamps::unchanged`]), with their fresh stamps: checked in
    /// parallel, once, when the version is found to be recycled.
    pub(crate) fn verified(&self, root: &Path) -> Self {
        let files = self
            .files
            .par_iter()
            .filter_map(|(relative, _)| {
                let path = safe_join(root, relative).ok()?;
                Some((relative.clone(), self.unchanged(relative, &path)?))
            })
            .collect();
        Self {
            format: FORMAT,
            files,
        }
    }

    /// The stamp of a file, if the record has it.
    pub(crate) fn get(&self, relative: &str) -> Option<Stamp> {
        self.files.get(relative).copied()
    }

    /// A record of these files and their stamps.
    pub(crate) fn new(files: impl IntoIterator<Item = (String, Stamp)>) -> Self {
        Self {
            format: FORMAT,
            files: files.into_iter().collect(),
        }
    }

    /// Stamps every recorded file again as it is now, keeping its hash:
    /// after another version linked the same files, their change times
    /// moved. A file that is gone or no longer the same inode is dropped
    /// (and so rewritten when its version is recycled).
    pub(crate) fn restamped(&self, root: &Path) -> Self {
        let files = self
            .files
            .iter()
            .filter_map(|(relative, recorded)| {
                let path = root.join(relative);
                let now = Stamp::of(&path, recorded.hash).ok()?;
                (now.inode == recorded.inode && now.size == recorded.size)
                    .then(|| (relative.clone(), now))
            })
            .collect();
        Self {
            format: FORMAT,
            files,
        }
    }

    /// Writes the record into the version at `root`, replacing any record
    /// there by a rename (the file may be shared with another version).
    pub(crate) fn write(mut self, root: &Path) -> std::io::Result<()> {
        self.format = FORMAT;
        let target = root.join(STAMPS_PATH);
        let staging = root.join(format!("{STAMPS_PATH}.{}", std::process::id()));
        // Serialising finite values into memory cannot fail.
        let bytes = postcard::to_stdvec(&self).unwrap_or_default();
        fs::write(&staging, bytes)?;
        fs::rename(&staging, &target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_edited_in_place_with_its_size_and_times_kept_is_not_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.html");
        fs::write(&path, b"<p>Gazette</p>").unwrap();
        let stamp = stamp_file(&path, content_hash(b"<p>Gazette</p>")).unwrap();
        Stamps::new([("page.html".to_owned(), stamp)])
            .write(dir.path())
            .unwrap();
        let stamps = Stamps::read(dir.path()).expect("the record reads back");
        assert!(stamps.unchanged("page.html", &path).is_some());

        // A hard link elsewhere moves the change time only: still the same.
        fs::hard_link(&path, dir.path().join("other.html")).unwrap();
        assert!(stamps.unchanged("page.html", &path).is_some());

        // Edited in place, same size, modification time put back.
        let modified = fs::metadata(&path).unwrap().modified().unwrap();
        fs::write(&path, b"<p>Hacked!</p>").unwrap();
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        assert_eq!(fs::metadata(&path).unwrap().len(), 14);
        assert!(stamps.unchanged("page.html", &path).is_none());
        assert!(stamps.unchanged("unknown.html", &path).is_none());
    }

    #[test]
    fn a_missing_or_foreign_record_trusts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Stamps::read(dir.path()).is_none());
        fs::write(dir.path().join(STAMPS_PATH), b"\xff\xff\xff").unwrap();
        assert!(Stamps::read(dir.path()).is_none());
    }

    #[test]
    fn the_record_has_a_name_no_permalink_may_take() {
        assert!(STAMPS_PATH.starts_with(gazette_content::RESERVED_PREFIX));
    }
}
