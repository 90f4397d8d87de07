//! Handler bodies: one [`OpcodeHandler`](crate::ir::OpcodeHandler) becomes one WGSL function
//! `op_<name>(args…)`.
//!
//! The task's state lives in the module's private variables (`vy_fault`,
//! `vy_fault_detail`, `vy_task_iters`, `vy_lane_iters`, `vy_lane`,
//! `vy_slot`, `vy_tenant`, `vy_priority`), set by the work loop before the
//! call and read by it afterwards. Statement-level fault semantics
//! (`docs/protocol.md`, "Inside a task"): helpers record the first fault
//! and yield 0, and every side effect is skipped once a fault is recorded
//! (the helpers check `vy_fault`), so the statements after a fault run
//! without effect: no check follows them, since each would be a branch
//! the driver compiles at every site. A loop ends at its next iteration
//! once the task has faulted (`vy_tick`), and `fault(code)` itself ends
//! the handler.
//!
//! Loops, and leaving the handler from inside them, are the `loops`
//! module's.

use std::fmt::Write;

use super::expr::Val;
use super::function::FnLowerer;
use super::helpers::Helpers;
use super::loops::integer;
pub(super) use super::loops::{LOOP_DONE, LOOP_RETURN, LOOP_RUNNING};
use super::names::{self, wgsl_type};
use crate::ir::{Block, BufferId, Expr, ExprId, LocalId, Stmt, StmtId, SwitchCase};
use crate::program::Program;
use crate::protocol::{MAX_ARGS, PRINTF_MAX_ARGS};

/// Appends the WGSL function of handler `index` of `program` to `out`,
/// registering the helpers it uses.
pub(super) fn lower_handler(
    program: &Program,
    index: usize,
    guard_loops: bool,
    helpers: &mut Helpers,
    out: &mut String,
) {
    let (Some(handler), Some(info)) = (program.handlers().get(index), program.handler_info(index))
    else {
        return;
    };
    let mut f = FnLowerer {
        program,
        handler,
        info,
        index,
        helpers,
        out: String::new(),
        depth: 0,
        temps: 0,
        loops: Vec::new(),
        loop_count: 0,
        guard_loops,
        tail: false,
        iters_bound: Some(0),
        constants: Default::default(),
    };
    let params: Vec<String> = handler
        .args()
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let name = names::local(LocalId(i as u32), &a.name);
            format!("{name}: {}", wgsl_type(a.ty))
        })
        .collect();
    let _ = writeln!(
        f.out,
        "// Handler `{}`, opcode {:#x}.",
        names::comment_text(&handler.name),
        handler.id
    );
    f.open(&format!(
        "fn {}({}) {{",
        names::handler(&handler.name),
        params.join(", ")
    ));
    f.tail = true;
    f.block(&handler.body, info.body());
    f.close("}");
    out.push_str(&f.out);
    out.push('\n');
}

