//! Edit-to-reload latency of `gazette serve`: from saving a page to the
//! browser having the new page. The benchmark plays the browser: it listens
//! to the site's server-sent events, saves an edit, waits for the `reload`
//! event, then fetches the edited page and checks that it shows the edit.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use super::generator::GeneratedSite;
use super::history;

/// How long one change may take before the measurement gives up.
const PATIENCE: Duration = Duration::from_secs(60);

/// Kills the server when the measurement ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Times `runs` edits of one page of `site` under `gazette serve`.
pub fn edit_to_reload(
    binary: &Path,
    workspace: &Path,
    site: &GeneratedSite,
    runs: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut server = Server(
        Command::new(binary)
            .current_dir(workspace)
            .args(["serve", &site.name, "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start gazette serve")?,
    );
    let stdout = server.0.stdout.take().context("no output from serve")?;
    let address = site_address(stdout, &site.name)?;
    let mut events = TcpStream::connect(address)?;
    events.set_read_timeout(Some(PATIENCE))?;
    write!(
        events,
        "GET /__gazette/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
    )?;
    // Let the response start and the watcher settle before the first edit.
    std::thread::sleep(Duration::from_millis(500));

    let page = &site.pages[site.pages.len() / 2];
    let file = workspace.join(&site.folder).join(&page.path);
    let mut latencies = Vec::with_capacity(runs);
    for run in 0..runs {
        let marker = format!("note {}", 100 + run);
        let started = Instant::now();
        history::append(&file, 100 + run)?;
        wait_for_reload(&mut events)?;
        let html = fetch(address, &page.permalink)?;
        let elapsed = started.elapsed();
        if !html.contains(&marker) {
            bail!("{} did not show the edit after the reload", page.permalink);
        }
        latencies.push(elapsed);
        // Keep edits apart, as a person's saves are.
        std::thread::sleep(Duration::from_millis(300));
    }
    Ok(latencies)
}

/// Reads serve's output until it names the site's address, then keeps
/// reading it in the background: serve reports every rebuild, and a closed
/// pipe would make those reports fail.
fn site_address(stdout: std::process::ChildStdout, site: &str) -> anyhow::Result<SocketAddr> {
    let prefix = format!("Serving {site} at http://");
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line?;
        if let Some(rest) = line.trim().strip_prefix(&prefix) {
            let address = rest
                .trim_end_matches('/')
                .parse()
                .with_context(|| format!("cannot read the address in {line:?}"))?;
            std::thread::spawn(move || lines.for_each(drop));
            return Ok(address);
        }
    }
    bail!("gazette serve stopped before serving {site}")
}

/// Reads the event stream until a `reload` event.
fn wait_for_reload(events: &mut TcpStream) -> anyhow::Result<()> {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while Instant::now() < deadline {
        let read = events.read(&mut buffer).context("no event from serve")?;
        if read == 0 {
            bail!("serve closed the event stream");
        }
        seen.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&seen);
        if text.contains("\"type\":\"reload\"") {
            return Ok(());
        }
        if text.contains("\"type\":\"error\"") {
            bail!("serve reported an error after the edit: {text}");
        }
    }
    bail!("no reload within {} s", PATIENCE.as_secs())
}

/// A page's body over plain HTTP/1.1.
fn fetch(address: SocketAddr, path: &str) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(PATIENCE))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response).into_owned();
    if !text.starts_with("HTTP/1.1 200") {
        let status = text.lines().next().unwrap_or_default();
        bail!("GET {path}: {status}");
    }
    Ok(text)
}
