//! `gazette import PATH-OR-URL [--name NAME]`: brings an existing Isomer
//! repository into the workspace as `sites/NAME/`, with its history.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context as _, bail};
use gazette_check::{CheckOptions, check_request};
use gazette_content::Source;
use gazette_publish::Workspace;
use gazette_render::{BuildRequest, FileDates};
use gazette_store::{GitTreeSource, fetch_history, graft_history};

use crate::progress::Progress;

/// Arguments of `gazette import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The repository to bring in: a folder, a `file://` URL or a bundle
    /// made by `git bundle create`.
    pub source: String,
    /// The site's name: its folder under `sites/` (default: the source's
    /// folder or file name).
    #[arg(long)]
    pub name: Option<String>,
}

/// Imports the repository; prints what it learned and what to do next.
pub fn run(args: &ImportArgs) -> anyhow::Result<bool> {
    let current = std::env::current_dir().context("cannot read the current folder")?;
    let workspace = Workspace::discover(&current)?;
    let name = match &args.name {
        Some(name) => name.clone(),
        None => default_name(&args.source)?,
    };
    anyhow::ensure!(
        !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.'),
        "`{name}` cannot name a folder under sites/; pass another with --name"
    );
    let folder_on_disk = workspace.root.join(&workspace.settings.sites).join(&name);
    if folder_on_disk.exists() {
        bail!(
            "{} already exists; choose another name with --name",
            folder_on_disk.display()
        );
    }
    let repository = workspace.root.clone();
    let folder = format!(
        "{}/{name}",
        workspace
            .settings
            .sites
            .to_string_lossy()
            .trim_end_matches('/')
    );

    let started = Instant::now();
    println!("{:>10} {} into {folder}/", "Fetching", args.source);
    // Each step can take a while on a long history: a spinner says which.
    let progress = Progress::spinner(false);
    progress.working_on("fetching the history");
    let tip = fetch_history(&repository, &args.source, &name)?;
    let source = GitTreeSource::open(&repository, &tip, "")?;
    let config = String::from_utf8_lossy(&source.read("_config.yml").with_context(|| {
        format!(
            "{} has no _config.yml at its tip: is it an Isomer site?",
            args.source
        )
    })?)
    .into_owned();

    progress.suspend(|| println!("{:>10} {name} (as it is at {})", "Checking", &tip[..12]));
    progress.working_on(format!("checking {name}"));
    let themes = workspace.themes()?;
    let theme = workspace.settings.default_theme.clone();
    let request = BuildRequest {
        name: &name,
        site: &source,
        themes: &themes,
        theme: &theme,
        last_changed: FileDates::Unknown,
        load: Default::default(),
    };
    let errors = match check_request(&request, &CheckOptions::default()) {
        Ok(report) => report.error_count(),
        Err(error) => bail!("cannot check {name}: {error}"),
    };

    let settings = site_toml(&theme, config_url(&config).as_deref(), errors);
    progress.working_on(format!("rewriting each commit under {folder}/"));
    let grafted = graft_history(
        &repository,
        &tip,
        &folder,
        &[("site.toml", settings.as_bytes())],
        &format!("Import {name} with Gazette: its settings (site.toml)"),
    )?;
    drop(progress);
    println!(
        "{:>10} {name}: {} commits under {folder}/, in {} ms",
        "Imported",
        grafted.commits,
        started.elapsed().as_millis()
    );
    println!("\n{folder}/site.toml:\n{settings}");
    println!("Next:");
    println!("  gazette build {name}      # build it into public/{name}/");
    println!("  gazette serve {name}      # preview it while editing");
    println!("  gazette check {name}      # see each problem the checker finds");
    println!("  gazette publish {name}    # publish it from the commit at HEAD");
    if errors > 0 {
        println!(
            "The checker found {errors} error{} in {name}: `check = \"warn\"` lets it publish \
             until they are fixed.",
            if errors == 1 { "" } else { "s" }
        );
    }
    Ok(true)
}

/// The name a source suggests: its last path segment without `.git` or
/// `.bundle` and the like.
fn default_name(source: &str) -> anyhow::Result<String> {
    let last = source
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\', ':'])
        .next()
        .unwrap_or_default();
    let stem = Path::new(last)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = [".git", ".bundle", ".history"]
        .iter()
        .fold(stem, |stem, suffix| {
            stem.strip_suffix(suffix).map(str::to_owned).unwrap_or(stem)
        });
    if stem.is_empty() {
        bail!("cannot tell a site name from `{source}`; pass one with --name");
    }
    Ok(stem)
}

/// `url:` of `_config.yml`, read as a plain top-level line (the site's
/// address; nothing else of the file matters here).
fn config_url(config: &str) -> Option<String> {
    config.lines().find_map(|line| {
        let value = line.strip_prefix("url:")?.trim();
        let value = value.trim_matches(['"', '\'']);
        (!value.is_empty()).then(|| value.to_owned())
    })
}

/// The `site.toml` an import writes: what it learned, each line explained.
fn site_toml(theme: &str, url: Option<&str>, errors: usize) -> String {
    let mut text =
        String::from("# Written by `gazette import`; every key is optional (see README.md).\n");
    text.push_str(&format!("theme = \"{theme}\"\n"));
    if let Some(url) = url {
        text.push_str(&format!(
            "# From `url` in _config.yml.\nbase_url = {}\n",
            toml_string(url)
        ));
    }
    if errors > 0 {
        text.push_str(&format!(
            "# The checker found {errors} error{} when this site was imported: publish anyway\n\
             # until they are fixed, then remove this line.\ncheck = \"warn\"\n",
            if errors == 1 { "" } else { "s" }
        ));
    }
    text
}

/// A TOML basic string.
fn toml_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
