//! The sitemap against the sitemaps.org protocol, the feeds against RFC
//! 4287's required elements, and which files a site gets.

use std::collections::BTreeMap;

use gazette_content::{MemorySource, Site};
use quick_xml::events::Event;

use super::*;

/// An element of a parsed XML document: its name (namespace prefix and
/// all), attributes, text and children.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn child<'a>(&'a self, name: &'a str) -> Option<&'a Element> {
        self.children_named(name).next()
    }
}

/// Parses `xml` strictly (well-formed, one root), as a validator's first step.
fn parse(xml: &[u8]) -> Element {
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut stack = vec![Element::default()];
    let mut buffer = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .expect("well-formed XML");
        let open = |start: &quick_xml::events::BytesStart<'_>| Element {
            name: String::from_utf8(start.name().as_ref().to_vec()).expect("a UTF-8 name"),
            attributes: start
                .attributes()
                .map(|a| {
                    let a = a.expect("a well-formed attribute");
                    (
                        String::from_utf8(a.key.as_ref().to_vec()).expect("a UTF-8 name"),
                        a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                            .expect("an escaped value")
                            .into_owned(),
                    )
                })
                .collect(),
            ..Element::default()
        };
        match event {
            Event::Start(start) => stack.push(open(&start)),
            Event::Empty(start) => {
                let element = open(&start);
                stack.last_mut().expect("a parent").children.push(element);
            }
            Event::End(_) => {
                let element = stack.pop().expect("an open element");
                stack.last_mut().expect("a parent").children.push(element);
            }
            Event::Text(text) => {
                let text = text.decode().expect("UTF-8 text");
                let text = quick_xml::escape::unescape(&text).expect("escaped text");
                stack.last_mut().expect("an element").text.push_str(&text);
            }
            Event::GeneralRef(reference) => {
                let name = reference.decode().expect("a UTF-8 reference");
                let text = match reference.resolve_char_ref().expect("a valid reference") {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&name)
                        .expect("only XML's predefined entities")
                        .to_owned(),
                };
                stack.last_mut().expect("an element").text.push_str(&text);
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    assert_eq!(stack.len(), 1, "every element is closed");
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}

/// A W3C datetime (the profile of ISO 8601 sitemaps and Atom use): a date,
/// or a date and time with seconds and a time zone.
fn is_w3c_datetime(text: &str) -> bool {
    text.parse::<jiff::civil::Date>().is_ok()
        || (text.len() == 25 && text.parse::<jiff::Timestamp>().is_ok())
        || (text.ends_with('Z') && text.parse::<jiff::Timestamp>().is_ok())
}

fn is_absolute_http(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains(|c: char| c == ' ' || !c.is_ascii())
}

fn site(files: &[(&str, &str)]) -> Site {
    Site::load("agency", &MemorySource::from_files(files.iter().copied()))
        .expect("a site")
        .site
}

fn outputs(site: &Site, dates: &BTreeMap<String, i64>) -> BTreeMap<String, Vec<u8>> {
    SiteFiles::of(site)
        .units(Some(dates), &|_, _| false)
        .into_iter()
        .flat_map(|unit| unit.outputs.expect("rendered"))
        .map(|output| match output.contents {
            OutputContents::Rendered(bytes) => (output.path, bytes),
            other => panic!("{other:?}"),
        })
        .collect()
}

const CONFIG: &str = "title: Agency & Co\nurl: https://www.agency.gov.sg/\nresources_name: news\ndescription: What we do\n";

fn agency() -> Vec<(&'static str, &'static str)> {
    vec![
        ("_config.yml", CONFIG),
        ("index.md", "---\nlayout: homepage\ntitle: Home\n---\n"),
        (
            "pages/about.md",
            "---\ntitle: About\npermalink: /about us/\n---\nHi\n",
        ),
        (
            "pages/hidden.md",
            "---\ntitle: Hidden\npermalink: /hidden/\nsitemap: false\n---\n",
        ),
        (
            "pages/draft.md",
            "---\ntitle: Draft\npermalink: /draft/\npublished: false\n---\n",
        ),
        (
            "news/index.md",
            "---\ntitle: News\nlayout: resources\n---\n",
        ),
        (
            "news/media/_posts/2024-03-01-launch.md",
            "---\ntitle: Launch <day>\ndescription: We launched\n---\nText\n",
        ),
        (
            "news/media/_posts/2024-02-01-older.md",
            "---\ntitle: Older\n---\nText\n",
        ),
        ("files/report.pdf", ""),
    ]
}

