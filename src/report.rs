//! Printing diagnostics for people.

use std::io::Write;
use std::path::Path;

use gazette_content::Diagnostic;

/// Prints every diagnostic to standard error, errors and warnings alike,
/// in colour where `anstream` finds the terminal wants it.
pub fn print_diagnostics(diagnostics: &[Diagnostic], site_root: &Path) {
    let mut stderr = anstream::stderr().lock();
    for diagnostic in diagnostics {
        // A closed stderr leaves nobody to tell.
        let _ = writeln!(stderr, "{}", diagnostic.render(site_root, true));
    }
}
