//! The dispatch tuned on first use (`Gpu::autotune`, `Gpu::auto_dispatch`):
//! the choice is one of those measured, runs the program correctly, is
//! kept on disk and read back by a new process's context, and a damaged
//! or unwritable cache file only means tuning again.
//!
//! One test in its own binary: it sets `VYRE_AUTOTUNE=always` (tune on a
//! software adapter too) and the cache directory, which every context of
//! the process reads.

mod support;

use support::cache_file::envelope;

use std::fs;
use std::path::{Path, PathBuf};

use vyre_core::gpu::{test_context, AUTOTUNE_ENV, CACHE_DIR_ENV, CACHE_ENV};
use vyre_core::ir::{Access, BufferKind, HandlerBuilder, Literal, ScalarType};
use vyre_core::{Gpu, Priority, Program, ProgramConfig, Runtime, Task};

const U32: ScalarType = ScalarType::U32;

/// `square(i)`: `out[i] = i * i`, with the dispatch left to the backend.
fn program() -> Program {
    let mut h = HandlerBuilder::new(3, "square");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let i = h.arg("i", U32);
    h.body(|b| b.store(out, i, i * i));
    Program::builder("autotune")
        .config(ProgramConfig {
            auto_dispatch: true,
            ..ProgramConfig::default()
        })
        .buffer("out", BufferKind::plain(U32))
        .opcode(h.finish().expect("handler"))
        .build()
        .expect("program")
}

/// Runs the program on `gpu` and checks its output; returns its lanes.
fn run_checked(gpu: &Gpu) -> u32 {
    let mut rt = Runtime::new(gpu, program()).expect("runtime");
    let out = rt.buffer::<u32>("out").expect("buffer");
    rt.upload(out, &[0; 512]).expect("upload");
    for i in 0..512u32 {
        rt.publish(Priority::Normal, Task::new(3, [Literal::U32(i)]))
            .expect("publish");
    }
    assert_eq!(rt.run().expect("run").executed, 512);
    let expected: Vec<u32> = (0..512u32).map(|i| i * i).collect();
    assert_eq!(rt.read(out).expect("read"), expected);
    rt.lanes()
}

/// The tuning files in `dir`.
fn tuning_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("autotune-"))
        })
        .collect()
}

#[test]
fn the_tuned_dispatch_is_measured_kept_and_never_changes_a_result() {
    let Some(_) = test_context() else { return };
    let base = std::env::temp_dir().join(format!("vyre-autotune-test-{}", std::process::id()));
    let _ = fs::remove_dir_all(&base);
    let dir = base.join("cache");
    std::env::set_var(CACHE_DIR_ENV, &dir);
    std::env::remove_var(CACHE_ENV);
    std::env::set_var(AUTOTUNE_ENV, "always");

    // Tuning ahead of time: the choice is the one with the most lanes
    // among those measured within 5% of the fastest (the faster of equals).
    let gpu = Gpu::wgpu().expect("a wgpu adapter");
    let tuning = gpu.autotune(&program()).expect("autotune");
    assert!(tuning.measured.len() >= 5, "{:?}", tuning.measured);
    let fastest = tuning.measured.iter().map(|m| m.2).fold(0.0, f64::max);
    let near: Vec<_> = tuning
        .measured
        .iter()
        .filter(|m| m.2 >= fastest * 0.95)
        .collect();
    let lanes = |m: &(u32, u32, f64)| u64::from(m.0) * u64::from(m.1);
    let chosen_m = near
        .iter()
        .find(|m| (m.0, m.1) == (tuning.workgroup_size, tuning.workgroups))
        .unwrap_or_else(|| panic!("the choice is within 5% of the fastest: {tuning:?}"));
    assert!(
        near.iter()
            .all(|m| lanes(m) < lanes(chosen_m)
                || (lanes(m) == lanes(chosen_m) && m.2 <= chosen_m.2)),
        "the most lanes of those near the fastest: {tuning:?}"
    );
    assert!(tuning.measured.iter().all(|m| m.2 > 0.0));
    let chosen = (tuning.workgroup_size, tuning.workgroups);
    assert_eq!(gpu.auto_dispatch(&program()), Some(chosen));
    assert_eq!(run_checked(&gpu), chosen.0 * chosen.1);
    let files = tuning_files(&dir);
    assert_eq!(
        files.len(),
        1,
        "one file per adapter and program: {files:?}"
    );
    let file = &files[0];
    let good = fs::read(file).expect("the tuning file");
    let text = String::from_utf8_lossy(&good[24..]).to_string();
    assert!(
        text.contains(&format!("workgroup_size {}\n", chosen.0))
            && text.contains(&format!("workgroups {}\n", chosen.1)),
        "{text}"
    );

    // A new context (a new process) reads the file instead of tuning: a
    // choice no tuning makes (3 workgroups) comes back from it.
    let planted = text.replace(&format!("workgroups {}\n", chosen.1), "workgroups 3\n");
    fs::write(file, envelope(planted.as_bytes())).expect("plant a choice");
    let fresh = Gpu::wgpu().expect("a wgpu adapter");
    assert_eq!(fresh.auto_dispatch(&program()), Some((chosen.0, 3)));
    assert_eq!(run_checked(&fresh), chosen.0 * 3);

    // Damaged files and files for something else: ignored, tuned anew,
    // written anew, and the results are right.
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x5a;
    let other_key = envelope(text.replacen("key ", "key 0", 1).as_bytes());
    let too_wide = envelope(
        text.replace(
            &format!("workgroup_size {}\n", chosen.0),
            "workgroup_size 100000\n",
        )
        .as_bytes(),
    );
    for (what, bytes) in [
        ("corrupt", flipped),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("another key", other_key),
        ("a size the adapter cannot run", too_wide),
        ("not a cache file", b"hello".to_vec()),
    ] {
        fs::write(file, &bytes).expect("damage the file");
        let gpu = Gpu::wgpu().expect("a wgpu adapter");
        let (size, groups) = gpu.auto_dispatch(&program()).expect("a dispatch");
        assert!(size <= 256 && groups >= 1, "{what}: {size} x {groups}");
        assert_eq!(run_checked(&gpu), size * groups, "{what}");
        let after = fs::read(file).expect("the tuning file");
        assert_ne!(after, bytes, "{what}: the file is written anew");
    }

    // A directory that cannot be created: tuned, used, nothing written.
    let blocker = base.join("blocker");
    fs::write(&blocker, b"").expect("a file");
    std::env::set_var(CACHE_DIR_ENV, blocker.join("cache"));
    let gpu = Gpu::wgpu().expect("a wgpu adapter");
    assert!(gpu.auto_dispatch(&program()).is_some());
    run_checked(&gpu);

    // Off: the fixed hardware dispatch where a hardware GPU would tune; a
    // software adapter keeps the program's own.
    std::env::set_var(AUTOTUNE_ENV, "off");
    let gpu = Gpu::wgpu().expect("a wgpu adapter");
    let off = gpu.auto_dispatch(&program());
    let software = gpu.context().is_some_and(|c| c.is_software());
    assert_eq!(off, (!software).then_some((256, 528)));
    run_checked(&gpu);

    // A CPU backend has nothing to tune.
    assert!(Gpu::reference().autotune(&program()).is_err());

    for var in [AUTOTUNE_ENV, CACHE_DIR_ENV] {
        std::env::remove_var(var);
    }
    let _ = fs::remove_dir_all(&base);
}
