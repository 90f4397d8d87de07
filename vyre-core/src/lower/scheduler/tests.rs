//! The assembled module: every template filled exactly, and every module
//! the product can assemble valid for naga.

use super::*;
use crate::ir::{Access, BufferKind, HandlerBuilder};
use crate::lower::ENTRY_POINTS;
use crate::program::{OpcodeHandler, ProgramConfig};
use crate::Priority;

const U32: ScalarType = ScalarType::U32;

/// `report(x, scale, flag)`: printf, a compare-exchange, a store, a user
/// fault, arguments of every other type.
fn report() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(7, "report");
    let dist = h.buffer("dist", U32, Access::Atomic);
    let out = h.buffer("out", ScalarType::F32, Access::ReadWrite);
    let x = h.arg("x", ScalarType::I32);
    let scale = h.arg("scale", ScalarType::F32);
    let flag = h.arg("flag", ScalarType::Bool);
    h.body(|b| {
        b.printf("x = {}, scale = {}", vec![x.into(), scale.into()]);
        let (old, _) = b.compare_exchange(dist, 0u32, 0u32, 1u32);
        b.store(out, old, scale);
        b.if_(flag, |b| b.fault(3u32));
    });
    h.finish().expect("report")
}

/// `count(n)`: a `while` loop of atomic additions that spawns `count(i)`
/// for each odd `i`.
fn count() -> OpcodeHandler {
    let mut h = HandlerBuilder::new(9, "count");
    let dist = h.buffer("dist", U32, Access::Atomic);
    let n = h.arg("n", U32);
    h.body(|b| {
        let i = b.let_mut("i", 0u32);
        b.while_(i.lt(n), |b| {
            b.eval(dist.fetch_add(i % 4u32, 1u32));
            b.if_((i & 1u32).equals(1u32), |b| {
                b.spawn(Priority::Low, 9, vec![i.into()]);
            });
            b.assign(i, i + 1u32);
        });
    });
    h.finish().expect("count")
}

/// `report` and, where `spawns`, `count`; a program without `count`
/// places and runs (it has the place pass).
fn program(workgroup_size: u32, sharded: bool, spawns: bool) -> Program {
    let mut b = Program::builder("scheduler test")
        .config(ProgramConfig {
            workgroup_size,
            sharded,
            slots: 1000,
            ..ProgramConfig::default()
        })
        .buffer("dist", BufferKind::atomic(U32))
        .buffer("out", BufferKind::plain(ScalarType::F32))
        .opcode(report());
    if spawns {
        b = b.opcode(count());
    }
    let p = b.build().expect("program");
    assert_eq!(p.places_and_runs(), !spawns);
    p
}

/// Whether a module has the place pass.
fn src_has_place(src: &str) -> bool {
    src.contains(&format!("fn {}(", crate::lower::ENTRY_PLACE))
}

fn validate(src: &str) -> Result<(), String> {
    let module = naga::front::wgsl::parse_str(src).map_err(|e| e.emit_to_string(src))?;
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::default(),
    )
    .validate(&module)
    .map_err(|e| e.emit_to_string(src))?;
    Ok(())
}

#[test]
fn every_product_module_validates_with_naga() {
    for (workgroup_size, sharded, spawns) in [
        (1, false, true),
        (64, false, true),
        (256, false, true),
        (1, true, true),
        (64, true, true),
        (64, false, false),
        (256, true, false),
    ] {
        let p = program(workgroup_size, sharded, spawns);
        assert_eq!(
            src_has_place(&super::super::wgsl_with(&p, &LowerOptions::default())),
            !spawns
        );
        for options in LowerOptions::all() {
            let src = super::super::wgsl_with(&p, &options);
            for entry in super::super::ENTRY_POINTS {
                assert!(src.contains(&format!("fn {entry}(")), "{options:?}");
            }
            // The header names the entry points as lower/mod.rs does.
            assert!(src.contains(&format!(
                "// Entry points: {}, {}, {} (the M passes),\n// {} (the W pass) and {} ",
                ENTRY_POINTS[0],
                ENTRY_POINTS[1],
                ENTRY_POINTS[2],
                ENTRY_POINTS[3],
                super::super::ENTRY_EXPAND
            )));
            assert!(src.contains(&format!("fn {}(", super::super::ENTRY_EXPAND)));
            if let Err(e) = validate(&src) {
                panic!(
                    "{options:?}, workgroup size {workgroup_size}, sharded {sharded}: {e}\n{src}"
                );
            }
        }
    }
}

#[test]
fn every_placeholder_of_every_template_is_filled() {
    // Filling checks both directions (no placeholder without a value, no
    // value without a placeholder) in debug builds, so assembling every
    // variant checks every fill; what is left to see is that no
    // placeholder survives and that every template took part.
    let modules: Vec<String> = [(false, true), (true, true), (false, false)]
        .into_iter()
        .flat_map(|(sharded, spawns)| {
            let p = program(64, sharded, spawns);
            LowerOptions::all().map(move |o| super::super::wgsl_with(&p, &o))
        })
        .collect();
    for m in &modules {
        assert!(!m.contains("{{") && !m.contains("}}"), "{m}");
    }
    for t in TEMPLATES {
        assert!(!t.placeholders().is_empty() || !t.body().contains("{{"));
        for line in t.body().lines() {
            for piece in line.split("{{").flat_map(|s| s.rsplit("}}").next()) {
                let piece = piece.trim();
                assert!(
                    piece.is_empty() || modules.iter().any(|m| m.contains(piece)),
                    "{}: `{piece}` is in no module",
                    t.name
                );
            }
        }
    }
}

#[test]
fn the_protocol_numbers_come_from_rust() {
    // Every constant's value is a placeholder, filled from protocol.rs,
    // the program or lower/: no number of the protocol is written into
    // the templates.
    for line in CONSTANTS.body().lines().filter(|l| l.starts_with("const ")) {
        assert!(
            line.contains(": u32 = {{") || line.contains(": bool = {{"),
            "{line}"
        );
    }
    for t in TEMPLATES {
        assert!(!t.body().contains("const vy_") || t.name == CONSTANTS.name);
    }
}

#[test]
fn the_words_read_before_the_switch_are_the_second_widest_handlers() {
    assert_eq!(shared_words(&[]), 0);
    assert_eq!(shared_words(&[5]), 0);
    assert_eq!(shared_words(&[1, 4, 5]), 4);
    assert_eq!(shared_words(&[5, 1, 4]), 4);
    assert_eq!(shared_words(&[2, 2, 2]), 2);
    assert_eq!(shared_words(&[0, 3]), 0);
}
