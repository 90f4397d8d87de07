//! WGSL lowering (being written).

use crate::program::Program;

/// Lowers `program` to WGSL.
pub fn wgsl(program: &Program) -> String {
    let _ = program;
    String::new()
}
