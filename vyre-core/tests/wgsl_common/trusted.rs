//! The proof behind vyre's trusted shader modules (`gpu/pipeline.rs`):
//! naga's own loop bounding and integer-division guards are left out, so
//! every loop of every module vyre generates must end by a bound vyre put
//! there, and every integer division must be guarded by vyre.
//! [`check_trusted`] walks a naga module and says where that fails:
//!
//! - **Counted loops**: the loop's first test (`if !(c) { break; }` or
//!   `if c { break; }` before anything else) requires a counter variable
//!   below a bound (`k < n`, possibly `&& …`; or leaves on `k >= n`,
//!   possibly `|| …`), the `continuing` block adds a step to the counter,
//!   and nothing else in the loop stores to it. The bound is evaluated
//!   before the loop or loads nothing the loop stores. A step of 1 reaches
//!   any `u32` bound; a larger step needs a constant bound that the
//!   counter cannot wrap past (bound + step ≤ `u32::MAX`).
//! - **Handler loops** (the loops of handler code): their first statements
//!   call `vy_tick`, which counts the task's iterations and is true past
//!   `vy_LOOP_LIMIT`, and the handler leaves when it is (a `return`, or,
//!   with loop guards, the exit state the loop's first test breaks on).
//!   [`check_tick`] shows that `vy_tick` does what it says and that only
//!   the entry points reset the count it keeps.
//! - **Divisions**: an integer `/` or `%` divides by a nonzero constant
//!   (not -1 for `i32`), or sits in a `vy_div_*` / `vy_rem_*` helper whose
//!   first statements return early on a zero divisor (and on -1 for
//!   `i32`).

use naga::{
    BinaryOperator as B, Block, Expression as E, Function, Handle, Literal, Module, Scalar,
    ScalarKind, Statement as S, TypeInner, UnaryOperator,
};

/// Every problem of `module` (empty when the proof holds); `info` is
/// naga's analysis of it (for the types of divisions).
pub fn check_trusted(module: &Module, info: &naga::valid::ModuleInfo) -> Vec<String> {
    let mut problems = check_tick(module);
    let tick = find_function(module, "vy_tick");
    for (h, f) in module.functions.iter() {
        let name = f.name.clone().unwrap_or_default();
        let cx = Cx {
            module,
            f,
            tick,
            name: name.clone(),
        };
        cx.block(&f.body, &mut problems);
        cx.divisions(&info[h], &mut problems);
    }
    for (i, ep) in module.entry_points.iter().enumerate() {
        let cx = Cx {
            module,
            f: &ep.function,
            tick,
            name: ep.name.clone(),
        };
        cx.block(&ep.function.body, &mut problems);
        cx.divisions(info.get_entry_point(i), &mut problems);
    }
    problems
}

fn find_function(module: &Module, name: &str) -> Option<Handle<Function>> {
    module
        .functions
        .iter()
        .find(|(_, f)| f.name.as_deref() == Some(name))
        .map(|(h, _)| h)
}

fn find_global(module: &Module, name: &str) -> Option<Handle<naga::GlobalVariable>> {
    module
        .global_variables
        .iter()
        .find(|(_, g)| g.name.as_deref() == Some(name))
        .map(|(h, _)| h)
}

/// `vy_tick` adds 1 to `vy_task_iters` and returns whether it passed
/// `vy_LOOP_LIMIT`; no function but `vy_tick`, `vy_charge` (see
/// [`check_charge`]) and the entry points (which reset it before a task)
/// stores to `vy_task_iters`. A module without
/// `vy_tick` has no handler loops to prove.
pub fn check_tick(module: &Module) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(tick) = find_function(module, "vy_tick") else {
        return problems;
    };
    let Some(iters) = find_global(module, "vy_task_iters") else {
        return vec!["vy_tick without vy_task_iters".into()];
    };
    let f = &module.functions[tick];
    // The increment, then a comparison against the limit that returns.
    let mut increments = 0;
    let mut compares = false;
    walk_stores(&f.body, &mut |pointer, value| {
        if global_of(f, pointer) == Some(iters) && is_increment(f, value, pointer) {
            increments += 1;
        }
    });
    for s in f.body.iter() {
        if let S::If {
            condition, accept, ..
        } = s
        {
            if let E::Binary {
                op: B::Greater,
                left,
                right,
            } = f.expressions[*condition]
            {
                compares = loads_global(f, left, iters)
                    && const_u32(module, f, right).is_some()
                    && ends_in_return_true(f, accept);
            }
        }
    }
    if increments != 1 || !compares {
        problems.push(format!(
            "vy_tick does not count and compare as the proof needs ({increments} increments, compares: {compares})"
        ));
    }
    problems.extend(check_charge(module, iters));
    for (_, g) in module.functions.iter() {
        let name = g.name.as_deref().unwrap_or("");
        if name == "vy_tick" || name == "vy_charge" {
            continue;
        }
        walk_stores(&g.body, &mut |pointer, _| {
            if global_of(g, pointer) == Some(iters) {
                problems.push(format!("{name} stores to vy_task_iters"));
            }
        });
    }
    problems
}

