//! The driver: applies each [`Step`] to the runtime under test and to the
//! [`Model`], and drains the ring at the end of a case. The checks run
//! after every step live in `checks.rs`.

use vyre::ir::ScalarType;
use vyre::prelude::*;
use vyre::program::ProgramConfig;
use vyre::RawTask;

use crate::model::{expect, expect_err, limits_valid, Bits, Model, SANE_LEN};
use crate::program::{other_program, program, BUFFERS};
use crate::stats::Stats;
use crate::steps::{BufOp, Elem, Step};

/// One runtime under test with its model; `other` is a runtime of another
/// program, whose buffer handles the fuzzer passes in.
pub struct Driver {
    pub stats: &'static Stats,
    pub rt: Runtime,
    pub model: Model,
    pub other: Runtime,
    pub backend: &'static str,
}

impl Driver {
    pub fn new(gpu: &Gpu, config: &ProgramConfig, stats: &'static Stats) -> Driver {
        let program = program(config);
        let mut rt = Runtime::new(gpu, program.clone()).expect("runtime");
        let other = Runtime::new(&Gpu::reference(), other_program()).expect("other runtime");
        let mut model = Model::new(program);
        // Start with room for the handlers' accesses; steps change it.
        let data = rt.buffer::<u32>("data").unwrap();
        rt.upload(data, &[0; 8]).unwrap();
        let hits = rt.buffer::<u32>("hits").unwrap();
        rt.upload(hits, &[0; 2]).unwrap();
        let fdata = rt.buffer::<f32>("fdata").unwrap();
        rt.upload(fdata, &[0.0; 2]).unwrap();
        let idata = rt.buffer::<i32>("idata").unwrap();
        rt.upload(idata, &[1, -2, 3]).unwrap();
        model.contents = vec![
            vec![0; 8],
            vec![0; 2],
            vec![0; 2],
            vec![1, (-2i32) as u32, 3],
        ];
        Driver {
            stats,
            backend: if gpu.kind() == BackendKind::Wgpu {
                "wgpu"
            } else {
                "reference"
            },
            rt,
            model,
            other,
        }
    }

