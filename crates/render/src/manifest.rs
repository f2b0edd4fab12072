//! The manifest of a published site: for every unit of work (a page, a copied
//! file, a stylesheet, a theme asset), a digest of the inputs it read and the
//! outputs it wrote. The next publish reuses a unit's outputs when its inputs are the
//! same, and renders only the rest.
//!
//! Every unit is recorded, even one without inputs (a file copied from a
//! source that gives no content ids): the manifest then names every file of
//! the version holding it, so a later publish can bring that version up to
//! date by touching only what differs (see `gazette-publish`'s `folder.rs`).
//!
//! It is stored in postcard's compact binary form, not JSON: every publish
//! reads it whole (twice: the current version's and the spare's) to change
//! perhaps one page, and at 10,000 pages parsing JSON took longer than
//! rendering that page. Its summary (format, program, commit, render state)
//! comes first, so a publish with nothing to do reads a few bytes of it, and
//! one that renders edited pages starts reading their state at once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where the manifest is kept in a site's output: a name no permalink may
/// take (`gazette_content::RESERVED_PREFIX`).
pub const MANIFEST_PATH: &str = ".gazette-manifest";

/// The version of the manifest format; a different one means a full build.
/// (A JSON manifest of earlier versions starts with `{`, which reads as
/// another format.)
const FORMAT: u32 = 6;

/// How many bytes hold a summary: the format, a fingerprint, a commit id and
/// a render state's id.
const SUMMARY_BYTES: usize = 512;

/// What a publish produced and what each part of it depended on.
///
/// The fields are stored in this order, and the first four are
/// [`ManifestSummary`]'s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest format version.
    pub format: u32,
    /// The program that wrote it ([`tool_fingerprint`]); another program
    /// may render differently, so its outputs are not reused.
    pub tool: String,
    /// The commit the output was published from; none for a build. Written
    /// with the output in one step, it stays true when the published ref,
    /// moved after the output, is not (a publish killed in between).
    pub commit: Option<String>,
    /// The state kept for rendering edited pages of this output alone (its
    /// id; see `kept_state.rs`), if the publish kept one.
    pub render_state: Option<String>,
    /// Every unit by id (its source path, or `theme:<path>` for theme assets).
    pub units: BTreeMap<String, UnitRecord>,
    /// Whether `units` name every file of the output (besides this manifest
    /// and the output marker). Only then may a publish recycle the version
    /// holding this manifest: it must know every file there is to remove.
    pub lists_every_file: bool,
    /// When each source file of the site last changed (seconds since the
    /// epoch), carried forward so the next publish walks only new commits.
    pub last_changed: BTreeMap<String, i64>,
    /// Each redirect page by output path, with the address it sends readers
    /// to: the preview answers those paths with a redirect, and the checker
    /// follows them.
    pub redirects: BTreeMap<String, String>,
}

impl Default for Manifest {
    fn default() -> Self {
        Self {
            format: FORMAT,
            tool: tool_fingerprint().to_owned(),
            commit: None,
            render_state: None,
            units: BTreeMap::new(),
            lists_every_file: false,
            last_changed: BTreeMap::new(),
            redirects: BTreeMap::new(),
        }
    }
}

/// Everything a unit read, by name (`page`, `site`, `collection`, …), each
/// with an id that changes with its content (a blob id, or a hash).
pub type Inputs = BTreeMap<String, String>;

/// What a manifest says of itself: the program that wrote it, the commit
/// its output shows and the render state kept with it. Read without the rest, which a publish with nothing to
/// do never needs: these are the first fields of a stored [`Manifest`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ManifestSummary {
    format: u32,
    tool: String,
    /// The commit the output was published from ([`Manifest::commit`]).
    pub commit: Option<String>,
    /// The render state kept with the output ([`Manifest::render_state`]):
    /// a publish starts reading it before the rest of the manifest.
    pub render_state: Option<String>,
}

