//! A [`Source`] over a folder of a commit's tree, read from the object database.

use std::path::Path;
use std::sync::Mutex;

use gazette_content::{Source, SourceError};
use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

/// The files of one folder (or the root) of a commit, read without a checkout.
///
/// The listing is taken once, when the source is opened: blob ids are kept so
/// that reads go straight to the object database. Symbolic links and
/// submodules in the tree are not files of the site and are left out.
pub struct GitTreeSource {
    // git2's Repository is Send but not Sync; reads are short, so one lock is enough.
    repository: Mutex<Repository>,
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
}

impl GitTreeSource {
    /// Opens `folder` (empty for the root) of `revision` in the repository at
    /// `repository_path`.
    pub fn open(
        repository_path: &Path,
        revision: &str,
        folder: &str,
    ) -> Result<Self, OpenRevisionError> {
        let repository = Repository::discover(repository_path).map_err(|error| {
            OpenRevisionError::NoRepository {
                path: repository_path.display().to_string(),
                message: error.message().to_owned(),
            }
        })?;
        let (files, description) = list_folder(&repository, repository_path, revision, folder)?;
        Ok(Self {
            repository: Mutex::new(repository),
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

/// Every file of `folder` at `revision` with its blob id, and a description.
fn list_folder(
    repository: &Repository,
    repository_path: &Path,
    revision: &str,
    folder: &str,
) -> Result<(Vec<(String, Oid)>, String), OpenRevisionError> {
    let no_revision = |error: git2::Error| OpenRevisionError::NoRevision {
        revision: revision.to_owned(),
        message: error.message().to_owned(),
    };
    let commit = match repository
        .revparse_single(revision)
        .and_then(|object| object.peel_to_commit())
    {
        Ok(commit) => commit,
        Err(_) if repository.is_empty().unwrap_or(false) => {
            return Err(OpenRevisionError::NoCommits);
        }
        Err(error) => return Err(no_revision(error)),
    };
    let corrupt = |error: git2::Error| OpenRevisionError::Corrupt {
        revision: revision.to_owned(),
        message: error.message().to_owned(),
    };
    let root = commit.tree().map_err(corrupt)?;
    let folder = folder.trim_matches('/');
    let tree = if folder.is_empty() {
        root
    } else {
        let entry = root
            .get_path(Path::new(folder))
            .map_err(|_| OpenRevisionError::NoFolder {
                folder: folder.to_owned(),
                revision: revision.to_owned(),
            })?;
        if entry.kind() != Some(ObjectType::Tree) {
            return Err(OpenRevisionError::NoFolder {
                folder: folder.to_owned(),
                revision: revision.to_owned(),
            });
        }
        repository.find_tree(entry.id()).map_err(corrupt)?
    };
    let mut files = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
        // 0o100644 and 0o100755 are files; links (0o120000) and submodules are not.
        let is_file = entry.kind() == Some(ObjectType::Blob)
            && matches!(entry.filemode(), 0o100644 | 0o100755);
        if is_file && let Ok(name) = entry.name() {
            files.push((format!("{parent}{name}"), entry.id()));
        }
        TreeWalkResult::Ok
    })
    .map_err(corrupt)?;
    files.sort();
    let short = commit.id().to_string();
    let description = format!(
        "{} at {}{}",
        repository_path.display(),
        &short[..short.len().min(12)],
        if folder.is_empty() {
            String::new()
        } else {
            format!(":{folder}")
        }
    );
    Ok((files, description))
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
        let repository = self
            .repository
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let blob = repository
            .find_blob(oid)
            .map_err(|error| SourceError::Unreadable {
                path: path.to_owned(),
                message: format!("cannot read object {oid}: {}", error.message()),
            })?;
        Ok(blob.content().to_vec())
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
