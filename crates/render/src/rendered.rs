//! What a render gives: the site's outputs (in memory, or handed to a sink
//! as they are rendered), its pages, its manifest and counts, and what a
//! render may use beyond the site and theme.

use std::collections::BTreeMap;

use gazette_content::{Diagnostics, Source, SourceError};

use crate::kept_state::KeptState;
use crate::manifest::{MANIFEST_PATH, Manifest};
use crate::search::SearchState;

/// One file of a site's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Where it goes, relative to the site's output root, `/`-separated.
    pub path: String,
    /// What goes there.
    pub contents: OutputContents,
    /// The source file it comes from, or a description (`theme isomer`).
    pub origin: String,
}

/// The bytes of an output, rendered or copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputContents {
    /// Rendered in memory.
    Rendered(Vec<u8>),
    /// Copied from this path of the site's source when written.
    Copy(String),
    /// An SVG image copied from this path of the site's source when
    /// written, with what can run script removed
    /// ([`sanitize_svg`](crate::sanitize_svg)): the site asked for it
    /// ([`RenderOptions::sanitize_svg`]).
    CopySanitizedSvg(String),
    /// Unchanged since the previous publish: taken from its output at this path.
    Reuse(String),
    /// Rendered and handed to the render's [`OutputSink`] at once; the
    /// bytes are no longer held.
    Written,
}

/// Where a render puts each output as soon as it is rendered, so that the
/// bytes of a site need not all be held at once: a publish writes them into
/// the folder it is preparing. Called from the render's worker threads, in
/// no particular order. Two outputs of one path are a collision, an error
/// of the render, so a sink may refuse the second: such a render is never
/// published.
///
/// A sink keeps its own failures: the render goes on, and the caller asks
/// the sink afterwards whether everything it was given is where it should
/// be. The render writes nothing itself.
pub trait OutputSink: Sync {
    /// Takes `output`, whose contents are
    /// [`OutputContents::Rendered`]; `unit` and `inputs` name the unit that
    /// wrote it and the digest of what that unit read (as the manifest will).
    fn put(&self, unit: &str, inputs: &str, output: &Output);
}

impl OutputContents {
    /// The bytes of a copy as they are written, read from the site's
    /// `source` (an SVG sanitised when asked); `None` when the contents are
    /// not a copy.
    pub fn read_copy(&self, source: &dyn Source) -> Option<Result<Vec<u8>, SourceError>> {
        match self {
            Self::Copy(path) => Some(source.read(path)),
            Self::CopySanitizedSvg(path) => Some(source.read(path).map(|bytes| {
                crate::copied_markup::sanitize_svg(&String::from_utf8_lossy(&bytes)).into_bytes()
            })),
            Self::Rendered(_) | Self::Reuse(_) | Self::Written => None,
        }
    }
}

/// A page written by a build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageOutput {
    /// Its URL path.
    pub url: String,
    /// The source file, or what made it (`pagination`, `theme 404`).
    pub origin: String,
}

/// A site rendered in memory, ready to write.
#[derive(Debug, Clone, Default)]
pub struct RenderedSite {
    /// Every output file, sorted by path (the manifest included).
    pub outputs: Vec<Output>,
    /// The pages among them, with their URLs.
    pub pages: Vec<PageOutput>,
    /// Warnings found while rendering.
    pub warnings: Diagnostics,
    /// What each unit read and wrote, for the next publish.
    pub manifest: Manifest,
    /// How much was rendered and how much reused.
    pub stats: RenderStats,
    /// What the next publish needs to render edited pages alone, when
    /// [`RenderOptions::keep_state`] asked for it; the manifest names it.
    pub state: Option<KeptState>,
    /// The search index's state, also written as
    /// [`SEARCH_STATE_PATH`](crate::SEARCH_STATE_PATH) and its shards: what
    /// the next render updates the index from
    /// ([`RenderOptions::previous_search`]). Empty after a page edit
    /// ([`patched`](crate::patched)), which reads only the shards it
    /// changes: those are among the outputs.
    pub search_state: SearchState,
}

