//! The loader on small in-memory sites.

use super::*;
use crate::MemorySource;

fn load(files: &[(&str, &str)]) -> LoadedSite {
    let mut all = vec![(
        "_config.yml",
        "title: Test\nresources_name: resources\npermalink: none\n",
    )];
    all.extend_from_slice(files);
    let source = MemorySource::from_files(all.iter().map(|(p, c)| (*p, *c)));
    Site::load("test", &source).expect("a readable site")
}

fn page<'a>(site: &'a Site, path: &str) -> &'a Page {
    site.pages
        .iter()
        .find(|p| p.source_path == path)
        .unwrap_or_else(|| panic!("no page {path}"))
}

#[test]
fn collections_follow_their_order_with_third_level_groups() {
    let loaded = load(&[
        (
            "_guides/collection.yml",
            "collections:\n  guides:\n    output: true\n    order:\n      - intro.md\n      - Setup/.keep\n      - Setup/install.md\n      - Setup/configure.md\n      - last.md\n",
        ),
        (
            "_guides/intro.md",
            "---\ntitle: Intro\npermalink: /guides/\n---\n",
        ),
        ("_guides/Setup/.keep", ""),
        (
            "_guides/Setup/install.md",
            "---\ntitle: Install\npermalink: /guides/install/\n---\n",
        ),
        (
            "_guides/Setup/configure.md",
            "---\ntitle: Configure\npermalink: /guides/configure/\nthird_nav_title: Set up\n---\n",
        ),
        (
            "_guides/last.md",
            "---\ntitle: Last\npermalink: /guides/last/\n---\n",
        ),
    ]);
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    let site = &loaded.site;
    let guides = site.collection("guides").unwrap();
    let titles: Vec<(&str, Option<&str>)> = guides
        .entries
        .iter()
        .map(|e| (site.pages[e.page].title.as_str(), e.group.as_deref()))
        .collect();
    assert_eq!(
        titles,
        [
            ("Intro", None),
            ("Install", Some("Setup")),
            ("Configure", Some("Set up")),
            ("Last", None)
        ]
    );
    let dropdown: Vec<&str> = guides
        .dropdown_entries()
        .map(|e| site.pages[e.page].title.as_str())
        .collect();
    assert_eq!(dropdown, ["Intro", "Install", "Configure", "Last"]);
}

#[test]
fn output_false_collections_are_read_but_not_published() {
    let loaded = load(&[
        (
            "_drafts-area/collection.yml",
            "collections:\n  drafts-area:\n    output: false\n    order: [a.md]\n",
        ),
        (
            "_drafts-area/a.md",
            "---\ntitle: A\npermalink: /a/\nlayout: whatever\n---\n",
        ),
    ]);
    let a = page(&loaded.site, "_drafts-area/a.md");
    assert!(!a.published);
    assert!(loaded.site.page_by_url("/a/").is_none());
}

#[test]
fn posts_take_kind_date_and_url_from_their_file_name() {
    let loaded = load(&[
        (
            "resources/index.html",
            "---\nlayout: resources\ntitle: Resources\n---\n",
        ),
        (
            "resources/news/index.html",
            "---\nlayout: resources-alt\ntitle: News\n---\n",
        ),
        (
            "resources/news/_posts/2024-03-14-file-Annual Report.md",
            "---\ntitle: Report\nfile_url: /files/report.pdf\n---\n",
        ),
        (
            "resources/news/_posts/2024-05-01-post-Launch Day.md",
            "---\ntitle: Launch\n---\nBody\n",
        ),
        (
            "resources/news/_posts/2024-06-01-link-Coverage.md",
            "---\ntitle: Coverage\npermalink: https://news.example.org/story\n---\n",
        ),
        (
            "resources/news/_posts/2023-01-01-post-Dated.md",
            "---\ntitle: Dated\ndate: 2025-02-03\n---\n",
        ),
        (
            "resources/news/_posts/2023-02-01-link-Elsewhere.md",
            "---\ntitle: Elsewhere\nexternal: https://example.org/elsewhere\n---\n",
        ),
    ]);
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    let site = &loaded.site;
    let file = page(
        site,
        "resources/news/_posts/2024-03-14-file-Annual Report.md",
    );
    assert_eq!(file.url(), Some("/resources/news/file-Annual-Report.html"));
    assert_eq!(file.date.unwrap().to_string(), "2024-03-14");
    assert!(matches!(
        file.kind,
        PageKind::Post {
            kind: PostKind::File,
            ..
        }
    ));
    assert_eq!(file.layout, "file");

    // Jekyll rule: a link post is written too, here at its permalink taken
    // as a path, and sends readers on to the page it links to.
    let link = page(site, "resources/news/_posts/2024-06-01-link-Coverage.md");
    assert!(link.published);
    assert_eq!(link.url(), Some("/https:/news.example.org/story"));
    assert_eq!(
        link.external_url.as_deref(),
        Some("https://news.example.org/story")
    );
    assert_eq!(link.redirect_to, link.external_url);

    // With `external:`, at the URL its file name gives it.
    let elsewhere = page(site, "resources/news/_posts/2023-02-01-link-Elsewhere.md");
    assert_eq!(elsewhere.url(), Some("/resources/news/link-Elsewhere.html"));
    assert_eq!(
        elsewhere.redirect_to.as_deref(),
        Some("https://example.org/elsewhere")
    );

    let dated = page(site, "resources/news/_posts/2023-01-01-post-Dated.md");
    assert_eq!(dated.date.unwrap().to_string(), "2025-02-03");

    let room = site.resource_room.as_ref().unwrap();
    let newest: Vec<&str> = room
        .posts
        .iter()
        .map(|i| site.pages[*i].title.as_str())
        .collect();
    assert_eq!(
        newest,
        ["Dated", "Coverage", "Launch", "Report", "Elsewhere"]
    );
    assert_eq!(room.categories[0].title, "News");
}

