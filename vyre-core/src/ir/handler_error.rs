//! Errors of building a handler's IR at run time.

use super::validate::ValidationError;

/// Why a generated `handler()` could not build its IR. `try_handler()`
/// returns it; `handler()` panics with its message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HandlerError {
    /// `#[device]` functions that call each other in a cycle: they are
    /// inlined, so the cycle would never end.
    #[error("#[device] functions call each other recursively ({cycle}); device functions are inlined into the handler, so recursion cannot run on the GPU: rewrite it as a loop")]
    DeviceRecursion {
        /// The cycle, `a -> b -> a`.
        cycle: String,
    },
    /// Inlining nested deeper than the limit.
    #[error("#[device] calls nest more than {limit} deep ({chain}); device functions are inlined, so the nesting must be shallow")]
    DeviceNesting {
        /// The nesting limit.
        limit: usize,
        /// The call chain.
        chain: String,
    },
    /// A `#[device]` call whose arguments do not fit the function (only
    /// possible when the host code does not compile either).
    #[error("call to #[device] function `{device}`: {problem}")]
    DeviceArguments {
        /// The device function.
        device: String,
        /// What does not fit.
        problem: String,
    },
    /// A struct field access a handler cannot make yet (an element of an
    /// array of structs, or a whole nested struct as a value).
    #[error("field `{path}` of `{structure}`: {problem}")]
    StructField {
        /// The struct.
        structure: String,
        /// The field path, `a.b`.
        path: String,
        /// What is not supported, and what to write instead.
        problem: String,
    },
    /// The IR the macro built does not validate: a bug in the translator.
    #[error("the IR generated for this handler is invalid ({0}); this is a bug in vyre's #[opcode] translator, please report it")]
    Invalid(#[from] ValidationError),
}
