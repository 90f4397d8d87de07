//! Expression typing: the type of every expression from its operands'
//! types, recorded in pre-order for [`HandlerInfo`](crate::ir::HandlerInfo).

use super::error::ValidationErrorKind;
use crate::ir::expr::{BufferId, Expr, FieldRef, LocalId};
use crate::ir::handler::{BufferParam, LocalDecl};
use crate::ir::info::ExprEntry;
use vyre_lang::{Access, BinOp, Layout, ScalarType, StructLayout, UnOp};

pub(super) type VResult<T> = Result<T, ValidationErrorKind>;

/// What typing an expression reads: the handler's tables and which locals
/// are in scope where the expression stands.
pub(super) struct Typing<'a> {
    pub(super) locals: &'a [LocalDecl],
    pub(super) buffers: &'a [BufferParam],
    pub(super) in_scope: &'a dyn Fn(LocalId) -> bool,
    /// Set when an expression reads `ctx.lane()`.
    pub(super) reads_lane: &'a std::cell::Cell<bool>,
}

/// How a statement or expression uses a local: as a value or as an array.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum LocalUse {
    /// Read or assigned whole: it must not be an array.
    Scalar,
    /// Indexed: it must be an array.
    Array,
}

/// The declaration of `local` where it is used as `usage`: declared, in
/// scope (`in_scope`, which the caller knows), and an array exactly when
/// the use indexes it.
pub(super) fn visible_local(
    locals: &[LocalDecl],
    local: LocalId,
    in_scope: bool,
    usage: LocalUse,
) -> VResult<&LocalDecl> {
    use ValidationErrorKind as K;
    let Some(decl) = locals.get(local.0 as usize) else {
        return Err(K::UndeclaredLocal {
            local: local.0,
            name: "?".into(),
        });
    };
    let name = || decl.name.clone();
    if !in_scope {
        return Err(K::UndeclaredLocal {
            local: local.0,
            name: name(),
        });
    }
    match (usage, decl.array.is_some()) {
        (LocalUse::Scalar, true) => Err(K::ArrayAsValue { name: name() }),
        (LocalUse::Array, false) => Err(K::NotAnArray { name: name() }),
        _ => Ok(decl),
    }
}

/// Computes the type of `e`. `in_scope` says whether a local may be read
/// here; pass `&|_| true` to skip scope checks (the builder does, while a
/// handler is being built; a validated handler's types are in its
/// [`HandlerInfo`](crate::ir::HandlerInfo)).
pub fn type_of(
    e: &Expr,
    locals: &[LocalDecl],
    buffers: &[BufferParam],
    in_scope: &dyn Fn(LocalId) -> bool,
) -> VResult<ScalarType> {
    let cx = Typing {
        locals,
        buffers,
        in_scope,
        reads_lane: &std::cell::Cell::new(false),
    };
    record(e, &cx, &mut Vec::new())
}

/// A type mismatch in `context`.
pub(super) fn mismatch(context: &str, expected: &str, found: ScalarType) -> ValidationErrorKind {
    ValidationErrorKind::TypeMismatch {
        context: context.to_string(),
        expected: expected.to_string(),
        found,
    }
}

/// Checks that `field` names a scalar of buffer `b`'s struct: a scalar
/// field of that type at that word, or an element of an array field of
/// that type and length.
pub(super) fn check_field(b: &BufferParam, field: &FieldRef) -> VResult<()> {
    let bad = |reason: String| ValidationErrorKind::BadField {
        buffer: b.name.clone(),
        word: field.word,
        reason,
    };
    let Some(layout) = b.structure else {
        return Err(bad("it is not a buffer of structs".into()));
    };
    if b.access == Access::Atomic {
        return Err(bad("the buffer is atomic".into()));
    }
    let Some((ty, len)) = leaf(layout, field.word) else {
        return Err(bad(format!("no field of `{}` starts there", layout.name)));
    };
    // Rows, when given, are exactly the arrays of structs holding the
    // field, which sits in element 0 of each.
    if !field.rows.is_empty() {
        let rows: Vec<(u32, u32)> = field.rows.iter().map(|r| (r.len, r.stride)).collect();
        if enclosing_arrays(layout, field.word) != Some(rows) {
            return Err(bad(
                "its rows are not the arrays of structs that hold it (element 0 of each)".into(),
            ));
        }
    }
    if ty != field.ty {
        return Err(bad(format!("the field there holds {ty}, not {}", field.ty)));
    }
    match (len, &field.element) {
        (None, None) => Ok(()),
        (Some(n), Some((_, m))) if n == *m => Ok(()),
        (Some(n), Some((_, m))) => Err(bad(format!("the array there has {n} elements, not {m}"))),
        (Some(_), None) => Err(bad("the field there is an array: index it".into())),
        (None, Some(_)) => Err(bad("the field there is not an array".into())),
    }
}

