//! The 64-bit integer library of the WGSL lowering
//! (`src/lower/wgsl/int64.wgsl`: `u64` and `i64` as `vec2<u32>`, x = low
//! word, y = high word) runs on the wgpu adapter, and every function's
//! result is compared bit for bit with Rust's own `u64`, `i64` and `f32`
//! arithmetic: fixed edge cases and seeded pseudo-random inputs, all in one
//! dispatch. Without an adapter the test prints a notice and passes,
//! unless `VYRE_REQUIRE_GPU=1`.

mod wgsl_common;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::Instant;

const LIBRARY: &str = include_str!("../src/lower/wgsl/int64.wgsl");

/// Words of one case in the input buffer: the function's index, then
/// `a`, `b` and `c` (low word first), then padding.
const CASE_WORDS: usize = 8;
const WORKGROUP_SIZE: usize = 64;

/// How the test entry point calls a function and reads its result back
/// as a `vec2<u32>`. Every case carries three 64-bit inputs `a`, `b`, `c`;
/// a shape uses what it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// `(a, b) -> vec2<u32>`.
    Binary,
    /// `(a, b) -> bool`, read back as 0 or 1.
    Compare,
    /// `(a) -> vec2<u32>`.
    Unary,
    /// `(a) -> u32`.
    Count,
    /// `(a, n) -> vec2<u32>`, `n` the low word of `b`.
    Shift,
    /// `(a, b, c) -> vec2<u32>` (x, lo, hi).
    Clamp,
    /// `(x: f32) -> vec2<u32>`, `x`'s bits the low word of `a`.
    FromF32,
    /// `(a) -> f32`, read back as its bits.
    ToF32,
    /// `(x: i32) -> vec2<u32>`, `x`'s bits the low word of `a`.
    FromI32,
}

impl Shape {
    /// The WGSL expression that calls `name` on the case's `a`, `b`, `c`.
    fn call(self, name: &str) -> String {
        match self {
            Shape::Binary => format!("{name}(a, b)"),
            Shape::Compare => format!("vec2<u32>(select(0u, 1u, {name}(a, b)), 0u)"),
            Shape::Unary => format!("{name}(a)"),
            Shape::Count => format!("vec2<u32>({name}(a), 0u)"),
            Shape::Shift => format!("{name}(a, b.x)"),
            Shape::Clamp => format!("{name}(a, b, c)"),
            Shape::FromF32 => format!("{name}(bitcast<f32>(a.x))"),
            Shape::ToF32 => format!("vec2<u32>(bitcast<u32>({name}(a)), 0u)"),
            Shape::FromI32 => format!("{name}(bitcast<i32>(a.x))"),
        }
    }

    /// The inputs of a case, for a failure message.
    fn show_inputs(self, case: &Case) -> String {
        match self {
            Shape::Binary | Shape::Compare => format!("{}, {}", word(case.a), word(case.b)),
            Shape::Unary | Shape::Count | Shape::ToF32 => word(case.a),
            Shape::Shift => format!("{}, {}u", word(case.a), case.b as u32),
            Shape::Clamp => format!("{}, {}, {}", word(case.a), word(case.b), word(case.c)),
            Shape::FromF32 => float(case.a),
            Shape::FromI32 => format!("{}i", case.a as u32 as i32),
        }
    }

    /// A result, for a failure message.
    fn show_result(self, v: u64) -> String {
        match self {
            Shape::Compare => format!("{v}"),
            Shape::Count => format!("{}u", v as u32),
            Shape::ToF32 => float(v),
            _ => word(v),
        }
    }
}

/// A 64-bit value in hex, and as i64 when that reads differently.
fn word(v: u64) -> String {
    if (v as i64) < 0 {
        format!("{v:#018x} ({})", v as i64)
    } else {
        format!("{v:#018x} ({v})")
    }
}

/// The f32 whose bits are the low word of `v`.
fn float(v: u64) -> String {
    format!("{:e} (bits {:#010x})", f32::from_bits(v as u32), v as u32)
}

