//! Where the render states a publish keeps for the next one live: in the
//! repository's Git folder, `gazette/<site>/render-state/<id>` (see
//! `gazette_render::RenderState`).

use std::path::{Path, PathBuf};

use gazette_render::{RenderState, RenderedSite};

use crate::request::PublishRequest;

/// Keeps the state a render made, for the next publish.
pub(crate) fn keep_state(request: &PublishRequest<'_>, rendered: &RenderedSite) {
    if let Some(state) = &rendered.state
        && let Ok(git_dir) = gazette_store::git_dir(request.repository)
    {
        state.keep(&folder_of(&git_dir, request.name));
    }
}

/// The state of id `id`, if this repository keeps it.
pub(crate) fn read_state(request: &PublishRequest<'_>, id: &str) -> Option<RenderState> {
    let git_dir = gazette_store::git_dir(request.repository).ok()?;
    RenderState::read(&folder_of(&git_dir, request.name), id)
}

/// Where a site's states are kept.
fn folder_of(git_dir: &Path, site: &str) -> PathBuf {
    git_dir.join("gazette").join(site).join("render-state")
}
