//! [`WgpuEngine`]: one program instance on a wgpu device.
//!
//! One concept per file: this file holds the engine itself (its state,
//! construction and the [`Engine`] trait, whose larger methods delegate);
//! [`buffers`] allocates, binds and resizes the device buffers;
//! [`transfer`] writes and reads them back through the queue; [`submit`]
//! records and runs one submission of rounds; [`timing`] measures it with
//! timestamp queries.

mod buffers;
mod plan;
mod submit;
mod timing;
mod transfer;

use std::sync::Arc;
use std::time::Duration;

use crate::engine::{BackendKind, Engine, InFlight, Submission};
use crate::error::{Error, Result};
use crate::program::Program;

use super::cache::Pipelines;
use super::context::GpuContext;
use super::pipeline::pipelines;
use super::readback::Staging;
use super::upload::{Units, Uploader, SMALL_BYTES};
use crate::lower::{wgsl_with, MAINTAIN_WORKGROUP_SIZE};
use crate::protocol::{self, ctrl, indirect, ControlLayout, PRIORITIES};
use buffers::{
    bind_group, check_range, create_buffer, create_storage, indirect_group, DeviceBuffer, Protocol,
    UserBuffer,
};
use submit::maintain_grid;
use timing::{create_timer, Timer};

/// Bytes per protocol word and per buffer element.
const WORD: u64 = 4;
/// Binding name of the ring buffer, used in error messages.
const RING: &str = "vy_ring";
/// Binding name of the control buffer, used in error messages.
const CONTROL: &str = "vy_ctrl";
/// Binding name of the inboxes, used in error messages.
const INBOX: &str = "vy_inbox";
/// Binding name of the indirect dispatch arguments.
const INDIRECT: &str = "vy_indirect";

/// One program instance on a wgpu device: the ring, control and declared
/// buffers laid out as in `docs/protocol.md`, the program's four compute
/// pipelines (shared through the context's cache) and the bind group that
/// ties them together.
///
/// Every method returns wgpu's validation, out-of-memory and device-loss
/// errors as [`Error`] values.
#[derive(Debug)]
pub struct WgpuEngine {
    ctx: GpuContext,
    program_name: String,
    pipelines: Arc<Pipelines>,
    ring: DeviceBuffer,
    control: DeviceBuffer,
    inbox: DeviceBuffer,
    buffers: Vec<UserBuffer>,
    bind_group: wgpu::BindGroup,
    /// The indirect dispatch arguments (`protocol::indirect`) and their
    /// bind group (group 1, prepare and finalize only).
    indirect: wgpu::Buffer,
    indirect_group: wgpu::BindGroup,
    workgroups: u32,
    lanes: u32,
    summary_words: u32,
    /// The control block's layout for the ring's current size.
    layout: ControlLayout,
    timer: Option<Timer>,
    /// The summaries' staging buffers, used in turn: two submissions may
    /// be in flight.
    submit_staging: [Staging; 2],
    /// Which of them the next submission uses.
    next_staging: usize,
    /// Words of the ticket log each submission copies with its summary.
    ticket_log_words: u32,
    read_staging: Staging,
    /// Large inbox uploads.
    uploader: Uploader,
    poll_timeout: Option<Duration>,
    /// The next submission starts with the place pass
    /// ([`Engine::next_starts_on_empty_ring`]): `Some(fits)`, `fits` when
    /// every partition's inbox entries fit its slots (that submission then
    /// needs no round after the place pass).
    place_next: Option<bool>,
}

impl WgpuEngine {
    /// Instantiates `program` on `ctx` with `workgroups` work workgroups
    /// (lanes = `workgroups × config.workgroup_size`), using the program's
    /// generated WGSL in the scheduler variant the adapter calls for
    /// ([`GpuContext::lower_options`]: [`Program::wgsl`]'s on GPUs, per-lane
    /// claims on software adapters).
    ///
    /// Allocates the ring and the control block (zeroed: an empty ring and
    /// an idle control block) and every declared buffer with a logical
    /// length of 0; the runtime resizes them. Pipelines come from the
    /// context's cache when this WGSL was compiled before.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRunOption`] for 0 or too many workgroups,
    /// [`Error::BufferTooLarge`] when the ring or control block exceeds the
    /// device's limits, [`Error::Gpu`] when the device rejects the shader,
    /// a pipeline or a buffer, [`Error::DeviceLost`].
    pub fn new(ctx: &GpuContext, program: &Program, workgroups: u32) -> Result<WgpuEngine> {
        let wgsl = wgsl_with(program, &ctx.lower_options());
        WgpuEngine::build(ctx, program, workgroups, &wgsl, true)
    }

