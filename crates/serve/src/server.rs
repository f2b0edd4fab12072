//! The HTTP side: one listener per site on 127.0.0.1, an index of sites,
//! outputs served from memory, and the event stream pages listen to.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream};
use gazette_content::{Diagnostic, LoadOptions};
use gazette_publish::SiteEntry;
use tokio::sync::broadcast;

use crate::connections::{ConnectionLimits, serve_connections};
use crate::hosts::AllowedHosts;
use crate::live_reload::{EVENTS_PATH, SCRIPT, SCRIPT_PATH, inject};
use crate::ports::PortBook;
use crate::preview::{Change, SitePreview};
use crate::request_path::output_key;
use crate::watch::watch;

/// What to serve, and where.
pub struct ServeOptions {
    /// The sites to serve.
    pub sites: Vec<(SiteEntry, String)>,
    /// The workspace's themes folder, over the themes built into the program;
    /// `None` for those alone (outside a workspace).
    pub themes_dir: Option<PathBuf>,
    /// Folders to watch (sites and themes).
    pub watch: Vec<PathBuf>,
    /// The address to listen on (127.0.0.1 unless asked otherwise).
    pub bind: IpAddr,
    /// The index's port; each site takes the port its offset in the
    /// [`PortBook`] gives after it. 0 picks free ports.
    pub port: u16,
    /// Host names answered besides `localhost`, `127.0.0.1` and `[::1]`
    /// (and the `bind` address when it is not loopback): requests naming
    /// any other host get 421, so no web page can read the preview through
    /// a name of its own pointed at this machine (DNS rebinding).
    pub allowed_hosts: Vec<String>,
    /// Timeouts and the cap on open connections.
    pub limits: ConnectionLimits,
    /// How sites load: drafts, future posts and unpublished pages for a
    /// preview of what is not published yet, and the address to render for.
    pub load: LoadOptions,
    /// Where each site's port is kept (see [`PortBook`]), so a site keeps its
    /// port when others are added; `None` numbers the sites in order.
    pub port_book: Option<PathBuf>,
}

/// What the server reports to whoever runs it.
#[derive(Debug, Clone)]
pub enum ServeEvent {
    /// Listening: the index's address and each site's.
    Ready {
        /// The index of sites.
        index: SocketAddr,
        /// Each site's name and address.
        sites: Vec<(String, SocketAddr)>,
    },
    /// A site was rendered again.
    Rebuilt {
        /// The site.
        site: String,
        /// What changed.
        change: Change,
        /// How long it took from the file event.
        elapsed: Duration,
        /// Whether only edited pages were rendered (their bodies alone
        /// changed), rather than the whole site read again.
        pages_only: bool,
    },
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address is taken or not allowed.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the server: {0}")]
    Runtime(std::io::Error),
    /// The file watcher could not start.
    #[error("cannot watch files: {0}")]
    Watch(String),
}

/// A site as the server shares it between requests and the watcher.
pub(crate) struct SharedSite {
    pub preview: RwLock<SitePreview>,
    pub events: broadcast::Sender<String>,
}

impl SharedSite {
    /// The site's name.
    /// Whether the last rebuild rendered only edited pages.
    pub(crate) fn rendered_pages_only(&self) -> bool {
        self.preview
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .rendered_pages_only()
    }

    pub(crate) fn name(&self) -> String {
        self.preview
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry
            .name
            .clone()
    }

    /// Rebuilds after a change and tells open pages.
    pub(crate) fn rebuild(
        &self,
        themes_dir: Option<&std::path::Path>,
        changed: &[std::path::PathBuf],
    ) -> Change {
        let mut preview = self
            .preview
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let errors_before = preview.errors().to_vec();
        let change = preview.rebuild(themes_dir, changed);
        drop(preview);
        // Editors write in several steps; the same error twice is one error.
        let repeated = matches!(&change, Change::Failed(errors) if *errors == errors_before);
        if !repeated && let Some(message) = event_message(&change) {
            // No open page is not an error.
            let _ = self.events.send(message);
        }
        change
    }
}

fn event_message(change: &Change) -> Option<String> {
    let value = match change {
        Change::Reload => serde_json::json!({ "type": "reload" }),
        Change::Stylesheets(paths) => serde_json::json!({ "type": "css", "paths": paths }),
        Change::Failed(diagnostics) => error_message(diagnostics),
        Change::Unchanged => return None,
    };
    Some(value.to_string())
}

fn error_message(diagnostics: &[Diagnostic]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            serde_json::json!({
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "message": d.message,
                "hint": d.hint,
                "text": d.render(std::path::Path::new(""), false),
            })
        })
        .collect();
    serde_json::json!({ "type": "error", "diagnostics": items })
}

