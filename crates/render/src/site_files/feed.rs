//! Atom feeds (RFC 4287) of the resource room and of each of its
//! categories, at jekyll-feed's paths: `feed.xml` and
//! `feed/<category>.xml`, each with the newest posts (jekyll-feed's
//! `feed.posts_limit`, 10 unless the site says otherwise).

use gazette_content::{Page, PageKind, PostKind, Site, Value};
use serde::{Deserialize, Serialize};

use super::sitemap::encode_loc;
use super::{w3c_datetime, xml_escape};

/// One feed: where it goes and what it lists.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Feed {
    /// Its output path (`feed.xml`).
    pub path: String,
    title: String,
    subtitle: Option<String>,
    author: String,
    /// The page the feed stands for (the resource room or the category).
    home: String,
    entries: Vec<Entry>,
}

/// A post as a feed lists it, without its date of change.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    source_path: String,
    /// The post's own URL path: its id.
    url: String,
    /// Where the entry links: the post, or what a link or file post offers.
    link: String,
    title: String,
    summary: Option<String>,
    /// The post's date (`2024-03-07`).
    published: Option<String>,
    category: String,
}

/// An entry with its `updated` date, as written.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Dated {
    updated: String,
    published: Option<String>,
}

/// A feed as pages link to it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FeedLink {
    pub title: String,
    pub url: String,
}

/// The feeds of a site's resource room: the whole room's, then each
/// category's with posts.
pub(crate) fn feeds_of(site: &Site) -> Vec<Feed> {
    let Some(room) = &site.resource_room else {
        return Vec::new();
    };
    let limit = posts_limit(site);
    let site_title = site.config.title().to_owned();
    let author = author(site).unwrap_or_else(|| site_title.clone());
    let subtitle = site
        .config
        .raw
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let entries = |posts: &[usize]| -> Vec<Entry> {
        posts
            .iter()
            .map(|index| &site.pages[*index])
            .filter_map(entry_of)
            .take(limit)
            .collect()
    };
    let mut feeds = Vec::new();
    let room_entries = entries(&room.posts);
    if !room_entries.is_empty() {
        feeds.push(Feed {
            path: "feed.xml".into(),
            title: site_title.clone(),
            subtitle: subtitle.clone(),
            author: author.clone(),
            home: format!("/{}/", room.name),
            entries: room_entries,
        });
    }
    for category in &room.categories {
        let listed = entries(&category.posts);
        // A category name that is no plain path segment gets no feed of its own.
        let plain = !category.name.is_empty()
            && category
                .name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !category.name.starts_with('.');
        if listed.is_empty() || !plain {
            continue;
        }
        feeds.push(Feed {
            path: format!("feed/{}.xml", category.name),
            title: format!("{site_title} | {}", category.title),
            subtitle: subtitle.clone(),
            author: author.clone(),
            home: category
                .index_page
                .and_then(|i| site.pages[i].url())
                .map_or_else(|| format!("/{}/", room.name), str::to_owned),
            entries: listed,
        });
    }
    feeds
}

/// jekyll-feed's `feed: posts_limit:`, 10 by default.
fn posts_limit(site: &Site) -> usize {
    site.config
        .raw
        .get("feed")
        .and_then(|feed| feed.get("posts_limit"))
        .and_then(Value::as_u64)
        .map_or(10, |n| n.clamp(1, 10_000) as usize)
}

/// The site's `author` (a name, or a mapping with `name`), as jekyll-feed reads it.
fn author(site: &Site) -> Option<String> {
    let author = site.config.raw.get("author")?;
    author
        .as_str()
        .or_else(|| author.get("name")?.as_str())
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
}

fn entry_of(page: &Page) -> Option<Entry> {
    let PageKind::Post { category, kind } = &page.kind else {
        return None;
    };
    if !page.published {
        return None;
    }
    let url = page.url()?.to_owned();
    let link = match kind {
        PostKind::Link => page.external_url.clone(),
        PostKind::File => page.file_url.clone(),
        PostKind::Post => None,
    }
    .filter(|link| gazette_content::is_allowed_url(link))
    .unwrap_or_else(|| url.clone());
    Some(Entry {
        source_path: page.source_path.clone(),
        url,
        link,
        title: page.title.clone(),
        summary: page
            .text("description")
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
        published: page.date.map(|date| date.to_string()),
        category: category.clone(),
    })
}

impl Feed {
    pub(crate) fn link(&self) -> FeedLink {
        FeedLink {
            title: self.title.clone(),
            url: format!("/{}", self.path),
        }
    }

    /// Each entry's dates: `updated` is when its file last changed, or its
    /// own date when the history is not known.
    pub(crate) fn dated_entries(&self, date_of: &dyn Fn(&str) -> Option<i64>) -> Vec<Dated> {
        self.entries
            .iter()
            .map(|entry| {
                let published = entry
                    .published
                    .as_ref()
                    .map(|day| format!("{day}T00:00:00+08:00"));
                let updated = date_of(&entry.source_path)
                    .and_then(w3c_datetime)
                    .or_else(|| published.clone())
                    .unwrap_or_else(|| "1970-01-01T00:00:00+00:00".to_owned());
                Dated { updated, published }
            })
            .collect()
    }

    /// The Atom document. `dated` holds each entry's dates, in order.
    pub(crate) fn render(&self, base: &str, dated: &[Dated]) -> Vec<u8> {
        let absolute = |url: &str| {
            if url.starts_with('/') {
                encode_loc(&format!("{base}{url}"))
            } else {
                encode_loc(url)
            }
        };
        let updated = dated
            .iter()
            .map(|d| d.updated.as_str())
            .max()
            .unwrap_or("1970-01-01T00:00:00+00:00");
        let self_url = absolute(&format!("/{}", self.path));
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
        xml.push_str("<generator>Gazette</generator>\n");
        xml.push_str(&format!(
            "<link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n",
            xml_escape(&self_url)
        ));
        xml.push_str(&format!(
            "<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
            xml_escape(&absolute(&self.home))
        ));
        xml.push_str(&format!("<updated>{updated}</updated>\n"));
        xml.push_str(&format!("<id>{}</id>\n", xml_escape(&self_url)));
        xml.push_str(&format!("<title>{}</title>\n", xml_escape(&self.title)));
        if let Some(subtitle) = &self.subtitle {
            xml.push_str(&format!("<subtitle>{}</subtitle>\n", xml_escape(subtitle)));
        }
        xml.push_str(&format!(
            "<author><name>{}</name></author>\n",
            xml_escape(&self.author)
        ));
        for (entry, dates) in self.entries.iter().zip(dated) {
            xml.push_str("<entry>\n");
            xml.push_str(&format!("<title>{}</title>\n", xml_escape(&entry.title)));
            xml.push_str(&format!(
                "<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
                xml_escape(&absolute(&entry.link))
            ));
            xml.push_str(&format!("<id>{}</id>\n", xml_escape(&absolute(&entry.url))));
            if let Some(published) = &dates.published {
                xml.push_str(&format!("<published>{published}</published>\n"));
            }
            xml.push_str(&format!("<updated>{}</updated>\n", dates.updated));
            xml.push_str(&format!(
                "<category term=\"{}\"/>\n",
                xml_escape(&entry.category)
            ));
            if let Some(summary) = &entry.summary {
                xml.push_str(&format!("<summary>{}</summary>\n", xml_escape(summary)));
            }
            xml.push_str("</entry>\n");
        }
        xml.push_str("</feed>\n");
        xml.into_bytes()
    }
}
