//! The checks `megakernel!` can make on its own tokens: fields, values,
//! buffers and the opcode list. What needs the handlers' constants (ids,
//! buffer parameters) becomes const assertions in [`super::expand`].

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;

use vyre_lang::limits::{self, config_limit, ConfigLimit};
use vyre_lang::{BufferKind, Priority, ScalarType, PRIORITIES};

use super::parse::{value_span, BufferDecl, Field, Input, Value, FIELDS};
use crate::ctxt::Ctxt;
use crate::sig::ident_name;

/// The methods a megakernel type gets; a buffer accessor cannot take one
/// of these names.
pub(crate) const METHODS: &[&str] = &[
    "NAME",
    "config",
    "try_program",
    "program",
    "wgsl",
    "new",
    "builder",
    "publish",
    "publish_for",
    "publish_batch",
    "publish_range",
    "run",
    "enable_tenant",
    "disable_tenant",
    "runtime",
    "runtime_mut",
    "into_runtime",
    "backend",
];

/// A numeric value: known to the macro, or a constant expression checked
/// by a const assertion.
pub(crate) enum Num {
    /// The value and the expression that gave it.
    Known(u32, syn::Expr),
    Const(syn::Expr),
}

impl Num {
    /// The expression as written.
    pub(crate) fn expr(&self) -> &syn::Expr {
        match self {
            Num::Known(_, e) | Num::Const(e) => e,
        }
    }
}

/// A config field that was given.
pub(crate) struct ConfigField {
    pub(crate) limit: &'static ConfigLimit,
    pub(crate) value: Num,
}

/// A declared buffer.
pub(crate) struct Buffer {
    pub(crate) ident: syn::Ident,
    pub(crate) name: String,
    /// The kind, for scalar and atomic buffers (`u32` words for a struct).
    pub(crate) kind: BufferKind,
    /// A buffer of `#[derive(Element)]` structs: the struct's type (its
    /// kind is known when the program is built).
    pub(crate) structure: Option<syn::Type>,
}

/// An opcode of the list.
pub(crate) struct Opcode {
    pub(crate) path: syn::Path,
}

/// A checked megakernel.
pub(crate) struct Kernel {
    pub(crate) attrs: Vec<syn::Attribute>,
    pub(crate) cfgs: Vec<syn::Attribute>,
    pub(crate) vis: syn::Visibility,
    pub(crate) ident: syn::Ident,
    pub(crate) name: String,
    pub(crate) config: Vec<ConfigField>,
    pub(crate) partitions: Option<Vec<Num>>,
    /// The first and last token of the `partitions` list.
    pub(crate) partitions_at: Option<(Span, Span)>,
    /// `scheduling: sharded`.
    pub(crate) sharded: bool,
    pub(crate) buffers: Vec<Buffer>,
    pub(crate) opcodes: Vec<Opcode>,
    /// `requests: [..]`: the #[request] kinds the handlers use.
    pub(crate) requests: Vec<syn::Path>,
}

impl Kernel {
    /// The given value of config field `field`.
    pub(crate) fn value(&self, field: &str) -> Option<&Num> {
        self.config
            .iter()
            .find(|c| c.limit.field == field)
            .map(|c| &c.value)
    }
}