/// Renders every site, starts listening, and serves until the process ends.
/// `report` hears about readiness and every rebuild.
pub fn serve(
    mut options: ServeOptions,
    report: Arc<dyn Fn(ServeEvent) + Send + Sync>,
) -> Result<(), ServeError> {
    let mut previews = Vec::new();
    for (entry, theme) in std::mem::take(&mut options.sites) {
        let started = Instant::now();
        let mut preview = SitePreview::new(entry, theme).with_load(options.load.clone());
        let change = preview.rebuild(options.themes_dir.as_deref(), &[]);
        let name = preview.entry.name.clone();
        report(ServeEvent::Rebuilt {
            site: name,
            change,
            elapsed: started.elapsed(),
            pages_only: false,
        });
        previews.push(preview);
    }
    serve_previews(previews, options, report)
}

/// Serves sites already rendered (`options.sites` is not read).
fn serve_previews(
    previews: Vec<SitePreview>,
    options: ServeOptions,
    report: Arc<dyn Fn(ServeEvent) + Send + Sync>,
) -> Result<(), ServeError> {
    let shared: Vec<Arc<SharedSite>> = previews
        .into_iter()
        .map(|preview| {
            let (events, _) = broadcast::channel(64);
            Arc::new(SharedSite {
                preview: RwLock::new(preview),
                events,
            })
        })
        .collect();
    let hosts = Arc::new(AllowedHosts::new(options.bind, &options.allowed_hosts));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async move {
        let port_for = |offset: u16| {
            if options.port == 0 {
                0
            } else {
                options.port.saturating_add(offset)
            }
        };
        let names: Vec<String> = shared.iter().map(|site| site.name()).collect();
        // Free ports (`--port 0`) are not worth recording.
        let mut book = PortBook::open(options.port_book.clone().filter(|_| options.port != 0));
        let offsets = book.assign(&names);
        // A book that cannot be written costs only stable ports next time.
        let _ = book.save();
        let mut site_addresses = Vec::new();
        let mut servers = Vec::new();
        for (site, offset) in shared.iter().zip(offsets) {
            let address = SocketAddr::new(options.bind, port_for(offset));
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .map_err(|source| ServeError::Bind { address, source })?;
            let local = listener.local_addr().map_err(ServeError::Runtime)?;
            site_addresses.push((site.name(), local));
            servers.push((listener, site_router(site.clone())));
        }
        let index_address = SocketAddr::new(options.bind, port_for(0));
        let index_listener =
            tokio::net::TcpListener::bind(index_address)
                .await
                .map_err(|source| ServeError::Bind {
                    address: index_address,
                    source,
                })?;
        let index_local = index_listener.local_addr().map_err(ServeError::Runtime)?;
        let index = index_router(site_addresses.clone());

        let _watcher = watch(
            &options.watch,
            rebuild_touched(shared.clone(), options.themes_dir.clone(), report.clone()),
        )
        .map_err(|e| ServeError::Watch(e.to_string()))?;
        report(ServeEvent::Ready {
            index: index_local,
            sites: site_addresses,
        });
        for (listener, router) in servers {
            tokio::spawn(serve_connections(
                listener,
                router,
                hosts.clone(),
                options.limits.clone(),
            ));
        }
        serve_connections(index_listener, index, hosts, options.limits.clone()).await;
        Ok(())
    })
}

/// What the watcher calls with each burst of changed paths: every site the
/// paths touch (a theme change touches them all) is rendered again with the
/// paths that belong to it, and the outcome reported.
fn rebuild_touched(
    sites: Vec<Arc<SharedSite>>,
    themes_dir: Option<PathBuf>,
    report: Arc<dyn Fn(ServeEvent) + Send + Sync>,
) -> impl Fn(Vec<PathBuf>, Instant) + Send + 'static {
    let site_roots: Vec<PathBuf> = sites
        .iter()
        .map(|site| {
            let preview = site
                .preview
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            preview.entry.path.clone()
        })
        .collect();
    move |paths, started| {
        let in_themes = |path: &PathBuf| {
            themes_dir
                .as_ref()
                .is_some_and(|themes| path.starts_with(themes))
        };
        let theme_changed = paths.iter().any(in_themes);
        for (site, root) in sites.iter().zip(&site_roots) {
            let touched = theme_changed || paths.iter().any(|path| path.starts_with(root));
            if !touched {
                continue;
            }
            // Another site's files are no change to this one.
            let relevant: Vec<PathBuf> = paths
                .iter()
                .filter(|path| path.starts_with(root) || in_themes(path))
                .cloned()
                .collect();
            let change = site.rebuild(themes_dir.as_deref(), &relevant);
            report(ServeEvent::Rebuilt {
                site: site.name(),
                change,
                elapsed: started.elapsed(),
                pages_only: site.rendered_pages_only(),
            });
        }
    }
}