/// `vy_charge(n)`, when the module has it, adds `n` to `vy_task_iters`
/// only under `n <= vy_LOOP_LIMIT - vy_task_iters` (so the count never
/// wraps past the limit and never falls) and stores to it nowhere else.
/// The loops it lets go without a tick are counted loops, proven as such.
fn check_charge(module: &Module, iters: Handle<naga::GlobalVariable>) -> Vec<String> {
    let Some(charge) = find_function(module, "vy_charge") else {
        return Vec::new();
    };
    let f = &module.functions[charge];
    let is_n = |e: Handle<E>| matches!(f.expressions[e], E::FunctionArgument(0));
    let mut guarded = 0;
    let mut stores = 0;
    walk_stores(&f.body, &mut |pointer, _| {
        if global_of(f, pointer) == Some(iters) {
            stores += 1;
        }
    });
    for s in f.body.iter() {
        let S::If {
            condition, accept, ..
        } = s
        else {
            continue;
        };
        let E::Binary {
            op: B::LessEqual,
            left,
            right,
        } = f.expressions[*condition]
        else {
            continue;
        };
        let E::Binary {
            op: B::Subtract,
            left: limit,
            right: count,
        } = f.expressions[right]
        else {
            continue;
        };
        if !(is_n(left) && const_u32(module, f, limit).is_some() && loads_global(f, count, iters)) {
            continue;
        }
        walk_stores(accept, &mut |pointer, value| {
            let adds_n = matches!(
                f.expressions[value],
                E::Binary { op: B::Add, left, right }
                    if loads_global(f, left, iters) && is_n(right)
            );
            if global_of(f, pointer) == Some(iters) && adds_n {
                guarded += 1;
            }
        });
    }
    if stores == 1 && guarded == 1 {
        Vec::new()
    } else {
        vec![format!(
            "vy_charge does not add under the limit as the proof needs ({stores} stores, {guarded} guarded adds)"
        )]
    }
}

fn ends_in_return_true(f: &Function, block: &Block) -> bool {
    block.iter().any(|s| match s {
        S::Return { value: Some(v) } => {
            matches!(f.expressions[*v], E::Literal(Literal::Bool(true)))
        }
        _ => false,
    })
}

/// One function under proof.
struct Cx<'m> {
    module: &'m Module,
    f: &'m Function,
    tick: Option<Handle<Function>>,
    name: String,
}

