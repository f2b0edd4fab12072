//! Checking one site: load and render what can be rendered, scan every
//! rendered page once, then run each concern's checks over the result.

use std::borrow::Cow;
use std::collections::HashSet;

use gazette_content::{Diagnostics, LoadCache, LoadedSite, Site, Source};
use gazette_render::{
    BuildRequest, OutputContents, RenderOptions, RenderedSite, render_site_partially,
};
use gazette_theme::Theme;
use rayon::prelude::*;

use crate::context::Context;
use crate::external::ExternalOptions;
use crate::files::{self, CleanFiles};
use crate::finding::{CheckReport, Finding};
use crate::incremental::{self, CheckState, Known};
use crate::locate::{SourceTexts, checked_paths};
use crate::lookup::Lookups;
use crate::published::{Published, ScannedPage};
use crate::rule::Rule;
use crate::{copied_files, html, links, media, navigation, pages, reach};

/// What a check does beyond the defaults.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Check external links over the network, with these limits.
    pub external: Option<ExternalOptions>,
    /// `--strict` (or `strict = true` in `site.toml`): every warning of a
    /// kind Jekyll tolerates, and script in copied files, is an error.
    pub strict: bool,
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
    let loaded = Site::load_with(request.name, request.site, &request.load);
    let checked = check_loaded(request, options, loaded, Start::Whole)?;
    Ok(checked.report)
}

/// A check and what the next check of the site may start from.
#[derive(Debug)]
pub struct Checked {
    /// The findings.
    pub report: CheckReport,
    /// What the next check of the site may start from
    /// ([`check_request_with`]): only from a render that made no
    /// diagnostics, as reused units do not make theirs again.
    pub state: Option<CheckState>,
    /// How many pages rendered; the others were reused, with their scans
    /// taken from the state.
    pub pages_rendered: usize,
}

/// [`check_request`], loading through `cache` (files an earlier load with it
/// parsed are not parsed again) and starting from `previous`, the state of
/// an earlier check of the site: units whose inputs are unchanged are not
/// rendered, and their pages' scans are taken from the state. The findings
/// are those [`check_request`] makes of the same files (see
/// `incremental.rs`). A state made by another program, or for other load
/// options or another theme, is not used: the site is checked whole.
pub fn check_request_with(
    request: &BuildRequest<'_>,
    options: &CheckOptions,
    cache: &mut LoadCache,
    previous: Option<&CheckState>,
) -> Result<Checked, CheckFailure> {
    let loaded = Site::load_cached_with(request.name, request.site, cache, &request.load);
    check_loaded(request, options, loaded, Start::From(previous))
}

/// Where a check's render starts.
#[derive(Clone, Copy)]
enum Start<'a> {
    /// From nothing, keeping no state: `gazette check`.
    Whole,
    /// From an earlier check's state, if there is one, keeping a state for
    /// the next.
    From(Option<&'a CheckState>),
}

/// Renders and checks a site as loaded.
fn check_loaded(
    request: &BuildRequest<'_>,
    options: &CheckOptions,
    loaded: Result<LoadedSite, Diagnostics>,
    start: Start<'_>,
) -> Result<Checked, CheckFailure> {
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            let mut report = CheckReport {
                site: request.name.to_owned(),
                findings: Vec::new(),
            };
            report.findings.extend(content_findings(diagnostics));
            if options.strict {
                report.make_strict();
            }
            report.sort();
            return Ok(Checked {
                report,
                state: None,
                pages_rendered: 0,
            });
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
    // Copied only then: a site is megabytes, and most have no duplicate.
    let duplicates = pages::later_duplicates(&loaded.site);
    let renderable = if duplicates.is_empty() {
        Cow::Borrowed(&loaded.site)
    } else {
        let mut renderable = loaded.site.clone();
        for index in duplicates {
            renderable.pages[index].published = false;
        }
        Cow::Owned(renderable)
    };
    let identity = incremental::identity(request);
    let (keep, previous) = match start {
        Start::Whole => (false, None),
        Start::From(previous) => (true, previous.filter(|state| state.is_for(&identity))),
    };
    let dates = request.last_changed.worked_out();
    let render = |previous: Option<&CheckState>, theme: &mut Theme| {
        let render_options = RenderOptions {
            last_changed: dates.as_deref(),
            previous: previous.map(CheckState::manifest),
            without_search_index: true,
            bodies: Some(request.site),
            ..RenderOptions::default()
        };
        render_site_partially(&renderable, theme, &render_options)
    };
    let (mut rendered, mut render_diagnostics) = render(previous, &mut theme);
    // The sources findings quote, and the file checks read, are read as
    // they are asked for.
    let texts = SourceTexts::new(request.site, checked_paths(&loaded.site, request.site));
    let page_sources = page_sources(&loaded.site);
    let scans = match scan_pages(&rendered, &page_sources, previous) {
        Some(scans) => scans,
        None => {
            // A reused page the state has no scan of (it cannot be one this
            // program wrote, but a state is only an aid): render it all.
            (rendered, render_diagnostics) = render(None, &mut theme);
            scan_pages(&rendered, &page_sources, None).unwrap_or_default()
        }
    };
    // A check that keeps a state skips the files the last one found clean.
    let no_clean_files = CleanFiles::new();
    let known_clean = keep.then(|| previous.map_or(&no_clean_files, CheckState::clean_files));
    let (mut report, clean_files) = check_scanned(
        &loaded.site,
        &rendered,
        (&scans, previous.map(CheckState::table)),
        &texts,
        known_clean,
        options,
    );
    let pages_rendered = rendered.stats.pages_rendered;
    // Reused units do not make their warnings again, so a state is kept
    // only from a render that had none.
    let state = (keep && render_diagnostics.0.is_empty())
        .then(|| {
            let shared = previous.map(CheckState::table);
            CheckState::new(
                identity,
                rendered,
                (scans, shared),
                clean_files.unwrap_or_default(),
            )
        })
        .flatten();
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(render_diagnostics);
    report.findings.extend(
        content_findings(diagnostics).filter(|finding| !pages::is_loader_duplicate(finding)),
    );
    if options.strict {
        report.make_strict();
    }
    report.sort();
    Ok(Checked {
        report,
        state,
        pages_rendered,
    })
}

