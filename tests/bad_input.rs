//! Bad input gets a clear diagnostic (site, file, line, column, hint), every
//! error of a build is reported at once, the exit code is non-zero, and the
//! previous output of the site stays exactly as it was.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Fixture {
    _dir: tempfile::TempDir,
    site: PathBuf,
    out: PathBuf,
}

/// A small valid site in a temporary folder.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("agency");
    let files: &[(&str, &str)] = &[
        (
            "_config.yml",
            "title: Sample Agency\nresources_name: news\npermalink: none\n",
        ),
        (
            "_data/navigation.yml",
            "links:\n  - title: Guides\n    collection: guides\n",
        ),
        (
            "index.md",
            "---\nlayout: homepage\ntitle: Home\npermalink: /\n---\n",
        ),
        (
            "pages/about.md",
            "---\ntitle: About\npermalink: /about/\n---\nAbout us.\n",
        ),
        (
            "_guides/collection.yml",
            "collections:\n  guides:\n    output: true\n    order:\n      - first.md\n",
        ),
        (
            "_guides/first.md",
            "---\ntitle: First\npermalink: /guides/first/\n---\nStep one.\n",
        ),
        (
            "news/index.html",
            "---\nlayout: resources\ntitle: News\n---\n",
        ),
        (
            "news/updates/index.html",
            "---\nlayout: resources-alt\ntitle: Updates\n---\n",
        ),
        (
            "news/updates/_posts/2025-01-02-post-Hello.md",
            "---\ntitle: Hello\n---\nNews.\n",
        ),
    ];
    for (path, contents) in files {
        write(&site, path, contents.as_bytes());
    }
    let out = dir.path().join("out");
    Fixture {
        _dir: dir,
        site,
        out,
    }
}

fn write(root: &Path, path: &str, contents: &[u8]) {
    let full = root.join(path);
    fs::create_dir_all(full.parent().expect("a parent folder")).expect("folders");
    fs::write(full, contents).expect("a written file");
}

fn build(fixture: &Fixture) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("build")
        .arg(&fixture.site)
        .arg("--out")
        .arg(&fixture.out)
        .env("NO_COLOR", "1")
        .output()
        .expect("the gazette binary runs")
}

/// Builds the valid fixture, applies `break_it`, builds again and checks the
/// failure: non-zero exit, every `expected` text in the report, and the
/// earlier output untouched. Returns the report.
fn assert_fails(break_it: impl FnOnce(&Path), expected: &[&str]) -> String {
    let fixture = fixture();
    let first = build(&fixture);
    assert!(
        first.status.success(),
        "the valid fixture must build: {}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = snapshot(&fixture.out);
    break_it(&fixture.site);
    let second = build(&fixture);
    let report = String::from_utf8_lossy(&second.stderr).into_owned();
    assert_eq!(
        second.status.code(),
        Some(1),
        "a broken site must fail: {report}"
    );
    for text in expected {
        assert!(report.contains(text), "expected {text:?} in:\n{report}");
    }
    assert!(
        report.contains("help:"),
        "every diagnostic has a hint:\n{report}"
    );
    assert_eq!(
        snapshot(&fixture.out),
        before,
        "the previous output must stay as it was"
    );
    report
}

/// Applies `break_it` to the valid fixture and builds: what Jekyll tolerates
/// builds, with a warning holding every `expected` text and a hint. Returns
/// the fixture (to read the output) and the report.
fn assert_tolerated(break_it: impl FnOnce(&Path), expected: &[&str]) -> (Fixture, String) {
    let fixture = fixture();
    break_it(&fixture.site);
    let output = build(&fixture);
    let report = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "Jekyll builds this: {report}");
    for text in expected {
        assert!(report.contains(text), "expected {text:?} in:\n{report}");
    }
    assert!(
        report.contains("help:"),
        "every diagnostic has a hint:\n{report}"
    );
    (fixture, report)
}

fn read_output(fixture: &Fixture, path: &str) -> String {
    fs::read_to_string(fixture.out.join(path))
        .unwrap_or_else(|error| panic!("{path} should be written: {error}"))
}

/// Every file under `root` with its bytes.
fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).expect("a readable folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = fs::read(&path).expect("a readable file");
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    assert!(!files.is_empty());
    files
}

