//! What the Vulkan driver compiles each entry point of vyre's SPIR-V
//! files to: its statistics (on NVIDIA: registers per invocation, shared
//! memory, and so on) through `VK_KHR_pipeline_executable_properties`,
//! and how long each compile took. The probe behind the kernel's analysis
//! in `docs/benchmarks.md`: occupancy follows the register count, which
//! wgpu has no way to show.
//!
//! ```text
//! pipeline_stats [--no-opt] DIR_OR_FILE...
//! ```
//!
//! Each argument is a vyre SPIR-V file (`spirv-*.spv`, written into the
//! cache directory by any run with the cache on: `VYRE_CACHE_DIR=dir
//! bench --only bfs`), a directory of them, or a WGSL file (a module as
//! vyre lowered it, `startup N SALT --wgsl`, perhaps edited by hand),
//! written to SPIR-V as vyre would for the device. Every entry point is
//! compiled on its own, with no pipeline cache (turn the driver's disk
//! cache off too, e.g. `__GL_SHADER_DISK_CACHE=0`), on the first Vulkan
//! device that has the extension (else on the first device, with compile
//! times only). `--no-opt` compiles with
//! `VK_PIPELINE_CREATE_DISABLE_OPTIMIZATION_BIT`: what an unoptimised
//! compile would cost and spend.

use std::process::ExitCode;

fn main() -> ExitCode {
    match stats::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pipeline_stats: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(any(windows, target_os = "linux")))]
mod stats {
    pub fn run() -> Result<(), String> {
        Err("only built for Vulkan on Linux and Windows".into())
    }
}

#[cfg(any(windows, target_os = "linux"))]
mod stats {
    use std::collections::BTreeMap;
    use std::ffi::CString;
    use std::path::PathBuf;
    use std::time::Instant;

    use ash::{khr, vk};

    /// SPIR-V's `OpDecorate`, and the decorations of a resource binding.
    const OP_DECORATE: u32 = 71;
    const DECORATION_BINDING: u32 = 33;
    const DECORATION_DESCRIPTOR_SET: u32 = 34;

