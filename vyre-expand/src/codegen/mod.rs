//! Code generation: the typed tree becomes Rust code that builds the IR
//! with raw `Stmt`/`Expr` constructors when `handler()` runs.
//!
//! The generated code appends statements to the current IR block,
//! `__blk: &mut Vec<Stmt>`; nested blocks are Rust blocks with their own
//! `__blk`. An expression becomes a Rust expression of type `Expr` whose
//! evaluation builds the value and pushes nothing: whatever an expression
//! must run first (a `#[device]` call's body, an `if` with side effects,
//! a spawn, a compare-exchange) is pushed to the current block before the
//! statement that uses it, and operands to its left are first spilled into
//! temporaries so that evaluation order stays Rust's.
//!
//! This file holds the generator's state and the ids it names; literals
//! are in `lit`, the evaluation-order analysis (what pushes statements,
//! what may be spilled or speculated) in `order`, expressions in `expr`,
//! `#[device]` calls and spawns in `call`, `match` in `switch`, statements
//! in `stmt` (those of struct locals and struct fields in `structs`), and a
//! `#[device]` function's early `return`s in `returns`.

mod call;
mod expr;
mod lit;
mod order;
mod returns;
mod stmt;
mod structs;
mod switch;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};

use crate::hir::*;
use crate::types::{Final, Types};
use lit::u32_lit;

/// Where the code goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `handler()`: local ids and buffer ids are constants.
    Handler,
    /// A `#[device]` function's inliner: local ids are offsets from
    /// `__base`, buffers are the `BufferId`s its caller passed.
    Device,
}

/// A local of the IR: the function's own, or a temporary.
struct GenLocal {
    name: String,
    ty: Final,
    mutable: bool,
    /// A local array's length (tokens of a `u32` expression).
    array: Option<TokenStream>,
}

/// The generator of one function's IR builder.
pub(crate) struct Gen<'a> {
    types: &'a Types,
    mode: Mode,
    locals: Vec<GenLocal>,
    counter: usize,
    /// Device mode: the local receiving the returned value.
    ret_local: Option<LocalIdx>,
    /// Device mode: the flag set by an early `return`.
    returned: Option<LocalIdx>,
    /// Device mode: loops of the device body around the current code.
    loop_depth: usize,
    /// The struct locals.
    structs: Vec<StructInfo>,
}

/// Generated statements, appended in order.
type Out = Vec<TokenStream>;

impl<'a> Gen<'a> {
    /// A generator for a function with these locals, struct locals and
    /// solved types.
    pub(crate) fn new(
        types: &'a Types,
        mode: Mode,
        locals: &[LocalInfo],
        structs: &[StructInfo],
    ) -> Self {
        Gen {
            types,
            mode,
            structs: structs.to_vec(),
            locals: locals
                .iter()
                .map(|l| GenLocal {
                    name: l.name.clone(),
                    ty: types.finish(l.ty),
                    mutable: l.mutable,
                    array: l.array.clone(),
                })
                .collect(),
            counter: 0,
            ret_local: None,
            returned: None,
            loop_depth: 0,
        }
    }

    /// The local table: `LocalDecl` constructors, in order.
    pub(crate) fn local_decls(&self) -> Vec<TokenStream> {
        self.locals
            .iter()
            .map(|l| {
                let name = &l.name;
                let ty = self.types.tokens(l.ty);
                let mutable = l.mutable;
                match &l.array {
                    None => quote!(::vyre::program::LocalDecl::scalar(#name, #ty, #mutable)),
                    Some(len) => quote!(::vyre::program::LocalDecl {
                        array: ::core::option::Option::Some(#len),
                        ..::vyre::program::LocalDecl::scalar(#name, #ty, #mutable)
                    }),
                }
            })
            .collect()
    }

    /// A new local for the generated code (a temporary, a value, a flag).
    fn temp(&mut self, name: &str, ty: Final, mutable: bool) -> LocalIdx {
        self.locals.push(GenLocal {
            name: name.to_string(),
            ty,
            mutable,
            array: None,
        });
        self.locals.len() - 1
    }

    /// The length of a local array (tokens of a `u32` expression).
    fn array_len(&self, a: ArrayOf) -> TokenStream {
        match a {
            ArrayOf::Scalars(l) => self.locals.get(l).and_then(|g| g.array.clone()),
            ArrayOf::Structs(s) => self.structs.get(s).and_then(|i| i.count.clone()),
        }
        .unwrap_or_else(|| quote!(0u32))
    }

    /// `Some(tokens)` / `None` of an optional expression's tokens.
    fn option(t: Option<TokenStream>) -> TokenStream {
        match t {
            Some(t) => quote!(::core::option::Option::Some(#t)),
            None => quote!(::core::option::Option::None),
        }
    }

    /// A fresh Rust variable name for the generated code.
    fn var(&mut self) -> syn::Ident {
        self.counter += 1;
        format_ident!("__v{}", self.counter)
    }

    /// The final type of `e`.
    fn fin(&self, e: &Expr) -> Final {
        self.types.finish(e.ty)
    }

    /// The `LocalId` of local `l` in this mode.
    fn local_id(&self, l: LocalIdx) -> TokenStream {
        let k = u32_lit(l);
        match self.mode {
            Mode::Handler => quote!(::vyre::ir::LocalId(#k)),
            Mode::Device => quote!(::vyre::ir::LocalId(__base + #k)),
        }
    }

    /// The Rust variable holding buffer parameter `b`'s id in an inliner.
    pub(crate) fn buf_var(b: BufIdx) -> syn::Ident {
        format_ident!("__buf{}", b)
    }

    /// The `BufferId` of buffer parameter `b` in this mode.
    fn buf_id(&self, b: BufIdx) -> TokenStream {
        match self.mode {
            Mode::Handler => {
                let k = u32_lit(b);
                quote!(::vyre::ir::BufferId(#k))
            }
            Mode::Device => Self::buf_var(b).into_token_stream(),
        }
    }

    /// Pushes `stmt` to the current IR block.
    fn push(out: &mut Out, stmt: TokenStream) {
        out.push(quote!(__blk.push(#stmt);));
    }

    /// `Expr::Local` of local `l`.
    fn local_expr(&self, l: LocalIdx) -> TokenStream {
        let id = self.local_id(l);
        quote!(::vyre::ir::Expr::Local(#id))
    }

    /// A Rust block that runs `inner` on a fresh `__blk` and yields it as
    /// an IR `Block`.
    fn wrap_block(inner: Out) -> TokenStream {
        quote!({
            let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
            #(#inner)*
            ::vyre::ir::Block(::std::mem::take(__blk))
        })
    }

    /// The stand-in value of something without one (`()`, `!`).
    fn unit_value() -> TokenStream {
        quote!(::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(0u32)))
    }
}
