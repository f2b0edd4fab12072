//! `gazette check` on the real Isomer sites of the corpus: the counts per
//! site and rule are pinned, a few findings verified by hand are pinned with
//! their place, and media files that exist (the corpus keeps large ones as
//! empty files) are never reported missing.
//!
//! Reads `../shared/corpus/isomer/` beside the checkout, never a copy.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use gazette_check::{CheckOptions, CheckReport, Rule, check_request};
use gazette_render::{BuildRequest, FileDates};
use gazette_store::WorkTreeSource;

use common::corpus_dir;

fn check(name: &str) -> CheckReport {
    let themes = WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes"))
        .expect("the themes folder");
    let source = WorkTreeSource::new(corpus_dir().join(name)).expect("a corpus site");
    let request = BuildRequest {
        name,
        site: &source,
        themes: &themes,
        theme: "isomer",
        last_changed: FileDates::Unknown,
        load: Default::default(),
    };
    check_request(&request, &CheckOptions::default()).expect("the check runs")
}

fn counts(report: &CheckReport) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for finding in &report.findings {
        *counts.entry(finding.rule_id()).or_default() += 1;
    }
    counts
}

/// Whether the report has a finding of `rule` at `file:line:column` whose
/// message contains `text`.
fn has(report: &CheckReport, rule: Rule, file: &str, line: u32, column: u32, text: &str) -> bool {
    report.of_rule(rule).any(|f| {
        f.diagnostic.file == file
            && f.diagnostic.line == Some(line)
            && f.diagnostic.column == Some(column)
            && f.diagnostic.message.contains(text)
    })
}

const EXPECTED: &[(&str, &[(&str, usize)])] = &[
    (
        "govtech-im8",
        &[
            ("broken-anchor", 1),
            ("broken-link", 13),
            ("orphan-page", 3),
        ],
    ),
    (
        "ihis-healthx",
        &[
            ("empty-image", 2),
            ("missing-alt", 21),
            ("missing-media", 3),
            ("orphan-page", 15),
        ],
    ),
    // `google_analytics` is a Universal Analytics id.
    (
        "isomerpages-isomergovsg",
        &[("orphan-page", 1), ("unsupported-setting", 1)],
    ),
    (
        "ogp-isomerguide",
        &[
            // Its one `http://` government link sits in an HTML block, where
            // kramdown (and so Jekyll) leaves the Markdown link as text.
            ("missing-alt", 77),
            ("orphan-page", 3),
            ("repeated-image", 4),
        ],
    ),
];

#[test]
fn every_corpus_site_has_exactly_the_findings_verified_by_hand() {
    let mut reports = BTreeMap::new();
    for (name, expected) in EXPECTED {
        let started = Instant::now();
        let report = check(name);
        println!("{name}: checked in {} ms", started.elapsed().as_millis());
        let expected: BTreeMap<&str, usize> = expected.iter().copied().collect();
        assert_eq!(counts(&report), expected, "{name}:\n{:#?}", report.findings);
        reports.insert(*name, report);
    }

    let govtech = &reports["govtech-im8"];
    assert!(has(
        govtech,
        Rule::BrokenLink,
        "pages/Defunct Control Catalog.md",
        44,
        18,
        "`/control-catalog/as/` links to a page that does not exist"
    ));
    let anchor = govtech
        .of_rule(Rule::BrokenAnchor)
        .next()
        .expect("the anchor");
    assert_eq!(
        anchor.diagnostic.file,
        "_control-catalog/Cybersecurity/Network Security.md"
    );
    assert_eq!(
        (anchor.diagnostic.line, anchor.diagnostic.column),
        (Some(14), Some(48))
    );
    assert!(
        anchor
            .diagnostic
            .hint
            .as_deref()
            .is_some_and(|hint| hint.contains("#ns-3-deny-by-default---allow-by-exception"))
    );

    let healthx = &reports["ihis-healthx"];
    assert!(has(
        healthx,
        Rule::MissingMedia,
        "_features/Sandbox APIs.md",
        6,
        8,
        "/images/IHiS HealthX Images/7102526_1.png"
    ));
    assert!(has(
        healthx,
        Rule::MissingMedia,
        "_config.yml",
        3,
        10,
        "/images/favicon-isomer.ico"
    ));
    assert!(has(
        healthx,
        Rule::EmptyImage,
        "publications/videos/_posts/2023-09-20-post-HealthX Innovation Sandbox.md",
        7,
        1,
        "`image` is empty"
    ));

    let guide = &reports["ogp-isomerguide"];
    // kramdown rule: Markdown inside an HTML block stays text, so this
    // `[cms.isomer.gov.sg](http://…)` is no link, as on Jekyll's page.
    assert!(!has(
        guide,
        Rule::InsecureGovernmentLink,
        "_common-issues/Adding Site Collaborators.md",
        26,
        48,
        "http://cms.isomer.gov.sg/"
    ));
    assert!(has(
        guide,
        Rule::RepeatedImage,
        "_editing-your-page/Tables/Organisational Chart & Site Map.md",
        17,
        92,
        "/images/chicken.jpg"
    ));

    let isomer = &reports["isomerpages-isomergovsg"];
    assert!(has(
        isomer,
        Rule::OrphanPage,
        "pages/demo.md",
        3,
        1,
        "`/demo/`"
    ));
}

#[test]
fn media_that_exists_is_never_reported_missing_even_as_an_empty_file() {
    for (name, _) in EXPECTED {
        let root = corpus_dir().join(name);
        let report = check(name);
        for finding in report.of_rule(Rule::MissingMedia) {
            let message = &finding.diagnostic.message;
            let url = message.split('`').nth(1).expect("the URL in backticks");
            let path = gazette_content::percent_decode(url.trim_start_matches('/'));
            assert!(
                !root.join(&path).exists(),
                "{name}: {path} exists but was reported missing"
            );
        }
    }
}
