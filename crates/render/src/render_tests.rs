//! What a render reuses from the previous publish, and what it must not.

use std::path::Path;

use gazette_content::{MemorySource, Site};
use gazette_store::WorkTreeSource;
use gazette_theme::Theme;

use crate::render::render_site;
use crate::rendered::{Output, OutputContents, OutputSink, RenderOptions, RenderedSite};

/// Renders the site, reusing what `previous` (a render of it) wrote.
fn render(source: &MemorySource, previous: Option<&RenderedSite>) -> RenderedSite {
    let themes = WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes"))
        .expect("the workspace's themes");
    let site = Site::load("agency", source).expect("a site").site;
    let mut theme = Theme::load(&themes, "isomer", Some(source)).expect("the theme");
    let options = RenderOptions {
        previous: previous.map(|p| &p.manifest),
        previous_search: previous.map(|p| &p.search_state),
        ..RenderOptions::default()
    };
    render_site(&site, &mut theme, &options).expect("renders")
}

/// The text of the output at `path`, which must have been rendered.
fn html_of(rendered: &RenderedSite, path: &str) -> String {
    let output = rendered
        .outputs
        .iter()
        .find(|o| o.path == path)
        .expect(path);
    let OutputContents::Rendered(bytes) = &output.contents else {
        panic!("{path} was not rendered");
    };
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_stylesheet_compiles_again_when_only_a_sass_partial_changed() {
    let mut source = MemorySource::from_files([
        ("_config.yml", "title: Agency\n"),
        ("index.md", "---\nlayout: homepage\ntitle: Home\n---\n"),
        (
            "misc/custom.scss",
            "---\n---\n@import \"colours\";\n.banner { color: $brand; }\n",
        ),
        ("_sass/_colours.scss", "$brand: #112233;\n"),
    ]);
    let first = render(&source, None);
    source.insert("_sass/_colours.scss", "$brand: #445566;\n");
    let second = render(&source, Some(&first));
    let css = second
        .outputs
        .iter()
        .find(|output| output.path == "misc/custom.css")
        .expect("the stylesheet is written");
    let OutputContents::Rendered(bytes) = &css.contents else {
        panic!("the stylesheet was reused: {:?}", css.contents);
    };
    assert!(String::from_utf8_lossy(bytes).contains("#445566"));
}

#[test]
fn jekyll_include_relative_reads_beside_the_page_and_renders_again_when_that_file_changes() {
    let mut source = MemorySource::from_files([
        ("_config.yml", "title: Agency\n"),
        ("index.md", "---\nlayout: homepage\ntitle: Home\n---\n"),
        (
            "pages/about/index.md",
            "---\ntitle: About\npermalink: /about/\n---\nBefore.\n\n{% include_relative parts/office.md %}\n",
        ),
        // No front matter: Jekyll copies it too, as a static file.
        (
            "pages/about/parts/office.md",
            "Our office opens at *nine*.\n",
        ),
    ]);
    let page_text = |rendered: &RenderedSite| {
        let page = rendered
            .outputs
            .iter()
            .find(|output| output.path == "about/index.html")
            .expect("the page is written");
        match &page.contents {
            OutputContents::Rendered(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
            _ => None,
        }
    };
    let first = render(&source, None);
    let html = page_text(&first).expect("rendered");
    assert!(
        html.contains("Our office opens at <em>nine</em>."),
        "{html}"
    );
    assert!(first.warnings.0.is_empty(), "{:?}", first.warnings);

    let unchanged = render(&source, Some(&first));
    assert_eq!(page_text(&unchanged), None, "nothing changed: reused");

    source.insert(
        "pages/about/parts/office.md",
        "Our office opens at *ten*.\n",
    );
    let second = render(&source, Some(&first));
    let html = page_text(&second).expect("the included file changed: rendered again");
    assert!(html.contains("Our office opens at <em>ten</em>."), "{html}");
}

/// An [`OutputSink`] that keeps what it is given, as a folder would.
#[derive(Default)]
struct KeptOutputs(std::sync::Mutex<Vec<(String, String, Vec<u8>)>>);

impl OutputSink for KeptOutputs {
    fn put(&self, unit: &str, _inputs: &str, output: &Output) {
        let OutputContents::Rendered(bytes) = &output.contents else {
            panic!("{} handed over without bytes", output.path);
        };
        let mut kept = self.0.lock().unwrap();
        kept.push((output.path.clone(), unit.to_owned(), bytes.clone()));
    }
}

#[test]
fn with_a_sink_every_rendered_output_is_handed_over_once_and_not_held() {
    let source = MemorySource::from_files([
        ("_config.yml", "title: Agency\n"),
        ("index.md", "---\nlayout: homepage\ntitle: Home\n---\n"),
        (
            "pages/about.md",
            "---\ntitle: About\npermalink: /about/\n---\nAbout us.\n",
        ),
        (
            "pages/faq.md",
            "---\ntitle: FAQ\npermalink: /faq/\n---\nAsk.\n",
        ),
        ("images/logo.png", "not really a png"),
    ]);
    let themes = WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes"))
        .expect("the workspace's themes");
    let site = Site::load("agency", &source).expect("a site").site;
    let in_memory = render(&source, None);
    let sink = KeptOutputs::default();
    let mut theme = Theme::load(&themes, "isomer", Some(&source)).expect("the theme");
    let options = RenderOptions {
        sink: Some(&sink),
        ..RenderOptions::default()
    };
    let streamed = render_site(&site, &mut theme, &options).expect("renders");

    let mut handed = sink.0.into_inner().unwrap();
    handed.sort();
    let paths: Vec<&str> = handed.iter().map(|(path, _, _)| path.as_str()).collect();
    let mut unique = paths.clone();
    unique.dedup();
    assert_eq!(paths, unique, "each output is handed over once");
    // Every rendered output went to the sink with the bytes an in-memory
    // render holds, under the unit the manifest names; copies stay.
    for output in &in_memory.outputs {
        let kept = handed.iter().find(|(path, _, _)| *path == output.path);
        match &output.contents {
            OutputContents::Rendered(bytes) => {
                let (_, unit, kept) =
                    kept.unwrap_or_else(|| panic!("{} not handed over", output.path));
                assert_eq!(kept, bytes, "{}", output.path);
                let named = streamed.manifest.units.get(unit).is_some_and(|record| {
                    record
                        .outputs
                        .iter()
                        .any(|record| record.path == output.path)
                });
                assert!(named || unit == "manifest", "{} under {unit}", output.path);
            }
            _ => assert!(
                kept.is_none(),
                "{} is not the render's to hand over",
                output.path
            ),
        }
    }
    assert_eq!(
        handed.len(),
        in_memory.outputs.len() - in_memory.copied_files()
    );
    assert!(paths.contains(&"about/index.html"), "{paths:?}");
    for output in &streamed.outputs {
        let held = matches!(output.contents, OutputContents::Rendered(_));
        assert!(!held, "{} is still held", output.path);
    }
    assert_eq!(
        streamed.outputs.iter().map(|o| &o.path).collect::<Vec<_>>(),
        in_memory
            .outputs
            .iter()
            .map(|o| &o.path)
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_render_without_the_search_index_writes_none_of_it_and_still_reuses_unchanged_pages() {
    let themes = WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes"))
        .expect("the workspace's themes");
    let mut source = MemorySource::from_files([
        ("_config.yml", "title: Agency\n"),
        ("index.md", "---\nlayout: homepage\ntitle: Home\n---\n"),
        (
            "pages/grants.md",
            "---\ntitle: Grants\npermalink: /grants/\n---\nApply for a grant.\n",
        ),
        (
            "pages/permits.md",
            "---\ntitle: Permits\npermalink: /permits/\n---\nRenew a permit.\n",
        ),
    ]);
    let render = |source: &MemorySource, previous: Option<&RenderedSite>| {
        let site = Site::load("agency", source).expect("a site").site;
        let mut theme = Theme::load(&themes, "isomer", Some(source)).expect("the theme");
        let options = RenderOptions {
            previous: previous.map(|p| &p.manifest),
            without_search_index: true,
            ..RenderOptions::default()
        };
        render_site(&site, &mut theme, &options).expect("renders")
    };
    let is_index_file =
        |path: &str| path.starts_with("search-index/") || path.starts_with(".gazette-search");
    let first = render(&source, None);
    assert!(first.search_state.is_empty());
    let index_files: Vec<&str> = first
        .outputs
        .iter()
        .map(|output| output.path.as_str())
        .filter(|path| is_index_file(path))
        .collect();
    assert!(index_files.is_empty(), "{index_files:?}");

    source.insert(
        "pages/permits.md",
        "---\ntitle: Permits\npermalink: /permits/\n---\nRenew a permit online.\n",
    );
    let second = render(&source, Some(&first));
    let contents = |path: &str| {
        &second
            .outputs
            .iter()
            .find(|output| output.path == path)
            .unwrap_or_else(|| panic!("{path} is written"))
            .contents
    };
    assert!(matches!(
        contents("grants/index.html"),
        OutputContents::Reuse(_)
    ));
    assert!(matches!(
        contents("permits/index.html"),
        OutputContents::Rendered(_)
    ));
    assert!(
        !second
            .outputs
            .iter()
            .any(|output| is_index_file(&output.path))
    );
}

#[test]
fn each_page_footer_shows_its_own_last_updated_date_though_one_footer_serves_each_date() {
    let source = MemorySource::from_files([
        ("_config.yml", "title: Agency\n"),
        ("_data/footer.yml", "faq: /faq/\n"),
        ("index.md", "---\nlayout: homepage\ntitle: Home\n---\n"),
        ("pages/a.md", "---\ntitle: A\npermalink: /a/\n---\nA.\n"),
        ("pages/b.md", "---\ntitle: B\npermalink: /b/\n---\nB.\n"),
        ("pages/c.md", "---\ntitle: C\npermalink: /c/\n---\nC.\n"),
    ]);
    let themes = WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes"))
        .expect("the workspace's themes");
    let site = Site::load("agency", &source).expect("a site").site;
    let mut theme = Theme::load(&themes, "isomer", Some(&source)).expect("the theme");
    // Noon in Singapore on 2 and 9 March 2026.
    let dates = [
        ("pages/a.md", 1_772_424_000),
        ("pages/b.md", 1_772_424_000),
        ("pages/c.md", 1_773_028_800),
    ]
    .map(|(path, seconds)| (path.to_owned(), seconds))
    .into();
    let options = RenderOptions {
        last_changed: Some(&dates),
        ..RenderOptions::default()
    };
    let rendered = render_site(&site, &mut theme, &options).expect("renders");
    let footer_of = |path: &str| {
        let html = html_of(&rendered, path);
        let start = html.find("<footer").expect("a footer");
        let end = html.find("</footer>").expect("a whole footer");
        html[start..end].to_owned()
    };
    let updated = |footer: &str| {
        footer
            .split("datetime=\"")
            .nth(1)
            .map(|rest| rest[..10].to_owned())
    };
    assert_eq!(
        updated(&footer_of("a/index.html")).as_deref(),
        Some("2026-03-02")
    );
    assert_eq!(
        updated(&footer_of("b/index.html")).as_deref(),
        Some("2026-03-02")
    );
    assert_eq!(
        updated(&footer_of("c/index.html")).as_deref(),
        Some("2026-03-09")
    );
    assert_eq!(updated(&footer_of("404.html")), None);
    // The rest of the footer is the site's, the same on every page.
    for path in ["a/index.html", "c/index.html", "404.html"] {
        let footer = footer_of(path);
        assert!(footer.contains("<a href=\"/faq/\">FAQ</a>"), "{footer}");
    }
    assert_eq!(footer_of("a/index.html"), footer_of("b/index.html"));
}

/// The site's part of the `<head>` is rendered once and stitched into
/// every page, the 404 page too: each page keeps its own title and
/// description around it.
#[test]
fn every_page_carries_the_site_head_rendered_once_and_its_own_title() {
    let source = MemorySource::from_files([
        (
            "_config.yml",
            "title: Agency\ncolors:\n  primary-color: \"#006d5b\"\nfavicon: /images/icon.png\n",
        ),
        ("index.md", "---\nlayout: homepage\ntitle: Home\n---\n"),
        ("pages/a.md", "---\ntitle: Alpha\npermalink: /a/\n---\nA.\n"),
        ("pages/b.md", "---\ntitle: Beta\npermalink: /b/\n---\nB.\n"),
    ]);
    let rendered = render(&source, None);
    let head_of = |path: &str| {
        let html = html_of(&rendered, path);
        html[..html.find("</head>").expect("a head")].to_owned()
    };
    let site_part = |head: &str| {
        let start = head.find("<link rel=\"icon\"").expect("the site's icon");
        head[start..].to_owned()
    };
    for (path, title) in [
        ("a/index.html", "<title>Alpha | Agency</title>"),
        ("b/index.html", "<title>Beta | Agency</title>"),
        ("404.html", "<title>Page not found | Agency</title>"),
    ] {
        let head = head_of(path);
        assert!(head.contains(title), "{path}: {head}");
        let site = site_part(&head);
        assert!(site.contains("href=\"/images/icon.png\""), "{site}");
        assert!(site.contains("--color-primary: #006d5b"), "{site}");
        assert!(site.contains("/assets/isomer/theme.css"), "{site}");
    }
    assert_eq!(
        site_part(&head_of("a/index.html")),
        site_part(&head_of("404.html"))
    );
}
