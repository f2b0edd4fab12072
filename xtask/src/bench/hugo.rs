//! Gazette side by side with Hugo on the same content.
//!
//! `../shared/bench/gen_corpus.py` writes one logical site as an Isomer site
//! (for Gazette) and as a Hugo site whose templates do the same per-page
//! work. Both are built in one run, alternating A B A B, so a noisy shared
//! machine slows both alike; the ratio is what to quote. Also timed: a
//! workspace of 50 sites against 50 Hugo builds, with the same workspace
//! published from Git ([`fleet`]), and one site of 10,000 pages, where the
//! memory ratio is the target.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use serde::Serialize;

use super::fleet::{self, FleetPublish, Publishes};
use super::measure::{self, Sample, Spread, TreeSize};
use super::{generator, megabytes, progress, remove, thousands};

/// Sites and pages of the many-sites case.
const FLEET_SITES: usize = 50;
const FLEET_PAGES: usize = 200;

/// Pages of the large case: gen_corpus's own generator rather than the
/// xtask one, so Hugo builds the same content. One Hugo build of it takes
/// about four minutes on this machine kind, so it runs once whatever
/// `--runs` says; peak memory, its target, barely moves between runs.
const LARGE_PAGES: usize = 10_000;

/// One tool's runs on one case.
#[derive(Debug, Serialize)]
pub struct Timing {
    seconds: Spread,
    peak_mib: Spread,
    output: TreeSize,
}

impl Timing {
    fn new(samples: &[Sample], output: TreeSize) -> Self {
        Self {
            seconds: Spread::of_seconds(samples),
            peak_mib: Spread::of_peak_mib(samples),
            output,
        }
    }
}

/// Both tools on one case.
#[derive(Debug, Serialize)]
pub struct Case {
    label: String,
    gazette: Timing,
    hugo: Timing,
    runs: usize,
    /// Hugo's median time over Gazette's: how many times faster Gazette is.
    ratio: f64,
    /// Gazette's median peak memory as a percentage of Hugo's (for many
    /// sites, of Hugo's largest single-site process).
    memory_share: f64,
    /// For the many-sites case: the workspace published from Git, in the
    /// same runs as its builds.
    #[serde(skip_serializing_if = "Option::is_none")]
    publish: Option<FleetPublish>,
}

/// Everything `--vs-hugo` measured.
#[derive(Debug, Serialize)]
pub struct Comparison {
    hugo_version: String,
    runs: usize,
    cases: Vec<Case>,
}

/// Runs every side-by-side measurement.
pub fn compare(
    binary: &Path,
    project: &Path,
    bench_dir: &Path,
    pages: usize,
    runs: usize,
) -> anyhow::Result<Comparison> {
    let shared = project.join("../shared");
    let script = shared.join("bench/gen_corpus.py");
    if !script.is_file() {
        bail!(
            "--vs-hugo needs the shared corpus generator at {} (shared/ sits beside the \
             checkout); it is missing",
            script.display()
        );
    }
    let hugo_version = Command::new("hugo")
        .arg("version")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .context("--vs-hugo needs Hugo on the PATH: apt-get install -y hugo")?;
    let dir = bench_dir.join("vs-hugo");
    let themes = project.join("themes");
    let mut cases = Vec::new();

    let single = dir.join(format!("single-{pages}"));
    prepare(&script, &themes, &single, pages, 1)?;
    cases.push(side_by_side(
        binary,
        &single,
        &format!("one site, gen_corpus --pages {pages}"),
        1,
        runs,
        &mut || Ok(()),
    )?);

    let fleet = dir.join(format!("fleet-{FLEET_SITES}x{FLEET_PAGES}"));
    prepare(&script, &themes, &fleet, FLEET_PAGES, FLEET_SITES)?;
    let mut publishes = Publishes::new(binary, &fleet, fleet::commit(&fleet.join("gazette"))?);
    let mut fleet_case = side_by_side(
        binary,
        &fleet,
        &format!("{FLEET_SITES} sites × gen_corpus --pages {FLEET_PAGES}"),
        FLEET_SITES,
        runs,
        &mut || publishes.run_once(),
    )?;
    fleet_case.publish = Some(publishes.report(fleet_case.hugo.seconds));
    cases.push(fleet_case);

    if pages != LARGE_PAGES {
        let large = dir.join(format!("single-{LARGE_PAGES}"));
        prepare(&script, &themes, &large, LARGE_PAGES, 1)?;
        cases.push(side_by_side(
            binary,
            &large,
            &format!("one site, gen_corpus --pages {LARGE_PAGES}"),
            1,
            1,
            &mut || Ok(()),
        )?);
        // Its outputs are about 4 GB (Hugo's 2.7 GB of side navigations):
        // too much to leave on a shared disk.
        remove(&large.join("out-gazette"))?;
        remove(&large.join("out-hugo"))?;
    }
    Ok(Comparison {
        hugo_version,
        runs,
        cases,
    })
}

