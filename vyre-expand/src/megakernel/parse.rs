//! `megakernel! { … }` from tokens to a syntax tree. Syntax errors inside
//! a field are reported and the parser goes on with the next field, so
//! that one invocation reports every problem.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{braced, bracketed, token, Token};

use crate::ctxt::Ctxt;

/// Every field a megakernel accepts, with what its value looks like.
pub(crate) const FIELDS: &[&str] = &[
    "workgroup_size",
    "slots",
    "tenants",
    "partitions",
    "inbox_capacity",
    "claim_budget",
    "iteration_budget",
    "loop_limit",
    "starvation_limit",
    "printf_capacity",
    "request_slots",
    "scheduling",
    "buffers",
    "opcodes",
    "requests",
];

/// The invocation: one struct-like definition.
pub(crate) struct Input {
    pub(crate) attrs: Vec<syn::Attribute>,
    pub(crate) vis: syn::Visibility,
    pub(crate) ident: syn::Ident,
    pub(crate) fields: Vec<Field>,
}

/// `name: value`.
pub(crate) struct Field {
    pub(crate) name: syn::Ident,
    pub(crate) value: Value,
}

/// A field's value.
pub(crate) enum Value {
    /// A number (`64`, `1 << 16`, `SLOTS`).
    Expr(Box<syn::Expr>),
    /// `[c, h, n, l, i]`.
    List(token::Bracket, Vec<syn::Expr>),
    /// `{ name: type, … }`.
    Buffers(token::Brace, Vec<BufferDecl>),
    /// `[path, …]`.
    Opcodes(token::Bracket, Vec<syn::Path>),
    /// `[path, …]` of `requests`.
    Requests(token::Bracket, Vec<syn::Path>),
    /// `priority` or `sharded` (`scheduling`): whether the form is sharded.
    Scheduling(syn::Ident, bool),
    /// Already reported.
    Invalid,
}

/// `name: type` inside `buffers`.
pub(crate) struct BufferDecl {
    pub(crate) name: syn::Ident,
    pub(crate) ty: syn::Type,
}

/// Parses the invocation, reporting every syntax error to `cx`. `None`
/// when the input is not even `struct Name { … }`.
pub(crate) fn parse(cx: &Ctxt, tokens: TokenStream) -> Option<Input> {
    let parser = |input: ParseStream| -> syn::Result<Option<Input>> { parse_input(cx, input) };
    match parser.parse2(tokens) {
        Ok(v) => v,
        Err(e) => {
            cx.syn_error(e);
            None
        }
    }
}

fn parse_input(cx: &Ctxt, input: ParseStream) -> syn::Result<Option<Input>> {
    let attrs = input.call(syn::Attribute::parse_outer)?;
    let vis: syn::Visibility = input.parse()?;
    if !input.peek(Token![struct]) {
        return Err(input.error(
            "expected `struct Name { … }`: megakernel! defines one type, e.g.\n\
             megakernel! {\n    pub struct Bfs {\n        buffers: { dist: Atomic<u32> },\n        opcodes: [visit],\n    }\n}",
        ));
    }
    let _: Token![struct] = input.parse()?;
    let ident: syn::Ident = input.parse()?;
    if input.peek(Token![<]) {
        let generics: syn::Generics = input.parse()?;
        cx.error(
            &generics,
            "a megakernel type cannot be generic: its program is assembled once, from concrete handlers; remove the generic parameters",
        );
    }
    if input.peek(token::Paren) || input.peek(Token![;]) || !input.peek(token::Brace) {
        return Err(input.error(format!(
            "expected `{{` after `struct {ident}`: a megakernel is written like a struct with named fields, `struct {ident} {{ buffers: {{ … }}, opcodes: [ … ] }}`"
        )));
    }
    let content;
    braced!(content in input);
    let fields = parse_fields(cx, &content);
    if input.peek(Token![;]) {
        let _: Token![;] = input.parse()?;
    }
    if !input.is_empty() {
        return Err(input.error(
            "unexpected tokens after the megakernel definition: one megakernel! invocation defines one type; write another megakernel! for another type",
        ));
    }
    Ok(Some(Input {
        attrs,
        vis,
        ident,
        fields,
    }))
}

/// Skips tokens up to (not including) the next `,` of this level.
fn skip_to_comma(input: ParseStream) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
                return Ok(((), rest));
            }
            rest = next;
        }
        Ok(((), rest))
    });
}

/// After an item of a comma-separated list: a `,`, or the end.
fn expect_comma(cx: &Ctxt, input: ParseStream, after: &str) {
    if input.is_empty() {
        return;
    }
    if input.peek(Token![,]) {
        let _ = input.parse::<Token![,]>();
        return;
    }
    // `name: …` next: only the comma is missing; go on from there.
    if input.peek(syn::Ident) && input.peek2(Token![:]) && !input.peek2(Token![::]) {
        let next = input.fork().parse::<syn::Ident>().map(|i| i.to_string());
        let next = next.unwrap_or_default();
        cx.syn_error(input.error(format!("missing `,` before `{next}`")));
        return;
    }
    cx.syn_error(input.error(format!("expected `,` after {after}")));
    skip_to_comma(input);
    let _ = input.parse::<Token![,]>();
}

fn parse_fields(cx: &Ctxt, input: ParseStream) -> Vec<Field> {
    let mut fields = Vec::new();
    while !input.is_empty() {
        let name = match input.call(syn::ext::IdentExt::parse_any) {
            Ok(name) => name,
            Err(_) => {
                cx.syn_error(input.error("expected a field name, such as `slots` or `opcodes`"));
                skip_to_comma(input);
                let _ = input.parse::<Token![,]>();
                continue;
            }
        };
        if input.parse::<Token![:]>().is_err() {
            cx.error(&name, format!("expected `:` after the field name `{name}`"));
            skip_to_comma(input);
            let _ = input.parse::<Token![,]>();
            continue;
        }
        let value = parse_value(cx, &name, input);
        fields.push(Field { name, value });
        expect_comma(cx, input, "a field's value");
    }
    fields
}

