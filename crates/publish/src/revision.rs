//! Publishing a site as it is at a Git revision, doing only the work the
//! revision's changes call for.
//!
//! The last commit published for each site is recorded in
//! `refs/gazette/published/<site>`, moved only after a publish succeeds, and
//! in the manifest of the output. A publish compares the new commit with the
//! manifest's: no change under the site's or the themes' folders (their
//! tree ids are equal) means nothing to do. A commit that only edits the
//! text of pages renders those pages alone (`page_edits.rs`). Otherwise the
//! site is loaded from the commit's tree and every unit whose inputs (by
//! blob id) are unchanged since the previous publish reuses its output.
//!
//! The manifest is the one to trust because it is written with the output,
//! in one step, while the ref can only move after the output is switched: a
//! publish killed in between leaves the ref one publish behind. Compared with
//! such a ref, publishing the ref's commit again would be skipped while the
//! output shows the other commit, and "last updated" dates would be carried
//! forward from a commit that may not be an ancestor of the new one. The ref
//! stays the record for people and other tools: every publish, even one
//! with nothing to do, moves it to its commit.

use std::collections::BTreeMap;
use std::time::Instant;

use gazette_content::{Diagnostic, Diagnostics, LoadOptions, Site, Source};
use gazette_store::{
    GitTreeSource, folder_differs, last_changed, lock_ref, published_ref_name, read_ref,
    resolve_commit, write_ref,
};
use gazette_theme::Theme;

use gazette_render::{
    Manifest, ManifestSummary, OutputSink, PreviousSearch, RenderOptions, RenderState,
    RenderedSite, SearchState, render_identity, render_site,
};

use crate::bucket::UploadStats;
use crate::kept_states::{keep_state, read_state};
use crate::load_cache::StoredLoadCache;
use crate::output::OutputError;
use crate::page_edits::{self, ThemeAt, render_page_edits};
use crate::request::{PublishError, PublishOutcome, PublishReport, PublishRequest};
use crate::target::Target;

/// Whether nothing the site depends on changed since its last publish (so
/// `publish_revision` would do nothing): pipelines use it to skip other work,
/// such as checking, for unchanged sites.
pub fn is_unchanged(request: &PublishRequest<'_>) -> Result<bool, PublishError> {
    let commit = resolve_commit(request.repository, request.revision)?;
    let identity = render_identity(request.base_url);
    let summary = Target::new(request)?
        .current_manifest_summary()
        .filter(|summary| summary.is_from(&identity));
    let Some(shown) = shown_commit(request, summary.as_ref()) else {
        return Ok(false);
    };
    if touches(request, &shown, &commit)? {
        return Ok(false);
    }
    // A ref left behind the output (by a publish killed after the switch) is
    // moved by publishing, which then renders nothing.
    match read_ref(request.repository, &published_ref_name(request.name))? {
        Some(recorded) => Ok(!touches(request, &recorded, &commit)?),
        None => Ok(false),
    }
}