/// One library function: its name, how it is called, and what Rust says
/// its result is for inputs `a`, `b`, `c` (as `Shape` reads them).
struct Function {
    name: &'static str,
    shape: Shape,
    rust: fn(u64, u64, u64) -> u64,
}

fn signed(v: u64) -> i64 {
    v as i64
}

fn f32_of(v: u64) -> f32 {
    f32::from_bits(v as u32)
}

/// Rust's `clamp` where it is defined (`lo <= hi`); the library's rule
/// `if x < lo { x = lo } if x > hi { x = hi }` gives `hi` otherwise.
fn clamp_rule<T: Ord>(x: T, lo: T, hi: T) -> T {
    if lo <= hi {
        x.clamp(lo, hi)
    } else {
        hi
    }
}

const FUNCTIONS: &[Function] = &[
    Function {
        name: "vy_w_add",
        shape: Shape::Binary,
        rust: |a, b, _| a.wrapping_add(b),
    },
    Function {
        name: "vy_w_sub",
        shape: Shape::Binary,
        rust: |a, b, _| a.wrapping_sub(b),
    },
    Function {
        name: "vy_w_mul",
        shape: Shape::Binary,
        rust: |a, b, _| a.wrapping_mul(b),
    },
    Function {
        name: "vy_w_neg",
        shape: Shape::Unary,
        rust: |a, _, _| a.wrapping_neg(),
    },
    Function {
        name: "vy_u64_div",
        shape: Shape::Binary,
        rust: |a, b, _| a.checked_div(b).unwrap_or(0),
    },
    Function {
        name: "vy_u64_rem",
        shape: Shape::Binary,
        rust: |a, b, _| a.checked_rem(b).unwrap_or(0),
    },
    Function {
        name: "vy_i64_div",
        shape: Shape::Binary,
        rust: |a, b, _| {
            if b == 0 {
                0
            } else {
                signed(a).wrapping_div(signed(b)) as u64
            }
        },
    },
    Function {
        name: "vy_i64_rem",
        shape: Shape::Binary,
        rust: |a, b, _| {
            if b == 0 {
                0
            } else {
                signed(a).wrapping_rem(signed(b)) as u64
            }
        },
    },
    Function {
        name: "vy_w_shl",
        shape: Shape::Shift,
        rust: |a, n, _| a.wrapping_shl(n as u32),
    },
    Function {
        name: "vy_u64_shr",
        shape: Shape::Shift,
        rust: |a, n, _| a.wrapping_shr(n as u32),
    },
    Function {
        name: "vy_i64_shr",
        shape: Shape::Shift,
        rust: |a, n, _| signed(a).wrapping_shr(n as u32) as u64,
    },
    Function {
        name: "vy_u64_lt",
        shape: Shape::Compare,
        rust: |a, b, _| u64::from(a < b),
    },
    Function {
        name: "vy_u64_le",
        shape: Shape::Compare,
        rust: |a, b, _| u64::from(a <= b),
    },
    Function {
        name: "vy_i64_lt",
        shape: Shape::Compare,
        rust: |a, b, _| u64::from(signed(a) < signed(b)),
    },
    Function {
        name: "vy_i64_le",
        shape: Shape::Compare,
        rust: |a, b, _| u64::from(signed(a) <= signed(b)),
    },
    Function {
        name: "vy_w_count_ones",
        shape: Shape::Count,
        rust: |a, _, _| u64::from(a.count_ones()),
    },
    Function {
        name: "vy_w_leading_zeros",
        shape: Shape::Count,
        rust: |a, _, _| u64::from(a.leading_zeros()),
    },
    Function {
        name: "vy_w_trailing_zeros",
        shape: Shape::Count,
        rust: |a, _, _| u64::from(a.trailing_zeros()),
    },
    Function {
        name: "vy_w_rotate_left",
        shape: Shape::Shift,
        rust: |a, n, _| a.rotate_left(n as u32),
    },
    Function {
        name: "vy_w_rotate_right",
        shape: Shape::Shift,
        rust: |a, n, _| a.rotate_right(n as u32),
    },
    Function {
        name: "vy_w_reverse_bits",
        shape: Shape::Unary,
        rust: |a, _, _| a.reverse_bits(),
    },
    Function {
        name: "vy_u64_min",
        shape: Shape::Binary,
        rust: |a, b, _| a.min(b),
    },
    Function {
        name: "vy_u64_max",
        shape: Shape::Binary,
        rust: |a, b, _| a.max(b),
    },
    Function {
        name: "vy_i64_min",
        shape: Shape::Binary,
        rust: |a, b, _| signed(a).min(signed(b)) as u64,
    },
    Function {
        name: "vy_i64_max",
        shape: Shape::Binary,
        rust: |a, b, _| signed(a).max(signed(b)) as u64,
    },
    Function {
        name: "vy_u64_clamp",
        shape: Shape::Clamp,
        rust: clamp_rule::<u64>,
    },
    Function {
        name: "vy_i64_clamp",
        shape: Shape::Clamp,
        rust: |x, lo, hi| clamp_rule(signed(x), signed(lo), signed(hi)) as u64,
    },
    Function {
        name: "vy_i64_abs",
        shape: Shape::Unary,
        rust: |a, _, _| signed(a).wrapping_abs() as u64,
    },
    Function {
        name: "vy_u64_from_f32",
        shape: Shape::FromF32,
        rust: |a, _, _| f32_of(a) as u64,
    },
    Function {
        name: "vy_i64_from_f32",
        shape: Shape::FromF32,
        rust: |a, _, _| f32_of(a) as i64 as u64,
    },
    Function {
        name: "vy_f32_from_u64",
        shape: Shape::ToF32,
        rust: |a, _, _| u64::from((a as f32).to_bits()),
    },
    Function {
        name: "vy_f32_from_i64",
        shape: Shape::ToF32,
        rust: |a, _, _| u64::from((signed(a) as f32).to_bits()),
    },
    Function {
        name: "vy_i64_from_i32",
        shape: Shape::FromI32,
        rust: |a, _, _| i64::from(a as u32 as i32) as u64,
    },
];

