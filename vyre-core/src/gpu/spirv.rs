//! vyre's own SPIR-V for the modules it lowers, kept beside the driver's
//! pipeline cache, so that a warm start skips naga.
//!
//! Through wgpu, a WGSL module costs naga's parse and validation when it
//! is created (6–12 ms for a 20-handler program on the H100 hosts, a
//! third of a warm start) and naga's SPIR-V writer again for every
//! pipeline made from it. With the driver's pipelines already on disk
//! (`disk_cache`), that is most of what a new process spends. So, where
//! the device takes SPIR-V as is (`Features::PASSTHROUGH_SHADERS`, on
//! Vulkan) and the pipeline cache is on, vyre writes the module's SPIR-V
//! itself once — the same naga passes, with the options wgpu's Vulkan
//! back end uses for a trusted module (below) — keeps it in a file of its
//! own in the cache directory, and creates the module from that file in
//! later processes. Like wgpu, it writes one SPIR-V module per entry
//! point (the driver compiles a module whole: the small passes must not
//! carry every handler), with the SPIR-V version, zero fill and buffer
//! policy wgpu picks for the device. The driver sees the same SPIR-V
//! every time, so its own cache finds the pipelines.
//!
//! Only WGSL that vyre lowered goes this way: a passthrough module skips
//! wgpu's check of the shader's bindings against the pipeline layout,
//! which holds by construction for vyre's lowering (`docs/protocol.md`,
//! buffers) but not for WGSL a caller supplies. `VYRE_TRUSTED=off` and
//! `VYRE_CACHE=off` keep wgpu's own path as well.
//!
//! As with the pipeline cache, a file is never a reason to fail: one that
//! is missing, damaged or written for other WGSL is ignored (warned once)
//! and written anew, and a module the device refuses falls back to the
//! WGSL path, which reports real errors.

use std::path::{Path, PathBuf};

use super::disk_cache::{self, DiskCache};

/// The first word of every SPIR-V module.
const SPIRV_MAGIC: u32 = 0x0723_0203;

/// What the SPIR-V depends on besides the WGSL and naga (pinned by vyre's
/// version): what wgpu's Vulkan back end chooses for the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    /// The SPIR-V version for the device's Vulkan version.
    lang_version: (u8, u8),
    /// Workgroup memory zero-filled by the driver (Vulkan 1.3), else by
    /// stores at the entry point's start.
    native_zero_init: bool,
    /// Buffer accesses left to the driver's robust buffer access 2, else
    /// clamped by naga.
    robust_buffer_access2: bool,
}

impl Target {
    /// The target of a device opened on `adapter`, `None` off Vulkan.
    /// Only where wgpu builds its native Vulkan back end (Windows, Linux,
    /// Android, FreeBSD: the platforms its build script names); elsewhere
    /// `None`.
    #[cfg(any(
        windows,
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd"
    ))]
    fn of(adapter: &wgpu::Adapter) -> Option<Target> {
        // SAFETY: only the adapter's properties are read; nothing is
        // created or destroyed through the handle.
        let hal = unsafe { adapter.as_hal::<wgpu::hal::api::Vulkan>() }?;
        let caps = hal.physical_device_capabilities();
        let api = caps.properties().api_version;
        let (major, minor) = (api >> 22 & 0x7f, api >> 12 & 0x3ff);
        Some(Target::for_vulkan(
            (major, minor),
            caps.supports_extension(c"VK_EXT_robustness2"),
        ))
    }

    /// The target of a device opened on `adapter`: none where wgpu has
    /// no native Vulkan back end.
    #[cfg(not(any(
        windows,
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd"
    )))]
    fn of(_adapter: &wgpu::Adapter) -> Option<Target> {
        None
    }

    /// The choices wgpu's Vulkan back end makes for a device of Vulkan
    /// version `vulkan` (major, minor), with or without `VK_EXT_robustness2`:
    /// the newest SPIR-V the version takes, the driver's zero fill where
    /// Vulkan 1.3 makes it a core feature.
    fn for_vulkan(vulkan: (u32, u32), robustness2: bool) -> Target {
        let lang_version = match vulkan {
            (1, 0) => (1, 0),
            (1, 1) => (1, 3),
            (1, 2) => (1, 5),
            _ => (1, 6),
        };
        Target {
            lang_version,
            native_zero_init: vulkan >= (1, 3),
            robust_buffer_access2: robustness2,
        }
    }

    /// Everything the SPIR-V depends on but the WGSL, for the file's name.
    fn tag(&self) -> String {
        format!(
            "{self:?}; index restrict; no loop bounding, no division checks; vyre {}",
            env!("CARGO_PKG_VERSION")
        )
    }
}

