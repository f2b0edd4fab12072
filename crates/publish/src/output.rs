//! Writing a rendered site to a folder, all or nothing.
//!
//! Each publish is written to a version folder beside the output, and the
//! output path (a symbolic link) is switched to it with one atomic rename. A
//! reader, or a publish killed at any moment, only ever sees a complete
//! version; leftovers of an interrupted publish are cleaned by the next one.
//! A folder Gazette did not write is never replaced, and two publishes of the
//! same output never run at once.
//!
//! Versions are double-buffered, so that a publish costs what changed rather
//! than what the site holds: the version before the current one (the spare)
//! is kept, and the next publish recycles it instead of making every folder,
//! writing or linking every file, and then deleting a whole old version. The
//! spare is first renamed to a staging name, so a publish killed while
//! recycling leaves a folder the next one removes, like an interrupted full
//! write. The spare's manifest names the unit and inputs behind each of its
//! files: a file whose unit has the same inputs now is left alone, every
//! other one is removed, and changed or new outputs are written as new files.
//! A file is never written in place: versions share files through hard
//! links, so writing into one would change the live version too. Without a
//! usable spare, every file is written into a new folder, unchanged ones
//! hard-linked from the current version.

use std::cmp::Reverse;
use std::collections::HashSet;
use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use gazette_content::Source;
use rayon::prelude::*;

use crate::manifest::{MANIFEST_PATH, Manifest, ManifestSummary};
use crate::render::{OutputContents, RenderedSite};

/// The file that marks a folder as Gazette's output, so it may be replaced.
pub const OUTPUT_MARKER: &str = ".gazette-output";

