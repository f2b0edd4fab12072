//! The parse cache a publish keeps between runs, so that loading a site
//! parses only the files its commit changed.

use std::path::{Path, PathBuf};

use gazette_content::LoadCache;
use gazette_render::tool_fingerprint;

use crate::request::PublishRequest;

/// The parsed files of a site's earlier publishes, kept in the repository's
/// Git folder (`gazette/<site>/load-cache`) so that a publish parses only
/// the files its commit changed. Entries are keyed by path and blob id, so
/// any publish may use them, whatever it publishes to.
pub(crate) struct StoredLoadCache {
    path: Option<PathBuf>,
    stamp: String,
    pub cache: LoadCache,
}

impl StoredLoadCache {
    pub(crate) fn open(request: &PublishRequest<'_>) -> Self {
        // The program and the site's folder both shape what a file parses to.
        let stamp = format!("{} {}", tool_fingerprint(), request.site_folder);
        let path = gazette_store::git_dir(request.repository)
            .ok()
            .map(|git_dir| {
                git_dir
                    .join("gazette")
                    .join(request.name)
                    .join("load-cache")
            });
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
    pub(crate) fn store(&self) {
        let Some(path) = &self.path else { return };
        let behind = self.cache.changes();
        if behind == 0 || behind < (self.cache.len() / 100).max(64) {
            return;
        }
        let Some(folder) = path.parent() else { return };
        remove_stale_temporaries(folder);
        let temporary = folder.join(format!("load-cache.{}.tmp", std::process::id()));
        let written = std::fs::create_dir_all(folder)
            .and_then(|()| std::fs::write(&temporary, self.cache.to_bytes(&self.stamp)))
            .and_then(|()| std::fs::rename(&temporary, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

/// Removes the temporary files of publishes killed while storing the cache.
/// One of a publish storing at this very moment (to another target) may go
/// too: its rename then fails, which only means the next publish parses more.
fn remove_stale_temporaries(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("load-cache.") && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
