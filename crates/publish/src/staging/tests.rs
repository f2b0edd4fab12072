//! A version written as its site renders: the same files as a render written
//! after, and nothing of it left when the render or a write fails.

use std::collections::BTreeMap;
use std::path::Path;

use gazette_content::MemorySource;
use gazette_render::{BuildRequest, FileDates, render_request, render_request_into};
use gazette_store::WorkTreeSource;

use super::*;
use crate::folder::write_site;
use crate::output::OUTPUT_MARKER;
use crate::stamps::{STAMPS_PATH, Stamps};

fn themes() -> WorkTreeSource {
    WorkTreeSource::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes"))
        .expect("the workspace's themes")
}

fn site(pages: usize, broken: Option<usize>) -> MemorySource {
    let mut source = MemorySource::from_files([
        ("_config.yml", "title: Agency\n".to_owned()),
        (
            "index.md",
            "---\nlayout: homepage\ntitle: Home\n---\n".to_owned(),
        ),
        ("images/logo.png", "a copied file".to_owned()),
    ]);
    for page in 0..pages {
        let body = if broken == Some(page) {
            "{% if page.title %}Never closed\n"
        } else {
            "Some text.\n"
        };
        source.insert(
            format!("pages/p{page}.md"),
            format!("---\ntitle: Page {page}\npermalink: /p{page}/\n---\n{body}"),
        );
    }
    source
}

fn request<'a>(source: &'a MemorySource, themes: &'a WorkTreeSource) -> BuildRequest<'a> {
    BuildRequest {
        name: "agency",
        site: source,
        themes,
        theme: "isomer",
        last_changed: FileDates::Unknown,
        load: Default::default(),
    }
}

/// Every file under `root` with its bytes, but the record of their stamps
/// (inodes and times differ between two writes).
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![root.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let relative = path.strip_prefix(root).unwrap().to_string_lossy();
            if relative != STAMPS_PATH {
                files.insert(relative.into_owned(), fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// The staging folders of the target at `out`.
fn staging_folders(out: &Path) -> Vec<PathBuf> {
    let versions = out.with_file_name(".site.gazette");
    fs::read_dir(versions)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("tmp-")
        })
        .collect()
}

#[test]
fn a_site_written_as_it_renders_is_the_site_rendered_first_and_written_after() {
    let dir = tempfile::tempdir().unwrap();
    let (source, themes) = (site(30, None), themes());
    let streamed_out = dir.path().join("streamed").join("site");
    let target = FolderTarget::new(&streamed_out);
    let _lock = target.lock().unwrap();
    let staged = target.stage(SpareLink::Always).unwrap();
    let (rendered, _) = render_request_into(&request(&source, &themes), Some(&staged)).unwrap();
    staged.finish(&rendered, &source).unwrap();

    let written_out = dir.path().join("written").join("site");
    let (whole, _) = render_request(&request(&source, &themes)).unwrap();
    write_site(&whole, &source, &written_out).unwrap();

    let streamed = tree(&streamed_out);
    assert!(
        streamed.contains_key("p29/index.html"),
        "{:?}",
        streamed.keys()
    );
    assert!(streamed.contains_key("images/logo.png"));
    assert_eq!(streamed, tree(&written_out));
    // Its record names every file: the next publish may recycle it.
    let stamps = Stamps::read(&streamed_out).expect("a record of the files");
    for path in streamed.keys().filter(|path| *path != OUTPUT_MARKER) {
        let file = streamed_out.join(path);
        assert!(
            stamps.unchanged(path, &file).is_some(),
            "{path} is recorded"
        );
    }
}

#[test]
fn a_render_that_fails_after_writing_pages_leaves_nothing_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let themes = themes();
    let good = site(5, None);
    let (first, _) = render_request(&request(&good, &themes)).unwrap();
    write_site(&first, &good, &out).unwrap();
    let before = tree(&out);

    let broken = site(40, Some(39));
    let target = FolderTarget::new(&out);
    let _lock = target.lock().unwrap();
    let staged = target.stage(SpareLink::Always).unwrap();
    let failed = render_request_into(&request(&broken, &themes), Some(&staged));
    assert!(failed.is_err(), "the unclosed `if` is an error");
    // The other pages were written while the site rendered…
    let [staging] = staging_folders(&out).try_into().unwrap();
    assert!(staging.join("p0/index.html").is_file());
    // …and go with the version, which is never switched in.
    drop(staged);
    assert!(!staging.exists());
    assert!(staging_folders(&out).is_empty());
    assert_eq!(tree(&out), before, "the previous output is untouched");
}

#[test]
fn a_write_that_fails_while_rendering_fails_the_publish_and_switches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let themes = themes();
    let source = site(3, None);
    let (first, _) = render_request(&request(&source, &themes)).unwrap();
    write_site(&first, &source, &out).unwrap();
    let before = tree(&out);

    let target = FolderTarget::new(&out);
    let _lock = target.lock().unwrap();
    let staged = target.stage(SpareLink::Always).unwrap();
    let (rendered, _) = render_request_into(&request(&source, &themes), Some(&staged)).unwrap();
    // A path no render makes, as a full disk would fail a write.
    let escaping = gazette_render::Output {
        path: "../outside.html".to_owned(),
        contents: OutputContents::Rendered(b"x".to_vec()),
        origin: "test".to_owned(),
    };
    staged.put("test", "", &escaping);
    assert!(matches!(
        staged.finish(&rendered, &source),
        Err(OutputError::Escapes(_))
    ));
    assert!(staging_folders(&out).is_empty());
    assert!(!dir.path().join("outside.html").exists());
    assert_eq!(tree(&out), before);
}