/// Why a site could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The folder exists, is not empty and was not written by Gazette.
    #[error("{0} exists and was not written by Gazette; refusing to replace it")]
    NotOurs(PathBuf),
    /// Another publish holds the lock on this output.
    #[error("another publish of {0} is running; wait for it to finish and try again")]
    Busy(PathBuf),
    /// An output path would land outside the output folder.
    #[error("output path `{0}` would leave the output folder")]
    Escapes(String),
    /// A file to reuse from the previous publish is gone.
    #[error("{0} is missing from the previous publish")]
    MissingPrevious(PathBuf),
    /// A file could not be read from the source.
    #[error("cannot read `{path}` from the site: {message}")]
    Source {
        /// The source path.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Joins a `/`-separated relative output path to `root`, refusing anything
/// that could name a place outside it.
pub fn safe_join(root: &Path, relative: &str) -> Result<PathBuf, OutputError> {
    let escapes = || OutputError::Escapes(relative.to_owned());
    if relative.is_empty() || relative.contains(['\\', '\0']) {
        return Err(escapes());
    }
    let path = Path::new(relative);
    if !path
        .components()
        .all(|component| matches!(component, Component::Normal(_)))
    {
        return Err(escapes());
    }
    Ok(root.join(path))
}

/// A folder a site is published to: `out_dir` is a symbolic link to the
/// current version, kept in a hidden folder beside it.
#[derive(Debug, Clone)]
pub struct FolderTarget {
    out_dir: PathBuf,
    parent: PathBuf,
    versions: PathBuf,
    versions_name: String,
}

/// The version a publish recycles, with its manifest. It can be found
/// before the publish ([`FolderTarget::find_spare`]): reading the manifest
/// of a large site takes tens of milliseconds, which can pass while the site
/// loads and renders.
#[derive(Debug)]
pub struct Spare {
    path: PathBuf,
    manifest: Manifest,
}

/// Holds a target's lock; dropping it (or the process dying) releases it.
#[derive(Debug)]
pub struct TargetLock {
    _file: fs::File,
}

impl FolderTarget {
    /// The target for `out_dir` (which need not exist yet).
    pub fn new(out_dir: &Path) -> Self {
        let parent = out_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_owned();
        let name = out_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        let versions_name = format!(".{name}.gazette");
        Self {
            out_dir: out_dir.to_owned(),
            versions: parent.join(&versions_name),
            parent,
            versions_name,
        }
    }

    /// Takes the target's lock, or says who holds it.
    pub fn lock(&self) -> Result<TargetLock, OutputError> {
        fs::create_dir_all(&self.versions).map_err(io(&self.versions))?;
        let path = self.versions.join("lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(TargetLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(OutputError::Busy(self.out_dir.clone())),
            Err(fs::TryLockError::Error(error)) => Err(OutputError::Io {
                path,
                source: error,
            }),
        }
    }

    /// The manifest of the version currently published, if any.
    pub fn current_manifest(&self) -> Option<Manifest> {
        Manifest::from_bytes(&fs::read(self.out_dir.join(MANIFEST_PATH)).ok()?)
    }

    /// The summary of the current version's manifest, read from its first
    /// bytes alone.
    pub fn current_manifest_summary(&self) -> Option<ManifestSummary> {
        let file = fs::File::open(self.out_dir.join(MANIFEST_PATH)).ok()?;
        let mut start = Vec::with_capacity(ManifestSummary::PREFIX);
        file.take(ManifestSummary::PREFIX as u64)
            .read_to_end(&mut start)
            .ok()?;
        ManifestSummary::from_bytes(&start)
    }

    /// Writes `site` as a new version and switches the output to it. The
    /// caller holds the lock. The spare version is recycled when it can be
    /// (see the module's documentation); otherwise the version is written
    /// whole, outputs marked for reuse hard-linked from the current version.
    /// The version that was current becomes the spare.
    pub fn publish(&self, site: &RenderedSite, source: &dyn Source) -> Result<(), OutputError> {
        self.publish_with_spare(site, source, self.find_spare())
    }

    /// The spare the next publish would recycle, if there is a usable one
    /// (see [`FolderTarget::publish_with_spare`]). The caller holds the lock.
    pub fn find_spare(&self) -> Option<Spare> {
        let current = self.check_replaceable().ok()?;
        self.usable_spare(current.as_deref())
    }

    /// [`FolderTarget::publish`] with the spare found before, under the same
    /// lock, by [`FolderTarget::find_spare`].
    pub fn publish_with_spare(
        &self,
        site: &RenderedSite,
        source: &dyn Source,
        spare: Option<Spare>,
    ) -> Result<(), OutputError> {
        let current = self.check_replaceable()?;
        fs::create_dir_all(&self.versions).map_err(io(&self.versions))?;
        // Never the live version, whoever found it.
        let spare = spare.filter(|spare| {
            current
                .as_deref()
                .is_none_or(|current| !same_path(current, &spare.path))
        });
        let keep: Vec<&Path> = current
            .as_deref()
            .into_iter()
            .chain(spare.as_ref().map(|spare| spare.path.as_path()))
            .collect();
        self.remove_leftovers(&keep)?;
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let staging = self
            .versions
            .join(format!("tmp-{}-{stamp}", std::process::id()));
        let result = match &spare {
            Some(spare) => recycle_tree(
                site,
                source,
                current.as_deref(),
                &spare.path,
                &spare.manifest,
                &staging,
            ),
            None => write_tree(site, source, current.as_deref(), &staging),
        };
        if let Err(error) = result {
            // The staging folder is ours and useless after a failure.
            let _ = fs::remove_dir_all(&staging);
            return Err(error);
        }
        let version_name = format!("v-{stamp}");
        let version = self.versions.join(&version_name);
        fs::rename(&staging, &version).map_err(io(&version))?;
        self.switch_to(&version_name)?;
        let keep: Vec<&Path> = std::iter::once(version.as_path())
            .chain(current.as_deref())
            .collect();
        self.remove_leftovers(&keep)?;
        if spare.is_none() && site.manifest.lists_every_file {
            // No spare was recycled: a first publish, or one after an upgrade
            // of Gazette (the old versions' outputs are another program's).
            // The version it replaced cannot become a spare the next publish
            // recycles, so link one of the new version: the next publish then
            // patches a few files instead of writing the whole tree again.
            // (A version whose manifest does not list every file is never
            // recycled, so it gets no spare.)
            self.link_spare(&version, stamp);
        }
        Ok(())
    }

    /// Makes a spare of `version` by hard links, named as older than it.
    /// Only an aid: when it cannot be made, the next publish writes a whole
    /// tree instead.
    fn link_spare(&self, version: &Path, stamp: u128) {
        let staging = self
            .versions
            .join(format!("tmp-{}-{stamp}-spare", std::process::id()));
        let spare = self.versions.join(format!("v-{}", stamp.saturating_sub(1)));
        if link_tree(version, &staging)
            .and_then(|()| fs::rename(&staging, &spare))
            .is_err()
        {
            let _ = fs::remove_dir_all(&staging);
        }
    }

    /// The newest version other than the current one, with its manifest, if
    /// that manifest is readable, of this program and names every file: only
    /// then is it known exactly what the version holds and why.
    fn usable_spare(&self, current: Option<&Path>) -> Option<Spare> {
        let (_, path) = fs::read_dir(&self.versions)
            .ok()?
            .flatten()
            .filter_map(|entry| {
                let stamp: u128 = entry
                    .file_name()
                    .to_str()?
                    .strip_prefix("v-")?
                    .parse()
                    .ok()?;
                let path = entry.path();
                let is_dir = entry.file_type().ok()?.is_dir();
                let is_current = current.is_some_and(|current| same_path(current, &path));
                (is_dir && !is_current).then_some((stamp, path))
            })
            .max_by_key(|(stamp, _)| *stamp)?;
        let bytes = fs::read(path.join(MANIFEST_PATH)).ok()?;
        let manifest = Manifest::from_bytes(&bytes)
            .filter(|manifest| manifest.is_from_this_tool() && manifest.lists_every_file)?;
        Some(Spare { path, manifest })
    }

    /// The current version folder if the output is ours, `None` if there is
    /// none yet; an error if the output is something Gazette did not write.
    fn check_replaceable(&self) -> Result<Option<PathBuf>, OutputError> {
        let metadata = match fs::symlink_metadata(&self.out_dir) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io(&self.out_dir)(error)),
        };
        if metadata.file_type().is_symlink() {
            let target = fs::read_link(&self.out_dir).map_err(io(&self.out_dir))?;
            let ours =
                target.starts_with(&self.versions_name) || target.starts_with(&self.versions);
            if !ours {
                return Err(OutputError::NotOurs(self.out_dir.clone()));
            }
            return Ok(Some(self.parent.join(target)));
        }
        if metadata.is_dir() {
            if self.out_dir.join(OUTPUT_MARKER).is_file() {
                return Ok(Some(self.out_dir.clone()));
            }
            let mut entries = fs::read_dir(&self.out_dir).map_err(io(&self.out_dir))?;
            if entries.next().is_none() {
                return Ok(None);
            }
        }
        Err(OutputError::NotOurs(self.out_dir.clone()))
    }

    /// Points the output at `version_name` with one rename.
    fn switch_to(&self, version_name: &str) -> Result<(), OutputError> {
        let relative = Path::new(&self.versions_name).join(version_name);
        let link = self.versions.join(format!("link-{}", std::process::id()));
        let _ = fs::remove_file(&link);
        // The link is renamed to sit beside the versions folder, so its target
        // is relative to the output's parent.
        symlink(&relative, &link).map_err(io(&link))?;
        let is_real_dir = fs::symlink_metadata(&self.out_dir)
            .map(|m| m.is_dir())
            .unwrap_or(false);
        if is_real_dir {
            // A folder from an older build: move it aside first (the only
            // moment the output is briefly absent, once per output).
            let aside = self.versions.join(format!("old-{}", std::process::id()));
            fs::rename(&self.out_dir, &aside).map_err(io(&self.out_dir))?;
        }
        fs::rename(&link, &self.out_dir).map_err(io(&self.out_dir))
    }

    /// Removes interrupted publishes and versions other than those in `keep`.
    fn remove_leftovers(&self, keep: &[&Path]) -> Result<(), OutputError> {
        let entries = fs::read_dir(&self.versions).map_err(io(&self.versions))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "lock" || keep.iter().any(|keep| same_path(keep, &path)) {
                continue;
            }
            let removed = if path.is_dir() && !path.is_symlink() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            removed.map_err(io(&path))?;
        }
        Ok(())
    }
}

