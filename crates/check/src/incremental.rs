//! What one check of a site keeps for the next, so that checking a commit
//! costs what the commit changed rather than a render of the whole site.
//!
//! The findings of a check are a function of the loaded site, its source
//! texts, the set of files the render publishes and the scan of every page.
//! The state keeps the render's manifest, so that the next render reuses
//! every unit whose inputs are unchanged (as a publish does), and the scan
//! of every page by output path. A check renders without the search index
//! (`RenderOptions::without_search_index`): no concern reads its files, and
//! its state was two thirds of what a check kept. The next check renders only
//! the units whose inputs moved, scans only their pages, takes the other
//! scans from the state, and then runs every concern over the whole site as
//! a full check does: a link to a page a commit removed, or to an `#id` an
//! edit renamed, is found on the page that was not touched, because its
//! kept scan is checked against the new set of files like any other. So the
//! findings are the full check's by construction; what is saved is the
//! render and the scanning.
//!
//! Warnings are the one thing a reused unit does not make again, so a state
//! is kept only from a render that had none (a site with render warnings is
//! checked whole each time). A state of another program, or of a check with
//! other load options or another theme, is not used.
//!
//! Most of a page's references are the ones every page has (the navigation
//! bar, the side navigation, the footer), so the scans are stored interned:
//! one table of the distinct strings, and each page's references, images
//! and ids as indices into it. At 1,000 generated pages that is 1.8 MB
//! (9,433 strings, 396,307 references) of a 2.1 MB state, most of the rest
//! being the manifest; with every page's strings stored as they are, the
//! state was 23 MB. The next check reads a kept scan where it
//! is, against the table (`scan.rs`), rather than copying its strings out.
//! Every kept scan borrows that one table, so the next state interns them
//! by index in it, and the lookups of their links go by index too.
//!
//! The findings a source file's text decides alone (`files.rs`) are kept
//! as the list of files that had none, by content id: a file the next
//! check finds with the same id is neither read nor checked again.
//!
//! A state is read only whole and well formed: one that does not decode,
//! names a string the table does not have, keeps a page's ids out of order,
//! or is larger than [`CheckState::MAX_BYTES`] is no state at all.

use std::collections::{HashMap, HashSet};

use gazette_render::{BuildRequest, Manifest, RenderedSite, tool_fingerprint};
use serde::{Deserialize, Serialize};

use crate::files::CleanFiles;
use crate::published::ScannedPage;
use crate::scan::{InternedScan, Interner, PageScan};

/// Bumped when what the stored state holds changes meaning.
const FORMAT: u32 = 4;

/// What a check of a site keeps for the next check of it (see the module's
/// documentation): [`CheckState::to_bytes`] to keep it,
/// [`CheckState::from_bytes`] to read it back.
#[derive(Debug, Clone)]
pub struct CheckState {
    identity: String,
    manifest: Manifest,
    /// Every distinct URL, `src`, `alt` and id of the scans.
    pub(crate) strings: Vec<String>,
    /// Each scanned page's scan, by output path.
    pub(crate) scans: HashMap<String, InternedScan>,
    /// HTML outputs that are not pages (files published as they are, and
    /// redirect pages): reused, they have no scan.
    unscanned: HashSet<String>,
    /// The source files whose own checks found nothing (`files.rs`).
    clean_files: CleanFiles,
}

/// How the state knows a reused output.
pub(crate) enum Known<'a> {
    /// A page, and its scan, read where the state keeps it.
    Scanned(PageScan<'a>),
    /// An HTML output that is not a page.
    Unscanned,
    /// Nothing: the state cannot say what the output holds.
    Unknown,
}

/// The stored form, as written.
#[derive(Serialize)]
struct StoredRef<'a> {
    format: u32,
    identity: &'a str,
    manifest: Bytes<'a>,
    strings: &'a [String],
    scans: Vec<(&'a str, &'a InternedScan)>,
    unscanned: Vec<&'a str>,
    /// Path, content id, and whether it was checked as a page's source.
    clean_files: Vec<(&'a str, &'a str, bool)>,
}

/// Bytes written as one run rather than as a sequence of numbers: postcard
/// writes both the same way (a length, then the bytes), so a state reads
/// back as [`Stored`]'s borrowed slices, and the run is copied at once.
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// The stored form, as read: the manifest is read where it is, not byte by
/// byte into a vector of its own.
#[derive(Deserialize)]
struct Stored<'a> {
    format: u32,
    identity: String,
    manifest: &'a [u8],
    strings: Vec<String>,
    scans: Vec<(String, InternedScan)>,
    unscanned: Vec<String>,
    clean_files: Vec<(String, String, bool)>,
}

