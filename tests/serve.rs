//! `gazette serve` with a real server on free ports, a real HTTP client on
//! the event stream, and real edits on disk.

mod common;

use common::copy_tree;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    _dir: tempfile::TempDir,
    root: PathBuf,
    site: SocketAddr,
    index: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let root = fs::canonicalize(dir.path()).unwrap();
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_tree(&project.join("sites/ogp"), &root.join("sites/ogp"));
    copy_tree(&project.join("themes"), &root.join("themes"));
    fs::write(root.join("gazette.toml"), "").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .current_dir(&root)
        .args(["serve", "--port", "0"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut site, mut index) = (None, None);
    while site.is_none() || index.is_none() {
        let line = lines
            .next()
            .expect("the server reports its addresses")
            .unwrap();
        let address = || -> SocketAddr {
            line.rsplit("http://")
                .next()
                .unwrap()
                .trim_end_matches('/')
                .parse()
                .unwrap()
        };
        if line.contains("Serving ogp at") {
            site = Some(address());
        } else if line.contains("Serving the site index at") {
            index = Some(address());
        }
    }
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        _dir: dir,
        root,
        site: site.unwrap(),
        index: index.unwrap(),
    }
}

struct Response {
    status: u16,
    headers: String,
    body: String,
}

fn get(address: SocketAddr, path: &str) -> Response {
    get_from(address, &address.to_string(), path)
}

/// A request that names `host` as the server it is for.
fn get_from(address: SocketAddr, host: &str, path: &str) -> Response {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    Response {
        status,
        headers: head.to_ascii_lowercase(),
        body: body.to_owned(),
    }
}

/// A subscriber to the reload stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn subscribe(address: SocketAddr) -> Self {
        let mut stream = TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET /__gazette/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
        }
        Self { reader }
    }

    /// The next event's JSON data.
    fn next(&mut self) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut line = String::new();
        while Instant::now() < deadline {
            line.clear();
            if self.reader.read_line(&mut line).unwrap_or(0) == 0 {
                continue;
            }
            if let Some(data) = line.trim_end().strip_prefix("data: ") {
                return serde_json::from_str(data).unwrap();
            }
        }
        panic!("no event within 20 s");
    }
}

fn edit(root: &Path, path: &str, change: impl FnOnce(String) -> String) {
    let full = root.join(path);
    let text = fs::read_to_string(&full).unwrap();
    fs::write(&full, change(text)).unwrap();
}

#[test]
fn an_edit_on_disk_reloads_open_pages_with_the_new_content() {
    let server = start();
    assert!(get(server.site, "/faq/").status == 200);
    let mut events = Events::subscribe(server.site);
    edit(&server.root, "sites/ogp/pages/faq.md", |text| {
        format!("{text}\nFreshly written answer.\n")
    });
    assert_eq!(events.next()["type"], "reload");
    let page = get(server.site, "/faq/");
    assert!(page.body.contains("Freshly written answer."));
    assert!(
        page.body.contains("/__gazette/live.js"),
        "pages carry the reload script"
    );
}

#[test]
fn an_error_shows_an_overlay_and_fixing_it_clears_it() {
    let server = start();
    let mut events = Events::subscribe(server.site);
    let original = fs::read_to_string(server.root.join("sites/ogp/pages/faq.md")).unwrap();
    // Malformed YAML is only a warning, as in Jekyll; a permalink leaving
    // the output folder is an error.
    edit(&server.root, "sites/ogp/pages/faq.md", |text| {
        text.replacen("permalink: /faq/", "permalink: /../faq/", 1)
    });
    let error = events.next();
    assert_eq!(error["type"], "error");
    let first = &error["diagnostics"][0];
    assert_eq!(first["file"], "pages/faq.md");
    assert!(first["line"].as_u64().unwrap() >= 2);
    assert!(first["text"].as_str().unwrap().contains("help:"));
    // The last good version is still served while the file is broken.
    assert_eq!(get(server.site, "/faq/").status, 200);
    // A page opened now sees the error at once.
    let mut late = Events::subscribe(server.site);
    assert_eq!(late.next()["type"], "error");

    fs::write(server.root.join("sites/ogp/pages/faq.md"), original).unwrap();
    assert_eq!(events.next()["type"], "reload");
}

#[test]
fn a_stylesheet_change_swaps_css_without_a_reload() {
    let server = start();
    let mut events = Events::subscribe(server.site);
    edit(&server.root, "sites/ogp/misc/custom.scss", |text| {
        format!("{text}\n.gazette-test {{ color: red; }}\n")
    });
    let event = events.next();
    assert_eq!(event["type"], "css", "{event}");
    assert_eq!(event["paths"][0], "misc/custom.css");
    let css = get(server.site, "/misc/custom.css");
    assert!(css.headers.contains("content-type: text/css"));
    assert!(css.body.contains(".gazette-test"));
}

