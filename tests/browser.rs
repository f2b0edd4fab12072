//! The published pages hold up in a real browser: the sample sites and the
//! corpus sites are built with the `gazette` binary and checked by
//! `tests/browser/check.mjs` (axe-core in headless Chromium at a desktop and a
//! phone width, html-validate, no request to another host but the analytics
//! a site's settings ask for); `tests/browser/search.mjs` searches them, and
//! `tests/browser/readers.mjs` follows redirects, clicks an embed, watches
//! for analytics and copies a page's link.
//!
//! Needs Node.js, Chromium at `/usr/bin/chromium` (or `CHROMIUM_PATH`) and the
//! harness's packages: `cargo xtask test` finds or installs them, then runs
//! the tests. Run by `cargo test` alone, the test fails, and says so, when
//! any of them is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::corpus::{Gap, fails_to_build, known_gaps};

const SAMPLE_SITES: &[&str] = &["govtech", "ogp"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Builds the site at `path` (a name under `sites/` or a folder) into `out`.
fn build(path: &Path, out: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(root())
        .arg("build")
        .arg(path)
        .arg("--out")
        .arg(out)
        .output()
        .expect("the gazette binary runs");
    assert!(
        output.status.success(),
        "gazette build {} failed:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn corpus_sites() -> Vec<PathBuf> {
    let dir = root().join("../shared/corpus/isomer");
    assert!(
        dir.is_dir(),
        "the real-site corpus is missing: expected it at {}",
        dir.display()
    );
    let mut sites: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("a readable corpus folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("_config.yml").is_file())
        // A site the ratchet lists as not building yet is checked here as
        // soon as it builds (tests/corpus.rs makes sure the list shrinks).
        .filter(|path| {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            !name.is_some_and(|name| fails_to_build(&name))
        })
        .collect();
    sites.sort();
    sites
}

/// The top-level `key: value` settings of a site's `_config.yml`, read
/// line by line: the test's own reading, not Gazette's, which is what the
/// browser checks test.
fn top_level_settings(site: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(site.join("_config.yml")).expect("a readable _config.yml");
    text.lines()
        .filter(|line| !line.starts_with([' ', '\t', '#', '-']))
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            let value = value.split(" #").next().unwrap_or_default().trim();
            Some((
                key.trim().to_owned(),
                value.trim_matches(['"', '\'']).to_owned(),
            ))
        })
        .collect()
}

/// `--analytics=HOST,...` for check.mjs: the hosts the site's settings ask
/// analytics from (WOGAA on government sites, Google's tag for a GA4
/// measurement id), or nothing when they ask for none.
fn analytics_argument(site: &Path) -> Option<PathBuf> {
    let settings = top_level_settings(site);
    let mut hosts = Vec::new();
    let has =
        |key: &str, test: &dyn Fn(&str) -> bool| settings.iter().any(|(k, v)| k == key && test(v));
    if has("google_analytics_ga4", &|v| v.starts_with("G-"))
        || has("google_analytics", &|v| v.starts_with("G-"))
    {
        hosts.push("www.googletagmanager.com");
    }
    if has("is_government", &|v| matches!(v, "true" | "yes" | "on")) {
        hosts.push("assets.wogaa.sg");
    }
    (!hosts.is_empty()).then(|| PathBuf::from(format!("--analytics={}", hosts.join(","))))
}

/// Fails, saying what to install, when the harness cannot run.
fn require_harness(harness: &Path) {
    assert!(
        harness.join("node_modules/playwright-core").is_dir()
            && harness.join("node_modules/axe-core").is_dir()
            && harness.join("node_modules/html-validate").is_dir(),
        "the browser harness's packages are not installed: run the tests with `cargo xtask test`, \
         which installs them, or run `npm ci --prefix tests/browser` (needs Node.js 20.19 or \
         later and Chromium at /usr/bin/chromium or CHROMIUM_PATH)"
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "Node.js is not installed or not on PATH: the browser checks need it"
    );
}

#[test]
fn every_page_type_passes_axe_and_html_validate_in_chromium() {
    let harness = root().join("tests/browser");
    require_harness(&harness);

    let out = tempfile::tempdir().expect("a temporary folder");
    let mut args: Vec<PathBuf> = Vec::new();
    let mut sites = 0;
    for name in SAMPLE_SITES {
        let dir = out.path().join(name);
        build(Path::new(name), &dir);
        args.extend(analytics_argument(&root().join("sites").join(name)));
        args.push(dir);
        sites += 1;
    }
    args.push(PathBuf::from("--corpus"));
    for site in corpus_sites() {
        let name = site.file_name().expect("a site folder name");
        let dir = out.path().join("corpus").join(name);
        build(&site, &dir);
        args.extend(analytics_argument(&site));
        args.push(dir);
        sites += 1;
    }

    let output = Command::new("node")
        .current_dir(root())
        .arg(harness.join("check.mjs"))
        .args(&args)
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("node runs check.mjs");
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}");

    // The harness prints one `ok` or `FAIL` line a site; a corpus site the
    // ratchet lists with `BrowserCheck` must still fail (else the list must
    // shrink), every other site must pass.
    let mut failures = Vec::new();
    let mut seen = 0;
    for line in report.lines() {
        let (passed, rest) = if let Some(rest) = line.strip_prefix("ok   ") {
            (true, rest)
        } else if let Some(rest) = line.strip_prefix("FAIL ") {
            (false, rest)
        } else {
            continue;
        };
        seen += 1;
        let name = rest.split([' ', ':']).next().unwrap_or_default();
        let listed = rest.contains("(corpus)") && known_gaps(name).contains(&Gap::BrowserCheck);
        match (passed, listed) {
            (false, false) => failures.push(format!("{name} fails the browser checks")),
            (true, true) => failures.push(format!(
                "{name} passes the browser checks now: remove BrowserCheck from its entry in \
                 KNOWN_GAPS (tests/common/corpus.rs)"
            )),
            _ => {}
        }
    }
    assert_eq!(
        seen, sites,
        "the harness reported on {seen} sites, not every one it was given (exit: {})",
        output.status
    );
    assert!(
        failures.is_empty(),
        "the browser checks failed; the report above lists each problem:\n{}",
        failures.join("\n")
    );
}

