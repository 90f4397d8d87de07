//! Feeds thousands of mutated handler bodies to the expansion entry points:
//! none may panic, every rejection must point into the input (never at the
//! call site), and the expansion must parse as Rust items whenever the
//! input parsed as a function.

use std::panic::{catch_unwind, AssertUnwindSafe};

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};

use super::tokens;

/// xorshift64*: small, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const SIGNATURES: &[&str] = &[
    "pub fn h(ctx: &Ctx, offsets: &Buffer<u32>, edges: &Buffer<u32>, dist: &Buffer<Atomic<u32>>, out: &mut Buffer<f32>, node: u32, depth: u32, x: i32, f: f32, flag: bool)",
    "pub fn w(ctx: &Ctx, wide: &mut Buffer<u64>, signed: &Buffer<i64>, i: u32, a: u64, s: i64)",
    "pub fn s(ps: &mut Buffer<Particle>, seen: &Buffer<Pair>, i: u32, dt: f32)",
];

const BODIES: &[&str] = &[
    "for e in offsets[node]..offsets[node + 1] {
        let next = edges[e];
        if dist[next].fetch_min(depth + 1) > depth + 1 {
            ctx.spawn(Priority::High, h::task(next, depth + 1, x, f, flag));
        }
    }",
    "let mut acc = 0.0;
    let mut i = 0;
    while i < edges.len() {
        acc += edges[i] as f32 * f;
        i += 1;
        if acc > 100.0 { break; }
    }
    out[node] = if flag { acc.sqrt() } else { acc.floor() };
    match x { 1 | 2 => out[0] = 1.0, -3 => { out[1] = 2.0; } n => out[2] = n as f32 }",
    "let r = dist[node].compare_exchange(0, depth);
    match r { Ok(v) => out[v] = 1.0, Err(v) => out[v % 4] = 2.0 }
    if let Ok(p) = dist[1].compare_exchange(p0(depth), 3) { out[p] += 0.5; }
    let k = loop { break; };
    vyre::printf!(\"node {} depth {}\", node, depth);
    if ctx.priority() == Priority::Low { ctx.fault(depth); } else { ctx.shutdown(); }
    let y = helper(node, offsets) + { let t = x.abs(); t as u32 };
    for j in 0..=y { if j % 3 == 0 { continue; } out[j] -= 1.0; }",
    "let a = (node << 3) ^ (depth >> x) | !node & 0xFF;
    let b = a.rotate_left(5).count_ones().min(depth).clamp(1, 10);
    let c = -x.wrapping_mul(7) % 11;
    let d = f.mul_add(2.0, -1.5).powf(0.5) + core::f32::consts::PI;
    out[b] = d * (c as f32) / (a as f32 + 1.0);
    { let z = u32::MAX - a; if z < 5 && flag || !flag { return; } }",
    "let mut stack = [0u32; 32];
    let mut top = 1u32;
    stack[0] = node;
    let list = [x, -x, 7];
    while top > 0 && top < 30 {
        top -= 1;
        let v = stack[top as usize];
        if v < 64 { stack[top as usize] = 2 * v + 1; stack[(top + 1) as usize] += v; top += 2; }
    }
    out[node] = list[(depth % 3) as usize] as f32 + stack.len() as f32;",
    "let mut p = ps[i];
    p.pos[0] += p.vel[0] * dt;
    if p.pos[0] < 0.0 { p.vel[0] = -p.vel[0]; p.hits += 1; }
    let q = Particle { pos: [p.pos[1], 0.5], vel: [0.0; 2], id: seen[i].a.id, hits: p.hits };
    let mut r = q;
    r.pos[(i % 2) as usize] = seen[i].b.pos[1];
    let mut a = [p, q];
    a[(i % 2) as usize].hits += a.len() as u32;
    a[0].pos[(i % 2) as usize] = dt;
    let b = a[1];
    a[1] = r;
    let mut c = [Particle { pos: [0.0; 2], vel: [dt, dt], id: 1, hits: 2 }; 4];
    c[3] = a[0];
    ps[i] = p;
    ps[i].id = i + b.id + c[(i % 4) as usize].hits;
    ps[(i + 1) % ps.len()] = a[1];",
    "let mut z = a.wrapping_add((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let t = signed[i] / (s | 1) + (z as i64 >> 3);
    wide[i] = z ^ (t as u64).rotate_left(7) ^ u64::MAX;
    if z.count_ones() > 32 && t < -1i64 { ctx.spawn(Priority::Low, w::task(i + 1, z, t)); }
    let f = (z as f32) * 0.5 + (t as f32);
    wide[i + 1] = f as u64 + (a % 3) + (1u64 << (i & 63)) + i64::MAX as u64;",
];

