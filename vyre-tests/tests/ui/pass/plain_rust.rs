use vyre::prelude::*;

/// Handlers stay ordinary functions: callable, testable, documented.
#[opcode]
pub fn scale(ctx: &Ctx, data: &mut Buffer<f32>, i: u32, k: f32) {
    if k < 0.0 {
        ctx.fault(1);
    }
    data[i] *= k;
}

fn main() {
    let mut data = Buffer::from(vec![1.0f32, 2.0]);
    let out = Ctx::call(|ctx| scale(ctx, &mut data, 1, 3.0));
    assert!(out.is_done());
    assert_eq!(data.as_slice(), &[1.0, 6.0]);
    let out = Ctx::call(|ctx| scale(ctx, &mut data, 5, 3.0));
    assert_eq!(out.fault(), Some(vyre::FaultKind::OutOfBounds { index: 5 }));
    let t: Task = scale::task(0, 2.0);
    assert_eq!(t.opcode(), scale::ID);
}
