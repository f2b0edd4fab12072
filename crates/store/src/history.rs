//! What changed between revisions, and when each file last changed.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use git2::{Commit, Delta, DiffFindOptions, Oid, Tree, TreeEntry};

use crate::GitError;
use crate::objects::Objects;

/// How a path changed between two revisions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// New at the later revision.
    Added,
    /// Present at both, with different content or mode.
    Modified,
    /// Gone at the later revision.
    Deleted,
    /// Moved from `from` (possibly with edits).
    Renamed {
        /// The path at the earlier revision.
        from: String,
    },
}

/// One changed path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// The path at the later revision (or the deleted path).
    pub path: String,
    /// How it changed.
    pub kind: ChangeKind,
}

impl Change {
    /// Every path this change touches (both ends of a rename).
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        let from = match &self.kind {
            ChangeKind::Renamed { from } => Some(from.as_str()),
            _ => None,
        };
        std::iter::once(self.path.as_str()).chain(from)
    }
}

/// The paths that differ between `from` and `to` (any revision syntax), with
/// renames detected. `from = None` compares with an empty tree.
pub fn changed_paths(
    repository: &Path,
    from: Option<&str>,
    to: &str,
) -> Result<Vec<Change>, GitError> {
    let repo = crate::open_objects(repository)?;
    let to_tree = repo.tree_of(&crate::commit_of(&repo, to)?)?;
    let from_tree = match from {
        Some(rev) => Some(repo.tree_of(&crate::commit_of(&repo, rev)?)?),
        None => None,
    };
    // libgit2's diff reads the subtrees and, for renames, the blobs it
    // compares without the loose-object guard; no publish calls this.
    let mut diff = repo
        .git()
        .diff_tree_to_tree(from_tree.as_ref(), Some(&to_tree), None)
        .map_err(GitError::from_git)?;
    let mut find = DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find))
        .map_err(GitError::from_git)?;
    let mut changes = Vec::new();
    for delta in diff.deltas() {
        let new_path = delta.new_file().path().map(path_text);
        let old_path = delta.old_file().path().map(path_text);
        let (path, kind) = match delta.status() {
            Delta::Added | Delta::Copied => (new_path, ChangeKind::Added),
            Delta::Deleted => (old_path, ChangeKind::Deleted),
            Delta::Renamed => (
                new_path,
                ChangeKind::Renamed {
                    from: old_path.unwrap_or_default(),
                },
            ),
            _ => (new_path, ChangeKind::Modified),
        };
        if let Some(path) = path {
            changes.push(Change { path, kind });
        }
    }
    changes.sort();
    Ok(changes)
}

/// Whether anything under `folder` (empty for the whole tree) differs
/// between two revisions. Compared by the ids of the folder's trees, so it
/// costs a few object reads however large the folder or the change.
pub fn folder_differs(
    repository: &Path,
    from: &str,
    to: &str,
    folder: &str,
) -> Result<bool, GitError> {
    let repo = crate::open_objects(repository)?;
    let folder = folder.trim_matches('/');
    let id_at = |revision: &str| -> Result<Option<Oid>, GitError> {
        let commit = crate::commit_of(&repo, revision)?;
        if folder.is_empty() {
            return Ok(Some(commit.tree_id()));
        }
        let root = repo.tree_of(&commit)?;
        Ok(repo.entry_at(&root, folder)?.map(|entry| entry.id()))
    };
    Ok(id_at(from)? != id_at(to)?)
}

/// Whether `folder` (empty for the root) is a folder of the tree at
/// `revision`: false for a site not yet committed.
pub fn folder_exists(repository: &Path, revision: &str, folder: &str) -> Result<bool, GitError> {
    let repo = crate::open_objects(repository)?;
    let commit = crate::commit_of(&repo, revision)?;
    let folder = folder.trim_matches('/');
    if folder.is_empty() {
        return Ok(true);
    }
    let root = repo.tree_of(&commit)?;
    Ok(repo
        .entry_at(&root, folder)?
        .is_some_and(|entry| entry.kind() == Some(git2::ObjectType::Tree)))
}

/// A file of a tree as [`changed_files`] sees it: enough to tell whether it
/// changed and what kind of entry it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    /// The object id in hex: the blob's, or for a submodule the commit's.
    pub id: String,
    /// The Git file mode: 0o100644 or 0o100755 for a file, 0o120000 for a
    /// symbolic link, 0o160000 for a submodule. Kept so that a caller can
    /// refuse what is not a regular file.
    pub mode: i32,
}