/// Library functions without an entry of their own: each is checked
/// through the functions that call it.
const HELPERS: &[&str] = &[
    "vy_mul_wide",      // vy_w_mul
    "vy_div_wide",      // vy_u64_divrem
    "vy_u64_divrem",    // the four divisions
    "vy_f32_magnitude", // the two casts from f32
];

/// One call: function `f` of [`FUNCTIONS`] on `a`, `b`, `c`.
#[derive(Clone, Copy, Debug)]
struct Case {
    f: usize,
    a: u64,
    b: u64,
    c: u64,
}

/// xorshift64, seeded: the same inputs on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A value of some magnitude and bit pattern: uniform, shifted down or
    /// up, sparse, near an edge case, small negative.
    fn value(&mut self, edges: &[u64]) -> u64 {
        let r = self.next();
        match self.below(6) {
            0 => r,
            1 => r >> self.below(64),
            2 => r << self.below(64),
            3 => r & self.next() & self.next(),
            4 => {
                let e = edges[self.below(edges.len() as u64) as usize];
                e.wrapping_add(self.below(7)).wrapping_sub(3)
            }
            _ => self.below(1000).wrapping_neg(),
        }
    }
}

/// 64-bit edge cases: word boundaries, signed limits, bit patterns,
/// powers of two and their neighbours, values near f32 rounding ties.
fn edges() -> Vec<u64> {
    let mut v: Vec<u64> = vec![
        0,
        1,
        2,
        3,
        5,
        7,
        10,
        0xFF,
        0xFFFF,
        0x7FFF_FFFF,
        u64::from(u32::MAX) - 1,
        u64::from(u32::MAX),
        (1 << 32) + 1,
        (1 << 32) + u64::from(u32::MAX),
        0xFFFF_0000_0000,
        (1 << 40) + (1 << 16),
        (1 << 40) + (1 << 16) + 1,
        (1 << 53) - 1,
        (1 << 53) + 1,
        1_000_000_007,
        0x0123_4567_89AB_CDEF,
        0xFEDC_BA98_7654_3210,
        0x8000_0000_FFFF_FFFF,
        0x7FFF_FFFF_0000_0000,
        0x5555_5555_5555_5555,
        0xAAAA_AAAA_AAAA_AAAA,
        0xFFFF_FFFF_0000_0000,
        i64::MAX as u64,
        i64::MIN as u64,
        (i64::MIN as u64) + 1,
        u64::MAX,
        u64::MAX - 1,
        u64::MAX - 2,
        (-10i64) as u64,
        (-1_000_000_007i64) as u64,
        i64::from(i32::MIN) as u64,
        (-(1i64 << 32)) as u64,
        (-(1i64 << 32) - 1) as u64,
        (-(1i64 << 32) + 1) as u64,
    ];
    for k in [4, 8, 15, 16, 17, 24, 31, 32, 33, 47, 48, 52, 62, 63] {
        v.push(1 << k);
        v.push((1 << k) - 1);
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// f32 edge cases: zeros, fractions, the limits of exact integers, the
/// bounds of u64 and i64 and their neighbours, NaNs, infinities,
/// subnormals.
fn f32_edges() -> Vec<u64> {
    let values = [
        0.0f32,
        -0.0,
        0.5,
        -0.5,
        1.0,
        -1.0,
        1.5,
        -1.5,
        2.0,
        -3.75,
        65536.5,
        123_456.79,
        -123_456.79,
        16_777_215.0,
        16_777_216.0,
        16_777_218.0,
        -16_777_217.0,
        (1u64 << 31) as f32,
        (1u64 << 32) as f32,
        -((1u64 << 32) as f32),
        (1u64 << 52) as f32,
        (1u64 << 63) as f32,
        -((1u64 << 63) as f32),
        u64::MAX as f32,
        -(u64::MAX as f32),
        1.8e19,
        -9.3e18,
        -9.2e18,
        1e-10,
        f32::MAX,
        f32::MIN,
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        -f32::NAN,
    ];
    let bits = [
        0x3F7F_FFFF, // largest below 1
        0xBF7F_FFFF,
        0x4B00_0001, // 2^23 + 1
        0x4F7F_FFFF, // largest below 2^32
        0x5EFF_FFFF, // largest below 2^63
        0x5F00_0001, // smallest above 2^63
        0xDEFF_FFFF,
        0xDF00_0001,
        0x5F7F_FFFF, // largest below 2^64
        0x5F80_0001,
        0x0000_0001, // subnormals
        0x007F_FFFF,
        0x8000_0001,
        0x807F_FFFF,
        0x7F80_0001, // NaNs with other payloads
        0x7FBF_FFFF,
        0xFFFF_FFFF,
    ];
    let mut v: Vec<u64> = values.iter().map(|f| u64::from(f.to_bits())).collect();
    v.extend(bits.iter().map(|&b: &u32| u64::from(b)));
    v
}

/// Integers around f32 rounding: for every position of the highest one
/// bit, exact ties between two f32 (odd and even), one above and below,
/// and the all-ones value that rounds up into the next power of two.
fn f32_ties() -> Vec<u64> {
    let mut v = Vec::new();
    for k in 24..64 {
        let low = k - 23; // bits below the 24 significant ones
        let half = 1u64 << (low - 1);
        let even = 1u64 << k;
        let odd = even | (1 << low);
        for x in [even, odd] {
            v.extend([x + half - 1, x + half, x + half + 1]);
        }
        v.push(even | (even - 1));
    }
    v
}

/// Every case: each function over the edge cases of its shape and
/// pseudo-random inputs.
fn cases() -> Vec<Case> {
    let edges = edges();
    let f32_edges = f32_edges();
    let ties = f32_ties();
    let clamp_edges: Vec<u64> = [
        0,
        1,
        2,
        10,
        u64::from(u32::MAX),
        1 << 32,
        (1 << 32) + 1,
        1 << 62,
        i64::MAX as u64,
        i64::MIN as u64,
        (i64::MIN as u64) + 1,
        u64::MAX,
        u64::MAX - 1,
        (-10i64) as u64,
        (-(1i64 << 32)) as u64,
    ]
    .to_vec();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut cases = Vec::new();
    for (f, function) in FUNCTIONS.iter().enumerate() {
        let mut push = |a: u64, b: u64, c: u64| cases.push(Case { f, a, b, c });
        match function.shape {
            Shape::Binary | Shape::Compare => {
                for &a in &edges {
                    for &b in &edges {
                        push(a, b, 0);
                    }
                }
                for _ in 0..1000 {
                    push(rng.value(&edges), rng.value(&edges), 0);
                }
                // a = q * b + r with r < b (quotients and remainders of
                // every size), and a near a multiple of b.
                for _ in 0..1000 {
                    let b = rng.value(&edges).max(1);
                    let q = rng.next() >> rng.below(64);
                    let a = q.wrapping_mul(b).wrapping_add(rng.next() % b);
                    push(a, b, 0);
                    let near = b.wrapping_mul(rng.below(5)).wrapping_sub(rng.below(3));
                    push(near, b, 0);
                }
                // Where algorithm D's quotient digit estimates come out
                // two too large: a divisor whose normalized top digit is
                // just above 2^15 and whose next digit is near 2^16, under
                // a dividend whose top bits are just below the divisor's
                // (32-bit divisors), or near 2^64 (wider ones).
                for _ in 0..500 {
                    let d = ((0x8000 + rng.below(16)) << 16) | (0xFFFF - rng.below(256));
                    let b = d >> rng.below(4);
                    let high = b - 1 - rng.below(1 << 20);
                    push((high << 32) | (rng.next() >> 32), b, 0);
                    let shift = 1 + rng.below(32);
                    let b = (d << shift) | (rng.next() & ((1 << shift) - 1));
                    push(u64::MAX - rng.below(1 << 44), b, 0);
                }
            }
            Shape::Unary | Shape::Count | Shape::ToF32 => {
                for &a in &edges {
                    push(a, 0, 0);
                }
                if function.shape == Shape::ToF32 {
                    for &a in &ties {
                        push(a, 0, 0);
                        push(a.wrapping_neg(), 0, 0);
                    }
                    // Random ties and near-ties at random positions.
                    for _ in 0..1000 {
                        let k = 24 + rng.below(40);
                        let low = k - 23;
                        let significand = (1 << 23) | (rng.next() & 0x7F_FFFF);
                        let guard = 1u64 << (low - 1);
                        let sticky = if rng.below(2) == 0 {
                            0
                        } else {
                            rng.next() & (guard - 1)
                        };
                        let a = (significand << low) | guard | sticky;
                        push(a, 0, 0);
                        push(a.wrapping_neg(), 0, 0);
                    }
                }
                for _ in 0..2000 {
                    push(rng.value(&edges), 0, 0);
                }
            }
            Shape::Shift => {
                let amounts: Vec<u64> = (0..=65)
                    .chain([95, 96, 127, 128, 1000, 0xFFFF_FFFF])
                    .collect();
                for &a in &edges {
                    for &n in &amounts {
                        push(a, n, 0);
                    }
                }
                for _ in 0..1000 {
                    push(rng.value(&edges), rng.next() & 0xFFFF_FFFF, 0);
                }
            }
            Shape::Clamp => {
                for &x in &clamp_edges {
                    for &lo in &clamp_edges {
                        for &hi in &clamp_edges {
                            push(x, lo, hi);
                        }
                    }
                }
                for _ in 0..2000 {
                    push(rng.value(&edges), rng.value(&edges), rng.value(&edges));
                }
            }
            Shape::FromF32 => {
                for &x in &f32_edges {
                    push(x, 0, 0);
                }
                // Any bits, then floats of either sign between 2^-8 and 2^68.
                for _ in 0..1000 {
                    push(rng.next() & 0xFFFF_FFFF, 0, 0);
                }
                for _ in 0..3000 {
                    let exponent = 119 + rng.below(76);
                    let bits = (rng.next() & 0x807F_FFFF) | (exponent << 23);
                    push(bits, 0, 0);
                }
            }
            Shape::FromI32 => {
                for x in [
                    0,
                    1,
                    -1,
                    2,
                    -2,
                    i32::MAX,
                    i32::MIN,
                    i32::MIN + 1,
                    0x7FFF,
                    -0x8000,
                ] {
                    push(u64::from(x as u32), 0, 0);
                }
                for _ in 0..1000 {
                    push(rng.next() & 0xFFFF_FFFF, 0, 0);
                }
            }
        }
    }
    cases
}

/// The test shader: the library, then an entry point that runs case `i`
/// (one invocation each) and writes its result.
fn shader() -> String {
    let mut arms = String::new();
    for (i, f) in FUNCTIONS.iter().enumerate() {
        writeln!(
            arms,
            "        case {i}u: {{ r = {}; }}",
            f.shape.call(f.name)
        )
        .unwrap();
    }
    format!(
        "{LIBRARY}
@group(0) @binding(0) var<storage, read> cases: array<u32>;
@group(0) @binding(1) var<storage, read_write> results: array<vec2<u32>>;

@compute @workgroup_size({WORKGROUP_SIZE})
fn int64_test(@builtin(global_invocation_id) id: vec3<u32>) {{
    let i = id.x;
    if (i >= arrayLength(&results)) {{
        return;
    }}
    let at = i * {CASE_WORDS}u;
    let a = vec2<u32>(cases[at + 1u], cases[at + 2u]);
    let b = vec2<u32>(cases[at + 3u], cases[at + 4u]);
    let c = vec2<u32>(cases[at + 5u], cases[at + 6u]);
    var r = vec2<u32>(0xDEADBEEFu, 0xDEADBEEFu);
    switch (cases[at]) {{
{arms}        default: {{}}
    }}
    results[i] = r;
}}
"
    )
}

/// Runs every case in one dispatch and returns the results.
fn run(ctx: &vyre_core::gpu::GpuContext, source: &str, cases: &[Case]) -> Vec<u64> {
    let device = ctx.device();
    let queue = ctx.queue();
    let words: Vec<u32> = cases
        .iter()
        .flat_map(|c| {
            let f = u32::try_from(c.f).expect("function index");
            let mut w = [f, 0, 0, 0, 0, 0, 0, 0];
            for (k, v) in [c.a, c.b, c.c].into_iter().enumerate() {
                w[1 + 2 * k] = v as u32;
                w[2 + 2 * k] = (v >> 32) as u32;
            }
            w
        })
        .collect();
    assert_eq!(words.len(), cases.len() * CASE_WORDS);
    let groups = cases.len().div_ceil(WORKGROUP_SIZE);
    let groups = u32::try_from(groups).expect("workgroups");
    assert!(groups <= device.limits().max_compute_workgroups_per_dimension);
    let result_bytes = (cases.len() * 8) as u64;

    let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("int64 test"),
        source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(source)),
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some("int64 test"),
        layout: None,
        module: &module,
        entry_point: Some("int64_test"),
        compilation_options: wgpu::PipelineCompilationOptions::default(),
        cache: None,
    });
    let input = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("int64 cases"),
        size: (words.len() * 4) as u64,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    queue.write_buffer(&input, 0, bytemuck::cast_slice(&words));
    let output = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("int64 results"),
        size: result_bytes,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("int64 staging"),
        size: result_bytes,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("int64 test"),
        layout: &pipeline.get_bind_group_layout(0),
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: input.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: output.as_entire_binding(),
            },
        ],
    });
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("int64 test"),
    });
    {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("int64 test"),
            timestamp_writes: None,
        });
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(groups, 1, 1);
    }
    encoder.copy_buffer_to_buffer(&output, 0, &staging, 0, result_bytes);
    let index = queue.submit([encoder.finish()]);
    if let Some(e) = pollster::block_on(scope.pop()) {
        panic!("wgpu rejected the int64 test shader: {e}");
    }
    staging.map_async(wgpu::MapMode::Read, .., |r| r.expect("map"));
    device
        .poll(wgpu::PollType::Wait {
            submission_index: Some(index),
            timeout: None,
        })
        .expect("poll");
    let view = staging.get_mapped_range(..).expect("mapped");
    let results: Vec<u32> = bytemuck::pod_collect_to_vec(&view);
    drop(view);
    staging.unmap();
    results
        .chunks_exact(2)
        .map(|w| u64::from(w[0]) | (u64::from(w[1]) << 32))
        .collect()
}

