//! Inside a task (protocol.md, "Inside a task"): the per-task state and
//! the memory, spawn, printf and shutdown operations with their fault
//! rules. Both CPU backends go through these, so that "a faulting
//! operation yields 0 and nothing happens after a fault" is written once.

use super::fault::TaskFault;
use super::machine::CpuMachine;
use super::sched::{Claimed, LaneSched};
use crate::ir::{AtomicOp, ScalarType};

/// What the program keeps per task: the first fault, and the task's loop
/// iterations. (The lane's iterations live in [`LaneSched`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaskState {
    fault: Option<TaskFault>,
    iterations: u32,
}

impl TaskState {
    /// A task that has not run yet.
    pub fn new() -> Self {
        TaskState::default()
    }

    /// Records `fault` unless one is recorded (the first fault wins);
    /// returns whether it was recorded.
    pub fn record(&mut self, fault: TaskFault) -> bool {
        if self.fault.is_some() {
            return false;
        }
        self.fault = Some(fault);
        true
    }

    /// The recorded fault.
    pub fn fault(&self) -> Option<TaskFault> {
        self.fault
    }

    /// Whether a fault is recorded: from then on nothing has side effects,
    /// and the handler ends after the current statement.
    pub fn faulted(&self) -> bool {
        self.fault.is_some()
    }

    /// Loop iterations the task has run.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Accounts one loop iteration, just before the body runs: adds 1 to
    /// the task's and the lane's counts; when the task's count exceeds
    /// `loop_limit`, records `LOOP_LIMIT` (detail: the limit) and returns
    /// false — the body must not run.
    pub fn loop_iteration(&mut self, lane: &mut LaneSched, loop_limit: u32) -> bool {
        self.iterations = self.iterations.saturating_add(1);
        lane.iterations = lane.iterations.wrapping_add(1);
        if self.iterations > loop_limit {
            self.record(TaskFault::loop_limit(loop_limit));
            return false;
        }
        true
    }
}

/// `op` applied to `old` with `operand`, on elements of type `elem`
/// (signed order for `i32`): the value the element holds afterwards.
fn atomic_result(op: AtomicOp, elem: ScalarType, old: u32, operand: u32) -> u32 {
    let signed = elem == ScalarType::I32;
    match op {
        AtomicOp::Load => old,
        AtomicOp::FetchAdd => old.wrapping_add(operand),
        AtomicOp::FetchSub => old.wrapping_sub(operand),
        AtomicOp::FetchMin if signed => (old as i32).min(operand as i32) as u32,
        AtomicOp::FetchMax if signed => (old as i32).max(operand as i32) as u32,
        AtomicOp::FetchMin => old.min(operand),
        AtomicOp::FetchMax => old.max(operand),
        AtomicOp::FetchAnd => old & operand,
        AtomicOp::FetchOr => old | operand,
        AtomicOp::FetchXor => old ^ operand,
        AtomicOp::Swap => operand,
    }
}

/// Task-side operations. Buffers are named as the handler names them: by
/// `handler` (program index) and `param` (the handler's buffer parameter
/// index), bound to the program's buffer as the program says. An index
/// outside the buffer records `OUT_OF_BOUNDS` (detail: the index) and the
/// operation yields 0; once `state` holds a fault, stores, atomics
/// (loads included), spawns, printf and shutdown do nothing and yield 0 /
/// false.
impl CpuMachine {
    /// The element `index` of a parameter's buffer, if it is in bounds.
    /// `(buffer, first word)`.
    fn element(&self, handler: usize, param: u32, index: u32) -> Option<(usize, usize)> {
        let b = self.bound_buffer(handler, param)?;
        let w = self.elem_words(b);
        let len = self.buffers.get(b)?.len() / w;
        let i = index as usize;
        (i < len).then_some((b, i * w))
    }

