//! `gazette check`: check sites for broken links, missing media, mojibake and
//! the rest, and report for people (rustc style), JSON or SARIF.
//!
//! Exit codes: 0 when no site has errors (warnings allowed, unless
//! `--deny-warnings`), 1 when any has,
//! 2 when the check itself could not run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use gazette_check::{
    CheckOptions, CheckReport, ExternalOptions, SiteReport, check_request, json_report,
    plan_mojibake_fixes, sarif_report,
};
use gazette_content::{LoadOptions, Site};
use gazette_publish::{SiteEntry, Workspace};
use gazette_render::{BuildRequest, FileDates};
use gazette_store::{WorkTreeSource, uncommitted_paths};

/// Arguments of `gazette check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Sites to check: names of folders under `sites/`, or paths to any
    /// Isomer site folder. All sites of the workspace when none is given.
    pub sites: Vec<String>,
    /// How to report: for people, Gazette's JSON (docs/check-json-schema.md)
    /// or SARIF 2.1.0 for code-scanning tools.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also check external links over the network.
    #[arg(long)]
    pub external: bool,
    /// Seconds one external request may take.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 10,
        requires = "external"
    )]
    pub external_timeout: u64,
    /// How many external requests run at once.
    #[arg(long, value_name = "N", default_value_t = 8, requires = "external")]
    pub external_concurrency: usize,
    /// Repair mojibake in place before checking. Only the garbled characters
    /// change; files with uncommitted changes are refused.
    #[arg(long)]
    pub fix_mojibake: bool,
    /// Let --fix-mojibake edit files with uncommitted changes, or outside Git.
    #[arg(long, requires = "fix_mojibake")]
    pub allow_dirty: bool,
    /// Report as errors what Jekyll only warns about, and script in HTML and
    /// SVG files published as they are, as `strict = true` in a site's
    /// `site.toml` does.
    #[arg(long)]
    pub strict: bool,
    /// Exit 1 when there are warnings too, for CI that wants a clean site.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics grouped by file.
    Human,
    /// Gazette's JSON report.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// Checks the requested sites; `Ok(false)` when any has errors.
pub fn run(args: &CheckArgs) -> anyhow::Result<bool> {
    let current = std::env::current_dir().context("cannot read the current folder")?;
    let workspace = Workspace::discover_or_site(&current)?;
    let sites: Vec<SiteEntry> = if args.sites.is_empty() {
        workspace.sites()?
    } else {
        args.sites
            .iter()
            .map(|site| workspace.resolve_site(site))
            .collect::<Result<_, _>>()?
    };
    anyhow::ensure!(
        !sites.is_empty(),
        "{}",
        crate::workspace::no_sites(&workspace, "check")
    );
    let themes = workspace.themes()?;
    let options = CheckOptions {
        external: args.external.then(|| ExternalOptions {
            concurrency: args.external_concurrency.max(1),
            timeout: Duration::from_secs(args.external_timeout.max(1)),
        }),
        strict: args.strict,
    };

    let mut checked: Vec<(CheckReport, PathBuf, Duration)> = Vec::new();
    for site in &sites {
        let source = WorkTreeSource::new(&site.path)?;
        if args.fix_mojibake {
            fix_mojibake(site, &source, args.allow_dirty)?;
        }
        let started = Instant::now();
        let request = BuildRequest {
            name: &site.name,
            site: &source,
            themes: &themes,
            theme: workspace.theme_of(site),
            last_changed: FileDates::Unknown,
            load: LoadOptions {
                fallback_base_url: site.settings.base_url.clone(),
                ..LoadOptions::default()
            },
        };
        let options = CheckOptions {
            strict: options.strict || site.settings.strict,
            ..options.clone()
        };
        let report = check_request(&request, &options)
            .with_context(|| format!("cannot check {}", site.name))?;
        checked.push((report, shown_path(&site.path, &current), started.elapsed()));
    }

    let reports: Vec<SiteReport<'_>> = checked
        .iter()
        .map(|(report, root, _)| SiteReport { report, root })
        .collect();
    match args.format {
        Format::Human => {
            // Styled always; anstream drops the styles where they are unwanted.
            let mut stdout = anstream::stdout().lock();
            for (report, root, elapsed) in &checked {
                print_human(&mut stdout, report, root, *elapsed)?;
            }
        }
        Format::Json => writeln!(std::io::stdout(), "{:#}", json_report(&reports))?,
        Format::Sarif => writeln!(std::io::stdout(), "{:#}", sarif_report(&reports))?,
    }
    let failed = |report: &CheckReport| {
        report.has_errors() || (args.deny_warnings && report.warning_count() > 0)
    };
    Ok(!checked.iter().any(|(report, _, _)| failed(report)))
}