#[test]
fn sitemap_follows_sitemaps_org_namespace_absolute_loc_and_w3c_lastmod() {
    let site = site(&agency());
    let dates = BTreeMap::from([("pages/about.md".to_owned(), 1_709_251_200)]);
    let files = outputs(&site, &dates);
    let root = parse(&files["sitemap.xml"]);
    assert_eq!(root.name, "urlset");
    assert_eq!(
        root.attributes["xmlns"],
        "http://www.sitemaps.org/schemas/sitemap/0.9"
    );
    let locs: Vec<&str> = root
        .children_named("url")
        .map(|url| url.child("loc").expect("every url has a loc").text.as_str())
        .collect();
    for url in root.children_named("url") {
        assert!(
            url.children
                .iter()
                .all(|c| c.name == "loc" || c.name == "lastmod")
        );
        if let Some(lastmod) = url.child("lastmod") {
            assert!(is_w3c_datetime(&lastmod.text), "{}", lastmod.text);
        }
    }
    assert!(locs.iter().all(|loc| is_absolute_http(loc)), "{locs:?}");
    assert!(locs.contains(&"https://www.agency.gov.sg/about%20us/"));
    assert!(locs.contains(&"https://www.agency.gov.sg/files/report.pdf"));
    assert!(locs.contains(&"https://www.agency.gov.sg/"));
    assert!(
        !locs
            .iter()
            .any(|loc| loc.contains("hidden") || loc.contains("draft"))
    );
    assert!(!locs.iter().any(|loc| loc.ends_with("404.html")));
    let about = root
        .children_named("url")
        .find(|url| url.child("loc").unwrap().text.ends_with("/about%20us/"))
        .unwrap();
    assert_eq!(
        about.child("lastmod").unwrap().text,
        "2024-03-01T08:00:00+08:00"
    );
}

#[test]
fn sitemap_past_fifty_thousand_urls_is_an_index_of_files_of_at_most_fifty_thousand() {
    let entries: Vec<sitemap::Entry> = (0..sitemap::MAX_URLS + 10)
        .map(|n| sitemap::Entry {
            loc: format!("https://a.gov.sg/p{n}/"),
            lastmod: Some("2024-03-01T08:00:00+08:00".into()),
        })
        .collect();
    let files = sitemap::render("https://a.gov.sg", &entries);
    let names: Vec<&str> = files.iter().map(|o| o.path.as_str()).collect();
    assert_eq!(names, ["sitemap-1.xml", "sitemap-2.xml", "sitemap.xml"]);
    let bytes = |name: &str| match &files.iter().find(|o| o.path == name).unwrap().contents {
        OutputContents::Rendered(bytes) => bytes.clone(),
        other => panic!("{other:?}"),
    };
    let index = parse(&bytes("sitemap.xml"));
    assert_eq!(index.name, "sitemapindex");
    assert_eq!(
        index.attributes["xmlns"],
        "http://www.sitemaps.org/schemas/sitemap/0.9"
    );
    let locs: Vec<&str> = index
        .children_named("sitemap")
        .map(|s| s.child("loc").unwrap().text.as_str())
        .collect();
    assert_eq!(
        locs,
        [
            "https://a.gov.sg/sitemap-1.xml",
            "https://a.gov.sg/sitemap-2.xml"
        ]
    );
    let first = parse(&bytes("sitemap-1.xml"));
    assert_eq!(first.children_named("url").count(), sitemap::MAX_URLS);
    assert_eq!(
        parse(&bytes("sitemap-2.xml")).children_named("url").count(),
        10
    );
}

#[test]
fn robots_txt_points_at_the_sitemap_unless_the_site_has_its_own() {
    let files = outputs(&site(&agency()), &BTreeMap::new());
    assert_eq!(
        String::from_utf8_lossy(&files["robots.txt"]),
        "Sitemap: https://www.agency.gov.sg/sitemap.xml\n"
    );
    let mut own = agency();
    own.push(("robots.txt", "User-agent: *\nDisallow: /private/\n"));
    let files = outputs(&site(&own), &BTreeMap::new());
    assert!(
        !files.contains_key("robots.txt"),
        "the site's own is copied, not replaced"
    );
    assert!(files.contains_key("sitemap.xml"));
}

