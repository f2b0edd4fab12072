//! A [`Source`] over a folder of a commit's tree, read from the object database.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError, TryLockError};

use gazette_content::{Source, SourceError};
use git2::{Commit, ObjectType, Oid, Repository, Tree, TreeEntry};

use crate::loose::DamagedObject;
use crate::objects::{ObjectError, Objects, RevisionError};

/// The files of one folder (or the root) of a commit, read without a checkout.
///
/// The listing is taken once, when the source is opened: blob ids are kept so
/// that reads go straight to the object database. Symbolic links and
/// submodules in the tree are not files of the site and are left out.
pub struct GitTreeSource {
    // A render reads pages back, and a publish copies files, from its
    // threads; one handle behind one lock would serve them one at a time.
    handles: Handles,
    files: Vec<(String, Oid)>,
    description: String,
}

/// Why a revision could not be opened as a source.
#[derive(Debug, thiserror::Error)]
pub enum OpenRevisionError {
    /// No repository at that path.
    #[error("{path}: not a Git repository ({message})")]
    NoRepository {
        /// The path tried.
        path: String,
        /// What git2 said.
        message: String,
    },
    /// The repository has no commits yet.
    #[error("the repository has no commits yet; commit the sites, then build a revision")]
    NoCommits,
    /// The revision does not name a commit.
    #[error("revision `{revision}` does not exist ({message})")]
    NoRevision {
        /// The revision asked for.
        revision: String,
        /// What git2 said.
        message: String,
    },
    /// The folder is not in that commit's tree.
    #[error("`{folder}` does not exist at revision `{revision}`")]
    NoFolder {
        /// The folder asked for.
        folder: String,
        /// The revision.
        revision: String,
    },
    /// Reading the objects failed (a corrupt or missing object).
    #[error("cannot read revision `{revision}`: {message}")]
    Corrupt {
        /// The revision.
        revision: String,
        /// What git2 said.
        message: String,
    },
    /// A loose object file on the way is damaged (cut short, or not what
    /// its header says); libgit2 was not given it.
    #[error("cannot read revision `{revision}`: {object}")]
    Damaged {
        /// The revision.
        revision: String,
        /// The object and its file.
        object: DamagedObject,
    },
}

impl OpenRevisionError {
    /// The damaged object behind this error, if that is what it is.
    pub fn damaged_object(&self) -> Option<&DamagedObject> {
        match self {
            Self::Damaged { object, .. } => Some(object),
            _ => None,
        }
    }
}

impl GitTreeSource {
    /// Opens `folder` (empty for the root) of `revision` in the repository at
    /// `repository_path`.
    pub fn open(
        repository_path: &Path,
        revision: &str,
        folder: &str,
    ) -> Result<Self, OpenRevisionError> {
        let repository = discover(repository_path)?;
        let (files, description) = list_folder(&repository, repository_path, revision, folder)?;
        Ok(Self {
            handles: Handles::new(repository),
            files,
            description,
        })
    }

    /// Opens only some `parts` of `folder` (empty for the root) of `revision`:
    /// each part is a path relative to `folder` naming a file or a subfolder
    /// (`pages/about.md`, `templates`); a subfolder brings all its files. A
    /// part absent at that revision, or that is a link or a submodule, adds
    /// nothing; an empty part is the whole folder. Paths stay relative to
    /// `folder`, so reads work as with [`GitTreeSource::open`].
    ///
    /// A publish that re-renders a few pages needs those files and the
    /// site's template overrides, not a listing of its 10,000 files: only the
    /// trees on the way to the parts are read.
    pub fn open_parts(
        repository_path: &Path,
        revision: &str,
        folder: &str,
        parts: &[&str],
    ) -> Result<Self, OpenRevisionError> {
        let repository = discover(repository_path)?;
        let (files, description) =
            list_parts(&repository, repository_path, revision, folder, parts)?;
        Ok(Self {
            handles: Handles::new(repository),
            files,
            description,
        })
    }