impl FnLowerer<'_> {
    /// When `v` is the temporary defined by the last line written, removes
    /// that line and returns its initialiser, so that `let vy_t0 = f(..);
    /// let l1_x = vy_t0;` reads `let l1_x = f(..);`. Nothing runs between
    /// the two, so the order of evaluation is unchanged.
    fn take_last_temp(&mut self, v: &Val) -> Option<String> {
        if v.konst || !names::is_temp(&v.code) {
            return None;
        }
        let body = self.out.strip_suffix('\n')?;
        let start = body.rfind('\n').map_or(0, |i| i + 1);
        let prefix = format!("let {}: {} = ", v.code, wgsl_type(v.ty));
        let init = body[start..]
            .trim_start()
            .strip_prefix(&prefix)?
            .strip_suffix(';')?
            .to_string();
        self.out.truncate(start);
        Some(init)
    }

    /// The value of `v` for a statement that consumes it once: the
    /// initialiser of the temporary it names when that was just written.
    fn consume(&mut self, v: Val) -> String {
        self.take_last_temp(&v).unwrap_or(v.code)
    }

    /// `let` (or `var` for a `mut` local) of `local` with value `code`.
    fn declare(&mut self, local: LocalId, code: &str) {
        let (name, ty) = self.local(local);
        let kw = if self.is_mutable(local) { "var" } else { "let" };
        self.line(&format!("{kw} {name}: {} = {code};", wgsl_type(ty)));
    }

    /// Lowers `block`, whose first statement is `first`. When the block is
    /// in tail position ([`FnLowerer::tail`]), so is its last statement
    /// that does something: the copies of a local or literal into a
    /// local after it can neither fault nor be observed (the handler ends
    /// and its locals with it), as in `let ok = ctx.spawn(…);`, which is a
    /// spawn into a temporary and a copy.
    pub(super) fn block(&mut self, block: &Block, first: StmtId) {
        let tail = std::mem::take(&mut self.tail);
        let last = block.stmts().iter().rposition(|s| !is_copy(s)).unwrap_or(0);
        let mut id = first;
        for (i, s) in block.stmts().iter().enumerate() {
            self.tail = tail && i == last;
            self.stmt(s, id);
            id = self.info.next(id);
        }
        self.tail = false;
    }

    /// Lowers statement `s`, numbered `id` (its expressions and nested
    /// blocks are numbered from it: `ir::HandlerInfo`).
    fn stmt(&mut self, s: &Stmt, id: StmtId) {
        // Only branches pass tail position on, to their blocks; loops and
        // the blocks inside expressions never have it.
        let tail = std::mem::take(&mut self.tail);
        let e0 = self.info.stmt_expr(id);
        let e1 = self.info.next_expr(e0);
        let nested = self.info.nested(id);
        match s {
            Stmt::Let { local, value } => {
                if let Some(c) = integer(value) {
                    if !self.is_mutable(*local) {
                        self.constants.insert(*local, c);
                    }
                }
                let v = self.expr(value, e0);
                let code = self.consume(v);
                self.declare(*local, &code);
            }
            Stmt::LetArray { array, init } => self.let_array(*array, init, e0),
            Stmt::StoreField {
                buffer,
                index,
                field,
                value,
            } => self.store_field(*buffer, [index, value], field, e0),
            Stmt::StoreIndex {
                array,
                index,
                value,
            } => self.store_index(*array, [index, value], e0),
            Stmt::Assign { local, value } => {
                let v = self.expr(value, e0);
                let code = self.consume(v);
                let (name, _) = self.local(*local);
                self.line(&format!("{name} = {code};"));
            }
            Stmt::Store {
                buffer,
                index,
                value,
            } => {
                let i = self.expr(index, e0);
                let v = self.expr(value, e1);
                if let Some(b) = self.program_buffer(*buffer) {
                    let f = self.helpers.store(b);
                    self.line(&format!("{f}({}, {});", i.code, v.code));
                }
            }
            Stmt::AtomicStore {
                buffer,
                index,
                value,
            } => {
                let i = self.expr(index, e0);
                let v = self.expr(value, e1);
                if let Some(b) = self.program_buffer(*buffer) {
                    let f = self.helpers.atomic_store(b);
                    self.line(&format!("{f}({}, {});", i.code, v.code));
                }
            }
            Stmt::CompareExchange {
                buffer,
                index,
                current,
                new,
                old,
                exchanged,
            } => self.compare_exchange(*buffer, [index, current, new], e0, *old, *exchanged),
            Stmt::Eval(e) => {
                // The value is dropped; its fallible and effectful parts
                // were emitted as statements by `expr`. A pure value is not
                // written at all.
                let v = self.expr(e, e0);
                if let Some(init) = self.take_last_temp(&v) {
                    self.line(&format!("_ = {init};"));
                }
            }
            Stmt::If {
                cond,
                then_body,
                else_body,
            } => {
                let c = self.expr(cond, e0);
                self.open(&format!("if {} {{", paren(&c.code)));
                self.tail = tail;
                self.block(then_body, nested);
                if !else_body.stmts().is_empty() {
                    self.close("} else {");
                    self.depth += 1;
                    let first = self.info.after_block(nested, then_body);
                    self.tail = tail;
                    self.block(else_body, first);
                }
                self.close("}");
            }
            Stmt::Switch {
                selector,
                cases,
                default,
            } => self.switch(selector, cases, default, id, tail),
            Stmt::For {
                var,
                start,
                end,
                inclusive,
                body,
            } => self.for_loop(*var, [start, end], e0, *inclusive, body, nested),
            Stmt::While { cond, body } => {
                // The condition is evaluated (and may fault) before every
                // iteration, inside the loop.
                self.iters_bound = None;
                self.open_loop();
                let c = self.expr(cond, e0);
                let done = self.done_code();
                self.line(&format!("if (!{}) {{ {done} }}", paren(&c.code)));
                self.tick();
                self.block(body, nested);
                self.close_loop();
            }
            Stmt::Loop { body } => {
                self.iters_bound = None;
                self.open_loop();
                self.tick();
                self.block(body, nested);
                self.close_loop();
            }
            Stmt::Break => {
                let done = self.done_code();
                self.line(&done);
            }
            Stmt::Continue => self.line("continue;"),
            Stmt::Return => self.leave(),
            Stmt::Block(b) => {
                self.open("{");
                self.tail = tail;
                self.block(b, nested);
                self.close("}");
            }
            Stmt::Spawn {
                priority,
                opcode,
                args,
                result,
            } => self.spawn(priority, *opcode, args, (*result, tail), e0),
            Stmt::Request {
                priority,
                kind,
                args,
                opcode,
                given,
                result,
            } => self.request(priority, (*kind, *opcode), (args, given), *result, e0),
            Stmt::Fault { code } => {
                // The code is evaluated first (it may fault itself; the
                // first fault wins), then the task ends.
                let c = self.expr(code, e0);
                self.line(&format!("vy_fail(vy_FAULT_USER, {});", c.code));
                self.leave();
            }
            Stmt::Shutdown => self.line("vy_shutdown();"),
            Stmt::Printf { format, args } => {
                let mut words = Vec::new();
                let info = self.info;
                for (a, aid) in args.iter().zip(info.siblings(e0)) {
                    let v = self.expr(a, aid);
                    words.extend(self.words(v));
                }
                words.truncate(PRINTF_MAX_ARGS);
                words.resize(PRINTF_MAX_ARGS, "0u".into());
                // Every printf of a validated program has an id; u32::MAX
                // (never a valid id) only guards against misuse.
                let id = self
                    .program
                    .printf_id(self.index, format)
                    .unwrap_or(u32::MAX);
                self.line(&format!("// printf!(\"{}\")", names::comment_text(format)));
                self.line(&format!(
                    "vy_printf({id}u, array<u32, vy_PRINTF_MAX_ARGS>({}));",
                    words.join(", ")
                ));
            }
        }
    }

    /// `let (old, exchanged) = buffer[index].compare_exchange(current,
    /// new)`; `operands` are index, current and new, the first numbered
    /// `first`.
    fn compare_exchange(
        &mut self,
        buffer: BufferId,
        operands: [&Expr; 3],
        first: ExprId,
        old: LocalId,
        exchanged: LocalId,
    ) {
        let info = self.info;
        let mut ids = info.siblings(first);
        let [i, c, n] = operands.map(|e| {
            let id = ids.next().unwrap_or(first);
            self.expr(e, id)
        });
        let Some(b) = self.program_buffer(buffer) else {
            return;
        };
        let f = self.helpers.cas(b);
        let t = self.fresh_temp();
        self.line(&format!(
            "let {t} = {f}({}, {}, {});",
            i.code, c.code, n.code
        ));
        self.declare(old, &format!("{t}.old"));
        self.declare(exchanged, &format!("{t}.exchanged"));
    }

    /// `match` as an if / else-if chain over a temporary holding the
    /// selector, so that `break` and `continue` in an arm act on the
    /// enclosing Rust loop (inside a WGSL `switch`, `break` would leave the
    /// switch).
    fn switch(
        &mut self,
        selector: &Expr,
        cases: &[SwitchCase],
        default: &Block,
        id: StmtId,
        tail: bool,
    ) {
        let v = self.expr(selector, self.info.stmt_expr(id));
        // The arms' tests run before any arm body, so a selector that is a
        // name or a literal is tested as it is; anything larger is computed
        // once into a temporary.
        let sel = if is_name_or_literal(selector) {
            v
        } else {
            self.bind(v)
        };
        let mut opened = false;
        // Arms are numbered in order, then the default.
        let mut first = self.info.nested(id);
        let mut arms = Vec::with_capacity(cases.len());
        for case in cases {
            arms.push(first);
            first = self.info.after_block(first, &case.body);
        }
        let default_first = first;
        for (case, &first) in cases.iter().zip(&arms) {
            let mut tests = Vec::new();
            for value in &case.values {
                let helpers = &mut *self.helpers;
                let (lit, _) = super::expr::literal(*value, &mut || helpers.f32_bits());
                tests.push(format!("{} == {lit}", sel.code));
            }
            let cond = if tests.is_empty() {
                "false".to_string()
            } else {
                tests.join(" || ")
            };
            if opened {
                self.close(&format!("}} else if {} {{", paren(&cond)));
                self.depth += 1;
            } else {
                self.open(&format!("if {} {{", paren(&cond)));
                opened = true;
            }
            self.tail = tail;
            self.block(&case.body, first);
        }
        if opened {
            if !default.stmts().is_empty() {
                self.close("} else {");
                self.depth += 1;
                self.tail = tail;
                self.block(default, default_first);
            }
            self.close("}");
        } else if !default.stmts().is_empty() {
            self.open("{");
            self.tail = tail;
            self.block(default, default_first);
            self.close("}");
        }
    }

    /// Whether local `id` is declared `mut`.
    fn is_mutable(&self, id: LocalId) -> bool {
        self.handler
            .locals
            .get(id.0 as usize)
            .is_some_and(|d| d.mutable)
    }

    /// Whether `e`'s value cannot change while the handler runs: a literal
    /// or an immutable local.
    pub(super) fn is_stable(&self, e: &Expr) -> bool {
        match e {
            Expr::Lit(_) => true,
            Expr::Local(id) => self
                .handler
                .locals
                .get(id.0 as usize)
                .is_some_and(|d| !d.mutable),
            _ => false,
        }
    }

    /// `ctx.spawn(priority, opcode::task(args…))`: priority, then the
    /// arguments in order, then the spawn itself.
    /// `priority` is numbered `first`; the arguments follow it.
    ///
    /// A spawn in tail position is deferred (its result, if declared, is
    /// at most copied into locals nothing reads): the site stores what it
    /// evaluated into the tail state and `vy_dispatch` makes the spawn
    /// after the handler returns (`spawn::tail_call`), so a program whose
    /// handlers all end with a spawn inlines the spawn helper once rather
    /// than once per handler (docs/benchmarks.md, "Spawns at a handler's
    /// tail"). Nothing that can fault or be observed runs between the two
    /// points, so the task's spawns, faults and order are the same.
    fn spawn(
        &mut self,
        priority: &Expr,
        opcode: u32,
        args: &[Expr],
        (result, tail): (Option<LocalId>, bool),
        first: ExprId,
    ) {
        let p = self.expr(priority, first);
        let info = self.info;
        let mut ids = info.siblings(info.next_expr(first));
        let words = self.arg_words(args, &mut ids);
        if tail {
            self.helpers.tail_spawn(words.len());
            for line in super::spawn::tail_site(&p.code, opcode, &words) {
                self.line(&line);
            }
            // Only copies can read the result (`block`), and nothing reads
            // what they copy into: a value that keeps them valid WGSL.
            if let Some(r) = result {
                self.declare(r, "true");
            }
            return;
        }
        let spawn = self.helpers.spawn(words.len());
        let mut call = format!("{spawn}({}, {opcode}u", p.code);
        for w in &words {
            call.push_str(", ");
            call.push_str(w);
        }
        call.push(')');
        self.call_with_result(&call, result);
    }

    /// A device→host request: priority, the request's words, then the
    /// continuation's given words, in one array (`vy_request`).
    fn request(
        &mut self,
        priority: &Expr,
        (kind, opcode): (u32, u32),
        (args, given): (&[Expr], &[Expr]),
        result: Option<LocalId>,
        first: ExprId,
    ) {
        let p = self.expr(priority, first);
        let info = self.info;
        let mut ids = info.siblings(info.next_expr(first));
        let mut words = self.arg_words(args, &mut ids);
        let arg_words = words.len();
        words.extend(self.arg_words(given, &mut ids));
        words.resize(2 * MAX_ARGS, "0u".into());
        let call = format!(
            "vy_request({}, {kind}u, {opcode}u, {arg_words}u, array<u32, vy_REQUEST_ARGS>({}))",
            p.code,
            words.join(", ")
        );
        self.call_with_result(&call, result);
    }

    /// The words of `args`, evaluated in order (numbered by `ids`), at
    /// most a slot's [`MAX_ARGS`].
    fn arg_words(&mut self, args: &[Expr], ids: &mut impl Iterator<Item = ExprId>) -> Vec<String> {
        let mut words = Vec::new();
        for a in args {
            let Some(aid) = ids.next() else { break };
            let v = self.expr(a, aid);
            words.extend(self.words(v));
        }
        words.truncate(MAX_ARGS);
        words
    }

    /// `call` (a spawn or a request) into its `bool` result local, or
    /// evaluated for its effect.
    fn call_with_result(&mut self, call: &str, result: Option<LocalId>) {
        match result {
            Some(r) => self.declare(r, call),
            None => self.line(&format!("_ = {call};")),
        }
    }
}

