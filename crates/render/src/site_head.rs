//! The site's part of every page's `<head>`, rendered once per render and
//! stitched into each page.
//!
//! The theme's `partials/site_head.html` reads only the site: its
//! stylesheets, colours, analytics, favicon and feeds (the theme's README
//! says so). Rendered through each page's layout, its colour filters and
//! includes were a sixth of the template work of every page, for the same
//! text on every page.

use std::sync::OnceLock;

use gazette_theme::{Theme, ThemeError};
use tera::Value;

/// The site head's template.
pub(crate) const SITE_HEAD: &str = "partials/site_head.html";

/// The site head of one render, once rendered. Kept as a template value:
/// a clone shares the text, so no page copies it into its context.
#[derive(Debug, Default)]
pub(crate) struct SiteHead {
    rendered: OnceLock<Value>,
}

impl SiteHead {
    /// The site's head; `None` when the theme has no such template.
    pub(crate) fn get(&self, theme: &Theme) -> Result<Option<Value>, ThemeError> {
        if let Some(head) = self.rendered.get() {
            return Ok(Some(head.clone()));
        }
        if !theme.has_template(SITE_HEAD) {
            return Ok(None);
        }
        // Rendered outside any lock: two workers starting at once both
        // render it, to the same text, and the first one kept serves both.
        let head = Value::from(theme.render(SITE_HEAD, &tera::Context::new())?);
        Ok(Some(self.rendered.get_or_init(|| head).clone()))
    }
}
