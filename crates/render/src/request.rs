//! One site from its sources to outputs in memory: load, then render.

use std::collections::BTreeMap;

use gazette_content::{Diagnostic, Diagnostics, Site, Source};
use gazette_theme::Theme;

use crate::render::render_site;
use crate::rendered::{RenderOptions, RenderedSite};

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
    /// `base_url` of the site's `site.toml`: its address when `_config.yml`
    /// has no `url` ([`SiteConfig::use_address_if_unset`](gazette_content::SiteConfig::use_address_if_unset)).
    pub base_url: Option<&'a str>,
}

/// Loads and renders a site in memory, without writing anything.
pub fn render_request(
    request: &BuildRequest<'_>,
) -> Result<(RenderedSite, Diagnostics), Diagnostics> {
    let mut loaded = Site::load(request.name, request.site)?;
    if let Some(address) = request.base_url {
        loaded.site.config.use_address_if_unset(address);
    }
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
