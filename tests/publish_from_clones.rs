//! Publishing from CI: each job starts from a fresh clone, with none of the
//! state a local publish keeps in `.git/gazette/`. What an incremental
//! publish needs is read from the target (a branch or a bucket), so two
//! clones publishing alternately each render only what their commit changed
//! and take the page-edit path. One clone publishes with the `gazette`
//! program, the other with the library inside this test program: outputs
//! are reused across builds of the same source, not tied to one executable.

mod common;

use common::s3::{CREDENTIALS, S3Server};
use common::workspace::Workspace;

use std::path::Path;
use std::process::Command;

use gazette_publish::{PublishOutcome, PublishTarget, publish_revision};
use git2::Repository;
use serde_json::Value;

/// How a clone publishes.
#[derive(Clone, Copy)]
enum Publisher {
    /// The `gazette` program.
    Program,
    /// The library, in this test program (another executable).
    Library,
}

/// The shared repository CI jobs clone from and push to (bare, as a Git
/// host's is), kept up to date with `origin`'s branches.
struct Hub {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl Hub {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.git");
        Repository::init_bare(&path).unwrap();
        Self { _dir: dir, path }
    }

    /// Pushes `origin`'s branch here, as a developer's push does.
    fn receive(&self, origin: &Workspace) {
        let repository = Repository::open(origin.root()).unwrap();
        let branch = repository.head().unwrap().name().unwrap().to_owned();
        let mut remote = repository
            .remote_anonymous(self.path.to_str().unwrap())
            .unwrap();
        remote
            .push(&[format!("+{branch}:{branch}").as_str()], None)
            .unwrap();
        // A clone checks out the hub's HEAD: the same branch.
        Repository::open_bare(&self.path)
            .unwrap()
            .set_head(&branch)
            .unwrap();
    }
}

/// A fresh clone of `origin`, as a CI job makes.
fn fresh_clone(origin: &Path) -> (tempfile::TempDir, Repository) {
    let dir = tempfile::tempdir().unwrap();
    let repository = Repository::clone(origin.to_str().unwrap(), dir.path()).unwrap();
    (dir, repository)
}

/// Fetches `origin`'s commits and the publish branch, as a CI job does.
fn fetch(repository: &Repository, branch_target: bool) {
    let mut refspecs = vec!["+refs/heads/*:refs/remotes/origin/*".to_owned()];
    if branch_target {
        refspecs.push("+refs/heads/publish/ogp:refs/heads/publish/ogp".to_owned());
    }
    repository
        .find_remote("origin")
        .unwrap()
        .fetch(&refspecs, None, None)
        .unwrap();
}

/// Pushes the publish branch back to `origin`.
fn push(repository: &Repository) {
    repository
        .find_remote("origin")
        .unwrap()
        .push(&["+refs/heads/publish/ogp:refs/heads/publish/ogp"], None)
        .unwrap();
}

/// Publishes `commit` of the clone in `root`; the pages rendered and whether
/// they were rendered alone (the page-edit path).
fn publish(root: &Path, commit: &str, publisher: Publisher, target: &PublishTarget) -> (u64, bool) {
    match publisher {
        Publisher::Program => {
            let output = Command::new(env!("CARGO_BIN_EXE_gazette"))
                .current_dir(root)
                .args(["publish", "ogp", "--format", "json", "--rev", commit])
                .envs(CREDENTIALS)
                .output()
                .unwrap();
            assert!(output.status.success(), "{output:?}");
            let report: Value = serde_json::from_slice(&output.stdout).unwrap();
            let site = &report["sites"][0];
            assert_eq!(site["status"], "published", "{site}");
            (
                site["pages_rendered"].as_u64().unwrap(),
                site["pages_alone"].as_bool().unwrap(),
            )
        }
        Publisher::Library => {
            let request = gazette_publish::PublishRequest {
                name: "ogp",
                repository: root,
                revision: commit,
                site_folder: "sites/ogp",
                themes: None,
                themes_folder: "themes",
                theme: "isomer",
                target,
                sanitize_svg: false,
                base_url: None,
                fallback_base_url: None,
            };
            match publish_revision(&request).unwrap().outcome {
                PublishOutcome::Published {
                    stats, pages_alone, ..
                } => (stats.pages_rendered as u64, pages_alone),
                PublishOutcome::Unchanged => panic!("nothing published"),
            }
        }
    }
}

/// Two clones publish alternately to `target` from `origin`'s commits, each
/// a one-page edit after the first; every other one through the library
/// when `with_library`.
fn alternate(origin: &Workspace, target: &PublishTarget, with_library: bool) {
    let branch = matches!(target, PublishTarget::Branch(_));
    let hub = Hub::new();
    hub.receive(origin);
    let (first_dir, first) = fresh_clone(&hub.path);
    let (rendered, _) = publish(first_dir.path(), &origin.head(), Publisher::Program, target);
    assert!(rendered > 10, "the first publish renders the site");
    if branch {
        push(&first);
    }

    let clones = [(first_dir, first), fresh_clone(&hub.path)];
    let edits = ["faq.md", "privacy.md", "terms-of-use.md", "contact-us.md"];
    for (turn, page) in edits.iter().enumerate() {
        origin.append(page, &format!("Edit number {turn}."));
        let commit = origin.commit(&format!("Edit {page}"));
        hub.receive(origin);
        let (dir, repository) = &clones[(turn + 1) % 2];
        fetch(repository, branch);
        let publisher = if with_library && turn % 2 == 0 {
            Publisher::Library
        } else {
            Publisher::Program
        };
        let (rendered, alone) = publish(dir.path(), &commit, publisher, target);
        assert_eq!(
            (rendered, alone),
            (1, true),
            "turn {turn}: a one-page commit from a fresh clone renders that page alone"
        );
        if branch {
            push(repository);
        }
    }
}

#[test]
fn two_clones_publishing_alternately_to_one_branch_render_only_their_edits() {
    let origin = Workspace::new();
    origin.publish_to_branch();
    origin.commit("Publish ogp to a branch");
    alternate(&origin, &PublishTarget::Branch("publish/ogp".into()), true);
}

#[test]
fn two_clones_publishing_alternately_to_one_bucket_render_only_their_edits() {
    let server = S3Server::start();
    server.create_bucket("sites");
    let origin = Workspace::new();
    let settings = std::fs::read_to_string(origin.root().join("sites/ogp/site.toml")).unwrap();
    origin.write(
        "sites/ogp/site.toml",
        &format!(
            "{settings}\n[publish]\nbucket = \"s3://sites/ogp\"\nendpoint = \"{}\"\n",
            server.endpoint
        ),
    );
    origin.commit("Publish ogp to a bucket");
    // Only the program publishes here: the library would need the keys in
    // this process's environment, shared with the other test's threads.
    let target = PublishTarget::Bucket(gazette_publish::BucketTarget {
        url: "s3://sites/ogp".into(),
        endpoint: Some(server.endpoint.clone()),
        region: None,
    });
    alternate(&origin, &target, false);
}
