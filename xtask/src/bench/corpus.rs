//! The real Isomer sites of `../shared/corpus/isomer/` against Jekyll.
//!
//! Every site of the corpus is built in one `gazette build` process, the
//! way an agency's workspace builds, and compared with the time Jekyll 4.3
//! with the Isomer theme took to build the same sites on this machine kind,
//! one `jekyll build` each. Jekyll cannot run here (its gems and the Isomer
//! remote theme are not reachable from these machines), so its times are the
//! ones measured when the corpus was collected, written below; a site of the
//! corpus without a recorded time is built but left out of the ratio, and
//! said so.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::measure::{self, Sample, Spread};
use super::{Row, WriteFloor, megabytes, progress, remove, thousands, write_floor_rows};

/// Jekyll's wall time for one build of each corpus site, in seconds
/// (Jekyll 4.3, Isomer theme, 2 cores; from the compatibility and speed
/// issues of December 2026).
const JEKYLL_SECONDS: &[(&str, f64)] = &[
    ("enterprisesg-sac-old", 5.90),
    ("govtech-gobusiness", 105.78),
    ("govtech-im8", 5.35),
    ("ihis-healthx", 2.62),
    ("imda-codesg", 8.74),
    ("imda-oin", 4.16),
    ("isomerpages-isomergovsg", 2.90),
    ("moe-telokuraupri", 8.27),
    ("mse", 136.16),
    ("mse-greenplan", 1.18),
    ("nlb-mobile-guide", 3.83),
    ("nlb-reference", 16.22),
    ("ogp-isomerguide", 1.88),
    ("stppo-ste-whats-next", 5.04),
];

/// How many times faster than Jekyll the corpus is to build.
const TARGET_RATIO: f64 = 100.0;

/// The corpus rows: one `gazette build` of every site, and its ratio to
/// Jekyll's total. `None` when the corpus is not beside the checkout.
pub fn rows(binary: &Path, corpus: &Path, dir: &Path, runs: usize) -> anyhow::Result<Vec<Row>> {
    let Ok(entries) = fs::read_dir(corpus) else {
        eprintln!(
            "  the real-site corpus is missing ({}); skipping it",
            corpus.display()
        );
        return Ok(Vec::new());
    };
    let mut sites: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    sites.sort();
    let names: Vec<String> = sites
        .iter()
        .filter_map(|site| Some(site.file_name()?.to_string_lossy().into_owned()))
        .collect();
    let timed: Vec<f64> = names
        .iter()
        .filter_map(|name| jekyll_seconds(name))
        .collect();
    let untimed: Vec<&str> = names
        .iter()
        .filter(|name| jekyll_seconds(name).is_none())
        .map(String::as_str)
        .collect();
    if untimed.len() == names.len() {
        eprintln!("  no corpus site has a recorded Jekyll time; skipping the corpus");
        return Ok(Vec::new());
    }
    let jekyll: f64 = timed.iter().sum();

    // Only the sites with a Jekyll time are built, so both sides cover the
    // same work.
    let built: Vec<&PathBuf> = sites
        .iter()
        .zip(&names)
        .filter(|(_, name)| jekyll_seconds(name).is_some())
        .map(|(site, _)| site)
        .collect();
    let out = dir.join("out-corpus");
    let logs = dir.join("logs");
    fs::create_dir_all(&logs)?;
    let mut samples: Vec<Sample> = Vec::new();
    for run in 1..=runs {
        progress("real corpus, one gazette build", run, runs);
        remove(&out)?;
        let mut build = Command::new(binary);
        build
            .current_dir(dir)
            .args(["build", "--quiet"])
            .args(&built)
            .arg("--out")
            .arg(&out);
        samples.push(measure::run(&mut build, &logs.join("corpus.log"))?);
    }
    let output = measure::tree_size(&out)?;
    let gazette = Spread::of_seconds(&samples);
    let mut note = format!(
        "{} sites, {} pages, {} files, {}; Jekyll {:.2} s",
        built.len(),
        thousands(output.html_pages),
        thousands(output.files),
        megabytes(output.bytes),
        jekyll
    );
    if !untimed.is_empty() {
        note.push_str(&format!(
            "; not built (no Jekyll time): {}",
            untimed.join(", ")
        ));
    }
    let ratio = Row {
        key: "corpus-vs-jekyll".into(),
        label: "real corpus: times faster than Jekyll".into(),
        unit: "×",
        value: Some(Spread::exactly(jekyll).divided_by(gazette)),
        peak_mib: None,
        note: format!(
            "target: at least {TARGET_RATIO:.0}× (≤ {:.2} s)",
            jekyll / TARGET_RATIO
        ),
    };
    let mut rows = vec![
        Row::timed(
            "corpus-build",
            "real corpus, one gazette build",
            &samples,
            note,
        ),
        ratio,
    ];
    rows.extend(write_floor_rows(
        &WriteFloor {
            key: "corpus",
            label: "real corpus",
        },
        &out,
        dir,
        &samples,
        runs,
    )?);
    Ok(rows)
}

fn jekyll_seconds(site: &str) -> Option<f64> {
    JEKYLL_SECONDS
        .iter()
        .find(|(name, _)| *name == site)
        .map(|&(_, seconds)| seconds)
}
