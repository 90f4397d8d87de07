//! Handler-level checks: the id, the names, the parameters and the argument
//! count, before any statement is looked at.

use std::collections::HashSet;

use super::error::ValidationErrorKind;
use crate::ir::handler::OpcodeHandler;
use crate::protocol::{MAX_ARGS, RESERVED_ID_START};
use vyre_lang::Access;

/// Checks everything about `h` but its body.
pub(super) fn check_signature(h: &OpcodeHandler) -> Result<(), ValidationErrorKind> {
    use ValidationErrorKind as K;
    if h.id >= RESERVED_ID_START {
        return Err(K::ReservedId { id: h.id });
    }
    let words: usize = h.locals[..h.arg_count.min(h.locals.len())]
        .iter()
        .map(|a| a.ty.words() as usize)
        .sum();
    if h.arg_count > MAX_ARGS || words > MAX_ARGS {
        return Err(K::TooManyArgs {
            count: words.max(h.arg_count),
        });
    }
    if h.arg_count > h.locals.len() {
        return Err(K::ArgumentsWithoutLocals {
            arg_count: h.arg_count,
            locals: h.locals.len(),
        });
    }
    check_name(&h.name)?;
    let mut names = HashSet::new();
    for b in &h.buffers {
        check_name(&b.name)?;
        if !names.insert(b.name.as_str()) {
            return Err(K::DuplicateParameter {
                name: b.name.clone(),
            });
        }
        let atomic = b.access == Access::Atomic;
        let ok = if atomic {
            b.elem.is_atomic_element()
        } else {
            b.elem.is_buffer_element()
        };
        if !ok {
            return Err(K::InvalidBufferElement {
                buffer: b.name.clone(),
                elem: b.elem,
                atomic: if atomic { " (atomic)" } else { "" },
            });
        }
    }
    for a in &h.locals[..h.arg_count.min(h.locals.len())] {
        check_name(&a.name)?;
        if a.array.is_some() {
            return Err(K::ArrayAsValue {
                name: a.name.clone(),
            });
        }
        if !names.insert(a.name.as_str()) {
            return Err(K::DuplicateParameter {
                name: a.name.clone(),
            });
        }
    }
    Ok(())
}

/// Checks that `name` is an identifier usable in generated code.
pub(crate) fn check_name(name: &str) -> Result<(), ValidationErrorKind> {
    let mut chars = name.chars();
    let ok = match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ValidationErrorKind::InvalidName {
            name: name.to_string(),
        })
    }
}

/// Counts the `{}` placeholders of a printf format string (`{{` and `}}`
/// are escaped braces).
pub fn count_placeholders(format: &str) -> usize {
    let mut n = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('{', Some('{')) | ('}', Some('}')) => {
                chars.next();
            }
            ('{', Some('}')) => {
                chars.next();
                n += 1;
            }
            _ => {}
        }
    }
    n
}
