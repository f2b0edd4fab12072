//! Which files of a working directory have changes that are not committed,
//! so tools that edit files in place can refuse to overwrite unsaved work.

use std::path::{Path, PathBuf};

use git2::{Repository, Status, StatusOptions};

/// Why the status of a folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The folder is not inside a Git working directory.
    #[error("{path} is not inside a Git working directory ({message})")]
    NotARepository {
        /// The folder asked about.
        path: PathBuf,
        /// What git2 said.
        message: String,
    },
    /// Git could not compute the status.
    #[error("cannot read the Git status of {path}: {message}")]
    Unreadable {
        /// The folder asked about.
        path: PathBuf,
        /// What git2 said.
        message: String,
    },
}

/// The files under `folder` whose contents differ from the last commit:
/// modified, staged, added, deleted, renamed or untracked (ignored files are
/// not). Paths are absolute, under the repository's working directory.
pub fn uncommitted_paths(folder: &Path) -> Result<Vec<PathBuf>, StatusError> {
    let repository = Repository::discover(folder).map_err(|error| StatusError::NotARepository {
        path: folder.to_owned(),
        message: error.message().to_owned(),
    })?;
    let unreadable = |error: git2::Error| StatusError::Unreadable {
        path: folder.to_owned(),
        message: error.message().to_owned(),
    };
    let Some(workdir) = repository.workdir().map(Path::to_owned) else {
        return Err(StatusError::NotARepository {
            path: folder.to_owned(),
            message: "the repository is bare".to_owned(),
        });
    };
    let mut options = StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
    let statuses = repository
        .statuses(Some(&mut options))
        .map_err(unreadable)?;
    let folder = folder.canonicalize().unwrap_or_else(|_| folder.to_owned());
    let workdir = workdir.canonicalize().unwrap_or(workdir);
    let mut paths: Vec<PathBuf> = statuses
        .iter()
        .filter(|entry| entry.status() != Status::CURRENT && !entry.status().is_ignored())
        .filter_map(|entry| entry.path().ok().map(|path| workdir.join(path)))
        .filter(|path| path.starts_with(&folder))
        .collect();
    paths.sort();
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn commit_all(repository: &Repository, message: &str) {
        let mut index = repository.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.write().unwrap();
        let tree = index.write_tree().unwrap();
        crate::test_commits::commit_on_head(repository, tree, message);
    }

    #[test]
    fn modified_staged_and_untracked_files_are_uncommitted_and_clean_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let repository = Repository::init(dir.path()).unwrap();
        fs::create_dir_all(dir.path().join("site/pages")).unwrap();
        fs::write(dir.path().join("site/pages/a.md"), "a").unwrap();
        fs::write(dir.path().join("site/pages/b.md"), "b").unwrap();
        fs::write(dir.path().join("outside.md"), "o").unwrap();
        commit_all(&repository, "first");
        assert!(
            uncommitted_paths(&dir.path().join("site"))
                .unwrap()
                .is_empty()
        );

        fs::write(dir.path().join("site/pages/a.md"), "changed").unwrap();
        fs::write(dir.path().join("site/pages/new.md"), "new").unwrap();
        fs::write(dir.path().join("outside.md"), "changed").unwrap();
        let root = dir.path().canonicalize().unwrap();
        assert_eq!(
            uncommitted_paths(&dir.path().join("site")).unwrap(),
            [root.join("site/pages/a.md"), root.join("site/pages/new.md")]
        );
    }

    #[test]
    fn a_folder_outside_any_repository_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            uncommitted_paths(dir.path()),
            Err(StatusError::NotARepository { .. })
        ));
    }
}
