//! Bringing another repository's history into a folder of this one.
//!
//! [`fetch_history`] copies a repository's objects into the workspace's
//! repository (from a folder, a `file://` URL or a bundle file) and names
//! the tip under `refs/gazette/import/<name>`. [`graft_history`] then
//! rewrites each of its commits so its tree is the workspace's tree at HEAD
//! with the commit's own tree at `folder`, authors, committers, dates and
//! messages kept, the first commits' parent being HEAD, and moves the branch
//! to the rewritten tip (plus one commit for files the import adds). The
//! workspace's history goes on as before and the site's history follows it:
//! a first-parent walk of the site's folder meets each original commit,
//! so "last updated" dates are those of the original repository.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository, Signature, Sort};

/// Why an import could not be done.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The source could not be read as a repository or a bundle.
    #[error("cannot read {source_name} as a Git repository: {message}")]
    Source {
        /// The path or URL given.
        source_name: String,
        /// What went wrong.
        message: String,
    },
    /// The folder already exists at HEAD.
    #[error("`{0}` already exists in the workspace's HEAD; choose another name with --name")]
    FolderTaken(String),
    /// The workspace's repository failed.
    #[error("git: {0}")]
    Git(String),
    /// Reading the bundle failed.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
}

impl From<git2::Error> for ImportError {
    fn from(error: git2::Error) -> Self {
        Self::Git(error.message().to_owned())
    }
}

/// What [`graft_history`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraftedHistory {
    /// How many of the source's commits were rewritten.
    pub commits: usize,
    /// The branch's new tip.
    pub tip: String,
}

/// The ref a fetched history is kept under until it is grafted.
pub fn import_ref(name: &str) -> String {
    format!("refs/gazette/import/{name}")
}

/// Copies the history of `source` (a repository folder, a `file://` URL or a
/// bundle file made by `git bundle`) into the repository at `repository` and
/// points [`import_ref`]`(name)` at its tip (the source's HEAD, or a
/// bundle's HEAD, else its first branch). Returns the tip's id.
pub fn fetch_history(repository: &Path, source: &str, name: &str) -> Result<String, ImportError> {
    let repo = Repository::discover(repository)?;
    let refname = import_ref(name);
    let source_error = |message: String| ImportError::Source {
        source_name: source.to_owned(),
        message,
    };
    let as_path = Path::new(source);
    let tip = if as_path.is_file() {
        fetch_bundle(&repo, as_path).map_err(|error| match error {
            ImportError::Git(message) => source_error(message),
            other => other,
        })?
    } else {
        let mut remote = repo
            .remote_anonymous(source)
            .map_err(|e| source_error(e.message().to_owned()))?;
        let spec = format!("+HEAD:{refname}");
        remote
            .fetch(&[spec.as_str()], None, None)
            .map_err(|e| source_error(e.message().to_owned()))?;
        repo.refname_to_id(&refname)?
    };
    repo.reference(&refname, tip, true, "gazette import: fetched")?;
    Ok(tip.to_string())
}

/// Reads a bundle: a header of refs, a blank line, then a pack, which goes
/// into the object database whole.
fn fetch_bundle(repo: &Repository, path: &Path) -> Result<Oid, ImportError> {
    let bytes = std::fs::read(path).map_err(|error| ImportError::Io(path.to_owned(), error))?;
    let not_bundle = || ImportError::Git("not a Git bundle (v2 or v3)".to_owned());
    let mut rest: &[u8] = &bytes;
    let mut refs: Vec<(String, Oid)> = Vec::new();
    let mut first = true;
    loop {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(not_bundle)?;
        let line = std::str::from_utf8(&rest[..end]).map_err(|_| not_bundle())?;
        rest = &rest[end + 1..];
        if first {
            if line != "# v2 git bundle" && line != "# v3 git bundle" {
                return Err(not_bundle());
            }
            first = false;
            continue;
        }
        if line.is_empty() {
            break;
        }
        if line.starts_with('@') {
            continue; // v3 capabilities
        }
        if line.starts_with('-') {
            return Err(ImportError::Git(
                "the bundle needs commits it does not hold (it was made from a partial history)"
                    .to_owned(),
            ));
        }
        let (id, name) = line.split_once(' ').ok_or_else(not_bundle)?;
        refs.push((name.to_owned(), Oid::from_str(id)?));
    }
    let odb = repo.odb()?;
    let mut writer = odb.packwriter()?;
    writer
        .write_all(rest)
        .map_err(|error| ImportError::Io(path.to_owned(), error))?;
    writer.commit()?;
    let pick = |wanted: &str| refs.iter().find(|(name, _)| name == wanted);
    pick("HEAD")
        .or_else(|| {
            refs.iter()
                .find(|(name, _)| name.starts_with("refs/heads/"))
        })
        .or_else(|| refs.first())
        .map(|(_, id)| *id)
        .ok_or_else(|| ImportError::Git("the bundle names no branch".to_owned()))
}