#[test]
fn jekyll_rule_malformed_front_matter_yaml_is_a_warning_and_the_page_builds_without_it() {
    let (fixture, _) = assert_tolerated(
        |site| {
            write(
                site,
                "pages/about.md",
                b"---\ntitle: About\npermalink: [/about/\n---\nText\n",
            )
        },
        &[
            "warning[front-matter-yaml]",
            "malformed YAML in front matter",
            "pages/about.md:3:",
            "permalink: [/about/",
            "^",
        ],
    );
    // No front matter: the URL comes from the file's path.
    assert!(read_output(&fixture, "pages/about.html").contains("Text"));
}

#[test]
fn jekyll_rule_unclosed_front_matter_is_a_warning_and_the_whole_file_is_the_body() {
    let (fixture, _) = assert_tolerated(
        |site| {
            write(
                site,
                "pages/about.md",
                b"---\ntitle: About\npermalink: /about/\nText\n",
            )
        },
        &[
            "warning[front-matter-unclosed]",
            "no closing `---`",
            "pages/about.md:1:1",
        ],
    );
    assert!(read_output(&fixture, "pages/about.html").contains("Text"));
}

#[test]
fn a_file_that_is_not_utf8_is_reported_where_the_bad_byte_is() {
    assert_fails(
        |site| {
            write(
                site,
                "pages/about.md",
                b"---\ntitle: About\n---\nCaf\xe9 au lait\n",
            )
        },
        &[
            "not valid UTF-8",
            "pages/about.md:4:4",
            "re-save the file with UTF-8",
        ],
    );
}

#[test]
fn a_yaml_alias_bomb_is_refused() {
    let mut bomb = String::from("---\ntitle: Bomb\na: &a [x,x,x,x,x,x,x,x,x,x]\n");
    let mut previous = 'a';
    for name in 'b'..='k' {
        bomb.push_str(&format!(
            "{name}: &{name} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n",
            p = previous
        ));
        previous = name;
    }
    bomb.push_str("---\nBody\n");
    assert_fails(
        |site| write(site, "pages/about.md", bomb.as_bytes()),
        &["malformed YAML in front matter", "pages/about.md:"],
    );
}

#[test]
fn jekyll_rule_of_two_pages_on_one_url_the_one_written_last_wins() {
    let (fixture, _) = assert_tolerated(
        |site| {
            write(
                site,
                "pages/copy.md",
                b"---\ntitle: Copy\npermalink: /about/\n---\nCopied.\n",
            )
        },
        &[
            "warning[url-conflict]",
            "`pages/about.md` and `pages/copy.md` both write `about/index.html`",
            "`pages/copy.md` wins",
            "pages/about.md:3:1",
        ],
    );
    // Jekyll writes pages in file-name order: `copy.md` after `about.md`.
    assert!(read_output(&fixture, "about/index.html").contains("Copied."));
}

#[test]
fn jekyll_rule_a_layout_that_exists_nowhere_is_a_warning_and_the_content_is_written_alone() {
    let (fixture, _) = assert_tolerated(
        |site| {
            write(
                site,
                "pages/about.md",
                b"---\ntitle: About\nlayout: fancy\npermalink: /about/\n---\nAbout us, plainly.\n",
            )
        },
        &[
            "warning[missing-layout]",
            "unknown layout `fancy`",
            "pages/about.md:3:1",
            "layout: fancy",
            "page",
        ],
    );
    let about = read_output(&fixture, "about/index.html");
    assert!(about.contains("About us, plainly."), "{about}");
    assert!(!about.contains("<nav"), "no theme around it: {about}");
}

#[test]
fn jekyll_rule_an_order_entry_naming_no_file_is_ignored_with_a_warning() {
    let (fixture, _) = assert_tolerated(
        |site| {
            write(
                site,
                "_guides/collection.yml",
                b"collections:\n  guides:\n    output: true\n    order:\n      - first.md\n      - second.md\n",
            )
        },
        &[
            "warning[stale-order]",
            "`order` names `second.md`",
            "_guides/collection.yml:6:1",
        ],
    );
    assert!(read_output(&fixture, "guides/first/index.html").contains("Step one."));
}

