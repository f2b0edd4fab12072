//! Writing the files of one version of a site's output: every file anew
//! (unchanged ones hard-linked from the current version), or the spare
//! version brought up to date from its manifest. Output paths never leave
//! the version's folder, and files are never written in place, since
//! versions share them through hard links.

use rustc_hash::FxHashSet as HashSet;
use std::cmp::Reverse;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use gazette_content::Source;
use rayon::prelude::*;

use gazette_render::{MANIFEST_PATH, Manifest, Output, OutputContents, RenderedSite};

use crate::folder::Spare;
use crate::stamps::{STAMPS_PATH, Stamp, Stamps, content_hash, stamp_file};

/// The file that marks a folder as Gazette's output, so it may be replaced:
/// a name no permalink may take (`gazette_content::RESERVED_PREFIX`).
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
    /// A file to reuse from the previous publish is not the one Gazette
    /// wrote there (edited, damaged or replaced since), or the previous
    /// version has no record of its files to tell.
    #[error("{0} in the previous publish changed since Gazette wrote it")]
    ChangedPrevious(PathBuf),
    /// An output the render handed to a folder being written
    /// ([`OutputContents::Written`]) was to be written elsewhere: its bytes
    /// are no longer held.
    #[error(
        "`{0}` was written while rendering and its bytes are not held; publish without streaming"
    )]
    NotHeld(String),
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

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
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

pub(crate) fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
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

pub(crate) fn same_path(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(unix)]
pub(crate) fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
pub(crate) fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_dir(target, link)
}

/// Writes every output of `site` into `root`, a folder made for it.
pub(crate) fn write_tree(
    site: &RenderedSite,
    source: &dyn Source,
    previous: Option<&Path>,
    root: &Path,
) -> Result<(), OutputError> {
    fs::create_dir_all(root).map_err(io(root))?;
    let stamps = write_files(site, source, previous, root, &mut HashSet::default())?;
    finish_tree(root, stamps)
}

/// Writes the outputs of `site` the render did not write itself (all but
/// [`OutputContents::Written`]) into `root`, and returns their stamps.
/// `folders` are those known to exist already.
pub(crate) fn write_files(
    site: &RenderedSite,
    source: &dyn Source,
    previous: Option<&Path>,
    root: &Path,
    folders: &mut HashSet<PathBuf>,
) -> Result<Vec<(String, Stamp)>, OutputError> {
    let outputs: Vec<&Output> = site
        .outputs
        .iter()
        .filter(|output| !matches!(output.contents, OutputContents::Written))
        .collect();
    // Folders first, each once: thousands of pages share a few hundred folders.
    for output in &outputs {
        make_parent(root, &output.path, folders)?;
    }
    // Then the files, in parallel: writing is what a large build waits on.
    let previous = Previous::for_outputs(previous, outputs.iter().copied());
    write_stamped(outputs.into_par_iter(), root, source, previous.as_ref())
}

/// Makes the folder that will hold `relative` under `root`, unless it is
/// among `folders` (those made already), and returns the file's path.
pub(crate) fn make_parent(
    root: &Path,
    relative: &str,
    folders: &mut HashSet<PathBuf>,
) -> Result<PathBuf, OutputError> {
    let target = safe_join(root, relative)?;
    if let Some(folder) = target.parent()
        && !folders.contains(folder)
    {
        fs::create_dir_all(folder).map_err(io(folder))?;
        folders.insert(folder.to_owned());
    }
    Ok(target)
}

/// Writes the record of the files of `root` and the marker: the last steps
/// of a version.
pub(crate) fn finish_tree(
    root: &Path,
    stamps: impl IntoIterator<Item = (String, Stamp)>,
) -> Result<(), OutputError> {
    Stamps::new(stamps).write(root).map_err(io(root))?;
    write_marker(root)
}

/// Makes `staging` hold `site` from the `spare` version. Should the spare
/// not be as its manifest says, it is dropped and the version written
/// whole: recycling is only ever a shortcut.
pub(crate) fn recycle_tree(
    site: &RenderedSite,
    source: &dyn Source,
    previous: Option<&Path>,
    spare: &Spare,
    staging: &Path,
) -> Result<(), OutputError> {
    // Under the staging name first: a publish killed while the spare is half
    // changed leaves a folder the next publish removes, never a version. (A
    // rename leaves the stamps of the files under it as they were.)
    let old = (&spare.manifest, &spare.verified);
    if fs::rename(&spare.path, staging).is_ok()
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
/// touching only the files and folders that differ; `verified` are its
/// files still as Gazette wrote them (`Stamps::verified`). Any surprise (a
/// file missing or in the way) is an error, never papered over.
fn update_tree(
    site: &RenderedSite,
    source: &dyn Source,
    previous: Option<&Path>,
    (old, verified): (&Manifest, &Stamps),
    root: &Path,
) -> Result<(), OutputError> {
    let new_paths: HashSet<&str> = site.outputs.iter().map(|o| o.path.as_str()).collect();
    // A file stays when the unit writing it now read the very inputs it was
    // written from (rendering again would give the same bytes), and it is
    // still the file written then (`stamps.rs`); without a record of the
    // version's files, none stays.
    let mut reusable: Vec<&str> = Vec::with_capacity(new_paths.len());
    for (id, unit) in &site.manifest.units {
        let Some(records) = old.reusable(id, &unit.inputs_digest) else {
            continue;
        };
        for record in &unit.outputs {
            let path = record.path.as_str();
            if new_paths.contains(path) && records.iter().any(|old| old.path == path) {
                reusable.push(path);
            }
        }
    }
    let kept_stamps: Vec<(&str, Stamp)> = reusable
        .iter()
        .filter_map(|path| Some((*path, verified.get(path)?)))
        .collect();
    let kept: HashSet<&str> = kept_stamps.iter().map(|(path, _)| *path).collect();
    let mut old_paths: HashSet<&str> =
        HashSet::with_capacity_and_hasher(new_paths.len(), Default::default());
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
    // The record is rewritten too; a version of an older Gazette has none.
    let record = root.join(STAMPS_PATH);
    match fs::remove_file(&record) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            return Err(io(&record)(error));
        }
        _ => {}
    }

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

    let written: Vec<&Output> = site
        .outputs
        .iter()
        .filter(|output| !kept.contains(output.path.as_str()))
        .collect();
    let previous = Previous::for_outputs(previous, written.iter().copied());
    let stamps = kept_stamps
        .into_iter()
        .map(|(path, stamp)| (path.to_owned(), stamp))
        .chain(write_stamped(
            written.into_par_iter(),
            root,
            source,
            previous.as_ref(),
        )?);
    finish_tree(root, stamps)
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
    let mut folders = HashSet::default();
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

