// The generated type names everything by absolute path, so it works where
// the prelude is not in scope.
#[no_implicit_prelude]
mod bare {
    #[::vyre::opcode(id = 5)]
    pub fn bump(hits: &::vyre::host::Buffer<::vyre::host::Atomic<u32>>, i: u32) {
        hits[i].fetch_add(1);
    }

    ::vyre::megakernel! {
        /// A counter without the prelude.
        pub struct Counter {
            slots: 10,
            partitions: [2, 2, 2, 2, 2],
            buffers: { hits: Atomic<u32> },
            opcodes: [bump],
        }
    }
}

fn main() {
    let mut k = bare::Counter::new(&vyre::Gpu::cpu()).unwrap();
    k.hits().upload(&[0, 0]).unwrap();
    k.publish(vyre::Priority::Normal, bare::bump::task(1)).unwrap();
    assert_eq!(k.run().unwrap().executed, 1);
    assert_eq!(k.hits().read().unwrap(), [0, 1]);
    assert!(bare::Counter::wgsl().contains("op_bump"));
    let _ = bare::Counter::program();
}
