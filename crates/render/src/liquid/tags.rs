//! The tags and blocks of a Gazette render.
//!
//! Every tag the source pass encodes (see `source.rs`) is registered through
//! [`Encoded`], which decodes its line and markup, parses the markup, and
//! wraps what it parsed in [`Located`]: the node that makes an error of that
//! tag what Ruby Liquid's lax render makes it (a warning at that line, the
//! tag renders nothing, the rest renders), and that ends the render when a
//! budget ran out. `for`, `tablerow`, `if`, `unless`, `capture` and the
//! output `{{ }}` are Gazette's own (forgiving frames, budgets, lazy
//! ranges, Ruby's truthiness); `assign`, `case`, `cycle`, `increment`,
//! `decrement` and `ifchanged` are `liquid-lib`'s, wrapped.

use std::io::Write;

use liquid_core::error::ResultLiquidReplaceExt;
use liquid_core::parser::{BlockElement, FilterChain, Tag, TryMatchToken};
use liquid_core::runtime::{Interrupt, InterruptRegister};
use liquid_core::{
    BlockReflection, Error, Expression, Language, Object, ParseBlock, ParseTag, Renderable, Result,
    Runtime, TagBlock, TagReflection, TagTokenIter, Template, Value, ValueView,
};

use super::budget::{LimitedWriter, budget, stop};
use super::condition::Condition;
use super::runtime::Scope;
use super::source::decode;

/// Marks a parse error with the line of its tag; `LiquidEngine` reads it back.
pub(crate) fn at_line(line: u32, error: &Error) -> Error {
    Error::with_msg(format!("{LINE_MARK}{line}:{}", one_line(error)))
}

pub(crate) const LINE_MARK: &str = "\u{1}line ";

/// A liquid error in one line.
pub(crate) fn one_line(error: &Error) -> String {
    error
        .to_string()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("from:"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(crate) fn decode_arguments(mut arguments: TagTokenIter<'_>) -> Result<(u32, String)> {
    let token = arguments.expect_next("an encoded tag expected")?;
    decode(token.as_str()).ok_or_else(|| Error::with_msg("a tag Gazette did not prepare"))
}

/// A tag or block registered through the source pass.
#[derive(Clone)]
pub(crate) struct Encoded<T>(pub T);

impl<T: ParseTag + Clone + 'static> ParseTag for Encoded<T> {
    fn parse(
        &self,
        arguments: TagTokenIter<'_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let (line, markup) = decode_arguments(arguments)?;
        let text = format!("{{% {} {markup} %}}", self.0.reflection().tag());
        let inner = Tag::new(&text)
            .and_then(|tag| self.0.parse(tag.into_tokens(), options))
            .map_err(|error| at_line(line, &error))?;
        Ok(located(line, false, inner))
    }

    fn reflection(&self) -> &dyn TagReflection {
        self.0.reflection()
    }
}

/// A block registered through the source pass.
#[derive(Clone)]
pub(crate) struct EncodedBlock<T>(pub T);

impl<T: ParseBlock + Clone + 'static> ParseBlock for EncodedBlock<T> {
    fn parse(
        &self,
        arguments: TagTokenIter<'_>,
        block: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let (line, markup) = decode_arguments(arguments)?;
        let text = format!("{{% {} {markup} %}}", self.0.reflection().start_tag());
        let tag = Tag::new(&text).map_err(|error| at_line(line, &error))?;
        let inner = self
            .0
            .parse(tag.into_tokens(), block, options)
            .map_err(|error| {
                if error.to_string().contains(LINE_MARK) {
                    error
                } else {
                    at_line(line, &error)
                }
            })?;
        Ok(located(line, true, inner))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self.0.reflection()
    }
}

/// Wraps what a tag at `line` parsed (see [`Located`]).
pub(crate) fn located(line: u32, block: bool, inner: Box<dyn Renderable>) -> Box<dyn Renderable> {
    Box::new(Located { line, block, inner })
}

