//! A check that starts from the previous check's state finds what a full
//! check of the same files finds, on the edits that can move findings on
//! pages the edit did not touch.

use std::path::Path;
use std::sync::Mutex;

use gazette_content::{LoadCache, MemorySource, Source, SourceError};
use gazette_render::{BuildRequest, FileDates};
use gazette_store::WorkTreeSource;

use super::*;
use crate::incremental::{self, Known};

/// A site whose guide links to a heading of the contact page.
const SITE: &[(&str, &str)] = &[
    (
        "_config.yml",
        "title: Sample Agency\nurl: https://www.agency.gov.sg\npermalink: none\n",
    ),
    (
        "_data/navigation.yml",
        "links:\n  - title: Guides\n    collection: guides\n  - title: About\n    url: /about/\n",
    ),
    (
        "index.md",
        "---\nlayout: homepage\ntitle: Home\npermalink: /\n---\n",
    ),
    (
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\nWe are [here](/contact/).\n",
    ),
    (
        "pages/contact.md",
        "---\ntitle: Contact\npermalink: /contact/\n---\n## Call us\n\nOn weekdays.\n",
    ),
    (
        "_guides/collection.yml",
        "collections:\n  guides:\n    output: true\n    order:\n      - first.md\n",
    ),
    (
        "_guides/first.md",
        "---\ntitle: First\npermalink: /guides/first/\n---\nPlease [call us](/contact/#call-us).\n",
    ),
];

/// The site's files with content ids, as a Git tree has them, and a record
/// of the files read.
#[derive(Default)]
struct IdSource {
    files: MemorySource,
    reads: Mutex<Vec<String>>,
}

impl IdSource {
    fn new(files: MemorySource) -> Self {
        Self {
            files,
            reads: Mutex::default(),
        }
    }

    fn insert(&mut self, path: &'static str, text: &'static str) {
        self.files.insert(path, text);
    }

    /// The files read since the last call.
    fn take_reads(&self) -> Vec<String> {
        std::mem::take(&mut *self.reads.lock().unwrap())
    }
}

impl Source for IdSource {
    fn list(&self) -> Result<Vec<String>, SourceError> {
        self.files.list()
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, SourceError> {
        self.reads.lock().unwrap().push(path.to_owned());
        self.files.read(path)
    }

    fn describe(&self) -> String {
        self.files.describe()
    }

    fn content_id(&self, path: &str) -> Option<String> {
        self.files.version(path)
    }
}

/// A request to check `source` with the workspace's `isomer` theme.
fn request_for<'a>(source: &'a IdSource, themes: &'a WorkTreeSource) -> BuildRequest<'a> {
    BuildRequest {
        name: "agency",
        site: source,
        themes,
        theme: "isomer",
        last_changed: FileDates::Unknown,
        load: Default::default(),
    }
}

/// One site's checks, each starting from the state the one before kept.
struct Checks {
    source: IdSource,
    themes: WorkTreeSource,
    cache: LoadCache,
    state: Option<CheckState>,
}

impl Checks {
    fn new() -> Self {
        let themes =
            WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes"))
                .expect("the workspace's themes");
        let mut checks = Self {
            source: IdSource::new(MemorySource::from_files(SITE.iter().copied())),
            themes,
            cache: LoadCache::default(),
            state: None,
        };
        let first = checks.check_both();
        assert!(
            first.report.findings.is_empty(),
            "{:?}",
            first.report.findings
        );
        checks
    }

    /// A request to check the site as it is now.
    fn request(&self) -> BuildRequest<'_> {
        request_for(&self.source, &self.themes)
    }

    /// Checks the site as it is now, from the state and in full; the two
    /// must find the same, and the state moves on.
    fn check_both(&mut self) -> Checked {
        let request = request_for(&self.source, &self.themes);
        let options = CheckOptions::default();
        let checked = check_request_with(&request, &options, &mut self.cache, self.state.as_ref())
            .expect("the check runs");
        let full = check_request(&request, &options).expect("the check runs");
        assert_eq!(
            format!("{:?}", checked.report.findings),
            format!("{:?}", full.findings)
        );
        let bytes = checked
            .state
            .as_ref()
            .and_then(CheckState::to_bytes)
            .expect("a state to keep");
        self.state = Some(CheckState::from_bytes(&bytes).expect("the state reads back"));
        checked
    }

