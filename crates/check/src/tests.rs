//! The checker on small in-memory sites rendered with the workspace's theme:
//! each rule finds its problem at the right place, and a clean site is clean.

use std::path::Path;

use gazette_content::{MemorySource, Severity};
use gazette_render::{BuildRequest, FileDates};
use gazette_store::WorkTreeSource;

use super::*;

/// A small site with no problems: navigation, a collection, a resource room.
const CLEAN: &[(&str, &str)] = &[
    (
        "_config.yml",
        "title: Sample Agency\nurl: https://www.agency.gov.sg\nresources_name: news\npermalink: none\n",
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
        "---\ntitle: About\npermalink: /about/\n---\n## Our team {#team}\n\nSee [the guide](/guides/first/#step-one), [news](/news/updates/post-Hello.html)\nand ![Our logo](/images/logo.png).\n",
    ),
    (
        "_guides/collection.yml",
        "collections:\n  guides:\n    output: true\n    order:\n      - first.md\n",
    ),
    (
        "_guides/first.md",
        "---\ntitle: First\npermalink: /guides/first/\n---\n## Step one\n\nBack to [about](/about/).\n",
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
    ("images/logo.png", ""),
];

fn check_files(changes: &[(&str, &str)]) -> CheckReport {
    check_files_with(changes, &CheckOptions::default())
}

fn check_files_with(changes: &[(&str, &str)], options: &CheckOptions) -> CheckReport {
    let mut source = MemorySource::from_files(CLEAN.iter().copied());
    for (path, contents) in changes {
        source.insert(*path, *contents);
    }
    let themes = WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes"))
        .expect("the workspace's themes");
    let request = BuildRequest {
        name: "agency",
        site: &source,
        themes: &themes,
        theme: "isomer",
        last_changed: FileDates::Unknown,
        load: Default::default(),
    };
    check_request(&request, options).expect("the check runs")
}

/// `(rule, file, line, column)` of every finding.
fn places(report: &CheckReport) -> Vec<(Rule, &str, Option<u32>, Option<u32>)> {
    report
        .findings
        .iter()
        .map(|f| {
            (
                f.rule,
                f.diagnostic.file.as_str(),
                f.diagnostic.line,
                f.diagnostic.column,
            )
        })
        .collect()
}

#[test]
fn a_clean_site_has_no_findings() {
    let report = check_files(&[]);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

#[test]
fn a_link_to_a_missing_page_is_an_error_at_its_line_and_column() {
    let report = check_files(&[(
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\nSee [the guide](/guides/first/).\nAnd [the old page](/guides/second/).\n",
    )]);
    assert_eq!(
        places(&report),
        [(Rule::BrokenLink, "pages/about.md", Some(6), Some(20))]
    );
    let finding = &report.findings[0];
    assert!(finding.is_error());
    assert_eq!(
        finding.diagnostic.source_line.as_deref(),
        Some("And [the old page](/guides/second/).")
    );
}

#[test]
fn anchors_must_be_ids_on_the_target_page() {
    let report = check_files(&[(
        "_guides/first.md",
        "---\ntitle: First\npermalink: /guides/first/\n---\n## Step one\n\n[ok](#step-one) [bad](#step-two) [elsewhere](/about/#nobody)\n",
    )]);
    assert_eq!(
        places(&report),
        [
            (Rule::BrokenAnchor, "_guides/first.md", Some(7), Some(23)),
            (Rule::BrokenAnchor, "_guides/first.md", Some(7), Some(46)),
        ]
    );
}

#[test]
fn links_into_the_resource_room_and_media_resolve_and_missing_ones_do_not() {
    let report = check_files(&[(
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\n[a](/news/) [b](/news/updates/) [c](/news/updates/post-Hello.html)\n[d](/news/updates/goodbye.html) ![Logo](/images/logo.png) ![Chart](</images/Missing Chart.png>)\n",
    )]);
    assert_eq!(
        places(&report),
        [
            (Rule::BrokenLink, "pages/about.md", Some(6), Some(5)),
            (Rule::MissingMedia, "pages/about.md", Some(6), Some(69)),
        ]
    );
}

#[test]
fn a_link_to_a_source_file_names_the_page_it_becomes() {
    let report = check_files(&[(
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\nRead [the guide](../_guides/first.md).\n",
    )]);
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    let finding = &report.findings[0];
    assert_eq!(finding.rule, Rule::SourceLink);
    assert_eq!(
        finding.diagnostic.hint.as_deref(),
        Some("link to the page's address, `/guides/first/`")
    );
}

/// Jekyll writes pages in file-name order and the last one written wins, so
/// of `pages/about.md` and `pages/team.md` on one URL, `about.md` is the one
/// not published, and the finding is on it.
#[test]
fn duplicate_permalinks_are_reported_once_on_the_file_jekyll_overwrites_and_the_rest_still_checked()
{
    let report = check_files(&[(
        "pages/team.md",
        "---\ntitle: Team\npermalink: /about/\n---\n[gone](/gone/)\n",
    )]);
    let rules: Vec<Rule> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(
        rules
            .iter()
            .filter(|r| **r == Rule::DuplicatePermalink)
            .count(),
        1,
        "{:#?}",
        report.findings
    );
    assert_eq!(
        places(&report)[0],
        (Rule::DuplicatePermalink, "pages/about.md", Some(3), Some(1))
    );
    assert!(!rules.contains(&Rule::Content), "{:#?}", report.findings);
}

#[test]
fn navigation_entries_that_point_nowhere_are_errors_in_navigation_yml() {
    let report = check_files(&[(
        "_data/navigation.yml",
        "links:\n  - title: Guides\n    collection: guidse\n  - title: News\n    resource_room: true\n  - title: About\n    url: /abuot/\n  - title: Empty\n  - title: More\n    sublinks:\n      - title: First\n        url: /guides/first/\n      - title: Gone\n        url: /gone/\n",
    )]);
    assert_eq!(
        places(&report)
            .into_iter()
            .filter(|p| p.0 == Rule::BrokenNavigation)
            .map(|p| (p.2, p.3))
            .collect::<Vec<_>>(),
        [
            (Some(3), Some(17)),
            (Some(7), Some(10)),
            (Some(8), Some(12)),
            (Some(14), Some(14)),
        ],
        "{:#?}",
        report.findings
    );
    assert!(report.of_rule(Rule::BrokenLink).next().is_none());
}

#[test]
fn missing_title_and_permalink_are_errors() {
    let report = check_files(&[
        ("pages/contact.md", "---\nlayout: page\n---\nCall us.\n"),
        (
            "pages/about.md",
            "---\ntitle: About\npermalink: /about/\n---\n[contact](/pages/contact.html)\n",
        ),
    ]);
    let messages: Vec<&str> = report
        .of_rule(Rule::MissingFrontMatter)
        .map(|f| f.diagnostic.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{:#?}", report.findings);
    assert!(messages[0].contains("`permalink`") || messages[1].contains("`permalink`"));
    assert!(messages.iter().any(|m| m.contains("`title`")));
}

#[test]
fn warnings_cover_mojibake_alt_text_repeats_orphans_empty_images_and_http_government_links() {
    let report = check_files(&[
        (
            "pages/about.md",
            "---\ntitle: About\npermalink: /about/\nimage: \"\"\n---\nThe Governmentâ€™s plan.\n\n![](/images/logo.png)![](/images/logo.png)\n\nSee [the portal](http://www.tech.gov.sg/portal).\n",
        ),
        (
            "pages/hidden.md",
            "---\ntitle: Hidden\npermalink: /hidden/\n---\nNobody links here.\n",
        ),
    ]);
    assert!(!report.has_errors(), "{:#?}", report.findings);
    let found: Vec<(Rule, &str, Option<u32>)> = places(&report)
        .into_iter()
        .map(|(rule, file, line, _)| (rule, file, line))
        .collect();
    assert_eq!(
        found,
        [
            (Rule::EmptyImage, "pages/about.md", Some(4)),
            (Rule::Mojibake, "pages/about.md", Some(6)),
            (Rule::MissingAlt, "pages/about.md", Some(8)),
            (Rule::MissingAlt, "pages/about.md", Some(8)),
            (Rule::RepeatedImage, "pages/about.md", Some(8)),
            (Rule::InsecureGovernmentLink, "pages/about.md", Some(10)),
            (Rule::OrphanPage, "pages/hidden.md", Some(3)),
        ],
        "{:#?}",
        report.findings
    );
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.diagnostic.severity == Severity::Warning)
    );
}

#[test]
fn a_file_post_is_not_an_orphan_because_its_listing_links_to_the_file() {
    let report = check_files(&[
        (
            "news/updates/_posts/2025-02-01-file-Annual Report.md",
            "---\ntitle: Annual Report\nfile_url: /files/report.pdf\n---\n",
        ),
        ("files/report.pdf", ""),
    ]);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

#[test]
fn a_page_that_does_not_render_is_a_content_error_and_the_others_are_still_checked() {
    let report = check_files(&[
        (
            "pages/broken.md",
            "---\ntitle: Broken\npermalink: /broken/\nlayout: nonexistent\n---\nx\n",
        ),
        (
            "pages/about.md",
            "---\ntitle: About\npermalink: /about/\n---\n[gone](/gone/)\n",
        ),
    ]);
    assert!(
        report
            .of_rule(Rule::Content)
            .any(|f| f.diagnostic.file == "pages/broken.md")
    );
    assert!(
        report
            .of_rule(Rule::BrokenLink)
            .any(|f| f.diagnostic.file == "pages/about.md")
    );
}

#[test]
fn script_and_data_urls_in_settings_data_and_front_matter_are_errors_at_their_line() {
    let report = check_files(&[
        (
            "_config.yml",
            "title: Sample Agency\nresources_name: news\nfavicon: \"data:image/svg+xml,<svg onload=alert(1)>\"\nshareicon: /images/logo.png\n",
        ),
        (
            "_data/navigation.yml",
            "links:\n  - title: About\n    url: /about/\n  - title: More\n    sublinks:\n      - title: Bad\n        url: \" JaVaScRiPt:alert(1)\"\n",
        ),
        (
            "_data/footer.yml",
            "faq: /faq/\nfeedback: \"java\\tscript:alert(1)\"\nsocial_media:\n  facebook: vbscript:msgbox(1)\n  youtube: https://youtube.com/agency\n",
        ),
        (
            "index.md",
            "---\nlayout: homepage\ntitle: Home\npermalink: /\nsections:\n  - hero:\n      title: Hello\n      url: /about/\n      key_highlights:\n        - title: K\n          url: \"&#106;avascript:alert(1)\"\n---\n",
        ),
        (
            "news/updates/_posts/2025-02-01-link-Out.md",
            "---\ntitle: Out\npermalink: javascript:alert(1)\n---\n",
        ),
    ]);
    let found: Vec<(&str, Option<u32>, Option<u32>)> = places(&report)
        .into_iter()
        .filter(|p| p.0 == Rule::UnsafeUrl)
        .map(|(_, file, line, column)| (file, line, column))
        .collect();
    assert_eq!(
        found,
        [
            ("_config.yml", Some(3), Some(10)),
            ("_data/footer.yml", Some(2), Some(11)),
            ("_data/footer.yml", Some(4), Some(13)),
            ("_data/navigation.yml", Some(7), Some(14)),
            ("index.md", Some(11), Some(16)),
            (
                "news/updates/_posts/2025-02-01-link-Out.md",
                Some(3),
                Some(12)
            ),
        ],
        "{:#?}",
        report.findings
    );
    let unsafe_url = report.of_rule(Rule::UnsafeUrl).next().expect("a finding");
    assert_eq!(unsafe_url.diagnostic.severity, Severity::Error);
    assert!(
        unsafe_url.diagnostic.message.contains("`favicon`")
            && unsafe_url.diagnostic.message.contains("`data:`"),
        "{}",
        unsafe_url.diagnostic.message
    );
    assert!(unsafe_url.diagnostic.hint.is_some());
}

/// Copied HTML and SVG files with script, for the checker and `--strict`.
const SCRIPTED_COPIES: &[(&str, &str)] = &[
    (
        "pages/google1234.html",
        "<!doctype html>\n<p>google-site-verification</p>\n<script src=\"https://evil.example/x.js\"></script>\n",
    ),
    (
        "files/report.html",
        "<html><body>\n<a href=\"javascript:alert(1)\">Open</a>\n</body></html>\n",
    ),
    (
        "images/chart.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<path d=\"M0 0\"/>\n<circle r=\"1\" onmouseover=\"alert(1)\"/>\n</svg>\n",
    ),
    (
        "images/clean.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><use href=\"#a\"/></svg>\n",
    ),
];

#[test]
fn script_in_copied_html_and_svg_files_is_a_warning_at_its_line_and_an_error_when_strict() {
    let report = check_files(SCRIPTED_COPIES);
    let found: Vec<(&str, Option<u32>)> = places(&report)
        .into_iter()
        .filter(|p| p.0 == Rule::ScriptInCopiedFile)
        .map(|(_, file, line, _)| (file, line))
        .collect();
    assert_eq!(
        found,
        [
            ("files/report.html", Some(2)),
            ("images/chart.svg", Some(3)),
            ("pages/google1234.html", Some(3)),
        ],
        "{:#?}",
        report.findings
    );
    assert!(!report.has_errors(), "{:#?}", report.findings);
    let svg = report
        .of_rule(Rule::ScriptInCopiedFile)
        .find(|f| f.diagnostic.file == "images/chart.svg")
        .expect("the SVG's finding");
    assert!(
        svg.diagnostic.message.contains("onmouseover")
            && svg
                .diagnostic
                .hint
                .as_deref()
                .is_some_and(|hint| hint.contains("sanitize_svg")),
        "{svg}"
    );

    let strict = check_files_with(
        SCRIPTED_COPIES,
        &CheckOptions {
            strict: true,
            ..CheckOptions::default()
        },
    );
    assert_eq!(strict.of_rule(Rule::ScriptInCopiedFile).count(), 3);
    assert!(
        strict
            .of_rule(Rule::ScriptInCopiedFile)
            .all(|f| f.diagnostic.severity == Severity::Error)
    );
}

#[test]
fn a_link_through_a_redirect_page_is_accepted_only_where_its_target_is_served() {
    let report = check_files(&[
        (
            "_guides/first.md",
            "---\ntitle: First\npermalink: /guides/first/\nredirect_from: /guides/old-first/\n---\n## Step one\n\nBack to [about](/about/).\n",
        ),
        ("_redirects", "/gone/ /guides/missing/ 301\n"),
        (
            "_config.yml",
            "title: Sample Agency\nurl: https://www.agency.gov.sg\nresources_name: news\npermalink: none\ninclude:\n  - _redirects\n",
        ),
        (
            "pages/about.md",
            "---\ntitle: About\npermalink: /about/\n---\n[moved](/guides/old-first/) and [gone](/gone/).\n",
        ),
    ]);
    let broken: Vec<_> = places(&report)
        .into_iter()
        .filter(|(rule, ..)| *rule == Rule::BrokenLink)
        .collect();
    assert_eq!(
        broken,
        [(Rule::BrokenLink, "pages/about.md", Some(5), Some(40))],
        "{:#?}",
        report.findings
    );
}
