//! Project automation, run as `cargo xtask <command>`.
//!
//! - `publish`: checks every site of the workspace (or a CI shard of them) as
//!   `gazette check` does, publishes the ones without errors from the commit
//!   at HEAD with the same library calls as `gazette publish`, prints a
//!   summary table and exits non-zero when any site failed or was refused.
//!   Checker warnings never stop a site; `--no-check`, or `check = "warn"` in
//!   a site's `site.toml`, lets errors through as well.
//! - `replay`: the long replay of real history (see `tests/replay.rs`).
//! - `bench`: build and publish speed on generated sites, side by side with
//!   Hugo (see `bench/mod.rs`).
//! - `test`: finds or installs what the tests need (Chromium, the browser
//!   harness's npm packages, Python packages), then runs `cargo test
//!   --workspace` (see `test_setup.rs`).

mod bench;
mod test_setup;

use std::path::{Path, PathBuf};
use std::process::{Command as Process, ExitCode};
use std::time::Instant;

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use gazette_check::{CheckOptions, check_request};
use gazette_content::{Diagnostic, Source};
use gazette_publish::{
    BuildFailure, CheckPolicy, PublishError, PublishOutcome, PublishRequest, PublishTarget,
    SiteEntry, Workspace, build_site, is_unchanged, publish_revision,
};
use gazette_render::BuildRequest;
use gazette_store::{GitTreeSource, WorkTreeSource};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Gazette project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Publish every site of the workspace from HEAD, rendering only what changed.
    Publish {
        /// Output folder holding one folder per site (default: each site's target).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Publish only shard I of N (1-based), so a CI matrix can split the sites.
        #[arg(long, value_name = "I/N", value_parser = parse_shard)]
        shard: Option<(usize, usize)>,
        /// Publish sites even when the checker finds errors in them.
        #[arg(long)]
        no_check: bool,
    },
    /// Build sites and take screenshots of each page type at 1280 and 375 px.
    Screenshots {
        /// Sites to photograph (all sites of the workspace when none is named).
        sites: Vec<String>,
    },
    /// Replay the real history in ../shared/corpus: incremental equals full after each commit.
    Replay {
        /// How many of the newest commits to replay.
        #[arg(long, default_value_t = 300)]
        commits: usize,
    },
    /// Measure build and publish speed on generated sites (and against Hugo).
    Bench(bench::BenchArgs),
    /// Install or find what the tests need, then run `cargo test --workspace`.
    Test {
        /// Passed on to `cargo test`, such as `--test browser` or a test name.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        cargo_args: Vec<std::ffi::OsString>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Publish {
            out,
            shard,
            no_check,
        } => publish(out.as_deref(), shard, no_check),
        Command::Replay { commits } => replay(commits),
        Command::Screenshots { sites } => screenshots(&sites),
        Command::Bench(args) => bench::run(&args, &workspace_root()),
        Command::Test { cargo_args } => test_setup::run(&workspace_root(), &cargo_args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (index, count) = text
        .split_once('/')
        .ok_or_else(|| "write the shard as I/N, such as 2/4".to_owned())?;
    let index: usize = index
        .trim()
        .parse()
        .map_err(|_| "I must be a number".to_owned())?;
    let count: usize = count
        .trim()
        .parse()
        .map_err(|_| "N must be a number".to_owned())?;
    if count == 0 || index == 0 || index > count {
        return Err(format!("shard {index}/{count} is out of range (1 ≤ I ≤ N)"));
    }
    Ok((index, count))
}

/// The workspace this xtask belongs to: the parent of `xtask/`.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// One line of the summary table.
struct Row {
    site: String,
    status: &'static str,
    rendered: usize,
    reused: usize,
    millis: u128,
}

