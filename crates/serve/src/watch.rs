//! Watching sites and themes, and re-rendering the sites a change touches.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::server::{ServeEvent, SharedSite};

/// Editors save in bursts (write, rename over, touch): wait this long for quiet.
const QUIET: Duration = Duration::from_millis(20);

/// Starts watching `folders`; the returned watcher stops when dropped.
pub(crate) fn watch(
    folders: &[PathBuf],
    sites: Vec<Arc<SharedSite>>,
    themes_dir: PathBuf,
    report: Arc<dyn Fn(ServeEvent) + Send + Sync>,
) -> notify::Result<Debouncer<notify::RecommendedWatcher, RecommendedCache>> {
    let (sender, receiver) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(QUIET, None, sender)?;
    for folder in folders {
        debouncer.watch(folder, RecursiveMode::Recursive)?;
    }
    let site_roots: Vec<PathBuf> = sites
        .iter()
        .map(|site| {
            let preview = site
                .preview
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            preview.entry.path.clone()
        })
        .collect();
    std::thread::spawn(move || {
        for result in receiver {
            let Ok(events) = result else { continue };
            let started = Instant::now();
            let paths: Vec<PathBuf> = events
                .iter()
                .filter(|event| changes_content(&event.kind))
                .flat_map(|event| event.paths.iter().cloned())
                .collect();
            if paths.is_empty() {
                continue;
            }
            let theme_changed = paths.iter().any(|path| path.starts_with(&themes_dir));
            for (site, root) in sites.iter().zip(&site_roots) {
                let touched = theme_changed || paths.iter().any(|path| path.starts_with(root));
                if !touched {
                    continue;
                }
                // Another site's files are no change to this one.
                let relevant: Vec<PathBuf> = paths
                    .iter()
                    .filter(|path| path.starts_with(root) || path.starts_with(&themes_dir))
                    .cloned()
                    .collect();
                let change = site.rebuild(&themes_dir, &relevant);
                report(ServeEvent::Rebuilt {
                    site: site.name(),
                    change,
                    elapsed: started.elapsed(),
                    pages_only: site.rendered_pages_only(),
                });
            }
        }
    });
    Ok(debouncer)
}

/// Whether an event may change what a file holds. Reading a file (which every
/// rebuild does) raises open, read and close events, and sometimes an access
/// time change: counting those would make each rebuild start another.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, RenameMode};

    #[test]
    fn reading_files_is_no_change_but_writing_renaming_and_removing_are() {
        let quiet = [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Read),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)),
        ];
        for kind in quiet {
            assert!(!changes_content(&kind), "{kind:?}");
        }
        let changes = [
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            EventKind::Remove(notify::event::RemoveKind::File),
            EventKind::Any,
        ];
        for kind in changes {
            assert!(changes_content(&kind), "{kind:?}");
        }
    }
}
