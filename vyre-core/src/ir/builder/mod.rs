//! A builder for handler bodies that reads like the Rust it stands for.
//!
//! ```
//! use vyre_core::ir::{Access, HandlerBuilder, ScalarType};
//! use vyre_core::Priority;
//!
//! // fn visit(offsets: &Buffer<u32>, edges: &Buffer<u32>,
//! //          dist: &Buffer<Atomic<u32>>, node: u32, depth: u32)
//! let mut h = HandlerBuilder::new(0x100, "visit");
//! let offsets = h.buffer("offsets", ScalarType::U32, Access::Read);
//! let edges = h.buffer("edges", ScalarType::U32, Access::Read);
//! let dist = h.buffer("dist", ScalarType::U32, Access::Atomic);
//! let node = h.arg("node", ScalarType::U32);
//! let depth = h.arg("depth", ScalarType::U32);
//! h.body(|b| {
//!     b.for_range("e", offsets.at(node), offsets.at(node + 1u32), |b, e| {
//!         let next = b.let_("next", edges.at(e));
//!         let old = dist.fetch_min(next, depth + 1u32);
//!         b.if_(old.gt(depth + 1u32), |b| {
//!             b.spawn(Priority::High, 0x100, vec![next.into(), (depth + 1u32).into()]);
//!         });
//!     });
//! });
//! let handler = h.finish().expect("valid handler");
//! assert_eq!(handler.arg_types(), vec![ScalarType::U32, ScalarType::U32]);
//! ```
//!
//! One concept per file: [`handles`] holds the copyable handles a body
//! names ([`Var`], [`BufferRef`], [`ctx`]), [`operators`] the Rust
//! operators and comparison methods that combine them into [`Expr`]s,
//! [`handler`] the [`HandlerBuilder`] that owns a handler's tables, and
//! [`block`] the [`BlockBuilder`] that emits its statements.
//!
//! [`Expr`]: super::Expr

mod block;
mod handler;
mod handles;
mod operators;
mod state;

pub use block::BlockBuilder;
pub use handler::HandlerBuilder;
pub use handles::{ctx, ArrayVar, BufferRef, Var};
