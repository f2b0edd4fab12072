//! A site's data can never make a published page run script or load from
//! another host: URLs from navigation, the footer, homepage sections, front
//! matter and settings pass the scheme allowlist before they reach an
//! attribute, and colours must be colours before they reach a style.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::hostile::{SPELLINGS, hostile_site};
use common::write;

/// `gazette build SITE --out OUT` with plain (uncoloured) output.
fn gazette_build(site: &Path, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("build")
        .arg(site)
        .arg("--out")
        .arg(out)
        .env("NO_COLOR", "1")
        .output()
        .expect("the gazette binary runs")
}

#[test]
fn script_urls_and_style_breakouts_from_site_data_never_reach_a_page() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("hostile");
    let out = dir.path().join("out");
    hostile_site(&site);
    let output = gazette_build(&site, &out);
    assert!(
        output.status.success(),
        "the site builds:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pages: Vec<(String, Vec<u8>)> = common::tree(&out)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .collect();
    assert!(pages.len() >= 4, "pages were written: {}", pages.len());
    for (page, bytes) in pages {
        let html = String::from_utf8_lossy(&bytes).to_lowercase();
        for scheme in ["javascript:", "vbscript:", "data:text/html", "java\tscript"] {
            if let Some(at) = html.find(scheme) {
                let around = &html[html.floor_char_boundary(at.saturating_sub(120))..];
                panic!(
                    "{} holds `{scheme}`: …{}",
                    page,
                    &around[..around.floor_char_boundary(200)]
                );
            }
        }
        assert!(
            !html.contains("evil.example/p") && !html.contains("evil.example/s"),
            "{}: a colour setting wrote CSS",
            page
        );
        assert!(
            !html.contains("url('//evil.example"),
            "{}: the hero background broke out of its url()",
            page
        );
    }
}

/// `gazette check` names every script URL of the site's data as an
/// `unsafe-url` error at the line it is written on, and fails.
#[test]
fn gazette_check_reports_every_script_url_of_site_data_at_its_line() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("hostile");
    hostile_site(&site);
    let output = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .arg(&site)
        .args(["--format", "json"])
        .output()
        .expect("the gazette binary runs");
    assert_eq!(output.status.code(), Some(1), "the check fails");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let mut reported: Vec<(String, u64)> = report["sites"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "unsafe-url")
        .map(|f| {
            assert_eq!(f["severity"], "error", "{f}");
            (
                f["file"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    reported.sort();
    let mut written: Vec<(String, u64)> = common::tree(&site)
        .into_iter()
        .flat_map(|(file, bytes)| {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            text.lines()
                .enumerate()
                .filter(|(_, line)| SPELLINGS.iter().any(|s| line.contains(s)))
                .map(|(number, _)| (file.clone(), number as u64 + 1))
                .collect::<Vec<_>>()
        })
        .collect();
    written.sort();
    assert!(written.len() >= 15, "{written:?}");
    assert_eq!(reported, written);
}

/// Every attribute a theme template fills from a value goes through
/// `safe_url` (a URL) or a fixed scheme (`mailto:`, `tel:`); a new template
/// that forgets it fails here rather than in a reader's browser.
#[test]
fn no_theme_template_puts_a_value_into_a_url_attribute_without_safe_url() {
    let themes = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    let mut offenders = Vec::new();
    let mut stack = vec![themes];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).expect("a readable folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "html")
                || !path.to_string_lossy().contains("/templates/")
            {
                continue;
            }
            let text = fs::read_to_string(&path).expect("a UTF-8 template");
            for (number, line) in text.lines().enumerate() {
                for attribute in [
                    "href=\"",
                    "src=\"",
                    "srcset=\"",
                    "action=\"",
                    "formaction=\"",
                    "poster=\"",
                    "og:image\" content=\"",
                    "url('",
                ] {
                    for (at, _) in line.match_indices(attribute) {
                        let value = &line[at + attribute.len()..];
                        let Some(expression) = value.strip_prefix("{{") else {
                            continue;
                        };
                        let expression = expression.split("}}").next().unwrap_or_default();
                        if !expression.trim_end().ends_with("| safe_url") {
                            offenders.push(format!(
                                "{}:{}: {attribute}{{{{{expression}}}}}",
                                path.display(),
                                number + 1
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "URL attributes without `| safe_url`:\n{}",
        offenders.join("\n")
    );
}

/// A stylesheet can import the site's own `_sass/` partials and nothing else:
/// an import of a file of the machine that builds it is an error at its line,
/// and nothing is written.
#[test]
fn a_stylesheet_cannot_import_a_file_of_the_building_machine() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("agency");
    let out = dir.path().join("out");
    let secret = dir.path().join("secret.scss");
    fs::write(&secret, ".leak { content: \"deploy-token\"; }").expect("a secret file");
    write(&site, "_config.yml", "title: Agency\n");
    write(
        &site,
        "index.md",
        "---\nlayout: homepage\ntitle: Home\npermalink: /\n---\n",
    );
    write(&site, "_sass/_brand.scss", "$brand: #123456;\n");
    write(
        &site,
        "misc/custom.scss",
        &format!(
            "---\n---\n@import \"brand\";\n.a {{ color: $brand; }}\n@import \"{}\";\n",
            secret.display()
        ),
    );
    let output = gazette_build(&site, &out);
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the build must fail:\n{report}");
    assert!(
        report.contains("misc/custom.scss:5"),
        "the error names the file and the import's line:\n{report}"
    );
    assert!(!out.exists(), "nothing is written");

    // Without the import, the site's own partial compiles in.
    write(
        &site,
        "misc/custom.scss",
        "---\n---\n@import \"brand\";\n.a { color: $brand; }\n",
    );
    let output = gazette_build(&site, &out);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let css = fs::read_to_string(out.join("misc/custom.css")).expect("the stylesheet");
    assert!(
        css.contains("#123456") && !css.contains("deploy-token"),
        "{css}"
    );
}
