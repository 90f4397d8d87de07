//! One lane of the reference interpreter as a small-step state machine.
//!
//! A lane is either between tasks (its next step is a claim) or running a
//! task, whose control state is an explicit stack of [`Frame`]s — blocks
//! with a statement cursor, and loops with their iteration state — so
//! that a step executes exactly one statement and any nesting depth is
//! handled without recursion.
//!
//! What one step is:
//! - a claim (one turn of the protocol's claim loop; a task with an
//!   unknown opcode is faulted in the same step);
//! - one statement of a block; for `if`, `match`, `for`, `while`, `loop`
//!   and `{ }` that is evaluating its head (condition, selector, range
//!   bounds) and entering the chosen body;
//! - one loop head: the `while` condition, or the next `for` value, and
//!   then the iteration accounting before the body is entered.
//!
//! Leaving finished blocks is free, and a task ends within the step that
//! runs its last statement: the slot becomes EMPTY or FAULT right then.

use super::eval::Env;
use super::ops::{truth, word};
use crate::cpu::{Claimed, CpuMachine, LaneSched, TaskFault, TaskState};
use crate::ir::{
    ArrayInit, Block, Expr, ExprId, HandlerInfo, Literal, LocalId, OpcodeHandler, ScalarType, Stmt,
    StmtId,
};
use crate::program::Program;

/// The iteration state of a loop frame.
#[derive(Debug, Clone, Copy)]
enum LoopHead<'p> {
    /// `loop { }`.
    Forever,
    /// `while cond { }`: the condition (and its number), evaluated at
    /// every head.
    While(&'p Expr, ExprId),
    /// `for var in a..b` / `a..=b`: the next value and the last one, as
    /// `i64` so that neither `u32::MAX` nor `i32::MIN` bounds overflow.
    For {
        var: LocalId,
        ty: ScalarType,
        next: i64,
        last: i64,
    },
}

/// One entry of a task's control stack.
#[derive(Debug, Clone, Copy)]
enum Frame<'p> {
    /// Statements of a block; `next` is the next one to run, numbered
    /// `id` (`ir::HandlerInfo`).
    Block {
        stmts: &'p [Stmt],
        next: usize,
        id: StmtId,
    },
    /// A loop whose body, whose first statement is `first`, is entered by
    /// its next head step.
    Loop {
        body: &'p Block,
        first: StmtId,
        head: LoopHead<'p>,
    },
}

/// A task in progress on one lane.
#[derive(Debug)]
pub(super) struct TaskExec<'p> {
    task: Claimed,
    handler: usize,
    program: &'p Program,
    info: &'p HandlerInfo,
    locals: Vec<Literal>,
    /// The elements of each array local (empty for scalar locals), by
    /// local id.
    arrays: Vec<Vec<Literal>>,
    frames: Vec<Frame<'p>>,
    state: TaskState,
}

/// Whether a step ended the task.
type Ended = bool;

impl<'p> TaskExec<'p> {
    /// Task `task` of handler `handler` (`h`, typed by `info`) of
    /// `program`, before its first statement.
    pub(super) fn new(
        task: Claimed,
        handler: usize,
        h: &'p OpcodeHandler,
        info: &'p HandlerInfo,
        program: &'p Program,
    ) -> Self {
        // Every local starts as a zero of its type; the arguments (the
        // first locals) take the slot's words, one each (two, low first,
        // for `u64` and `i64`), a `bool` being any non-zero word.
        let mut at = 0;
        let locals = (0..h.locals.len())
            .map(|i| {
                let ty = info.local(LocalId(i as u32));
                let mut words = [0, 0];
                if i < h.arg_count {
                    for w in &mut words[..ty.words() as usize] {
                        *w = task.args.get(at).copied().unwrap_or(0);
                        at += 1;
                    }
                }
                Literal::from_words(ty, words)
            })
            .collect();
        TaskExec {
            task,
            handler,
            program,
            info,
            locals,
            arrays: vec![Vec::new(); h.locals.len()],
            frames: vec![Frame::Block {
                stmts: h.body.stmts(),
                next: 0,
                id: info.body(),
            }],
            state: TaskState::new(),
        }
    }

    fn eval(&mut self, machine: &mut CpuMachine, lane: u32, e: &Expr, id: ExprId) -> Literal {
        Env {
            machine,
            state: &mut self.state,
            locals: &self.locals,
            arrays: &self.arrays,
            task: &self.task,
            handler: self.handler,
            info: self.info,
            lane,
        }
        .eval(e, id)
    }

