//! [`GpuSet`]: the devices one program runs on at once.

use crate::backend::Gpu;
use crate::error::{Error, Result};

/// Environment variable naming the adapters [`Gpu::all`] opens: a
/// comma-separated list of name fragments (case-insensitive), e.g.
/// `VYRE_ADAPTERS="H100,H200"`; an adapter is kept when its name contains
/// one of them. It extends `WGPU_ADAPTER_NAME` (one fragment, one
/// adapter) to several.
pub const ADAPTERS_ENV: &str = "VYRE_ADAPTERS";

/// The devices a [`MultiRuntime`](crate::MultiRuntime) runs one program
/// on: each gets its own compiled program, ring and buffers, and all run
/// at once. [`Gpu::all`] opens every usable adapter; [`GpuSet::new`]
/// takes an explicit list (CPU backends included, which is how tests
/// exercise a set without several GPUs). Never empty. Cheap to clone.
#[derive(Debug, Clone)]
pub struct GpuSet {
    gpus: Vec<Gpu>,
}

impl GpuSet {
    /// A set of `gpus`, in order (device `d` of a
    /// [`MultiRuntime`](crate::MultiRuntime) is `gpus[d]`).
    ///
    /// ```
    /// use vyre_core::{Gpu, GpuSet};
    /// let set = GpuSet::new(vec![Gpu::cpu(), Gpu::cpu()])?;
    /// assert_eq!(set.len(), 2);
    /// # Ok::<(), vyre_core::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::DeviceSet`](crate::Error::DeviceSet) for an empty list.
    pub fn new(gpus: Vec<Gpu>) -> Result<GpuSet> {
        if gpus.is_empty() {
            return Err(Error::DeviceSet {
                reason: "a device set needs at least one device (Gpu::all() always finds one: \
                         a CPU backend when there is no GPU)"
                    .into(),
            });
        }
        Ok(GpuSet { gpus })
    }

    /// How many devices.
    pub fn len(&self) -> usize {
        self.gpus.len()
    }

    /// Always false: a set has at least one device.
    pub fn is_empty(&self) -> bool {
        self.gpus.is_empty()
    }

    /// The devices, in order.
    pub fn gpus(&self) -> &[Gpu] {
        &self.gpus
    }

    /// Each device in words (the adapter, or the CPU backend).
    pub fn descriptions(&self) -> Vec<String> {
        self.gpus.iter().map(Gpu::description).collect()
    }
}

impl From<Gpu> for GpuSet {
    /// A set of one device.
    fn from(gpu: Gpu) -> GpuSet {
        GpuSet { gpus: vec![gpu] }
    }
}

/// The fragments of [`ADAPTERS_ENV`], if set to anything but blanks.
pub(crate) fn adapter_fragments() -> Option<Vec<String>> {
    let value = std::env::var(ADAPTERS_ENV).ok()?;
    let list: Vec<String> = value
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (!list.is_empty()).then_some(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_set_is_a_typed_error() {
        let err = GpuSet::new(Vec::new()).unwrap_err();
        assert!(matches!(err, Error::DeviceSet { .. }), "{err}");
        assert!(err.to_string().contains("at least one device"));
    }

    #[test]
    fn a_set_keeps_its_order() {
        let set = GpuSet::new(vec![Gpu::reference(), Gpu::cpu()]).unwrap();
        assert_eq!(set.len(), 2);
        assert!(!set.is_empty());
        assert_eq!(set.gpus()[0].kind(), crate::BackendKind::Reference);
        assert_eq!(set.gpus()[1].kind(), crate::BackendKind::Native);
        assert_eq!(GpuSet::from(Gpu::cpu()).len(), 1);
    }
}
