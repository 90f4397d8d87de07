//! The native backend under its historical path: the CPU machine calling
//! the handlers' original Rust functions,
//! [`cpu::native`](crate::cpu::native).

pub use crate::cpu::native::{NativeEngine, NativeFn, NativeTable};