fn print_human(
    out: &mut impl Write,
    report: &CheckReport,
    root: &Path,
    elapsed: Duration,
) -> std::io::Result<()> {
    let mut current_file: Option<&str> = None;
    for finding in &report.findings {
        let file = finding.diagnostic.file.as_str();
        if current_file != Some(file) {
            current_file = Some(file);
            let shown = if file.is_empty() {
                root.display().to_string()
            } else {
                root.join(file).display().to_string()
            };
            writeln!(out, "── {shown}")?;
        }
        let rendered = finding.diagnostic.render(root, true);
        // The rule id goes after the severity, as rustc shows lint names.
        let rendered = rendered.replacen(':', &format!("[{}]:", finding.rule_id()), 1);
        if finding.also_at.is_empty() {
            writeln!(out, "{rendered}")?;
        } else {
            // The other places go under the snippet's notes, before its blank line.
            writeln!(out, "{}", rendered.trim_end())?;
            print_other_places(out, &finding.also_at, root)?;
        }
    }
    let (errors, warnings) = (report.error_count(), report.warning_count());
    let style = if errors == 0 {
        crate::output::GOOD
    } else {
        crate::output::BAD
    };
    writeln!(
        out,
        "{} {}: {errors} error{}, {warnings} warning{} in {} ms",
        crate::output::status("Checked", style),
        report.site,
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
        elapsed.as_millis()
    )
}

/// How many other places of one finding the human report lists; JSON and
/// SARIF list them all.
const PLACES_SHOWN: usize = 10;

/// The other places of a finding, a line each, after its own snippet.
fn print_other_places(
    out: &mut impl Write,
    places: &[gazette_content::Diagnostic],
    root: &Path,
) -> std::io::Result<()> {
    for place in places.iter().take(PLACES_SHOWN) {
        let mut shown = root.join(&place.file).display().to_string();
        if let Some(line) = place.line {
            shown.push_str(&format!(":{line}"));
            if let Some(column) = place.column {
                shown.push_str(&format!(":{column}"));
            }
        }
        writeln!(out, "  = also at {shown}")?;
    }
    if places.len() > PLACES_SHOWN {
        writeln!(
            out,
            "  = and {} more (`--format json` lists every place)",
            places.len() - PLACES_SHOWN
        )?;
    }
    writeln!(out)
}

/// Repairs mojibake in the site's files, refusing files with uncommitted
/// changes unless `allow_dirty`.
fn fix_mojibake(
    site: &SiteEntry,
    source: &WorkTreeSource,
    allow_dirty: bool,
) -> anyhow::Result<()> {
    let loaded = match Site::load(&site.name, source) {
        Ok(loaded) => loaded.site,
        Err(_) => return Ok(()),
    };
    let fixes = plan_mojibake_fixes(&loaded, source);
    if fixes.is_empty() {
        return Ok(());
    }
    if !allow_dirty {
        let dirty = uncommitted_paths(&site.path).map_err(|error| {
            anyhow::anyhow!(
                "{error}; commit the site to Git first, or pass --allow-dirty to fix anyway"
            )
        })?;
        let refused: Vec<&str> = fixes
            .iter()
            .filter(|fix| dirty.contains(&site.path.join(&fix.path)))
            .map(|fix| fix.path.as_str())
            .collect();
        if !refused.is_empty() {
            bail!(
                "not fixing mojibake in {}: these files have uncommitted changes: {}; commit them first, or pass --allow-dirty",
                site.name,
                refused.join(", ")
            );
        }
    }
    for fix in &fixes {
        fix.write(&site.path)
            .with_context(|| format!("cannot write {}", site.path.join(&fix.path).display()))?;
        eprintln!(
            "{:>10} {} spot{} of mojibake in {}",
            "Fixed",
            fix.spots,
            if fix.spots == 1 { "" } else { "s" },
            site.path.join(&fix.path).display()
        );
    }
    Ok(())
}

/// A site folder as reports show it: relative to the current folder when
/// inside it, so CI annotations find the files.
fn shown_path(path: &Path, current: &Path) -> PathBuf {
    path.strip_prefix(current)
        .map(Path::to_owned)
        .unwrap_or_else(|_| path.to_owned())
}
