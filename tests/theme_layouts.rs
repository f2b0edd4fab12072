//! Layouts of the Isomer Jekyll theme that real sites name render with
//! Gazette's theme: the older theme's `contact-us` (reading
//! `_data/contact-us.yml`), next-gen's `contact_us` with HTML in its fields,
//! and `datagovsg-search`.

mod common;

use std::fs;
use std::process::Command;

use common::{minimal_site, write};

/// Builds a small site made of `files` and returns the HTML written for
/// each of `pages` (output paths), failing with the report if the build fails.
fn build(files: &[(&str, &str)], pages: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("agency");
    minimal_site(&site, "Sample Agency");
    for (path, contents) in files {
        write(&site, path, contents);
    }
    let out = dir.path().join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("build")
        .arg(&site)
        .arg("--out")
        .arg(&out)
        .env("NO_COLOR", "1")
        .output()
        .expect("the gazette binary runs");
    assert!(
        output.status.success(),
        "the site must build: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    pages
        .iter()
        .map(|page| fs::read_to_string(out.join(page)).expect("the page is written"))
        .collect()
}

/// The text inside `<main>`, tags removed and spaces squeezed.
fn main_text(html: &str) -> String {
    let start = html.find("<main").expect("a main element");
    let end = html.find("</main>").expect("the end of main");
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Fails unless the text of `html`'s main area shows every one of `expected`.
fn assert_shows(html: &str, expected: &[&str]) {
    let text = main_text(html);
    for expected in expected {
        assert!(text.contains(expected), "expected {expected:?} in: {text}");
    }
}

#[test]
fn the_older_contact_us_layout_shows_the_sites_contact_data() {
    let [html] = build(
        &[
            (
                "pages/contact-us.md",
                "---\nlayout: contact-us\ntitle: Contact Us\npermalink: /contact-us/\n---\n",
            ),
            (
                "_data/contact-us.yml",
                "locations:\n  - title: Head Office\n    address: 1 Main Street<br>#02-01 Tower<br>Singapore 123456\n    operating-hours:\n      - days: Mon - Fri\n        time: 8.30am - 6.00pm\n        description: Closed on public holidays\ncolumn:\n  - title: General Enquiries\n    content:\n      - line: 6123 4567\n      - line: hello@agency.gov.sg (email)\n",
            ),
        ],
        &["contact-us/index.html"],
    )
    .try_into()
    .unwrap();
    assert_shows(
        &html,
        &[
            "Get in touch with Sample Agency",
            "Head Office",
            "1 Main Street",
            "Singapore 123456",
            "Mon - Fri",
            "8.30am - 6.00pm",
            "Closed on public holidays",
            // The older layout's words (imda-oin's Jekyll page shows them).
            "Find directions",
            "General Enquiries",
            "6123 4567",
            "hello@agency.gov.sg",
            "Send us your feedback",
        ],
    );
    assert!(
        html.contains("href=\"mailto:hello@agency.gov.sg\""),
        "{html}"
    );
    // No maps link given: one is made from the address, `#` escaped.
    assert!(
        html.contains("https://www.google.com/maps/search/?api=1&amp;query=1+Main+Street+%2302-01+Tower+Singapore+123456"),
        "{html}"
    );
    assert!(!html.contains("&lt;br"), "{html}");

    // An untitled location is the "HQ Address", as that layout named it.
    let [untitled] = build(
        &[
            (
                "pages/contact-us.md",
                "---\nlayout: contact-us\ntitle: Contact Us\npermalink: /contact-us/\n---\n",
            ),
            (
                "_data/contact-us.yml",
                "locations:\n  - title:\n    address: 1 Main Street\n",
            ),
        ],
        &["contact-us/index.html"],
    )
    .try_into()
    .unwrap();
    assert_shows(
        &untitled,
        &["HQ Address", "1 Main Street", "Find directions"],
    );
}

#[test]
fn isomer_rule_the_older_layout_names_the_agency_by_its_short_title_next_gen_by_the_title() {
    let config = (
        "_config.yml",
        "title: Sample Agency of Things\ntitle-abbreviated: SAT\n",
    );
    let [next_gen] = build(
        &[
            config,
            (
                "pages/contact-us.md",
                "---\nlayout: contact_us\ntitle: Contact Us\npermalink: /contact-us/\nlocations:\n  - title: Office\n    address: [1 Main Street]\n---\n",
            ),
        ],
        &["contact-us/index.html"],
    )
    .try_into()
    .unwrap();
    assert_shows(
        &next_gen,
        &["Get in touch with Sample Agency of Things", "View map"],
    );
    let [older] = build(
        &[
            config,
            (
                "pages/contact-us.md",
                "---\nlayout: contact-us\ntitle: Contact Us\npermalink: /contact-us/\n---\n",
            ),
            (
                "_data/contact-us.yml",
                "locations:\n  - title: Office\n    address: 1 Main Street\n",
            ),
        ],
        &["contact-us/index.html"],
    )
    .try_into()
    .unwrap();
    assert_shows(&older, &["Get in touch with SAT"]);
}

#[test]
fn the_contact_us_layout_shows_every_field_and_no_raw_markup() {
    let [html] = build(
        &[
            ("_data/footer.yml", "feedback: https://form.gov.sg/abc\n"),
            (
                "pages/contact-us.md",
                "---\nlayout: contact_us\ntitle: Contact Us\npermalink: /contact-us/\nagency_name: Agency Team\nlocations:\n  - title: Main Office\n    address:\n      - 10 Side Road\n      - Singapore 654321\n      - \"\"\n    operating_hours:\n      - days: School term\n        time: 7.00 am - 5.30 pm\n    maps_link: https://maps.example.gov.sg/x\ncontacts:\n  - title: Enquiries\n    content:\n      - phone: +65 6211 2100\n      - email: info@agency.gov.sg\n      - other: Write at <a href=\"https://go.gov.sg/form\" onclick=\"steal()\">https://go.gov.sg/form</a> <script>alert(1)</script>\n---\n",
            ),
        ],
        &["contact-us/index.html"],
    )
    .try_into()
    .unwrap();
    assert_shows(
        &html,
        &[
            "Get in touch with Agency Team",
            "Main Office",
            "10 Side Road",
            "Singapore 654321",
            "School term",
            "7.00 am - 5.30 pm",
            "Enquiries",
            "+65 6211 2100",
            "info@agency.gov.sg",
            "Write at https://go.gov.sg/form",
            "Send us your feedback",
            "online form",
        ],
    );
    assert!(html.contains("href=\"tel:+6562112100\""), "{html}");
    assert!(
        html.contains("href=\"https://maps.example.gov.sg/x\""),
        "{html}"
    );
    assert!(html.contains("href=\"https://form.gov.sg/abc\""), "{html}");
    // HTML written in a field is never shown as markup, and never runs.
    assert!(!html.contains("&lt;a"), "{html}");
    assert!(
        !html.contains("alert(1)") && !html.contains("steal()"),
        "{html}"
    );
}

#[test]
fn a_datagovsg_search_page_builds_with_its_content() {
    let [html, v2] = build(
        &[
            (
                "pages/search-data.md",
                "---\nlayout: datagovsg-search\ntitle: Search Licences\npermalink: /licences/\ndatagovsg-id: d_0123456789abcdef\n---\n| Licence | Holder |\n| --- | --- |\n| A-1 | Someone |\n",
            ),
            (
                "pages/search-v2.md",
                "---\nlayout: datagovsg-v2-search\ntitle: Search Grants\npermalink: /grants/\n---\nGrants data.\n",
            ),
        ],
        &["licences/index.html", "grants/index.html"],
    )
    .try_into()
    .unwrap();
    let text = main_text(&html);
    assert!(text.contains("Search Licences"), "{text}");
    assert!(html.contains("name=\"query\""), "{html}");
    assert!(
        html.contains("data-datagovsg-id=\"d_0123456789abcdef\""),
        "{html}"
    );
    assert!(html.contains("<td>A-1</td>"), "{html}");
    assert!(main_text(&v2).contains("Grants data."), "{v2}");
}
