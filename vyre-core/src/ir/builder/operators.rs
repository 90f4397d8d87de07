//! The operators that combine [`Expr`]s and [`Var`]s: Rust's arithmetic,
//! bitwise and unary operator traits, and methods for the comparisons,
//! logic, casts and intrinsics that Rust's operators cannot express
//! (`PartialOrd` and `PartialEq` must return `bool`, not an [`Expr`]).

use std::ops;

use super::handles::Var;
use crate::ir::expr::Expr;
use vyre_lang::{BinOp, Intrinsic, ScalarType, UnOp};

macro_rules! binary_operators {
    ($($trait:ident :: $method:ident => $op:ident),* $(,)?) => {$(
        impl<R: Into<Expr>> ops::$trait<R> for Expr {
            type Output = Expr;
            fn $method(self, rhs: R) -> Expr {
                Expr::Binary { op: BinOp::$op, lhs: Box::new(self), rhs: Box::new(rhs.into()) }
            }
        }
        impl<R: Into<Expr>> ops::$trait<R> for Var {
            type Output = Expr;
            fn $method(self, rhs: R) -> Expr {
                ops::$trait::$method(Expr::from(self), rhs)
            }
        }
    )*};
}

binary_operators!(
    Add::add => Add, Sub::sub => Sub, Mul::mul => Mul, Div::div => Div, Rem::rem => Rem,
    BitAnd::bitand => BitAnd, BitOr::bitor => BitOr, BitXor::bitxor => BitXor,
    Shl::shl => Shl, Shr::shr => Shr,
);

impl ops::Neg for Expr {
    type Output = Expr;
    fn neg(self) -> Expr {
        Expr::Unary {
            op: UnOp::Neg,
            operand: Box::new(self),
        }
    }
}

impl ops::Neg for Var {
    type Output = Expr;
    fn neg(self) -> Expr {
        -Expr::from(self)
    }
}

impl ops::Not for Expr {
    type Output = Expr;
    fn not(self) -> Expr {
        Expr::Unary {
            op: UnOp::Not,
            operand: Box::new(self),
        }
    }
}

impl ops::Not for Var {
    type Output = Expr;
    fn not(self) -> Expr {
        !Expr::from(self)
    }
}

macro_rules! expr_methods {
    ($ty:ty) => {
        impl $ty {
            fn binary(self, op: BinOp, rhs: impl Into<Expr>) -> Expr {
                Expr::Binary {
                    op,
                    lhs: Box::new(self.into()),
                    rhs: Box::new(rhs.into()),
                }
            }
            /// `self < rhs`.
            pub fn lt(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Lt, rhs)
            }
            /// `self <= rhs`.
            pub fn le(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Le, rhs)
            }
            /// `self > rhs`.
            pub fn gt(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Gt, rhs)
            }
            /// `self >= rhs`.
            pub fn ge(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Ge, rhs)
            }
            /// `self == rhs`.
            pub fn equals(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Eq, rhs)
            }
            /// `self != rhs`.
            pub fn not_equals(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Ne, rhs)
            }
            /// `self && rhs` (short-circuiting).
            pub fn and(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::And, rhs)
            }
            /// `self || rhs` (short-circuiting).
            pub fn or(self, rhs: impl Into<Expr>) -> Expr {
                self.binary(BinOp::Or, rhs)
            }
            /// `self as to`.
            pub fn cast(self, to: ScalarType) -> Expr {
                Expr::Cast {
                    to,
                    value: Box::new(self.into()),
                }
            }
            /// A scalar method: `self.func(operands...)`.
            pub fn call(self, func: Intrinsic, operands: Vec<Expr>) -> Expr {
                let mut args = vec![self.into()];
                args.extend(operands);
                Expr::Intrinsic { func, args }
            }
            /// `self.min(rhs)`.
            pub fn min(self, rhs: impl Into<Expr>) -> Expr {
                self.call(Intrinsic::Min, vec![rhs.into()])
            }
            /// `self.max(rhs)`.
            pub fn max(self, rhs: impl Into<Expr>) -> Expr {
                self.call(Intrinsic::Max, vec![rhs.into()])
            }
            /// `if cond { self } else { other }`, both evaluated.
            pub fn select(self, cond: impl Into<Expr>, other: impl Into<Expr>) -> Expr {
                Expr::Select {
                    cond: Box::new(cond.into()),
                    if_true: Box::new(self.into()),
                    if_false: Box::new(other.into()),
                }
            }
        }
    };
}

expr_methods!(Expr);
expr_methods!(Var);
