//! Snapshots of what the macros make of the examples' handlers, request
//! kinds and megakernels: `examples/expanded/<example>.rs`, pretty-printed with
//! prettyplease so a reader can see the generated code.
//!
//! Regenerate them with
//!
//! ```text
//! VYRE_BLESS=1 cargo test -p vyre-expand expanded
//! ```
//!
//! Without `VYRE_BLESS=1` the test fails when a snapshot is stale or missing.

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::ToTokens;

/// The examples whose expansion is kept.
const EXAMPLES: &[&str] = &[
    "hello",
    "priority_scheduler",
    "bfs",
    "scan",
    "particles",
    "wgpu_interop",
    "host_requests",
];

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// The tokens of a `#[opcode]`/`#[device]` attribute's arguments, when
/// `attr` is one.
fn macro_attr(attr: &syn::Attribute) -> Option<(&'static str, TokenStream)> {
    let name = attr.path().segments.last()?.ident.to_string();
    let which = match name.as_str() {
        "opcode" => "opcode",
        "device" => "device",
        _ => return None,
    };
    let args = match &attr.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        _ => TokenStream::new(),
    };
    Some((which, args))
}

/// Every `#[opcode]`/`#[device]` function and `megakernel!` of `source`,
/// expanded, as one pretty-printed file.
fn expand_example(name: &str, source: &str) -> String {
    let file: syn::File = match syn::parse_file(source) {
        Ok(f) => f,
        Err(e) => panic!("examples/{name}.rs does not parse: {e}"),
    };
    let mut out = TokenStream::new();
    for item in file.items {
        match item {
            syn::Item::Fn(mut f) => {
                let Some(i) = f.attrs.iter().position(|a| macro_attr(a).is_some()) else {
                    continue;
                };
                let attr = f.attrs.remove(i);
                let (which, args) = macro_attr(&attr).expect("checked above");
                let tokens = f.into_token_stream();
                out.extend(match which {
                    "opcode" => crate::expand::expand_opcode(args, tokens),
                    _ => crate::expand::expand_device(args, tokens),
                });
            }
            // `#[request] pub fn kind(args…) -> Reply;`: syn keeps a
            // function without a body as verbatim tokens.
            syn::Item::Verbatim(tokens) => {
                let Ok(mut decl) = syn::parse2::<syn::ForeignItemFn>(tokens) else {
                    continue;
                };
                let Some(i) = decl.attrs.iter().position(|a| a.path().is_ident("request")) else {
                    continue;
                };
                let attr = decl.attrs.remove(i);
                let args = match &attr.meta {
                    syn::Meta::List(list) => list.tokens.clone(),
                    _ => TokenStream::new(),
                };
                out.extend(crate::request::expand(args, decl.into_token_stream()));
            }
            syn::Item::Macro(m)
                if m.mac
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "megakernel") =>
            {
                out.extend(crate::megakernel::megakernel(m.mac.tokens));
            }
            _ => {}
        }
    }
    let expanded: syn::File = match syn::parse2(out) {
        Ok(f) => f,
        Err(e) => panic!("the expansion of examples/{name}.rs does not parse: {e}"),
    };
    format!(
        "// @generated from examples/{name}.rs: what `#[opcode]`, `#[device]` and\n\
         // `megakernel!` expand to. Do not edit; regenerate with\n\
         //     VYRE_BLESS=1 cargo test -p vyre-expand expanded\n\
         // (This directory has no main.rs, so Cargo does not build it as an example.)\n\n{}",
        prettyplease::unparse(&expanded)
    )
}

#[test]
fn expanded_snapshots_are_current() {
    let bless = std::env::var("VYRE_BLESS").is_ok_and(|v| v == "1");
    let dir = examples_dir();
    let mut stale = Vec::new();
    for name in EXAMPLES {
        let src_path = dir.join(format!("{name}.rs"));
        let source = std::fs::read_to_string(&src_path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", src_path.display()));
        let expanded = expand_example(name, &source);
        let snap = dir.join("expanded").join(format!("{name}.rs"));
        let current = std::fs::read_to_string(&snap).ok();
        if current.as_deref() == Some(expanded.as_str()) {
            continue;
        }
        if bless {
            std::fs::create_dir_all(dir.join("expanded")).unwrap();
            std::fs::write(&snap, expanded).unwrap();
        } else {
            stale.push(format!("examples/expanded/{name}.rs"));
        }
    }
    assert!(
        stale.is_empty(),
        "stale or missing macro-expansion snapshots: {stale:?}; regenerate with \
         `VYRE_BLESS=1 cargo test -p vyre-expand expanded`"
    );
}
