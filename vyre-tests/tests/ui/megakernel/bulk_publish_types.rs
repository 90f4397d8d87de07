use vyre::prelude::*;

#[opcode]
fn add(sums: &Buffer<Atomic<u32>>, i: u32, by: u32) {
    sums[i].fetch_add(by);
}

#[opcode]
fn scale(out: &mut Buffer<f32>, x: f32) {
    out[0] = x;
}

#[opcode(id = 0x77)]
fn elsewhere(sums: &Buffer<Atomic<u32>>, i: u32) {
    sums[i].fetch_add(1);
}

megakernel! {
    struct Sums {
        buffers: { sums: Atomic<u32>, out: f32 },
        opcodes: [add, scale],
    }
}

megakernel! {
    struct Other {
        buffers: { sums: Atomic<u32> },
        opcodes: [elsewhere],
    }
}

fn publish(k: &mut Sums) -> vyre::Result<()> {
    // Tuples of the wrong types or arity.
    k.publish_batch(Priority::Normal, add::Op, &[(1u32, 2.0f32)])?;
    k.publish_batch(Priority::Normal, add::Op, &[1u32, 2])?;
    // An opcode of another megakernel.
    k.publish_batch(Priority::Normal, elsewhere::Op, &[1u32])?;
    // A range over an opcode whose first argument is not a u32.
    k.publish_range(Priority::Normal, scale::Op, 0..4, ())?;
    // The rest of the arguments with the wrong type.
    k.publish_range(Priority::Normal, add::Op, 0..4, -1i32)?;
    Ok(())
}

fn main() {
    let _ = publish;
    let _ = Other::NAME;
}
