//! The 64-bit integer library: plain functions (no bindings, no entry
//! points, no placeholders) for generated modules to include when a handler
//! uses `u64` or `i64`. WGSL has no 64-bit integers, so a value is a
//! `vec2<u32>`: x = low word, y = high word; an `i64` is the same bits in
//! two's complement. Results are Rust's: wrapping arithmetic, shifts and
//! rotations by the amount mod 64, `as` casts. No function loops (a
//! software driver may cut loops short, lower/loops.rs), and every value
//! computed comes from a parameter, so naga's constant evaluator folds no
//! overflow. Checked bit for bit against Rust by tests/wgsl_int64.rs.
// ---- 64-bit integers: vec2<u32>, x = low word, y = high word (i64: two's complement) ----

// a + b, wrapping (signed and unsigned alike).
fn vy_w_add(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let lo = a.x + b.x;
    return vec2<u32>(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}

// a - b, wrapping (signed and unsigned alike).
fn vy_w_sub(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    return vec2<u32>(a.x - b.x, a.y - b.y - select(0u, 1u, a.x < b.x));
}

// -a, two's complement (wrapping: -i64::MIN == i64::MIN).
fn vy_w_neg(a: vec2<u32>) -> vec2<u32> {
    return vec2<u32>(0u - a.x, 0u - a.y - select(0u, 1u, a.x != 0u));
}

// The full 64-bit product of two u32, from four 16x16 -> 32 products.
fn vy_mul_wide(a: u32, b: u32) -> vec2<u32> {
    let a0 = a & 0xFFFFu;
    let a1 = a >> 16u;
    let b0 = b & 0xFFFFu;
    let b1 = b >> 16u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    // Bits 16..31 of the product plus their carry (at most 18 bits).
    let mid = (p00 >> 16u) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu);
    let lo = (p00 & 0xFFFFu) | (mid << 16u);
    let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
    return vec2<u32>(lo, hi);
}

// a * b, the low 64 bits of the product (signed and unsigned alike).
fn vy_w_mul(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let p = vy_mul_wide(a.x, b.x);
    return vec2<u32>(p.x, p.y + a.x * b.y + a.y * b.x);
}

// a < b, unsigned.
fn vy_u64_lt(a: vec2<u32>, b: vec2<u32>) -> bool {
    return a.y < b.y || (a.y == b.y && a.x < b.x);
}

// a <= b, unsigned.
fn vy_u64_le(a: vec2<u32>, b: vec2<u32>) -> bool {
    return a.y < b.y || (a.y == b.y && a.x <= b.x);
}

// a < b, signed.
fn vy_i64_lt(a: vec2<u32>, b: vec2<u32>) -> bool {
    let ah = bitcast<i32>(a.y);
    let bh = bitcast<i32>(b.y);
    return ah < bh || (ah == bh && a.x < b.x);
}

// a <= b, signed.
fn vy_i64_le(a: vec2<u32>, b: vec2<u32>) -> bool {
    let ah = bitcast<i32>(a.y);
    let bh = bitcast<i32>(b.y);
    return ah < bh || (ah == bh && a.x <= b.x);
}

// a << (n mod 64) (wrapping_shl, signed and unsigned alike).
fn vy_w_shl(a: vec2<u32>, n: u32) -> vec2<u32> {
    let s = n & 63u;
    if (s == 0u) {
        return a;
    }
    if (s < 32u) {
        return vec2<u32>(a.x << s, (a.y << s) | (a.x >> (32u - s)));
    }
    return vec2<u32>(0u, a.x << (s - 32u));
}

// a >> (n mod 64), logical (u64 wrapping_shr).
fn vy_u64_shr(a: vec2<u32>, n: u32) -> vec2<u32> {
    let s = n & 63u;
    if (s == 0u) {
        return a;
    }
    if (s < 32u) {
        return vec2<u32>((a.x >> s) | (a.y << (32u - s)), a.y >> s);
    }
    return vec2<u32>(a.y >> (s - 32u), 0u);
}