/// The arrays of structs (length, stride in words; outermost first) whose
/// element 0 holds `word` of `layout`; `None` when `word` lies in a later
/// element of one.
fn enclosing_arrays(layout: &StructLayout, word: u32) -> Option<Vec<(u32, u32)>> {
    for f in layout.fields {
        if word < f.word || word >= f.word + f.words() {
            continue;
        }
        return match (f.ty, f.len) {
            (Layout::Scalar(_), _) => Some(Vec::new()),
            (Layout::Struct(inner), None) => enclosing_arrays(inner, word - f.word),
            (Layout::Struct(inner), Some(n)) => {
                let within = word - f.word;
                if within >= inner.words {
                    return None;
                }
                let mut arrays = vec![(n, inner.words)];
                arrays.extend(enclosing_arrays(inner, within)?);
                Some(arrays)
            }
        };
    }
    Some(Vec::new())
}

/// The scalar field (type, and array length for an array field of
/// scalars) that starts at `word` of `layout`, looking into nested structs
/// and into the elements of arrays of structs.
pub(crate) fn leaf(layout: &StructLayout, word: u32) -> Option<(ScalarType, Option<u32>)> {
    for f in layout.fields {
        let end = f.word + f.words();
        if word < f.word || word >= end {
            continue;
        }
        return match f.ty {
            Layout::Scalar(s) if word == f.word => Some((s, f.len)),
            Layout::Scalar(_) => None,
            Layout::Struct(inner) => {
                let within = (word - f.word) % inner.words.max(1);
                leaf(inner, within)
            }
        };
    }
    None
}

/// The parameter `id` of the handler's buffer table.
pub(super) fn buffer_param(buffers: &[BufferParam], id: BufferId) -> VResult<&BufferParam> {
    buffers
        .get(id.0 as usize)
        .ok_or(ValidationErrorKind::UnknownBuffer { buffer: id.0 })
}

/// Types `e` and appends its entry and the entries of every expression
/// inside it to `out`, in pre-order (the numbering of [`HandlerInfo`](crate::ir::HandlerInfo)).
pub(super) fn record(e: &Expr, cx: &Typing<'_>, out: &mut Vec<ExprEntry>) -> VResult<ScalarType> {
    let at = out.len();
    // A placeholder keeps `e` before its operands; it is filled in once they
    // are typed.
    out.push(ExprEntry {
        ty: ScalarType::U32,
        end: 0,
    });
    let ty = infer(e, cx, out)?;
    out[at] = ExprEntry {
        ty,
        end: out.len() as u32,
    };
    Ok(ty)
}

