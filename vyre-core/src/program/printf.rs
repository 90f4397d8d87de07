//! The program-wide table of `printf!` formats.

use super::Program;
use crate::ir::{ScalarType, Stmt, StmtId};

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
    /// Formats a record's argument words into the line it stands for
    /// (the rendering of [`host::render_words`](crate::host::render_words)).
    pub fn render(&self, words: &[u32]) -> String {
        crate::host::render_words(&self.format, &self.arg_types, words)
    }
}

/// Gives every distinct (handler, format) pair an id, in program order.
pub(super) fn collect_formats(program: &mut Program) {
    let mut formats = Vec::new();
    let mut ids = std::collections::HashMap::new();
    for (hi, (h, info)) in program.handlers.iter().zip(&program.infos).enumerate() {
        // Statements are numbered in the order `visit_stmts` visits them.
        let mut id = StmtId(0);
        crate::ir::visit_stmts(&h.body, &mut |s| {
            let stmt = id;
            id = StmtId(id.0 + 1);
            if let Stmt::Printf { format, args } = s {
                let key = (hi, format.clone());
                if ids.contains_key(&key) {
                    return;
                }
                let arg_types = info
                    .siblings(info.stmt_expr(stmt))
                    .take(args.len())
                    .map(|a| info.ty(a))
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