// a >> (n mod 64), arithmetic: copies of the sign bit come in (i64 wrapping_shr).
fn vy_i64_shr(a: vec2<u32>, n: u32) -> vec2<u32> {
    let s = n & 63u;
    let hi = bitcast<i32>(a.y);
    if (s == 0u) {
        return a;
    }
    if (s < 32u) {
        return vec2<u32>((a.x >> s) | (a.y << (32u - s)), bitcast<u32>(hi >> s));
    }
    return vec2<u32>(bitcast<u32>(hi >> (s - 32u)), bitcast<u32>(hi >> 31u));
}

// Rotation left by n mod 64.
fn vy_w_rotate_left(a: vec2<u32>, n: u32) -> vec2<u32> {
    let s = n & 63u;
    // s == 0: both halves are a (the right shift by 64 is one by 0).
    return vy_w_shl(a, s) | vy_u64_shr(a, 64u - s);
}

// Rotation right by n mod 64.
fn vy_w_rotate_right(a: vec2<u32>, n: u32) -> vec2<u32> {
    let s = n & 63u;
    return vy_u64_shr(a, s) | vy_w_shl(a, 64u - s);
}

// Number of one bits (count_ones).
fn vy_w_count_ones(a: vec2<u32>) -> u32 {
    return countOneBits(a.x) + countOneBits(a.y);
}

// Number of zero bits above the highest one (leading_zeros); 64 for 0.
fn vy_w_leading_zeros(a: vec2<u32>) -> u32 {
    if (a.y != 0u) {
        return countLeadingZeros(a.y);
    }
    return 32u + countLeadingZeros(a.x);
}

// Number of zero bits below the lowest one (trailing_zeros); 64 for 0.
fn vy_w_trailing_zeros(a: vec2<u32>) -> u32 {
    if (a.x != 0u) {
        return countTrailingZeros(a.x);
    }
    return 32u + countTrailingZeros(a.y);
}

// The 64 bits in reverse order (reverse_bits).
fn vy_w_reverse_bits(a: vec2<u32>) -> vec2<u32> {
    return vec2<u32>(reverseBits(a.y), reverseBits(a.x));
}

// The smaller of a and b, unsigned.
fn vy_u64_min(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    return select(a, b, vy_u64_lt(b, a));
}

// The larger of a and b, unsigned.
fn vy_u64_max(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    return select(a, b, vy_u64_lt(a, b));
}

// The smaller of a and b, signed.
fn vy_i64_min(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    return select(a, b, vy_i64_lt(b, a));
}

// The larger of a and b, signed.
fn vy_i64_max(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    return select(a, b, vy_i64_lt(a, b));
}

// x clamped to [lo, hi], unsigned: lo if x < lo, then hi if above (lo > hi gives hi).
fn vy_u64_clamp(x: vec2<u32>, lo: vec2<u32>, hi: vec2<u32>) -> vec2<u32> {
    let low = select(x, lo, vy_u64_lt(x, lo));
    return select(low, hi, vy_u64_lt(hi, low));
}

// x clamped to [lo, hi], signed: lo if x < lo, then hi if above (lo > hi gives hi).
fn vy_i64_clamp(x: vec2<u32>, lo: vec2<u32>, hi: vec2<u32>) -> vec2<u32> {
    let low = select(x, lo, vy_i64_lt(x, lo));
    return select(low, hi, vy_i64_lt(hi, low));
}

// |a|, wrapping: abs(i64::MIN) == i64::MIN.
fn vy_i64_abs(a: vec2<u32>) -> vec2<u32> {
    return select(a, vy_w_neg(a), (a.y >> 31u) != 0u);
}

// Sign extension of an i32.
fn vy_i64_from_i32(x: i32) -> vec2<u32> {
    return vec2<u32>(bitcast<u32>(x), bitcast<u32>(x >> 31u));
}

