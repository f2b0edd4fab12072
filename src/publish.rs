//! `gazette publish`: the sites changed since their last publish, through the
//! same gate as `cargo xtask publish` (`gazette_pipeline::publish_sites`):
//! each checked, refused on the checker's errors unless `--no-check` or
//! `check = "warn"`, then published; the same summary and exit status.

use anyhow::{Context as _, bail};
use gazette_pipeline::{ExitStatus, PipelineRequest, SiteResult, SiteStatus, publish_sites};
use gazette_publish::Workspace;

use crate::progress::Progress;
use crate::report;
use crate::{PublishArgs, SummaryFormat, output};

/// Publishes the requested sites at `args.rev`; `Ok(false)` when any has
/// content errors or was refused, `Err` when Gazette could not run for one.
pub fn run(args: &PublishArgs) -> anyhow::Result<bool> {
    if let Some(flag) = args.refused.given() {
        bail!(
            "`gazette publish` does not take {flag}: a publish never includes drafts, future \
             posts or unpublished pages. Preview them with `gazette serve {flag}`, or \
             `gazette build {flag} --out DIR`"
        );
    }
    let current = std::env::current_dir().context("cannot read the current folder")?;
    let workspace = Workspace::discover(&current)?;
    let mut sites = workspace.select(&args.sites)?;
    if let Some(shard) = args.shard {
        sites = shard.select(sites);
    }
    let request = PipelineRequest {
        workspace: &workspace,
        revision: &args.rev,
        out: args.out.as_deref(),
        no_check: args.no_check,
        base_url: args.base_url.as_ref().map(|url| url.0.as_str()),
    };
    let human = args.format == SummaryFormat::Human;
    let quiet = output::quiet();
    let progress = Progress::count(sites.len(), "sites", !human);
    progress.working_on("publishing");
    let report = publish_sites(&request, &sites, |site| {
        progress.step();
        if !human {
            return;
        }
        progress.suspend(|| print_site(site, quiet));
    });
    drop(progress);
    match args.format {
        SummaryFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        SummaryFormat::Human if !quiet => print!("{}", report.summary()),
        SummaryFormat::Human => {}
    }
    match report.exit_status() {
        ExitStatus::Ok => Ok(true),
        ExitStatus::ContentErrors => Ok(false),
        ExitStatus::CouldNotRun => bail!("Gazette could not publish every site (see above)"),
    }
}

/// What people see of one site's publish.
fn print_site(site: &SiteResult, quiet: bool) {
    let failed = matches!(
        site.status,
        SiteStatus::Refused | SiteStatus::Failed | SiteStatus::CouldNotRun
    );
    if failed || !quiet {
        report::print_diagnostics(&site.findings, &site.site_path);
        report::print_diagnostics(&site.diagnostics, &site.site_path);
    }
    let commit = site.commit.as_deref().map_or("", |c| &c[..c.len().min(12)]);
    match site.status {
        _ if quiet => {}
        SiteStatus::Unchanged => println!(
            "{:>10} {}: no change since the last publish",
            "Skipped", site.site
        ),
        SiteStatus::Published | SiteStatus::Built => println!(
            "{:>10} {} at {commit}: {} pages rendered{}, {} reused, in {} ms",
            "Published",
            site.site,
            site.pages_rendered,
            if site.pages_alone {
                " (text edits alone)"
            } else {
                ""
            },
            site.pages_reused,
            site.elapsed.as_millis()
        ),
        _ => {}
    }
    if site.status == SiteStatus::Refused {
        eprintln!(
            "{:>10} {}: the checker found {} error(s); not publishing it (fix them, \
                 pass --no-check, or set `check = \"warn\"` in its site.toml)",
            "Refused", site.site, site.check_errors
        );
    } else if let Some(error) = &site.error {
        eprintln!("{:>10} {}: {error}", "Failed", site.site);
        if site.damaged_object.is_some() {
            report::print_damaged_repository_help();
        }
    } else if site.status == SiteStatus::Failed {
        eprintln!(
            "{:>10} {}: the site has errors; the published version is unchanged",
            "Failed", site.site
        );
    }
}