/// A parsed tag and its line: see the module documentation.
#[derive(Debug)]
struct Located {
    line: u32,
    block: bool,
    inner: Box<dyn Renderable>,
}

impl Renderable for Located {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        if self.block {
            budget(runtime).enter(self.line)?;
        }
        let result = self.inner.render_to(writer, runtime);
        let mut budget = budget(runtime);
        if self.block {
            budget.leave();
        }
        let Err(error) = result else {
            return Ok(());
        };
        if let Some(fatal) = &mut budget.fatal {
            // The innermost tag knows the line a budget ran out at.
            if fatal.line == Some(0) {
                fatal.line = Some(self.line);
            }
            return Err(stop());
        }
        budget.check_output(self.line)?;
        let file = budget.files.last().cloned();
        budget.warnings.push(super::LiquidError {
            message: one_line(&error).trim_start_matches("liquid: ").to_owned(),
            line: Some(self.line),
            file,
        });
        Ok(())
    }
}

/// The parsed elements of a block's body.
type Body = Vec<Box<dyn Renderable>>;

/// Parses the rest of a block up to its end, splitting at `else`.
fn block_body(block: &mut TagBlock<'_, '_>, options: &Language) -> Result<(Body, Option<Body>)> {
    let mut body = Vec::new();
    while let Some(element) = block.next()? {
        match element {
            BlockElement::Tag(tag) if tag.name() == "else" => {
                return Ok((body, Some(block.parse_all(options)?)));
            }
            BlockElement::Tag(tag) => body.push(tag.parse(block, options)?),
            element => body.push(element.parse(block, options)?),
        }
    }
    Ok((body, None))
}

macro_rules! reflect_tag {
    ($type:ty, $name:expr) => {
        impl TagReflection for $type {
            fn tag(&self) -> &'static str {
                $name
            }
            fn description(&self) -> &'static str {
                ""
            }
        }
    };
}

macro_rules! reflect_block {
    ($type:ty, $name:expr, $end:expr) => {
        impl BlockReflection for $type {
            fn start_tag(&self) -> &str {
                $name
            }
            fn end_tag(&self) -> &str {
                $end
            }
            fn description(&self) -> &str {
                ""
            }
        }
    };
}

/// `{{ value | filters }}`.
#[derive(Clone)]
pub(crate) struct OutputTag;
reflect_tag!(OutputTag, super::source::OUTPUT_TAG);

impl ParseTag for OutputTag {
    fn parse(
        &self,
        mut arguments: TagTokenIter<'_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let chain = match arguments
            .expect_next("a value expected")?
            .expect_filter_chain(options)
        {
            TryMatchToken::Matches(chain) => chain,
            TryMatchToken::Fails(token) => return token.raise_error().into_err(),
        };
        arguments.expect_nothing()?;
        Ok(Box::new(Output(chain)))
    }

    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

#[derive(Debug)]
struct Output(FilterChain);

impl Renderable for Output {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let value = self.0.evaluate(runtime)?;
        write!(writer, "{}", value.render()).replace("the output could not be written")
    }
}

/// What a `for` or `tablerow` loops over.
#[derive(Debug)]
enum Collection {
    Value(Expression),
    Range(Expression, Expression),
}

#[derive(Debug, Default)]
struct LoopOptions {
    limit: Option<Expression>,
    offset: Option<Expression>,
    cols: Option<Expression>,
    reversed: bool,
}

