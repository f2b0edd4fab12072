//! A guard against damaged loose objects, which libgit2 cannot read without
//! hanging.
//!
//! libgit2 (1.9.7, the newest a `libgit2-sys` release carries) inflates a
//! loose object asking zlib to finish, and takes zlib's "no progress possible"
//! (`Z_BUF_ERROR`) as a reason to try again: a file cut short never makes
//! progress, so the read spins at full CPU forever (libgit2 issue #7342,
//! fixed by its pull request #7346, not yet released). So before this crate
//! asks libgit2 for an object it calls [`LooseObjects::check`], which looks
//! for the object's loose file and, the first time it meets one, inflates it
//! whole: a stream that ends early or does not inflate, or whose length is
//! not the one its header gives, is a [`DamagedObject`] and never reaches
//! libgit2. An object found in no loose file is left to libgit2: packed
//! objects are read by other code, which stops on an entry that makes no
//! progress.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use flate2::{Decompress, FlushDecompress, Status};
use git2::{Oid, Repository};

/// How deep `objects/info/alternates` files may lead to others, as in Git
/// and libgit2.
const ALTERNATES_DEPTH: usize = 5;

/// Enough for any object header (`commit 18446744073709551615` and its NUL).
const HEADER_MAX: usize = 64;

/// A loose object file that libgit2 must not be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Git object {id} is damaged ({}): {damage}", file.display())]
pub struct DamagedObject {
    /// The object's id, in hex.
    pub id: String,
    /// Its loose file.
    pub file: PathBuf,
    /// What is wrong with it.
    pub damage: Damage,
}

/// What is wrong with a loose object file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Damage {
    /// The compressed data stops before its end: the file was cut short.
    #[error("its compressed data ends early (the file is cut short)")]
    Truncated,
    /// zlib refused the data.
    #[error("its data does not inflate ({0})")]
    Corrupt(String),
    /// The header is not `<type> <length>` followed by a NUL byte.
    #[error("its header is not a Git object header")]
    BadHeader,
    /// The content is not as long as the header says.
    #[error("its header gives {expected} bytes but it holds {found}")]
    WrongLength {
        /// The length the header gives.
        expected: u64,
        /// The length inflated.
        found: u64,
    },
    /// The file exists but could not be read.
    #[error("it cannot be read ({0})")]
    Unreadable(String),
    /// It inflates whole, but to bytes whose hash is not its id.
    #[error("its content does not match its id")]
    WrongId,
}

/// The loose object folders of one open repository and the objects already
/// found safe to read. Not `Sync`, like the `Repository` it goes with.
pub(crate) struct LooseObjects {
    /// `objects/` of the repository (the common one of a linked worktree),
    /// then those its alternates name.
    folders: Vec<PathBuf>,
    /// Objects checked once: a loose file that inflated whole, or no loose
    /// file at all. Objects never change, and libgit2 keeps what it read.
    checked: RefCell<HashSet<Oid>>,
}

impl LooseObjects {
    /// The loose object folders `repository` reads, as libgit2 finds them.
    pub(crate) fn of(repository: &Repository) -> Self {
        let objects = repository.commondir().join("objects");
        let mut folders = vec![objects.clone()];
        add_alternates(&objects, 0, &mut folders);
        Self {
            folders,
            checked: RefCell::new(HashSet::new()),
        }
    }

    /// Whether libgit2 may read `id`: an error when its loose file is
    /// damaged. Costs one failed open per folder for a packed object, and an
    /// inflate of a loose object the first time it is asked for.
    pub(crate) fn check(&self, id: Oid) -> Result<(), DamagedObject> {
        if self.checked.borrow().contains(&id) {
            return Ok(());
        }
        if let Some((path, file)) = self.open(id)? {
            inflate(file, |_| {}).map_err(|damage| damaged(&id.to_string(), path, damage))?;
        }
        self.checked.borrow_mut().insert(id);
        Ok(())
    }