/// Recreates the tree `from` at `to` with hard links to its files.
fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            link_tree(&entry.path(), &target)?;
        } else {
            fs::hard_link(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_dir(target, link)
}

/// Writes every output of `site` into `root`, a folder made for it.
fn write_tree(
    site: &RenderedSite,
    source: &dyn Source,
    previous: Option<&Path>,
    root: &Path,
) -> Result<(), OutputError> {
    // Folders first, each once: thousands of pages share a few hundred folders.
    let mut targets = Vec::with_capacity(site.outputs.len());
    let mut folders: HashSet<PathBuf> = HashSet::new();
    fs::create_dir_all(root).map_err(io(root))?;
    for output in &site.outputs {
        let target = safe_join(root, &output.path)?;
        if let Some(folder) = target.parent()
            && folders.insert(folder.to_owned())
        {
            fs::create_dir_all(folder).map_err(io(folder))?;
        }
        targets.push(target);
    }
    // Then the files, in parallel: writing is what a large build waits on.
    site.outputs
        .par_iter()
        .zip(targets.par_iter())
        .try_for_each(|(output, target)| write_output(output, target, source, previous))?;
    write_marker(root)
}

/// Makes `staging` hold `site` from the `spare` version, whose manifest is
/// `old`. Should the spare not be as its manifest says, it is dropped and the
/// version written whole: recycling is only ever a shortcut.
fn recycle_tree(
    site: &RenderedSite,
    source: &dyn Source,
    previous: Option<&Path>,
    spare: &Path,
    old: &Manifest,
    staging: &Path,
) -> Result<(), OutputError> {
    // Under the staging name first: a publish killed while the spare is half
    // changed leaves a folder the next publish removes, never a version.
    if fs::rename(spare, staging).is_ok()
        && update_tree(site, source, previous, old, staging).is_ok()
    {
        return Ok(());
    }
    if staging.exists() {
        fs::remove_dir_all(staging).map_err(io(staging))?;
    }
    write_tree(site, source, previous, staging)
}

/// Brings `root`, a complete version whose manifest is `old`, to `site`,
/// touching only the files and folders that differ. Any surprise (a file
/// missing or in the way) is an error, never papered over.
fn update_tree(
    site: &RenderedSite,
    source: &dyn Source,
    previous: Option<&Path>,
    old: &Manifest,
    root: &Path,
) -> Result<(), OutputError> {
    let new_paths: HashSet<&str> = site.outputs.iter().map(|o| o.path.as_str()).collect();
    // A file stays when the unit writing it now read the very inputs it was
    // written from: rendering again would give the same bytes.
    let mut kept: HashSet<&str> = HashSet::with_capacity(new_paths.len());
    for (id, unit) in &site.manifest.units {
        let Some(records) = old.reusable(id, &unit.inputs_digest) else {
            continue;
        };
        for record in &unit.outputs {
            let path = record.path.as_str();
            if new_paths.contains(path) && records.iter().any(|old| old.path == path) {
                kept.insert(path);
            }
        }
    }
    let mut old_paths: HashSet<&str> = HashSet::with_capacity(new_paths.len());
    old_paths.extend(
        old.units
            .values()
            .flat_map(|unit| unit.outputs.iter().map(|record| record.path.as_str())),
    );

    // Remove every file not kept: changed ones are written anew, never into
    // (the file may be the live version's too), and the manifest and the
    // marker are always rewritten.
    let removed: Vec<&str> = old_paths
        .iter()
        .copied()
        .chain([MANIFEST_PATH, OUTPUT_MARKER])
        .filter(|path| !kept.contains(path))
        .collect::<HashSet<&str>>()
        .into_iter()
        .collect();
    removed.par_iter().try_for_each(|path| {
        let target = safe_join(root, path)?;
        fs::remove_file(&target).map_err(io(&target))
    })?;

    // Folders the new site no longer has are empty now: remove them, deepest
    // first. Then make the ones it lacks, shallowest first. The same files
    // (the usual publish: pages changed, none added or removed) mean the
    // same folders.
    // (The manifest, in the new outputs only, sits at the root: no folder.)
    let new_files = new_paths.len() - usize::from(new_paths.contains(MANIFEST_PATH));
    let same_files = old_paths.len() == new_files && old_paths.is_subset(&new_paths);
    if !same_files {
        update_folders(root, &old_paths, &new_paths)?;
    }

    let written: Vec<(&crate::Output, PathBuf)> = site
        .outputs
        .iter()
        .filter(|output| !kept.contains(output.path.as_str()))
        .map(|output| Ok((output, safe_join(root, &output.path)?)))
        .collect::<Result<_, OutputError>>()?;
    written
        .par_iter()
        .try_for_each(|(output, target)| write_output(output, target, source, previous))?;
    write_marker(root)
}

/// Every folder holding one of `paths` (`/`-separated, relative), at any depth.
/// Removes the folders only `old_paths` need (empty by now), deepest first,
/// then makes the ones only `new_paths` need, shallowest first.
fn update_folders(
    root: &Path,
    old_paths: &HashSet<&str>,
    new_paths: &HashSet<&str>,
) -> Result<(), OutputError> {
    let old_folders = folders(old_paths.iter().copied());
    let new_folders = folders(new_paths.iter().copied());
    let mut emptied: Vec<&str> = old_folders.difference(&new_folders).copied().collect();
    emptied.sort_by_key(|folder| Reverse(folder.len()));
    for folder in emptied {
        let target = safe_join(root, folder)?;
        fs::remove_dir(&target).map_err(io(&target))?;
    }
    let mut missing: Vec<&str> = new_folders.difference(&old_folders).copied().collect();
    missing.sort_by_key(|folder| folder.len());
    for folder in missing {
        let target = safe_join(root, folder)?;
        fs::create_dir(&target).map_err(io(&target))?;
    }
    Ok(())
}

fn folders<'a>(paths: impl Iterator<Item = &'a str>) -> HashSet<&'a str> {
    let mut folders = HashSet::new();
    for path in paths {
        let mut rest = path;
        while let Some(slash) = rest.rfind('/') {
            rest = &rest[..slash];
            if !folders.insert(rest) {
                // Its own parents are in already.
                break;
            }
        }
    }
    folders
}

