//! Project automation, run as `cargo xtask <command>`.
//!
//! - `publish`: `gazette publish` for every site of the workspace (or a CI
//!   shard of them) from HEAD: one call of `gazette_pipeline::publish_sites`
//!   (the checker as the gate, then the publish), the same summary table and
//!   the same exit status (1 content errors or refusals, 2 could not run).
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

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use gazette_pipeline::{ExitStatus, PipelineRequest, Shard, publish_sites};
use gazette_publish::{Workspace, build_site};
use gazette_render::{BuildRequest, FileDates};
use gazette_store::WorkTreeSource;

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
        #[arg(long, value_name = "I/N")]
        shard: Option<Shard>,
        /// Publish without running the checker first (nothing is refused).
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

/// The workspace this xtask belongs to: the parent of `xtask/`.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn publish(out: Option<&Path>, shard: Option<Shard>, no_check: bool) -> anyhow::Result<bool> {
    let workspace = Workspace::discover(&workspace_root())?;
    let mut sites = workspace.sites()?;
    if let Some(shard) = shard {
        sites = shard.select(sites);
    }
    let request = PipelineRequest {
        workspace: &workspace,
        revision: "HEAD",
        out,
        no_check,
        base_url: None,
    };
    let report = publish_sites(&request, &sites, |site| {
        for diagnostic in site.findings.iter().chain(&site.diagnostics) {
            eprintln!("{}", diagnostic.render(&site.site_path, false));
        }
        if let Some(error) = &site.error {
            eprintln!("{}: {error}", site.site);
        }
    });
    print!("{}", report.summary());
    match report.exit_status() {
        ExitStatus::Ok => Ok(true),
        ExitStatus::ContentErrors => Ok(false),
        ExitStatus::CouldNotRun => bail!("Gazette could not publish every site (see above)"),
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
            last_changed: FileDates::Unknown,
            load: gazette_content::LoadOptions {
                fallback_base_url: site.settings.base_url.clone(),
                ..gazette_content::LoadOptions::default()
            },
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