fn parse_loop_head(
    arguments: &mut TagTokenIter<'_>,
    allow_cols: bool,
) -> Result<(String, Collection, LoopOptions)> {
    let name = arguments
        .expect_next("a variable name expected")?
        .expect_identifier()
        .into_result()?
        .to_owned();
    arguments
        .expect_next("`in` expected")?
        .expect_str("in")
        .into_result_custom_msg("`in` expected")?;
    let token = arguments.expect_next("an array or a range expected")?;
    let collection = match token.expect_value() {
        TryMatchToken::Matches(value) => Collection::Value(value),
        TryMatchToken::Fails(token) => match token.expect_range() {
            TryMatchToken::Matches((start, end)) => Collection::Range(start, end),
            TryMatchToken::Fails(token) => return token.raise_error().into_err(),
        },
    };
    let mut options = LoopOptions::default();
    while let Some(token) = arguments.next() {
        let slot = match token.as_str() {
            "reversed" => {
                options.reversed = true;
                continue;
            }
            "," => continue,
            "limit" => &mut options.limit,
            "offset" => &mut options.offset,
            "cols" if allow_cols => &mut options.cols,
            _ => {
                return token
                    .raise_custom_error("`limit`, `offset` or `reversed` expected")
                    .into_err();
            }
        };
        arguments
            .expect_next("`:` expected")?
            .expect_str(":")
            .into_result_custom_msg("`:` expected")?;
        let value = match arguments.expect_next("a value expected")?.expect_value() {
            TryMatchToken::Matches(value) => value,
            TryMatchToken::Fails(token) => return token.raise_error().into_err(),
        };
        *slot = Some(value);
    }
    Ok((name, collection, options))
}

fn integer(value: &dyn ValueView) -> Option<i64> {
    let scalar = value.as_scalar()?;
    scalar
        .to_integer()
        .or_else(|| scalar.to_float().map(|f| f as i64))
}

/// The items of one loop, never materialising a range.
enum Items<'v> {
    Values(Vec<std::borrow::Cow<'v, Value>>),
    Range { start: i64, len: u64 },
}

impl Items<'_> {
    fn len(&self) -> u64 {
        match self {
            Items::Values(values) => values.len() as u64,
            Items::Range { len, .. } => *len,
        }
    }

    fn get(&self, index: u64) -> Value {
        match self {
            Items::Values(values) => values[index as usize].clone().into_owned(),
            Items::Range { start, .. } => Value::scalar(start.saturating_add(index as i64)),
        }
    }
}

fn items<'v>(
    collection: &Collection,
    evaluated: &'v Option<liquid_core::ValueCow<'v>>,
    runtime: &dyn Runtime,
) -> Result<Items<'v>> {
    match collection {
        Collection::Range(start, end) => {
            let start = integer(start.evaluate(runtime)?.as_view()).unwrap_or(0);
            let end = integer(end.evaluate(runtime)?.as_view()).unwrap_or(0);
            let len = if end < start {
                0
            } else {
                (end as i128 - start as i128 + 1) as u64
            };
            Ok(Items::Range { start, len })
        }
        Collection::Value(_) => {
            let Some(value) = evaluated else {
                return Ok(Items::Values(Vec::new()));
            };
            let value = value.as_view();
            if let Some(array) = value.as_array() {
                Ok(Items::Values(
                    array
                        .values()
                        .map(|v| std::borrow::Cow::Owned(v.to_value()))
                        .collect(),
                ))
            } else if let Some(object) = value.as_object() {
                Ok(Items::Values(
                    object
                        .iter()
                        .map(|(k, v)| {
                            std::borrow::Cow::Owned(Value::Array(vec![
                                Value::scalar(k.into_owned()),
                                v.to_value(),
                            ]))
                        })
                        .collect(),
                ))
            } else if value.type_name() == "string" && !value.to_kstr().is_empty() {
                Ok(Items::Values(vec![std::borrow::Cow::Owned(
                    value.to_value(),
                )]))
            } else {
                Ok(Items::Values(Vec::new()))
            }
        }
    }
}

