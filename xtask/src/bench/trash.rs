//! Folders the benchmark is done with, set aside during the timed runs and
//! deleted when they are over.
//!
//! On an ext4 filesystem without a journal (this machine kind's disk), the
//! kernel will not reuse an inode for some seconds to minutes after it was
//! freed (`recently_deleted` in `fs/ext4/ialloc.c`), and finding one it may
//! use scans past every recently freed one. Creating 30,000 files right
//! after deleting as many took 81 s where the same copy took 7 s without the
//! delete (measured on this machine, `cp -rL` of the corpus output). A bench
//! that deletes the last run's output before timing the next would measure
//! that scan, not Gazette, and no real build meets it: CI builds into a
//! fresh checkout. So within a bench run a folder is renamed into the trash
//! (as cheap as one `rename`) and the trash is emptied after the last
//! measurement.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context as _;

/// The open trash folder and how many folders went into it; `None` outside
/// a bench run (tests, `--generate-only`), where folders are deleted at once.
static TRASH: Mutex<Option<(PathBuf, usize)>> = Mutex::new(None);

/// Sets folders aside into `folder` until [`empty`]. A trash left by a bench
/// that was stopped midway is reused and emptied with this one.
pub fn open(folder: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(folder).with_context(|| format!("cannot create {}", folder.display()))?;
    let already = fs::read_dir(folder)?.count();
    *lock() = Some((folder.to_owned(), already));
    Ok(())
}

/// Deletes everything set aside, and deletes folders at once from now on.
pub fn empty() -> anyhow::Result<()> {
    let Some((folder, _)) = lock().take() else {
        return Ok(());
    };
    delete(&folder)
}

/// Takes `path` (a folder, or a link) out of the way: into the trash when
/// one is open, else deleted. A path that does not exist is no error.
pub fn discard(path: &Path) -> anyhow::Result<()> {
    if fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    if let Some((folder, count)) = lock().as_mut() {
        let aside = folder.join(count.to_string());
        *count += 1;
        match fs::rename(path, &aside) {
            Ok(()) => return Ok(()),
            // Another filesystem (or the trash itself gone): delete instead.
            Err(error) if error.kind() == ErrorKind::CrossesDevices => {}
            Err(error) if error.kind() == ErrorKind::NotFound => {}
            Err(error) => {
                return Err(error).with_context(|| {
                    format!("cannot move {} to {}", path.display(), aside.display())
                });
            }
        }
    }
    delete(path)
}

fn delete(path: &Path) -> anyhow::Result<()> {
    let removed = if path.is_symlink() || path.is_file() {
        fs::remove_file(path)
    } else {
        fs::remove_dir_all(path)
    };
    match removed {
        Err(error) if error.kind() != ErrorKind::NotFound => {
            Err(error).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn lock() -> std::sync::MutexGuard<'static, Option<(PathBuf, usize)>> {
    TRASH
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_wait_in_the_trash_until_it_is_emptied_then_go_at_once() {
        let temp = tempfile::tempdir().unwrap();
        let trash = temp.path().join("trash");
        let first = temp.path().join("first");
        fs::create_dir_all(first.join("inner")).unwrap();
        fs::write(first.join("inner/file"), "x").unwrap();
        let link = temp.path().join("link");
        std::os::unix::fs::symlink(&first, &link).unwrap();

        open(&trash).unwrap();
        discard(&link).unwrap();
        discard(&first).unwrap();
        discard(&temp.path().join("never-there")).unwrap();
        assert!(!first.exists() && fs::symlink_metadata(&link).is_err());
        assert_eq!(fs::read_dir(&trash).unwrap().count(), 2);
        // A name used again goes in beside the first, not over it.
        fs::create_dir(&first).unwrap();
        discard(&first).unwrap();
        assert_eq!(fs::read_dir(&trash).unwrap().count(), 3);

        empty().unwrap();
        assert!(!trash.exists());
        fs::create_dir(&first).unwrap();
        discard(&first).unwrap();
        assert!(!first.exists() && !trash.exists());
    }
}