    /// The blob id of a file, which changes exactly when its content does.
    pub fn blob_id(&self, path: &str) -> Option<String> {
        self.find(path).map(|oid| oid.to_string())
    }

    fn find(&self, path: &str) -> Option<Oid> {
        self.files
            .binary_search_by(|(candidate, _)| candidate.as_str().cmp(path))
            .ok()
            .map(|index| self.files[index].1)
    }
}

/// Handles on one repository, so that reads from several threads need not
/// wait for each other: git2's `Repository` is Send but not Sync, so each
/// handle serves one reader at a time, behind its own lock.
///
/// A handle is opened only when a reader finds every open one busy (opening
/// reads the repository's config files, about 1 ms, and most sources are
/// read by one thread), and no more are opened than the machine runs
/// threads at once: past that, a reader waits for a handle to be free.
///
/// Each handle has its own loose-object guard, and every read goes through
/// one: an object is checked once by each handle that reads it. The handles
/// go with the source, as its one handle did: kept longer (across sources),
/// a guard's record would let a file damaged since its check reach libgit2.
struct Handles {
    /// Where more handles are opened: the repository the first one found,
    /// so that every handle reads the same objects.
    git_dir: PathBuf,
    /// The handle the source was listed with.
    first: Mutex<Objects>,
    /// Room for the handles opened later. A slot once filled stays filled,
    /// so a reader can hold one handle while another reader fills a slot.
    more: Box<[OnceLock<Mutex<Objects>>]>,
    /// Spreads the readers that must wait over the handles.
    turn: AtomicUsize,
}

impl Handles {
    /// Handles starting with `first`, as many at most as the machine runs
    /// threads at once.
    fn new(first: Objects) -> Self {
        let readers = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        Self::up_to(first, readers)
    }

    /// Handles starting with `first`, `readers` at most (one when zero).
    fn up_to(first: Objects, readers: usize) -> Self {
        Self {
            git_dir: first.git().path().to_owned(),
            first: Mutex::new(first),
            more: (1..readers).map(|_| OnceLock::new()).collect(),
            turn: AtomicUsize::new(0),
        }
    }

