//! The state of lowering one handler body into one WGSL function, and the
//! primitives every part of the lowering writes through: indented lines,
//! fresh temporaries, the names of locals and the buffers a handler binds.
//! Expressions (`expr`) and statements (`handler`) are lowered by methods
//! of [`FnLowerer`] defined in their own files.

use super::helpers::Helpers;
use super::names;
use crate::ir::{BufferId, HandlerInfo, LocalId, OpcodeHandler, ScalarType};
use crate::program::{Program, ProgramBuffer};

/// Lowers the body of one handler into a WGSL function.
pub(super) struct FnLowerer<'a> {
    pub(super) program: &'a Program,
    pub(super) handler: &'a OpcodeHandler,
    /// The handler's types, from validation.
    pub(super) info: &'a HandlerInfo,
    pub(super) index: usize,
    /// On-demand helpers shared by every handler of the module.
    pub(super) helpers: &'a mut Helpers,
    pub(super) out: String,
    pub(super) depth: usize,
    pub(super) temps: u32,
    /// The exit states of the loops around the current statement,
    /// innermost last.
    pub(super) loops: Vec<String>,
    /// Loops opened so far (numbers their exit states).
    pub(super) loop_count: u32,
    /// Whether loops carry exit states ([`super::LowerOptions::guard_loops`]).
    /// Without them a loop is a plain `loop` that `break`s and `return`s
    /// directly: the fastest form, for drivers that never cut loops.
    pub(super) guard_loops: bool,
    /// Whether the statement about to be lowered is in the handler's tail
    /// position: nothing runs after it, and it is in no loop (set by
    /// `block` for its last statement, passed on by `if`, `match` and
    /// blocks, taken by every statement). A spawn there is deferred to
    /// `vy_dispatch` (`FnLowerer::spawn`).
    pub(super) tail: bool,
    /// An upper bound of the loop iterations the task has been charged
    /// (`vy_task_iters`) when the current statement starts, or `None`
    /// once a loop whose count the lowering cannot know may have run: the
    /// sum of the constant trips of the charged loops before it in the
    /// handler's text (on any path, so a bound for each). A charged loop
    /// that fits under it needs no ticking copy (`FnLowerer::for_loop`).
    pub(super) iters_bound: Option<u64>,
    /// The immutable locals declared with an integer literal, and its
    /// value (a `#[device]` function's argument given as a constant is
    /// one): a range bounded by them has a constant trip.
    pub(super) constants: std::collections::HashMap<LocalId, i64>,
}

impl<'a> FnLowerer<'a> {
    /// Writes one line at the current depth.
    pub(super) fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Writes a line that opens a block.
    pub(super) fn open(&mut self, text: &str) {
        self.line(text);
        self.depth += 1;
    }

    /// Closes a block with `text` (`}` or `} else {`).
    pub(super) fn close(&mut self, text: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.line(text);
    }

    /// A fresh temporary name.
    pub(super) fn fresh_temp(&mut self) -> String {
        let t = names::temp(self.temps);
        self.temps += 1;
        t
    }

    /// The WGSL name and type of a local.
    pub(super) fn local(&self, id: LocalId) -> (String, ScalarType) {
        let name = match self.handler.locals.get(id.0 as usize) {
            Some(d) => names::local(id, &d.name),
            // Unreachable for a validated handler.
            None => names::local(id, "undeclared"),
        };
        (name, self.info.local(id))
    }

    /// The declared buffer bound to this handler's buffer parameter `id`.
    pub(super) fn program_buffer(&self, id: BufferId) -> Option<&'a ProgramBuffer> {
        let program: &'a Program = self.program;
        let param = id.0 as usize;
        if param >= self.handler.buffers.len() {
            return None;
        }
        program.buffers().get(program.binding(self.index, param))
    }
}
