use vyre::prelude::*;

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Padded {
    pub id: u32,
    pub wide: u64,
}

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Tail {
    pub wide: u64,
    pub id: u32,
}

fn main() {}
