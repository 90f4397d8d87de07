//! Questions about a type written in a signature or a `let`: which scalar
//! it is, whether it is `Priority`, and why a type has no GPU form (with
//! what to write instead).

use vyre_lang::ScalarType;

/// The last segment of a type path, with its generic arguments.
pub(super) fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        syn::Type::Group(g) => last_segment(&g.elem),
        syn::Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

/// The single generic type argument of `Name<T>`.
pub(super) fn single_type_arg(seg: &syn::PathSegment) -> Option<&syn::Type> {
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match a.args.first() {
            Some(syn::GenericArgument::Type(t)) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// The scalar a type names (`u32`, `i32`, `f32`, `bool`), if it is one.
pub(crate) fn scalar_of(ty: &syn::Type) -> Option<ScalarType> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let seg = p.path.segments.first()?;
            if !seg.arguments.is_none() {
                return None;
            }
            ScalarType::from_rust_name(&seg.ident.to_string())
        }
        syn::Type::Group(g) => scalar_of(&g.elem),
        syn::Type::Paren(p) => scalar_of(&p.elem),
        _ => None,
    }
}

/// Whether the type is `Priority` (any path ending in it).
pub(crate) fn is_priority(ty: &syn::Type) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == "Priority" && s.arguments.is_none())
}

/// Why a type cannot be used in a handler, and what to write instead.
pub(crate) fn type_rejection(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => {
            let Some(seg) = p.path.segments.last() else {
                return "this type is not a GPU type; handlers use u32, i32, f32 and bool".into();
            };
            let name = seg.ident.to_string();
            match name.as_str() {
                "u128" | "i128" => format!(
                    "`{name}` is not available on the GPU: vyre's widest integers are `u64` and `i64`; split the value into two `u64` words"
                ),
                "f64" => "`f64` is not available on the GPU: WGSL has no 64-bit floats; use `f32`".into(),
                "u8" | "u16" | "i8" | "i16" => format!(
                    "`{name}` is not available on the GPU: it works on 32-bit words; use `u32`/`i32` and mask (`x & 0xFF`)"
                ),
                "usize" | "isize" => format!(
                    "`{name}` has no fixed size on the GPU; use `u32` (buffer indices and `len()` are `u32`)"
                ),
                "char" | "str" | "String" | "OsString" | "CString" => format!(
                    "`{name}`: strings and characters do not exist on the GPU; print with `vyre::printf!` and use `u32` codes for data"
                ),
                "Vec" | "Box" | "Rc" | "Arc" | "HashMap" | "HashSet" | "BTreeMap" | "BTreeSet"
                | "VecDeque" | "BinaryHeap" | "LinkedList" | "Cow" => format!(
                    "`{name}` is a heap type: a GPU handler has no allocator; pass data through a buffer parameter (`&Buffer<u32>`, `&mut Buffer<u32>`)"
                ),
                "Option" | "Result" => format!(
                    "`{name}` has no GPU representation; use a sentinel value (such as `u32::MAX`) or a separate `bool`"
                ),
                "Cell" | "RefCell" | "Mutex" | "RwLock" | "AtomicU32" | "AtomicI32" => format!(
                    "`{name}` cannot be shared with the GPU; share data through buffers, and atomics through `&Buffer<Atomic<u32>>`"
                ),
                "Self" => "`Self`: handlers are free functions, not methods".into(),
                _ => format!(
                    "`{name}` is not a GPU type: handlers use `u32`, `i32`, `f32`, `u64`, `i64` and `bool` (and `&Ctx`, `&Buffer<T>`, `&mut Buffer<T>`, `&Buffer<Atomic<T>>` parameters); structs and enums do not exist in handlers yet"
                ),
            }
        }
        syn::Type::Tuple(t) if t.elems.is_empty() => {
            "`()` is not a value on the GPU".into()
        }
        syn::Type::Tuple(_) => {
            "tuples are not supported: GPU values are scalars; use separate variables".into()
        }
        syn::Type::Array(_) | syn::Type::Slice(_) => {
            "arrays and slices do not exist in handlers: the GPU keeps scalars in registers; put the data in a buffer (`&Buffer<u32>`)".into()
        }
        syn::Type::Reference(_) => {
            "references exist only as buffer parameters (`&Buffer<T>`, `&mut Buffer<T>`, `&Buffer<Atomic<T>>`) and `ctx: &Ctx`; take scalars by value".into()
        }
        syn::Type::Ptr(_) => "raw pointers do not exist on the GPU; use a buffer and an index".into(),
        syn::Type::ImplTrait(_) | syn::Type::TraitObject(_) => {
            "trait objects and `impl Trait` cannot be lowered to the GPU: the program is static; use a concrete scalar type".into()
        }
        syn::Type::BareFn(_) => {
            "function pointers do not exist on the GPU; call a `#[device]` function directly".into()
        }
        syn::Type::Never(_) => "`!` is not a value type".into(),
        syn::Type::Infer(_) => "write the type out: `u32`, `i32`, `f32` or `bool`".into(),
        syn::Type::Paren(p) => type_rejection(&p.elem),
        syn::Type::Group(g) => type_rejection(&g.elem),
        _ => "this type is not a GPU type; handlers use u32, i32, f32 and bool".into(),
    }
}
