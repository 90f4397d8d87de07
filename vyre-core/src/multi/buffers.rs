//! A set's buffers: [`MultiBuffer`] handles, and uploads, writes and reads
//! as each buffer's [`BufferMode`] says.

use std::marker::PhantomData;

use super::modes::{self, BufferMode};
use super::runtime::{no_device, MultiRuntime};
use crate::error::Result;
use crate::runtime::{BufferHandle, Element, Runtime};

/// A typed handle to one declared buffer on every device of a
/// [`MultiRuntime`], from [`MultiRuntime::buffer`].
#[derive(Debug)]
pub struct MultiBuffer<T: Element> {
    index: usize,
    handles: Vec<BufferHandle<T>>,
    _elem: PhantomData<fn() -> T>,
}

impl<T: Element> Clone for MultiBuffer<T> {
    fn clone(&self) -> Self {
        MultiBuffer {
            index: self.index,
            handles: self.handles.clone(),
            _elem: PhantomData,
        }
    }
}

impl<T: Element> MultiBuffer<T> {
    /// The buffer's index among the program's declared buffers.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Its handle on device `device` (for that device's
    /// [`Runtime`], [`MultiRuntime::device_mut`]).
    pub fn on(&self, device: usize) -> Option<BufferHandle<T>> {
        self.handles.get(device).copied()
    }
}

impl MultiRuntime {
    /// A buffer's mode.
    pub fn mode<T: Element>(&self, buffer: &MultiBuffer<T>) -> BufferMode {
        self.modes[buffer.index]
    }

    // ---- buffers ------------------------------------------------------------

    /// A typed handle to the declared buffer `name` on every device.
    ///
    /// # Errors
    ///
    /// As [`Runtime::buffer`].
    pub fn buffer<T: Element>(&self, name: &str) -> Result<MultiBuffer<T>> {
        let handles = self
            .devices
            .iter()
            .map(|rt| rt.buffer::<T>(name))
            .collect::<Result<Vec<_>>>()?;
        Ok(MultiBuffer {
            index: handles[0].index(),
            handles,
            _elem: PhantomData,
        })
    }

    /// Replaces the buffer's contents with `data` as its mode says: every
    /// copy for [`Replicated`](BufferMode::Replicated) and
    /// [`Output`](BufferMode::Output) (which also makes `data` what
    /// reads compare with); device 0's for [`Summed`](BufferMode::Summed),
    /// zeros of the same length on the others.
    ///
    /// # Errors
    ///
    /// As [`Runtime::upload`].
    pub fn upload<T: Element>(&mut self, buffer: &MultiBuffer<T>, data: &[T]) -> Result<()> {
        self.each_copy(buffer, data, |rt, handle, own| rt.upload(handle, own))?;
        if self.modes[buffer.index] == BufferMode::Output {
            self.baselines[buffer.index] = bytemuck::cast_slice(data).to_vec();
        }
        Ok(())
    }

    /// Writes `data` at element `offset` as [`upload`](Self::upload) does.
    ///
    /// # Errors
    ///
    /// As [`Runtime::write`].
    pub fn write<T: Element>(
        &mut self,
        buffer: &MultiBuffer<T>,
        offset: u64,
        data: &[T],
    ) -> Result<()> {
        self.each_copy(buffer, data, |rt, handle, own| {
            rt.write(handle, offset, own)
        })?;
        if self.modes[buffer.index] == BufferMode::Output {
            let len = self.devices[0].len(buffer.handles[0]);
            let baseline = self.baseline_words(buffer.index, len, words_of::<T>());
            let at = offset as usize * words_of::<T>();
            let new: &[u32] = bytemuck::cast_slice(data);
            baseline[at..at + new.len()].copy_from_slice(new);
        }
        Ok(())
    }

    /// Resizes the buffer on every device, keeping the common prefix and
    /// zero-filling the rest.
    ///
    /// # Errors
    ///
    /// As [`Runtime::resize`].
    pub fn resize<T: Element>(&mut self, buffer: &MultiBuffer<T>, len: u64) -> Result<()> {
        for (d, rt) in self.devices.iter_mut().enumerate() {
            rt.resize(buffer.handles[d], len)?;
        }
        self.baselines[buffer.index].resize(len as usize * words_of::<T>(), 0);
        Ok(())
    }

