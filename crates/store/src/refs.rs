//! Refs that remember what was published, and output committed to a branch.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{FileMode, Oid, Repository, Signature};

use crate::GitError;

/// The repository's working folder (or, for a bare repository, its Git folder).
pub fn work_dir(path: &Path) -> Result<std::path::PathBuf, GitError> {
    let repo = crate::open(path)?;
    Ok(repo.workdir().unwrap_or_else(|| repo.path()).to_owned())
}

/// The repository's Git folder (`.git`, or the bare repository itself).
pub fn git_dir(path: &Path) -> Result<std::path::PathBuf, GitError> {
    Ok(crate::open(path)?.path().to_owned())
}

/// The ref that records the last commit published for `site`.
pub fn published_ref_name(site: &str) -> String {
    format!("refs/gazette/published/{site}")
}

/// The commit id a ref points to, if the ref exists.
pub fn read_ref(repository: &Path, name: &str) -> Result<Option<String>, GitError> {
    let repo = crate::open(repository)?;
    match repo.find_reference(name) {
        Ok(reference) => Ok(reference.target().map(|oid| oid.to_string())),
        Err(error) if error.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(error) => Err(GitError::from_git(error)),
    }
}

/// Points `name` at `commit`, creating the ref if needed.
pub fn write_ref(
    repository: &Path,
    name: &str,
    commit: &str,
    message: &str,
) -> Result<(), GitError> {
    let repo = crate::open(repository)?;
    let oid = Oid::from_str(commit).map_err(GitError::from_git)?;
    repo.reference(name, oid, true, message)
        .map_err(GitError::from_git)?;
    Ok(())
}

/// Gazette's hold on a ref, for writing it; dropping it (or the process dying)
/// releases it.
#[derive(Debug)]
pub struct RefLock {
    _file: std::fs::File,
}

/// Takes Gazette's lock on the ref `name`, waiting while another Gazette
/// process writes it, then removes the lock file a writer killed mid-write
/// left beside the ref.
///
/// Git and libgit2 write a ref by creating `<ref>.lock` and renaming it over
/// the ref; a process killed in between leaves that file, and every later
/// write of the ref fails with "failed to lock file". Holding this lock, no
/// Gazette process is writing the ref, so the file is stale. Only for refs
/// that Gazette alone writes (a site's published ref, its publish branch): a
/// Git command writing the same ref at the same moment could lose its write.
/// The lock is the ref's own rather than the publish target's, because
/// publishes of one site to different targets all write its published ref.
pub fn lock_ref(repository: &Path, name: &str) -> Result<RefLock, GitError> {
    // A valid name has no `..`, so the paths below stay in the Git folder.
    if !git2::Reference::is_valid_name(name) {
        return Err(GitError::InvalidRefName(name.to_owned()));
    }
    let repo = crate::open(repository)?;
    // Refs other than HEAD and a few per-worktree ones live in the folder
    // that linked worktrees share.
    let common = repo.commondir();
    let locks = common.join("gazette").join("ref-locks");
    std::fs::create_dir_all(&locks).map_err(|e| GitError::Io(locks.clone(), e))?;
    // One flat file per ref (`~` cannot be part of a ref name), so a deleted
    // branch's lock can never be in the way of a folder of the same name.
    let path = locks.join(name.replace('/', "~"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| GitError::Io(path.clone(), e))?;
    file.lock().map_err(|e| GitError::Io(path.clone(), e))?;
    let stale = common.join(format!("{name}.lock"));
    match std::fs::remove_file(&stale) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(GitError::Io(stale, error))
        }
        _ => Ok(RefLock { _file: file }),
    }
}

/// The full commit id of a revision.
pub fn resolve_commit(repository: &Path, revision: &str) -> Result<String, GitError> {
    let repo = crate::open_objects(repository)?;
    Ok(crate::commit_of(&repo, revision)?.id().to_string())
}

/// Commits `files` (output path → bytes) as the whole tree of a new commit on
/// `branch`, whose parent is the branch's previous commit. Returns the commit
/// id. A publish that changes nothing still records a commit, so every
/// publish is visible in the branch's history.
pub fn commit_tree_to_branch(
    repository: &Path,
    branch: &str,
    files: &BTreeMap<String, Vec<u8>>,
    message: &str,
) -> Result<String, GitError> {
    let objects = crate::open_objects(repository)?;
    let repo = objects.git();
    let tree = write_tree(repo, files)?;
    // Writing an object that exists keeps the file there, which may be a
    // damaged one: read it through the guard.
    let tree = objects.tree(tree)?;
    let reference = format!("refs/heads/{branch}");
    let parent = match repo.find_reference(&reference) {
        Ok(r) => {
            let resolved = r.resolve().map_err(GitError::from_git)?;
            match resolved.target() {
                Some(id) => Some(objects.commit(id)?),
                None => None,
            }
        }
        Err(error) if error.code() == git2::ErrorCode::NotFound => None,
        Err(error) => return Err(GitError::from_git(error)),
    };
    let signature = Signature::now("Gazette", "gazette@localhost").map_err(GitError::from_git)?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let oid = repo
        .commit(
            Some(&reference),
            &signature,
            &signature,
            message,
            &tree,
            &parents,
        )
        .map_err(GitError::from_git)?;
    Ok(oid.to_string())
}

