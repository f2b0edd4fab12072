//! Real Isomer sites build as Jekyll built them: every corpus site builds
//! with the `gazette` binary, writes every URL in Jekyll's list, and shows
//! Jekyll's text (`../shared/corpus/parity.py`), unless it is listed in the
//! ratchet (`common::corpus::KNOWN_GAPS`) with exactly the gaps it still has.
//!
//! Reads `../shared/corpus/isomer/` beside the checkout (never copied into the
//! project). The test fails loudly when the corpus, Python or selectolax (the
//! parity script's HTML parser) is missing; `cargo xtask test` installs
//! selectolax first.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::corpus::{Gap, MIN_BODY_RECALL, MIN_MEAN_RECALL, known_gaps};
use common::corpus_dir;

/// Every corpus site: its name and folder (a folder with a `.urls` list).
fn corpus_sites() -> Vec<(String, PathBuf)> {
    let dir = corpus_dir();
    let mut sites: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("a readable corpus folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .filter_map(|path| {
            let name = path.file_name()?.to_string_lossy().into_owned();
            dir.join(format!("{name}.urls"))
                .is_file()
                .then_some((name, path))
        })
        .collect();
    sites.sort();
    assert!(
        !sites.is_empty(),
        "no sites with a .urls list in {}",
        dir.display()
    );
    sites
}

/// Builds `site` into `out` with the binary; the `error:` lines on failure.
fn build(site: &Path, out: &Path) -> Result<(), Vec<String>> {
    let output = common::gazette_build(site, out)
        .arg("--quiet")
        .output()
        .expect("the gazette binary runs");
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<String> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("error: "))
        .map(str::to_owned)
        .collect();
    assert!(
        !errors.is_empty(),
        "gazette build {} failed without an error line:\n{stderr}",
        site.display()
    );
    Err(errors)
}

/// What `parity.py --json` reports of one build.
struct Parity {
    missing: Vec<String>,
    recall_mean: Option<f64>,
    /// Page and post bodies (`area: print-content`) under the bar, with
    /// their recall.
    weak_bodies: Vec<(String, f64)>,
}

fn parity(name: &str, out: &Path) -> Parity {
    let script = corpus_dir().join("../parity.py");
    let output = Command::new(common::python())
        .arg(&script)
        .arg(name)
        .arg(out)
        .args(["--json", "--worst", "1000000"])
        .output()
        .expect("python3 runs parity.py");
    assert!(
        output.status.success(),
        "parity.py failed for {name} (it needs selectolax: `cargo xtask test` installs it):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("parity.py prints one JSON object");
    let areas = body_urls(name);
    // Jekyll's URLs are read a line each here: parity.py splits its list at
    // any whitespace, which cuts URLs with a space in two.
    let missing = missing_urls(name, out);
    let weak_bodies = report["worst"]
        .as_array()
        .expect("a list of scored pages")
        .iter()
        .filter_map(|row| Some((row["url"].as_str()?.to_owned(), row["recall"].as_f64()?)))
        .filter(|(url, recall)| areas.contains(url) && *recall < MIN_BODY_RECALL)
        .collect();
    Parity {
        missing,
        recall_mean: report["recall_mean"].as_f64(),
        weak_bodies,
    }
}

/// The URLs of Jekyll's list (one a line) that the build at `out` did not
/// write, spelled as the list spells them: `/x/` for `x/index.html`, else
/// the file's path.
fn missing_urls(name: &str, out: &Path) -> Vec<String> {
    let list = std::fs::read_to_string(corpus_dir().join(format!("{name}.urls")))
        .expect("a readable .urls list");
    list.lines()
        .filter(|url| !url.trim().is_empty())
        .filter(|url| {
            let path = url.trim_start_matches('/');
            let file = if path.is_empty() || path.ends_with('/') {
                out.join(path).join("index.html")
            } else {
                out.join(path)
            };
            !file.is_file()
        })
        .map(str::to_owned)
        .collect()
}

/// The URLs whose Jekyll text is a page or post body (not a listing's or a
/// homepage's whole main area).
fn body_urls(name: &str) -> BTreeSet<String> {
    let path = corpus_dir().join(format!("{name}.text.jsonl"));
    let Ok(text) = std::fs::read_to_string(&path) else {
        return BTreeSet::new();
    };
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|row| row["area"] == "print-content")
        .filter_map(|row| row["url"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn every_corpus_site_builds_as_jekyll_did_or_is_listed_with_its_exact_gaps() {
    let out = tempfile::tempdir().expect("a temporary folder");
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for (name, path) in corpus_sites() {
        seen.insert(name.clone());
        // Browser gaps are tests/browser.rs's to judge.
        let listed: BTreeSet<Gap> = known_gaps(&name)
            .into_iter()
            .filter(|gap| *gap != Gap::BrowserCheck)
            .collect();
        let mut found = BTreeSet::new();
        let mut details: BTreeMap<Gap, String> = BTreeMap::new();
        let dir = out.path().join(&name);
        match build(&path, &dir) {
            Err(errors) => {
                for error in &errors {
                    let gap = Gap::of_error(error);
                    found.insert(gap);
                    details.entry(gap).or_insert_with(|| error.clone());
                }
            }
            Ok(()) => {
                let parity = parity(&name, &dir);
                if !parity.missing.is_empty() {
                    found.insert(Gap::MissingUrls);
                    details.insert(
                        Gap::MissingUrls,
                        format!(
                            "{} missing, e.g. {:?}",
                            parity.missing.len(),
                            &parity.missing[..parity.missing.len().min(5)]
                        ),
                    );
                }
                let mean = parity.recall_mean.unwrap_or(1.0);
                if mean < MIN_MEAN_RECALL || !parity.weak_bodies.is_empty() {
                    found.insert(Gap::LowRecall);
                    details.insert(
                        Gap::LowRecall,
                        format!(
                            "mean recall {mean:.3}; bodies under {MIN_BODY_RECALL}: {:?}",
                            parity.weak_bodies
                        ),
                    );
                }
            }
        }
        println!("{name}: {found:?}");
        if found != listed {
            let new: Vec<_> = found.difference(&listed).collect();
            let fixed: Vec<_> = listed.difference(&found).collect();
            let mut message = format!("{name}: gaps {found:?}, but the ratchet lists {listed:?}");
            for gap in &fixed {
                message.push_str(&format!(
                    "\n  {gap:?} is fixed: remove it from KNOWN_GAPS in tests/common/corpus.rs"
                ));
            }
            for gap in &new {
                message.push_str(&format!("\n  {gap:?} is new: {}", details[gap]));
            }
            failures.push(message);
        }
    }
    for (name, _) in common::corpus::KNOWN_GAPS {
        if !seen.contains(*name) {
            failures.push(format!("{name} is in KNOWN_GAPS but not in the corpus"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
