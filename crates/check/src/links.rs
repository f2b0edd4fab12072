//! Links: internal links and `#anchors` that lead nowhere, links to `.md`
//! sources, `http://` links to government hosts, and (on request) external
//! links that do not answer.

use std::collections::{BTreeMap, HashMap};

use gazette_content::Severity;

use crate::context::{Context, UrlProblem};
use crate::external::{ExternalOptions, LinkStatus, check_external_urls};
use crate::finding::Finding;
use crate::lookup::Lookup;
use crate::navigation;
use crate::published::{ScannedPage, Served};
use crate::rule::Rule;
use crate::url::{Target, is_insecure_government_link, resolve};
use rayon::prelude::*;

/// Folders whose files are media rather than pages.
const MEDIA_PREFIXES: &[&str] = &["/images/", "/files/", "/media/", "/assets/", "/misc/"];

/// Internal links, anchors, source links and insecure government links.
pub(crate) fn check(context: &mut Context<'_>) {
    let scans = context.scans;
    // Pages are checked side by side; their problems are placed in order
    // after, since placing one reads what was placed before it.
    let shared: &Context<'_> = context;
    let problems: Vec<UrlProblem<'_>> = scans
        .par_iter()
        .flat_map_iter(|page| page_problems(shared, page))
        .collect();
    for problem in problems {
        context.add_url_problem(problem);
    }
}

/// The problems of one page's links.
fn page_problems<'p>(context: &Context<'_>, page: &'p ScannedPage<'_>) -> Vec<UrlProblem<'p>> {
    let mut problems = Vec::new();
    for (index, (at, reference)) in page.scan.indexed_references().enumerate() {
        let lookup = context.lookups.get(
            (&page.scan, at, reference.url),
            &page.url,
            context.published,
        );
        let found = match &lookup.target {
            Target::Ignored => None,
            Target::External(url) => is_insecure_government_link(url).then(|| {
                (
                    Rule::InsecureGovernmentLink,
                    format!("`{url}` is an insecure http:// link to a government site"),
                    format!("use `https://{}`: government sites serve HTTPS", &url[7..]),
                )
            }),
            Target::Internal { path, fragment } => {
                internal_problem(context, reference.url, path, fragment.as_deref(), &lookup)
                    // A navigation URL the page's source does not write
                    // is reported once, in the navigation file.
                    .filter(|_| !navigation::covers(context, reference.url, page.origin.as_deref()))
            }
        };
        if let Some((rule, message, hint)) = found {
            // Which of the page's links to this URL it is, so the finding
            // points at the same one in the source. Counted only for a
            // problem: most links have none, and a page has hundreds.
            let occurrence = page
                .scan
                .references()
                .take(index)
                .filter(|earlier| earlier.url == reference.url)
                .count();
            problems.push(UrlProblem {
                rule,
                severity: rule.default_severity(),
                origin: page.origin.as_deref(),
                url: reference.url,
                occurrence,
                message,
                hint,
            });
        }
    }
    problems
}

/// What is wrong with a link to `path#fragment` of this site, if anything.
fn internal_problem(
    context: &Context<'_>,
    url: &str,
    path: &str,
    fragment: Option<&str>,
    lookup: &Lookup,
) -> Option<(Rule, String, String)> {
    match lookup.served {
        Some(Served::File(_)) => {
            let fragment = fragment.filter(|f| *f != "top")?;
            let page = lookup.page?;
            let scan = &context.scans[page].scan;
            if scan.has_id(fragment) {
                return None;
            }
            // The first id in order that differs only in dashes and case.
            let squashed = |id: &str| id.replace('-', "").to_lowercase();
            let hint = match scan.ids().find(|id| squashed(id) == squashed(fragment)) {
                Some(id) => format!(
                    "the page has `#{id}`; heading ids keep every dash, as kramdown made them"
                ),
                None => {
                    "link to the id of a heading or element on that page, or remove the `#…` part"
                        .to_owned()
                }
            };
            Some((
                Rule::BrokenAnchor,
                format!("`{url}`: no element of `{path}` has the id `{fragment}`"),
                hint,
            ))
        }
        Some(Served::Redirect) => None,
        None => Some(missing_target(context, url, path)),
    }
}

