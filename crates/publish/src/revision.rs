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
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gazette_content::{Diagnostic, Diagnostics, LoadCache, Site, Source};
use gazette_store::{
    GitTreeSource, folder_differs, last_changed, lock_ref, published_ref_name, read_ref,
    resolve_commit, write_ref,
};
use gazette_theme::Theme;

use crate::manifest::{MANIFEST_PATH, Manifest, ManifestSummary};
use crate::output::{FolderTarget, OutputError, Spare};
use crate::page_edits::render_page_edits;
use crate::render::{OutputContents, RenderOptions, RenderStats, RenderedSite, render_site};
use crate::render_state;

/// Where a publish goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishTarget {
    /// A folder, switched to the new version in one step.
    Folder(PathBuf),
    /// A branch of the same repository: one commit per publish whose tree is
    /// the site's output.
    Branch(String),
}

/// One site to publish from a revision.
pub struct PublishRequest<'a> {
    /// The site's name (also names its published ref).
    pub name: &'a str,
    /// Any path inside the repository.
    pub repository: &'a Path,
    /// The revision to publish (`HEAD`, a branch, a commit id).
    pub revision: &'a str,
    /// The site's folder in the tree (`sites/govtech`, or empty for the root).
    pub site_folder: &'a str,
    /// Where themes come from, when not from the same revision.
    pub themes: Option<&'a dyn Source>,
    /// The themes folder in the tree, when themes come from the same revision.
    pub themes_folder: &'a str,
    /// The theme the site uses.
    pub theme: &'a str,
    /// Where the output goes.
    pub target: &'a PublishTarget,
}

/// What a publish did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishOutcome {
    /// The site was rendered (in part) and its output switched.
    Published {
        /// Pages rendered and reused.
        stats: RenderStats,
        /// Warnings to show.
        warnings: Diagnostics,
        /// Whether the commit only edited the text of pages, which were
        /// rendered alone from the state the previous publish kept, without
        /// loading the site.
        pages_alone: bool,
    },
    /// Nothing the site depends on changed since the last publish.
    Unchanged,
}

/// A finished publish of one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishReport {
    /// The commit published.
    pub commit: String,
    /// The commit the output was published from before, if known.
    pub previous_commit: Option<String>,
    /// What happened.
    pub outcome: PublishOutcome,
    /// How long it took.
    pub elapsed: Duration,
}

/// Why a publish failed; the published output and ref are as they were.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The revision, repository or site folder is not usable.
    #[error("{0}")]
    Revision(String),
    /// The content has errors: all of them.
    #[error("the site has errors")]
    Content(Diagnostics),
    /// Writing the output failed.
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl From<gazette_store::GitError> for PublishError {
    fn from(error: gazette_store::GitError) -> Self {
        Self::Revision(error.to_string())
    }
}

impl From<gazette_store::OpenRevisionError> for PublishError {
    fn from(error: gazette_store::OpenRevisionError) -> Self {
        Self::Revision(error.to_string())
    }
}

