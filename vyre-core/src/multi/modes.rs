//! [`BufferMode`]: how one declared buffer lives on several devices, the
//! checks that a program's handlers use it as its mode allows, and how the
//! devices' copies become one buffer on read.

use crate::error::{Error, Result};
use crate::ir::Access;
use crate::program::Program;

/// How a declared buffer lives on the devices of a set. Every device holds
/// a full copy; the mode says what the host writes into each copy and how
/// the copies are read back as one buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BufferMode {
    /// Input, the same on every device: an upload or write goes to every
    /// copy; a read returns device 0's. Handlers may only read it (`&Buffer<T>`):
    /// a handler that takes it as `&mut Buffer<T>` or `&Buffer<Atomic<T>>`
    /// is an [`Error::BufferMode`](crate::Error::BufferMode) when the set's runtime is built. The
    /// mode of every buffer no handler writes.
    Replicated,
    /// Output whose elements each belong to one device: every copy starts
    /// from what the host uploaded, and a read takes each element from
    /// the device that changed it (from the upload where none did). An
    /// element that two devices changed is an [`Error::OutputConflict`](crate::Error::OutputConflict)
    /// naming it (the check compares each copy with the upload, so a
    /// write of the value already there is not seen as a change).
    Output,
    /// Atomic counters (`Atomic<u32>`, `Atomic<i32>`): device 0's copy
    /// starts from the upload and the others' from zero, and a read adds
    /// the copies element by element (wrapping, as the device's atomics
    /// do), so the result is what one device counting everything would
    /// hold. Only atomic buffers: any other is an [`Error::BufferMode`](crate::Error::BufferMode).
    Summed,
}

/// Every buffer's mode for `program`: `declared` where given, else
/// [`BufferMode::Replicated`] for a buffer no handler writes. Checks that
/// every buffer a handler writes has a mode, that a replicated buffer is
/// written by none, and that a summed one is atomic; names the first
/// handler that breaks a rule.
pub(crate) fn resolve(
    program: &Program,
    declared: &[(String, BufferMode)],
) -> Result<Vec<BufferMode>> {
    for (name, _) in declared {
        if program.buffer_index(name).is_none() {
            return Err(Error::UnknownBuffer {
                name: name.clone(),
                declared: program.buffers().iter().map(|b| b.name.clone()).collect(),
            });
        }
    }
    let mut modes = Vec::with_capacity(program.buffers().len());
    for buffer in program.buffers() {
        let name = &buffer.name;
        let mode = declared
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, m)| *m);
        let writer = program.handlers().iter().find_map(|h| {
            h.buffers
                .iter()
                .find(|p| &p.name == name && p.access != Access::Read)
                .map(|p| (h.name.as_str(), p.access.rust_form(p.elem)))
        });
        let fail = |reason: String| {
            Err(Error::BufferMode {
                buffer: name.clone(),
                reason,
            })
        };
        let mode = match (mode, writer) {
            (Some(BufferMode::Replicated), Some((handler, form))) => {
                return fail(format!(
                    "it is replicated (read-only on every device), but handler `{handler}` takes it as `{form}`; \
                     declare it `BufferMode::Output` or `BufferMode::Summed`, or make the parameter `&Buffer<T>`"
                ))
            }
            (None, Some((handler, form))) => {
                return fail(format!(
                    "handler `{handler}` writes it (`{form}`), so its copies on the devices differ: \
                     declare how to read them back as one, `BufferMode::Output` (each element written \
                     by one device) or `BufferMode::Summed` (atomic counters)"
                ))
            }
            (Some(m), _) => m,
            (None, None) => BufferMode::Replicated,
        };
        if mode == BufferMode::Summed && !buffer.kind.atomic {
            return fail(
                "`BufferMode::Summed` adds the devices' copies, which only atomic counters \
                 (`Atomic<u32>`, `Atomic<i32>`) allow; declare it `BufferMode::Output`"
                    .into(),
            );
        }
        modes.push(mode);
    }
    Ok(modes)
}

/// One buffer from the devices' `copies` of an output buffer that started
/// as `baseline` (all in words, `elem_words` a element): each element from
/// the one device whose copy differs from the baseline there, else from
/// the baseline. Copies shorter than the baseline are read as the
/// baseline beyond their end.
pub(crate) fn merge_output(
    buffer: &str,
    baseline: &[u32],
    copies: &[Vec<u32>],
    elem_words: usize,
) -> Result<Vec<u32>> {
    let elem_words = elem_words.max(1);
    let mut merged = baseline.to_vec();
    let mut owner: Vec<Option<usize>> = vec![None; baseline.len().div_ceil(elem_words)];
    for (device, copy) in copies.iter().enumerate() {
        for (element, (have, base)) in copy
            .chunks(elem_words)
            .zip(baseline.chunks(elem_words))
            .enumerate()
        {
            if have == base {
                continue;
            }
            if let Some(first) = owner[element] {
                return Err(Error::OutputConflict {
                    buffer: buffer.to_string(),
                    element: element as u64,
                    first,
                    second: device,
                });
            }
            owner[element] = Some(device);
            let at = element * elem_words;
            merged[at..at + have.len()].copy_from_slice(have);
        }
    }
    Ok(merged)
}

/// The element-wise wrapping sum of the devices' copies of a summed
/// buffer (words of `u32` or `i32`: two's complement adds alike).
pub(crate) fn sum_words(copies: &[Vec<u32>]) -> Vec<u32> {
    let len = copies.iter().map(Vec::len).max().unwrap_or(0);
    let mut sum = vec![0u32; len];
    for copy in copies {
        for (s, w) in sum.iter_mut().zip(copy) {
            *s = s.wrapping_add(*w);
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_takes_each_element_from_the_device_that_changed_it() {
        let base = vec![0, 0, 0, 0];
        let merged = merge_output("o", &base, &[vec![5, 0, 0, 0], vec![0, 0, 7, 0]], 1).unwrap();
        assert_eq!(merged, vec![5, 0, 7, 0]);
    }

    #[test]
    fn output_conflicts_name_the_element_and_both_devices() {
        let base = vec![1, 1, 1];
        let err = merge_output(
            "o",
            &base,
            &[vec![1, 2, 1], vec![1, 1, 1], vec![1, 3, 1]],
            1,
        )
        .unwrap_err();
        match err {
            Error::OutputConflict {
                element,
                first,
                second,
                ..
            } => assert_eq!((element, first, second), (1, 0, 2)),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn output_elements_of_two_words_move_whole() {
        let base = vec![0; 4];
        // Device 0 changed the high word of element 0; device 1 element 1.
        let merged = merge_output("o", &base, &[vec![0, 9, 0, 0], vec![0, 0, 4, 4]], 2).unwrap();
        assert_eq!(merged, vec![0, 9, 4, 4]);
        // A change in either word of an element is that device's element.
        let err = merge_output("o", &base, &[vec![1, 0, 0, 0], vec![0, 1, 0, 0]], 2).unwrap_err();
        assert!(matches!(err, Error::OutputConflict { element: 0, .. }));
    }

    #[test]
    fn sums_wrap_as_the_device_atomics_do() {
        let sum = sum_words(&[vec![u32::MAX, 2], vec![2, (-3i32) as u32]]);
        assert_eq!(sum, vec![1, (-1i32) as u32]);
    }
}