#[test]
fn every_int64_function_matches_rust_bit_for_bit() {
    let Some(ctx) = vyre_core::gpu::test_context() else {
        return;
    };
    let start = Instant::now();
    let source = shader();
    if let Err(e) = wgsl_common::validate_source(&source) {
        panic!("the int64 test shader is invalid WGSL:\n{e}");
    }
    let cases = cases();
    let got = run(&ctx, &source, &cases);
    assert_eq!(got.len(), cases.len());
    let mut failures = Vec::new();
    let mut failed = vec![0usize; FUNCTIONS.len()];
    for (case, &gpu) in cases.iter().zip(&got) {
        let f = &FUNCTIONS[case.f];
        let want = (f.rust)(case.a, case.b, case.c);
        if gpu != want {
            failed[case.f] += 1;
            if failures.len() < 20 {
                failures.push(format!(
                    "{}({}): GPU {}, Rust {}",
                    f.name,
                    f.shape.show_inputs(case),
                    f.shape.show_result(gpu),
                    f.shape.show_result(want),
                ));
            }
        }
    }
    let total: usize = failed.iter().sum();
    if total != 0 {
        let per_function: Vec<String> = FUNCTIONS
            .iter()
            .zip(&failed)
            .filter(|(_, &n)| n != 0)
            .map(|(f, n)| format!("{}: {n}", f.name))
            .collect();
        panic!(
            "{total} of {} cases differ from Rust ({}); the first:\n{}",
            cases.len(),
            per_function.join(", "),
            failures.join("\n")
        );
    }
    eprintln!(
        "wgsl_int64: {} cases of {} functions match Rust on {} in {:.2?}",
        cases.len(),
        FUNCTIONS.len(),
        ctx.adapter_info().name,
        start.elapsed()
    );
}

