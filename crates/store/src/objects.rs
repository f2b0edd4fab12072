//! An open repository whose object reads pass the loose-object guard first
//! (see [`crate::loose`]): every commit, tree and blob this crate reads goes
//! through [`Objects`], and so do the reads libgit2 would otherwise make on
//! its own (walking a tree's subtrees, following a revision's parents).

use std::path::Path;

use git2::{Commit, ObjectType, Oid, Repository, Tree, TreeEntry};

use crate::loose::{DamagedObject, LooseObjects};

/// A repository and the guard for its loose objects.
pub(crate) struct Objects {
    repository: Repository,
    loose: LooseObjects,
}

/// Why an object could not be read.
#[derive(Debug)]
pub(crate) enum ObjectError {
    /// Its loose file is damaged; libgit2 was not asked.
    Damaged(DamagedObject),
    /// What libgit2 reported (a missing object, a pack it could not read).
    Git(git2::Error),
}

impl From<DamagedObject> for ObjectError {
    fn from(error: DamagedObject) -> Self {
        Self::Damaged(error)
    }
}

impl From<git2::Error> for ObjectError {
    fn from(error: git2::Error) -> Self {
        Self::Git(error)
    }
}

/// Why a revision names no commit that can be read.
#[derive(Debug)]
pub(crate) enum RevisionError {
    /// Nothing by that name, or it is not a commit.
    NotFound(git2::Error),
    /// An object on the way could not be read.
    Object(ObjectError),
}

impl From<ObjectError> for RevisionError {
    fn from(error: ObjectError) -> Self {
        Self::Object(error)
    }
}

impl From<DamagedObject> for RevisionError {
    fn from(error: DamagedObject) -> Self {
        Self::Object(ObjectError::Damaged(error))
    }
}

/// One step after a revision's name: `~n` (the n-th first-parent ancestor)
/// or `^n` (the n-th parent, `^0` the commit itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Ancestor(usize),
    Parent(usize),
}

impl Objects {
    /// The repository holding `path`.
    pub(crate) fn discover(path: &Path) -> Result<Self, git2::Error> {
        Ok(Self::new(Repository::discover(path)?))
    }

    /// Guards the reads of an open repository.
    pub(crate) fn new(repository: Repository) -> Self {
        let loose = LooseObjects::of(&repository);
        Self { repository, loose }
    }

    /// The repository, for what reads no object (refs, writes, status).
    pub(crate) fn git(&self) -> &Repository {
        &self.repository
    }

