//! What a load publishes: the load's options, and Jekyll's rules for
//! unpublished pages and posts dated in the future.

use jiff::civil::Date;

use crate::config::SiteConfig;
use crate::page::{Page, PageKind};
use crate::{Map, Value};

/// Choices a load makes that the site's files do not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Keep posts dated after `today` even when `_config.yml` does not say
    /// `future: true` (Jekyll's `--future`): a preview of what is scheduled.
    pub future: bool,
    /// The day of the build, which tells future posts; `None` is today.
    pub today: Option<Date>,
}

impl LoadOptions {
    pub(crate) fn today(&self) -> Date {
        self.today.unwrap_or_else(|| {
            let days = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.as_secs() / 86_400);
            Date::constant(1970, 1, 1)
                .checked_add(jiff::Span::new().days(days as i64))
                .unwrap_or(Date::MAX)
        })
    }
}

/// Whether front matter says `published: false` (or leaves `published:`
/// empty, which Ruby reads as false too).
pub(crate) fn is_unpublished(data: &Map) -> bool {
    match data.get("published") {
        None => false,
        Some(Value::Null) => true,
        Some(Value::String(flag)) => matches!(flag.trim(), "false" | "no" | "off" | "n"),
        Some(flag) => flag == &Value::Bool(false),
    }
}

/// Jekyll's publisher: pages and documents with `published: false` are not
/// read into the site (unless `unpublished: true`), and posts dated after
/// the build are not either (unless `future: true` or [`LoadOptions::future`]).
pub(crate) fn leave_out_unpublished(
    pages: &mut Vec<Page>,
    config: &SiteConfig,
    options: &LoadOptions,
    today: Date,
) {
    let keep_unpublished = config.unpublished();
    let keep_future = options.future || config.future();
    pages.retain(|page| {
        if !keep_unpublished && is_unpublished(&page.data) {
            return false;
        }
        let in_the_future = matches!(page.kind, PageKind::Post { .. })
            && page.date.is_some_and(|date| date > today);
        keep_future || !in_the_future
    });
}
