//! One stylesheet or page that never ends, recurses without end, nests
//! without end or grows without end ends with an error at its file, saying
//! what to look for; the rest of the site still renders (`gazette check`
//! checks its pages), and neither `gazette build` nor `gazette check` crashes
//! or hangs.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{minimal_site, write};

/// A small site in a temporary folder (and the folder, whose `out` is
/// free), whose about page links to a page that does not exist, so `gazette
/// check` shows whether it rendered.
fn agency() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = dir.path().join("agency");
    minimal_site(&root, "Agency");
    write(
        &root,
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\nSee [the plan](/no-such-plan/).\n",
    );
    write(&root, "misc/custom.scss", "---\n---\n.a { color: red; }\n");
    (dir, root)
}

/// The stylesheet time limit for cases that must end on it: one second (ten
/// by default), so an endless stylesheet costs a test one second.
const SHORT_LIMIT_MS: u32 = 1_000;

/// The limit for cases that must end on another budget (memory, stack)
/// first, however loaded the machine running the tests is.
const LONG_LIMIT_MS: u32 = 120_000;

/// `gazette COMMAND SITE…` with plain output and the given stylesheet time
/// limit.
fn gazette(command: &str, args: &[&Path], sass_limit_ms: u32) -> (Output, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg(command)
        .args(args)
        .env("NO_COLOR", "1")
        .env("GAZETTE_SASS_TIMEOUT_MS", sass_limit_ms.to_string())
        .output()
        .expect("the gazette binary runs");
    let report = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    (output, report)
}

/// Builds the site into `out`: the build fails (it ends, with exit code 1,
/// neither a crash nor a panic) and names every `expected` text.
fn assert_build_fails(site: &Path, out: &Path, sass_limit_ms: u32, expected: &[&str]) -> String {
    let (output, report) = gazette("build", &[site, Path::new("--out"), out], sass_limit_ms);
    assert_eq!(output.status.code(), Some(1), "the build fails:\n{report}");
    assert!(!report.contains("panicked"), "{report}");
    for text in expected {
        assert!(report.contains(text), "expected {text:?} in:\n{report}");
    }
    assert!(!out.exists(), "nothing is written");
    report
}

#[test]
fn every_runaway_stylesheet_fails_alone_with_what_to_look_for() {
    let nested_rules = ".a {".repeat(10_000) + "b: c;" + &"}".repeat(10_000);
    let cases = [
        (
            "$i: 0;\n@while true { $i: $i + 1; }\n",
            "took longer than 1 s to compile",
        ),
        (
            "@function f($x) { @return f($x); }\n.a { b: f(1); }\n",
            "a budget of Gazette's Sass",
        ),
        (
            "@mixin m { .a { @include m; } }\n.b { @include m; }\n",
            "a budget of Gazette's Sass",
        ),
        (nested_rules.as_str(), "a budget of Gazette's Sass"),
        (
            "$s: \"ab\";\n@for $i from 1 through 40 { $s: $s + $s; }\n.a { b: $s; }\n",
            "needed more than 512 MiB of memory",
        ),
    ];
    for (scss, expected) in cases {
        let (dir, root) = agency();
        write(&root, "misc/custom.scss", &format!("---\n---\n{scss}"));
        let endless = expected.starts_with("took longer");
        let limit = if endless {
            SHORT_LIMIT_MS
        } else {
            LONG_LIMIT_MS
        };
        let report = assert_build_fails(
            &root,
            &dir.path().join("out"),
            limit,
            &[
                "misc/custom.scss:3",
                "error: Sass: ",
                expected,
                "help: look for",
            ],
        );
        assert_eq!(
            report.matches("error:").count(),
            1,
            "the stylesheet alone fails:\n{report}"
        );
    }
}

#[test]
fn gazette_check_reports_an_endless_stylesheet_and_still_checks_every_page() {
    let (_dir, root) = agency();
    write(
        &root,
        "misc/custom.scss",
        // A loop that never ends and never grows: the time budget, not the
        // memory budget, is what stops it, however fast the machine.
        "---\n---\n$n: 0;\n@while true { $n: 1 - $n; }\n",
    );
    let (output, report) = gazette("check", &[&root], SHORT_LIMIT_MS);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains("took longer than 1 s to compile") && report.contains("custom.scss:3"),
        "{report}"
    );
    assert!(
        report.contains("`/no-such-plan/` links to a page that does not exist"),
        "the about page rendered and was checked:\n{report}"
    );
}

#[test]
fn pages_nested_a_hundred_thousand_deep_fail_at_their_line_and_the_rest_renders() {
    let (dir, root) = agency();
    let front = |title: &str| format!("---\ntitle: {title}\npermalink: /{title}/\n---\n");
    write(
        &root,
        "pages/quotes.md",
        &(front("quotes") + "Intro\n\n" + &"> ".repeat(100_000) + "deep\n"),
    );
    write(
        &root,
        "pages/divs.md",
        &(front("divs") + &"<div>\n".repeat(100_000)),
    );
    write(
        &root,
        "pages/spans.html",
        &(front("spans") + &"<span>".repeat(100_000)),
    );
    assert_build_fails(
        &root,
        &dir.path().join("out"),
        SHORT_LIMIT_MS,
        &[
            "error: the page nests deeper than 256 levels",
            "pages/quotes.md:7",
            "pages/divs.md:",
            "pages/spans.html:5",
            "help: close the quotes, lists or HTML elements",
        ],
    );
    let (_, report) = gazette("check", &[&root], SHORT_LIMIT_MS);
    assert!(
        report.contains("`/no-such-plan/` links to a page that does not exist"),
        "the about page rendered and was checked:\n{report}"
    );
}
