//! One site from sources to a folder: load, render, write.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use gazette_content::{Diagnostic, Diagnostics, Site, Source};
use gazette_theme::Theme;

use crate::output::{OutputError, write_site};
use crate::render::{RenderedSite, render_site};

/// What to build.
pub struct BuildRequest<'a> {
    /// The site's name, for diagnostics and summaries.
    pub name: &'a str,
    /// The site's files.
    pub site: &'a dyn Source,
    /// The themes folder (each top folder is a theme).
    pub themes: &'a dyn Source,
    /// The theme the site uses.
    pub theme: &'a str,
    /// When each file of the site last changed (from Git history), if known.
    pub last_changed: Option<&'a BTreeMap<String, i64>>,
}

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

/// Loads and renders a site in memory, without writing anything.
pub fn render_request(
    request: &BuildRequest<'_>,
) -> Result<(RenderedSite, Diagnostics), Diagnostics> {
    let loaded = Site::load(request.name, request.site)?;
    let mut diagnostics = loaded.diagnostics;
    let mut theme = match Theme::load(request.themes, request.theme, Some(request.site)) {
        Ok(theme) => theme,
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(
                    request.name,
                    "site.toml",
                    format!("cannot load theme `{}`: {error}", request.theme),
                )
                .with_hint(
                    "check `theme` in the site's `site.toml` and the folders under `themes/`",
                ),
            );
            return Err(diagnostics);
        }
    };
    // Render even when loading found errors, so one build reports them all.
    let options = crate::RenderOptions {
        last_changed: request.last_changed,
        previous: None,
        bodies: None,
        commit: None,
        keep_state: false,
    };
    match render_site(&loaded.site, &mut theme, &options) {
        Ok(rendered) => {
            diagnostics.extend(rendered.warnings.0.iter().cloned());
            if diagnostics.has_errors() {
                diagnostics.sort();
                return Err(diagnostics);
            }
            Ok((rendered, diagnostics))
        }
        Err(render_diagnostics) => {
            diagnostics.extend(render_diagnostics);
            diagnostics.sort();
            Err(diagnostics)
        }
    }
}

/// Builds a site into `out_dir`, replacing the previous build there only when
/// every page rendered.
pub fn build_site(request: &BuildRequest<'_>, out_dir: &Path) -> Result<SiteBuild, BuildFailure> {
    let started = Instant::now();
    let (rendered, warnings) = render_request(request).map_err(BuildFailure::Content)?;
    write_site(&rendered, request.site, out_dir).map_err(BuildFailure::Output)?;
    Ok(SiteBuild {
        rendered,
        warnings,
        elapsed: started.elapsed(),
    })
}
