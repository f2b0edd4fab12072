//! A repository with a damaged loose object: `gazette build --rev` and
//! `gazette publish` end promptly with an error naming the object, where
//! libgit2 1.9 alone spins forever on a loose file cut short.
//!
//! Each command runs as a child process with a deadline, killed and failed
//! past it, so a hang fails the test instead of stalling the suite.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::workspace::Workspace;
use git2::Oid;

/// Far beyond what these commands take on a loaded machine, far below
/// forever.
const DEADLINE: Duration = Duration::from_secs(20);

/// How a command ended: its exit code and what it wrote to standard error.
struct Ended {
    code: Option<i32>,
    stderr: String,
}

/// Runs `gazette ARGS` in the workspace; fails the test if it is still
/// running at the deadline (after killing it).
fn gazette_within_deadline(workspace: &Workspace, args: &[&str]) -> Ended {
    // Output goes to files: a pipe nobody reads while waiting could fill
    // and stall the child, which would look like the hang under test.
    let logs = tempfile::tempdir().unwrap();
    let (out, err) = (logs.path().join("out"), logs.path().join("err"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(workspace.root())
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!(
                "`gazette {}` still ran after {DEADLINE:?} (libgit2 spinning on the damaged object?)",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ended {
        code: status.code(),
        stderr: fs::read_to_string(&err).unwrap(),
    }
}

/// The object at `path` of HEAD's tree (empty for the root tree).
fn object_at(workspace: &Workspace, path: &str) -> Oid {
    let tree = workspace.repository.head().unwrap().peel_to_tree().unwrap();
    if path.is_empty() {
        return tree.id();
    }
    tree.get_path(Path::new(path)).unwrap().id()
}

/// Cuts the loose file of `id` to half its length, as a disk filling up or
/// a copy killed midway leaves it.
fn cut_short(workspace: &Workspace, id: Oid) {
    let hex = id.to_string();
    let file = workspace
        .root()
        .join(".git/objects")
        .join(&hex[..2])
        .join(&hex[2..]);
    let bytes = fs::read(&file).unwrap();
    // Git writes objects read-only; replacing the file needs no write bit.
    fs::remove_file(&file).unwrap();
    fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
}

fn build_at_head(workspace: &Workspace) -> Ended {
    let out = workspace.root().join("out");
    gazette_within_deadline(
        workspace,
        &[
            "build",
            "ogp",
            "--rev",
            "HEAD",
            "--out",
            out.to_str().unwrap(),
        ],
    )
}

/// A site's folder or the commit itself cut short: nothing of the revision
/// can be trusted, so Gazette could not run (exit status 2), and says why
/// and what to do.
fn assert_could_not_run(ended: &Ended, id: Oid, command: &str) {
    assert_eq!(ended.code, Some(2), "{command}: {}", ended.stderr);
    assert!(
        ended.stderr.contains(&id.to_string()),
        "{command} does not name the object: {}",
        ended.stderr
    );
    assert!(ended.stderr.contains("cut short"), "{}", ended.stderr);
    assert!(ended.stderr.contains("git fsck"), "{}", ended.stderr);
}

#[test]
fn a_page_cut_short_in_git_is_an_error_at_that_page_not_a_hang() {
    let workspace = Workspace::new();
    let page = object_at(&workspace, "sites/ogp/pages/faq.md");
    cut_short(&workspace, page);

    // The page cannot be read; the loader reports it at its file with the
    // site's other errors, as any unreadable file (exit status 1).
    let built = build_at_head(&workspace);
    assert_eq!(built.code, Some(1), "{}", built.stderr);
    assert!(built.stderr.contains("pages/faq.md"), "{}", built.stderr);
    assert!(built.stderr.contains(&page.to_string()), "{}", built.stderr);
    assert!(built.stderr.contains("git fsck"), "{}", built.stderr);

    // The gate's check reads it first and refuses the site; without the
    // check, the publish's own load fails on it.
    for args in [&["publish"][..], &["publish", "--no-check"]] {
        let published = gazette_within_deadline(&workspace, args);
        assert_eq!(published.code, Some(1), "{args:?}: {}", published.stderr);
        assert!(
            published.stderr.contains(&page.to_string()),
            "{args:?}: {}",
            published.stderr
        );
    }
    assert_eq!(workspace.published_ref(), None);
}

#[test]
fn a_folder_cut_short_in_git_stops_build_and_publish_with_its_name() {
    let workspace = Workspace::new();
    let pages = object_at(&workspace, "sites/ogp/pages");
    cut_short(&workspace, pages);
    assert_could_not_run(&build_at_head(&workspace), pages, "build --rev HEAD");
    let published = gazette_within_deadline(&workspace, &["publish"]);
    assert_could_not_run(&published, pages, "publish");
    assert_eq!(workspace.published_ref(), None);
}

#[test]
fn a_commit_cut_short_stops_build_and_publish_with_its_name() {
    let workspace = Workspace::new();
    // A second commit, so the damaged one is reached both as HEAD and by
    // the history walk that dates the files.
    workspace.append("faq.md", "One more answer.");
    let first = workspace.head();
    workspace.commit("Answer one more question");
    let first = Oid::from_str(&first).unwrap();
    cut_short(&workspace, first);
    assert_could_not_run(&build_at_head(&workspace), first, "build --rev HEAD");
    let published = gazette_within_deadline(&workspace, &["publish"]);
    assert_could_not_run(&published, first, "publish");

    let head = Oid::from_str(&workspace.head()).unwrap();
    cut_short(&workspace, head);
    assert_could_not_run(&build_at_head(&workspace), head, "build --rev HEAD");
    let published = gazette_within_deadline(&workspace, &["publish"]);
    assert_could_not_run(&published, head, "publish");
    assert_eq!(workspace.published_ref(), None);
}
