//! The preview server against slow, idle and greedy clients: real sockets on
//! 127.0.0.1, the server started from the library with short limits.

mod common;

use common::copy_tree;

use std::fs;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use gazette_publish::{SiteEntry, SiteSettings};
use gazette_serve::{ConnectionLimits, ServeEvent, ServeOptions};

struct Server {
    site: SocketAddr,
    _dir: tempfile::TempDir,
}

/// The sample site `ogp` served with `limits`, on free ports. The server's
/// thread runs until the test process ends.
fn start(limits: ConnectionLimits) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let root = fs::canonicalize(dir.path()).unwrap();
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_tree(&project.join("sites/ogp"), &root.join("sites/ogp"));
    copy_tree(&project.join("themes"), &root.join("themes"));
    let entry = SiteEntry {
        name: "ogp".into(),
        path: root.join("sites/ogp"),
        settings: SiteSettings::default(),
    };
    let options = ServeOptions {
        sites: vec![(entry, "isomer".into())],
        themes_dir: Some(root.join("themes")),
        watch: vec![root.join("sites/ogp")],
        bind: "127.0.0.1".parse().unwrap(),
        port: 0,
        allowed_hosts: Vec::new(),
        limits,
        load: Default::default(),
        port_book: None,
    };
    let (ready, addresses) = mpsc::channel();
    let report = Arc::new(move |event: ServeEvent| {
        if let ServeEvent::Ready { sites, .. } = event {
            let _ = ready.send(sites[0].1);
        }
    });
    std::thread::spawn(move || gazette_serve::serve(options, report));
    let site = addresses
        .recv_timeout(Duration::from_secs(120))
        .expect("the server starts");
    Server { site, _dir: dir }
}

fn limits(header_timeout: Duration, max_connections: usize) -> ConnectionLimits {
    ConnectionLimits {
        header_timeout,
        max_connections,
    }
}

/// Whether the server closed the connection, waiting up to `within`.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    let mut buffer = [0; 4096];
    while Instant::now() < deadline {
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            // Whatever the server says (a 408, say) before it closes.
            Ok(_) => {}
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return true,
        }
    }
    false
}

fn status_of(stream: &mut TcpStream) -> u16 {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    line.split_whitespace()
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {line:?}"))
}

#[test]
fn a_client_that_stops_halfway_through_its_request_is_closed() {
    let server = start(limits(Duration::from_secs(1), 256));
    let mut slow = TcpStream::connect(server.site).unwrap();
    slow.write_all(b"GET /faq/ HTT").unwrap();
    assert!(
        closed_within(&mut slow, Duration::from_secs(15)),
        "a half-sent request line keeps its connection"
    );
    // A client that connects and says nothing is closed too.
    let mut silent = TcpStream::connect(server.site).unwrap();
    assert!(closed_within(&mut silent, Duration::from_secs(15)));
}

#[test]
fn a_kept_alive_connection_that_goes_quiet_is_closed_but_events_stay_open() {
    let server = start(limits(Duration::from_secs(1), 256));
    let mut events = TcpStream::connect(server.site).unwrap();
    write!(
        events,
        "GET /__gazette/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    assert_eq!(status_of(&mut events), 200);

    let mut kept = TcpStream::connect(server.site).unwrap();
    write!(kept, "GET /faq/ HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    assert_eq!(status_of(&mut kept), 200);
    assert!(
        closed_within(&mut kept, Duration::from_secs(15)),
        "an idle kept-alive connection stays open"
    );
    // The event stream is a response still being sent, not an idle
    // connection: well past the timeout, it is open.
    assert!(!closed_within(&mut events, Duration::from_secs(3)));
}

#[test]
fn more_idle_connections_than_the_cap_make_room_for_a_new_client() {
    // The header timeout is long: a new client is served because idle
    // connections are closed to make room, not because they timed out.
    let server = start(limits(Duration::from_secs(120), 8));
    let mut idle: Vec<TcpStream> = (0..20)
        .map(|index| {
            let mut stream = TcpStream::connect(server.site).unwrap();
            if index % 2 == 0 {
                stream.write_all(b"GET / HTTP/1.1\r\nHost: loc").unwrap();
            }
            stream
        })
        .collect();
    let started = Instant::now();
    let mut client = TcpStream::connect(server.site).unwrap();
    write!(
        client,
        "GET /faq/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    assert_eq!(status_of(&mut client), 200);
    assert!(started.elapsed() < Duration::from_secs(60));
    // No more than the cap stay open: the oldest idle ones were closed.
    let closed = idle
        .iter_mut()
        .map(|stream| closed_within(stream, Duration::from_millis(500)))
        .filter(|closed| *closed)
        .count();
    assert!(
        closed >= 20 + 1 - 8,
        "only {closed} of 20 idle connections closed"
    );
}
