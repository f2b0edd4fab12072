//! The readable text of a page's content HTML, for the index and for the
//! excerpts results show: character references decoded by html5ever's
//! tokenizer (the parser the sanitiser uses), script and style left out,
//! every tag a word break, runs of white space one space.

use std::cell::RefCell;

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// The text of `html`, one space between words.
pub(crate) fn text_of_html(html: &str) -> String {
    let sink = TextSink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(html.into());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let text = tokenizer.sink.text.into_inner();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Default)]
struct TextSink {
    text: RefCell<String>,
    /// Inside `<script>`, `<style>` or `<template>`: not text a reader sees.
    hidden: RefCell<Option<String>>,
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::CharacterTokens(text) if self.hidden.borrow().is_none() => {
                self.text.borrow_mut().push_str(&text);
            }
            Token::TagToken(tag) => {
                // Inline tags break words too: `a<b>c</b>` indexes `a` and
                // `c`, which costs less than a wrong join of two words.
                self.text.borrow_mut().push(' ');
                let name = tag.name.to_string();
                let mut hidden = self.hidden.borrow_mut();
                if tag.kind == TagKind::EndTag {
                    if hidden.as_deref() == Some(name.as_str()) {
                        *hidden = None;
                    }
                    return TokenSinkResult::Continue;
                }
                if tag.self_closing || hidden.is_some() {
                    return TokenSinkResult::Continue;
                }
                match name.as_str() {
                    "script" => {
                        *hidden = Some(name);
                        return TokenSinkResult::RawData(RawKind::ScriptData);
                    }
                    "style" | "template" | "noscript" => {
                        let raw = name != "template";
                        *hidden = Some(name);
                        if raw {
                            return TokenSinkResult::RawData(RawKind::Rawtext);
                        }
                    }
                    "textarea" | "title" => return TokenSinkResult::RawData(RawKind::Rcdata),
                    _ => {}
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}