    /// Like [`WgpuEngine::new`], with WGSL supplied by the caller instead
    /// of the program's own lowering: for tests, experiments and
    /// hand-tuned kernels. The module must follow the binding and entry
    /// point contract of `docs/protocol.md`: in group 0 `vy_ring` at
    /// binding 0, `vy_ctrl` at 1, `vy_inbox` at 2, declared buffer *i* at
    /// `3 + i` (read-only unless written or atomic); in group 1
    /// `vy_indirect` at 0 (used by `vy_finalize` only); the entry points
    /// `vy_prepare` (`@workgroup_size(1)`), `vy_maintain` (64; a ring of
    /// more than 65,535 workgroups is dispatched over x and y, slot =
    /// `gid.y * num_workgroups.x * 64 + gid.x`), `vy_finalize` (1, writes
    /// the indirect grids of the next work and maintain dispatches),
    /// `vy_work` (the program's workgroup size) and `vy_expand` (256, built
    /// when first used) — see [`crate::lower`].
    ///
    /// # Errors
    ///
    /// As [`WgpuEngine::new`]; invalid WGSL is an [`Error::Gpu`] whose
    /// stage names the shader module.
    pub fn with_wgsl(
        ctx: &GpuContext,
        program: &Program,
        workgroups: u32,
        wgsl: &str,
    ) -> Result<WgpuEngine> {
        WgpuEngine::build(ctx, program, workgroups, wgsl, false)
    }

    /// [`WgpuEngine::with_wgsl`]; `lowered` when vyre lowered `wgsl`.
    fn build(
        ctx: &GpuContext,
        program: &Program,
        workgroups: u32,
        wgsl: &str,
        lowered: bool,
    ) -> Result<WgpuEngine> {
        ctx.health()?;
        let config = program.config();
        let limits = ctx.limits();
        let max_groups = limits.max_compute_workgroups_per_dimension;
        if workgroups == 0 || workgroups > max_groups {
            return Err(Error::InvalidRunOption {
                option: "workgroups",
                reason: format!(
                    "{workgroups} work workgroups requested; this adapter dispatches 1 ..= {max_groups}"
                ),
            });
        }
        let lanes = workgroups
            .checked_mul(config.workgroup_size)
            .ok_or_else(|| Error::InvalidRunOption {
                option: "workgroups",
                reason: format!(
                    "{workgroups} workgroups of {} lanes exceed 2^32 lanes",
                    config.workgroup_size
                ),
            })?;
        let maintain_groups = config.slots.div_ceil(MAINTAIN_WORKGROUP_SIZE);
        let maintain_grid =
            maintain_grid(maintain_groups, max_groups).ok_or_else(|| Error::Gpu {
                stage: "maintenance dispatch".to_string(),
                message: format!(
                    "{} slots need {maintain_groups} workgroups of {MAINTAIN_WORKGROUP_SIZE}, \
                 more than this adapter dispatches ({max_groups} × {max_groups}); use fewer slots",
                    config.slots
                ),
            })?;

        let layout = program.control_layout();
        let max_bytes = ctx.max_storage_buffer_bytes();
        let ring_words = config.ring_words();
        let ring_storage = protocol::ring_storage_words(u64::from(config.slots));
        let control_words = u64::from(layout.lane_state) + u64::from(lanes);
        let read_only: Vec<bool> = program
            .buffers()
            .iter()
            .map(|b| !(b.written || b.kind.atomic))
            .collect();

        // Size checks before compiling: they are cheap, compiling is not.
        for (name, words) in [(RING, ring_storage), (CONTROL, control_words)] {
            let bytes = words.saturating_mul(WORD);
            if bytes > max_bytes {
                return Err(Error::BufferTooLarge {
                    name: name.to_string(),
                    bytes,
                    max: max_bytes,
                });
            }
        }
        let pipelines = pipelines(
            ctx,
            program.name(),
            wgsl,
            config.workgroup_size,
            &read_only,
            lowered,
        )?;

        let ring = DeviceBuffer {
            buffer: create_storage(ctx, RING, ring_storage.saturating_mul(WORD), max_bytes)?,
            words: ring_words,
        };
        let control = DeviceBuffer {
            buffer: create_storage(ctx, CONTROL, control_words.saturating_mul(WORD), max_bytes)?,
            words: control_words,
        };
        // The inboxes start at `inbox_capacity` entries each; the runtime
        // grows them.
        let capacities = [config.inbox_capacity; PRIORITIES];
        let inbox_words =
            PRIORITIES as u64 * u64::from(config.inbox_capacity) * u64::from(program.entry_words());
        let inbox = DeviceBuffer {
            buffer: create_storage(ctx, INBOX, inbox_words.saturating_mul(WORD), max_bytes)?,
            words: inbox_words,
        };
        let indirect = create_buffer(
            ctx,
            INDIRECT,
            u64::from(indirect::WORDS) * WORD,
            max_bytes,
            wgpu::BufferUsages::INDIRECT,
        )?;
        let full_work = [workgroups, 1, 1];
        let full_maintain = [maintain_grid.0, maintain_grid.1, 1];
        let grids: Vec<u32> = [full_work, full_maintain, full_work, full_maintain].concat();
        ctx.scoped("initial control words", || {
            let q = ctx.queue();
            q.write_buffer(&indirect, 0, bytemuck::cast_slice(&grids));
            q.write_buffer(
                &control.buffer,
                u64::from(ctrl::INBOX_BASE) * WORD,
                bytemuck::cast_slice(&protocol::inbox_words(&capacities)),
            );
            q.write_buffer(
                &control.buffer,
                u64::from(ctrl::SLOTS) * WORD,
                bytemuck::cast_slice(&protocol::ring_words(&config.partitions())),
            );
        })?;
        let buffers = program
            .buffers()
            .iter()
            .map(|b| {
                let elem_words = u64::from(b.kind.element_words());
                Ok(UserBuffer {
                    name: b.name.clone(),
                    buffer: create_storage(ctx, &b.name, elem_words * WORD, max_bytes)?,
                    len: 0,
                    elem_words,
                })
            })
            .collect::<Result<Vec<_>>>()?;

        let timer = if ctx.has_timestamps() {
            Some(create_timer(ctx)?)
        } else {
            None
        };
        let bind_group = bind_group(
            ctx,
            program.name(),
            &pipelines,
            Protocol {
                ring: &ring.buffer,
                control: &control.buffer,
                inbox: &inbox.buffer,
            },
            &buffers,
            None,
        )?;
        let indirect_group = indirect_group(ctx, program.name(), &pipelines, &indirect)?;
        Ok(WgpuEngine {
            ctx: ctx.clone(),
            program_name: program.name().to_string(),
            pipelines,
            ring,
            control,
            inbox,
            buffers,
            bind_group,
            indirect,
            indirect_group,
            workgroups,
            lanes,
            summary_words: layout.summary_words(),
            layout,
            timer,
            submit_staging: [
                Staging::new("vyre summary staging"),
                Staging::new("vyre summary staging"),
            ],
            next_staging: 0,
            ticket_log_words: crate::protocol::ticket::LOG_HEAD,
            read_staging: Staging::new("vyre read staging"),
            uploader: Uploader::default(),
            poll_timeout: None,
            place_next: None,
        })
    }

