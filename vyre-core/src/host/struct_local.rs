//! Struct locals of a handler (`let mut p = ps[i];`), as `#[opcode]`'s
//! generated code builds them when `handler()` runs: the IR has no struct
//! values, so a struct local is one IR local per scalar field (nested
//! fields flattened: `p.best.id`) and one local array per array field.
//! The layout is known only then (another derive defines it), so the
//! leaves are allocated here, at the end of the handler's local table.
//!
//! Arrays of structs flatten the same way: a local array of structs (`let
//! mut a = [p; 4];`) and a field that is one (`all: [Inner; 3]`) are
//! *dimensions* of every leaf under them, each leaf one local array
//! holding that leaf of every element, outermost dimension first
//! (`a[j].pos[k]` is element `j * 2 + k` of the `pos` leaf; `j` and `k`
//! are each checked on their own, so a fault names the subscript Rust's
//! would). `a[j]` and `p.all[j]` are *views* ([`StructLocal::view`]): the
//! same leaves with that dimension bound, which every operation takes like
//! a struct local.

use super::inliner::Inliner;
use crate::ir::{
    ArrayInit, BinOp, BufferId, Expr, FieldRef, HandlerError, Literal, LocalDecl, LocalId, Stmt,
};
use vyre_lang::{Layout, ScalarType, StructLayout};

/// One array dimension of a leaf: the local array of structs itself, or
/// an array-of-structs field its path goes through.
#[derive(Debug, Clone)]
struct Dim {
    count: u32,
    /// Words between consecutive elements in a buffer's layout.
    stride: u32,
    /// Segments of the leaf's path before the dimension applies: 0 for
    /// the local array itself, `k + 1` for the array field at segment `k`.
    after: usize,
    /// The index a view chose (a local or a literal: each access reads
    /// it once).
    bound: Option<Expr>,
}

/// One scalar field, or array field of scalars, of a struct local.
#[derive(Debug, Clone)]
struct Leaf {
    /// `["best", "id"]`, from the struct this value is.
    path: Vec<&'static str>,
    /// Word offset of the leaf in this value's struct (element 0 of every
    /// dimension not bound).
    word: u32,
    ty: ScalarType,
    /// The array field's length.
    len: Option<u32>,
    local: LocalId,
    dims: Vec<Dim>,
}

/// Where one scalar of a leaf lives.
enum Place {
    /// A scalar local.
    Local(LocalId),
    /// An element of a local array.
    Element(LocalId, Expr),
}

impl Place {
    fn read(self) -> Expr {
        match self {
            Place::Local(l) => Expr::Local(l),
            Place::Element(array, index) => Expr::Index {
                array,
                index: Box::new(index),
            },
        }
    }

    fn write(self, value: Expr) -> Stmt {
        match self {
            Place::Local(local) => Stmt::Assign { local, value },
            Place::Element(array, index) => Stmt::StoreIndex {
                array,
                index,
                value,
            },
        }
    }
}

/// `index` checked against `len`, unless it is a literal inside it.
fn checked(index: Expr, len: u32) -> Expr {
    match index {
        Expr::Lit(Literal::U32(k)) if k < len => index,
        index => Expr::CheckIndex {
            index: Box::new(index),
            len,
        },
    }
}

fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr::Binary {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    }
}

impl Leaf {
    /// The dimensions no view has bound.
    fn free(&self) -> impl Iterator<Item = &Dim> {
        self.dims.iter().filter(|d| d.bound.is_none())
    }

    /// How many scalars this value holds of the leaf: one (`None`), or an
    /// array's worth (every free dimension's elements times the array
    /// field's length).
    fn shape(&self) -> Option<u32> {
        let free: u32 = self.free().fold(1u32, |n, d| n.saturating_mul(d.count));
        if self.free().next().is_none() {
            self.len
        } else {
            Some(free.saturating_mul(self.len.unwrap_or(1)))
        }
    }

    /// The values the leaf's local holds (every dimension).
    fn total(&self) -> Option<u32> {
        if self.dims.is_empty() {
            return self.len;
        }
        let n = self
            .dims
            .iter()
            .fold(1u32, |n, d| n.saturating_mul(d.count));
        Some(n.saturating_mul(self.len.unwrap_or(1)))
    }

