//! The program-wide table of `printf!` formats.

use super::Program;
use crate::ir::{validate::type_of, ScalarType, Stmt};

/// One `printf!` format of a program: records carry its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintfFormat {
    /// The handler that prints it.
    pub handler: usize,
    /// The format string with `{}` placeholders.
    pub format: String,
    /// Types of the arguments, for decoding the record words.
    pub arg_types: Vec<ScalarType>,
}

impl PrintfFormat {
    /// Formats a record's argument words into the line it stands for.
    pub fn render(&self, words: &[u32]) -> String {
        let mut out = String::new();
        let mut args = self.arg_types.iter().zip(words);
        let mut chars = self.format.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('{', Some('{')) | ('}', Some('}')) => {
                    chars.next();
                    out.push(c);
                }
                ('{', Some('}')) => {
                    chars.next();
                    if let Some((ty, w)) = args.next() {
                        out.push_str(&render_word(*ty, *w));
                    }
                }
                _ => out.push(c),
            }
        }
        out
    }
}

fn render_word(ty: ScalarType, w: u32) -> String {
    match ty {
        ScalarType::Bool => (w != 0).to_string(),
        ScalarType::U32 => w.to_string(),
        ScalarType::I32 => (w as i32).to_string(),
        ScalarType::F32 => f32::from_bits(w).to_string(),
    }
}

/// Gives every distinct (handler, format) pair an id, in program order.
pub(super) fn collect_formats(program: &mut Program) {
    let mut formats = Vec::new();
    let mut ids = std::collections::HashMap::new();
    for (hi, h) in program.handlers.iter().enumerate() {
        crate::ir::visit_stmts(&h.body, &mut |s| {
            if let Stmt::Printf { format, args } = s {
                let key = (hi, format.clone());
                if ids.contains_key(&key) {
                    return;
                }
                let arg_types = args
                    .iter()
                    .map(|a| {
                        type_of(a, &h.locals, &h.buffers, &|_| true).unwrap_or(ScalarType::U32)
                    })
                    .collect();
                ids.insert(key, formats.len() as u32);
                formats.push(PrintfFormat {
                    handler: hi,
                    format: format.clone(),
                    arg_types,
                });
            }
        });
    }
    program.formats = formats;
    program.format_ids = ids;
}
