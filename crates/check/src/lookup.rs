//! Where the URLs of the scanned pages lead, each resolved once: the same
//! navbar, side navigation and footer links are on every page, and
//! resolving and serving them page by page was most of a check's time after
//! the scan (a 1,000-page site has about 400,000 links, 2,000 of them
//! different).

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::published::{Published, ScannedPage, Served};
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
    from_root: FxHashMap<&'a str, Lookup>,
}

impl<'a> Lookups<'a> {
    /// Resolves every root URL of `scans`, side by side.
    pub fn new(scans: &'a [ScannedPage<'_>], published: &Published) -> Self {
        // Each page's distinct URLs first, side by side: at 10,000 pages
        // there are ten million links.
        let urls: FxHashSet<&'a str> = scans
            .par_iter()
            .map(|page| {
                page.scan
                    .references()
                    .map(|reference| reference.url)
                    .filter(|url| is_from_root(url))
                    .collect::<FxHashSet<&str>>()
            })
            .reduce(FxHashSet::default, |mut all, page| {
                all.extend(page);
                all
            });
        let from_root = urls
            .into_par_iter()
            .map(|url| (url, Lookup::of(url, "/", published)))
            .collect();
        Self { from_root }
    }

    /// Where `url`, written on the page at `page_url`, leads.
    pub fn get(&self, url: &str, page_url: &str, published: &Published) -> Cow<'_, Lookup> {
        match self.from_root.get(url) {
            Some(lookup) => Cow::Borrowed(lookup),
            None => Cow::Owned(Lookup::of(url, page_url, published)),
        }
    }
}

/// Whether a URL is a path from the site's root, so it leads to the same
/// place from every page of the site.
fn is_from_root(url: &str) -> bool {
    let url = url.trim();
    url.starts_with('/') && !url.starts_with("//")
}