/// Publishes one site at a revision, incrementally: one pipeline, plan →
/// render → write → record.
///
/// - Plan: compare the commit with the one the target shows (its manifest's)
///   and pick the path: nothing to do, the edited pages alone, or the whole
///   render.
/// - Render and write: the edited pages from the previous publish's kept
///   state (`publish_page_edits`) when the commit only edits page text,
///   else the whole site, reusing every unit whose inputs are unchanged
///   (`publish_whole`); either writes its output to the target.
/// - Record: move the published ref to the commit, only once the output
///   shows it.
pub fn publish_revision(request: &PublishRequest<'_>) -> Result<PublishReport, PublishError> {
    let started = Instant::now();
    let commit = resolve_commit(request.repository, request.revision)?;
    let target = Target::new(request)?;
    let _lock = target.lock()?;

    // Plan. Outputs of another program are not reused: it may render
    // differently. Its summary first: a publish with nothing to do needs no
    // more of it.
    let identity = render_identity(request.base_url);
    let summary = target
        .current_manifest_summary()
        .filter(|summary| summary.is_from(&identity));
    // Not the published ref, which may be a publish behind (see the module's
    // documentation).
    let previous_commit = shown_commit(request, summary.as_ref());
    let report = |outcome, uploaded| PublishReport {
        commit: commit.clone(),
        previous_commit: previous_commit.clone(),
        outcome,
        uploaded,
        elapsed: started.elapsed(),
    };
    if let Some(previous) = &previous_commit
        && !touches(request, previous, &commit)?
    {
        let cleaned = target.clean_up()?;
        record_published(request, &commit, "gazette: nothing to publish")?;
        return Ok(report(PublishOutcome::Unchanged, cleaned));
    }
    // Under the lock the version is the one the summary came from (and the
    // one the index's state is read from). The render state it names, for
    // edited pages, is read beside it: each takes milliseconds at 1,000
    // pages. With a previous version, the commit is most likely an edit of
    // a few pages, which waits for nothing longer than the theme (its
    // templates compiled): that loads beside everything from here on, and
    // is dropped unused when the whole site renders.
    let (previous_manifest, page_edits) = std::thread::scope(|scope| {
        let theme = summary
            .is_some()
            .then(|| scope.spawn(|| page_edits::theme_at(request, &commit)));
        let (previous_manifest, render_state) = match &summary {
            Some(summary) => {
                let state = scope.spawn(|| {
                    let id = summary.render_state.as_deref()?;
                    // The state this repository kept, else the one kept
                    // with the output (a fresh clone, another machine).
                    read_state(request, id).or_else(|| target.kept_state(id))
                });
                (target.current_manifest(), joined(state))
            }
            None => (None, None),
        };
        // Render and write: the edited pages alone when they are all that
        // changed, the whole site otherwise.
        let page_edits = match (&previous_commit, &previous_manifest, &render_state, theme) {
            (Some(previous_commit), Some(previous), Some(state), Some(theme)) => {
                publish_page_edits(
                    request,
                    &target,
                    (previous, state, || joined(theme)),
                    previous_commit,
                    &commit,
                )?
            }
            _ => None,
        };
        Ok::<_, PublishError>((previous_manifest, page_edits))
    })?;
    let ((rendered, uploaded), pages_alone) = match page_edits {
        Some(written) => (written, true),
        None => {
            let previous = Previous {
                commit: previous_commit.as_deref(),
                manifest: previous_manifest.as_ref(),
            };
            (publish_whole(request, &target, &commit, previous)?, false)
        }
    };

    // Record.
    let outcome = published(request, &commit, &rendered, pages_alone)?;
    drop_later((rendered, previous_manifest));
    Ok(report(outcome, uploaded))
}

/// What the target shows: the commit (if still known) and its manifest.
struct Previous<'a> {
    commit: Option<&'a str>,
    manifest: Option<&'a Manifest>,
}

/// Renders the whole site at `commit` and writes it to the target, reusing
/// the units of the previous publish whose inputs are unchanged.
fn publish_whole(
    request: &PublishRequest<'_>,
    target: &Target,
    commit: &str,
    previous: Previous<'_>,
) -> Result<(RenderedSite, Option<UploadStats>), PublishError> {
    let Previous {
        commit: previous_commit,
        manifest: previous_manifest,
    } = previous;
    // Until the render, four jobs are independent: dating the files,
    // finding the spare version to recycle, reading the search index's
    // state (of the version the manifest is from) and loading the site.
    // Loading is the longest; the others run beside it.
    let (rendered, dates) = std::thread::scope(|scope| {
        let spare = scope.spawn(|| target.find_spare());
        let search = scope.spawn(|| previous_manifest.and_then(|m| target.current_search_state(m)));
        let history = scope.spawn(|| {
            let known = previous_commit.zip(previous_manifest.map(|m| &m.last_changed));
            last_changed(request.repository, commit, request.site_folder, known)
        });
        let site_source = GitTreeSource::open(request.repository, commit, request.site_folder)?;
        let themes = request.themes_for(commit)?;
        let themes = themes.source();
        let loaded = load_at(request, &site_source, themes);
        let dates = joined(history)?;
        // Without a spare to recycle, a folder target takes each page as it
        // is rendered (`staging.rs`); dropped on an error, it removes what
        // it wrote.
        let spare = joined(spare);
        let staged = match spare {
            None => target.stage()?,
            Some(_) => None,
        };
        let in_memory = RenderContext {
            site_source: &site_source,
            dates: &dates,
            commit,
            sanitize_svg: request.sanitize_svg,
            base_url: request.base_url,
            sink: None,
        };
        let streamed = RenderContext {
            sink: staged.as_ref().map(|staged| staged as &dyn OutputSink),
            ..in_memory
        };
        let previous_search = joined(search);
        let rendered =
            loaded?.render(&streamed, previous_manifest.zip(previous_search.as_ref()))?;
        // The state is written beside the output; should it be missing
        // when the output is, the next publish renders the whole site.
        let written = std::thread::scope(|beside| {
            beside.spawn(|| keep_state(request, &rendered));
            match staged {
                Some(staged) => Ok(staged.finish(&rendered, &site_source).map(|()| None)?),
                None => target.write(&rendered, &site_source, request, commit, spare),
            }
        });
        let written = match written {
            Err(PublishError::Output(
                OutputError::MissingPrevious(_) | OutputError::ChangedPrevious(_),
            )) => {
                // The previous output was changed by hand; render everything
                // (held in memory: this is rare).
                let full = load_at(request, &site_source, themes)?.render(&in_memory, None)?;
                keep_state(request, &full);
                let uploaded = target.write(&full, &site_source, request, commit, None)?;
                (full, uploaded)
            }
            Err(error) => return Err(error),
            Ok(uploaded) => (rendered, uploaded),
        };
        Ok((written, dates))
    })?;
    drop_later(dates);
    Ok(rendered)
}

