//! Reachability: pages that no navigation, listing or link leads to from the
//! homepage, following every link of every rendered page (layouts included).

use std::collections::BTreeMap;

use rayon::prelude::*;

use gazette_content::{PageKind, PostKind};

use crate::context::Context;
use crate::locate::Position;
use crate::rule::Rule;
use crate::scan::RefKind;

/// Output files people reach without a link on the site: the homepage and
/// the error page, and the two pages Isomer's footer links on every site
/// whatever `footer.yml` says.
const ENTRY_POINTS: &[&str] = &[
    "index.html",
    "404.html",
    "privacy/index.html",
    "terms-of-use/index.html",
];

/// Reports each page none of whose rendered files is reached.
pub(crate) fn check(context: &mut Context<'_>) {
    let scans = context.scans;
    let reached = reached_pages(context);
    // A page with several files (a paginated listing) is reached if any is.
    let mut by_origin: BTreeMap<&str, bool> = BTreeMap::new();
    for (index, page) in scans.iter().enumerate() {
        if let Some(origin) = &page.origin {
            *by_origin.entry(origin.as_str()).or_default() |= reached[index];
        }
    }
    let site = context.site;
    for (origin, was_reached) in by_origin {
        let Some(page) = site.pages.iter().find(|p| p.source_path == origin) else {
            continue;
        };
        // A file or link post's listing links to the file or the other
        // site itself, never to its page.
        let listed_by_target = matches!(
            page.kind,
            PageKind::Post {
                kind: PostKind::File | PostKind::Link,
                ..
            }
        );
        if was_reached || page.kind == PageKind::Homepage || listed_by_target {
            continue;
        }
        context.add_at(
            Rule::OrphanPage,
            Rule::OrphanPage.default_severity(),
            origin,
            Some(Position {
                line: page.line_of("permalink"),
                column: 1,
            }),
            format!(
                "no navigation, listing or link reaches `{}` from the homepage",
                page.url().unwrap_or_default()
            ),
            orphan_hint(&page.kind),
        );
    }
}

fn orphan_hint(kind: &PageKind) -> String {
    match kind {
        PageKind::CollectionItem { collection } => format!(
            "list the page in `_{collection}/collection.yml` `order`, add the collection to `_data/navigation.yml`, or link to it from another page"
        ),
        _ => "link to the page from the navigation, the footer or another page, or remove it"
            .to_owned(),
    }
}

/// Which scanned pages the entry points lead to, one level of links at a
/// time: the pages of a level are followed side by side (at 10,000 pages a
/// site has ten million links), each keeping only targets not reached
/// before the level, and the level's finds are merged after it.
fn reached_pages(context: &Context<'_>) -> Vec<bool> {
    let scans = context.scans;
    let mut reached = vec![false; scans.len()];
    let mut level: Vec<usize> = ENTRY_POINTS
        .iter()
        .filter_map(|path| context.published.page(path))
        .collect();
    for &index in &level {
        reached[index] = true;
    }
    while !level.is_empty() {
        let known = &reached;
        let found: Vec<usize> = level
            .par_iter()
            .flat_map_iter(|&index| {
                let page = &scans[index];
                page.scan
                    .indexed_references()
                    .filter(|(_, reference)| reference.kind == RefKind::Link)
                    .filter_map(move |(at, reference)| {
                        let lookup = context.lookups.get(
                            (&page.scan, at, reference.url),
                            &page.url,
                            context.published,
                        );
                        lookup.page.filter(|&target| !known[target])
                    })
            })
            .collect();
        level = found
            .into_iter()
            .filter(|&target| !std::mem::replace(&mut reached[target], true))
            .collect();
    }
    reached
}
