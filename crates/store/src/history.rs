//! What changed between revisions, and when each file last changed.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Sort};

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
/// after it are walked.
pub fn last_changed(
    repository: &Path,
    revision: &str,
    folder: &str,
    known: Option<(&str, &BTreeMap<String, i64>)>,
) -> Result<BTreeMap<String, i64>, GitError> {
    let repo = crate::open(repository)?;
    let head = crate::commit_of(&repo, revision)?;
    let folder = folder.trim_matches('/');
    let prefix = if folder.is_empty() {
        String::new()
    } else {
        format!("{folder}/")
    };
    let mut pending: HashSet<String> = HashSet::new();
    head.tree()
        .map_err(GitError::from_git)?
        .walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob)
                && let Ok(name) = entry.name()
            {
                let path = format!("{parent}{name}");
                if let Some(relative) = path.strip_prefix(&prefix) {
                    pending.insert(relative.to_owned());
                }
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(GitError::from_git)?;

    let mut walk = repo.revwalk().map_err(GitError::from_git)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
        .map_err(GitError::from_git)?;
    walk.push(head.id()).map_err(GitError::from_git)?;
    walk.simplify_first_parent().map_err(GitError::from_git)?;
    let mut carried = BTreeMap::new();
    if let Some((since, dates)) = known {
        let since = crate::commit_of(&repo, since)?.id();
        let is_ancestor = since == head.id()
            || repo
                .graph_descendant_of(head.id(), since)
                .map_err(GitError::from_git)?;
        if is_ancestor {
            walk.hide(since).map_err(GitError::from_git)?;
            carried = dates.clone();
        }
    }

    let mut found = BTreeMap::new();
    let mut options = DiffOptions::new();
    if !prefix.is_empty() {
        options.pathspec(&prefix);
    }
    for oid in walk {
        if pending.is_empty() {
            break;
        }
        let oid: Oid = oid.map_err(GitError::from_git)?;
        let commit = repo.find_commit(oid).map_err(GitError::from_git)?;
        let tree = commit.tree().map_err(GitError::from_git)?;
        let parent_tree = match commit.parent(0) {
            Ok(parent) => Some(parent.tree().map_err(GitError::from_git)?),
            Err(_) => None,
        };
        let diff = repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut options))
            .map_err(GitError::from_git)?;
        let time = commit.time().seconds();
        for delta in diff.deltas() {
            if let Some(path) = delta.new_file().path().map(path_text)
                && let Some(relative) = path.strip_prefix(&prefix)
                && pending.remove(relative)
            {
                found.insert(relative.to_owned(), time);
            }
        }
    }
    // Files the walk did not reach kept their earlier dates.
    for path in pending {
        if let Some(time) = carried.get(&path) {
            found.insert(path, *time);
        }
    }
    Ok(found)
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
