//! The sample sites exercise every part of the Isomer format and build cleanly.

use std::collections::BTreeSet;
use std::path::Path;

use gazette_content::{BodyVariant, MemorySource, PageKind, PostKind, Site, Source};
use gazette_render::{BuildRequest, FileDates, MANIFEST_PATH, render_request};
use gazette_store::WorkTreeSource;

const SAMPLE_SITES: &[&str] = &["govtech", "ogp"];
const SECTION_TYPES: &[&str] = &[
    "hero",
    "infobar",
    "infopic",
    "infocols",
    "textcards",
    "announcements",
    "resources",
    "carousel",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn each_sample_site_covers_the_isomer_format() {
    for name in SAMPLE_SITES {
        let source = WorkTreeSource::new(root().join("sites").join(name)).unwrap();
        let loaded = Site::load(name, &source).unwrap();
        assert!(
            loaded.diagnostics.0.is_empty(),
            "{name}: {}",
            loaded.diagnostics
        );
        let site = &loaded.site;

        let published = site.pages.iter().filter(|p| p.published).count();
        assert!(published >= 25, "{name}: {published} published pages");
        assert!(site.collections.len() >= 3, "{name}: collections");
        assert!(
            site.collections
                .iter()
                .any(|c| c.entries.iter().any(|e| e.group.is_some())),
            "{name}: a collection with third-level groups"
        );

        let room = site.resource_room.as_ref().expect("a resource room");
        assert!(room.posts.len() >= 12, "{name}: {} posts", room.posts.len());
        assert!(room.categories.len() >= 2, "{name}: categories");
        let kinds: BTreeSet<&str> = room
            .posts
            .iter()
            .filter_map(|i| match site.pages[*i].kind {
                PageKind::Post { kind, .. } => Some(kind.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            kinds,
            [PostKind::File, PostKind::Link, PostKind::Post]
                .iter()
                .map(|k| k.as_str())
                .collect(),
            "{name}: post kinds"
        );

        let home = site.homepage().expect("a homepage");
        let sections: BTreeSet<&str> = home.data["sections"]
            .as_array()
            .expect("sections")
            .iter()
            .filter_map(|s| s.as_object()?.keys().next().map(String::as_str))
            .collect();
        for kind in SECTION_TYPES {
            assert!(
                sections.contains(kind),
                "{name}: homepage lacks a {kind} section"
            );
        }

        let tiptap = site
            .pages
            .iter()
            .filter(|p| p.variant == BodyVariant::Tiptap)
            .count();
        assert!(tiptap >= 5, "{name}: {tiptap} tiptap pages");
        for layout in ["contact_us", "search", "skeleton"] {
            assert!(
                site.pages.iter().any(|p| p.layout == layout),
                "{name}: no {layout} page"
            );
        }
    }
}

#[test]
fn sample_sites_render_without_warnings_and_keep_editor_markup() {
    let themes = WorkTreeSource::new(root().join("themes")).unwrap();
    for name in SAMPLE_SITES {
        let source = WorkTreeSource::new(root().join("sites").join(name)).unwrap();
        let request = BuildRequest {
            name,
            site: &source,
            themes: &themes,
            theme: "isomer",
            last_changed: FileDates::Unknown,
            load: Default::default(),
        };
        let (rendered, warnings) =
            render_request(&request).unwrap_or_else(|d| panic!("{name}: {d}"));
        assert!(warnings.0.is_empty(), "{name}: {warnings}");
        let html: String = rendered
            .outputs
            .iter()
            .filter(|o| o.path.ends_with(".html"))
            .filter_map(|o| match &o.contents {
                gazette_render::OutputContents::Rendered(bytes) => {
                    Some(String::from_utf8_lossy(bytes).into_owned())
                }
                gazette_render::OutputContents::Copy(_)
                | gazette_render::OutputContents::CopySanitizedSvg(_)
                | gazette_render::OutputContents::Reuse(_)
                | gazette_render::OutputContents::Written => None,
            })
            .collect();
        for kept in [
            "isomer-card-grid",
            "isomer-image-wrapper",
            "isomer-accordion",
            "<details",
            "<table",
        ] {
            assert!(html.contains(kept), "{name}: rendered pages lost {kept}");
        }
        assert!(
            !html.contains("<script>"),
            "{name}: an inline script survived"
        );
        assert!(
            rendered.outputs.iter().any(|o| o.path == "misc/custom.css"),
            "{name}: custom.css"
        );
        assert!(
            rendered.outputs.iter().any(|o| o.path == "404.html"),
            "{name}: 404.html"
        );
    }
}

#[test]
fn the_manifest_names_every_output_even_copies_without_content_ids() {
    let themes = WorkTreeSource::new(root().join("themes")).unwrap();
    let on_disk = WorkTreeSource::new(root().join("sites/ogp")).unwrap();
    // A source without content ids: its media are copied on every publish.
    let mut source = MemorySource::default();
    for path in on_disk.list().unwrap() {
        let bytes = on_disk.read(&path).unwrap();
        source.insert(path, bytes);
    }
    let request = BuildRequest {
        name: "ogp",
        site: &source,
        themes: &themes,
        theme: "isomer",
        last_changed: FileDates::Unknown,
        load: Default::default(),
    };
    let (rendered, _) = render_request(&request).unwrap_or_else(|d| panic!("{d}"));
    let manifest = &rendered.manifest;
    let named: BTreeSet<&str> = manifest
        .units
        .values()
        .flat_map(|unit| unit.outputs.iter().map(|output| output.path.as_str()))
        .collect();
    let written: BTreeSet<&str> = rendered
        .outputs
        .iter()
        .map(|output| output.path.as_str())
        .filter(|path| *path != MANIFEST_PATH)
        .collect();
    assert!(named == written, "the manifest names exactly the outputs");
    assert!(manifest.lists_every_file);
    let copies: Vec<_> = manifest
        .units
        .iter()
        .filter(|(_, unit)| unit.inputs_digest.is_empty())
        .collect();
    assert!(
        !copies.is_empty(),
        "copies without content ids are recorded"
    );
    for (id, unit) in copies {
        assert!(
            manifest.reusable(id, &unit.inputs_digest).is_none(),
            "{id} has no inputs to compare, so it is never reused"
        );
    }
}
