//! A new team's first steps, through the binary: building an Isomer
//! repository that is no workspace (the built-in theme), importing a
//! repository with its history, and the messages that say what to do when a
//! site is not committed or has a repository of its own.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{copy_tree, corpus_dir, minimal_site, tree, write};

fn gazette(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the gazette binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A Git repository at `dir` with everything in it committed.
fn commit_folder(dir: &Path) -> git2::Repository {
    let repository = git2::Repository::init(dir).unwrap();
    common::commit_all(&repository, "first");
    repository
}

#[test]
fn build_inside_an_isomer_repository_without_a_workspace_uses_the_builtin_theme() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("agency-site");
    copy_tree(&corpus_dir().join("isomerpages-isomergovsg"), &site);
    let out = dir.path().join("out");
    let output = gazette(&site, &["build", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output));
    let theme_css =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/isomer/static/assets/isomer/theme.css");
    assert_eq!(
        std::fs::read(out.join("assets/isomer/theme.css")).unwrap(),
        std::fs::read(theme_css).unwrap()
    );
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("/assets/isomer/theme.css"), "{home}");
}

#[test]
fn import_of_a_bundle_keeps_its_commits_and_last_updated_dates() {
    let bundle = corpus_dir().join("govtech-im8.history.bundle");
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("workspace");
    write(&workspace, "gazette.toml", "default_theme = \"isomer\"\n");
    write(&workspace, "sites/.keep", "");
    let repository = commit_folder(&workspace);
    let before = repository.head().unwrap().target().unwrap();

    let output = gazette(&workspace, &["import", bundle.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output));
    let said = text(&output);
    assert!(
        said.contains("1810 commits under sites/govtech-im8/"),
        "{said}"
    );
    assert!(said.contains("gazette publish govtech-im8"), "{said}");

    // Every original commit, rewritten under the folder with its author and
    // date, then the commit adding site.toml.
    let original = git2::Repository::init_bare(dir.path().join("original.git")).unwrap();
    let mut remote = original
        .remote_anonymous(dir.path().join("workspace").to_str().unwrap())
        .unwrap();
    remote
        .fetch(
            &["+refs/gazette/import/govtech-im8:refs/heads/staging"],
            None,
            None,
        )
        .unwrap();
    // Both histories in the same order: the rewritten commits pair up with
    // the originals, one for one.
    let in_order = |repository: &git2::Repository, from: &str, hide: Option<git2::Oid>| {
        let mut walk = repository.revwalk().unwrap();
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
            .unwrap();
        walk.push_ref(from).unwrap();
        if let Some(hide) = hide {
            walk.hide(hide).unwrap();
        }
        walk.map(Result::unwrap).collect::<Vec<git2::Oid>>()
    };
    let originals = in_order(&original, "refs/heads/staging", None);
    assert_eq!(originals.len(), 1810);
    let imported = in_order(&repository, "HEAD", Some(before));
    assert_eq!(imported.len(), originals.len() + 1);
    let tip = repository.head().unwrap().peel_to_commit().unwrap();
    assert!(
        tip.tree()
            .unwrap()
            .get_path(Path::new("sites/govtech-im8/site.toml"))
            .is_ok()
    );
    let mut touching = 0;
    for (id, own) in imported.iter().zip(&originals) {
        let commit = repository.find_commit(*id).unwrap();
        let own = original.find_commit(*own).unwrap();
        let folder = commit
            .tree()
            .unwrap()
            .get_path(Path::new("sites/govtech-im8"))
            .unwrap();
        assert_eq!(folder.id(), own.tree_id());
        assert_eq!(commit.author().email(), own.author().email());
        assert_eq!(commit.author().when(), own.author().when());
        assert_eq!(commit.committer().when(), own.committer().when());
        assert_eq!(commit.message_bytes(), own.message_bytes());
        touching += 1;
    }
    assert_eq!(touching, 1810);

    // Published from the workspace, the pages are those a build of the
    // original repository's HEAD writes, "last updated" dates included.
    let output = gazette(&workspace, &["publish", "govtech-im8"]);
    assert!(output.status.success(), "{}", text(&output));
    let checkout = dir.path().join("govtech-im8");
    let cloned = git2::Repository::init(&checkout).unwrap();
    cloned
        .remote_anonymous(dir.path().join("original.git").to_str().unwrap())
        .unwrap()
        .fetch(&["+refs/heads/staging:refs/heads/staging"], None, None)
        .unwrap();
    cloned.set_head("refs/heads/staging").unwrap();
    cloned
        .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    let out = dir.path().join("original-out");
    let output = gazette(
        &checkout,
        &["build", "--rev", "HEAD", "--out", out.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", text(&output));
    let pages = |root: &Path| {
        tree(root)
            .into_iter()
            .filter(|(path, _)| path.ends_with(".html"))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let published = pages(&workspace.join("public/govtech-im8"));
    let built = pages(&out);
    assert!(published.len() > 40);
    let dated = built
        .values()
        .filter(|page| String::from_utf8_lossy(page).contains("ast updated <time"))
        .count();
    assert!(dated > 20, "the pages show their dates");
    assert!(
        published == built,
        "the published pages differ from the original's"
    );
}

#[test]
fn publishing_a_site_not_yet_committed_says_to_commit_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "gazette.toml", "");
    commit_folder(dir.path());
    minimal_site(&dir.path().join("sites/fresh"), "Fresh");
    let output = gazette(dir.path(), &["publish", "fresh"]);
    assert!(!output.status.success());
    let said = text(&output);
    assert!(said.contains("fresh is not committed"), "{said}");
    assert!(said.contains("git add sites/fresh && git commit"), "{said}");
}

#[test]
fn publishing_a_site_with_its_own_repository_points_at_import() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "gazette.toml", "");
    write(dir.path(), "themes/.keep", "");
    commit_folder(dir.path());
    let site = dir.path().join("sites/copied");
    minimal_site(&site, "Copied");
    commit_folder(&site);
    let output = gazette(dir.path(), &["publish", "copied"]);
    assert!(!output.status.success());
    let said = text(&output);
    assert!(said.contains("has a Git repository of its own"), "{said}");
    assert!(said.contains("gazette import"), "{said}");
}

#[test]
fn new_makes_a_site_that_builds_and_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "gazette.toml", "");
    let output = gazette(dir.path(), &["new", "hello", "--title", "Hello: Agency"]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("git add sites/hello && git commit"));
    let config = std::fs::read_to_string(dir.path().join("sites/hello/_config.yml")).unwrap();
    assert!(config.contains("title: \"Hello: Agency\""), "{config}");

    let output = gazette(dir.path(), &["check", "hello"]);
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    assert!(said.contains("hello: 0 errors, 0 warnings"), "{said}");
    let out = dir.path().join("out");
    let output = gazette(
        dir.path(),
        &["build", "hello", "--out", out.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", text(&output));
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("Hello: Agency"), "{home}");
    assert!(out.join("about/index.html").is_file());
    assert!(out.join("contact-us/index.html").is_file());
}