impl TreeFile {
    /// Whether it is a regular file (executable or not), which is what a
    /// [`GitTreeSource`](crate::GitTreeSource) lists: not a link, not a
    /// submodule.
    pub fn is_regular(&self) -> bool {
        matches!(self.mode, 0o100644 | 0o100755)
    }
}

/// One entry that differs between two revisions, as [`changed_files`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The path relative to the folder compared, `/`-separated.
    pub path: String,
    /// The entry at the earlier revision; `None` when it was added.
    pub before: Option<TreeFile>,
    /// The entry at the later revision; `None` when it was deleted.
    pub after: Option<TreeFile>,
}

/// The entries under `folder` (relative to the repository root, empty for the
/// root) that differ between the trees of `from` and `to`, sorted by path
/// relative to `folder`. Renames are not detected: a move is a deletion and
/// an addition.
///
/// Both trees are walked side by side and a subtree whose id is the same on
/// both sides is skipped without being read, so the cost follows the size of
/// the change, not of the folder: one edited file of 10,000 costs the trees on
/// its path. (libgit2's diff visits every entry of the trees it compares.)
///
/// A content or mode change is a change. An entry that is a folder on one side
/// and not on the other is reported as that entry deleted or added plus every
/// file of the folder added or deleted. Symbolic links and submodules are
/// reported like files, with their mode. A folder missing at one side makes
/// every file of the other side added or deleted.
pub fn changed_files(
    repository: &Path,
    from: &str,
    to: &str,
    folder: &str,
) -> Result<Vec<FileChange>, GitError> {
    let repo = crate::open_objects(repository)?;
    let folder = folder.trim_matches('/');
    let before = folder_tree(&repo, &crate::commit_of(&repo, from)?, folder)?;
    let after = folder_tree(&repo, &crate::commit_of(&repo, to)?, folder)?;
    let mut changes = Vec::new();
    compare_trees(&repo, before.as_ref(), after.as_ref(), "", &mut changes)?;
    // Entries were found folder by folder in name order, which is not path
    // order (`a/b` comes after `a-b` as a path but `a` comes before `a-b`).
    changes.sort_by(|one, other| one.path.cmp(&other.path));
    Ok(changes)
}

/// Appends to `changes` the entries that differ between `before` and `after`
/// (`None` stands for a missing folder), with `prefix` before their names.
fn compare_trees(
    repo: &Objects,
    before: Option<&Tree<'_>>,
    after: Option<&Tree<'_>>,
    prefix: &str,
    changes: &mut Vec<FileChange>,
) -> Result<(), GitError> {
    if let (Some(before), Some(after)) = (before, after)
        && before.id() == after.id()
    {
        return Ok(());
    }
    // Git orders a folder's entries as if folders' names ended in `/`, so
    // `a` the file and `a` the folder sit at different places: order both
    // sides by plain name to pair them.
    let entries = |tree: Option<&Tree<'_>>| {
        let mut entries: Vec<TreeEntry<'static>> = tree
            .map(|tree| tree.iter().map(|entry| entry.to_owned()).collect())
            .unwrap_or_default();
        entries.sort_by(|one, other| one.name_bytes().cmp(other.name_bytes()));
        entries
    };
    let before = entries(before);
    let after = entries(after);
    let (mut old, mut new) = (before.iter().peekable(), after.iter().peekable());
    loop {
        let (old_entry, new_entry) = match (old.peek(), new.peek()) {
            (None, None) => break,
            (Some(_), None) => (old.next(), None),
            (None, Some(_)) => (None, new.next()),
            (Some(o), Some(n)) => match o.name_bytes().cmp(n.name_bytes()) {
                std::cmp::Ordering::Less => (old.next(), None),
                std::cmp::Ordering::Greater => (None, new.next()),
                std::cmp::Ordering::Equal => (old.next(), new.next()),
            },
        };
        compare_entries(repo, old_entry, new_entry, prefix, changes)?;
    }
    Ok(())
}

