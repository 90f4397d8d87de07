use vyre::prelude::*;

#[derive(Clone, Copy, Element)]
pub struct NoRepr {
    pub x: u32,
}

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Generic<T: Copy> {
    pub x: T,
}

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Tuple(u32, u32);

#[derive(Clone, Copy, Element)]
#[repr(C, packed)]
pub struct Packed {
    pub x: u32,
}

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub enum Tag {
    A,
}

fn main() {}