    fn set(&mut self, local: LocalId, v: Literal) {
        if let Some(slot) = self.locals.get_mut(local.0 as usize) {
            *slot = v;
        }
    }

    /// Enters `block`, whose first statement is `first`.
    fn push_block(&mut self, block: &'p Block, first: StmtId) {
        self.frames.push(Frame::Block {
            stmts: block.stmts(),
            next: 0,
            id: first,
        });
    }

    /// Leaves blocks whose statements have all run.
    fn pop_finished(&mut self) {
        while let Some(Frame::Block { stmts, next, .. }) = self.frames.last() {
            if *next < stmts.len() {
                break;
            }
            self.frames.pop();
        }
    }

    /// Runs one step; true when the task has ended (its state says how).
    pub(super) fn step(&mut self, machine: &mut CpuMachine, lane: &mut LaneSched) -> Ended {
        self.pop_finished();
        let ended = match self.frames.last_mut() {
            None => true,
            Some(Frame::Block { stmts, next, id }) => {
                let stmts: &'p [Stmt] = stmts;
                let stmt = stmts.get(*next);
                let sid = *id;
                *next += 1;
                *id = self.info.next(sid);
                match stmt {
                    Some(s) => self.exec(s, sid, machine, lane),
                    None => false,
                }
            }
            Some(Frame::Loop { .. }) => self.loop_head(machine, lane),
        };
        // A fault ends the handler after the statement that raised it.
        if ended || self.state.faulted() {
            return true;
        }
        self.pop_finished();
        self.frames.is_empty()
    }

    /// The task's state: its first fault and loop iterations.
    pub(super) fn state(&self) -> &TaskState {
        &self.state
    }

    /// The head of the innermost loop: decide whether to iterate, account
    /// the iteration, enter the body.
    fn loop_head(&mut self, machine: &mut CpuMachine, lane: &mut LaneSched) -> Ended {
        let Some(&Frame::Loop { body, first, head }) = self.frames.last() else {
            return false;
        };
        let iterate = match head {
            LoopHead::Forever => true,
            LoopHead::While(cond, cid) => {
                let c = self.eval(machine, lane.lane, cond, cid);
                if self.state.faulted() {
                    return true;
                }
                truth(c)
            }
            LoopHead::For {
                var,
                ty,
                next,
                last,
            } => {
                if next > last {
                    false
                } else {
                    // `next` lies within the range of `ty` here.
                    let v = match ty {
                        ScalarType::I32 => Literal::I32(next as i32),
                        _ => Literal::U32(next as u32),
                    };
                    self.set(var, v);
                    if let Some(Frame::Loop {
                        head: LoopHead::For { next, .. },
                        ..
                    }) = self.frames.last_mut()
                    {
                        *next += 1;
                    }
                    true
                }
            }
        };
        if !iterate {
            self.frames.pop();
            return false;
        }
        let limit = self.program.config().loop_limit;
        if !self.state.loop_iteration(lane, limit) {
            return true;
        }
        self.push_block(body, first);
        false
    }

    /// Evaluates `args` in order (their ids from `next`) into `out`: one
    /// word per argument, two (low first) for u64 and i64, those past
    /// `out`'s end dropped. Returns the words written.
    fn eval_words(
        &mut self,
        machine: &mut CpuMachine,
        lane: u32,
        args: &[Expr],
        next: &mut impl FnMut() -> ExprId,
        out: &mut [u32],
    ) -> usize {
        let mut n = 0;
        for a in args {
            let v = self.eval(machine, lane, a, next());
            for &w in &v.to_words()[..v.ty().words() as usize] {
                if let Some(slot) = out.get_mut(n) {
                    *slot = w;
                    n += 1;
                }
            }
        }
        n
    }

