//! Printing diagnostics for people.

use std::io::{IsTerminal, Write};
use std::path::Path;

use gazette_content::Diagnostic;

/// Prints every diagnostic to standard error, errors and warnings alike.
pub fn print_diagnostics(diagnostics: &[Diagnostic], site_root: &Path) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut stderr = std::io::stderr().lock();
    for diagnostic in diagnostics {
        // A closed stderr leaves nobody to tell.
        let _ = writeln!(stderr, "{}", diagnostic.render(site_root, color));
    }
}
