use vyre::prelude::*;

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Bad {
    pub flag: bool,
    pub byte: u8,
    pub r: &'static u32,
    pub pair: (u32, u32),
    pub grid: [[f32; 2]; 2],
    pub wide: f64,
}

fn main() {}