// (hi * 2^32 + lo) / d for hi < d (so the quotient fits in 32 bits), d != 0:
// vec2(quotient, remainder). Long division in base 2^16 with the divisor
// normalized (top bit set), each quotient digit estimated from the top
// digits and corrected at most twice (Knuth's algorithm D).
fn vy_div_wide(hi: u32, lo: u32, d: u32) -> vec2<u32> {
    let s = countLeadingZeros(d);
    let dn = d << s;
    // At least 0x8000 once normalized (d != 0, which the caller checked);
    // the max keeps the divisions below guarded without naga's checks.
    let dh = max(dn >> 16u, 1u);
    let dl = dn & 0xFFFFu;
    // The dividend shifted left by s: the high word (< dn), then two digits.
    var top = hi << s;
    if (s != 0u) {
        top = top | (lo >> (32u - s));
    }
    let low = lo << s;
    let u1 = low >> 16u;
    let u0 = low & 0xFFFFu;
    // First digit: (top * 2^16 + u1) / dn.
    var q1 = top / dh;
    var r = top - q1 * dh;
    if (q1 > 0xFFFFu || q1 * dl > ((r << 16u) | u1)) {
        q1 = q1 - 1u;
        r = r + dh;
        if (r <= 0xFFFFu && (q1 > 0xFFFFu || q1 * dl > ((r << 16u) | u1))) {
            q1 = q1 - 1u;
        }
    }
    // The partial remainder (< dn); the products wrap, the result does not.
    let mid = ((top << 16u) | u1) - q1 * dn;
    // Second digit: (mid * 2^16 + u0) / dn.
    var q0 = mid / dh;
    r = mid - q0 * dh;
    if (q0 > 0xFFFFu || q0 * dl > ((r << 16u) | u0)) {
        q0 = q0 - 1u;
        r = r + dh;
        if (r <= 0xFFFFu && (q0 > 0xFFFFu || q0 * dl > ((r << 16u) | u0))) {
            q0 = q0 - 1u;
        }
    }
    let rem = ((mid << 16u) | u0) - q0 * dn;
    return vec2<u32>((q1 << 16u) | q0, rem >> s);
}

// a / b and a % b, unsigned: vec4(quotient, remainder); both 0 when b == 0.
fn vy_u64_divrem(a: vec2<u32>, b: vec2<u32>) -> vec4<u32> {
    if (b.y == 0u) {
        if (b.x == 0u) {
            return vec4<u32>(0u, 0u, 0u, 0u);
        }
        if (a.y == 0u) {
            // b.x != 0 here; max(…, 1u) says so to the shader's proof.
            let d = max(b.x, 1u);
            return vec4<u32>(a.x / d, 0u, a.x % d, 0u);
        }
        // High word first, then the rest with its remainder on top.
        let d = max(b.x, 1u);
        let low = vy_div_wide(a.y % d, a.x, d);
        return vec4<u32>(low.x, a.y / d, low.y, 0u);
    }
    // b >= 2^32, so the quotient fits in 32 bits. Estimate it from a / 2
    // and b's top 32 significant bits; the estimate is q or q + 1, so one
    // less is q - 1 or q, and one remainder check settles it.
    let s = countLeadingZeros(b.y);
    let btop = vy_w_shl(b, s).y;
    let half = vy_u64_shr(a, 1u);
    var q = vy_div_wide(half.y, half.x, btop).x >> (31u - s);
    if (q != 0u) {
        q = q - 1u;
    }
    var r = vy_w_sub(a, vy_w_mul(vec2<u32>(q, 0u), b));
    if (!vy_u64_lt(r, b)) {
        q = q + 1u;
        r = vy_w_sub(r, b);
    }
    return vec4<u32>(q, 0u, r.x, r.y);
}

// a / b, unsigned; 0 when b == 0 (callers fault on b == 0 first).
fn vy_u64_div(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    return vy_u64_divrem(a, b).xy;
}

// a % b, unsigned; 0 when b == 0 (callers fault on b == 0 first).
fn vy_u64_rem(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    return vy_u64_divrem(a, b).zw;
}

// a / b, signed, truncating toward zero (wrapping_div: i64::MIN / -1 == i64::MIN); 0 when b == 0.
fn vy_i64_div(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let an = (a.y >> 31u) != 0u;
    let bn = (b.y >> 31u) != 0u;
    let q = vy_u64_divrem(select(a, vy_w_neg(a), an), select(b, vy_w_neg(b), bn)).xy;
    return select(q, vy_w_neg(q), an != bn);
}

