//! The one-page publish to a bucket: moto's S3 server on 127.0.0.1 (started
//! here, stopped at the end), the first site published from the base commit
//! under a fresh prefix, then the one-page commit timed, with the objects
//! and bytes it uploaded. Without moto the row says what to install.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use super::generator::GeneratedWorkspace;
use super::history::History;
use super::measure::{self, Sample, Spread};
use super::{Row, progress};

/// Keys for the local server, which accepts any.
const CREDENTIALS: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", "gazette-bench"),
    ("AWS_SECRET_ACCESS_KEY", "gazette-bench-secret"),
    ("AWS_REGION", "us-east-1"),
];

/// moto's server, stopped on drop.
struct Server {
    child: Child,
    endpoint: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start() -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let python = crate::test_setup::test_python();
        let child = Command::new(&python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot run {}", python.display()))?;
        let mut server = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if server.child.try_wait()?.is_some() || started.elapsed() > Duration::from_secs(60) {
                bail!("moto's S3 server did not start (`cargo xtask test` installs it)");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        ureq::put(&format!("{}/bench", server.endpoint))
            .send_empty()
            .context("cannot create the bucket")?;
        Ok(server)
    }
}

/// The row; a failure is reported in its note rather than ending the bench.
pub fn one_page_row(
    binary: &Path,
    workspace: &GeneratedWorkspace,
    history: &History,
    runs: usize,
    logs: &Path,
) -> Row {
    let mut row = Row {
        key: "one-page-bucket".into(),
        label: "publish, one page edited, to a bucket".into(),
        unit: "s",
        value: None,
        peak_mib: None,
        note: String::new(),
    };
    match measure_one_page(binary, workspace, history, runs, logs) {
        Ok((samples, objects, bytes)) => {
            row.value = Some(Spread::of_seconds(&samples));
            row.peak_mib = Some(Spread::of_peak_mib(&samples));
            row.note = format!("{objects} objects, {bytes} bytes uploaded (moto on 127.0.0.1)");
        }
        Err(error) => row.note = format!("not measured: {error:#}"),
    }
    row
}

/// Timed one-page publishes and what the last uploaded.
fn measure_one_page(
    binary: &Path,
    workspace: &GeneratedWorkspace,
    history: &History,
    runs: usize,
    logs: &Path,
) -> anyhow::Result<(Vec<Sample>, u64, u64)> {
    let step = history
        .steps
        .first()
        .filter(|step| step.key == "one-page")
        .context("the history does not start with a one-page edit")?;
    let site = &workspace.sites[0];
    let settings_path = workspace.root.join(&site.folder).join("site.toml");
    let settings = fs::read_to_string(&settings_path)?;
    let server = Server::start()?;
    let mut samples = Vec::new();
    let mut uploaded = (0, 0);
    let result = (|| -> anyhow::Result<()> {
        for run in 1..=runs {
            progress("publish to a bucket", run, runs);
            // A fresh prefix a run: the base commit published whole, then
            // the one-page commit on top.
            fs::write(
                &settings_path,
                format!(
                    "{settings}\n[publish]\nbucket = \"s3://bench/run-{run}\"\nendpoint = \"{}\"\n",
                    server.endpoint
                ),
            )?;
            let publish = |commit: &str| {
                let mut command = Command::new(binary);
                command
                    .current_dir(&workspace.root)
                    .args(["publish", &site.name, "--no-check", "--format", "json"])
                    .args(["--rev", commit])
                    .envs(CREDENTIALS);
                command
            };
            super::history::forget_published(&workspace.root)?;
            let log = logs.join("bucket-first.log");
            measure::run(&mut publish(&history.base), &log)?;
            let log = logs.join("bucket-one-page.log");
            samples.push(measure::run(&mut publish(&step.commit), &log)?);
            uploaded = uploads(&fs::read_to_string(&log)?)?;
        }
        Ok(())
    })();
    // The generated workspace goes back to its own target.
    fs::write(&settings_path, settings)?;
    result?;
    Ok((samples, uploaded.0, uploaded.1))
}

/// Objects and bytes from `gazette publish --format json` (its log holds the
/// JSON report after any warnings, which go to standard error).
fn uploads(log: &str) -> anyhow::Result<(u64, u64)> {
    let start = log.find("{\n").context("no JSON report in the log")?;
    let report: serde_json::Value = serde_json::from_str(&log[start..])?;
    let uploaded = &report["sites"][0]["uploaded"];
    Ok((
        uploaded["objects"].as_u64().context("no upload counts")?,
        uploaded["bytes"].as_u64().context("no upload counts")?,
    ))
}