/// Counts of work done by a render.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// Pages rendered anew.
    pub pages_rendered: usize,
    /// Pages whose previous output was reused.
    pub pages_reused: usize,
}

impl RenderedSite {
    /// How many outputs are copies of media and other files.
    pub fn copied_files(&self) -> usize {
        self.outputs
            .iter()
            .filter(|o| {
                matches!(
                    o.contents,
                    OutputContents::Copy(_) | OutputContents::CopySanitizedSvg(_)
                )
            })
            .count()
    }
}

/// What a render may use beyond the site and the theme.
#[derive(Default, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// When each source file last changed (seconds since the epoch, by
    /// site-relative path); pages show it as "Last updated".
    pub last_changed: Option<&'a BTreeMap<String, i64>>,
    /// The manifest of the previous publish: units whose inputs are unchanged
    /// are not rendered again, their outputs are reused.
    pub previous: Option<&'a Manifest>,
    /// Where the site was loaded from, for the bodies a stored load cache
    /// left there ([`PageBody::InSource`](gazette_content::PageBody::InSource)): only pages that render read theirs.
    pub bodies: Option<&'a dyn Source>,
    /// The search state of the previous output (its
    /// [`SEARCH_STATE_PATH`](crate::SEARCH_STATE_PATH) files), read with
    /// [`RenderOptions::previous`]: a page is reused only when the state
    /// holds its words, and the index is updated, not built again.
    pub previous_search: Option<&'a SearchState>,
    /// The commit being published, recorded in the manifest.
    pub commit: Option<&'a str>,
    /// Whether to leave the search index out (no index files, no search
    /// state; pages reused on their own units alone): a check reads none
    /// of its files, and the index's state was two thirds of what a check
    /// keeps for the next.
    pub without_search_index: bool,
    /// Whether to make a state for the next publish to render edited pages
    /// with ([`RenderedSite::state`]).
    pub keep_state: bool,
    /// Whether SVG images are written sanitised
    /// ([`OutputContents::CopySanitizedSvg`]): `sanitize_svg = true` in the
    /// site's `site.toml`. Part of their units' inputs, so turning it on or
    /// off rewrites them.
    pub sanitize_svg: bool,
    /// The address that replaced the site's `url` (`--base-url`), recorded
    /// in the manifest ([`render_identity`](crate::render_identity)).
    pub base_url: Option<&'a str>,
    /// Where rendered outputs go as they are rendered: with a sink, every
    /// [`OutputContents::Rendered`] output (the manifest included) is handed
    /// to it and becomes [`OutputContents::Written`] in the
    /// [`RenderedSite`]; copies and reused outputs stay for the caller.
    pub sink: Option<&'a dyn OutputSink>,
}

/// Adds the manifest to `outputs` (through `sink`, when there is one), and
/// puts outputs in path order and pages in URL order, as a [`RenderedSite`]
/// holds them.
pub(crate) fn add_manifest(
    outputs: &mut Vec<Output>,
    pages: &mut [PageOutput],
    manifest: &Manifest,
    sink: Option<&dyn OutputSink>,
) {
    let mut output = Output {
        path: MANIFEST_PATH.to_owned(),
        contents: OutputContents::Rendered(manifest.to_bytes()),
        origin: "manifest".to_owned(),
    };
    hand_over(sink, "manifest", "", &mut output);
    outputs.push(output);
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    pages.sort_by(|a, b| a.url.cmp(&b.url));
}

/// Gives a rendered `output` of `unit` to `sink`, if there is one, and
/// drops its bytes; outputs that are not rendered bytes stay as they are.
pub(crate) fn hand_over(
    sink: Option<&dyn OutputSink>,
    unit: &str,
    inputs: &str,
    output: &mut Output,
) {
    if let Some(sink) = sink
        && matches!(output.contents, OutputContents::Rendered(_))
    {
        sink.put(unit, inputs, output);
        output.contents = OutputContents::Written;
    }
}