#[test]
fn nothing_is_written_without_an_address_or_when_the_plugins_are_not_listed() {
    let mut files = agency();
    files[0] = ("_config.yml", "title: Agency\nresources_name: news\n");
    assert!(outputs(&site(&files), &BTreeMap::new()).is_empty());
    files[0] = (
        "_config.yml",
        "title: Agency\nurl: https://a.gov.sg\nresources_name: news\nplugins:\n  - jekyll-feed\n",
    );
    let written = outputs(&site(&files), &BTreeMap::new());
    assert!(!written.contains_key("sitemap.xml") && !written.contains_key("robots.txt"));
    assert!(written.contains_key("feed.xml"));
}

#[test]
fn feed_has_rfc_4287_required_elements_for_the_feed_and_each_entry() {
    let site = site(&agency());
    let dates = BTreeMap::from([(
        "news/media/_posts/2024-03-01-launch.md".to_owned(),
        1_709_884_800,
    )]);
    let files = outputs(&site, &dates);
    for name in ["feed.xml", "feed/media.xml"] {
        let feed = parse(&files[name]);
        assert_eq!(feed.name, "feed");
        assert_eq!(feed.attributes["xmlns"], "http://www.w3.org/2005/Atom");
        for required in ["id", "title", "updated"] {
            assert_eq!(
                feed.children_named(required).count(),
                1,
                "{name}: {required}"
            );
        }
        assert!(is_absolute_http(&feed.child("id").unwrap().text));
        assert!(is_w3c_datetime(&feed.child("updated").unwrap().text));
        assert!(
            feed.child("author").and_then(|a| a.child("name")).is_some(),
            "a feed whose entries have no author has one itself"
        );
        let self_link = feed
            .children_named("link")
            .find(|l| l.attributes.get("rel").map(String::as_str) == Some("self"))
            .expect("a self link");
        assert_eq!(
            self_link.attributes["href"],
            format!("https://www.agency.gov.sg/{name}")
        );
        let entries: Vec<&Element> = feed.children_named("entry").collect();
        assert_eq!(entries.len(), 2);
        for entry in &entries {
            for required in ["id", "title", "updated"] {
                assert_eq!(entry.children_named(required).count(), 1, "{required}");
            }
            assert!(is_absolute_http(&entry.child("id").unwrap().text));
            assert!(is_w3c_datetime(&entry.child("updated").unwrap().text));
            let alternate = entry
                .children_named("link")
                .find(|l| l.attributes.get("rel").map(String::as_str) == Some("alternate"))
                .expect("an entry without content has an alternate link");
            assert!(is_absolute_http(&alternate.attributes["href"]));
        }
        assert_eq!(entries[0].child("title").unwrap().text, "Launch <day>");
        assert_eq!(
            entries[0].child("updated").unwrap().text,
            "2024-03-08T16:00:00+08:00",
            "updated is when the post's file last changed"
        );
        assert_eq!(
            entries[1].child("updated").unwrap().text,
            "2024-02-01T00:00:00+08:00",
            "without history, the post's own date"
        );
        assert_eq!(
            feed.child("updated").unwrap().text,
            "2024-03-08T16:00:00+08:00",
            "the feed is as new as its newest entry"
        );
    }
    assert_eq!(
        parse(&files["feed.xml"]).child("title").unwrap().text,
        "Agency & Co"
    );
}

#[test]
fn a_site_file_is_rendered_again_only_when_what_it_lists_changes() {
    let site = site(&agency());
    let files = SiteFiles::of(&site);
    let first = files.units(Some(&BTreeMap::new()), &|_, _| false);
    let digests: BTreeMap<String, String> = first
        .iter()
        .map(|u| (u.id.clone(), u.inputs.clone()))
        .collect();
    let same = |id: &str, inputs: &str| digests.get(id).map(String::as_str) == Some(inputs);
    // A date of a page the feeds do not list: only the sitemap changes.
    let dates = BTreeMap::from([("pages/about.md".to_owned(), 1_709_251_200)]);
    let again: Vec<String> = files
        .units(Some(&dates), &same)
        .into_iter()
        .filter(|u| u.outputs.is_some())
        .map(|u| u.id)
        .collect();
    assert_eq!(again, ["site:sitemap"]);
    let unchanged = files.units(Some(&BTreeMap::new()), &same);
    assert!(unchanged.iter().all(|u| u.outputs.is_none()));
}
