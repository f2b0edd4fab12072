//! One site from its sources to outputs (in memory, or handed to a sink):
//! load, then render.

use std::borrow::Cow;
use std::collections::BTreeMap;

use gazette_content::{Diagnostic, Diagnostics, LoadOptions, Site, Source};
use gazette_theme::Theme;

use crate::render::render_site;
use crate::rendered::{OutputSink, RenderOptions, RenderedSite};

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
    /// When each file of the site last changed (from Git history).
    pub last_changed: FileDates<'a>,
    /// Previews' choices (drafts, future posts, another address).
    pub load: LoadOptions,
}

/// When each file of a site last changed, from its Git history: the
/// "last updated" date of each page.
#[derive(Clone, Copy)]
pub enum FileDates<'a> {
    /// No history (a folder outside Git, a preview): pages show no date.
    Unknown,
    /// Worked out already.
    Known(&'a BTreeMap<String, i64>),
    /// Worked out by this walk of the history, which runs while the site
    /// loads: on one core before it, the walk was a fortieth of a cold
    /// build of 1,000 pages. `None` from the walk means no dates.
    Walk(&'a (dyn Fn() -> Option<BTreeMap<String, i64>> + Sync)),
}

impl<'a> FileDates<'a> {
    /// The dates, walking the history now if that is still to be done.
    pub fn worked_out(self) -> Option<Cow<'a, BTreeMap<String, i64>>> {
        match self {
            Self::Unknown => None,
            Self::Known(dates) => Some(Cow::Borrowed(dates)),
            Self::Walk(walk) => walk().map(Cow::Owned),
        }
    }
}

/// Loads and renders a site in memory, without writing anything.
pub fn render_request(
    request: &BuildRequest<'_>,
) -> Result<(RenderedSite, Diagnostics), Diagnostics> {
    render_request_into(request, None)
}

/// [`render_request`], handing each rendered output to `sink` as soon as it
/// is rendered (see [`RenderOptions::sink`]). On `Err`, the sink may have
/// been given outputs of a site that must not be published.
pub fn render_request_into(
    request: &BuildRequest<'_>,
    sink: Option<&dyn OutputSink>,
) -> Result<(RenderedSite, Diagnostics), Diagnostics> {
    // The theme and the history are read beside the site, on another
    // core: both were a few milliseconds on one core before any page
    // rendered.
    let (loaded, (theme, dates)) = rayon::join(
        || Site::load_with(request.name, request.site, &request.load),
        || {
            let theme = Theme::load(request.themes, request.theme, Some(request.site));
            (theme, request.last_changed.worked_out())
        },
    );
    let loaded = loaded?;
    let mut diagnostics = loaded.diagnostics;
    let mut theme = match theme {
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
    let options = RenderOptions {
        last_changed: dates.as_deref(),
        base_url: request.load.base_url.as_deref(),
        sink,
        ..RenderOptions::default()
    };
    let rendered = render_site(&loaded.site, &mut theme, &options);
    // Every page's front matter and body, and the compiled theme: freed
    // beside what the caller does next (see `free_in_background`).
    crate::render::free_in_background((loaded.site, theme));
    match rendered {
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