    /// The commit `id`.
    pub(crate) fn commit(&self, id: Oid) -> Result<Commit<'_>, ObjectError> {
        self.loose.check(id)?;
        Ok(self.repository.find_commit(id)?)
    }

    /// The tree `id`.
    pub(crate) fn tree(&self, id: Oid) -> Result<Tree<'_>, ObjectError> {
        self.loose.check(id)?;
        Ok(self.repository.find_tree(id)?)
    }

    /// The bytes of blob `id`, read once from its loose file when it has
    /// one ([`LooseObjects::read_blob`]), else through libgit2.
    pub(crate) fn blob_bytes(&self, id: Oid) -> Result<Vec<u8>, ObjectError> {
        match self.loose.read_blob(id)? {
            Some(bytes) => Ok(bytes),
            None => Ok(self.repository.find_blob(id)?.content().to_vec()),
        }
    }

    /// The root tree of `commit`.
    pub(crate) fn tree_of(&self, commit: &Commit<'_>) -> Result<Tree<'_>, ObjectError> {
        self.tree(commit.tree_id())
    }

    /// The first parent of `commit`, if it has one.
    pub(crate) fn first_parent(
        &self,
        commit: &Commit<'_>,
    ) -> Result<Option<Commit<'_>>, ObjectError> {
        match commit.parent_id(0) {
            Ok(id) => self.commit(id).map(Some),
            Err(_) => Ok(None),
        }
    }

    /// The commit a revision names: a ref (`HEAD`, a branch, a tag), an
    /// object id or a prefix of one, each optionally followed by `~n` and
    /// `^n` steps, read through the guard. Other syntax (`@{upstream}`,
    /// `:/text`, `^{…}`) is left to libgit2's parser, whose reads are not
    /// guarded.
    pub(crate) fn revision(&self, revision: &str) -> Result<Commit<'_>, RevisionError> {
        let Some((base, steps)) = split_steps(revision) else {
            return self.parsed_by_libgit2(revision);
        };
        let Some(id) = self.name_to_id(base) else {
            return self.parsed_by_libgit2(revision);
        };
        let mut commit = self.peel_to_commit(id)?;
        for step in steps {
            let (count, parent) = match step {
                Step::Ancestor(count) => (count, 0),
                Step::Parent(0) => continue,
                Step::Parent(number) => (1, number - 1),
            };
            for _ in 0..count {
                let id = commit.parent_id(parent).map_err(RevisionError::NotFound)?;
                commit = self.commit(id)?;
            }
        }
        Ok(commit)
    }

    /// The object a name stands for, as libgit2's parser would try it: a
    /// full id, a ref, then a prefix of an id. Only refs and the index of
    /// objects are read, never an object.
    fn name_to_id(&self, name: &str) -> Option<Oid> {
        let hex = name.len() >= 4 && name.bytes().all(|byte| byte.is_ascii_hexdigit());
        // A whole SHA-1 id: libgit2-sys is built without SHA-256 objects.
        if hex && name.len() == 40 {
            return Oid::from_str(name).ok();
        }
        if let Ok(reference) = self.repository.resolve_reference_from_short_name(name) {
            return reference.resolve().ok()?.target();
        }
        if !hex {
            return None;
        }
        let odb = self.repository.odb().ok()?;
        odb.exists_prefix(Oid::from_str(name).ok()?, name.len())
            .ok()
    }

    /// The commit `id` stands for, through any annotated tags.
    fn peel_to_commit(&self, mut id: Oid) -> Result<Commit<'_>, RevisionError> {
        loop {
            self.loose.check(id)?;
            let object = self
                .repository
                .find_object(id, None)
                .map_err(|error| RevisionError::Object(ObjectError::Git(error)))?;
            match object.kind() {
                Some(ObjectType::Commit) => {
                    return object.into_commit().map_err(|_| not_a_commit(id));
                }
                Some(ObjectType::Tag) => {
                    id = object.as_tag().ok_or_else(|| not_a_commit(id))?.target_id();
                }
                _ => return Err(not_a_commit(id)),
            }
        }
    }

    fn parsed_by_libgit2(&self, revision: &str) -> Result<Commit<'_>, RevisionError> {
        self.repository
            .revparse_single(revision)
            .and_then(|object| object.peel_to_commit())
            .map_err(RevisionError::NotFound)
    }

    /// The entry at `path` (`/`-separated, relative to `tree`), or `None`
    /// when nothing is there.
    ///
    /// Looked up one folder at a time rather than with `Tree::get_path`,
    /// whose one error stands both for a path that is not there and for a
    /// folder object that cannot be read ("object not found"), and which
    /// reads the folders without the guard: here absence is `None` and only
    /// a failed read is an error, so a corrupt repository does not pass for
    /// a missing path.
    pub(crate) fn entry_at(
        &self,
        tree: &Tree<'_>,
        path: &str,
    ) -> Result<Option<TreeEntry<'static>>, ObjectError> {
        let mut names = path.split('/').filter(|name| !name.is_empty()).peekable();
        let mut current = tree.clone();
        while let Some(name) = names.next() {
            let Some(entry) = current.get_name(name).map(|entry| entry.to_owned()) else {
                return Ok(None);
            };
            if names.peek().is_none() {
                return Ok(Some(entry));
            }
            if entry.kind() != Some(ObjectType::Tree) {
                return Ok(None);
            }
            current = self.tree(entry.id())?;
        }
        // An empty path names no entry.
        Ok(None)
    }

    /// Calls `visit` with the path (`prefix`, empty or ending in `/`, then
    /// the path in `tree`) of every entry below `tree` that is not a tree,
    /// parents before children. Subtrees are read through the guard, where
    /// `Tree::walk` would have libgit2 read them.
    pub(crate) fn walk(
        &self,
        tree: &Tree<'_>,
        prefix: &str,
        visit: &mut dyn FnMut(String, &TreeEntry<'_>),
    ) -> Result<(), ObjectError> {
        for entry in tree.iter() {
            let Ok(name) = entry.name() else {
                continue;
            };
            let path = format!("{prefix}{name}");
            if entry.kind() == Some(ObjectType::Tree) {
                let subtree = self.tree(entry.id())?;
                self.walk(&subtree, &format!("{path}/"), visit)?;
            } else {
                visit(path, &entry);
            }
        }
        Ok(())
    }
}