    /// Scalar `k` of this value's shape split into one index per free
    /// dimension and the array field's element.
    fn split(&self, k: u32) -> (Vec<u32>, u32) {
        let mut rest = k;
        let element = match self.len {
            Some(n) => {
                let e = rest % n.max(1);
                rest /= n.max(1);
                e
            }
            None => 0,
        };
        let counts: Vec<u32> = self.free().map(|d| d.count.max(1)).collect();
        let mut idx = vec![0; counts.len()];
        for (i, c) in counts.iter().enumerate().rev() {
            idx[i] = rest % c;
            rest /= c;
        }
        (idx, element)
    }

    /// Where scalar `k` is: a literal over this value's shape (whole
    /// copies) or, when every dimension is bound, the array field's
    /// element (any `u32` expression).
    fn place(&self, k: Option<Expr>) -> Place {
        if self.dims.is_empty() {
            return match k {
                None => Place::Local(self.local),
                Some(e) => Place::Element(self.local, e),
            };
        }
        let literal = match &k {
            Some(Expr::Lit(Literal::U32(v))) if self.free().next().is_some() => Some(*v),
            _ => None,
        };
        let (mut free_idx, element) = match literal {
            Some(v) => {
                let (idx, e) = self.split(v);
                (idx.into_iter(), Some(Expr::lit(e)))
            }
            None => (Vec::new().into_iter(), k),
        };
        let mut subscripts: Vec<(Expr, u32)> = self
            .dims
            .iter()
            .map(|d| {
                let index = match &d.bound {
                    Some(b) => b.clone(),
                    None => Expr::lit(free_idx.next().unwrap_or(0)),
                };
                (index, d.count)
            })
            .collect();
        if let Some(n) = self.len {
            subscripts.push((element.unwrap_or(Expr::lit(0u32)), n));
        }
        // One subscript over the whole local: the `Index`'s own check
        // names it.
        if subscripts.len() == 1 {
            let (index, _) = subscripts.remove(0);
            return Place::Element(self.local, index);
        }
        let mut flat: Option<Expr> = None;
        for (index, count) in subscripts {
            let index = checked(index, count);
            flat = Some(match flat {
                None => index,
                Some(acc) => binary(BinOp::Add, binary(BinOp::Mul, acc, Expr::lit(count)), index),
            });
        }
        Place::Element(self.local, flat.unwrap_or(Expr::lit(0u32)))
    }

    /// Scalar `k` of the leaf as a value.
    fn value(&self, k: Option<u32>) -> Expr {
        self.place(k.map(Expr::lit)).read()
    }

    /// The buffer word of scalar `k` (a literal over the shape) in this
    /// value's struct, and its element in the array field.
    fn word_of(&self, k: u32) -> (u32, u32) {
        let (idx, element) = self.split(k);
        let mut word = self.word;
        for (i, d) in idx.iter().zip(self.free()) {
            word += i * d.stride;
        }
        (word, element)
    }
}

/// A struct local, a local array of structs, or a view of one element or
/// nested struct of either: its leaves, in layout order.
#[derive(Debug, Clone)]
pub struct StructLocal {
    name: String,
    layout: &'static StructLayout,
    leaves: Vec<Leaf>,
}