    /// `buf.len()`.
    pub fn task_len(&self, handler: usize, param: u32) -> u32 {
        self.bound_buffer(handler, param)
            .and_then(|b| Some((self.buffers.get(b)?, self.elem_words(b))))
            .map_or(0, |(d, w)| u32::try_from(d.len() / w).unwrap_or(u32::MAX))
    }

    /// `buf[index]` on a plain buffer: the element's bits, or 0 with
    /// `OUT_OF_BOUNDS`. A load has no side effect, so it happens even
    /// after a fault.
    pub fn task_load(
        &self,
        st: &mut TaskState,
        handler: usize,
        param: u32,
        index: u32,
    ) -> [u32; 2] {
        match self.element(handler, param, index) {
            Some((b, i)) => {
                let data = &self.buffers[b];
                let high = if self.elem_words(b) == 2 {
                    data[i + 1]
                } else {
                    0
                };
                [data[i], high]
            }
            None => {
                st.record(TaskFault::out_of_bounds(index));
                [0, 0]
            }
        }
    }

    /// `buf[index] = value` on a plain buffer (index and value already
    /// evaluated): bounds check, then the store unless a fault is
    /// recorded.
    pub fn task_store(
        &mut self,
        st: &mut TaskState,
        handler: usize,
        param: u32,
        index: u32,
        value: [u32; 2],
    ) {
        match self.element(handler, param, index) {
            Some((b, i)) if !st.faulted() => {
                let w = self.elem_words(b);
                self.buffers[b][i..i + w].copy_from_slice(&value[..w]);
            }
            Some(_) => {}
            None => {
                st.record(TaskFault::out_of_bounds(index));
            }
        }
    }

    /// Where scalar `field` of element `index` of a struct buffer is: its
    /// buffer and first word; `None` after recording `OUT_OF_BOUNDS` (for
    /// the element index first, then for the array field's index, as Rust
    /// indexes).
    fn field_at(
        &self,
        st: &mut TaskState,
        handler: usize,
        param: u32,
        index: u32,
        word: u32,
        subscripts: &[(u32, u32, u32)],
    ) -> Option<(usize, usize)> {
        let Some((b, base)) = self.element(handler, param, index) else {
            st.record(TaskFault::out_of_bounds(index));
            return None;
        };
        let mut offset = word as usize;
        for &(j, len, stride) in subscripts {
            if j >= len {
                st.record(TaskFault::out_of_bounds(j));
                return None;
            }
            offset += j as usize * stride as usize;
        }
        Some((b, base + offset))
    }

    /// `buf[index].field` on a struct buffer: the scalar's `words` words
    /// (`subscripts`: each array's index, length and stride in words, the
    /// arrays of structs first, then the array field); zeros after a
    /// fault.
    #[allow(clippy::too_many_arguments)]
    pub fn task_load_field(
        &self,
        st: &mut TaskState,
        handler: usize,
        param: u32,
        index: u32,
        word: u32,
        words: usize,
        subscripts: &[(u32, u32, u32)],
    ) -> [u32; 2] {
        let mut out = [0, 0];
        if let Some((b, at)) = self.field_at(st, handler, param, index, word, subscripts) {
            if let Some(src) = self.buffers[b].get(at..at + words) {
                out[..words].copy_from_slice(src);
            }
        }
        out
    }

    /// `buf[index].field = value` on a struct buffer (everything already
    /// evaluated): the checks, then the store unless a fault is recorded.
    #[allow(clippy::too_many_arguments)]
    pub fn task_store_field(
        &mut self,
        st: &mut TaskState,
        handler: usize,
        param: u32,
        index: u32,
        word: u32,
        subscripts: &[(u32, u32, u32)],
        value: &[u32],
    ) {
        if let Some((b, at)) = self.field_at(st, handler, param, index, word, subscripts) {
            if !st.faulted() {
                if let Some(dst) = self.buffers[b].get_mut(at..at + value.len()) {
                    dst.copy_from_slice(value);
                }
            }
        }
    }