const SNIPPETS: &[&str] = &[
    "let v = vec![1, 2, 3];",
    "let s = String::new();",
    "let c = |q: u32| q + 1;",
    "let t = (node, depth);",
    "let a = [1u32; 4];",
    "let a = [1u32; depth];",
    "let a = [0u32; 5000];",
    "let a: [u32; 0] = [];",
    "let mut a = [0u32; 4]; a = [1u32; 4];",
    "let a = [0u32; 4]; let b = a;",
    "let a = [0u32; 4]; a.iter();",
    "let w = node as u128;",
    "let p = &node;",
    "*out = 3;",
    "'outer: loop { break 'outer; }",
    "loop { break 5; }",
    "async { 1 };",
    "unsafe { node };",
    "let q = foo()?;",
    "x.await;",
    "let o = Some(3);",
    "match node { 1..=3 => {}, _ => {} }",
    "struct S;",
    "fn inner() {}",
    "let st = S { a: 1 };",
    "let fl = t.0;",
    "println!(\"hi {}\", node);",
    "std::mem::swap(&mut a, &mut b);",
    "return 5;",
    "ctx.foo();",
    "edges.iter();",
    "edges[0] = 1;",
    "dist[0] = 1;",
    "out[0].fetch_add(1.0);",
    "let z: f64 = 1.0;",
    "let u = 1u8;",
    "let e = 'c';",
    "let g = \"text\";",
    "if let Some(v) = o {}",
    "while let Ok(v) = r {}",
    "let (m, n) = (1, 2);",
    "let k;",
    "let _ = node <= flag;",
    "let b2 = true < false;",
    "match f { 1.0 => {}, _ => {} }",
    "for i in (0..node).rev() {}",
    "for i in edges {}",
    "for i in 0.. {}",
    "h(ctx, offsets, edges, dist, out, node, depth, x, f, flag);",
    "ctx.spawn(Priority::High, t);",
    "let bad = 1.5;",
    "const K: u32 = 1;",
    "use std::mem;",
    "let m = node.pow(2);",
    "let cast = node as Priority;",
    "match r { Ok(v) if v > 1 => {}, _ => {} }",
    "dist[0].store(1)",
    "let ss = dist[0].store(1);",
    "let x9 = dist[node];",
    "let y9 = offsets.len;",
    "x += 1.5;",
    "vyre::printf!(node);",
    "vyre::printf!(\"{:?}\", node);",
    "let deep = ((((((((((node))))))))));",
    "let q = (node as u64).wrapping_mul(0xFFFF_FFFF_FFFF) >> 3u32;",
    "match node as u64 { 0 => {}, _ => {} }",
    "for q in 0..node as i64 {}",
    "let h = 1u128;",
];

/// A token-tree tree that can be edited.
#[derive(Clone)]
enum Tt {
    Leaf(TokenTree),
    Group(Delimiter, Vec<Tt>),
}

fn to_tts(ts: TokenStream) -> Vec<Tt> {
    ts.into_iter()
        .map(|t| match t {
            TokenTree::Group(g) => Tt::Group(g.delimiter(), to_tts(g.stream())),
            other => Tt::Leaf(other),
        })
        .collect()
}

fn to_stream(tts: &[Tt]) -> TokenStream {
    tts.iter()
        .map(|t| match t {
            Tt::Leaf(l) => l.clone(),
            Tt::Group(d, inner) => TokenTree::Group(Group::new(*d, to_stream(inner))),
        })
        .collect()
}

/// Picks a sequence (the top level or a group's contents) at random.
fn pick<'a>(rng: &mut Rng, tts: &'a mut Vec<Tt>) -> &'a mut Vec<Tt> {
    let groups: Vec<usize> = tts
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t, Tt::Group(..)))
        .map(|(i, _)| i)
        .collect();
    if groups.is_empty() || rng.below(3) == 0 {
        return tts;
    }
    let i = groups[rng.below(groups.len())];
    match &mut tts[i] {
        Tt::Group(_, inner) => pick(rng, inner),
        Tt::Leaf(_) => unreachable!(),
    }
}

const IDENTS: &[&str] = &[
    "node",
    "depth",
    "x",
    "f",
    "flag",
    "ctx",
    "offsets",
    "edges",
    "dist",
    "out",
    "h",
    "task",
    "Priority",
    "u32",
    "f32",
    "fetch_add",
    "load",
    "len",
    "compare_exchange",
    "Ok",
    "Err",
    "_",
    "self",
    "crate",
    "super",
    "Self",
    "loop",
    "while",
    "if",
    "match",
    "return",
    "break",
    "continue",
    "let",
    "mut",
    "as",
    "for",
    "in",
];

