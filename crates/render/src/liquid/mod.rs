//! Liquid inside content, site layouts, includes and stylesheets, evaluated
//! as Ruby Liquid 4 under Jekyll 4 evaluates it (`strict_variables` and
//! `strict_filters` off, `error_mode: warn`).
//!
//! The `liquid` crates implement the language; Gazette adapts them through
//! their extension points, one concern a file:
//!
//! - `source.rs`: the pass before parsing (Ruby Liquid's tokenizer: tags'
//!   markup, `else if`, `{{ }}`, unknown filters, structure and nesting
//!   errors with their lines);
//! - `plain_text.rs`: a page's long stretches of text kept out of the
//!   parser, which reads text slowly;
//! - `runtime.rs`: frames where a missing variable, key or index is nil;
//! - `tags.rs`: `for`, `tablerow`, `if`/`unless`, `capture`, `assign`,
//!   `{{ }}`, and [`located`](tags::located) errors: a tag that fails while
//!   rendering renders nothing and becomes a warning with its line, as Ruby
//!   Liquid's lax render goes on past it;
//! - `condition.rs`: Ruby's truthiness and comparisons;
//! - `include.rs`: `include` (site, then theme), `link`, `post_url`,
//!   `highlight`, `include_relative`;
//! - `filters.rs`: Jekyll's filters and checked arithmetic;
//! - `budget.rs`: what one render may spend.
//!
//! Only what Ruby Liquid rejects while parsing (an unclosed tag, a syntax
//! error) and a budget running out are errors ([`LiquidEngine::render_page`]
//! returns them); everything else is a warning in [`LiquidOutput`].

mod budget;
mod condition;
mod dates;
pub(crate) use dates::singapore;
mod filters;
mod include;
mod plain_text;
mod runtime;
mod source;
mod tags;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use liquid_core::parser::Language;
use liquid_core::runtime::RuntimeCore;
use liquid_core::{Runtime, Value};
use liquid_lib::{jekyll, stdlib};

pub use budget::Limits;
use budget::{Budget, LimitedWriter};
use include::IncludeStore;
use tags::{Encoded, EncodedBlock};

/// A Liquid template could not be parsed or rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LiquidError {
    /// What went wrong, in one line.
    pub message: String,
    /// The 1-based line inside the file, when it could be located.
    pub line: Option<u32>,
    /// The include file it happened in (`_includes/NAME`, or the theme's),
    /// `None` for the template itself.
    pub file: Option<String>,
}

impl LiquidError {
    /// Where, as `file:line` (the file being `default` unless in an include).
    pub fn place(&self, default: &str) -> String {
        let file = self.file.as_deref().unwrap_or(default);
        match self.line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_owned(),
        }
    }
}

/// What a render produced, and what Ruby Liquid would have rendered past.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiquidOutput {
    /// The rendered text.
    pub text: String,
    /// Tags that failed while rendering (each rendered nothing).
    pub warnings: Vec<LiquidError>,
}

/// What the tags naming other files of the site find: URLs for `{% link %}`
/// and `{% post_url %}`, texts for `{% include_relative %}`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SiteTargets {
    /// Source paths of pages and posts → their URLs.
    pub pages: BTreeMap<String, String>,
    /// Post names (file stems, also with their folder under `_posts/`) →
    /// their URLs.
    pub posts: BTreeMap<String, String>,
    /// The files pages include relative to themselves, by site path. Not
    /// kept for page edits: a page edit that includes one takes the whole
    /// render.
    #[serde(skip)]
    pub relative_includes: BTreeMap<String, String>,
}

/// Parses and renders Liquid as Jekyll does.
#[derive(Clone)]
pub struct LiquidEngine {
    language: Arc<Language>,
    filters: Arc<HashSet<String>>,
    limits: Limits,
}

impl Default for LiquidEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl LiquidEngine {
    /// An engine without include files or link targets.
    pub fn new() -> Self {
        Self::with_files(BTreeMap::new(), &BTreeMap::new(), SiteTargets::default())
    }

    /// An engine whose `{% include NAME %}` reads the site's `_includes/`
    /// (`site`, by path inside the folder), then the theme's Liquid
    /// includes (`theme`).
    pub fn with_files(
        site: BTreeMap<String, String>,
        theme: &BTreeMap<String, String>,
        links: SiteTargets,
    ) -> Self {
        Self::with_limits(site, theme, links, Limits::default())
    }

