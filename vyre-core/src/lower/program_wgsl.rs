//! [`Program::wgsl`]: the lowering offered as a method of the program.
//!
//! The method is defined here, in the layer that lowers, so that
//! `program` (below `lower`) never names the lowering: an inherent method
//! may be written in any module of the crate that defines the type.

use crate::program::Program;

impl Program {
    /// The program lowered to WGSL ([`wgsl`](super::wgsl)).
    pub fn wgsl(&self) -> String {
        super::wgsl(self)
    }
}
