//! The pages of the real-site corpus (`../shared/corpus/isomer`, beside
//! the checkout), for tests that hold a shortcut to the way it stands in
//! for on every real page.

use std::path::{Path, PathBuf};

/// One file of the corpus.
pub(crate) struct CorpusPage {
    pub path: PathBuf,
    pub text: String,
}

impl CorpusPage {
    /// What follows the front matter, or `None` for a file without any
    /// (an include or a layout rather than a page).
    pub fn body(&self) -> Option<&str> {
        self.text
            .strip_prefix("---")
            .and_then(|rest| rest.split_once("\n---"))
            .and_then(|(_, after)| after.split_once('\n'))
            .map(|(_, body)| body)
    }

    pub fn extension(&self) -> &str {
        self.path.extension().and_then(|e| e.to_str()).unwrap_or("")
    }
}

/// Every file of the corpus whose extension is one of `extensions`, read
/// as UTF-8 (files that are not are left out). Panics when the corpus is
/// missing: a test over no pages would pass on nothing.
pub(crate) fn corpus_pages(extensions: &[&str]) -> Vec<CorpusPage> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/isomer");
    assert!(
        corpus.is_dir(),
        "the real-site corpus is missing: expected it at {} (shared/ sits beside the checkout)",
        corpus.display()
    );
    let mut pages = Vec::new();
    let mut folders = vec![corpus];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let wanted = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|extension| extensions.contains(&extension));
            if !wanted {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&path) {
                pages.push(CorpusPage { path, text });
            }
        }
    }
    pages
}
