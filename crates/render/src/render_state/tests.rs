//! A page rendered from a kept state is the page a whole render renders.

use std::path::Path;

use gazette_content::{MemorySource, Site};
use gazette_store::WorkTreeSource;

use super::*;
use crate::kept_state::KEPT_STATES;
use crate::render::render_site;
use crate::rendered::{OutputContents, RenderedSite};

const FILES: &[(&str, &str)] = &[
    ("_config.yml", "title: Agency\n"),
    (
        "_data/navigation.yml",
        "links:\n  - title: Guides\n    collection: guides\n",
    ),
    (
        "_guides/collection.yml",
        "collections:\n  guides:\n    output: true\n    order:\n      - one.md\n      - two.md\n",
    ),
    (
        "_guides/one.md",
        "---\ntitle: One\npermalink: /guides/one/\n---\nFirst.\n",
    ),
    (
        "_guides/two.md",
        "---\ntitle: Two\npermalink: /guides/two/\n---\nSecond.\n",
    ),
    ("index.md", "---\nlayout: homepage\ntitle: Home\n---\n"),
];

fn themes() -> WorkTreeSource {
    WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes"))
        .expect("the workspace's themes")
}

/// The site rendered whole, keeping its state.
fn render_whole(source: &MemorySource) -> RenderedSite {
    let site = Site::load("agency", source).expect("a site").site;
    let mut theme = Theme::load(&themes(), "isomer", Some(source)).expect("the theme");
    let options = RenderOptions {
        keep_state: true,
        ..RenderOptions::default()
    };
    render_site(&site, &mut theme, &options).expect("renders")
}

#[test]
fn an_edited_page_renders_from_the_state_as_in_a_whole_render() {
    let mut source = MemorySource::from_files(FILES.iter().copied());
    let before = render_whole(&source);
    let kept = before.state.clone().expect("a state");
    assert_eq!(before.manifest.render_state.as_ref(), Some(&kept.id));

    source.insert(
        "_guides/two.md",
        "---\ntitle: Two\npermalink: /guides/two/\n---\nSecond, {{ site.title }}.\n",
    );
    let after = render_whole(&source);
    assert_eq!(
        after.state,
        Some(kept.clone()),
        "a text edit keeps the state"
    );

    let folder = tempfile::tempdir().unwrap();
    kept.keep(folder.path());
    let state = RenderState::read(folder.path(), &kept.id).expect("read back");
    let open = state.open().expect("decodes");
    let KnownPage::Alone(around) = open.page("_guides/two.md") else {
        panic!("a collection page renders alone");
    };
    assert!(matches!(open.page("index.md"), KnownPage::NeedsSite));
    assert!(matches!(open.page("_config.yml"), KnownPage::NotAPage));

    let page = open
        .shared
        .reader
        .read_page(&source, "_guides/two.md")
        .expect("a page")
        .expect("no problems");
    let mut theme = Theme::load(&themes(), "isomer", Some(&source)).expect("the theme");
    let units = open
        .render(&mut theme, &[(page, *around)], &RenderOptions::default())
        .expect("renders");
    let whole = after
        .outputs
        .iter()
        .find(|o| o.path == "guides/two/index.html")
        .expect("the page");
    assert_eq!(units.len(), 1);
    assert_eq!(units[0].outputs[0].0.contents, whole.contents);
    let OutputContents::Rendered(html) = &whole.contents else {
        panic!("rendered");
    };
    assert!(String::from_utf8_lossy(html).contains("Second, Agency."));
    assert_eq!(
        units[0].inputs_digest,
        after.manifest.units["_guides/two.md"].inputs_digest
    );
}

#[test]
fn a_state_is_read_only_under_its_own_name_and_the_newest_few_are_kept() {
    let folder = tempfile::tempdir().unwrap();
    let mut ids = Vec::new();
    for n in 0..KEPT_STATES + 2 {
        let mut source = MemorySource::from_files(FILES.iter().copied());
        source.insert("_config.yml", format!("title: Agency {n}\n"));
        let kept = render_whole(&source).state.expect("a state");
        kept.keep(folder.path());
        ids.push(kept.id);
        // Modification times order the states.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let left: Vec<bool> = ids
        .iter()
        .map(|id| RenderState::read(folder.path(), id).is_some())
        .collect();
    assert_eq!(left, [false, false, true, true, true, true]);

    let newest = ids.last().unwrap();
    assert!(RenderState::read(folder.path(), "../escape").is_none());
    let elsewhere = folder.path().join("0123456789abcdef0123456789abcdef");
    std::fs::copy(folder.path().join(newest), &elsewhere).unwrap();
    assert!(
        RenderState::read(folder.path(), "0123456789abcdef0123456789abcdef").is_none(),
        "bytes that do not hash to the name are refused"
    );
}