#[test]
fn permalinks_are_derived_as_jekyll_did_when_missing() {
    let loaded = load(&[
        ("pages/Plain Page.md", "---\ntitle: Plain\n---\n"),
        ("misc/index.md", "---\ntitle: Misc\n---\n"),
        (
            "_notes/collection.yml",
            "collections:\n  notes:\n    order: [first note.md]\n",
        ),
        ("_notes/first note.md", "---\ntitle: Note\n---\n"),
    ]);
    let site = &loaded.site;
    assert_eq!(
        page(site, "pages/Plain Page.md").url(),
        Some("/pages/Plain%20Page.html")
    );
    assert_eq!(page(site, "misc/index.md").url(), Some("/misc/"));
    assert_eq!(
        page(site, "_notes/first note.md").url(),
        Some("/notes/first%20note.html")
    );
}

#[test]
fn media_and_redirects_are_copied_and_plumbing_is_not() {
    let loaded = load(&[
        ("images/Team Photo.jpg", "jpeg"),
        ("files/report.pdf", "pdf"),
        ("_redirects", "/old /new 301\n"),
        ("Gemfile", "source"),
        ("netlify.toml", "[build]"),
        ("pages/empty.md", ""),
        (".github/workflows/ci.yml", "on: push"),
    ]);
    let copied: Vec<&str> = loaded
        .site
        .static_files
        .iter()
        .map(|f| f.output_path.as_str())
        .collect();
    assert_eq!(
        copied,
        [
            "_redirects",
            "files/report.pdf",
            "images/Team Photo.jpg",
            "pages/empty.md"
        ]
    );
}

#[test]
fn an_underscore_folder_that_is_not_a_collection_is_a_warning() {
    let loaded = load(&[("_archive/old.md", "---\ntitle: Old\n---\n")]);
    assert!(!loaded.diagnostics.has_errors());
    assert!(
        loaded
            .diagnostics
            .0
            .iter()
            .any(|d| d.message.contains("`_archive/` is not a collection")),
        "{}",
        loaded.diagnostics
    );
}

#[test]
fn collections_declared_in_config_are_read_like_older_sites_had_them() {
    let source = MemorySource::from_files([
        (
            "_config.yml",
            "title: Old\ncollections:\n  about:\n    output: true\n",
        ),
        (
            "_about/team.md",
            "---\ntitle: Team\npermalink: /about/team/\n---\n",
        ),
    ]);
    let loaded = Site::load("old", &source).unwrap();
    assert!(loaded.site.page_by_url("/about/team/").is_some());
    assert_eq!(loaded.site.collection("about").unwrap().entries.len(), 1);
}

#[test]
fn a_site_without_config_is_refused_with_a_hint() {
    let source = MemorySource::from_files([("index.md", "---\ntitle: Home\n---\n")]);
    let diagnostics = Site::load("nothing", &source).unwrap_err();
    assert!(diagnostics.0[0].message.contains("no `_config.yml`"));
    assert!(diagnostics.0[0].hint.is_some());
}

/// A source that counts reads, to see what a cached load reads again.
struct CountingSource {
    inner: MemorySource,
    reads: std::sync::Mutex<Vec<String>>,
}