    pub fn run() -> Result<(), String> {
        let mut no_opt = false;
        let mut files = Vec::new();
        for arg in std::env::args().skip(1) {
            if arg == "--no-opt" {
                no_opt = true;
                continue;
            }
            let path = PathBuf::from(&arg);
            if path.is_dir() {
                let read = std::fs::read_dir(&path).map_err(|e| format!("{arg}: {e}"))?;
                let mut spv: Vec<PathBuf> = read
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "spv"))
                    .collect();
                spv.sort();
                files.extend(spv);
            } else {
                files.push(path);
            }
        }
        if files.is_empty() {
            return Err("usage: pipeline_stats [--no-opt] DIR_OR_FILE...".into());
        }
        // SAFETY: the loader is loaded once and outlives every call below.
        let entry = unsafe { ash::Entry::load() }.map_err(|e| e.to_string())?;
        let gpu = Device::open(&entry)?;
        println!("device: {}", gpu.name);
        for file in &files {
            let entries = if file.extension().is_some_and(|x| x == "wgsl") {
                let wgsl = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
                vyre::gpu::spirv_for_vulkan(&wgsl, gpu.vulkan, gpu.robustness2)
            } else {
                vyre::gpu::read_spirv_file(file)
            }
            .map_err(|e| format!("{}: {e}", file.display()))?;
            println!("# {}", file.display());
            for (name, words) in &entries {
                let (ms, stats) = gpu.compile(words, name, no_opt)?;
                println!(
                    "{name}: {} words, compile {ms:.1} ms{}",
                    words.len(),
                    if no_opt { " (optimisation off)" } else { "" }
                );
                for (stat, value) in stats {
                    println!("    {stat}: {value}");
                }
            }
        }
        Ok(())
    }

    /// A Vulkan device with pipeline statistics on.
    struct Device {
        name: String,
        /// The device's Vulkan version (major, minor) and whether it has
        /// `VK_EXT_robustness2`: what vyre writes SPIR-V for.
        vulkan: (u32, u32),
        robustness2: bool,
        instance: ash::Instance,
        device: ash::Device,
        /// `None` where the driver has no statistics to give.
        executables: Option<khr::pipeline_executable_properties::Device>,
    }

    impl Device {
        fn open(entry: &ash::Entry) -> Result<Device, String> {
            let app = vk::ApplicationInfo::default().api_version(vk::API_VERSION_1_3);
            let info = vk::InstanceCreateInfo::default().application_info(&app);
            // SAFETY: a plain instance with no layers or extensions.
            let instance =
                unsafe { entry.create_instance(&info, None) }.map_err(|e| e.to_string())?;
            // SAFETY: the instance is live for every query below.
            let devices =
                unsafe { instance.enumerate_physical_devices() }.map_err(|e| e.to_string())?;
            let wanted = khr::pipeline_executable_properties::NAME;
            // Each device with the names of its extensions.
            let devices: Vec<(vk::PhysicalDevice, Vec<vk::ExtensionProperties>)> = devices
                .into_iter()
                .map(|pd| {
                    // SAFETY: `pd` came from this instance.
                    let exts = unsafe { instance.enumerate_device_extension_properties(pd) };
                    (pd, exts.unwrap_or_default())
                })
                .collect();
            let has = |exts: &[vk::ExtensionProperties], name: &std::ffi::CStr| {
                exts.iter().any(|e| e.extension_name_as_c_str() == Ok(name))
            };
            let (pd, exts) = devices
                .iter()
                .find(|(_, exts)| has(exts, wanted))
                .or(devices.first())
                .ok_or("no Vulkan device")?;
            let (pd, stats) = (*pd, has(exts, wanted));
            let robustness2 = has(exts, c"VK_EXT_robustness2");
            // SAFETY: as above.
            let props = unsafe { instance.get_physical_device_properties(pd) };
            let name = props
                .device_name_as_c_str()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // SAFETY: as above.
            let families = unsafe { instance.get_physical_device_queue_family_properties(pd) };
            let family = families
                .iter()
                .position(|f| f.queue_flags.contains(vk::QueueFlags::COMPUTE))
                .ok_or("the device has no compute queue")?;
            let priorities = [1.0];
            let queues = [vk::DeviceQueueCreateInfo::default()
                .queue_family_index(family as u32)
                .queue_priorities(&priorities)];
            let names = [wanted.as_ptr()];
            let mut feature = vk::PhysicalDevicePipelineExecutablePropertiesFeaturesKHR::default()
                .pipeline_executable_info(true);
            let mut info = vk::DeviceCreateInfo::default().queue_create_infos(&queues);
            if stats {
                info = info.enabled_extension_names(&names).push_next(&mut feature);
            }
            // SAFETY: the extension and its feature only where supported.
            let device =
                unsafe { instance.create_device(pd, &info, None) }.map_err(|e| e.to_string())?;
            let executables =
                stats.then(|| khr::pipeline_executable_properties::Device::new(&instance, &device));
            let name = if stats {
                name
            } else {
                format!("{name} (no VK_KHR_pipeline_executable_properties: compile times only)")
            };
            let api = props.api_version;
            Ok(Device {
                name,
                vulkan: (vk::api_version_major(api), vk::api_version_minor(api)),
                robustness2,
                instance,
                device,
                executables,
            })
        }

        /// Compiles entry point `name` of `words`; the wall time of the
        /// compile and every statistic of every executable.
        fn compile(
            &self,
            words: &[u32],
            name: &str,
            no_opt: bool,
        ) -> Result<(f64, Vec<(String, String)>), String> {
            let d = &self.device;
            let e = |e: vk::Result| e.to_string();
            // SAFETY: every object made here is destroyed before the
            // function returns, after the last use of it.
            unsafe {
                let module = d
                    .create_shader_module(&vk::ShaderModuleCreateInfo::default().code(words), None)
                    .map_err(e)?;
                let mut sets = Vec::new();
                for bindings in bindings(words) {
                    let b: Vec<vk::DescriptorSetLayoutBinding> = bindings
                        .iter()
                        .map(|&n| {
                            vk::DescriptorSetLayoutBinding::default()
                                .binding(n)
                                .descriptor_type(vk::DescriptorType::STORAGE_BUFFER)
                                .descriptor_count(1)
                                .stage_flags(vk::ShaderStageFlags::COMPUTE)
                        })
                        .collect();
                    let info = vk::DescriptorSetLayoutCreateInfo::default().bindings(&b);
                    sets.push(d.create_descriptor_set_layout(&info, None).map_err(e)?);
                }
                let layout = d
                    .create_pipeline_layout(
                        &vk::PipelineLayoutCreateInfo::default().set_layouts(&sets),
                        None,
                    )
                    .map_err(e)?;
                let entry = CString::new(name).map_err(|e| e.to_string())?;
                let stage = vk::PipelineShaderStageCreateInfo::default()
                    .stage(vk::ShaderStageFlags::COMPUTE)
                    .module(module)
                    .name(&entry);
                let mut flags = vk::PipelineCreateFlags::empty();
                if self.executables.is_some() {
                    flags |= vk::PipelineCreateFlags::CAPTURE_STATISTICS_KHR;
                }
                if no_opt {
                    flags |= vk::PipelineCreateFlags::DISABLE_OPTIMIZATION;
                }
                let info = vk::ComputePipelineCreateInfo::default()
                    .flags(flags)
                    .stage(stage)
                    .layout(layout);
                let t = Instant::now();
                let made = d.create_compute_pipelines(vk::PipelineCache::null(), &[info], None);
                let ms = t.elapsed().as_secs_f64() * 1e3;
                let pipeline = made.map_err(|(_, r)| r.to_string())?[0];
                let mut out = Vec::new();
                let Some(stats) = &self.executables else {
                    Self::destroy(d, pipeline, layout, sets, module);
                    return Ok((ms, out));
                };
                let executables = stats
                    .get_pipeline_executable_properties(
                        &vk::PipelineInfoKHR::default().pipeline(pipeline),
                    )
                    .map_err(e)?;
                for (i, exe) in executables.iter().enumerate() {
                    let info = vk::PipelineExecutableInfoKHR::default()
                        .pipeline(pipeline)
                        .executable_index(i as u32);
                    let exe_name = exe
                        .name_as_c_str()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    for s in stats.get_pipeline_executable_statistics(&info).map_err(e)? {
                        let stat = s
                            .name_as_c_str()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let value = match s.format {
                            vk::PipelineExecutableStatisticFormatKHR::BOOL32 => {
                                s.value.b32.to_string()
                            }
                            vk::PipelineExecutableStatisticFormatKHR::INT64 => {
                                s.value.i64.to_string()
                            }
                            vk::PipelineExecutableStatisticFormatKHR::UINT64 => {
                                s.value.u64.to_string()
                            }
                            _ => format!("{:.3}", s.value.f64),
                        };
                        out.push((format!("{exe_name} / {stat}"), value));
                    }
                }
                Self::destroy(d, pipeline, layout, sets, module);
                Ok((ms, out))
            }
        }

        /// Destroys what [`Device::compile`] made.
        ///
        /// # Safety
        ///
        /// The objects are `d`'s and nothing uses them any more.
        unsafe fn destroy(
            d: &ash::Device,
            pipeline: vk::Pipeline,
            layout: vk::PipelineLayout,
            sets: Vec<vk::DescriptorSetLayout>,
            module: vk::ShaderModule,
        ) {
            // SAFETY: as the caller promises.
            unsafe {
                d.destroy_pipeline(pipeline, None);
                d.destroy_pipeline_layout(layout, None);
                for s in sets {
                    d.destroy_descriptor_set_layout(s, None);
                }
                d.destroy_shader_module(module, None);
            }
        }
    }

    impl Drop for Device {
        fn drop(&mut self) {
            // SAFETY: nothing made from them is alive any more.
            unsafe {
                self.device.destroy_device(None);
                self.instance.destroy_instance(None);
            }
        }
    }

    /// The binding numbers of each descriptor set the module's resources
    /// use (every set up to the highest, empty ones included): vyre binds
    /// nothing but storage buffers.
    fn bindings(words: &[u32]) -> Vec<Vec<u32>> {
        let mut set = BTreeMap::new();
        let mut binding = BTreeMap::new();
        let mut at = 5;
        while at < words.len() {
            let (n, op) = ((words[at] >> 16) as usize, words[at] & 0xffff);
            if op == OP_DECORATE && n >= 4 {
                match words[at + 2] {
                    DECORATION_DESCRIPTOR_SET => {
                        set.insert(words[at + 1], words[at + 3]);
                    }
                    DECORATION_BINDING => {
                        binding.insert(words[at + 1], words[at + 3]);
                    }
                    _ => {}
                }
            }
            at += n.max(1);
        }
        let mut sets: Vec<Vec<u32>> = Vec::new();
        for (id, s) in set {
            let s = s as usize;
            if sets.len() <= s {
                sets.resize(s + 1, Vec::new());
            }
            if let Some(&b) = binding.get(&id) {
                sets[s].push(b);
            }
        }
        for s in &mut sets {
            s.sort_unstable();
            s.dedup();
        }
        sets
    }

    #[cfg(test)]
    mod tests {
        use super::bindings;

        #[test]
        fn every_set_s_bindings_come_from_the_decorations() {
            let wgsl = "@group(0) @binding(0) var<storage, read_write> a: array<u32>;\n\
                @group(0) @binding(2) var<storage, read> b: array<u32>;\n\
                @group(2) @binding(1) var<storage, read_write> c: array<u32>;\n\
                @compute @workgroup_size(1) fn main() { a[0] = b[0] + c[0]; }\n";
            let entries = vyre::gpu::spirv_for_vulkan(wgsl, (1, 3), true).expect("valid WGSL");
            assert_eq!(bindings(&entries[0].1), [vec![0, 2], vec![], vec![1]]);
        }
    }
}