/// Builds nested trees from `/`-separated paths.
fn write_tree(repo: &Repository, files: &BTreeMap<String, Vec<u8>>) -> Result<Oid, GitError> {
    #[derive(Default)]
    struct Folder<'a> {
        files: Vec<(&'a str, &'a [u8])>,
        folders: BTreeMap<&'a str, Folder<'a>>,
    }
    fn insert<'a>(folder: &mut Folder<'a>, path: &'a str, bytes: &'a [u8]) {
        match path.split_once('/') {
            Some((head, rest)) => insert(folder.folders.entry(head).or_default(), rest, bytes),
            None => folder.files.push((path, bytes)),
        }
    }
    fn write(repo: &Repository, folder: &Folder<'_>) -> Result<Oid, GitError> {
        let mut builder = repo.treebuilder(None).map_err(GitError::from_git)?;
        for (name, bytes) in &folder.files {
            let blob = repo.blob(bytes).map_err(GitError::from_git)?;
            builder
                .insert(name, blob, FileMode::Blob.into())
                .map_err(GitError::from_git)?;
        }
        for (name, child) in &folder.folders {
            let tree = write(repo, child)?;
            builder
                .insert(name, tree, FileMode::Tree.into())
                .map_err(GitError::from_git)?;
        }
        builder.write().map_err(GitError::from_git)
    }
    let mut root = Folder::default();
    for (path, bytes) in files {
        insert(&mut root, path, bytes);
    }
    write(repo, &root)
}

/// Installs a `post-commit` hook that runs `command`. An existing hook that
/// Gazette did not write is kept unless `force` is set.
pub fn install_post_commit_hook(
    repository: &Path,
    command: &str,
    force: bool,
) -> Result<std::path::PathBuf, GitError> {
    let repo = crate::open(repository)?;
    let hooks = repo.path().join("hooks");
    std::fs::create_dir_all(&hooks).map_err(|e| GitError::Io(hooks.clone(), e))?;
    let hook = hooks.join("post-commit");
    const MARK: &str = "# installed by gazette";
    if hook.exists() && !force {
        let existing = std::fs::read_to_string(&hook).unwrap_or_default();
        if !existing.contains(MARK) {
            return Err(GitError::HookExists(hook));
        }
    }
    let script =
        format!("#!/bin/sh\n{MARK}: publishes the sites changed by each commit\nexec {command}\n");
    std::fs::write(&hook, script).map_err(|e| GitError::Io(hook.clone(), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| GitError::Io(hook.clone(), e))?;
    }
    Ok(hook)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository with one (empty) commit, and that commit's id.
    fn repository_with_a_commit() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let tree = repo.treebuilder(None).unwrap().write().unwrap();
        let tree = repo.find_tree(tree).unwrap();
        let signature = Signature::now("Test", "test@example.org").unwrap();
        let commit = repo
            .commit(Some("HEAD"), &signature, &signature, "empty", &tree, &[])
            .unwrap();
        (dir, commit.to_string())
    }

    #[test]
    fn a_ref_lock_file_left_by_a_killed_writer_is_removed_and_only_that_one() {
        let (dir, commit) = repository_with_a_commit();
        let refs = dir.path().join(".git/refs/gazette/published");
        std::fs::create_dir_all(&refs).unwrap();
        // What a writer killed between creating the lock and renaming it leaves.
        std::fs::write(refs.join("a.lock"), &commit[..7]).unwrap();
        std::fs::write(refs.join("b.lock"), "").unwrap();
        let name = published_ref_name("a");
        assert!(write_ref(dir.path(), &name, &commit, "blocked").is_err());

        let lock = lock_ref(dir.path(), &name).unwrap();
        write_ref(dir.path(), &name, &commit, "published").unwrap();
        drop(lock);
        assert_eq!(read_ref(dir.path(), &name).unwrap(), Some(commit));
        assert!(!refs.join("a.lock").exists());
        assert!(refs.join("b.lock").exists(), "another ref's lock is kept");
    }

    #[test]
    fn a_ref_lock_is_refused_for_a_name_that_could_leave_the_git_folder() {
        let (dir, _) = repository_with_a_commit();
        let error = lock_ref(dir.path(), "refs/../../outside").unwrap_err();
        assert!(matches!(error, GitError::InvalidRefName(_)), "{error}");
    }
}
