//! A version written while its site renders. The render hands each output
//! to a [`StagedVersion`] (its [`OutputSink`]) from its workers as soon as
//! it is rendered; the version writes it into its staging folder at once and
//! keeps only the file's stamp (`stamps.rs`: size, times, inode, a 16-byte
//! hash), so a build holds the pages in flight rather than the site.
//!
//! All or nothing still: the version is switched in only by
//! [`StagedVersion::finish`], after a render without errors, once the rest
//! (copies, files linked from the current version, the record of the files,
//! the marker) is written. A version dropped unfinished (a content error, a
//! write that failed, a panic) removes its staging folder, and the output
//! stays as it was.

use rustc_hash::FxHashSet as HashSet;
use std::fs;
use std::io::ErrorKind;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use gazette_content::Source;
use gazette_render::{Output, OutputContents, OutputSink, RenderedSite};

use crate::folder::{FolderTarget, Prepared, SpareLink};
use crate::output::{OutputError, finish_tree, io, make_parent, write_files, write_new};
use crate::stamps::{Stamp, content_hash};

/// A new version of a folder target, written as the render goes (see the
/// module's documentation). Made by [`FolderTarget::stage`].
#[derive(Debug)]
pub struct StagedVersion<'t> {
    target: &'t FolderTarget,
    /// `None` once finished: nothing left to remove.
    prepared: Option<Prepared>,
    next_spare: SpareLink,
    written: Mutex<Written>,
}

/// What the sink has written so far.
#[derive(Debug, Default)]
struct Written {
    /// Folders made (with their parents).
    folders: HashSet<PathBuf>,
    /// Each file written, with its stamp.
    stamps: Vec<(String, Stamp)>,
    /// The first write that failed; later outputs are not written.
    failure: Option<OutputError>,
}

impl<'t> StagedVersion<'t> {
    pub(crate) fn new(target: &'t FolderTarget, prepared: Prepared, next_spare: SpareLink) -> Self {
        Self {
            target,
            prepared: Some(prepared),
            next_spare,
            written: Mutex::default(),
        }
    }

    fn written(&self) -> MutexGuard<'_, Written> {
        // A worker that panicked while holding it left nothing half-done
        // that matters: the version is then dropped unfinished.
        self.written.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes what the render did not hand over (`site`'s copies and reused
    /// files; copies read from `source`), then the record and the marker,
    /// and switches the output to the version. `site` must be the render
    /// this version was given to, and have no errors.
    pub fn finish(mut self, site: &RenderedSite, source: &dyn Source) -> Result<(), OutputError> {
        let written = std::mem::take(&mut *self.written());
        let Some(prepared) = self.prepared.take() else {
            return Ok(());
        };
        let root = &prepared.staging;
        let complete = written.failure.map_or(Ok(()), Err).and_then(|()| {
            let mut folders = written.folders;
            let rest = write_files(
                site,
                source,
                prepared.current.as_deref(),
                root,
                &mut folders,
            )?;
            finish_tree(root, written.stamps.into_iter().chain(rest))
        });
        if let Err(error) = complete {
            let _ = fs::remove_dir_all(root);
            return Err(error);
        }
        let link_a_spare = site.manifest.lists_every_file && self.next_spare == SpareLink::Always;
        self.target.switch_in(prepared, link_a_spare)
    }

    /// Writes `bytes` at `relative`, and gives the stamp of the file; `None`
    /// when a file is there already.
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<Option<Stamp>, OutputError> {
        let Some(prepared) = &self.prepared else {
            return Ok(None);
        };
        let target = make_parent(&prepared.staging, relative, &mut self.written().folders)?;
        match write_new(&target, bytes) {
            // Two outputs of one path: the render reports the collision as
            // an error, so this version is never switched in.
            Err(OutputError::Io { source, .. }) if source.kind() == ErrorKind::AlreadyExists => {
                Ok(None)
            }
            Err(error) => Err(error),
            Ok(file) => {
                let metadata = file.metadata().map_err(io(&target))?;
                Ok(Some(Stamp::of_written(&metadata, content_hash(bytes))))
            }
        }
    }
}

impl OutputSink for StagedVersion<'_> {
    fn put(&self, _unit: &str, _inputs: &str, output: &Output) {
        let OutputContents::Rendered(bytes) = &output.contents else {
            return;
        };
        if self.written().failure.is_some() {
            return;
        }
        match self.write(&output.path, bytes) {
            Ok(Some(stamp)) => self.written().stamps.push((output.path.clone(), stamp)),
            Ok(None) => {}
            Err(error) => {
                self.written().failure.get_or_insert(error);
            }
        }
    }
}

impl Drop for StagedVersion<'_> {
    fn drop(&mut self) {
        if let Some(prepared) = &self.prepared {
            // Unfinished: the folder is ours and useless.
            let _ = fs::remove_dir_all(&prepared.staging);
        }
    }
}

#[cfg(test)]
mod tests;
