//! `gazette check` as CI runs it: exit codes, the human report, the JSON and
//! SARIF shapes, `--fix-mojibake` on a real Git repository and `--external`
//! against a server on 127.0.0.1.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use common::{commit_all, tree};

/// A small site without problems.
const CLEAN: &[(&str, &str)] = &[
    (
        "_config.yml",
        "title: Sample Agency\nresources_name: news\n",
    ),
    (
        "_data/navigation.yml",
        "links:\n  - title: Guides\n    collection: guides\n  - title: News\n    resource_room: true\n  - title: About\n    url: /about/\n",
    ),
    (
        "index.md",
        "---\nlayout: homepage\ntitle: Home\npermalink: /\n---\n",
    ),
    (
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\nAbout us. See [the guide](/guides/first/).\n",
    ),
    (
        "_guides/collection.yml",
        "collections:\n  guides:\n    output: true\n    order:\n      - first.md\n",
    ),
    (
        "_guides/first.md",
        "---\ntitle: First\npermalink: /guides/first/\n---\nStep one.\n",
    ),
    (
        "news/index.html",
        "---\nlayout: resources\ntitle: News\n---\n",
    ),
    (
        "news/updates/index.html",
        "---\nlayout: resources-alt\ntitle: Updates\n---\n",
    ),
    (
        "news/updates/_posts/2025-01-02-post-Hello.md",
        "---\ntitle: Hello\n---\nNews.\n",
    ),
    ("images/big-photo.jpg", ""),
];

struct Fixture {
    _dir: tempfile::TempDir,
    site: PathBuf,
}

fn fixture(changes: &[(&str, &str)]) -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("agency");
    for (path, contents) in CLEAN.iter().chain(changes) {
        write(&site, path, contents.as_bytes());
    }
    Fixture { _dir: dir, site }
}

fn write(root: &Path, path: &str, contents: &[u8]) {
    let full = root.join(path);
    fs::create_dir_all(full.parent().expect("a parent folder")).expect("folders");
    fs::write(full, contents).expect("a written file");
}

fn check(site: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .arg(site)
        .args(args)
        .output()
        .expect("gazette runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).expect("a JSON report on stdout")
}

#[test]
fn a_clean_site_exits_zero_even_with_an_empty_media_file() {
    let site = fixture(&[(
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\n![Our office](/images/big-photo.jpg)\n",
    )]);
    let output = check(&site.site, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("0 errors, 0 warnings"));
}

#[test]
fn errors_exit_one_with_a_rustc_style_report() {
    let site = fixture(&[(
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\nSee [the guide](/guides/first/).\nAnd [the old page](/guides/second/).\n",
    )]);
    let output = check(&site.site, &[]);
    assert_eq!(output.status.code(), Some(1));
    let report = stdout(&output);
    assert!(
        report
            .contains("error[broken-link]: `/guides/second/` links to a page that does not exist"),
        "{report}"
    );
    assert!(report.contains("pages/about.md:6:20\n"), "{report}");
    assert!(report.contains("= note: site agency"), "{report}");
    assert!(
        report.contains("6 | And [the old page](/guides/second/)."),
        "{report}"
    );
    assert!(report.contains("  |                    ^"), "{report}");
    assert!(
        report.contains("= help: link to an existing page's permalink"),
        "{report}"
    );
}

#[test]
fn warnings_alone_exit_zero() {
    let site = fixture(&[(
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\nThe Governmentâ€™s plan.\n",
    )]);
    let output = check(&site.site, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    assert_eq!(report["errors"], 0);
    assert_eq!(report["warnings"], 1);
    assert_eq!(report["sites"][0]["findings"][0]["rule"], "mojibake");
}

#[test]
fn a_site_that_does_not_exist_exits_two() {
    let output = check(Path::new("/nonexistent/site/folder"), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("error:"));
}

#[test]
fn the_json_report_follows_the_documented_schema() {
    let site = fixture(&[(
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\n[gone](/gone/)\n",
    )]);
    let report = json(&check(&site.site, &["--format", "json"]));
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "gazette");
    assert_eq!(
        (report["errors"].as_u64(), report["warnings"].as_u64()),
        (Some(1), Some(0))
    );
    let site_report = &report["sites"][0];
    assert_eq!(site_report["site"], "agency");
    assert!(site_report["root"].as_str().unwrap().ends_with("agency"));
    let finding = &site_report["findings"][0];
    let keys: Vec<&str> = finding
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "rule",
            "severity",
            "file",
            "path",
            "line",
            "column",
            "message",
            "hint",
            "source_line",
            "also_at"
        ]
    );
    assert_eq!(finding["also_at"], serde_json::json!([]));
    assert_eq!(finding["rule"], "broken-link");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["file"], "pages/about.md");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(5), Some(8))
    );
    assert_eq!(finding["source_line"], "[gone](/gone/)");
}