impl CheckState {
    /// The largest state read or written (bytes): far above what a site of
    /// tens of thousands of pages keeps, and a bound on what a damaged file
    /// can make a check read.
    pub const MAX_BYTES: u64 = 1 << 30;

    /// The state of a check whose render is `rendered`, whose pages' scans
    /// are `scans` (the kept ones borrowing the table `shared`, of the
    /// state the check started from) and whose file checks found nothing
    /// in `clean_files`; `None` when it is too large to keep.
    pub(crate) fn new(
        identity: String,
        rendered: RenderedSite,
        (scans, shared): (Vec<ScannedPage<'_>>, Option<&[String]>),
        clean_files: CleanFiles,
    ) -> Option<Self> {
        let mut interner = shared.map_or_else(Interner::default, Interner::sharing);
        let mut stored = HashMap::with_capacity(scans.len());
        for page in scans {
            let scan = page.scan.interned(&mut interner)?;
            stored.insert(page.output_path, scan);
        }
        let unscanned = rendered
            .outputs
            .into_iter()
            .filter(|output| output.path.ends_with(".html") && !stored.contains_key(&output.path))
            .map(|output| output.path)
            .collect();
        Some(Self {
            identity,
            manifest: rendered.manifest,
            strings: interner.into_strings(),
            scans: stored,
            unscanned,
            clean_files,
        })
    }

    /// The bytes to keep; `None` when they would be more than
    /// [`CheckState::MAX_BYTES`].
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        // Sorted, so that the same state is always the same bytes.
        let mut scans: Vec<(&str, &InternedScan)> = self
            .scans
            .iter()
            .map(|(path, scan)| (path.as_str(), scan))
            .collect();
        scans.sort_unstable_by_key(|(path, _)| *path);
        let mut unscanned: Vec<&str> = self.unscanned.iter().map(String::as_str).collect();
        unscanned.sort_unstable();
        let mut clean_files: Vec<(&str, &str, bool)> = self
            .clean_files
            .iter()
            .map(|(path, (id, as_page))| (path.as_str(), id.as_str(), *as_page))
            .collect();
        clean_files.sort_unstable();
        let manifest = self.manifest.to_bytes();
        let stored = StoredRef {
            format: FORMAT,
            identity: &self.identity,
            manifest: Bytes(&manifest),
            strings: &self.strings,
            scans,
            unscanned,
            clean_files,
        };
        let bytes = postcard::to_allocvec(&stored).ok()?;
        (u64::try_from(bytes.len()).ok()? <= Self::MAX_BYTES).then_some(bytes)
    }

    /// A state read back; `None` when the bytes are not a whole state of
    /// this format (damaged, cut short, or larger than
    /// [`CheckState::MAX_BYTES`]).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if u64::try_from(bytes.len()).ok()? > Self::MAX_BYTES {
            return None;
        }
        let stored: Stored = postcard::from_bytes(bytes).ok()?;
        if stored.format != FORMAT {
            return None;
        }
        if !stored
            .scans
            .iter()
            .all(|(_, scan)| scan.fits(&stored.strings))
        {
            return None;
        }
        let manifest = Manifest::from_bytes(stored.manifest)?;
        Some(Self {
            identity: stored.identity,
            manifest,
            strings: stored.strings,
            scans: stored.scans.into_iter().collect(),
            unscanned: stored.unscanned.into_iter().collect(),
            clean_files: stored
                .clean_files
                .into_iter()
                .map(|(path, id, as_page)| (path, (id, as_page)))
                .collect(),
        })
    }

    /// Whether this state was made by a check like `identity`'s.
    pub(crate) fn is_for(&self, identity: &str) -> bool {
        self.identity == identity
    }

    /// The manifest of the render the state was made from.
    pub(crate) fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The table of strings the kept scans index.
    pub(crate) fn table(&self) -> &[String] {
        &self.strings
    }

    /// The source files whose own checks found nothing, by content id.
    pub(crate) fn clean_files(&self) -> &CleanFiles {
        &self.clean_files
    }

    /// What the state knows of the output it was made with at `path`: a
    /// page's scan borrows the state's table, with no string copied.
    pub(crate) fn scan_of(&self, path: &str) -> Known<'_> {
        match self.scans.get(path) {
            Some(scan) => {
                PageScan::kept(scan, &self.strings).map_or(Known::Unknown, Known::Scanned)
            }
            None if self.unscanned.contains(path) => Known::Unscanned,
            None => Known::Unknown,
        }
    }
}

/// What a state must have been made with for another check to start from
/// it: this program, the same theme and the same load options.
pub(crate) fn identity(request: &BuildRequest<'_>) -> String {
    format!(
        "{} {:?} {:?}",
        tool_fingerprint(),
        request.theme,
        request.load
    )
}