impl Cx<'_> {
    fn block(&self, block: &Block, problems: &mut Vec<String>) {
        for s in block.iter() {
            match s {
                S::Block(b) => self.block(b, problems),
                S::If { accept, reject, .. } => {
                    self.block(accept, problems);
                    self.block(reject, problems);
                }
                S::Switch { cases, .. } => {
                    for c in cases {
                        self.block(&c.body, problems);
                    }
                }
                S::Loop {
                    body,
                    continuing,
                    break_if,
                } => {
                    if let Err(why) = self.bounded(body, continuing, *break_if) {
                        problems.push(format!("{}: a loop without a vyre bound: {why}", self.name));
                    }
                    self.block(body, problems);
                    self.block(continuing, problems);
                }
                _ => {}
            }
        }
    }

    /// Why the loop is not bounded, if it is not.
    fn bounded(
        &self,
        body: &Block,
        continuing: &Block,
        _break_if: Option<Handle<E>>,
    ) -> Result<(), String> {
        // A `break if` only adds a way out: it never makes a loop longer.
        let first: Vec<&S> = body.iter().filter(|s| !matches!(s, S::Emit(_))).collect();
        if self.tick_guarded(&first) {
            return Ok(());
        }
        let Some(S::If {
            condition,
            accept,
            reject,
        }) = first.first()
        else {
            return Err("it does not start with a test".into());
        };
        let (cond, stays) = match (is_break(accept), is_break(reject)) {
            (false, true) if accept.is_empty() => (*condition, true),
            (true, false) if reject.is_empty() => (*condition, false),
            _ => return Err("its first test is not a lone `break`".into()),
        };
        let mut candidates = Vec::new();
        self.counters(cond, stays, &mut candidates);
        for (counter, bound) in &candidates {
            let mut steps = Vec::new();
            let mut others = 0;
            walk_stores(continuing, &mut |pointer, value| {
                if local_of(self.f, pointer) == Some(*counter) {
                    match self.step_of(value, pointer) {
                        Some(step) => steps.push(step),
                        None => others += 1,
                    }
                }
            });
            walk_stores(body, &mut |pointer, _| {
                if local_of(self.f, pointer) == Some(*counter) {
                    others += 1;
                }
            });
            let [step] = steps[..] else { continue };
            if others != 0 || step == Some(0) {
                continue;
            }
            if !self.invariant(*bound, body, continuing) {
                continue;
            }
            let fits = match (step, const_u32(self.module, self.f, *bound)) {
                (Some(1), _) => true,
                (Some(s), Some(b)) => u64::from(b) + u64::from(s) <= u64::from(u32::MAX),
                _ => false,
            };
            if fits {
                return Ok(());
            }
        }
        Err(format!(
            "no counter with a positive step and an invariant bound in its first test ({} candidate(s))",
            candidates.len()
        ))
    }

    /// The loop's first statements are `vy_tick()` and a test of its
    /// result that leaves the handler; with loop guards, after the exit
    /// state's test.
    fn tick_guarded(&self, first: &[&S]) -> bool {
        let Some(tick) = self.tick else { return false };
        let mut rest = first;
        // With loop guards: `if (state != vy_LOOP_RUNNING) { break; }`.
        let mut state = None;
        if let Some(S::If {
            condition,
            accept,
            reject,
        }) = rest.first()
        {
            if let E::Binary {
                op: B::NotEqual,
                left,
                ..
            } = self.f.expressions[*condition]
            {
                if is_break(accept) && reject.is_empty() {
                    state = load_local(self.f, left);
                    rest = &rest[1..];
                }
            }
        }
        // What comes before the tick (a `for` range's own test, a `while`
        // condition's loads and fault checks) may leave the loop but never
        // go round without reaching the tick.
        let Some(at) = rest
            .iter()
            .position(|s| matches!(s, S::Call { function, .. } if *function == tick))
        else {
            return false;
        };
        if rest[..at].iter().any(|s| self.may_skip(s, state)) {
            return false;
        }
        let (
            S::Call {
                result: Some(r), ..
            },
            Some(S::If {
                condition, accept, ..
            }),
        ) = (rest[at], rest.get(at + 1))
        else {
            return false;
        };
        if condition != r {
            return false;
        }
        self.leaves(accept, state)
    }

    /// `s` may go round the loop (`continue`) without leaving it, or
    /// holds a loop of its own.
    fn may_skip(&self, s: &S, state: Option<Handle<naga::LocalVariable>>) -> bool {
        match s {
            S::Continue | S::Loop { .. } => true,
            S::Block(b) => b.iter().any(|s| self.may_skip(s, state)),
            S::If { accept, reject, .. } => {
                (!self.leaves(accept, state) && accept.iter().any(|s| self.may_skip(s, state)))
                    || reject.iter().any(|s| self.may_skip(s, state))
            }
            S::Switch { cases, .. } => cases
                .iter()
                .any(|c| c.body.iter().any(|s| self.may_skip(s, state))),
            _ => false,
        }
    }

    /// `block` leaves the loop: it breaks or returns, or sets the exit
    /// `state` to a leaving value and goes round to the test that breaks
    /// on it.
    fn leaves(&self, block: &Block, state: Option<Handle<naga::LocalVariable>>) -> bool {
        match block.iter().rfind(|s| !matches!(s, S::Emit(_))) {
            Some(S::Return { .. } | S::Break) => true,
            Some(S::Continue) => {
                let mut sets_state = false;
                walk_stores(block, &mut |pointer, value| {
                    if state.is_some() && local_of(self.f, pointer) == state {
                        sets_state = const_u32(self.module, self.f, value).is_some_and(|v| v != 0);
                    }
                });
                sets_state
            }
            _ => false,
        }
    }

    /// Counter and bound pairs the loop's first test requires: `k < n`
    /// among the conjuncts of a condition the loop stays on, `k >= n`
    /// (or `!(k < n)`) among the disjuncts of one it leaves on.
    fn counters(
        &self,
        cond: Handle<E>,
        stays: bool,
        out: &mut Vec<(Handle<naga::LocalVariable>, Handle<E>)>,
    ) {
        match self.f.expressions[cond] {
            E::Binary {
                op: B::LogicalAnd,
                left,
                right,
            } if stays => {
                self.counters(left, stays, out);
                self.counters(right, stays, out);
            }
            E::Binary {
                op: B::LogicalOr,
                left,
                right,
            } if !stays => {
                self.counters(left, stays, out);
                self.counters(right, stays, out);
            }
            E::Unary {
                op: UnaryOperator::LogicalNot,
                expr,
            } => self.counters(expr, !stays, out),
            E::Binary {
                op: B::Less,
                left,
                right,
            } if stays => {
                if let Some(k) = load_local(self.f, left) {
                    out.push((k, right));
                }
            }
            E::Binary {
                op: B::GreaterEqual,
                left,
                right,
            } if !stays => {
                if let Some(k) = load_local(self.f, left) {
                    out.push((k, right));
                }
            }
            _ => {}
        }
    }

    /// `value` is `load(pointer) + step`: the step when it is a constant,
    /// `Some(None)` when it is not.
    fn step_of(&self, value: Handle<E>, pointer: Handle<E>) -> Option<Option<u32>> {
        let E::Binary {
            op: B::Add,
            left,
            right,
        } = self.f.expressions[value]
        else {
            return None;
        };
        if !same_place(self.f, left, pointer) {
            return None;
        }
        Some(const_u32(self.module, self.f, right))
    }

    /// Whether `bound` has the same value on every iteration: it is a
    /// constant, evaluated before the loop, or built only from such values
    /// and loads of variables the loop does not store to (nor any function
    /// it calls).
    fn invariant(&self, bound: Handle<E>, body: &Block, continuing: &Block) -> bool {
        let mut emitted = Vec::new();
        collect_emitted(body, &mut emitted);
        collect_emitted(continuing, &mut emitted);
        let mut stored = Vec::new();
        walk_stores(body, &mut |p, _| stored.push(p));
        walk_stores(continuing, &mut |p, _| stored.push(p));
        let calls = calls_in(body) || calls_in(continuing);
        self.invariant_expr(bound, &emitted, &stored, calls)
    }

    fn invariant_expr(
        &self,
        e: Handle<E>,
        emitted: &[Handle<E>],
        stored: &[Handle<E>],
        calls: bool,
    ) -> bool {
        if !emitted.contains(&e) {
            return true;
        }
        match self.f.expressions[e] {
            E::Load { pointer } => match self.f.expressions[pointer] {
                E::LocalVariable(v) => !stored.iter().any(|&p| local_of(self.f, p) == Some(v)),
                E::GlobalVariable(g) => {
                    !calls && !stored.iter().any(|&p| global_of(self.f, p) == Some(g))
                }
                _ => false,
            },
            E::Binary { left, right, .. } => {
                self.invariant_expr(left, emitted, stored, calls)
                    && self.invariant_expr(right, emitted, stored, calls)
            }
            E::Unary { expr, .. } | E::As { expr, .. } => {
                self.invariant_expr(expr, emitted, stored, calls)
            }
            E::Math { arg, arg1, .. } => {
                self.invariant_expr(arg, emitted, stored, calls)
                    && arg1.is_none_or(|a| self.invariant_expr(a, emitted, stored, calls))
            }
            E::ArrayLength(_) => true,
            _ => false,
        }
    }

    /// Every integer `/` and `%` of the function divides by a nonzero
    /// constant (not -1 when signed) or is the guarded division of a
    /// `vy_div_*` / `vy_rem_*` helper.
    fn divisions(&self, info: &naga::valid::FunctionInfo, problems: &mut Vec<String>) {
        for (h, e) in self.f.expressions.iter() {
            let E::Binary {
                op: op @ (B::Divide | B::Modulo),
                right,
                ..
            } = *e
            else {
                continue;
            };
            let signed = match info[h].ty.inner_with(&self.module.types) {
                TypeInner::Scalar(Scalar {
                    kind: ScalarKind::Float,
                    ..
                }) => continue,
                TypeInner::Vector {
                    scalar:
                        Scalar {
                            kind: ScalarKind::Float,
                            ..
                        },
                    ..
                } => continue,
                TypeInner::Scalar(Scalar { kind, .. })
                | TypeInner::Vector {
                    scalar: Scalar { kind, .. },
                    ..
                } => *kind == ScalarKind::Sint,
                _ => false,
            };
            let constant = const_i64(self.module, self.f, right)
                .is_some_and(|d| d != 0 && !(signed && d == -1))
                || (!signed && self.at_least_one(right));
            if constant || self.guarded_helper(right, signed) {
                continue;
            }
            problems.push(format!(
                "{}: an integer {op:?} whose divisor vyre does not check",
                self.name
            ));
        }
    }

    /// `e` is `max(x, c)` with a constant `c` ≥ 1 (an unsigned divisor
    /// vyre keeps from zero).
    fn at_least_one(&self, e: Handle<E>) -> bool {
        matches!(
            self.f.expressions[e],
            E::Math { fun: naga::MathFunction::Max, arg1: Some(c), .. }
                if const_i64(self.module, self.f, c).is_some_and(|c| c >= 1)
        )
    }

    /// This function is a `vy_div_*` / `vy_rem_*` helper dividing by its
    /// second argument, which its first statements test: zero (and -1
    /// when signed) return before the division.
    fn guarded_helper(&self, divisor: Handle<E>, signed: bool) -> bool {
        if !(self.name.starts_with("vy_div_") || self.name.starts_with("vy_rem_")) {
            return false;
        }
        if !matches!(self.f.expressions[divisor], E::FunctionArgument(1)) {
            return false;
        }
        let mut zero = false;
        let mut minus_one = !signed;
        for s in self.f.body.iter() {
            match s {
                S::Emit(_) => {}
                S::If {
                    condition, accept, ..
                } if matches!(accept.last(), Some(S::Return { .. })) => {
                    let tested = match self.f.expressions[*condition] {
                        E::Binary {
                            op: B::Equal,
                            left,
                            right,
                        } if matches!(self.f.expressions[left], E::FunctionArgument(1)) => {
                            const_i64(self.module, self.f, right)
                        }
                        // `all(b == vec2(0))`: a 64-bit zero.
                        E::Relational {
                            fun: naga::RelationalFunction::All,
                            argument,
                        } => match self.f.expressions[argument] {
                            E::Binary {
                                op: B::Equal,
                                left,
                                right,
                            } if matches!(self.f.expressions[left], E::FunctionArgument(1))
                                && matches!(
                                    self.f.expressions[right],
                                    E::ZeroValue(_) | E::Compose { .. }
                                ) =>
                            {
                                Some(0)
                            }
                            _ => None,
                        },
                        _ => None,
                    };
                    match tested {
                        Some(0) => zero = true,
                        Some(-1) => minus_one = true,
                        _ => {}
                    }
                }
                _ => break,
            }
        }
        zero && minus_one
    }
}

