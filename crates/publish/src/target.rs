//! Where a publish goes: a folder (versions switched in one rename), a
//! branch of the same repository (one commit per publish) or a bucket
//! (`bucket.rs`), each with its lock and its view of what it shows now.
//!
//! Branches and buckets keep the render state with the output
//! ([`RENDER_STATE_PATH`]), so a publish from a fresh clone, or another
//! machine, takes the page-edit path as the last publisher would have.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gazette_content::Source;
use gazette_render::{
    MANIFEST_PATH, Manifest, ManifestSummary, OutputContents, RenderState, RenderedSite,
    SearchState,
};
use gazette_store::lock_ref;

use crate::bucket::{Bucket, RENDER_STATE_PATH, UploadStats};
use crate::folder::{FolderTarget, Spare, SpareLink, TargetLock};
use crate::output::{OutputError, read_copy, safe_join};
use crate::request::{PublishError, PublishRequest, PublishTarget};
use crate::staging::StagedVersion;

/// The chosen target, with its lock and its view of the previous publish.
pub(crate) enum Target {
    Folder(FolderTarget),
    Branch {
        repository: PathBuf,
        branch: String,
        lock_dir: PathBuf,
    },
    Bucket {
        bucket: Box<Bucket>,
        lock_dir: PathBuf,
    },
}

impl Target {
    pub(crate) fn new(request: &PublishRequest<'_>) -> Result<Self, PublishError> {
        // Two publishes from this repository never write one branch or
        // prefix at once; across machines, the CI's concurrency group does
        // that (docs/ci.md).
        let lock_dir = || {
            gazette_store::git_dir(request.repository)
                .unwrap_or_else(|_| request.repository.join(".git"))
                .join("gazette")
                .join(request.name)
        };
        Ok(match request.target {
            PublishTarget::Folder(path) => Self::Folder(FolderTarget::new(path)),
            PublishTarget::Branch(branch) => Self::Branch {
                repository: request.repository.to_owned(),
                branch: branch.clone(),
                lock_dir: lock_dir(),
            },
            PublishTarget::Bucket(target) => Self::Bucket {
                bucket: Box::new(Bucket::open(target)?),
                lock_dir: lock_dir(),
            },
        })
    }

    pub(crate) fn lock(&self) -> Result<TargetLock, PublishError> {
        match self {
            Self::Folder(folder) => Ok(folder.lock()?),
            Self::Branch { lock_dir, .. } | Self::Bucket { lock_dir, .. } => {
                Ok(FolderTarget::new(lock_dir).lock()?)
            }
        }
    }

    /// The render state `id` kept with the output, for targets that keep it
    /// there (folders keep theirs in the repository: `kept_states.rs`).
    pub(crate) fn kept_state(&self, id: &str) -> Option<RenderState> {
        let bytes = match self {
            Self::Folder(_) => return None,
            Self::Branch { .. } => self.branch_file(RENDER_STATE_PATH)?,
            Self::Bucket { bucket, .. } => bucket.read(RENDER_STATE_PATH).ok()??,
        };
        RenderState::from_bytes(bytes, id)
    }

    /// The summary of the manifest of what the target shows now.
    pub(crate) fn current_manifest_summary(&self) -> Option<ManifestSummary> {
        match self {
            Self::Folder(folder) => folder.current_manifest_summary(),
            Self::Branch { .. } => ManifestSummary::from_bytes(&self.branch_file(MANIFEST_PATH)?),
            Self::Bucket { bucket, .. } => {
                ManifestSummary::from_bytes(&bucket.read(MANIFEST_PATH).ok()??)
            }
        }
    }

    /// The manifest of what the target shows now.
    pub(crate) fn current_manifest(&self) -> Option<Manifest> {
        match self {
            Self::Folder(folder) => folder.current_manifest(),
            Self::Branch { .. } => Manifest::from_bytes(&self.branch_file(MANIFEST_PATH)?),
            Self::Bucket { bucket, .. } => Manifest::from_bytes(&bucket.read(MANIFEST_PATH).ok()??),
        }
    }

    /// The search index's state in what the target shows now, whose
    /// manifest is `manifest`.
    pub(crate) fn current_search_state(&self, manifest: &Manifest) -> Option<SearchState> {
        SearchState::read(manifest, |path| self.current_file(path))
    }

    /// A file of what the target shows now, by its path in the output.
    pub(crate) fn current_file(&self, path: &str) -> Option<Vec<u8>> {
        match self {
            Self::Folder(folder) => folder.current_file(path),
            Self::Branch { .. } => self.branch_file(path),
            Self::Bucket { bucket, .. } => bucket.read(path).ok()?,
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

    /// Finishes what a publish that did not end left behind, when there is
    /// nothing new to publish: a folder's half-written staging folders, a
    /// bucket's objects created for a version that never went out. A branch
    /// moves in one step and leaves nothing.
    pub(crate) fn clean_up(&self) -> Result<Option<UploadStats>, PublishError> {
        match self {
            Self::Bucket { bucket, .. } => Ok(bucket.clean_leftovers()?),
            Self::Folder(folder) => {
                folder.remove_interrupted()?;
                Ok(None)
            }
            Self::Branch { .. } => Ok(None),
        }
    }

    /// A new version of a folder target, written as the site renders
    /// (`staging.rs`); `None` for branches and buckets, which take the
    /// render whole.
    pub(crate) fn stage(&self) -> Result<Option<StagedVersion<'_>>, PublishError> {
        match self {
            Self::Folder(folder) => Ok(Some(folder.stage(SpareLink::Always)?)),
            Self::Branch { .. } | Self::Bucket { .. } => Ok(None),
        }
    }

    /// The spare version a folder target will recycle (branches have none).
    pub(crate) fn find_spare(&self) -> Option<Spare> {
        match self {
            Self::Folder(folder) => folder.find_spare(),
            Self::Branch { .. } | Self::Bucket { .. } => None,
        }
    }

    pub(crate) fn write(
        &self,
        rendered: &RenderedSite,
        source: &dyn Source,
        request: &PublishRequest<'_>,
        commit: &str,
        spare: Option<Spare>,
    ) -> Result<Option<UploadStats>, PublishError> {
        match self {
            Self::Folder(folder) => {
                folder.publish_with_spare(rendered, source, spare)?;
                Ok(None)
            }
            Self::Bucket { bucket, .. } => {
                let state = rendered.state.as_ref().map(|state| state.bytes());
                Ok(Some(bucket.publish(rendered, source, state)?))
            }
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
                        OutputContents::Written => {
                            return Err(OutputError::NotHeld(output.path.clone()).into());
                        }
                        OutputContents::Reuse(path) => {
                            gazette_store::read_file_at(repository, &previous, path)?
                                .ok_or_else(|| OutputError::MissingPrevious(PathBuf::from(path)))?
                        }
                    };
                    files.insert(output.path.clone(), bytes);
                }
                // The state the manifest names: the render's own, or (after
                // page edits, which keep it) the one already there.
                let state = match &rendered.state {
                    Some(state) => Some(state.bytes().to_vec()),
                    None if rendered.manifest.render_state.is_some() => {
                        self.branch_file(RENDER_STATE_PATH)
                    }
                    None => None,
                };
                if let Some(state) = state {
                    files.insert(RENDER_STATE_PATH.to_owned(), state);
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
                Ok(None)
            }
        }
    }
}
