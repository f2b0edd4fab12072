//! `gazette serve`: live preview while editing.

use std::net::IpAddr;
use std::sync::Arc;

use anyhow::Context as _;
use gazette_publish::Workspace;
use gazette_serve::{Change, ConnectionLimits, ServeEvent, ServeOptions};

use crate::ServeArgs;
use crate::report;

/// Serves the requested sites until the process is stopped.
pub fn run(args: &ServeArgs) -> anyhow::Result<bool> {
    let current = std::env::current_dir().context("cannot read the current folder")?;
    let workspace = Workspace::discover_or_site(&current)?;
    let entries = workspace.select(&args.sites)?;
    anyhow::ensure!(
        !entries.is_empty(),
        "{}",
        crate::workspace::no_sites(&workspace, "serve")
    );
    if !is_loopback(args.bind) {
        eprintln!(
            "warning: serving on {} makes unpublished drafts reachable from other machines",
            args.bind
        );
    }
    // Without a themes folder the built-in themes are used and nothing of
    // them changes while serving.
    let themes_dir = match workspace.declared && workspace.themes_dir().is_dir() {
        true => Some(std::fs::canonicalize(workspace.themes_dir()).context("cannot read themes/")?),
        false => None,
    };
    let mut watch: Vec<_> = entries.iter().map(|site| site.path.clone()).collect();
    watch.extend(themes_dir.clone());
    let roots: Vec<(String, std::path::PathBuf)> = entries
        .iter()
        .map(|site| (site.name.clone(), site.path.clone()))
        .collect();
    let sites = entries
        .into_iter()
        .map(|site| {
            let theme = workspace.theme_of(&site).to_owned();
            (site, theme)
        })
        .collect();
    let options = ServeOptions {
        sites,
        themes_dir,
        watch,
        bind: args.bind,
        port: args.port,
        allowed_hosts: args.allow_hosts.clone(),
        limits: ConnectionLimits::default(),
        load: args.preview.load_options(args.base_url.as_ref()),
        port_book: gazette_store::git_dir(&workspace.root)
            .ok()
            .map(|git_dir| git_dir.join("gazette").join("preview-ports")),
    };
    let open = args.open;
    let report = Arc::new(move |event: ServeEvent| match event {
        ServeEvent::Ready { index, sites } => {
            println!("   Serving the site index at http://{index}/");
            for (name, address) in &sites {
                println!("   Serving {name} at http://{address}/");
            }
            if open {
                let shown = match sites.as_slice() {
                    [(_, only)] => *only,
                    _ => index,
                };
                open_in_browser(&format!("http://{}/", browsable(shown)));
            }
        }
        ServeEvent::Rebuilt {
            site,
            change,
            elapsed,
            pages_only,
        } => {
            let root = roots
                .iter()
                .find(|(name, _)| *name == site)
                .map(|(_, root)| root.as_path())
                .unwrap_or(std::path::Path::new("."));
            match change {
                Change::Failed(diagnostics) => {
                    report::print_diagnostics(&diagnostics, root);
                    eprintln!("    Failed {site}: showing the error in open pages");
                }
                Change::Reload if pages_only => println!(
                    "  Rendered {site} in {} ms (edited pages only)",
                    elapsed.as_millis()
                ),
                Change::Reload => println!("  Rendered {site} in {} ms", elapsed.as_millis()),
                Change::Stylesheets(_) => {
                    println!("  Restyled {site} in {} ms", elapsed.as_millis())
                }
                Change::Unchanged => {}
            }
        }
    });
    gazette_serve::serve(options, report)?;
    Ok(true)
}

/// Opens `url` in the browser (`BROWSER`, else the desktop's default) on a
/// thread of its own: a browser in the terminal may not return until it
/// closes, and the preview must keep serving meanwhile.
fn open_in_browser(url: &str) {
    let url = url.to_owned();
    std::thread::spawn(move || {
        if let Err(error) = webbrowser::open(&url) {
            eprintln!("warning: cannot open a browser ({error}); open {url} yourself");
        }
    });
}

/// The address to browse to: one listening on every address (`0.0.0.0`)
/// is reached on loopback.
fn browsable(address: std::net::SocketAddr) -> std::net::SocketAddr {
    match address.ip().is_unspecified() {
        true => std::net::SocketAddr::new(IpAddr::from([127, 0, 0, 1]), address.port()),
        false => address,
    }
}

fn is_loopback(address: IpAddr) -> bool {
    address.is_loopback()
}
