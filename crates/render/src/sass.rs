//! Sass stylesheets (`misc/custom.scss`), compiled with grass.

/// Compiles SCSS text to CSS, or explains why it cannot.
pub fn compile_scss(text: &str) -> Result<String, String> {
    let options = grass::Options::default().style(grass::OutputStyle::Expanded);
    grass::from_string(text.to_owned(), &options).map_err(|error| {
        error
            .to_string()
            .lines()
            .next()
            .unwrap_or("invalid Sass")
            .trim_start_matches("Error: ")
            .to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_and_colour_functions_compile() {
        let css = compile_scss("$p: #336699;\n.a { .b { color: darken($p, 10%); } }\n").unwrap();
        assert!(css.contains(".a .b"), "{css}");
        assert!(css.contains("color: #"), "{css}");
    }

    #[test]
    fn an_error_is_one_line() {
        let message = compile_scss(".a { color: $undefined; }").unwrap_err();
        assert!(message.contains("Undefined variable"), "{message}");
    }
}
