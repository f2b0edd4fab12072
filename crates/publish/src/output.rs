//! Writing a rendered site to a folder, all or nothing.
//!
//! Each publish is written to a new version folder beside the output, and the
//! output path (a symbolic link) is switched to it with one atomic rename. A
//! reader, or a publish killed at any moment, only ever sees a complete
//! version; leftovers of an interrupted publish are cleaned by the next one.
//! A folder Gazette did not write is never replaced, and two publishes of the
//! same output never run at once.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use gazette_content::Source;
use rayon::prelude::*;

use crate::manifest::{MANIFEST_PATH, Manifest};
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
        let bytes = fs::read(self.out_dir.join(MANIFEST_PATH)).ok()?;
        Manifest::from_json(&bytes)
    }

    /// Writes `site` as a new version and switches the output to it. The
    /// caller holds the lock. Outputs marked for reuse are hard-linked from the
    /// current version.
    pub fn publish(&self, site: &RenderedSite, source: &dyn Source) -> Result<(), OutputError> {
        let current = self.check_replaceable()?;
        fs::create_dir_all(&self.versions).map_err(io(&self.versions))?;
        self.remove_leftovers(current.as_deref())?;
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let staging = self
            .versions
            .join(format!("tmp-{}-{stamp}", std::process::id()));
        let result = write_tree(site, source, current.as_deref(), &staging);
        if let Err(error) = result {
            // The staging folder is ours and useless after a failure.
            let _ = fs::remove_dir_all(&staging);
            return Err(error);
        }
        let version_name = format!("v-{stamp}");
        let version = self.versions.join(&version_name);
        fs::rename(&staging, &version).map_err(io(&version))?;
        self.switch_to(&version_name)?;
        self.remove_leftovers(Some(&version))
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

    /// Removes interrupted publishes and versions other than `keep`.
    fn remove_leftovers(&self, keep: Option<&Path>) -> Result<(), OutputError> {
        let entries = fs::read_dir(&self.versions).map_err(io(&self.versions))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "lock" || keep.is_some_and(|keep| same_path(keep, &path)) {
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
    let marker = root.join(OUTPUT_MARKER);
    fs::write(
        &marker,
        "This folder is written by Gazette and replaced on every build.\n",
    )
    .map_err(io(&marker))?;
    Ok(())
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
            // Versions are immutable once published, so sharing the file is safe.
            if fs::hard_link(&from, target).is_err() {
                fs::copy(&from, target).map_err(io(target))?;
            }
            return Ok(());
        }
    };
    let mut file = fs::File::create(target).map_err(io(target))?;
    file.write_all(contents).map_err(io(target))
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
    fn publishing_switches_versions_and_keeps_only_the_current_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let source = gazette_content::MemorySource::default();
        let mut site = RenderedSite::default();
        for text in ["one", "two"] {
            site.outputs = vec![crate::Output {
                path: "index.html".into(),
                contents: OutputContents::Rendered(text.as_bytes().to_vec()),
                origin: "test".into(),
            }];
            write_site(&site, &source, &out).unwrap();
            assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), text);
        }
        let versions: Vec<_> = fs::read_dir(dir.path().join(".site.gazette"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("v-"))
            .collect();
        assert_eq!(versions.len(), 1, "{versions:?}");
    }
}
