//! The error context of one macro invocation: every error found in a
//! function is collected and emitted together, each with the span of the
//! tokens it is about (serde_derive's `Ctxt`, without the drop bomb: the
//! macros never panic).

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

/// Collected errors.
#[derive(Default)]
pub(crate) struct Ctxt {
    /// Errors the macro reports as `compile_error!`s.
    errors: RefCell<Vec<syn::Error>>,
    /// Problems rustc reports itself on the emitted original function (type
    /// mismatches and the like): the macro stays quiet about them, but the
    /// generated `handler()` refuses to build.
    soft: RefCell<Vec<String>>,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Ctxt::default()
    }

    /// An error about `tokens` (their first to last token).
    pub(crate) fn error(&self, tokens: impl ToTokens, msg: impl Display) {
        let tokens = tokens.into_token_stream();
        let err = if tokens.is_empty() {
            // Only reachable for synthesised empty syntax; the callers pass
            // tokens of the input.
            syn::Error::new(Span::call_site(), msg)
        } else {
            syn::Error::new_spanned(tokens, msg)
        };
        self.errors.borrow_mut().push(err);
    }

    /// An error at `span`.
    pub(crate) fn error_at(&self, span: Span, msg: impl Display) {
        self.errors.borrow_mut().push(syn::Error::new(span, msg));
    }

    /// A parse error.
    pub(crate) fn syn_error(&self, err: syn::Error) {
        self.errors.borrow_mut().push(err);
    }

    /// A problem rustc reports on the original function.
    pub(crate) fn soft(&self, msg: impl Display) {
        self.soft.borrow_mut().push(msg.to_string());
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.borrow().is_empty()
    }

    pub(crate) fn error_count(&self) -> usize {
        self.errors.borrow().len()
    }

    pub(crate) fn soft_messages(&self) -> Vec<String> {
        self.soft.borrow().clone()
    }

    /// The errors as `compile_error!` invocations.
    pub(crate) fn to_compile_errors(&self) -> TokenStream {
        self.errors
            .borrow()
            .iter()
            .map(syn::Error::to_compile_error)
            .collect()
    }
}