#[test]
fn jekyll_rule_a_page_outside_isomer_folders_is_published_at_its_path() {
    let fixture = fixture();
    write(
        &fixture.site,
        "drafts/idea.md",
        b"---\ntitle: Idea\n---\nSoon.\n",
    );
    let output = build(&fixture);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(read_output(&fixture, "drafts/idea.html").contains("Soon."));
}

#[test]
fn a_permalink_that_escapes_the_output_folder_is_an_error() {
    assert_fails(
        |site| {
            write(
                site,
                "pages/about.md",
                b"---\ntitle: About\npermalink: /../../etc/\n---\n",
            )
        },
        &["`..` segment", "pages/about.md:3:"],
    );
}

#[test]
fn every_error_of_a_build_is_reported_together() {
    let report = assert_fails(
        |site| {
            write(site, "pages/about.md", b"---\ntitle: About\n---\nCaf\xe9\n");
            write(
                site,
                "pages/other.md",
                b"---\ntitle: Other\npermalink: /a/../../x/\n---\n",
            );
            write(
                site,
                "_guides/first.md",
                b"---\ntitle: First\npermalink: /guides/first/\n---\n{% if page.title %}Never closed\n",
            );
        },
        &["not valid UTF-8", "`..` segment", "_guides/first.md:5"],
    );
    assert!(report.contains("3 errors"), "{report}");
}

#[test]
fn a_valid_site_builds_every_page_and_copies_nothing_it_should_not() {
    let fixture = fixture();
    write(
        &fixture.site,
        "images/logo.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    write(&fixture.site, "Gemfile", b"source 'https://rubygems.org'\n");
    let output = build(&fixture);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Built agency:"), "{stdout}");
    for page in [
        "index.html",
        "about/index.html",
        "guides/first/index.html",
        "news/index.html",
        "news/updates/index.html",
        "news/updates/post-Hello.html",
        "404.html",
        "images/logo.svg",
    ] {
        assert!(fixture.out.join(page).is_file(), "{page} should be written");
    }
    assert!(
        !fixture.out.join("Gemfile").exists(),
        "build plumbing is never published"
    );
    let about = fs::read_to_string(fixture.out.join("about/index.html")).unwrap();
    assert!(about.contains("About us."), "{about}");
}

/// `--strict` (and `strict = true` in `site.toml`) turns every tolerance into
/// an error, as Isomer's own build did with `--strict_front_matter`: each
/// case below builds with a warning, and fails under strict with nothing
/// written.
#[test]
fn strict_turns_every_tolerated_problem_into_an_error_and_writes_nothing() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "pages/about.md",
            "---\ntitle: About\npermalink: [/about/\n---\nText\n",
            "front-matter-yaml",
        ),
        (
            "pages/stray.md",
            "---\ntitle: Stray\nText with no closing line\n",
            "front-matter-unclosed",
        ),
        (
            "pages/team.md",
            "---\ntitle: Team\npermalink: /about/\n---\nTeam\n",
            "url-conflict",
        ),
        (
            "archive/old.md",
            "---\ntitle: Old\npermalink: https://example.com/old/\n---\nOld\n",
            "external-permalink",
        ),
        (
            "news/notes/_posts/2024-01-02-plain.md",
            "title: No front matter\n\nText\n",
            "post-without-front-matter",
        ),
    ];
    for (path, contents, code) in cases {
        let fixture = fixture();
        write(&fixture.site, path, contents.as_bytes());
        let tolerant = build(&fixture);
        let report = String::from_utf8_lossy(&tolerant.stderr).into_owned()
            + &String::from_utf8_lossy(&tolerant.stdout);
        assert!(
            tolerant.status.success(),
            "{code}: builds without --strict:\n{report}"
        );
        assert!(
            report.contains(&format!("warning[{code}]")),
            "{code}:\n{report}"
        );

        let strict_out = fixture.out.with_file_name("strict-out");
        let strict = Command::new(env!("CARGO_BIN_EXE_gazette"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["build", "--strict"])
            .arg(&fixture.site)
            .arg("--out")
            .arg(&strict_out)
            .env("NO_COLOR", "1")
            .output()
            .expect("the gazette binary runs");
        let report = String::from_utf8_lossy(&strict.stderr);
        assert!(
            !strict.status.success(),
            "{code}: --strict fails:\n{report}"
        );
        assert!(
            report.contains(&format!("error[{code}]")),
            "{code}:\n{report}"
        );
        assert!(!strict_out.exists(), "{code}: --strict writes nothing");

        write(&fixture.site, "site.toml", b"strict = true\n");
        let from_settings = build(&fixture);
        assert!(
            !from_settings.status.success(),
            "{code}: strict = true in site.toml fails too"
        );
    }
}