/// The finding for a link to a path the site does not publish.
fn missing_target(context: &Context<'_>, url: &str, path: &str) -> (Rule, String, String) {
    let file_name = path.rsplit('/').next().unwrap_or(path);
    if file_name.ends_with(".md") || file_name.ends_with(".markdown") {
        let page = context.site.pages.iter().find(|page| {
            page.source_path.rsplit('/').next() == Some(file_name) && page.url().is_some()
        });
        let hint = match page.and_then(|page| page.url()) {
            Some(permalink) => format!("link to the page's address, `{permalink}`"),
            None => "link to the page's permalink, not its source file".to_owned(),
        };
        return (
            Rule::SourceLink,
            format!("`{url}` links to a source file, which is not published"),
            hint,
        );
    }
    let case_hint = context
        .published
        .same_but_for_case(path)
        .map(|found| {
            format!(" (`/{found}` differs only in letter case; addresses are case-sensitive)")
        })
        .unwrap_or_default();
    let is_media = MEDIA_PREFIXES.iter().any(|prefix| path.starts_with(prefix))
        || file_name
            .rsplit_once('.')
            .is_some_and(|(_, ext)| !matches!(ext.to_ascii_lowercase().as_str(), "html" | "htm"));
    if is_media {
        (
            Rule::MissingMedia,
            format!("`{url}` is not in the site's files"),
            format!("add the file to the site, or fix the path{case_hint}"),
        )
    } else {
        let last = path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let similar = context
            .site
            .pages
            .iter()
            .filter_map(|page| page.url())
            .find(|other| {
                !last.is_empty() && other.trim_end_matches('/').rsplit('/').next() == Some(last)
            });
        let hint = match similar {
            Some(other) if case_hint.is_empty() => {
                format!("link to an existing page's permalink; did you mean `{other}`?")
            }
            _ => format!("link to an existing page's permalink{case_hint}"),
        };
        (
            Rule::BrokenLink,
            format!("`{url}` links to a page that does not exist"),
            hint,
        )
    }
}

/// External links checked over the network; those that fail are findings
/// wherever they were written.
pub(crate) fn check_external(context: &mut Context<'_>, options: &ExternalOptions) {
    // URL → every (page source, occurrence) it appears at.
    let mut places: BTreeMap<String, Vec<(Option<String>, String, usize)>> = BTreeMap::new();
    for page in context.scans {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for reference in page.scan.references() {
            let count = seen.entry(reference.url).or_default();
            *count += 1;
            if let Target::External(url) = resolve(reference.url, &page.url) {
                let url = if url.starts_with("//") {
                    format!("https:{url}")
                } else {
                    url
                };
                places.entry(url).or_default().push((
                    page.origin.clone(),
                    reference.url.to_owned(),
                    *count - 1,
                ));
            }
        }
    }
    let urls: Vec<String> = places.keys().cloned().collect();
    let statuses = check_external_urls(&urls, options);
    for (url, status) in urls.iter().zip(statuses) {
        let (severity, message) = match status {
            LinkStatus::Ok => continue,
            LinkStatus::Gone(code) => (
                Severity::Error,
                format!("`{url}` answers {code}: the page is gone"),
            ),
            LinkStatus::Failed(reason) => (
                Severity::Warning,
                format!("`{url}` did not answer properly: {reason}"),
            ),
        };
        let first = context.findings.len();
        for (origin, written, occurrence) in &places[url] {
            context.add_url_problem(UrlProblem {
                rule: Rule::ExternalLink,
                severity,
                origin: origin.as_deref(),
                url: written,
                occurrence: *occurrence,
                message: message.clone(),
                hint: "update or remove the link".to_owned(),
            });
        }
        group_places(&mut context.findings, first);
    }
}

/// Makes the findings from `first` on (one URL's, one per place) one
/// finding with many places: a link checker that names a dead URL once per
/// page buries everything else under it.
fn group_places(findings: &mut Vec<Finding>, first: usize) {
    if findings.len() <= first + 1 {
        return;
    }
    let others: Vec<_> = findings
        .drain(first + 1..)
        .map(|finding| finding.diagnostic)
        .collect();
    let main = &mut findings[first];
    let places = others.len() + 1;
    main.diagnostic
        .message
        .push_str(&format!(" (linked from {places} places)"));
    main.also_at = others;
}