fn write_marker(root: &Path) -> Result<(), OutputError> {
    let marker = root.join(OUTPUT_MARKER);
    write_new(
        &marker,
        b"This folder is written by Gazette and replaced on every build.\n",
    )
}

/// Writes a file that must not exist yet: files may be shared with other
/// versions through hard links, so one is never written in place.
fn write_new(target: &Path, contents: &[u8]) -> Result<(), OutputError> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(target)
        .map_err(io(target))?;
    file.write_all(contents).map_err(io(target))
}

fn write_output(
    output: &crate::Output,
    target: &Path,
    source: &dyn Source,
    previous: Option<&Path>,
) -> Result<(), OutputError> {
    let bytes;
    let contents: &[u8] = match &output.contents {
        OutputContents::Rendered(rendered) => rendered,
        OutputContents::Copy(path) => {
            bytes = source.read(path).map_err(|error| OutputError::Source {
                path: path.clone(),
                message: error.to_string(),
            })?;
            &bytes
        }
        OutputContents::Reuse(path) => {
            let from = previous
                .map(|previous| safe_join(previous, path))
                .transpose()?
                .filter(|from| from.is_file())
                .ok_or_else(|| OutputError::MissingPrevious(PathBuf::from(path)))?;
            // Files are never written in place, so sharing one is safe.
            match fs::hard_link(&from, target) {
                Ok(()) => return Ok(()),
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(io(target)(error));
                }
                // Where links are not possible, a copy of its own.
                Err(_) => {
                    bytes = fs::read(&from).map_err(io(&from))?;
                    &bytes
                }
            }
        }
    };
    write_new(target, contents)
}

