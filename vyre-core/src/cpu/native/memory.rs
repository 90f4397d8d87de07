//! The program's declared buffers as the native backend holds them: the
//! host [`HostBuffers`] that the original functions borrow, with the
//! [`Engine`](crate::engine::Engine) memory operations on top (words in,
//! words out, range-checked, never panicking).

use crate::cpu::MAX_BUFFER_ELEMENTS;
use crate::error::{Error, Result};
use crate::host::{
    each_buffer, Atomic, AtomicElement, Buffer, HostBuffer, HostBuffers, PlainElement, StructCell,
};
use crate::program::Program;

/// The range `offset .. offset + count` of a buffer of `len` elements, or
/// [`Error::BufferRange`] naming the buffer.
fn range(name: &str, len: usize, offset: u64, count: u64) -> Result<std::ops::Range<usize>> {
    let end = offset.checked_add(count);
    match end {
        Some(end) if end <= len as u64 => Ok(offset as usize..end as usize),
        _ => Err(Error::BufferRange {
            name: name.to_string(),
            len: len as u64,
            offset,
            end: end.unwrap_or(u64::MAX),
        }),
    }
}

/// Gives `buffer` `len` elements, keeping the prefix; `fill` makes the
/// new ones.
fn resize_vec<T>(buffer: &mut Buffer<T>, len: usize, fill: impl FnMut() -> T) -> Option<()> {
    let mut v = std::mem::replace(buffer, Buffer::new()).into_vec();
    if len > v.len() {
        v.try_reserve_exact(len - v.len()).ok()?;
    }
    v.resize_with(len, fill);
    // `len <= MAX_BUFFER_ELEMENTS = u32::MAX`: `Buffer::from` accepts it.
    *buffer = Buffer::from(v);
    Some(())
}

/// Words per element of a plain buffer's slice.
fn per_element<T: PlainElement>(_: &[T]) -> usize {
    T::TYPE.words() as usize
}

/// The declared buffers of a program, as host buffers.
#[derive(Debug)]
pub(crate) struct Memory {
    names: Vec<String>,
    pub(crate) buffers: HostBuffers,
}

impl Memory {
    /// Empty buffers of the kinds `program` declares.
    pub(crate) fn new(program: &Program) -> Memory {
        Memory {
            names: program.buffers().iter().map(|b| b.name.clone()).collect(),
            buffers: program
                .buffers()
                .iter()
                .map(|b| HostBuffer::zeroed(b.kind, 0))
                .collect(),
        }
    }

    fn get(&mut self, buffer: usize) -> Result<(&str, &mut HostBuffer)> {
        match (self.names.get(buffer), self.buffers.get_mut(buffer)) {
            (Some(name), Some(b)) => Ok((name.as_str(), b)),
            _ => Err(Error::UnknownBuffer {
                name: format!("#{buffer}"),
                declared: self.names.clone(),
            }),
        }
    }

    /// Writes the bit patterns `words` (two per `u64`/`i64` element) from
    /// element `offset`.
    pub(crate) fn write(&mut self, buffer: usize, offset: u64, words: &[u32]) -> Result<()> {
        let (name, b) = self.get(buffer)?;
        each_buffer!(
            b,
            c => {
                let s = c.get_mut().as_mut_slice();
                let per = per_element(s);
                let r = range(name, s.len(), offset, (words.len() / per) as u64)?;
                for (d, chunk) in s[r].iter_mut().zip(words.chunks_exact(per)) {
                    *d = PlainElement::from_bits(chunk);
                }
            },
            a => {
                let s = a.as_mut_slice();
                let r = range(name, s.len(), offset, words.len() as u64)?;
                for (d, &w) in s[r].iter_mut().zip(words) {
                    *d = Atomic::new(AtomicElement::from_bits(w));
                }
            },
            (l, cell) => {
                let per = l.words.max(1) as usize;
                match cell.0.get_mut() {
                    StructCell::Words(data) => {
                        let r = range(name, data.len() / per, offset, (words.len() / per) as u64)?;
                        data[r.start * per..r.end * per].copy_from_slice(&words[..r.len() * per]);
                    }
                    StructCell::Typed(b) => {
                        let r = range(name, b.len(), offset, (words.len() / per) as u64)?;
                        b.write_words(r.start, &words[..r.len() * per]);
                    }
                }
            }
        );
        Ok(())
    }