/// The SPIR-V of each entry point of the vyre-lowered `wgsl` for a
/// device on `adapter`, from the cache directory of `disk` when a file
/// there holds it, else written and stored. `None` off Vulkan, or when
/// naga rejects the WGSL (the WGSL path reports why).
pub(crate) fn entries(
    adapter: &wgpu::Adapter,
    disk: &DiskCache,
    label: &str,
    wgsl: &str,
) -> Option<Vec<Entry>> {
    let target = Target::of(adapter)?;
    let path = file_of(disk.directory(), &target, wgsl);
    let loaded = {
        crate::trace::stage!("spirv_file", program = label);
        disk_cache::load(&path).map(|p| entries_for(&p, wgsl))
    };
    match loaded {
        Some(Ok(entries)) => Some(entries),
        loaded => {
            if let Some(Err(problem)) = loaded {
                disk_cache::warn_once(&format!(
                    "{} (the SPIR-V of {label}) {problem}",
                    path.display()
                ));
            }
            let entries = {
                crate::trace::stage!("spirv_write", program = label);
                write(wgsl, &target).ok()?
            };
            disk_cache::store(&path, &payload(wgsl, &entries));
            disk_cache::prune(disk.directory(), "spv", KEEP_FILES);
            Some(entries)
        }
    }
}

/// SPIR-V files kept in the cache directory; the oldest go beyond it (a
/// file is about 100–170 KB for 20 handlers).
const KEEP_FILES: usize = 256;

/// The file holding the SPIR-V of `wgsl` for `target` in `dir`: named by
/// a hash of both.
fn file_of(dir: &Path, target: &Target, wgsl: &str) -> PathBuf {
    let h = disk_cache::fnv1a_on(disk_cache::fnv1a(target.tag().as_bytes()), wgsl.as_bytes());
    dir.join(format!("spirv-{h:016x}.spv"))
}

/// An entry point's name and its SPIR-V.
pub type Entry = (String, Vec<u32>);

/// A file's payload, little-endian: the WGSL's length (8 bytes) and the
/// WGSL (so that two modules whose file names collide are told apart),
/// then per entry point its name's length (4 bytes), the name, its word
/// count (4 bytes) and the words.
fn payload(wgsl: &str, entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(wgsl.len() as u64).to_le_bytes());
    out.extend_from_slice(wgsl.as_bytes());
    for (name, words) in entries {
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(words.len() as u32).to_le_bytes());
        for w in words {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }
    out
}

/// The entry points of the vyre SPIR-V file at `path`, whatever WGSL it
/// was written for, or what is wrong with it: for vyre's own probes (the
/// bench's `pipeline_stats` asks the driver what each entry point
/// compiles to), not for programs.
#[doc(hidden)]
pub fn read_file(path: &Path) -> Result<Vec<Entry>, String> {
    let payload = disk_cache::load(path).ok_or("is missing or damaged")?;
    Ok(split(&payload)?.1)
}

/// The SPIR-V vyre would write from `wgsl` for a device of Vulkan version
/// `vulkan` with or without `VK_EXT_robustness2`: for vyre's own probes
/// (`pipeline_stats` on a hand-edited module), not for programs.
#[doc(hidden)]
pub fn write_for_vulkan(
    wgsl: &str,
    vulkan: (u32, u32),
    robustness2: bool,
) -> Result<Vec<Entry>, String> {
    write(wgsl, &Target::for_vulkan(vulkan, robustness2))
}

/// The entry points in `payload` if it was written for `wgsl`.
fn entries_for(payload: &[u8], wgsl: &str) -> Result<Vec<Entry>, &'static str> {
    let (written_for, entries) = split(payload)?;
    if written_for != wgsl.as_bytes() {
        return Err("was written for other WGSL");
    }
    Ok(entries)
}

