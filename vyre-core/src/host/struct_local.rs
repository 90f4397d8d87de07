//! Struct locals of a handler (`let mut p = ps[i];`), as `#[opcode]`'s
//! generated code builds them when `handler()` runs: the IR has no struct
//! values, so a struct local is one IR local per scalar field (nested
//! fields flattened: `p.best.id`) and one local array per array field.
//! The layout is known only then (another derive defines it), so the
//! leaves are allocated here, at the end of the handler's local table.

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

impl Leaf {
    /// The leaf's value, or element `k` of it when it is an array.
    fn value(&self, k: Option<u32>) -> Expr {
        match k {
            None => Expr::Local(self.local),
            Some(k) => Expr::Index {
                array: self.local,
                index: Box::new(Expr::lit(k)),
            },
        }
    }
}

/// A struct local: its leaves, in layout order.
#[derive(Debug, Clone)]
pub struct StructLocal {
    name: String,
    layout: &'static StructLayout,
    leaves: Vec<Leaf>,
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
        let leaves = found
            .into_iter()
            .map(|(path, word, ty, len)| {
                let local = LocalId(cx.locals.len() as u32);
                cx.locals.push(LocalDecl {
                    array: len,
                    ..LocalDecl::scalar(format!("{name}_{}", path.join("_")), ty, mutable)
                });
                Leaf {
                    path,
                    word,
                    ty,
                    len,
                    local,
                }
            })
            .collect();
        Ok(StructLocal {
            name: name.to_string(),
            layout: s,
            leaves,
        })
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
                declare(l, load)
            })
            .collect()
    }

    /// Declares every leaf as zero (a `#[device]` function's struct result
    /// before its `return`).
    pub fn zeroed(&self) -> Vec<Stmt> {
        self.leaves
            .iter()
            .map(|l| declare(l, |_| Expr::Lit(super::__private::zero(l.ty))))
            .collect()
    }

    /// Declares every leaf with the value of the same leaf of `source`
    /// (same layout).
    pub fn copy_of(&self, source: &StructLocal) -> Vec<Stmt> {
        self.leaves
            .iter()
            .zip(&source.leaves)
            .map(|(l, s)| declare(l, |k| s.value(k)))
            .collect()
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
                    .ok_or_else(|| source.shape(prefix))?;
                Ok(declare(l, |k| s.value(k)))
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
                        .map(|s| (p.len(), s)),
                    _ => None,
                })
                .max_by_key(|(depth, _)| *depth)
                .map(|(_, s)| s);
            if let (None, Some(s)) = (listed, nested) {
                out.push(declare(l, |k| s.value(k)));
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
        let mut out = Vec::new();
        for l in self.leaves.iter().filter(|l| l.path.starts_with(dst)) {
            let rest = &l.path[dst.len()..];
            let Some(s) = source
                .leaves
                .iter()
                .find(|s| s.path.starts_with(src) && &s.path[src.len()..] == rest)
            else {
                return Err(self.shape(dst));
            };
            assign_leaf(l, s, &mut out);
        }
        if out.is_empty() {
            return Err(self.shape(dst));
        }
        Ok(out)
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
            assign_leaf(l, s, &mut out);
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
                    value: l.value(None),
                }),
                Some(n) => out.extend((0..n).map(|k| Stmt::StoreField {
                    buffer,
                    index: index.clone(),
                    field: FieldRef::element(l.word, l.ty, k, n),
                    value: l.value(Some(k)),
                })),
            }
        }
        out
    }

    /// `p.a.b` (`element`: `p.a.b[j]`) as a value.
    pub fn get(&self, path: &[&str], element: Option<Expr>) -> Result<Expr, HandlerError> {
        let l = self.leaf(path)?;
        match (l.len, element) {
            (None, None) => Ok(Expr::Local(l.local)),
            (Some(_), Some(j)) => Ok(Expr::Index {
                array: l.local,
                index: Box::new(j),
            }),
            _ => Err(self.shape(path)),
        }
    }

    /// `p.a.b = value` (`element`: `p.a.b[j] = value`).
    pub fn set(
        &self,
        path: &[&str],
        element: Option<Expr>,
        value: Expr,
    ) -> Result<Stmt, HandlerError> {
        let l = self.leaf(path)?;
        match (l.len, element) {
            (None, None) => Ok(Stmt::Assign {
                local: l.local,
                value,
            }),
            (Some(_), Some(j)) => Ok(Stmt::StoreIndex {
                array: l.local,
                index: j,
                value,
            }),
            _ => Err(self.shape(path)),
        }
    }

    fn shape(&self, path: &[&str]) -> HandlerError {
        HandlerError::StructField {
            structure: self.layout.name.to_string(),
            path: format!("{}.{}", self.name, path.join(".")),
            problem: "an array field is indexed (`p.a[j]`), a scalar field is not".into(),
        }
    }
}

/// `l = s` (the same shape): an `Assign`, or a `StoreIndex` per element.
fn assign_leaf(l: &Leaf, s: &Leaf, out: &mut Vec<Stmt>) {
    match l.len {
        None => out.push(Stmt::Assign {
            local: l.local,
            value: s.value(None),
        }),
        Some(n) => out.extend((0..n).map(|k| Stmt::StoreIndex {
            array: l.local,
            index: Expr::lit(k),
            value: s.value(Some(k)),
        })),
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

/// The declaration of leaf `l` with the value `at(None)` (a scalar) or
/// elements `at(Some(k))` (an array).
fn declare(l: &Leaf, at: impl Fn(Option<u32>) -> Expr) -> Stmt {
    match l.len {
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
