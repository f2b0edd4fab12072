//! `gazette publish` to a bucket, against a real S3-protocol server (moto)
//! on 127.0.0.1 that each test starts: what a first publish, a one-page
//! commit and a deleted page upload and remove, a publish killed midway,
//! and two sites under their own prefixes of one bucket.

mod common;

use common::s3::{CREDENTIALS, S3Server};
use common::tree;
use common::workspace::Workspace;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use gazette_publish::{OBJECTS_PATH, RENDER_STATE_PATH};
use gazette_render::{MANIFEST_PATH, SEARCH_STATE_PATH, is_search_state_path};
use serde_json::Value;

const BUCKET: &str = "sites";

/// Gazette's own objects beside the site's files (the search state's
/// shards too: `is_search_state_path`).
const OWN: [&str; 4] = [
    MANIFEST_PATH,
    OBJECTS_PATH,
    RENDER_STATE_PATH,
    SEARCH_STATE_PATH,
];

/// Points `site`'s `[publish]` at `s3://sites/<prefix>` on the server.
fn publish_to_bucket(workspace: &Workspace, site: &str, prefix: &str, server: &S3Server) {
    let path = format!("sites/{site}/site.toml");
    let settings = fs::read_to_string(workspace.root().join(&path)).unwrap_or_default();
    workspace.write(
        &path,
        &format!(
            "{settings}\n[publish]\nbucket = \"s3://{BUCKET}/{prefix}\"\nendpoint = \"{}\"\n",
            server.endpoint
        ),
    );
}

