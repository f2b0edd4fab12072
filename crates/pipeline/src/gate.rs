//! The gate: a site with something to publish is checked first, at the
//! revision that will be published, and refused when the checker finds
//! errors, unless the run says `no_check` or the site `check = "warn"`.
//! An unchanged site is neither checked nor published.

use std::path::Path;
use std::time::Instant;

use gazette_check::{CheckFailure, CheckOptions, CheckState, check_request, check_request_with};
use gazette_content::{Diagnostic, LoadOptions, Source};
use gazette_publish::{
    BuildFailure, CheckPolicy, PublishError, PublishOutcome, PublishRequest, SiteEntry,
    StoredLoadCache, Strictness, Workspace, WorkspaceError, build_site_with, is_unchanged,
    keep_check_state, publish_revision, read_check_state,
};
use gazette_render::{BuildRequest, FileDates};
use gazette_store::{DamagedObject, GitTreeSource, WorkTreeSource};

use crate::concurrent::{folder_weight, map_in_order};
use crate::summary::{PipelineReport, SiteResult, SiteStatus};

/// What to publish, besides which sites.
pub struct PipelineRequest<'a> {
    /// The workspace the sites belong to.
    pub workspace: &'a Workspace,
    /// The revision to publish (`HEAD`, a branch, a commit id).
    pub revision: &'a str,
    /// A folder holding one folder per site, instead of each site's target.
    pub out: Option<&'a Path>,
    /// Publish sites even when the checker finds errors in them.
    pub no_check: bool,
    /// The sites' address in place of `url` in their `_config.yml`
    /// (`--base-url`).
    pub base_url: Option<&'a str>,
}

/// One job of a CI matrix: shard `index` of `count` (1-based), written
/// `I/N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| "write the shard as I/N, such as 2/4".to_owned())?;
        let number = |part: &str, name: &str| {
            part.trim()
                .parse::<usize>()
                .map_err(|_| format!("{name} must be a number"))
        };
        let (index, count) = (number(index, "I")?, number(count, "N")?);
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard {index}/{count} is out of range (1 ≤ I ≤ N)"));
        }
        Ok(Self { index, count })
    }
}

impl Shard {
    /// This shard's sites: every `count`-th site by name, so that every job
    /// of a matrix agrees on the split whatever order it listed them in.
    pub fn select(self, mut sites: Vec<SiteEntry>) -> Vec<SiteEntry> {
        sites.sort_by(|a, b| a.name.cmp(&b.name));
        sites
            .into_iter()
            .enumerate()
            .filter(|(position, _)| position % self.count == self.index - 1)
            .map(|(_, site)| site)
            .collect()
    }
}

/// Checks and publishes every site, several at once (one per core; sites
/// with the same target one after the other); `each` sees every result in
/// the sites' order as soon as it and those before it are done (to show
/// progress).
pub fn publish_sites(
    request: &PipelineRequest<'_>,
    sites: &[SiteEntry],
    mut each: impl FnMut(&SiteResult),
) -> PipelineReport {
    let started = Instant::now();
    let mut results = Vec::with_capacity(sites.len());
    map_in_order(
        sites,
        |site| request.workspace.publish_target(site, request.out),
        |site| folder_weight(&site.path),
        |site| publish_site(request, site),
        |_, result| {
            each(&result);
            results.push(result);
        },
    );
    PipelineReport {
        sites: results,
        elapsed: started.elapsed(),
    }
}

/// Checks and publishes one site: from the revision when the site is in Git,
/// else built from the working folder.
pub fn publish_site(request: &PipelineRequest<'_>, site: &SiteEntry) -> SiteResult {
    let started = Instant::now();
    let mut result = SiteResult::new(&site.name, &site.path, SiteStatus::CouldNotRun);
    if let Err(failure) = run_site(request, site, &mut result) {
        result.status = SiteStatus::CouldNotRun;
        result.error = Some(failure.message);
        result.damaged_object = failure.damaged_object;
    }
    result.elapsed = started.elapsed();
    result
}

/// Why Gazette could not run for a site.
struct CouldNotRun {
    message: String,
    damaged_object: Option<DamagedObject>,
}

impl From<String> for CouldNotRun {
    fn from(message: String) -> Self {
        Self {
            message,
            damaged_object: None,
        }
    }
}

impl From<PublishError> for CouldNotRun {
    fn from(error: PublishError) -> Self {
        Self {
            damaged_object: error.damaged_object().cloned(),
            message: error.to_string(),
        }
    }
}

