//! The manifest of a published site: for every unit of work (a page, a copied
//! file, a stylesheet, a theme asset), the inputs it read and the outputs it
//! wrote. The next publish reuses a unit's outputs when its inputs are the
//! same, and renders only the rest.
//!
//! Every unit is recorded, even one without inputs (a file copied from a
//! source that gives no content ids): the manifest then names every file of
//! the version holding it, so a later publish can bring that version up to
//! date by touching only what differs (see `output.rs`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where the manifest is kept in a site's output.
pub const MANIFEST_PATH: &str = ".gazette-manifest.json";

/// The version of the manifest format; a different one means a full build.
const FORMAT: u32 = 1;

/// What a publish produced and what each part of it depended on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest format version.
    pub format: u32,
    /// The program that wrote it ([`tool_fingerprint`]); another program
    /// may render differently, so its outputs are not reused.
    #[serde(default)]
    pub tool: String,
    /// Every unit by id (its source path, or `theme:<path>` for theme assets).
    pub units: BTreeMap<String, UnitRecord>,
    /// Whether `units` name every file of the output (besides this manifest
    /// and the output marker). Only then may a publish recycle the version
    /// holding this manifest: it must know every file there is to remove.
    /// Older manifests, which left out units without inputs, read as `false`.
    #[serde(default)]
    pub lists_every_file: bool,
    /// When each source file of the site last changed (seconds since the
    /// epoch), carried forward so the next publish walks only new commits.
    #[serde(default)]
    pub last_changed: BTreeMap<String, i64>,
    /// The commit the output was published from; none for a build. Written
    /// with the output in one step, it stays true when the published ref,
    /// moved after the output, is not (a publish killed in between).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl Default for Manifest {
    fn default() -> Self {
        Self {
            format: FORMAT,
            tool: tool_fingerprint().to_owned(),
            units: BTreeMap::new(),
            lists_every_file: false,
            last_changed: BTreeMap::new(),
            commit: None,
        }
    }
}

/// One unit: its inputs (name → content id) and what it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRecord {
    /// Everything the unit read, each with an id that changes with its content.
    pub inputs: BTreeMap<String, String>,
    /// The files it wrote.
    pub outputs: Vec<OutputRecord>,
}

/// One output file of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputRecord {
    /// The path under the site's output root.
    pub path: String,
    /// The page URL it serves, for pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Manifest {
    /// Reads a manifest; anything unreadable or of another format is treated
    /// as no manifest at all (the publish is then a full build).
    pub fn from_json(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Self>(bytes)
            .ok()
            .filter(|manifest| manifest.format == FORMAT)
    }

    /// Whether this program wrote the manifest, so its outputs may be reused.
    pub fn is_from_this_tool(&self) -> bool {
        self.tool == tool_fingerprint()
    }

    /// The manifest as stable, pretty JSON (keys sorted).
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// The unit's outputs, if it was recorded with exactly these inputs.
    /// A unit without inputs never matches: nothing says its output is
    /// unchanged (it is recorded only so the manifest names all its files).
    pub fn reusable(&self, id: &str, inputs: &BTreeMap<String, String>) -> Option<&[OutputRecord]> {
        self.units
            .get(id)
            .filter(|unit| !unit.inputs.is_empty() && &unit.inputs == inputs)
            .map(|unit| unit.outputs.as_slice())
    }
}

/// An id of the running program: a hash of its executable, so that any change
/// to Gazette itself (not only a new version number) renders everything
/// again. Falls back to the version when the executable cannot be read.
pub fn tool_fingerprint() -> &'static str {
    static FINGERPRINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FINGERPRINT.get_or_init(|| {
        std::env::current_exe()
            .and_then(std::fs::read)
            .map(|bytes| blake3::hash(&bytes).to_hex()[..32].to_owned())
            .unwrap_or_else(|_| format!("gazette {}", env!("CARGO_PKG_VERSION")))
    })
}

/// A short hash of anything serialisable, for inputs that are not files.
pub(crate) fn hash_json(value: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    blake3::hash(&bytes).to_hex()[..32].to_owned()
}
