//! Where site files are stored: the working directory and Git.
//!
//! This crate owns every read of the filesystem and of Git repositories made on
//! behalf of content: [`WorkTreeSource`] reads a folder as it is on disk and
//! [`GitTreeSource`] reads a folder of a commit's tree straight from the object
//! database (no checkout, bare repositories work). Both implement
//! [`gazette_content::Source`]. It also owns the Git facts publishing needs:
//! the paths changed between revisions, when each file last changed (one walk
//! of the history), the refs that remember what was published, output
//! committed to a branch, the `post-commit` hook, and importing another
//! repository's history under a folder ([`fetch_history`], [`graft_history`]). [`uncommitted_paths`] tells which files of a
//! working directory have changes not yet committed.
//!
//! Every object it reads passes a guard first: libgit2 spins forever on a
//! loose object file cut short, so such a file is reported as a
//! [`DamagedObject`] naming the object and the file, and never given to
//! libgit2 (see the `loose` module).
//!
//! It must not know what a page is: it hands out paths and bytes.
//!
//! ```no_run
//! use gazette_content::Source;
//! use gazette_store::WorkTreeSource;
//!
//! let source = WorkTreeSource::new("sites/govtech").expect("a site folder");
//! for path in source.list().expect("a readable folder") {
//!     println!("{path}");
//! }
//! ```

mod error;
mod git_tree;
mod history;
mod import;
mod loose;
mod objects;
mod refs;
mod status;
#[cfg(test)]
mod test_commits;
mod work_tree;

pub use error::GitError;
pub(crate) use error::{commit_of, open, open_objects};
pub use git_tree::{GitTreeSource, OpenRevisionError};
pub use history::{
    Change, ChangeKind, FileChange, TreeFile, changed_files, changed_paths, folder_differs,
    folder_exists, last_changed, read_file_at,
};
pub use import::{GraftedHistory, ImportError, fetch_history, graft_history, import_ref};
pub use loose::{Damage, DamagedObject};
pub use refs::{
    RefLock, commit_tree_to_branch, git_dir, install_post_commit_hook, lock_ref,
    published_ref_name, read_ref, resolve_commit, work_dir, write_ref,
};
pub use status::{StatusError, uncommitted_paths};
pub use work_tree::{WorkTreeError, WorkTreeSource};