/// The leaves of `layout` (word offsets from `base`, under the arrays of
/// structs `dims` of the enclosing path).
fn leaves(
    layout: &'static StructLayout,
    base: u32,
    prefix: &[&'static str],
    dims: &[Dim],
    out: &mut Vec<Leaf>,
) {
    for f in layout.fields {
        let mut path = prefix.to_vec();
        path.push(f.name);
        match (f.ty, f.len) {
            (Layout::Scalar(ty), len) => out.push(Leaf {
                path,
                word: base + f.word,
                ty,
                len,
                // Set when the leaf is declared.
                local: LocalId(0),
                dims: dims.to_vec(),
            }),
            (Layout::Struct(inner), None) => leaves(inner, base + f.word, &path, dims, out),
            (Layout::Struct(inner), Some(n)) => {
                let mut inner_dims = dims.to_vec();
                inner_dims.push(Dim {
                    count: n,
                    stride: inner.words,
                    after: path.len(),
                    bound: None,
                });
                leaves(inner, base + f.word, &path, &inner_dims, out);
            }
        }
    }
}

impl StructLocal {
    /// Declares the leaves of a struct local `name` of `layout` in `cx`
    /// (mutable or not); no statement yet (the initialiser declares them).
    pub fn new(
        cx: &mut Inliner,
        name: &str,
        layout: Layout,
        mutable: bool,
    ) -> Result<Self, HandlerError> {
        Self::declare_leaves(cx, name, layout, None, mutable)
    }

    /// Declares the leaves of a local array of `count` structs of
    /// `layout` (`let a = [p; 4];`); no statement yet.
    pub fn new_array(
        cx: &mut Inliner,
        name: &str,
        layout: Layout,
        count: u32,
        mutable: bool,
    ) -> Result<Self, HandlerError> {
        Self::declare_leaves(cx, name, layout, Some(count), mutable)
    }

    fn declare_leaves(
        cx: &mut Inliner,
        name: &str,
        layout: Layout,
        count: Option<u32>,
        mutable: bool,
    ) -> Result<Self, HandlerError> {
        let Layout::Struct(s) = layout else {
            return Err(HandlerError::StructField {
                structure: layout.name().to_string(),
                path: name.to_string(),
                problem: "is not a struct".into(),
            });
        };
        let outer: Vec<Dim> = count
            .map(|n| Dim {
                count: n,
                stride: s.words,
                after: 0,
                bound: None,
            })
            .into_iter()
            .collect();
        let mut found = Vec::new();
        leaves(s, 0, &[], &outer, &mut found);
        let max = vyre_lang::limits::MAX_ARRAY_LEN;
        let mut out = Vec::with_capacity(found.len());
        for mut leaf in found {
            let total = leaf.total();
            if let Some(t) = total {
                if t == 0 || t > max {
                    return Err(HandlerError::StructField {
                        structure: s.name.to_string(),
                        path: format!("{name}.{}", leaf.path.join(".")),
                        problem: format!(
                            "its arrays of structs hold {t} values of this field; a local array holds 1 to {max} (it lives in each lane's private memory): use fewer elements or a buffer"
                        ),
                    });
                }
            }
            leaf.local = LocalId(cx.locals.len() as u32);
            cx.locals.push(LocalDecl {
                array: total,
                ..LocalDecl::scalar(format!("{name}_{}", leaf.path.join("_")), leaf.ty, mutable)
            });
            out.push(leaf);
        }
        Ok(StructLocal {
            name: name.to_string(),
            layout: s,
            leaves: out,
        })
    }

    /// The free dimension at the top of this value: a whole local array of
    /// structs has one (its length).
    fn outer(&self) -> Option<u32> {
        let l = self.leaves.first()?;
        l.free().find(|d| d.after == 0).map(|d| d.count)
    }

    /// Element `index` of a local array of structs (`a[j]`).
    pub fn row(&self, index: Expr) -> Result<StructLocal, HandlerError> {
        self.view(&[], vec![index])
    }

    /// The nested struct at field `prefix` (`p.inner`), through the arrays
    /// of structs it crosses — the local array itself first, then each
    /// array field on the path — at `indices` (`a[i].all[j]`: `view(&[],
    /// [i])`, then `view(&["all"], [j])`). Each index is used once per
    /// leaf accessed: pass a local or a literal.
    pub fn view(&self, prefix: &[&str], indices: Vec<Expr>) -> Result<StructLocal, HandlerError> {
        // The nested struct's layout and word.
        let mut layout = self.layout;
        let mut base = 0u32;
        for name in prefix {
            let f = layout.field(name).ok_or_else(|| self.no_field(prefix))?;
            let Layout::Struct(inner) = f.ty else {
                return Err(HandlerError::StructField {
                    structure: self.layout.name.to_string(),
                    path: format!("{}.{}", self.name, prefix.join(".")),
                    problem: "is a scalar field, not a struct".into(),
                });
            };
            base += f.word;
            layout = inner;
        }
        let depth = prefix.len();
        let mut leaves = Vec::new();
        for l in self.leaves.iter().filter(|l| l.path.starts_with(prefix)) {
            let mut l = l.clone();
            let mut given = indices.iter();
            for d in l.dims.iter_mut().filter(|d| d.bound.is_none()) {
                if d.after <= depth {
                    let Some(index) = given.next() else {
                        return Err(self.not_indexed(prefix));
                    };
                    d.bound = Some(index.clone());
                } else {
                    d.after -= depth;
                }
            }
            if given.next().is_some() {
                return Err(self.not_array(prefix));
            }
            l.path.drain(..depth);
            l.word -= base;
            leaves.push(l);
        }
        if leaves.is_empty() {
            return Err(self.no_field(prefix));
        }
        Ok(StructLocal {
            name: if prefix.is_empty() {
                format!("{}[..]", self.name)
            } else {
                format!("{}.{}", self.name, prefix.join("."))
            },
            layout,
            leaves,
        })
    }

    fn no_field(&self, path: &[&str]) -> HandlerError {
        HandlerError::StructField {
            structure: self.layout.name.to_string(),
            path: format!("{}.{}", self.name, path.join(".")),
            problem: "names no field".into(),
        }
    }

    fn not_array(&self, path: &[&str]) -> HandlerError {
        HandlerError::StructField {
            structure: self.layout.name.to_string(),
            path: format!("{}.{}", self.name, path.join(".")),
            problem: "is not an array of structs, so it has no elements to index".into(),
        }
    }

    fn not_indexed(&self, path: &[&str]) -> HandlerError {
        HandlerError::StructField {
            structure: self.layout.name.to_string(),
            path: format!("{}.{}", self.name, path.join(".")),
            problem: "is an array of structs (or in one): index it first (`a[j].field`, `p.all[j].field`)".into(),
        }
    }

    fn leaf(&self, path: &[&str]) -> Result<&Leaf, HandlerError> {
        self.leaves
            .iter()
            .find(|l| l.path == path)
            .ok_or_else(|| HandlerError::StructField {
                structure: self.layout.name.to_string(),
                path: format!("{}.{}", self.name, path.join(".")),
                problem: "names no scalar or array field; a nested struct is read into a local with its type (`let q: Inner = p.inner;`)".into(),
            })
    }

    /// The declaration of leaf `l` with the value `at(None)` (a scalar) or
    /// elements `at(Some(k))` (an array, as this value's shape counts).
    fn declare(l: &Leaf, at: impl Fn(Option<u32>) -> Expr) -> Stmt {
        match l.shape() {
            None => Stmt::Let {
                local: l.local,
                value: at(None),
            },
            Some(n) => Stmt::LetArray {
                array: l.local,
                init: ArrayInit::List((0..n).map(|k| at(Some(k))).collect()),
            },
        }
    }

    /// Leaf `l` = leaf `s` of another value of the same shape: an
    /// assignment, or a store per element.
    fn assign_leaf(l: &Leaf, s: &Leaf, out: &mut Vec<Stmt>) {
        match l.shape() {
            None => out.push(l.place(None).write(s.value(None))),
            Some(n) => {
                out.extend((0..n).map(|k| l.place(Some(Expr::lit(k))).write(s.value(Some(k)))))
            }
        }
    }

    /// Declares every leaf with the values of element `index` of struct
    /// buffer `buffer` (`index` is evaluated once per leaf: pass a local or
    /// a literal).
    pub fn load(&self, buffer: BufferId, index: &Expr) -> Vec<Stmt> {
        self.load_at(buffer, index, 0)
    }

    /// Declares every leaf from the nested struct at word `base` of element
    /// `index` of struct buffer `buffer` (`let q: Inner = ps[i].inner;`).
    pub fn load_at(&self, buffer: BufferId, index: &Expr, base: u32) -> Vec<Stmt> {
        self.leaves
            .iter()
            .map(|l| {
                let load = |k: Option<u32>| {
                    let (word, element) = l.word_of(k.unwrap_or(0));
                    Expr::LoadField {
                        buffer,
                        index: Box::new(index.clone()),
                        field: field_at(base + word, l, element),
                    }
                };
                Self::declare(l, load)
            })
            .collect()
    }

    /// Declares every leaf as zero (a `#[device]` function's struct result
    /// before its `return`).
    pub fn zeroed(&self) -> Vec<Stmt> {
        self.leaves
            .iter()
            .map(|l| Self::declare(l, |_| Expr::Lit(Literal::from_words(l.ty, [0, 0]))))
            .collect()
    }

    /// Declares every leaf with the value of the same leaf of `source`
    /// (same layout and shape).
    pub fn copy_of(&self, source: &StructLocal) -> Vec<Stmt> {
        self.leaves
            .iter()
            .zip(&source.leaves)
            .map(|(l, s)| Self::declare(l, |k| s.value(k)))
            .collect()
    }

    /// Declares a local array of structs whose every element is `source`
    /// (`[p; N]`: a struct, or an element of another array).
    pub fn repeat(&self, source: &StructLocal) -> Vec<Stmt> {
        self.leaves
            .iter()
            .zip(&source.leaves)
            .map(|(l, s)| {
                // `l`'s shape is the array's length times `s`'s.
                let per = s.shape().unwrap_or(1).max(1);
                match s.shape() {
                    None => Stmt::LetArray {
                        array: l.local,
                        init: ArrayInit::Repeat(s.value(None)),
                    },
                    Some(_) => Self::declare(l, |k| s.value(k.map(|k| k % per))),
                }
            })
            .collect()
    }

    /// Declares a local array of structs from its elements in order
    /// (`[p, q, r]`; as many as the array's length).
    pub fn list(&self, sources: &[&StructLocal]) -> Result<Vec<Stmt>, HandlerError> {
        if self.outer() != Some(sources.len() as u32) {
            return Err(HandlerError::StructField {
                structure: self.layout.name.to_string(),
                path: self.name.clone(),
                problem: format!(
                    "an array of {:?} structs is given {} elements",
                    self.outer(),
                    sources.len()
                ),
            });
        }
        Ok(self
            .leaves
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let values = sources
                    .iter()
                    .flat_map(|src| {
                        let s = &src.leaves[i];
                        let n = s.shape();
                        (0..n.unwrap_or(1)).map(move |k| s.value(n.map(|_| k)))
                    })
                    .collect();
                Stmt::LetArray {
                    array: l.local,
                    init: ArrayInit::List(values),
                }
            })
            .collect())
    }

    /// Declares every leaf from the nested struct at field `prefix` of
    /// `source` (`let q: Inner = p.inner;`).
    pub fn copy_at(
        &self,
        source: &StructLocal,
        prefix: &[&str],
    ) -> Result<Vec<Stmt>, HandlerError> {
        let nested = source.view(prefix, Vec::new())?;
        Ok(self.copy_of(&nested))
    }

    /// Declares every leaf from a struct literal's fields (`values`: each
    /// leaf's path and its value; an array field's value is its elements).
    pub fn literal(
        &self,
        values: Vec<(Vec<&'static str>, FieldInit)>,
    ) -> Result<Vec<Stmt>, HandlerError> {
        let mut out = Vec::new();
        for l in &self.leaves {
            let listed = values
                .iter()
                .find(|(p, init)| *p == l.path && !matches!(init, FieldInit::Local(_)));
            // Not listed: from a struct given whole, the innermost one
            // holding the leaf (a nested field given as a local, or a
            // `..base`, whose prefix is the literal's own path).
            let nested = values
                .iter()
                .filter_map(|(p, init)| match init {
                    FieldInit::Local(src) if l.path.starts_with(p) => src
                        .leaves
                        .iter()
                        .find(|s| s.path == l.path[p.len()..])
                        .map(|s| (p.len(), s)),
                    _ => None,
                })
                .max_by_key(|(depth, _)| *depth)
                .map(|(_, s)| s);
            if let (None, Some(s)) = (listed, nested) {
                out.push(Self::declare(l, |k| s.value(k)));
                continue;
            }
            let Some((_, init)) = listed else {
                return Err(HandlerError::StructField {
                    structure: self.layout.name.to_string(),
                    path: format!("{}.{}", self.name, l.path.join(".")),
                    problem: "is missing from the struct literal".into(),
                });
            };
            out.push(match (l.len, init) {
                (None, FieldInit::Value(v)) => Stmt::Let {
                    local: l.local,
                    value: v.clone(),
                },
                (Some(_), FieldInit::Repeat(v)) => Stmt::LetArray {
                    array: l.local,
                    init: ArrayInit::Repeat(v.clone()),
                },
                (Some(_), FieldInit::List(vs)) => Stmt::LetArray {
                    array: l.local,
                    init: ArrayInit::List(vs.clone()),
                },
                _ => {
                    return Err(HandlerError::StructField {
                        structure: self.layout.name.to_string(),
                        path: format!("{}.{}", self.name, l.path.join(".")),
                        problem:
                            "an array field is initialised with an array, a scalar one with a value"
                                .into(),
                    })
                }
            });
        }
        Ok(out)
    }

    /// `self.a.b = source.c.d`: a scalar or array field, or a nested
    /// struct, from the field of the same shape of `source` (which fields
    /// these are is known only now: the same syntax assigns a scalar or a
    /// struct).
    pub fn assign_path(
        &self,
        dst: &[&str],
        source: &StructLocal,
        src: &[&str],
    ) -> Result<Vec<Stmt>, HandlerError> {
        if (self.outer().is_some() || source.outer().is_some())
            && (!dst.is_empty() || !src.is_empty())
        {
            return Err(self.not_indexed(dst));
        }
        let mut out = Vec::new();
        for l in self.leaves.iter().filter(|l| l.path.starts_with(dst)) {
            let rest = &l.path[dst.len()..];
            let Some(s) = source
                .leaves
                .iter()
                .find(|s| s.path.starts_with(src) && &s.path[src.len()..] == rest)
            else {
                return Err(self.shape_error(dst));
            };
            if l.shape() != s.shape() {
                return Err(self.not_indexed(dst));
            }
            Self::assign_leaf(l, s, &mut out);
        }
        if out.is_empty() {
            return Err(self.shape_error(dst));
        }
        Ok(out)
    }

    /// `self.a[j] = source.b[k]`: an element of a scalar array field, or a
    /// whole element of an array of structs (the same syntax; which one
    /// the layout says). `j` and `k` are locals or literals.
    pub fn assign_element(
        &self,
        dst: &[&str],
        j: Expr,
        source: &StructLocal,
        src: &[&str],
        k: Expr,
    ) -> Result<Vec<Stmt>, HandlerError> {
        if self.is_struct_array(dst) {
            let to = self.view(dst, vec![j])?;
            let from = source.view(src, vec![k])?;
            return to.assign_path(&[], &from, &[]);
        }
        let value = source.get(src, Some(k))?;
        Ok(vec![self.set(dst, Some(j), value)?])
    }

    /// Whether field `path` of this value's struct is an array of structs.
    fn is_struct_array(&self, path: &[&str]) -> bool {
        let mut layout = self.layout;
        for (i, name) in path.iter().enumerate() {
            let Some(f) = layout.field(name) else {
                return false;
            };
            match f.ty {
                Layout::Struct(_) if i + 1 == path.len() => return f.len.is_some(),
                Layout::Struct(inner) => layout = inner,
                Layout::Scalar(_) => return false,
            }
        }
        false
    }

    /// Stores every leaf into element `index` of struct buffer `buffer`.
    pub fn store(&self, buffer: BufferId, index: &Expr) -> Vec<Stmt> {
        let mut out = Vec::new();
        for l in &self.leaves {
            let n = l.shape();
            for k in 0..n.unwrap_or(1) {
                let (word, element) = l.word_of(k);
                out.push(Stmt::StoreField {
                    buffer,
                    index: index.clone(),
                    field: field_at(word, l, element),
                    value: l.value(n.map(|_| k)),
                });
            }
        }
        out
    }

    /// `p.a.b` (`element`: `p.a.b[j]`) as a value.
    pub fn get(&self, path: &[&str], element: Option<Expr>) -> Result<Expr, HandlerError> {
        let l = self.leaf(path)?;
        self.field_place(l, path, element).map(Place::read)
    }

    /// `p.a.b = value` (`element`: `p.a.b[j] = value`).
    pub fn set(
        &self,
        path: &[&str],
        element: Option<Expr>,
        value: Expr,
    ) -> Result<Stmt, HandlerError> {
        let l = self.leaf(path)?;
        Ok(self.field_place(l, path, element)?.write(value))
    }

    /// The place of field `path` (leaf `l`), element `element` of it when
    /// it is an array.
    fn field_place(
        &self,
        l: &Leaf,
        path: &[&str],
        element: Option<Expr>,
    ) -> Result<Place, HandlerError> {
        if l.free().next().is_some() {
            return Err(self.not_indexed(path));
        }
        match (l.len, &element) {
            (None, None) | (Some(_), Some(_)) => Ok(l.place(element)),
            _ => Err(self.shape_error(path)),
        }
    }

    fn shape_error(&self, path: &[&str]) -> HandlerError {
        HandlerError::StructField {
            structure: self.layout.name.to_string(),
            path: format!("{}.{}", self.name, path.join(".")),
            problem: "an array field is indexed (`p.a[j]`), a scalar field is not".into(),
        }
    }
}

/// The `FieldRef` of leaf `l`'s scalar at `word` (element `element` of an
/// array field).
fn field_at(word: u32, l: &Leaf, element: u32) -> FieldRef {
    match l.len {
        None => FieldRef::scalar(word, l.ty),
        Some(n) => FieldRef::element(word, l.ty, element, n),
    }
}

/// A struct literal's value for one leaf.
#[derive(Debug, Clone)]
pub enum FieldInit {
    /// A scalar field's value.
    Value(Expr),
    /// An array field's `[v; N]`.
    Repeat(Expr),
    /// An array field's `[a, b, …]`.
    List(Vec<Expr>),
    /// A nested struct field's value: another struct local (its leaves
    /// under the field's path); at the literal's own path, its `..base`.
    Local(StructLocal),
}