/// Positions where a statement may start: the beginning, and after `;`
/// or a `{ … }` block.
fn boundaries(seq: &[Tt]) -> Vec<usize> {
    let mut b = vec![0];
    for (i, t) in seq.iter().enumerate() {
        let ends = match t {
            Tt::Leaf(TokenTree::Punct(p)) => p.as_char() == ';',
            Tt::Group(Delimiter::Brace, _) => true,
            _ => false,
        };
        if ends {
            b.push(i + 1);
        }
    }
    b
}

/// Picks a statement sequence: the top level or a `{ … }` block.
fn pick_block<'a>(rng: &mut Rng, tts: &'a mut Vec<Tt>) -> &'a mut Vec<Tt> {
    let blocks: Vec<usize> = tts
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t, Tt::Group(Delimiter::Brace, _)))
        .map(|(i, _)| i)
        .collect();
    if blocks.is_empty() || rng.below(3) == 0 {
        return tts;
    }
    let i = blocks[rng.below(blocks.len())];
    match &mut tts[i] {
        Tt::Group(_, inner) => pick_block(rng, inner),
        Tt::Leaf(_) => unreachable!(),
    }
}

fn mutate(rng: &mut Rng, body: &mut Vec<Tt>) {
    let op = rng.below(10);
    if op >= 5 {
        // Statement-level edits keep most inputs parseable, so that they
        // reach the translator.
        let seq = pick_block(rng, body);
        let n = seq.len();
        let b = boundaries(seq);
        let at = b[rng.below(b.len())];
        if op == 9 {
            let end = b.iter().copied().find(|&e| e > at).unwrap_or(n);
            seq.drain(at..end.min(n));
        } else {
            let snippet = SNIPPETS[rng.below(SNIPPETS.len())];
            for (k, t) in to_tts(tokens(snippet)).into_iter().enumerate() {
                seq.insert(at + k, t);
            }
        }
        return;
    }
    // Token-level edits anywhere.
    let seq = pick(rng, body);
    let n = seq.len();
    if n == 0 {
        return;
    }
    let i = rng.below(n);
    match op {
        0 => {
            seq.remove(i);
        }
        1 if i + 1 < n => seq.swap(i, i + 1),
        2 => {
            let word = IDENTS[rng.below(IDENTS.len())];
            if let Some(t) = to_tts(tokens(word)).into_iter().next() {
                seq[i] = t;
            }
        }
        3 => {
            let lit = [
                "0",
                "1u32",
                "-1",
                "2.5",
                "4294967296",
                "1e40",
                "true",
                "0xFFFF_FFFF",
                "7i32",
                "3f32",
            ][rng.below(10)];
            if let Some(t) = to_tts(tokens(lit)).into_iter().next() {
                seq[i] = t;
            }
        }
        _ => {
            let t = seq[i].clone();
            seq.insert(i, t);
        }
    }
}

/// The spans of the `compile_error` invocations of an expansion.
fn error_spans(ts: &TokenStream, out: &mut Vec<Span>) {
    let v: Vec<TokenTree> = ts.clone().into_iter().collect();
    for (i, t) in v.iter().enumerate() {
        match t {
            TokenTree::Ident(id) if id == "compile_error" => {
                out.push(id.span());
                if let Some(TokenTree::Group(g)) = v.get(i + 2) {
                    out.push(g.span());
                }
            }
            TokenTree::Group(g) => error_spans(&g.stream(), out),
            _ => {}
        }
    }
}

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    accepted: usize,
    rejected: usize,
    errors: usize,
    unparsable: usize,
}

