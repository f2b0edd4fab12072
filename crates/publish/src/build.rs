//! One site from its sources to a folder: its pages written as they are
//! rendered, the version switched in once the whole site rendered.

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use gazette_content::Diagnostics;
use gazette_render::{BuildRequest, RenderedSite, render_request_into};

use crate::folder::{FolderTarget, SpareLink};
use crate::output::OutputError;

/// A site that was built.
#[derive(Debug)]
pub struct SiteBuild {
    /// What was rendered and written.
    pub rendered: RenderedSite,
    /// Warnings from loading and rendering.
    pub warnings: Diagnostics,
    /// How long it took.
    pub elapsed: Duration,
}

/// Why a site was not built. Its output folder was left as it was.
#[derive(Debug)]
pub enum BuildFailure {
    /// The content has errors: all of them.
    Content(Diagnostics),
    /// The output could not be written.
    Output(OutputError),
}

impl fmt::Display for BuildFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Content(diagnostics) => write!(f, "{diagnostics}"),
            Self::Output(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for BuildFailure {}

/// Builds a site into `out_dir`, replacing the previous build there only when
/// every page rendered. What Jekyll tolerates comes back as warnings.
pub fn build_site(request: &BuildRequest<'_>, out_dir: &Path) -> Result<SiteBuild, BuildFailure> {
    build_site_with(request, out_dir, Strictness::Tolerant)
}

/// Whether a build tolerates what Jekyll tolerates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// Jekyll's rules: conflicts, broken front matter, missing layouts and
    /// the like are warnings, and the site is written.
    Tolerant,
    /// `--strict` (or `strict = true` in `site.toml`): each of them is an
    /// error, and nothing is written.
    Strict,
}

/// [`build_site`], failing on every tolerated problem when `strictness` says so.
pub fn build_site_with(
    request: &BuildRequest<'_>,
    out_dir: &Path,
    strictness: Strictness,
) -> Result<SiteBuild, BuildFailure> {
    let started = Instant::now();
    let target = FolderTarget::new(out_dir);
    let _lock = target.lock().map_err(BuildFailure::Output)?;
    // The pages go into the new version as they are rendered, and only
    // their records stay in memory; unchanged outputs are linked from the
    // current version. A build never recycles a spare: that compares the
    // whole render with it, so the render would be held whole (2 GiB at
    // 10,000 pages instead of 450 MiB), for files the links give as cheaply.
    let staged = target
        .stage(SpareLink::Never)
        .map_err(BuildFailure::Output)?;
    // On every error below, `staged` is dropped unfinished: its folder goes,
    // and the output is left as it was.
    let (rendered, mut warnings) = match render_request_into(request, Some(&staged)) {
        Ok(result) => result,
        Err(mut diagnostics) => {
            if strictness == Strictness::Strict {
                diagnostics.make_strict();
            }
            return Err(BuildFailure::Content(diagnostics));
        }
    };
    if strictness == Strictness::Strict {
        warnings.make_strict();
        if warnings.has_errors() {
            return Err(BuildFailure::Content(warnings));
        }
    }
    staged
        .finish(&rendered, request.site)
        .map_err(BuildFailure::Output)?;
    Ok(SiteBuild {
        rendered,
        warnings,
        elapsed: started.elapsed(),
    })
}