impl ManifestSummary {
    /// Reads the summary from the start of a stored manifest (the whole
    /// manifest, or its first [`ManifestSummary::PREFIX`] bytes).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        postcard::take_from_bytes::<Self>(bytes)
            .ok()
            .map(|(summary, _)| summary)
            .filter(|summary| summary.format == FORMAT)
    }

    /// How many bytes at the start of a manifest hold its summary.
    pub const PREFIX: usize = SUMMARY_BYTES;

    /// Whether this program wrote the manifest ([`Manifest::is_from_this_tool`]).
    pub fn is_from_this_tool(&self) -> bool {
        same_program(&self.tool)
    }

    /// Whether the manifest was rendered as `identity` ([`render_identity`])
    /// says: by this program, for the same address.
    pub fn is_from(&self, identity: &str) -> bool {
        self.tool == identity
    }
}

/// One unit: a digest of its inputs and what it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRecord {
    /// The [`inputs_digest`] of everything the unit read. A digest rather
    /// than the inputs themselves: a publish reads the manifest of a whole
    /// site to change one page, and a digest is an eighth of the bytes.
    pub inputs_digest: String,
    /// The files it wrote.
    pub outputs: Vec<OutputRecord>,
}

impl UnitRecord {
    /// The record of a unit that read `inputs` and wrote `outputs`.
    pub fn new(inputs: &Inputs, outputs: Vec<OutputRecord>) -> Self {
        Self {
            inputs_digest: inputs_digest(inputs),
            outputs,
        }
    }
}

/// A digest of a unit's inputs, names and ids both: equal digests mean equal
/// inputs. Empty when the unit read nothing with an id, so that it never
/// matches (see [`Manifest::reusable`]).
pub fn inputs_digest(inputs: &Inputs) -> String {
    if inputs.is_empty() {
        return String::new();
    }
    let mut hasher = blake3::Hasher::new();
    for (name, id) in inputs {
        // Lengths first, so that no two different maps give the same bytes.
        for part in [name, id] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    hasher.finalize().to_hex()[..32].to_owned()
}

/// One output file of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputRecord {
    /// The path under the site's output root.
    pub path: String,
    /// The page URL it serves, for pages.
    pub url: Option<String>,
}

impl Manifest {
    /// Reads a stored manifest; anything unreadable or of another format is
    /// treated as no manifest at all (the publish is then a full build).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        // The format first: another format's fields may not read at all.
        ManifestSummary::from_bytes(bytes)?;
        postcard::from_bytes::<Self>(bytes).ok()
    }

    /// Whether this program wrote the manifest, so the files it lists are
    /// the files of its output (whatever address it rendered for).
    pub fn is_from_this_tool(&self) -> bool {
        same_program(&self.tool)
    }

    /// The manifest as stored: the same manifest always gives the same bytes
    /// (its maps are sorted).
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising finite values into memory cannot fail.
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// The unit's outputs, if it was recorded with exactly these inputs
    /// (given as their [`inputs_digest`]). A unit without inputs never
    /// matches: nothing says its output is unchanged (it is recorded only so
    /// the manifest names all its files).
    pub fn reusable(&self, id: &str, inputs_digest: &str) -> Option<&[OutputRecord]> {
        self.units
            .get(id)
            .filter(|unit| !unit.inputs_digest.is_empty() && unit.inputs_digest == inputs_digest)
            .map(|unit| unit.outputs.as_slice())
    }
}

/// An id of Gazette's rendering code: a hash of the sources of this crate
/// and the crates it is built from, `Cargo.lock` and the version, taken at
/// build time (`build.rs`). Debug, release and xtask builds of one source
/// share it, so each reuses the others' outputs; any change to that code
/// (not only a new version number) renders everything again.
pub fn tool_fingerprint() -> &'static str {
    env!("GAZETTE_CODE_FINGERPRINT")
}

/// What a manifest records as its maker: the program ([`tool_fingerprint`])
/// and, when the site's `url` was replaced (`--base-url`), a hash of the
/// address. Pages of another address carry other canonical URLs, so a
/// publish reuses a previous output only when its identity is the same.
pub fn render_identity(base_url: Option<&str>) -> String {
    match base_url {
        None => tool_fingerprint().to_owned(),
        Some(url) => format!(
            "{} {}",
            tool_fingerprint(),
            &blake3::hash(url.as_bytes()).to_hex()[..16]
        ),
    }
}