    /// A handle for one read: a free one, else a new one, else (every
    /// handle busy and no more to open) one of them as soon as it is free.
    fn lend(&self) -> MutexGuard<'_, Objects> {
        for handle in self.open() {
            match handle.try_lock() {
                Ok(objects) => return objects,
                Err(TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        if let Some(objects) = self.open_another() {
            return objects;
        }
        // At least the first handle is open.
        let turn = self.turn.fetch_add(1, Ordering::Relaxed) % self.open().count();
        lock(self.open().nth(turn).unwrap_or(&self.first))
    }

    /// The handles open so far.
    fn open(&self) -> impl Iterator<Item = &Mutex<Objects>> {
        std::iter::once(&self.first).chain(self.more.iter().filter_map(OnceLock::get))
    }

    /// A new handle, locked for the reader that opened it, unless as many
    /// are open as may be.
    fn open_another(&self) -> Option<MutexGuard<'_, Objects>> {
        if self.more.iter().all(|slot| slot.get().is_some()) {
            return None;
        }
        // A repository that no longer opens (moved since) is no reason for a
        // read to fail: the reader waits for a handle already open instead.
        let mut handle = Mutex::new(Objects::new(Repository::open(&self.git_dir).ok()?));
        // Readers opening handles at once may race for a slot: the loser
        // takes the next, or drops its handle when none is left.
        for slot in &self.more {
            match slot.set(handle) {
                Ok(()) => return slot.get().map(lock),
                Err(taken) => handle = taken,
            }
        }
        None
    }
}

/// Locks a handle. A reader that panicked holding it left nothing half
/// done that matters: the guard only records objects that passed.
fn lock(handle: &Mutex<Objects>) -> MutexGuard<'_, Objects> {
    handle.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The repository holding `repository_path`.
fn discover(repository_path: &Path) -> Result<Objects, OpenRevisionError> {
    Objects::discover(repository_path).map_err(|error| OpenRevisionError::NoRepository {
        path: repository_path.display().to_string(),
        message: error.message().to_owned(),
    })
}

/// Every file of `folder` at `revision` with its blob id, and a description.
fn list_folder(
    repository: &Objects,
    repository_path: &Path,
    revision: &str,
    folder: &str,
) -> Result<(Vec<(String, Oid)>, String), OpenRevisionError> {
    let (commit, tree, folder) = find_folder(repository, revision, folder)?;
    let mut files = Vec::new();
    walk_files(repository, &tree, "", &mut files).map_err(corrupt(revision))?;
    files.sort();
    Ok((files, describe(repository_path, &commit, folder)))
}

/// The files of the given `parts` of `folder` at `revision` (see
/// [`GitTreeSource::open_parts`]), sorted and without duplicates, and a
/// description.
fn list_parts(
    repository: &Objects,
    repository_path: &Path,
    revision: &str,
    folder: &str,
    parts: &[&str],
) -> Result<(Vec<(String, Oid)>, String), OpenRevisionError> {
    let (commit, tree, folder) = find_folder(repository, revision, folder)?;
    let mut files = Vec::new();
    for part in parts {
        // `a//b/` names what `a/b` does, and the listing must say `a/b`.
        let part = part
            .split('/')
            .filter(|name| !name.is_empty())
            .collect::<Vec<_>>()
            .join("/");
        if part.is_empty() {
            walk_files(repository, &tree, "", &mut files).map_err(corrupt(revision))?;
            continue;
        }
        let Some(entry) = repository
            .entry_at(&tree, &part)
            .map_err(corrupt(revision))?
        else {
            continue;
        };
        match entry.kind() {
            Some(ObjectType::Tree) => {
                let subtree = repository.tree(entry.id()).map_err(corrupt(revision))?;
                walk_files(repository, &subtree, &format!("{part}/"), &mut files)
                    .map_err(corrupt(revision))?;
            }
            _ if is_file(&entry) => files.push((part, entry.id())),
            // A link or a submodule is not a file of the site.
            _ => {}
        }
    }
    // Parts may overlap (`templates` and `templates/page.html`).
    files.sort();
    files.dedup();
    Ok((files, describe(repository_path, &commit, folder)))
}

/// The commit `revision` names, the tree of `folder` in it, and the folder
/// with its slashes trimmed.
fn find_folder<'r, 'f>(
    repository: &'r Objects,
    revision: &str,
    folder: &'f str,
) -> Result<(Commit<'r>, Tree<'r>, &'f str), OpenRevisionError> {
    let commit = match repository.revision(revision) {
        Ok(commit) => commit,
        Err(RevisionError::Object(error @ ObjectError::Damaged(_))) => {
            return Err(corrupt(revision)(error));
        }
        Err(_) if repository.git().is_empty().unwrap_or(false) => {
            return Err(OpenRevisionError::NoCommits);
        }
        Err(RevisionError::NotFound(error) | RevisionError::Object(ObjectError::Git(error))) => {
            return Err(OpenRevisionError::NoRevision {
                revision: revision.to_owned(),
                message: error.message().to_owned(),
            });
        }
    };
    let root = repository.tree_of(&commit).map_err(corrupt(revision))?;
    let folder = folder.trim_matches('/');
    if folder.is_empty() {
        return Ok((commit, root, folder));
    }
    let no_folder = || OpenRevisionError::NoFolder {
        folder: folder.to_owned(),
        revision: revision.to_owned(),
    };
    let entry = repository
        .entry_at(&root, folder)
        .map_err(corrupt(revision))?
        .ok_or_else(no_folder)?;
    if entry.kind() != Some(ObjectType::Tree) {
        return Err(no_folder());
    }
    let tree = repository.tree(entry.id()).map_err(corrupt(revision))?;
    Ok((commit, tree, folder))
}

/// Appends every file under `tree` to `files`, its path being `prefix` (empty,
/// or ending in `/`) followed by its path in `tree`.
fn walk_files(
    repository: &Objects,
    tree: &Tree<'_>,
    prefix: &str,
    files: &mut Vec<(String, Oid)>,
) -> Result<(), ObjectError> {
    repository.walk(tree, prefix, &mut |path, entry| {
        if is_file(entry) {
            files.push((path, entry.id()));
        }
    })
}

/// Whether an entry is a file of a site: 0o100644 and 0o100755 are; links
/// (0o120000) and submodules are not.
fn is_file(entry: &TreeEntry<'_>) -> bool {
    entry.kind() == Some(ObjectType::Blob) && matches!(entry.filemode(), 0o100644 | 0o100755)
}

/// Turns a failed read of `revision`'s objects into an [`OpenRevisionError`].
fn corrupt(revision: &str) -> impl Fn(ObjectError) -> OpenRevisionError + '_ {
    move |error| match error {
        ObjectError::Damaged(object) => OpenRevisionError::Damaged {
            revision: revision.to_owned(),
            object,
        },
        ObjectError::Git(error) => OpenRevisionError::Corrupt {
            revision: revision.to_owned(),
            message: error.message().to_owned(),
        },
    }
}

