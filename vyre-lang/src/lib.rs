//! The vocabulary of vyre's handler language, in one place for both sides
//! of the compiler: the macros (`vyre-expand`, at compile time) and the
//! runtime (`vyre-core`: IR, validation, lowering, the CPU backends).
//!
//! It holds what the language *is*, not how a backend runs it: the scalar
//! types and their values, the operators, the table of scalar intrinsics
//! (name, arity, operand and result types, host semantics), the atomic
//! operations, the values a handler reads from its context, the five
//! priorities, and every limit of a program (argument counts, the reserved
//! opcode ids, the range and default of each configuration field).
//!
//! The crate has no dependencies and no `unsafe`.
//!
//! ```
//! use vyre_lang::{Intrinsic, Literal, ScalarType};
//!
//! let f = Intrinsic::from_method_name("rotate_left").unwrap();
//! assert_eq!(f.arity(), 2);
//! assert_eq!(f.result_type(ScalarType::I32), Some(ScalarType::I32));
//! assert_eq!(f.operand_type(1, ScalarType::I32), ScalarType::U32);
//! assert_eq!(f.eval(&[Literal::U32(1), Literal::U32(33)]), Literal::U32(2));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod atomic;
mod buffer_kind;
mod ctx;
pub mod eval;
mod intrinsic;
mod layout;
pub mod limits;
mod op;
mod priority;
mod scalar;

pub use atomic::AtomicOp;
pub use buffer_kind::BufferKind;
pub use ctx::CtxValue;
pub use intrinsic::Intrinsic;
pub use layout::{same_layout, str_eq, FieldLayout, Layout, StructLayout};
pub use op::{BinOp, UnOp};
pub use priority::{Priority, PRIORITIES};
pub use scalar::{Access, Literal, ScalarType};
