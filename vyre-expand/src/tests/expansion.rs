//! The expansion functions on small inputs.

use super::{device, errors, opcode};

const SIG: &str = "pub fn h(ctx: &Ctx, inp: &Buffer<u32>, out: &mut Buffer<u32>, acc: &Buffer<Atomic<u32>>, n: u32, x: i32, f: f32)";

fn body_errors(body: &str) -> Vec<String> {
    errors(&opcode("", &format!("{SIG} {{ {body} }}")))
}

fn assert_rejected(body: &str, needle: &str) {
    let errs = body_errors(body);
    assert!(
        errs.iter().any(|e| e.contains(needle)),
        "expected an error containing {needle:?} for `{body}`, got {errs:?}"
    );
}

#[test]
fn accepted_bodies_have_no_errors() {
    for body in [
        "",
        "out[n] = inp[n] + 1;",
        "let mut s = 0; for i in 0..inp.len() { s += inp[i]; } out[0] = s;",
        "acc[n].fetch_add(1); if acc[0].load() > 3 { ctx.shutdown(); }",
        "match x { 1 | 2 => {} _ => ctx.fault(1) }",
        "let v = if f > 0.5 { 1.0 } else { 2.0f32 }; out[0] = v as u32;",
        "if let Ok(v) = acc[0].compare_exchange(0, n) { out[0] = v; }",
        "vyre::printf!(\"{} {}\", n, x);",
        "ctx.spawn(Priority::Low, h::task(n, x, f));",
        "let k: i32 = -5; out[0] = (k.abs() as u32) << 2i32;",
    ] {
        let errs = body_errors(body);
        assert!(errs.is_empty(), "`{body}`: {errs:?}");
    }
}

#[test]
fn rejections_name_the_construct() {
    assert_rejected("let v = vec![1];", "`vec!` allocates");
    assert_rejected("let c = |a: u32| a;", "closures cannot run on the GPU");
    assert_rejected("let t = (1, 2);", "tuples are not supported");
    assert_rejected("let w = n as u128;", "`u128` is not available on the GPU");
    assert_rejected("inp[0] = 1;", "is read-only");
    assert_rejected("acc[0] = 1;", "holds atomics");
    assert_rejected("out[0].fetch_add(1);", "is an atomic method");
    assert_rejected("loop { break 3; }", "`break` with a value");
    assert_rejected("'a: loop { break 'a; }", "loop labels");
    assert_rejected("match n { 1..=3 => {} _ => {} }", "range patterns");
    assert_rejected("let s = \"x\";", "string literals");
    assert_rejected("println!(\"x\");", "use `vyre::printf!");
    assert_rejected(
        "let r = acc[0].compare_exchange(0, 1); let q = r;",
        "compare_exchange result",
    );
    assert_rejected("h(ctx, inp, out, acc, n, x, f);", "cannot call itself");
    assert_rejected(
        "let y = 1.5;",
        "cannot infer the type of this float literal",
    );
    // One error per inferred type, not per literal.
    assert_eq!(body_errors("let y = 1.5; let z = y * 2.0 + 3.0;").len(), 1);
    assert_rejected("let b = true < false;", "ordering comparisons of `bool`");
    assert_rejected("ctx.teleport();", "does not exist");
    assert_rejected("let k = std::cmp::min(1, 2);", "standard-library function");
    assert_rejected("let k = n.pow(2);", "`.pow()` is not available");
}

#[test]
fn signature_rejections() {
    let cases = [
        ("pub async fn h() {}", "cannot be `async`"),
        ("pub unsafe fn h() {}", "cannot be `unsafe`"),
        ("pub const fn h() {}", "cannot be `const`"),
        ("pub fn h<T>(x: T) {}", "cannot be generic"),
        ("pub fn h() -> u32 { 0 }", "returns nothing"),
        ("pub fn h(x: u128) {}", "`u128`"),
        ("pub fn h(v: Vec<u32>) {}", "heap type"),
        ("pub fn h(x: &u32) {}", "take scalars by value"),
        (
            "pub fn h(b: &Buffer<Atomic<f32>>) {}",
            "`Atomic<f32>` does not exist",
        ),
        (
            "pub fn h(b: &mut Buffer<Atomic<u32>>) {}",
            "shared reference",
        ),
        (
            "pub fn h(x: u32, ctx: &Ctx) {}",
            "must be the first parameter",
        ),
        ("pub fn h(&self) {}", "cannot take `self`"),
        ("pub extern \"C\" fn h() {}", "cannot have an ABI"),
    ];
    for (item, needle) in cases {
        let errs = errors(&opcode("", item));
        assert!(errs.iter().any(|e| e.contains(needle)), "{item}: {errs:?}");
    }
    let many: Vec<String> = (0..13).map(|i| format!("a{i}: u32")).collect();
    let errs = errors(&opcode("", &format!("fn h({}) {{}}", many.join(", "))));
    assert!(errs.iter().any(|e| e.contains("argument 13")), "{errs:?}");
}

