//! `{% include %}` and the tags that find other files of the site: `link`,
//! `post_url`, `include_relative`, and `highlight`.
//!
//! An include is looked up in the site's `_includes/` first, then in the
//! theme's Liquid includes (`themes/<theme>/includes/`), as Jekyll looks in
//! the site before the theme gem. Each file is parsed once per engine, when
//! a page first includes it. Its parameters are Jekyll's: `key="text"`,
//! `key='text'` (taken as written) or `key=variable`, read as `include.key`
//! inside; the name may be a variable (`{% include {{ name }}.html %}`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use liquid_core::error::ResultLiquidReplaceExt;
use liquid_core::parser::{FilterChain, Tag, TryMatchToken};
use liquid_core::{
    BlockReflection, Error, Language, Object, ParseBlock, ParseTag, Renderable, Result, Runtime,
    TagBlock, TagReflection, TagTokenIter, Template, Value, ValueView,
};

use super::LiquidError;
use super::budget::{Limits, budget, stop};
use super::runtime::Scope;
use super::source::{OUTPUT_TAG, prepare};
use super::tags::{LINE_MARK, at_line, decode_arguments, located, one_line};

/// The files a render can reach besides the page: includes, and the URLs
/// that `link` and `post_url` resolve.
#[derive(Default)]
pub(crate) struct IncludeStore {
    /// By include name: where it comes from (for messages) and its text.
    pub files: BTreeMap<String, (String, String)>,
    /// Source paths of pages and posts → their URLs (`link`).
    pub links: BTreeMap<String, String>,
    /// Post file stems (`2017-01-01-title`, also with their folder) →
    /// their URLs (`post_url`).
    pub posts: BTreeMap<String, String>,
    /// Files pages include relative to themselves, by site path.
    pub relative: BTreeMap<String, String>,
    pub language: OnceLock<Weak<Language>>,
    pub filters: HashSet<String>,
    pub limits: Limits,
    parsed: Mutex<HashMap<String, Arc<ParsedInclude>>>,
}

/// An include file as parsed, or why Ruby Liquid would reject it.
type ParsedInclude = std::result::Result<Template, LiquidError>;

impl IncludeStore {
    pub(crate) fn new(files: BTreeMap<String, (String, String)>) -> Self {
        Self {
            files,
            ..Self::default()
        }
    }

    fn template(&self, name: &str) -> Option<(String, Arc<ParsedInclude>)> {
        let (label, text) = self.files.get(name)?;
        Some((label.clone(), self.parse_once(name, label, text)?))
    }

    /// The file `{% include_relative name %}` names from the page being
    /// rendered; an error when the name leaves the page's folder, or names
    /// a file the loader did not read (missing, or a name only Liquid
    /// computes).
    fn relative_template(
        &self,
        name: &str,
        runtime: &dyn Runtime,
    ) -> Result<Option<(String, Arc<ParsedInclude>)>> {
        let mut page_path = liquid_core::model::Path::with_index("page");
        page_path.push("path");
        let page = runtime
            .try_get(&page_path)
            .map(|path| path.to_kstr().into_owned())
            .unwrap_or_default();
        let Some(path) = gazette_content::resolve_relative_include(&page, name) else {
            return Err(Error::with_msg(format!(
                "`{{% include_relative {name} %}}`: the file must be in the page's folder or below it (no `..`, no leading `/`)"
            )));
        };
        let Some(text) = self.relative.get(&path) else {
            // The loader reads the files pages name literally; one whose
            // name only Liquid computes is not read.
            return Err(Error::with_msg(format!(
                "`{{% include_relative {name} %}}`: no file `{path}` in the site; if it exists and Liquid computes its name, write the name out"
            )));
        };
        Ok(self
            .parse_once(&format!("./{path}"), &path, text)
            .map(|template| (path.clone(), template)))
    }