    /// Executes statement `stmt`, numbered `id`; true when it ended the
    /// task (`return`).
    fn exec(
        &mut self,
        stmt: &'p Stmt,
        id: StmtId,
        machine: &mut CpuMachine,
        lane: &mut LaneSched,
    ) -> Ended {
        let l = lane.lane;
        let info = self.info;
        // The statement's own expressions, in field order.
        let mut exprs = info.siblings(info.stmt_expr(id));
        let mut e = || exprs.next().unwrap_or(ExprId(0));
        let nested = info.nested(id);
        match stmt {
            Stmt::Let { local, value } | Stmt::Assign { local, value } => {
                let v = self.eval(machine, l, value, e());
                self.set(*local, v);
            }
            Stmt::StoreField {
                buffer,
                index,
                field,
                value,
            } => {
                let i = word(self.eval(machine, l, index, e()));
                let mut subscripts = Vec::new();
                for (x, len, stride) in field.bounded_subscripts() {
                    subscripts.push((word(self.eval(machine, l, x, e())), len, stride));
                }
                let v = self.eval(machine, l, value, e());
                let words = v.to_words();
                machine.task_store_field(
                    &mut self.state,
                    self.handler,
                    buffer.0,
                    i,
                    field.word,
                    &subscripts,
                    &words[..field.ty.words() as usize],
                );
            }
            Stmt::LetArray { array, init } => {
                let decl = self.program.handlers()[self.handler]
                    .locals
                    .get(array.0 as usize);
                let len = decl.and_then(|d| d.array).unwrap_or(0) as usize;
                let first = e();
                let elements = match init {
                    ArrayInit::Repeat(v) => {
                        let v = self.eval(machine, l, v, first);
                        vec![v; len]
                    }
                    ArrayInit::List(values) => values
                        .iter()
                        .zip(info.siblings(first))
                        .map(|(v, id)| self.eval(machine, l, v, id))
                        .collect(),
                };
                if let Some(slot) = self.arrays.get_mut(array.0 as usize) {
                    *slot = elements;
                }
            }
            Stmt::StoreIndex {
                array,
                index,
                value,
            } => {
                let i = word(self.eval(machine, l, index, e()));
                let v = self.eval(machine, l, value, e());
                // Index, then value; out of bounds faults and stores nothing.
                match self
                    .arrays
                    .get_mut(array.0 as usize)
                    .and_then(|a| a.get_mut(i as usize))
                {
                    Some(slot) if !self.state.faulted() => *slot = v,
                    Some(_) => {}
                    None => {
                        self.state.record(TaskFault::out_of_bounds(i));
                    }
                }
            }
            Stmt::Store {
                buffer,
                index,
                value,
            } => {
                let i = word(self.eval(machine, l, index, e()));
                let v = self.eval(machine, l, value, e()).to_words();
                machine.task_store(&mut self.state, self.handler, buffer.0, i, v);
            }
            Stmt::AtomicStore {
                buffer,
                index,
                value,
            } => {
                let i = word(self.eval(machine, l, index, e()));
                let v = word(self.eval(machine, l, value, e()));
                machine.task_atomic_store(&mut self.state, self.handler, buffer.0, i, v);
            }
            Stmt::CompareExchange {
                buffer,
                index,
                current,
                new,
                old,
                exchanged,
            } => {
                let i = word(self.eval(machine, l, index, e()));
                let c = word(self.eval(machine, l, current, e()));
                let n = word(self.eval(machine, l, new, e()));
                let (prev, ok) =
                    machine.task_compare_exchange(&mut self.state, self.handler, buffer.0, i, c, n);
                self.set(*old, Literal::from_word(info.local(*old), prev));
                self.set(*exchanged, Literal::Bool(ok));
            }
            Stmt::Eval(x) => {
                self.eval(machine, l, x, e());
            }
            Stmt::If {
                cond,
                then_body,
                else_body,
            } => {
                let c = self.eval(machine, l, cond, e());
                if !self.state.faulted() {
                    if truth(c) {
                        self.push_block(then_body, nested);
                    } else {
                        self.push_block(else_body, info.after_block(nested, then_body));
                    }
                }
            }
            Stmt::Switch {
                selector,
                cases,
                default,
            } => {
                let s = word(self.eval(machine, l, selector, e()));
                if !self.state.faulted() {
                    // Arms are numbered in order, then the default.
                    let mut first = nested;
                    let mut arm = default;
                    for c in cases {
                        if c.values.iter().any(|v| v.to_word() == s) {
                            arm = &c.body;
                            break;
                        }
                        first = info.after_block(first, &c.body);
                    }
                    self.push_block(arm, first);
                }
            }
            Stmt::For {
                var,
                start,
                end,
                inclusive,
                body,
            } => {
                let s = self.eval(machine, l, start, e());
                let end = self.eval(machine, l, end, e());
                let as_i64 = |v: Literal| match v {
                    Literal::I32(x) => x as i64,
                    other => other.to_word() as i64,
                };
                let last = if *inclusive {
                    as_i64(end)
                } else {
                    as_i64(end) - 1
                };
                if !self.state.faulted() {
                    self.frames.push(Frame::Loop {
                        body,
                        first: nested,
                        head: LoopHead::For {
                            var: *var,
                            ty: info.local(*var),
                            next: as_i64(s),
                            last,
                        },
                    });
                }
            }
            Stmt::While { cond, body } => self.frames.push(Frame::Loop {
                body,
                first: nested,
                head: LoopHead::While(cond, e()),
            }),
            Stmt::Loop { body } => self.frames.push(Frame::Loop {
                body,
                first: nested,
                head: LoopHead::Forever,
            }),
            Stmt::Break => {
                // Leave every block up to and including the innermost loop.
                while let Some(f) = self.frames.pop() {
                    if matches!(f, Frame::Loop { .. }) {
                        break;
                    }
                }
            }
            Stmt::Continue => {
                // Leave every block down to the innermost loop, whose head
                // runs next.
                while let Some(Frame::Block { .. }) = self.frames.last() {
                    self.frames.pop();
                }
            }
            Stmt::Return => return true,
            Stmt::Block(b) => self.push_block(b, nested),
            Stmt::Spawn {
                priority,
                opcode,
                args,
                result,
            } => {
                let p = word(self.eval(machine, l, priority, e()));
                let mut words = [0u32; crate::protocol::MAX_ARGS];
                let n = self.eval_words(machine, l, args, &mut e, &mut words);
                let queued =
                    machine.task_spawn(&mut self.state, &self.task, p, *opcode, &words[..n]);
                if let Some(r) = result {
                    self.set(*r, Literal::Bool(queued));
                }
            }
            Stmt::Request {
                priority,
                kind,
                args,
                opcode,
                given,
                result,
            } => {
                let p = word(self.eval(machine, l, priority, e()));
                // The request's words, then the continuation's.
                let mut words = [0u32; 2 * crate::protocol::MAX_ARGS];
                let (mine, theirs) = words.split_at_mut(crate::protocol::MAX_ARGS);
                let arg_words = self.eval_words(machine, l, args, &mut e, mine);
                let given_words = self.eval_words(machine, l, given, &mut e, theirs);
                words.copy_within(
                    crate::protocol::MAX_ARGS..crate::protocol::MAX_ARGS + given_words,
                    arg_words,
                );
                let head = crate::cpu::sched::RequestHead {
                    kind: *kind,
                    priority: p,
                    opcode: *opcode,
                    arg_words: arg_words as u32,
                };
                let n = arg_words + given_words;
                let taken = machine.task_request(&mut self.state, &self.task, head, &words[..n]);
                if let Some(r) = result {
                    self.set(*r, Literal::Bool(taken));
                }
            }
            Stmt::Fault { code } => {
                let c = word(self.eval(machine, l, code, e()));
                self.state.record(TaskFault::user(c));
            }
            Stmt::Shutdown => machine.task_shutdown(&self.state),
            Stmt::Printf { format, args } => {
                let mut words = [0u32; crate::protocol::PRINTF_MAX_ARGS];
                for (w, a) in words.iter_mut().zip(args) {
                    *w = word(self.eval(machine, l, a, e()));
                }
                let n = args.len().min(words.len());
                if let Some(id) = self.program.printf_id(self.handler, format) {
                    machine.task_printf(&self.state, id, &words[..n], l);
                }
            }
        }
        false
    }
}

