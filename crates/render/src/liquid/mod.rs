//! Liquid inside content and stylesheets, evaluated the way Jekyll did.
//!
//! Isomer pages use `{{ site.* }}`, `{{ page.* }}`, loops over `site.data.*`,
//! `if`, `assign`, `capture` and filters. The `liquid` crate implements the
//! language; this module adds Jekyll's filters and Jekyll's forgiving lookups:
//! a variable or key that does not exist is empty, as it was for Jekyll,
//! instead of an error.

use std::collections::BTreeSet;
use std::sync::Arc;

use liquid_core::Object;
use liquid_core::model::{KString, KStringCow, ScalarCow, ValueCow, try_find};
use liquid_core::parser::Language;
use liquid_core::runtime::{GlobalFrame, PartialStore, Registers, RuntimeCore};
use liquid_core::{
    Display_filter, Filter, FilterReflection, ParseFilter, Renderable, Runtime, Value, ValueView,
};
use liquid_lib::{jekyll, stdlib};
use std::cell::RefCell;

/// A Liquid template could not be parsed or rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LiquidError {
    /// What went wrong, in one line.
    pub message: String,
    /// The 1-based line inside the template, when it could be located.
    pub line: Option<u32>,
}

/// Parses and renders Liquid with the Jekyll subset Isomer sites use.
#[derive(Clone)]
pub struct LiquidEngine {
    language: Arc<Language>,
}

impl Default for LiquidEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl LiquidEngine {
    /// The standard tags and filters, Jekyll's filters, and Gazette's URL filters.
    pub fn new() -> Self {
        let mut language = Language::empty();
        macro_rules! tags { ($($tag:expr),* $(,)?) => { $( { let tag: Box<dyn liquid_core::ParseTag> = Box::new($tag); language.tags.register(tag.reflection().tag().to_owned(), tag); } )* } }
        macro_rules! blocks { ($($block:expr),* $(,)?) => { $( { let block: Box<dyn liquid_core::ParseBlock> = Box::new($block); language.blocks.register(block.reflection().start_tag().to_owned(), block); } )* } }
        macro_rules! filters { ($($filter:expr),* $(,)?) => { $( { let filter: Box<dyn liquid_core::ParseFilter> = Box::new($filter); language.filters.register(filter.reflection().name().to_owned(), filter); } )* } }
        tags!(
            stdlib::AssignTag,
            stdlib::BreakTag,
            stdlib::ContinueTag,
            stdlib::CycleTag,
            stdlib::IncrementTag,
            stdlib::DecrementTag,
        );
        blocks!(
            stdlib::RawBlock,
            stdlib::IfBlock,
            stdlib::UnlessBlock,
            stdlib::IfChangedBlock,
            stdlib::ForBlock,
            stdlib::TableRowBlock,
            stdlib::CommentBlock,
            stdlib::CaptureBlock,
            stdlib::CaseBlock,
        );
        filters!(
            stdlib::Abs,
            stdlib::Append,
            stdlib::AtLeast,
            stdlib::AtMost,
            stdlib::Capitalize,
            stdlib::Ceil,
            stdlib::Compact,
            stdlib::Concat,
            stdlib::Date,
            stdlib::Default,
            stdlib::DividedBy,
            stdlib::Downcase,
            stdlib::Escape,
            stdlib::EscapeOnce,
            stdlib::First,
            stdlib::Floor,
            stdlib::Join,
            stdlib::Last,
            stdlib::Lstrip,
            stdlib::Map,
            stdlib::Minus,
            stdlib::Modulo,
            stdlib::NewlineToBr,
            stdlib::Plus,
            stdlib::Prepend,
            stdlib::Remove,
            stdlib::RemoveFirst,
            stdlib::Replace,
            stdlib::ReplaceFirst,
            stdlib::Reverse,
            stdlib::Round,
            stdlib::Rstrip,
            stdlib::Size,
            stdlib::Slice,
            stdlib::SortNatural,
            stdlib::Split,
            stdlib::Strip,
            stdlib::StripHtml,
            stdlib::StripNewlines,
            stdlib::Times,
            stdlib::Truncate,
            stdlib::TruncateWords,
            stdlib::Uniq,
            stdlib::Upcase,
            stdlib::UrlDecode,
            stdlib::UrlEncode,
            stdlib::Where,
            jekyll::Sort,
            jekyll::Push,
            jekyll::Pop,
            jekyll::Shift,
            jekyll::Unshift,
            jekyll::ArrayToSentenceString,
            jekyll::Slugify,
            RelativeUrl,
            AbsoluteUrl,
            Jsonify,
        );
        Self {
            language: Arc::new(language),
        }
    }