    /// The include parsed once per engine, under `key`.
    fn parse_once(&self, key: &str, label: &str, text: &str) -> Option<Arc<ParsedInclude>> {
        let mut parsed = self.parsed.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(template) = parsed.get(key) {
            return Some(template.clone());
        }
        let language = self.language.get().and_then(Weak::upgrade)?;
        let template = prepare(text, &self.filters, self.limits.source_depth)
            .and_then(|prepared| {
                liquid_core::parser::parse(&prepared, &language)
                    .map(Template::new)
                    .map_err(|error| super::from_parse_error(&error))
            })
            .map_err(|mut error| {
                error.file = Some(label.to_owned());
                error
            });
        let template = Arc::new(template);
        parsed.insert(key.to_owned(), template.clone());
        Some(template)
    }
}

/// A name as written: text, or `{{ variable | filters }}` and text after it.
#[derive(Debug)]
enum Name {
    Text(String),
    Variable(FilterChain, String),
}

impl Name {
    fn parse(markup: &str, options: &Language) -> Result<(Self, String)> {
        let markup = markup.trim();
        if let Some(inner) = markup.strip_prefix("{{") {
            let end = inner
                .find("}}")
                .ok_or_else(|| Error::with_msg("`{{` is not closed in the file name"))?;
            let text = format!("{{% {OUTPUT_TAG} {} %}}", &inner[..end]);
            let mut tag = Tag::new(&text)?;
            let chain = match tag
                .tokens()
                .expect_next("a variable expected")?
                .expect_filter_chain(options)
            {
                TryMatchToken::Matches(chain) => chain,
                TryMatchToken::Fails(token) => return token.raise_error().into_err(),
            };
            let rest = &inner[end + 2..];
            let (suffix, params) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            return Ok((Name::Variable(chain, suffix.to_owned()), params.to_owned()));
        }
        let (name, params) = markup
            .split_once(char::is_whitespace)
            .unwrap_or((markup, ""));
        let name = name.trim_matches(|c| c == '"' || c == '\'');
        Ok((Name::Text(name.to_owned()), params.to_owned()))
    }

    fn evaluate(&self, runtime: &dyn Runtime) -> Result<String> {
        Ok(match self {
            Name::Text(text) => text.clone(),
            Name::Variable(chain, suffix) => {
                format!("{}{suffix}", chain.evaluate(runtime)?.to_kstr())
            }
        })
    }
}

/// A parameter's value: text as written, or a variable read when rendered.
#[derive(Debug)]
enum Param {
    Text(String),
    Literal(Value),
    Variable(liquid_core::runtime::Variable),
}

/// Jekyll's parameter syntax: `key="…"`, `key='…'` or `key=variable`.
fn parse_params(markup: &str) -> Result<Vec<(String, Param)>> {
    let mut params = Vec::new();
    let mut rest = markup.trim_start();
    while !rest.is_empty() {
        let key_len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let key = &rest[..key_len];
        let after = rest[key_len..].trim_start();
        let Some(after) = after.strip_prefix('=').filter(|_| !key.is_empty()) else {
            return Err(Error::with_msg(format!(
                "invalid parameters `{}`: use `key=\"value\"`, `key='value'` or `key=variable`",
                markup.trim()
            )));
        };
        let after = after.trim_start();
        let (value, used) = match after.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let mut value = String::new();
                let mut escaped = false;
                let mut end = None;
                for (index, c) in after.char_indices().skip(1) {
                    if escaped {
                        if c != quote {
                            value.push('\\');
                        }
                        value.push(c);
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == quote {
                        end = Some(index + 1);
                        break;
                    } else {
                        value.push(c);
                    }
                }
                let end = end.ok_or_else(|| {
                    Error::with_msg(format!("the quote of `{key}` is never closed"))
                })?;
                (Param::Text(value), end)
            }
            _ => {
                let len = after
                    .find(|c: char| {
                        !(c.is_alphanumeric()
                            || matches!(c, '_' | '-' | '.' | '[' | ']' | '"' | '\''))
                    })
                    .unwrap_or(after.len());
                let word = &after[..len];
                // Jekyll reads it through the context, where a number or
                // `true`/`false`/`nil` is that literal.
                let literal = match word {
                    "true" => Some(Value::scalar(true)),
                    "false" => Some(Value::scalar(false)),
                    "nil" | "null" => Some(Value::Nil),
                    _ => word
                        .parse::<i64>()
                        .map(Value::scalar)
                        .ok()
                        .or_else(|| word.parse::<f64>().map(Value::scalar).ok()),
                };
                match literal {
                    Some(value) => (Param::Literal(value), len),
                    None => {
                        let variable = liquid_core::parser::parse_variable(word)
                            .map_err(|_| Error::with_msg(format!("`{word}` is not a variable")))?;
                        (Param::Variable(variable), len)
                    }
                }
            }
        };
        params.push((key.to_owned(), value));
        rest = after[used..].trim_start();
    }
    Ok(params)
}

