//! Local arrays: `[T; N]` becomes a WGSL function-scope `var` of type
//! `array<T, N>` (always `var`: a `let` array cannot be indexed at run time
//! on every backend), and every element access is bounds-checked here,
//! with the fault rules of buffer accesses: an index outside `0 .. N`
//! records `OUT_OF_BOUNDS` (detail = the index), a read yields element
//! `min(index, N - 1)` (any in-bounds value: the task ends after the
//! statement and its effects are suppressed), a write stores nothing (its
//! index is clamped too, although guarded: naga rejects a constant index
//! out of bounds even in a branch that never runs).

use super::expr::Val;
use super::function::FnLowerer;
use super::names::wgsl_type;
use crate::ir::{ArrayInit, Expr, ExprId, LocalId, ScalarType};

impl FnLowerer<'_> {
    /// The WGSL name, element type and length of array local `array`.
    fn array(&self, array: LocalId) -> (String, crate::ir::ScalarType, u32) {
        let (name, ty) = self.local(array);
        let len = self
            .handler
            .locals
            .get(array.0 as usize)
            .and_then(|d| d.array)
            .unwrap_or(1);
        (name, ty, len)
    }

    /// `let a = [v; N]` / `[x, y, …]`: the statement's expressions start at
    /// `first`.
    pub(super) fn let_array(&mut self, array: LocalId, init: &ArrayInit, first: ExprId) {
        let (name, ty, len) = self.array(array);
        let t = format!("array<{}, {len}>", wgsl_type(ty));
        let elements: Vec<String> = match init {
            ArrayInit::Repeat(v) => {
                let v = self.expr(v, first);
                let v = self.bind(v);
                vec![v.code; len as usize]
            }
            ArrayInit::List(values) => {
                let info = self.info;
                let mut out = Vec::with_capacity(values.len());
                for (v, id) in values.iter().zip(info.siblings(first)) {
                    let v = self.expr(v, id);
                    // Bound in order, so that later elements cannot change
                    // what earlier ones read.
                    out.push(self.bind(v).code);
                }
                out
            }
        };
        self.line(&format!("var {name}: {t} = {t}({});", elements.join(", ")));
    }

    /// `array[index]`, numbered so that its index is `index_id`.
    pub(super) fn index(&mut self, array: LocalId, index: &Expr, index_id: ExprId) -> Val {
        let (name, ty, len) = self.array(array);
        let i = self.bounded(index, len, index_id);
        self.hoist(ty, format!("{name}[{i}]"))
    }

    /// `index` evaluated and checked against `len` (out of bounds faults
    /// with it), as WGSL clamped below `len`.
    fn bounded(&mut self, index: &Expr, len: u32, index_id: ExprId) -> String {
        let i = self.expr(index, index_id);
        let i = self.bind(i);
        self.line(&format!(
            "if ({} >= {len}u) {{ vy_fail(vy_FAULT_OUT_OF_BOUNDS, {}); }}",
            i.code, i.code
        ));
        let last = len.saturating_sub(1);
        format!("min({}, {last}u)", i.code)
    }

    /// `index` checked against `len` (one subscript of a flattened array),
    /// clamped below it.
    pub(super) fn check_index(&mut self, index: &Expr, len: u32, index_id: ExprId) -> Val {
        let i = self.bounded(index, len, index_id);
        self.hoist(ScalarType::U32, i)
    }

    /// `array[index] = value;`: index, then value, then the checked store.
    pub(super) fn store_index(
        &mut self,
        array: LocalId,
        [index, value]: [&Expr; 2],
        first: ExprId,
    ) {
        let (name, _, len) = self.array(array);
        let i = self.expr(index, first);
        let i = self.bind(i);
        let v = self.expr(value, self.info.next_expr(first));
        self.open(&format!("if ({} < {len}u) {{", i.code));
        // `min` although the guard already holds: naga folds a `let` bound
        // to a constant, and rejects a constant index out of bounds even
        // in a branch that never runs.
        let last = len.saturating_sub(1);
        self.line(&format!(
            "if (vy_fault == 0u) {{ {name}[min({}, {last}u)] = {}; }}",
            i.code, v.code
        ));
        self.close("} else {");
        self.depth += 1;
        self.line(&format!("vy_fail(vy_FAULT_OUT_OF_BOUNDS, {});", i.code));
        self.close("}");
    }
}