fn parse_value(cx: &Ctxt, name: &syn::Ident, input: ParseStream) -> Value {
    let key = name.to_string();
    let result = match key.as_str() {
        "buffers" => parse_buffers(cx, input),
        "opcodes" => parse_opcodes(cx, input),
        "requests" => parse_requests(cx, input),
        "partitions" => parse_list(input),
        "scheduling" => parse_scheduling(input),
        k if FIELDS.contains(&k) => input.parse().map(|e| Value::Expr(Box::new(e))),
        _ => {
            skip_to_comma(input);
            return Value::Invalid;
        }
    };
    match result {
        Ok(v) => v,
        Err(e) => {
            cx.syn_error(e);
            skip_to_comma(input);
            Value::Invalid
        }
    }
}

fn parse_scheduling(input: ParseStream) -> syn::Result<Value> {
    const EXPECTED: &str = "expected `priority` (the default: lanes claim the highest priority first) or `sharded` (each lane runs the tasks of its own slots, for uniform work)";
    let ident: syn::Ident = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), EXPECTED))?;
    match ident.to_string().as_str() {
        "priority" => Ok(Value::Scheduling(ident, false)),
        "sharded" => Ok(Value::Scheduling(ident, true)),
        _ => Err(syn::Error::new(ident.span(), EXPECTED)),
    }
}

fn parse_list(input: ParseStream) -> syn::Result<Value> {
    if !input.peek(token::Bracket) {
        return Err(input.error(
            "expected `[critical, high, normal, low, idle]`: the slots of each priority's partition",
        ));
    }
    let content;
    let bracket = bracketed!(content in input);
    let items = Punctuated::<syn::Expr, Token![,]>::parse_terminated(&content)?;
    Ok(Value::List(bracket, items.into_iter().collect()))
}

/// `requests: [kind, …]`: the #[request] kinds the handlers use.
fn parse_requests(cx: &Ctxt, input: ParseStream) -> syn::Result<Value> {
    let (bracket, paths) = parse_paths(
        cx,
        input,
        "expected `[kind, …]`: the #[request] kinds this megakernel's handlers use, e.g. `requests: [read_chunk]`",
        "expected the path of a #[request] declaration, such as `read_chunk`",
        "a request kind",
    )?;
    Ok(Value::Requests(bracket, paths))
}

fn parse_opcodes(cx: &Ctxt, input: ParseStream) -> syn::Result<Value> {
    let (bracket, paths) = parse_paths(
        cx,
        input,
        "expected `[handler, …]`: the #[opcode] functions of this megakernel, e.g. `opcodes: [visit, relax]`",
        "expected the path of an #[opcode] function, such as `visit` or `graph::visit`",
        "an opcode",
    )?;
    Ok(Value::Opcodes(bracket, paths))
}

/// `[path, …]`; a bad path is reported (`item`) and skipped.
fn parse_paths(
    cx: &Ctxt,
    input: ParseStream,
    list: &str,
    item: &str,
    what: &str,
) -> syn::Result<(token::Bracket, Vec<syn::Path>)> {
    if !input.peek(token::Bracket) {
        return Err(input.error(list));
    }
    let content;
    let bracket = bracketed!(content in input);
    let mut paths = Vec::new();
    while !content.is_empty() {
        match content.call(syn::Path::parse_mod_style) {
            Ok(p) => paths.push(p),
            Err(_) => {
                cx.syn_error(content.error(item));
                skip_to_comma(&content);
            }
        }
        expect_comma(cx, &content, what);
    }
    Ok((bracket, paths))
}

fn parse_buffers(cx: &Ctxt, input: ParseStream) -> syn::Result<Value> {
    if !input.peek(token::Brace) {
        return Err(input.error(
            "expected `{ name: type, … }`: the buffers handlers bind to by name, e.g. `buffers: { edges: u32, dist: Atomic<u32> }`",
        ));
    }
    let content;
    let brace = braced!(content in input);
    let mut decls = Vec::new();
    while !content.is_empty() {
        let name = match content.call(syn::ext::IdentExt::parse_any) {
            Ok(n) => n,
            Err(_) => {
                cx.syn_error(content.error("expected a buffer name"));
                skip_to_comma(&content);
                let _ = content.parse::<Token![,]>();
                continue;
            }
        };
        if content.parse::<Token![:]>().is_err() {
            cx.error(
                &name,
                format!("expected `: type` after the buffer name `{name}` (`u32`, `i32`, `f32`, `Atomic<u32>` or `Atomic<i32>`)"),
            );
            skip_to_comma(&content);
            let _ = content.parse::<Token![,]>();
            continue;
        }
        match content.parse::<syn::Type>() {
            Ok(ty) => decls.push(BufferDecl { name, ty }),
            Err(e) => {
                cx.syn_error(e);
                skip_to_comma(&content);
            }
        }
        expect_comma(cx, &content, "a buffer declaration");
    }
    Ok(Value::Buffers(brace, decls))
}

/// The span of a value, for errors about it.
pub(crate) fn value_span(v: &Value, fallback: Span) -> Span {
    match v {
        Value::Expr(e) => e.span(),
        Value::List(b, _) | Value::Opcodes(b, _) | Value::Requests(b, _) => b.span.join(),
        Value::Buffers(b, _) => b.span.join(),
        Value::Scheduling(i, _) => i.span(),
        Value::Invalid => fallback,
    }
}
