//! `gazette hook install`: publish on every commit.

use anyhow::Context as _;
use gazette_publish::Workspace;

/// Installs the post-commit hook in the workspace's repository.
pub fn install(force: bool) -> anyhow::Result<bool> {
    let current = std::env::current_dir().context("cannot read the current folder")?;
    let workspace = Workspace::discover(&current)?;
    let program = std::env::current_exe().context("cannot find the gazette program")?;
    let command = format!(
        "'{}' publish --quiet",
        program.display().to_string().replace('\'', "'\\''")
    );
    let hook = gazette_store::install_post_commit_hook(&workspace.root, &command, force)?;
    println!(
        "Installed {}: every commit publishes the sites it changed.",
        hook.display()
    );
    Ok(true)
}
