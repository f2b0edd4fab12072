//! A [`Source`] over a folder on disk.

use std::fs;
use std::path::{Component, Path, PathBuf};

use gazette_content::{Source, SourceError};

/// The files under one folder of the working directory.
///
/// Symbolic links are followed only when they stay inside the folder, so a
/// link to `/etc/passwd` can never be published.
#[derive(Debug, Clone)]
pub struct WorkTreeSource {
    root: PathBuf,
}

/// Why a folder cannot be used as a source.
#[derive(Debug, thiserror::Error)]
pub enum WorkTreeError {
    /// The folder does not exist or cannot be resolved.
    #[error("{path}: {source}")]
    Missing {
        /// The folder asked for.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The path exists but is a file.
    #[error("{0}: not a folder")]
    NotAFolder(PathBuf),
}

impl WorkTreeSource {
    /// A source over `root`, which must be a folder.
    pub fn new(root: impl AsRef<Path>) -> Result<Self, WorkTreeError> {
        let root = root.as_ref();
        let canonical = fs::canonicalize(root).map_err(|source| WorkTreeError::Missing {
            path: root.to_owned(),
            source,
        })?;
        if !canonical.is_dir() {
            return Err(WorkTreeError::NotAFolder(root.to_owned()));
        }
        Ok(Self { root: canonical })
    }

    /// The folder this source reads.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn walk(&self, folder: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), SourceError> {
        let entries = fs::read_dir(folder).map_err(|error| self.unreadable(prefix, &error))?;
        for entry in entries {
            let entry = entry.map_err(|error| self.unreadable(prefix, &error))?;
            let Ok(name) = entry.file_name().into_string() else {
                // A name that is not UTF-8 cannot be a URL; skip it rather than mangle it.
                continue;
            };
            let relative = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            let file_type = entry
                .file_type()
                .map_err(|error| self.unreadable(&relative, &error))?;
            if file_type.is_dir() {
                if name == ".git" {
                    continue;
                }
                self.walk(&entry.path(), &relative, out)?;
            } else if file_type.is_file()
                || (file_type.is_symlink() && self.link_stays_inside(&entry.path()))
            {
                out.push(relative);
            }
        }
        Ok(())
    }

    /// Whether a symbolic link resolves to a file inside the root.
    fn link_stays_inside(&self, link: &Path) -> bool {
        fs::canonicalize(link)
            .map(|target| target.starts_with(&self.root) && target.is_file())
            .unwrap_or(false)
    }

    fn unreadable(&self, path: &str, error: &std::io::Error) -> SourceError {
        SourceError::Unreadable {
            path: if path.is_empty() {
                self.root.display().to_string()
            } else {
                path.to_owned()
            },
            message: error.to_string(),
        }
    }
}

impl Source for WorkTreeSource {
    fn list(&self) -> Result<Vec<String>, SourceError> {
        let mut paths = Vec::new();
        self.walk(&self.root, "", &mut paths)?;
        paths.sort();
        Ok(paths)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, SourceError> {
        let relative = Path::new(path);
        let stays_inside = relative
            .components()
            .all(|component| matches!(component, Component::Normal(_)));
        let not_found = || SourceError::NotFound {
            path: path.to_owned(),
            source_name: self.describe(),
        };
        if !stays_inside {
            return Err(not_found());
        }
        let full = self.root.join(relative);
        if full.is_symlink() && !self.link_stays_inside(&full) {
            return Err(not_found());
        }
        fs::read(&full).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => not_found(),
            _ => self.unreadable(path, &error),
        })
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    /// The modification time and size, read without opening the file.
    fn version(&self, path: &str) -> Option<String> {
        let metadata = fs::metadata(self.root.join(path)).ok()?;
        let modified = metadata
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some(format!(
            "{}.{}:{}",
            modified.as_secs(),
            modified.subsec_nanos(),
            metadata.len()
        ))
    }

    /// The id Git would give the file, so a build of the working folder and a
    /// build of the same committed tree record the same inputs.
    fn content_id(&self, path: &str) -> Option<String> {
        Some(blob_id(&self.read(path).ok()?))
    }

    fn content_id_of(&self, _path: &str, bytes: &[u8]) -> Option<String> {
        Some(blob_id(bytes))
    }
}

/// The id Git gives a blob of `bytes`: the SHA-1 of a `blob <length>` header
/// and the bytes. Through the `sha1` crate, which uses the processor's SHA
/// instructions, rather than libgit2's collision-detecting SHA-1, several
/// times slower: every file of a working-folder build is hashed, and these
/// ids only tell Gazette which of its own outputs to reuse (anyone able to
/// plant a colliding file could write the page itself).
fn blob_id(bytes: &[u8]) -> String {
    use sha1::Digest as _;
    use std::fmt::Write as _;
    let mut hasher = sha1::Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    let digest = hasher.finalize();
    digest
        .iter()
        .fold(String::with_capacity(40), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_files_id_is_the_one_git_gives_its_blob() {
        for bytes in [&b""[..], b"hello\n", &[0xff; 70_000]] {
            let git = git2::Oid::hash_object(git2::ObjectType::Blob, bytes).unwrap();
            assert_eq!(blob_id(bytes), git.to_string());
        }
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.md"), "text").unwrap();
        let source = WorkTreeSource::new(dir.path()).unwrap();
        assert_eq!(
            source.content_id("a.md"),
            source.content_id_of("a.md", b"text")
        );
    }

    #[test]
    fn lists_files_sorted_and_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("pages/deep")).unwrap();
        fs::write(dir.path().join("pages/deep/b.md"), "b").unwrap();
        fs::write(dir.path().join("a.md"), "a").unwrap();
        let source = WorkTreeSource::new(dir.path()).unwrap();
        assert_eq!(source.list().unwrap(), ["a.md", "pages/deep/b.md"]);
        assert_eq!(source.read("pages/deep/b.md").unwrap(), b"b");
    }

    #[test]
    fn paths_that_climb_out_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("site")).unwrap();
        fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        let source = WorkTreeSource::new(dir.path().join("site")).unwrap();
        assert!(source.read("../secret.txt").is_err());
        assert!(source.read("/etc/passwd").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_tree_are_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("site/images")).unwrap();
        fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        fs::write(dir.path().join("site/images/logo.svg"), "<svg/>").unwrap();
        std::os::unix::fs::symlink(
            dir.path().join("secret.txt"),
            dir.path().join("site/leak.txt"),
        )
        .unwrap();
        std::os::unix::fs::symlink("images/logo.svg", dir.path().join("site/logo.svg")).unwrap();
        let source = WorkTreeSource::new(dir.path().join("site")).unwrap();
        assert_eq!(source.list().unwrap(), ["images/logo.svg", "logo.svg"]);
        assert!(source.read("leak.txt").is_err());
    }
}