/// Offset and limit as Ruby Liquid applies them: the indexes to visit.
fn window(len: u64, options: &LoopOptions, runtime: &dyn Runtime) -> Result<(u64, u64)> {
    let value = |e: &Option<Expression>| -> Result<Option<i64>> {
        Ok(match e {
            Some(e) => integer(e.evaluate(runtime)?.as_view()),
            None => None,
        })
    };
    let from = value(&options.offset)?.unwrap_or(0).max(0) as u64;
    let from = from.min(len);
    let to = match value(&options.limit)? {
        Some(limit) => from.saturating_add(limit.max(0) as u64).min(len),
        None => len,
    };
    Ok((from, to))
}

#[derive(Clone)]
pub(crate) struct ForBlock;
reflect_block!(ForBlock, "for", "endfor");

impl ParseBlock for ForBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter<'_>,
        mut block: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let (name, collection, loop_options) = parse_loop_head(&mut arguments, false)?;
        let (body, otherwise) = block_body(&mut block, options)?;
        block.assert_empty();
        Ok(Box::new(For {
            name,
            collection,
            options: loop_options,
            body: Template::new(body),
            otherwise: otherwise.map(Template::new),
        }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

#[derive(Debug)]
struct For {
    name: String,
    collection: Collection,
    options: LoopOptions,
    body: Template,
    otherwise: Option<Template>,
}

impl Renderable for For {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let evaluated = match &self.collection {
            Collection::Value(e) => Some(e.evaluate(runtime)?),
            Collection::Range(..) => None,
        };
        let items = items(&self.collection, &evaluated, runtime)?;
        let (from, to) = window(items.len(), &self.options, runtime)?;
        let length = to - from;
        if length == 0 {
            if let Some(otherwise) = &self.otherwise {
                otherwise.render_to(writer, runtime)?;
            }
            return Ok(());
        }
        let parent = runtime.try_get(&[liquid_core::model::ScalarCow::new("forloop")]);
        let parent = parent.map(|p| p.into_owned()).unwrap_or(Value::Nil);
        for position in 0..length {
            budget(runtime).tick(0)?;
            let index = if self.options.reversed {
                to - 1 - position
            } else {
                from + position
            };
            let item = items.get(index);
            let mut forloop = Object::new();
            let length_i = length as i64;
            let i = position as i64;
            forloop.insert("length".into(), Value::scalar(length_i));
            forloop.insert("index".into(), Value::scalar(i + 1));
            forloop.insert("index0".into(), Value::scalar(i));
            forloop.insert("rindex".into(), Value::scalar(length_i - i));
            forloop.insert("rindex0".into(), Value::scalar(length_i - i - 1));
            forloop.insert("first".into(), Value::scalar(i == 0));
            forloop.insert("last".into(), Value::scalar(i == length_i - 1));
            forloop.insert("parentloop".into(), parent.clone());
            let forloop = Value::Object(forloop);
            let scope = Scope {
                parent: runtime,
                names: vec![("forloop", &forloop), (self.name.as_str(), &item)],
            };
            self.body.render_to(writer, &scope)?;
            let interrupt = scope.registers().get_mut::<InterruptRegister>().reset();
            if let Some(Interrupt::Break) = interrupt {
                break;
            }
        }
        Ok(())
    }
}

#[derive(Clone)]
pub(crate) struct TableRowBlock;
reflect_block!(TableRowBlock, "tablerow", "endtablerow");

impl ParseBlock for TableRowBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter<'_>,
        mut block: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let (name, collection, loop_options) = parse_loop_head(&mut arguments, true)?;
        let body = block.parse_all(options)?;
        block.assert_empty();
        Ok(Box::new(TableRow {
            name,
            collection,
            options: loop_options,
            body: Template::new(body),
        }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

#[derive(Debug)]
struct TableRow {
    name: String,
    collection: Collection,
    options: LoopOptions,
    body: Template,
}

impl Renderable for TableRow {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let evaluated = match &self.collection {
            Collection::Value(e) => Some(e.evaluate(runtime)?),
            Collection::Range(..) => None,
        };
        let items = items(&self.collection, &evaluated, runtime)?;
        let (from, to) = window(items.len(), &self.options, runtime)?;
        let length = (to - from) as i64;
        let cols = match &self.options.cols {
            Some(cols) => integer(cols.evaluate(runtime)?.as_view()).filter(|c| *c > 0),
            None => None,
        }
        .unwrap_or(length.max(1));
        let fail = "the output could not be written";
        writeln!(writer, "<tr class=\"row1\">").replace(fail)?;
        let (mut row, mut col) = (1, 0);
        for i in 0..length {
            budget(runtime).tick(0)?;
            col += 1;
            let item = items.get(from + i as u64);
            let mut tablerowloop = Object::new();
            for (key, value) in [
                ("length", Value::scalar(length)),
                ("index", Value::scalar(i + 1)),
                ("index0", Value::scalar(i)),
                ("rindex", Value::scalar(length - i)),
                ("rindex0", Value::scalar(length - i - 1)),
                ("first", Value::scalar(i == 0)),
                ("last", Value::scalar(i == length - 1)),
                ("col", Value::scalar(col)),
                ("col0", Value::scalar(col - 1)),
                ("col_first", Value::scalar(col == 1)),
                ("col_last", Value::scalar(col == cols)),
                ("row", Value::scalar(row)),
            ] {
                tablerowloop.insert(key.into(), value);
            }
            let tablerowloop = Value::Object(tablerowloop);
            let scope = Scope {
                parent: runtime,
                names: vec![("tablerowloop", &tablerowloop), (self.name.as_str(), &item)],
            };
            write!(writer, "<td class=\"col{col}\">").replace(fail)?;
            self.body.render_to(writer, &scope)?;
            write!(writer, "</td>").replace(fail)?;
            if col == cols && i != length - 1 {
                col = 0;
                row += 1;
                write!(writer, "</tr>\n<tr class=\"row{row}\">").replace(fail)?;
            }
        }
        writeln!(writer, "</tr>").replace(fail)
    }
}

/// `if` and `unless`, with `elsif` and `else`.
#[derive(Clone)]
pub(crate) struct IfBlock {
    pub unless: bool,
}

impl BlockReflection for IfBlock {
    fn start_tag(&self) -> &str {
        if self.unless { "unless" } else { "if" }
    }
    fn end_tag(&self) -> &str {
        if self.unless { "endunless" } else { "endif" }
    }
    fn description(&self) -> &str {
        ""
    }
}

impl ParseBlock for IfBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter<'_>,
        mut block: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let mut branches = vec![(Condition::parse(&mut arguments)?, Vec::new())];
        // Ruby Liquid takes the first `else` that is reached; branches after
        // it (another `else`, an `elsif`) are parsed but never rendered.
        let mut otherwise: Option<Vec<Box<dyn Renderable>>> = None;
        let mut unreachable = false;
        while let Some(element) = block.next()? {
            let parsed = match element {
                BlockElement::Tag(mut tag) if tag.name() == "elsif" => {
                    let condition = Condition::parse(tag.tokens())?;
                    if otherwise.is_some() {
                        unreachable = true;
                    } else {
                        branches.push((condition, Vec::new()));
                    }
                    continue;
                }
                BlockElement::Tag(tag) if tag.name() == "else" => {
                    if otherwise.is_some() {
                        unreachable = true;
                    } else {
                        otherwise = Some(Vec::new());
                    }
                    continue;
                }
                BlockElement::Tag(tag) => tag.parse(&mut block, options)?,
                element => element.parse(&mut block, options)?,
            };
            match (&mut otherwise, unreachable) {
                (_, true) => {}
                (Some(body), false) => body.push(parsed),
                (None, false) => branches.last_mut().expect("a branch").1.push(parsed),
            }
        }
        block.assert_empty();
        Ok(Box::new(If {
            unless: self.unless,
            branches: branches
                .into_iter()
                .map(|(condition, body)| (condition, Template::new(body)))
                .collect(),
            otherwise: otherwise.map(Template::new),
        }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

#[derive(Debug)]
struct If {
    unless: bool,
    branches: Vec<(Condition, Template)>,
    otherwise: Option<Template>,
}

impl Renderable for If {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        for (position, (condition, body)) in self.branches.iter().enumerate() {
            let mut holds = condition.evaluate(runtime)?;
            if self.unless && position == 0 {
                holds = !holds;
            }
            if holds {
                return body.render_to(writer, runtime);
            }
        }
        match &self.otherwise {
            Some(otherwise) => otherwise.render_to(writer, runtime),
            None => Ok(()),
        }
    }
}

/// `{% capture name %}…{% endcapture %}`, within the output budget.
#[derive(Clone)]
pub(crate) struct CaptureBlock;
reflect_block!(CaptureBlock, "capture", "endcapture");

impl ParseBlock for CaptureBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter<'_>,
        mut block: TagBlock<'_, '_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let token = arguments.expect_next("a variable name expected")?;
        let name = match token.expect_identifier() {
            TryMatchToken::Matches(name) => name.to_owned(),
            TryMatchToken::Fails(token) => match token.expect_literal() {
                TryMatchToken::Matches(name) => name.to_kstr().into_owned().to_string(),
                TryMatchToken::Fails(token) => return token.raise_error().into_err(),
            },
        };
        let body = block.parse_all(options)?;
        block.assert_empty();
        Ok(Box::new(Capture {
            name,
            body: Template::new(body),
        }))
    }

    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

#[derive(Debug)]
struct Capture {
    name: String,
    body: Template,
}

impl Renderable for Capture {
    fn render_to(&self, _writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let mut out = LimitedWriter::new(&budget(runtime), 256);
        self.body.render_to(&mut out, runtime)?;
        let text = String::from_utf8(out.bytes)
            .map_err(|_| Error::with_msg("the captured text is not UTF-8"))?;
        budget(runtime).check_size(0, text.len())?;
        runtime.set_global(self.name.clone().into(), Value::scalar(text));
        Ok(())
    }
}

/// `assign`, with the size of what it stores within the budget.
#[derive(Clone)]
pub(crate) struct AssignTag;
reflect_tag!(AssignTag, "assign");

impl ParseTag for AssignTag {
    fn parse(
        &self,
        mut arguments: TagTokenIter<'_>,
        options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let name = arguments
            .expect_next("a variable name expected")?
            .expect_identifier()
            .into_result()?
            .to_owned();
        arguments
            .expect_next("`=` expected")?
            .expect_str("=")
            .into_result_custom_msg("`=` expected")?;
        let value = match arguments
            .expect_next("a value expected")?
            .expect_filter_chain(options)
        {
            TryMatchToken::Matches(chain) => chain,
            TryMatchToken::Fails(token) => return token.raise_error().into_err(),
        };
        arguments.expect_nothing()?;
        Ok(Box::new(Assign { name, value }))
    }

    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

#[derive(Debug)]
struct Assign {
    name: String,
    value: FilterChain,
}

impl Renderable for Assign {
    fn render_to(&self, _writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let value = self.value.evaluate(runtime)?.into_owned();
        let limit = budget(runtime).limits.output_bytes;
        budget(runtime).check_size(0, approximate_size(value.as_view(), limit))?;
        runtime.set_global(self.name.clone().into(), value);
        Ok(())
    }
}

/// The size of a value in bytes, stopping once it passes `limit`.
pub(crate) fn approximate_size(value: &dyn ValueView, limit: usize) -> usize {
    if let Some(array) = value.as_array() {
        let mut total = 0;
        for item in array.values() {
            total += approximate_size(item, limit);
            if total > limit {
                break;
            }
        }
        total
    } else if value.as_object().is_some() {
        0
    } else {
        value.to_kstr().len()
    }
}