/// Moves the published ref after the output was switched, and says so.
fn published(
    request: &PublishRequest<'_>,
    commit: &str,
    rendered: &RenderedSite,
    pages_alone: bool,
) -> Result<PublishOutcome, PublishError> {
    record_published(
        request,
        commit,
        &format!("gazette: published {}", request.name),
    )?;
    Ok(PublishOutcome::Published {
        stats: rendered.stats,
        warnings: rendered.warnings.clone(),
        pages_alone,
    })
}

/// Publishes a commit that only edits the text of pages by rendering those
/// pages alone (see `page_edits.rs`); `Ok(None)` when it needs the whole
/// render, Git could not tell, or the previous output was changed by hand.
fn publish_page_edits(
    request: &PublishRequest<'_>,
    target: &Target,
    (previous, state, theme): (&Manifest, &RenderState, impl FnOnce() -> ThemeAt),
    previous_commit: &str,
    commit: &str,
) -> Result<Option<(RenderedSite, Option<UploadStats>)>, PublishError> {
    // Without the index's state the index cannot follow the edit. Only the
    // shards the edit touches are read.
    let read_file = |path: &str| target.current_file(path);
    let Some(previous_search) = PreviousSearch::open(previous, &read_file) else {
        return Ok(None);
    };
    std::thread::scope(|scope| {
        let spare = scope.spawn(|| target.find_spare());
        let edits = render_page_edits(
            request,
            (state, theme),
            (previous, previous_search),
            previous_commit,
            commit,
        );
        let (rendered, source) = match edits {
            Ok(Some(edits)) => edits,
            // Git could not answer (an object of the previous commit gone
            // or damaged, say): the whole render reports what it needs, in
            // its terms.
            Ok(None) | Err(PublishError::Revision(_) | PublishError::Damaged { .. }) => {
                return Ok(None);
            }
            Err(error) => return Err(error),
        };
        match target.write(&rendered, &source, request, commit, joined(spare)) {
            Ok(uploaded) => Ok(Some((rendered, uploaded))),
            Err(PublishError::Output(
                OutputError::MissingPrevious(_) | OutputError::ChangedPrevious(_),
            )) => Ok(None),
            Err(error) => Err(error),
        }
    })
}

/// The value of a scoped thread, or its panic carried on.
pub(crate) fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The commit the output described by `summary` was published from, if the
/// manifest records one and it is still in the repository. When history was
/// rewritten and collected it is not: the publish then renders, reusing
/// units by their inputs, and dates every file from the whole history.
fn shown_commit(request: &PublishRequest<'_>, summary: Option<&ManifestSummary>) -> Option<String> {
    let recorded = summary?.commit.as_deref()?;
    resolve_commit(request.repository, recorded)
        .ok()
        .filter(|commit| commit == recorded)
}