/// Writes the corpus twice under `dir`: `gazette/` (a workspace whose
/// `sites/` holds the Isomer flavour) and `hugo/` (the Hugo flavour).
fn prepare(
    script: &Path,
    themes: &Path,
    dir: &Path,
    pages: usize,
    sites: usize,
) -> anyhow::Result<()> {
    remove(dir)?;
    let workspace = dir.join("gazette");
    generator::write_empty_workspace(&workspace, themes)?;
    let (isomer_out, hugo_out) = if sites == 1 {
        (workspace.join("sites/corpus"), dir.join("hugo/corpus"))
    } else {
        (workspace.join("sites"), dir.join("hugo"))
    };
    for (flavour, out) in [("isomer", &isomer_out), ("hugo", &hugo_out)] {
        let status = Command::new("python3")
            .arg(script)
            .args(["--pages", &pages.to_string(), "--sites", &sites.to_string()])
            .args(["--flavor", flavour, "--out"])
            .arg(out)
            .stdout(std::process::Stdio::null())
            .status()
            .context("cannot run python3")?;
        if !status.success() {
            bail!("{} failed for the {flavour} flavour", script.display());
        }
    }
    Ok(())
}

/// Builds the prepared case with each tool in turn, `runs` times, calling
/// `after_each_run` after both tools' builds of each run.
fn side_by_side(
    binary: &Path,
    dir: &Path,
    label: &str,
    sites: usize,
    runs: usize,
    after_each_run: &mut dyn FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<Case> {
    let workspace = dir.join("gazette");
    let gazette_out = dir.join("out-gazette");
    let hugo_out = dir.join("out-hugo");
    let logs = dir.join("logs");
    fs::create_dir_all(&logs)?;
    let mut hugo_sites: Vec<PathBuf> = fs::read_dir(dir.join("hugo"))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    hugo_sites.sort();
    if hugo_sites.len() != sites {
        bail!(
            "expected {sites} Hugo site(s) in {}",
            dir.join("hugo").display()
        );
    }
    let (mut gazette, mut hugo) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        progress(&format!("vs Hugo: {label}"), run, runs);
        remove(&gazette_out)?;
        let mut build = Command::new(binary);
        build
            .current_dir(&workspace)
            .args(["build", "--quiet", "--out"])
            .arg(&gazette_out);
        gazette.push(measure::run(&mut build, &logs.join("gazette.log"))?);

        // Hugo builds one site per process: the case's time is their sum and
        // its memory the largest of them.
        remove(&hugo_out)?;
        let mut total = Sample {
            wall: std::time::Duration::ZERO,
            peak_kib: 0,
        };
        for site in &hugo_sites {
            let name = site.file_name().unwrap_or_default();
            let mut build = Command::new("hugo");
            build
                .arg("-s")
                .arg(site)
                .arg("--quiet")
                .arg("-d")
                .arg(hugo_out.join(name));
            let sample = measure::run(&mut build, &logs.join("hugo.log"))?;
            total.wall += sample.wall;
            total.peak_kib = total.peak_kib.max(sample.peak_kib);
        }
        hugo.push(total);
        after_each_run()?;
    }
    let gazette = Timing::new(&gazette, measure::tree_size(&gazette_out)?);
    let hugo = Timing::new(&hugo, measure::tree_size(&hugo_out)?);
    Ok(Case {
        label: label.to_owned(),
        runs,
        ratio: hugo.seconds.median / gazette.seconds.median,
        memory_share: 100.0 * gazette.peak_mib.median / hugo.peak_mib.median,
        gazette,
        hugo,
        publish: None,
    })
}

/// Prints the side-by-side table.
pub fn print(comparison: &Comparison) {
    println!();
    println!(
        "Side by side ({}; same content, alternating A B A B, {} run(s); medians, min–max)",
        comparison.hugo_version, comparison.runs
    );
    println!(
        "{:<34} {:>22} {:>22} {:>8}  outputs (Gazette | Hugo)",
        "case", "Gazette", "Hugo", "ratio"
    );
    let timing = |t: &Timing| {
        format!(
            "{:.2} s ({:.2}–{:.2})",
            t.seconds.median, t.seconds.min, t.seconds.max
        )
    };
    let output = |t: &Timing| {
        format!(
            "{} files, {} bytes ({})",
            thousands(t.output.files),
            thousands(t.output.bytes),
            megabytes(t.output.bytes)
        )
    };
    for case in &comparison.cases {
        println!(
            "{:<34} {:>22} {:>22} {:>7.1}×  {} | {}",
            case.label,
            timing(&case.gazette),
            timing(&case.hugo),
            case.ratio,
            output(&case.gazette),
            output(&case.hugo)
        );
        println!(
            "{:<34} {:>18.0} MiB {:>18.0} MiB {:>7.0} %  peak memory, Gazette's share of Hugo's{}",
            format!("  ({} run(s))", case.runs),
            case.gazette.peak_mib.median,
            case.hugo.peak_mib.median,
            case.memory_share,
            if case.label.ends_with(&format!("--pages {LARGE_PAGES}")) {
                " (target: at most 25 %; time: at least 20×)"
            } else {
                ""
            }
        );
        if let Some(publish) = &case.publish {
            fleet::print(publish);
        }
    }
}
