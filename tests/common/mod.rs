//! Helpers shared by the integration tests.
//!
//! Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

pub mod corpus;
pub mod hostile;
pub mod s3;
pub mod workspace;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Copies a folder and everything in it.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file under `root` (following a published output's link) with its
/// bytes, by path relative to `root`. The folder target's record of its
/// files (sizes, times, inodes) is left out: it says where the bytes are,
/// not what a reader gets.
pub fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    file_paths(root)
        .into_iter()
        .map(|relative| {
            let bytes = fs::read(root.join(&relative)).unwrap();
            (relative, bytes)
        })
        .collect()
}

/// The path of every file under `root`, relative to it, in no order, but for
/// the folder target's record of its files.
pub fn file_paths(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if relative == gazette_publish::STAMPS_PATH {
                    continue;
                }
                files.push(relative);
            }
        }
    }
    files
}

/// `gazette build SITE --out OUT`, run from the checkout (for its themes).
pub fn gazette_build(site: &Path, out: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gazette"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("build")
        .arg(site)
        .arg("--out")
        .arg(out);
    command
}

/// Writes `contents` at `path` under `root`, making its folders.
pub fn write(root: &Path, path: &str, contents: &str) {
    let full = root.join(path);
    fs::create_dir_all(full.parent().expect("a parent folder")).expect("folders");
    fs::write(full, contents).expect("a written file");
}

/// What every small test site starts from: a title and a homepage.
pub fn minimal_site(root: &Path, title: &str) {
    write(root, "_config.yml", &format!("title: {title}\n"));
    write(
        root,
        "index.md",
        "---\nlayout: homepage\ntitle: Home\npermalink: /\n---\n",
    );
}

/// The index pages of a resource room `news` and its category `updates`,
/// where posts go as `news/updates/_posts/…`.
pub fn news_room(root: &Path) {
    write(
        root,
        "news/index.html",
        "---\nlayout: resources\ntitle: News\n---\n",
    );
    write(
        root,
        "news/updates/index.html",
        "---\nlayout: resources-alt\ntitle: Updates\n---\n",
    );
}

/// The real-site corpus beside the checkout; fails loudly when it is missing.
pub fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/isomer");
    assert!(
        dir.is_dir(),
        "the real-site corpus is missing: expected it at {} (shared/ sits beside the checkout)",
        dir.display()
    );
    dir
}

/// The Python that runs the corpus's scripts: the one `cargo xtask test`
/// found or set up (`GAZETTE_TEST_PYTHON`), else its environment under
/// `target/test-python` when an earlier run made one, else `python3`.
pub fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("GAZETTE_TEST_PYTHON") {
        return python.into();
    }
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-python/bin/python3");
    if own.is_file() {
        return own;
    }
    PathBuf::from("python3")
}

/// Stages every file of the repository's working folder (additions,
/// changes and deletions) and commits it on HEAD; returns the commit id.
pub fn commit_all(repository: &git2::Repository, message: &str) -> String {
    commit_all_at(repository, message, git2::Time::new(now_seconds(), 0))
}

/// [`commit_all`], dated `time`.
pub fn commit_all_at(repository: &git2::Repository, message: &str, time: git2::Time) -> String {
    let signature = git2::Signature::new("Editor", "editor@example.gov.sg", &time).unwrap();
    let mut index = repository.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.update_all(["*"], None).unwrap();
    index.write().unwrap();
    let tree = repository.find_tree(index.write_tree().unwrap()).unwrap();
    let parent = repository.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repository
        .commit(
            Some("HEAD"),
            &signature,
            &signature,
            message,
            &tree,
            &parents,
        )
        .unwrap()
        .to_string()
}

/// Seconds since the Unix epoch.
pub fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
