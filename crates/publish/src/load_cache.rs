//! The parse cache a publish keeps between runs, so that loading a site
//! parses only the files its commit changed, and the state a check keeps
//! for the next check of the site (`gazette_check::CheckState`), beside it.

use std::path::{Path, PathBuf};

use gazette_content::LoadCache;
use gazette_render::tool_fingerprint;

use crate::request::PublishRequest;

/// The parsed files of a site's earlier publishes, kept in the repository's
/// Git folder (`gazette/<site>/load-cache`) so that a publish parses only
/// the files its commit changed. Entries are keyed by path and blob id, so
/// any publish may use them, whatever it publishes to.
pub struct StoredLoadCache {
    path: Option<PathBuf>,
    stamp: String,
    /// The parsed files.
    pub cache: LoadCache,
}

impl StoredLoadCache {
    /// The site's cache, or an empty one when there is none (or it is
    /// another program's).
    pub fn open(request: &PublishRequest<'_>) -> Self {
        // The program and the site's folder both shape what a file parses to.
        let stamp = format!("{} {}", tool_fingerprint(), request.site_folder);
        let path = kept_file(request, "load-cache");
        let cache = path
            .as_deref()
            .and_then(|path| std::fs::read(path).ok())
            .map(|bytes| LoadCache::from_bytes(bytes, &stamp))
            .unwrap_or_default();
        Self { path, stamp, cache }
    }

    /// Keeps the cache for the next publish when it has fallen far enough
    /// behind. Writing it costs about as much as parsing a hundredth of the
    /// site, so a commit of a few files leaves it as it is and the next
    /// publish parses those files again. A cache is only an aid: when it
    /// cannot be written, the next publish parses more.
    pub fn store(&self) {
        let Some(path) = &self.path else { return };
        let behind = self.cache.changes();
        if behind == 0 || behind < (self.cache.len() / 100).max(64) {
            return;
        }
        write_whole(path, &self.cache.to_bytes(&self.stamp));
    }
}

/// The bytes of the check state kept for a site
/// (`gazette_check::CheckState::from_bytes` reads them): `None` when there
/// is none, it cannot be read, or it holds more than `limit` bytes (a
/// damaged file is not read whole into memory).
pub fn read_check_state(request: &PublishRequest<'_>, limit: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(kept_file(request, "check-state")?).ok()?;
    // Sized once: a state is megabytes, and growing the buffer as it reads
    // copies it over and over.
    let size = file.metadata().map_or(0, |metadata| metadata.len());
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(limit)).unwrap_or(0) + 1);
    // One byte past the limit tells a file that is too large.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .ok()?;
    (u64::try_from(bytes.len()).ok()? <= limit).then_some(bytes)
}

/// Keeps a check state for the next check of the site. A state is only an
/// aid: when it cannot be written, the next check renders more.
pub fn keep_check_state(request: &PublishRequest<'_>, bytes: &[u8]) {
    if let Some(path) = kept_file(request, "check-state") {
        write_whole(&path, bytes);
    }
}

/// A file Gazette keeps for a site in the repository's Git folder.
fn kept_file(request: &PublishRequest<'_>, name: &str) -> Option<PathBuf> {
    let git_dir = gazette_store::git_dir(request.repository).ok()?;
    Some(git_dir.join("gazette").join(request.name).join(name))
}

/// Replaces `path` with `bytes` in one rename, so a reader never sees half a
/// file; on failure the old file stays.
fn write_whole(path: &Path, bytes: &[u8]) {
    let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let name = name.to_string_lossy();
    remove_stale_temporaries(folder, &name);
    let temporary = folder.join(format!("{name}.{}.tmp", std::process::id()));
    let written = std::fs::create_dir_all(folder)
        .and_then(|()| std::fs::write(&temporary, bytes))
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}

/// Removes the temporary files of publishes killed while storing `name`.
/// One of a publish storing at this very moment (to another target) may go
/// too: its rename then fails, which only means the next publish does more.
fn remove_stale_temporaries(folder: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let prefix = format!("{name}.");
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if file.starts_with(&prefix) && file.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
