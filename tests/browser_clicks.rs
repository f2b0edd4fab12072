//! No script from a site's data runs in a reader's browser: the hostile
//! site (`common::hostile`), whose every URL and markup field calls
//! `pwned(field)`, is built and opened in headless Chromium by
//! `tests/browser/clicks.mjs`, which hovers, focuses and clicks everything
//! on every page and types into the search fields. A control page copied as
//! it is (Jekyll copies an HTML file without front matter untouched) holds
//! the same payloads: the harness must see exactly those run, which shows
//! it would see any other.
//!
//! Needs what `tests/browser.rs` needs: Node.js, Chromium and
//! `npm ci --prefix tests/browser`.

mod common;

use std::path::Path;
use std::process::Command;

use common::hostile::hostile_site;

#[test]
fn no_payload_of_site_data_runs_when_a_reader_clicks_everything() {
    let harness = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        harness.join("node_modules/playwright-core").is_dir(),
        "the browser harness's packages are not installed: run `npm ci --prefix tests/browser`"
    );
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("hostile");
    let out = dir.path().join("out");
    hostile_site(&site);
    common::write(
        &site,
        "pages/control.html",
        "<!doctype html><title>Control</title>\
         <a href=\"javascript:pwned('control-link')\">control</a>\
         <img src=x onerror=\"pwned('control-img')\">",
    );
    let built = common::gazette_build(&site, &out)
        .output()
        .expect("the gazette binary runs");
    assert!(
        built.status.success(),
        "the hostile site builds:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );

    let output = Command::new("node")
        .arg(harness.join("clicks.mjs"))
        .arg(&out)
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("node runs clicks.mjs");
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}");
    let summary = report.lines().last().expect("the harness prints a summary");
    let pages: usize = summary
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_default();
    assert!(pages >= 8, "every page was opened: {summary}");

    let mut ran: Vec<&str> = report
        .lines()
        .filter_map(|line| line.strip_prefix("pwned "))
        .collect();
    ran.sort_unstable();
    ran.dedup();
    assert_eq!(
        ran,
        [
            "control-img on /pages/control.html",
            "control-link on /pages/control.html"
        ],
        "only the control page's payloads run (the report above lists every call)"
    );
    assert!(
        !report.lines().any(|line| line.starts_with("dialog ")),
        "no script opened a dialog"
    );
}