fn publish(
    out: Option<&Path>,
    shard: Option<(usize, usize)>,
    no_check: bool,
) -> anyhow::Result<bool> {
    let started = Instant::now();
    let workspace = Workspace::discover(&workspace_root())?;
    let mut sites = workspace.sites()?;
    if let Some((index, count)) = shard {
        // Sites are sorted by name, so every job of a matrix agrees on the split.
        sites = sites
            .into_iter()
            .enumerate()
            .filter(|(position, _)| position % count == index - 1)
            .map(|(_, site)| site)
            .collect();
    }
    let mut rows = Vec::new();
    for site in &sites {
        let site_started = Instant::now();
        let enforce = !no_check && site.settings.check == CheckPolicy::Error;
        let gate = || check_passes(&workspace, site, enforce);
        let outcome = publish_site(&workspace, site, out, &gate);
        let millis = site_started.elapsed().as_millis();
        let row = match outcome {
            Ok((status, rendered, reused)) => Row {
                site: site.name.clone(),
                status,
                rendered,
                reused,
                millis,
            },
            Err(diagnostics) => {
                for diagnostic in &diagnostics {
                    eprintln!("{}", diagnostic.render(&site.path, false));
                }
                Row {
                    site: site.name.clone(),
                    status: "FAILED",
                    rendered: 0,
                    reused: 0,
                    millis,
                }
            }
        };
        rows.push(row);
    }
    println!(
        "{:<24} {:<10} {:>9} {:>7} {:>9}",
        "site", "status", "rendered", "reused", "time"
    );
    for row in &rows {
        println!(
            "{:<24} {:<10} {:>9} {:>7} {:>6} ms",
            row.site, row.status, row.rendered, row.reused, row.millis
        );
    }
    let failed = rows
        .iter()
        .filter(|row| matches!(row.status, "FAILED" | "REFUSED"))
        .count();
    println!(
        "{} site(s) done, {failed} failed, in {} ms",
        rows.len() - failed,
        started.elapsed().as_millis()
    );
    Ok(failed == 0)
}

/// Runs the checker on what will be published (HEAD, or the working folder
/// outside Git) and prints what it finds; `false` when the site has errors and
/// `enforce` says they stop it.
fn check_passes(workspace: &Workspace, site: &SiteEntry, enforce: bool) -> anyhow::Result<bool> {
    let (site_source, themes): (Box<dyn Source>, Box<dyn Source>) =
        match workspace.git_location(site) {
            Some((repository, folder)) => {
                let themes_folder = workspace
                    .themes_folder_in(&repository)
                    .context("the themes folder is not in the site's repository")?;
                (
                    Box::new(GitTreeSource::open(&repository, "HEAD", &folder)?),
                    Box::new(GitTreeSource::open(&repository, "HEAD", &themes_folder)?),
                )
            }
            None => (
                Box::new(WorkTreeSource::new(&site.path)?),
                Box::new(WorkTreeSource::new(workspace.themes_dir())?),
            ),
        };
    let request = BuildRequest {
        name: &site.name,
        site: site_source.as_ref(),
        themes: themes.as_ref(),
        theme: workspace.theme_of(site),
        last_changed: None,
    };
    let report = check_request(&request, &CheckOptions::default())
        .with_context(|| format!("cannot check {}", site.name))?;
    for finding in &report.findings {
        eprintln!("{}", finding.diagnostic.render(&site.path, false));
    }
    if report.has_errors() {
        let errors = report.error_count();
        let action = if enforce {
            "not publishing it (fix them, pass --no-check, or set `check = \"warn\"` in its site.toml)"
        } else {
            "publishing it anyway"
        };
        eprintln!(
            "{}: the checker found {errors} error(s); {action}",
            site.name
        );
    }
    Ok(!(enforce && report.has_errors()))
}