/// Full-text search in the browser, as a reader uses it: on a sample site
/// and on a corpus site, a word found in one page's body alone (chosen by
/// `search.mjs` from the built HTML, so nothing here names it) typed into
/// the navbar's search field lists that page, its excerpt marking the word.
#[test]
fn search_lists_the_one_page_whose_body_has_the_word_typed_in_chromium() {
    let harness = root().join("tests/browser");
    require_harness(&harness);
    let out = tempfile::tempdir().expect("a temporary folder");
    let sample = out.path().join(SAMPLE_SITES[0]);
    build(Path::new(SAMPLE_SITES[0]), &sample);
    let corpus_site = corpus_sites()
        .into_iter()
        .find(|site| site.join("misc/search.md").is_file())
        .expect("a corpus site with a search page");
    let corpus = out.path().join("corpus");
    build(&corpus_site, &corpus);

    let output = Command::new("node")
        .current_dir(root())
        .arg(harness.join("search.mjs"))
        .args(analytics_argument(
            &root().join("sites").join(SAMPLE_SITES[0]),
        ))
        .arg(&sample)
        .args(analytics_argument(&corpus_site))
        .arg(&corpus)
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("node runs search.mjs");
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}");
    assert_eq!(
        report
            .lines()
            .filter(|line| line.starts_with("ok   "))
            .count(),
        2,
        "search did not find the page on both sites:\n{report}"
    );
    assert!(output.status.success());
}

/// A copy of sample site `name` with `settings` lines put in place of its
/// own (or added), built into `out`.
fn build_variant(name: &str, settings: &[(&str, &str)], work: &Path, out: &Path) {
    let site = work.join(name);
    common::copy_tree(&root().join("sites").join(name), &site);
    let config = site.join("_config.yml");
    let mut text = std::fs::read_to_string(&config).expect("a readable _config.yml");
    for (key, value) in settings {
        let kept: Vec<&str> = text
            .lines()
            .filter(|line| !line.starts_with(&format!("{key}:")))
            .collect();
        text = format!("{}\n{key}: {value}\n", kept.join("\n"));
    }
    std::fs::write(&config, text).expect("a writable _config.yml");
    build(&site, out);
}

/// What a reader's browser does beyond loading pages (`readers.mjs`): every
/// redirect page of a sample site (its `_redirects` rules included) ends at
/// its target; a YouTube embed asks YouTube for nothing until its button is
/// clicked, then loads from youtube-nocookie.com; a site asking for no
/// analytics asks no other host on any page, and one naming a GA4 id on a
/// government site asks Google's tag and WOGAA and nothing else; "copy
/// link", pressed from the keyboard, puts the page's address on the
/// clipboard. No request leaves the machine: the harness answers or stops
/// each one.
#[test]
fn redirects_embeds_analytics_and_copy_link_behave_for_a_reader_in_chromium() {
    let harness = root().join("tests/browser");
    require_harness(&harness);
    let out = tempfile::tempdir().expect("a temporary folder");
    let sample = out.path().join("sample");
    build(Path::new(SAMPLE_SITES[0]), &sample);
    let quiet = out.path().join("quiet");
    build_variant(
        SAMPLE_SITES[0],
        &[("is_government", "false"), ("google_analytics_ga4", "\"\"")],
        &out.path().join("work-quiet"),
        &quiet,
    );
    let analytics = out.path().join("analytics");
    build_variant(
        SAMPLE_SITES[0],
        &[
            ("is_government", "true"),
            ("google_analytics_ga4", "G-TEST12345"),
        ],
        &out.path().join("work-analytics"),
        &analytics,
    );

    let output = Command::new("node")
        .current_dir(root())
        .arg(harness.join("readers.mjs"))
        .arg("--sample")
        .arg(&sample)
        .arg("--quiet")
        .arg(&quiet)
        .arg("--analytics")
        .arg(&analytics)
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("node runs readers.mjs");
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}");
    let passed: Vec<&str> = report
        .lines()
        .filter_map(|line| line.strip_prefix("ok   "))
        .map(|rest| rest.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(
        passed,
        [
            "redirects",
            "embed",
            "no analytics unasked",
            "analytics asked",
            "copy link"
        ],
        "a reader's check failed:\n{report}"
    );
    assert!(output.status.success());
}
