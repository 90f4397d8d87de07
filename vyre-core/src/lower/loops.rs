//! Loops in handler functions, and leaving the handler from anywhere in
//! them (a `return`, a fault, the loop limit).
//!
//! # Loops a driver may cut
//!
//! Some drivers end a shader's loops on their own: Mesa's lavapipe lets
//! one invocation take about 65,535 loop back-edges in all, then leaves
//! every loop at its next back-edge as if it had finished. A handler that
//! went on after such a loop would compute with half-finished state and
//! its task would complete with a wrong result. So every loop carries an
//! *exit state*, `vy_exit<n>` (see [`FnLowerer::open_loop`]): every way
//! the program leaves the loop sets it and goes round through the
//! back-edge to the loop's only `break`, at its top; after the loop a
//! state still [`LOOP_RUNNING`] means that nothing but the driver left it,
//! and the task faults with `LOOP_CUT`.
//!
//! Why a state read at the top rather than a flag set before each
//! `break`: compilers keep a variable in SSA form, and a value set just
//! before a `break` lives in a register that only the `break` paths
//! write. The driver's exit takes none of them, so after a cut that
//! register still holds what the last normal exit of the same code wrote
//! (an earlier task of the lane, in the same dispatch) and a flag would
//! read "left normally". Measured on lavapipe (Mesa 22.3): with a flag, a
//! loop cut in the second task of a lane whose first task had left the
//! same loop normally went unnoticed and the handler stored its
//! half-finished result. A value carried round the back-edge is current
//! whichever way the loop ends. For the same reason no `return` appears
//! inside a loop: the compiler turns a `return` inside a loop into a
//! `break` and a flag of its own, with the same stale register, so inside
//! a loop the handler ends by setting the state to [`LOOP_RETURN`] and
//! leaving each enclosing loop in turn ([`FnLowerer::leave`]).

use super::function::FnLowerer;
use super::names;

/// Exit state of a loop that is still iterating; after the loop it means
/// that the driver, not the program, ended it (`vy_LOOP_RUNNING`).
pub(super) const LOOP_RUNNING: u32 = 0;
/// Exit state of a loop the program left (`break`, or the loop's own
/// condition): the handler goes on after it (`vy_LOOP_DONE`).
pub(super) const LOOP_DONE: u32 = 1;
/// Exit state of a loop left because the handler ends (`return`, a fault,
/// LOOP_LIMIT): the handler leaves every enclosing loop and returns
/// (`vy_LOOP_RETURN`).
pub(super) const LOOP_RETURN: u32 = 2;

impl FnLowerer<'_> {
    /// The statement(s) that end the handler from the current position:
    /// `return;` outside loops; inside one, the innermost loop's exit
    /// state becomes [`LOOP_RETURN`] and the loop goes round to its
    /// `break` (see the module documentation for why no `return` appears
    /// inside a loop). The code after each loop passes it on outwards.
    pub(super) fn leave_code(&self) -> String {
        match self.loops.last() {
            Some(state) => format!("{state} = vy_LOOP_RETURN; continue;"),
            None => "return;".to_string(),
        }
    }

    /// Ends the handler ([`Self::leave_code`]).
    pub(super) fn leave(&mut self) {
        let code = self.leave_code();
        self.line(&code);
    }

    /// Opens a guarded loop:
    ///
    /// ```text
    /// var vy_exit<n>: u32 = vy_LOOP_RUNNING;
    /// loop {
    ///     if (vy_exit<n> != vy_LOOP_RUNNING) { break; }
    /// ```
    ///
    /// The test at the top is the loop's only `break`: leaving the loop
    /// sets the state and `continue`s (so a `for` variable may advance once
    /// more, unobservably: it is out of scope after the loop). The caller
    /// writes the body and [`Self::close_loop`] ends it.
    pub(super) fn open_loop(&mut self) {
        if !self.guard_loops {
            // No state is pushed: `leave_code`, `done_code` and `tick` then
            // emit plain `return` and `break`.
            self.open("loop {");
            return;
        }
        let state = names::loop_exit(self.loop_count);
        self.loop_count += 1;
        self.line(&format!("var {state}: u32 = vy_LOOP_RUNNING;"));
        self.open("loop {");
        self.line(&format!("if ({state} != vy_LOOP_RUNNING) {{ break; }}"));
        self.loops.push(state);
    }

    /// Leaves the innermost loop normally (its condition failed, or
    /// `break`).
    pub(super) fn done_code(&self) -> String {
        match self.loops.last() {
            Some(state) => format!("{state} = vy_LOOP_DONE; continue;"),
            // A validated handler has no `break` outside a loop.
            None => "break;".to_string(),
        }
    }

    /// Loop iteration accounting, emitted just before each loop body runs:
    /// `vy_tick` counts the iteration for the task and records LOOP_LIMIT
    /// when the task went past the limit, and the handler ends.
    pub(super) fn tick(&mut self) {
        let code = format!("if (vy_tick()) {{ {} }}", self.leave_code());
        self.line(&code);
    }

    /// Closes the loop [`Self::open_loop`] opened (after its `continuing`
    /// block, if any), then: the handler goes on when the program left the
    /// loop; it ends when the loop was left to end it; and when the loop's
    /// state is still [`LOOP_RUNNING`], nothing but the driver left it, so
    /// `vy_loop_end` records `LOOP_CUT` and the handler ends.
    pub(super) fn close_loop(&mut self) {
        self.close("}");
        if !self.guard_loops {
            return;
        }
        let state = self.loops.pop().unwrap_or_default();
        let code = format!("if (vy_loop_end({state})) {{ {} }}", self.leave_code());
        self.line(&code);
    }
}