fn not_a_commit(id: Oid) -> RevisionError {
    RevisionError::NotFound(git2::Error::from_str(&format!("{id} is not a commit")))
}

/// A revision split into its name and the `~n`/`^n` steps after it, or
/// `None` for other syntax.
fn split_steps(revision: &str) -> Option<(&str, Vec<Step>)> {
    let start = revision.find(['~', '^']).unwrap_or(revision.len());
    let (base, mut rest) = revision.split_at(start);
    if base.is_empty() || base.contains(['@', ':', '{']) {
        return None;
    }
    let mut steps = Vec::new();
    while let Some(operator) = rest.chars().next() {
        rest = &rest[1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let count = match digits {
            0 => 1,
            _ => rest[..digits].parse().ok()?,
        };
        rest = &rest[digits..];
        steps.push(match operator {
            '~' => Step::Ancestor(count),
            '^' => Step::Parent(count),
            _ => return None,
        });
    }
    Some((base, steps))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_commits::{cut_short, within_deadline};

    /// A repository with two commits of `site/pages/a.md` (and a file beside
    /// it): the ids of the first commit, the second, its `site/pages` tree
    /// and the page's second blob.
    fn two_commits(root: &Path) -> [Oid; 4] {
        let repository = Repository::init(root).unwrap();
        let mut commits: Vec<Oid> = Vec::new();
        let mut last = None;
        for text in ["first version\n", "second version\n"] {
            let page = repository.blob(text.repeat(200).as_bytes()).unwrap();
            let other = repository.blob(b"title: Site\n").unwrap();
            let mut pages = repository.treebuilder(None).unwrap();
            pages.insert("a.md", page, 0o100644).unwrap();
            let pages = pages.write().unwrap();
            let mut site = repository.treebuilder(None).unwrap();
            site.insert("pages", pages, 0o040000).unwrap();
            site.insert("_config.yml", other, 0o100644).unwrap();
            let site = site.write().unwrap();
            let mut root_tree = repository.treebuilder(None).unwrap();
            root_tree.insert("site", site, 0o040000).unwrap();
            let tree = root_tree.write().unwrap();
            commits.push(crate::test_commits::commit_on_head(&repository, tree, text));
            last = Some((pages, page));
        }
        let (pages, page) = last.unwrap();
        [commits[0], commits[1], pages, page]
    }

    #[test]
    fn every_read_of_a_loose_object_cut_short_ends_naming_it() {
        use crate::{GitError, GitTreeSource, OpenRevisionError};
        use gazette_content::Source;

        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_owned();
        let [_, _, pages, page] = two_commits(&root);
        let named = |message: String, id: Oid| {
            assert!(message.contains(&id.to_string()), "{message}");
            assert!(message.contains("cut short"), "{message}");
        };

        // A page's blob: the folder opens, reading the page fails.
        let file = cut_short(&root, page);
        let path = root.clone();
        let read = within_deadline(move || {
            let source = GitTreeSource::open(&path, "HEAD", "site").unwrap();
            source.read("pages/a.md").map_err(|error| error.to_string())
        });
        let message = read.unwrap_err();
        named(message.clone(), page);
        assert!(message.contains(&file.display().to_string()), "{message}");

        // The page's folder: opening the site fails, naming it.
        cut_short(&root, pages);
        let path = root.clone();
        let opened = within_deadline(move || GitTreeSource::open(&path, "HEAD", "site").err());
        let error = opened.expect("a damaged folder");
        assert!(
            matches!(error, OpenRevisionError::Damaged { .. }),
            "{error}"
        );
        assert_eq!(error.damaged_object().unwrap().id, pages.to_string());
        named(error.to_string(), pages);
        let path = root.clone();
        let dates = within_deadline(move || crate::last_changed(&path, "HEAD", "site", None));
        named(dates.unwrap_err().to_string(), pages);

        // An older commit, met by the walk that dates files.
        let fresh = tempfile::tempdir().unwrap();
        let root = fresh.path().to_owned();
        let [first, second, ..] = two_commits(&root);
        cut_short(&root, first);
        let path = root.clone();
        let dates = within_deadline(move || crate::last_changed(&path, "HEAD", "site", None));
        let error = dates.unwrap_err();
        assert!(matches!(error, GitError::Damaged(_)), "{error}");
        named(error.to_string(), first);
        let path = root.clone();
        let previous = within_deadline(move || {
            crate::resolve_commit(&path, "HEAD~1").map_err(|e| e.to_string())
        });
        named(previous.unwrap_err(), first);

        // HEAD itself: every function that starts from a revision stops.
        cut_short(&root, second);
        let path = root.clone();
        let errors = within_deadline(move || {
            [
                crate::resolve_commit(&path, "HEAD").err(),
                crate::folder_exists(&path, "HEAD", "site").err(),
                crate::read_file_at(&path, "HEAD", "site/_config.yml").err(),
                crate::changed_files(&path, "HEAD", "HEAD", "site").err(),
                crate::last_changed(&path, "HEAD", "site", None).err(),
            ]
            .map(|error| error.map(|error| error.to_string()))
        });
        for error in errors {
            named(error.expect("an error"), second);
        }
    }

    #[test]
    fn revisions_split_into_a_name_and_parent_steps() {
        assert_eq!(split_steps("HEAD"), Some(("HEAD", vec![])));
        assert_eq!(
            split_steps("main~2^2^"),
            Some((
                "main",
                vec![Step::Ancestor(2), Step::Parent(2), Step::Parent(1)]
            ))
        );
        assert_eq!(split_steps("v1^0"), Some(("v1", vec![Step::Parent(0)])));
        for other in ["HEAD^{tree}", "@{u}", "HEAD:path", "~1", "", "a~b"] {
            assert_eq!(split_steps(other), None, "{other}");
        }
    }

    #[test]
    fn revisions_resolve_as_libgit2_resolves_them() {
        let dir = tempfile::tempdir().unwrap();
        let repository = Repository::init(dir.path()).unwrap();
        let mut commits: Vec<Oid> = Vec::new();
        for message in ["one", "two", "three"] {
            let mut builder = repository.treebuilder(None).unwrap();
            let blob = repository.blob(message.as_bytes()).unwrap();
            builder.insert("file", blob, 0o100644).unwrap();
            let tree = builder.write().unwrap();
            commits.push(crate::test_commits::commit_on_head(
                &repository,
                tree,
                message,
            ));
        }
        let signature = git2::Signature::now("Test", "test@example.org").unwrap();
        let head = repository.head().unwrap().peel_to_commit().unwrap();
        repository
            .tag("v1", head.as_object(), &signature, "tagged", false)
            .unwrap();
        let branch = repository.head().unwrap().shorthand().unwrap().to_owned();
        let objects = Objects::new(Repository::open(dir.path()).unwrap());
        let third = commits[2].to_string();
        for revision in [
            "HEAD",
            "HEAD~1",
            "HEAD^^",
            "HEAD~2^0",
            "v1",
            "v1~1",
            &branch,
            &third,
            &third[..7],
            "HEAD^{commit}",
        ] {
            let ours = objects.revision(revision).unwrap().id();
            let theirs = repository
                .revparse_single(revision)
                .unwrap()
                .peel_to_commit()
                .unwrap()
                .id();
            assert_eq!(ours, theirs, "{revision}");
        }
        for missing in ["HEAD~3", "HEAD^2", "no-such-branch", "0123456789"] {
            assert!(
                matches!(objects.revision(missing), Err(RevisionError::NotFound(_))),
                "{missing}"
            );
        }
    }
}