/// Appends to `changes` how one name of a folder differs between two sides
/// (`None` where the name is absent).
fn compare_entries(
    repo: &Objects,
    before: Option<&TreeEntry<'_>>,
    after: Option<&TreeEntry<'_>>,
    prefix: &str,
    changes: &mut Vec<FileChange>,
) -> Result<(), GitError> {
    let Some(entry) = before.or(after) else {
        return Ok(());
    };
    let path = format!("{prefix}{}", String::from_utf8_lossy(entry.name_bytes()));
    let is_tree = |entry: &&TreeEntry<'_>| entry.kind() == Some(git2::ObjectType::Tree);
    let subtree = |entry: Option<&TreeEntry<'_>>| match entry.filter(is_tree) {
        Some(entry) => repo.tree(entry.id()).map(Some).map_err(GitError::from),
        None => Ok(None),
    };
    let file = |entry: Option<&TreeEntry<'_>>| {
        entry.filter(|entry| !is_tree(entry)).map(|entry| TreeFile {
            id: entry.id().to_string(),
            mode: entry.filemode(),
        })
    };
    // Equal ids and modes on both sides: nothing below differs, and a folder
    // is not entered.
    if let (Some(old), Some(new)) = (before, after)
        && old.id() == new.id()
        && old.filemode() == new.filemode()
    {
        return Ok(());
    }
    let (old_file, new_file) = (file(before), file(after));
    if old_file.is_some() || new_file.is_some() {
        changes.push(FileChange {
            path: path.clone(),
            before: old_file,
            after: new_file,
        });
    }
    let (old_tree, new_tree) = (subtree(before)?, subtree(after)?);
    if old_tree.is_some() || new_tree.is_some() {
        compare_trees(
            repo,
            old_tree.as_ref(),
            new_tree.as_ref(),
            &format!("{path}/"),
            changes,
        )?;
    }
    Ok(())
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// When every file under `folder` at `revision` last changed, as seconds since
/// the Unix epoch of the commit that last touched it, keyed by path relative
/// to `folder`.
///
/// One walk of the first-parent history: each commit is compared with its
/// first parent once, and the walk stops as soon as every file has its date.
/// With `known` dates as of an earlier revision `since` on that line, only
/// the commits after it are walked, and the files they did not touch keep
/// their dates; a `since` off the line (history rewritten, or reached only
/// through a merge) is ignored and the whole walk made.
///
/// The walk follows parents itself, reading each commit through the
/// loose-object guard, rather than with libgit2's revision walk, which reads
/// commits on its own (all of them, to sort them, before the first result).
pub fn last_changed(
    repository: &Path,
    revision: &str,
    folder: &str,
    known: Option<(&str, &BTreeMap<String, i64>)>,
) -> Result<BTreeMap<String, i64>, GitError> {
    let repo = crate::open_objects(repository)?;
    let head = crate::commit_of(&repo, revision)?;
    let folder = folder.trim_matches('/');
    if let Some((since, dates)) = known {
        let since = crate::commit_of(&repo, since)?.id();
        if on_first_parent_line(&repo, &head, since)? {
            return dates_since(&repo, head, since, folder, dates.clone());
        }
    }

    let mut found = BTreeMap::new();
    let Some(tree) = folder_tree(&repo, &head, folder)? else {
        return Ok(found);
    };
    let mut pending: HashSet<String> = HashSet::new();
    repo.walk(&tree, "", &mut |path, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
            pending.insert(path);
        }
    })?;
    if pending.is_empty() {
        return Ok(found);
    }
    for commit in first_parent_diffs(&repo, head, None, folder) {
        let (time, changes) = commit?;
        for change in changes {
            if touched_file(&change).is_some() && pending.remove(&change.path) {
                found.insert(change.path, time);
            }
        }
        if pending.is_empty() {
            break;
        }
    }
    Ok(found)
}

/// Whether `since` is `head` or one of its first-parent ancestors. Reads
/// commits only, which libgit2 keeps for the walk that follows.
fn on_first_parent_line(repo: &Objects, head: &Commit<'_>, since: Oid) -> Result<bool, GitError> {
    let mut commit = head.clone();
    loop {
        if commit.id() == since {
            return Ok(true);
        }
        match repo.first_parent(&commit)? {
            Some(parent) => commit = parent,
            None => return Ok(false),
        }
    }
}

/// `dates` as of `since` brought up to `head`, `since` being on its
/// first-parent line: the newest commit touching a file decides its date, or
/// that it is gone.
fn dates_since(
    repo: &Objects,
    head: Commit<'_>,
    since: Oid,
    folder: &str,
    mut dates: BTreeMap<String, i64>,
) -> Result<BTreeMap<String, i64>, GitError> {
    let mut settled: HashSet<String> = HashSet::new();
    for commit in first_parent_diffs(repo, head, Some(since), folder) {
        let (time, changes) = commit?;
        for change in changes {
            let Some(deleted) = touched_file(&change) else {
                continue;
            };
            if !settled.insert(change.path.clone()) {
                continue;
            }
            if deleted {
                dates.remove(&change.path);
            } else {
                dates.insert(change.path, time);
            }
        }
    }
    Ok(dates)
}