/// Moves the site's published ref to `commit`. Publishes of the site to
/// other targets write the same ref, so its own lock is taken (see
/// [`lock_ref`]); under it, a lock file a killed publish left is removed.
fn record_published(
    request: &PublishRequest<'_>,
    commit: &str,
    message: &str,
) -> Result<(), PublishError> {
    let name = published_ref_name(request.name);
    let _ref_lock = lock_ref(request.repository, &name)?;
    write_ref(request.repository, &name, commit, message)?;
    Ok(())
}

/// Whether anything the site depends on changed between two commits.
fn touches(request: &PublishRequest<'_>, from: &str, to: &str) -> Result<bool, PublishError> {
    if from == to {
        return Ok(false);
    }
    if request.themes.is_some() {
        // Themes from elsewhere cannot be compared by commit: check every time.
        return Ok(true);
    }
    for folder in [request.site_folder, request.themes_folder] {
        if folder_differs(request.repository, from, to, folder)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A site loaded for a publish, with its theme and the problems found.
struct LoadedForPublish {
    site: Site,
    theme: Theme,
    diagnostics: Diagnostics,
}

/// What a publish renders with, besides the site.
struct RenderContext<'a> {
    site_source: &'a GitTreeSource,
    dates: &'a BTreeMap<String, i64>,
    commit: &'a str,
    sanitize_svg: bool,
    base_url: Option<&'a str>,
    /// Where each rendered output goes at once, if anywhere.
    sink: Option<&'a dyn OutputSink>,
}

/// Loads the site (through its stored parse cache) and its theme.
fn load_at(
    request: &PublishRequest<'_>,
    site_source: &GitTreeSource,
    themes: &dyn Source,
) -> Result<LoadedForPublish, PublishError> {
    let mut cache = StoredLoadCache::open(request);
    let options = LoadOptions {
        base_url: request.base_url.map(str::to_owned),
        fallback_base_url: request.fallback_base_url.map(str::to_owned),
        ..LoadOptions::default()
    };
    let loaded = Site::load_cached_with(request.name, site_source, &mut cache.cache, &options);
    cache.store();
    drop_later(cache);
    let loaded = loaded.map_err(PublishError::Content)?;
    let theme = Theme::load(themes, request.theme, Some(site_source)).map_err(|error| {
        PublishError::Content(Diagnostics(vec![
            Diagnostic::error(
                request.name,
                "site.toml",
                format!("cannot load theme `{}`: {error}", request.theme),
            )
            .with_hint("check `theme` in the site's `site.toml` and the folders under `themes/`"),
        ]))
    })?;
    Ok(LoadedForPublish {
        site: loaded.site,
        theme,
        diagnostics: loaded.diagnostics,
    })
}

impl LoadedForPublish {
    /// Renders the site, reusing the units of `previous` whose inputs are
    /// unchanged; every error of the load and the render at once.
    fn render(
        self,
        context: &RenderContext<'_>,
        previous: Option<(&Manifest, &SearchState)>,
    ) -> Result<RenderedSite, PublishError> {
        let Self {
            site,
            mut theme,
            mut diagnostics,
        } = self;
        let options = RenderOptions {
            last_changed: Some(context.dates),
            previous: previous.map(|(manifest, _)| manifest),
            previous_search: previous.map(|(_, search)| search),
            bodies: Some(context.site_source),
            commit: Some(context.commit),
            without_search_index: false,
            keep_state: true,
            sanitize_svg: context.sanitize_svg,
            base_url: context.base_url,
            sink: context.sink,
        };
        let result = render_site(&site, &mut theme, &options);
        drop_later((site, theme));
        match result {
            Ok(rendered) if !diagnostics.has_errors() => {
                let mut rendered = rendered;
                diagnostics.extend(rendered.warnings.0.drain(..));
                rendered.warnings = diagnostics;
                Ok(rendered)
            }
            Ok(_) => {
                diagnostics.sort();
                Err(PublishError::Content(diagnostics))
            }
            Err(more) => {
                diagnostics.extend(more);
                diagnostics.sort();
                Err(PublishError::Content(diagnostics))
            }
        }
    }
}

/// Frees a large value on another thread. A loaded site and its caches take
/// tens of milliseconds to free, which a one-page publish need not wait for;
/// a process that exits first simply never frees them.
fn drop_later<T: Send + 'static>(value: T) {
    // Should the thread not start, the closure and the value drop here.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}