fn index_router(sites: Vec<(String, SocketAddr)>) -> Router {
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Gazette preview</title></head><body><main><h1>Sites in this workspace</h1><ul>",
    );
    for (name, address) in &sites {
        html.push_str(&format!(
            "<li><a href=\"http://{address}/\">{name}</a> <small>http://{address}/</small></li>"
        ));
    }
    html.push_str("</ul></main></body></html>");
    Router::new().fallback(get(move || {
        let html = html.clone();
        async move { Html(html) }
    }))
}

fn site_router(site: Arc<SharedSite>) -> Router {
    Router::new()
        .route(SCRIPT_PATH, get(script))
        .route(EVENTS_PATH, get(events))
        .fallback(get(output))
        .with_state(site)
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

async fn events(
    State(site): State<Arc<SharedSite>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = site.events.subscribe();
    // A page that opens while the site is broken shows the error at once.
    let errors = {
        let preview = site
            .preview
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (!preview.errors().is_empty()).then(|| error_message(preview.errors()).to_string())
    };
    let stream = stream::unfold((errors, receiver), |(pending, mut receiver)| async move {
        if let Some(message) = pending {
            return Some((Ok(Event::default().data(message)), (None, receiver)));
        }
        let message = match receiver.recv().await {
            Ok(message) => message,
            // Too far behind to replay every change: a reload catches up.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                serde_json::json!({ "type": "reload" }).to_string()
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(Event::default().data(message)), (None, receiver)))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

async fn output(State(site): State<Arc<SharedSite>>, uri: Uri) -> Response {
    let Ok(key) = output_key(uri.path()) else {
        return (
            StatusCode::BAD_REQUEST,
            "This path cannot name a file of the site.\n",
        )
            .into_response();
    };
    let preview = site
        .preview
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // An old address answers with the redirect its page stands for, as
    // hosts that read `_redirects` answer; the page itself is for hosts
    // that serve files only. `/old` finds `old.html` as static hosts do.
    let redirect = [
        key.clone(),
        format!("{key}.html"),
        format!("{key}/index.html"),
    ]
    .iter()
    .find_map(|candidate| preview.redirect(candidate));
    if let Some(to) = redirect {
        return (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, safe_location(to))],
        )
            .into_response();
    }
    if let Some(bytes) = preview.output(&key) {
        return file_response(StatusCode::OK, &key, &bytes);
    }
    // `/about` for `about/index.html`: send the reader to the canonical URL,
    // built from the key so it starts with one `/` (`//faq/` would name a
    // host) and holds nothing the key does not.
    let folder_index = format!("{key}/index.html");
    if !uri.path().ends_with('/') && preview.output(&folder_index).is_some() {
        let location = folder_location(&key, uri.query());
        return (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, location)],
        )
            .into_response();
    }
    match preview.output("404.html") {
        Some(bytes) => file_response(StatusCode::NOT_FOUND, "404.html", &bytes),
        None => (StatusCode::NOT_FOUND, "Not found\n").into_response(),
    }
}

/// The URL of the folder `key` names: `/` + the key, escaped, + `/`, and
/// the query if there was one. The key has no empty segment, so the URL
/// cannot start with `//`.
fn folder_location(key: &str, query: Option<&str>) -> String {
    let mut location = String::from("/");
    for byte in key.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&byte) {
            location.push(char::from(byte));
        } else {
            location.push_str(&format!("%{byte:02X}"));
        }
    }
    location.push('/');
    if let Some(query) = query {
        location.push('?');
        location.push_str(query);
    }
    location
}

/// A redirect's target as a `Location` value: through the scheme
/// allowlist, with anything a header cannot hold percent-encoded.
fn safe_location(to: &str) -> String {
    let safe = gazette_content::safe_url(to);
    percent_encoding::utf8_percent_encode(&safe, percent_encoding::CONTROLS).to_string()
}