    /// Whether `text` contains any Liquid at all (most pages do not).
    pub fn has_liquid(text: &str) -> bool {
        gazette_content::has_liquid(text)
    }

    /// Renders `text` with the `site` and `page` objects.
    pub fn render(&self, text: &str, site: &Value, page: &Value) -> Result<String, LiquidError> {
        let elements = liquid_core::parser::parse(text, &self.language)
            .map_err(|error| to_liquid_error(&error, text))?;
        let template = liquid_core::runtime::Template::new(elements);
        let core = RuntimeCore::new();
        let root = ForgivingGlobals {
            core: &core,
            site,
            page,
            counters: RefCell::default(),
        };
        let runtime = GlobalFrame::new(root);
        let mut out = Vec::with_capacity(text.len() + 256);
        template
            .render_to(&mut out, &runtime)
            .map_err(|error| to_liquid_error(&error, text))?;
        String::from_utf8(out).map_err(|_| LiquidError {
            message: "Liquid produced text that is not UTF-8".into(),
            line: None,
        })
    }
}

/// Turns a liquid error into one line, locating it in the template when the
/// message quotes the offending tag.
fn to_liquid_error(error: &liquid_core::Error, text: &str) -> LiquidError {
    let full = error.to_string();
    let message = full
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let line = full
        .lines()
        .filter_map(|line| line.split_once("from: ").map(|(_, quoted)| quoted.trim()))
        .find_map(|quoted| text.find(quoted))
        .map(|offset| text[..offset].matches('\n').count() as u32 + 1);
    LiquidError { message, line }
}

/// The bottom of the runtime stack: reads `site` and `page`, and answers `nil`
/// for anything missing, as Jekyll's Liquid did. Borrowing both keeps a
/// site's data from being copied for every page.
struct ForgivingGlobals<'a> {
    core: &'a RuntimeCore<'a>,
    site: &'a Value,
    page: &'a Value,
    /// What `increment` and `decrement` count.
    counters: RefCell<Object>,
}

impl Runtime for ForgivingGlobals<'_> {
    fn partials(&self) -> &dyn PartialStore {
        self.core.partials()
    }

    fn name(&self) -> Option<liquid_core::model::KStringRef<'_>> {
        None
    }

    fn roots(&self) -> BTreeSet<KStringCow<'_>> {
        [
            KStringCow::from_static("site"),
            KStringCow::from_static("page"),
        ]
        .into_iter()
        .collect()
    }

    fn try_get(&self, path: &[ScalarCow<'_>]) -> Option<ValueCow<'_>> {
        let (root, rest) = path.split_first()?;
        match root.to_kstr().as_str() {
            "site" => try_find(self.site, rest),
            "page" => try_find(self.page, rest),
            _ => None,
        }
    }

    fn get(&self, path: &[ScalarCow<'_>]) -> liquid_core::Result<ValueCow<'_>> {
        Ok(self.try_get(path).unwrap_or(ValueCow::Owned(Value::Nil)))
    }

    fn set_global(&self, _name: KString, _value: Value) -> Option<Value> {
        // GlobalFrame above keeps assignments; nothing reaches this frame.
        None
    }

    fn set_index(&self, name: KString, value: Value) -> Option<Value> {
        self.counters.borrow_mut().insert(name, value)
    }

    fn get_index<'a>(&'a self, name: &str) -> Option<ValueCow<'a>> {
        self.counters
            .borrow()
            .get(name)
            .map(|value| ValueCow::Owned(value.clone()))
    }

    fn registers(&self) -> &Registers {
        self.core.registers()
    }
}

/// The site's `baseurl` as the runtime sees it.
fn base_url(runtime: &dyn Runtime) -> String {
    let path = [ScalarCow::new("site"), ScalarCow::new("baseurl")];
    runtime
        .try_get(&path)
        .map(|value| value.to_kstr().trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

fn site_url(runtime: &dyn Runtime) -> String {
    let path = [ScalarCow::new("site"), ScalarCow::new("url")];
    runtime
        .try_get(&path)
        .map(|value| value.to_kstr().trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

fn prefix_path(base: &str, input: &str) -> String {
    if input.contains("://") || input.starts_with("//") {
        return input.to_owned();
    }
    let separator = if input.starts_with('/') || input.is_empty() {
        ""
    } else {
        "/"
    };
    format!("{base}{separator}{input}")
}

#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "relative_url",
    description = "Prefixes a path with the site's baseurl.",
    parsed(RelativeUrlFilter)
)]
struct RelativeUrl;

#[derive(Debug, Default, Display_filter)]
#[name = "relative_url"]
struct RelativeUrlFilter;

impl Filter for RelativeUrlFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> liquid_core::Result<Value> {
        let base = base_url(runtime);
        Ok(Value::scalar(prefix_path(&base, &input.to_kstr())))
    }
}

#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "absolute_url",
    description = "Prefixes a path with the site's url and baseurl.",
    parsed(AbsoluteUrlFilter)
)]
struct AbsoluteUrl;