impl From<WorkspaceError> for CouldNotRun {
    fn from(error: WorkspaceError) -> Self {
        let damaged_object = match &error {
            WorkspaceError::Git(git) => git.damaged_object().cloned(),
            _ => None,
        };
        Self {
            message: error.to_string(),
            damaged_object,
        }
    }
}

/// The sources a site is checked and built from.
struct Sources {
    site: Box<dyn Source>,
    themes: Box<dyn Source>,
}

fn run_site(
    request: &PipelineRequest<'_>,
    site: &SiteEntry,
    result: &mut SiteResult,
) -> Result<(), CouldNotRun> {
    let workspace = request.workspace;
    let enforce = !request.no_check && site.settings.check == CheckPolicy::Error;
    let Some((repository, site_folder)) = workspace.git_location(site) else {
        // Outside Git there is no revision: build the working folder.
        let sources = Sources {
            site: Box::new(WorkTreeSource::new(&site.path).map_err(|e| e.to_string())?),
            themes: Box::new(workspace.themes().map_err(|e| e.to_string())?),
        };
        if !check_passes(request, site, &sources, enforce, None, result)? {
            return Ok(());
        }
        let folder = request
            .out
            .map_or_else(|| workspace.output_dir(), Path::to_owned)
            .join(&site.name);
        let build = BuildRequest {
            name: &site.name,
            site: sources.site.as_ref(),
            themes: sources.themes.as_ref(),
            theme: workspace.theme_of(site),
            last_changed: FileDates::Unknown,
            load: load_options(request, site),
        };
        let strictness = if site.settings.strict {
            Strictness::Strict
        } else {
            Strictness::Tolerant
        };
        match build_site_with(&build, &folder, strictness) {
            Ok(built) => {
                result.status = SiteStatus::Built;
                result.pages_rendered = built.rendered.stats.pages_rendered;
                result.diagnostics = built.warnings.0;
            }
            Err(BuildFailure::Content(diagnostics)) => {
                result.status = SiteStatus::Failed;
                result.diagnostics = diagnostics.0;
            }
            Err(BuildFailure::Output(error)) => return Err(error.to_string().into()),
        }
        return Ok(());
    };
    let themes_folder = workspace.site_themes_folder(site, &repository)?;
    Workspace::ensure_committed(site, &repository, &site_folder, request.revision)?;
    let target = workspace.publish_target(site, request.out);
    let publish = PublishRequest {
        name: &site.name,
        repository: &repository,
        revision: request.revision,
        site_folder: &site_folder,
        themes: None,
        themes_folder: &themes_folder,
        theme: workspace.theme_of(site),
        target: &target,
        sanitize_svg: site.settings.sanitize_svg,
        base_url: request.base_url,
        fallback_base_url: site.settings.base_url.as_deref(),
    };
    // What the check leaves for the next check of the site.
    let mut next_state = None;
    // An unchanged site needs neither checking nor publishing. Publishing
    // it still moves its published ref and finishes what a killed publish
    // left on the target, which costs no render. Without a check to skip,
    // the publish finds that out itself.
    if !request.no_check {
        if is_unchanged(&publish)? {
            let report = publish_revision(&publish)?;
            result.status = SiteStatus::Unchanged;
            result.commit = Some(report.commit);
            result.uploaded = report.uploaded;
            return Ok(());
        }
        let passes = std::thread::scope(|scope| -> Result<bool, CouldNotRun> {
            // The state the site's last check kept is read (tens of
            // milliseconds at 1,000 pages) while the trees are listed.
            let previous = scope.spawn(|| {
                read_check_state(&publish, CheckState::MAX_BYTES)
                    .and_then(|bytes| CheckState::from_bytes(&bytes))
            });
            // Listing the site's and the themes' trees costs tens of
            // milliseconds at 1,000 pages, and only the check reads them:
            // the publish opens the parts it needs itself.
            let sources = Sources {
                site: Box::new(
                    GitTreeSource::open(&repository, request.revision, &site_folder)
                        .map_err(PublishError::from)?,
                ),
                themes: Box::new(publish.themes_at(request.revision)?),
            };
            let from_git = CheckFromGit {
                publish: &publish,
                // A state is only an aid: one that failed to read is none.
                previous: previous.join().ok().flatten(),
                next: &mut next_state,
            };
            Ok(check_passes(
                request,
                site,
                &sources,
                enforce,
                Some(from_git),
                result,
            )?)
        })?;
        if !passes {
            keep_state(&publish, next_state.take());
            return Ok(());
        }
    }
    let published = std::thread::scope(|scope| {
        // The state is for the next check alone: it is written while the
        // publish runs.
        let next_state = next_state.take();
        scope.spawn(|| keep_state(&publish, next_state));
        publish_revision(&publish)
    });
    match published {
        Ok(report) => {
            result.commit = Some(report.commit);
            result.uploaded = report.uploaded;
            match report.outcome {
                PublishOutcome::Unchanged => result.status = SiteStatus::Unchanged,
                PublishOutcome::Published {
                    stats,
                    warnings,
                    pages_alone,
                } => {
                    result.status = SiteStatus::Published;
                    result.pages_rendered = stats.pages_rendered;
                    result.pages_reused = stats.pages_reused;
                    result.pages_alone = pages_alone;
                    result.diagnostics = warnings.0;
                }
            }
            Ok(())
        }
        Err(PublishError::Content(diagnostics)) => {
            result.status = SiteStatus::Failed;
            result.diagnostics = diagnostics.0;
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

/// Runs the checker on what will be published and keeps its findings;
/// `false` when the site has errors and `enforce` says they stop it.
/// `--no-check` skips it. A site published from Git is checked from what
/// its previous check kept (`gazette_check::CheckState`, in the
/// repository's Git folder beside the load cache): only the units the
/// commit changed render, as in the publish after it.
fn check_passes(
    request: &PipelineRequest<'_>,
    site: &SiteEntry,
    sources: &Sources,
    enforce: bool,
    from_git: Option<CheckFromGit<'_>>,
    result: &mut SiteResult,
) -> Result<bool, String> {
    if request.no_check {
        return Ok(true);
    }
    let workspace = request.workspace;
    let request = BuildRequest {
        name: &site.name,
        site: sources.site.as_ref(),
        themes: sources.themes.as_ref(),
        theme: workspace.theme_of(site),
        last_changed: FileDates::Unknown,
        load: load_options(request, site),
    };
    let options = CheckOptions {
        external: None,
        strict: site.settings.strict,
    };
    let cannot = |error: CheckFailure| format!("cannot check {}: {error}", site.name);
    let report = match from_git {
        Some(from_git) => {
            let mut cache = StoredLoadCache::open(from_git.publish);
            let checked = check_request_with(
                &request,
                &options,
                &mut cache.cache,
                from_git.previous.as_ref(),
            )
            .map_err(cannot)?;
            cache.store();
            *from_git.next = checked.state;
            checked.report
        }
        None => check_request(&request, &options).map_err(cannot)?,
    };
    result.check_errors = report.error_count();
    result.findings = report
        .findings
        .into_iter()
        .map(|finding| finding.diagnostic)
        .collect::<Vec<Diagnostic>>();
    if enforce && result.check_errors > 0 {
        result.status = SiteStatus::Refused;
        return Ok(false);
    }
    Ok(true)
}

/// What the check of a site published from Git starts from, and where it
/// leaves the state for the next.
struct CheckFromGit<'a> {
    publish: &'a PublishRequest<'a>,
    /// The state the site's last check kept, if it could be read.
    previous: Option<CheckState>,
    next: &'a mut Option<CheckState>,
}

/// Keeps the state a check left for the next check of the site. Without a
/// new state the one on disk stays: reuse goes by each unit's inputs, so an
/// older state is as sound a start, only further behind.
fn keep_state(publish: &PublishRequest<'_>, state: Option<CheckState>) {
    if let Some(bytes) = state.as_ref().and_then(CheckState::to_bytes) {
        keep_check_state(publish, &bytes);
    }
}

/// How sites load for a publish: as published, at the address asked for.
fn load_options(request: &PipelineRequest<'_>, site: &SiteEntry) -> LoadOptions {
    LoadOptions {
        base_url: request.base_url.map(str::to_owned),
        fallback_base_url: site.settings.base_url.clone(),
        ..LoadOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gazette_publish::SiteSettings;

    #[test]
    fn shards_split_the_sites_by_name_without_overlap_or_gaps() {
        let sites: Vec<SiteEntry> = ["e", "a", "d", "b", "c"]
            .iter()
            .map(|name| SiteEntry {
                name: (*name).into(),
                path: name.into(),
                settings: SiteSettings::default(),
            })
            .collect();
        let names = |shard: &str| -> Vec<String> {
            let shard: Shard = shard.parse().unwrap();
            shard
                .select(sites.clone())
                .into_iter()
                .map(|site| site.name)
                .collect()
        };
        assert_eq!(names("1/2"), ["a", "c", "e"]);
        assert_eq!(names("2/2"), ["b", "d"]);
        assert_eq!(names("1/1").len(), 5);
        for bad in ["3/2", "0/2", "1/0", "1", "a/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
