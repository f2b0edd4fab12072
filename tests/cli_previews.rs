//! The `gazette` program's preview and address flags as people meet them:
//! `--drafts`, `--future` and `--unpublished` (Jekyll's flags, refused by
//! `publish`), `--base-url`, the progress count on a terminal, and
//! `serve --open` with ports that stay put when sites are added.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::workspace::Workspace;
use common::{minimal_site, news_room, write};

fn gazette(current: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(current)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("gazette runs")
}

/// The checkout, a workspace whose themes the builds of sites elsewhere use.
fn checkout() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every output file's text, by path, for finding what a build wrote.
fn written(out: &Path) -> Vec<(String, String)> {
    common::tree(out)
        .into_iter()
        .map(|(path, bytes)| (path, text(&bytes)))
        .collect()
}

fn mentions(out: &Path, words: &str) -> bool {
    written(out).iter().any(|(_, text)| text.contains(words))
}

/// A site with a resource room holding a published post, a draft, a post
/// dated far ahead, and a page with `published: false`.
fn site_with_unpublished_things(root: &Path) {
    minimal_site(root, "Agency");
    write(root, "_config.yml", "title: Agency\nresources_name: news\n");
    news_room(root);
    write(
        root,
        "news/updates/_posts/2024-01-02-post-Opened.md",
        "---\ntitle: Opened\n---\nThe office opened.\n",
    );
    write(
        root,
        "news/updates/_drafts/post-Clinic.md",
        "---\ntitle: Clinic\n---\nA draft about the clinic.\n",
    );
    write(
        root,
        "news/updates/_posts/2999-01-01-post-Later.md",
        "---\ntitle: Later\n---\nNews from the far future.\n",
    );
    write(
        root,
        "pages/hidden.md",
        "---\ntitle: Hidden\npermalink: /hidden/\npublished: false\n---\nNot yet public.\n",
    );
}

const DRAFT: &str = "A draft about the clinic.";
const FUTURE: &str = "News from the far future.";
const UNPUBLISHED: &str = "Not yet public.";

