//! `gazette build`: build sites into folders and report per site.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context as _;
use gazette_content::Source;
use gazette_publish::{BuildFailure, SiteEntry, Strictness, Workspace, build_site_with};
use gazette_render::BuildRequest;
use gazette_store::{GitTreeSource, WorkTreeSource};
use gazette_theme::ThemeLibrary;

use crate::BuildArgs;
use crate::report;

/// Builds the requested sites; `Ok(false)` when any site failed.
pub fn run(args: &BuildArgs) -> anyhow::Result<bool> {
    let current = std::env::current_dir().context("cannot read the current folder")?;
    let workspace = Workspace::discover_or_site(&current)?;
    let sites = workspace.select(&args.sites)?;
    anyhow::ensure!(
        !sites.is_empty(),
        "{}",
        crate::workspace::no_sites(&workspace, "build")
    );

    let mut all_built = true;
    for site in &sites {
        let out_dir = output_dir(args, &workspace, site, sites.len());
        let inputs = SiteInputs::open(&workspace, site, args.rev.as_deref())?;
        let request = BuildRequest {
            name: &site.name,
            site: inputs.site.as_ref(),
            themes: inputs.themes.as_ref(),
            theme: workspace.theme_of(site),
            last_changed: inputs.last_changed.as_ref(),
        };
        let strictness = if args.strict || site.settings.strict {
            Strictness::Strict
        } else {
            Strictness::Tolerant
        };
        match build_site_with(&request, &out_dir, strictness) {
            Ok(build) => {
                if !args.quiet {
                    report::print_diagnostics(&build.warnings.0, &site.path);
                    println!(
                        "{:>10} {}: {} pages, {} files in {} ms → {}",
                        "Built",
                        site.name,
                        build.rendered.pages.len(),
                        build.rendered.copied_files(),
                        build.elapsed.as_millis(),
                        out_dir.display()
                    );
                }
            }
            Err(BuildFailure::Content(diagnostics)) => {
                all_built = false;
                report::print_diagnostics(&diagnostics.0, &site.path);
                let errors = diagnostics.errors().count();
                eprintln!(
                    "{:>10} {}: {errors} error{} (nothing written; {} is unchanged)",
                    "Failed",
                    site.name,
                    if errors == 1 { "" } else { "s" },
                    out_dir.display()
                );
            }
            Err(BuildFailure::Output(error)) => {
                all_built = false;
                eprintln!("{:>10} {}: {error}", "Failed", site.name);
            }
        }
    }
    Ok(all_built)
}

/// Where a site's files, the themes and the history dates come from: the
/// working folder, or a Git revision.
struct SiteInputs {
    site: Box<dyn Source>,
    themes: Box<dyn Source>,
    last_changed: Option<BTreeMap<String, i64>>,
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
            let last_changed = location.and_then(|(repository, folder)| {
                gazette_store::last_changed(&repository, "HEAD", &folder, None).ok()
            });
            return Ok(Self {
                site: Box::new(WorkTreeSource::new(&site.path)?),
                themes: Box::new(workspace.themes()?),
                last_changed,
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
                let themes = crate::workspace::themes_folder_in(workspace, site, &repository)?;
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
