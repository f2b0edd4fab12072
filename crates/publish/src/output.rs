//! Writing a rendered site to a folder, all or nothing.
//!
//! The new version is written beside the old one and swapped in with
//! renames, so a failed build never leaves half a site, and a folder that
//! Gazette did not create is never overwritten.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use gazette_content::Source;

use crate::render::{OutputContents, RenderedSite};

/// The file that marks a folder as Gazette's output, so it may be replaced.
pub const OUTPUT_MARKER: &str = ".gazette-output";

/// Why a site could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The folder exists, is not empty and was not written by Gazette.
    #[error("{0} exists and was not written by Gazette; refusing to replace it")]
    NotOurs(PathBuf),
    /// An output path would land outside the output folder.
    #[error("output path `{0}` would leave the output folder")]
    Escapes(String),
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

/// Writes `site` to `out_dir`, replacing a previous Gazette output there in
/// one step. Files marked for copying are read from `source`.
pub fn write_site(
    site: &RenderedSite,
    source: &dyn Source,
    out_dir: &Path,
) -> Result<(), OutputError> {
    if out_dir.exists() && !is_replaceable(out_dir)? {
        return Err(OutputError::NotOurs(out_dir.to_owned()));
    }
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io(parent))?;
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    let staging = parent.join(format!(".{name}.gazette-new-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    let result =
        write_tree(site, source, &staging).and_then(|()| swap_in(&staging, out_dir, parent, &name));
    if result.is_err() && staging.exists() {
        // Best effort: the staging folder is ours and useless after a failure.
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

fn is_replaceable(out_dir: &Path) -> Result<bool, OutputError> {
    if !out_dir.is_dir() {
        return Ok(false);
    }
    if out_dir.join(OUTPUT_MARKER).is_file() {
        return Ok(true);
    }
    let mut entries = fs::read_dir(out_dir).map_err(io(out_dir))?;
    Ok(entries.next().is_none())
}

fn write_tree(site: &RenderedSite, source: &dyn Source, root: &Path) -> Result<(), OutputError> {
    fs::create_dir_all(root).map_err(io(root))?;
    for output in &site.outputs {
        let target = safe_join(root, &output.path)?;
        if let Some(folder) = target.parent() {
            fs::create_dir_all(folder).map_err(io(folder))?;
        }
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
        };
        let mut file = fs::File::create(&target).map_err(io(&target))?;
        file.write_all(contents).map_err(io(&target))?;
    }
    let marker = root.join(OUTPUT_MARKER);
    fs::write(
        &marker,
        "This folder is written by Gazette and replaced on every build.\n",
    )
    .map_err(io(&marker))?;
    Ok(())
}

/// Puts the staged folder in place of the old one: two renames, and the old
/// version is removed only once the new one is in place.
fn swap_in(staging: &Path, out_dir: &Path, parent: &Path, name: &str) -> Result<(), OutputError> {
    if !out_dir.exists() {
        return fs::rename(staging, out_dir).map_err(io(out_dir));
    }
    let old = parent.join(format!(".{name}.gazette-old-{}", std::process::id()));
    if old.exists() {
        fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    fs::rename(out_dir, &old).map_err(io(out_dir))?;
    if let Err(error) = fs::rename(staging, out_dir) {
        // Put the previous version back so readers keep a whole site.
        let _ = fs::rename(&old, out_dir);
        return Err(OutputError::Io {
            path: out_dir.to_owned(),
            source: error,
        });
    }
    fs::remove_dir_all(&old).map_err(io(&old))
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
}