/// Each commit from `head` down its first parents (newest first, ending
/// before `stop` or at the root) with its time and its diff against its
/// first parent, limited to `folder` (`sites/a`, or empty for the root).
///
/// The folder's trees are compared side by side ([`changed_files`]'s walk),
/// not with libgit2's diff, which visits every entry of the trees it
/// compares: at 10,000 files that took 14 ms a commit, for one file changed.
fn first_parent_diffs<'r>(
    repo: &'r Objects,
    head: Commit<'r>,
    stop: Option<Oid>,
    folder: &str,
) -> impl Iterator<Item = Result<(i64, Vec<FileChange>), GitError>> + 'r {
    let folder = folder.to_owned();
    let mut next = Some(head).filter(|commit| Some(commit.id()) != stop);
    std::iter::from_fn(move || {
        let commit = next.take()?;
        match diff_with_first_parent(repo, &commit, &folder) {
            Ok((parent, changes)) => {
                next = parent.filter(|parent| Some(parent.id()) != stop);
                Some(Ok((commit.time().seconds(), changes)))
            }
            // Nothing follows an error.
            Err(error) => Some(Err(error)),
        }
    })
}

/// The first parent of `commit` and what changed under `folder` since it.
fn diff_with_first_parent<'r>(
    repo: &'r Objects,
    commit: &Commit<'r>,
    folder: &str,
) -> Result<(Option<Commit<'r>>, Vec<FileChange>), GitError> {
    let parent = repo.first_parent(commit)?;
    let tree = folder_tree(repo, commit, folder)?;
    let parent_tree = match &parent {
        Some(parent) => folder_tree(repo, parent, folder)?,
        None => None,
    };
    // Changes name paths relative to the folder.
    let mut changes = Vec::new();
    compare_trees(repo, parent_tree.as_ref(), tree.as_ref(), "", &mut changes)?;
    Ok((parent, changes))
}

/// The tree of `folder` (empty for the root) in a commit, if it has one.
fn folder_tree<'r>(
    repo: &'r Objects,
    commit: &Commit<'r>,
    folder: &str,
) -> Result<Option<Tree<'r>>, GitError> {
    let root = repo.tree_of(commit)?;
    if folder.is_empty() {
        return Ok(Some(root));
    }
    // A folder that is absent is `None`; one whose objects cannot be read is
    // an error, not mistaken for absent.
    let Some(entry) = repo.entry_at(&root, folder)? else {
        return Ok(None);
    };
    if entry.kind() != Some(git2::ObjectType::Tree) {
        return Ok(None);
    }
    Ok(Some(repo.tree(entry.id())?))
}

/// Whether a change touches a file (not a submodule, which is no file of
/// the site), and if so whether it deleted it.
fn touched_file(change: &FileChange) -> Option<bool> {
    const SUBMODULE: i32 = 0o160000;
    let deleted = change.after.is_none();
    let side = if deleted {
        &change.before
    } else {
        &change.after
    };
    side.as_ref()
        .filter(|file| file.mode != SUBMODULE)
        .map(|_| deleted)
}

