//! A read-only walk over the typed tree, in evaluation order, like
//! `syn::visit`: a pass overrides the `visit_*` methods for the nodes it
//! cares about and calls the matching `walk_*` function to go on into the
//! children.

use super::{
    ArrayInit, Block, DevArg, DeviceCall, Expr, ExprKind, LeafInit, Match, Spawn, Stmt, StructInit,
};

/// A pass over the tree. Every method's default walks the children.
pub(crate) trait Visit {
    /// A block: its statements, then its tail.
    fn visit_block(&mut self, b: &Block) {
        walk_block(self, b);
    }

    /// A statement.
    fn visit_stmt(&mut self, s: &Stmt) {
        walk_stmt(self, s);
    }

    /// An expression.
    fn visit_expr(&mut self, e: &Expr) {
        walk_expr(self, e);
    }

    /// A `match` (statement or value): the scrutinee, the arms' bodies in
    /// order, then the catch-all.
    fn visit_match(&mut self, m: &Match) {
        walk_match(self, m);
    }
}

/// The children of a block.
pub(crate) fn walk_block<V: Visit + ?Sized>(v: &mut V, b: &Block) {
    for s in &b.stmts {
        v.visit_stmt(s);
    }
    if let Some(t) = &b.tail {
        v.visit_expr(t);
    }
}

/// The children of a statement.
pub(crate) fn walk_stmt<V: Visit + ?Sized>(v: &mut V, s: &Stmt) {
    match s {
        Stmt::Let(_, e) | Stmt::Assign(_, e) | Stmt::Eval(e) | Stmt::Fault(e) => v.visit_expr(e),
        Stmt::Store(_, i, x)
        | Stmt::CompoundStore(_, i, _, x)
        | Stmt::AtomicStore(_, i, x)
        | Stmt::StoreIndex(_, i, x)
        | Stmt::CompoundStoreIndex(_, i, _, x) => {
            v.visit_expr(i);
            v.visit_expr(x);
        }
        Stmt::LetStruct(_, init) => match init {
            StructInit::Buffer(_, i) => v.visit_expr(i),
            StructInit::Row(r) | StructInit::LocalField(r, _) => {
                r.indices().for_each(|i| v.visit_expr(i));
            }
            StructInit::Copy(_)
            | StructInit::Repeat(_)
            | StructInit::List(_)
            | StructInit::Param(_)
            | StructInit::Zero => {}
            StructInit::Call(d) => walk_device_call(v, d),
            StructInit::BufferField(_, _, i, _) => v.visit_expr(i),
            StructInit::Literal(fields) => {
                for (_, f) in fields {
                    match f {
                        LeafInit::Value(x) | LeafInit::Repeat(x) => v.visit_expr(x),
                        LeafInit::List(xs) => xs.iter().for_each(|x| v.visit_expr(x)),
                        LeafInit::Local(_) => {}
                    }
                }
            }
        },
        Stmt::StructSet(r, _, element, _, x) => {
            r.indices().for_each(|i| v.visit_expr(i));
            if let Some(e) = element {
                v.visit_expr(e);
            }
            v.visit_expr(x);
        }
        Stmt::AssignElement(dst, _, j, src, _, k) => {
            dst.indices().for_each(|i| v.visit_expr(i));
            v.visit_expr(j);
            src.indices().for_each(|i| v.visit_expr(i));
            v.visit_expr(k);
        }
        Stmt::AssignStruct(dst, _, src, _) => {
            dst.indices()
                .chain(src.indices())
                .for_each(|i| v.visit_expr(i));
        }
        Stmt::StoreStruct(_, i, _) => v.visit_expr(i),
        Stmt::StoreField(fa, _, x) => {
            v.visit_expr(&fa.index);
            fa.subscripts().for_each(|e| v.visit_expr(e));
            v.visit_expr(x);
        }
        Stmt::LetArray(_, init) => match init {
            ArrayInit::Repeat(x) => v.visit_expr(x),
            ArrayInit::List(xs) => xs.iter().for_each(|x| v.visit_expr(x)),
        },
        Stmt::Cas(c) => {
            v.visit_expr(&c.index);
            v.visit_expr(&c.current);
            v.visit_expr(&c.new);
        }
        Stmt::If(c, t, f) => {
            v.visit_expr(c);
            v.visit_block(t);
            v.visit_block(f);
        }
        Stmt::Match(m) => v.visit_match(m),
        Stmt::For {
            start, end, body, ..
        } => {
            v.visit_expr(start);
            v.visit_expr(end);
            v.visit_block(body);
        }
        Stmt::While(c, b) => {
            v.visit_expr(c);
            v.visit_block(b);
        }
        Stmt::Loop(b) | Stmt::Block(b) => v.visit_block(b),
        Stmt::Return(value) => {
            if let Some(e) = value {
                v.visit_expr(e);
            }
        }
        Stmt::Break | Stmt::Continue | Stmt::Shutdown => {}
        Stmt::Printf(_, args) => args.iter().for_each(|a| v.visit_expr(a)),
        Stmt::Spawn(s) => walk_spawn(v, s),
        Stmt::Device(d) => walk_device_call(v, d),
    }
}

