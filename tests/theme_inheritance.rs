//! A theme that extends another changes exactly what it overrides: a one-line
//! partial in a child theme rewrites the pages that use that partial and
//! leaves every other output byte for byte as the parent renders it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use gazette_content::{MemorySource, Source};
use gazette_render::{BuildRequest, FileDates, OutputContents, render_request};
use gazette_store::WorkTreeSource;

const SIDE_NAV_OVERRIDE: &str = "<nav class=\"probe-side-nav\" aria-label=\"Probe\"></nav>\n";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The project's themes, plus a `probe` theme that extends `isomer` and
/// replaces one partial with one line.
fn themes_with_probe() -> MemorySource {
    let themes = WorkTreeSource::new(root().join("themes")).expect("the themes folder");
    let mut memory = MemorySource::default();
    for path in themes.list().expect("a listable themes folder") {
        let bytes = themes.read(&path).expect("a readable theme file");
        memory.insert(path, bytes);
    }
    memory.insert(
        "probe/theme.toml",
        "name = \"probe\"\nextends = \"isomer\"\n",
    );
    memory.insert("probe/templates/partials/side_nav.html", SIDE_NAV_OVERRIDE);
    memory
}

/// Every output of `site` rendered with `theme`, by path (the manifest, which
/// records the theme's fingerprint, left out).
fn render(site: &str, themes: &dyn Source, theme: &str) -> BTreeMap<String, Vec<u8>> {
    let source = WorkTreeSource::new(root().join("sites").join(site)).expect("a site folder");
    let request = BuildRequest {
        name: site,
        site: &source,
        themes,
        theme,
        last_changed: FileDates::Unknown,
        load: Default::default(),
    };
    let (rendered, _warnings) =
        render_request(&request).unwrap_or_else(|d| panic!("{site} with {theme}: {d}"));
    rendered
        .outputs
        .into_iter()
        // The manifest and state files (`.gazette…`) are Gazette's records,
        // not pages.
        .filter(|output| !output.path.starts_with(".gazette"))
        .filter_map(|output| match output.contents {
            OutputContents::Rendered(bytes) => Some((output.path, bytes)),
            OutputContents::Copy(_)
            | OutputContents::CopySanitizedSvg(_)
            | OutputContents::Reuse(_)
            | OutputContents::Written => None,
        })
        .collect()
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8 output")
}

#[test]
fn a_one_line_child_override_changes_exactly_the_pages_that_use_it() {
    let themes = themes_with_probe();
    for site in ["govtech", "ogp"] {
        let parent = render(site, &themes, "isomer");
        let child = render(site, &themes, "probe");
        assert_eq!(
            parent.keys().collect::<Vec<_>>(),
            child.keys().collect::<Vec<_>>(),
            "{site}: the child theme writes the same files"
        );

        let uses_side_nav: BTreeSet<&String> = parent
            .iter()
            .filter(|(_, bytes)| text(bytes).contains("class=\"side-nav-wrapper\""))
            .map(|(path, _)| path)
            .collect();
        let changed: BTreeSet<&String> = parent
            .iter()
            .filter(|(path, bytes)| child[*path] != **bytes)
            .map(|(path, _)| path)
            .collect();
        let pages = parent.keys().filter(|p| p.ends_with(".html")).count();

        assert!(
            !uses_side_nav.is_empty(),
            "{site}: some pages have a side navigation"
        );
        assert!(uses_side_nav.len() < pages, "{site}: some pages have none");
        assert_eq!(
            changed, uses_side_nav,
            "{site}: exactly the pages with a side navigation change"
        );
        for path in changed {
            let html = text(&child[path]);
            assert!(html.contains(SIDE_NAV_OVERRIDE.trim()), "{site}: {path}");
            assert!(!html.contains("side-nav-wrapper"), "{site}: {path}");
        }
    }
}

#[test]
fn the_agency_theme_adds_its_stylesheet_and_changes_nothing_else() {
    let themes = WorkTreeSource::new(root().join("themes")).expect("the themes folder");
    let parent = render("govtech", &themes, "isomer");
    let agency = render("govtech", &themes, "govtech-agency");
    let link = "<link rel=\"stylesheet\" href=\"/assets/govtech-agency/agency.css\">";

    let added: BTreeSet<&String> = agency.keys().filter(|p| !parent.contains_key(*p)).collect();
    assert_eq!(
        added.into_iter().collect::<Vec<_>>(),
        ["assets/govtech-agency/agency.css"],
        "the agency theme adds only its stylesheet"
    );
    for (path, bytes) in &parent {
        let child = &agency[path];
        if !path.ends_with(".html") {
            assert_eq!(child, bytes, "{path} is the parent's");
            continue;
        }
        let child = text(child);
        assert_eq!(
            child.matches(link).count(),
            1,
            "{path} links the agency stylesheet"
        );
        assert_eq!(
            child.replacen(link, "", 1).replace(char::is_whitespace, ""),
            text(bytes).replace(char::is_whitespace, ""),
            "{path} is otherwise the parent's page"
        );
    }
}
