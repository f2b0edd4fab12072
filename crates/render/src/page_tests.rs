//! Listings as Jekyll and the Isomer theme write them.

use std::path::Path;

use gazette_content::{MemorySource, Site};
use gazette_store::WorkTreeSource;
use gazette_theme::Theme;

use crate::render::render_site;
use crate::rendered::{OutputContents, RenderOptions, RenderedSite};

/// A site whose resource room `media` holds `posts` news posts, two a day.
fn files(config: &str, posts: usize) -> MemorySource {
    let mut files: Vec<(String, String)> = vec![
        (
            "_config.yml".into(),
            format!("title: Agency\nresources_name: media\n{config}"),
        ),
        (
            "index.md".into(),
            "---\nlayout: homepage\ntitle: Home\n---\n".into(),
        ),
        (
            "media/index.html".into(),
            "---\nlayout: resources\ntitle: Media\n---\n".into(),
        ),
        (
            "media/news/index.html".into(),
            "---\nlayout: resources-alt\ntitle: News\n---\n".into(),
        ),
        (
            "media/empty/index.html".into(),
            "---\nlayout: resources-alt\ntitle: Empty\n---\n".into(),
        ),
    ];
    files.extend((0..posts).map(|n| {
        (
            format!(
                "media/news/_posts/2024-01-{:02}-item-{}.md",
                1 + n / 2,
                n % 2
            ),
            format!("---\ntitle: Item {n}\n---\nText {n}.\n"),
        )
    }));
    MemorySource::from_files(files)
}

fn render(source: &MemorySource) -> RenderedSite {
    let themes = WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes"))
        .expect("the workspace's themes");
    let site = Site::load("agency", source).expect("a site").site;
    let mut theme = Theme::load(&themes, "isomer", Some(source)).expect("the theme");
    render_site(&site, &mut theme, &RenderOptions::default()).expect("renders")
}

fn html(rendered: &RenderedSite, path: &str) -> Option<String> {
    rendered
        .outputs
        .iter()
        .find(|output| output.path == path)
        .map(|output| match &output.contents {
            OutputContents::Rendered(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            other => panic!("{path} is not rendered: {other:?}"),
        })
}

const PAGINATE: &str =
    "paginate: 2\npaginate_path: /media/page:num\nplugins:\n  - jekyll-paginate\n";

#[test]
fn isomer_lists_every_post_on_the_listing_and_jekyll_paginate_repeats_it() {
    let rendered = render(&files(PAGINATE, 5));
    let listing = html(&rendered, "media/index.html").expect("the listing");
    assert_eq!(
        listing.matches("<li class=\"post-card ").count(),
        5,
        "every post, not 2"
    );
    assert!(
        listing.contains("data-page-size=\"2\""),
        "the script pages by `paginate`"
    );
    for page in ["media/page2/index.html", "media/page3/index.html"] {
        let copy = html(&rendered, page).unwrap_or_else(|| panic!("{page} is written"));
        assert_eq!(
            copy.matches("<li class=\"post-card ").count(),
            5,
            "{page} lists every post"
        );
    }
    assert_eq!(
        html(&rendered, "media/page4/index.html"),
        None,
        "5 posts make 3 pages of 2"
    );
}

#[test]
fn jekyll_writes_no_listing_copies_without_the_jekyll_paginate_plugin() {
    let rendered = render(&files("paginate: 2\npaginate_path: /media/page:num\n", 5));
    assert!(html(&rendered, "media/index.html").is_some());
    assert_eq!(html(&rendered, "media/page2/index.html"), None);
}

#[test]
fn isomer_orders_posts_of_one_day_in_reverse_path_order_and_pads_the_day() {
    let listing = html(&render(&files("", 2)), "media/index.html").expect("the listing");
    let (first, second) = (
        listing.find("Item 1").unwrap(),
        listing.find("Item 0").unwrap(),
    );
    assert!(
        first < second,
        "item-1 sorts after item-0, so Jekyll's reversed list shows it first"
    );
    assert!(
        listing.contains(">01 Jan 2024</time>"),
        "Isomer writes a two-digit day"
    );
}

#[test]
fn isomer_leaves_an_empty_category_out_of_the_filter_even_on_its_own_page() {
    let empty = html(&render(&files("", 1)), "media/empty/index.html").expect("the category");
    assert!(
        empty.contains(">news</a>"),
        "a category with posts is listed"
    );
    assert!(
        !empty.contains(">empty</a>"),
        "the empty category is not, though it is read"
    );
    assert!(
        empty.contains(">Recent</span>"),
        "the date filter shows on every listing"
    );
}

#[test]
fn jekyll_writes_a_link_posts_page_which_sends_readers_on_and_never_to_script() {
    let mut source = files("permalink: none\n", 0);
    source.insert(
        "media/news/_posts/2024-02-01-link-Coverage.md",
        "---\ntitle: Coverage\nexternal: https://news.example.org/story\n---\n",
    );
    source.insert(
        "media/news/_posts/2024-02-02-link-Trap.md",
        "---\ntitle: Trap\nexternal: javascript:alert(1)\n---\n",
    );
    let rendered = render(&source);
    let link = html(&rendered, "media/news/link-Coverage.html").expect("the link post's page");
    assert!(
        link.contains(
            r#"<meta http-equiv="refresh" content="0; url=https://news.example.org/story">"#
        ),
        "{link}"
    );
    let trap = html(&rendered, "media/news/link-Trap.html").expect("the page is written");
    assert!(
        !trap.contains("http-equiv=\"refresh\"") && !trap.contains("javascript:"),
        "{trap}"
    );
}
