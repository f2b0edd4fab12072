//! What a check reports: findings, each a rule and a diagnostic, and the
//! report of one site.

use std::fmt;

use gazette_content::Diagnostic;

use crate::rule::Rule;

/// One problem the checker found: which rule, and the diagnostic with its
/// place, message and hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule that found it.
    pub rule: Rule,
    /// Where it is and what to do.
    pub diagnostic: Diagnostic,
    /// The other places the same problem is (one external URL that fails,
    /// linked from many pages, is one finding), each with its file, line,
    /// column and source line; empty for a problem in one place.
    pub also_at: Vec<Diagnostic>,
}

impl Finding {
    /// Whether the finding is an error.
    pub fn is_error(&self) -> bool {
        self.diagnostic.is_error()
    }

    /// The stable id reports list the finding under: the rule's, or for a
    /// loader's or renderer's problem of a kind Jekyll tolerates, that kind
    /// (`front-matter-yaml`, `liquid`, `missing-layout`, …), so a team can
    /// tell them apart and `--strict` names what it turned into errors.
    pub fn rule_id(&self) -> &str {
        match (self.rule, self.diagnostic.code.as_deref()) {
            (Rule::Content, Some(code)) => code,
            (rule, _) => rule.id(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.rule_id(), self.diagnostic)
    }
}

/// Everything a check of one site found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// The site's name.
    pub site: String,
    /// Findings sorted by file, line and column.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }

    /// How many findings are errors.
    pub fn error_count(&self) -> usize {
        self.findings.iter().filter(|f| f.is_error()).count()
    }

    /// How many findings are warnings.
    pub fn warning_count(&self) -> usize {
        self.findings.len() - self.error_count()
    }

    /// The findings of one rule.
    pub fn of_rule(&self, rule: Rule) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.rule == rule)
    }

    /// Under `--strict`: every finding of a tolerated kind (one with a
    /// [`Diagnostic::code`]) becomes an error.
    pub(crate) fn make_strict(&mut self) {
        for finding in &mut self.findings {
            if finding.diagnostic.code.is_some() {
                finding.diagnostic.severity = gazette_content::Severity::Error;
            }
        }
    }

    pub(crate) fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            let key = |f: &Finding| {
                (
                    f.diagnostic.file.clone(),
                    f.diagnostic.line,
                    f.diagnostic.column,
                    f.rule,
                    f.diagnostic.message.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        self.findings.dedup();
    }
}