/// Rewrites the history ending at `tip` under `folder` on top of HEAD (see
/// the module's text), adds `extra_files` (paths inside `folder`) in one more
/// commit with `message`, moves HEAD's branch there and writes `folder` into
/// the working folder. Refuses a folder HEAD already has.
pub fn graft_history(
    repository: &Path,
    tip: &str,
    folder: &str,
    extra_files: &[(&str, &[u8])],
    message: &str,
) -> Result<GraftedHistory, ImportError> {
    let repo = Repository::discover(repository)?;
    let folder = folder.trim_matches('/');
    let head = match repo.head() {
        Ok(head) => Some(head.peel_to_commit()?),
        Err(error) if error.code() == git2::ErrorCode::UnbornBranch => None,
        Err(error) => return Err(error.into()),
    };
    let base_tree = match &head {
        Some(commit) => Some(commit.tree()?),
        None => None,
    };
    if let Some(tree) = &base_tree
        && tree.get_path(Path::new(folder)).is_ok()
    {
        return Err(ImportError::FolderTaken(folder.to_owned()));
    }

    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    walk.push(Oid::from_str(tip)?)?;
    let mut rewritten: HashMap<Oid, Oid> = HashMap::new();
    let mut last = head.as_ref().map(git2::Commit::id);
    let mut count = 0;
    for id in walk {
        let original = repo.find_commit(id?)?;
        let tree = tree_with(&repo, base_tree.as_ref(), folder, original.tree_id())?;
        let mut parents: Vec<Oid> = original
            .parent_ids()
            .map(|parent| rewritten[&parent])
            .collect();
        if parents.is_empty()
            && let Some(head) = &head
        {
            parents.push(head.id());
        }
        let parents: Vec<git2::Commit<'_>> = parents
            .iter()
            .map(|id| repo.find_commit(*id))
            .collect::<Result<_, _>>()?;
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let new = repo.commit(
            None,
            &original.author(),
            &original.committer(),
            &String::from_utf8_lossy(original.message_bytes()),
            &repo.find_tree(tree)?,
            &parent_refs,
        )?;
        rewritten.insert(original.id(), new);
        last = Some(new);
        count += 1;
    }
    let mut tip = last.ok_or_else(|| ImportError::Git("the source has no commits".into()))?;
    if !extra_files.is_empty() {
        tip = commit_extra_files(&repo, tip, folder, extra_files, message)?;
    }
    move_head(&repo, tip, folder)?;
    Ok(GraftedHistory {
        commits: count,
        tip: tip.to_string(),
    })
}

/// `base` (or an empty tree) with `inner` placed at `folder`.
fn tree_with(
    repo: &Repository,
    base: Option<&git2::Tree<'_>>,
    folder: &str,
    inner: Oid,
) -> Result<Oid, ImportError> {
    let Some((first, rest)) = folder.split_once('/') else {
        let mut builder = repo.treebuilder(base)?;
        builder.insert(folder, inner, 0o040000)?;
        return Ok(builder.write()?);
    };
    let below = base
        .and_then(|tree| tree.get_name(first))
        .filter(|entry| entry.kind() == Some(ObjectType::Tree))
        .map(|entry| repo.find_tree(entry.id()))
        .transpose()?;
    let child = tree_with(repo, below.as_ref(), rest, inner)?;
    let mut builder = repo.treebuilder(base)?;
    builder.insert(first, child, 0o040000)?;
    Ok(builder.write()?)
}

/// One commit on `parent` adding `files` under `folder`, by the
/// repository's configured user (or Gazette).
fn commit_extra_files(
    repo: &Repository,
    parent: Oid,
    folder: &str,
    files: &[(&str, &[u8])],
    message: &str,
) -> Result<Oid, ImportError> {
    let parent = repo.find_commit(parent)?;
    let mut tree = parent.tree()?;
    for (path, bytes) in files {
        let blob = repo.blob(bytes)?;
        let full = format!("{folder}/{path}");
        let (dir, name) = full.rsplit_once('/').unwrap_or(("", full.as_str()));
        let dir_tree = tree
            .get_path(Path::new(dir))
            .ok()
            .map(|entry| repo.find_tree(entry.id()))
            .transpose()?;
        let mut builder = repo.treebuilder(dir_tree.as_ref())?;
        builder.insert(name, blob, 0o100644)?;
        let new_dir = builder.write()?;
        tree = repo.find_tree(tree_with(repo, Some(&tree), dir, new_dir)?)?;
    }
    let signature = repo
        .signature()
        .or_else(|_| Signature::now("Gazette", "gazette@localhost"))?;
    Ok(repo.commit(None, &signature, &signature, message, &tree, &[&parent])?)
}

/// Points HEAD's branch (or a detached HEAD) at `tip` and writes `folder` of
/// its tree into the working folder and the index; nothing else of the
/// working folder is touched.
fn move_head(repo: &Repository, tip: Oid, folder: &str) -> Result<(), ImportError> {
    let commit = repo.find_commit(tip)?;
    let message = "gazette import";
    match repo.head() {
        Ok(head) if head.is_branch() => {
            let name = head.name().unwrap_or("HEAD").to_owned();
            repo.reference(&name, tip, true, message)?;
        }
        Ok(_) => repo.set_head_detached(tip)?,
        Err(_) => {
            // An unborn branch: HEAD names it, the ref does not exist yet.
            let target = repo
                .find_reference("HEAD")?
                .symbolic_target()
                .ok()
                .flatten()
                .unwrap_or("refs/heads/main")
                .to_owned();
            repo.reference(&target, tip, true, message)?;
        }
    }
    if repo.is_bare() {
        return Ok(());
    }
    let mut checkout = git2::build::CheckoutBuilder::new();
    checkout.path(folder).force();
    repo.checkout_tree(commit.as_object(), Some(&mut checkout))?;
    Ok(())
}