/// The WGSL `payload` was written for and its entry points.
fn split(payload: &[u8]) -> Result<(&[u8], Vec<Entry>), &'static str> {
    let mut rest = Cursor(payload);
    let len = usize::try_from(rest.u64()?).map_err(|_| "is corrupt")?;
    let wgsl = rest.bytes(len)?;
    let mut entries = Vec::new();
    while !rest.0.is_empty() {
        let n = rest.u32()? as usize;
        let name = std::str::from_utf8(rest.bytes(n)?).map_err(|_| "is corrupt")?;
        let count = rest.u32()? as usize;
        let bytes = rest.bytes(count.checked_mul(4).ok_or("is corrupt")?)?;
        let words: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        if words.first() != Some(&SPIRV_MAGIC) {
            return Err("holds no SPIR-V");
        }
        entries.push((name.to_string(), words));
    }
    if entries.is_empty() {
        return Err("holds no SPIR-V");
    }
    Ok((wgsl, entries))
}

/// The unread bytes of a payload.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    /// The next `n` bytes.
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        if self.0.len() < n {
            return Err("is truncated");
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    /// The next 4 bytes as a little-endian word.
    fn u32(&mut self) -> Result<u32, &'static str> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The next 8 bytes as a little-endian number.
    fn u64(&mut self) -> Result<u64, &'static str> {
        let lo = u64::from(self.u32()?);
        Ok(lo | u64::from(self.u32()?) << 32)
    }
}