    /// The context this engine runs on.
    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// Work workgroups per work dispatch.
    pub fn workgroups(&self) -> u32 {
        self.workgroups
    }

    /// Words of the ring as the host addresses it: slots of
    /// [`SLOT_WORDS`](protocol::SLOT_WORDS) words, status first (the
    /// buffer also holds the status plane, [`protocol::ring_storage_words`]).
    pub fn ring_words(&self) -> u64 {
        self.ring.words
    }

    /// Words of the control buffer.
    pub fn control_words(&self) -> u64 {
        self.control.words
    }

    /// How long a submission or read may take before it fails with
    /// [`Error::Gpu`] instead of blocking; `None` (the default) waits as
    /// long as it takes. Hardware drivers reset a hung GPU on their own,
    /// which then surfaces as [`Error::DeviceLost`].
    ///
    /// After a timeout the submission still runs; the next call waits
    /// behind it. Timed waits from several threads on one context can trip
    /// an internal assertion of wgpu-core 30, which comes back as
    /// [`Error::Gpu`] (stage `submission wait`); give an engine that needs
    /// a timeout its own context.
    pub fn set_poll_timeout(&mut self, timeout: Option<Duration>) {
        self.poll_timeout = timeout;
    }
}

impl Engine for WgpuEngine {
    fn kind(&self) -> BackendKind {
        BackendKind::Wgpu
    }

    fn adapter(&self) -> String {
        self.ctx.description().to_string()
    }

    fn lanes(&self) -> u32 {
        self.lanes
    }

    fn write_ring(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        WgpuEngine::write_ring(self, offset, words)
    }

    fn read_ring(&mut self, offset: u64, len: u64) -> Result<Vec<u32>> {
        WgpuEngine::read_ring(self, offset, len)
    }

