//! `gazette build`: build sites into folders and report per site.

use std::path::PathBuf;

use anyhow::Context as _;
use gazette_publish::{BuildFailure, BuildRequest, SiteEntry, Workspace, build_site};
use gazette_store::WorkTreeSource;

use crate::BuildArgs;
use crate::report;

/// Builds the requested sites; `Ok(false)` when any site failed.
pub fn run(args: &BuildArgs) -> anyhow::Result<bool> {
    let current = std::env::current_dir().context("cannot read the current folder")?;
    let workspace = Workspace::discover(&current)?;
    let sites: Vec<SiteEntry> = if args.sites.is_empty() {
        workspace.sites()?
    } else {
        args.sites
            .iter()
            .map(|site| workspace.resolve_site(site))
            .collect::<Result<_, _>>()?
    };
    anyhow::ensure!(!sites.is_empty(), "the workspace has no sites to build");
    let themes = WorkTreeSource::new(workspace.themes_dir()).with_context(|| {
        format!(
            "cannot read the themes folder of {}",
            workspace.root.display()
        )
    })?;

    let mut all_built = true;
    for site in &sites {
        let out_dir = output_dir(args, &workspace, site, sites.len());
        let source = WorkTreeSource::new(&site.path)?;
        let request = BuildRequest {
            name: &site.name,
            site: &source,
            themes: &themes,
            theme: workspace.theme_of(site),
        };
        match build_site(&request, &out_dir) {
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

fn output_dir(args: &BuildArgs, workspace: &Workspace, site: &SiteEntry, count: usize) -> PathBuf {
    match &args.out {
        Some(out) if count == 1 => out.clone(),
        Some(out) => out.join(&site.name),
        None => workspace.output_dir().join(&site.name),
    }
}