#[test]
fn attribute_rejections() {
    for (attr, needle) in [
        ("id = 0xFFFF_0000", "reserved"),
        ("id = 0x1_0000_0000", "does not fit"),
        ("id = 1, id = 2", "given twice"),
        ("name = 1", "unknown #[opcode] argument"),
        ("7", "name the argument"),
        ("id = 1u64", "is a `u32`"),
        ("id = \"x\"", "is a `u32` integer"),
    ] {
        let errs = errors(&opcode(attr, "fn h() {}"));
        assert!(errs.iter().any(|e| e.contains(needle)), "{attr}: {errs:?}");
    }
}

#[test]
fn every_error_is_reported_at_once() {
    let errs = body_errors("let v = vec![1]; let t = (1, 2); inp[0] = 1; let w = n as u128;");
    assert_eq!(errs.len(), 4, "{errs:?}");
}

#[test]
fn rejected_handlers_keep_their_items() {
    let out = opcode(
        "id = 9",
        "pub fn h(out: &mut Buffer<u32>, n: u32) { let v = vec![n]; }",
    );
    assert_eq!(errors(&out).len(), 1);
    // The function, and a module with the same public items.
    assert!(out.contains("pub fn h (out : & mut Buffer < u32 > , n : u32)"));
    for item in [
        "pub const ID : u32 = 9u32",
        "pub fn handler ()",
        "pub fn try_handler ()",
        "pub fn task (n : :: core :: primitive :: u32)",
        "pub fn __native",
    ] {
        assert!(out.contains(item), "missing `{item}` in {out}");
    }
    assert!(out.contains("unreachable !"));
}

#[test]
fn non_functions_are_rejected_and_kept() {
    let out = opcode("", "struct S;");
    assert_eq!(errors(&out).len(), 1);
    assert!(out.contains("struct S"));
}

#[test]
fn loop_ticks_are_inserted_in_every_loop() {
    let out = opcode(
        "",
        "fn h(n: u32) { for i in 0..n { while n > 1 { loop { break; } } } }",
    );
    assert_eq!(
        out.matches(":: vyre :: host :: loop_tick ()").count(),
        3,
        "{out}"
    );
}

#[test]
fn derived_id_is_the_fnv_hash_of_the_name() {
    let out = opcode("", "fn visit() {}");
    let id = crate::id::derived_id("visit");
    assert!(
        out.contains(&format!("pub const ID : u32 = {id}u32")),
        "{out}"
    );
}

#[test]
fn device_functions() {
    let out = device("pub fn sq(x: u32) -> u32 { x * x }");
    assert!(errors(&out).is_empty());
    assert!(out.contains("pub mod sq"));
    assert!(out.contains("__vyre_inline"));
    let errs = errors(&device(
        "fn fib(n: u32) -> u32 { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }",
    ));
    assert_eq!(errs.len(), 2);
    assert!(errs.iter().all(|e| e.contains("calls itself")), "{errs:?}");
    let errs = errors(&device("fn f(x: u32) -> Vec<u32> { x }"));
    assert!(
        errs.iter()
            .any(|e| e.contains("returns a scalar, a struct or nothing")),
        "{errs:?}"
    );
}

#[test]
fn printf_checks_its_format() {
    let ok = crate::printf::expand(super::tokens("\"a {} b {}\", 1u32, 2u32")).to_string();
    assert!(errors(&ok).is_empty());
    for (input, needle) in [
        ("\"{:?}\", x", "only `{}` placeholders"),
        ("\"{}\"", "1 `{}` placeholder(s) but 0"),
        ("\"{}\", a, b", "this argument has no placeholder"),
        ("\"{} {} {} {} {} {} {}\", a, b, c, d, e, f, g", "at most 6"),
        ("x", "string literal"),
        ("\"}\"", "unmatched `}`"),
    ] {
        let out = crate::printf::expand(super::tokens(input)).to_string();
        let errs = errors(&out);
        assert!(errs.iter().any(|e| e.contains(needle)), "{input}: {errs:?}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("out[0] = {}n{};", "(".repeat(300), ")".repeat(300));
    let errs = body_errors(&deep);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("nests more than"), "{errs:?}");
    let blocks = format!("{}out[0] = n;{}", "{ ".repeat(200), " }".repeat(200));
    assert_eq!(body_errors(&blocks).len(), 1);
    // Within the limit, fine.
    let ok = format!("out[0] = {}n{};", "(".repeat(50), ")".repeat(50));
    assert!(body_errors(&ok).is_empty());
}
