//! What a render reuses from the previous publish, and what it must not.

use std::path::Path;

use gazette_content::{MemorySource, Site};
use gazette_store::WorkTreeSource;
use gazette_theme::Theme;

use crate::manifest::Manifest;
use crate::render::render_site;
use crate::rendered::{OutputContents, RenderOptions, RenderedSite};

fn render(source: &MemorySource, previous: Option<&Manifest>) -> RenderedSite {
    let themes = WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes"))
        .expect("the workspace's themes");
    let site = Site::load("agency", source).expect("a site").site;
    let mut theme = Theme::load(&themes, "isomer", Some(source)).expect("the theme");
    let options = RenderOptions {
        previous,
        ..RenderOptions::default()
    };
    render_site(&site, &mut theme, &options).expect("renders")
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
    let second = render(&source, Some(&first.manifest));
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
