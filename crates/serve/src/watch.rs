//! Watching folders for changes to what files hold.
//!
//! The watcher knows nothing of sites or the server: it sends each burst of
//! changed paths to whoever started it, which decides what to re-render.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

/// Editors save in bursts (write, rename over, touch): wait this long for quiet.
const QUIET: Duration = Duration::from_millis(20);

/// Starts watching `folders` and calls `on_change` with the paths of each
/// burst of changes, on a thread of its own; the returned watcher stops when
/// dropped.
pub(crate) fn watch(
    folders: &[PathBuf],
    on_change: impl Fn(Vec<PathBuf>, Instant) + Send + 'static,
) -> notify::Result<Debouncer<notify::RecommendedWatcher, RecommendedCache>> {
    let (sender, receiver) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(QUIET, None, sender)?;
    for folder in folders {
        debouncer.watch(folder, RecursiveMode::Recursive)?;
    }
    std::thread::spawn(move || {
        for result in receiver {
            let Ok(events) = result else { continue };
            let started = Instant::now();
            let paths: Vec<PathBuf> = events
                .iter()
                .filter(|event| changes_content(&event.kind))
                .flat_map(|event| event.paths.iter().cloned())
                .collect();
            // Whatever goes wrong with one burst, later edits are still heard.
            if !paths.is_empty() {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    on_change(paths, started);
                }));
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
