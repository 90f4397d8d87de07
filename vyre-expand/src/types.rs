//! The translator's types: the four scalars, `Priority`, types known only
//! when `handler()` runs (results of `#[device]` calls, constants, spawn
//! arguments), and inference variables for unsuffixed literals, solved by
//! unification as rustc does.

use proc_macro2::TokenStream;
use vyre_lang::ScalarType;

use crate::ir_tokens::IrTokens;

/// Index of an inference variable.
pub(crate) type VarId = usize;
/// Index of a run-time type expression.
pub(crate) type DynId = usize;

/// A type during translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    S(ScalarType),
    /// `Priority`: a `u32` in the IR that only compares and casts.
    Prio,
    /// A type known when `handler()` runs.
    Dyn(DynId),
    /// An inference variable.
    Var(VarId),
    /// `()`.
    Unit,
    /// `!` (`return`, `break`, `continue`, `ctx.fault(..)`).
    Never,
    /// The type of something already reported as an error.
    Err,
}

/// What an inference variable may become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An unsuffixed integer literal: `u32` or `i32` (`i32` by default).
    Int,
    /// An unsuffixed float literal: `f32` (Rust would default to `f64`).
    Float,
}

#[derive(Debug, Clone, Copy)]
enum Var {
    Unbound(Kind),
    Bound(Ty),
}

/// The final type of an expression, after inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Final {
    S(ScalarType),
    Prio,
    Dyn(DynId),
    /// A float literal whose type nothing fixed.
    UnresolvedFloat,
    Unit,
    Never,
    Err,
}

impl Final {
    /// The scalar, when known statically (`Priority` counts as `u32`).
    pub(crate) fn scalar(self) -> Option<ScalarType> {
        match self {
            Final::S(s) => Some(s),
            Final::Prio => Some(ScalarType::U32),
            _ => None,
        }
    }
}

/// Inference state.
#[derive(Default)]
pub(crate) struct Types {
    vars: Vec<Var>,
    dyns: Vec<TokenStream>,
}

impl Types {
    pub(crate) fn fresh(&mut self, kind: Kind) -> Ty {
        self.vars.push(Var::Unbound(kind));
        Ty::Var(self.vars.len() - 1)
    }

    /// A type given by `tokens`, an expression of type
    /// `::vyre::ir::ScalarType` evaluated when `handler()` runs.
    pub(crate) fn dynamic(&mut self, tokens: TokenStream) -> Ty {
        self.dyns.push(tokens);
        Ty::Dyn(self.dyns.len() - 1)
    }

    pub(crate) fn dyn_tokens(&self, id: DynId) -> TokenStream {
        self.dyns
            .get(id)
            .cloned()
            .unwrap_or_else(|| ScalarType::U32.ir_tokens())
    }

    /// Follows bound variables: the root variable (if the chain ends in
    /// one, or passes through one last) and the type.
    fn walk(&self, ty: Ty) -> (Option<VarId>, Ty) {
        let mut root = None;
        let mut ty = ty;
        // Bounded: a chain cannot be longer than the number of variables.
        for _ in 0..=self.vars.len() {
            match ty {
                Ty::Var(v) => match self.vars.get(v) {
                    Some(Var::Bound(next)) => {
                        root = Some(v);
                        ty = *next;
                    }
                    _ => return (Some(v), ty),
                },
                _ => return (root, ty),
            }
        }
        (root, Ty::Err)
    }

    /// The unbound variable a type resolves to, if any.
    pub(crate) fn root_var(&self, ty: Ty) -> Option<VarId> {
        match self.walk(ty) {
            (Some(v), Ty::Var(_)) => Some(v),
            _ => None,
        }
    }

    /// The type with bound variables replaced.
    pub(crate) fn resolve(&self, ty: Ty) -> Ty {
        self.walk(ty).1
    }

    fn kind_of(&self, v: VarId) -> Option<Kind> {
        match self.vars.get(v) {
            Some(Var::Unbound(k)) => Some(*k),
            _ => None,
        }
    }

