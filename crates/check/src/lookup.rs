//! Where the URLs of the scanned pages lead, each resolved once: the same
//! navbar, side navigation and footer links are on every page, and
//! resolving and serving them page by page was most of a check's time after
//! the scan (a 1,000-page site has about 400,000 links, 2,000 of them
//! different). Absolute URLs (a footer's social links) are resolved once
//! too: parsing each on every page was a tenth of a checked one-page
//! publish.

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
                                .filter(|url| may_lead_alike_from_every_page(url)),
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
                    .filter(|(mark, url)| **mark && may_lead_alike_from_every_page(url))
                    .map(|(_, url)| url.as_str()),
            );
        }
        let (urls, found): (Vec<&'a str>, Vec<Lookup>) = urls
            .into_par_iter()
            .filter(|url| leads_alike_from_every_page(url))
            .map(|url| (url, Lookup::of(url, "/", published)))
            .unzip();
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

/// Whether `url` may lead to the same place from every page of the site:
/// a path from its root (or a host's, `//…`), or what starts like a URL
/// with a scheme (`https:`, `mailto:`). A quick look at each of millions of
/// links; [`leads_alike_from_every_page`] settles the ones it lets through.
fn may_lead_alike_from_every_page(url: &str) -> bool {
    let url = url.trim();
    url.starts_with('/') || starts_with_scheme(url)
}

/// Whether `url` leads to the same place from every page: a path from the
/// root, or an absolute URL, which `resolve` reads without the page's.
fn leads_alike_from_every_page(url: &str) -> bool {
    let url = url.trim();
    url.starts_with('/') || url::Url::parse(url).is_ok()
}

/// Whether `url` starts with a scheme and its colon: a letter, then
/// letters, digits, `+`, `-` or `.`.
fn starts_with_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url.as_bytes()[..colon];
    scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.'))
}