    pub fn step(&mut self, i: usize, step: &Step) {
        let what = format!("step {i} {step:?}");
        self.stats.add(&self.stats.steps, 1);
        match step {
            Step::Publish {
                copies,
                via_publish,
                tenant,
                priority,
                opcode,
                args,
                words,
            } => {
                let args = match args {
                    Some(a) => a.clone(),
                    None => self.model.own_args(*opcode, words),
                };
                let tenant = if *via_publish { 0 } else { *tenant };
                let want = self.model.publish_error(tenant, *opcode, &args);
                let task = Task::new(*opcode, args);
                let prio = Priority::ALL[*priority];
                for _ in 0..*copies {
                    let got = if *via_publish {
                        self.rt.publish(prio, task)
                    } else {
                        self.rt.publish_for(tenant, prio, task)
                    };
                    expect(&what, &got, want.as_ref());
                    if got.is_ok() {
                        self.model.published += 1;
                        self.stats.add(&self.stats.published, 1);
                    }
                }
            }
            Step::PublishRaw {
                priority,
                opcode,
                tenant,
                words,
            } => {
                self.rt.publish_raw(
                    Priority::ALL[*priority],
                    RawTask {
                        opcode: *opcode,
                        tenant: *tenant,
                        args: *words,
                    },
                );
                self.model.published += 1;
                self.stats.add(&self.stats.published, 1);
            }
            Step::PublishWith {
                tenant,
                priority,
                opcode,
                count,
                words,
            } => {
                // The model's answer for a task of the handler's own types:
                // `publish_with` checks the tenant and the opcode.
                let args = self.model.own_args(*opcode, words);
                let want = self.model.publish_error(*tenant, *opcode, &args);
                let got = self.rt.publish_with(
                    *tenant,
                    Priority::ALL[*priority],
                    *opcode,
                    *count,
                    |k, w| {
                        for (slot, base) in w.iter_mut().zip(words) {
                            *slot = base.wrapping_add(k as u32 % 3);
                        }
                    },
                );
                expect(&what, &got, want.as_ref());
                if got.is_ok() {
                    self.model.published += *count as u64;
                    self.stats.add(&self.stats.published, *count as u64);
                }
            }
            Step::Partitions { weights, bad } => {
                let before = self.rt.partitions();
                let slots: u32 = before.iter().map(|&(_, s)| s).sum();
                // One slot each, the rest shared by weight (the remainder to
                // NORMAL); `bad` breaks it: a zero, or a sum off.
                let total: u32 = weights.iter().map(|&w| u32::from(w)).sum::<u32>().max(1);
                let spare = slots - 5;
                let mut sizes = weights.map(|w| 1 + spare * u32::from(w) / total);
                sizes[2] += slots - sizes.iter().sum::<u32>();
                match bad {
                    Some(0) => sizes[(weights[0] % 5) as usize] = 0,
                    Some(d) => sizes[2] = sizes[2].saturating_add_signed(i32::from(*d)).max(1),
                    None => {}
                }
                let valid = !sizes.contains(&0) && sizes.iter().sum::<u32>() == slots;
                let got = self.rt.set_partition_sizes(sizes);
                match (&got, valid) {
                    (Ok(()), true) => {
                        let mut first = 0;
                        let layout = sizes.map(|s| {
                            let p = (first, s);
                            first += s;
                            p
                        });
                        assert_eq!(self.rt.partitions(), layout, "{what}");
                        self.model.resized = Some(layout);
                    }
                    // The ring's contents decide: nothing changes.
                    (Err(Error::PartitionTooSmall { tasks, size, .. }), true) => {
                        assert!(tasks > &u64::from(*size), "{what}: {got:?}");
                        assert_eq!(self.rt.partitions(), before, "{what}");
                    }
                    (Err(Error::PartitionSizes { sizes: s, slots: n }), false) => {
                        assert_eq!((*s, *n), (sizes, slots), "{what}");
                        assert_eq!(self.rt.partitions(), before, "{what}");
                    }
                    _ => panic!("{what}: sizes {sizes:?} of {slots} slots: {got:?}"),
                }
            }
            Step::Limits(l) => self.set_limits(&what, l),
            Step::Run(l) => {
                if let Some(l) = l {
                    self.set_limits(&what, l);
                }
                self.run(&what);
            }
            Step::Tenant { tenant, enabled } => {
                let want = self.model.tenant_error(*tenant);
                let got = match (i % 3, enabled) {
                    (0, true) => self.rt.enable_tenant(*tenant),
                    (0, false) => self.rt.disable_tenant(*tenant),
                    _ => self.rt.set_tenant_enabled(*tenant, *enabled),
                };
                expect(&what, &got, want.as_ref());
                if got.is_ok() {
                    self.model.tenants[*tenant as usize] = *enabled;
                }
                let q = self.rt.tenant_enabled(*tenant);
                expect(&what, &q, want.as_ref());
                if let Ok(q) = q {
                    assert_eq!(q, *enabled, "{what}: tenant_enabled");
                }
            }
            Step::Buffer { name, elem, op } => match elem {
                Elem::U32 => self.buffer::<u32>(&what, name, op),
                Elem::I32 => self.buffer::<i32>(&what, name, op),
                Elem::F32 => self.buffer::<f32>(&what, name, op),
            },
            Step::Foreign { index, op } => {
                let name = format!("b{index}");
                match index {
                    0 => {
                        let h = self.other.buffer::<f32>(&name).unwrap();
                        self.foreign(&what, h, op)
                    }
                    5 => {
                        let h = self.other.buffer::<i32>(&name).unwrap();
                        self.foreign(&what, h, op)
                    }
                    _ => {
                        let h = self.other.buffer::<u32>(&name).unwrap();
                        self.foreign(&what, h, op)
                    }
                }
            }
        }
        self.check_books(&what);
    }

    fn set_limits(&mut self, what: &str, l: &RunLimits) {
        let got = self.rt.set_limits(*l);
        if limits_valid(l) {
            expect(what, &got, None);
            self.model.limits = *l;
        } else {
            expect_err(what, &got, |e| matches!(e, Error::InvalidRunOption { .. }));
        }
        assert_eq!(self.rt.limits(), self.model.limits, "{what}: limits");
    }

