//! Struct locals: `let mut p = ps[i];` (a struct buffer's element),
//! `let q = p;` (a copy), `let p = Particle { pos: [0.0; 2], id: i, .. }`
//! without `..` (a literal, nested literals included); `p.a.b` and
//! `p.a.b[j]` read a field, `p.a.b = v`, `p.a.b[j] op= v` write one;
//! `p = q` copies, `ps[i] = p` stores a whole struct. A struct local is
//! flattened into one IR local per scalar field and one local array per
//! array field when `handler()` runs (`vyre::host::__private::StructLocal`),
//! since only then is the layout known. A local array of structs
//! (`let mut a = [p; 4];`, `[p, q]`) is a struct local with a length;
//! `a[j]` is one element of it wherever a struct local is taken
//! (`a[j].id`, `a[j].pos[k] = v`, `a[j] = q`, `let q = a[j];`).

use syn::spanned::Spanned;

use super::syntax::strip_parens;
use super::{Binding, Lowerer};
use crate::hir::*;
use crate::types::Ty;

impl Lowerer<'_> {
    /// The struct local `e` names, if it is a plain name of one.
    fn struct_of(&self, e: &syn::Expr) -> Option<StructIdx> {
        match self.binding_of(e)? {
            Binding::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// The local array of structs `e` names, if it is a plain name of one.
    fn struct_array_of(&self, e: &syn::Expr) -> Option<StructIdx> {
        self.struct_of(e)
            .filter(|s| self.structs.get(*s).is_some_and(|i| i.count.is_some()))
    }

    /// `a[j]` of a local array of structs: the array and the index.
    pub(super) fn struct_row<'e>(&self, e: &'e syn::Expr) -> Option<(StructIdx, &'e syn::Expr)> {
        let syn::Expr::Index(ix) = strip_parens(e) else {
            return None;
        };
        Some((self.struct_array_of(&ix.expr)?, &ix.index))
    }

    /// `a[j]`'s reference, the index lowered.
    pub(super) fn row_ref(&mut self, a: StructIdx, j: &syn::Expr) -> StructRef {
        StructRef {
            s: a,
            steps: vec![(Vec::new(), Box::new(self.array_index(j)))],
        }
    }

    /// Whether `e` is a whole struct value a local array of structs can
    /// hold: a struct local, a struct buffer's element, a struct literal
    /// or an element of another array of structs.
    fn is_struct_value(&self, e: &syn::Expr) -> bool {
        let plain = self
            .struct_of(e)
            .is_some_and(|s| self.structs.get(s).is_some_and(|i| i.count.is_none()));
        plain
            || self.struct_element(e).is_some()
            || self.struct_row(e).is_some()
            || matches!(strip_parens(e), syn::Expr::Struct(_))
    }

    /// `buf[index]` of a struct buffer, as a whole: the buffer, its struct
    /// type and the index expression.
    pub(super) fn struct_element<'e>(
        &self,
        e: &'e syn::Expr,
    ) -> Option<(BufIdx, syn::Type, &'e syn::Expr)> {
        let syn::Expr::Index(ix) = strip_parens(e) else {
            return None;
        };
        let (buf, info) = self.buffer_of(&ix.expr)?;
        Some((buf, info.structure?, &ix.index))
    }

    /// What a struct local is initialised from, when `init` is a struct
    /// value; `None` (and nothing reported) when it is not.
    fn struct_init(&mut self, init: &syn::Expr) -> Option<Option<(syn::Type, StructInit)>> {
        if let Some((buf, ty, index)) = self.struct_element(init) {
            let i = self.expr(index);
            self.expect(&i, Ty::S(ScalarType::U32), "buffer index");
            return Some(Some((ty, StructInit::Buffer(buf, i))));
        }
        if let Some((a, j)) = self.struct_row(init) {
            let ty = self.structs.get(a).map(|s| s.ty.clone())?;
            return Some(Some((ty, StructInit::Row(self.row_ref(a, j)))));
        }
        if let Some(q) = self.struct_of(init) {
            let ty = self.structs.get(q).map(|s| s.ty.clone())?;
            return Some(Some((ty, StructInit::Copy(q))));
        }
        if let syn::Expr::Struct(lit) = strip_parens(init) {
            let ty = syn::Type::Path(syn::TypePath {
                qself: None,
                path: lit.path.clone(),
            });
            let mut fields = Vec::new();
            let ok = self.literal_fields(&ty, lit, &[], &mut fields);
            return Some(ok.then_some((ty, StructInit::Literal(fields))));
        }
        None
    }

    /// The leaves of struct literal `lit` (paths under `prefix`); false
    /// after reporting what is not supported.
    fn literal_fields(
        &mut self,
        top: &syn::Type,
        lit: &syn::ExprStruct,
        prefix: &[String],
        out: &mut Vec<(Vec<String>, LeafInit)>,
    ) -> bool {
        let mut ok = true;
        // `..base`: the fields not listed come from a struct local of the
        // same type (rustc checks the type on the original code).
        if let Some(rest) = &lit.rest {
            match self.struct_of(rest) {
                Some(q) => out.push((prefix.to_vec(), LeafInit::Local(q))),
                None => {
                    self.cx.error(
                        rest,
                        "`..base` takes a struct local here: load the element or call the function first (`let q = ps[i];`, then `..q`)",
                    );
                    ok = false;
                }
            }
        }
        for f in &lit.fields {
            let syn::Member::Named(name) = &f.member else {
                self.cx
                    .error(&f.member, "fields are named in a handler's struct literal");
                ok = false;
                continue;
            };
            let mut path = prefix.to_vec();
            path.push(crate::sig::ident_name(name));
            // Values take the field's type (known when `handler()` runs),
            // so unsuffixed literals are typed by it.
            let ty = self.field_type_of(top, &path);
            match strip_parens(&f.expr) {
                syn::Expr::Struct(inner) => ok &= self.literal_fields(top, inner, &path, out),
                e if self.struct_of(e).is_some() => {
                    if let Some(q) = self.struct_of(e) {
                        out.push((path, LeafInit::Local(q)));
                    }
                }
                e if self.struct_element(e).is_some() || self.struct_row(e).is_some() => {
                    self.cx.error(e, "a nested struct field takes a struct local here: load the element first (`let q = buf[i];`)");
                    ok = false;
                }
                syn::Expr::Repeat(r) => {
                    let v = self.expr(&r.expr);
                    self.expect(&v, ty, "struct field");
                    out.push((path, LeafInit::Repeat(v)));
                }
                syn::Expr::Array(a) => {
                    let vs: Vec<Expr> = a.elems.iter().map(|e| self.expr(e)).collect();
                    for v in &vs {
                        self.expect(v, ty, "struct field");
                    }
                    out.push((path, LeafInit::List(vs)));
                }
                other => {
                    let v = self.expr(other);
                    self.expect(&v, ty, "struct field");
                    out.push((path, LeafInit::Value(v)));
                }
            }
        }
        ok
    }

    /// `let [mut] name = <struct value>;`: true when `init` is one (handled
    /// or reported), false when it is not a struct value.
    pub(super) fn let_struct(
        &mut self,
        name: Option<String>,
        mutable: bool,
        annotation: Option<&syn::Type>,
        init: &syn::Expr,
        out: &mut Vec<Stmt>,
    ) -> bool {
        let parts = match self.struct_init(init) {
            Some(parts) => parts.map(|(ty, init)| (ty, self.count_of(&init), init)),
            None => match self.struct_array_init(annotation, init, out) {
                Some(parts) => parts,
                None => match annotation.and_then(|t| self.nested_init(t, init, out)) {
                    Some((ty, init)) => Some((ty, None, init)),
                    None => return false,
                },
            },
        };
        let Some(name) = name else {
            self.cx
                .error(init, "bind a struct value to a name (`let p = …;`)");
            return true;
        };
        let Some((ty, count, init)) = parts else {
            self.bind(&name, Binding::Poisoned);
            return true;
        };
        self.structs.push(StructInfo {
            name: name.clone(),
            ty,
            mutable,
            count,
        });
        let s = self.structs.len() - 1;
        out.push(Stmt::LetStruct(s, init));
        self.bind(&name, Binding::Struct(s));
        true
    }

    /// The length of the array of structs `init` makes: a copy of one has
    /// its length; every other initialiser here makes one struct.
    fn count_of(&self, init: &StructInit) -> Option<proc_macro2::TokenStream> {
        match init {
            StructInit::Copy(q) => self.structs.get(*q).and_then(|i| i.count.clone()),
            _ => None,
        }
    }

    /// `[p; N]` and `[p, q, r]` of struct values (or, annotated `[T; N]`
    /// with a struct `T`, of `#[device]` calls returning one): the element
    /// type, the length and the initialiser. `None` when `init` is no
    /// array of structs, `Some(None)` when it is one that was reported.
    #[allow(clippy::type_complexity)]
    fn struct_array_init(
        &mut self,
        annotation: Option<&syn::Type>,
        init: &syn::Expr,
        out: &mut Vec<Stmt>,
    ) -> Option<Option<(syn::Type, Option<proc_macro2::TokenStream>, StructInit)>> {
        let annotated = match annotation {
            Some(syn::Type::Array(a))
                if crate::sig::scalar_of(&a.elem).is_none()
                    && matches!(&*a.elem, syn::Type::Path(_)) =>
            {
                Some((*a.elem).clone())
            }
            _ => None,
        };
        let first = match strip_parens(init) {
            syn::Expr::Repeat(r) => &*r.expr,
            syn::Expr::Array(a) => a.elems.first()?,
            _ => return None,
        };
        if annotated.is_none() && !self.is_struct_value(first) {
            if self.struct_array_of(first).is_some() {
                self.cx.error(first, "an array of arrays of structs is not supported: use one array of structs, indexed `i * n + j`");
                return Some(None);
            }
            return None;
        }
        let element = |l: &mut Self, e: &syn::Expr, out: &mut Vec<Stmt>| match &annotated {
            Some(ty) => l.struct_source_as(e, ty, out),
            None => l.struct_source(e, out),
        };
        match strip_parens(init) {
            syn::Expr::Repeat(r) => {
                let len = self.array_length(&r.len);
                let q = match element(self, &r.expr, out) {
                    Some(Some(q)) => q,
                    Some(None) => return Some(None),
                    None => {
                        self.cx.error(&r.expr, "an array of structs repeats a struct value: a struct local, a struct buffer's element, a struct literal or another array's element");
                        return Some(None);
                    }
                };
                let ty = self.structs.get(q).map(|i| i.ty.clone())?;
                Some(len.map(|len| (ty, Some(len), StructInit::Repeat(q))))
            }
            syn::Expr::Array(a) => {
                let max = vyre_lang::limits::MAX_ARRAY_LEN;
                let n = a.elems.len();
                if n > max as usize {
                    self.cx.error(a, format!("{n} elements: a local array has 1 to {max} (it lives in each lane's private memory); use a buffer for more"));
                    return Some(None);
                }
                let mut qs = Vec::with_capacity(n);
                for e in &a.elems {
                    match element(self, e, out) {
                        Some(Some(q)) => qs.push(q),
                        Some(None) => return Some(None),
                        None => {
                            self.cx.error(e, "every element of an array of structs is a struct value: a struct local, a struct buffer's element, a struct literal or another array's element");
                            return Some(None);
                        }
                    }
                }
                let ty = qs
                    .first()
                    .and_then(|q| self.structs.get(*q))
                    .map(|i| i.ty.clone())?;
                let n = syn::LitInt::new(&format!("{n}u32"), a.span());
                Some(Some((ty, Some(quote::quote!(#n)), StructInit::List(qs))))
            }
            _ => None,
        }
    }

    /// `let q: Inner = p.inner;` / `= ps[i].inner;`: a nested struct read
    /// into a new local, when the annotation names a user type (the macro
    /// cannot tell a nested struct from a scalar field without it).
    fn nested_init(
        &mut self,
        ty: &syn::Type,
        init: &syn::Expr,
        out: &mut Vec<Stmt>,
    ) -> Option<(syn::Type, StructInit)> {
        if crate::sig::scalar_of(ty).is_some() || !matches!(ty, syn::Type::Path(_)) {
            return None;
        }
        if let Some(call) = self.struct_call(init, out) {
            return Some((ty.clone(), StructInit::Call(call)));
        }
        if let Some(mut p) = self.local_place(init) {
            // `let q: Inner = p.all[j];`: the annotation says it is a
            // whole element of an array of structs.
            p.as_view();
            let r = self.struct_ref_of(p.s, &p.steps);
            return Some((ty.clone(), StructInit::LocalField(r, p.path)));
        }
        let (base, index, path) = super::field::nested_place(init)?;
        let (buf, info) = self.buffer_of(base)?;
        let parent = info.structure?;
        let i = self.expr(index);
        self.expect(&i, Ty::S(ScalarType::U32), "buffer index");
        Some((
            ty.clone(),
            StructInit::BufferField(buf, Box::new(parent), i, path),
        ))
    }

    /// `e` as a struct local: itself, or a temporary initialised from the
    /// struct value `e` is. `None` when `e` is no struct value, `Some(None)`
    /// when it is one that has been reported.
    fn struct_source(&mut self, e: &syn::Expr, out: &mut Vec<Stmt>) -> Option<Option<StructIdx>> {
        if let Some(q) = self.struct_of(e) {
            return Some(Some(q));
        }
        let init = self.struct_init(e)?;
        Some(init.map(|(ty, init)| self.temp_struct(ty, init, out)))
    }

    /// `f(…)`, a call of a `#[device]` function, as the struct it returns
    /// (the caller knows it is one from the type it expects; the call
    /// fails when `handler()` runs if `f` returns none).
    fn struct_call(&mut self, e: &syn::Expr, out: &mut Vec<Stmt>) -> Option<Box<DeviceCall>> {
        let syn::Expr::Call(c) = strip_parens(e) else {
            return None;
        };
        match self.call(c, true).kind {
            ExprKind::Device(d) => Some(d),
            // Struct arguments loaded from buffers first (`f(ps[i])`).
            ExprKind::Block(b) => match b.tail.map(|t| t.kind) {
                Some(ExprKind::Device(d)) => {
                    out.extend(b.stmts);
                    Some(d)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// `e` as a struct local of type `ty`: what [`Self::struct_source`]
    /// takes, or a `#[device]` call returning a `ty`. `None` after
    /// reporting what it is not.
    fn struct_source_as(
        &mut self,
        e: &syn::Expr,
        ty: &syn::Type,
        out: &mut Vec<Stmt>,
    ) -> Option<Option<StructIdx>> {
        if let Some(found) = self.struct_source(e, out) {
            return Some(found);
        }
        let call = self.struct_call(e, out)?;
        Some(Some(self.temp_struct(
            ty.clone(),
            StructInit::Call(call),
            out,
        )))
    }

    /// `return value;` in a `#[device]` function returning a struct into
    /// its result local `ret`: the copy, then the return.
    pub(super) fn return_struct(&mut self, ret: StructIdx, value: &syn::Expr) -> Stmt {
        let mut out = Vec::new();
        let ty = self.structs.get(ret).map(|i| i.ty.clone());
        let source = match &ty {
            Some(ty) => self.struct_source_as(value, ty, &mut out),
            None => None,
        };
        match source {
            Some(Some(q)) => out.push(Stmt::AssignStruct(
                StructRef::whole(ret),
                Vec::new(),
                StructRef::whole(q),
                Vec::new(),
            )),
            Some(None) => {}
            None => self.cx.error(value, "a #[device] function returning a struct returns a struct local, a struct buffer's element, a struct literal or a #[device] call that returns one"),
        }
        out.push(Stmt::Return(None));
        Stmt::Block(Block {
            stmts: out,
            tail: None,
        })
    }

    /// A temporary struct local initialised from `init`.
    pub(super) fn temp_struct(
        &mut self,
        ty: syn::Type,
        init: StructInit,
        out: &mut Vec<Stmt>,
    ) -> StructIdx {
        let count = self.count_of(&init);
        self.structs.push(StructInfo {
            name: "tmp".into(),
            ty,
            mutable: false,
            count,
        });
        let q = self.structs.len() - 1;
        out.push(Stmt::LetStruct(q, init));
        q
    }

    /// A field chain rooted at a struct local: the local, the views
    /// through arrays of structs (`a[i]`, `.all[j]` followed by a field),
    /// the field names after them, the index into the last field.
    fn local_place<'e>(&self, e: &'e syn::Expr) -> Option<LocalPlace<'e>> {
        match strip_parens(e) {
            syn::Expr::Index(ix) => {
                if let Some(a) = self.struct_array_of(&ix.expr) {
                    return Some(LocalPlace {
                        s: a,
                        steps: vec![(Vec::new(), &*ix.index)],
                        path: Vec::new(),
                        element: None,
                    });
                }
                let mut p = self.local_place(&ix.expr)?;
                if p.element.is_some() || p.path.is_empty() {
                    return None;
                }
                p.element = Some(&*ix.index);
                Some(p)
            }
            syn::Expr::Field(f) => {
                let syn::Member::Named(name) = &f.member else {
                    return None;
                };
                let name = crate::sig::ident_name(name);
                if let Some(s) = self.struct_of(&f.base) {
                    return Some(LocalPlace {
                        s,
                        steps: Vec::new(),
                        path: vec![name],
                        element: None,
                    });
                }
                let mut p = self.local_place(&f.base)?;
                // `….all[j].id`: the index was into an array of structs.
                p.as_view();
                p.path.push(name);
                Some(p)
            }
            _ => None,
        }
    }

    /// The reference to struct local `s` through the views `steps`.
    fn struct_ref_of(&mut self, s: StructIdx, steps: &[(Vec<String>, &syn::Expr)]) -> StructRef {
        StructRef {
            s,
            steps: steps
                .iter()
                .map(|(prefix, j)| (prefix.clone(), Box::new(self.array_index(j))))
                .collect(),
        }
    }

    /// `p.a.b` / `p.a.b[j]` of a struct local (or `a[i].b` of an array of
    /// them) as a value, when `e` is one.
    pub(super) fn struct_get(&mut self, e: &syn::Expr) -> Option<Expr> {
        let LocalPlace {
            s,
            steps,
            path,
            element,
        } = self.local_place(e)?;
        if path.is_empty() {
            let name = self
                .structs
                .get(s)
                .map(|i| i.name.clone())
                .unwrap_or_default();
            return Some(self.reject(e, format!("`{name}[…]` is a struct: read its fields (`{name}[j].field`), copy it (`let q = {name}[j];`) or store it (`buf[i] = {name}[j];`)")));
        }
        let ty = self.struct_field_type(s, &full_path(&steps, &path));
        let r = self.struct_ref_of(s, &steps);
        let element = element.map(|j| Box::new(self.array_index(j)));
        Some(self.mk(ExprKind::StructGet(r, path, element), ty, e.span()))
    }

    /// The type of field `path` of struct local `s`: known when
    /// `handler()` runs.
    fn struct_field_type(&mut self, s: StructIdx, path: &[String]) -> Ty {
        let Some(t) = self.structs.get(s).map(|i| i.ty.clone()) else {
            return Ty::Err;
        };
        self.field_type_of(&t, path)
    }

    /// The type of field `path` of struct type `t`: known when `handler()`
    /// runs.
    fn field_type_of(&mut self, t: &syn::Type, path: &[String]) -> Ty {
        self.types.dynamic(quote::quote!(
            ::vyre::host::__private::field_type(<#t as ::vyre::Element>::LAYOUT, &[#(#path),*])
        ))
    }

    /// `p.a.b = right` (or `op=`) on a struct local: true when `left` is
    /// rooted at one.
    pub(super) fn struct_set(
        &mut self,
        left: &syn::Expr,
        right: &syn::Expr,
        op: Option<BinOp>,
        out: &mut Vec<Stmt>,
    ) -> bool {
        let Some(mut place) = self.local_place(left) else {
            return false;
        };
        // `p.all[j] = q`: an element of an array of structs, whole.
        if op.is_none() && place.element.is_some() && self.is_struct_value(right) {
            place.as_view();
        }
        // `p.a[j] = q.b[k]`: scalars or structs, known when `handler()`
        // runs.
        if let (None, Some(j), Some(src)) = (op, place.element, self.local_place(right)) {
            if let Some(k) = src.element {
                if !self.structs.get(place.s).is_some_and(|i| i.mutable) {
                    self.cx
                        .soft("assignment to a field of an immutable struct local");
                    return true;
                }
                let dst = self.struct_ref_of(place.s, &place.steps);
                let j = self.array_index(j);
                let from = src.path.clone();
                let src_ref = self.struct_ref_of(src.s, &src.steps);
                let k = self.array_index(k);
                out.push(Stmt::AssignElement(dst, place.path, j, src_ref, from, k));
                return true;
            }
        }
        let LocalPlace {
            s,
            steps,
            path,
            element,
        } = place;
        // `p.a = q`: a nested struct, from a struct value.
        if op.is_none() && element.is_none() {
            match self.struct_source(right, out) {
                Some(Some(q)) => {
                    let dst = self.struct_ref_of(s, &steps);
                    out.push(Stmt::AssignStruct(
                        dst,
                        path,
                        StructRef::whole(q),
                        Vec::new(),
                    ));
                    return true;
                }
                Some(None) => return true,
                None => {}
            }
            // `p.a = q.b`: a scalar, an array or a nested struct, resolved
            // when `handler()` runs.
            if let Some(src) = self.local_place(right).filter(|p| p.element.is_none()) {
                if !self.structs.get(s).is_some_and(|i| i.mutable) {
                    self.cx
                        .soft("assignment to a field of an immutable struct local");
                    return true;
                }
                let dst = self.struct_ref_of(s, &steps);
                let from = src.path.clone();
                let src = self.struct_ref_of(src.s, &src.steps);
                out.push(Stmt::AssignStruct(dst, path, src, from));
                return true;
            }
        }
        if !self.structs.get(s).is_some_and(|i| i.mutable) {
            // rustc reports the assignment to an immutable binding.
            self.cx
                .soft("assignment to a field of an immutable struct local");
            return true;
        }
        let ty = self.struct_field_type(s, &full_path(&steps, &path));
        let dst = self.struct_ref_of(s, &steps);
        let element = element.map(|j| self.array_index(j));
        let value = self.expr(right);
        if !op.is_some_and(BinOp::is_shift) {
            self.expect(&value, ty, "stored value");
        }
        out.push(Stmt::StructSet(dst, path, element, op, value));
        true
    }

    /// `p = q`, `p = buf[i]` (into a struct local), `a[j] = q` (into an
    /// element of a local array of structs) and `buf[i] = p`,
    /// `buf[i] = buf[j]` (into a struct buffer): true when `left` is a
    /// whole struct.
    pub(super) fn assign_struct(
        &mut self,
        left: &syn::Expr,
        right: &syn::Expr,
        out: &mut Vec<Stmt>,
    ) -> bool {
        let target = match self.struct_row(left) {
            Some((a, j)) => Some((a, Some(j))),
            None => self.struct_of(left).map(|p| (p, None)),
        };
        let element = self.struct_element(left).map(|(b, _, i)| (b, i));
        if target.is_none() && element.is_none() {
            return false;
        }
        let target_ty = match (target, &element) {
            (Some((p, _)), _) => self.structs.get(p).map(|i| i.ty.clone()),
            (None, Some((b, _))) => self.bufs.get(*b).and_then(|b| b.structure.clone()),
            (None, None) => None,
        };
        let source = match &target_ty {
            Some(ty) => self.struct_source_as(right, ty, out),
            None => self.struct_source(right, out),
        };
        let Some(source) = source else {
            // A use of a name whose `let` was reported is not reported again.
            if !self.poisoned(super::field::root(right)) {
                self.cx.error(right, "a whole struct is assigned from a struct local, a struct buffer's element, a struct literal or a #[device] call that returns one");
            }
            return true;
        };
        let Some(q) = source else {
            return true;
        };
        match (target, element) {
            (Some((p, row)), _) => {
                if !self.structs.get(p).is_some_and(|i| i.mutable) {
                    self.cx.soft("assignment to an immutable struct local");
                    return true;
                }
                let dst = match row {
                    Some(j) => self.row_ref(p, j),
                    None => StructRef::whole(p),
                };
                out.push(Stmt::AssignStruct(
                    dst,
                    Vec::new(),
                    StructRef::whole(q),
                    Vec::new(),
                ));
            }
            (None, Some((buf, index))) => {
                if self
                    .bufs
                    .get(buf)
                    .is_some_and(|b| b.access != Access::ReadWrite)
                {
                    let name = self
                        .bufs
                        .get(buf)
                        .map(|b| b.name.clone())
                        .unwrap_or_default();
                    self.cx.error(left, format!("`{name}` is read-only (`&Buffer<…>`): take it as `&mut Buffer<…>` to store into it"));
                    return true;
                }
                let i = self.expr(index);
                self.expect(&i, Ty::S(ScalarType::U32), "buffer index");
                out.push(Stmt::StoreStruct(buf, i, q));
            }
            (None, None) => {}
        }
        true
    }
}

/// A place rooted at a struct local, as written: see
/// [`Lowerer::local_place`].
struct LocalPlace<'e> {
    s: StructIdx,
    steps: Vec<(Vec<String>, &'e syn::Expr)>,
    path: Vec<String>,
    element: Option<&'e syn::Expr>,
}

impl LocalPlace<'_> {
    /// Takes the index into the last field as an index into an array of
    /// structs: a view, whose path starts afresh.
    fn as_view(&mut self) {
        if let Some(j) = self.element.take() {
            self.steps.push((std::mem::take(&mut self.path), j));
        }
    }
}

/// The path from the struct local's own type through every view's field
/// path to `path` (for the field's type, which the layout of the local's
/// type gives through its arrays of structs).
fn full_path(steps: &[(Vec<String>, &syn::Expr)], path: &[String]) -> Vec<String> {
    steps
        .iter()
        .flat_map(|(prefix, _)| prefix.iter().cloned())
        .chain(path.iter().cloned())
        .collect()
}
