//! Printing diagnostics for people.

use std::io::Write;
use std::path::Path;

use gazette_content::Diagnostic;
use gazette_store::{DamagedObject, GitError, OpenRevisionError};

/// Prints every diagnostic to standard error, errors and warnings alike,
/// in colour where `anstream` finds the terminal wants it.
pub fn print_diagnostics(diagnostics: &[Diagnostic], site_root: &Path) {
    let mut stderr = anstream::stderr().lock();
    for diagnostic in diagnostics {
        // A closed stderr leaves nobody to tell.
        let _ = writeln!(stderr, "{}", diagnostic.render(site_root, true));
    }
}

/// The damaged Git object behind an error, if that is why the command
/// could not run.
pub fn damaged_object(error: &anyhow::Error) -> Option<&DamagedObject> {
    error.chain().find_map(|cause| {
        cause
            .downcast_ref::<OpenRevisionError>()
            .and_then(OpenRevisionError::damaged_object)
            .or_else(|| {
                cause
                    .downcast_ref::<GitError>()
                    .and_then(GitError::damaged_object)
            })
            .or_else(|| cause.downcast_ref::<DamagedObject>())
    })
}

/// Prints what to do about a damaged object, below the error that named it
/// and its file.
pub fn print_damaged_repository_help() {
    anstream::eprintln!(
        "  = help: the repository is damaged, not the site: run `git fsck` to list what else \
         is, then fetch again or clone the repository anew"
    );
}