#[test]
fn the_sarif_report_is_sarif_2_1_0_with_rules_and_located_results() {
    let site = fixture(&[(
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\n[gone](/gone/)\n",
    )]);
    let output = check(&site.site, &["--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1));
    let sarif = json(&output);
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|rule| rule["id"] == "broken-link"));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "broken-link");
    assert_eq!(result["level"], "error");
    let rule_index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[rule_index]["id"], "broken-link");
    let location = &result["locations"][0]["physicalLocation"];
    assert!(
        location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("agency/pages/about.md")
    );
    assert_eq!(location["region"]["startLine"], 5);
    assert_eq!(location["region"]["startColumn"], 8);
}

// --- --fix-mojibake on a real repository -------------------------------------

const GARBLED: &str = "---\ntitle: About\npermalink: /about/\n---\nThe Governmentâ€™s cafÃ© opens â€œsoonâ€\u{9d}.\r\nNothing else changes: ‘quotes’ and São Paulo.\n";
const REPAIRED: &str = "---\ntitle: About\npermalink: /about/\n---\nThe Government’s café opens “soon”.\r\nNothing else changes: ‘quotes’ and São Paulo.\n";

#[test]
fn fix_mojibake_repairs_only_the_garbled_characters_of_committed_files() {
    let site = fixture(&[("pages/about.md", GARBLED)]);
    let repository = git2::Repository::init(&site.site).unwrap();
    commit_all(&repository, "content");
    let before = tree(&site.site);

    let output = check(&site.site, &["--fix-mojibake"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("Fixed"));
    assert!(!stdout(&output).contains("mojibake"), "{}", stdout(&output));

    let about = site.site.join("pages/about.md");
    assert_eq!(fs::read(&about).unwrap(), REPAIRED.as_bytes());
    for (path, bytes) in before {
        if path != "pages/about.md" && !path.starts_with(".git/") {
            assert_eq!(
                fs::read(site.site.join(&path)).unwrap(),
                bytes,
                "{path} changed"
            );
        }
    }
}

#[test]
fn fix_mojibake_refuses_files_with_uncommitted_changes_unless_allowed() {
    let site = fixture(&[]);
    let repository = git2::Repository::init(&site.site).unwrap();
    commit_all(&repository, "content");
    let about = site.site.join("pages/about.md");
    fs::write(&about, GARBLED).unwrap();

    let output = check(&site.site, &["--fix-mojibake"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("uncommitted changes: pages/about.md"),
        "{stderr}"
    );
    assert_eq!(fs::read(&about).unwrap(), GARBLED.as_bytes());

    let output = check(&site.site, &["--fix-mojibake", "--allow-dirty"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(fs::read(&about).unwrap(), REPAIRED.as_bytes());
}

// --- --external against a local server -----------------------------------------

/// Answers `/ok` with 200 and everything else with 404, on 127.0.0.1.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) <= 2 {
                    break;
                }
            }
            let status = if request.split_whitespace().nth(1) == Some("/ok") {
                "200 OK"
            } else {
                "404 Not Found"
            };
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    format!("http://{address}")
}

#[test]
fn external_links_are_checked_only_when_asked() {
    let base = serve();
    let page = format!(
        "---\ntitle: About\npermalink: /about/\n---\n[fine]({base}/ok) and [gone]({base}/gone)\n"
    );
    let site = fixture(&[("pages/about.md", &page)]);

    let offline = check(&site.site, &["--format", "json"]);
    assert_eq!(offline.status.code(), Some(0));

    let online = check(
        &site.site,
        &["--format", "json", "--external", "--external-timeout", "5"],
    );
    assert_eq!(online.status.code(), Some(1));
    let report = json(&online);
    let findings = report["sites"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "external-link");
    assert_eq!(findings[0]["severity"], "error");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("/gone` answers 404")
    );
    assert_eq!(findings[0]["line"], 5);
}

