//! Diagnostics: problems found in content, each pinned to a place with a hint.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use annotate_snippets::{AnnotationKind, Element, Level, Origin, Renderer, Snippet};

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

    /// The diagnostic for people, in the style of rustc (drawn by
    /// `annotate-snippets`): the message, the place (`site_root` joined with
    /// the file), the offending line with a caret under the column, the site
    /// and the hint. `color` adds terminal colours; the binary asks for them
    /// and lets `anstream` drop them where the terminal does not want them.
    pub fn render(&self, site_root: &Path, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let location = if self.file.is_empty() {
            site_root.display().to_string()
        } else {
            site_root.join(&self.file).display().to_string()
        };
        let mut title = level.primary_title(self.message.as_str());
        if let Some(code) = &self.code {
            title = title.id(code.as_str());
        }
        let place: Element<'_> = match (self.line, &self.source_line) {
            (Some(line), Some(text)) => {
                let caret = caret_span(text, self.column.unwrap_or(1));
                Snippet::source(text.as_str())
                    .line_start(line as usize)
                    .path(location)
                    .annotation(AnnotationKind::Primary.span(caret))
                    .into()
            }
            (line, _) => {
                let mut origin = Origin::path(location);
                if let Some(line) = line {
                    origin = origin.line(line as usize);
                    if let Some(column) = self.column {
                        origin = origin.char_column(column as usize);
                    }
                }
                origin.into()
            }
        };
        let mut group = title
            .element(place)
            .element(Level::NOTE.message(format!("site {}", self.site)));
        if let Some(hint) = &self.hint {
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut out = renderer.render(&[group]);
        out.push('\n');
        out
    }
}

/// The byte range of the character at 1-based `column` of `line`, where the
/// caret goes: empty at the end of the line, clamped to it beyond.
fn caret_span(line: &str, column: u32) -> Range<usize> {
    let mut chars = line.char_indices().skip(column.max(1) as usize - 1);
    match chars.next() {
        Some((start, c)) => start..start + c.len_utf8(),
        None => line.len()..line.len(),
    }
}

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
    fn a_diagnostic_shows_place_line_caret_site_and_hint_in_rustc_style() {
        let diagnostic = Diagnostic::error("govtech", "pages/faq.md", "malformed YAML")
            .at("---\ntitle: [broken\n---\n", 2, 8)
            .with_hint("close the bracket");
        let text = diagnostic.render(Path::new("sites/govtech"), false);
        assert_eq!(
            text,
            "error: malformed YAML\n --> sites/govtech/pages/faq.md:2:8\n  |\n2 | title: [broken\n  |        ^\n  |\n  = note: site govtech\n  = help: close the bracket\n"
        );
        assert!(!text.contains('\x1b'), "plain text has no colour");
        let coloured = diagnostic.render(Path::new("sites/govtech"), true);
        assert!(coloured.contains('\x1b'), "{coloured:?}");
    }

    #[test]
    fn a_coded_diagnostic_without_a_line_names_its_file_and_code() {
        let diagnostic = Diagnostic::tolerated("s", "_config.yml", "unsupported-setting", "no")
            .with_hint("remove it");
        let text = diagnostic.render(Path::new("sites/s"), false);
        assert!(
            text.starts_with("warning[unsupported-setting]: no\n"),
            "{text}"
        );
        assert!(text.contains("--> sites/s/_config.yml\n"), "{text}");
        assert!(text.contains("= help: remove it"), "{text}");
    }

    #[test]
    fn a_very_long_line_is_shown_cut_near_the_caret() {
        let line = format!("permalink: /{}/", "a".repeat(5_000));
        let diagnostic =
            Diagnostic::error("s", "pages/x.md", "too long").at(&format!("---\n{line}\n"), 2, 12);
        let text = diagnostic.render(Path::new("s"), false);
        assert!(text.len() < 600, "{text}");
        assert!(text.contains("2 | permalink: /aaa"), "{text}");
        assert!(text.contains("..."), "{text}");
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
