//! What changed between revisions, and when each file last changed.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use git2::{Delta, DiffFindOptions, Oid, Repository, Sort};

use crate::GitError;

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
    let repo = crate::open(repository)?;
    let to_tree = crate::commit_of(&repo, to)?
        .tree()
        .map_err(GitError::from_git)?;
    let from_tree = match from {
        Some(rev) => Some(
            crate::commit_of(&repo, rev)?
                .tree()
                .map_err(GitError::from_git)?,
        ),
        None => None,
    };
    let mut diff = repo
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
    let repo = crate::open(repository)?;
    let folder = folder.trim_matches('/');
    let id_at = |revision: &str| -> Result<Option<Oid>, GitError> {
        let root = crate::commit_of(&repo, revision)?
            .tree()
            .map_err(GitError::from_git)?;
        if folder.is_empty() {
            return Ok(Some(root.id()));
        }
        Ok(root
            .get_path(Path::new(folder))
            .ok()
            .map(|entry| entry.id()))
    };
    Ok(id_at(from)? != id_at(to)?)
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// When every file under `folder` at `revision` last changed, as seconds since
/// the Unix epoch of the commit that last touched it, keyed by path relative
/// to `folder`.
///
/// One walk of the history: each commit is compared with its first parent
/// once, and the walk stops as soon as every file has its date. With `known`
/// dates as of an earlier revision `since` (an ancestor), only the commits
/// after it are walked, and the files they did not touch keep their dates.
pub fn last_changed(
    repository: &Path,
    revision: &str,
    folder: &str,
    known: Option<(&str, &BTreeMap<String, i64>)>,
) -> Result<BTreeMap<String, i64>, GitError> {
    let repo = crate::open(repository)?;
    let head = crate::commit_of(&repo, revision)?;
    let folder = folder.trim_matches('/');
    let mut walk = repo.revwalk().map_err(GitError::from_git)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
        .map_err(GitError::from_git)?;
    walk.push(head.id()).map_err(GitError::from_git)?;
    walk.simplify_first_parent().map_err(GitError::from_git)?;
    if let Some((since, dates)) = known {
        let since = crate::commit_of(&repo, since)?.id();
        let is_ancestor = since == head.id()
            || repo
                .graph_descendant_of(head.id(), since)
                .map_err(GitError::from_git)?;
        if is_ancestor {
            walk.hide(since).map_err(GitError::from_git)?;
            return dates_since(&repo, walk, folder, dates.clone());
        }
    }

    let mut found = BTreeMap::new();
    let Some(tree) = folder_tree(&repo, &head, folder)? else {
        return Ok(found);
    };
    let mut pending: HashSet<String> = HashSet::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob)
            && let Ok(name) = entry.name()
        {
            pending.insert(format!("{parent}{name}"));
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(GitError::from_git)?;
    if pending.is_empty() {
        return Ok(found);
    }
    for commit in first_parent_diffs(&repo, walk, folder) {
        let (time, diff) = commit?;
        for delta in diff.deltas() {
            if let Some(relative) = file_path(&delta)
                && pending.remove(&relative)
            {
                found.insert(relative, time);
            }
        }
        if pending.is_empty() {
            break;
        }
    }
    Ok(found)
}

/// `dates` as of the commit the walk stops before, brought up to the commit
/// it starts from: the newest commit touching a file decides its date, or
/// that it is gone.
fn dates_since(
    repo: &Repository,
    walk: git2::Revwalk<'_>,
    folder: &str,
    mut dates: BTreeMap<String, i64>,
) -> Result<BTreeMap<String, i64>, GitError> {
    let mut settled: HashSet<String> = HashSet::new();
    for commit in first_parent_diffs(repo, walk, folder) {
        let (time, diff) = commit?;
        for delta in diff.deltas() {
            let Some(relative) = file_path(&delta) else {
                continue;
            };
            if !settled.insert(relative.clone()) {
                continue;
            }
            if delta.status() == Delta::Deleted {
                dates.remove(&relative);
            } else {
                dates.insert(relative, time);
            }
        }
    }
    Ok(dates)
}

/// Each commit of `walk` (newest first) with its time and its diff against
/// its first parent, limited to `folder` (`sites/a`, or empty for the root).
///
/// The folder's trees are compared, not the whole commits' trees with a
/// path filter: libgit2 visits every entry of the trees it compares, and a
/// filter does not spare it the other sites' files.
fn first_parent_diffs<'r>(
    repo: &'r Repository,
    walk: git2::Revwalk<'r>,
    folder: &str,
) -> impl Iterator<Item = Result<(i64, git2::Diff<'r>), GitError>> + 'r {
    let folder = folder.to_owned();
    walk.map(move |oid| {
        let oid: Oid = oid.map_err(GitError::from_git)?;
        let commit = repo.find_commit(oid).map_err(GitError::from_git)?;
        let tree = folder_tree(repo, &commit, &folder)?;
        let parent_tree = match commit.parent(0) {
            Ok(parent) => folder_tree(repo, &parent, &folder)?,
            Err(_) => None,
        };
        // Deltas name paths relative to the folder.
        let diff = repo
            .diff_tree_to_tree(parent_tree.as_ref(), tree.as_ref(), None)
            .map_err(GitError::from_git)?;
        Ok((commit.time().seconds(), diff))
    })
}

/// The tree of `folder` (empty for the root) in a commit, if it has one.
fn folder_tree<'r>(
    repo: &'r Repository,
    commit: &git2::Commit<'r>,
    folder: &str,
) -> Result<Option<git2::Tree<'r>>, GitError> {
    let root = commit.tree().map_err(GitError::from_git)?;
    if folder.is_empty() {
        return Ok(Some(root));
    }
    let Ok(entry) = root.get_path(Path::new(folder)) else {
        return Ok(None);
    };
    if entry.kind() != Some(git2::ObjectType::Tree) {
        return Ok(None);
    }
    let tree = repo.find_tree(entry.id()).map_err(GitError::from_git)?;
    Ok(Some(tree))
}

/// The path of the file a delta touches, unless it is a submodule (which is
/// not a file of the site).
fn file_path(delta: &git2::DiffDelta<'_>) -> Option<String> {
    let file = if delta.status() == Delta::Deleted {
        delta.old_file()
    } else {
        delta.new_file()
    };
    if file.mode() == git2::FileMode::Commit {
        return None;
    }
    file.path().map(path_text)
}

/// The bytes of `path` in the tree of `revision`, if it is a file there.
pub fn read_file_at(
    repository: &Path,
    revision: &str,
    path: &str,
) -> Result<Option<Vec<u8>>, GitError> {
    let repo = crate::open(repository)?;
    let commit = match crate::commit_of(&repo, revision) {
        Ok(commit) => commit,
        Err(GitError::NoRevision(_) | GitError::NoCommits) => return Ok(None),
        Err(error) => return Err(error),
    };
    let tree = commit.tree().map_err(GitError::from_git)?;
    let Ok(entry) = tree.get_path(Path::new(path)) else {
        return Ok(None);
    };
    let blob = repo.find_blob(entry.id()).map_err(GitError::from_git)?;
    Ok(Some(blob.content().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
