//! Struct buffers: a buffer of `#[derive(Element)]` structs is bound as
//! its words (`array<u32>`), and a field access reads or writes the words
//! of one scalar at `index * words_per_struct + offset`, through the
//! checked helpers `vy_field_u_<buf>` / `vy_store_field_u_<buf>` (element
//! index first, then an array field's index, as Rust indexes), bitcast to
//! the scalar's type; a 64-bit scalar is two words.

use super::expr::Val;
use super::function::FnLowerer;
use crate::ir::{BufferId, Expr, ExprId, FieldRef, ScalarType};

/// Where one scalar of an element is, in WGSL: the word offset expression
/// (for word `k` of the scalar), whether the array index is in range, and
/// the fault detail if not.
struct Place {
    offset: String,
    ok: String,
    detail: String,
}

impl Place {
    fn word(&self, k: u32) -> String {
        if k == 0 {
            self.offset.clone()
        } else {
            format!("({} + {k}u)", self.offset)
        }
    }
}

impl FnLowerer<'_> {
    /// The place of `field`, its subscripts (rows, then the array field's
    /// element) numbered from `id`.
    fn place(&mut self, field: &FieldRef, id: ExprId) -> Place {
        let w = field.word;
        let mut id = id;
        let mut offset = format!("{w}u");
        let mut checks: Vec<(String, String)> = Vec::new();
        for (j, len, stride) in field.bounded_subscripts() {
            let j = self.expr(j, id);
            let j = self.bind(j);
            id = self.info.next_expr(id);
            let last = len.saturating_sub(1);
            // Clamped, so the address is one of the array's even when the
            // index is out of range (then `ok` is false and nothing is read
            // or written).
            offset = format!("({offset} + min({}, {last}u) * {stride}u)", j.code);
            checks.push((format!("({} < {len}u)", j.code), j.code));
        }
        let Some((ok, detail)) = checks.last().cloned() else {
            return Place {
                offset,
                ok: "true".into(),
                detail: "0u".into(),
            };
        };
        // The first subscript out of range is the fault's detail.
        let mut all_ok = ok;
        let mut first_bad = detail;
        for (ok, detail) in checks.iter().rev().skip(1) {
            all_ok = format!("({ok} && {all_ok})");
            first_bad = format!("select({first_bad}, {detail}, !{ok})");
        }
        Place {
            offset,
            ok: all_ok,
            detail: first_bad,
        }
    }

    /// `buf[index].field`, numbered so that its index is `first`.
    pub(super) fn load_field(
        &mut self,
        buffer: BufferId,
        index: &Expr,
        field: &FieldRef,
        first: ExprId,
    ) -> Val {
        let ty = field.ty;
        let i = self.expr(index, first);
        let i = self.bind(i);
        let place = self.place(field, self.info.next_expr(first));
        let Some(b) = self.program_buffer(buffer) else {
            return Val::new(super::names::zero(ty).into(), ty);
        };
        let f = self.helpers.field_word(b);
        let word = |k: u32| {
            format!(
                "{f}({}, {}, {}, {})",
                i.code,
                place.word(k),
                place.ok,
                place.detail
            )
        };
        let code = match ty {
            ScalarType::U32 => word(0),
            ScalarType::I32 => format!("bitcast<i32>({})", word(0)),
            ScalarType::F32 => format!("bitcast<f32>({})", word(0)),
            ScalarType::Bool => format!("({} != 0u)", word(0)),
            ScalarType::U64 | ScalarType::I64 => format!("vec2<u32>({}, {})", word(0), word(1)),
        };
        self.hoist(ty, code)
    }

    /// `buf[index].field = value;`: index, element index, value, then the
    /// checked stores (the statement's expressions start at `first`).
    pub(super) fn store_field(
        &mut self,
        buffer: BufferId,
        [index, value]: [&Expr; 2],
        field: &FieldRef,
        first: ExprId,
    ) {
        let i = self.expr(index, first);
        let i = self.bind(i);
        let mut next = self.info.next_expr(first);
        let place = self.place(field, next);
        for _ in field.subscripts() {
            next = self.info.next_expr(next);
        }
        let v = self.expr(value, next);
        let v = self.bind(v);
        let Some(b) = self.program_buffer(buffer) else {
            return;
        };
        let f = self.helpers.store_field_word(b);
        let words = match field.ty {
            ScalarType::U32 => vec![v.code.clone()],
            ScalarType::I32 | ScalarType::F32 => vec![format!("bitcast<u32>({})", v.code)],
            ScalarType::Bool => vec![format!("select(0u, 1u, {})", v.code)],
            ScalarType::U64 | ScalarType::I64 => {
                vec![format!("{}.x", v.code), format!("{}.y", v.code)]
            }
        };
        for (k, w) in words.iter().enumerate() {
            self.line(&format!(
                "{f}({}, {}, {w}, {}, {});",
                i.code,
                place.word(k as u32),
                place.ok,
                place.detail
            ));
        }
    }
}
