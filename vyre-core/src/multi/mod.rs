//! One program over several devices: [`GpuSet`] (the devices, e.g.
//! [`Gpu::all`](crate::Gpu::all)), [`MultiRuntime`] (a runtime per device,
//! fed from one host queue), [`BufferMode`] (how each buffer lives on
//! several devices) and what a run returns, per device and in total
//! ([`MultiReport`], [`MultiAccounting`]). `docs/protocol.md`, "Several
//! devices", is the prose.

mod buffers;
mod builder;
mod gpu_all;
mod modes;
mod publish;
mod queue;
mod report;
mod run;
mod runtime;
mod set;

pub use buffers::MultiBuffer;
pub use builder::MultiBuilder;
pub use modes::BufferMode;
pub use report::{DeviceReport, MultiAccounting, MultiReport};
pub use run::MIN_CHUNK;
pub use runtime::MultiRuntime;
pub use set::{GpuSet, ADAPTERS_ENV};
