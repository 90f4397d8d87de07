use vyre::prelude::*;

megakernel! {
    enum Counter {
        A,
    }
}

megakernel! {
    struct Tuple(u32);
}

fn main() {}
