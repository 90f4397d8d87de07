//! The driver's pipeline cache on disk (`VYRE_CACHE_DIR`, `VYRE_CACHE`):
//! a new context reads what an earlier one wrote, and a cache file that is
//! corrupt, truncated or written for another device, a directory that
//! cannot be written, or the cache turned off changes no result and is
//! never an error.
//!
//! One test in its own binary: it sets the cache's environment variables,
//! which every context of the process reads when it opens.

mod support;

use support::cache_file::envelope;

use std::fs;
use std::path::{Path, PathBuf};

use vyre_core::gpu::{test_context, CACHE_DIR_ENV, CACHE_ENV};
use vyre_core::ir::{Access, BufferKind, HandlerBuilder, Literal, ScalarType};
use vyre_core::{Gpu, Priority, Program, Runtime, Task};

const U32: ScalarType = ScalarType::U32;

/// `mix(i)`: `out[i] = (i * 2654435761) ^ (i >> 3)`.
fn program() -> Program {
    let mut h = HandlerBuilder::new(1, "mix");
    let out = h.buffer("out", U32, Access::ReadWrite);
    let i = h.arg("i", U32);
    h.body(|b| b.store(out, i, (i * 2_654_435_761u32) ^ (i >> 3u32)));
    Program::builder("disk cache")
        .buffer("out", BufferKind::plain(U32))
        .opcode(h.finish().expect("handler"))
        .build()
        .expect("program")
}

/// Runs the program on a context of its own (which opens the cache
/// anew) and returns its output.
fn run() -> Vec<u32> {
    let gpu = Gpu::wgpu().expect("a wgpu adapter");
    let mut rt = Runtime::new(&gpu, program()).expect("runtime");
    let out = rt.buffer::<u32>("out").expect("buffer");
    rt.upload(out, &[0; 256]).expect("upload");
    for i in 0..256u32 {
        rt.publish(Priority::Normal, Task::new(1, [Literal::U32(i)]))
            .expect("publish");
    }
    assert_eq!(rt.run().expect("run").executed, 256);
    rt.read(out).expect("read")
}

/// The files in `dir` whose extension is `ext`: `bin` for the pipeline
/// cache, `spv` for vyre's SPIR-V.
fn files_of(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect()
}

/// The pipeline cache files in `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    files_of(dir, "bin")
}

/// Damaged versions of the `kind` file `good`: its last byte flipped, its
/// first half, `foreign` (a well-formed file of something else) and no
/// cache file at all.
fn damaged(good: &[u8], foreign: Vec<u8>, kind: &str) -> [(String, Vec<u8>); 4] {
    let mut flipped = good.to_vec();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x5a;
    [
        (format!("corrupt {kind} file"), flipped),
        (
            format!("truncated {kind} file"),
            good[..good.len() / 2].to_vec(),
        ),
        (format!("foreign {kind} file"), foreign),
        (format!("not a {kind} file"), b"hello".to_vec()),
    ]
}

#[test]
fn the_disk_cache_is_used_and_never_changes_a_result() {
    let Some(ctx) = test_context() else { return };
    let vulkan = ctx.adapter_info().backend == wgpu::Backend::Vulkan;
    let base = std::env::temp_dir().join(format!("vyre-disk-cache-test-{}", std::process::id()));
    let _ = fs::remove_dir_all(&base);
    let dir = base.join("cache");
    std::env::remove_var(CACHE_ENV);
    std::env::set_var(CACHE_DIR_ENV, &dir);

    let expected: Vec<u32> = (0..256u32)
        .map(|i| i.wrapping_mul(2_654_435_761) ^ (i >> 3))
        .collect();
    assert_eq!(run(), expected, "cold");
    let written = files(&dir);
    if !vulkan {
        eprintln!("the adapter's backend has no pipeline cache: nothing more to check");
        return;
    }
    assert_eq!(written.len(), 1, "one cache file per adapter: {written:?}");
    let file = &written[0];
    let good = fs::read(file).expect("the cache file");
    assert!(good.len() > 24, "the file holds the driver's cache");

    let stamp = fs::metadata(file).and_then(|m| m.modified()).ok();
    assert_eq!(run(), expected, "warm");
    if fs::read(file).ok().as_deref() == Some(&good[..]) {
        // Every pipeline came from the file and the driver's cache is
        // what the file holds: it is not written again.
        let now = fs::metadata(file).and_then(|m| m.modified()).ok();
        assert_eq!(now, stamp, "a warm start rewrote an unchanged cache file");
    }

    // Damaged files: a flipped payload byte, half a file, another file.
    // A well-formed envelope around bytes that are not this device's
    // cache: wgpu refuses them and starts empty.
    let foreign = envelope(b"a pipeline cache of some other adapter and driver");
    for (what, bytes) in damaged(&good, foreign, "cache") {
        fs::write(file, &bytes).expect("damage the file");
        assert_eq!(run(), expected, "{what}");
        let after = fs::read(file).expect("the cache file");
        assert_ne!(after, bytes, "{what}: the file is written anew");
    }

    // vyre's SPIR-V beside the pipeline cache, where the device takes
    // SPIR-V as is: one file for the program's module, used by the next
    // process, and rewritten when damaged or written for other WGSL.
    let spirv = files_of(&dir, "spv");
    if !ctx
        .device()
        .features()
        .contains(wgpu::Features::PASSTHROUGH_SHADERS)
    {
        assert!(spirv.is_empty(), "SPIR-V written without passthrough");
    } else {
        assert_eq!(spirv.len(), 1, "one SPIR-V file for the module: {spirv:?}");
        let file = &spirv[0];
        let good = fs::read(file).expect("the SPIR-V file");
        assert_eq!(run(), expected, "SPIR-V from the file");
        assert_eq!(fs::read(file).expect("the SPIR-V file"), good, "kept");
        // The envelope around another module's WGSL and SPIR-V: the file's
        // name matches, its WGSL does not.
        let mut payload = good[24..].to_vec();
        payload[8] ^= 0x01;
        for (what, bytes) in damaged(&good, envelope(&payload), "SPIR-V") {
            fs::write(file, &bytes).expect("damage the file");
            assert_eq!(run(), expected, "{what}");
            assert_eq!(
                fs::read(file).expect("the SPIR-V file"),
                good,
                "{what}: written anew"
            );
        }
    }

    // A directory that cannot be created (below a regular file).
    let blocker = base.join("blocker");
    fs::write(&blocker, b"").expect("a file");
    std::env::set_var(CACHE_DIR_ENV, blocker.join("cache"));
    assert_eq!(run(), expected, "unwritable");

    // Turned off: nothing is written.
    let off = base.join("off");
    std::env::set_var(CACHE_DIR_ENV, &off);
    std::env::set_var(CACHE_ENV, "off");
    assert_eq!(run(), expected, "off");
    assert!(files(&off).is_empty(), "VYRE_CACHE=off writes nothing");

    std::env::remove_var(CACHE_ENV);
    std::env::remove_var(CACHE_DIR_ENV);
    let _ = fs::remove_dir_all(&base);
}
