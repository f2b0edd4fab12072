//! What the commands say about a workspace that has no sites to work on.

use gazette_publish::Workspace;

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
