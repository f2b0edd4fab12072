//! Reachability: pages that no navigation, listing or link leads to from the
//! homepage, following every link of every rendered page (layouts included).

use std::collections::{BTreeMap, HashSet, VecDeque};

use gazette_content::{PageKind, PostKind};

use crate::context::Context;
use crate::html::RefKind;
use crate::locate::Position;
use crate::rule::Rule;

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
    let mut reached: HashSet<usize> = HashSet::new();
    let mut queue: VecDeque<usize> = ENTRY_POINTS
        .iter()
        .filter_map(|path| context.published.page(path))
        .collect();
    reached.extend(queue.iter().copied());
    while let Some(index) = queue.pop_front() {
        let page = &scans[index];
        for reference in &page.scan.references {
            if reference.kind != RefKind::Link {
                continue;
            }
            let lookup = context
                .lookups
                .get(&reference.url, &page.url, context.published);
            if let Some(target) = lookup.page
                && reached.insert(target)
            {
                queue.push_back(target);
            }
        }
    }

    // A page with several files (a paginated listing) is reached if any is.
    let mut by_origin: BTreeMap<&str, bool> = BTreeMap::new();
    for (index, page) in scans.iter().enumerate() {
        if let Some(origin) = &page.origin {
            *by_origin.entry(origin.as_str()).or_default() |= reached.contains(&index);
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