impl Source for CountingSource {
    fn list(&self) -> Result<Vec<String>, crate::SourceError> {
        self.inner.list()
    }
    fn read(&self, path: &str) -> Result<Vec<u8>, crate::SourceError> {
        self.reads.lock().unwrap().push(path.to_owned());
        self.inner.read(path)
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn version(&self, path: &str) -> Option<String> {
        self.inner.version(path)
    }
}

#[test]
fn a_cached_load_reads_only_the_files_that_changed() {
    let mut source = CountingSource {
        inner: MemorySource::from_files([
            ("_config.yml", "title: T\n"),
            ("pages/a.md", "---\ntitle: A\npermalink: /a/\n---\nA\n"),
            ("pages/b.md", "---\ntitle: B\npermalink: /b/\n---\nB\n"),
        ]),
        reads: Default::default(),
    };
    let mut cache = LoadCache::default();
    Site::load_cached("t", &source, &mut cache).unwrap();
    source.reads.lock().unwrap().clear();
    source
        .inner
        .insert("pages/b.md", "---\ntitle: B2\npermalink: /b/\n---\nB\n");
    let loaded = Site::load_cached("t", &source, &mut cache).unwrap();
    let reads = source.reads.lock().unwrap().clone();
    assert_eq!(reads, ["_config.yml", "pages/b.md"]);
    assert_eq!(loaded.site.page_by_url("/b/").unwrap().title, "B2");
    assert_eq!(loaded.site.page_by_url("/a/").unwrap().title, "A");
}

#[test]
fn a_stored_cache_gives_the_same_site_and_reads_only_what_changed() {
    let mut source = CountingSource {
        inner: MemorySource::from_files([
            ("_config.yml", "title: T\nresources_name: news\n"),
            ("index.md", "---\nlayout: homepage\ntitle: Home\n---\n"),
            (
                "pages/a.md",
                "---\ntitle: A\npermalink: /a/\ntags: [x, {y: 1}]\n---\nBody *a*\n",
            ),
            (
                "_team/collection.yml",
                "collections:\n  team:\n    order:\n      - b.md\n",
            ),
            ("_team/b.md", "---\ntitle: B\n---\nB\n"),
            (
                "news/updates/_posts/2024-01-02-hello.md",
                "---\ntitle: Hello\n---\nHi\n",
            ),
            ("pages/broken.md", "---\ntitle: [unclosed\n---\n"),
            ("images/logo.svg", "<svg/>"),
        ]),
        reads: Default::default(),
    };
    let mut cache = LoadCache::default();
    let first = Site::load_cached("t", &source, &mut cache).unwrap();
    assert!(
        first
            .diagnostics
            .0
            .iter()
            .any(|d| d.code.as_deref() == Some("front-matter-yaml"))
    );
    assert!(cache.changes() >= cache.len() && !cache.is_empty());
    let bytes = cache.to_bytes("program 1");

    let mut stored = LoadCache::from_bytes(bytes.clone(), "program 1");
    assert_eq!(stored.changes(), 0);
    assert_eq!(stored.len(), cache.len());
    source.reads.lock().unwrap().clear();
    let again = Site::load_cached("t", &source, &mut stored).unwrap();
    let a = again.site.page_by_url("/a/").unwrap();
    assert_eq!(
        a.body,
        PageBody::InSource { has_liquid: false },
        "bodies stay in the source"
    );
    let reads = source.reads.lock().unwrap().clone();
    assert_eq!(reads, ["_config.yml", "_team/collection.yml"]);
    assert_eq!(
        with_bodies_read(again.site, &source),
        first.site,
        "the same site from the stored cache, once bodies are read"
    );
    assert_eq!(
        again.diagnostics, first.diagnostics,
        "and the same problems"
    );

    source
        .inner
        .insert("pages/broken.md", "---\ntitle: Fixed\n---\n");
    source.reads.lock().unwrap().clear();
    let fixed = Site::load_cached("t", &source, &mut stored).unwrap();
    let uncached = Site::load("t", &source).unwrap();
    assert_eq!(
        with_bodies_read(fixed.site.clone(), &source),
        uncached.site,
        "a stored cache changes nothing"
    );
    assert_eq!(stored.changes(), 1, "only the fixed file was read again");
    assert_eq!(
        fixed.site.page_by_url("/a/").unwrap().data["tags"][1]["y"],
        1,
        "nested front matter survives the round trip"
    );

    // Stored again (entries still as bytes beside one parsed anew), it reads back whole.
    let mut restored = LoadCache::from_bytes(stored.to_bytes("program 1"), "program 1");
    source.reads.lock().unwrap().clear();
    let reloaded = Site::load_cached("t", &source, &mut restored).unwrap();
    assert_eq!(restored.changes(), 0);
    assert_eq!(
        source.reads.lock().unwrap().clone(),
        ["_config.yml", "_team/collection.yml"]
    );
    assert_eq!(with_bodies_read(reloaded.site, &source), uncached.site);

    // Another program, or damaged bytes, start from nothing.
    assert!(LoadCache::from_bytes(bytes.clone(), "program 2").is_empty());
    let mut other = LoadCache::from_bytes(bytes.clone(), "program 2");
    source.reads.lock().unwrap().clear();
    Site::load_cached("t", &source, &mut other).unwrap();
    assert!(source.reads.lock().unwrap().len() > 2);
    let mut damaged = LoadCache::from_bytes(bytes[..bytes.len() / 2].to_vec(), "program 1");
    source.reads.lock().unwrap().clear();
    Site::load_cached("t", &source, &mut damaged).unwrap();
    assert!(source.reads.lock().unwrap().len() > 2);
}

/// `site` with every body a stored cache left in the source read from it.
fn with_bodies_read(mut site: Site, source: &dyn Source) -> Site {
    let bodies: Vec<String> = site
        .pages
        .iter()
        .map(|page| site.read_body(source, page).unwrap().into_owned())
        .collect();
    for (page, body) in site.pages.iter_mut().zip(bodies) {
        page.body = PageBody::Text(body);
    }
    site
}

#[test]
fn a_body_left_in_the_source_is_read_only_from_the_same_version() {
    let mut source = MemorySource::from_files([
        ("_config.yml", "title: T\n"),
        (
            "pages/a.md",
            "\u{feff}---\ntitle: A\npermalink: /a/\n---\nBody {{ site.title }}\n",
        ),
    ]);
    let mut cache = LoadCache::default();
    Site::load_cached("t", &source, &mut cache).unwrap();
    let mut stored = LoadCache::from_bytes(cache.to_bytes("p"), "p");
    let site = Site::load_cached("t", &source, &mut stored).unwrap().site;
    let page = site.page_by_url("/a/").unwrap();
    assert!(page.body.has_liquid() && page.body.text().is_none());
    assert_eq!(
        site.read_body(&source, page).unwrap(),
        "Body {{ site.title }}\n"
    );

    source.insert("pages/a.md", "---\ntitle: A\n---\nEdited since\n");
    let error = site.read_body(&source, page).unwrap_err();
    assert_eq!(error.file, "pages/a.md");
    assert!(
        error.message.contains("not the version"),
        "{}",
        error.message
    );
}

fn load_with_config(config: &str, files: &[(&str, &str)], options: &LoadOptions) -> LoadedSite {
    let mut all = vec![("_config.yml", config)];
    all.extend_from_slice(files);
    let source = MemorySource::from_files(all.iter().map(|(p, c)| (*p, *c)));
    Site::load_with("test", &source, options).expect("a readable site")
}

fn codes(loaded: &LoadedSite) -> Vec<(&str, &str)> {
    loaded
        .diagnostics
        .0
        .iter()
        .map(|d| (d.code.as_deref().unwrap_or("-"), d.file.as_str()))
        .collect()
}

fn urls(site: &Site) -> Vec<(&str, &str)> {
    let mut urls: Vec<(&str, &str)> = site
        .pages
        .iter()
        .filter(|p| p.published)
        .filter_map(|p| Some((p.source_path.as_str(), p.url()?)))
        .collect();
    urls.sort();
    urls
}

#[test]
fn jekyll_rule_the_page_written_last_wins_a_url_conflict() {
    let loaded = load(&[
        ("pages/b.md", "---\ntitle: B\npermalink: /same/\n---\n"),
        ("archive/a.md", "---\ntitle: A\npermalink: /same/\n---\n"),
        ("pages/c.md", "---\ntitle: C\npermalink: /doc/\n---\n"),
        (
            "_guides/collection.yml",
            "collections:\n  guides:\n    output: true\n",
        ),
        (
            "_guides/c.md",
            "---\ntitle: Guide C\npermalink: /doc/\n---\n",
        ),
        ("pages/x.md", "---\ntitle: File\npermalink: /x\n---\n"),
        ("pages/y.md", "---\ntitle: Folder\npermalink: /x/\n---\n"),
    ]);
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    let site = &loaded.site;
    // Pages are written in file-name order: `b.md` after `a.md`.
    assert_eq!(
        site.page_by_url("/same/").unwrap().source_path,
        "pages/b.md"
    );
    // Collection documents are written after every page.
    assert_eq!(
        site.page_by_url("/doc/").unwrap().source_path,
        "_guides/c.md"
    );
    assert!(site.pages.iter().all(|p| p.source_path != "archive/a.md"));
    assert!(site.pages.iter().all(|p| p.source_path != "pages/c.md"));
    // `/x` is `x.html`, `/x/` is `x/index.html`: no conflict.
    assert_eq!(site.page_by_url("/x").unwrap().title, "File");
    assert_eq!(site.page_by_url("/x/").unwrap().title, "Folder");
    let conflicts: Vec<&Diagnostic> = loaded
        .diagnostics
        .0
        .iter()
        .filter(|d| d.code.as_deref() == Some("url-conflict"))
        .collect();
    assert_eq!(conflicts.len(), 2, "{}", loaded.diagnostics);
    let on_a = conflicts.iter().find(|d| d.file == "archive/a.md").unwrap();
    assert!(
        on_a.message.contains("`pages/b.md` wins"),
        "{}",
        on_a.message
    );
    assert_eq!(on_a.line, Some(3));
    // The loser is not in its collection's navigation either.
    let guides = site.collection("guides").unwrap();
    assert_eq!(guides.entries.len(), 1);
}

#[test]
fn jekyll_rule_a_document_missing_from_the_collection_order_is_written_after_those_listed() {
    // isomer-jekyll hands `collection.yml` `order` to Jekyll, which writes
    // the listed documents in that order and the others after them.
    let loaded = load(&[
        (
            "_faq/collection.yml",
            "collections:\n  faq:\n    output: true\n    order:\n      - b/listed.md\n",
        ),
        (
            "_faq/b/listed.md",
            "---\ntitle: Listed\npermalink: /faq/\n---\n",
        ),
        (
            "_faq/a/unlisted.md",
            "---\ntitle: Unlisted\npermalink: /faq/\n---\n",
        ),
    ]);
    assert_eq!(
        loaded.site.page_by_url("/faq/").unwrap().title,
        "Unlisted",
        "written last though it sorts first"
    );
}

#[test]
fn jekyll_rule_markdown_with_front_matter_in_a_media_folder_is_a_page() {
    let loaded = load(&[
        (
            "images/awards/2006.md",
            "---\ntitle: Winners 2006\npermalink: /awards/2006\n---\nText.\n",
        ),
        (
            "images/awards/notes.md",
            "No front matter: copied as it is.\n",
        ),
    ]);
    let site = &loaded.site;
    assert_eq!(
        site.page_by_url("/awards/2006").unwrap().title,
        "Winners 2006"
    );
    assert!(
        site.static_files
            .iter()
            .any(|f| f.source_path == "images/awards/notes.md")
    );
    assert!(
        site.static_files
            .iter()
            .all(|f| f.source_path != "images/awards/2006.md")
    );
}

#[test]
fn jekyll_rule_a_category_page_keeps_its_folder_case() {
    let loaded = load(&[
        ("_config.yml", "title: T\nresources_name: news\n"),
        (
            "news/index.html",
            "---\nlayout: resources\ntitle: News\n---\n",
        ),
        (
            "news/Newsletters/index.html",
            "---\nlayout: resources-alt\ntitle: Newsletters\n---\n",
        ),
    ]);
    assert_eq!(
        loaded.site.page_by_url("/news/Newsletters/").unwrap().title,
        "Newsletters"
    );
}

#[test]
fn jekyll_rule_a_post_without_front_matter_is_a_post_with_all_of_it_as_body() {
    let loaded = load(&[
        (
            "_config.yml",
            "title: T\nresources_name: news\npermalink: none\n",
        ),
        (
            "news/index.html",
            "---\nlayout: resources\ntitle: News\n---\n",
        ),
        (
            "news/notes/_posts/2022-01-10-a-reply.md",
            "title: A reply\n---\n\nThe reply.\n",
        ),
    ]);
    let post = loaded
        .site
        .page_by_url("/news/notes/a-reply.html")
        .expect("the post is published");
    assert_eq!(
        post.title, "a-reply",
        "no front matter: the title is the slug"
    );
    let warning = loaded
        .diagnostics
        .0
        .iter()
        .find(|d| d.code.as_deref() == Some("post-without-front-matter"));
    assert_eq!(
        warning.map(|d| d.line),
        Some(Some(1)),
        "{}",
        loaded.diagnostics
    );
}

#[test]
fn a_setting_asking_for_a_script_gazette_does_not_add_is_a_warning_at_its_line() {
    let loaded = load(&[(
        "_config.yml",
        "title: T\ngoogle_analytics: \"\"\ngoogle_analytics_ga4: G-ABC123\nfacebook-pixel:\nlinkedin-insights: 918155\n",
    )]);
    let warnings: Vec<(&str, Option<u32>)> = loaded
        .diagnostics
        .0
        .iter()
        .filter(|d| d.code.as_deref() == Some("unsupported-setting"))
        .map(|d| (d.message.split('`').nth(1).unwrap_or_default(), d.line))
        .collect();
    assert_eq!(
        warnings,
        [("linkedin-insights", Some(5))],
        "empty settings ask for nothing, and a GA4 id is honoured"
    );
}

#[test]
fn an_analytics_setting_gazette_refuses_is_a_warning_at_its_line_saying_why() {
    let loaded = load(&[(
        "_config.yml",
        "title: T\ngoogle_analytics: UA-50449401-31\ngoogle_analytics_ga4: \"G-1');alert(1)//\"\n",
    )]);
    let mut warnings: Vec<(Option<u32>, &str, &str)> = loaded
        .diagnostics
        .0
        .iter()
        .filter_map(|d| Some((d.line, d.code.as_deref()?, d.message.split('`').nth(1)?)))
        .filter(|(_, code, _)| matches!(*code, "unsupported-setting" | "invalid-analytics-id"))
        .collect();
    warnings.sort();
    assert_eq!(
        warnings,
        [
            (Some(2), "unsupported-setting", "google_analytics"),
            (Some(3), "invalid-analytics-id", "google_analytics_ga4"),
        ]
    );
    assert!(loaded.site.config.analytics().0.google.is_empty());
}

#[test]
fn jekyll_rule_a_post_losing_a_url_conflict_is_still_listed_but_not_written() {
    let loaded = load(&[
        (
            "_config.yml",
            "title: T\nresources_name: news\npermalink: none\n",
        ),
        (
            "news/index.html",
            "---\nlayout: resources\ntitle: News\n---\n",
        ),
        (
            "news/letters/_posts/2023-01-31-newsletter.md",
            "---\ntitle: January\n---\n",
        ),
        (
            "news/letters/_posts/2023-02-28-newsletter.md",
            "---\ntitle: February\n---\n",
        ),
    ]);
    let site = &loaded.site;
    let room = site.resource_room.as_ref().unwrap();
    let listed: Vec<(&str, bool)> = room
        .posts
        .iter()
        .map(|i| (site.pages[*i].title.as_str(), site.pages[*i].published))
        .collect();
    assert_eq!(listed, [("February", true), ("January", false)]);
    assert_eq!(
        site.page_by_url("/news/letters/newsletter.html")
            .unwrap()
            .title,
        "February"
    );
}

#[test]
fn jekyll_rule_a_page_outside_isomer_folders_is_published_at_its_path() {
    let loaded = load(&[
        ("archive/a.md", "---\ntitle: A\n---\nOld.\n"),
        ("archive/b.md", "---\ntitle: B\npermalink: /b/\n---\n"),
        (
            "archive/plain.md",
            "No front matter: a file copied as it is.\n",
        ),
    ]);
    assert!(loaded.diagnostics.0.is_empty(), "{}", loaded.diagnostics);
    assert_eq!(
        urls(&loaded.site),
        [("archive/a.md", "/archive/a.html"), ("archive/b.md", "/b/")]
    );
    assert!(
        loaded
            .site
            .static_files
            .iter()
            .any(|f| f.output_path == "archive/plain.md")
    );
}

#[test]
fn jekyll_rule_posts_folders_anywhere_hold_posts_whose_folders_are_categories() {
    let posts = [
        (
            "courses/_posts/2017/2017-03-07-internal-audit.md",
            "---\ntitle: Audit\n---\n",
        ),
        (
            "courses/_posts/2019/2019-3-4-lab course.md",
            "---\ntitle: Lab\npermalink: /services/training/lab\n---\n",
        ),
        ("_posts/2020-01-02-root.md", "---\ntitle: Root\n---\n"),
    ];
    let none = load_with_config(
        "title: T\npermalink: none\n",
        &posts,
        &LoadOptions::default(),
    );
    assert!(none.diagnostics.0.is_empty(), "{}", none.diagnostics);
    assert_eq!(
        urls(&none.site),
        [
            ("_posts/2020-01-02-root.md", "/root.html"),
            (
                "courses/_posts/2017/2017-03-07-internal-audit.md",
                "/courses/internal-audit.html"
            ),
            (
                "courses/_posts/2019/2019-3-4-lab course.md",
                "/services/training/lab"
            ),
        ]
    );
    let lab = page(&none.site, "courses/_posts/2019/2019-3-4-lab course.md");
    assert_eq!(lab.date.unwrap().to_string(), "2019-03-04");
    assert_eq!(
        lab.permalink.as_ref().unwrap().output_path(),
        "services/training/lab.html"
    );
    // Without `permalink:` in `_config.yml`, Jekyll's style is `date`.
    let dated = load_with_config("title: T\n", &posts, &LoadOptions::default());
    assert_eq!(
        page(
            &dated.site,
            "courses/_posts/2017/2017-03-07-internal-audit.md"
        )
        .url(),
        Some("/courses/2017/03/07/internal-audit.html")
    );
    assert_eq!(
        page(&dated.site, "_posts/2020-01-02-root.md").url(),
        Some("/2020/01/02/root.html")
    );
}

#[test]
fn jekyll_rule_files_in_posts_without_a_dated_name_are_not_posts() {
    let loaded = load(&[
        ("resources/news/_posts/notes.md", "---\ntitle: Notes\n---\n"),
        ("resources/news/_posts/2020-01-02", "no extension\n"),
        (
            "resources/news/_posts/2020-01-02-ok.md",
            "---\ntitle: Ok\n---\n",
        ),
    ]);
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    assert_eq!(
        codes(&loaded),
        [
            ("invalid-post-name", "resources/news/_posts/2020-01-02"),
            ("invalid-post-name", "resources/news/_posts/notes.md"),
        ]
    );
    assert_eq!(
        urls(&loaded.site),
        [(
            "resources/news/_posts/2020-01-02-ok.md",
            "/resources/news/ok.html"
        )]
    );
    assert!(loaded.site.static_files.is_empty());
}

#[test]
fn jekyll_rule_order_entries_naming_no_file_are_ignored_and_unlisted_files_follow() {
    let loaded = load(&[
        (
            "_guides/collection.yml",
            "collections:\n  guides:\n    output: true\n    order:\n      - b.md\n      - gone.md\n      - a.md\n",
        ),
        ("_guides/a.md", "---\ntitle: A\n---\n"),
        ("_guides/b.md", "---\ntitle: B\n---\n"),
        ("_guides/d.md", "---\ntitle: D\n---\n"),
        ("_guides/c.md", "---\ntitle: C\n---\n"),
    ]);
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    let stale = &loaded.diagnostics.0[0];
    assert_eq!(stale.code.as_deref(), Some("stale-order"));
    assert_eq!(
        (stale.file.as_str(), stale.line),
        ("_guides/collection.yml", Some(6))
    );
    let site = &loaded.site;
    let titles: Vec<&str> = site
        .collection("guides")
        .unwrap()
        .entries
        .iter()
        .map(|e| site.pages[e.page].title.as_str())
        .collect();
    assert_eq!(titles, ["B", "A", "C", "D"]);
}

#[test]
fn jekyll_rule_an_external_permalink_is_written_as_a_path() {
    let loaded = load(&[
        (
            "pages/story.md",
            "---\ntitle: Story\npermalink: https://e27.co/how-can-fintech-help/\n---\n",
        ),
        (
            "pages/search.md",
            "---\ntitle: Search\npermalink: https://example.org//sac/search\n---\n",
        ),
    ]);
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    let story = page(&loaded.site, "pages/story.md");
    assert_eq!(story.url(), Some("/https:/e27.co/how-can-fintech-help/"));
    assert_eq!(
        story.redirect_to.as_deref(),
        Some("https://e27.co/how-can-fintech-help/")
    );
    assert!(story.published);
    let search = page(&loaded.site, "pages/search.md");
    assert_eq!(
        search.permalink.as_ref().unwrap().output_path(),
        "https:/example.org/sac/search.html"
    );
    let warned = &loaded.diagnostics.0[0];
    assert_eq!(warned.code.as_deref(), Some("external-permalink"));
    assert_eq!(warned.line, Some(3));
}

#[test]
fn jekyll_rule_front_matter_that_does_not_parse_is_left_empty() {
    let loaded = load(&[(
        "pages/about-us.md",
        "---\ntitle: About\npermalink: [/about/\n---\nText\n",
    )]);
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    let about = page(&loaded.site, "pages/about-us.md");
    assert_eq!(about.url(), Some("/pages/about-us.html"));
    assert_eq!(about.layout, "page");
    assert_eq!(about.title, "about-us");
    assert_eq!(about.body.text(), Some("Text\n"));
    assert_eq!(about.body_line, 5);
    let warned = &loaded.diagnostics.0[0];
    assert_eq!(warned.code.as_deref(), Some("front-matter-yaml"));
    assert_eq!(warned.line, Some(3));
}

#[test]
fn jekyll_rule_a_post_whose_yaml_fails_takes_its_whole_file_name_as_title() {
    let loaded = load(&[(
        "resources/news/_posts/2020-04-09-post-r&d.md",
        "---\ntitle: R&D\npermalink: '/news/r&d'/\n---\nText\n",
    )]);
    assert_eq!(
        page(&loaded.site, "resources/news/_posts/2020-04-09-post-r&d.md").url(),
        Some("/resources/news/2020-04-09-post-r&d.html")
    );
}

#[test]
fn jekyll_rule_unclosed_front_matter_makes_the_whole_file_the_body() {
    let text = "---\nlayout: simple-page\npermalink: /placeholder/\n\nloren ipsum\n";
    let loaded = load(&[("pages/lessons/placeholder.md", text)]);
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    let placeholder = page(&loaded.site, "pages/lessons/placeholder.md");
    assert_eq!(placeholder.url(), Some("/pages/lessons/placeholder.html"));
    assert_eq!(placeholder.body.text(), Some(text));
    assert_eq!(placeholder.body_line, 1);
    assert_eq!(
        codes(&loaded),
        [("front-matter-unclosed", "pages/lessons/placeholder.md")]
    );
}

#[test]
fn an_alias_bomb_in_front_matter_stays_an_error() {
    let bomb = format!("---\n{}---\nBody\n", crate::yaml::tests::alias_bomb());

    let loaded = load(&[("pages/bomb.md", &bomb)]);
    assert!(loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    assert!(
        loaded
            .site
            .pages
            .iter()
            .all(|p| p.source_path != "pages/bomb.md")
    );
}

#[test]
fn jekyll_rule_unpublished_pages_are_not_written() {
    let files = [
        (
            "pages/draft.md",
            "---\ntitle: Draft\npublished: false\n---\n",
        ),
        ("pages/kept.md", "---\ntitle: Kept\npublished: true\n---\n"),
        (
            "_guides/collection.yml",
            "collections:\n  guides:\n    output: true\n    order: [hidden.md]\n",
        ),
        (
            "_guides/hidden.md",
            "---\ntitle: Hidden\npublished: false\n---\n",
        ),
    ];
    let loaded = load_with_config("title: T\n", &files, &LoadOptions::default());
    assert!(loaded.diagnostics.0.is_empty(), "{}", loaded.diagnostics);
    assert_eq!(urls(&loaded.site), [("pages/kept.md", "/pages/kept.html")]);
    assert!(loaded.site.collection("guides").unwrap().entries.is_empty());
    let everything = load_with_config(
        "title: T\nunpublished: true\n",
        &files,
        &LoadOptions::default(),
    );
    assert_eq!(urls(&everything.site).len(), 3);
}

#[test]
fn jekyll_rule_posts_dated_in_the_future_are_not_written_unless_future_is_set() {
    let files = [
        ("news/_posts/2024-01-01-past.md", "---\ntitle: Past\n---\n"),
        ("news/_posts/2024-06-01-soon.md", "---\ntitle: Soon\n---\n"),
        (
            "news/_posts/2020-01-01-redated.md",
            "---\ntitle: Redated\ndate: 2030-01-01\n---\n",
        ),
    ];
    let today = LoadOptions {
        today: Some(jiff::civil::date(2024, 3, 1)),
        ..LoadOptions::default()
    };
    let titles = |loaded: &LoadedSite| -> Vec<String> {
        let mut titles: Vec<String> = loaded.site.pages.iter().map(|p| p.title.clone()).collect();
        titles.sort();
        titles
    };
    let plain = load_with_config("title: T\npermalink: none\n", &files, &today);
    assert_eq!(titles(&plain), ["Past"]);
    let future = load_with_config("title: T\npermalink: none\nfuture: true\n", &files, &today);
    assert_eq!(titles(&future), ["Past", "Redated", "Soon"]);
    let preview = LoadOptions {
        future: true,
        ..today
    };
    let previewed = load_with_config("title: T\npermalink: none\n", &files, &preview);
    assert_eq!(titles(&previewed), ["Past", "Redated", "Soon"]);
}

#[test]
fn jekyll_rule_a_permalink_without_a_slash_is_written_with_html() {
    let loaded = load(&[
        (
            "_experts/Astar.md",
            "---\ntitle: Astar\npermalink: /experts/Astar\n---\n",
        ),
        (
            "_experts/collection.yml",
            "collections:\n  experts:\n    output: true\n",
        ),
        (
            "_engineers/faisal.md",
            "---\ntitle: Faisal\npermalink: '/meet-the-engineers/Faisal Ahmad/'\n---\n",
        ),
        (
            "_engineers/collection.yml",
            "collections:\n  engineers:\n    output: true\n",
        ),
    ]);
    assert!(!loaded.diagnostics.has_errors(), "{}", loaded.diagnostics);
    let astar = page(&loaded.site, "_experts/Astar.md");
    assert_eq!(astar.url(), Some("/experts/Astar"));
    assert_eq!(
        astar.permalink.as_ref().unwrap().output_path(),
        "experts/Astar.html"
    );
    let faisal = page(&loaded.site, "_engineers/faisal.md");
    assert_eq!(
        faisal.permalink.as_ref().unwrap().output_path(),
        "meet-the-engineers/Faisal Ahmad/index.html"
    );
}

#[test]
fn jekyll_rule_exclude_leaves_out_what_its_globs_match() {
    let loaded = load_with_config(
        "title: T\nexclude: [\"*.txt.md\", drafts, \"/old/\", _redirects]\ninclude: [_redirects]\n",
        &[
            ("pages/a.md", "---\ntitle: A\n---\n"),
            ("pages/notes.txt.md", "---\ntitle: Notes\n---\n"),
            ("drafts/b.md", "---\ntitle: B\n---\n"),
            ("draftsman.md", "---\ntitle: Draftsman\n---\n"),
            ("old/c.md", "---\ntitle: C\n---\n"),
            ("_redirects", "/a /b\n"),
        ],
        &LoadOptions::default(),
    );
    assert_eq!(urls(&loaded.site), [("pages/a.md", "/pages/a.html")]);
    assert_eq!(
        loaded.site.static_files.len(),
        1,
        "`include` wins over `exclude`"
    );
}
