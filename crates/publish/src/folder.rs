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
//! "Left alone" only once the file is known to be Gazette's still: each
//! version records its files' sizes, times, inodes and hashes
//! (`stamps.rs`), and a file of the spare that differs is rewritten. The
//! spare's files are checked when it is found, which a publish does beside
//! its render: a file changed after that, in the milliseconds before the
//! spare is renamed away, is not seen (as one changed between any check and
//! the switch would not be).
//! A file is never written in place: versions share files through hard
//! links, so writing into one would change the live version too. Without a
//! usable spare, every file is written into a new folder, unchanged ones
//! hard-linked from the current version.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use gazette_content::Source;
use gazette_render::{MANIFEST_PATH, Manifest, ManifestSummary, RenderedSite};

use crate::output::{
    OUTPUT_MARKER, OutputError, io, link_tree, recycle_tree, safe_join, same_path, symlink,
    write_tree,
};
use crate::staging::StagedVersion;
use crate::stamps::Stamps;

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
    pub(crate) path: PathBuf,
    pub(crate) manifest: Manifest,
    /// Its files still as Gazette wrote them (`Stamps::verified`), checked
    /// when it was found: a statx per file, 10,000 at 10,000 pages, made
    /// beside the render rather than after it.
    pub(crate) verified: Stamps,
}

/// A version being made: its staging folder (not yet there), the version
/// it replaces and the time that names it.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) staging: PathBuf,
    pub(crate) current: Option<PathBuf>,
    stamp: u128,
}

/// Whether a version written whole (no spare recycled) gets a spare linked
/// of it for the next write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpareLink {
    /// A publish: the next one (the hook's, after a commit) is most likely
    /// a small edit, which must cost what changed.
    Always,
    /// A build: mostly a one-off (a CI job into a fresh folder), for which
    /// linking every file again would double a cold build's file-system
    /// work for a next build that may never come. A build into a folder
    /// that has a version writes whole, linking unchanged files from it.
    Never,
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

    /// A file of the version currently published, by its path in the
    /// output (which safe paths only reach).
    pub fn current_file(&self, path: &str) -> Option<Vec<u8>> {
        fs::read(safe_join(&self.out_dir, path).ok()?).ok()
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
        let (prepared, spare) = self.prepare(spare)?;
        let staging = &prepared.staging;
        let result = match &spare {
            Some(spare) => recycle_tree(site, source, prepared.current.as_deref(), spare, staging),
            None => write_tree(site, source, prepared.current.as_deref(), staging),
        };
        if let Err(error) = result {
            // The staging folder is ours and useless after a failure.
            let _ = fs::remove_dir_all(staging);
            return Err(error);
        }
        self.switch_in(prepared, spare.is_none() && site.manifest.lists_every_file)
    }

    /// Starts a new version that a render writes into as it goes
    /// ([`StagedVersion`], an output sink), recycling no spare; once it is
    /// switched in, `next_spare` says whether a spare is linked of it. The
    /// caller holds the lock; nothing is switched until
    /// [`StagedVersion::finish`].
    pub fn stage(&self, next_spare: SpareLink) -> Result<StagedVersion<'_>, OutputError> {
        let (prepared, _) = self.prepare(None)?;
        fs::create_dir(&prepared.staging).map_err(io(&prepared.staging))?;
        Ok(StagedVersion::new(self, prepared, next_spare))
    }

    /// Checks that the output may be replaced, removes what interrupted
    /// publishes left (but the current version and `spare`, which is kept
    /// only when it is not the live version) and names the staging folder.
    fn prepare(&self, spare: Option<Spare>) -> Result<(Prepared, Option<Spare>), OutputError> {
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
        let prepared = Prepared {
            staging,
            current,
            stamp,
        };
        Ok((prepared, spare))
    }

    /// Renames the complete staging folder to a version and switches the
    /// output to it; `link_a_spare` when no spare was recycled.
    pub(crate) fn switch_in(
        &self,
        prepared: Prepared,
        link_a_spare: bool,
    ) -> Result<(), OutputError> {
        let Prepared {
            staging,
            current,
            stamp,
        } = prepared;
        let version_name = format!("v-{stamp}");
        let version = self.versions.join(&version_name);
        fs::rename(&staging, &version).map_err(io(&version))?;
        self.switch_to(&version_name)?;
        let keep: Vec<&Path> = std::iter::once(version.as_path())
            .chain(current.as_deref())
            .collect();
        self.remove_leftovers(&keep)?;
        if link_a_spare {
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
            return;
        }
        // Linking moved every file's change time: record both versions'
        // files as they are now, so the next publish need not read them to
        // know they are Gazette's (a version left unrecorded is rewritten).
        for root in [&spare, version] {
            if let Some(stamps) = Stamps::read(root) {
                let _ = stamps.restamped(root).write(root);
            }
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
        // Without a record of its files, none is trusted: all are written.
        let verified = Stamps::read(&path)
            .map(|recorded| recorded.verified(&path))
            .unwrap_or_default();
        Some(Spare {
            path,
            manifest,
            verified,
        })
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

    /// Removes what interrupted publishes left (staging folders, a link not
    /// yet switched in) when there is nothing new to publish; a publish
    /// removes them as it starts. The caller holds the lock, so no publish is
    /// writing them; the current version and the spare are kept.
    pub fn remove_interrupted(&self) -> Result<(), OutputError> {
        let entries = match fs::read_dir(&self.versions) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(io(&self.versions)(error)),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let removed = if name.starts_with("tmp-") && path.is_dir() && !path.is_symlink() {
                fs::remove_dir_all(&path)
            } else if name.starts_with("link-") && path.is_symlink() {
                fs::remove_file(&path)
            } else {
                continue;
            };
            removed.map_err(io(&path))?;
        }
        Ok(())
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
mod tests;
