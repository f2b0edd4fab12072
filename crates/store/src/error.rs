//! Errors of Git operations other than opening a tree.

use std::path::{Path, PathBuf};

use git2::{Commit, Repository};

use crate::loose::DamagedObject;
use crate::objects::{ObjectError, Objects, RevisionError};

/// A Git operation failed.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// No repository at or above the path.
    #[error("{0}: not inside a Git repository")]
    NoRepository(PathBuf),
    /// The repository has no commits yet.
    #[error("the repository has no commits yet; commit the sites first")]
    NoCommits,
    /// The revision does not name a commit.
    #[error("revision `{0}` does not exist")]
    NoRevision(String),
    /// A name Git does not accept for a ref.
    #[error("`{0}` is not a valid Git ref name")]
    InvalidRefName(String),
    /// A `post-commit` hook that Gazette did not write is in the way.
    #[error("{0} exists and was not written by Gazette (use --force to replace it)")]
    HookExists(PathBuf),
    /// Reading or writing a file failed.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// What libgit2 reported.
    #[error("git: {0}")]
    Git(String),
    /// A loose object file is damaged (cut short, or not what its header
    /// says); libgit2 was not given it.
    #[error(transparent)]
    Damaged(DamagedObject),
}

impl GitError {
    pub(crate) fn from_git(error: git2::Error) -> Self {
        Self::Git(error.message().to_owned())
    }

    /// The damaged object behind this error, if that is what it is.
    pub fn damaged_object(&self) -> Option<&DamagedObject> {
        match self {
            Self::Damaged(object) => Some(object),
            _ => None,
        }
    }
}

impl From<ObjectError> for GitError {
    fn from(error: ObjectError) -> Self {
        match error {
            ObjectError::Damaged(object) => Self::Damaged(object),
            ObjectError::Git(error) => Self::from_git(error),
        }
    }
}

/// Opens the repository holding `path`, for its refs and writes.
pub(crate) fn open(path: &Path) -> Result<Repository, GitError> {
    Repository::discover(path).map_err(|_| GitError::NoRepository(path.to_owned()))
}

/// Opens the repository holding `path`, for reading its objects through the
/// loose-object guard.
pub(crate) fn open_objects(path: &Path) -> Result<Objects, GitError> {
    open(path).map(Objects::new)
}

/// The commit a revision names.
pub(crate) fn commit_of<'r>(repo: &'r Objects, revision: &str) -> Result<Commit<'r>, GitError> {
    match repo.revision(revision) {
        Ok(commit) => Ok(commit),
        Err(RevisionError::Object(ObjectError::Damaged(object))) => Err(GitError::Damaged(object)),
        Err(_) if repo.git().is_empty().unwrap_or(false) => Err(GitError::NoCommits),
        Err(_) => Err(GitError::NoRevision(revision.to_owned())),
    }
}
