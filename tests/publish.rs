//! `gazette publish` on a real temporary repository: incremental work, the
//! published ref, branch targets, locking, bad revisions, and kills.

mod common;

use common::tree;
use common::workspace::Workspace;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use gazette_render::{MANIFEST_PATH, Manifest};
use git2::Repository;

/// A site's files and the commit its manifest names (see [`site_files`]).
type SiteFiles = (BTreeMap<String, Vec<u8>>, Option<String>);

/// A built or published site's files as a reader gets them (without the
/// output marker), and the commit its manifest records, taken out of the
/// manifest: a publish records the commit it published, a build none.
fn site_files(root: &Path) -> SiteFiles {
    let mut files = tree(root);
    files.remove(".gazette-output");
    let bytes = files.get_mut(MANIFEST_PATH).unwrap();
    let mut manifest = Manifest::from_bytes(bytes).unwrap();
    let commit = manifest.commit.take();
    // Which kept render state a publish names depends on the publishes
    // before it, not on what it shows.
    manifest.render_state = None;
    *bytes = manifest.to_bytes();
    (files, commit)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn assert_ok(output: &Output) {
    assert!(
        output.status.success(),
        "gazette failed:\n{}\n{}",
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// SVG images are published as they are, as Jekyll copies them, until
/// `sanitize_svg = true` in `site.toml`: then the next publish rewrites them
/// without script, keeping the drawing.
#[test]
fn sanitize_svg_in_site_toml_publishes_svgs_without_script() {
    let workspace = Workspace::new();
    let hostile = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 4\" onload=\"alert(1)\"><script>alert(2)</script><path d=\"M0 0L4 4\"/></svg>\n";
    workspace.write("sites/ogp/images/hostile.svg", hostile);
    workspace.commit("An SVG with script");
    assert_ok(&workspace.gazette(&["publish"]));
    let published = workspace.root().join("public/ogp/images/hostile.svg");
    assert_eq!(fs::read_to_string(&published).unwrap(), hostile);

    let settings = fs::read_to_string(workspace.root().join("sites/ogp/site.toml")).unwrap();
    workspace.write(
        "sites/ogp/site.toml",
        &format!("sanitize_svg = true\n{settings}"),
    );
    workspace.commit("Sanitise SVG images");
    assert_ok(&workspace.gazette(&["publish"]));
    let svg = fs::read_to_string(&published).unwrap();
    assert!(
        svg.contains("viewBox=\"0 0 4 4\"") && svg.contains("<path d=\"M0 0L4 4\">"),
        "{svg}"
    );
    assert!(!svg.contains("alert") && !svg.contains("onload"), "{svg}");
}

/// The version the output does not show: the spare the next publish
/// recycles.
fn spare_version(workspace: &Workspace) -> PathBuf {
    let versions = workspace.root().join("public/.ogp.gazette");
    let current = fs::canonicalize(workspace.root().join("public/ogp")).unwrap();
    let spares: Vec<PathBuf> = fs::read_dir(&versions)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir() && fs::canonicalize(path).unwrap() != current)
        .collect();
    assert_eq!(spares.len(), 1, "one spare: {spares:?}");
    spares.into_iter().next().unwrap()
}

/// A file of the spare version changed on disk since Gazette wrote it (same
/// size, modification time put back) is not published as it stands: the
/// next publish, which recycles the spare, writes Gazette's page.
#[test]
fn a_file_of_the_spare_edited_in_place_is_rewritten_not_published() {
    let workspace = Workspace::new();
    assert_ok(&workspace.gazette(&["publish"]));
    workspace.append("faq.md", "One more question.");
    workspace.commit("Edit the FAQ");
    assert_ok(&workspace.gazette(&["publish"]));

    let page = "privacy/index.html";
    let spare_file = spare_version(&workspace).join(page);
    let gazettes = fs::read(&spare_file).unwrap();
    let mut edited = gazettes.clone();
    let at = edited.len() / 2;
    edited[at..at + 8].copy_from_slice(b"TAMPERED");
    let modified = fs::metadata(&spare_file).unwrap().modified().unwrap();
    let mut file = fs::OpenOptions::new()
        .write(true)
        .open(&spare_file)
        .unwrap();
    std::io::Write::write_all(&mut file, &edited).unwrap();
    file.set_modified(modified).unwrap();
    drop(file);
    assert_eq!(
        fs::metadata(&spare_file).unwrap().len(),
        gazettes.len() as u64
    );

    workspace.append("faq.md", "And another.");
    workspace.commit("Edit the FAQ again");
    assert_ok(&workspace.gazette(&["publish"]));
    let published = fs::read(workspace.root().join("public/ogp").join(page)).unwrap();
    assert!(
        published == gazettes,
        "the published page is Gazette's, not the edit"
    );
}

#[test]
fn a_page_edit_renders_that_page_and_a_second_publish_skips() {
    let workspace = Workspace::new();
    let first = workspace.gazette(&["publish"]);
    assert_ok(&first);
    assert!(stdout(&first).contains("0 reused"), "{}", stdout(&first));
    let head = workspace
        .repository
        .head()
        .unwrap()
        .target()
        .unwrap()
        .to_string();
    assert_eq!(workspace.published_ref(), Some(head));

    let again = workspace.gazette(&["publish"]);
    assert_ok(&again);
    assert!(stdout(&again).contains("Skipped ogp"), "{}", stdout(&again));

    let faq = fs::read_to_string(workspace.root().join("sites/ogp/pages/faq.md")).unwrap();
    workspace.write(
        "sites/ogp/pages/faq.md",
        &format!("{faq}\nA brand new answer.\n"),
    );
    workspace.commit("Answer one more question");
    let edited = workspace.gazette(&["publish"]);
    assert_ok(&edited);
    assert!(
        stdout(&edited).contains(": 1 pages rendered (text edits alone)"),
        "{}",
        stdout(&edited)
    );
    let html = fs::read_to_string(workspace.root().join("public/ogp/faq/index.html")).unwrap();
    assert!(html.contains("A brand new answer."));
}

#[test]
fn a_publish_with_nothing_new_still_removes_what_a_killed_one_left() {
    let workspace = Workspace::new();
    assert_ok(&workspace.gazette(&["publish"]));
    let published = site_files(&workspace.root().join("public/ogp"));
    // A publish killed while writing its version, after the one before it
    // had already published this commit.
    let versions = workspace.root().join("public/.ogp.gazette");
    let staging = versions.join("tmp-1-1");
    fs::create_dir_all(staging.join("about")).unwrap();
    fs::write(staging.join("about/index.html"), "half written").unwrap();
    // And one killed between making its link and switching it in.
    let link = versions.join("link-1");
    std::os::unix::fs::symlink(".ogp.gazette/tmp-1-1", &link).unwrap();

    let again = workspace.gazette(&["publish"]);
    assert_ok(&again);
    assert!(stdout(&again).contains("Skipped ogp"), "{}", stdout(&again));
    assert!(!staging.exists(), "the interrupted version is removed");
    assert!(fs::symlink_metadata(&link).is_err(), "so is the stray link");
    assert!(site_files(&workspace.root().join("public/ogp")) == published);
    let kept = fs::read_dir(&versions)
        .unwrap()
        .flatten()
        .filter(|entry| entry.file_name() != "lock")
        .count();
    assert_eq!(kept, 2, "the current version and its spare stay");
}

#[test]
fn a_navigation_change_renders_the_whole_site() {
    let workspace = Workspace::new();
    assert_ok(&workspace.gazette(&["publish"]));
    let config = fs::read_to_string(workspace.root().join("sites/ogp/_config.yml")).unwrap();
    workspace.write(
        "sites/ogp/_config.yml",
        &config.replacen("title:", "title: New", 1),
    );
    workspace.commit("Rename the site");
    let output = workspace.gazette(&["publish"]);
    assert_ok(&output);
    assert!(stdout(&output).contains(" 0 reused"), "{}", stdout(&output));
}

#[test]
fn build_at_a_revision_matches_the_working_folder_build() {
    let workspace = Workspace::new();
    assert_ok(&workspace.gazette(&["build", "ogp", "--out", "from-tree"]));
    assert_ok(&workspace.gazette(&["build", "ogp", "--rev", "HEAD", "--out", "from-rev"]));
    let (a, b) = (
        tree(&workspace.root().join("from-tree")),
        tree(&workspace.root().join("from-rev")),
    );
    assert!(!a.is_empty());
    assert!(a == b, "the two builds differ");
    let html = String::from_utf8_lossy(&a["faq/index.html"]).into_owned();
    assert!(
        html.contains("class=\"footer-updated\""),
        "pages show when they last changed"
    );
}

#[test]
fn a_branch_target_gets_one_commit_per_publish_naming_the_source() {
    let workspace = Workspace::new();
    workspace.publish_to_branch();
    let source = workspace.commit("Publish ogp to a branch");
    assert_ok(&workspace.gazette(&["publish"]));
    let commit = workspace.branch_tip();
    assert!(commit.message().unwrap().contains(&source[..12]));
    let tree = commit.tree().unwrap();
    assert!(tree.get_path(Path::new("faq/index.html")).is_ok());
    assert!(tree.get_path(Path::new("index.html")).is_ok());
}

#[test]
fn bad_revisions_and_empty_repositories_are_clear_errors() {
    let workspace = Workspace::new();
    let output = workspace.gazette(&["publish", "--rev", "no-such-branch"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("revision `no-such-branch` does not exist"),
        "{stderr}"
    );

    let empty = tempfile::tempdir().unwrap();
    fs::write(empty.path().join("gazette.toml"), "").unwrap();
    fs::create_dir_all(empty.path().join("sites/a")).unwrap();
    fs::write(empty.path().join("sites/a/_config.yml"), "title: A\n").unwrap();
    Repository::init(empty.path()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(empty.path())
        .args(["build", "a", "--rev", "HEAD"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no commits") || stderr.contains("not in a Git repository with commits"),
        "{stderr}"
    );
}

/// The files of a full build of `rev` into `out`, with the commit a
/// publish of it names.
fn full_build(workspace: &Workspace, rev: &str, out: &str) -> SiteFiles {
    assert_ok(&workspace.gazette(&["build", "ogp", "--rev", rev, "--out", out]));
    (
        site_files(&workspace.root().join(out)).0,
        Some(rev.to_owned()),
    )
}

/// Starts publishes of `revisions` in turn and kills each after a growing
/// delay (0, `step_ms`, 2 × `step_ms`, …): after every kill the published
/// site must be one of `versions` whole.
fn kill_publishes_alternating(
    workspace: &Workspace,
    revisions: [&str; 2],
    versions: &[SiteFiles],
    step_ms: u64,
) {
    let published = workspace.root().join("public/ogp");
    for round in 0..24 {
        let delay = Duration::from_millis(round * step_ms);
        let rev = revisions[(round % 2) as usize];
        let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
            .current_dir(workspace.root())
            .args(["publish", "--quiet", "--rev", rev])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let seen = site_files(&published);
        assert!(
            versions.contains(&seen),
            "after a kill at {delay:?} the published site is neither version"
        );
    }
}

#[test]
fn a_publish_of_page_edits_killed_at_any_moment_leaves_a_whole_site() {
    let workspace = Workspace::new();
    let first = workspace.head();
    workspace.append("faq.md", "Another answer.");
    workspace.append("contact-us.md", "Another way to reach us.");
    let second = workspace.commit("Edit two pages' text");
    let versions = [
        full_build(&workspace, &first, "full-first"),
        full_build(&workspace, &second, "full-second"),
    ];

    assert_ok(&workspace.gazette(&["publish", "--rev", &first]));
    // Page edits publish in milliseconds: kills come closer together.
    kill_publishes_alternating(&workspace, [&second, &first], &versions, 3);
    let last = workspace.gazette(&["publish", "--rev", &second]);
    assert_ok(&last);
    assert!(site_files(&workspace.root().join("public/ogp")) == versions[1]);
    assert_eq!(workspace.published_ref().as_ref(), Some(&second));
}

#[test]
fn a_publish_killed_at_any_moment_leaves_a_whole_site_and_the_next_one_completes() {
    let workspace = Workspace::new();
    let first = workspace.head();
    workspace.append("faq.md", "Another answer.");
    let config = fs::read_to_string(workspace.root().join("sites/ogp/_config.yml")).unwrap();
    workspace.write(
        "sites/ogp/_config.yml",
        &config.replacen("title:", "title: Renamed", 1),
    );
    let second = workspace.commit("Change every page");

    // The two complete versions a reader may see, each naming its commit.
    let versions = [
        full_build(&workspace, &first, "full-first"),
        full_build(&workspace, &second, "full-second"),
    ];
    let published = workspace.root().join("public/ogp");
    let published_tree = || site_files(&published);

    assert_ok(&workspace.gazette(&["publish", "--rev", &first]));
    kill_publishes_alternating(&workspace, [&second, &first], &versions, 15);
    assert_ok(&workspace.gazette(&["publish", "--rev", &second]));
    assert!(
        published_tree() == versions[1],
        "the next publish completes the site"
    );
    assert_eq!(workspace.published_ref().as_ref(), Some(&second));
    let leftovers: Vec<PathBuf> = fs::read_dir(workspace.root().join("public/.ogp.gazette"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("tmp-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "interrupted versions are cleaned: {leftovers:?}"
    );

    // The version before the current one is kept, and the next publishes
    // recycle it into each complete version in turn.
    for (rev, version) in [(&first, &versions[0]), (&second, &versions[1])] {
        assert_ok(&workspace.gazette(&["publish", "--rev", rev]));
        assert!(published_tree() == *version, "a recycled version is whole");
        let kept: Vec<String> = fs::read_dir(workspace.root().join("public/.ogp.gazette"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name != "lock")
            .collect();
        assert_eq!(kept.len(), 2, "the current version and the spare: {kept:?}");
    }
}

#[test]
fn a_ref_lock_file_left_by_a_killed_publish_does_not_stop_the_next_ones() {
    let workspace = Workspace::new();
    assert_ok(&workspace.gazette(&["publish"]));
    // A publish killed between creating the lock and renaming it over the
    // ref leaves it; another site's lock may be a live publish's.
    let refs = workspace.root().join(".git/refs/gazette/published");
    let stale = refs.join("ogp.lock");
    fs::write(&stale, "").unwrap();
    fs::write(refs.join("other.lock"), "").unwrap();
    workspace.commit("Nothing for the site");
    let unchanged = workspace.gazette(&["publish"]);
    assert_ok(&unchanged);
    assert!(stdout(&unchanged).contains("Skipped ogp"));
    assert_eq!(workspace.published_ref(), Some(workspace.head()));

    fs::write(&stale, "").unwrap();
    workspace.append("faq.md", "One more answer.");
    workspace.commit("Answer one more question");
    assert_ok(&workspace.gazette(&["publish"]));
    assert_eq!(workspace.published_ref(), Some(workspace.head()));
    assert!(!stale.exists());
    assert!(
        refs.join("other.lock").exists(),
        "another ref's lock is kept"
    );
}

#[test]
fn a_branch_lock_file_left_by_a_killed_publish_does_not_stop_the_next_one() {
    let workspace = Workspace::new();
    workspace.publish_to_branch();
    workspace.commit("Publish ogp to a branch");
    assert_ok(&workspace.gazette(&["publish"]));
    fs::write(
        workspace.root().join(".git/refs/heads/publish/ogp.lock"),
        "",
    )
    .unwrap();
    workspace.append("faq.md", "One more answer.");
    let source = workspace.commit("Answer one more question");
    assert_ok(&workspace.gazette(&["publish"]));
    let commit = workspace.branch_tip();
    assert!(commit.message().unwrap().contains(&source[..12]));
    assert_eq!(workspace.published_ref(), Some(source));
}

/// The check before a publish starts from what the previous one kept in
/// `.git/gazette/<site>/check-state`: removing a page refuses the commit
/// for the link to it on a page the commit did not touch, as a whole check
/// would; a damaged state is a whole check, not an error; and bringing the
/// page back clears it.
#[test]
fn the_check_kept_between_publishes_finds_a_link_a_removal_breaks_damaged_or_not() {
    let workspace = Workspace::new();
    workspace.write(
        "sites/ogp/pages/guide.md",
        "---\ntitle: Guide\npermalink: /guide/\n---\nTell us [what you think](/feedback/).\n",
    );
    workspace.commit("Add a guide");
    assert_ok(&workspace.gazette(&["publish"]));
    let state = workspace.root().join(".git/gazette/ogp/check-state");
    assert!(state.is_file(), "the check keeps its state");

    let feedback = workspace.root().join("sites/ogp/pages/feedback.md");
    let page = fs::read_to_string(&feedback).unwrap();
    fs::remove_file(&feedback).unwrap();
    workspace.commit("Remove the feedback page");
    let refused_with = |output: &Output| {
        assert!(!output.status.success(), "{}", stdout(output));
        let text = format!(
            "{}{}",
            stdout(output),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            text.contains("error: `/feedback/` links to a page that does not exist\n")
                && text.contains("pages/guide.md:5:26"),
            "{text}"
        );
    };
    refused_with(&workspace.gazette(&["publish"]));

    fs::write(&state, b"not a state at all").unwrap();
    refused_with(&workspace.gazette(&["publish"]));

    workspace.write("sites/ogp/pages/feedback.md", &page);
    workspace.commit("Bring the feedback page back");
    assert_ok(&workspace.gazette(&["publish"]));
}
