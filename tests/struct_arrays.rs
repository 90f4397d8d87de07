//! Local arrays of structs in `#[opcode]` handlers (`[p; N]`, `[p, q]`,
//! `[Card { … }; N]`): elements read and written whole (`let x = a[j];`,
//! `a[k] = a[k - 1];`, `ps[i] = a[0];`), fields and array fields of an
//! element (`a[j].key`, `a[j].w[k] += v`), `a.len()`, copies of the whole
//! array, elements passed to `#[device]` functions — agreeing with plain
//! Rust on the native backend, the reference interpreter and wgpu; an
//! element index out of bounds is the same `OUT_OF_BOUNDS` fault on all
//! three, naming the subscript Rust's panic names.

mod common;

use common::every_backend;
use vyre::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Element)]
#[repr(C)]
pub struct Card {
    pub key: u64,
    pub w: [u32; 3],
    pub n: i32,
}

const SLOTS: usize = 4;

/// The weight of a cell, by value.
#[device]
fn weight(c: Card) -> u32 {
    c.w[0] + c.w[1] * 3 + c.w[2] * 5
}

/// Gathers four cells into a local array, sorts them by key with an
/// insertion sort that moves whole elements, edits fields of elements and
/// writes the smallest back; `out` gets weights and a checksum.
#[opcode(id = 0x720)]
pub fn sort_cells(cells: &mut Buffer<Card>, out: &mut Buffer<u32>, i: u32, n: u32) {
    let mut a = [cells[i]; SLOTS];
    for j in 1..4u32 {
        a[j as usize] = cells[(i + 2 * j + 1) % n];
    }
    let mut j = 1u32;
    while j < 4 {
        let x = a[j as usize];
        let mut k = j;
        while k > 0 && a[(k - 1) as usize].key > x.key {
            a[k as usize] = a[(k - 1) as usize];
            k -= 1;
        }
        a[k as usize] = x;
        j += 1;
    }
    a[0].w[1] += a[3].w[2];
    a[1].n = -a[2].n;
    let k = (i % 3) as usize;
    a[2].w[k] ^= 0xFF;
    let pair = [
        Card {
            key: 7,
            w: [1, 2, 3],
            n: -4,
        },
        a[1],
    ];
    let copy = a;
    a[3].key = pair[0].key + copy[3].key;
    cells[i] = a[0];
    let mut sum = 0u32;
    for s in 0..a.len() {
        sum = sum.wrapping_add(weight(a[s]));
        sum = sum.wrapping_add(a[s].w[s % 3].wrapping_add(copy[s].key as u32));
    }
    out[i * 3] = sum;
    out[i * 3 + 1] = (weight(pair[1]) + pair[0].w[2]).wrapping_add(a[1].n as u32);
    out[i * 3 + 2] = a[3].key as u32 ^ a[2].w[k];
}

/// An element index past the array (`a[j]`) and one inside it with an
/// array-field subscript past the field (`a[0].w[k]`).
#[opcode(id = 0x721)]
pub fn probe(cells: &Buffer<Card>, out: &mut Buffer<u32>, i: u32, j: u32, k: u32) {
    let a = [cells[i], cells[i + 1]];
    out[i] = a[j as usize].w[1];
    out[i + 1] = a[0].w[k as usize];
}

/// A store through an element whose value faults too: Rust evaluates the
/// value first, so its fault is the one reported.
#[opcode(id = 0x722)]
pub fn order(cells: &Buffer<Card>, out: &mut Buffer<u32>, i: u32, j: u32, m: u32) {
    let mut a = [cells[i]; 2];
    a[j as usize].w[(m % 3) as usize] += out[m];
    out[i] = a[0].w[0];
}

/// A struct buffer as a `#[device]` parameter: fields read through it,
/// a whole element loaded into a local and one stored back.
#[device]
fn heaviest(cells: &mut Buffer<Card>, i: u32, n: u32) -> u32 {
    let mut best = i;
    for j in 1..4u32 {
        let k = (i + j) % n;
        if weight(cells[k]) > weight(cells[best]) {
            best = k;
        }
    }
    let mut top = cells[best];
    top.n += 1;
    cells[best] = top;
    cells[best].w[2] ^= 1;
    best
}

/// A card moved along, by value.
#[device]
fn shifted(mut c: Card) -> Card {
    c.key = c.key.rotate_left(5);
    let t = c.w[0];
    c.w[0] = c.w[2];
    c.w[2] = c.w[1];
    c.w[1] = t;
    c
}

/// Calls [`heaviest`] on the kernel's struct buffer, and [`shifted`] and
/// [`weight`] on buffer elements passed straight (`f(cells[k])`).
#[opcode(id = 0x723)]
pub fn pick_heaviest(cells: &mut Buffer<Card>, out: &mut Buffer<u32>, i: u32, n: u32) {
    out[i] = heaviest(cells, i, n);
    let moved: Card = shifted(cells[(i + 5) % n]);
    cells[(i + 6) % n] = shifted(cells[(i + 7) % n]);
    cells[(i + 5) % n] = moved;
    out[i + 1] = weight(cells[(i + 6) % n]) ^ weight(moved);
}

