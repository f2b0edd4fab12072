//! `cargo xtask test`: finds or installs what the tests need beyond the Rust
//! toolchain, then runs `cargo test --workspace` with it.
//!
//! A fresh machine has Rust, gcc, python3, node/npm and git. The tests also
//! need the corpus beside the checkout, Chromium, the browser harness's npm
//! packages and Python packages for the corpus's scripts. [`prepare`] is the
//! one place those are set up: a new prerequisite is a new step there (a
//! Python package is one more entry in [`PYTHON_PACKAGES`]). Every step says
//! what it does before it starts, and installers print their own progress.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

/// Python packages the tests' scripts import: (module name, what pip installs).
/// `../shared/corpus/parity.py` parses HTML with selectolax.
const PYTHON_PACKAGES: &[(&str, &str)] = &[
    ("selectolax", "selectolax"),
    ("moto.server", "moto[server]"),
];

/// The browser harness's packages, installed by `npm ci` from its lock file.
const NODE_PACKAGES: &[&str] = &["playwright-core", "axe-core", "html-validate"];

/// Where a Python of our own lives when the machine's cannot take packages
/// (Debian's is "externally managed"). `tests/common` looks here first.
pub const TEST_PYTHON_DIR: &str = "target/test-python";

/// What the tests are given: the programs found or installed.
pub struct Prepared {
    /// The Python interpreter that imports every package of [`PYTHON_PACKAGES`].
    pub python: PathBuf,
    /// The Chromium executable for the browser checks.
    pub chromium: PathBuf,
}

/// Runs every set-up step, then `cargo test --workspace` with `extra` arguments.
pub fn run(root: &Path, extra: &[OsString]) -> anyhow::Result<bool> {
    let prepared = prepare(root)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    step("Running `cargo test --workspace` (compiling first can take several minutes)");
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["test", "--workspace", "--no-fail-fast"])
        .args(extra)
        .env("CHROMIUM_PATH", &prepared.chromium)
        .env("GAZETTE_TEST_PYTHON", &prepared.python)
        .status()
        .context("cannot run cargo")?;
    Ok(status.success())
}

/// Finds or installs each prerequisite of the tests, in order.
pub fn prepare(root: &Path) -> anyhow::Result<Prepared> {
    let corpus = root.join("../shared/corpus/isomer");
    if !corpus.is_dir() {
        bail!(
            "the real-site corpus is missing: the tests read it at {} (shared/ beside the checkout)",
            corpus.display()
        );
    }
    let chromium = chromium()?;
    node_packages(root)?;
    let python = python_with_packages(root)?;
    step("Every prerequisite is in place");
    Ok(Prepared { python, chromium })
}

/// Prints what a step is about to do, before it starts.
fn step(message: &str) {
    println!("  [xtask test] {message}");
}

/// Runs `command` with its output shown; an error naming `what` on failure.
fn run_visible(command: &mut Command, what: &str) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Chromium: `CHROMIUM_PATH`, else on the PATH, else Debian's package when
/// running as root; otherwise an error saying how to install it.
fn chromium() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM_PATH") {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        bail!(
            "CHROMIUM_PATH names {}, which does not exist",
            path.display()
        );
    }
    let names = ["chromium", "chromium-browser", "google-chrome"];
    if let Some(found) = names.iter().find_map(|name| on_path(name)) {
        return Ok(found);
    }
    if !is_root() || on_path("apt-get").is_none() {
        bail!(
            "Chromium is not installed and this user cannot install it: run \
             `sudo apt-get install chromium` (Debian, Ubuntu), or set CHROMIUM_PATH to a \
             Chromium or Chrome executable"
        );
    }
    step("Installing Chromium from Debian (apt-get; about a minute)");
    run_visible(Command::new("apt-get").arg("update"), "apt-get update")?;
    run_visible(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
        "apt-get install chromium",
    )?;
    on_path("chromium").context("apt-get installed chromium, but it is not on the PATH")
}

/// The browser harness's packages, from its lock file, when any is missing.
fn node_packages(root: &Path) -> anyhow::Result<()> {
    let harness = root.join("tests/browser");
    let modules = harness.join("node_modules");
    if NODE_PACKAGES
        .iter()
        .all(|package| modules.join(package).is_dir())
    {
        return Ok(());
    }
    if on_path("npm").is_none() {
        bail!("npm is not installed: the browser checks need Node.js 20.19 or later with npm");
    }
    step("Installing the browser harness's packages (npm ci --prefix tests/browser)");
    run_visible(
        Command::new("npm").current_dir(root).args([
            "ci",
            "--prefix",
            "tests/browser",
            "--no-audit",
            "--no-fund",
        ]),
        "npm ci",
    )
}

/// The Python `cargo xtask test` set up: its own under `target/` when it
/// made one, else the machine's (what `tests/common::python` finds too).
pub fn test_python() -> PathBuf {
    let own = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(TEST_PYTHON_DIR)
        .join("bin/python3");
    if own.is_file() {
        own
    } else {
        PathBuf::from("python3")
    }
}

/// A Python that imports every package the scripts need: the machine's
/// `python3` when it has them, else a virtual environment under `target/`
/// that pip fills (Debian's Python refuses packages outside one).
fn python_with_packages(root: &Path) -> anyhow::Result<PathBuf> {
    let system = PathBuf::from("python3");
    if imports_all(&system) {
        return Ok(system);
    }
    let venv = root.join(TEST_PYTHON_DIR);
    let python = venv.join("bin/python3");
    if !python.is_file() {
        step(&format!("Making a Python environment in {TEST_PYTHON_DIR}"));
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|status| status.success());
        if !made {
            if !is_root() || on_path("apt-get").is_none() {
                bail!(
                    "python3 cannot make a virtual environment: run `sudo apt-get install \
                     python3-venv`, or `pip install {}` for python3",
                    pip_names().join(" ")
                );
            }
            step("Installing python3-venv from Debian");
            run_visible(Command::new("apt-get").arg("update"), "apt-get update")?;
            run_visible(
                Command::new("apt-get")
                    .args(["install", "-y", "python3-venv"])
                    .env("DEBIAN_FRONTEND", "noninteractive"),
                "apt-get install python3-venv",
            )?;
            run_visible(
                Command::new("python3").args(["-m", "venv"]).arg(&venv),
                "python3 -m venv",
            )?;
        }
    }
    if !imports_all(&python) {
        step(&format!(
            "Installing Python packages: {}",
            pip_names().join(" ")
        ));
        run_visible(
            Command::new(&python)
                .args(["-m", "pip", "install", "--disable-pip-version-check"])
                .args(pip_names()),
            "pip install",
        )?;
    }
    Ok(python)
}

fn pip_names() -> Vec<&'static str> {
    PYTHON_PACKAGES.iter().map(|(_, pip)| *pip).collect()
}

fn imports_all(python: &Path) -> bool {
    let modules: Vec<&str> = PYTHON_PACKAGES.iter().map(|(module, _)| *module).collect();
    Command::new(python)
        .args(["-c", &format!("import {}", modules.join(", "))])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The full path of an executable found on the PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|folder| folder.join(name))
        .find(|candidate| candidate.is_file())
}
