//! Unit tests of `megakernel!`'s parser and checks: the messages and that
//! nothing panics, whatever the input.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

use super::{parse, validate};
use crate::ctxt::Ctxt;

/// The messages of the `compile_error!`s in `tokens`.
fn messages(tokens: TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    for tt in tokens {
        if let proc_macro2::TokenTree::Group(g) = tt {
            for inner in g.stream() {
                if let proc_macro2::TokenTree::Literal(l) = inner {
                    if let Ok(s) = syn::parse2::<syn::LitStr>(l.into_token_stream()) {
                        out.push(s.value());
                    }
                }
            }
        }
    }
    out
}

/// The macro's error messages for `input`.
fn errors(input: TokenStream) -> Vec<String> {
    let cx = Ctxt::new();
    if let Some(parsed) = parse::parse(&cx, input) {
        let _ = validate::validate(&cx, parsed);
    }
    messages(cx.to_compile_errors())
}

fn one_error(input: TokenStream) -> String {
    let e = errors(input);
    assert_eq!(e.len(), 1, "{e:#?}");
    e.into_iter().next().unwrap_or_default()
}

#[test]
fn a_valid_kernel_has_no_error_and_expands_to_items() {
    let input = quote! {
        /// Docs.
        #[cfg(all())]
        pub struct Bfs {
            workgroup_size: 64,
            slots: 1 << 16,
            partitions: [1, 1, (1 << 16) - 4, 1, SOME],
            tenants: N,
            buffers: { offsets: u32, edges: u32, dist: Atomic<u32>, r#type: vyre::Atomic<i32> },
            opcodes: [visit, graph::relax],
        }
    };
    assert_eq!(errors(input.clone()), Vec::<String>::new());
    let out = super::megakernel(input);
    let file: syn::File = syn::parse2(out.clone()).expect("the expansion parses");
    let text = out.to_string();
    assert!(text.contains("check_bindings"));
    assert!(text.contains("check_unique") && text.contains("__VYRE_OPCODE_IDS"));
    assert!(
        text.contains("check_range"),
        "N is checked by a const assertion"
    );
    assert!(
        text.contains("check_partitions"),
        "SOME is checked by a const assertion"
    );
    assert!(text.contains("fn r#type"));
    assert!(file.items.len() > 5);
}

#[test]
fn messages_name_the_field_and_what_to_do() {
    let m = one_error(quote!(struct K { slot: 5, opcodes: [a] }));
    assert!(
        m.starts_with("unknown field `slot` in megakernel `K`; did you mean `slots`?"),
        "{m}"
    );
    let m = one_error(quote!(struct K { slots: 5, slots: 6, opcodes: [a] }));
    assert_eq!(
        m,
        "field `slots` is given twice in megakernel `K`; keep one"
    );
    let m = one_error(quote!(struct K { buffers: {} }));
    assert!(m.contains("has no `opcodes` field"), "{m}");
    let m = one_error(quote!(struct K { opcodes: [] }));
    assert!(m.contains("lists no opcodes"), "{m}");
    let m = one_error(quote!(struct K { opcodes: [a, b, a] }));
    assert!(m.contains("opcode `a` is listed twice"), "{m}");
    let m = one_error(quote!(struct K { workgroup_size: 0, opcodes: [a] }));
    assert!(
        m.starts_with("`workgroup_size` is 0, but a workgroup has 1 ..= 256 lanes"),
        "{m}"
    );
    let m = one_error(quote!(struct K { slots: 2 * 2, opcodes: [a] }));
    assert!(
        m.starts_with("`slots` is 4, but the ring has 5 ..= 4194304 slots"),
        "{m}"
    );
    let m = one_error(quote!(struct K { inbox_capacity: 100, opcodes: [a] }));
    assert!(
        m.contains("not a power of two") && m.ends_with("use 128"),
        "{m}"
    );
    let m = one_error(quote!(struct K { partitions: [1, 1, 1, 1, 1], opcodes: [a] }));
    assert!(
        m.contains("add up to 5, but `slots` is not given and defaults to 16384"),
        "{m}"
    );
    let m = one_error(quote!(struct K { slots: 10, partitions: [1, 1, 1, 1], opcodes: [a] }));
    assert!(m.contains("lists 4 size(s), but it needs five"), "{m}");
    let m = one_error(quote!(struct K { slots: 10, partitions: [5, 5, 0, 0, 0], opcodes: [a] }));
    assert!(m.contains("the normal partition has 0 slots"), "{m}");
    let m = one_error(quote!(struct K { buffers: { a: u32, a: f32 }, opcodes: [a] }));
    assert!(m.contains("buffer `a` is declared twice"), "{m}");
    let m = one_error(quote!(struct K { buffers: { run: u32 }, opcodes: [a] }));
    assert!(m.contains("collide with the method `K::run`"), "{m}");
    let m = one_error(quote!(struct K { buffers: { a: Atomic<f32> }, opcodes: [a] }));
    assert!(m.contains("`Atomic<f32>` does not exist"), "{m}");
    let m = one_error(quote!(struct K { slots: 1 << 40, opcodes: [a] }));
    assert!(
        m.contains("is 1099511627776, which is not a u32 count"),
        "{m}"
    );
    let m = one_error(quote!(
        #[derive(Clone)]
        struct K {
            opcodes: [a],
        }
    ));
    assert!(m.contains("`#[derive]` is not supported"), "{m}");
    let m = one_error(quote!(
        struct K<T> {
            opcodes: [a],
        }
    ));
    assert!(m.contains("cannot be generic"), "{m}");
}

#[test]
fn every_error_of_an_invocation_is_reported() {
    let e = errors(quote!(struct K {
        slot: 1,
        workgroup_size: 999,
        buffers: { x: u64, y: bool, x: u32 },
        opcodes: [a, a],
        loop_limit: "x",
    }));
    assert_eq!(e.len(), 6, "{e:#?}");
}

#[test]
fn malformed_input_never_panics() {
    let inputs = [
        quote!(),
        quote!(struct),
        quote!(struct K),
        quote!(
            struct K;
        ),
        quote!(
            struct K(u32);
        ),
        quote!(
            enum K {}
        ),
        quote!(
            fn k() {}
        ),
        quote!(
            struct K {}
            struct L {}
        ),
        quote!(struct K { , }),
        quote!(struct K { slots }),
        quote!(struct K { slots: }),
        quote!(struct K { slots: , opcodes: [a] }),
        quote!(struct K { 5: 5 }),
        quote!(
            struct K {
                buffers: u32,
            }
        ),
        quote!(struct K { buffers: { a } }),
        quote!(struct K { buffers: { a: } }),
        quote!(struct K { buffers: { 5: u32 } }),
        quote!(
            struct K {
                opcodes: a,
            }
        ),
        quote!(struct K { opcodes: ["a"] }),
        quote!(
            struct K {
                opcodes: [a<u32>],
            }
        ),
        quote!(struct K { partitions: 5 }),
        quote!(struct K { partitions: [,] }),
        quote!(struct K { slots: 1 / 0, opcodes: [a] }),
        quote!(struct K { slots: 1 << 200, opcodes: [a] }),
        quote!(struct K { slots: 99999999999999999999999999999999999999999, opcodes: [a] }),
        quote!(struct K { slots: -5 + 10, opcodes: [a] }),
        quote!(struct K { slots: 5u8, opcodes: [a] }),
        quote!(struct K { slots: 5f32, opcodes: [a] }),
        quote!(struct K { slots: !5, opcodes: [a] }),
        quote!(struct K { slots: 5 == 5, opcodes: [a] }),
        quote!(struct K { slots: 5 >> 300, opcodes: [a] }),
        quote!(struct K { slots: 5 << -1, opcodes: [a] }),
    ];
    for input in inputs {
        let out = super::megakernel(input.clone());
        assert!(!out.is_empty(), "{input}");
        let _ = errors(input);
    }
    // Recoverable inputs keep going after the error.
    let e = errors(quote!(struct K { slots 5, opcodes: [a], tenants: 0 }));
    assert_eq!(e.len(), 2, "{e:#?}");
}

#[test]
fn a_kernel_with_errors_still_defines_its_type() {
    let out =
        super::megakernel(quote!(pub struct K { slot: 5, buffers: { a: u32 }, opcodes: [a] }));
    let text = out.to_string();
    assert!(text.contains("compile_error"));
    assert!(text.contains("pub struct K"));
    assert!(text.contains("unreachable"));
    assert!(!text.contains("check_bindings"));
    assert!(syn::parse2::<syn::File>(out).is_ok());
}

#[test]
fn scheduling_chooses_the_form_by_name() {
    let sharded = super::megakernel(quote!(
        struct K {
            scheduling: sharded,
            opcodes: [a],
        }
    ));
    assert!(sharded.to_string().contains("sharded : true"), "{sharded}");
    let priority = super::megakernel(quote!(
        struct K {
            scheduling: priority,
            opcodes: [a],
        }
    ));
    assert!(!priority.to_string().contains("sharded"), "{priority}");
    for bad in [quote!(fast), quote!(1)] {
        let m = one_error(quote!(struct K { scheduling: #bad, opcodes: [a] }));
        assert!(
            m.starts_with("expected `priority` (the default: lanes claim the highest priority first) or `sharded`"),
            "{m}"
        );
    }
}

#[test]
fn the_limits_cover_every_numeric_field() {
    for f in parse::FIELDS {
        let structural = matches!(
            *f,
            "buffers" | "opcodes" | "partitions" | "scheduling" | "requests"
        );
        assert_eq!(
            vyre_lang::limits::config_limit(f).is_some(),
            !structural,
            "{f}"
        );
    }
    for l in vyre_lang::limits::CONFIG {
        assert!(parse::FIELDS.contains(&l.field), "{}", l.field);
    }
}

/// Every token of a valid invocation removed, duplicated or replaced, at
/// every nesting level: the macro never panics and its output parses.
#[test]
fn mutations_never_panic_and_always_parse() {
    use proc_macro2::{Group, TokenTree};

    fn variants(tokens: &[TokenTree]) -> Vec<Vec<TokenTree>> {
        let replacements: Vec<TokenTree> = quote!(, : ; 0 x "s" [] {} <>).into_iter().collect();
        let mut out = Vec::new();
        for i in 0..tokens.len() {
            let mut removed = tokens.to_vec();
            removed.remove(i);
            out.push(removed);
            let mut doubled = tokens.to_vec();
            doubled.insert(i, tokens[i].clone());
            out.push(doubled);
            for r in &replacements {
                let mut replaced = tokens.to_vec();
                replaced[i] = r.clone();
                out.push(replaced);
            }
            if let TokenTree::Group(g) = &tokens[i] {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                for v in variants(&inner) {
                    let mut nested = tokens.to_vec();
                    let mut group = Group::new(g.delimiter(), v.into_iter().collect());
                    group.set_span(g.span());
                    nested[i] = TokenTree::Group(group);
                    out.push(nested);
                }
            }
        }
        out
    }

    let valid: Vec<TokenTree> = quote! {
        /// Docs.
        pub struct K {
            slots: 1 << 10,
            partitions: [1, 1, 1018, 2, 2],
            buffers: { a: u32, b: Atomic<i32> },
            opcodes: [x::y, z],
        }
    }
    .into_iter()
    .collect();
    let all = variants(&valid);
    assert!(all.len() > 500, "{}", all.len());
    for v in all {
        let input: TokenStream = v.into_iter().collect();
        let out = super::megakernel(input.clone());
        assert!(
            syn::parse2::<syn::File>(out).is_ok(),
            "the expansion of `{input}` does not parse"
        );
    }
}