/// A struct with an array of structs inside, in a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Element)]
#[repr(C)]
pub struct Deck {
    pub cards: [Card; 3],
    pub best: u32,
    pub n: u32,
}

/// Fields of elements of an array of structs inside a struct buffer's
/// element (`decks[i].cards[j].w[k]`): read, written, `op=`.
#[opcode(id = 0x724)]
pub fn deal(decks: &mut Buffer<Deck>, i: u32, j: u32, k: u32) {
    decks[i].cards[j as usize].w[k as usize] += decks[i].cards[0].w[1];
    decks[i].cards[((j + 1) % 3) as usize].key ^= decks[i].n as u64;
    decks[i].best = decks[i].cards[2].w[0].wrapping_add(decks[i].cards[j as usize].n as u32);
    decks[i].cards[1].n = -decks[i].cards[1].n;
}

/// A struct local holding an array of structs: its elements' fields, a
/// whole element read and written, the local stored back; and a local
/// array of such structs.
#[opcode(id = 0x725)]
pub fn shuffle(decks: &mut Buffer<Deck>, i: u32, j: u32, k: u32) {
    let mut d = decks[i];
    d.cards[j as usize].w[k as usize] ^= d.n;
    let first: Card = d.cards[0];
    d.cards[0] = d.cards[2];
    d.cards[2] = d.cards[1];
    d.cards[1] = first;
    d.cards[1].key = d.cards[1].key.wrapping_add(first.key);
    let picked: Card = d.cards[j as usize];
    d.best = weight(picked);
    let mut pair = [d, decks[(i + 1) % decks.len()]];
    pair[1].cards[k as usize].n = pair[0].cards[j as usize].n + 1;
    pair[0].cards[1] = pair[1].cards[k as usize];
    decks[i] = pair[0];
    decks[i].n = pair[1].cards[k as usize].w[2];
}

megakernel! {
    /// The struct-array test kernel.
    pub struct Cards {
        workgroup_size: 64,
        buffers: { cells: Card, out: u32, decks: Deck },
        opcodes: [sort_cells, probe, order, pick_heaviest, deal, shuffle],
    }
}

fn card(k: u32) -> Card {
    Card {
        key: u64::from(k.wrapping_mul(2_654_435_761)) % 97 + (u64::from(k) << 36),
        w: [k, k * 3 + 1, k ^ 0x55],
        n: k as i32 - 9,
    }
}

/// Runs what `k` has published; the faults' kinds.
fn run_faults(k: &mut Cards) -> Vec<FaultKind> {
    let report = k.run().unwrap();
    report.faults.iter().map(|f| f.kind).collect()
}

/// Runs what `k` has published, fault-free, and compares its cells and
/// outputs with plain Rust's.
fn run_and_compare(k: &mut Cards, cells: &[Card], out: &[u32], what: &str) {
    assert_eq!(run_faults(k), [], "{what}");
    assert_eq!(k.cells().read().unwrap(), cells, "{what}: cells");
    assert_eq!(k.out().read().unwrap(), out, "{what}: out");
}

#[test]
fn struct_arrays_agree_with_rust() {
    const N: u32 = 24;
    let start: Vec<Card> = (0..N).map(card).collect();
    let mut want_cells = Buffer::from(start.clone());
    let mut want_out = Buffer::from(vec![0u32; 3 * N as usize]);
    // Rust runs the tasks in order; the kernel runs them in any order, so
    // each task writes its own even cell and reads odd ones.
    for i in (0..N).step_by(2) {
        sort_cells(&mut want_cells, &mut want_out, i, N);
    }
    for gpu in every_backend("struct_arrays", 4) {
        let what = gpu.description();
        let mut k = Cards::new(&gpu).unwrap();
        k.cells().upload(&start).unwrap();
        k.out().upload(&vec![0; 3 * N as usize]).unwrap();
        for i in (0..N).step_by(2) {
            k.publish(Priority::Normal, sort_cells::task(i, N)).unwrap();
        }
        run_and_compare(&mut k, want_cells.as_slice(), want_out.as_slice(), &what);
    }
}

