//! Replaying real history: after every commit, an incremental publish writes
//! a tree byte-identical to a clean full build of that commit.
//!
//! Uses `../shared/corpus/isomer/govtech-im8.history.bundle` (1,810 commits).
//! CI replays the last `GAZETTE_REPLAY_COMMITS` commits (30 by default);
//! `cargo xtask replay` runs the long replay.

mod common;

use common::tree;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use gazette_publish::{
    PublishError, PublishOutcome, PublishRequest, PublishTarget, publish_revision,
};
use gazette_store::WorkTreeSource;

fn bundle() -> PathBuf {
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/isomer/govtech-im8.history.bundle");
    assert!(
        bundle.is_file(),
        "the history bundle is missing: expected {} (shared/ sits beside the checkout)",
        bundle.display()
    );
    bundle
}

#[test]
fn incremental_publish_matches_a_full_build_after_every_commit() {
    let work = tempfile::tempdir().unwrap();
    let repository = work.path().join("im8.git");
    let status = Command::new("git")
        .args(["clone", "--quiet", "--bare"])
        .arg(bundle())
        .arg(&repository)
        .status()
        .expect("git runs");
    assert!(status.success(), "cloning the bundle failed");
    let listing = Command::new("git")
        .arg("-C")
        .arg(&repository)
        .args(["rev-list", "--first-parent", "--reverse", "staging"])
        .output()
        .expect("git runs");
    let commits: Vec<String> = String::from_utf8(listing.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(commits.len() > 300, "the bundle has its history");
    let count: usize = std::env::var("GAZETTE_REPLAY_COMMITS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(30);
    let themes = WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes")).unwrap();

    let incremental_out = work.path().join("incremental");
    let incremental = PublishTarget::Folder(incremental_out.clone());
    let (mut reused_total, mut compared, mut refused) = (0, 0, 0);
    // Publishes of commits that only edited the text of pages.
    let mut pages_alone_total = 0;
    for (step, commit) in commits[commits.len() - count..].iter().enumerate() {
        let request = PublishRequest {
            name: "im8",
            repository: &repository,
            revision: commit,
            site_folder: "",
            themes: Some(&themes),
            themes_folder: "",
            theme: "isomer",
            target: &incremental,
            sanitize_svg: false,
            base_url: None,
            fallback_base_url: None,
        };
        let before = incremental_out.exists().then(|| tree(&incremental_out));
        let incremental_result = publish_revision(&request);

        // A clean full build of the same commit: a fresh folder, no previous manifest.
        let full_out = work.path().join(format!("full-{step}"));
        let full = PublishTarget::Folder(full_out.clone());
        let full_result = publish_revision(&PublishRequest {
            target: &full,
            sanitize_svg: false,
            base_url: None,
            fallback_base_url: None,
            ..request
        });
        match (incremental_result, full_result) {
            (Ok(report), Ok(_)) => {
                if let PublishOutcome::Published {
                    stats, pages_alone, ..
                } = &report.outcome
                {
                    reused_total += stats.pages_reused;
                    pages_alone_total += usize::from(*pages_alone);
                }
                let (incremental_tree, full_tree) = (tree(&incremental_out), tree(&full_out));
                let differing: Vec<&String> = full_tree
                    .keys()
                    .chain(incremental_tree.keys())
                    .filter(|path| full_tree.get(*path) != incremental_tree.get(*path))
                    .collect();
                assert!(
                    differing.is_empty(),
                    "commit {commit}: outputs differ: {differing:?}"
                );
                fs::remove_dir_all(fs::canonicalize(&full_out).unwrap()).unwrap();
                compared += 1;
            }
            (Err(PublishError::Content(_)), Err(PublishError::Content(_))) => {
                // A commit with content errors is refused by both, and the
                // published version stays the one before it.
                let after = incremental_out.exists().then(|| tree(&incremental_out));
                assert_eq!(
                    before, after,
                    "commit {commit}: a refused publish changed the output"
                );
                refused += 1;
            }
            (incremental, full) => panic!(
                "commit {commit}: incremental and full publishes disagree: {:?} vs {:?}",
                incremental.map(|r| r.outcome),
                full.map(|r| r.outcome)
            ),
        }
    }
    println!(
        "{compared} commits compared byte for byte, {refused} refused by both, {reused_total} pages reused, {pages_alone_total} publishes of page edits alone"
    );
    assert!(reused_total > 0, "incremental publishes reused nothing");
    assert!(
        pages_alone_total > 0,
        "no commit was published by rendering its edited pages alone"
    );
}
