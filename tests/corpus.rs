//! Real Isomer sites build with zero errors and cover every URL Jekyll wrote.
//!
//! Reads `../shared/corpus/isomer/` beside the checkout (never copied into the
//! project). The test fails loudly when the corpus is missing.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gazette_publish::{BuildRequest, render_request};
use gazette_store::WorkTreeSource;

use common::corpus_dir;

fn corpus_sites() -> Vec<(String, PathBuf, PathBuf)> {
    let dir = corpus_dir();
    let mut sites: Vec<(String, PathBuf, PathBuf)> = std::fs::read_dir(&dir)
        .expect("a readable corpus folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .filter_map(|path| {
            let name = path.file_name()?.to_string_lossy().into_owned();
            let urls = dir.join(format!("{name}.urls"));
            urls.is_file().then_some((name, path, urls))
        })
        .collect();
    sites.sort();
    assert!(
        !sites.is_empty(),
        "no sites with a .urls list in {}",
        dir.display()
    );
    sites
}

#[test]
fn every_corpus_site_builds_and_covers_every_jekyll_url() {
    let themes = WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes"))
        .expect("the themes folder");
    let mut failures = Vec::new();
    for (name, path, urls_file) in corpus_sites() {
        let source = WorkTreeSource::new(&path).expect("a site folder");
        let request = BuildRequest {
            name: &name,
            site: &source,
            themes: &themes,
            theme: "isomer",
            last_changed: None,
        };
        let (rendered, _warnings) = match render_request(&request) {
            Ok(result) => result,
            Err(diagnostics) => {
                failures.push(format!("{name} did not build:\n{diagnostics}"));
                continue;
            }
        };
        let expected: BTreeSet<String> = std::fs::read_to_string(&urls_file)
            .expect("a readable .urls file")
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect();
        let written: BTreeSet<String> = rendered.pages.iter().map(|p| p.url.clone()).collect();
        let missing: Vec<&String> = expected.difference(&written).collect();
        if !missing.is_empty() {
            failures.push(format!("{name} is missing URLs Jekyll wrote: {missing:?}"));
        }
        for page in rendered.pages.iter().filter(|p| !expected.contains(&p.url)) {
            println!("{name}: extra path {} (from {})", page.url, page.origin);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
