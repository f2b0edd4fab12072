//! The site checker behind `gazette check`: problems a build does not stop
//! for but readers would meet, found before a site is published.
//!
//! A check reads the site as loaded ([`Site`]) and as rendered
//! ([`RenderedSite`]): every rendered page is scanned once with `lol_html` for
//! its links, images and element ids, each URL is resolved the way a browser
//! would, and what it points at is looked up among the files the site
//! publishes. A finding about a URL points at the place in the sources where
//! it was written (the page, or the data file a layout read it from).
//!
//! Errors (a site with any should not be published): broken internal links
//! and `#anchors`, missing media, duplicate permalinks, navigation entries
//! that point nowhere, links to `.md` sources, missing `title`/`permalink`,
//! and the loader's and renderer's own errors. Warnings: mojibake, images
//! without alt text, the same image twice in a row, pages nothing reaches,
//! `image: ""`, and `http://` links to `*.gov.sg`. External links are checked
//! only on request ([`CheckOptions::external`]).
//!
//! Reports are values: [`CheckReport`] for people (each finding is a
//! [`Diagnostic`] with its rustc-style `render`), and [`json_report`] and
//! [`sarif_report`] for machines. The JSON schema is documented in
//! `docs/check-json-schema.md`.
//!
//! ```
//! use gazette_content::{MemorySource, Site};
//! use gazette_publish::check::{CheckOptions, Rule, check_site};
//! use gazette_publish::RenderedSite;
//!
//! let source = MemorySource::from_files([
//!     ("_config.yml", "title: Example Agency\n"),
//!     ("pages/faq.md", "---\npermalink: /faq/\n---\nAsk us.\n"),
//! ]);
//! let loaded = Site::load("example", &source).expect("a readable site");
//! let report = check_site(&loaded.site, &RenderedSite::default(), &source, &CheckOptions::default());
//! assert_eq!(report.findings[0].rule, Rule::MissingFrontMatter);
//! assert!(report.has_errors());
//! ```

mod external;
mod fix;
mod html;
mod links;
mod locate;
mod media;
mod mojibake;
mod navigation;
mod pages;
mod published;
mod reach;
mod report;
mod rule;
mod url;

use std::collections::{BTreeSet, HashSet};
use std::fmt;

use gazette_content::{Diagnostic, Diagnostics, Severity, Site, Source};
use gazette_theme::Theme;
use rayon::prelude::*;

use crate::build::BuildRequest;
use crate::render::{OutputContents, RenderOptions, RenderedSite, render_site_partially};

pub use external::{ExternalOptions, LinkStatus, check_external_urls};
pub use fix::{MojibakeFix, plan_mojibake_fixes};
pub use mojibake::{MojibakeSpot, find_mojibake, repair_mojibake};
pub use report::{JSON_SCHEMA_VERSION, SiteReport, json_report, sarif_report};
pub use rule::Rule;

use html::PageScan;
use locate::{Position, SourceTexts, find_url};
use published::Published;

/// One problem the checker found: which rule, and the diagnostic with its
/// place, message and hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule that found it.
    pub rule: Rule,
    /// Where it is and what to do.
    pub diagnostic: Diagnostic,
}

impl Finding {
    /// Whether the finding is an error.
    pub fn is_error(&self) -> bool {
        self.diagnostic.is_error()
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.rule.id(), self.diagnostic)
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

    fn sort(&mut self) {
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

/// What a check does beyond the defaults.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Check external links over the network, with these limits.
    pub external: Option<ExternalOptions>,
}

/// Why a check could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum CheckFailure {
    /// The theme the site uses could not be loaded.
    #[error("cannot load theme `{theme}`: {message}")]
    Theme {
        /// The theme's name.
        theme: String,
        /// What went wrong.
        message: String,
    },
}

/// Loads, renders and checks one site. Problems that keep pages from loading
/// or rendering are findings of the `content` rule; the rest of the site is
/// checked all the same.
pub fn check_request(
    request: &BuildRequest<'_>,
    options: &CheckOptions,
) -> Result<CheckReport, CheckFailure> {
    let loaded = match Site::load(request.name, request.site) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            let mut report = CheckReport {
                site: request.name.to_owned(),
                findings: Vec::new(),
            };
            report.findings.extend(content_findings(diagnostics));
            report.sort();
            return Ok(report);
        }
    };
    let mut theme =
        Theme::load(request.themes, request.theme, Some(request.site)).map_err(|error| {
            CheckFailure::Theme {
                theme: request.theme.to_owned(),
                message: error.to_string(),
            }
        })?;
    // Later pages of a duplicate permalink are left out of rendering so the
    // rest renders; the duplicate itself is a finding of its own.
    let mut renderable = loaded.site.clone();
    for index in pages::later_duplicates(&loaded.site) {
        renderable.pages[index].published = false;
    }
    let render_options = RenderOptions {
        last_changed: request.last_changed,
        previous: None,
        bodies: None,
        commit: None,
        keep_state: false,
    };
    let (rendered, render_diagnostics) =
        render_site_partially(&renderable, &mut theme, &render_options);
    let mut report = check_site(&loaded.site, &rendered, request.site, options);
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(render_diagnostics);
    report.findings.extend(
        content_findings(diagnostics).filter(|finding| !pages::is_loader_duplicate(finding)),
    );
    report.sort();
    Ok(report)
}