/// Writes `site` to `out_dir` with a full build's outputs, taking the lock.
pub fn write_site(
    site: &RenderedSite,
    source: &dyn Source,
    out_dir: &Path,
) -> Result<(), OutputError> {
    let target = FolderTarget::new(out_dir);
    let _lock = target.lock()?;
    target.publish(site, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_cannot_leave_the_root() {
        let root = Path::new("/tmp/out");
        for bad in ["../x", "/etc/passwd", "a/../../b", "a\\b", "", "./a"] {
            assert!(safe_join(root, bad).is_err(), "{bad:?}");
        }
        assert_eq!(safe_join(root, "a/b.html").unwrap(), root.join("a/b.html"));
    }

    #[test]
    fn a_folder_gazette_did_not_write_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let site = RenderedSite::default();
        let source = gazette_content::MemorySource::default();
        assert!(matches!(
            write_site(&site, &source, &out),
            Err(OutputError::NotOurs(_))
        ));
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn a_second_publish_of_the_same_output_is_refused_while_the_first_runs() {
        let dir = tempfile::tempdir().unwrap();
        let target = FolderTarget::new(&dir.path().join("site"));
        let first = target.lock().unwrap();
        assert!(matches!(target.lock(), Err(OutputError::Busy(_))));
        drop(first);
        assert!(target.lock().is_ok());
    }

    #[test]
    fn publishing_switches_versions_and_keeps_the_previous_one_as_spare() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let target = FolderTarget::new(&out);
        let source = gazette_content::MemorySource::default();
        let rounds: [(Spec, &str); 3] = [
            (&[("index.md", "1", &[("index.html", "one")])], "one"),
            (&[("index.md", "2", &[("index.html", "two")])], "two"),
            (&[("index.md", "3", &[("index.html", "three")])], "three"),
        ];
        for (round, (spec, text)) in rounds.into_iter().enumerate() {
            let site = render(spec, target.current_manifest().as_ref());
            write_site(&site, &source, &out).unwrap();
            assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), text);
            assert_eq!(versions(&out).len(), 2, "the current and the spare");
            let spare = versions(&out)
                .into_iter()
                .map(|name| dir.path().join(".site.gazette").join(name))
                .find(|path| !same_path(path, &out))
                .unwrap();
            // The first publish links its own spare, so the next recycles;
            // later ones keep the version they replaced.
            let expected = if round == 0 {
                "one"
            } else {
                rounds[round - 1].1
            };
            assert_eq!(
                fs::read_to_string(spare.join("index.html")).unwrap(),
                expected
            );
        }
    }

    /// A test unit: its id, the id of its inputs (empty: none, as for a copy
    /// from a source without content ids) and its files, whose contents are
    /// text, or `copy:<path>` for a copy from the source.
    type Spec = &'static [(
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    )];

    /// Renders `spec` as `render_site` does: units whose inputs match
    /// `previous` are reused, and every unit is in the manifest.
    fn render(spec: Spec, previous: Option<&Manifest>) -> RenderedSite {
        let mut site = RenderedSite::default();
        for (id, inputs_id, files) in spec {
            let inputs: crate::manifest::Inputs = if inputs_id.is_empty() {
                Default::default()
            } else {
                [("file".to_owned(), inputs_id.to_string())].into()
            };
            let digest = crate::manifest::inputs_digest(&inputs);
            let reused = previous.is_some_and(|p| p.reusable(id, &digest).is_some());
            let mut records = Vec::new();
            for (path, contents) in *files {
                let contents = if reused {
                    OutputContents::Reuse(path.to_string())
                } else if let Some(from) = contents.strip_prefix("copy:") {
                    OutputContents::Copy(from.to_owned())
                } else {
                    OutputContents::Rendered(contents.as_bytes().to_vec())
                };
                site.outputs.push(crate::Output {
                    path: path.to_string(),
                    contents,
                    origin: id.to_string(),
                });
                records.push(crate::manifest::OutputRecord {
                    path: path.to_string(),
                    url: None,
                });
            }
            site.manifest.units.insert(
                id.to_string(),
                crate::manifest::UnitRecord::new(&inputs, records),
            );
        }
        site.manifest.lists_every_file = true;
        site.outputs.push(crate::Output {
            path: MANIFEST_PATH.into(),
            contents: OutputContents::Rendered(site.manifest.to_bytes()),
            origin: "manifest".into(),
        });
        site.outputs.sort_by(|a, b| a.path.cmp(&b.path));
        site
    }

    /// Every file (with its bytes) and folder (`None`) under `root`.
    fn snapshot(root: &Path) -> std::collections::BTreeMap<String, Option<Vec<u8>>> {
        fn walk(
            root: &Path,
            folder: &Path,
            into: &mut std::collections::BTreeMap<String, Option<Vec<u8>>>,
        ) {
            for entry in fs::read_dir(folder).unwrap().flatten() {
                let path = entry.path();
                let name = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let kind = entry.file_type().unwrap();
                assert!(!kind.is_symlink(), "{name} is a link");
                if kind.is_dir() {
                    into.insert(name, None);
                    walk(root, &path, into);
                } else {
                    into.insert(name, Some(fs::read(&path).unwrap()));
                }
            }
        }
        let mut files = std::collections::BTreeMap::new();
        walk(root, root, &mut files);
        files
    }

    /// The version folders of the output at `out`.
    fn versions(out: &Path) -> Vec<String> {
        let parent = out.parent().unwrap();
        let name = format!(".{}.gazette", out.file_name().unwrap().to_string_lossy());
        let mut names: Vec<String> = fs::read_dir(parent.join(name))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name != "lock")
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(path).unwrap().ino()
    }

    const A: Spec = &[
        ("index.md", "i1", &[("index.html", "home, first")]),
        ("about.md", "a1", &[("about/index.html", "about")]),
        (
            "docs.md",
            "d1",
            &[
                ("docs/index.html", "docs, first"),
                ("docs/page/2/index.html", "docs, page 2"),
            ],
        ),
        ("theme:style.css", "t1", &[("style.css", "body {}")]),
        (
            "media/logo.png",
            "",
            &[("media/logo.png", "copy:media/logo.png")],
        ),
        (
            "media/old.pdf",
            "p1",
            &[("media/old.pdf", "copy:media/old.pdf")],
        ),
        ("thing.md", "x1", &[("thing", "a file named thing")]),
    ];
    // The home page changes, docs lose a page, a file's name becomes a
    // folder's, a deep new page, a copy goes.
    const B: Spec = &[
        ("index.md", "i2", &[("index.html", "home, second")]),
        ("about.md", "a1", &[("about/index.html", "about")]),
        ("docs.md", "d2", &[("docs/index.html", "docs, second")]),
        ("theme:style.css", "t1", &[("style.css", "body {}")]),
        (
            "media/logo.png",
            "",
            &[("media/logo.png", "copy:media/logo.png")],
        ),
        (
            "thing.md",
            "x2",
            &[("thing/index.html", "thing, a folder now")],
        ),
        ("new.md", "n1", &[("new/deep/index.html", "new")]),
    ];
    // The home page as in A, whole folders emptied, the copy back, the
    // folder's name a file's again.
    const C: Spec = &[
        ("index.md", "i1", &[("index.html", "home, first")]),
        ("theme:style.css", "t1", &[("style.css", "body {}")]),
        (
            "media/logo.png",
            "",
            &[("media/logo.png", "copy:media/logo.png")],
        ),
        (
            "media/old.pdf",
            "p1",
            &[("media/old.pdf", "copy:media/old.pdf")],
        ),
        ("thing.md", "x1", &[("thing", "a file named thing")]),
    ];

    #[test]
    fn every_publish_equals_a_fresh_write_whether_it_recycles_the_spare_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let target = FolderTarget::new(&out);
        let mut source = gazette_content::MemorySource::default();
        source.insert("media/old.pdf", "pdf");
        let mut previous_reference = None;
        #[cfg_attr(not(unix), allow(unused))]
        let mut first_home = None;
        for (step, spec) in [A, B, C, A, B].into_iter().enumerate() {
            // The copy without a content id changes under the same name.
            source.insert("media/logo.png", format!("logo {step}"));
            let before = fs::read_link(&out).ok().map(|link| dir.path().join(link));
            let site = render(spec, target.current_manifest().as_ref());
            write_site(&site, &source, &out).unwrap();

            let fresh = dir.path().join(format!("fresh-{step}"));
            write_site(&render(spec, None), &source, &fresh).unwrap();
            let reference = snapshot(&fresh);
            assert!(
                snapshot(&out) == reference,
                "publish {step} differs from a fresh write"
            );
            assert!(!versions(&out).iter().any(|name| name.starts_with("tmp-")));
            let Some(before) = before else {
                #[cfg(unix)]
                {
                    first_home = Some(inode(&out.join("index.html")));
                }
                previous_reference = Some(reference);
                continue;
            };
            // The version that was live is the spare now, untouched.
            assert_eq!(versions(&out).len(), 2, "{:?}", versions(&out));
            assert!(before.is_dir(), "publish {step} keeps the previous version");
            assert!(
                previous_reference.as_ref() == Some(&snapshot(&before)),
                "publish {step} changed the version that was live"
            );
            previous_reference = Some(reference);
            #[cfg(unix)]
            assert_eq!(
                inode(&out.join("style.css")),
                inode(&before.join("style.css")),
                "an unchanged file is shared, not written again"
            );
            if step == 2 {
                // C recycles A's version: its home page, rendered from the
                // same inputs, was left where it was.
                #[cfg(unix)]
                assert_eq!(Some(inode(&out.join("index.html"))), first_home);
            }
        }
    }

    #[test]
    fn a_spare_half_recycled_by_a_killed_publish_is_removed_and_the_next_publish_completes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let target = FolderTarget::new(&out);
        let mut source = gazette_content::MemorySource::default();
        source.insert("media/old.pdf", "pdf");
        source.insert("media/logo.png", "logo");
        for spec in [A, B] {
            write_site(
                &render(spec, target.current_manifest().as_ref()),
                &source,
                &out,
            )
            .unwrap();
        }
        // Killed while recycling: the spare renamed to a staging folder, some
        // of its files gone and a new one half written.
        let names = versions(&out);
        let current = fs::read_link(&out).unwrap();
        let spare = names
            .iter()
            .find(|name| !current.ends_with(name.as_str()))
            .unwrap();
        let versions_dir = dir.path().join(".site.gazette");
        let staging = versions_dir.join("tmp-1-1");
        fs::rename(versions_dir.join(spare), &staging).unwrap();
        fs::remove_file(staging.join("about/index.html")).unwrap();
        fs::remove_file(staging.join(MANIFEST_PATH)).unwrap();
        fs::write(staging.join("index.html.part"), "half").unwrap();

        write_site(
            &render(C, target.current_manifest().as_ref()),
            &source,
            &out,
        )
        .unwrap();
        let fresh = dir.path().join("fresh");
        write_site(&render(C, None), &source, &fresh).unwrap();
        assert!(snapshot(&out) == snapshot(&fresh));
        assert!(!staging.exists(), "the interrupted publish is cleaned");
        // With no spare to recycle, the publish linked one of the new
        // version, beside the version it replaced (still live for readers
        // that resolved the link before the switch).
        assert_eq!(versions(&out).len(), 3, "{:?}", versions(&out));
        write_site(
            &render(A, target.current_manifest().as_ref()),
            &source,
            &out,
        )
        .unwrap();
        assert_eq!(versions(&out).len(), 2, "{:?}", versions(&out));
    }

    #[test]
    fn a_spare_that_is_not_as_its_manifest_says_is_written_whole_instead() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let target = FolderTarget::new(&out);
        let mut source = gazette_content::MemorySource::default();
        source.insert("media/old.pdf", "pdf");
        source.insert("media/logo.png", "logo");
        for spec in [A, B] {
            write_site(
                &render(spec, target.current_manifest().as_ref()),
                &source,
                &out,
            )
            .unwrap();
        }
        let current = fs::read_link(&out).unwrap();
        let versions_dir = dir.path().join(".site.gazette");
        let spare = versions(&out)
            .into_iter()
            .find(|name| !current.ends_with(name.as_str()))
            .map(|name| versions_dir.join(name))
            .unwrap();
        // A file the manifest does not know, in a folder C no longer has.
        fs::write(spare.join("docs/notes.txt"), "mine").unwrap();
        write_site(
            &render(C, target.current_manifest().as_ref()),
            &source,
            &out,
        )
        .unwrap();
        let fresh = dir.path().join("fresh");
        write_site(&render(C, None), &source, &fresh).unwrap();
        assert!(snapshot(&out) == snapshot(&fresh));
    }

    #[test]
    fn a_spare_without_a_complete_manifest_of_this_program_is_not_recycled() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let target = FolderTarget::new(&out);
        let mut source = gazette_content::MemorySource::default();
        source.insert("media/old.pdf", "pdf");
        source.insert("media/logo.png", "logo");
        write_site(&render(A, None), &source, &out).unwrap();
        write_site(
            &render(B, target.current_manifest().as_ref()),
            &source,
            &out,
        )
        .unwrap();
        for change in ["another tool", "incomplete"] {
            let spares = versions(&out)
                .into_iter()
                .map(|name| dir.path().join(".site.gazette").join(name))
                .filter(|path| !same_path(path, &out));
            // Each spare's manifest as another program, or an older one
            // that left out units without inputs, wrote it.
            for spare in spares {
                let path = spare.join(MANIFEST_PATH);
                let mut manifest = Manifest::from_bytes(&fs::read(&path).unwrap()).unwrap();
                match change {
                    "another tool" => manifest.tool = "another".into(),
                    _ => manifest.lists_every_file = false,
                }
                fs::remove_file(&path).unwrap();
                fs::write(&path, manifest.to_bytes()).unwrap();
            }
            assert!(target.usable_spare(Some(&out)).is_none(), "{change}");
            let site = render(C, target.current_manifest().as_ref());
            write_site(&site, &source, &out).unwrap();
            let fresh = dir.path().join(format!("fresh-{}", change.len()));
            write_site(&render(C, None), &source, &fresh).unwrap();
            assert!(snapshot(&out) == snapshot(&fresh), "{change}");
        }
    }
}
