//! A Git repository holding the `ogp` sample site and the themes, for tests
//! that publish it.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use git2::Repository;

use super::{commit_all, copy_tree};

/// A workspace with the `ogp` sample site and the themes, committed.
pub struct Workspace {
    dir: tempfile::TempDir,
    /// The repository, opened.
    pub repository: Repository,
}

impl Workspace {
    /// Copies the site and the themes into a new repository and commits them.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_tree(&root.join("sites/ogp"), &dir.path().join("sites/ogp"));
        copy_tree(&root.join("themes"), &dir.path().join("themes"));
        fs::write(dir.path().join("gazette.toml"), "").unwrap();
        let repository = Repository::init(dir.path()).unwrap();
        let workspace = Self { dir, repository };
        workspace.commit("Add the ogp site");
        workspace
    }

    /// The repository's working folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file of the working folder, making its folders.
    pub fn write(&self, path: &str, contents: &str) {
        let full = self.root().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, contents).unwrap();
    }

    /// Commits every change of the working folder.
    pub fn commit(&self, message: &str) -> String {
        commit_all(&self.repository, message)
    }

    /// Runs the `gazette` program in the working folder.
    pub fn gazette(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_gazette"))
            .current_dir(self.root())
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }

    /// The commit the site's published ref points to.
    pub fn published_ref(&self) -> Option<String> {
        self.repository
            .find_reference("refs/gazette/published/ogp")
            .ok()
            .and_then(|r| r.target())
            .map(|oid| oid.to_string())
    }

    /// The commit HEAD points to.
    pub fn head(&self) -> String {
        self.repository
            .head()
            .unwrap()
            .target()
            .unwrap()
            .to_string()
    }

    /// Appends a paragraph to a page of the site.
    pub fn append(&self, page: &str, text: &str) {
        let path = format!("sites/ogp/pages/{page}");
        let before = fs::read_to_string(self.root().join(&path)).unwrap();
        self.write(&path, &format!("{before}\n{text}\n"));
    }

    /// Sets the site to publish to the branch `publish/ogp`, uncommitted.
    pub fn publish_to_branch(&self) {
        let settings = fs::read_to_string(self.root().join("sites/ogp/site.toml")).unwrap();
        self.write(
            "sites/ogp/site.toml",
            &format!("{settings}\n[publish]\nbranch = \"publish/ogp\"\n"),
        );
    }

    /// The last commit on the branch `publish/ogp`.
    pub fn branch_tip(&self) -> git2::Commit<'_> {
        self.repository
            .find_branch("publish/ogp", git2::BranchType::Local)
            .unwrap()
            .get()
            .peel_to_commit()
            .unwrap()
    }
}