    /// As [`with_files`](Self::with_files), with other budgets.
    pub fn with_limits(
        site: BTreeMap<String, String>,
        theme: &BTreeMap<String, String>,
        links: SiteTargets,
        limits: Limits,
    ) -> Self {
        let mut files: BTreeMap<String, (String, String)> = theme
            .iter()
            .map(|(name, text)| {
                (
                    name.clone(),
                    (format!("theme include `{name}`"), text.clone()),
                )
            })
            .collect();
        for (name, text) in site {
            files.insert(name.clone(), (format!("_includes/{name}"), text));
        }
        let mut store = IncludeStore::new(files);
        store.links = links.pages;
        store.posts = links.posts;
        store.relative = links.relative_includes;
        store.limits = limits;
        let mut language = Self::language_without_includes();
        // The include tags need the filter names to prepare included files.
        let mut filters: HashSet<String> =
            language.filters.plugin_names().map(str::to_owned).collect();
        filters.insert(source::UNKNOWN_FILTER.to_owned());
        store.filters = filters.clone();
        let store = Arc::new(store);
        macro_rules! tags { ($($tag:expr),* $(,)?) => { $( { let tag: Box<dyn liquid_core::ParseTag> = Box::new($tag); language.tags.register(tag.reflection().tag().to_owned(), tag); } )* } }
        tags!(
            include::IncludeTag {
                store: store.clone()
            },
            include::IncludeRelativeTag {
                store: store.clone()
            },
            include::LinkTag {
                store: store.clone(),
                posts: false
            },
            include::LinkTag {
                store: store.clone(),
                posts: true
            },
        );
        let language = Arc::new(language);
        let _ = store.language.set(Arc::downgrade(&language));
        Self {
            language,
            filters: Arc::new(filters),
            limits,
        }
    }

    /// Every tag, block and filter but those that read other files.
    fn language_without_includes() -> Language {
        let mut language = Language::empty();
        macro_rules! tags { ($($tag:expr),* $(,)?) => { $( { let tag: Box<dyn liquid_core::ParseTag> = Box::new($tag); language.tags.register(tag.reflection().tag().to_owned(), tag); } )* } }
        macro_rules! blocks { ($($block:expr),* $(,)?) => { $( { let block: Box<dyn liquid_core::ParseBlock> = Box::new($block); language.blocks.register(block.reflection().start_tag().to_owned(), block); } )* } }
        macro_rules! filters { ($($filter:expr),* $(,)?) => { $( { let filter: Box<dyn liquid_core::ParseFilter> = Box::new($filter); language.filters.register(filter.reflection().name().to_owned(), filter); } )* } }
        tags!(
            Encoded(tags::OutputTag),
            Encoded(tags::AssignTag),
            Encoded(stdlib::CycleTag),
            Encoded(stdlib::IncrementTag),
            Encoded(stdlib::DecrementTag),
            stdlib::BreakTag,
            stdlib::ContinueTag,
            plain_text::PlainTextTag,
        );
        blocks!(
            stdlib::RawBlock,
            stdlib::CommentBlock,
            EncodedBlock(tags::IfBlock { unless: false }),
            EncodedBlock(tags::IfBlock { unless: true }),
            EncodedBlock(stdlib::IfChangedBlock),
            EncodedBlock(tags::ForBlock),
            EncodedBlock(tags::TableRowBlock),
            EncodedBlock(tags::CaptureBlock),
            EncodedBlock(stdlib::CaseBlock),
            include::HighlightBlock,
        );
        filters!(
            stdlib::Abs,
            stdlib::Append,
            stdlib::AtLeast,
            stdlib::AtMost,
            stdlib::Capitalize,
            stdlib::Ceil,
            filters::AnyInput(stdlib::Compact),
            filters::AnyInput(stdlib::Concat),
            stdlib::Date,
            stdlib::Default,
            stdlib::Downcase,
            stdlib::Escape,
            stdlib::EscapeOnce,
            filters::AnyInput(stdlib::First),
            stdlib::Floor,
            filters::AnyInput(stdlib::Join),
            filters::AnyInput(stdlib::Last),
            stdlib::Lstrip,
            filters::AnyInput(stdlib::Map),
            stdlib::NewlineToBr,
            stdlib::Prepend,
            stdlib::Remove,
            stdlib::RemoveFirst,
            stdlib::Replace,
            stdlib::ReplaceFirst,
            filters::AnyInput(stdlib::Reverse),
            stdlib::Round,
            stdlib::Rstrip,
            stdlib::Size,
            stdlib::Slice,
            filters::AnyInput(stdlib::SortNatural),
            stdlib::Split,
            stdlib::Strip,
            stdlib::StripHtml,
            stdlib::StripNewlines,
            stdlib::Truncate,
            stdlib::TruncateWords,
            filters::AnyInput(stdlib::Uniq),
            stdlib::Upcase,
            stdlib::UrlDecode,
            stdlib::UrlEncode,
            jekyll::Push,
            jekyll::Pop,
            jekyll::Shift,
            jekyll::Unshift,
            jekyll::ArrayToSentenceString,
        );
        for filter in filters::all() {
            language
                .filters
                .register(filter.name.to_owned(), Box::new(filter));
        }
        language
    }

