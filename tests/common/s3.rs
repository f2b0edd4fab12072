//! A real S3-protocol server on 127.0.0.1 for the bucket tests: moto in
//! server mode (`python3 -m pip install 'moto[server]'`), started by the test
//! and stopped when it ends. Objects are read back over plain HTTP: moto does
//! not check signatures, so the tests need no S3 client of their own.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The keys every publish to the test server uses; moto accepts any.
pub const CREDENTIALS: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", "gazette-test"),
    ("AWS_SECRET_ACCESS_KEY", "gazette-test-secret"),
    ("AWS_REGION", "us-east-1"),
];

/// An `Authorization` header for the test keys (moto does not verify it).
const AUTHORIZATION: &str = "AWS4-HMAC-SHA256 Credential=gazette-test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";

/// What to install when the server does not start.
const INSTALL: &str = "the bucket tests need moto's S3 server: run `cargo xtask test`, \
     which installs it (or `python3 -m pip install 'moto[server]'`)";

/// A running moto server, stopped on drop.
pub struct S3Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

impl S3Server {
    /// Starts the server on a port the system gives it and waits until it
    /// answers; fails the test, saying what to install, when it cannot.
    ///
    /// The server binds port 0 itself and says which port it got: a port
    /// found free beforehand could be taken by another test's server first,
    /// whose answers this test would then read until that server stopped.
    pub fn start() -> Self {
        let python = super::python();
        let mut child = Command::new(&python)
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run {} ({error}); {INSTALL}", python.display()));
        let stderr = child.stderr.take().expect("the server's standard error");
        let (port_sender, port) = mpsc::channel();
        // Read to the end: the server logs each request there, and would
        // stop once the pipe filled.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(port) = line
                    .split_once("Running on http://127.0.0.1:")
                    .and_then(|(_, port)| port.trim().parse::<u16>().ok())
                {
                    let _ = port_sender.send(port);
                }
            }
        });
        let mut server = Self {
            child,
            endpoint: String::new(),
        };
        let port = match port.recv_timeout(Duration::from_secs(60)) {
            Ok(port) => port,
            Err(_) => match server.child.try_wait() {
                Ok(Some(status)) => panic!("moto's server exited ({status}); {INSTALL}"),
                _ => panic!("moto's server named no port within 60 s; {INSTALL}"),
            },
        };
        server.endpoint = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(60) {
                panic!("moto's server did not answer on port {port} within 60 s; {INSTALL}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// Creates a bucket.
    pub fn create_bucket(&self, name: &str) {
        ureq::put(&format!("{}/{name}", self.endpoint))
            .send_empty()
            .expect("a new bucket");
    }

    /// The object at `key` with its `Content-Type` and `Cache-Control`, or
    /// `None` when there is none.
    pub fn get(&self, bucket: &str, key: &str) -> Option<StoredObject> {
        // An unsigned request is anonymous, which moto holds to the ACLs; a
        // header naming the test keys is enough, as moto checks no signature.
        let request = ureq::get(&format!("{}/{bucket}/{}", self.endpoint, percent(key)))
            .header("authorization", AUTHORIZATION);
        let mut response = match request.call() {
            Ok(response) => response,
            Err(ureq::Error::StatusCode(404)) => return None,
            Err(error) => panic!("GET {key}: {error}"),
        };
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let content_type = header("content-type");
        let cache_control = header("cache-control");
        let bytes = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .unwrap();
        Some(StoredObject {
            bytes,
            content_type,
            cache_control,
        })
    }

    /// Every key under `prefix` (which ends with `/`), without the prefix.
    pub fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut url = format!("{}/{bucket}?list-type=2&prefix={prefix}", self.endpoint);
            if let Some(token) = &token {
                url.push_str("&continuation-token=");
                url.push_str(&percent(token));
            }
            let body = ureq::get(&url)
                .call()
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap();
            keys.extend(
                elements(&body, "Key")
                    .into_iter()
                    .map(|key| key[prefix.len()..].replace("&amp;", "&")),
            );
            token = elements(&body, "NextContinuationToken")
                .first()
                .map(|token| (*token).to_owned());
            if token.is_none() {
                return keys;
            }
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An object as the server returns it.
pub struct StoredObject {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub cache_control: String,
}

/// The text of every `<name>…</name>` element of a listing.
fn elements<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    xml.split(open.as_str())
        .skip(1)
        .filter_map(|rest| rest.split_once(close.as_str()).map(|(text, _)| text))
        .collect()
}

/// A continuation token in a query string.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