/// How a source is named in messages: the repository, the commit and the folder.
fn describe(repository_path: &Path, commit: &Commit<'_>, folder: &str) -> String {
    let short = commit.id().to_string();
    format!(
        "{} at {}{}",
        repository_path.display(),
        &short[..short.len().min(12)],
        if folder.is_empty() {
            String::new()
        } else {
            format!(":{folder}")
        }
    )
}

impl Source for GitTreeSource {
    fn list(&self) -> Result<Vec<String>, SourceError> {
        Ok(self.files.iter().map(|(path, _)| path.clone()).collect())
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, SourceError> {
        let oid = self.find(path).ok_or_else(|| SourceError::NotFound {
            path: path.to_owned(),
            source_name: self.description.clone(),
        })?;
        let objects = self.handles.lend();
        objects
            .blob_bytes(oid)
            .map_err(|error| SourceError::Unreadable {
                path: path.to_owned(),
                message: match error {
                    ObjectError::Damaged(object) => object.to_string(),
                    ObjectError::Git(error) => {
                        format!("cannot read object {oid}: {}", error.message())
                    }
                },
            })
    }

    fn describe(&self) -> String {
        self.description.clone()
    }

    fn content_id(&self, path: &str) -> Option<String> {
        self.blob_id(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_commits::{cut_short, within_deadline};

    fn commit_files(repository: &Repository, files: &[(&str, &str)]) -> Oid {
        let mut index = repository.index().unwrap();
        let workdir = repository.workdir().unwrap().to_owned();
        for (path, contents) in files {
            let full = workdir.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, contents).unwrap();
            index.add_path(Path::new(path)).unwrap();
        }
        index.write().unwrap();
        let tree = repository.find_tree(index.write_tree().unwrap()).unwrap();
        let signature = git2::Signature::now("Test", "test@example.org").unwrap();
        repository
            .commit(Some("HEAD"), &signature, &signature, "content", &tree, &[])
            .unwrap()
    }

    #[test]
    fn reads_a_folder_of_a_commit_without_a_checkout() {
        let dir = tempfile::tempdir().unwrap();
        let repository = Repository::init(dir.path()).unwrap();
        commit_files(
            &repository,
            &[
                ("sites/a/_config.yml", "title: A\n"),
                ("sites/a/pages/x.md", "x"),
            ],
        );
        std::fs::remove_dir_all(dir.path().join("sites")).unwrap();
        let source = GitTreeSource::open(dir.path(), "HEAD", "sites/a").unwrap();
        assert_eq!(source.list().unwrap(), ["_config.yml", "pages/x.md"]);
        assert_eq!(source.read("_config.yml").unwrap(), b"title: A\n");
    }

    #[test]
    fn parts_list_their_files_and_read_like_the_whole_folder() {
        let dir = tempfile::tempdir().unwrap();
        let repository = Repository::init(dir.path()).unwrap();
        commit_files(
            &repository,
            &[
                ("sites/a/_config.yml", "title: A\n"),
                ("sites/a/pages/about.md", "about"),
                ("sites/a/pages/other.md", "other"),
                ("sites/a/templates/page.html", "<p>"),
                ("sites/a/templates/layouts/base.html", "<html>"),
                ("sites/a/templates-old/page.html", "<div>"),
                ("sites/b/pages/about.md", "b"),
            ],
        );
        let whole = GitTreeSource::open(dir.path(), "HEAD", "sites/a").unwrap();
        let parts = GitTreeSource::open_parts(
            dir.path(),
            "HEAD",
            "/sites/a/",
            &[
                "templates/",
                "pages/about.md",
                "pages/missing.md",
                "missing/folder",
                "_config.yml/below",
                "templates/page.html",
            ],
        )
        .unwrap();
        assert_eq!(
            parts.list().unwrap(),
            [
                "pages/about.md",
                "templates/layouts/base.html",
                "templates/page.html"
            ]
        );
        for path in parts.list().unwrap() {
            assert_eq!(parts.read(&path).unwrap(), whole.read(&path).unwrap());
            assert_eq!(parts.content_id(&path), whole.content_id(&path));
            assert_eq!(parts.blob_id(&path), whole.blob_id(&path));
        }
        assert!(matches!(
            parts.read("pages/other.md"),
            Err(SourceError::NotFound { .. })
        ));
        assert_eq!(parts.describe(), whole.describe());
        // An empty part is the whole folder; no parts, no files.
        let all = GitTreeSource::open_parts(dir.path(), "HEAD", "sites/a", &[""]).unwrap();
        assert_eq!(all.list().unwrap(), whole.list().unwrap());
        let none = GitTreeSource::open_parts(dir.path(), "HEAD", "sites/a", &[]).unwrap();
        assert!(none.list().unwrap().is_empty());
        assert!(matches!(
            GitTreeSource::open_parts(dir.path(), "HEAD", "sites/missing", &["pages"]),
            Err(OpenRevisionError::NoFolder { .. })
        ));
    }

    #[test]
    fn parts_leave_out_links_and_do_not_read_other_folders() {
        let dir = tempfile::tempdir().unwrap();
        let repository = Repository::init(dir.path()).unwrap();
        commit_files(
            &repository,
            &[("templates/page.html", "<p>"), ("pages/x.md", "x")],
        );
        // A link and a submodule next to the template, written into the tree
        // directly.
        let head = repository.head().unwrap().peel_to_commit().unwrap();
        let templates = head
            .tree()
            .unwrap()
            .get_path(Path::new("templates"))
            .unwrap();
        let mut builder = repository
            .treebuilder(Some(&repository.find_tree(templates.id()).unwrap()))
            .unwrap();
        let target = repository.blob(b"page.html").unwrap();
        builder.insert("link.html", target, 0o120000).unwrap();
        let submodule = Oid::hash_object(ObjectType::Commit, b"sub").unwrap();
        builder.insert("vendor", submodule, 0o160000).unwrap();
        let templates = builder.write().unwrap();
        let mut root = repository.treebuilder(Some(&head.tree().unwrap())).unwrap();
        root.insert("templates", templates, 0o040000).unwrap();
        let root = repository.find_tree(root.write().unwrap()).unwrap();
        let signature = git2::Signature::now("Test", "test@example.org").unwrap();
        let pages = root.get_path(Path::new("pages")).unwrap().id();
        repository
            .commit(
                Some("HEAD"),
                &signature,
                &signature,
                "links",
                &root,
                &[&head],
            )
            .unwrap();

        let parts = ["templates", "templates/link.html", "templates/vendor"];
        let source = GitTreeSource::open_parts(dir.path(), "HEAD", "", &parts).unwrap();
        assert_eq!(source.list().unwrap(), ["templates/page.html"]);

        // Without the `pages` folder's tree the parts still open: it is not
        // read. Opening the whole root, which needs it, fails.
        let hex = pages.to_string();
        let object = dir
            .path()
            .join(".git/objects")
            .join(&hex[..2])
            .join(&hex[2..]);
        std::fs::remove_file(object).unwrap();
        let source = GitTreeSource::open_parts(dir.path(), "HEAD", "", &["templates"]).unwrap();
        assert_eq!(source.list().unwrap(), ["templates/page.html"]);
        assert!(matches!(
            GitTreeSource::open(dir.path(), "HEAD", ""),
            Err(OpenRevisionError::Corrupt { .. })
        ));
        assert!(matches!(
            GitTreeSource::open_parts(dir.path(), "HEAD", "", &["pages/x.md"]),
            Err(OpenRevisionError::Corrupt { .. })
        ));
        assert!(matches!(
            GitTreeSource::open(dir.path(), "HEAD", "pages"),
            Err(OpenRevisionError::Corrupt { .. })
        ));
    }

    /// Commits `count` pages of different lengths under `pages/` and
    /// returns their paths and contents.
    fn commit_pages(repository: &Repository, count: usize) -> Vec<(String, String)> {
        let pages: Vec<(String, String)> = (0..count)
            .map(|n| {
                (
                    format!("pages/{n:03}.md"),
                    format!("page {n}\n").repeat(n + 1),
                )
            })
            .collect();
        let files: Vec<(&str, &str)> = pages
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str()))
            .collect();
        commit_files(repository, &files);
        pages
    }