/// Whether nothing the site depends on changed since its last publish (so
/// `publish_revision` would do nothing): pipelines use it to skip other work,
/// such as checking, for unchanged sites.
pub fn is_unchanged(request: &PublishRequest<'_>) -> Result<bool, PublishError> {
    let commit = resolve_commit(request.repository, request.revision)?;
    let summary = Target::new(request)
        .current_manifest_summary()
        .filter(ManifestSummary::is_from_this_tool);
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

/// Publishes one site at a revision, incrementally.
pub fn publish_revision(request: &PublishRequest<'_>) -> Result<PublishReport, PublishError> {
    let started = Instant::now();
    let commit = resolve_commit(request.repository, request.revision)?;
    let target = Target::new(request);
    let _lock = target.lock()?;
    // Outputs of another program are not reused: it may render differently.
    // Its summary first: a publish with nothing to do needs no more of it.
    let summary = target
        .current_manifest_summary()
        .filter(ManifestSummary::is_from_this_tool);
    // Not the published ref, which may be a publish behind (see the module's
    // documentation).
    let previous_commit = shown_commit(request, summary.as_ref());

    let report = |outcome| PublishReport {
        commit: commit.clone(),
        previous_commit: previous_commit.clone(),
        outcome,
        elapsed: started.elapsed(),
    };
    if let Some(previous) = &previous_commit
        && !touches(request, previous, &commit)?
    {
        record_published(request, &commit, "gazette: nothing to publish")?;
        return Ok(report(PublishOutcome::Unchanged));
    }

    // Under the lock the version is the one the summary came from.
    let previous_manifest = summary.as_ref().and_then(|_| target.current_manifest());
    if let Some(previous_commit) = &previous_commit
        && let Some(previous) = &previous_manifest
        && let Some(rendered) =
            publish_page_edits(request, &target, previous, previous_commit, &commit)?
    {
        let outcome = published(request, &commit, &rendered, true)?;
        drop_later((rendered, previous_manifest));
        return Ok(report(outcome));
    }

    // Until the render, three jobs are independent: dating the files,
    // finding the spare version to recycle, and loading the site. Loading is
    // the longest; the others run beside it.
    let (rendered, dates) = std::thread::scope(|scope| {
        let spare = scope.spawn(|| target.find_spare());
        let history = scope.spawn(|| {
            let known = previous_commit
                .as_deref()
                .zip(previous_manifest.as_ref().map(|m| &m.last_changed));
            last_changed(request.repository, &commit, request.site_folder, known)
        });
        let site_source = GitTreeSource::open(request.repository, &commit, request.site_folder)?;
        let own_themes;
        let themes: &dyn Source = match request.themes {
            Some(themes) => themes,
            None => {
                own_themes =
                    GitTreeSource::open(request.repository, &commit, request.themes_folder)?;
                &own_themes
            }
        };
        let loaded = load_at(request, &site_source, themes);
        let dates = joined(history)?;
        let context = RenderContext {
            site_source: &site_source,
            dates: &dates,
            commit: &commit,
        };
        let rendered = loaded?.render(&context, previous_manifest.as_ref())?;
        // The state is written beside the output; should it be missing
        // when the output is, the next publish renders the whole site.
        let written = std::thread::scope(|beside| {
            beside.spawn(|| keep_state(request, &rendered));
            target.write(&rendered, &site_source, request, &commit, joined(spare))
        });
        let rendered = match written {
            Err(PublishError::Output(OutputError::MissingPrevious(_))) => {
                // The previous output was changed by hand; render everything.
                let full = load_at(request, &site_source, themes)?.render(&context, None)?;
                keep_state(request, &full);
                target.write(&full, &site_source, request, &commit, None)?;
                full
            }
            Err(error) => return Err(error),
            Ok(()) => rendered,
        };
        Ok((rendered, dates))
    })?;
    let outcome = published(request, &commit, &rendered, false)?;
    drop_later((rendered, previous_manifest, dates));
    Ok(report(outcome))
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
    previous: &Manifest,
    previous_commit: &str,
    commit: &str,
) -> Result<Option<RenderedSite>, PublishError> {
    std::thread::scope(|scope| {
        let spare = scope.spawn(|| target.find_spare());
        let (rendered, source) = match render_page_edits(request, previous, previous_commit, commit)
        {
            Ok(Some(edits)) => edits,
            // Git could not answer (an object of the previous commit gone,
            // say): the whole render reports what it needs, in its terms.
            Ok(None) | Err(PublishError::Revision(_)) => return Ok(None),
            Err(error) => return Err(error),
        };
        match target.write(&rendered, &source, request, commit, joined(spare)) {
            Ok(()) => Ok(Some(rendered)),
            Err(PublishError::Output(OutputError::MissingPrevious(_))) => Ok(None),
            Err(error) => Err(error),
        }
    })
}

/// Keeps the state a render made, for the next publish (see `render_state.rs`).
fn keep_state(request: &PublishRequest<'_>, rendered: &RenderedSite) {
    if let Some(state) = &rendered.state
        && let Ok(git_dir) = gazette_store::git_dir(request.repository)
    {
        state.keep(&render_state::folder_of(&git_dir, request.name));
    }
}

/// The value of a scoped thread, or its panic carried on.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
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
}

