//! The files that describe a whole site to crawlers and feed readers:
//! `sitemap.xml` (jekyll-sitemap's, split under an index past 50,000 URLs),
//! `robots.txt` pointing at it, and Atom feeds of the resource room and of
//! each category (jekyll-feed's `feed.xml` and `feed/<category>.xml`).
//!
//! What they list is worked out once from the loaded site ([`SiteFiles`])
//! and kept with the render state, so a publish that renders edited pages
//! alone writes them again from it with the new dates. Each file is a unit
//! whose inputs are exactly what it shows (addresses, titles, dates), so a
//! body edit that moves no date reuses them.

mod feed;
mod sitemap;

use std::collections::{BTreeMap, BTreeSet};

use gazette_content::{Page, PageKind, PostKind, Site, Value};
use serde::{Deserialize, Serialize};

use crate::manifest::hash_json;
use crate::rendered::{Output, OutputContents};
use crate::unit::inputs;

pub(crate) use feed::FeedLink;

/// What the sitemap, robots.txt and feeds of a site list, without dates.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct SiteFiles {
    /// The site's address (no trailing `/`); without one nothing is written,
    /// since both formats need absolute URLs.
    base: Option<String>,
    /// jekyll-sitemap's files are written.
    sitemap: bool,
    /// The site has its own `robots.txt`, which is kept.
    own_robots: bool,
    /// Every page and file the sitemap lists.
    listed: Vec<Listed>,
    /// The feeds, the resource room's first.
    feeds: Vec<feed::Feed>,
}

/// One URL of the sitemap: the source it comes from (for its date) and its
/// path.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Listed {
    source_path: String,
    url: String,
}

/// A site file rendered, or reusable: its unit id, the digest of its
/// inputs, and its outputs (`None` when the caller may reuse the previous
/// ones).
pub(crate) struct SiteFileUnit {
    pub id: String,
    pub inputs: String,
    pub outputs: Option<Vec<Output>>,
}

impl SiteFiles {
    /// What `site` lists.
    pub(crate) fn of(site: &Site) -> Self {
        let base = site.config.absolute_base();
        let sitemap = site.config.has_plugin("jekyll-sitemap");
        // What the site writes itself, which the plugins never overwrite.
        let own: BTreeSet<String> = site
            .static_files
            .iter()
            .map(|f| f.output_path.clone())
            .chain(
                site.pages
                    .iter()
                    .filter(|p| p.published)
                    .filter_map(|p| Some(p.permalink.as_ref()?.output_path())),
            )
            .filter(|path| {
                path == "robots.txt" || path == "sitemap.xml" || path.starts_with("feed")
            })
            .collect();
        let own_robots = own.contains("robots.txt");
        let sitemap = sitemap && !own.contains("sitemap.xml");
        let mut listed: Vec<Listed> = site
            .pages
            .iter()
            .filter(|page| in_sitemap(page))
            .filter_map(|page| {
                Some(Listed {
                    source_path: page.source_path.clone(),
                    url: page.url()?.to_owned(),
                })
            })
            .collect();
        // jekyll-sitemap also lists the HTML and PDF files copied as they are.
        listed.extend(
            site.static_files
                .iter()
                .filter(|file| {
                    let lower = file.output_path.to_ascii_lowercase();
                    [".html", ".htm", ".xhtml", ".pdf"]
                        .iter()
                        .any(|ext| lower.ends_with(ext))
                        && lower != "404.html"
                })
                .map(|file| Listed {
                    source_path: file.source_path.clone(),
                    url: format!("/{}", file.output_path),
                }),
        );
        listed.sort_by(|a, b| a.url.cmp(&b.url));
        listed.dedup_by(|a, b| a.url == b.url);
        let mut feeds = if site.config.has_plugin("jekyll-feed") {
            feed::feeds_of(site)
        } else {
            Vec::new()
        };
        feeds.retain(|feed| !own.contains(&feed.path));
        Self {
            base,
            sitemap,
            own_robots,
            listed,
            feeds,
        }
    }

    /// The feeds pages link to with `<link rel="alternate">`.
    pub(crate) fn feed_links(&self) -> Vec<FeedLink> {
        if self.base.is_none() {
            return Vec::new();
        }
        self.feeds.iter().map(feed::Feed::link).collect()
    }

    /// Each site file's unit. `reusable` says whether the previous output
    /// of a unit id with an inputs digest can be reused; only the others are
    /// rendered.
    pub(crate) fn units(
        &self,
        dates: Option<&BTreeMap<String, i64>>,
        reusable: &dyn Fn(&str, &str) -> bool,
    ) -> Vec<SiteFileUnit> {
        let Some(base) = &self.base else {
            return Vec::new();
        };
        let date_of = |path: &str| dates.and_then(|dates| dates.get(path).copied());
        let mut units = Vec::new();
        let mut unit = |id: String, key: String, render: &dyn Fn() -> Vec<Output>| {
            let inputs = inputs([("listed", key)]);
            let outputs = (!reusable(&id, &inputs)).then(render);
            units.push(SiteFileUnit {
                id,
                inputs,
                outputs,
            });
        };
        if self.sitemap {
            let entries: Vec<sitemap::Entry> = self
                .listed
                .iter()
                .map(|listed| sitemap::Entry {
                    loc: format!("{base}{}", listed.url),
                    lastmod: date_of(&listed.source_path).and_then(w3c_datetime),
                })
                .collect();
            unit("site:sitemap".into(), hash_json(&(base, &entries)), &|| {
                sitemap::render(base, &entries)
            });
            if !self.own_robots {
                unit("site:robots".into(), hash_json(base), &|| {
                    vec![rendered(
                        "robots.txt",
                        format!("Sitemap: {base}/sitemap.xml\n").into_bytes(),
                    )]
                });
            }
        }
        for feed in &self.feeds {
            let entries = feed.dated_entries(&date_of);
            unit(
                format!("site:{}", feed.path),
                hash_json(&(base, feed, &entries)),
                &|| vec![rendered(&feed.path, feed.render(base, &entries))],
            );
        }
        units
    }
}

/// Whether jekyll-sitemap lists a page: a published HTML page of its own,
/// not the 404 page, not a page that sends readers elsewhere, and not one
/// whose front matter says `sitemap: false`.
fn in_sitemap(page: &Page) -> bool {
    let Some(permalink) = &page.permalink else {
        return false;
    };
    let output = permalink.output_path();
    page.published
        && page.redirect_to.is_none()
        && !matches!(
            page.kind,
            PageKind::Post {
                kind: PostKind::Link,
                ..
            }
        )
        && (output.ends_with(".html") || output.ends_with(".htm"))
        && output != "404.html"
        && page.data.get("sitemap") != Some(&Value::Bool(false))
}

/// A Unix time as a W3C datetime in Singapore time
/// (`2024-03-07T09:30:00+08:00`), as sitemaps and Atom write dates.
pub(crate) fn w3c_datetime(seconds: i64) -> Option<String> {
    let timestamp = jiff::Timestamp::from_second(seconds).ok()?;
    let zoned = crate::liquid::singapore().to_datetime(timestamp);
    Some(format!("{}+08:00", zoned.strftime("%Y-%m-%dT%H:%M:%S")))
}

fn rendered(path: &str, bytes: Vec<u8>) -> Output {
    Output {
        path: path.to_owned(),
        contents: OutputContents::Rendered(bytes),
        origin: "site files".to_owned(),
    }
}

/// `text` escaped for XML text and attribute values.
fn xml_escape(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

#[cfg(test)]
mod tests;