fn file_response(status: StatusCode, key: &str, bytes: &[u8]) -> Response {
    let mime = mime_guess::from_path(key).first_or_octet_stream();
    let is_html = mime.essence_str() == "text/html";
    let content_type = if mime.type_() == "text" || mime.essence_str() == "application/javascript" {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_owned()
    };
    let body = if is_html {
        inject(bytes)
    } else {
        bytes.to_vec()
    };
    (
        status,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::tests::fetch as get;
    use gazette_publish::SiteSettings;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpStream;

    /// The next event on the stream, as JSON, within 30 s.
    fn next_event(reader: &mut BufReader<TcpStream>) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut line = String::new();
        loop {
            assert!(Instant::now() < deadline, "no event within 30 s");
            line.clear();
            assert!(reader.read_line(&mut line).unwrap() > 0, "the stream ended");
            if let Some(data) = line.trim_end().strip_prefix("data: ") {
                return serde_json::from_str(data).unwrap();
            }
        }
    }

    /// The redirect an old address answers with: status and `Location`.
    fn redirect_of(address: std::net::SocketAddr, path: &str) -> (u16, Option<String>) {
        let (status, text) = get(address, path);
        let location = text
            .lines()
            .take_while(|line| !line.is_empty())
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("location")
                    .then(|| value.trim().to_owned())
            });
        (status, location)
    }

    #[test]
    fn serve_answers_old_addresses_of_redirect_from_and_redirects_rules_with_a_redirect() {
        let (_dir, site, themes) = crate::preview::tests::sample();
        let faq = site.join("pages/faq.md");
        let text = std::fs::read_to_string(&faq).unwrap();
        let text = text.replacen(
            "---\n",
            "---\nredirect_from:\n  - /old-faq/\n  - /help\n",
            1,
        );
        std::fs::write(&faq, text).unwrap();
        let entry = SiteEntry {
            name: "ogp".into(),
            path: site.clone(),
            settings: SiteSettings::default(),
        };
        let mut preview = SitePreview::new(entry, "isomer".into());
        assert_eq!(preview.rebuild(Some(&themes), &[]), Change::Reload);
        let options = ServeOptions {
            sites: Vec::new(),
            themes_dir: Some(themes.clone()),
            watch: Vec::new(),
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 0,
            allowed_hosts: Vec::new(),
            limits: ConnectionLimits::default(),
            load: Default::default(),
            port_book: None,
        };
        let (ready, addresses) = std::sync::mpsc::channel();
        let report = Arc::new(move |event: ServeEvent| {
            if let ServeEvent::Ready { sites, .. } = event {
                let _ = ready.send(sites[0].1);
            }
        });
        std::thread::spawn(move || serve_previews(vec![preview], options, report));
        let address = addresses.recv_timeout(Duration::from_secs(60)).unwrap();

        assert_eq!(
            redirect_of(address, "/old-faq/"),
            (301, Some("/faq/".to_owned()))
        );
        assert_eq!(
            redirect_of(address, "/help"),
            (301, Some("/faq/".to_owned()))
        );
        // A rule of the site's `_redirects`.
        assert_eq!(
            redirect_of(address, "/careers/"),
            (301, Some("/join-us/".to_owned()))
        );
        assert_eq!(get(address, "/faq/").0, 200, "the page itself is served");
    }

    #[test]
    fn a_rebuild_that_panics_leaves_the_server_answering_and_watching() {
        let (_dir, site, themes) = crate::preview::tests::sample();
        let entry = SiteEntry {
            name: "ogp".into(),
            path: site.clone(),
            settings: SiteSettings::default(),
        };
        let mut preview = SitePreview::new(entry, "isomer".into());
        assert_eq!(preview.rebuild(Some(themes.as_path()), &[]), Change::Reload);
        preview.fault = Some(|changed| {
            if changed.iter().any(|path| path.ends_with("crash.md")) {
                panic!("injected renderer bug");
            }
        });
        let options = ServeOptions {
            sites: Vec::new(),
            themes_dir: Some(themes.clone()),
            watch: vec![site.clone(), themes],
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 0,
            allowed_hosts: Vec::new(),
            limits: ConnectionLimits::default(),
            load: Default::default(),
            port_book: None,
        };
        let (ready, addresses) = std::sync::mpsc::channel();
        let report = Arc::new(move |event: ServeEvent| {
            if let ServeEvent::Ready { sites, .. } = event {
                let _ = ready.send(sites[0].1);
            }
        });
        std::thread::spawn(move || serve_previews(vec![preview], options, report));
        let address = addresses.recv_timeout(Duration::from_secs(60)).unwrap();

        let mut stream = TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET {EVENTS_PATH} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut events = BufReader::new(stream);

        std::fs::write(
            site.join("pages/crash.md"),
            "---\ntitle: Crash\npermalink: /crash/\n---\nBoom.\n",
        )
        .unwrap();
        let error = next_event(&mut events);
        assert_eq!(error["type"], "error", "{error}");
        assert!(
            error.to_string().contains("injected renderer bug"),
            "{error}"
        );
        assert_eq!(
            get(address, "/faq/").0,
            200,
            "the last good version is served"
        );

        // The watcher survived: a later good edit renders.
        let faq = site.join("pages/faq.md");
        let text = std::fs::read_to_string(&faq).unwrap();
        std::fs::write(&faq, format!("{text}\nWritten after the crash.\n")).unwrap();
        loop {
            let event = next_event(&mut events);
            if event["type"] == "reload" {
                break;
            }
            assert_eq!(event["type"], "error", "{event}");
        }
        let (status, page) = get(address, "/faq/");
        assert_eq!(status, 200);
        assert!(page.contains("Written after the crash."));
        assert_eq!(get(address, "/crash/").0, 200);
    }
}