    /// `source` with room for `readers` handles, whatever this machine's
    /// cores, so that reads from threads go through several.
    fn with_readers(mut source: GitTreeSource, root: &Path, readers: usize) -> GitTreeSource {
        source.handles = Handles::up_to(Objects::discover(root).unwrap(), readers);
        source
    }

    #[test]
    fn reads_from_many_threads_at_once_return_what_was_committed() {
        let dir = tempfile::tempdir().unwrap();
        let repository = Repository::init(dir.path()).unwrap();
        let pages = commit_pages(&repository, 200);
        let source = GitTreeSource::open(dir.path(), "HEAD", "").unwrap();
        let source = with_readers(source, dir.path(), 4);
        std::thread::scope(|scope| {
            for reader in 0..8 {
                let (source, pages) = (&source, &pages);
                scope.spawn(move || {
                    // Each reader starts elsewhere, and meets the others' objects.
                    let start = reader * pages.len() / 8;
                    for (path, text) in pages.iter().cycle().skip(start).take(pages.len()) {
                        assert_eq!(source.read(path).unwrap(), text.as_bytes(), "{path}");
                    }
                });
            }
        });
        assert!(source.handles.open().count() <= 4);
    }

    #[test]
    fn a_busy_handle_brings_another_up_to_the_limit_then_readers_wait() {
        let dir = tempfile::tempdir().unwrap();
        let repository = Repository::init(dir.path()).unwrap();
        let pages = commit_pages(&repository, 1);
        let id = repository
            .revparse_single(&format!("HEAD:{}", pages[0].0))
            .unwrap()
            .id();
        let handles = Handles::up_to(Objects::discover(dir.path()).unwrap(), 3);
        let expected = pages[0].1.clone();
        // Were a busy handle lent again, this thread would wait on itself.
        within_deadline(move || {
            let held = [handles.lend(), handles.lend(), handles.lend()];
            assert!(!std::ptr::eq(&*held[0], &*held[1]));
            assert!(!std::ptr::eq(&*held[1], &*held[2]));
            assert!(!std::ptr::eq(&*held[0], &*held[2]));
            assert_eq!(handles.open().count(), 3);
            std::thread::scope(|scope| {
                let waiting = scope.spawn(|| handles.lend().blob_bytes(id).unwrap());
                std::thread::sleep(std::time::Duration::from_millis(100));
                assert!(!waiting.is_finished(), "a fourth reader did not wait");
                drop(held);
                assert_eq!(waiting.join().unwrap(), expected.as_bytes());
            });
            assert_eq!(handles.open().count(), 3);
        });
    }

