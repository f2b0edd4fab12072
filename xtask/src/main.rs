//! Project automation, run as `cargo xtask <command>`.
//!
//! `publish` checks every site of the workspace (as `gazette check` does),
//! builds the ones without errors into `public/<site>/` with the same library
//! calls as `gazette build`, prints a summary table and exits non-zero when
//! any site failed or was refused, so CI pipelines can use it as is. Checker
//! warnings are printed and never stop a site; `--no-check`, or
//! `check = "warn"` in a site's `site.toml`, lets errors through as well.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use gazette_publish::check::{CheckOptions, check_request};
use gazette_publish::{BuildFailure, BuildRequest, CheckPolicy, Workspace, build_site};
use gazette_store::WorkTreeSource;

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Gazette project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build every site of the workspace into its output folder.
    Publish {
        /// Output folder holding one folder per site (default: the workspace's `public/`).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Publish sites even when the checker finds errors in them.
        #[arg(long)]
        no_check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Publish { out, no_check } => publish(out.as_deref(), no_check),
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

struct Row {
    site: String,
    status: String,
    pages: usize,
    files: usize,
    millis: u128,
}

fn publish(out: Option<&Path>, no_check: bool) -> anyhow::Result<bool> {
    let started = Instant::now();
    let workspace = Workspace::discover(&workspace_root())?;
    let themes = WorkTreeSource::new(workspace.themes_dir()).context("cannot read themes/")?;
    let output_root = out.map_or_else(|| workspace.output_dir(), Path::to_owned);
    let mut rows = Vec::new();
    for site in workspace.sites()? {
        let source = WorkTreeSource::new(&site.path)?;
        let request = BuildRequest {
            name: &site.name,
            site: &source,
            themes: &themes,
            theme: workspace.theme_of(&site),
        };
        let site_started = Instant::now();
        let enforce = !no_check && site.settings.check == CheckPolicy::Error;
        if !check_passes(&request, &site.path, enforce)? {
            rows.push(Row {
                site: site.name.clone(),
                status: "REFUSED".into(),
                pages: 0,
                files: 0,
                millis: site_started.elapsed().as_millis(),
            });
            continue;
        }
        let row = match build_site(&request, &output_root.join(&site.name)) {
            Ok(build) => {
                print_diagnostics(&build.warnings.0, &site.path);
                Row {
                    site: site.name.clone(),
                    status: "published".into(),
                    pages: build.rendered.pages.len(),
                    files: build.rendered.copied_files(),
                    millis: build.elapsed.as_millis(),
                }
            }
            Err(failure) => {
                if let BuildFailure::Content(diagnostics) = &failure {
                    print_diagnostics(&diagnostics.0, &site.path);
                } else {
                    eprintln!("error: {}: {failure}", site.name);
                }
                Row {
                    site: site.name.clone(),
                    status: "FAILED".into(),
                    pages: 0,
                    files: 0,
                    millis: site_started.elapsed().as_millis(),
                }
            }
        };
        rows.push(row);
    }
    println!(
        "{:<24} {:<10} {:>7} {:>7} {:>9}",
        "site", "status", "pages", "files", "time"
    );
    for row in &rows {
        println!(
            "{:<24} {:<10} {:>7} {:>7} {:>6} ms",
            row.site, row.status, row.pages, row.files, row.millis
        );
    }
    let failed = rows.iter().filter(|row| row.status != "published").count();
    println!(
        "{} site(s) published, {failed} failed, in {} ms → {}",
        rows.len() - failed,
        started.elapsed().as_millis(),
        output_root.display()
    );
    Ok(failed == 0)
}

/// Runs the checker and prints what it finds; `false` when the site has
/// errors and `enforce` says they stop it.
fn check_passes(request: &BuildRequest<'_>, root: &Path, enforce: bool) -> anyhow::Result<bool> {
    let report = check_request(request, &CheckOptions::default())
        .with_context(|| format!("cannot check {}", request.name))?;
    for finding in &report.findings {
        eprintln!("{}", finding.diagnostic.render(root, false));
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
            request.name
        );
    }
    Ok(!(enforce && report.has_errors()))
}

fn print_diagnostics(diagnostics: &[gazette_content::Diagnostic], root: &Path) {
    for diagnostic in diagnostics {
        eprintln!("{}", diagnostic.render(root, false));
    }
}