/// `gazette publish --format json ARGS` with the test server's keys.
fn publish(workspace: &Workspace, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(workspace.root())
        .args(["publish", "--format", "json"])
        .args(args)
        .envs(CREDENTIALS)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The JSON report of a publish that succeeded, for one site.
fn site_report(output: &Output, site: &str) -> Value {
    assert!(
        output.status.success(),
        "gazette failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["site"] == site)
        .unwrap_or_else(|| panic!("no {site} in {report}"))
        .clone()
}

/// The site's files as a folder publish of the same commit writes them,
/// without Gazette's own files.
fn folder_publish(workspace: &Workspace, site: &str) -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(workspace.root())
        .args(["publish", site, "--no-check", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let mut files = tree(&out.path().join(site));
    files.retain(|path, _| !path.starts_with(gazette_content::RESERVED_PREFIX));
    files
}

/// Every site file in the bucket under `prefix`, with its bytes.
fn bucket_files(server: &S3Server, prefix: &str) -> BTreeMap<String, Vec<u8>> {
    server
        .keys(BUCKET, &format!("{prefix}/"))
        .into_iter()
        .filter(|key| !OWN.contains(&key.as_str()) && !is_search_state_path(key))
        .map(|key| {
            let object = server.get(BUCKET, &format!("{prefix}/{key}")).unwrap();
            (key, object.bytes)
        })
        .collect()
}

fn keys(files: &BTreeMap<String, Vec<u8>>) -> BTreeSet<&str> {
    files.keys().map(String::as_str).collect()
}

#[test]
fn a_first_publish_uploads_every_file_with_its_type_and_caching() {
    let server = S3Server::start();
    server.create_bucket(BUCKET);
    let workspace = Workspace::new();
    publish_to_bucket(&workspace, "ogp", "ogp", &server);
    workspace.commit("Publish ogp to a bucket");

    let report = site_report(&publish(&workspace, &[]), "ogp");
    assert_eq!(report["status"], "published");
    let expected = folder_publish(&workspace, "ogp");
    let published = bucket_files(&server, "ogp");
    assert_eq!(keys(&published), keys(&expected));
    assert!(
        published == expected,
        "the bucket's bytes differ from a folder publish"
    );
    for own in OWN {
        assert!(server.get(BUCKET, &format!("ogp/{own}")).is_some(), "{own}");
    }

    let page = server.get(BUCKET, "ogp/faq/index.html").unwrap();
    assert_eq!(page.content_type, "text/html; charset=utf-8");
    assert!(
        page.cache_control.contains("max-age=60"),
        "{}",
        page.cache_control
    );
    let image = server.get(BUCKET, "ogp/images/favicon.svg").unwrap();
    assert!(
        image.content_type.starts_with("image/svg+xml"),
        "{}",
        image.content_type
    );
    assert!(
        image.cache_control.contains("max-age=3600"),
        "{}",
        image.cache_control
    );

    // Nothing changed: nothing is uploaded.
    let again = site_report(&publish(&workspace, &[]), "ogp");
    assert_eq!(again["status"], "unchanged");
}

/// Rule: compare with the record in the bucket, never by listing; upload
/// only what changed.
#[test]
fn a_one_page_commit_uploads_one_html_object_and_the_index_objects() {
    let server = S3Server::start();
    server.create_bucket(BUCKET);
    let workspace = Workspace::new();
    publish_to_bucket(&workspace, "ogp", "ogp", &server);
    workspace.commit("Publish ogp to a bucket");
    site_report(&publish(&workspace, &[]), "ogp");
    let before: BTreeMap<String, Vec<u8>> = server
        .keys(BUCKET, "ogp/")
        .into_iter()
        .map(|key| {
            let bytes = server.get(BUCKET, &format!("ogp/{key}")).unwrap().bytes;
            (key, bytes)
        })
        .collect();

    workspace.append("faq.md", "A brand new answer.");
    workspace.commit("Edit the FAQ");
    let report = site_report(&publish(&workspace, &[]), "ogp");
    assert_eq!(report["pages_rendered"], 1, "{report}");
    assert_eq!(report["pages_alone"], true, "{report}");
    assert_eq!(report["uploaded"]["deleted"], 0, "{report}");

    let changed: BTreeSet<String> = server
        .keys(BUCKET, "ogp/")
        .into_iter()
        .filter(|key| {
            let now = server.get(BUCKET, &format!("ogp/{key}")).unwrap().bytes;
            before.get(key) != Some(&now)
        })
        .collect();
    // The page, the search index's files that hold its words, the sitemap
    // (the page's `lastmod` moved), then the record of objects, then the
    // manifest: each uploaded once.
    let (index, rest): (BTreeSet<String>, BTreeSet<String>) = changed
        .iter()
        .cloned()
        .partition(|key| key.starts_with("search-index/") || is_search_state_path(key));
    let expected: BTreeSet<String> = ["faq/index.html", "sitemap.xml", MANIFEST_PATH, OBJECTS_PATH]
        .map(String::from)
        .into();
    assert_eq!(rest, expected);
    assert!(index.contains(SEARCH_STATE_PATH), "{index:?}");
    assert_eq!(report["uploaded"]["objects"], changed.len(), "{report}");
    let page = server.get(BUCKET, "ogp/faq/index.html").unwrap();
    assert!(String::from_utf8_lossy(&page.bytes).contains("A brand new answer."));
}

#[test]
fn a_deleted_page_has_its_object_removed() {
    let server = S3Server::start();
    server.create_bucket(BUCKET);
    let workspace = Workspace::new();
    publish_to_bucket(&workspace, "ogp", "ogp", &server);
    workspace.commit("Publish ogp to a bucket");
    site_report(&publish(&workspace, &[]), "ogp");
    assert!(server.get(BUCKET, "ogp/privacy/index.html").is_some());

    fs::remove_file(workspace.root().join("sites/ogp/pages/privacy.md")).unwrap();
    workspace.commit("Remove the privacy page");
    let report = site_report(&publish(&workspace, &["--no-check"]), "ogp");
    assert!(
        report["uploaded"]["deleted"].as_u64().unwrap() >= 1,
        "{report}"
    );
    assert!(server.get(BUCKET, "ogp/privacy/index.html").is_none());
    let expected = folder_publish(&workspace, "ogp");
    assert_eq!(keys(&bucket_files(&server, "ogp")), keys(&expected));
}

/// Rule: a crash mid-publish recovers on the next run. The publish that is
/// killed adds many files; the next publishes a commit without them, so
/// whatever the killed one uploaded must go, though no version names it.
#[test]
fn a_publish_killed_midway_is_completed_by_the_next_and_the_bucket_is_whole() {
    let server = S3Server::start();
    server.create_bucket(BUCKET);
    let workspace = Workspace::new();
    publish_to_bucket(&workspace, "ogp", "ogp", &server);
    let base = workspace.commit("Publish ogp to a bucket");
    site_report(&publish(&workspace, &[]), "ogp");
    let first_keys = server.keys(BUCKET, "ogp/").len();

    for n in 0..1500 {
        workspace.write(
            &format!("sites/ogp/files/generated/report-{n}.txt"),
            &format!("Annual report {n}\n"),
        );
    }
    workspace.commit("Add many reports");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(workspace.root())
        .args(["publish", "--no-check"])
        .envs(CREDENTIALS)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once its uploads have begun and before it finishes.
    let started = Instant::now();
    let mut killed_midway = false;
    while started.elapsed() < Duration::from_secs(120) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if server.keys(BUCKET, "ogp/files/generated/").len() > 10 {
            child.kill().unwrap();
            killed_midway = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.wait();
    assert!(killed_midway, "the publish ended before it could be killed");
    let uploaded = server.keys(BUCKET, "ogp/files/generated/").len();
    assert!(uploaded < 1500, "it finished all {uploaded} uploads");

    // Back to the first version: every file the killed publish left goes.
    for n in 0..1500 {
        fs::remove_file(
            workspace
                .root()
                .join(format!("sites/ogp/files/generated/report-{n}.txt")),
        )
        .unwrap();
    }
    let reverted = workspace.commit("Remove the reports again");
    assert_ne!(reverted, base);
    site_report(&publish(&workspace, &["--no-check"]), "ogp");
    let expected = folder_publish(&workspace, "ogp");
    let published = bucket_files(&server, "ogp");
    assert_eq!(keys(&published), keys(&expected));
    assert!(published == expected, "the bucket is not the commit's site");
    assert_eq!(server.keys(BUCKET, "ogp/").len(), first_keys);
}

#[test]
fn two_sites_in_one_bucket_keep_to_their_prefixes() {
    let server = S3Server::start();
    server.create_bucket(BUCKET);
    let workspace = Workspace::new();
    common::copy_tree(
        &workspace.root().join("sites/ogp"),
        &workspace.root().join("sites/agency"),
    );
    publish_to_bucket(&workspace, "ogp", "ogp", &server);
    publish_to_bucket(&workspace, "agency", "agency/www", &server);
    workspace.commit("Two sites, one bucket");
    let output = publish(&workspace, &[]);
    site_report(&output, "ogp");
    site_report(&output, "agency");
    let agency_before = bucket_files(&server, "agency/www");
    assert_eq!(
        keys(&agency_before),
        keys(&folder_publish(&workspace, "agency"))
    );

    fs::remove_file(workspace.root().join("sites/ogp/pages/privacy.md")).unwrap();
    workspace.commit("Remove a page of ogp");
    let output = publish(&workspace, &["--no-check"]);
    assert_eq!(site_report(&output, "agency")["status"], "unchanged");
    assert!(server.get(BUCKET, "ogp/privacy/index.html").is_none());
    assert!(
        server
            .get(BUCKET, "agency/www/privacy/index.html")
            .is_some()
    );
    assert!(bucket_files(&server, "agency/www") == agency_before);
    let every_key = server.keys(BUCKET, "");
    assert!(
        every_key
            .iter()
            .all(|key| key.starts_with("ogp/") || key.starts_with("agency/www/")),
        "{every_key:?}"
    );
}