#[derive(Clone)]
pub(crate) struct IncludeTag {
    pub store: Arc<IncludeStore>,
}

impl TagReflection for IncludeTag {
    fn tag(&self) -> &'static str {
        "include"
    }
    fn description(&self) -> &'static str {
        ""
    }
}

impl ParseTag for IncludeTag {
    fn parse(
        &self,
        arguments: TagTokenIter<'_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        parse_raw(arguments, false, |markup| {
            let (name, params) = Name::parse(markup, options)?;
            Ok(Box::new(Include {
                name,
                params: parse_params(&params)?,
                store: self.store.clone(),
                relative: false,
            }))
        })
    }

    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

/// Parses the markup of an encoded tag as text (it is not Liquid's
/// grammar), wrapping the result with its line.
fn parse_raw(
    arguments: TagTokenIter<'_>,
    block: bool,
    parse: impl FnOnce(&str) -> Result<Box<dyn Renderable>>,
) -> Result<Box<dyn Renderable>> {
    let (line, markup) = decode_arguments(arguments)?;
    let inner = parse(&markup).map_err(|error| at_line(line, &error))?;
    Ok(located(line, block, inner))
}

struct Include {
    name: Name,
    params: Vec<(String, Param)>,
    store: Arc<IncludeStore>,
    /// `include_relative`: the name is a path from the page's folder.
    relative: bool,
}

impl std::fmt::Debug for Include {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "include {:?}", self.name)
    }
}

impl Renderable for Include {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let name = self.name.evaluate(runtime)?;
        let found = if self.relative {
            self.store.relative_template(&name, runtime)?
        } else {
            self.store.template(&name)
        };
        let Some((label, template)) = found else {
            return Err(Error::with_msg(format!(
                "`{{% include {name} %}}`: no `_includes/{name}` in the site, nor in the theme"
            )));
        };
        let template = match template.as_ref() {
            Ok(template) => template,
            Err(error) => {
                // Ruby Liquid rejects the include's syntax: the page fails.
                let mut budget = budget(runtime);
                if budget.fatal.is_none() {
                    budget.fatal = Some(error.clone());
                }
                return Err(stop());
            }
        };
        let mut include = Object::new();
        for (key, param) in &self.params {
            let value = match param {
                Param::Text(text) => Value::scalar(text.clone()),
                Param::Literal(value) => value.clone(),
                Param::Variable(variable) => variable
                    .try_evaluate(runtime)
                    .and_then(|path| runtime.try_get(&path))
                    .map(|v| v.into_owned())
                    .unwrap_or(Value::Nil),
            };
            include.insert(key.clone().into(), value);
        }
        let include = Value::Object(include);
        {
            let mut budget = budget(runtime);
            budget.check_time(0)?;
            budget.enter(0)?;
            budget.files.push(label);
        }
        let scope = Scope {
            parent: runtime,
            names: vec![("include", &include)],
        };
        let result = template.render_to(writer, &scope);
        let mut budget = budget(runtime);
        budget.files.pop();
        budget.leave();
        result
    }
}

/// `{% include_relative NAME %}`: as `include`, from the folder of the page
/// being rendered (Jekyll's rule), among the files the loader read for the
/// names pages write (`Site::relative_includes`).
#[derive(Clone)]
pub(crate) struct IncludeRelativeTag {
    pub store: Arc<IncludeStore>,
}

impl TagReflection for IncludeRelativeTag {
    fn tag(&self) -> &'static str {
        "include_relative"
    }
    fn description(&self) -> &'static str {
        ""
    }
}