/// A page with `permalink` as written on line 3.
fn page_with_permalink(permalink: &str) -> String {
    format!("---\ntitle: Odd\npermalink: {permalink}\n---\nText.\n")
}

#[test]
fn permalinks_no_file_can_hold_are_errors_at_the_permalink_line() {
    let long_segment = format!("/{}/", "a".repeat(5_000));
    let long_path = format!("/{}/", ["abcdefghi"; 800].join("/"));
    let report = assert_fails(
        |site| {
            write(
                site,
                "pages/dot.md",
                page_with_permalink("/a/%2e/b/").as_bytes(),
            );
            write(
                site,
                "pages/segment.md",
                page_with_permalink(&long_segment).as_bytes(),
            );
            write(
                site,
                "pages/path.md",
                page_with_permalink(&long_path).as_bytes(),
            );
            write(
                site,
                "pages/manifest.md",
                page_with_permalink("/.gazette-manifest/").as_bytes(),
            );
            write(
                site,
                "pages/marker.md",
                page_with_permalink("/.gazette-output/").as_bytes(),
            );
        },
        &[
            "pages/dot.md:3:",
            "encoded `.` segment",
            "pages/segment.md:3:",
            "a segment of 5000 bytes",
            "pages/path.md:3:",
            "is 8001 bytes long",
            "pages/manifest.md:3:",
            "pages/marker.md:3:",
            "Gazette keeps for its own files",
        ],
    );
    assert!(
        !report.contains(&"a".repeat(500)),
        "a long permalink is shown short:\n{report}"
    );
}

#[test]
fn pages_written_over_another_file_are_errors_at_the_permalink_line_naming_both() {
    assert_fails(
        |site| {
            write(site, "images/logo.png", b"PNG");
            write(
                site,
                "pages/static.md",
                page_with_permalink("/images/logo.png").as_bytes(),
            );
            write(
                site,
                "misc/custom.scss",
                b"---\n---\nbody { color: navy; }\n",
            );
            write(
                site,
                "pages/css.md",
                page_with_permalink("/misc/custom.css").as_bytes(),
            );
            write(
                site,
                "pages/home.md",
                page_with_permalink("/index.html").as_bytes(),
            );
        },
        &[
            "pages/static.md:3:1",
            "`pages/static.md` and `images/logo.png` both write `images/logo.png`",
            "pages/css.md:3:1",
            "`pages/css.md` and `misc/custom.scss` both write `misc/custom.css`",
            "both write `index.html`",
            "pages/home.md:3:1",
        ],
    );
}

#[test]
fn a_page_over_the_themes_stylesheet_is_refused_naming_both() {
    assert_fails(
        |site| {
            write(
                site,
                "pages/theme.md",
                page_with_permalink("/assets/isomer/theme.css").as_bytes(),
            );
        },
        &[
            "pages/theme.md:3:1",
            "`pages/theme.md` writes `assets/isomer/theme.css`, a file of the theme `isomer`",
        ],
    );
}

#[test]
fn a_footer_value_of_the_wrong_type_is_left_out_with_a_warning_in_footer_yml() {
    let (fixture, _report) = assert_tolerated(
        |site| {
            write(
                site,
                "_data/footer.yml",
                b"faq: /faq/\ncontact_us: [1, 2]\nsocial_media: 5\nlinks: oops\n",
            );
        },
        &[
            "warning[footer-type]",
            "_data/footer.yml:2:1",
            "`contact_us` is a list",
            "_data/footer.yml:3:1",
            "`social_media` is a number",
            "_data/footer.yml:4:1",
        ],
    );
    assert!(
        read_output(&fixture, "about/index.html").contains("href=\"/faq/\""),
        "the rest of the footer is shown"
    );
}
