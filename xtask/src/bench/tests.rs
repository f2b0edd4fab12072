//! The benchmark's inputs are sound: generated sites are deterministic, build
//! without a single diagnostic, and their history publishes incrementally.
//! (No timings here: those belong to `cargo xtask bench`.)

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use gazette_check::{CheckOptions, check_request};
use gazette_publish::{
    PublishOutcome, PublishRequest, PublishTarget, build_site, publish_revision,
};
use gazette_render::{BuildRequest, FileDates, RenderStats};
use gazette_store::WorkTreeSource;

use super::generator::{WorkspaceSpec, write_workspace};
use super::history;

fn project_themes() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes")
}

/// Every file under `root` by relative path, with its bytes, but the folder
/// target's record of where they are (`STAMPS_PATH`).
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("a readable folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).expect("inside root");
                if relative == Path::new(gazette_publish::STAMPS_PATH) {
                    continue;
                }
                files.insert(
                    relative.to_string_lossy().into_owned(),
                    fs::read(&path).expect("a readable file"),
                );
            }
        }
    }
    files
}

#[test]
fn the_generator_writes_byte_identical_workspaces_every_time() {
    let spec = WorkspaceSpec {
        sites: 2,
        pages: 60,
    };
    let first = tempfile::tempdir().expect("a temporary folder");
    let second = tempfile::tempdir().expect("a temporary folder");
    write_workspace(first.path(), &spec, &project_themes()).expect("first workspace");
    write_workspace(second.path(), &spec, &project_themes()).expect("second workspace");
    let (first, second) = (tree(first.path()), tree(second.path()));
    assert!(first.len() > 100, "only {} files", first.len());
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(&second[path] == bytes, "{path} differs between runs");
    }
    // Sites of one workspace differ from each other.
    assert_ne!(
        first["sites/site-01/_config.yml"],
        first["sites/site-02/_config.yml"]
    );
}

#[test]
fn a_generated_site_builds_and_checks_cleanly_with_every_kind_of_page() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let spec = WorkspaceSpec {
        sites: 1,
        pages: 120,
    };
    let workspace = write_workspace(dir.path(), &spec, &project_themes()).expect("a workspace");
    let site_dir = dir.path().join(&workspace.sites[0].folder);
    let site = WorkTreeSource::new(&site_dir).expect("the site folder");
    let themes = WorkTreeSource::new(dir.path().join("themes")).expect("the themes folder");
    let request = BuildRequest {
        name: "site-01",
        site: &site,
        themes: &themes,
        theme: "isomer",
        last_changed: FileDates::Unknown,
        load: Default::default(),
    };
    let out = dir.path().join("out");
    let build = build_site(&request, &out).unwrap_or_else(|failure| panic!("{failure}"));
    let warnings: Vec<String> = build
        .warnings
        .0
        .iter()
        .map(|warning| warning.render(&site_dir, false))
        .collect();
    assert!(warnings.is_empty(), "{}", warnings.join("\n"));
    // Real agencies' sites are kept free of broken links and the like: the
    // generated ones must be too, or the benchmark measures unusual content.
    let report = check_request(&request, &CheckOptions::default()).expect("a check");
    let findings: Vec<String> = report
        .findings
        .iter()
        .map(|finding| finding.diagnostic.render(&site_dir, false))
        .collect();
    assert!(findings.is_empty(), "{}", findings.join("\n"));

    let source = tree(&site_dir);
    let posts = source
        .keys()
        .filter(|path| path.contains("/_posts/"))
        .count();
    assert!(source.keys().any(|path| path.ends_with("/.keep")));
    assert!(source.keys().any(|path| path.contains("-link-")));
    assert!(source.keys().any(|path| path.contains("-file-")));
    assert!(
        source
            .values()
            .any(|bytes| bytes.windows(15).any(|w| w == b"variant: tiptap"))
    );
    assert!(posts > 12, "{posts} posts do not fill two listing pages");

    let output = tree(&out);
    let html = output.keys().filter(|path| path.ends_with(".html")).count();
    assert!(html > 100, "only {html} pages were written");
    for expected in [
        "index.html",
        "contact-us/index.html",
        "search/index.html",
        "404.html",
    ] {
        assert!(output.contains_key(expected), "{expected} is missing");
    }
    assert!(output.keys().any(|path| path.starts_with("misc/custom")));
    assert!(output.keys().any(|path| path.ends_with(".png")));
    assert!(output.keys().any(|path| path.ends_with(".pdf")));
}

fn publish(root: &Path, revision: &str, target: &PublishTarget) -> RenderStats {
    let request = PublishRequest {
        name: "site-01",
        repository: root,
        revision,
        site_folder: "sites/site-01",
        themes: None,
        themes_folder: "themes",
        theme: "isomer",
        target,
        sanitize_svg: false,
        base_url: None,
        fallback_base_url: None,
    };
    let report = publish_revision(&request).unwrap_or_else(|error| panic!("{error}"));
    match report.outcome {
        PublishOutcome::Published { stats, .. } => stats,
        PublishOutcome::Unchanged => panic!("{revision} changed nothing"),
    }
}

#[test]
fn the_generated_history_publishes_each_edit_incrementally() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = dir.path().join("workspace");
    let spec = WorkspaceSpec {
        sites: 1,
        pages: 60,
    };
    let workspace = write_workspace(&root, &spec, &project_themes()).expect("a workspace");
    let history = history::record(&workspace).expect("a history");
    let keys: Vec<&str> = history.steps.iter().map(|step| step.key).collect();
    assert_eq!(
        keys,
        [
            "one-page",
            "several-pages",
            "navigation",
            "new-post",
            "theme"
        ]
    );
    let target = PublishTarget::Folder(dir.path().join("public/site-01"));
    let first = publish(&root, &history.base, &target);
    assert_eq!(first.pages_reused, 0);
    let total = first.pages_rendered;
    let mut rendered = BTreeMap::new();
    for step in &history.steps {
        let stats = publish(&root, &step.commit, &target);
        rendered.insert(step.key, stats.pages_rendered);
    }
    assert_eq!(rendered["one-page"], 1, "{rendered:?}");
    assert_eq!(rendered["several-pages"], 5, "{rendered:?}");
    assert!(rendered["new-post"] < total, "{rendered:?}");
    assert!(rendered["theme"] >= total, "{rendered:?}");
}
