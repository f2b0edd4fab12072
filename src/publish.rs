//! `gazette publish`: publish the sites changed since their last publish.

use anyhow::Context as _;
use gazette_publish::{PublishError, PublishOutcome, PublishRequest, PublishTarget, Workspace};

use crate::PublishArgs;
use crate::report;

/// Publishes the requested sites at `args.rev`; `Ok(false)` if any failed.
pub fn run(args: &PublishArgs) -> anyhow::Result<bool> {
    let current = std::env::current_dir().context("cannot read the current folder")?;
    let workspace = Workspace::discover(&current)?;
    let sites = workspace.select(&args.sites)?;
    let mut all_published = true;
    for site in &sites {
        let (repository, site_folder) = workspace.git_location(site).with_context(|| {
            format!(
                "{} is not in a Git repository with commits; commit it, or use `gazette build`",
                site.path.display()
            )
        })?;
        let themes_folder = crate::workspace::themes_folder_in(&workspace, site, &repository)?;
        crate::workspace::ensure_committed(site, &repository, &site_folder, &args.rev)?;
        let target = match (&args.out, &site.settings.publish) {
            (Some(out), _) => PublishTarget::Folder(out.join(&site.name)),
            (None, settings) => match (&settings.branch, &settings.folder) {
                (Some(branch), _) => PublishTarget::Branch(branch.clone()),
                (None, Some(folder)) => PublishTarget::Folder(workspace.root.join(folder)),
                (None, None) => PublishTarget::Folder(workspace.output_dir().join(&site.name)),
            },
        };
        let request = PublishRequest {
            name: &site.name,
            repository: &repository,
            revision: &args.rev,
            site_folder: &site_folder,
            themes: None,
            themes_folder: &themes_folder,
            theme: workspace.theme_of(site),
            target: &target,
            sanitize_svg: site.settings.sanitize_svg,
        };
        match gazette_publish::publish_revision(&request) {
            Ok(published) => {
                if args.quiet {
                    continue;
                }
                let commit = &published.commit[..12];
                match published.outcome {
                    PublishOutcome::Unchanged => println!(
                        "{:>10} {}: no change since the last publish ({commit})",
                        "Skipped", site.name
                    ),
                    PublishOutcome::Published {
                        stats,
                        warnings,
                        pages_alone,
                    } => {
                        report::print_diagnostics(&warnings.0, &site.path);
                        println!(
                            "{:>10} {} at {commit}: {} pages rendered{}, {} reused, in {} ms",
                            "Published",
                            site.name,
                            stats.pages_rendered,
                            if pages_alone {
                                " (text edits alone)"
                            } else {
                                ""
                            },
                            stats.pages_reused,
                            published.elapsed.as_millis()
                        );
                    }
                }
            }
            Err(PublishError::Content(diagnostics)) => {
                all_published = false;
                report::print_diagnostics(&diagnostics.0, &site.path);
                eprintln!(
                    "{:>10} {}: {} error(s); the published version is unchanged",
                    "Failed",
                    site.name,
                    diagnostics.errors().count()
                );
            }
            Err(error) => {
                all_published = false;
                eprintln!("{:>10} {}: {error}", "Failed", site.name);
            }
        }
    }
    Ok(all_published)
}
