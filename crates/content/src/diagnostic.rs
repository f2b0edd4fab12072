//! Diagnostics: problems found in content, each pinned to a place with a hint.

use std::fmt;
use std::path::Path;

/// How bad a diagnostic is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    /// The site cannot be published until this is fixed.
    Error,
    /// Worth fixing; the site still builds.
    Warning,
}

/// One problem, with the file, line and column it points at and what to do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// The site it belongs to.
    pub site: String,
    /// The file, relative to the site root (empty for site-wide problems).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The text of the offending line, so a report can show it with a caret.
    pub source_line: Option<String>,
    /// A stable id for the kind of problem (`url-conflict`,
    /// `missing-layout`, ...), for reports, `--strict` and filters; `None`
    /// for problems that are always errors.
    pub code: Option<String>,
}

impl Diagnostic {
    /// An error in `file` of `site`.
    pub fn error(site: &str, file: &str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            site: site.to_owned(),
            file: file.to_owned(),
            line: None,
            column: None,
            message: message.into(),
            hint: None,
            source_line: None,
            code: None,
        }
    }

    /// A warning in `file` of `site`.
    pub fn warning(site: &str, file: &str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(site, file, message)
        }
    }

    /// Points the diagnostic at a line and column of `text` (the whole file),
    /// keeping the line's text for display.
    pub fn at(mut self, text: &str, line: u32, column: u32) -> Self {
        self.line = Some(line.max(1));
        self.column = Some(column.max(1));
        self.source_line = text
            .lines()
            .nth(line.max(1) as usize - 1)
            .map(|l| l.trim_end_matches('\r').to_owned());
        self
    }

    /// A warning of a kind Jekyll tolerates: the build goes on, `code` names
    /// the kind, and `--strict` turns it into an error.
    pub fn tolerated(site: &str, file: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            code: Some(code.to_owned()),
            ..Self::warning(site, file, message)
        }
    }

    /// Adds advice on how to fix the problem.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this diagnostic stops a build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic for people, in the style of rustc: the message, the
    /// place (`site_root` joined with the file), the offending line with a caret
    /// under the column, and the hint. `color` adds terminal colours.
    pub fn render(&self, site_root: &Path, color: bool) -> String {
        let diagnostic = self;
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
        let code = diagnostic
            .code
            .as_deref()
            .map(|code| format!("[{code}]"))
            .unwrap_or_default();
        let mut out = format!(
            "{paint}{label}{code}{reset}{bold}: {}{reset}\n",
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
            let mut shown = text.replace('\t', "    ");
            // A line of thousands of characters (a hostile permalink) is
            // shown as far as the caret and a little after.
            let keep = (caret_offset + SHOWN_AFTER_CARET).max(SHOWN_LINE);
            if let Some((cut, _)) = shown.char_indices().nth(keep) {
                shown.truncate(cut);
                shown.push('…');
            }
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
}

/// How much of a source line a rendered diagnostic shows: this many
/// characters, or as far as the caret and [`SHOWN_AFTER_CARET`] more.
const SHOWN_LINE: usize = 160;
const SHOWN_AFTER_CARET: usize = 40;

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}")?;
        if let Some(code) = &self.code {
            write!(f, "[{code}]")?;
        }
        write!(f, ": {}: {}", self.site, self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Every diagnostic of one load or build, errors and warnings together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Records one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Whether any of them is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// Under `--strict`: every warning of a kind Jekyll tolerates (one with a
    /// [`Diagnostic::code`]) becomes an error, for teams that want a clean
    /// site.
    pub fn make_strict(&mut self) {
        for diagnostic in &mut self.0 {
            if diagnostic.code.is_some() {
                diagnostic.severity = Severity::Error;
            }
        }
    }

    /// Sorts by file and position so reports read top to bottom.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.site, &a.file, a.line, a.column, a.severity)
                .cmp(&(&b.site, &b.file, b.line, b.column, b.severity))
        });
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<T: IntoIterator<Item = Diagnostic>>(&mut self, iter: T) {
        self.0.extend(iter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagnostic_shows_place_line_caret_and_hint() {
        let diagnostic = Diagnostic::error("govtech", "pages/faq.md", "malformed YAML")
            .at("---\ntitle: [broken\n---\n", 2, 8)
            .with_hint("close the bracket");
        let text = diagnostic.render(Path::new("sites/govtech"), false);
        assert_eq!(
            text,
            "error: malformed YAML\n --> sites/govtech/pages/faq.md:2:8 (site govtech)\n  |\n2 | title: [broken\n  |        ^\n  = help: close the bracket\n"
        );
    }

    #[test]
    fn a_very_long_line_is_shown_cut_after_the_caret() {
        let line = format!("permalink: /{}/", "a".repeat(5_000));
        let diagnostic =
            Diagnostic::error("s", "pages/x.md", "too long").at(&format!("---\n{line}\n"), 2, 12);
        let text = diagnostic.render(Path::new("s"), false);
        assert!(text.len() < 400, "{text}");
        assert!(text.contains("2 | permalink: /aaa"), "{text}");
        assert!(text.contains("a…\n"), "{text}");
    }

    #[test]
    fn strict_turns_tolerated_warnings_into_errors_and_leaves_plain_warnings() {
        let mut diagnostics = Diagnostics(vec![
            Diagnostic::tolerated("s", "a.md", "url-conflict", "two files write /a/"),
            Diagnostic::warning("s", "b.md", "an unused folder"),
        ]);
        assert!(!diagnostics.has_errors());
        diagnostics.make_strict();
        assert!(diagnostics.0[0].is_error());
        assert!(!diagnostics.0[1].is_error());
        assert!(
            diagnostics.0[0]
                .to_string()
                .starts_with("error[url-conflict]: s: a.md")
        );
    }
}