#[derive(Debug, Default, Display_filter)]
#[name = "absolute_url"]
struct AbsoluteUrlFilter;

impl Filter for AbsoluteUrlFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> liquid_core::Result<Value> {
        let base = format!("{}{}", site_url(runtime), base_url(runtime));
        Ok(Value::scalar(prefix_path(&base, &input.to_kstr())))
    }
}

#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "jsonify",
    description = "Writes a value as JSON.",
    parsed(JsonifyFilter)
)]
struct Jsonify;

#[derive(Debug, Default, Display_filter)]
#[name = "jsonify"]
struct JsonifyFilter;

impl Filter for JsonifyFilter {
    fn evaluate(
        &self,
        input: &dyn ValueView,
        _runtime: &dyn Runtime,
    ) -> liquid_core::Result<Value> {
        let json = serde_json::to_string(&input.to_value()).unwrap_or_default();
        Ok(Value::scalar(json))
    }
}

/// Converts a JSON-like value for Liquid; the conversion cannot fail for
/// values that came from YAML.
pub(crate) fn liquid_value(value: &gazette_content::Value) -> Value {
    liquid_core::to_value(value).unwrap_or(Value::Nil)
}

/// Liquid's `site`, converted when a page first needs it: most pages have
/// no Liquid, and a publish of edited pages keeps it as JSON text until then.
pub(crate) struct LiquidSite {
    json: String,
    value: std::sync::OnceLock<Value>,
}

impl LiquidSite {
    pub(crate) fn ready(value: Value) -> Self {
        Self {
            json: String::new(),
            value: value.into(),
        }
    }

    /// From the JSON text of a kept state.
    pub(crate) fn from_json(json: String) -> Self {
        Self {
            json,
            value: std::sync::OnceLock::new(),
        }
    }

    pub(crate) fn get(&self) -> &Value {
        self.value.get_or_init(|| {
            // The text was written by `Value::to_string` into a state whose
            // bytes are checked against their hash when read back, so it
            // always parses.
            let value: gazette_content::Value =
                serde_json::from_str(&self.json).unwrap_or_default();
            liquid_value(&value)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str) -> Result<String, LiquidError> {
        let site = liquid_core::to_value(&serde_json::json!({
            "title": "Agency",
            "baseurl": "",
            "colors": {"primary-color": "#123456", "media-colors": [{"title": "one", "color": "#fff"}]},
            "data": {"offices": [{"name": "North", "open": true}, {"name": "South", "open": false}]}
        }))
        .unwrap();
        let page = liquid_core::to_value(&serde_json::json!({"title": "Contact"})).unwrap();
        LiquidEngine::new().render(text, &site, &page)
    }

    #[test]
    fn loops_conditions_assign_capture_and_filters_work() {
        let text = "{% assign open = 0 %}{% capture heading %}{{ page.title | upcase }}{% endcapture %}{{ heading }}:{% for office in site.data.offices %}{% if office.open %} {{ office.name | downcase }}{% endif %}{% endfor %} {{ site.data.offices | size }}";
        assert_eq!(render(text).unwrap(), "CONTACT: north 2");
    }

    #[test]
    fn hyphenated_keys_and_whitespace_control_work_as_in_isomer_stylesheets() {
        let text = "$primary: {{- site.colors.primary-color -}};\n{%- for media-color in site.colors.media-colors -%}\n${{- media-color.title -}}: {{- media-color.color -}};\n{%- endfor -%}";
        assert_eq!(render(text).unwrap(), "$primary:#123456;$one:#fff;");
    }

    #[test]
    fn missing_variables_are_empty_as_in_jekyll() {
        assert_eq!(
            render("[{{ page.nothing }}|{{ nowhere.deep }}|{{ site.title | relative_url }}]")
                .unwrap(),
            "[||/Agency]"
        );
    }

    #[test]
    fn a_syntax_error_is_reported_with_its_line() {
        let error = render("line one\n{% if %}\n").unwrap_err();
        assert!(!error.message.is_empty());
    }
}