/// The entries of a JSON list of findings or SARIF results whose `key` is
/// `external-link`.
fn of_rule<'a>(list: &'a Value, key: &str) -> Vec<&'a Value> {
    list.as_array()
        .expect("a list")
        .iter()
        .filter(|entry| entry[key] == "external-link")
        .collect()
}

#[test]
fn the_same_failing_external_url_on_many_pages_is_one_finding_with_every_place() {
    let base = serve();
    let page = |title: &str, at: &str| {
        format!("---\ntitle: {title}\npermalink: {at}\n---\nSee [the old report]({base}/gone).\n")
    };
    let (about, first, second) = (
        page("About", "/about/"),
        page("First", "/guides/first/"),
        page("Second", "/guides/second/"),
    );
    let site = fixture(&[
        ("pages/about.md", &about),
        ("_guides/first.md", &first),
        ("_guides/second.md", &second),
        (
            "_guides/collection.yml",
            "collections:\n  guides:\n    output: true\n    order:\n      - first.md\n      - second.md\n",
        ),
    ]);
    let external = ["--external", "--external-timeout", "5"];

    let human = check(&site.site, &external);
    assert_eq!(human.status.code(), Some(1));
    let said = stdout(&human)
        .replace(&base, "[SERVER]")
        .replace(&site.site.display().to_string(), "[SITE]");
    assert_eq!(said.matches("error[external-link]").count(), 1, "{said}");
    assert!(said.contains("(linked from 3 places)"), "{said}");
    assert_eq!(said.matches("= also at ").count(), 2, "{said}");
    let start = said.find("error[external-link]").unwrap();
    let block = &said[start..];
    let block = &block[..block.find("\n\n").unwrap_or(block.len())];
    insta::assert_snapshot!("external_link_on_three_pages", block);
    assert!(said.contains("1 error, "), "{said}");

    let report = json(&check(
        &site.site,
        &[&["--format", "json"][..], &external].concat(),
    ));
    let external_findings = of_rule(&report["sites"][0]["findings"], "rule");
    assert_eq!(external_findings.len(), 1, "{report:#}");
    let finding = external_findings[0];
    let mut places = vec![finding["file"].as_str().unwrap().to_owned()];
    for place in finding["also_at"].as_array().unwrap() {
        assert_eq!(place["line"], 5);
        assert_eq!(
            place["source_line"],
            format!("See [the old report]({base}/gone).")
        );
        places.push(place["file"].as_str().unwrap().to_owned());
    }
    places.sort();
    assert_eq!(
        places,
        ["_guides/first.md", "_guides/second.md", "pages/about.md"]
    );
    assert_eq!(report["errors"], 1);

    let sarif = json(&check(
        &site.site,
        &[&["--format", "sarif"][..], &external].concat(),
    ));
    let external_results = of_rule(&sarif["runs"][0]["results"], "ruleId");
    assert_eq!(external_results.len(), 1);
    let locations = external_results[0]["locations"].as_array().unwrap();
    assert_eq!(locations.len(), 3);
    assert!(
        locations
            .iter()
            .all(|location| location["physicalLocation"]["region"]["startLine"] == 5)
    );
}

#[test]
fn script_in_a_copied_svg_is_a_warning_and_an_error_under_strict() {
    let site = fixture(&[(
        "images/chart.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<script>alert(1)</script>\n</svg>\n",
    )]);
    let tolerant = check(&site.site, &[]);
    assert_eq!(tolerant.status.code(), Some(0), "{}", stdout(&tolerant));
    assert!(
        stdout(&tolerant).contains("warning[script-in-copied-file]"),
        "{}",
        stdout(&tolerant)
    );
    let strict = check(&site.site, &["--strict"]);
    assert_eq!(strict.status.code(), Some(1), "{}", stdout(&strict));
    assert!(
        stdout(&strict).contains("error[script-in-copied-file]"),
        "{}",
        stdout(&strict)
    );
}

#[test]
fn deny_warnings_makes_a_site_with_only_warnings_exit_one_for_ci() {
    let site = fixture(&[(
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\n![](/images/big-photo.jpg)\n",
    )]);
    let tolerant = check(&site.site, &[]);
    assert_eq!(tolerant.status.code(), Some(0), "{}", stdout(&tolerant));
    assert!(
        stdout(&tolerant).contains("0 errors, 1 warning"),
        "{}",
        stdout(&tolerant)
    );
    let denying = check(&site.site, &["--deny-warnings"]);
    assert_eq!(denying.status.code(), Some(1), "{}", stdout(&denying));
}
