//! Jekyll 4's filters, and Liquid 4's arithmetic, as Gazette's own.
//!
//! Each is written from Jekyll's documentation and `lib/jekyll/filters.rb`
//! (with `url_filters.rb`, `date_filters.rb`, `grouping_filters.rb` and
//! `utils.rb#slugify`): what it returns for nil, arrays and hashes is
//! Jekyll's. Arithmetic is checked: Ruby's integers do not overflow, so a
//! result that does not fit 64 bits is computed in floating point, and
//! dividing by zero is the error Ruby raises.

use std::fmt::Write as _;

use liquid_core::parser::FilterArguments;
use liquid_core::runtime::Template;
use liquid_core::{
    Error, Expression, Filter, FilterReflection, Language, Object, ParseFilter, Renderable, Result,
    Runtime, Value, ValueView,
};

use super::condition::{text, truthy};
use super::dates::{date_format, date_string};
use super::runtime::Scope;

type FilterFn = fn(&dyn ValueView, &[Value], &dyn Runtime) -> Result<Value>;

/// A filter given by a function of its input and positional arguments.
#[derive(Clone)]
pub(crate) struct Simple {
    pub name: &'static str,
    pub function: FilterFn,
}

impl FilterReflection for Simple {
    fn name(&self) -> &str {
        self.name
    }
    fn description(&self) -> &str {
        ""
    }
    fn positional_parameters(&self) -> &'static [liquid_core::parser::ParameterReflection] {
        &[]
    }
    fn keyword_parameters(&self) -> &'static [liquid_core::parser::ParameterReflection] {
        &[]
    }
}

impl ParseFilter for Simple {
    fn parse(&self, arguments: FilterArguments<'_>) -> Result<Box<dyn Filter>> {
        let positional: Vec<Expression> = arguments.positional.collect();
        // Keyword arguments (`mode: "x"`) count in their order, as values.
        let keyword: Vec<Expression> = arguments.keyword.map(|(_, e)| e).collect();
        Ok(Box::new(SimpleFilter {
            name: self.name,
            function: self.function,
            arguments: positional.into_iter().chain(keyword).collect(),
        }))
    }

    fn reflection(&self) -> &dyn FilterReflection {
        self
    }
}

struct SimpleFilter {
    name: &'static str,
    function: FilterFn,
    arguments: Vec<Expression>,
}

impl std::fmt::Debug for SimpleFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.name)
    }
}

impl std::fmt::Display for SimpleFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.name)
    }
}

impl Filter for SimpleFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let arguments = self
            .arguments
            .iter()
            .map(|e| e.evaluate(runtime).map(|v| v.into_owned()))
            .collect::<Result<Vec<_>>>()?;
        (self.function)(input, &arguments, runtime)
    }
}

macro_rules! simple {
    ($($name:expr => $function:expr),* $(,)?) => {
        vec![$(Simple { name: $name, function: $function }),*]
    };
}

