//! Computes the fingerprint of the code that shapes a render's bytes, so that
//! outputs are reused across builds of the same source (debug, release, the
//! xtask binary) and never across a change of it.
//!
//! It hashes the sources of this crate and of the workspace crates it is
//! built from (`content`, `theme`), their manifests, `Cargo.lock` (the
//! versions of Markdown, Sass, YAML and template crates) and the version.
//! Those are exactly the files whose change rebuilds this crate, so keeping
//! the fingerprint costs no extra compilation. Files are taken in sorted
//! order with their paths, so the hash does not depend on the machine.

use std::path::{Path, PathBuf};

/// The workspace crates whose code a render runs, this one included.
const CRATES: [&str; 3] = ["content", "theme", "render"];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let crates = manifest_dir.parent().unwrap_or(&manifest_dir);
    let mut hasher = blake3::Hasher::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    for name in CRATES {
        let root = crates.join(name);
        if !root.is_dir() {
            // Built from a package (no workspace beside it): its own files
            // are all there is.
            continue;
        }
        for folder in ["src", "build.rs", "Cargo.toml"] {
            let path = root.join(folder);
            println!("cargo::rerun-if-changed={}", path.display());
            let mut files = Vec::new();
            collect_files(&path, &mut files);
            files.sort();
            for file in files {
                add_file(&mut hasher, crates, &file);
            }
        }
    }
    let lock = crates.join("../Cargo.lock");
    if lock.is_file() {
        println!("cargo::rerun-if-changed={}", lock.display());
        add_file(&mut hasher, crates, &lock);
    }
    let fingerprint = &hasher.finalize().to_hex()[..32];
    println!("cargo::rustc-env=GAZETTE_CODE_FINGERPRINT={fingerprint}");
}

/// Every file under `path` (or `path` itself when it is a file).
fn collect_files(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_file() {
        files.push(path.to_owned());
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        collect_files(&entry.path(), files);
    }
}

/// Adds a file's path (relative, `/`-separated) and bytes, each length-prefixed
/// so that no two sets of files hash alike.
fn add_file(hasher: &mut blake3::Hasher, crates: &Path, file: &Path) {
    let relative = file.strip_prefix(crates).unwrap_or(file);
    let name: Vec<String> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    let name = name.join("/");
    let bytes = std::fs::read(file).unwrap_or_default();
    hasher.update(&(name.len() as u64).to_le_bytes());
    hasher.update(name.as_bytes());
    hasher.update(&(bytes.len() as u64).to_le_bytes());
    hasher.update(&bytes);
}
