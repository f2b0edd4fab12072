//! Commits for the unit tests of this crate.

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