/// The loader's and renderer's diagnostics as findings: a URL conflict the
/// loader resolved as Jekyll does is `duplicate-permalink`, the rest are
/// `content`.
fn content_findings(diagnostics: Diagnostics) -> impl Iterator<Item = Finding> {
    diagnostics.into_iter().map(|diagnostic| Finding {
        rule: match diagnostic.code.as_deref() {
            Some("url-conflict") => Rule::DuplicatePermalink,
            _ => Rule::Content,
        },
        diagnostic,
        also_at: Vec::new(),
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
    let texts = SourceTexts::new(source, checked_paths(site, source));
    let scans = scan_pages(rendered, &page_sources(site), None).unwrap_or_default();
    check_scanned(site, rendered, (&scans, None), &texts, None, options).0
}

/// The source files of the site's pages.
pub(crate) fn page_sources(site: &Site) -> HashSet<&str> {
    site.pages.iter().map(|p| p.source_path.as_str()).collect()
}

/// Every HTML page the site renders but redirect pages, scanned: a
/// rendered page here, a reused one's scan read in `known`. `None` when
/// a page was reused that `known` has no scan of.
fn scan_pages<'a>(
    rendered: &RenderedSite,
    page_sources: &HashSet<&str>,
    known: Option<&'a CheckState>,
) -> Option<Vec<ScannedPage<'a>>> {
    let scanned: Option<Vec<Option<ScannedPage<'a>>>> = rendered
        .outputs
        .par_iter()
        .filter(|output| {
            // A redirect page's one link is its target, which links to the
            // old address are checked against (`Published::serve`).
            output.path.ends_with(".html")
                && !rendered.manifest.redirects.contains_key(&output.path)
        })
        .map(|output| {
            let scan = match &output.contents {
                OutputContents::Rendered(bytes) => html::scan_page(bytes),
                OutputContents::Reuse(path) => match known?.scan_of(path) {
                    Known::Scanned(scan) => scan,
                    Known::Unscanned => return Some(None),
                    Known::Unknown => return None,
                },
                // HTML files published as they are: not pages of the site.
                OutputContents::Copy(_) | OutputContents::CopySanitizedSvg(_) => {
                    return Some(None);
                }
                // No sink is given to a check's render.
                OutputContents::Written => return None,
            };
            Some(Some(ScannedPage {
                output_path: output.path.clone(),
                url: url_of_output(&output.path),
                origin: page_sources
                    .contains(output.origin.as_str())
                    .then(|| output.origin.clone()),
                scan,
            }))
        })
        .collect();
    Some(scanned?.into_iter().flatten().collect())
}

/// Runs every concern's checks over the scanned pages of a site (the kept
/// ones borrowing the table `shared`) and the texts of its sources,
/// skipping the files `known_clean` names (see `files.rs`); with it, the
/// clean files of this check are returned.
fn check_scanned<'a>(
    site: &Site,
    rendered: &RenderedSite,
    (scans, shared): (&'a [ScannedPage<'a>], Option<&'a [String]>),
    texts: &SourceTexts<'_>,
    known_clean: Option<&CleanFiles>,
    options: &CheckOptions,
) -> (CheckReport, Option<CleanFiles>) {
    let published = Published::new(rendered, scans, texts);
    let lookups = Lookups::new(scans, shared, &published);
    let mut context = Context {
        site,
        texts,
        published: &published,
        scans,
        lookups: &lookups,
        placed: HashSet::new(),
        findings: Vec::new(),
    };
    pages::check(&mut context);
    navigation::check(&mut context);
    links::check(&mut context);
    media::check(&mut context);
    reach::check(&mut context);
    let clean_files = files::check(&mut context, known_clean);
    copied_files::check(&mut context, texts.source());
    if let Some(external) = &options.external {
        links::check_external(&mut context, external);
    }
    let mut report = CheckReport {
        site: site.name.clone(),
        findings: context.findings,
    };
    if options.strict {
        report.make_strict();
    }
    report.sort();
    (report, clean_files)
}

/// The URL a rendered file is served at: `about/index.html` is `/about/`.
fn url_of_output(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some(folder) if folder.is_empty() || folder.ends_with('/') => format!("/{folder}"),
        _ => format!("/{path}"),
    }
}