/// Builds the site with `flag` (or none) and says which of the three
/// unpublished texts the output holds.
fn shown_with(flag: Option<&str>) -> [bool; 3] {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("agency");
    site_with_unpublished_things(&site);
    let out = dir.path().join("out");
    let mut args = vec![
        "build",
        site.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(flag);
    let output = gazette(checkout(), &args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        mentions(&out, "The office opened."),
        "the published post is always there"
    );
    [DRAFT, FUTURE, UNPUBLISHED].map(|words| mentions(&out, words))
}

#[test]
fn jekyll_rule_drafts_renders_the_posts_of_drafts_folders_and_nothing_else() {
    assert_eq!(shown_with(None), [false, false, false]);
    assert_eq!(shown_with(Some("--drafts")), [true, false, false]);
}

#[test]
fn jekyll_rule_future_renders_posts_dated_after_today_and_nothing_else() {
    assert_eq!(shown_with(Some("--future")), [false, true, false]);
}

#[test]
fn jekyll_rule_unpublished_renders_published_false_pages_and_nothing_else() {
    assert_eq!(shown_with(Some("--unpublished")), [false, false, true]);
}

#[test]
fn publish_refuses_the_preview_flags_and_build_keeps_previews_out_of_public() {
    let workspace = Workspace::new();
    let refused = workspace.gazette(&["publish", "--drafts"]);
    assert_eq!(refused.status.code(), Some(2));
    insta::assert_snapshot!("publish_drafts", text(&refused.stderr));
    assert!(workspace.published_ref().is_none(), "nothing was published");
    let refused = workspace.gazette(&["publish", "--future", "--unpublished"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("does not take --future"));

    let into_public = workspace.gazette(&["build", "ogp", "--drafts"]);
    assert_eq!(into_public.status.code(), Some(2));
    insta::assert_snapshot!(
        "build_drafts_without_out",
        text(&into_public.stderr).replace(&workspace.root().display().to_string(), "[WORKSPACE]")
    );
    assert!(!workspace.root().join("public").exists());

    // The flags are no part of publish's help: they are not offered there.
    let help = text(&workspace.gazette(&["publish", "--help"]).stdout);
    assert!(!help.contains("--drafts"), "{help}");
    let help = text(&workspace.gazette(&["serve", "--help"]).stdout);
    assert!(
        help.contains("--drafts") && help.contains("--unpublished"),
        "{help}"
    );
}

// --- --base-url -------------------------------------------------------------------

#[test]
fn base_url_replaces_url_in_canonical_links_og_url_the_sitemap_and_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("agency");
    site_with_unpublished_things(&site);
    write(
        &site,
        "_config.yml",
        "title: Agency\nresources_name: news\nurl: https://www.agency.gov.sg\n",
    );
    let out = dir.path().join("out");
    let output = gazette(
        checkout(),
        &[
            "build",
            site.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--base-url",
            "https://Preview.Example.org:8443/",
        ],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains(r#"<link rel="canonical" href="https://preview.example.org:8443/">"#),
        "{home}"
    );
    assert!(
        home.contains(r#"<meta property="og:url" content="https://preview.example.org:8443/">"#)
    );
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://preview.example.org:8443/</loc>"),
        "{sitemap}"
    );
    let feed = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    assert!(feed.contains("https://preview.example.org:8443/"), "{feed}");
    for (path, text) in written(&out) {
        assert!(
            !text.contains("www.agency.gov.sg"),
            "{path} keeps the old address"
        );
    }
}

#[test]
fn base_url_must_be_an_absolute_http_or_https_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut said = String::new();
    for bad in [
        "preview.example.org",
        "ftp://preview.example.org",
        "https://preview.example.org/agency/",
        "https://user:secret@preview.example.org",
    ] {
        let output = gazette(dir.path(), &["build", ".", "--base-url", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        said.push_str(&text(&output.stderr));
    }
    insta::assert_snapshot!("bad_base_urls", said);
}

#[test]
fn publish_with_another_base_url_renders_again_instead_of_reusing_pages() {
    let workspace = Workspace::new();
    let about = |root: &Path| {
        let published = root.join("public/ogp");
        written(&published)
            .into_iter()
            .find(|(path, text)| path.ends_with(".html") && text.contains("rel=\"canonical\""))
            .map(|(_, text)| text)
            .expect("a page with a canonical link")
    };
    let first = workspace.gazette(&[
        "publish",
        "--no-check",
        "--base-url",
        "http://localhost:8080",
    ]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(about(workspace.root()).contains("http://localhost:8080/"));

    // The same commit again, at the site's own address: not "no change".
    let second = workspace.gazette(&["publish", "--no-check"]);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert!(
        !text(&second.stdout).contains("no change"),
        "{}",
        text(&second.stdout)
    );
    let page = about(workspace.root());
    assert!(page.contains("https://ogp.example.gov.sg/"), "{page}");
    assert!(!page.contains("localhost:8080"));

    // And again at that address: now there is nothing to do.
    let third = workspace.gazette(&["publish", "--no-check"]);
    assert!(
        text(&third.stdout).contains("no change"),
        "{}",
        text(&third.stdout)
    );
}

// --- progress -----------------------------------------------------------------------

/// Runs `gazette ARGS` under a pseudo-terminal (util-linux `script`), so
/// standard error is a terminal; returns all it printed.
fn on_a_terminal(current: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let command = std::iter::once(env!("CARGO_BIN_EXE_gazette"))
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let mut script = Command::new("script");
    script
        .current_dir(current)
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .stdin(Stdio::null());
    for (name, value) in env {
        script.env(name, value);
    }
    let output = script.output().expect("util-linux `script` runs");
    assert!(output.status.success(), "{}", text(&output.stdout));
    text(&output.stdout)
}

#[test]
fn progress_is_drawn_on_a_terminal_only_never_in_ci_quiet_json_or_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    minimal_site(&one, "One");
    minimal_site(&two, "Two");
    let out = dir.path().join("out");
    let args = [
        "build",
        one.to_str().unwrap(),
        two.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];

    let terminal = on_a_terminal(checkout(), &args, &[]);
    assert!(terminal.contains("/2 sites"), "{terminal:?}");
    for (extra, env) in [
        (None, [("CI", "true")]),
        (Some("-q"), [("CI", "false")]),
        (Some("--format=json"), [("CI", "false")]),
    ] {
        let mut args = args.to_vec();
        args.extend(extra);
        let said = on_a_terminal(checkout(), &args, &env);
        assert!(!said.contains("/2 sites"), "{extra:?} {env:?}: {said:?}");
    }

    let piped = gazette(checkout(), &args);
    assert!(piped.status.success());
    for stream in [&piped.stdout, &piped.stderr] {
        assert!(!stream.contains(&0x1b), "an escape code: {}", text(stream));
        assert!(
            !stream.contains(&b'\r'),
            "a carriage return: {}",
            text(stream)
        );
    }
    assert!(!text(&piped.stderr).contains("/2 sites"));
}

// --- serve: --open and stable ports --------------------------------------------------

/// A running `gazette serve` and what it said when ready.
struct Preview {
    child: Child,
    /// `(name, port)` of each `Serving …` line in order (the index first,
    /// as `""`).
    ports: Vec<(String, u16)>,
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `gazette serve ARGS` and waits for the addresses of `sites` sites
/// and the index.
fn serve(root: &Path, args: &[&str], sites: usize, browser: &Path) -> Preview {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(root)
        .arg("serve")
        .args(args)
        .env("NO_COLOR", "1")
        .env("BROWSER", browser)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut ports = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let Some((before, address)) = line.split_once(" at http://") else {
            continue;
        };
        let port = address.trim_end_matches('/').rsplit(':').next().unwrap();
        let name = before.trim().strip_prefix("Serving ").unwrap();
        let name = if name == "the site index" { "" } else { name };
        ports.push((name.to_owned(), port.parse().unwrap()));
        if ports.len() == sites + 1 {
            break;
        }
    }
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Preview { child, ports }
}

/// A port with the nine after it free, as far as can be told now. Looked
/// for below 32768, where Linux gives out no port of its own: the sockets
/// of the tests running beside this one (servers on port 0, browsers'
/// connections) take theirs above it, and a range probed up there was
/// sometimes taken by them.
fn free_port_range() -> u16 {
    const LOW: u16 = 20_000;
    const BASES: u16 = 1_200;
    let first = (std::process::id() % u32::from(BASES)) as u16;
    for attempt in 0..BASES {
        let base = LOW + (first + attempt) % BASES * 10;
        if (0..10).all(|offset| std::net::TcpListener::bind(("127.0.0.1", base + offset)).is_ok()) {
            return base;
        }
    }
    panic!("no free range of ports");
}

/// Waits for the fake browser to have been called; what it was given.
fn opened(record: &Path) -> String {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if let Ok(url) = std::fs::read_to_string(record)
            && !url.is_empty()
        {
            return url.trim().to_owned();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the browser was never opened");
}

fn fake_browser(dir: &Path) -> (PathBuf, PathBuf) {
    let record = dir.join("opened.txt");
    let browser = dir.join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$1\" > {}\n", record.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    (browser, record)
}

#[test]
fn serve_open_opens_the_index_and_sites_keep_their_ports_when_one_is_added() {
    let workspace = Workspace::new();
    minimal_site(&workspace.root().join("sites/zeta"), "Zeta");
    let browsers = tempfile::tempdir().unwrap();
    let (browser, record) = fake_browser(browsers.path());
    let port = free_port_range();
    let port_text = port.to_string();

    let first = serve(
        workspace.root(),
        &["--port", &port_text, "--open"],
        2,
        &browser,
    );
    let index = format!("http://127.0.0.1:{port}/");
    assert_eq!(opened(&record), index, "two sites: the index opens");
    let before = first.ports.clone();
    drop(first);
    assert_eq!(
        before,
        [
            (String::new(), port),
            ("ogp".to_owned(), port + 1),
            ("zeta".to_owned(), port + 2),
        ]
    );

    // `alpha` sorts first, yet the others keep their ports.
    minimal_site(&workspace.root().join("sites/alpha"), "Alpha");
    std::fs::remove_file(&record).unwrap();
    let second = serve(workspace.root(), &["--port", &port_text], 3, &browser);
    assert_eq!(
        second.ports,
        [
            (String::new(), port),
            ("alpha".to_owned(), port + 3),
            ("ogp".to_owned(), port + 1),
            ("zeta".to_owned(), port + 2),
        ]
    );
    drop(second);
    assert!(!record.exists(), "no --open, no browser");

    // One site alone: its own port, and --open opens the site itself.
    let alone = serve(
        workspace.root(),
        &["zeta", "--port", &port_text, "--open"],
        1,
        &browser,
    );
    assert_eq!(alone.ports[1], ("zeta".to_owned(), port + 2));
    assert_eq!(opened(&record), format!("http://127.0.0.1:{}/", port + 2));
}