    fn run(&mut self, what: &str) -> RunReport {
        let before = self.rt.accounting();
        let r = match self.rt.run() {
            Ok(r) => r,
            Err(e) => panic!("{}: {what}: run failed: {e}", self.backend),
        };
        self.model.runs += 1;
        let st = self.stats;
        st.add(&st.runs, 1);
        st.add(&st.executed, r.executed);
        st.add(&st.faulted, r.faults.len() as u64);
        st.add(&st.spawned, r.spawned);
        st.add(&st.overflows, r.spawn_overflows);
        self.check_report(what, &r, &before);
        self.model.executed += r.executed;
        self.model.faulted += r.faults.len() as u64;
        self.model.spawned += r.spawned;
        self.model.overflows += r.spawn_overflows;
        self.model.reported_published += r.published;
        self.resync(what);
        r
    }

    /// Reads every buffer back: handlers changed them.
    fn resync(&mut self, what: &str) {
        for (i, (name, kind)) in BUFFERS.iter().enumerate() {
            let words: Vec<u32> = match kind.elem {
                ScalarType::U32 => {
                    let h = self.rt.buffer::<u32>(name).unwrap();
                    self.rt.read(h).unwrap()
                }
                ScalarType::I32 => {
                    let h = self.rt.buffer::<i32>(name).unwrap();
                    self.rt
                        .read(h)
                        .unwrap()
                        .into_iter()
                        .map(|v| v as u32)
                        .collect()
                }
                _ => {
                    let h = self.rt.buffer::<f32>(name).unwrap();
                    self.rt
                        .read(h)
                        .unwrap()
                        .into_iter()
                        .map(f32::to_bits)
                        .collect()
                }
            };
            assert_eq!(
                words.len(),
                self.model.contents[i].len(),
                "{what}: a run changed the length of `{name}`"
            );
            if *name == "idata" {
                // No handler touches it.
                assert_eq!(words, self.model.contents[i], "{what}: idata changed");
            }
            self.model.contents[i] = words;
        }
    }

    /// Runs until nothing is left, every tenant enabled: every task was
    /// executed or faulted.
    pub fn drain(&mut self) {
        for t in 0..self.model.tenants.len() as u32 {
            self.rt.enable_tenant(t).unwrap();
            self.model.tenants[t as usize] = true;
        }
        self.rt.set_limits(RunLimits::default()).unwrap();
        self.model.limits = RunLimits::default();
        // A run stops early only for a task's shutdown, and then it has
        // executed that task: each run makes progress (a batch of tasks
        // that all shut down takes one run each).
        loop {
            let before = self.rt.accounting();
            let r = self.run("drain");
            self.check_books("drain");
            if r.stop == StopReason::Idle {
                break;
            }
            let after = self.rt.accounting();
            assert!(
                r.stop == StopReason::Shutdown
                    && after.executed + after.faulted > before.executed + before.faulted,
                "drain: {r:?}"
            );
        }
        let a = self.rt.accounting();
        assert_eq!(
            (a.waiting, a.parked),
            (0, 0),
            "{}: drain left work: {a:?}",
            self.backend
        );
        assert_eq!(a.executed + a.faulted, a.published + a.spawned, "{a:?}");
    }