    /// An atomic read-modify-write (or load) on `buf[index]`: yields the
    /// previous value; 0 when out of bounds or after a fault.
    pub fn task_atomic(
        &mut self,
        st: &mut TaskState,
        handler: usize,
        param: u32,
        op: AtomicOp,
        index: u32,
        operand: u32,
    ) -> u32 {
        match self.element(handler, param, index) {
            Some((b, i)) if !st.faulted() => {
                let elem = self.buffer_elem(b);
                let old = self.buffers[b][i];
                self.buffers[b][i] = atomic_result(op, elem, old, operand);
                old
            }
            Some(_) => 0,
            None => {
                st.record(TaskFault::out_of_bounds(index));
                0
            }
        }
    }

    /// `buf[index].store(value)` on an atomic buffer.
    pub fn task_atomic_store(
        &mut self,
        st: &mut TaskState,
        handler: usize,
        param: u32,
        index: u32,
        value: u32,
    ) {
        self.task_atomic(st, handler, param, AtomicOp::Swap, index, value);
    }

    /// A strong `compare_exchange(current, new)` on `buf[index]`: yields
    /// `(previous value, exchanged)`; `(0, false)` when out of bounds or
    /// after a fault.
    pub fn task_compare_exchange(
        &mut self,
        st: &mut TaskState,
        handler: usize,
        param: u32,
        index: u32,
        current: u32,
        new: u32,
    ) -> (u32, bool) {
        match self.element(handler, param, index) {
            Some((b, i)) if !st.faulted() => {
                let old = self.buffers[b][i];
                let exchanged = old == current;
                if exchanged {
                    self.buffers[b][i] = new;
                }
                (old, exchanged)
            }
            Some(_) => (0, false),
            None => {
                st.record(TaskFault::out_of_bounds(index));
                (0, false)
            }
        }
    }

    /// `ctx.spawn(priority, opcode::task(args))` from `task`: nothing
    /// (false) after a fault; a priority above 4 records `BAD_PRIORITY`
    /// (false); else [`spawn`](CpuMachine::spawn) with the spawner's
    /// tenant.
    pub fn task_spawn(
        &mut self,
        st: &mut TaskState,
        task: &Claimed,
        priority: u32,
        opcode: u32,
        args: &[u32],
    ) -> bool {
        if st.faulted() {
            return false;
        }
        match self.spawn(priority, opcode, task.tenant, task.ticket, args) {
            Ok(queued) => queued,
            Err(fault) => {
                st.record(fault);
                false
            }
        }
    }

    /// A device→host request of `task`, unless a fault is recorded
    /// (false then); a bad priority is recorded as the task's fault.
    pub fn task_request(
        &mut self,
        st: &mut TaskState,
        task: &Claimed,
        head: super::sched::RequestHead,
        words: &[u32],
    ) -> bool {
        if st.faulted() {
            return false;
        }
        match self.request(head, task.tenant, task.ticket, words) {
            Ok(taken) => taken,
            Err(fault) => {
                st.record(fault);
                false
            }
        }
    }

    /// `printf!` with `format_id`, unless a fault is recorded.
    pub fn task_printf(&mut self, st: &TaskState, format_id: u32, args: &[u32], lane: u32) {
        if !st.faulted() {
            self.printf(format_id, args, lane);
        }
    }

    /// `ctx.shutdown()`, unless a fault is recorded.
    pub fn task_shutdown(&mut self, st: &TaskState) {
        if !st.faulted() {
            self.shutdown();
        }
    }

    /// Ends `task` as its state says: the recorded fault (record, FAULT),
    /// else EMPTY with the counters.
    pub fn finish_task(&mut self, task: &Claimed, st: &TaskState, lane: u32) {
        match st.fault() {
            Some(f) => self.fault(task, f, lane),
            None => self.complete(task),
        }
    }
}
