//! The reference backend under its historical path: the IR interpreter of
//! the CPU machine, [`cpu::interpret`](crate::cpu::interpret).

pub use crate::cpu::interpret::{ops, Interleaved, ReferenceEngine, SplitMix64};