/// Publishes one site from HEAD, or builds it from the working folder when
/// the workspace is not a Git repository. `gate` (the checker) runs only for
/// a site that has something to publish; when it says no, the site is
/// refused. Returns the status and page counts.
fn publish_site(
    workspace: &Workspace,
    site: &SiteEntry,
    out: Option<&Path>,
    gate: &dyn Fn() -> anyhow::Result<bool>,
) -> Result<(&'static str, usize, usize), Vec<Diagnostic>> {
    let failure = |message: String| vec![Diagnostic::error(&site.name, "", message)];
    let passes = || gate().map_err(|error| failure(format!("{error:#}")));
    let folder = out
        .map_or_else(|| workspace.output_dir(), Path::to_owned)
        .join(&site.name);
    let Some((repository, site_folder)) = workspace.git_location(site) else {
        let themes =
            WorkTreeSource::new(workspace.themes_dir()).map_err(|e| failure(e.to_string()))?;
        let source = WorkTreeSource::new(&site.path).map_err(|e| failure(e.to_string()))?;
        let request = BuildRequest {
            name: &site.name,
            site: &source,
            themes: &themes,
            theme: workspace.theme_of(site),
            last_changed: None,
        };
        if !passes()? {
            return Ok(("REFUSED", 0, 0));
        }
        return match build_site(&request, &folder) {
            Ok(build) => Ok(("built", build.rendered.stats.pages_rendered, 0)),
            Err(BuildFailure::Content(diagnostics)) => Err(diagnostics.0),
            Err(BuildFailure::Output(error)) => Err(failure(error.to_string())),
        };
    };
    let themes_folder = workspace
        .themes_folder_in(&repository)
        .ok_or_else(|| failure("the themes folder is not in the site's repository".into()))?;
    let target = match (
        out,
        &site.settings.publish.branch,
        &site.settings.publish.folder,
    ) {
        (None, Some(branch), _) => PublishTarget::Branch(branch.clone()),
        (None, None, Some(path)) => PublishTarget::Folder(workspace.root.join(path)),
        _ => PublishTarget::Folder(folder),
    };
    let request = PublishRequest {
        name: &site.name,
        repository: &repository,
        revision: "HEAD",
        site_folder: &site_folder,
        themes: None,
        themes_folder: &themes_folder,
        theme: workspace.theme_of(site),
        target: &target,
        sanitize_svg: site.settings.sanitize_svg,
    };
    // An unchanged site needs neither checking nor publishing.
    if is_unchanged(&request).map_err(|error| failure(error.to_string()))? {
        return Ok(("unchanged", 0, 0));
    }
    if !passes()? {
        return Ok(("REFUSED", 0, 0));
    }
    match publish_revision(&request) {
        Ok(report) => match report.outcome {
            PublishOutcome::Unchanged => Ok(("unchanged", 0, 0)),
            PublishOutcome::Published {
                stats, warnings, ..
            } => {
                for warning in &warnings.0 {
                    eprintln!("{}", warning.render(&site.path, false));
                }
                Ok(("published", stats.pages_rendered, stats.pages_reused))
            }
        },
        Err(PublishError::Content(diagnostics)) => Err(diagnostics.0),
        Err(error) => Err(failure(error.to_string())),
    }
}

/// Builds each site into `target/screenshots/<site>/site` and photographs the
/// first page of every layout with `tests/browser/screenshots.mjs`.
fn screenshots(names: &[String]) -> anyhow::Result<bool> {
    let root = workspace_root();
    let workspace = Workspace::discover(&root)?;
    let themes = WorkTreeSource::new(workspace.themes_dir()).context("cannot read themes/")?;
    let script = root.join("tests/browser/screenshots.mjs");
    anyhow::ensure!(
        root.join("tests/browser/node_modules").is_dir(),
        "run `npm ci --prefix tests/browser` first (the screenshots use playwright-core and Chromium)"
    );
    let mut all_taken = true;
    for site in workspace.select(names)? {
        let source = WorkTreeSource::new(&site.path)?;
        let request = BuildRequest {
            name: &site.name,
            site: &source,
            themes: &themes,
            theme: workspace.theme_of(&site),
            last_changed: None,
        };
        let out = root.join("target/screenshots").join(&site.name);
        let build = match build_site(&request, &out.join("site")) {
            Ok(build) => build,
            Err(failure) => {
                eprintln!("error: {} did not build:\n{failure}", site.name);
                all_taken = false;
                continue;
            }
        };
        // One page per layout: the first URL each layout wrote.
        let loaded =
            gazette_content::Site::load(&site.name, &source).map_err(|d| anyhow::anyhow!("{d}"))?;
        let mut seen = std::collections::BTreeSet::new();
        let paths: Vec<String> = loaded
            .site
            .pages
            .iter()
            .filter(|page| page.published && seen.insert(page.layout.clone()))
            .filter_map(|page| page.url().map(str::to_owned))
            .filter(|url| build.rendered.pages.iter().any(|p| &p.url == url))
            .collect();
        let status = Process::new("node")
            .arg(&script)
            .arg(out.join("site"))
            .arg(&out)
            .args(&paths)
            .status()
            .context("cannot run node")?;
        all_taken &= status.success();
        println!(
            "{}: {} page types → {}",
            site.name,
            paths.len(),
            out.display()
        );
    }
    Ok(all_taken)
}

/// Runs the history replay test with many commits, optimised.
fn replay(commits: usize) -> anyhow::Result<bool> {
    let status = Process::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args(["test", "--release", "--test", "replay", "--", "--nocapture"])
        .env("GAZETTE_REPLAY_COMMITS", commits.to_string())
        .status()
        .context("cannot run cargo")?;
    if status.code().is_none() {
        bail!("the replay was interrupted");
    }
    Ok(status.success())
}
