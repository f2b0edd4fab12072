//! Publishing a commit that only edits the text of pages: the edited pages
//! render from the state the previous publish kept (see `gazette_render::RenderState`),
//! and every other file of the output is reused, without loading the site.
//!
//! The commit qualifies when, compared with the commit the output shows,
//! the theme is the same (its fingerprint) and every file that differs under the site's
//! folder is a page the state can render alone, with the same front matter
//! byte for byte and the same file mode. Pages whose "last updated" date
//! moved (a change made and undone in between) are rendered too. Anything
//! else (a new or removed file, data, navigation, a layout, media, a
//! listing, a page with warnings, a page that includes files relative to
//! itself, a commit on a later day than the site's newest change, which
//! moves Liquid's `site.time`) takes the whole render,
//! which reports in context.

use std::collections::BTreeMap;

use gazette_content::{Source, head_of};
use gazette_store::{GitTreeSource, changed_files, folder_differs, last_changed};
use gazette_theme::Theme;

use gazette_render::{
    KnownPage, Manifest, PreviousSearch, RenderOptions, RenderState, RenderedSite, Surroundings,
    patched, site_time,
};

use crate::request::{PublishError, PublishRequest};
use crate::revision::joined;

/// The edited pages rendered and the rest of `previous` reused, with the
/// source the pages were read from, given the `state` `previous` names and
/// its index, and the theme at `commit` ([`theme_at`], asked for once the
/// commit is known to qualify); `Ok(None)` when the commit changes more
/// than the text of pages or the index cannot follow the edit.
pub(crate) fn render_page_edits(
    request: &PublishRequest<'_>,
    (state, theme): (&RenderState, impl FnOnce() -> ThemeAt),
    (previous, previous_search): (&Manifest, PreviousSearch<'_>),
    previous_commit: &str,
    commit: &str,
) -> Result<Option<(RenderedSite, GitTreeSource)>, PublishError> {
    // Dating the commit's files is independent of the checks: beside them.
    std::thread::scope(|scope| {
        let dates = scope.spawn(|| {
            last_changed(
                request.repository,
                commit,
                request.site_folder,
                Some((previous_commit, &previous.last_changed)),
            )
        });
        let beside = Beside {
            dates: || Ok(joined(dates)?),
            theme,
        };
        render_with(
            request,
            state,
            (previous, previous_search),
            previous_commit,
            commit,
            beside,
        )
    })
}

/// What [`render_with`] is handed from the threads beside it, each asked
/// for when it is needed.
struct Beside<Dates, LoadedTheme> {
    /// When each file of the commit last changed.
    dates: Dates,
    /// The site's theme, `None` when it does not load.
    theme: LoadedTheme,
}

/// The site's theme at a commit, `None` when it does not load.
pub(crate) type ThemeAt = Result<Option<Theme>, PublishError>;

/// The site's theme at `commit`, with the site's own templates over it;
/// `None` when it does not load (the whole render says why).
pub(crate) fn theme_at(request: &PublishRequest<'_>, commit: &str) -> ThemeAt {
    let site_templates = GitTreeSource::open_parts(
        request.repository,
        commit,
        request.site_folder,
        &["templates"],
    )?;
    let themes = request.themes_for(commit)?;
    Ok(Theme::load(themes.source(), request.theme, Some(&site_templates)).ok())
}

/// [`render_page_edits`], given the files' dates and the theme when it
/// needs them.
fn render_with(
    request: &PublishRequest<'_>,
    state: &RenderState,
    (previous, previous_search): (&Manifest, PreviousSearch<'_>),
    previous_commit: &str,
    commit: &str,
    beside: Beside<
        impl FnOnce() -> Result<BTreeMap<String, i64>, PublishError>,
        impl FnOnce() -> ThemeAt,
    >,
) -> Result<Option<(RenderedSite, GitTreeSource)>, PublishError> {
    let Some(state) = state.open() else {
        return Ok(None);
    };
    let repository = request.repository;
    // Themes from elsewhere are compared by their fingerprint (below).
    if request.themes.is_none()
        && folder_differs(repository, previous_commit, commit, request.themes_folder)?
    {
        return Ok(None);
    }
    let changes = changed_files(repository, previous_commit, commit, request.site_folder)?;
    for change in &changes {
        let (Some(before), Some(after)) = (&change.before, &change.after) else {
            return Ok(None);
        };
        if before.mode != after.mode || !after.is_regular() {
            return Ok(None);
        }
    }

    // The pages to render: those edited, and those whose date moved. When
    // the edit moves Liquid's `site.time` to another day, every page that
    // reads it renders again: the whole render does that.
    let dates = (beside.dates)()?;
    if site_time(Some(&previous.last_changed)) != site_time(Some(&dates)) {
        return Ok(None);
    }
    let mut to_render: BTreeMap<&str, Surroundings> = BTreeMap::new();
    for change in &changes {
        match state.page(&change.path) {
            KnownPage::Alone(around) => {
                to_render.insert(&change.path, *around);
            }
            KnownPage::NeedsSite | KnownPage::NotAPage => return Ok(None),
        }
    }
    for path in moved_dates(&previous.last_changed, &dates) {
        match state.page(path) {
            KnownPage::Alone(around) => {
                to_render.insert(path, *around);
            }
            KnownPage::NeedsSite => return Ok(None),
            // Only pages show dates.
            KnownPage::NotAPage => {}
        }
    }

    let mut parts: Vec<&str> = vec!["templates"];
    parts.extend(to_render.keys().copied());
    let source = GitTreeSource::open_parts(repository, commit, request.site_folder, &parts)?;
    let edited: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
    let before =
        GitTreeSource::open_parts(repository, previous_commit, request.site_folder, &edited)?;
    for path in &edited {
        if !same_front_matter(&before, &source, path) {
            return Ok(None);
        }
    }

    let mut pages = Vec::with_capacity(to_render.len());
    for (path, around) in to_render {
        let Some(Ok(page)) = state.page_reader().read_page(&source, path) else {
            return Ok(None);
        };
        // The kept state has no files beside the pages: the whole render
        // reads what `include_relative` names.
        if !page.relative_includes.is_empty() {
            return Ok(None);
        }
        pages.push((page, around));
    }

    let Some(mut theme) = (beside.theme)()? else {
        return Ok(None);
    };
    // The theme the state was made with, site overrides included.
    if theme.fingerprint() != state.theme_fingerprint() {
        return Ok(None);
    }
    let options = RenderOptions {
        last_changed: Some(&dates),
        bodies: Some(&source),
        ..RenderOptions::default()
    };
    let mut units = state
        .render(&mut theme, &pages, &options)
        .map_err(PublishError::Content)?;
    // The sitemap and feeds show dates, which the edit may have moved.
    units.extend(state.site_files(&dates, previous));
    let Some(rendered) = patched(previous, previous_search, units, commit, dates) else {
        return Ok(None);
    };
    Ok(Some((rendered, source)))
}

/// Whether a file has the same front matter, byte for byte, in both sources
/// (and has front matter at all).
fn same_front_matter(before: &dyn Source, after: &dyn Source, path: &str) -> bool {
    let (Ok(old), Ok(new)) = (before.read(path), after.read(path)) else {
        return false;
    };
    let (Ok(old), Ok(new)) = (std::str::from_utf8(&old), std::str::from_utf8(&new)) else {
        return false;
    };
    matches!((head_of(old), head_of(new)), (Some(a), Some(b)) if a == b)
}

/// Paths whose date differs between two sets of dates, or is in one only.
fn moved_dates<'a>(
    before: &'a BTreeMap<String, i64>,
    after: &'a BTreeMap<String, i64>,
) -> impl Iterator<Item = &'a str> {
    let changed = after
        .iter()
        .filter(|(path, date)| before.get(*path) != Some(date))
        .map(|(path, _)| path.as_str());
    let gone = before
        .keys()
        .filter(|path| !after.contains_key(*path))
        .map(String::as_str);
    changed.chain(gone)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn moved_dates_are_the_changed_added_and_removed_ones() {
        let before: BTreeMap<String, i64> =
            [("a".into(), 1), ("b".into(), 2), ("c".into(), 3)].into();
        let after: BTreeMap<String, i64> =
            [("a".into(), 1), ("b".into(), 5), ("d".into(), 4)].into();
        let moved: BTreeSet<&str> = moved_dates(&before, &after).collect();
        assert_eq!(moved, BTreeSet::from(["b", "c", "d"]));
    }
}