/// Every filter of this module.
pub(crate) fn all() -> Vec<Simple> {
    simple![
        super::source::UNKNOWN_FILTER => |input, _, _| Ok(input.to_value()),
        "relative_url" => relative_url,
        "absolute_url" => absolute_url,
        "date_to_string" => |input, args, _| date_string(input, args, "%d %b %Y", "%b"),
        "date_to_long_string" => |input, args, _| date_string(input, args, "%d %B %Y", "%B"),
        "date_to_xmlschema" => |input, _, _| date_format(input, "%Y-%m-%dT%H:%M:%S%:z"),
        "date_to_rfc822" => |input, _, _| date_format(input, "%a, %d %b %Y %H:%M:%S %z"),
        "where" => where_filter,
        "where_exp" => where_exp,
        "find" => find,
        "find_exp" => find_exp,
        "group_by" => group_by,
        "group_by_exp" => group_by_exp,
        "sort" => sort,
        "jsonify" => |input, _, _| Ok(Value::scalar(serde_json::to_string(&input.to_value()).unwrap_or_default())),
        "markdownify" => |input, _, _| crate::markdown::render_markdown(&text(input)).map(Value::scalar).map_err(|error| Error::with_msg(error.to_string())),
        "smartify" => |input, _, _| Ok(Value::scalar(smartify(&text(input)))),
        "slugify" => |input, args, _| Ok(match input.is_nil() {
            true => Value::Nil,
            false => Value::scalar(slugify(&text(input), args.first().map(|a| text(a)).as_deref().unwrap_or("default"), args.get(1).is_some_and(|a| truthy(a)))),
        }),
        "xml_escape" => |input, _, _| Ok(match input.is_nil() {
            true => Value::Nil,
            false => Value::scalar(escape_html(&text(input))),
        }),
        "cgi_escape" => |input, _, _| Ok(Value::scalar(cgi_escape(&text(input)))),
        "uri_escape" => |input, _, _| Ok(Value::scalar(uri_escape(&text(input)))),
        "number_of_words" => |input, args, _| Ok(Value::scalar(number_of_words(&text(input), args.first().map(|a| text(a)).as_deref()))),
        "normalize_whitespace" => |input, _, _| Ok(Value::scalar(text(input).split_whitespace().collect::<Vec<_>>().join(" "))),
        "sample" => sample,
        "inspect" => |input, _, _| Ok(Value::scalar(inspect(input))),
        "plus" => |input, args, _| arithmetic(input, args, Op::Plus),
        "minus" => |input, args, _| arithmetic(input, args, Op::Minus),
        "times" => |input, args, _| arithmetic(input, args, Op::Times),
        "divided_by" => |input, args, _| arithmetic(input, args, Op::DividedBy),
        "modulo" => |input, args, _| arithmetic(input, args, Op::Modulo),
    ]
}

fn string_at(runtime: &dyn Runtime, path: &[&str]) -> String {
    let path: Vec<_> = path
        .iter()
        .map(|p| liquid_core::model::ScalarCow::new(*p))
        .collect();
    runtime
        .try_get(&path)
        .filter(|v| !v.is_nil())
        .map(|v| v.to_kstr().into_owned().to_string())
        .unwrap_or_default()
}

/// The site's `baseurl` without its trailing slash (and with a leading one).
pub(crate) fn base_url(runtime: &dyn Runtime) -> String {
    let base = string_at(runtime, &["site", "baseurl"]);
    let base = base.trim_matches('/');
    if base.is_empty() {
        String::new()
    } else {
        format!("/{base}")
    }
}