/// Whether a manifest's `tool` names this program.
fn same_program(tool: &str) -> bool {
    tool.split(' ').next() == Some(tool_fingerprint())
}

/// A short hash of anything serialisable, for inputs that are not files.
pub(crate) fn hash_json(value: &impl Serialize) -> String {
    // Streamed into the hasher: some values (every post of a site) are
    // large. Through a buffer: JSON is written a token at a time, and the
    // hasher is many times faster on long runs than on a few bytes.
    let mut hasher = blake3::Hasher::new();
    {
        let mut buffered = std::io::BufWriter::with_capacity(16 << 10, &mut hasher);
        // Writing into a hasher cannot fail, nor can serialising JSON values.
        let _ = serde_json::to_writer(&mut buffered, value);
        let _ = std::io::Write::flush(&mut buffered);
    }
    hasher.finalize().to_hex()[..32].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_has_a_name_no_permalink_may_take() {
        assert!(MANIFEST_PATH.starts_with(gazette_content::RESERVED_PREFIX));
    }

    #[test]
    fn a_digest_changes_with_any_name_or_id_and_is_empty_for_no_inputs() {
        let inputs = |pairs: &[(&str, &str)]| -> Inputs {
            pairs
                .iter()
                .map(|(name, id)| (name.to_string(), id.to_string()))
                .collect()
        };
        let base = inputs_digest(&inputs(&[("page", "a1"), ("site", "b2")]));
        assert_eq!(base.len(), 32);
        assert_eq!(
            base,
            inputs_digest(&inputs(&[("site", "b2"), ("page", "a1")]))
        );
        for other in [
            inputs(&[("page", "a2"), ("site", "b2")]),
            inputs(&[("pages", "a1"), ("site", "b2")]),
            inputs(&[("page", "a1")]),
            inputs(&[("page", "a1"), ("site", "b2"), ("room", "c3")]),
            inputs(&[("pagea", "1"), ("site", "b2")]),
        ] {
            assert_ne!(inputs_digest(&other), base, "{other:?}");
        }
        assert_eq!(inputs_digest(&Inputs::new()), "");

        let mut manifest = Manifest::default();
        let record = OutputRecord {
            path: "a/index.html".into(),
            url: Some("/a/".into()),
        };
        let unit = UnitRecord::new(&inputs(&[("page", "a1")]), vec![record.clone()]);
        manifest.units.insert("a.md".into(), unit.clone());
        manifest
            .units
            .insert("b.pdf".into(), UnitRecord::new(&Inputs::new(), vec![]));
        assert_eq!(
            manifest.reusable("a.md", &unit.inputs_digest),
            Some(&[record][..])
        );
        assert_eq!(manifest.reusable("a.md", &base), None);
        assert_eq!(manifest.reusable("b.pdf", ""), None, "no inputs, no reuse");
        manifest.commit = Some("c".repeat(40));
        let bytes = manifest.to_bytes();
        assert_eq!(Manifest::from_bytes(&bytes).unwrap(), manifest);
        let summary =
            ManifestSummary::from_bytes(&bytes[..ManifestSummary::PREFIX.min(bytes.len())]);
        assert_eq!(summary.unwrap().commit, manifest.commit);
        assert!(
            Manifest::from_bytes(b"{\"format\": 3}").is_none(),
            "JSON is another format"
        );
        assert!(Manifest::from_bytes(&bytes[..bytes.len() / 2]).is_none());
    }

    #[test]
    fn the_fingerprint_is_of_the_code_not_of_the_executable() {
        // Rule: reuse across build profiles. A hash of the running file
        // would differ between this test binary and every other build.
        let fingerprint = tool_fingerprint();
        assert_eq!(fingerprint.len(), 32);
        assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
        let executable = std::env::current_exe().and_then(std::fs::read).unwrap();
        assert_ne!(fingerprint, &blake3::hash(&executable).to_hex()[..32]);
    }
}