    fn write_inbox(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        check_range(INBOX, self.inbox.words, offset, words.len() as u64)?;
        self.write(INBOX, &self.inbox.buffer, offset, words)
    }

    fn write_inbox_with(
        &mut self,
        offset: u64,
        units: usize,
        unit_words: usize,
        fill: &(dyn Fn(usize, &mut [u32]) + Sync),
    ) -> Result<()> {
        let len = (units as u64).saturating_mul(unit_words as u64);
        check_range(INBOX, self.inbox.words, offset, len)?;
        if len * WORD < SMALL_BYTES {
            let mut words = vec![0u32; len as usize];
            fill(0, &mut words);
            return self.write(INBOX, &self.inbox.buffer, offset, &words);
        }
        let target = self.inbox.buffer.clone();
        let data = Units {
            count: units,
            words: unit_words,
            fill,
        };
        self.uploader
            .upload(&self.ctx, &target, offset * WORD, data, self.poll_timeout)
    }

    fn inbox_words(&self) -> u64 {
        self.inbox.words
    }

    fn max_inbox_words(&self) -> u64 {
        self.ctx.max_storage_buffer_bytes() / WORD
    }

    fn max_ring_slots(&self) -> u32 {
        let slot_bytes = protocol::ring_storage_words(1) * WORD;
        let slots = self.ctx.max_storage_buffer_bytes() / slot_bytes;
        slots.min(u64::from(crate::program::MAX_SLOTS)) as u32
    }

    fn resize_inbox(&mut self, words: u64) -> Result<()> {
        self.replace_inbox(words)
    }

    fn expand(&mut self, ranges: u32, widest: u32) -> Result<()> {
        self.expand_ranges(ranges, widest)
    }

    fn resize_ring(&mut self, partitions: [(u32, u32); PRIORITIES]) -> Result<()> {
        self.replace_ring(partitions)
    }

    fn write_control(&mut self, offset: u64, words: &[u32]) -> Result<()> {
        check_range(CONTROL, self.control.words, offset, words.len() as u64)?;
        self.write(CONTROL, &self.control.buffer, offset, words)
    }

    fn read_control(&mut self, offset: u64, len: u64) -> Result<Vec<u32>> {
        check_range(CONTROL, self.control.words, offset, len)?;
        let buffer = self.control.buffer.clone();
        self.read(CONTROL, &buffer, offset, len)
    }

    fn write_buffer(&mut self, buffer: usize, offset: u64, words: &[u32]) -> Result<()> {
        let b = self.user(buffer)?;
        let w = b.elem_words;
        check_range(&b.name, b.len, offset, words.len() as u64 / w)?;
        self.write(&b.name, &b.buffer, offset * w, words)
    }

    fn read_buffer(&mut self, buffer: usize, offset: u64, len: u64) -> Result<Vec<u32>> {
        let b = self.user(buffer)?;
        check_range(&b.name, b.len, offset, len)?;
        let (name, source, w) = (b.name.clone(), b.buffer.clone(), b.elem_words);
        self.read(&name, &source, offset * w, len * w)
    }

    fn resize_buffer(&mut self, buffer: usize, len: u64) -> Result<()> {
        self.resize(buffer, len)
    }

    fn buffer_len(&self, buffer: usize) -> u64 {
        self.buffers.get(buffer).map_or(0, |b| b.len)
    }

    fn submit(&mut self, rounds: u32) -> Result<Submission> {
        self.submit_rounds(rounds)?.wait()
    }

    fn start_submit(&mut self, rounds: u32) -> Result<InFlight> {
        self.submit_rounds(rounds)
    }

    fn wait_spin(&self) -> std::time::Duration {
        self.ctx.wait_spin()
    }

    fn set_ticket_log_words(&mut self, words: u32) {
        self.ticket_log_words = crate::protocol::ticket::log_words(words);
    }

    fn next_starts_on_empty_ring(&mut self, inbox_fits: bool) -> bool {
        self.place_next = self.pipelines.place.is_some().then_some(inbox_fits);
        // Its rounds are prepare, place, finalize (`Plan::new`).
        self.place_next.is_some()
    }

    fn wgpu_buffer(&self, buffer: usize) -> Option<wgpu::Buffer> {
        self.buffers.get(buffer).map(|b| b.buffer.clone())
    }

    fn bind_wgpu_buffer(&mut self, buffer: usize, device_buffer: wgpu::Buffer) -> Result<()> {
        self.adopt(buffer, device_buffer)
    }
}
