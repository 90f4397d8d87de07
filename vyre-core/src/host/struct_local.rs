//! Struct locals of a handler (`let mut p = ps[i];`), as `#[opcode]`'s
//! generated code builds them when `handler()` runs: the IR has no struct
//! values, so a struct local is one IR local per scalar field (nested
//! fields flattened: `p.best.id`) and one local array per array field.
//! The layout is known only then (another derive defines it), so the
//! leaves are allocated here, at the end of the handler's local table.
//!
//! A local array of structs (`let mut a = [p; 4];`) is the same leaves,
//! each an array holding that leaf of every element: `a[j].id` is element
//! `j` of the `id` leaf, `a[j].pos[k]` element `j * 2 + k` of the `pos`
//! leaf (`j` and `k` each checked on its own, so a fault names the
//! subscript Rust's would). `a[j]` is a view of one element
//! ([`StructLocal::row`]) that every operation takes like a struct local.

use super::inliner::Inliner;
use crate::ir::{ArrayInit, BufferId, Expr, FieldRef, HandlerError, LocalDecl, LocalId, Stmt};
use vyre_lang::{Layout, ScalarType, StructLayout};

/// One scalar field, or array field of scalars, of a struct local.
#[derive(Debug, Clone)]
struct Leaf {
    /// `["best", "id"]`.
    path: Vec<&'static str>,
    /// Word offset in the struct (for loads and stores to buffers).
    word: u32,
    ty: ScalarType,
    len: Option<u32>,
    local: LocalId,
}

/// A struct local, a local array of structs, or one element of such an
/// array: its leaves, in layout order.
#[derive(Debug, Clone)]
pub struct StructLocal {
    name: String,
    layout: &'static StructLayout,
    leaves: Vec<Leaf>,
    /// For an array of structs: its length (each leaf's local holds that
    /// leaf of every element, element `j`'s at `j * len`).
    count: Option<u32>,
    /// For one element of an array of structs (`a[j]`): its index, a
    /// local or a literal (it is used once per leaf accessed).
    row: Option<Expr>,
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
        Expr::Lit(crate::ir::Literal::U32(k)) if k < len => index,
        index => Expr::CheckIndex {
            index: Box::new(index),
            len,
        },
    }
}