/// The type of `e` from the types of its operands, which are recorded in
/// evaluation (field) order.
fn infer(e: &Expr, cx: &Typing<'_>, out: &mut Vec<ExprEntry>) -> VResult<ScalarType> {
    use ScalarType::*;
    use ValidationErrorKind as K;
    let (locals, buffers) = (cx.locals, cx.buffers);
    let ty = |e: &Expr, out: &mut Vec<ExprEntry>| record(e, cx, out);
    let same = |l: &Expr, r: &Expr, what: &str, out: &mut Vec<ExprEntry>| -> VResult<ScalarType> {
        let lt = record(l, cx, out)?;
        let rt = record(r, cx, out)?;
        if lt == rt {
            Ok(lt)
        } else {
            Err(mismatch(what, lt.rust_name(), rt))
        }
    };
    match e {
        Expr::Lit(l) => Ok(l.ty()),
        Expr::Local(id) => {
            let decl = visible_local(locals, *id, (cx.in_scope)(*id), LocalUse::Scalar)?;
            Ok(decl.ty)
        }
        Expr::Index { array, index } => {
            let decl = visible_local(locals, *array, (cx.in_scope)(*array), LocalUse::Array)?;
            let it = ty(index, out)?;
            if it != U32 {
                return Err(mismatch("array index", "u32", it));
            }
            Ok(decl.ty)
        }
        Expr::CheckIndex { index, .. } => {
            let it = ty(index, out)?;
            if it != U32 {
                return Err(mismatch("array index", "u32", it));
            }
            Ok(U32)
        }
        Expr::Unary { op, operand } => {
            let t = ty(operand, out)?;
            let ok = match op {
                UnOp::Neg => matches!(t, I32 | F32 | I64),
                UnOp::Not => matches!(t, Bool | U32 | I32 | U64 | I64),
            };
            if ok {
                Ok(t)
            } else {
                let sym = if *op == UnOp::Neg { "unary -" } else { "!" };
                Err(K::InvalidOperator {
                    op: sym.into(),
                    ty: t,
                })
            }
        }
        Expr::Binary { op, lhs, rhs } => {
            let context = format!("right operand of `{}`", op.symbol());
            match op {
                BinOp::Shl | BinOp::Shr => {
                    let lt = ty(lhs, out)?;
                    if !lt.is_integer() {
                        return Err(K::InvalidOperator {
                            op: op.symbol().into(),
                            ty: lt,
                        });
                    }
                    let rt = ty(rhs, out)?;
                    if rt != U32 {
                        return Err(mismatch("shift amount", "u32", rt));
                    }
                    Ok(lt)
                }
                BinOp::And | BinOp::Or => {
                    let t = same(lhs, rhs, &context, out)?;
                    if t != Bool {
                        return Err(K::InvalidOperator {
                            op: op.symbol().into(),
                            ty: t,
                        });
                    }
                    Ok(Bool)
                }
                BinOp::Eq | BinOp::Ne => {
                    same(lhs, rhs, &context, out)?;
                    Ok(Bool)
                }
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    let t = same(lhs, rhs, &context, out)?;
                    if t == Bool {
                        return Err(K::InvalidOperator {
                            op: op.symbol().into(),
                            ty: t,
                        });
                    }
                    Ok(Bool)
                }
                BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
                    let t = same(lhs, rhs, &context, out)?;
                    if t == F32 {
                        return Err(K::InvalidOperator {
                            op: op.symbol().into(),
                            ty: t,
                        });
                    }
                    Ok(t)
                }
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                    let t = same(lhs, rhs, &context, out)?;
                    if t == Bool {
                        return Err(K::InvalidOperator {
                            op: op.symbol().into(),
                            ty: t,
                        });
                    }
                    Ok(t)
                }
            }
        }
        Expr::Cast { to, value } => {
            let from = ty(value, out)?;
            let ok = match (from, *to) {
                (Bool, Bool) => true,
                (Bool, U32 | I32 | U64 | I64) => true,
                (_, Bool) | (Bool, F32) => false,
                _ => true,
            };
            if ok {
                Ok(*to)
            } else {
                Err(K::InvalidCast { from, to: *to })
            }
        }
        Expr::Select {
            cond,
            if_true,
            if_false,
        } => {
            let c = ty(cond, out)?;
            if c != Bool {
                return Err(mismatch("condition of `if` expression", "bool", c));
            }
            same(if_true, if_false, "`else` branch of `if` expression", out)
        }
        Expr::Intrinsic { func, args } => {
            let invalid = |t: ScalarType| K::InvalidIntrinsic {
                method: func.method_name().into(),
                ty: t,
                operands: args.len(),
            };
            let recv = match args.first() {
                Some(r) => ty(r, out)?,
                None => {
                    return Err(K::InvalidIntrinsic {
                        method: func.method_name().into(),
                        ty: U32,
                        operands: 0,
                    })
                }
            };
            if args.len() != func.arity() {
                return Err(invalid(recv));
            }
            let result = func.result_type(recv).ok_or_else(|| invalid(recv))?;
            for (i, a) in args.iter().enumerate().skip(1) {
                let expected = func.operand_type(i, recv);
                let t = ty(a, out)?;
                if t != expected {
                    return Err(mismatch(
                        &format!("operand {i} of `{}`", func.method_name()),
                        expected.rust_name(),
                        t,
                    ));
                }
            }
            Ok(result)
        }
        Expr::LoadField {
            buffer,
            index,
            field,
        } => {
            let b = buffer_param(buffers, *buffer)?;
            check_field(b, field)?;
            let it = ty(index, out)?;
            if it != U32 {
                return Err(mismatch("buffer index", "u32", it));
            }
            for i in field.subscripts() {
                let et = ty(i, out)?;
                if et != U32 {
                    return Err(mismatch("index of an array field", "u32", et));
                }
            }
            Ok(field.ty)
        }
        Expr::Load { buffer, index } => {
            let b = buffer_param(buffers, *buffer)?;
            if b.access == Access::Atomic {
                return Err(K::PlainAccessToAtomicBuffer {
                    buffer: b.name.clone(),
                    what: "load".into(),
                });
            }
            let it = ty(index, out)?;
            if it != U32 {
                return Err(mismatch("buffer index", "u32", it));
            }
            Ok(b.elem)
        }
        Expr::Len { buffer } => {
            buffer_param(buffers, *buffer)?;
            Ok(U32)
        }
        Expr::Atomic {
            op,
            buffer,
            index,
            value,
        } => {
            let b = buffer_param(buffers, *buffer)?;
            if b.access != Access::Atomic {
                return Err(K::AtomicOnPlainBuffer {
                    buffer: b.name.clone(),
                    op: op.method_name().into(),
                });
            }
            let it = ty(index, out)?;
            if it != U32 {
                return Err(mismatch("buffer index", "u32", it));
            }
            match (op.has_operand(), value) {
                (true, Some(v)) => {
                    let vt = ty(v, out)?;
                    if vt != b.elem {
                        return Err(mismatch(
                            &format!("operand of `{}`", op.method_name()),
                            b.elem.rust_name(),
                            vt,
                        ));
                    }
                }
                (false, None) => {}
                _ => {
                    return Err(K::InvalidIntrinsic {
                        method: op.method_name().into(),
                        ty: b.elem,
                        operands: 1 + value.is_some() as usize,
                    })
                }
            }
            Ok(b.elem)
        }
        Expr::Ctx(c) => {
            if *c == vyre_lang::CtxValue::Lane {
                cx.reads_lane.set(true);
            }
            Ok(U32)
        }
    }
}
