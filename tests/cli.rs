//! The `gazette` program as people and scripts meet it: the version, `-q`
//! and `-v`, colours, the JSON summary of `build`, a mistyped site name,
//! shell completions and the manual page.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{minimal_site, write};

fn gazette(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gazette"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("gazette runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A small site with one page whose front matter does not parse: Jekyll
/// builds it with a warning.
fn site_with_a_warning(root: &Path) {
    minimal_site(root, "Agency");
    write(
        root,
        "pages/broken.md",
        "---\ntitle: [unclosed\n---\nText.\n",
    );
}

fn build(site: &Path, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec![
        "build",
        site.to_str().expect("UTF-8 path"),
        "--out",
        out.to_str().expect("UTF-8 path"),
    ];
    args.extend_from_slice(extra);
    gazette(&args, env)
}

#[test]
fn version_names_the_release_and_the_commit_it_was_built_from() {
    let output = gazette(&["--version"], &[]);
    assert!(output.status.success());
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git runs");
    let head = text(&head.stdout).trim().to_owned();
    let version = text(&output.stdout);
    assert!(
        version.starts_with(&format!("gazette {} ({head} ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
}

#[test]
fn colours_follow_no_color_clicolor_force_and_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("agency");
    site_with_a_warning(&site);
    let out = dir.path().join("out");

    let piped = build(&site, &out, &[], &[]);
    assert!(piped.status.success(), "{}", text(&piped.stderr));
    assert!(
        text(&piped.stderr).contains("warning"),
        "{}",
        text(&piped.stderr)
    );
    assert!(!piped.stderr.contains(&0x1b), "no colour into a pipe");
    assert!(!piped.stdout.contains(&0x1b), "no colour into a pipe");

    let forced = build(&site, &out, &[], &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.stderr.contains(&0x1b), "{}", text(&forced.stderr));
    assert!(forced.stdout.contains(&0x1b), "{}", text(&forced.stdout));

    let refused = build(
        &site,
        &out,
        &[],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    assert!(!refused.stderr.contains(&0x1b), "NO_COLOR wins");
    assert!(!refused.stdout.contains(&0x1b), "NO_COLOR wins");
}

#[test]
fn quiet_prints_errors_only_and_verbose_says_where_sites_come_from() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("agency");
    site_with_a_warning(&site);
    let out = dir.path().join("out");

    let normal = build(&site, &out, &[], &[]);
    assert!(
        text(&normal.stdout).contains("Built agency: "),
        "{}",
        text(&normal.stdout)
    );
    assert!(!text(&normal.stderr).contains("Building agency"));

    let quiet = build(&site, &out, &["-q"], &[]);
    assert!(quiet.status.success());
    assert_eq!(text(&quiet.stdout), "");
    assert_eq!(text(&quiet.stderr), "", "a warning is not an error");

    let verbose = build(&site, &out, &["-v"], &[]);
    let said = text(&verbose.stderr);
    assert!(
        said.contains(&format!("Building agency from {}", site.display())),
        "{said}"
    );
    assert!(said.contains("(theme isomer)"), "{said}");

    let both = gazette(&["-q", "-v", "build"], &[]);
    assert_eq!(both.status.code(), Some(2), "-q and -v conflict");
}

#[test]
fn build_format_json_summarises_each_site_with_its_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    site_with_a_warning(&good);
    let bad = dir.path().join("bad");
    minimal_site(&bad, "Bad");
    write(
        &bad,
        "pages/a.md",
        "---\ntitle: A\npermalink: /../x/\n---\n",
    );
    let out = dir.path().join("out");

    let output = gazette(
        &[
            "build",
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document on stdout");
    let sites = report["sites"].as_array().expect("a list of sites");
    assert_eq!(sites.len(), 2);
    assert_eq!(sites[0]["site"], "good");
    assert_eq!(sites[0]["status"], "built");
    assert!(sites[0]["pages"].as_u64().unwrap() >= 2, "{report:#}");
    assert_eq!(sites[0]["errors"], 0);
    assert_eq!(sites[0]["warnings"], 1);
    assert_eq!(sites[0]["diagnostics"][0]["file"], "pages/broken.md");
    assert_eq!(sites[1]["site"], "bad");
    assert_eq!(sites[1]["status"], "failed");
    assert!(sites[1]["errors"].as_u64().unwrap() >= 1, "{report:#}");
    assert!(sites[1]["pages"].is_null());
    assert_eq!(text(&output.stderr), "", "JSON mode prints nothing else");
}

#[test]
fn an_unknown_site_name_lists_the_sites_and_suggests_the_closest() {
    let output = gazette(&["build", "ogpp", "--out", "/nonexistent/never"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let said = text(&output.stderr);
    assert!(
        said.contains("`ogpp` is neither a site under sites/ nor a folder (sites: govtech, ogp); did you mean `ogp`?"),
        "{said}"
    );
    let far = gazette(&["check", "treasury"], &[]);
    let said = text(&far.stderr);
    assert!(said.contains("(sites: govtech, ogp)"), "{said}");
    assert!(!said.contains("did you mean"), "{said}");
}

#[test]
fn completions_and_the_manual_page_cover_every_command() {
    let bash = gazette(&["completions", "bash"], &[]);
    assert!(bash.status.success());
    let script = text(&bash.stdout);
    assert!(script.contains("complete -F _gazette"), "{script}");
    for word in ["build", "check", "publish", "serve", "--format", "--quiet"] {
        assert!(script.contains(word), "bash completion lacks {word}");
    }
    let zsh = gazette(&["completions", "zsh"], &[]);
    assert!(text(&zsh.stdout).starts_with("#compdef gazette"));
    let wrong = gazette(&["completions", "cmd.exe"], &[]);
    assert_eq!(wrong.status.code(), Some(2));

    let man = gazette(&["man"], &[]);
    assert!(man.status.success());
    let page = text(&man.stdout);
    assert!(page.contains(".TH gazette 1"), "{page}");
    assert!(page.contains("gazette\\-build"), "{page}");
    assert!(page.contains(env!("CARGO_PKG_VERSION")), "{page}");
}
