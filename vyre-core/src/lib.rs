//! vyre-core: the typed IR of opcode handlers, megakernel assembly, the
//! WGSL lowering, the CPU reference interpreter and the wgpu runtime.
//!
//! Most users depend on the `vyre` facade and its macros; this crate is
//! also usable alone, building handlers with [`ir::HandlerBuilder`] and
//! assembling them with [`program::Program::builder`].

#![warn(missing_docs)]

pub mod backend;
pub mod cpu;
pub mod engine;
pub mod error;
pub mod gpu;
pub mod host;
pub mod ir;
pub mod kernel;
pub mod lower;
pub mod multi;
pub mod native;
pub mod program;
pub mod protocol;
pub mod reference;
pub mod report;
pub mod runtime;
pub mod service;
mod trace;

pub use backend::Gpu;
pub use engine::{BackendKind, Engine, InFlight, Submission};
pub use error::{AssemblyError, Error, Result};
pub use ir::OpcodeHandler;
pub use multi::{
    BufferMode, DeviceReport, GpuSet, MultiAccounting, MultiBuffer, MultiBuilder, MultiReport,
    MultiRuntime,
};
pub use program::{Program, ProgramConfig, RequestKind};
pub use protocol::Priority;
pub use report::{
    Fault, FaultKind, PassTimes, RequestProblem, RunReport, StopReason, SubmissionTime,
};
pub use runtime::{
    Accounting, BufferHandle, Element, HostRequest, OnWorker, Opcode, Progress, RangeOpcode,
    RawTask, Reply, RequestHandler, RunLimits, Runtime, Served, Task,
};
pub use service::{
    PublishOptions, Publisher, Service, ServiceOptions, ServiceReport, ServiceStatus, ServiceStop,
    Ticket, TicketOutcome,
};
/// The wgpu vyre is built with, for applications that share their device
/// and buffers with it (`Gpu::from_wgpu`).
pub use wgpu;