// a % b, signed, with a's sign (wrapping_rem: i64::MIN % -1 == 0); 0 when b == 0.
fn vy_i64_rem(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let an = (a.y >> 31u) != 0u;
    let bn = (b.y >> 31u) != 0u;
    let r = vy_u64_divrem(select(a, vy_w_neg(a), an), select(b, vy_w_neg(b), bn)).zw;
    return select(r, vy_w_neg(r), an);
}

// m * 2^(e - 150) truncated, for a biased f32 exponent 127 <= e < 191 and
// m the significand with its implicit bit: the magnitude of an f32 in [1, 2^64).
fn vy_f32_magnitude(m: u32, e: u32) -> vec2<u32> {
    if (e >= 150u) {
        return vy_w_shl(vec2<u32>(m, 0u), e - 150u);
    }
    return vec2<u32>(m >> (150u - e), 0u);
}

// x as u64: truncated toward zero, saturating (negative -> 0, >= 2^64 -> u64::MAX), NaN -> 0.
fn vy_u64_from_f32(x: f32) -> vec2<u32> {
    let bits = bitcast<u32>(x);
    let e = (bits >> 23u) & 0xFFu;
    let f = bits & 0x7FFFFFu;
    // NaN, negatives (-0.0 and -inf included) and |x| < 1 (subnormals included).
    if ((e == 0xFFu && f != 0u) || (bits >> 31u) != 0u || e < 127u) {
        return vec2<u32>(0u, 0u);
    }
    if (e >= 191u) {
        return vec2<u32>(0xFFFFFFFFu, 0xFFFFFFFFu);
    }
    return vy_f32_magnitude(f | 0x800000u, e);
}

// x as i64: truncated toward zero, saturating at i64::MIN and i64::MAX, NaN -> 0.
fn vy_i64_from_f32(x: f32) -> vec2<u32> {
    let bits = bitcast<u32>(x);
    let e = (bits >> 23u) & 0xFFu;
    let f = bits & 0x7FFFFFu;
    let negative = (bits >> 31u) != 0u;
    // NaN and |x| < 1 (zeros and subnormals included).
    if ((e == 0xFFu && f != 0u) || e < 127u) {
        return vec2<u32>(0u, 0u);
    }
    // |x| >= 2^63 (infinities included); -2^63 itself is i64::MIN.
    if (e >= 190u) {
        return select(vec2<u32>(0xFFFFFFFFu, 0x7FFFFFFFu), vec2<u32>(0u, 0x80000000u), negative);
    }
    let m = vy_f32_magnitude(f | 0x800000u, e);
    return select(m, vy_w_neg(m), negative);
}

// a as f32, rounded to nearest, ties to even (the result is never infinite).
fn vy_f32_from_u64(a: vec2<u32>) -> f32 {
    if (a.x == 0u && a.y == 0u) {
        return bitcast<f32>(0u);
    }
    let lz = vy_w_leading_zeros(a);
    // The highest one at bit 63: 24 significant bits, a guard bit, the rest sticky.
    let n = vy_w_shl(a, lz);
    let m = n.y >> 8u;
    let guard = (n.y >> 7u) & 1u;
    let sticky = (n.y & 0x7Fu) | n.x;
    let up = select(0u, 1u, guard != 0u && (sticky != 0u || (m & 1u) != 0u));
    // Exponent 63 - lz, biased by 127, minus 1 for the implicit bit that m
    // adds; a rounding carry out of m moves into the exponent.
    return bitcast<f32>(((189u - lz) << 23u) + m + up);
}

// a as f32 (signed), rounded to nearest, ties to even.
fn vy_f32_from_i64(a: vec2<u32>) -> f32 {
    let sign = a.y & 0x80000000u;
    // |i64::MIN| is 2^63, exact as unsigned.
    let magnitude = vy_f32_from_u64(select(a, vy_w_neg(a), sign != 0u));
    return bitcast<f32>(bitcast<u32>(magnitude) | sign);
}
