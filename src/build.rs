//! `gazette build`: build sites into folders and report per site.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context as _;
use gazette_content::{Diagnostic, LoadOptions, Source};
use gazette_publish::{BuildFailure, SiteEntry, Strictness, Workspace, build_site_with};
use gazette_render::{BuildRequest, FileDates};
use gazette_store::{GitTreeSource, WorkTreeSource};
use gazette_theme::ThemeLibrary;

use crate::progress::Progress;
use crate::report;
use crate::{BuildArgs, SummaryFormat, output};

/// Builds the requested sites; `Ok(false)` when any site has content
/// errors, `Err` (exit status 2, as for `publish` and `check`) when an output
/// could not be written.
pub fn run(args: &BuildArgs) -> anyhow::Result<bool> {
    let current = std::env::current_dir().context("cannot read the current folder")?;
    let workspace = Workspace::discover_or_site(&current)?;
    let sites = workspace.select(&args.sites)?;
    anyhow::ensure!(
        !sites.is_empty(),
        "{}",
        crate::workspace::no_sites(&workspace, "build")
    );

    if args.preview.any() && args.out.is_none() {
        anyhow::bail!(
            "--drafts, --future and --unpublished build a preview, which must not land in {}, \
             where sites are published from: pass --out DIR (or preview with `gazette serve`)",
            workspace.output_dir().display()
        );
    }
    let load = args.preview.load_options(args.base_url.as_ref());
    let json = args.format == SummaryFormat::Json;
    let progress = Progress::count(sites.len(), "sites", json);
    let mut summaries = Vec::new();
    let mut first_failure = None;
    // Several sites at once (see `gazette_pipeline::map_in_order`); each
    // summary is printed in the sites' order.
    gazette_pipeline::map_in_order(
        &sites,
        |site| output_dir(args, &workspace, site, sites.len()),
        |site| gazette_pipeline::folder_weight(&site.path),
        |site| {
            progress.working_on(format!("building {}", site.name));
            build_one(args, &workspace, site, &load, sites.len(), &progress)
        },
        |_, built| {
            match built {
                Ok(summary) => {
                    if !json {
                        progress.suspend(|| summary.print());
                    }
                    summaries.push(summary);
                }
                Err(error) => {
                    first_failure.get_or_insert(error);
                }
            }
            progress.step();
        },
    );
    drop(progress);
    if let Some(error) = first_failure {
        return Err(error);
    }
    if json {
        let sites: Vec<serde_json::Value> = summaries.iter().map(SiteSummary::to_json).collect();
        println!("{:#}", serde_json::json!({ "sites": sites }));
    }
    let unwritten = summaries.iter().filter(|s| s.failure.is_some()).count();
    anyhow::ensure!(unwritten == 0, "{unwritten} site(s) could not be written");
    Ok(summaries.iter().all(|summary| summary.built.is_some()))
}

/// Builds one site into its output folder; `Err` when its inputs cannot be
/// opened.
fn build_one(
    args: &BuildArgs,
    workspace: &Workspace,
    site: &SiteEntry,
    load: &LoadOptions,
    count: usize,
    progress: &Progress,
) -> anyhow::Result<SiteSummary> {
    let json = args.format == SummaryFormat::Json;
    let out_dir = output_dir(args, workspace, site, count);
    let inputs = SiteInputs::open(workspace, site, args.rev.as_deref())?;
    let walk = inputs.history.as_ref().map(|(repository, folder)| {
        move || gazette_store::last_changed(repository, "HEAD", folder, None).ok()
    });
    let request = BuildRequest {
        name: &site.name,
        site: inputs.site.as_ref(),
        themes: inputs.themes.as_ref(),
        theme: workspace.theme_of(site),
        last_changed: match (&inputs.last_changed, &walk) {
            (Some(dates), _) => FileDates::Known(dates),
            (None, Some(walk)) => FileDates::Walk(walk),
            (None, None) => FileDates::Unknown,
        },
        load: LoadOptions {
            fallback_base_url: site.settings.base_url.clone(),
            ..load.clone()
        },
    };
    let strictness = if args.strict || site.settings.strict {
        Strictness::Strict
    } else {
        Strictness::Tolerant
    };
    if output::verbose() && !json {
        progress.suspend(|| {
            anstream::eprintln!(
                "{} {} from {} (theme {}) into {}",
                output::status("Building", output::GOOD),
                site.name,
                site.path.display(),
                request.theme,
                out_dir.display()
            )
        });
    }
    Ok(match build_site_with(&request, &out_dir, strictness) {
        Ok(build) => SiteSummary {
            site: site.name.clone(),
            root: site.path.clone(),
            out_dir,
            built: Some((build.rendered.pages.len(), build.rendered.copied_files())),
            elapsed_ms: build.elapsed.as_millis(),
            diagnostics: build.warnings.0,
            failure: None,
        },
        Err(BuildFailure::Content(diagnostics)) => SiteSummary {
            site: site.name.clone(),
            root: site.path.clone(),
            out_dir,
            built: None,
            elapsed_ms: 0,
            diagnostics: diagnostics.0,
            failure: None,
        },
        Err(BuildFailure::Output(error)) => SiteSummary {
            site: site.name.clone(),
            root: site.path.clone(),
            out_dir,
            built: None,
            elapsed_ms: 0,
            diagnostics: Vec::new(),
            failure: Some(error.to_string()),
        },
    })
}

