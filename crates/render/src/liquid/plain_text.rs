//! Plain text kept out of `liquid-core`'s parser.
//!
//! The parser reads a template's plain text one character at a time, trying
//! `{{` and `{%` at each (a pest rule each time): in a build of the real-site
//! corpus that was 6% of all the CPU time, nearly all of it on the text of
//! page bodies, which are mostly prose around a few `{{ site.baseurl }}`.
//! So the source pass ([`super::source::prepare_stashing`]) takes each long
//! stretch of plain text out of a page's template, keeps it in
//! [`PlainTexts`], and leaves `{% gz_text N %}` in its place: a tag the
//! parser reads in a few steps and that writes the text back as it renders.
//!
//! What the reader gets is the same text in the same place:
//! - the tag writes through the same writer as plain text would, so
//!   `capture`, `highlight`, loops and the output budget see every byte;
//! - whitespace at either end of a stretch stays in the template, so
//!   `{%-` and `-%}` trim what they trimmed before;
//! - the tag carries the stretch's newlines, so a parse error's line number
//!   still counts the lines of the page.

use std::fmt::Write as _;
use std::io::Write;

use liquid_core::error::ResultLiquidReplaceExt;
use liquid_core::{
    Error, Language, ParseTag, Renderable, Result, Runtime, TagReflection, TagTokenIter,
};

/// The tag that stands for a stretch of plain text.
pub(crate) const TAG: &str = "gz_text";

/// A stretch shorter than this stays in the template: a tag is several
/// parser rules and a copy of the text, which a few words do not repay.
const MIN_STASHED: usize = 48;

/// The stretches taken out of the template being rendered, by number. The
/// render keeps them in its registers, where the tags find them.
#[derive(Debug, Default)]
pub(crate) struct PlainTexts(pub Vec<String>);

/// Appends `text`, plain text of a template, to `out`: as it is, or, when
/// `stash` is given and the text is long, as a `gz_text` tag whose text goes
/// into `stash`.
pub(crate) fn push(out: &mut String, text: &str, stash: Option<&mut PlainTexts>) {
    let after_lead = text.trim_start();
    let middle = after_lead.trim_end();
    let Some(stash) = stash.filter(|_| middle.len() >= MIN_STASHED) else {
        out.push_str(text);
        return;
    };
    let lead = &text[..text.len() - after_lead.len()];
    let trail = &after_lead[middle.len()..];
    out.push_str(lead);
    let _ = write!(out, "{{% {TAG} {} ", stash.0.len());
    out.extend(std::iter::repeat_n('\n', middle.matches('\n').count()));
    out.push_str("%}");
    out.push_str(trail);
    stash.0.push(middle.to_owned());
}

/// Parses `{% gz_text N %}`.
#[derive(Clone)]
pub(crate) struct PlainTextTag;

impl TagReflection for PlainTextTag {
    fn tag(&self) -> &'static str {
        TAG
    }
    fn description(&self) -> &'static str {
        ""
    }
}

impl ParseTag for PlainTextTag {
    fn parse(
        &self,
        mut arguments: TagTokenIter<'_>,
        _options: &Language,
    ) -> Result<Box<dyn Renderable>> {
        let number = arguments.expect_next("a tag Gazette did not prepare")?;
        let number = number
            .as_str()
            .parse()
            .map_err(|_| Error::with_msg("a tag Gazette did not prepare"))?;
        arguments.expect_nothing()?;
        Ok(Box::new(PlainText(number)))
    }

    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

/// Writes the stretch of plain text with its number.
#[derive(Debug)]
struct PlainText(usize);

impl Renderable for PlainText {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> Result<()> {
        let texts = runtime.registers().get_mut::<PlainTexts>();
        let text = texts.0.get(self.0).map_or("", String::as_str);
        writer
            .write_all(text.as_bytes())
            .replace("failed to write the page's text")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::super::source::prepare_stashing;

    #[test]
    fn long_stretches_become_tags_and_short_ones_stay() {
        let long = "A sentence of the page that runs well past the length the pass keeps.";
        let text =
            format!("short {{{{ x }}}}\n  {long}\nnext line of it  {{% if y %}}{{% endif %}}");
        let (template, stash) = prepare_stashing(&text, &HashSet::new(), 10).unwrap();
        assert_eq!(stash.0, [format!("{long}\nnext line of it")]);
        assert!(template.starts_with("short {% gz_output x"), "{template}");
        assert!(
            template.contains("}\n  {% gz_text 0 \n%}  {% if"),
            "{template}"
        );
        assert_eq!(template.matches('\n').count(), text.matches('\n').count());
    }
}
