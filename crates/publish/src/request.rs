//! What a publish of a revision is asked to do, what it reports, and why it
//! may fail.

use std::path::{Path, PathBuf};
use std::time::Duration;

use gazette_content::{Diagnostics, Source};
use gazette_render::RenderStats;
use gazette_store::{DamagedObject, GitTreeSource, OpenRevisionError};
use gazette_theme::ThemeLibrary;

use crate::bucket::{BucketError, BucketTarget, UploadStats};
use crate::output::OutputError;

/// Where a publish goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PublishTarget {
    /// A folder, switched to the new version in one step.
    Folder(PathBuf),
    /// A branch of the same repository: one commit per publish whose tree is
    /// the site's output.
    Branch(String),
    /// Objects under a prefix of an S3 or S3-compatible bucket.
    Bucket(BucketTarget),
}

/// One site to publish from a revision.
pub struct PublishRequest<'a> {
    /// The site's name (also names its published ref).
    pub name: &'a str,
    /// Any path inside the repository.
    pub repository: &'a Path,
    /// The revision to publish (`HEAD`, a branch, a commit id).
    pub revision: &'a str,
    /// The site's folder in the tree (`sites/govtech`, or empty for the root).
    pub site_folder: &'a str,
    /// Where themes come from, when not from the same revision.
    pub themes: Option<&'a dyn Source>,
    /// The themes folder in the tree, when themes come from the same revision:
    /// its themes go over the ones built into the program, and a revision
    /// without it renders with the built-in ones alone.
    pub themes_folder: &'a str,
    /// The theme the site uses.
    pub theme: &'a str,
    /// Where the output goes.
    pub target: &'a PublishTarget,
    /// Whether SVG images are published with script removed
    /// (`sanitize_svg = true` in `site.toml`).
    pub sanitize_svg: bool,
    /// The site's address in place of `url` in `_config.yml`
    /// (`--base-url`): outputs published for another address are not reused.
    pub base_url: Option<&'a str>,
    /// `base_url` of the site's `site.toml`: its address when `_config.yml`
    /// has no `url` (and no `--base-url` replaces it).
    pub fallback_base_url: Option<&'a str>,
}

/// What a publish did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishOutcome {
    /// The site was rendered (in part) and its output switched.
    Published {
        /// Pages rendered and reused.
        stats: RenderStats,
        /// Warnings to show.
        warnings: Diagnostics,
        /// Whether the commit only edited the text of pages, which were
        /// rendered alone from the state the previous publish kept, without
        /// loading the site.
        pages_alone: bool,
    },
    /// Nothing the site depends on changed since the last publish.
    Unchanged,
}

/// A finished publish of one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishReport {
    /// The commit published.
    pub commit: String,
    /// The commit the output was published from before, if known.
    pub previous_commit: Option<String>,
    /// What happened.
    pub outcome: PublishOutcome,
    /// What a bucket target uploaded and removed (none for other targets).
    pub uploaded: Option<UploadStats>,
    /// How long it took.
    pub elapsed: Duration,
}

/// Why a publish failed; the published output and ref are as they were.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The revision, repository or site folder is not usable.
    #[error("{0}")]
    Revision(String),
    /// A loose object of the repository is damaged (see
    /// `gazette_store::DamagedObject`): the repository needs repair.
    #[error("{message}")]
    Damaged {
        /// The whole message, with what was being read.
        message: String,
        /// The object and its file.
        object: DamagedObject,
    },
    /// The content has errors: all of them.
    #[error("the site has errors")]
    Content(Diagnostics),
    /// Writing the output failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The bucket could not be read or written.
    #[error(transparent)]
    Bucket(#[from] BucketError),
}

impl From<gazette_store::GitError> for PublishError {
    fn from(error: gazette_store::GitError) -> Self {
        Self::revision(error.to_string(), error.damaged_object())
    }
}

impl From<gazette_store::OpenRevisionError> for PublishError {
    fn from(error: gazette_store::OpenRevisionError) -> Self {
        Self::revision(error.to_string(), error.damaged_object())
    }
}

impl PublishError {
    /// A revision that could not be read, [`PublishError::Damaged`] when a
    /// damaged object is why.
    fn revision(message: String, damaged: Option<&DamagedObject>) -> Self {
        match damaged {
            Some(object) => Self::Damaged {
                message,
                object: object.clone(),
            },
            None => Self::Revision(message),
        }
    }

    /// The damaged object behind this error, if that is what it is.
    pub fn damaged_object(&self) -> Option<&DamagedObject> {
        match self {
            Self::Damaged { object, .. } => Some(object),
            _ => None,
        }
    }
}

/// The themes a publish renders with: the ones the request gives, else
/// the revision's own over the built-in ones.
pub(crate) enum Themes<'a> {
    Given(&'a dyn Source),
    OfRevision(ThemeLibrary),
}

impl Themes<'_> {
    pub(crate) fn source(&self) -> &dyn Source {
        match self {
            Self::Given(themes) => *themes,
            Self::OfRevision(library) => library,
        }
    }
}

impl<'a> PublishRequest<'a> {
    /// The themes the site renders with at `commit`.
    pub(crate) fn themes_for(&self, commit: &str) -> Result<Themes<'a>, PublishError> {
        Ok(match self.themes {
            Some(themes) => Themes::Given(themes),
            None => Themes::OfRevision(self.themes_at(commit)?),
        })
    }

    /// The themes of [`PublishRequest::themes_folder`] at `commit`, over the
    /// built-in ones (alone when the folder is not in that commit).
    pub fn themes_at(&self, commit: &str) -> Result<ThemeLibrary, PublishError> {
        let own = match GitTreeSource::open(self.repository, commit, self.themes_folder) {
            Ok(own) => Some(Box::new(own) as Box<dyn Source>),
            Err(OpenRevisionError::NoFolder { .. }) => None,
            Err(error) => return Err(error.into()),
        };
        ThemeLibrary::new(own).map_err(|error| PublishError::Revision(error.to_string()))
    }
}