/// The scalar leaves of `layout` (word offsets from `base`), or why a
/// handler cannot hold it (an array of structs).
fn leaves(
    layout: &'static StructLayout,
    base: u32,
    prefix: &[&'static str],
    out: &mut Vec<(Vec<&'static str>, u32, ScalarType, Option<u32>)>,
) -> Result<(), String> {
    for f in layout.fields {
        let mut path = prefix.to_vec();
        path.push(f.name);
        match (f.ty, f.len) {
            (Layout::Scalar(ty), len) => out.push((path, base + f.word, ty, len)),
            (Layout::Struct(inner), None) => leaves(inner, base + f.word, &path, out)?,
            (Layout::Struct(_), Some(_)) => {
                return Err(format!(
                    "`{}` is an array of structs, which a handler cannot hold in a local yet; \
                     read the fields you need from the buffer",
                    path.join(".")
                ))
            }
        }
    }
    Ok(())
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
        let mut found = Vec::new();
        leaves(s, 0, &[], &mut found).map_err(|problem| HandlerError::StructField {
            structure: s.name.to_string(),
            path: name.to_string(),
            problem,
        })?;
        let max = vyre_lang::limits::MAX_ARRAY_LEN;
        let mut leaves = Vec::with_capacity(found.len());
        for (path, word, ty, len) in found {
            let total = match count {
                None => len,
                Some(n) => Some(n.saturating_mul(len.unwrap_or(1))),
            };
            if let (Some(n), Some(t)) = (count, total) {
                if n == 0 || t > max {
                    return Err(HandlerError::StructField {
                        structure: s.name.to_string(),
                        path: format!("{name}[..].{}", path.join(".")),
                        problem: format!(
                            "an array of {n} structs holds {t} values of this field; a local array holds 1 to {max} (it lives in each lane's private memory): use fewer elements or a buffer"
                        ),
                    });
                }
            }
            let local = LocalId(cx.locals.len() as u32);
            cx.locals.push(LocalDecl {
                array: total,
                ..LocalDecl::scalar(format!("{name}_{}", path.join("_")), ty, mutable)
            });
            leaves.push(Leaf {
                path,
                word,
                ty,
                len,
                local,
            });
        }
        Ok(StructLocal {
            name: name.to_string(),
            layout: s,
            leaves,
            count,
            row: None,
        })
    }

    /// The number of structs of a local array of structs.
    pub fn len(&self) -> Result<u32, HandlerError> {
        match (self.count, &self.row) {
            (Some(n), None) => Ok(n),
            _ => Err(self.not_array()),
        }
    }

    /// Whether this is an empty array of structs (never: the length is
    /// at least 1).
    pub fn is_empty(&self) -> bool {
        self.count == Some(0)
    }

    /// Element `index` of a local array of structs (`a[j]`), which every
    /// operation takes like a struct local. `index` is used once per leaf
    /// accessed: pass a local or a literal.
    pub fn row(&self, index: Expr) -> Result<StructLocal, HandlerError> {
        if self.count.is_none() || self.row.is_some() {
            return Err(self.not_array());
        }
        Ok(StructLocal {
            row: Some(index),
            ..self.clone()
        })
    }

    fn not_array(&self) -> HandlerError {
        HandlerError::StructField {
            structure: self.layout.name.to_string(),
            path: self.name.clone(),
            problem: "is not an array of structs, so it has no elements to index".into(),
        }
    }

    fn whole_array(&self, path: &[&str]) -> HandlerError {
        HandlerError::StructField {
            structure: self.layout.name.to_string(),
            path: format!("{}.{}", self.name, path.join(".")),
            problem: format!(
                "`{}` is an array of structs: index it first (`{}[j].field`)",
                self.name, self.name
            ),
        }
    }

    /// How many scalars of leaf `l` this value holds: one (`None`), or an
    /// array's worth (a whole array of structs counts every element's).
    fn shape(&self, l: &Leaf) -> Option<u32> {
        match (self.count, &self.row) {
            (Some(n), None) => Some(n.saturating_mul(l.len.unwrap_or(1))),
            _ => l.len,
        }
    }

    /// Where scalar `k` of leaf `l` is (`k`: `None` for a scalar leaf,
    /// the element for an array one, as this value's shape counts them).
    fn place(&self, l: &Leaf, k: Option<Expr>) -> Place {
        match (self.count, &self.row, l.len, k) {
            (Some(_), Some(j), None, _) => Place::Element(l.local, j.clone()),
            (Some(n), Some(j), Some(len), k) => {
                let k = k.unwrap_or(Expr::lit(0u32));
                let row = Expr::Binary {
                    op: crate::ir::BinOp::Mul,
                    lhs: Box::new(checked(j.clone(), n)),
                    rhs: Box::new(Expr::lit(len)),
                };
                let flat = Expr::Binary {
                    op: crate::ir::BinOp::Add,
                    lhs: Box::new(row),
                    rhs: Box::new(checked(k, len)),
                };
                Place::Element(l.local, flat)
            }
            (_, _, _, None) => Place::Local(l.local),
            (_, _, _, Some(k)) => Place::Element(l.local, k),
        }
    }

    /// Scalar `k` of leaf `l` as a value.
    fn value(&self, l: &Leaf, k: Option<u32>) -> Expr {
        self.place(l, k.map(Expr::lit)).read()
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
    fn declare(&self, l: &Leaf, at: impl Fn(Option<u32>) -> Expr) -> Stmt {
        match self.shape(l) {
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

    /// `self`'s leaf `l` = `source`'s leaf `s` (the same shape): an
    /// assignment, or a store per element.
    fn assign_leaf(&self, l: &Leaf, source: &StructLocal, s: &Leaf, out: &mut Vec<Stmt>) {
        match self.shape(l) {
            None => out.push(self.place(l, None).write(source.value(s, None))),
            Some(n) => out.extend((0..n).map(|k| {
                self.place(l, Some(Expr::lit(k)))
                    .write(source.value(s, Some(k)))
            })),
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
                let word = base + l.word;
                let load = |element: Option<u32>| Expr::LoadField {
                    buffer,
                    index: Box::new(index.clone()),
                    field: match element {
                        None => FieldRef::scalar(word, l.ty),
                        Some(k) => FieldRef::element(word, l.ty, k, l.len.unwrap_or(0)),
                    },
                };
                self.declare(l, load)
            })
            .collect()
    }

    /// Declares every leaf as zero (a `#[device]` function's struct result
    /// before its `return`).
    pub fn zeroed(&self) -> Vec<Stmt> {
        self.leaves
            .iter()
            .map(|l| self.declare(l, |_| Expr::Lit(super::__private::zero(l.ty))))
            .collect()
    }

    /// Declares every leaf with the value of the same leaf of `source`
    /// (same layout and shape: a struct, an element of an array of
    /// structs, or a whole array of as many structs).
    pub fn copy_of(&self, source: &StructLocal) -> Vec<Stmt> {
        self.leaves
            .iter()
            .zip(&source.leaves)
            .map(|(l, s)| self.declare(l, |k| source.value(s, k)))
            .collect()
    }

    /// Declares a local array of structs whose every element is `source`
    /// (`[p; N]`: a struct, or an element of another array).
    pub fn repeat(&self, source: &StructLocal) -> Vec<Stmt> {
        self.leaves
            .iter()
            .zip(&source.leaves)
            .map(|(l, s)| match l.len {
                None => Stmt::LetArray {
                    array: l.local,
                    init: ArrayInit::Repeat(source.value(s, None)),
                },
                Some(_) => self.declare(l, |k| {
                    let len = l.len.unwrap_or(1);
                    source.value(s, k.map(|k| k % len))
                }),
            })
            .collect()
    }

    /// Declares a local array of structs from its elements in order
    /// (`[p, q, r]`; as many as the array's length).
    pub fn list(&self, sources: &[&StructLocal]) -> Result<Vec<Stmt>, HandlerError> {
        if self.count != Some(sources.len() as u32) || self.row.is_some() {
            return Err(HandlerError::StructField {
                structure: self.layout.name.to_string(),
                path: self.name.clone(),
                problem: format!(
                    "an array of {:?} structs is given {} elements",
                    self.count,
                    sources.len()
                ),
            });
        }
        Ok(self
            .leaves
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let len = l.len.unwrap_or(1);
                let values = sources
                    .iter()
                    .flat_map(|src| {
                        let s = &src.leaves[i];
                        (0..len).map(move |k| src.value(s, l.len.map(|_| k)))
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
        self.leaves
            .iter()
            .map(|l| {
                let s = source
                    .leaves
                    .iter()
                    .find(|s| s.path.starts_with(prefix) && s.path[prefix.len()..] == l.path[..])
                    .ok_or_else(|| source.shape_error(prefix))?;
                Ok(self.declare(l, |k| source.value(s, k)))
            })
            .collect()
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
                        .map(|s| (p.len(), src, s)),
                    _ => None,
                })
                .max_by_key(|(depth, _, _)| *depth)
                .map(|(_, src, s)| (src, s));
            if let (None, Some((src, s))) = (listed, nested) {
                out.push(self.declare(l, |k| src.value(s, k)));
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

    /// Assigns every leaf the value of the same leaf of `source`.
    pub fn assign_from(&self, source: &StructLocal) -> Vec<Stmt> {
        self.assign_at(&[], source)
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
        if (self.shape_of_whole() || source.shape_of_whole())
            && (!dst.is_empty() || !src.is_empty())
        {
            return Err(self.whole_array(dst));
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
            self.assign_leaf(l, source, s, &mut out);
        }
        if out.is_empty() {
            return Err(self.shape_error(dst));
        }
        Ok(out)
    }

    /// Whether this is a whole array of structs (not one element of it).
    fn shape_of_whole(&self) -> bool {
        self.count.is_some() && self.row.is_none()
    }

    /// Assigns the nested struct at field `prefix` (every leaf under it)
    /// from `source`, a struct local of that nested type.
    pub fn assign_at(&self, prefix: &[&str], source: &StructLocal) -> Vec<Stmt> {
        let mut out = Vec::new();
        let pairs = self.leaves.iter().filter_map(|l| {
            let rest = l.path.strip_prefix(prefix)?;
            let s = source.leaves.iter().find(|s| s.path == rest)?;
            Some((l, s))
        });
        for (l, s) in pairs {
            self.assign_leaf(l, source, s, &mut out);
        }
        out
    }

    /// Stores every leaf into element `index` of struct buffer `buffer`.
    pub fn store(&self, buffer: BufferId, index: &Expr) -> Vec<Stmt> {
        let mut out = Vec::new();
        for l in &self.leaves {
            match l.len {
                None => out.push(Stmt::StoreField {
                    buffer,
                    index: index.clone(),
                    field: FieldRef::scalar(l.word, l.ty),
                    value: self.value(l, None),
                }),
                Some(n) => out.extend((0..n).map(|k| Stmt::StoreField {
                    buffer,
                    index: index.clone(),
                    field: FieldRef::element(l.word, l.ty, k, n),
                    value: self.value(l, Some(k)),
                })),
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
        if self.shape_of_whole() {
            return Err(self.whole_array(path));
        }
        match (l.len, &element) {
            (None, None) | (Some(_), Some(_)) => Ok(self.place(l, element)),
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
