//! What each source file's text decides alone: mojibake in any file the
//! checker reads, and in a page's front matter `image: ""` and unsafe URLs
//! (in the settings, navigation and footer too).
//!
//! These findings are a function of a file's path, its bytes and whether
//! the site makes a page of it, so a check that keeps a state records the
//! files they found nothing in, by content id ([`CleanFiles`]), and the
//! next check neither reads nor checks a file recorded with the same id.
//! At 1,000 pages, reading every source again and checking it was a
//! quarter of a checked one-page publish, for a commit that changed one
//! file.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::check::page_sources;
use crate::context::Context;
use crate::locate::Position;
use crate::rule::Rule;
use crate::{mojibake, pages, unsafe_urls};

/// One finding of a file's own checks, at its line and column.
pub(crate) struct FileFinding {
    pub rule: Rule,
    pub position: Position,
    pub message: String,
    pub hint: String,
}

/// The files whose own checks found nothing: each one's content id, and
/// whether it was checked as a page's source.
pub(crate) type CleanFiles = HashMap<String, (String, bool)>;

/// Runs every file's own checks, adding their findings. With `known`
/// (a check that keeps a state: the clean files of the state it starts
/// from, if any), a file recorded there with its current content id is
/// skipped, and the clean files of this check are returned.
pub(crate) fn check(context: &mut Context<'_>, known: Option<&CleanFiles>) -> Option<CleanFiles> {
    let texts = context.texts;
    let source = texts.source();
    let page_sources = page_sources(context.site);
    let paths: Vec<&str> = texts.paths().collect();
    let checked: Vec<Checked> = paths
        .into_par_iter()
        .map(|path| {
            let as_page = page_sources.contains(path);
            let content_id = known.and_then(|_| source.content_id(path));
            let was_clean = known
                .and_then(|known| known.get(path))
                .zip(content_id.as_deref())
                .is_some_and(|((kept_id, kept_as_page), id)| {
                    kept_id == id && *kept_as_page == as_page
                });
            let findings = if was_clean {
                Some(Vec::new())
            } else {
                texts
                    .get(path)
                    .map(|text| own_findings(path, text, as_page))
            };
            Checked {
                path,
                as_page,
                content_id,
                findings,
            }
        })
        .collect();
    let mut clean = CleanFiles::new();
    for file in checked {
        match file.findings {
            // A file that could not be read is not known clean: it may be
            // readable next time.
            None => {}
            Some(findings) if findings.is_empty() => {
                if let Some(id) = file.content_id {
                    clean.insert(file.path.to_owned(), (id, file.as_page));
                }
            }
            Some(findings) => {
                for finding in findings {
                    context.add_at(
                        finding.rule,
                        finding.rule.default_severity(),
                        file.path,
                        Some(finding.position),
                        finding.message,
                        finding.hint,
                    );
                }
            }
        }
    }
    known.map(|_| clean)
}

/// One file's own checks.
struct Checked<'a> {
    path: &'a str,
    as_page: bool,
    /// Asked only when the clean files are kept.
    content_id: Option<String>,
    /// `None` when the file could not be read.
    findings: Option<Vec<FileFinding>>,
}

/// The findings of one file's text alone.
fn own_findings(path: &str, text: &str, as_page: bool) -> Vec<FileFinding> {
    let mut findings = Vec::new();
    if as_page {
        findings.extend(pages::empty_image_findings(text));
    }
    findings.extend(mojibake::file_findings(text));
    findings.extend(unsafe_urls::file_findings(path, text, as_page));
    findings
}