    /// Reads the buffer as one, as its mode says: device 0's copy
    /// ([`Replicated`](BufferMode::Replicated)), each element from the
    /// device that changed it ([`Output`](BufferMode::Output)), or the sum
    /// of the copies ([`Summed`](BufferMode::Summed)).
    ///
    /// # Errors
    ///
    /// [`Error::OutputConflict`](crate::Error::OutputConflict) when two devices changed one element of
    /// an output buffer; as [`Runtime::read`].
    pub fn read<T: Element>(&mut self, buffer: &MultiBuffer<T>) -> Result<Vec<T>> {
        let mode = self.modes[buffer.index];
        // One copy is the buffer: nothing to merge or add.
        if mode == BufferMode::Replicated || self.devices.len() == 1 {
            return self.devices[0].read(buffer.handles[0]);
        }
        let mut copies = Vec::with_capacity(self.devices.len());
        for (d, rt) in self.devices.iter_mut().enumerate() {
            let copy = rt.read(buffer.handles[d])?;
            copies.push(bytemuck::cast_slice::<T, u32>(&copy).to_vec());
        }
        let words = if mode == BufferMode::Summed {
            modes::sum_words(&copies)
        } else {
            let len = self.devices[0].len(buffer.handles[0]);
            let name = self.program.buffers()[buffer.index].name.clone();
            let baseline = self.baseline_words(buffer.index, len, words_of::<T>());
            modes::merge_output(&name, baseline, &copies, words_of::<T>())?
        };
        Ok(bytemuck::pod_collect_to_vec(&words))
    }

    /// Device `device`'s own copy of the buffer.
    ///
    /// # Errors
    ///
    /// [`Error::DeviceSet`](crate::Error::DeviceSet) for a device the set does not have; as
    /// [`Runtime::read`].
    pub fn read_device<T: Element>(
        &mut self,
        device: usize,
        buffer: &MultiBuffer<T>,
    ) -> Result<Vec<T>> {
        // A handle of a smaller set has no copy here: as a device of
        // this set, it is the same error.
        let handle = buffer.handles.get(device).copied();
        let count = buffer.handles.len();
        let rt = self.device_mut(device)?;
        rt.read(handle.ok_or_else(|| no_device(device, count))?)
    }

    /// Reads the buffer as one ([`read`](Self::read)) and uploads the
    /// result again ([`upload`](Self::upload)): every copy of an output
    /// buffer then holds every device's elements (and later changes are
    /// compared with them), a summed buffer's total moves to device 0.
    ///
    /// # Errors
    ///
    /// As [`read`](Self::read) and [`upload`](Self::upload).
    pub fn sync<T: Element>(&mut self, buffer: &MultiBuffer<T>) -> Result<Vec<T>> {
        let merged = self.read(buffer)?;
        self.upload(buffer, &merged)?;
        Ok(merged)
    }

    /// Calls `put(runtime, handle, data)` for every device's copy, with
    /// zeros instead of `data` on every device but the first when the
    /// buffer is summed (so the copies add up to `data`).
    fn each_copy<T: Element>(
        &mut self,
        buffer: &MultiBuffer<T>,
        data: &[T],
        mut put: impl FnMut(&mut Runtime, BufferHandle<T>, &[T]) -> Result<()>,
    ) -> Result<()> {
        let summed = self.modes[buffer.index] == BufferMode::Summed;
        let zeros = if summed && self.devices.len() > 1 {
            vec![T::zeroed(); data.len()]
        } else {
            Vec::new()
        };
        for (d, rt) in self.devices.iter_mut().enumerate() {
            let own = if summed && d > 0 { &zeros[..] } else { data };
            put(rt, buffer.handles[d], own)?;
        }
        Ok(())
    }

    /// The baseline of output buffer `index`, `len` elements of
    /// `elem_words` words (zeros where the host wrote nothing).
    fn baseline_words(&mut self, index: usize, len: u64, elem_words: usize) -> &mut Vec<u32> {
        let words = len as usize * elem_words;
        let baseline = &mut self.baselines[index];
        baseline.resize(words, 0);
        baseline
    }
}

/// Words an element of `T` takes.
fn words_of<T: Element>() -> usize {
    (std::mem::size_of::<T>() / 4).max(1)
}