    fn rules(checked: &Checked) -> Vec<(Rule, String)> {
        checked
            .report
            .findings
            .iter()
            .map(|f| (f.rule, f.diagnostic.file.clone()))
            .collect()
    }
}

/// Edits one page, checks from the state and in full (they must agree),
/// and expects that page alone rendered and one finding of `rule` in `file`.
fn one_edit_finds(path: &'static str, text: &'static str, rule: Rule, file: &str) {
    let mut checks = Checks::new();
    checks.source.insert(path, text);
    let checked = checks.check_both();
    assert_eq!(checked.pages_rendered, 1);
    assert_eq!(Checks::rules(&checked), [(rule, file.to_owned())]);
}

#[test]
fn a_broken_link_added_to_one_page_is_found_rendering_that_page_alone() {
    one_edit_finds(
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\nWe are [here](/contact/) and [there](/nowhere/).\n",
        Rule::BrokenLink,
        "pages/about.md",
    );
}

#[test]
fn a_heading_renamed_breaks_the_anchor_on_the_page_that_links_to_it() {
    one_edit_finds(
        "pages/contact.md",
        "---\ntitle: Contact\npermalink: /contact/\n---\n## Write to us\n\nOn weekdays.\n",
        Rule::BrokenAnchor,
        "_guides/first.md",
    );
}

#[test]
fn a_page_removed_breaks_the_links_of_the_pages_that_led_to_it() {
    let mut checks = Checks::new();
    checks.source = IdSource::new(MemorySource::from_files(
        SITE.iter()
            .copied()
            .filter(|(path, _)| *path != "pages/contact.md"),
    ));
    let checked = checks.check_both();
    let rules = Checks::rules(&checked);
    assert!(
        rules.contains(&(Rule::BrokenLink, "pages/about.md".to_owned()))
            && rules.contains(&(Rule::BrokenLink, "_guides/first.md".to_owned())),
        "{rules:?}"
    );
}

#[test]
fn an_edit_that_changes_nothing_checkable_finds_nothing_and_fixing_it_clears_it() {
    let mut checks = Checks::new();
    checks.source.insert(
        "pages/contact.md",
        "---\ntitle: Contact\npermalink: /contact/\n---\n## Call us\n\nOn weekdays, nine to five.\n",
    );
    let checked = checks.check_both();
    assert_eq!(checked.pages_rendered, 1);
    assert!(checked.report.findings.is_empty());
    // Break, then repair: the repair clears the finding on the other page.
    checks.source.insert(
        "pages/contact.md",
        "---\ntitle: Contact\npermalink: /contact/\n---\n## Phone\n",
    );
    assert_eq!(checks.check_both().report.findings.len(), 1);
    checks.source.insert(
        "pages/contact.md",
        "---\ntitle: Contact\npermalink: /contact/\n---\n## Call us\n",
    );
    assert!(checks.check_both().report.findings.is_empty());
}

#[test]
fn a_state_of_other_load_options_is_not_used() {
    let mut checks = Checks::new();
    let request = BuildRequest {
        load: gazette_content::LoadOptions {
            base_url: Some("https://elsewhere.example".into()),
            ..Default::default()
        },
        ..request_for(&checks.source, &checks.themes)
    };
    let checked = check_request_with(
        &request,
        &CheckOptions::default(),
        &mut checks.cache,
        checks.state.as_ref(),
    )
    .expect("the check runs");
    assert!(checked.pages_rendered > 1);
}

#[test]
fn a_theme_other_than_the_states_is_not_started_from() {
    let checks = Checks::new();
    let state = checks.state.as_ref().expect("a state");
    let mut request = checks.request();
    assert!(state.is_for(&incremental::identity(&request)));
    request.theme = "another";
    assert!(!state.is_for(&incremental::identity(&request)));
}

#[test]
fn a_damaged_state_is_no_state_and_never_a_panic() {
    let checks = Checks::new();
    let bytes = checks
        .state
        .as_ref()
        .and_then(CheckState::to_bytes)
        .expect("a state");
    assert!(CheckState::from_bytes(&[]).is_none());
    assert!(CheckState::from_bytes(&[0xff; 64]).is_none());
    // Every cut is refused; every flipped byte reads as no state or as a
    // state (a flip inside a string is a state with another string), and
    // never panics.
    for cut in 0..bytes.len() {
        assert!(
            CheckState::from_bytes(&bytes[..cut]).is_none(),
            "cut at {cut}"
        );
    }
    for at in (0..bytes.len()).step_by(7) {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x5a;
        let _ = CheckState::from_bytes(&damaged);
    }
}