    #[test]
    fn more_handles_open_on_a_linked_worktree() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main");
        let repository = Repository::init(&main).unwrap();
        let pages = commit_pages(&repository, 3);
        let linked = dir.path().join("linked");
        repository.worktree("linked", &linked, None).unwrap();
        let source = GitTreeSource::open(&linked, "HEAD", "pages").unwrap();
        let source = with_readers(source, &linked, 2);
        // The first handle busy, the read goes through a second, opened
        // from the linked worktree's Git folder (or it waits on itself).
        let expected = pages[0].1.clone();
        within_deadline(move || {
            let _busy = source.handles.lend();
            assert_eq!(source.read("000.md").unwrap(), expected.as_bytes());
            assert_eq!(source.handles.open().count(), 2);
        });
    }

    #[test]
    fn a_damaged_object_is_reported_through_every_handle() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_owned();
        let repository = Repository::init(&root).unwrap();
        let pages = commit_pages(&repository, 40);
        let source = GitTreeSource::open(&root, "HEAD", "").unwrap();
        let source = with_readers(source, &root, 4);
        let damaged = pages[17].0.clone();
        let id = Oid::from_str(&source.blob_id(&damaged).unwrap()).unwrap();
        let file = cut_short(&root, id);
        let (alone, together) = within_deadline(move || {
            // The first handle busy, the read goes through one opened for it.
            let busy = source.handles.lend();
            let alone = source.read(&pages[17].0).map_err(|error| error.to_string());
            drop(busy);
            assert_eq!(source.handles.open().count(), 2);
            // Then readers at once, each through whichever handle is free.
            let together: Vec<Vec<(String, String)>> = std::thread::scope(|scope| {
                let readers: Vec<_> = (0..6)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut errors = Vec::new();
                            for (path, text) in &pages {
                                match source.read(path) {
                                    Ok(bytes) => assert_eq!(bytes, text.as_bytes(), "{path}"),
                                    Err(error) => errors.push((path.clone(), error.to_string())),
                                }
                            }
                            errors
                        })
                    })
                    .collect();
                readers
                    .into_iter()
                    .map(|reader| reader.join().unwrap())
                    .collect()
            });
            (alone, together)
        });
        let named = |message: &str| {
            assert!(message.contains(&id.to_string()), "{message}");
            assert!(message.contains("cut short"), "{message}");
            assert!(message.contains(&file.display().to_string()), "{message}");
        };
        named(&alone.unwrap_err());
        for errors in together {
            let [(path, message)] = errors.as_slice() else {
                panic!("{errors:?}");
            };
            assert_eq!(path, &damaged);
            named(message);
        }
    }

    #[test]
    fn a_missing_revision_or_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let repository = Repository::init(dir.path()).unwrap();
        assert!(matches!(
            GitTreeSource::open(dir.path(), "HEAD", ""),
            Err(OpenRevisionError::NoCommits)
        ));
        commit_files(&repository, &[("a.md", "a")]);
        assert!(matches!(
            GitTreeSource::open(dir.path(), "no-such-branch", ""),
            Err(OpenRevisionError::NoRevision { .. })
        ));
        assert!(matches!(
            GitTreeSource::open(dir.path(), "HEAD", "sites/missing"),
            Err(OpenRevisionError::NoFolder { .. })
        ));
    }
}