#[test]
fn struct_array_indices_out_of_bounds_fault_alike() {
    let start: Vec<Card> = (0..8).map(card).collect();
    for gpu in every_backend("struct_arrays_bounds", 4) {
        let what = gpu.description();
        let mut k = Cards::new(&gpu).unwrap();
        k.cells().upload(&start).unwrap();
        k.out().upload(&[0; 8]).unwrap();
        // In bounds: both reads land.
        k.publish(Priority::Normal, probe::task(0, 1, 2)).unwrap();
        assert_eq!(run_faults(&mut k), [], "{what}");
        assert_eq!(
            &k.out().read().unwrap()[..2],
            &[start[1].w[1], start[0].w[2]],
            "{what}"
        );
        for (j, kk, index) in [(2, 0, 2), (9, 1, 9), (1, 3, 3), (5, 7, 5)] {
            k.out().upload(&[0; 8]).unwrap();
            k.publish(Priority::Normal, probe::task(4, j, kk)).unwrap();
            let kinds = run_faults(&mut k);
            assert_eq!(
                kinds,
                [FaultKind::OutOfBounds { index }],
                "{what}: a[{j}].w / a[0].w[{kk}]"
            );
            let out = k.out().read().unwrap();
            let stored = if j < 2 { start[4 + j as usize].w[1] } else { 0 };
            assert_eq!(out[4], stored, "{what}: a[{j}].w[1] before the fault");
            assert_eq!(out[5], 0, "{what}: nothing stored after the fault");
        }
        for (j, m, index) in [(5, 100, 100), (5, 1, 5), (0, 1, u32::MAX)] {
            k.out().upload(&[0; 8]).unwrap();
            let m = if index == u32::MAX { 1 } else { m };
            k.publish(Priority::Normal, order::task(2, j, m)).unwrap();
            let kinds = run_faults(&mut k);
            if index == u32::MAX {
                assert!(kinds.is_empty(), "{what}: {kinds:?}");
                assert_eq!(k.out().read().unwrap()[2], start[2].w[0], "{what}");
            } else {
                assert_eq!(
                    kinds,
                    [FaultKind::OutOfBounds { index }],
                    "{what}: a[{j}].w[..] += out[{m}]"
                );
            }
        }
    }
}

#[test]
fn struct_buffers_pass_to_device_functions() {
    let start: Vec<Card> = (0..16).map(card).collect();
    let mut want_cells = Buffer::from(start.clone());
    let mut want_out = Buffer::from(vec![0u32; 16]);
    pick_heaviest(&mut want_cells, &mut want_out, 3, 16);
    for gpu in every_backend("struct_buffer_device_param", 4) {
        let what = gpu.description();
        let mut k = Cards::new(&gpu).unwrap();
        k.cells().upload(&start).unwrap();
        k.out().upload(&[0; 16]).unwrap();
        k.publish(Priority::Normal, pick_heaviest::task(3, 16))
            .unwrap();
        run_and_compare(&mut k, want_cells.as_slice(), want_out.as_slice(), &what);
    }
}

fn deck(k: u32) -> Deck {
    Deck {
        cards: [card(k), card(k + 7), card(k + 13)],
        best: 0,
        n: k * 5 + 1,
    }
}

#[test]
fn arrays_of_structs_inside_buffer_elements_agree_with_rust() {
    let start: Vec<Deck> = (0..12).map(deck).collect();
    let mut want = Buffer::from(start.clone());
    for i in 0..12u32 {
        deal(&mut want, i, i % 3, (i / 3) % 3);
    }
    for gpu in every_backend("struct_array_fields", 4) {
        let what = gpu.description();
        let mut k = Cards::new(&gpu).unwrap();
        k.decks().upload(&start).unwrap();
        for i in 0..12u32 {
            k.publish(Priority::Normal, deal::task(i, i % 3, (i / 3) % 3))
                .unwrap();
        }
        assert_eq!(run_faults(&mut k), [], "{what}");
        assert_eq!(k.decks().read().unwrap(), want.as_slice(), "{what}");
        // Out of bounds: the card's index first, then the array field's.
        for (j, kk, index) in [(3, 0, 3), (0, 3, 3), (7, 9, 7)] {
            k.decks().upload(&start).unwrap();
            k.publish(Priority::Normal, deal::task(0, j, kk)).unwrap();
            let kinds = run_faults(&mut k);
            assert_eq!(
                kinds,
                [FaultKind::OutOfBounds { index }],
                "{what}: cards[{j}].w[{kk}]"
            );
            assert_eq!(k.decks().read().unwrap(), start, "{what}: nothing stored");
        }
    }
}

#[test]
fn struct_locals_holding_arrays_of_structs_agree_with_rust() {
    let start: Vec<Deck> = (0..12).map(deck).collect();
    let mut want = Buffer::from(start.clone());
    // Even decks only: each task reads the next (odd) one.
    for i in (0..12u32).step_by(2) {
        shuffle(&mut want, i, i % 3, (i / 2) % 3);
    }
    for gpu in every_backend("struct_local_array_fields", 4) {
        let what = gpu.description();
        let mut k = Cards::new(&gpu).unwrap();
        k.decks().upload(&start).unwrap();
        for i in (0..12u32).step_by(2) {
            k.publish(Priority::Normal, shuffle::task(i, i % 3, (i / 2) % 3))
                .unwrap();
        }
        assert_eq!(run_faults(&mut k), [], "{what}");
        assert_eq!(k.decks().read().unwrap(), want.as_slice(), "{what}");
        for (j, kk, index) in [(3, 0, 3), (0, 5, 5)] {
            k.decks().upload(&start).unwrap();
            k.publish(Priority::Normal, shuffle::task(0, j, kk))
                .unwrap();
            let kinds = run_faults(&mut k);
            assert_eq!(
                kinds,
                [FaultKind::OutOfBounds { index }],
                "{what}: cards[{j}].w[{kk}]"
            );
        }
    }
}