/// Whether `s` only copies a local or a literal into a local: it can
/// neither fault nor have an effect.
fn is_copy(s: &Stmt) -> bool {
    match s {
        Stmt::Let { value, .. } | Stmt::Assign { value, .. } => is_name_or_literal(value),
        _ => false,
    }
}

/// Whether `e` is a local or a literal (cheap to evaluate repeatedly).
fn is_name_or_literal(e: &Expr) -> bool {
    matches!(e, Expr::Lit(_) | Expr::Local(_))
}

/// `code` as a parenthesised condition: unchanged when it already is one
/// parenthesised group, wrapped otherwise.
pub(super) fn paren(code: &str) -> String {
    if is_one_group(code) {
        code.to_string()
    } else {
        format!("({code})")
    }
}

/// Whether `code` is `( … )` with the first parenthesis closed by the
/// last character.
fn is_one_group(code: &str) -> bool {
    if !code.starts_with('(') || !code.ends_with(')') {
        return false;
    }
    let mut depth = 0usize;
    for (i, c) in code.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 && i + 1 != code.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::paren;

    #[test]
    fn conditions_are_parenthesised_once() {
        assert_eq!(paren("(a < b)"), "(a < b)");
        assert_eq!(paren("l0_x"), "(l0_x)");
        assert_eq!(paren("(a) && (b)"), "((a) && (b))");
        assert_eq!(paren("vy_is_nan(x)"), "(vy_is_nan(x))");
    }
}
