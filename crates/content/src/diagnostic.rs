//! Diagnostics: problems found in content, each pinned to a place with a hint.

use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The site cannot be published until this is fixed.
    Error,
    /// Worth fixing; the site still builds.
    Warning,
}

/// One problem, with the file, line and column it points at and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
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

    /// Adds advice on how to fix the problem.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this diagnostic stops a build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}: {}: {}", self.site, self.file)?;
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
