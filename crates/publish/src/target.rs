//! Where a publish goes: a folder (versions switched in one rename) or a
//! branch of the same repository (one commit per publish), each with its
//! lock and its view of what it shows now.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gazette_content::Source;
use gazette_render::{
    MANIFEST_PATH, Manifest, ManifestSummary, OutputContents, RenderedSite, SEARCH_STATE_PATH,
};
use gazette_store::lock_ref;

use crate::folder::{FolderTarget, Spare, TargetLock};
use crate::output::{OutputError, read_copy, safe_join};
use crate::request::{PublishError, PublishRequest, PublishTarget};

/// The chosen target, with its lock and its view of the previous publish.
pub(crate) enum Target {
    Folder(FolderTarget),
    Branch {
        repository: PathBuf,
        branch: String,
        lock_dir: PathBuf,
    },
}

impl Target {
    pub(crate) fn new(request: &PublishRequest<'_>) -> Self {
        match request.target {
            PublishTarget::Folder(path) => Self::Folder(FolderTarget::new(path)),
            PublishTarget::Branch(branch) => Self::Branch {
                repository: request.repository.to_owned(),
                branch: branch.clone(),
                lock_dir: gazette_store::git_dir(request.repository)
                    .unwrap_or_else(|_| request.repository.join(".git"))
                    .join("gazette")
                    .join(request.name),
            },
        }
    }

    pub(crate) fn lock(&self) -> Result<TargetLock, PublishError> {
        match self {
            Self::Folder(folder) => Ok(folder.lock()?),
            Self::Branch { lock_dir, .. } => Ok(FolderTarget::new(lock_dir).lock()?),
        }
    }

    /// The summary of the manifest of what the target shows now.
    pub(crate) fn current_manifest_summary(&self) -> Option<ManifestSummary> {
        match self {
            Self::Folder(folder) => folder.current_manifest_summary(),
            Self::Branch { .. } => ManifestSummary::from_bytes(&self.branch_file(MANIFEST_PATH)?),
        }
    }

    /// The manifest of what the target shows now.
    pub(crate) fn current_manifest(&self) -> Option<Manifest> {
        match self {
            Self::Folder(folder) => folder.current_manifest(),
            Self::Branch { .. } => Manifest::from_bytes(&self.branch_file(MANIFEST_PATH)?),
        }
    }

    /// The search index's state in what the target shows now.
    pub(crate) fn current_search_state(&self) -> Option<Vec<u8>> {
        match self {
            Self::Folder(folder) => folder.current_search_state(),
            Self::Branch { .. } => self.branch_file(SEARCH_STATE_PATH),
        }
    }

    /// The bytes of a file of the output at the tip of a branch target.
    fn branch_file(&self, path: &str) -> Option<Vec<u8>> {
        let Self::Branch {
            repository, branch, ..
        } = self
        else {
            return None;
        };
        gazette_store::read_file_at(repository, &format!("refs/heads/{branch}"), path)
            .ok()
            .flatten()
    }

    /// The spare version a folder target will recycle (branches have none).
    pub(crate) fn find_spare(&self) -> Option<Spare> {
        match self {
            Self::Folder(folder) => folder.find_spare(),
            Self::Branch { .. } => None,
        }
    }

    pub(crate) fn write(
        &self,
        rendered: &RenderedSite,
        source: &dyn Source,
        request: &PublishRequest<'_>,
        commit: &str,
        spare: Option<Spare>,
    ) -> Result<(), PublishError> {
        match self {
            Self::Folder(folder) => Ok(folder.publish_with_spare(rendered, source, spare)?),
            Self::Branch {
                repository, branch, ..
            } => {
                let previous = format!("refs/heads/{branch}");
                let mut files = BTreeMap::new();
                for output in &rendered.outputs {
                    // The same rule as for folders: no path may leave the output root.
                    safe_join(Path::new(""), &output.path)?;
                    let bytes = match &output.contents {
                        OutputContents::Rendered(bytes) => bytes.clone(),
                        OutputContents::Copy(path) | OutputContents::CopySanitizedSvg(path) => {
                            read_copy(&output.contents, path, source)?
                        }
                        OutputContents::Reuse(path) => {
                            gazette_store::read_file_at(repository, &previous, path)?
                                .ok_or_else(|| OutputError::MissingPrevious(PathBuf::from(path)))?
                        }
                    };
                    files.insert(output.path.clone(), bytes);
                }
                let short = &commit[..commit.len().min(12)];
                // The branch holds this site's output and nothing else, and
                // only publishes write it: a lock file there is a killed
                // publish's (see `lock_ref`).
                let _branch_lock = lock_ref(repository, &previous)?;
                gazette_store::commit_tree_to_branch(
                    repository,
                    branch,
                    &files,
                    &format!(
                        "Publish {} from {short}\n\nSource commit: {commit}\n",
                        request.name
                    ),
                )?;
                Ok(())
            }
        }
    }
}