    /// The content of blob `id` read from its loose file: inflated once,
    /// its header and length checked as [`LooseObjects::check`] does, and
    /// its bytes hashed to `id` as libgit2 would (a file that inflates whole
    /// to other bytes is damaged too). Checking and then asking libgit2
    /// inflated every loose object twice, which was most of reading a
    /// theme or a page's text from a commit. `Ok(None)` when there is no
    /// loose file (a packed object) or it holds another kind of object:
    /// libgit2 reads those, and says what is wrong.
    pub(crate) fn read_blob(&self, id: Oid) -> Result<Option<Vec<u8>>, DamagedObject> {
        let Some((path, file)) = self.open(id)? else {
            self.checked.borrow_mut().insert(id);
            return Ok(None);
        };
        let mut whole = Vec::new();
        let header = inflate(file, |bytes| whole.extend_from_slice(bytes))
            .map_err(|damage| damaged(&id.to_string(), path.clone(), damage))?;
        self.checked.borrow_mut().insert(id);
        if header.kind != "blob" {
            return Ok(None);
        }
        if !hashes_to(&whole, id) {
            return Err(damaged(&id.to_string(), path, Damage::WrongId));
        }
        whole.drain(..header.length);
        Ok(Some(whole))
    }

    /// The first loose file of `id`, in the order libgit2 looks for it;
    /// `None` when there is none.
    fn open(&self, id: Oid) -> Result<Option<(PathBuf, File)>, DamagedObject> {
        let hex = id.to_string();
        let (prefix, rest) = hex.split_at(2);
        for folder in &self.folders {
            let path = folder.join(prefix).join(rest);
            match File::open(&path) {
                Ok(file) => return Ok(Some((path, file))),
                Err(error) if error.kind() == ErrorKind::NotFound => {}
                Err(error) => {
                    return Err(damaged(&hex, path, Damage::Unreadable(error.to_string())));
                }
            }
        }
        Ok(None)
    }
}

/// Whether a loose object's inflated bytes (header and content) hash to
/// its id. Through the `sha1` crate, as for a working folder's blob ids
/// (`work_tree.rs`): a file replaced by a well-formed object of other
/// bytes is damage, not an attack this check could stop.
fn hashes_to(whole: &[u8], id: Oid) -> bool {
    use sha1::Digest as _;
    sha1::Sha1::digest(whole).as_slice() == id.as_bytes()
}

fn damaged(id: &str, file: PathBuf, damage: Damage) -> DamagedObject {
    DamagedObject {
        id: id.to_owned(),
        file,
        damage,
    }
}

/// Adds the folders `objects/info/alternates` names (one path a line,
/// relative to `objects`), and theirs, to `folders`.
fn add_alternates(objects: &Path, depth: usize, folders: &mut Vec<PathBuf>) {
    if depth >= ALTERNATES_DEPTH {
        return;
    }
    let Ok(text) = std::fs::read_to_string(objects.join("info/alternates")) else {
        return;
    };
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let folder = objects.join(line);
        if !folders.contains(&folder) {
            folders.push(folder.clone());
            add_alternates(&folder, depth + 1, folders);
        }
    }
}

/// A loose object's header: its kind and how many bytes it takes.
struct Header {
    kind: &'static str,
    length: usize,
}

/// Inflates a loose object file to its end, checking its header's length,
/// and hands every inflated byte (header first) to `take`. Given a `take`
/// that keeps nothing, a large file costs no more memory than a small one.
fn inflate(mut file: File, mut take: impl FnMut(&[u8])) -> Result<Header, Damage> {
    let mut compressed = Vec::new();
    file.read_to_end(&mut compressed)
        .map_err(|error| Damage::Unreadable(error.to_string()))?;
    let mut inflater = Decompress::new(true);
    let mut header = Vec::with_capacity(HEADER_MAX);
    // Most objects are small: a buffer near their size, not a fixed 64 KiB
    // to zero for each, which a one-page publish would pay hundreds of times.
    let mut chunk = vec![0u8; (compressed.len() * 4).clamp(HEADER_MAX, 64 * 1024)];
    loop {
        let (read, written) = (inflater.total_in(), inflater.total_out());
        // zlib never reports more input read than it was given.
        let input = compressed.get(read as usize..).unwrap_or_default();
        let status = inflater
            .decompress(input, &mut chunk, FlushDecompress::None)
            .map_err(|error| Damage::Corrupt(error.to_string()))?;
        let produced = (inflater.total_out() - written) as usize;
        let room = HEADER_MAX - header.len();
        header.extend_from_slice(&chunk[..produced.min(room)]);
        take(&chunk[..produced]);
        match status {
            Status::StreamEnd => break,
            // Nothing consumed and nothing made, with room to make it: the
            // input has run out before the stream's end.
            _ if inflater.total_in() == read && inflater.total_out() == written => {
                return Err(Damage::Truncated);
            }
            _ => {}
        }
    }
    let (kind, header_length, content_length) = parse_header(&header).ok_or(Damage::BadHeader)?;
    let found = inflater.total_out() - header_length;
    if found != content_length {
        return Err(Damage::WrongLength {
            expected: content_length,
            found,
        });
    }
    Ok(Header {
        kind,
        // The header was inflated into memory, so its length fits.
        length: header_length as usize,
    })
}

