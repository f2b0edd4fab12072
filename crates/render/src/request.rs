//! One site from its sources to outputs (in memory, or handed to a sink):
//! load, then render.

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
    /// When each file of the site last changed (from Git history), if known.
    pub last_changed: Option<&'a BTreeMap<String, i64>>,
    /// Previews' choices (drafts, future posts, another address).
    pub load: LoadOptions,
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
    let loaded = Site::load_with(request.name, request.site, &request.load)?;
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
    let options = RenderOptions {
        last_changed: request.last_changed,
        base_url: request.load.base_url.as_deref(),
        sink,
        ..RenderOptions::default()
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
