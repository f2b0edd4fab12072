//! Commits, and damaged objects, for the unit tests of this crate.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

/// Commits the tree `tree` on HEAD, over HEAD's commit when there is one.
pub(crate) fn commit_on_head(repository: &Repository, tree: Oid, message: &str) -> Oid {
    let tree = repository.find_tree(tree).unwrap();
    let signature = git2::Signature::now("Test", "test@example.org").unwrap();
    let parent = repository.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repository
        .commit(
            Some("HEAD"),
            &signature,
            &signature,
            message,
            &tree,
            &parents,
        )
        .unwrap()
}

/// Runs `read` on its own thread and fails if it has not returned
/// within 20 s: a read libgit2 spins on never returns, and the spinning
/// thread ends with the test process.
pub(crate) fn within_deadline<T: Send + 'static>(read: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(read()));
    receiver
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the read did not end: libgit2 spinning on a damaged object?")
}

/// Cuts the loose file of `id` under `root` to half its length.
pub(crate) fn cut_short(root: &Path, id: Oid) -> PathBuf {
    let hex = id.to_string();
    let path = root.join(".git/objects").join(&hex[..2]).join(&hex[2..]);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    path
}