fn is_break(block: &Block) -> bool {
    let mut it = block.iter().filter(|s| !matches!(s, S::Emit(_)));
    matches!((it.next(), it.next()), (Some(S::Break), None))
}

/// Calls `f` on every statement of `block`, nested blocks included.
fn walk(block: &Block, f: &mut dyn FnMut(&S)) {
    for s in block.iter() {
        f(s);
        match s {
            S::Block(b) => walk(b, f),
            S::If { accept, reject, .. } => {
                walk(accept, f);
                walk(reject, f);
            }
            S::Switch { cases, .. } => cases.iter().for_each(|c| walk(&c.body, f)),
            S::Loop {
                body, continuing, ..
            } => {
                walk(body, f);
                walk(continuing, f);
            }
            _ => {}
        }
    }
}

/// Calls `f(pointer, value)` for every `Store` in `block`, nested blocks
/// included.
fn walk_stores(block: &Block, f: &mut dyn FnMut(Handle<E>, Handle<E>)) {
    walk(block, &mut |s| {
        if let S::Store { pointer, value } = s {
            f(*pointer, *value);
        }
    });
}

fn calls_in(block: &Block) -> bool {
    let mut found = false;
    walk(block, &mut |s| found |= matches!(s, S::Call { .. }));
    found
}

