//! The validator: checks a handler and returns what it learned, the type
//! of every local and expression ([`HandlerInfo`]). Errors name the
//! handler and what is wrong.
//!
//! One concern per file: `error` holds the errors, `signature` the
//! handler-level checks (id, names, parameters), `stmt` the statements
//! (scopes, mutability, buffer access, loops) and `typing` the types of
//! expressions, recorded in the pre-order numbering of [`HandlerInfo`].

mod error;
mod signature;
mod stmt;
mod typing;

pub use error::{ValidationError, ValidationErrorKind};
pub(crate) use signature::check_name;
pub use signature::count_placeholders;
pub use typing::type_of;

use super::handler::OpcodeHandler;
use super::info::HandlerInfo;

/// Checks `handler` and returns the types of its locals and expressions,
/// or the first problem found.
pub fn validate_handler(handler: &OpcodeHandler) -> Result<HandlerInfo, ValidationError> {
    let wrap = |kind| ValidationError {
        handler: handler.name.clone(),
        kind,
    };
    signature::check_signature(handler).map_err(wrap)?;
    stmt::Validator::new(&handler.locals, &handler.buffers, handler.arg_count)
        .body(&handler.body)
        .map_err(wrap)
}
