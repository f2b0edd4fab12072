//! What the commands say about the workspace when a site cannot be used as
//! it is: no sites, or a site Git does not hold where the workspace's
//! commits are.

use std::path::Path;

use gazette_publish::{SiteEntry, Workspace};

/// Why there is nothing to work on, and what to do.
pub fn no_sites(workspace: &Workspace, verb: &str) -> String {
    if workspace.declared {
        format!(
            "the workspace has no sites to {verb}: bring one in with `gazette import PATH-OR-URL`, \
             or start one with `gazette new NAME`"
        )
    } else {
        format!(
            "{} is neither a Gazette workspace (no gazette.toml here or above) nor an Isomer site \
             (no _config.yml): name a site folder, as in `gazette {verb} path/to/site`",
            workspace.root.display()
        )
    }
}

/// The workspace's themes folder inside the repository holding `site`, or
/// an error that says why the site is in another repository and what to do.
pub fn themes_folder_in(
    workspace: &Workspace,
    site: &SiteEntry,
    repository: &Path,
) -> anyhow::Result<String> {
    if let Some(folder) = workspace.themes_folder_in(repository) {
        return Ok(folder);
    }
    // No themes folder: the built-in themes alone, whatever the revision.
    if !workspace.themes_dir().exists() && workspace.root == repository {
        return Ok(workspace
            .settings
            .themes
            .to_string_lossy()
            .replace('\\', "/"));
    }
    if repository == site.path && site.path.starts_with(&workspace.root) {
        anyhow::bail!(
            "{} has a Git repository of its own ({}/.git), so the workspace's commits do not \
             hold its files; to bring it in with its history, move it out of the workspace and \
             run `gazette import PATH --name {}`",
            site.name,
            site.path.display(),
            site.name
        );
    }
    anyhow::bail!(
        "{} is in the Git repository at {}, and the workspace's themes are not: \
         publish sites of the workspace's own repository (`gazette import` brings one in)",
        site.name,
        repository.display()
    )
}

/// Fails, suggesting a commit, when the site's folder is not in the tree of
/// `revision` (a site copied in or made, not yet committed).
pub fn ensure_committed(
    site: &SiteEntry,
    repository: &Path,
    folder: &str,
    revision: &str,
) -> anyhow::Result<()> {
    if gazette_store::folder_exists(repository, revision, folder)? {
        return Ok(());
    }
    anyhow::bail!(
        "{} is not committed: `{folder}` is not in revision `{revision}`. Gazette publishes \
         what Git holds; commit the site first (`git add {folder} && git commit`), or try it \
         with `gazette build {}`",
        site.name,
        site.name
    )
}