impl ParseTag for IncludeRelativeTag {
    fn parse(
        &self,
        arguments: TagTokenIter<'_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        parse_raw(arguments, false, |markup| {
            let (name, params) = Name::parse(markup, options)?;
            Ok(Box::new(Include {
                name,
                params: parse_params(&params)?,
                store: self.store.clone(),
                relative: true,
            }))
        })
    }

    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

/// `{% link path %}` and `{% post_url name %}`: the URL of a page or post,
/// with the site's `baseurl`, as Jekyll 4 gives it.
#[derive(Clone)]
pub(crate) struct LinkTag {
    pub store: Arc<IncludeStore>,
    pub posts: bool,
}

impl TagReflection for LinkTag {
    fn tag(&self) -> &'static str {
        if self.posts { "post_url" } else { "link" }
    }
    fn description(&self) -> &'static str {
        ""
    }
}

impl ParseTag for LinkTag {
    fn parse(
        &self,
        arguments: TagTokenIter<'_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        parse_raw(arguments, false, |markup| {
            let (name, _) = Name::parse(markup, options)?;
            Ok(Box::new(Link {
                name,
                posts: self.posts,
                store: self.store.clone(),
            }))
        })
    }

    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

struct Link {
    name: Name,
    posts: bool,
    store: Arc<IncludeStore>,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "link {:?}", self.name)
    }
}

impl Renderable for Link {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let name = self.name.evaluate(runtime)?;
        let name = name.trim_start_matches('/');
        let found = if self.posts {
            self.store.posts.get(name)
        } else {
            self.store.links.get(name)
        };
        let Some(url) = found else {
            let (tag, what) = if self.posts {
                ("post_url", "post")
            } else {
                ("link", "page")
            };
            return Err(Error::with_msg(format!(
                "`{{% {tag} {name} %}}`: the site has no such {what}"
            )));
        };
        let base = super::filters::base_url(runtime);
        write!(writer, "{base}{url}").replace("the output could not be written")
    }
}

/// `{% highlight lang %}…{% endhighlight %}`: the code, escaped, in the
/// markup Jekyll's highlighter wraps it in (without Rouge's colour spans).
#[derive(Clone)]
pub(crate) struct HighlightBlock;

impl BlockReflection for HighlightBlock {
    fn start_tag(&self) -> &str {
        "highlight"
    }
    fn end_tag(&self) -> &str {
        "endhighlight"
    }
    fn description(&self) -> &str {
        ""
    }
}

impl ParseBlock for HighlightBlock {
    fn parse(
        &self,
        arguments: TagTokenIter<'_>,
        mut block: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let (line, markup) = decode_arguments(arguments)?;
        let language = markup
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        let body = block.parse_all(options)?;
        block.assert_empty();
        Ok(located(
            line,
            true,
            Box::new(Highlight {
                language,
                body: Template::new(body),
            }),
        ))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

#[derive(Debug)]
struct Highlight {
    language: String,
    body: Template,
}

impl Renderable for Highlight {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let mut code = Vec::new();
        self.body.render_to(&mut code, runtime)?;
        let code = String::from_utf8_lossy(&code);
        let code = code.trim_matches(|c| c == '\n' || c == '\r');
        let language = super::filters::escape_html(&self.language);
        write!(
            writer,
            "<figure class=\"highlight\"><pre><code class=\"language-{language}\" data-lang=\"{language}\">{}</code></pre></figure>",
            super::filters::escape_html(code)
        )
        .replace("the output could not be written")
    }
}

/// Turns a liquid error of an include into ours (lines marked by the tags).
pub(crate) fn error_from(error: &Error) -> LiquidError {
    let text = one_line(error);
    match text.split_once(LINE_MARK) {
        Some((_, rest)) => {
            let (line, message) = rest.split_once(':').unwrap_or(("", rest));
            LiquidError {
                message: message.trim().to_owned(),
                line: line.parse().ok(),
                file: None,
            }
        }
        None => {
            // `liquid-core`'s own syntax errors point into the prepared
            // text, whose lines are the template's: ` --> LINE:COLUMN`.
            let line = text
                .split_once("--> ")
                .and_then(|(_, rest)| rest.split(':').next()?.trim().parse().ok());
            LiquidError {
                message: text,
                line,
                file: None,
            }
        }
    }
}