    /// Whether `text` contains any Liquid at all (most pages do not).
    pub fn has_liquid(text: &str) -> bool {
        gazette_content::has_liquid(text)
    }

    /// Renders `text` with the `site` and `page` objects; any problem, even
    /// one Jekyll renders past, is an error (stylesheets, tests).
    pub fn render(&self, text: &str, site: &Value, page: &Value) -> Result<String, LiquidError> {
        let output = self.render_page(text, &[("site", site), ("page", page)])?;
        match output.warnings.into_iter().next() {
            Some(warning) => Err(warning),
            None => Ok(output.text),
        }
    }

    /// Renders `text` with named values (`site`, `page`, `content`,
    /// `layout`, `paginator`, …). Errors are what Ruby Liquid rejects and
    /// budgets; tags that fail while rendering are warnings.
    pub fn render_page(
        &self,
        text: &str,
        named: &[(&str, &Value)],
    ) -> Result<LiquidOutput, LiquidError> {
        let (prepared, plain_texts) =
            source::prepare_stashing(text, &self.filters, self.limits.source_depth)?;
        let elements = liquid_core::parser::parse(&prepared, &self.language)
            .map_err(|error| from_parse_error(&error))?;
        let core = RuntimeCore::new();
        *core.registers().get_mut::<plain_text::PlainTexts>() = plain_texts;
        let globals = runtime::Globals {
            core: &core,
            named: named.to_vec(),
            assigned: Default::default(),
            counters: Default::default(),
        };
        {
            let mut budget = globals.core.registers().get_mut::<Budget>();
            budget.limits = self.limits;
            budget.started = Some(std::time::Instant::now());
        }
        let mut out = LimitedWriter::new(&core.registers().get_mut::<Budget>(), text.len() + 256);
        for element in &elements {
            let result = element.render_to(&mut out, &globals);
            let mut budget = globals.core.registers().get_mut::<Budget>();
            if let Some(fatal) = budget.fatal.take() {
                return Err(fatal);
            }
            if result.is_err() {
                // Raw text that could not be written: only the output budget.
                budget.check_output(1).ok();
                if let Some(fatal) = budget.fatal.take() {
                    return Err(fatal);
                }
            }
        }
        let warnings = std::mem::take(&mut globals.core.registers().get_mut::<Budget>().warnings);
        let text = String::from_utf8(out.bytes).map_err(|_| LiquidError {
            message: "Liquid produced text that is not UTF-8".into(),
            line: None,
            file: None,
        })?;
        Ok(LiquidOutput { text, warnings })
    }
}

/// A parse error of `liquid-core`, with the line the tags marked.
fn from_parse_error(error: &liquid_core::Error) -> LiquidError {
    include::error_from(error)
}

/// Converts a JSON-like value for Liquid; the conversion cannot fail for
/// values that came from YAML.
pub(crate) fn liquid_value(value: &gazette_content::Value) -> Value {
    liquid_core::to_value(value).unwrap_or(Value::Nil)
}

/// Liquid's `site`, converted when a page first needs it: most pages have
/// no Liquid, and a publish of edited pages keeps it as JSON text (in the
/// kept state's bytes) until then.
pub(crate) struct LiquidSite<'t> {
    json: SiteJson<'t>,
    value: std::sync::OnceLock<Value>,
}

/// What [`LiquidSite`] is converted from.
enum SiteJson<'t> {
    /// The value a whole render built (`SiteView::liquid_site`).
    Value(std::sync::Arc<gazette_content::Value>),
    /// The text of a kept state.
    Text(&'t str),
}

impl<'t> LiquidSite<'t> {
    /// From the value a whole render built.
    pub(crate) fn lazy(value: std::sync::Arc<gazette_content::Value>) -> Self {
        Self {
            json: SiteJson::Value(value),
            value: std::sync::OnceLock::new(),
        }
    }

    /// From the JSON text of a kept state.
    pub(crate) fn from_json(json: &'t str) -> Self {
        Self {
            json: SiteJson::Text(json),
            value: std::sync::OnceLock::new(),
        }
    }

    pub(crate) fn get(&self) -> &Value {
        self.value.get_or_init(|| match &self.json {
            SiteJson::Value(value) => liquid_value(value),
            SiteJson::Text(text) => {
                // The text was written by `Value::to_string` into a state
                // whose bytes are checked against their hash when read
                // back, so it always parses.
                let value: gazette_content::Value = serde_json::from_str(text).unwrap_or_default();
                liquid_value(&value)
            }
        })
    }
}
