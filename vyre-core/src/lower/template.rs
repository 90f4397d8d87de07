//! The substitution that turns the scheduler's `.wgsl` files (in `wgsl/`)
//! into module text.
//!
//! A template is WGSL with named placeholders, `{{NAME}}` (capitals,
//! digits and `_`). Filling it takes a table of every placeholder's value
//! and nothing else: no conditionals, no loops, no escapes. What varies
//! beyond a value (one case per handler, one binding per buffer, a
//! variant's work loop) is chosen or repeated in Rust, which fills smaller
//! templates and passes their text in as a value.
//!
//! * A placeholder alone on its line (apart from indentation) is a
//!   **block**: it is replaced by the value's lines, each non-empty one
//!   indented as the placeholder was, so that a nested template reads
//!   unindented in its own file. An empty value removes the line.
//! * Any other placeholder is **inline**: replaced by the value as it is.
//! * Values are inserted, never scanned again: a user's name that happens
//!   to contain `{{X}}` stays text.
//! * Leading lines that start with `//!` document the template (what it
//!   is, which placeholders it takes) and are not part of its text.
//!
//! A placeholder without a value, or a value no placeholder asks for, is a
//! bug of the lowering: debug builds (every test) panic naming the
//! template; release builds leave the placeholder in the text, which the
//! WGSL front end then rejects, so a user sees an error, never a panic.

use std::fmt::Display;

/// One `.wgsl` template, with the file name its problems are reported
/// under.
#[derive(Debug, Clone, Copy)]
pub(super) struct Template {
    /// File name under `lower/wgsl/`.
    pub(super) name: &'static str,
    /// The file's text, `//!` lines included.
    source: &'static str,
}

/// A value of a placeholder: anything printable (numbers, names, text).
pub(super) type Value<'a> = (&'a str, &'a dyn Display);

/// What is wrong between a template and its table of values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Problem {
    /// A placeholder with no value in the table.
    Unfilled(String),
    /// A value whose name no placeholder has.
    Unused(String),
}

impl Template {
    /// The template of file `name` whose text is `source` (from
    /// `include_str!`).
    pub(super) const fn new(name: &'static str, source: &'static str) -> Self {
        Template { name, source }
    }

    /// The text without its leading `//!` documentation.
    pub(super) fn body(&self) -> &'static str {
        let mut rest = self.source;
        while rest.starts_with("//!") {
            rest = rest.split_once('\n').map_or("", |(_, after)| after);
        }
        rest
    }

    /// The names of the template's placeholders, in order of appearance
    /// (repeats included).
    #[cfg(test)]
    pub(super) fn placeholders(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        let mut rest = self.body();
        while let Some((_, name, after)) = next_placeholder(rest) {
            names.push(name);
            rest = after;
        }
        names
    }

    /// The template with every placeholder replaced by its value in
    /// `values` (see the module documentation). Debug builds panic on a
    /// [`Problem`].
    pub(super) fn fill(&self, values: &[Value<'_>]) -> String {
        let (text, problems) = self.expand(values);
        debug_assert!(problems.is_empty(), "template {}: {problems:?}", self.name);
        text
    }

    /// [`Template::fill`] with its problems returned instead of asserted.
    pub(super) fn expand(&self, values: &[Value<'_>]) -> (String, Vec<Problem>) {
        let mut used = vec![false; values.len()];
        let mut problems = Vec::new();
        let mut lookup = |name: &str| match values.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                used[i] = true;
                Some(values[i].1.to_string())
            }
            None => {
                problems.push(Problem::Unfilled(name.to_string()));
                None
            }
        };
        let mut out = String::with_capacity(self.source.len());
        for line in self.body().split_inclusive('\n') {
            let content = line.trim_end_matches('\n');
            let indent = &content[..content.len() - content.trim_start().len()];
            match next_placeholder(content.trim_start()) {
                Some(("", name, "")) => match lookup(name) {
                    Some(value) => {
                        for l in value.lines() {
                            if !l.is_empty() {
                                out.push_str(indent);
                            }
                            out.push_str(l);
                            out.push('\n');
                        }
                    }
                    None => out.push_str(line),
                },
                _ => {
                    let mut rest = line;
                    while let Some((before, name, after)) = next_placeholder(rest) {
                        out.push_str(before);
                        match lookup(name) {
                            Some(value) => out.push_str(&value),
                            None => {
                                out.push_str("{{");
                                out.push_str(name);
                                out.push_str("}}");
                            }
                        }
                        rest = after;
                    }
                    out.push_str(rest);
                }
            }
        }
        for ((name, _), used) in values.iter().zip(used) {
            if !used {
                problems.push(Problem::Unused((*name).to_string()));
            }
        }
        (out, problems)
    }
}

/// The first placeholder of `text`: the text before it, its name, the
/// text after it. `{{` not followed by a name and `}}` is text.
fn next_placeholder(text: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| from + i) {
        let after_open = &text[open + 2..];
        let name_len = after_open
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after_open.len());
        if name_len > 0 && after_open[name_len..].starts_with("}}") {
            return Some((
                &text[..open],
                &after_open[..name_len],
                &after_open[name_len + 2..],
            ));
        }
        from = open + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Template = Template::new(
        "test.wgsl",
        "//! Documentation, with {{NOT_A_PLACEHOLDER}}.\n//! More.\n\
         fn f() -> u32 {\n    return {{VALUE}}u + {{VALUE}}u;\n}\n\
         fn g() {\n    {{BLOCK}}\n}\n{ {{ {{lower}} }}\n",
    );

    #[test]
    fn inline_and_block_placeholders_are_filled() {
        let (text, problems) = T.expand(&[
            ("VALUE", &7),
            ("BLOCK", &"let a = 1u;\n\nif (a == 1u) {\n    a = 2u;\n}\n"),
        ]);
        assert_eq!(problems, []);
        assert_eq!(
            text,
            "fn f() -> u32 {\n    return 7u + 7u;\n}\n\
             fn g() {\n    let a = 1u;\n\n    if (a == 1u) {\n        a = 2u;\n    }\n}\n\
             { {{ {{lower}} }}\n"
        );
        assert_eq!(T.placeholders(), ["VALUE", "VALUE", "BLOCK"]);
    }

    #[test]
    fn an_empty_block_removes_its_line() {
        let (text, problems) = T.expand(&[("VALUE", &1), ("BLOCK", &"")]);
        assert_eq!(problems, []);
        assert!(text.contains("fn g() {\n}\n"), "{text}");
    }

    #[test]
    fn values_are_not_scanned_again() {
        let (text, _) = T.expand(&[("VALUE", &"{{BLOCK}}"), ("BLOCK", &"")]);
        assert!(text.contains("return {{BLOCK}}u + {{BLOCK}}u;"), "{text}");
    }

    #[test]
    fn missing_and_unused_values_are_problems() {
        let (text, problems) = T.expand(&[("VALUE", &1), ("EXTRA", &2)]);
        assert_eq!(
            problems,
            [
                Problem::Unfilled("BLOCK".into()),
                Problem::Unused("EXTRA".into())
            ]
        );
        assert!(text.contains("    {{BLOCK}}\n"), "{text}");
    }
}