/// Checks the input, reporting every problem to `cx`. The kernel keeps
/// what was valid; the flag says whether everything was.
pub(crate) fn validate(cx: &Ctxt, input: Input) -> (Kernel, bool) {
    let before = cx.error_count();
    let name = ident_name(&input.ident);
    let (attrs, cfgs) = check_attrs(cx, &input.attrs);
    let mut kernel = Kernel {
        attrs,
        cfgs,
        vis: input.vis,
        ident: input.ident,
        name,
        config: Vec::new(),
        partitions: None,
        partitions_at: None,
        sharded: false,
        buffers: Vec::new(),
        opcodes: Vec::new(),
        requests: Vec::new(),
    };
    let mut seen: Vec<&syn::Ident> = Vec::new();
    let mut opcodes_given = false;
    let mut partitions_span = None;
    for Field { name, value } in &input.fields {
        let key = name.to_string();
        if !FIELDS.contains(&key.as_str()) {
            cx.error(name, unknown_field(&kernel.name, &key));
            continue;
        }
        if seen.contains(&name) {
            cx.error(
                name,
                format!(
                    "field `{key}` is given twice in megakernel `{}`; keep one",
                    kernel.name
                ),
            );
            continue;
        }
        seen.push(name);
        match (key.as_str(), value) {
            (_, Value::Invalid) => {
                if key == "opcodes" {
                    opcodes_given = true;
                }
            }
            ("buffers", Value::Buffers(_, decls)) => {
                kernel.buffers = check_buffers(cx, &kernel.name, decls);
            }
            ("opcodes", Value::Opcodes(bracket, paths)) => {
                opcodes_given = true;
                if paths.is_empty() {
                    cx.error_at(
                        bracket.span.join(),
                        format!("megakernel `{}` lists no opcodes: a megakernel runs at least one #[opcode] handler, e.g. `opcodes: [visit]`", kernel.name),
                    );
                }
                kernel.opcodes = check_opcodes(cx, &kernel.name, paths);
            }
            ("requests", Value::Requests(_, paths)) => {
                for p in paths {
                    let text = path_text(p);
                    if kernel.requests.iter().any(|k| path_text(k) == text) {
                        cx.error(
                            p,
                            format!("request kind `{text}` is listed twice in megakernel `{}`; remove one", kernel.name),
                        );
                        continue;
                    }
                    kernel.requests.push(p.clone());
                }
            }
            ("scheduling", Value::Scheduling(_, sharded)) => kernel.sharded = *sharded,
            ("partitions", Value::List(bracket, items)) => {
                partitions_span = Some(bracket.span.join());
                kernel.partitions_at = Some((bracket.span.open(), bracket.span.close()));
                if items.len() != PRIORITIES {
                    cx.error_at(
                        bracket.span.join(),
                        format!(
                            "`partitions` lists {} size(s), but it needs five, one per priority: `[critical, high, normal, low, idle]`",
                            items.len()
                        ),
                    );
                    continue;
                }
                let nums: Vec<Option<Num>> =
                    items.iter().map(|e| number(cx, "partitions", e)).collect();
                if nums.iter().all(Option::is_some) {
                    kernel.partitions = Some(nums.into_iter().flatten().collect());
                }
            }
            (_, Value::Expr(e)) => {
                let Some(limit) = config_limit(&key) else {
                    continue;
                };
                let Some(value) = number(cx, limit.field, e) else {
                    continue;
                };
                if let Num::Known(v, e) = &value {
                    check_limit(cx, limit, *v, e);
                }
                kernel.config.push(ConfigField { limit, value });
            }
            (_, v) => {
                // A value of the wrong shape for its field (the parser
                // chose the shape by the field's name, so only reachable
                // for fields with a fixed shape).
                cx.error_at(
                    value_span(v, name.span()),
                    format!("unexpected value for `{key}`"),
                );
            }
        }
    }
    if !opcodes_given {
        cx.error(
            &kernel.ident,
            format!(
                "megakernel `{}` has no `opcodes` field: list the #[opcode] handlers it runs, e.g. `opcodes: [visit],`",
                kernel.name
            ),
        );
    }
    if let (Some(parts), Some(span)) = (&kernel.partitions, partitions_span) {
        check_partition_sum(cx, &kernel, parts, span);
    }
    let ok = cx.error_count() == before;
    (kernel, ok)
}