/// naga's SPIR-V of each entry point of `wgsl` for `target` (as wgpu's
/// Vulkan back end writes one for each pipeline), or naga's reason not.
fn write(wgsl: &str, target: &Target) -> Result<Vec<Entry>, String> {
    use naga::back::spv;
    let module = naga::front::wgsl::parse_str(wgsl).map_err(|e| e.emit_to_string(wgsl))?;
    let info = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::default(),
    )
    .validate(&module)
    .map_err(|e| e.emit_to_string(wgsl))?;
    let policy = |unchecked: bool| {
        if unchecked {
            naga::proc::BoundsCheckPolicy::Unchecked
        } else {
            naga::proc::BoundsCheckPolicy::Restrict
        }
    };
    let options = spv::Options {
        lang_version: target.lang_version,
        flags: spv::WriterFlags::empty(),
        // Each binding at its WGSL group and number, as wgpu's map from
        // the pipeline layout puts it.
        fake_missing_bindings: true,
        bounds_check_policies: naga::proc::BoundsCheckPolicies {
            index: naga::proc::BoundsCheckPolicy::Restrict,
            buffer: policy(target.robust_buffer_access2),
            image_load: naga::proc::BoundsCheckPolicy::Unchecked,
            binding_array: naga::proc::BoundsCheckPolicy::Unchecked,
        },
        zero_initialize_workgroup_memory: if target.native_zero_init {
            spv::ZeroInitializeWorkgroupMemoryMode::Native
        } else {
            spv::ZeroInitializeWorkgroupMemoryMode::Polyfill
        },
        // vyre bounds every loop and checks every division itself
        // (`pipeline::trusted_checks`, `tests/trusted_shaders.rs`).
        force_loop_bounding: false,
        emit_int_div_checks: false,
        ..spv::Options::default()
    };
    // As wgpu does for each pipeline: the module cut down to the entry
    // point (its functions, types and globals only), then written.
    let no_constants = naga::back::PipelineConstants::default();
    module
        .entry_points
        .iter()
        .map(|ep| {
            let (alone, alone_info) = naga::back::pipeline_constants::process_overrides(
                &module,
                &info,
                Some((ep.stage, &ep.name)),
                &no_constants,
            )
            .map_err(|e| e.to_string())?;
            let pipeline = spv::PipelineOptions {
                shader_stage: ep.stage,
                entry_point: ep.name.clone(),
            };
            spv::write_vec(&alone, &alone_info, &options, Some(&pipeline))
                .map(|words| (ep.name.clone(), words))
                .map_err(|e| e.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WGSL: &str = "@group(0) @binding(0) var<storage, read_write> out: array<u32>;\n\
        @compute @workgroup_size(64) fn vy_work(@builtin(global_invocation_id) g: vec3<u32>) {\n\
            var i = 0u;\n\
            loop { if i >= 4u { break; } out[g.x] = out[g.x] / (i + 1u); i += 1u; }\n\
        }\n\
        @compute @workgroup_size(1) fn vy_prepare() { out[0] = 1u; }\n";

    fn target() -> Target {
        Target::for_vulkan((1, 3), true)
    }

    #[test]
    fn the_target_follows_the_vulkan_version_as_wgpu_does() {
        assert_eq!(Target::for_vulkan((1, 0), false).lang_version, (1, 0));
        assert_eq!(Target::for_vulkan((1, 1), false).lang_version, (1, 3));
        assert_eq!(Target::for_vulkan((1, 2), false).lang_version, (1, 5));
        assert_eq!(Target::for_vulkan((1, 4), false).lang_version, (1, 6));
        assert!(!Target::for_vulkan((1, 2), true).native_zero_init);
        assert!(Target::for_vulkan((1, 3), false).native_zero_init);
        assert_ne!(target().tag(), Target::for_vulkan((1, 3), false).tag());
    }

    #[test]
    fn every_entry_point_gets_its_own_spirv() {
        let entries = write(WGSL, &target()).expect("valid WGSL");
        let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["vy_work", "vy_prepare"]);
        assert!(entries.iter().all(|(_, w)| w[0] == SPIRV_MAGIC));
        // The small entry point carries none of the other's loop.
        assert!(entries[1].1.len() < entries[0].1.len());
        // Written for a 1.0 device, SPIR-V 1.0.
        let old = write(WGSL, &Target::for_vulkan((1, 0), false)).expect("valid WGSL");
        assert_eq!(old[0].1[1], 0x0001_0000);
        assert_eq!(entries[0].1[1], 0x0001_0600);
    }

    #[test]
    fn the_spirv_comes_back_from_its_payload_only_for_its_wgsl() {
        let entries = write(WGSL, &target()).expect("valid WGSL");
        let stored = payload(WGSL, &entries);
        assert_eq!(entries_for(&stored, WGSL), Ok(entries.clone()));
        let other = WGSL.replace("4u", "5u");
        assert_eq!(
            entries_for(&stored, &other),
            Err("was written for other WGSL")
        );
        for cut in [0, 7, 8 + WGSL.len(), 8 + WGSL.len() + 2, stored.len() - 1] {
            assert!(entries_for(&stored[..cut], WGSL).is_err(), "cut at {cut}");
        }
        let mut not_spirv = stored.clone();
        // The first word of the first entry's SPIR-V: after the WGSL, the
        // name's length and the name, and the word count.
        not_spirv[8 + WGSL.len() + 4 + "vy_work".len() + 4] ^= 1;
        assert_eq!(entries_for(&not_spirv, WGSL), Err("holds no SPIR-V"));
    }

    #[test]
    fn a_probe_reads_any_spirv_file_without_its_wgsl() {
        let dir = std::env::temp_dir().join(format!("vyre-spirv-read-{}", std::process::id()));
        let path = file_of(&dir, &target(), WGSL);
        let entries = write(WGSL, &target()).expect("valid WGSL");
        disk_cache::store(&path, &payload(WGSL, &entries));
        assert_eq!(read_file(&path), Ok(entries));
        std::fs::write(&path, b"not a cache file").expect("writable");
        assert!(read_file(&path).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn invalid_wgsl_is_naga_s_error_not_spirv() {
        let e = write("fn broken( {", &target()).unwrap_err();
        assert!(e.contains("error"), "{e}");
    }

    #[test]
    fn files_are_named_by_their_wgsl_and_target() {
        let dir = Path::new("/cache");
        let t = target();
        assert_eq!(file_of(dir, &t, WGSL), file_of(dir, &t, WGSL));
        assert_ne!(file_of(dir, &t, WGSL), file_of(dir, &t, "other"));
        let old = Target::for_vulkan((1, 1), true);
        assert_ne!(file_of(dir, &t, WGSL), file_of(dir, &old, WGSL));
        assert_eq!(file_of(dir, &t, WGSL).extension().unwrap(), "spv");
    }
}