    /// Reads `len` elements' bit patterns from element `offset`.
    pub(crate) fn read(&mut self, buffer: usize, offset: u64, len: u64) -> Result<Vec<u32>> {
        let (name, b) = self.get(buffer)?;
        Ok(each_buffer!(
            b,
            c => {
                let s = c.get_mut().as_slice();
                let per = per_element(s);
                let r = range(name, s.len(), offset, len)?;
                let mut out = vec![0; r.len() * per];
                for (v, chunk) in s[r].iter().zip(out.chunks_exact_mut(per)) {
                    v.put_bits(chunk);
                }
                out
            },
            a => {
                let s = a.as_slice();
                let r = range(name, s.len(), offset, len)?;
                s[r].iter().map(|x| x.load().to_bits()).collect()
            },
            (l, cell) => {
                let per = l.words.max(1) as usize;
                match cell.0.get_mut() {
                    StructCell::Words(data) => {
                        let r = range(name, data.len() / per, offset, len)?;
                        data[r.start * per..r.end * per].to_vec()
                    }
                    StructCell::Typed(b) => {
                        let r = range(name, b.len(), offset, len)?;
                        b.read_words(r.start, r.len())
                    }
                }
            }
        ))
    }

    /// Gives the buffer `len` elements, keeping the common prefix and
    /// zero-filling the rest.
    pub(crate) fn resize(&mut self, buffer: usize, len: u64) -> Result<()> {
        let (name, b) = self.get(buffer)?;
        let words = u64::from(b.kind().element_words());
        let too_large = || Error::BufferTooLarge {
            name: name.to_string(),
            bytes: len.saturating_mul(4 * words),
            max: MAX_BUFFER_ELEMENTS * 4,
        };
        if len.saturating_mul(words) > MAX_BUFFER_ELEMENTS {
            return Err(too_large());
        }
        let n = usize::try_from(len).map_err(|_| too_large())?;
        let done = each_buffer!(
            b,
            c => resize_vec(c.get_mut(), n, Default::default),
            a => resize_vec(a, n, Atomic::default),
            (l, cell) => match cell.0.get_mut() {
                StructCell::Words(data) => {
                    let total = n.checked_mul(l.words as usize);
                    total.and_then(|t| {
                        if t > data.len() {
                            data.try_reserve_exact(t - data.len()).ok()?;
                        }
                        data.resize(t, 0);
                        Some(())
                    })
                }
                StructCell::Typed(b) => b.resize(n),
            }
        );
        done.ok_or_else(too_large)
    }

    /// Logical length of the buffer (0 for an index the program does not
    /// declare).
    pub(crate) fn len(&self, buffer: usize) -> u64 {
        self.buffers.get(buffer).map_or(0, |b| b.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Access, BufferKind, HandlerBuilder, ScalarType};

    fn program() -> Program {
        let mut h = HandlerBuilder::new(1, "touch");
        let a = h.buffer("a", ScalarType::U32, Access::ReadWrite);
        h.body(|b| b.store(a, 0u32, 1u32));
        let mut p = Program::builder("memory").buffer("a", BufferKind::plain(ScalarType::U32));
        for (name, kind) in [
            ("i", BufferKind::plain(ScalarType::I32)),
            ("f", BufferKind::plain(ScalarType::F32)),
            ("au", BufferKind::atomic(ScalarType::U32)),
            ("ai", BufferKind::atomic(ScalarType::I32)),
        ] {
            p = p.buffer(name, kind);
        }
        p.opcode(h.finish().unwrap()).build().unwrap()
    }

    #[test]
    fn every_kind_round_trips_its_bits() {
        let mut m = Memory::new(&program());
        let words = [0, 1, u32::MAX, 0x8000_0000, 1.5f32.to_bits()];
        for b in 0..5 {
            assert_eq!(m.len(b), 0);
            m.resize(b, 7).unwrap();
            m.write(b, 2, &words).unwrap();
            let mut expect = vec![0; 7];
            expect[2..].copy_from_slice(&words);
            assert_eq!(m.read(b, 0, 7).unwrap(), expect, "buffer {b}");
            m.resize(b, 3).unwrap();
            m.resize(b, 4).unwrap();
            assert_eq!(m.read(b, 0, 4).unwrap(), [0, 0, 0, 0], "buffer {b}");
        }
        assert_eq!(
            m.buffers.get(1).unwrap().kind(),
            BufferKind::plain(ScalarType::I32)
        );
    }

    #[test]
    fn out_of_range_accesses_are_typed_errors() {
        let mut m = Memory::new(&program());
        m.resize(0, 2).unwrap();
        assert!(matches!(
            m.write(0, 1, &[1, 2]),
            Err(Error::BufferRange { ref name, len: 2, offset: 1, end: 3 }) if name == "a"
        ));
        assert!(m.read(0, u64::MAX, 2).is_err());
        assert!(m.read(0, 0, u64::MAX).is_err());
        assert!(matches!(
            m.write(9, 0, &[]),
            Err(Error::UnknownBuffer { .. })
        ));
        assert!(matches!(m.read(9, 0, 0), Err(Error::UnknownBuffer { .. })));
        assert!(matches!(m.resize(9, 0), Err(Error::UnknownBuffer { .. })));
        assert!(matches!(
            m.resize(2, MAX_BUFFER_ELEMENTS + 1),
            Err(Error::BufferTooLarge { ref name, .. }) if name == "f"
        ));
        assert_eq!(m.len(9), 0);
    }
}