#[test]
fn editors_ways_of_saving_are_all_followed() {
    let server = start();
    let mut events = Events::subscribe(server.site);
    let root = &server.root;

    // Rename over the file, as editors do for an atomic save.
    let faq = root.join("sites/ogp/pages/faq.md");
    let text = fs::read_to_string(&faq).unwrap();
    fs::write(
        root.join("sites/ogp/pages/.faq.md.swp"),
        format!("{text}\nSaved atomically.\n"),
    )
    .unwrap();
    fs::rename(root.join("sites/ogp/pages/.faq.md.swp"), &faq).unwrap();
    assert_eq!(events.next()["type"], "reload");
    assert!(get(server.site, "/faq/").body.contains("Saved atomically."));

    // Deleted, then created again.
    fs::remove_file(&faq).unwrap();
    assert_eq!(events.next()["type"], "reload");
    assert_eq!(get(server.site, "/faq/").status, 404);
    fs::write(&faq, text.clone()).unwrap();
    assert_eq!(events.next()["type"], "reload");
    assert_eq!(get(server.site, "/faq/").status, 200);

    // A new folder with a new page in a new collection.
    fs::create_dir_all(root.join("sites/ogp/_labs")).unwrap();
    fs::write(
        root.join("sites/ogp/_labs/Prototype.md"),
        "---\ntitle: Prototype\npermalink: /labs/prototype/\n---\nEarly days.\n",
    )
    .unwrap();
    fs::write(
        root.join("sites/ogp/_labs/collection.yml"),
        "collections:\n  labs:\n    output: true\n    order:\n      - Prototype.md\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while get(server.site, "/labs/prototype/").status != 200 {
        assert_eq!(events.next()["type"], "reload");
        assert!(Instant::now() < deadline, "the new page never appeared");
    }
    assert!(
        get(server.site, "/labs/prototype/")
            .body
            .contains("Early days.")
    );

    // Moved to another collection, with both collection.yml files edited.
    fs::rename(
        root.join("sites/ogp/_labs/Prototype.md"),
        root.join("sites/ogp/_about/Prototype.md"),
    )
    .unwrap();
    fs::write(
        root.join("sites/ogp/_labs/collection.yml"),
        "collections:\n  labs:\n    output: true\n    order: []\n",
    )
    .unwrap();
    edit(root, "sites/ogp/_about/collection.yml", |text| {
        format!("{}\n      - Prototype.md\n", text.trim_end())
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let event = events.next();
        let page = get(server.site, "/labs/prototype/");
        let settled = page.status == 200
            && page.body.contains("side-nav")
            && !page.body.contains(">Labs</a>");
        if event["type"] == "reload" && settled {
            break;
        }
        assert!(Instant::now() < deadline, "the moved page never settled");
    }
}

#[test]
fn requests_cannot_leave_the_site_and_missing_pages_get_its_404() {
    let server = start();
    for path in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/images/..%5c..%5c..%5cetc%5cpasswd",
        "/C:/Windows/win.ini",
        "//etc/passwd",
        "/sites/ogp/_config.yml",
    ] {
        let response = get(server.site, path);
        assert!(
            matches!(response.status, 400 | 404),
            "{path}: {}",
            response.status
        );
        assert!(!response.body.contains("root:"), "{path} leaked a file");
        assert!(
            !response.body.contains("resources_name"),
            "{path} leaked the site's source"
        );
    }
    let missing = get(server.site, "/no-such-page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html"), "the site's own 404 page");
    let image = get(server.site, "/images/");
    assert_eq!(image.status, 404, "no folder listings");
    let index = get(server.index, "/");
    assert!(index.body.contains("ogp"));
}

fn location(response: &Response) -> &str {
    response
        .headers
        .lines()
        .find_map(|line| line.strip_prefix("location: "))
        .expect("a Location header")
}

#[test]
fn folder_redirects_stay_on_the_preview() {
    let server = start();
    let plain = get(server.site, "/faq");
    assert_eq!(plain.status, 301);
    assert_eq!(location(&plain), "/faq/");
    for path in ["//faq", "///faq", "/%2ffaq", "//./faq"] {
        let response = get(server.site, path);
        assert_eq!(response.status, 301, "{path}");
        assert_eq!(location(&response), "/faq/", "{path} must not name a host");
    }
    let query = get(server.site, "//faq?lang=en&x=%2F%2Fevil");
    assert_eq!(location(&query), "/faq/?lang=en&x=%2f%2fevil");
}

#[test]
fn requests_for_other_hosts_are_refused() {
    let server = start();
    let port = server.site.port();
    for host in [
        "evil.example",
        &format!("evil.example:{port}"),
        "localhost.evil.example",
    ] {
        let response = get_from(server.site, host, "/faq/");
        assert_eq!(response.status, 421, "{host}");
        assert!(!response.body.contains("<html"), "{host} saw the site");
        assert!(response.body.contains("--allow-host"), "{}", response.body);
    }
    for address in [server.site, server.index] {
        let refused = get_from(address, "evil.example", "/__gazette/events");
        assert_eq!(refused.status, 421);
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "localhost".into(),
    ] {
        assert_eq!(get_from(server.site, &host, "/faq/").status, 200, "{host}");
    }
    assert!(
        get_from(server.index, "localhost", "/")
            .body
            .contains("ogp")
    );
}