fn is_absolute(url: &str) -> bool {
    let scheme_end = url.find(':');
    url.starts_with("//")
        || scheme_end.is_some_and(|end| {
            end > 0
                && url[..end]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
}

/// Jekyll: nil stays nil; an absolute URL is left alone; otherwise the
/// baseurl and the input, each with a leading slash.
fn relative_url(input: &dyn ValueView, _: &[Value], runtime: &dyn Runtime) -> Result<Value> {
    if input.is_nil() {
        return Ok(Value::Nil);
    }
    let input = text(input);
    if is_absolute(&input) {
        return Ok(Value::scalar(input));
    }
    let path = if input.starts_with('/') {
        input
    } else {
        format!("/{input}")
    };
    Ok(Value::scalar(format!("{}{path}", base_url(runtime))))
}

/// Jekyll: the site's `url` before the relative URL.
fn absolute_url(input: &dyn ValueView, args: &[Value], runtime: &dyn Runtime) -> Result<Value> {
    if input.is_nil() {
        return Ok(Value::Nil);
    }
    let raw = text(input);
    if is_absolute(&raw) {
        return Ok(Value::scalar(raw));
    }
    let relative = relative_url(input, args, runtime)?;
    let site = string_at(runtime, &["site", "url"]);
    Ok(Value::scalar(format!(
        "{}{}",
        site.trim_end_matches('/'),
        relative.to_kstr()
    )))
}

/// The items of an array, the values of a hash (Jekyll's `where` and the
/// grouping filters read both), nothing for nil.
fn items(input: &dyn ValueView) -> Vec<Value> {
    if let Some(array) = input.as_array() {
        array.values().map(|v| v.to_value()).collect()
    } else if let Some(object) = input.as_object() {
        object.values().map(|v| v.to_value()).collect()
    } else if input.is_nil() {
        Vec::new()
    } else {
        vec![input.to_value()]
    }
}

/// A property of an item, by a dotted path (`author.name`), nil if absent.
fn property(item: &Value, path: &str) -> Value {
    let mut value = item.clone();
    for key in path.split('.') {
        value = match &value {
            Value::Object(map) => map.get(key).cloned().unwrap_or(Value::Nil),
            Value::Array(array) => key
                .parse::<usize>()
                .ok()
                .and_then(|i| array.get(i).cloned())
                .unwrap_or(Value::Nil),
            _ => Value::Nil,
        };
    }
    value
}

/// Jekyll's `where`: items whose property, as text, is the value as text;
/// an array property matches when any of its elements does.
fn where_filter(input: &dyn ValueView, args: &[Value], _: &dyn Runtime) -> Result<Value> {
    let key = args.first().map(|a| text(a)).unwrap_or_default();
    let wanted = args.get(1).map(|a| text(a)).unwrap_or_default();
    let matches = |item: &Value| {
        let value = property(item, &key);
        match &value {
            Value::Array(values) => values.iter().any(|v| text(v) == wanted),
            Value::Nil => false,
            other => text(other) == wanted,
        }
    };
    Ok(Value::Array(
        items(input).into_iter().filter(matches).collect(),
    ))
}

/// Parses `expression` as the condition of an `if`, to evaluate per item.
fn condition(expression: &str) -> Result<Template> {
    let text = format!("{{% if {expression} %}}1{{% endif %}}");
    let language = condition_language();
    let prepared =
        super::source::prepare(&text, &language.1, 4).map_err(|e| Error::with_msg(e.message))?;
    liquid_core::parser::parse(&prepared, &language.0).map(Template::new)
}

fn condition_language() -> &'static (Language, std::collections::HashSet<String>) {
    static LANGUAGE: std::sync::OnceLock<(Language, std::collections::HashSet<String>)> =
        std::sync::OnceLock::new();
    LANGUAGE.get_or_init(|| {
        let language = super::LiquidEngine::language_without_includes();
        let filters = language.filters.plugin_names().map(str::to_owned).collect();
        (language, filters)
    })
}

fn holds(template: &Template, name: &str, item: &Value, runtime: &dyn Runtime) -> Result<bool> {
    let scope = Scope {
        parent: runtime,
        names: vec![(name, item)],
    };
    let mut out = Vec::new();
    template.render_to(&mut out, &scope)?;
    Ok(out == b"1")
}

/// Jekyll's `where_exp`: items for which the condition holds.
fn where_exp(input: &dyn ValueView, args: &[Value], runtime: &dyn Runtime) -> Result<Value> {
    let name = args.first().map(|a| text(a)).unwrap_or_default();
    let template = condition(&args.get(1).map(|a| text(a)).unwrap_or_default())?;
    let mut kept = Vec::new();
    for item in items(input) {
        if holds(&template, &name, &item, runtime)? {
            kept.push(item);
        }
    }
    Ok(Value::Array(kept))
}

/// Jekyll's `find`: the first item `where` would keep, or nil.
fn find(input: &dyn ValueView, args: &[Value], runtime: &dyn Runtime) -> Result<Value> {
    let found = where_filter(input, args, runtime)?;
    Ok(found
        .as_array()
        .and_then(|a| a.first().map(|v| v.to_value()))
        .unwrap_or(Value::Nil))
}

/// Jekyll's `find_exp`: the first item for which the condition holds.
fn find_exp(input: &dyn ValueView, args: &[Value], runtime: &dyn Runtime) -> Result<Value> {
    let name = args.first().map(|a| text(a)).unwrap_or_default();
    let template = condition(&args.get(1).map(|a| text(a)).unwrap_or_default())?;
    for item in items(input) {
        if holds(&template, &name, &item, runtime)? {
            return Ok(item);
        }
    }
    Ok(Value::Nil)
}

fn grouped(groups: Vec<(String, Vec<Value>)>) -> Value {
    Value::Array(
        groups
            .into_iter()
            .map(|(name, items)| {
                let mut group = Object::new();
                group.insert("name".into(), Value::scalar(name));
                group.insert("size".into(), Value::scalar(items.len() as i64));
                group.insert("items".into(), Value::Array(items));
                Value::Object(group)
            })
            .collect(),
    )
}

fn push_group(groups: &mut Vec<(String, Vec<Value>)>, name: String, item: Value) {
    match groups.iter_mut().find(|(n, _)| *n == name) {
        Some((_, items)) => items.push(item),
        None => groups.push((name, vec![item])),
    }
}

/// Jekyll's `group_by`: `{name, items, size}` per value of the property,
/// in order of first appearance.
fn group_by(input: &dyn ValueView, args: &[Value], _: &dyn Runtime) -> Result<Value> {
    let key = args.first().map(|a| text(a)).unwrap_or_default();
    let mut groups = Vec::new();
    for item in items(input) {
        let name = text(&property(&item, &key));
        push_group(&mut groups, name, item);
    }
    Ok(grouped(groups))
}

/// Jekyll's `group_by_exp`: groups by what an expression renders to.
fn group_by_exp(input: &dyn ValueView, args: &[Value], runtime: &dyn Runtime) -> Result<Value> {
    let name = args.first().map(|a| text(a)).unwrap_or_default();
    let expression = args.get(1).map(|a| text(a)).unwrap_or_default();
    let source = format!("{{{{ {expression} }}}}");
    let language = condition_language();
    let prepared =
        super::source::prepare(&source, &language.1, 4).map_err(|e| Error::with_msg(e.message))?;
    let template = liquid_core::parser::parse(&prepared, &language.0).map(Template::new)?;
    let mut groups = Vec::new();
    for item in items(input) {
        let scope = Scope {
            parent: runtime,
            names: vec![(name.as_str(), &item)],
        };
        let mut out = Vec::new();
        template.render_to(&mut out, &scope)?;
        push_group(
            &mut groups,
            String::from_utf8_lossy(&out).into_owned(),
            item,
        );
    }
    Ok(grouped(groups))
}

fn order(a: &Value, b: &Value) -> std::cmp::Ordering {
    use liquid_core::model::ValueViewCmp;
    ValueViewCmp::new(a)
        .partial_cmp(&ValueViewCmp::new(b))
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// Jekyll's `sort`: by value or by a property; nils first unless `"last"`.
fn sort(input: &dyn ValueView, args: &[Value], _: &dyn Runtime) -> Result<Value> {
    if input.is_nil() {
        return Err(Error::with_msg("Cannot sort a null object."));
    }
    let mut values = items(input);
    let key = args.first().filter(|k| !k.is_nil()).map(|a| text(a));
    let nils_last = args.get(1).is_some_and(|n| text(n) == "last");
    let key_of = |v: &Value| match &key {
        Some(key) => property(v, key),
        None => v.clone(),
    };
    values.sort_by(|a, b| {
        let (a, b) = (key_of(a), key_of(b));
        match (a.is_nil(), b.is_nil()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) if nils_last => std::cmp::Ordering::Greater,
            (true, false) => std::cmp::Ordering::Less,
            (false, true) if nils_last => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => order(&a, &b),
        }
    });
    Ok(Value::Array(values))
}

/// Jekyll's `sample` picks at random; Gazette's builds are reproducible, so
/// it picks the first item(s).
fn sample(input: &dyn ValueView, args: &[Value], _: &dyn Runtime) -> Result<Value> {
    let values = items(input);
    match args.first().and_then(|n| n.as_scalar()?.to_integer()) {
        Some(n) => Ok(Value::Array(
            values.into_iter().take(n.max(0) as usize).collect(),
        )),
        None => Ok(values.into_iter().next().unwrap_or(Value::Nil)),
    }
}

/// Escapes `&`, `<`, `>` and `"` (Jekyll's `xml_escape`; also used for
/// `highlight`).
pub(crate) fn escape_html(text: &str) -> String {
    crate::markdown::escape_attribute(text)
}

/// Ruby's `CGI.escape`: unreserved characters stay, a space is `+`.
fn cgi_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' | b'*' => {
                out.push(byte as char)
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// Jekyll's `uri_escape`: characters that may not appear in a URI are
/// percent-encoded; reserved ones (`/`, `?`, `#`, `&`, …) and `%` stay.
fn uri_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Jekyll's `number_of_words`: whitespace-separated words; in `"cjk"` and
/// `"auto"` modes each CJK character counts as a word.
fn number_of_words(text: &str, mode: Option<&str>) -> i64 {
    let is_cjk = |c: char| matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF);
    let cjk = text.chars().filter(|c| is_cjk(*c)).count() as i64;
    match mode {
        Some("cjk") => cjk + text.split(is_cjk).flat_map(str::split_whitespace).count() as i64,
        Some("auto") if cjk > 0 => {
            cjk + text.split(is_cjk).flat_map(str::split_whitespace).count() as i64
        }
        _ => text.split_whitespace().count() as i64,
    }
}

