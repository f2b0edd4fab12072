//! The site's footer, rendered once for each "last updated" date it shows
//! and stitched into the pages of that date.
//!
//! The theme's `partials/footer.html` reads the site and, of the page, only
//! its `last_updated` and `last_updated_iso` (the theme's README says so).
//! Rendered through the page's layout, its links, social icons and settings
//! were a fifth of the template work of every page; most pages of a site
//! share a date, so most pages now share a footer rendered before.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use gazette_theme::{Theme, ThemeError};
use serde_json::json;
use tera::Value;

/// The footer's template.
pub(crate) const FOOTER: &str = "partials/footer.html";

/// The page's "last updated" date, as shown and as ISO 8601.
type Dates = (Option<String>, Option<String>);

/// The footers rendered so far in one render, by the dates they show. Kept
/// as template values: a clone shares the text, so no page copies it into
/// its context.
#[derive(Debug, Default)]
pub(crate) struct Footers {
    rendered: Mutex<HashMap<Dates, Value>>,
}

impl Footers {
    /// The footer of a page of these dates; `None` when the theme has no
    /// footer template.
    pub(crate) fn get(
        &self,
        theme: &Theme,
        last_updated: Option<String>,
        last_updated_iso: Option<String>,
    ) -> Result<Option<Value>, ThemeError> {
        if !theme.has_template(FOOTER) {
            return Ok(None);
        }
        let dates = (last_updated, last_updated_iso);
        if let Some(footer) = self.lock().get(&dates) {
            return Ok(Some(footer.clone()));
        }
        // Rendered outside the lock: two workers meeting a new date at once
        // both render it, to the same text.
        let mut context = tera::Context::new();
        context.insert(
            "page",
            &json!({ "last_updated": dates.0, "last_updated_iso": dates.1 }),
        );
        let footer = Value::from(theme.render(FOOTER, &context)?);
        self.lock().insert(dates, footer.clone());
        Ok(Some(footer))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Dates, Value>> {
        // A worker that panicked mid-insert left whole entries or none.
        self.rendered.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