/// The library is what generated modules can include as it is: valid
/// WGSL of functions only, every name `vy_`, no placeholder, no loop (and
/// so no `return` in one, which the lowering's loop guard forbids), and
/// every function either checked on the GPU or a helper of one that is.
#[test]
fn the_library_is_plain_vy_functions() {
    let module = wgsl_common::validate_source(LIBRARY)
        .unwrap_or_else(|e| panic!("int64.wgsl is invalid WGSL:\n{e}"));
    assert!(module.entry_points.is_empty(), "entry points in int64.wgsl");
    assert!(module.global_variables.is_empty(), "bindings in int64.wgsl");
    assert!(!LIBRARY.contains("{{"), "a placeholder in int64.wgsl");
    let mut names: Vec<&str> = module
        .functions
        .iter()
        .map(|(_, f)| f.name.as_deref().unwrap_or(""))
        .collect();
    for name in module
        .constants
        .iter()
        .map(|(_, c)| c.name.as_deref().unwrap_or(""))
        .chain(module.types.iter().filter_map(|(_, t)| t.name.as_deref()))
    {
        assert!(name.starts_with("vy_"), "`{name}` in int64.wgsl");
    }
    names.sort_unstable();
    let mut want: Vec<&str> = FUNCTIONS
        .iter()
        .map(|f| f.name)
        .chain(HELPERS.iter().copied())
        .collect();
    want.sort_unstable();
    assert_eq!(names, want, "int64.wgsl's functions and this test's table");
    for line in LIBRARY.lines() {
        let code = line.split("//").next().unwrap_or("");
        for word in code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            assert!(
                !matches!(word, "loop" | "for" | "while"),
                "a loop in int64.wgsl: `{line}`"
            );
        }
    }
    assert_eq!(wgsl_common::check_loop_guards(LIBRARY), Ok(0));
}