    fn bind(&mut self, v: VarId, ty: Ty) {
        if let Some(slot) = self.vars.get_mut(v) {
            *slot = Var::Bound(ty);
        }
    }

    /// Makes `a` and `b` the same type. `false` on a mismatch (which rustc
    /// also reports on the original function).
    pub(crate) fn unify(&mut self, a: Ty, b: Ty) -> bool {
        let (ra, a) = self.walk(a);
        let (rb, b) = self.walk(b);
        match (a, b) {
            (Ty::Err, _) | (_, Ty::Err) | (Ty::Never, _) | (_, Ty::Never) => true,
            (Ty::Var(x), Ty::Var(y)) => {
                if x == y {
                    return true;
                }
                match (self.kind_of(x), self.kind_of(y)) {
                    (Some(kx), Some(ky)) if kx == ky => {
                        self.bind(x, Ty::Var(y));
                        true
                    }
                    _ => false,
                }
            }
            (Ty::Var(x), other) | (other, Ty::Var(x)) => {
                let ok = match (self.kind_of(x), other) {
                    (Some(Kind::Int), Ty::S(s)) => s.is_integer(),
                    (Some(Kind::Float), Ty::S(s)) => s == ScalarType::F32,
                    (Some(_), Ty::Dyn(_)) => true,
                    _ => false,
                };
                if ok {
                    self.bind(x, other);
                }
                ok
            }
            (Ty::S(x), Ty::S(y)) => x == y,
            (Ty::Prio, Ty::Prio) | (Ty::Unit, Ty::Unit) => true,
            (Ty::Dyn(_), Ty::Dyn(_)) => true,
            (Ty::Dyn(_), Ty::S(_)) => {
                // Prefer the static type: rustc guarantees both agree.
                if let Some(r) = ra {
                    self.bind(r, b);
                }
                true
            }
            (Ty::S(_), Ty::Dyn(_)) => {
                if let Some(r) = rb {
                    self.bind(r, a);
                }
                true
            }
            _ => false,
        }
    }

    /// The final type.
    pub(crate) fn finish(&self, ty: Ty) -> Final {
        match self.resolve(ty) {
            Ty::S(s) => Final::S(s),
            Ty::Prio => Final::Prio,
            Ty::Dyn(d) => Final::Dyn(d),
            Ty::Var(v) => match self.kind_of(v) {
                Some(Kind::Float) => Final::UnresolvedFloat,
                // Rust's default for an unconstrained integer literal.
                _ => Final::S(ScalarType::I32),
            },
            Ty::Unit => Final::Unit,
            Ty::Never => Final::Never,
            Ty::Err => Final::Err,
        }
    }

    /// `::vyre::ir::ScalarType` tokens of a final type (`u32` where there is
    /// none: unit, errors).
    pub(crate) fn tokens(&self, f: Final) -> TokenStream {
        match f {
            Final::S(s) => s.ir_tokens(),
            Final::Dyn(d) => self.dyn_tokens(d),
            Final::UnresolvedFloat => ScalarType::F32.ir_tokens(),
            Final::Prio | Final::Unit | Final::Never | Final::Err => ScalarType::U32.ir_tokens(),
        }
    }

    /// A human name for messages.
    pub(crate) fn describe(&self, ty: Ty) -> String {
        match self.resolve(ty) {
            Ty::S(s) => format!("`{}`", s.rust_name()),
            Ty::Prio => "`Priority`".into(),
            Ty::Dyn(_) => "a value of a #[device] result or constant type".into(),
            Ty::Var(v) => match self.kind_of(v) {
                Some(Kind::Float) => "a float literal".into(),
                _ => "an integer literal".into(),
            },
            Ty::Unit => "`()`".into(),
            Ty::Never => "`!`".into(),
            Ty::Err => "an erroneous value".into(),
        }
    }
}
