use vyre::prelude::*;

#[derive(Clone, Copy)]
#[repr(C)]
pub struct Plain {
    pub x: u32,
}

#[derive(Clone, Copy, Element)]
#[repr(C)]
pub struct Outer {
    pub inner: Plain,
}

fn main() {}