    fn buffer<T: Bits>(&mut self, what: &str, name: &str, op: &BufOp) {
        let declared = BUFFERS.iter().position(|(n, _)| *n == name);
        let h = self.rt.buffer::<T>(name);
        let index = match declared {
            None => {
                expect_err(
                    what,
                    &h,
                    |e| matches!(e, Error::UnknownBuffer { name: n, .. } if n == name),
                );
                return;
            }
            Some(i) if T::LAYOUT.scalar() != Some(BUFFERS[i].1.elem) => {
                expect_err(what, &h, |e| matches!(e, Error::BufferType { .. }));
                return;
            }
            Some(i) => i,
        };
        let h = h.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(h.index(), index);
        let len = self.model.contents[index].len() as u64;
        assert_eq!(self.rt.len(h), len, "{what}: len");
        let range_ok = |offset: u64, n: u64| offset.checked_add(n).is_some_and(|e| e <= len);
        let shadow = &mut self.model.contents[index];
        match op {
            BufOp::Write { offset, words } => {
                let offset = offset.resolve(len);
                let data: Vec<T> = words.iter().map(|&w| T::from_bits(w)).collect();
                let got = self.rt.write(h, offset, &data);
                if range_ok(offset, words.len() as u64) {
                    expect(what, &got, None);
                    let o = offset as usize;
                    shadow[o..o + words.len()].copy_from_slice(words);
                } else {
                    expect_err(what, &got, |e| matches!(e, Error::BufferRange { .. }));
                }
            }
            BufOp::Read { offset, len: n } => {
                let (offset, n) = (offset.resolve(len), n.resolve(len));
                let got = self.rt.read_range(h, offset, n);
                if range_ok(offset, n) {
                    let got: Vec<u32> = got
                        .unwrap_or_else(|e| panic!("{what}: {e}"))
                        .into_iter()
                        .map(T::to_bits)
                        .collect();
                    assert_eq!(
                        got,
                        shadow[offset as usize..(offset + n) as usize],
                        "{what}"
                    );
                } else {
                    expect_err(what, &got, |e| matches!(e, Error::BufferRange { .. }));
                }
            }
            BufOp::ReadAll => {
                let got: Vec<u32> = self
                    .rt
                    .read(h)
                    .unwrap_or_else(|e| panic!("{what}: {e}"))
                    .into_iter()
                    .map(T::to_bits)
                    .collect();
                assert_eq!(&got, shadow, "{what}");
            }
            BufOp::Resize(n) => {
                let n = n.resolve(len);
                let got = self.rt.resize(h, n);
                if n <= SANE_LEN {
                    expect(what, &got, None);
                    shadow.resize(n as usize, 0);
                } else {
                    expect_err(what, &got, |e| matches!(e, Error::BufferTooLarge { .. }));
                }
            }
            BufOp::Upload(words) => {
                let data: Vec<T> = words.iter().map(|&w| T::from_bits(w)).collect();
                expect(what, &self.rt.upload(h, &data), None);
                *shadow = words.clone();
            }
            BufOp::Len => {}
        }
        assert_eq!(
            self.rt.len(h),
            self.model.contents[index].len() as u64,
            "{what}: len after"
        );
    }

    /// Every fallible call with a handle of another runtime is refused,
    /// and no buffer changes.
    fn foreign<T: Bits>(&mut self, what: &str, h: BufferHandle<T>, op: &BufOp) {
        let foreign = |e: &Error| matches!(e, Error::ForeignBuffer { .. });
        match op {
            BufOp::Write { offset, words } => {
                let data: Vec<T> = words.iter().map(|&w| T::from_bits(w)).collect();
                expect_err(what, &self.rt.write(h, offset.resolve(0), &data), foreign);
            }
            BufOp::Read { offset, len } => {
                let got = self.rt.read_range(h, offset.resolve(0), len.resolve(0));
                expect_err(what, &got, foreign);
            }
            BufOp::ReadAll => expect_err(what, &self.rt.read(h), foreign),
            BufOp::Resize(n) => expect_err(what, &self.rt.resize(h, n.resolve(0)), foreign),
            BufOp::Upload(words) => {
                let data: Vec<T> = words.iter().map(|&w| T::from_bits(w)).collect();
                expect_err(what, &self.rt.upload(h, &data), foreign);
            }
            BufOp::Len => {
                let _ = self.rt.len(h);
            }
        }
        // Nothing changed.
        for (i, (name, kind)) in BUFFERS.iter().enumerate() {
            let len = match kind.elem {
                ScalarType::U32 => self.rt.len(self.rt.buffer::<u32>(name).unwrap()),
                ScalarType::I32 => self.rt.len(self.rt.buffer::<i32>(name).unwrap()),
                _ => self.rt.len(self.rt.buffer::<f32>(name).unwrap()),
            };
            assert_eq!(len, self.model.contents[i].len() as u64, "{what}: `{name}`");
        }
    }
}