fn content_findings(diagnostics: Diagnostics) -> impl Iterator<Item = Finding> {
    diagnostics.into_iter().map(|diagnostic| Finding {
        rule: Rule::Content,
        diagnostic,
    })
}

/// Checks a loaded and rendered site. `source` is where the site was read
/// from, so findings can quote the lines they point at.
pub fn check_site(
    site: &Site,
    rendered: &RenderedSite,
    source: &dyn Source,
    options: &CheckOptions,
) -> CheckReport {
    let texts = SourceTexts::read(source, checked_paths(site, source));
    let page_sources: HashSet<&str> = site.pages.iter().map(|p| p.source_path.as_str()).collect();
    let scans: Vec<ScannedPage> = rendered
        .outputs
        .par_iter()
        .filter_map(|output| {
            let OutputContents::Rendered(bytes) = &output.contents else {
                return None;
            };
            if !output.path.ends_with(".html") {
                return None;
            }
            let html = String::from_utf8_lossy(bytes);
            Some(ScannedPage {
                output_path: output.path.clone(),
                url: url_of_output(&output.path),
                origin: page_sources
                    .contains(output.origin.as_str())
                    .then(|| output.origin.clone()),
                scan: html::scan_page(&html),
            })
        })
        .collect();
    let published = Published::new(rendered, &scans, &texts);
    let mut context = Context {
        site,
        texts: &texts,
        published: &published,
        scans: &scans,
        placed: HashSet::new(),
        findings: Vec::new(),
    };
    pages::check(&mut context);
    navigation::check(&mut context);
    links::check(&mut context);
    media::check(&mut context);
    reach::check(&mut context);
    mojibake::check(&mut context);
    if let Some(external) = &options.external {
        links::check_external(&mut context, external);
    }
    let mut report = CheckReport {
        site: site.name.clone(),
        findings: context.findings,
    };
    report.sort();
    report
}

/// One rendered page and what it holds.
pub(crate) struct ScannedPage {
    /// Its output path (`about/index.html`).
    output_path: String,
    /// The URL it is served at (`/about/`).
    url: String,
    /// The page's source file, when it has one.
    origin: Option<String>,
    /// Its links, images and ids.
    scan: PageScan,
}

/// What every check reads, and the findings they add.
pub(crate) struct Context<'a> {
    site: &'a Site,
    texts: &'a SourceTexts,
    published: &'a Published,
    scans: &'a [ScannedPage],
    /// Places already reported, so a link a layout repeats on every page is
    /// reported once.
    placed: HashSet<(Rule, String, Option<Position>, String)>,
    findings: Vec<Finding>,
}

/// A problem with a URL on a rendered page, before it is placed in a source.
pub(crate) struct UrlProblem<'p> {
    rule: Rule,
    severity: Severity,
    /// The page's source file, when it has one.
    origin: Option<&'p str>,
    /// The URL as the page has it.
    url: &'p str,
    /// Which occurrence of the URL on the page this is (0-based).
    occurrence: usize,
    message: String,
    hint: String,
}

impl Context<'_> {
    /// Adds a finding at a line and column of a source file.
    fn add_at(
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
        self.findings.push(Finding { rule, diagnostic });
    }

    /// Adds a finding about a URL, placed where the URL was written: in the
    /// page's source; else in a data file or `_config.yml` a layout read it
    /// from (reported once for the site); else on the page without a line.
    fn add_url_problem(&mut self, problem: UrlProblem<'_>) {
        let mut place = problem.origin.and_then(|origin| {
            let text = self.texts.get(origin)?;
            Some((
                origin.to_owned(),
                find_url(text, problem.url, problem.occurrence)?,
            ))
        });
        let mut message = problem.message;
        if place.is_none() {
            place = self.texts.iter().find_map(|(path, text)| {
                let is_settings = path == "_config.yml" || path.starts_with("_data/");
                is_settings
                    .then(|| find_url(text, problem.url, 0))
                    .flatten()
                    .map(|position| (path.to_owned(), position))
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

/// The source files findings may point into: pages, settings and data.
fn checked_paths(site: &Site, source: &dyn Source) -> BTreeSet<String> {
    let mut paths: BTreeSet<String> = site.pages.iter().map(|p| p.source_path.clone()).collect();
    if let Ok(listing) = source.list() {
        paths.extend(listing.into_iter().filter(|path| {
            let settings = path == "_config.yml" || path == "_redirects";
            let data =
                path.starts_with("_data/") && (path.ends_with(".yml") || path.ends_with(".yaml"));
            let order = path.starts_with('_') && path.ends_with("/collection.yml");
            settings || data || order
        }));
    }
    paths
}

/// The URL a rendered file is served at: `about/index.html` is `/about/`.
fn url_of_output(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some(folder) if folder.is_empty() || folder.ends_with('/') => format!("/{folder}"),
        _ => format!("/{path}"),
    }
}

#[cfg(test)]
mod tests;