/// The children of an expression.
pub(crate) fn walk_expr<V: Visit + ?Sized>(v: &mut V, e: &Expr) {
    match &e.kind {
        ExprKind::Lit(_)
        | ExprKind::Local(_)
        | ExprKind::Const(_)
        | ExprKind::Len(_)
        | ExprKind::Ctx(_)
        | ExprKind::Prio(_)
        | ExprKind::ArrayLen(_) => {}
        ExprKind::Unary(_, x)
        | ExprKind::Cast(_, x)
        | ExprKind::Load(_, x)
        | ExprKind::Index(_, x) => v.visit_expr(x),
        ExprKind::Binary(_, l, r) => {
            v.visit_expr(l);
            v.visit_expr(r);
        }
        ExprKind::StructGet(r, _, element) => {
            r.indices().for_each(|i| v.visit_expr(i));
            if let Some(e) = element {
                v.visit_expr(e);
            }
        }
        ExprKind::LoadField(fa) => {
            v.visit_expr(&fa.index);
            fa.subscripts().for_each(|e| v.visit_expr(e));
        }
        ExprKind::Intrinsic(_, args) => args.iter().for_each(|a| v.visit_expr(a)),
        ExprKind::Atomic(_, _, i, x) => {
            v.visit_expr(i);
            if let Some(x) = x {
                v.visit_expr(x);
            }
        }
        ExprKind::If(c, t, f) => {
            v.visit_expr(c);
            v.visit_block(t);
            v.visit_block(f);
        }
        ExprKind::Match(m) => v.visit_match(m),
        ExprKind::Block(b) => v.visit_block(b),
        ExprKind::Device(d) => walk_device_call(v, d),
        ExprKind::Spawn(s) => walk_spawn(v, s),
        ExprKind::Diverge(s) => v.visit_stmt(s),
    }
}

/// The children of a `match`.
pub(crate) fn walk_match<V: Visit + ?Sized>(v: &mut V, m: &Match) {
    v.visit_expr(&m.scrutinee);
    for a in &m.arms {
        v.visit_block(&a.body);
    }
    if let Some(d) = &m.default {
        v.visit_block(d);
    }
}

/// The priority and arguments of a spawn.
pub(crate) fn walk_spawn<V: Visit + ?Sized>(v: &mut V, s: &Spawn) {
    v.visit_expr(&s.priority);
    if let Some(r) = &s.request {
        r.args.iter().for_each(|a| v.visit_expr(a));
    }
    s.args.iter().for_each(|a| v.visit_expr(a));
}

/// The scalar arguments of a `#[device]` call, and the element indices of
/// its struct arguments.
pub(crate) fn walk_device_call<V: Visit + ?Sized>(v: &mut V, d: &DeviceCall) {
    for a in &d.args {
        match a {
            DevArg::Scalar(e) => v.visit_expr(e),
            DevArg::Struct(r) => r.indices().for_each(|i| v.visit_expr(i)),
            _ => {}
        }
    }
}

/// Whether the tree under `b` holds an explicit `return` (which a
/// `#[device]` function's inliner must turn into a flag).
pub(crate) fn block_returns(b: &Block) -> bool {
    let mut finder = FindReturn(false);
    finder.visit_block(b);
    finder.0
}

/// Whether `s` is or holds an explicit `return`.
pub(crate) fn stmt_returns(s: &Stmt) -> bool {
    let mut finder = FindReturn(false);
    finder.visit_stmt(s);
    finder.0
}

struct FindReturn(bool);

impl Visit for FindReturn {
    fn visit_stmt(&mut self, s: &Stmt) {
        if self.0 {
            return;
        }
        match s {
            Stmt::Return(_) => self.0 = true,
            _ => walk_stmt(self, s),
        }
    }

    fn visit_expr(&mut self, e: &Expr) {
        if !self.0 {
            walk_expr(self, e);
        }
    }
}