pub(crate) fn write_marker(root: &Path) -> Result<(), OutputError> {
    let marker = root.join(OUTPUT_MARKER);
    write_new(
        &marker,
        b"This folder is written by Gazette and replaced on every build.\n",
    )?;
    Ok(())
}

/// Writes a file that must not exist yet: files may be shared with other
/// versions through hard links, so one is never written in place.
pub(crate) fn write_new(target: &Path, contents: &[u8]) -> Result<fs::File, OutputError> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(target)
        .map_err(io(target))?;
    file.write_all(contents).map_err(io(target))?;
    Ok(file)
}

/// The bytes of a copied output, read from the site's source.
pub(crate) fn read_copy(
    contents: &OutputContents,
    path: &str,
    source: &dyn Source,
) -> Result<Vec<u8>, OutputError> {
    contents
        .read_copy(source)
        .unwrap_or_else(|| Ok(Vec::new()))
        .map_err(|error| OutputError::Source {
            path: path.to_owned(),
            message: error.to_string(),
        })
}

/// The version a publish links unchanged files from, and its record of them.
struct Previous<'a> {
    root: &'a Path,
    stamps: Stamps,
}

impl<'a> Previous<'a> {
    /// The previous version at `root`, read only when some of `outputs` are
    /// reused from it.
    fn for_outputs<'o>(
        root: Option<&'a Path>,
        mut outputs: impl Iterator<Item = &'o Output>,
    ) -> Option<Self> {
        let reuses = outputs.any(|output| matches!(output.contents, OutputContents::Reuse(_)));
        let root = root.filter(|_| reuses)?;
        Some(Self {
            root,
            stamps: Stamps::read(root).unwrap_or_default(),
        })
    }
}

/// Writes one output as a new file, and returns its stamp. A reused output
/// is hard-linked from the previous version once it is known to be the file
/// Gazette wrote there.
fn write_output(
    output: &Output,
    target: &Path,
    source: &dyn Source,
    previous: Option<&Previous<'_>>,
) -> Result<Stamp, OutputError> {
    let bytes;
    let contents: &[u8] = match &output.contents {
        OutputContents::Rendered(rendered) => rendered,
        OutputContents::Copy(path) | OutputContents::CopySanitizedSvg(path) => {
            bytes = read_copy(&output.contents, path, source)?;
            &bytes
        }
        OutputContents::Reuse(path) => {
            let previous =
                previous.ok_or_else(|| OutputError::MissingPrevious(PathBuf::from(path)))?;
            let from = Some(safe_join(previous.root, path)?)
                .filter(|from| from.is_file())
                .ok_or_else(|| OutputError::MissingPrevious(PathBuf::from(path)))?;
            // Linking it would publish whatever is there now.
            let hash = previous
                .stamps
                .unchanged(path, &from)
                .map(|stamp| stamp.hash())
                .ok_or_else(|| OutputError::ChangedPrevious(from.clone()))?;
            // Files are never written in place, so sharing one is safe.
            match fs::hard_link(&from, target) {
                Ok(()) => return stamp_file(target, hash).map_err(io(target)),
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
        // Only a render with a sink writes these, and it wrote them already.
        OutputContents::Written => return Err(OutputError::NotHeld(output.path.clone())),
    };
    let file = write_new(target, contents)?;
    // From the open file, not the path: no second walk of the folders.
    let metadata = file.metadata().map_err(io(target))?;
    Ok(Stamp::of_written(&metadata, content_hash(contents)))
}

/// Writes `outputs` into `root` in parallel (their folders exist), and
/// returns the stamp of each file written.
fn write_stamped<'o>(
    outputs: impl IndexedParallelIterator<Item = &'o Output>,
    root: &Path,
    source: &dyn Source,
    previous: Option<&Previous<'_>>,
) -> Result<Vec<(String, Stamp)>, OutputError> {
    outputs
        .map(|output| {
            let target = safe_join(root, &output.path)?;
            let stamp = write_output(output, &target, source, previous)?;
            Ok((output.path.clone(), stamp))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_marker_has_a_name_no_permalink_may_take() {
        assert!(OUTPUT_MARKER.starts_with(gazette_content::RESERVED_PREFIX));
    }

    #[test]
    fn output_paths_cannot_leave_the_root() {
        let root = Path::new("/tmp/out");
        for bad in ["../x", "/etc/passwd", "a/../../b", "a\\b", "", "./a"] {
            assert!(safe_join(root, bad).is_err(), "{bad:?}");
        }
        assert_eq!(safe_join(root, "a/b.html").unwrap(), root.join("a/b.html"));
    }
}
