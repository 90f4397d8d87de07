//! # vyre
//!
//! Write GPU work as ordinary Rust functions. Opcode handlers become one
//! persistent, priority-scheduled megakernel: worker lanes claim tasks from a
//! ring of slots split into five priority partitions, run their handler, and
//! may spawn more tasks. The program is lowered to WGSL and run through wgpu,
//! or run on the CPU by a reference interpreter.
//!
//! Start with `use vyre::prelude::*;`. Handlers can be built without macros
//! through [`ir::HandlerBuilder`] and assembled with [`Program::builder`]:
//!
//! ```
//! use vyre::prelude::*;
//! use vyre::ir::{Access, BufferKind, HandlerBuilder, ScalarType};
//!
//! let mut h = HandlerBuilder::new(1, "count");
//! let hits = h.buffer("hits", ScalarType::U32, Access::Atomic);
//! let bucket = h.arg("bucket", ScalarType::U32);
//! h.body(|b| b.eval(hits.fetch_add(bucket, 1u32)));
//!
//! let program = Program::builder("histogram")
//!     .buffer("hits", BufferKind::atomic(ScalarType::U32))
//!     .opcode(h.finish()?)
//!     .build()?;
//!
//! let mut rt = Runtime::new(&Gpu::reference(), program)?;
//! let hits = rt.buffer::<u32>("hits")?;
//! rt.upload(hits, &[0; 4])?;
//! for i in 0..10u32 {
//!     rt.publish(Priority::Normal, Task::new(1, [Literal::U32(i % 4)]))?;
//! }
//! let report = rt.run()?;
//! assert_eq!(report.executed, 10);
//! assert_eq!(rt.read(hits)?, vec![3, 3, 2, 2]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

// Lets the macros' `::vyre::…` paths resolve inside this crate too.
extern crate self as vyre;

pub use vyre_core::*;
pub use vyre_macros::{device, megakernel, opcode, printf, Element};

/// The names most programs need.
pub mod prelude {
    pub use vyre_core::host::{Atomic, Buffer, Ctx, Outcome};
    pub use vyre_core::ir::Literal;
    pub use vyre_core::{
        BackendKind, BufferHandle, Element, Error, Fault, FaultKind, Gpu, Priority, Program,
        PublishOptions, RunLimits, RunReport, Runtime, Service, ServiceOptions, StopReason, Task,
        Ticket, TicketOutcome,
    };
    pub use vyre_macros::{device, megakernel, opcode, printf, Element};
}