/// The expressions `block` evaluates (emits, and results of calls and
/// atomics), nested blocks included.
fn collect_emitted(block: &Block, out: &mut Vec<Handle<E>>) {
    walk(block, &mut |s| match s {
        S::Emit(range) => out.extend(range.clone()),
        S::Call {
            result: Some(r), ..
        }
        | S::WorkGroupUniformLoad { result: r, .. }
        | S::Atomic {
            result: Some(r), ..
        } => out.push(*r),
        _ => {}
    });
}

fn local_of(f: &Function, pointer: Handle<E>) -> Option<Handle<naga::LocalVariable>> {
    match f.expressions[pointer] {
        E::LocalVariable(v) => Some(v),
        _ => None,
    }
}

fn global_of(f: &Function, pointer: Handle<E>) -> Option<Handle<naga::GlobalVariable>> {
    match f.expressions[pointer] {
        E::GlobalVariable(g) => Some(g),
        _ => None,
    }
}

fn load_local(f: &Function, e: Handle<E>) -> Option<Handle<naga::LocalVariable>> {
    match f.expressions[e] {
        E::Load { pointer } => local_of(f, pointer),
        _ => None,
    }
}

fn loads_global(f: &Function, e: Handle<E>, g: Handle<naga::GlobalVariable>) -> bool {
    matches!(f.expressions[e], E::Load { pointer } if global_of(f, pointer) == Some(g))
}

