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
//!
//! # Counted loops
//!
//! A `for` over a range with no `break` and no loop inside
//! ([`runs_every_iteration`]) knows its iterations when it starts: in a
//! module without loop guards (`LowerOptions::guard_loops`, off on
//! hardware, whose drivers never cut loops) it is charged them at once
//! (`vy_charge`) and runs as a plain counted loop, with a ticking copy for
//! the charge that does not fit, so the task reaches the loop limit at the
//! same iteration either way. When both ends are constants
//! ([`FnLowerer::constant`]) and the trip, with the constant trips charged
//! before it, fits under the limit, the charge cannot fail and the ticking
//! copy is left out (`docs/protocol.md`, "Loops").

use super::function::FnLowerer;
use super::names::{self, wgsl_type};
use crate::ir::{Block, Expr, ExprId, LocalId, ScalarType, Stmt, StmtId};
use vyre_lang::Literal;

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

    /// `for var in start..end` / `start..=end`. Both bounds are evaluated
    /// once, start first. The variable advances in a `continuing` block, so
    /// `continue` advances it too; the inclusive form tests for the last
    /// value before incrementing, so an end of `u32::MAX` or `i32::MAX`
    /// neither overflows nor loops forever (the increment after the last
    /// value wraps, unobservably).
    /// `bounds` are start and end, numbered from `first`; the body's first
    /// statement is `body_first`.
    pub(super) fn for_loop(
        &mut self,
        var: LocalId,
        [start, end]: [&Expr; 2],
        first: ExprId,
        inclusive: bool,
        body: &Block,
        body_first: StmtId,
    ) {
        let s = self.expr(start, first);
        let e = self.expr(end, self.info.next_expr(first));
        // The end is evaluated once: a temporary holds it unless it cannot
        // change (a literal or an immutable local).
        let e = if self.is_stable(end) { e } else { self.bind(e) };
        let (name, ty) = self.local(var);
        let one = if ty == ScalarType::I32 { "1i" } else { "1u" };
        self.line(&format!("var {name}: {} = {};", wgsl_type(ty), s.code));
        // What the loop charges, when both ends of its range are constants
        // (used below where it is charged at once).
        let known_trip = self.constant(start).zip(self.constant(end));
        let known_trip = known_trip.map(|(s, e)| u64::try_from(e - s).unwrap_or(0));
        let bound = std::mem::take(&mut self.iters_bound);
        if inclusive {
            self.open(&format!("if ({name} <= {}) {{", e.code));
            self.open_loop();
            self.tick();
            self.block(body, body_first);
            self.open("continuing {");
            match self.loops.last().cloned() {
                // After the last value the program leaves the loop, unless
                // it is leaving already (`break`, or the handler ending).
                Some(state) => {
                    self.line(&format!(
                        "if ({state} == vy_LOOP_RUNNING && {name} == {}) {{ {state} = vy_LOOP_DONE; }}",
                        e.code
                    ));
                    self.line(&format!("{name} = {name} + {one};"));
                }
                None => {
                    let last = self.fresh_temp();
                    self.line(&format!("let {last} = {name} == {};", e.code));
                    self.line(&format!("{name} = {name} + {one};"));
                    self.line(&format!("break if {last};"));
                }
            }
            self.close("}");
            self.close_loop();
            self.close("}");
        } else if !self.guard_loops && runs_every_iteration(body) {
            // Its iterations are known before it starts (nothing leaves it
            // early but the handler ending): charged at once when they fit
            // under the loop limit, the loop runs without a tick per
            // iteration, a plain counted loop the driver can schedule as
            // in a direct kernel; otherwise it ticks as any other loop and
            // reaches the limit at the same iteration.
            let limit = u64::from(self.program.config().loop_limit);
            if let Some((before, trip)) = bound.zip(known_trip) {
                if before + trip <= limit {
                    // A constant trip that fits under the limit whatever
                    // ran before: the charge cannot fail, so the ticking
                    // copy would be dead code the driver still compiles.
                    self.line(&format!(
                        "// At most {before} iterations before: the charge always fits."
                    ));
                    self.line(&format!("_ = vy_charge({trip}u);"));
                    self.exclusive_loop(&name, &e.code, one, body, body_first, false);
                    self.iters_bound = Some(before + trip);
                    return;
                }
            }
            let trip = self.fresh_temp();
            let span = if ty == ScalarType::I32 {
                format!("bitcast<u32>({}) - bitcast<u32>({name})", e.code)
            } else {
                format!("{} - {name}", e.code)
            };
            self.line(&format!(
                "let {trip} = select(0u, {span}, {name} < {});",
                e.code
            ));
            self.open(&format!("if (vy_charge({trip})) {{"));
            self.exclusive_loop(&name, &e.code, one, body, body_first, false);
            self.close("} else {");
            self.depth += 1;
            self.exclusive_loop(&name, &e.code, one, body, body_first, true);
            self.close("}");
        } else {
            self.exclusive_loop(&name, &e.code, one, body, body_first, true);
        }
    }

    /// `loop { if (name >= end) leave; [tick;] body; continuing { name += 1 } }`.
    fn exclusive_loop(
        &mut self,
        name: &str,
        end: &str,
        one: &str,
        body: &Block,
        body_first: StmtId,
        tick: bool,
    ) {
        self.open_loop();
        let done = self.done_code();
        self.line(&format!("if ({name} >= {end}) {{ {done} }}"));
        if tick {
            self.tick();
        }
        self.block(body, body_first);
        self.open("continuing {");
        self.line(&format!("{name} = {name} + {one};"));
        self.close("}");
        self.close_loop();
    }

    /// The value of `e` when the lowering knows it: an integer literal, or
    /// an immutable local declared with one.
    fn constant(&self, e: &Expr) -> Option<i64> {
        match e {
            Expr::Local(id) => self.constants.get(id).copied(),
            _ => integer(e),
        }
    }
}

/// The value of `e` when it is an integer literal.
pub(super) fn integer(e: &Expr) -> Option<i64> {
    match e {
        Expr::Lit(Literal::U32(v)) => Some(i64::from(*v)),
        Expr::Lit(Literal::I32(v)) => Some(i64::from(*v)),
        _ => None,
    }
}

/// Whether a loop with `body` starts every iteration its range holds
/// unless the handler ends: no `break` in it, and no loop (whose own
/// iterations the charge could not know).
fn runs_every_iteration(body: &Block) -> bool {
    body.stmts().iter().all(|s| match s {
        Stmt::For { .. } | Stmt::While { .. } | Stmt::Loop { .. } | Stmt::Break => false,
        Stmt::If {
            then_body,
            else_body,
            ..
        } => runs_every_iteration(then_body) && runs_every_iteration(else_body),
        Stmt::Switch { cases, default, .. } => {
            cases.iter().all(|c| runs_every_iteration(&c.body)) && runs_every_iteration(default)
        }
        Stmt::Block(b) => runs_every_iteration(b),
        _ => true,
    })
}