/// What happened to one site, for either report.
struct SiteSummary {
    site: String,
    root: PathBuf,
    out_dir: PathBuf,
    /// Pages and copied files, when the site was written.
    built: Option<(usize, usize)>,
    elapsed_ms: u128,
    /// Warnings of a written site; errors and warnings of one that failed.
    diagnostics: Vec<Diagnostic>,
    /// Why the output could not be written.
    failure: Option<String>,
}

impl SiteSummary {
    fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    fn print(&self) {
        let name = &self.site;
        if let Some(failure) = &self.failure {
            anstream::eprintln!(
                "{} {name}: {failure}",
                output::status("Failed", output::BAD)
            );
            return;
        }
        let Some((pages, files)) = self.built else {
            report::print_diagnostics(&self.diagnostics, &self.root);
            let errors = self.errors();
            anstream::eprintln!(
                "{} {name}: {errors} error{} (nothing written; {} is unchanged)",
                output::status("Failed", output::BAD),
                if errors == 1 { "" } else { "s" },
                self.out_dir.display()
            );
            return;
        };
        if output::quiet() {
            return;
        }
        report::print_diagnostics(&self.diagnostics, &self.root);
        anstream::println!(
            "{} {name}: {pages} pages, {files} files in {} ms → {}",
            output::status("Built", output::GOOD),
            self.elapsed_ms,
            self.out_dir.display()
        );
    }

    fn to_json(&self) -> serde_json::Value {
        let warnings = self.diagnostics.len() - self.errors();
        serde_json::json!({
            "site": self.site,
            "status": if self.built.is_some() { "built" } else { "failed" },
            "output": self.out_dir,
            "pages": self.built.map(|(pages, _)| pages),
            "files": self.built.map(|(_, files)| files),
            "elapsed_ms": self.built.map(|_| self.elapsed_ms),
            "errors": self.errors(),
            "warnings": warnings,
            "failure": self.failure,
            "diagnostics": self.diagnostics,
        })
    }
}

/// Where a site's files, the themes and the history dates come from: the
/// working folder, or a Git revision.
struct SiteInputs {
    site: Box<dyn Source>,
    themes: Box<dyn Source>,
    /// The dates of a revision's files.
    last_changed: Option<BTreeMap<String, i64>>,
    /// For the working folder of a committed site: the repository and the
    /// site's folder in it, whose history at HEAD dates the files (walked
    /// while the site loads).
    history: Option<(PathBuf, String)>,
}

impl SiteInputs {
    fn open(
        workspace: &Workspace,
        site: &SiteEntry,
        revision: Option<&str>,
    ) -> anyhow::Result<Self> {
        let location = workspace.git_location(site);
        let Some(revision) = revision else {
            // The working folder; dates come from the history at HEAD when
            // the site is committed, so a clean checkout builds exactly as
            // `--rev HEAD` does.
            return Ok(Self {
                site: Box::new(WorkTreeSource::new(&site.path)?),
                themes: Box::new(workspace.themes()?),
                last_changed: None,
                history: location,
            });
        };
        let (repository, folder) = location.with_context(|| {
            format!(
                "{} is not in a Git repository with commits",
                site.path.display()
            )
        })?;
        // Outside a workspace the built-in themes are the only ones.
        let themes = match workspace.declared {
            true => {
                let themes = workspace.site_themes_folder(site, &repository)?;
                let source = GitTreeSource::open(&repository, revision, &themes)?;
                Some(Box::new(source) as Box<dyn Source>)
            }
            false => None,
        };
        Ok(Self {
            site: Box::new(GitTreeSource::open(&repository, revision, &folder)?),
            themes: Box::new(ThemeLibrary::new(themes)?),
            last_changed: Some(gazette_store::last_changed(
                &repository,
                revision,
                &folder,
                None,
            )?),
            history: None,
        })
    }
}

fn output_dir(args: &BuildArgs, workspace: &Workspace, site: &SiteEntry, count: usize) -> PathBuf {
    match &args.out {
        Some(out) if count == 1 => out.clone(),
        Some(out) => out.join(&site.name),
        None => workspace.output_dir().join(&site.name),
    }
}
