//! A Git repository holding the `ogp` sample site and the themes, for tests
//! that publish it with the `gazette` program or the library.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use gazette_publish::{PublishRequest, PublishTarget, publish_revision};
use git2::Repository;

use super::{commit_all, copy_tree, tree};

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

    /// Points the published ref at `commit`, as a publish killed after
    /// switching its output but before moving the ref leaves it.
    pub fn set_published_ref(&self, commit: &str) {
        let oid = git2::Oid::from_str(commit).unwrap();
        self.repository
            .reference("refs/gazette/published/ogp", oid, true, "a kill")
            .unwrap();
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

    /// A publish of the site at `revision` to `target`, made by this process
    /// (its manifests name the test program as their tool).
    pub fn request<'a>(
        &'a self,
        revision: &'a str,
        target: &'a PublishTarget,
    ) -> PublishRequest<'a> {
        PublishRequest {
            name: "ogp",
            repository: self.root(),
            revision,
            site_folder: "sites/ogp",
            themes: None,
            themes_folder: "themes",
            theme: "isomer",
            target,
            sanitize_svg: false,
            base_url: None,
            fallback_base_url: None,
        }
    }

    /// Publishes the site at `revision` to a fresh folder and returns its
    /// files: a clean full publish to compare with.
    pub fn clean_publish(&self, revision: &str) -> BTreeMap<String, Vec<u8>> {
        let out = self.root().join(format!("clean-{revision}"));
        let target = PublishTarget::Folder(out.clone());
        publish_revision(&self.request(revision, &target)).unwrap();
        tree(&out)
    }
}
