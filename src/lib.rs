//! # vyre
//!
//! Write GPU work as ordinary Rust functions. Opcode handlers become one
//! persistent, priority-scheduled megakernel: worker lanes claim tasks from a
//! ring of slots split into five priority partitions, run their handler, and
//! may spawn more tasks. The program is lowered to WGSL and run through wgpu,
//! or run on the CPU by a reference interpreter.
//!
//! A handler is a plain Rust function; `megakernel!` assembles handlers
//! into one GPU program with typed buffers and task encoders (the README's
//! taste; `examples/hello.rs` is this, complete):
//!
//! ```
//! use vyre::prelude::*;
//!
//! /// Squares `values[i]` in place.
//! #[opcode]
//! pub fn square(values: &mut Buffer<u32>, i: u32) {
//!     values[i] = values[i] * values[i];
//! }
//!
//! /// Says hello, counts the greeting, and hands its number to `square`.
//! #[opcode]
//! pub fn greet(ctx: &Ctx, greetings: &Buffer<Atomic<u32>>, n: u32) {
//!     greetings[0].fetch_add(1);
//!     vyre::printf!("hello from task {} on lane {}", n, ctx.lane());
//!     ctx.spawn(Priority::Normal, square::task(n));
//! }
//!
//! megakernel! {
//!     pub struct Hello {
//!         buffers: { values: u32, greetings: Atomic<u32> },
//!         opcodes: [greet, square],
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut k = Hello::new(&Gpu::auto()?)?;
//! k.values().upload(&(0..8).collect::<Vec<u32>>())?;
//! k.greetings().upload(&[0])?;
//! // greet(0) .. greet(7): one descriptor, the GPU writes the eight tasks.
//! k.publish_range(Priority::High, greet::Op, 0..8, ())?;
//! let report = k.run()?;
//! println!("{} tasks on {}: {:?}", report.executed, report.adapter, k.values().read()?);
//! # assert_eq!(k.values().read()?, (0..8).map(|i| i * i).collect::<Vec<u32>>());
//! # assert_eq!(report.executed, 16);
//! # Ok(())
//! # }
//! ```
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
pub use vyre_macros::{device, megakernel, opcode, printf, request, Element};

/// The names most programs need.
pub mod prelude {
    pub use vyre_core::host::{Atomic, Buffer, Ctx, Outcome};
    pub use vyre_core::ir::Literal;
    pub use vyre_core::kernel::MultiKernel;
    pub use vyre_core::{
        BackendKind, BufferHandle, BufferMode, Element, Error, Fault, FaultKind, Gpu, GpuSet,
        MultiReport, MultiRuntime, Priority, Program, PublishOptions, RunLimits, RunReport,
        Runtime, Service, ServiceOptions, StopReason, Task, Ticket, TicketOutcome,
    };
    pub use vyre_macros::{device, megakernel, opcode, printf, request, Element};
}
