//! The `isomer` theme's Liquid includes parse and render with the Rust
//! `liquid` crate and Jekyll's `{% include %}` tag, the way a site's own
//! layout would call them.

use std::path::Path;
use std::sync::Arc;

use gazette_content::MemorySource;
use gazette_theme::Theme;
use liquid_core::parser::Language;
use liquid_core::partials::{EagerCompiler, InMemorySource, PartialCompiler};
use liquid_core::runtime::{PartialStore, RuntimeBuilder, Template};
use liquid_core::{Object, Renderable, Value};
use liquid_lib::{jekyll, stdlib};

/// Every file of the repository's `themes/` folder.
fn themes() -> MemorySource {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../themes");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("the themes folder") {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(&root).unwrap().to_string_lossy();
                files.push((relative.replace('\\', "/"), std::fs::read(&path).unwrap()));
            }
        }
    }
    MemorySource::from_files(files)
}

fn language() -> Arc<Language> {
    let mut language = Language::empty();
    language
        .tags
        .register("include".into(), jekyll::IncludeTag.into());
    language
        .tags
        .register("assign".into(), stdlib::AssignTag.into());
    language
        .tags
        .register("break".into(), stdlib::BreakTag.into());
    for (name, block) in [
        (
            "if",
            Box::new(stdlib::IfBlock) as Box<dyn liquid_core::ParseBlock>,
        ),
        ("unless", Box::new(stdlib::UnlessBlock)),
        ("for", Box::new(stdlib::ForBlock)),
        ("comment", Box::new(stdlib::CommentBlock)),
        ("capture", Box::new(stdlib::CaptureBlock)),
    ] {
        language.blocks.register(name.into(), block);
    }
    for (name, filter) in [
        (
            "default",
            Box::new(stdlib::Default) as Box<dyn liquid_core::ParseFilter>,
        ),
        ("replace", Box::new(stdlib::Replace)),
        ("slice", Box::new(stdlib::Slice)),
        ("downcase", Box::new(stdlib::Downcase)),
        ("upcase", Box::new(stdlib::Upcase)),
        ("strip", Box::new(stdlib::Strip)),
        ("first", Box::new(stdlib::First)),
    ] {
        language.filters.register(name.into(), filter);
    }
    Arc::new(language)
}

struct Includes {
    language: Arc<Language>,
    store: Box<dyn PartialStore + Send + Sync>,
}

impl Includes {
    fn load() -> Self {
        let theme = Theme::load(&themes(), "isomer", None).expect("the isomer theme");
        let mut source = InMemorySource::new();
        for name in theme.include_names() {
            source.add(name, theme.include(name).unwrap());
            // liquid-lib's `include` reads `a/b.html` as an expression, so
            // the tests also name nested includes by their file name alone.
            if let Some((_, file)) = name.rsplit_once('/') {
                source.add(file, theme.include(name).unwrap());
            }
        }
        let language = language();
        let store = EagerCompiler::new(source)
            .compile(language.clone())
            .expect("every include parses");
        Self { language, store }
    }

    /// Renders `text`. The runtime here is strict where Gazette's is
    /// forgiving (a missing key is nil there), so tests give every key.
    fn render(&self, text: &str, globals: serde_json::Value) -> String {
        let template = Template::new(
            liquid_core::parser::parse(text, &self.language).expect("the test template parses"),
        );
        let globals: Object = match liquid_core::model::to_value(&globals).unwrap() {
            Value::Object(object) => object,
            _ => unreachable!(),
        };
        let runtime = RuntimeBuilder::new()
            .set_globals(&globals)
            .set_partials(self.store.as_ref())
            .build();
        template.render(&runtime).expect("the include renders")
    }
}

fn squeeze(html: &str) -> String {
    html.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_theme_provides_the_includes_real_sites_call() {
    let theme = Theme::load(&themes(), "isomer", None).unwrap();
    for name in [
        "header-breadcrumb.html",
        "links-baseurl.html",
        "sublinks-baseurl.html",
        "functions/external_url.html",
    ] {
        assert!(theme.include(name).is_some(), "no include {name}");
    }
}

#[test]
fn the_breadcrumb_has_the_title_bands_markup() {
    let includes = Includes::load();
    let html = includes.render(
        "{% include header-breadcrumb.html %}",
        serde_json::json!({
            "site": {"baseurl": "", "guides": [{"url": "/guides/start/"}, {"url": "/guides/next/"}]},
            "page": {"title": "Next steps", "collection": "guides", "third_nav_title": "Getting started", "breadcrumb": null},
        }),
    );
    assert_eq!(
        squeeze(&html),
        "<nav class=\"breadcrumbs\" aria-label=\"Breadcrumb\"> <ol> <li><a href=\"/\">Home</a></li>\
         <li><a href=\"/guides/start/\">guides</a></li><li><span>Getting started</span></li>\
         <li><span aria-current=\"page\">Next steps</span></li> </ol> </nav>"
    );
    let plain = includes.render(
        "{% include header-breadcrumb.html %}",
        serde_json::json!({
            "site": {"baseurl": "/agency"},
            "page": {"title": "Contact Us", "breadcrumb": "Contact", "collection": null},
        }),
    );
    assert!(
        plain.contains("<li><a href=\"/agency/\">Home</a></li>"),
        "{plain}"
    );
    assert!(
        plain.contains("aria-current=\"page\">Contact</span>"),
        "{plain}"
    );
    assert!(!plain.contains("Contact Us"), "{plain}");
}

#[test]
fn the_url_helpers_assign_their_results_for_the_caller() {
    let includes = Includes::load();
    let html = includes.render(
        "{% for link in links %}{% include links-baseurl.html %}[{{ base-url }}{{ link.url }}]{% endfor %}\
         {% for sublink in links %}{% include sublinks-baseurl.html %}({{ sublink-base-url }}){% endfor %}",
        serde_json::json!({
            "site": {"baseurl": "/agency"},
            "links": [{"url": "/about/", "external": null}, {"url": "https://www.gov.sg/", "external": true}],
        }),
    );
    assert_eq!(html, "[/agency/about/][https://www.gov.sg/](/agency)()");

    let html = includes.render(
        "{% for url in urls %}{% assign url_input = url %}{% include external_url.html %}<a {{ anchor }}>{{ external }}</a>{% endfor %}",
        serde_json::json!({
            "site": {"baseurl": ""},
            "urls": [" https://go.gov.sg/form ", "/contact-us/", "HTTP://example.gov.sg"],
        }),
    );
    assert_eq!(
        html,
        "<a href=\"https://go.gov.sg/form\" target=\"_blank\" rel=\"noopener\">true</a>\
         <a href=\"/contact-us/\">false</a>\
         <a href=\"HTTP://example.gov.sg\" target=\"_blank\" rel=\"noopener\">true</a>"
    );
}