/// Loads the site (through its stored parse cache) and its theme.
fn load_at(
    request: &PublishRequest<'_>,
    site_source: &GitTreeSource,
    themes: &dyn Source,
) -> Result<LoadedForPublish, PublishError> {
    let mut cache = StoredLoadCache::open(request);
    let loaded = Site::load_cached(request.name, site_source, &mut cache.cache);
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
        previous: Option<&Manifest>,
    ) -> Result<RenderedSite, PublishError> {
        let Self {
            site,
            mut theme,
            mut diagnostics,
        } = self;
        let options = RenderOptions {
            last_changed: Some(context.dates),
            previous,
            bodies: Some(context.site_source),
            commit: Some(context.commit),
            keep_state: true,
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

/// The parsed files of a site's earlier publishes, kept in the repository's
/// Git folder (`gazette/<site>/load-cache`) so that a publish parses only
/// the files its commit changed. Entries are keyed by path and blob id, so
/// any publish may use them, whatever it publishes to.
struct StoredLoadCache {
    path: Option<PathBuf>,
    stamp: String,
    cache: LoadCache,
}

impl StoredLoadCache {
    fn open(request: &PublishRequest<'_>) -> Self {
        // The program and the site's folder both shape what a file parses to.
        let stamp = format!(
            "{} {}",
            crate::manifest::tool_fingerprint(),
            request.site_folder
        );
        let path = gazette_store::git_dir(request.repository)
            .ok()
            .map(|git_dir| {
                git_dir
                    .join("gazette")
                    .join(request.name)
                    .join("load-cache")
            });
        let cache = path
            .as_deref()
            .and_then(|path| std::fs::read(path).ok())
            .map(|bytes| LoadCache::from_bytes(bytes, &stamp))
            .unwrap_or_default();
        Self { path, stamp, cache }
    }

    /// Keeps the cache for the next publish when it has fallen far enough
    /// behind. Writing it costs about as much as parsing a hundredth of the
    /// site, so a commit of a few files leaves it as it is and the next
    /// publish parses those files again. A cache is only an aid: when it
    /// cannot be written, the next publish parses more.
    fn store(&self) {
        let Some(path) = &self.path else { return };
        let behind = self.cache.changes();
        if behind == 0 || behind < (self.cache.len() / 100).max(64) {
            return;
        }
        let Some(folder) = path.parent() else { return };
        remove_stale_temporaries(folder);
        let temporary = folder.join(format!("load-cache.{}.tmp", std::process::id()));
        let written = std::fs::create_dir_all(folder)
            .and_then(|()| std::fs::write(&temporary, self.cache.to_bytes(&self.stamp)))
            .and_then(|()| std::fs::rename(&temporary, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

/// Removes the temporary files of publishes killed while storing the cache.
/// One of a publish storing at this very moment (to another target) may go
/// too: its rename then fails, which only means the next publish parses more.
fn remove_stale_temporaries(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("load-cache.") && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The chosen target, with its lock and its view of the previous publish.
enum Target {
    Folder(FolderTarget),
    Branch {
        repository: PathBuf,
        branch: String,
        lock_dir: PathBuf,
    },
}

impl Target {
    fn new(request: &PublishRequest<'_>) -> Self {
        match request.target {
            PublishTarget::Folder(path) => Self::Folder(FolderTarget::new(path)),
            PublishTarget::Branch(branch) => Self::Branch {
                repository: request.repository.to_owned(),
                branch: branch.clone(),
                lock_dir: gazette_store::git_dir(request.repository)
                    .unwrap_or_else(|_| request.repository.join(".git"))
                    .join("gazette")
                    .join(request.name),
            },
        }
    }

    fn lock(&self) -> Result<crate::output::TargetLock, PublishError> {
        match self {
            Self::Folder(folder) => Ok(folder.lock()?),
            Self::Branch { lock_dir, .. } => Ok(FolderTarget::new(lock_dir).lock()?),
        }
    }

    /// The summary of the manifest of what the target shows now.
    fn current_manifest_summary(&self) -> Option<ManifestSummary> {
        match self {
            Self::Folder(folder) => folder.current_manifest_summary(),
            Self::Branch { .. } => ManifestSummary::from_bytes(&self.branch_manifest()?),
        }
    }

    /// The manifest of what the target shows now.
    fn current_manifest(&self) -> Option<Manifest> {
        match self {
            Self::Folder(folder) => folder.current_manifest(),
            Self::Branch { .. } => Manifest::from_bytes(&self.branch_manifest()?),
        }
    }

    /// The bytes of the manifest at the tip of a branch target.
    fn branch_manifest(&self) -> Option<Vec<u8>> {
        let Self::Branch {
            repository, branch, ..
        } = self
        else {
            return None;
        };
        gazette_store::read_file_at(repository, &format!("refs/heads/{branch}"), MANIFEST_PATH)
            .ok()
            .flatten()
    }

    /// The spare version a folder target will recycle (branches have none).
    fn find_spare(&self) -> Option<Spare> {
        match self {
            Self::Folder(folder) => folder.find_spare(),
            Self::Branch { .. } => None,
        }
    }

    fn write(
        &self,
        rendered: &RenderedSite,
        source: &dyn Source,
        request: &PublishRequest<'_>,
        commit: &str,
        spare: Option<Spare>,
    ) -> Result<(), PublishError> {
        match self {
            Self::Folder(folder) => Ok(folder.publish_with_spare(rendered, source, spare)?),
            Self::Branch {
                repository, branch, ..
            } => {
                let previous = format!("refs/heads/{branch}");
                let mut files = BTreeMap::new();
                for output in &rendered.outputs {
                    // The same rule as for folders: no path may leave the output root.
                    crate::output::safe_join(Path::new(""), &output.path)?;
                    let bytes = match &output.contents {
                        OutputContents::Rendered(bytes) => bytes.clone(),
                        OutputContents::Copy(path) => {
                            source.read(path).map_err(|error| OutputError::Source {
                                path: path.clone(),
                                message: error.to_string(),
                            })?
                        }
                        OutputContents::Reuse(path) => {
                            gazette_store::read_file_at(repository, &previous, path)?
                                .ok_or_else(|| OutputError::MissingPrevious(PathBuf::from(path)))?
                        }
                    };
                    files.insert(output.path.clone(), bytes);
                }
                let short = &commit[..commit.len().min(12)];
                // The branch holds this site's output and nothing else, and
                // only publishes write it: a lock file there is a killed
                // publish's (see `lock_ref`).
                let _branch_lock = lock_ref(repository, &previous)?;
                gazette_store::commit_tree_to_branch(
                    repository,
                    branch,
                    &files,
                    &format!(
                        "Publish {} from {short}\n\nSource commit: {commit}\n",
                        request.name
                    ),
                )?;
                Ok(())
            }
        }
    }
}