/// The kind of a loose object, the length of its header (`blob 12\0`) and
/// the content length the header gives.
fn parse_header(bytes: &[u8]) -> Option<(&'static str, u64, u64)> {
    let end = bytes.iter().position(|&byte| byte == 0)?;
    let text = std::str::from_utf8(&bytes[..end]).ok()?;
    let (kind, length) = text.split_once(' ')?;
    let kind = ["blob", "tree", "commit", "tag"]
        .into_iter()
        .find(|known| *known == kind)?;
    if length.is_empty() || !length.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some((kind, end as u64 + 1, length.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object_file(root: &Path, id: Oid) -> PathBuf {
        let hex = id.to_string();
        root.join(".git/objects").join(&hex[..2]).join(&hex[2..])
    }

    /// Replaces an object's loose file (read-only, as Git writes it) with
    /// `bytes`.
    fn rewrite(path: &Path, bytes: &[u8]) {
        std::fs::remove_file(path).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn repository_with_blob(contents: &[u8]) -> (tempfile::TempDir, Repository, Oid) {
        let dir = tempfile::tempdir().unwrap();
        let repository = Repository::init(dir.path()).unwrap();
        let id = repository.blob(contents).unwrap();
        (dir, repository, id)
    }

    #[test]
    fn a_whole_loose_object_passes_and_an_absent_one_is_left_to_libgit2() {
        let contents: Vec<u8> = (0..300_000u32).flat_map(u32::to_le_bytes).collect();
        let (_dir, repository, id) = repository_with_blob(&contents);
        let loose = LooseObjects::of(&repository);
        assert_eq!(loose.check(id), Ok(()));
        let absent = Oid::hash_object(git2::ObjectType::Blob, b"never written").unwrap();
        assert_eq!(loose.check(absent), Ok(()));
    }

    #[test]
    fn a_loose_object_cut_short_is_damaged_and_named() {
        let (dir, repository, id) = repository_with_blob(&[b'x'; 5000]);
        let path = object_file(dir.path(), id);
        let bytes = std::fs::read(&path).unwrap();
        rewrite(&path, &bytes[..bytes.len() / 2]);
        let error = LooseObjects::of(&repository).check(id).unwrap_err();
        assert_eq!(error.id, id.to_string());
        assert_eq!(error.file, path);
        assert_eq!(error.damage, Damage::Truncated);
        let message = error.to_string();
        assert!(message.contains(&id.to_string()), "{message}");
        assert!(message.contains("cut short"), "{message}");
        // Every cut, down to an empty file, is caught.
        for length in [0, 1, 2, bytes.len() - 1] {
            rewrite(&path, &bytes[..length]);
            let damage = LooseObjects::of(&repository).check(id).unwrap_err().damage;
            assert_eq!(damage, Damage::Truncated, "cut at {length}");
        }
    }

    #[test]
    fn garbage_a_false_header_and_a_wrong_length_are_damage() {
        let (dir, repository, id) = repository_with_blob(b"hello");
        let path = object_file(dir.path(), id);
        let deflate = |bytes: &[u8]| {
            let mut compressor = flate2::Compress::new(flate2::Compression::default(), true);
            let mut out = Vec::with_capacity(bytes.len() + 64);
            compressor
                .compress_vec(bytes, &mut out, flate2::FlushCompress::Finish)
                .unwrap();
            out
        };
        let check = |bytes: &[u8]| {
            rewrite(&path, bytes);
            LooseObjects::of(&repository)
                .check(id)
                .map_err(|e| e.damage)
        };
        assert_eq!(check(&deflate(b"blob 5\0hello")), Ok(()));
        assert!(matches!(
            check(b"this is not zlib at all"),
            Err(Damage::Corrupt(_))
        ));
        assert_eq!(check(&deflate(b"blob five\0hello")), Err(Damage::BadHeader));
        assert_eq!(check(&deflate(b"hello")), Err(Damage::BadHeader));
        assert_eq!(
            check(&deflate(b"blob 9\0hello")),
            Err(Damage::WrongLength {
                expected: 9,
                found: 5
            })
        );
    }

    #[test]
    fn a_loose_blob_is_read_whole_and_other_objects_are_left_to_libgit2() {
        let contents: Vec<u8> = (0..300_000u32).flat_map(u32::to_le_bytes).collect();
        let (dir, repository, id) = repository_with_blob(&contents);
        let loose = LooseObjects::of(&repository);
        assert_eq!(loose.read_blob(id), Ok(Some(contents)));
        let absent = Oid::hash_object(git2::ObjectType::Blob, b"never written").unwrap();
        assert_eq!(loose.read_blob(absent), Ok(None));
        let tree = repository.treebuilder(None).unwrap().write().unwrap();
        assert_eq!(loose.read_blob(tree), Ok(None));
        // Damage is found as by `check`, whether or not it checked the
        // object before.
        let path = object_file(dir.path(), id);
        let bytes = std::fs::read(&path).unwrap();
        rewrite(&path, &bytes[..bytes.len() / 2]);
        let error = loose.read_blob(id).unwrap_err();
        assert_eq!((error.file, error.damage), (path, Damage::Truncated));
    }

    #[test]
    fn a_loose_blob_whose_bytes_do_not_hash_to_its_id_is_damage() {
        let (dir, repository, id) = repository_with_blob(b"hello");
        let path = object_file(dir.path(), id);
        let mut compressor = flate2::Compress::new(flate2::Compression::default(), true);
        let mut other = Vec::with_capacity(64);
        compressor
            .compress_vec(b"blob 5\0jello", &mut other, flate2::FlushCompress::Finish)
            .unwrap();
        rewrite(&path, &other);
        let error = LooseObjects::of(&repository).read_blob(id).unwrap_err();
        assert_eq!(error.damage, Damage::WrongId);
        assert!(
            error.to_string().contains("does not match its id"),
            "{error}"
        );
    }

    #[test]
    fn an_object_is_checked_once_per_open_repository() {
        let (dir, repository, id) = repository_with_blob(b"checked");
        let loose = LooseObjects::of(&repository);
        assert_eq!(loose.check(id), Ok(()));
        // Damage done after the check is not seen again by this repository,
        // as libgit2 keeps the object it read; a new one sees it.
        let path = object_file(dir.path(), id);
        rewrite(&path, b"");
        assert_eq!(loose.check(id), Ok(()));
        assert!(LooseObjects::of(&repository).check(id).is_err());
    }

    #[test]
    fn objects_of_an_alternate_are_checked_too() {
        let (other, _other_repository, id) = repository_with_blob(&[b'a'; 4000]);
        let dir = tempfile::tempdir().unwrap();
        let repository = Repository::init(dir.path()).unwrap();
        let info = dir.path().join(".git/objects/info");
        std::fs::create_dir_all(&info).unwrap();
        let alternate = other.path().join(".git/objects");
        std::fs::write(
            info.join("alternates"),
            format!("# borrowed\n{}\n", alternate.display()),
        )
        .unwrap();
        assert_eq!(LooseObjects::of(&repository).check(id), Ok(()));
        let path = object_file(other.path(), id);
        let bytes = std::fs::read(&path).unwrap();
        rewrite(&path, &bytes[..bytes.len() - 4]);
        let error = LooseObjects::of(&repository).check(id).unwrap_err();
        assert_eq!(error.file, path);
    }
}