/// One lane of a work dispatch: its scheduler state and, between a claim
/// and the end of the task, the task in progress.
#[derive(Debug)]
pub(super) struct LaneRun<'p> {
    sched: LaneSched,
    task: Option<TaskExec<'p>>,
}

impl<'p> LaneRun<'p> {
    /// Lane `lane`, its streak read from the lane state.
    pub fn start(machine: &CpuMachine, lane: u32) -> Self {
        LaneRun {
            sched: machine.begin_lane(lane),
            task: None,
        }
    }

    /// Runs one step. Returns true when the lane has left its claim loop;
    /// its streak is then stored and it must not be stepped again.
    pub fn step(&mut self, machine: &mut CpuMachine, program: &'p Program) -> bool {
        let lane = self.sched.lane;
        match &mut self.task {
            None => match machine.claim(&mut self.sched) {
                None => {
                    machine.end_lane(&self.sched);
                    true
                }
                Some(task) => {
                    let found = task.handler.and_then(|h| {
                        let hd = program.handlers().get(h)?;
                        Some((h, hd, program.handler_info(h)?))
                    });
                    match found {
                        Some((h, hd, info)) => {
                            self.task = Some(TaskExec::new(task, h, hd, info, program))
                        }
                        None => machine.fault(&task, TaskFault::unknown_opcode(task.opcode), lane),
                    }
                    false
                }
            },
            Some(exec) => {
                if exec.step(machine, &mut self.sched) {
                    machine.finish_task(&exec.task, &exec.state, lane);
                    self.task = None;
                }
                false
            }
        }
    }
}
