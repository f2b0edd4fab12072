//! Where the URLs of the scanned pages lead, each resolved once: the same
//! navbar, side navigation and footer links are on every page, and
//! resolving and serving them page by page was most of a check's time after
//! the scan (a 1,000-page site has about 400,000 links, 2,000 of them
//! different).

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::published::{Published, ScannedPage, Served};
use crate::scan::PageScan;
use crate::url::{Target, resolve};

/// Where one URL of a page leads, and how the site serves it.
#[derive(Debug, Clone)]
pub(crate) struct Lookup {
    /// The URL resolved against its page.
    pub target: Target,
    /// How an internal target's path is served; `None` when it is not, or
    /// the target is not internal.
    pub served: Option<Served>,
    /// The scanned page that serves it, if one does.
    pub page: Option<usize>,
}

impl Lookup {
    fn of(url: &str, page_url: &str, published: &Published) -> Self {
        let target = resolve(url, page_url);
        let served = match &target {
            Target::Internal { path, .. } => published.serve(path),
            _ => None,
        };
        let page = match &served {
            Some(Served::File(file)) => published.page(file),
            _ => None,
        };
        Self {
            target,
            served,
            page,
        }
    }
}

/// The lookups of every URL written from the site's root (`/about/`), which
/// lead to the same place from any page; others are looked up as asked.
pub(crate) struct Lookups<'a> {
    /// Each root URL's lookup.
    found: Vec<Lookup>,
    /// Where each root URL's lookup is in `found`.
    by_url: FxHashMap<&'a str, u32>,
    /// The table the kept scans share (a state's), and for each of its
    /// strings the place of its lookup in `found` ([`NONE`] for a string
    /// that is not a root URL): a kept page's links are looked up by
    /// index, without hashing their URLs.
    shared: Option<(&'a [String], Vec<u32>)>,
}

/// A string of the shared table with no lookup.
const NONE: u32 = u32::MAX;

impl<'a> Lookups<'a> {
    /// Resolves every root URL of `scans`, side by side; the scans that
    /// borrow `shared` are read by index.
    pub fn new(
        scans: &'a [ScannedPage<'_>],
        shared: Option<&'a [String]>,
        published: &Published,
    ) -> Self {
        // Each page's distinct URLs first, side by side: at 10,000 pages
        // there are ten million links. A shared table's are marked by index.
        let table_size = shared.map_or(0, <[String]>::len);
        let (marked, hashed) = scans
            .par_iter()
            .fold(
                || (vec![false; table_size], FxHashSet::<&'a str>::default()),
                |(mut marked, mut hashed), page| {
                    match shared.filter(|table| page.scan.shares_table(table)) {
                        Some(_) => {
                            for (index, _) in page.scan.indexed_references() {
                                marked[index as usize] = true;
                            }
                        }
                        None => hashed.extend(
                            page.scan
                                .references()
                                .map(|reference| reference.url)
                                .filter(|url| is_from_root(url)),
                        ),
                    }
                    (marked, hashed)
                },
            )
            .reduce(
                || (vec![false; table_size], FxHashSet::default()),
                |(mut marked, mut hashed), (other_marked, other_hashed)| {
                    for (mark, other) in marked.iter_mut().zip(other_marked) {
                        *mark |= other;
                    }
                    hashed.extend(other_hashed);
                    (marked, hashed)
                },
            );
        let mut urls = hashed;
        if let Some(table) = shared {
            urls.extend(
                marked
                    .iter()
                    .zip(table)
                    .filter(|(mark, url)| **mark && is_from_root(url))
                    .map(|(_, url)| url.as_str()),
            );
        }
        let urls: Vec<&'a str> = urls.into_iter().collect();
        let found: Vec<Lookup> = urls
            .par_iter()
            .map(|url| Lookup::of(url, "/", published))
            .collect();
        let by_url: FxHashMap<&'a str, u32> = urls.into_iter().zip(0..).collect();
        let shared = shared.map(|table| {
            let places = table
                .iter()
                .zip(&marked)
                .map(|(url, mark)| {
                    let place = mark.then(|| by_url.get(url.as_str())).flatten();
                    place.copied().unwrap_or(NONE)
                })
                .collect();
            (table, places)
        });
        Self {
            found,
            by_url,
            shared,
        }
    }

    /// Where the reference at index `at` of `scan`'s table, `url`, written
    /// on the page at `page_url`, leads.
    pub fn get(
        &self,
        (scan, at, url): (&PageScan<'_>, u32, &str),
        page_url: &str,
        published: &Published,
    ) -> Cow<'_, Lookup> {
        let place = match &self.shared {
            Some((table, places)) if scan.shares_table(table) => places[at as usize],
            _ => self.by_url.get(url).copied().unwrap_or(NONE),
        };
        match place {
            NONE => Cow::Owned(Lookup::of(url, page_url, published)),
            place => Cow::Borrowed(&self.found[place as usize]),
        }
    }
}

/// Whether a URL is a path from the site's root, so it leads to the same
/// place from every page of the site.
fn is_from_root(url: &str) -> bool {
    let url = url.trim();
    url.starts_with('/') && !url.starts_with("//")
}