fn run_case(attr: &str, item_src: &str, device: bool, tally: &mut Tally) {
    let attr_ts = tokens(attr);
    // A mutation can leave text that no longer lexes (a split lifetime):
    // rustc would reject it before any macro runs.
    let Ok(item_ts) = item_src.parse::<TokenStream>() else {
        tally.unparsable += 1;
        return;
    };
    let (a, i) = (attr_ts.clone(), item_ts.clone());
    let result = catch_unwind(AssertUnwindSafe(|| {
        if device {
            crate::expand::expand_device(a, i)
        } else {
            crate::expand::expand_opcode(a, i)
        }
    }));
    let out = match result {
        Ok(out) => out,
        Err(_) => panic!(
            "the macro panicked on:\n#[{}] {item_src}",
            if device { "device" } else { "opcode" }
        ),
    };
    tally.cases += 1;
    let mut spans = Vec::new();
    error_spans(&out, &mut spans);
    for s in &spans {
        // A span of an input token has that token's text; the call site
        // (or a synthesised token) has none.
        let text = s.source_text().unwrap_or_default();
        let inside = !text.is_empty() && (item_src.contains(&text) || attr.contains(&text));
        assert!(
            inside,
            "an error points outside the input ({:?} {text:?}):\n{item_src}\n=> {out}",
            s.byte_range()
        );
    }
    let parses_as_fn = syn::parse2::<syn::ItemFn>(item_ts).is_ok();
    if !parses_as_fn {
        tally.unparsable += 1;
        return;
    }
    if let Err(e) = syn::parse2::<syn::File>(out.clone()) {
        panic!("the expansion is not valid Rust ({e}):\n{item_src}\n=> {out}");
    }
    if spans.is_empty() {
        tally.accepted += 1;
    } else {
        tally.rejected += 1;
        tally.errors += spans.len() / 2;
    }
}

#[test]
fn mutated_bodies_never_panic_and_errors_point_into_the_input() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut tally = Tally::default();
    for round in 0..(std::env::var("VYRE_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2500))
    {
        let sig = SIGNATURES[rng.below(SIGNATURES.len())];
        let body = BODIES[rng.below(BODIES.len())];
        let mut tts = to_tts(tokens(body));
        for _ in 0..1 + rng.below(3) {
            mutate(&mut rng, &mut tts);
        }
        // Re-lex so that every token has a position in this one input.
        let item = format!("{sig} {{ {} }}", to_stream(&tts));
        let attr = [
            "",
            "id = 7",
            "id = 0xFFFF_FFFF",
            "id = K + 1",
            "idd = 3",
            "id = \"x\"",
        ][round % 6];
        run_case(attr, &item, false, &mut tally);
        if round % 5 == 0 {
            let dev = format!(
                "fn helper(n: u32, buf: &Buffer<u32>) -> u32 {{ {} ; n }}",
                to_stream(&tts)
            );
            run_case("", &dev, true, &mut tally);
        }
    }
    // Whole-signature mutations.
    for round in 0..300 {
        let mut tts = to_tts(tokens(&format!(
            "{} {{ {} }}",
            SIGNATURES[0],
            BODIES[round % BODIES.len()]
        )));
        for _ in 0..1 + rng.below(3) {
            mutate(&mut rng, &mut tts);
        }
        let item = to_stream(&tts).to_string();
        run_case("", &item, round % 2 == 0, &mut tally);
    }
    println!("{tally:?}");
    assert!(tally.cases >= 2500);
    // Most inputs still parse and reach the translator.
    assert!(tally.accepted + tally.rejected >= 1000, "{tally:?}");
    assert!(tally.rejected > 500 && tally.accepted > 50, "{tally:?}");
}

#[test]
fn every_snippet_alone_is_handled() {
    let mut tally = Tally::default();
    for s in SNIPPETS {
        let item = format!("{} {{ {s} }}", SIGNATURES[0]);
        let before = tally.accepted;
        run_case("", &item, false, &mut tally);
        if tally.accepted > before {
            println!("accepted: {s}");
        }
    }
    // The eight accepted ones are left to rustc (type errors, printf!'s own
    // checks, `S` not being an `Element` struct) or valid.
    assert_eq!(tally.accepted, 8, "{tally:?}");
}

#[test]
fn seeds_parse() {
    for b in BODIES {
        let item = format!("{} {{ {} }}", SIGNATURES[0], b);
        if let Err(e) = syn::parse2::<syn::ItemFn>(tokens(&item)) {
            panic!("{e}: {b}");
        }
    }
}

#[test]
fn the_wide_seed_is_accepted_with_its_signature() {
    // Unmutated, the 64-bit body expands without an error under the 64-bit
    // signature, so its mutations start from accepted code.
    // So are the struct body under the third and the local-array body
    // under the first.
    for (sig, body) in [
        (SIGNATURES[1], BODIES[BODIES.len() - 1]),
        (SIGNATURES[2], BODIES[BODIES.len() - 2]),
        (SIGNATURES[0], BODIES[BODIES.len() - 3]),
    ] {
        let item = format!("{sig} {{ {body} }}");
        let mut tally = Tally::default();
        run_case("", &item, false, &mut tally);
        assert_eq!(tally.accepted, 1, "{tally:?}: {item}");
    }
}
