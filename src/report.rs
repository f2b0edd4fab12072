//! Diagnostics for people, in the style of rustc: the message, the place, the
//! offending line with a caret under the column, and a hint.

use std::io::{IsTerminal, Write};
use std::path::Path;

use gazette_content::{Diagnostic, Severity};

/// Prints every diagnostic to standard error, errors and warnings alike.
pub fn print_diagnostics(diagnostics: &[Diagnostic], site_root: &Path) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut stderr = std::io::stderr().lock();
    for diagnostic in diagnostics {
        // A closed stderr leaves nobody to tell.
        let _ = writeln!(stderr, "{}", render(diagnostic, site_root, color));
    }
}

/// One diagnostic as text.
pub fn render(diagnostic: &Diagnostic, site_root: &Path, color: bool) -> String {
    let (label, paint) = match diagnostic.severity {
        Severity::Error => ("error", "\x1b[1;31m"),
        Severity::Warning => ("warning", "\x1b[1;33m"),
    };
    let (bold, blue, reset) = if color {
        ("\x1b[1m", "\x1b[1;34m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let paint = if color { paint } else { "" };
    let mut out = format!(
        "{paint}{label}{reset}{bold}: {}{reset}\n",
        diagnostic.message
    );
    let location = if diagnostic.file.is_empty() {
        site_root.display().to_string()
    } else {
        site_root.join(&diagnostic.file).display().to_string()
    };
    let position = match (diagnostic.line, diagnostic.column) {
        (Some(line), Some(column)) => format!(":{line}:{column}"),
        (Some(line), None) => format!(":{line}"),
        _ => String::new(),
    };
    let gutter = diagnostic.line.map_or(1, |line| line.to_string().len());
    let pad = " ".repeat(gutter);
    out.push_str(&format!(
        "{pad}{blue}-->{reset} {location}{position} (site {})\n",
        diagnostic.site
    ));
    if let (Some(line), Some(text)) = (diagnostic.line, &diagnostic.source_line) {
        let column = diagnostic.column.unwrap_or(1).max(1) as usize;
        let caret_offset: usize = text
            .chars()
            .take(column - 1)
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum();
        let shown = text.replace('\t', "    ");
        out.push_str(&format!("{pad} {blue}|{reset}\n"));
        out.push_str(&format!("{blue}{line}{reset} {blue}|{reset} {shown}\n"));
        out.push_str(&format!(
            "{pad} {blue}|{reset} {}{paint}^{reset}\n",
            " ".repeat(caret_offset)
        ));
    }
    if let Some(hint) = &diagnostic.hint {
        out.push_str(&format!("{pad} {blue}={reset} {bold}help{reset}: {hint}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagnostic_shows_place_line_caret_and_hint() {
        let diagnostic = Diagnostic::error("govtech", "pages/faq.md", "malformed YAML")
            .at("---\ntitle: [broken\n---\n", 2, 8)
            .with_hint("close the bracket");
        let text = render(&diagnostic, Path::new("sites/govtech"), false);
        assert_eq!(
            text,
            "error: malformed YAML\n --> sites/govtech/pages/faq.md:2:8 (site govtech)\n  |\n2 | title: [broken\n  |        ^\n  = help: close the bracket\n"
        );
    }
}
