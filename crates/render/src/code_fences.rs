//! Fenced code blocks (```` ``` ```` or `~~~`) in a Markdown body, line by
//! line: the passes that read a body before CommonMark does (kramdown's
//! attribute lines and HTML blocks, wide tables) leave code as written.

/// Whether each line of a body, in order, is code.
#[derive(Debug, Default)]
pub(crate) struct CodeFences {
    open: Option<&'static str>,
}

impl CodeFences {
    /// Whether `line`, the next line of the body, belongs to a code block
    /// (the fence lines themselves included).
    pub(crate) fn is_code(&mut self, line: &str) -> bool {
        let trimmed = line.trim_start();
        if let Some(marker) = self.open {
            if trimmed.starts_with(marker) {
                self.open = None;
            }
            return true;
        }
        self.open = ["```", "~~~"]
            .into_iter()
            .find(|marker| trimmed.starts_with(marker));
        self.open.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_lines_and_what_they_hold_are_code() {
        let mut fences = CodeFences::default();
        let lines = [
            "text",
            "```rust",
            "let a = 1;",
            "~~~",
            "```",
            "after",
            "~~~",
            "x",
            "~~~",
        ];
        let code: Vec<bool> = lines.iter().map(|line| fences.is_code(line)).collect();
        assert_eq!(
            code,
            [false, true, true, true, true, false, true, true, true],
            "a fence closes only with its own marker"
        );
    }
}