/// Jekyll's `smartify` (SmartyPants): curly quotes, dashes and ellipses.
fn smartify(text: &str) -> String {
    let text = text
        .replace("---", "\u{2014}")
        .replace("--", "\u{2013}")
        .replace("...", "\u{2026}");
    let mut out = String::with_capacity(text.len());
    let mut previous = ' ';
    for c in text.chars() {
        let opening = previous.is_whitespace() || "([{\u{2014}\u{2013}".contains(previous);
        out.push(match c {
            '"' if opening => '\u{201C}',
            '"' => '\u{201D}',
            '\'' if opening => '\u{2018}',
            '\'' => '\u{2019}',
            c => c,
        });
        previous = c;
    }
    out
}

/// Jekyll's `slugify` in each of its modes (`utils.rb`): `none` and unknown
/// modes only lower-case; `raw` replaces whitespace; `default` anything but
/// letters, marks and digits; `pretty` keeps `._~!$&'()+,;=@` too; `ascii`
/// keeps ASCII letters and digits; `latin` drops accents first. Runs of
/// replaced characters become one hyphen, hyphens at either end go, and the
/// result is lower case unless `cased`.
pub(crate) fn slugify(text: &str, mode: &str, cased: bool) -> String {
    let keep: fn(char) -> bool = match mode {
        "raw" => |c| !c.is_whitespace(),
        "default" | "latin" => |c| c.is_alphanumeric() || is_mark(c),
        "pretty" => |c| c.is_alphanumeric() || is_mark(c) || "._~!$&'()+,;=@".contains(c),
        "ascii" => |c| c.is_ascii_alphanumeric(),
        _ => {
            return if cased {
                text.to_owned()
            } else {
                text.to_lowercase()
            };
        }
    };
    let text = if mode == "latin" {
        unaccent(text)
    } else {
        text.to_owned()
    };
    let mut slug = String::with_capacity(text.len());
    let mut replaced = false;
    for c in text.chars() {
        if keep(c) {
            slug.push(c);
            replaced = false;
        } else if !replaced {
            slug.push('-');
            replaced = true;
        }
    }
    let slug = slug.strip_prefix('-').unwrap_or(&slug);
    let slug = slug.strip_suffix('-').unwrap_or(slug);
    if cased {
        slug.to_owned()
    } else {
        slug.to_lowercase()
    }
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Latin letters without their accents; other scripts become `?` (as Ruby's
/// `I18n.transliterate` leaves them), which slugify then replaces.
fn unaccent(text: &str) -> String {
    const FROM: &str = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ";
    const TO: &str = "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyy";
    text.chars()
        .map(|c| match FROM.chars().position(|f| f == c) {
            Some(i) => TO.chars().nth(i).unwrap_or('?').to_string(),
            None if c == 'ß' => "ss".to_owned(),
            None if c == 'Æ' => "AE".to_owned(),
            None if c == 'æ' => "ae".to_owned(),
            None if (c as u32) < 0x250 => c.to_string(),
            None => "?".to_owned(),
        })
        .collect()
}

/// Ruby's `inspect` of a value.
fn inspect(value: &dyn ValueView) -> String {
    if value.is_nil() {
        "nil".to_owned()
    } else if let Some(array) = value.as_array() {
        let items: Vec<String> = array.values().map(inspect).collect();
        format!("[{}]", items.join(", "))
    } else if let Some(object) = value.as_object() {
        let items: Vec<String> = object
            .iter()
            .map(|(k, v)| format!("{:?}=>{}", k.as_str(), inspect(v)))
            .collect();
        format!("{{{}}}", items.join(", "))
    } else if value.type_name() == "string" {
        format!("{:?}", value.to_kstr().as_str())
    } else {
        value.to_kstr().into_owned().to_string()
    }
}

#[derive(Clone, Copy)]
enum Op {
    Plus,
    Minus,
    Times,
    DividedBy,
    Modulo,
}

enum Number {
    Integer(i64),
    Float(f64),
}

/// Liquid's `to_number`: integers and floats as they are, text that reads
/// as one of them, anything else 0.
fn number(value: &dyn ValueView) -> Number {
    let Some(scalar) = value.as_scalar() else {
        return Number::Integer(0);
    };
    match value.type_name() {
        "whole number" => Number::Integer(scalar.to_integer().unwrap_or(0)),
        "fractional number" => Number::Float(scalar.to_float().unwrap_or(0.0)),
        _ => {
            let text = scalar.to_kstr();
            let text = text.trim();
            if let Ok(i) = text.parse::<i64>() {
                Number::Integer(i)
            } else if let Ok(f) = text.parse::<f64>() {
                Number::Float(f)
            } else {
                Number::Integer(0)
            }
        }
    }
}

/// Checked arithmetic: integer results that do not fit become floats (Ruby
/// has no overflow), integer division and modulo round toward negative
/// infinity as Ruby's do, and an integer divided by zero is an error.
fn arithmetic(input: &dyn ValueView, args: &[Value], op: Op) -> Result<Value> {
    let left = number(input);
    let right = args
        .first()
        .map(|a| number(a))
        .unwrap_or(Number::Integer(0));
    match (left, right) {
        (Number::Integer(a), Number::Integer(b)) => {
            let (a, b) = (i128::from(a), i128::from(b));
            let exact = match op {
                Op::Plus => a + b,
                Op::Minus => a - b,
                Op::Times => a * b,
                Op::DividedBy | Op::Modulo if b == 0 => {
                    return Err(Error::with_msg("divided by 0"));
                }
                Op::DividedBy => a.div_euclid(b) - i128::from(b < 0 && a.rem_euclid(b) != 0),
                Op::Modulo => a - b * (a.div_euclid(b) - i128::from(b < 0 && a.rem_euclid(b) != 0)),
            };
            // Beyond 64 bits Ruby has big integers: written as text, which
            // later arithmetic reads back as a number.
            Ok(match i64::try_from(exact) {
                Ok(value) => Value::scalar(value),
                Err(_) => Value::scalar(exact.to_string()),
            })
        }
        (a, b) => {
            let as_float = |n: Number| match n {
                Number::Integer(i) => i as f64,
                Number::Float(f) => f,
            };
            Ok(Value::scalar(float_op(as_float(a), as_float(b), op)))
        }
    }
}

fn float_op(a: f64, b: f64, op: Op) -> f64 {
    match op {
        Op::Plus => a + b,
        Op::Minus => a - b,
        Op::Times => a * b,
        Op::DividedBy => a / b,
        // Ruby's float modulo takes the divisor's sign.
        Op::Modulo => a - b * (a / b).floor(),
    }
}

/// A `liquid-lib` array filter, given what Ruby Liquid's `InputIterator`
/// gives its filters: nil as an empty array, a lone value as an array of it.
#[derive(Clone)]
pub(crate) struct AnyInput<F>(pub F);

impl<F: ParseFilter + Clone + 'static> ParseFilter for AnyInput<F> {
    fn parse(&self, arguments: FilterArguments<'_>) -> Result<Box<dyn Filter>> {
        Ok(Box::new(AnyInputFilter(self.0.parse(arguments)?)))
    }

    fn reflection(&self) -> &dyn FilterReflection {
        self.0.reflection()
    }
}

#[derive(Debug)]
struct AnyInputFilter(Box<dyn Filter>);

impl std::fmt::Display for AnyInputFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Filter for AnyInputFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        if input.is_array() {
            self.0.evaluate(input, runtime)
        } else if input.is_nil() {
            self.0.evaluate(&Value::Array(Vec::new()), runtime)
        } else {
            self.0
                .evaluate(&Value::Array(vec![input.to_value()]), runtime)
        }
    }
}