/// The bytes of `path` in the tree of `revision`, if it is a file there.
pub fn read_file_at(
    repository: &Path,
    revision: &str,
    path: &str,
) -> Result<Option<Vec<u8>>, GitError> {
    let repo = crate::open_objects(repository)?;
    let commit = match crate::commit_of(&repo, revision) {
        Ok(commit) => commit,
        Err(GitError::NoRevision(_) | GitError::NoCommits) => return Ok(None),
        Err(error) => return Err(error),
    };
    let tree = repo.tree_of(&commit)?;
    let Some(entry) = repo.entry_at(&tree, path)? else {
        return Ok(None);
    };
    if entry.kind() != Some(git2::ObjectType::Blob) {
        return Ok(None);
    }
    Ok(Some(repo.blob_bytes(entry.id())?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::Repository;

    /// Commits on HEAD at `time`: `Some` contents write a file, `None` removes it.
    fn commit_at(repository: &Repository, time: i64, files: &[(&str, Option<&str>)]) -> String {
        let workdir = repository.workdir().unwrap().to_owned();
        let mut index = repository.index().unwrap();
        for (path, contents) in files {
            let full = workdir.join(path);
            match contents {
                Some(contents) => {
                    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                    std::fs::write(&full, contents).unwrap();
                    index.add_path(Path::new(path)).unwrap();
                }
                None => {
                    std::fs::remove_file(&full).unwrap();
                    index.remove_path(Path::new(path)).unwrap();
                }
            }
        }
        let tree = repository.find_tree(index.write_tree().unwrap()).unwrap();
        index.write().unwrap();
        let when = git2::Signature::new("Test", "test@example.org", &git2::Time::new(time, 0));
        let when = when.unwrap();
        let parent = repository.head().map(|head| head.peel_to_commit().unwrap());
        let parent = parent.ok();
        let id = repository.commit(
            Some("HEAD"),
            &when,
            &when,
            "change",
            &tree,
            &parent.iter().collect::<Vec<_>>(),
        );
        id.unwrap().to_string()
    }

    /// Writes a tree of `files` (path, contents, mode) straight to the object
    /// database. A submodule's contents are hashed into a commit id that need
    /// not exist, as Git allows.
    fn write_tree(repository: &Repository, files: &[(&str, &str, i32)]) -> Oid {
        let mut builder = repository.treebuilder(None).unwrap();
        let mut folders: BTreeMap<&str, Vec<(&str, &str, i32)>> = BTreeMap::new();
        for &(path, contents, mode) in files {
            match path.split_once('/') {
                Some((folder, rest)) => folders
                    .entry(folder)
                    .or_default()
                    .push((rest, contents, mode)),
                None => {
                    let id = if mode == 0o160000 {
                        Oid::hash_object(git2::ObjectType::Commit, contents.as_bytes()).unwrap()
                    } else {
                        repository.blob(contents.as_bytes()).unwrap()
                    };
                    builder.insert(path, id, mode).unwrap();
                }
            }
        }
        for (folder, files) in folders {
            let id = write_tree(repository, &files);
            builder.insert(folder, id, 0o040000).unwrap();
        }
        builder.write().unwrap()
    }

    /// A commit (on no branch) of the tree of `files`; its id.
    fn commit_files(repository: &Repository, files: &[(&str, &str, i32)]) -> String {
        let tree = repository.find_tree(write_tree(repository, files)).unwrap();
        let signature = git2::Signature::now("Test", "test@example.org").unwrap();
        let id = repository.commit(None, &signature, &signature, "files", &tree, &[]);
        id.unwrap().to_string()
    }

    fn blob_id(contents: &str) -> String {
        Oid::hash_object(git2::ObjectType::Blob, contents.as_bytes())
            .unwrap()
            .to_string()
    }

    fn file(contents: &str, mode: i32) -> Option<TreeFile> {
        Some(TreeFile {
            id: blob_id(contents),
            mode,
        })
    }

    fn change(path: &str, before: Option<TreeFile>, after: Option<TreeFile>) -> FileChange {
        FileChange {
            path: path.to_owned(),
            before,
            after,
        }
    }

    /// Removes the loose object `id` from the repository, as if it were lost.
    fn lose_object(root: &Path, id: Oid) {
        let hex = id.to_string();
        let path = root.join(".git/objects").join(&hex[..2]).join(&hex[2..]);
        std::fs::remove_file(path).unwrap();
    }

    const FILE: i32 = 0o100644;
    const EXECUTABLE: i32 = 0o100755;
    const LINK: i32 = 0o120000;
    const SUBMODULE: i32 = 0o160000;

    #[test]
    fn changed_files_reports_modified_added_deleted_and_nested_files() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let root = dir.path();
        let from = commit_files(
            &repo,
            &[
                ("sites/a/x.md", "x", FILE),
                ("sites/a/gone.md", "gone", FILE),
                ("sites/a/deep/er/y.md", "y", FILE),
                ("sites/a/same/z.md", "z", FILE),
                ("sites/b/w.md", "w", FILE),
            ],
        );
        let to = commit_files(
            &repo,
            &[
                ("sites/a/x.md", "x2", FILE),
                ("sites/a/new.md", "new", FILE),
                ("sites/a/deep/er/y.md", "y2", FILE),
                ("sites/a/deep/er/more/v.md", "v", FILE),
                ("sites/a/same/z.md", "z", FILE),
                ("sites/b/w.md", "w2", FILE),
            ],
        );
        let changes = changed_files(root, &from, &to, "/sites/a/").unwrap();
        assert_eq!(
            changes,
            [
                change("deep/er/more/v.md", None, file("v", FILE)),
                change("deep/er/y.md", file("y", FILE), file("y2", FILE)),
                change("gone.md", file("gone", FILE), None),
                change("new.md", None, file("new", FILE)),
                change("x.md", file("x", FILE), file("x2", FILE)),
            ]
        );
        let everything = changed_files(root, &from, &to, "").unwrap();
        assert_eq!(everything.len(), 6);
        assert_eq!(everything[0].path, "sites/a/deep/er/more/v.md");
        assert_eq!(everything[5].path, "sites/b/w.md");
        assert!(changed_files(root, &from, &from, "").unwrap().is_empty());
        assert!(
            changed_files(root, &from, &to, "sites/a/same")
                .unwrap()
                .is_empty()
        );

        // The other way round, additions are deletions.
        let back = changed_files(root, &to, &from, "sites/a").unwrap();
        let swapped: Vec<_> = changes
            .iter()
            .map(|c| change(&c.path, c.after.clone(), c.before.clone()))
            .collect();
        assert_eq!(back, swapped);
    }

    #[test]
    fn changed_files_reports_a_file_that_became_a_folder_and_a_mode_change() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let root = dir.path();
        let from = commit_files(
            &repo,
            &[
                ("a", "was a file", FILE),
                ("a-b", "sorts between `a` and `a/`", FILE),
                ("run.sh", "echo", FILE),
                ("link", "a-b", LINK),
                ("dir/old.md", "o", FILE),
            ],
        );
        let to = commit_files(
            &repo,
            &[
                ("a/x.md", "x", FILE),
                ("a/sub/y.md", "y", FILE),
                ("a-b", "sorts between `a` and `a/`", FILE),
                ("run.sh", "echo", EXECUTABLE),
                ("link", "run.sh", LINK),
                ("dir", "now a file", FILE),
                ("vendor", "0123", SUBMODULE),
            ],
        );
        let submodule = Oid::hash_object(git2::ObjectType::Commit, b"0123").unwrap();
        assert_eq!(
            changed_files(root, &from, &to, "").unwrap(),
            [
                change("a", file("was a file", FILE), None),
                change("a/sub/y.md", None, file("y", FILE)),
                change("a/x.md", None, file("x", FILE)),
                change("dir", None, file("now a file", FILE)),
                change("dir/old.md", file("o", FILE), None),
                change("link", file("a-b", LINK), file("run.sh", LINK)),
                change("run.sh", file("echo", FILE), file("echo", EXECUTABLE)),
                change(
                    "vendor",
                    None,
                    Some(TreeFile {
                        id: submodule.to_string(),
                        mode: SUBMODULE
                    })
                ),
            ]
        );
    }

    #[test]
    fn changed_files_of_a_folder_missing_at_one_side_lists_all_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let root = dir.path();
        let without = commit_files(&repo, &[("other/x.md", "x", FILE)]);
        let with = commit_files(
            &repo,
            &[("site/a.md", "a", FILE), ("site/p/b.md", "b", FILE)],
        );
        let added = [
            change("a.md", None, file("a", FILE)),
            change("p/b.md", None, file("b", FILE)),
        ];
        assert_eq!(changed_files(root, &without, &with, "site").unwrap(), added);
        let deleted = changed_files(root, &with, &without, "site").unwrap();
        assert_eq!(deleted.len(), 2);
        assert!(deleted.iter().all(|c| c.after.is_none()));
        assert!(
            changed_files(root, &with, &without, "nowhere")
                .unwrap()
                .is_empty()
        );
        // A path that is a file is no folder.
        assert_eq!(
            changed_files(root, &without, &with, "other/x.md").unwrap(),
            []
        );
    }

    #[test]
    fn changed_files_does_not_read_subtrees_that_did_not_change() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let root = dir.path();
        let mut files: Vec<(String, String)> = (0..200)
            .map(|n| (format!("site/pages/{}/p{n}.md", n % 7), format!("page {n}")))
            .collect();
        files.push(("site/_config.yml".into(), "title: A".into()));
        let as_refs = |files: &[(String, String)]| -> Vec<(String, String, i32)> {
            files
                .iter()
                .map(|(p, c)| (p.clone(), c.clone(), FILE))
                .collect()
        };
        let write = |files: &[(String, String, i32)]| {
            let refs: Vec<(&str, &str, i32)> = files
                .iter()
                .map(|(p, c, m)| (p.as_str(), c.as_str(), *m))
                .collect();
            commit_files(&repo, &refs)
        };
        let from = write(&as_refs(&files));
        files.last_mut().unwrap().1 = "title: B".into();
        let to = write(&as_refs(&files));

        // Without the untouched `pages` folder's tree the walk still succeeds:
        // it never read it.
        let pages = repo
            .find_commit(Oid::from_str(&to).unwrap())
            .unwrap()
            .tree()
            .unwrap()
            .get_path(Path::new("site/pages"))
            .unwrap()
            .id();
        lose_object(root, pages);
        assert_eq!(
            changed_files(root, &from, &to, "site").unwrap(),
            [change(
                "_config.yml",
                file("title: A", FILE),
                file("title: B", FILE)
            )]
        );
        // A changed folder whose tree is lost is an error, not an empty change.
        let from_root = repo.find_commit(Oid::from_str(&from).unwrap()).unwrap();
        lose_object(root, from_root.tree_id());
        assert!(matches!(
            changed_files(root, &from, &to, "site"),
            Err(GitError::Git(_))
        ));
        // With no HEAD the repository counts as having no commits.
        repo.set_head_detached(Oid::from_str(&to).unwrap()).unwrap();
        assert!(matches!(
            changed_files(root, "no-such-branch", &to, "site"),
            Err(GitError::NoRevision(_))
        ));
    }

    /// A tiny deterministic generator: the same edits on every run.
    struct Steps(u64);

    impl Steps {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// What git2's diff (no rename detection) says differs under `folder`,
    /// in [`changed_files`]'s terms.
    fn libgit2_changes(repo: &Repository, from: &str, to: &str, folder: &str) -> Vec<FileChange> {
        let tree = |revision: &str| {
            let root = repo
                .find_commit(Oid::from_str(revision).unwrap())
                .unwrap()
                .tree()
                .unwrap();
            if folder.is_empty() {
                return Some(root);
            }
            let entry = root.get_path(Path::new(folder)).ok()?;
            repo.find_tree(entry.id()).ok()
        };
        let (old, new) = (tree(from), tree(to));
        let diff = repo
            .diff_tree_to_tree(old.as_ref(), new.as_ref(), None)
            .unwrap();
        let side = |file: git2::DiffFile<'_>| TreeFile {
            id: file.id().to_string(),
            mode: i32::from(file.mode()),
        };
        // A type change comes as a deletion and an addition of one path.
        let mut by_path: BTreeMap<String, FileChange> = BTreeMap::new();
        for delta in diff.deltas() {
            let path = path_text(delta.new_file().path().or(delta.old_file().path()).unwrap());
            let entry = by_path
                .entry(path.clone())
                .or_insert_with(|| change(&path, None, None));
            match delta.status() {
                Delta::Added => entry.after = Some(side(delta.new_file())),
                Delta::Deleted => entry.before = Some(side(delta.old_file())),
                Delta::Modified => {
                    entry.before = Some(side(delta.old_file()));
                    entry.after = Some(side(delta.new_file()));
                }
                other => panic!("unexpected {other:?} for {path}"),
            }
        }
        by_path.into_values().collect()
    }

    #[test]
    fn changed_files_agrees_with_a_libgit2_diff() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let root = dir.path();
        // Names that are both files and folders, and sort around `/`.
        let names = ["a", "a-b", "a0", "b", "x.md"];
        let mut steps = Steps(0x9e37_79b9_7f4a_7c15);
        let mut files: BTreeMap<String, (String, i32)> = BTreeMap::new();
        let mut commits = Vec::new();
        for round in 0..60 {
            for _ in 0..1 + steps.below(4) {
                let depth = 1 + steps.below(4);
                let path = (0..depth)
                    .map(|_| names[steps.below(names.len())])
                    .collect::<Vec<_>>()
                    .join("/");
                let existing: Vec<String> = files.keys().cloned().collect();
                let picked =
                    (!existing.is_empty()).then(|| existing[steps.below(existing.len())].clone());
                match (steps.below(8), picked) {
                    (0, Some(path)) => {
                        files.remove(&path);
                    }
                    (1, Some(path)) => {
                        let (_, mode) = files.get_mut(&path).unwrap();
                        *mode = if *mode == FILE { EXECUTABLE } else { FILE };
                    }
                    (2, Some(path)) => {
                        files.get_mut(&path).unwrap().0 = format!("edit {round}");
                    }
                    (3, Some(path)) => {
                        // Delete the folder holding a file.
                        if let Some((folder, _)) = path.rsplit_once('/') {
                            let inside = format!("{folder}/");
                            files.retain(|p, _| !p.starts_with(&inside));
                        }
                    }
                    (kind, _) => {
                        let mode = match kind {
                            4 => LINK,
                            5 => SUBMODULE,
                            _ => FILE,
                        };
                        // Whatever is in the way goes: a file where a folder
                        // must be, or a folder where the file must be.
                        let inside = format!("{path}/");
                        files.retain(|p, _| {
                            !p.starts_with(&inside) && !path.starts_with(&format!("{p}/"))
                        });
                        let contents = format!("{path} {round}");
                        files.insert(path, (contents, mode));
                    }
                }
            }
            if files.is_empty() {
                files.insert("x.md".into(), ("x".into(), FILE));
            }
            let list: Vec<(&str, &str, i32)> = files
                .iter()
                .map(|(p, (c, m))| (p.as_str(), c.as_str(), *m))
                .collect();
            commits.push(commit_files(&repo, &list));
        }
        let mut all = Vec::new();
        for index in 0..commits.len() {
            let pairs = [
                (index, (index + 1) % commits.len()),
                (index, steps.below(commits.len())),
            ];
            for (from, to) in pairs {
                for folder in ["", "a", "a/a", "b/a-b", "a0", "x.md"] {
                    let (from, to) = (&commits[from], &commits[to]);
                    let ours = changed_files(root, from, to, folder).unwrap();
                    let theirs = libgit2_changes(&repo, from, to, folder);
                    assert_eq!(ours, theirs, "{from}..{to} in `{folder}`");
                    all.push(ours);
                }
            }
        }
        // The edits reached the folders compared, with every kind of change.
        let changes = || all.iter().flatten();
        let modes = |c: &FileChange| [&c.before, &c.after].map(|f| f.as_ref().map(|f| f.mode));
        assert!(changes().count() > 1000);
        assert!(changes().any(|c| matches!((&c.before, &c.after),
            (Some(b), Some(a)) if b.id == a.id && b.mode != a.mode)));
        assert!(changes().any(|c| modes(c).contains(&Some(LINK))));
        assert!(changes().any(|c| modes(c).contains(&Some(SUBMODULE))));
        let folder_swaps = all.iter().filter(|changes| {
            changes.iter().any(|c| {
                let inside = format!("{}/", c.path);
                changes.iter().any(|other| other.path.starts_with(&inside))
            })
        });
        assert!(folder_swaps.count() > 10);
    }

    fn dates(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs.iter().map(|(p, t)| (p.to_string(), *t)).collect()
    }

    #[test]
    fn dates_carried_from_an_ancestor_equal_a_whole_walk() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let root = dir.path();
        let first = commit_at(
            &repo,
            1000,
            &[
                ("sites/a/x.md", Some("x")),
                ("sites/a/y.md", Some("y")),
                ("other/z.md", Some("z")),
            ],
        );
        let second = commit_at(
            &repo,
            2000,
            &[("sites/a/x.md", Some("x2")), ("sites/a/w.md", Some("w"))],
        );
        let at_second = last_changed(root, &second, "sites/a", None).unwrap();
        assert_eq!(
            at_second,
            dates(&[("w.md", 2000), ("x.md", 2000), ("y.md", 1000)])
        );
        commit_at(
            &repo,
            3000,
            &[("sites/a/y.md", None), ("other/z.md", Some("z2"))],
        );
        let fourth = commit_at(
            &repo,
            4000,
            &[("sites/a/y.md", Some("back")), ("sites/a/w.md", None)],
        );
        let whole = last_changed(root, &fourth, "sites/a", None).unwrap();
        assert_eq!(whole, dates(&[("x.md", 2000), ("y.md", 4000)]));
        let carried = last_changed(root, &fourth, "sites/a", Some((&second, &at_second))).unwrap();
        assert_eq!(carried, whole);
        let unchanged = last_changed(root, &fourth, "sites/a", Some((&fourth, &whole))).unwrap();
        assert_eq!(unchanged, whole);
        let third = repo.find_commit(Oid::from_str(&fourth).unwrap()).unwrap();
        let third = third.parent_id(0).unwrap().to_string();
        assert!(!folder_differs(root, &second, &third, "other/x").unwrap());
        assert!(folder_differs(root, &second, &third, "other").unwrap());
        assert!(folder_differs(root, &second, &third, "sites/a/").unwrap());
        assert!(!folder_differs(root, &first, &first, "").unwrap());
        assert!(folder_differs(root, &first, &second, "").unwrap());

        // Dates of a revision that is not an ancestor are not trusted.
        let wrong = dates(&[("x.md", 1), ("gone.md", 1)]);
        let other = commit_at(&repo, 5000, &[("other/z.md", Some("z3"))]);
        let first = repo
            .find_object(Oid::from_str(&first).unwrap(), None)
            .unwrap();
        repo.reset(&first, git2::ResetType::Hard, None).unwrap();
        let side = commit_at(&repo, 6000, &[("sites/a/x.md", Some("side"))]);
        assert_eq!(
            last_changed(root, &side, "sites/a", Some((&other, &wrong))).unwrap(),
            dates(&[("x.md", 6000), ("y.md", 1000)])
        );
    }
}
