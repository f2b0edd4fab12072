//! What every check reads (the site, its source texts, what it publishes,
//! its scanned pages) and how a check adds a finding at its source.

use std::collections::HashSet;

use gazette_content::{Diagnostic, Severity, Site};

use crate::finding::Finding;
use crate::locate::{Position, SourceTexts, find_url};
use crate::lookup::Lookups;
use crate::published::{Published, ScannedPage};
use crate::rule::Rule;

/// What every check reads, and the findings they add.
pub(crate) struct Context<'a> {
    pub site: &'a Site,
    pub texts: &'a SourceTexts<'a>,
    pub published: &'a Published,
    pub scans: &'a [ScannedPage<'a>],
    /// Where the scanned pages' URLs lead.
    pub lookups: &'a Lookups<'a>,
    /// Places already reported, so a link a layout repeats on every page is
    /// reported once.
    pub placed: HashSet<(Rule, String, Option<Position>, String)>,
    pub findings: Vec<Finding>,
}

/// A problem with a URL on a rendered page, before it is placed in a source.
pub(crate) struct UrlProblem<'p> {
    pub rule: Rule,
    pub severity: Severity,
    /// The page's source file, when it has one.
    pub origin: Option<&'p str>,
    /// The URL as the page has it.
    pub url: &'p str,
    /// Which occurrence of the URL on the page this is (0-based).
    pub occurrence: usize,
    pub message: String,
    pub hint: String,
}

impl Context<'_> {
    /// Adds a finding at a line and column of a source file.
    pub(crate) fn add_at(
        &mut self,
        rule: Rule,
        severity: Severity,
        file: &str,
        position: Option<Position>,
        message: String,
        hint: String,
    ) {
        let mut diagnostic = match severity {
            Severity::Error => Diagnostic::error(&self.site.name, file, message),
            Severity::Warning => Diagnostic::warning(&self.site.name, file, message),
        }
        .with_hint(hint);
        if let (Some(position), Some(text)) = (position, self.texts.get(file)) {
            diagnostic = diagnostic.at(text, position.line, position.column);
        }
        self.findings.push(Finding {
            rule,
            diagnostic,
            also_at: Vec::new(),
        });
    }

    /// Adds a finding about a URL, placed where the URL was written: in the
    /// page's source; else in a data file or `_config.yml` a layout read it
    /// from (reported once for the site); else on the page without a line.
    pub(crate) fn add_url_problem(&mut self, problem: UrlProblem<'_>) {
        let mut place = problem.origin.and_then(|origin| {
            let text = self.texts.get(origin)?;
            Some((
                origin.to_owned(),
                find_url(text, problem.url, problem.occurrence)?,
            ))
        });
        let mut message = problem.message;
        if place.is_none() {
            let texts = self.texts;
            place = texts
                .paths()
                .filter(|path| *path == "_config.yml" || path.starts_with("_data/"))
                .find_map(|path| {
                    let position = find_url(texts.get(path)?, problem.url, 0)?;
                    Some((path.to_owned(), position))
                });
        }
        let (file, position) = match place {
            Some((file, position)) => (file, Some(position)),
            None => {
                message.push_str(" (on the rendered page; the link comes from a layout)");
                (problem.origin.unwrap_or_default().to_owned(), None)
            }
        };
        let key = (problem.rule, file.clone(), position, problem.url.to_owned());
        if !self.placed.insert(key) {
            return;
        }
        self.add_at(
            problem.rule,
            problem.severity,
            &file,
            position,
            message,
            problem.hint,
        );
    }
}
