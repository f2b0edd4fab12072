//! `sitemap.xml` as sitemaps.org defines it: one `<url>` per page with its
//! absolute `loc` and a `lastmod`; past [`MAX_URLS`] URLs, `sitemap.xml` is
//! an index of files of at most that many each.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use super::{rendered, xml_escape};
use crate::rendered::Output;

/// The most URLs one sitemap file may list (sitemaps.org).
pub(crate) const MAX_URLS: usize = 50_000;

const NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// One URL of a sitemap.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Entry {
    pub loc: String,
    pub lastmod: Option<String>,
}

/// The sitemap files of `entries`: `sitemap.xml` alone, or an index and
/// `sitemap-1.xml`, `sitemap-2.xml`… when there are too many for one.
pub(crate) fn render(base: &str, entries: &[Entry]) -> Vec<Output> {
    if entries.len() <= MAX_URLS {
        return vec![rendered("sitemap.xml", url_set(entries))];
    }
    let mut outputs = Vec::new();
    let mut index = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    index.push_str(&format!("<sitemapindex xmlns=\"{NAMESPACE}\">\n"));
    for (number, chunk) in entries.chunks(MAX_URLS).enumerate() {
        let name = format!("sitemap-{}.xml", number + 1);
        index.push_str(&format!(
            "<sitemap><loc>{}</loc>",
            xml_escape(&format!("{base}/{name}"))
        ));
        if let Some(newest) = chunk.iter().filter_map(|e| e.lastmod.as_ref()).max() {
            index.push_str(&format!("<lastmod>{newest}</lastmod>"));
        }
        index.push_str("</sitemap>\n");
        outputs.push(rendered(&name, url_set(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    outputs.insert(0, rendered("sitemap.xml", index.into_bytes()));
    // Outputs are kept sorted by path.
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    outputs
}

fn url_set(entries: &[Entry]) -> Vec<u8> {
    let mut xml = String::with_capacity(entries.len() * 120 + 128);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!("<urlset xmlns=\"{NAMESPACE}\">\n"));
    for entry in entries {
        xml.push_str("<url><loc>");
        xml.push_str(&xml_escape(&encode_loc(&entry.loc)));
        xml.push_str("</loc>");
        if let Some(lastmod) = &entry.lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(lastmod);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml.into_bytes()
}

/// Characters a URL may not hold as they are (RFC 3986): controls, spaces
/// and these; everything outside ASCII is encoded too.
const NOT_IN_URLS: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A URL as sitemaps and feeds want it: percent-encoded where RFC 3986
/// requires, the rest (and `%` escapes already there) as written.
pub(crate) fn encode_loc(url: &str) -> String {
    utf8_percent_encode(url, NOT_IN_URLS).to_string()
}