/// Keeps doc comments, `#[cfg]` and lint attributes; rejects the rest.
fn check_attrs(cx: &Ctxt, attrs: &[syn::Attribute]) -> (Vec<syn::Attribute>, Vec<syn::Attribute>) {
    let mut keep = Vec::new();
    let mut cfgs = Vec::new();
    for a in attrs {
        let path = a.path();
        if path.is_ident("cfg") {
            cfgs.push(a.clone());
        } else if ["doc", "allow", "warn", "deny", "forbid", "expect"]
            .iter()
            .any(|k| path.is_ident(k))
        {
            keep.push(a.clone());
        } else {
            cx.error(
                a,
                format!(
                    "`#[{}]` is not supported on a megakernel! type: it takes doc comments, `#[cfg]` and lint attributes (the macro generates the type, its methods and its `Debug` implementation)",
                    path.to_token_stream().to_string().replace(' ', "")
                ),
            );
        }
    }
    (keep, cfgs)
}

/// Edit distance, for suggestions.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn unknown_field(kernel: &str, key: &str) -> String {
    let best = FIELDS
        .iter()
        .map(|f| (distance(key, f), *f))
        .min()
        .filter(|(d, _)| *d <= 2 || key.len() > 4 && *d <= 3);
    let hint = match best {
        Some((_, f)) => format!("did you mean `{f}`? "),
        None => String::new(),
    };
    format!(
        "unknown field `{key}` in megakernel `{kernel}`; {hint}the fields are {}",
        FIELDS
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Folds an integer expression of literals and operators; `Ok(None)` for
/// anything else (a constant the compiler will evaluate).
fn fold(e: &syn::Expr) -> Result<Option<i128>, (Span, String)> {
    use syn::{BinOp, Expr, Lit, UnOp};
    let too_large = |span| (span, "this value does not fit in a u32".to_string());
    match e {
        Expr::Lit(l) => match &l.lit {
            Lit::Int(i) => {
                if !matches!(
                    i.suffix(),
                    "" | "u8"
                        | "u16"
                        | "u32"
                        | "u64"
                        | "u128"
                        | "usize"
                        | "i8"
                        | "i16"
                        | "i32"
                        | "i64"
                        | "i128"
                        | "isize"
                ) {
                    return Err((
                        i.span(),
                        format!("`{}` is not an integer suffix", i.suffix()),
                    ));
                }
                match i.base10_parse::<u128>() {
                    Ok(v) if v <= u64::MAX as u128 => Ok(Some(v as i128)),
                    _ => Err(too_large(i.span())),
                }
            }
            other => Err((
                other.span(),
                "expected an integer (a count: `64`, `1 << 16`, or a `u32` constant)".to_string(),
            )),
        },
        Expr::Paren(p) => fold(&p.expr),
        Expr::Group(g) => fold(&g.expr),
        Expr::Unary(u) => match (&u.op, fold(&u.expr)?) {
            (UnOp::Neg(_), Some(v)) => Ok(Some(-v)),
            (_, Some(_)) => Err((u.span(), "expected an integer count".to_string())),
            (_, None) => Ok(None),
        },
        Expr::Binary(b) => {
            let (Some(l), Some(r)) = (fold(&b.left)?, fold(&b.right)?) else {
                return Ok(None);
            };
            let span = b.span();
            let v = match b.op {
                BinOp::Add(_) => l.checked_add(r),
                BinOp::Sub(_) => l.checked_sub(r),
                BinOp::Mul(_) => l.checked_mul(r),
                BinOp::Div(_) | BinOp::Rem(_) if r == 0 => {
                    return Err((span, "division by zero".to_string()))
                }
                BinOp::Div(_) => l.checked_div(r),
                BinOp::Rem(_) => l.checked_rem(r),
                BinOp::Shl(_) => {
                    if !(0..64).contains(&r) {
                        None
                    } else {
                        l.checked_mul(1i128 << r)
                    }
                }
                BinOp::Shr(_) => (0..128).contains(&r).then(|| l >> r),
                BinOp::BitAnd(_) => Some(l & r),
                BinOp::BitOr(_) => Some(l | r),
                BinOp::BitXor(_) => Some(l ^ r),
                _ => return Err((span, "expected an integer expression".to_string())),
            };
            match v {
                Some(v) if v.abs() < 1i128 << 100 => Ok(Some(v)),
                _ => Err(too_large(span)),
            }
        }
        _ => Ok(None),
    }
}

/// The value of a numeric field (or partition size).
fn number(cx: &Ctxt, field: &str, e: &syn::Expr) -> Option<Num> {
    match fold(e) {
        Ok(Some(v)) if (0..=u32::MAX as i128).contains(&v) => Some(Num::Known(v as u32, e.clone())),
        Ok(Some(v)) => {
            cx.error(e, format!("`{field}` is {v}, which is not a u32 count"));
            None
        }
        Ok(None) => Some(Num::Const(e.clone())),
        Err((span, msg)) => {
            cx.error_at(span, format!("`{field}`: {msg}"));
            None
        }
    }
}

fn check_limit(cx: &Ctxt, limit: &ConfigLimit, v: u32, e: &syn::Expr) {
    if v < limit.min || v > limit.max {
        cx.error(e, format!("`{}` is {v}, but {}", limit.field, limit.why));
    } else if limit.power_of_two && !v.is_power_of_two() {
        cx.error(
            e,
            format!(
                "`{}` is {v}, which is not a power of two: {}; use {}",
                limit.field,
                limit.why,
                v.next_power_of_two()
            ),
        );
    }
}

fn check_partition_sum(cx: &Ctxt, kernel: &Kernel, parts: &[Num], span: Span) {
    let known: Option<Vec<u32>> = parts
        .iter()
        .map(|p| match p {
            Num::Known(v, _) => Some(*v),
            Num::Const(_) => None,
        })
        .collect();
    let (slots, slots_given) = match kernel.value("slots") {
        Some(Num::Known(v, _)) => (Some(*v), true),
        Some(Num::Const(_)) => (None, true),
        None => (Some(limits::SLOTS.default), false),
    };
    let Some(sizes) = known else { return };
    for (p, (size, num)) in sizes.iter().zip(parts).enumerate() {
        if *size == 0 {
            let level = Priority::from_index(p as u32)
                .map(|p| p.name().to_ascii_lowercase())
                .unwrap_or_default();
            cx.error(
                num.expr(),
                format!("the {level} partition has 0 slots: each priority needs at least one slot"),
            );
            return;
        }
    }
    let Some(slots) = slots else { return };
    let sum: u64 = sizes.iter().map(|&s| s as u64).sum();
    if sum != slots as u64 {
        let of = if slots_given {
            format!("`slots` is {slots}")
        } else {
            format!("`slots` is not given and defaults to {slots}")
        };
        cx.error_at(
            span,
            format!("`partitions` add up to {sum}, but {of}; the partitions split the ring, so their sizes must add up to `slots`"),
        );
    }
}

/// The kind of a declared buffer's type: `Ok(Some(kind))` for a scalar or
/// atomic one, `Ok(None)` for a user type (a `#[derive(Element)]` struct,
/// checked by rustc through its `Element` implementation).
fn buffer_kind(ty: &syn::Type) -> Result<Option<BufferKind>, String> {
    fn last(ty: &syn::Type) -> Option<&syn::PathSegment> {
        match ty {
            syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
            syn::Type::Group(g) => last(&g.elem),
            syn::Type::Paren(p) => last(&p.elem),
            _ => None,
        }
    }
    let expected =
        "a buffer holds `u32`, `i32`, `f32`, `u64` or `i64`, an atomic buffer `Atomic<u32>` or `Atomic<i32>`";
    let Some(seg) = last(ty) else {
        return Err(format!("this is not a buffer element type: {expected}"));
    };
    let name = seg.ident.to_string();
    if name == "Atomic" {
        let inner = match &seg.arguments {
            syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match a.args.first() {
                Some(syn::GenericArgument::Type(t)) => last(t).map(|s| s.ident.to_string()),
                _ => None,
            },
            _ => None,
        };
        return match inner.as_deref().and_then(ScalarType::from_rust_name) {
            Some(elem) if elem.is_atomic_element() => Ok(Some(BufferKind::atomic(elem))),
            Some(s @ (ScalarType::U64 | ScalarType::I64)) => Err(format!("`Atomic<{s}>` is not supported: WGSL has 32-bit atomics only; declare `Atomic<u32>` and keep a 64-bit counter in two words (carry with a compare-exchange loop), or declare `{s}` and write each element from one task at a time")),
            Some(ScalarType::F32) => Err("`Atomic<f32>` does not exist: WGSL has atomic<u32> and atomic<i32> only; declare `f32` and write it from one task at a time, or keep the bits in `Atomic<u32>`".into()),
            _ => Err(format!("`Atomic` takes `u32` or `i32`: {expected}")),
        };
    }
    if !seg.arguments.is_none() {
        return Err(format!(
            "`{name}<…>` is not a buffer element type: {expected}"
        ));
    }
    if let Some(elem) = ScalarType::from_rust_name(&name).filter(|e| e.is_buffer_element()) {
        return Ok(Some(BufferKind::plain(elem)));
    }
    Err(match name.as_str() {
        "u128" | "i128" => format!("`{name}` is not available on the GPU; declare `u64` or keep several `u32` words per value"),
        "f64" => "`f64` is not available on the GPU (WGSL has no 64-bit floats); declare `f32`".into(),
        "u8" | "u16" | "i8" | "i16" => format!("`{name}` buffers do not exist on the GPU, which addresses 32-bit words; declare `u32` and pack the values"),
        "bool" => "`bool` buffers do not exist on the GPU; declare `u32` and store 0 or 1".into(),
        "usize" | "isize" => format!("`{name}` has no fixed size on the GPU; declare `u32`"),
        "char" | "str" | "String" | "Vec" | "Box" | "Option" => {
            format!("`{name}` is not a buffer element type: {expected}")
        }
        // A user type: a `#[derive(Element)]` struct.
        _ => return Ok(None),
    })
}

fn check_buffers(cx: &Ctxt, kernel: &str, decls: &[BufferDecl]) -> Vec<Buffer> {
    let mut out: Vec<Buffer> = Vec::new();
    for d in decls {
        let name = ident_name(&d.name);
        let mut ok = true;
        if out.iter().any(|b| b.name == name) {
            cx.error(
                &d.name,
                format!("buffer `{name}` is declared twice in megakernel `{kernel}`; keep one"),
            );
            continue;
        }
        if !name.is_ascii() {
            cx.error(
                &d.name,
                format!("buffer name `{name}` is not ASCII: the WGSL program names its buffers after them; use ASCII letters, digits and `_`"),
            );
            ok = false;
        }
        if METHODS.contains(&name.as_str()) {
            cx.error(
                &d.name,
                format!("buffer `{name}` would collide with the method `{kernel}::{name}` that megakernel! generates (each buffer gets an accessor method of its name); rename the buffer and the handler parameters that bind to it"),
            );
            ok = false;
        }
        let kind = match buffer_kind(&d.ty) {
            Ok(Some(k)) => Some((k, None)),
            Ok(None) => Some((BufferKind::plain(ScalarType::U32), Some(d.ty.clone()))),
            Err(msg) => {
                cx.error(&d.ty, format!("buffer `{name}`: {msg}"));
                None
            }
        };
        if let (true, Some((kind, structure))) = (ok, kind) {
            out.push(Buffer {
                ident: d.name.clone(),
                name,
                kind,
                structure,
            });
        }
    }
    out
}

fn path_text(p: &syn::Path) -> String {
    p.to_token_stream().to_string().replace(' ', "")
}

fn check_opcodes(cx: &Ctxt, kernel: &str, paths: &[syn::Path]) -> Vec<Opcode> {
    let mut out: Vec<Opcode> = Vec::new();
    for p in paths {
        let text = path_text(p);
        if out.iter().any(|o| path_text(&o.path) == text) {
            cx.error(
                p,
                format!("opcode `{text}` is listed twice in megakernel `{kernel}`; remove one (a handler is part of a megakernel once)"),
            );
            continue;
        }
        out.push(Opcode { path: p.clone() });
    }
    out
}