#[test]
fn a_state_naming_a_string_it_does_not_have_is_refused() {
    let checks = Checks::new();
    let mut state = checks.state.clone().expect("a state");
    let bytes = state.to_bytes().expect("bytes");
    assert!(CheckState::from_bytes(&bytes).is_some());
    // The table loses its last string: some scan names it.
    state.strings.pop();
    let bytes = state.to_bytes().expect("bytes");
    assert!(CheckState::from_bytes(&bytes).is_none());
}

#[test]
fn the_scans_are_stored_once_per_distinct_string() {
    let checks = Checks::new();
    let state = checks.state.as_ref().expect("a state");
    let mut distinct = std::collections::HashSet::new();
    assert!(
        state
            .strings
            .iter()
            .all(|string| distinct.insert(string.as_str()))
    );
    // Every page links to the home page and the about page through the
    // navigation bar: one string each, whatever the number of pages.
    let about = state.strings.iter().filter(|s| *s == "/about/").count();
    assert_eq!(about, 1);
    for (path, stored) in &state.scans {
        let Known::Scanned(scan) = state.scan_of(path) else {
            panic!("{path} has a scan");
        };
        assert_eq!(scan.references().count(), stored.references.len());
    }
}

#[test]
fn a_file_the_last_check_found_clean_is_not_read_again() {
    let mut checks = Checks::new();
    checks.source.insert(
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\nWe are [over here](/contact/).\n",
    );
    checks.source.take_reads();
    let checked = check_request_with(
        &request_for(&checks.source, &checks.themes),
        &CheckOptions::default(),
        &mut checks.cache,
        checks.state.as_ref(),
    )
    .expect("the check runs");
    assert!(checked.report.findings.is_empty());
    let reads = checks.source.take_reads();
    assert!(
        reads.iter().any(|path| path == "pages/about.md"),
        "{reads:?}"
    );
    for untouched in ["pages/contact.md", "_guides/first.md", "index.md"] {
        assert!(!reads.iter().any(|path| path == untouched), "{reads:?}");
    }
}

#[test]
fn mojibake_in_a_file_the_commit_did_not_touch_is_found_by_every_check() {
    let mut checks = Checks::new();
    checks.source.insert(
        "pages/contact.md",
        "---\ntitle: Contact\npermalink: /contact/\n---\n## Call us\n\nWeâ€™re in.\n",
    );
    let mojibake = [(Rule::Mojibake, "pages/contact.md".to_owned())];
    assert_eq!(Checks::rules(&checks.check_both()), mojibake);
    checks.source.insert(
        "pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\nWe are [over here](/contact/).\n",
    );
    assert_eq!(Checks::rules(&checks.check_both()), mojibake);
    checks.source.insert(
        "pages/contact.md",
        "---\ntitle: Contact\npermalink: /contact/\n---\n## Call us\n\nWe’re in.\n",
    );
    assert!(checks.check_both().report.findings.is_empty());
}

#[test]
fn a_file_let_into_the_site_is_checked_as_a_page() {
    let mut checks = Checks::new();
    // Left out of the site, it is not one of the files checked.
    checks.source.insert(
        "_config.yml",
        "title: Sample Agency\nurl: https://www.agency.gov.sg\npermalink: none\nexclude:\n  - pages/promo.md\n",
    );
    checks.source.insert(
        "pages/promo.md",
        "---\ntitle: Promo\npermalink: /promo/\nimage: \"javascript:alert(1)\"\n---\nSoon.\n",
    );
    assert!(checks.check_both().report.findings.is_empty());
    // Let in, the same bytes are a page with an unsafe URL.
    checks.source.insert(
        "_config.yml",
        "title: Sample Agency\nurl: https://www.agency.gov.sg\npermalink: none\n",
    );
    let rules = Checks::rules(&checks.check_both());
    assert!(
        rules.contains(&(Rule::UnsafeUrl, "pages/promo.md".to_owned())),
        "{rules:?}"
    );
}