/// `e` loads the variable `pointer` points to.
fn same_place(f: &Function, e: Handle<E>, pointer: Handle<E>) -> bool {
    let E::Load { pointer: p } = f.expressions[e] else {
        return false;
    };
    p == pointer
        || matches!(
            (&f.expressions[p], &f.expressions[pointer]),
            (E::LocalVariable(a), E::LocalVariable(b)) if a == b
        )
        || matches!(
            (&f.expressions[p], &f.expressions[pointer]),
            (E::GlobalVariable(a), E::GlobalVariable(b)) if a == b
        )
}

/// `value` is `load(pointer) + 1u`.
fn is_increment(f: &Function, value: Handle<E>, pointer: Handle<E>) -> bool {
    let E::Binary {
        op: B::Add,
        left,
        right,
    } = f.expressions[value]
    else {
        return false;
    };
    same_place(f, left, pointer) && matches!(f.expressions[right], E::Literal(Literal::U32(1)))
}

/// The value of a constant expression of the function, if it is one.
fn const_i64(module: &Module, f: &Function, e: Handle<E>) -> Option<i64> {
    const_in(module, &f.expressions, e)
}

fn const_u32(module: &Module, f: &Function, e: Handle<E>) -> Option<u32> {
    const_i64(module, f, e).and_then(|v| u32::try_from(v).ok())
}

/// The value of expression `e` of `arena` (a function's, or the module's
/// constant expressions) when it is an integer constant.
fn const_in(module: &Module, arena: &naga::Arena<E>, e: Handle<E>) -> Option<i64> {
    match arena[e] {
        E::Literal(l) => literal(l),
        E::Constant(c) => const_in(module, &module.global_expressions, module.constants[c].init),
        E::ZeroValue(_) => Some(0),
        _ => None,
    }
}

fn literal(l: Literal) -> Option<i64> {
    match l {
        Literal::U32(v) => Some(i64::from(v)),
        Literal::I32(v) => Some(i64::from(v)),
        Literal::AbstractInt(v) => Some(v),
        _ => None,
    }
}

/// Parses, validates and proves `src`; panics with every problem.
pub fn assert_trusted(what: &str, src: &str) {
    let module = naga::front::wgsl::parse_str(src)
        .unwrap_or_else(|e| panic!("{what}: {}", e.emit_to_string(src)));
    let info = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    )
    .validate(&module)
    .unwrap_or_else(|e| panic!("{what}: {}", e.emit_to_string(src)));
    let problems = check_trusted(&module, &info);
    assert!(
        problems.is_empty(),
        "{what}: naga's checks cannot be left out:\n{}",
        problems.join("\n")
    );
}
