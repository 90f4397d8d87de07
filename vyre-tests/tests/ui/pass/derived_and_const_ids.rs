#![allow(unused_variables)]

use vyre::prelude::*;

const BASE: u32 = 0x1000;

#[opcode]
pub fn derived(n: u32) {}

#[opcode(id = BASE + 1)]
pub fn by_const(n: u32) {}

#[opcode(id = 0x2000u32)]
pub fn by_literal(n: u32) {}

pub mod nested {
    use vyre::prelude::*;

    #[opcode(id = super::BASE + 2)]
    pub fn deeper(n: u32) {}

    #[opcode(id = 3)]
    pub(crate) fn crate_visible(ctx: &Ctx) {
        ctx.spawn(Priority::Idle, self::deeper::task(1));
        ctx.spawn(Priority::Idle, super::derived::task(2));
    }
}

fn main() {
    assert_eq!(by_const::ID, 0x1001);
    assert_eq!(nested::deeper::ID, 0x1002);
    assert_eq!(by_literal::ID, 0x2000);
    assert!(derived::ID < 0xFFFF_0000);
    vyre::ir::validate_handler(&nested::crate_visible::handler()).unwrap();
    let _task: Task = derived::task(3);
    shadowing::check();
}

// Constants named like the generated items still mean the user's.
pub mod shadowing {
    use vyre::prelude::*;

    pub const ID: u32 = 0x3000;
    pub const NAME: u32 = 7;

    #[opcode(id = ID + 1)]
    pub fn uses_consts(out: &mut Buffer<u32>) {
        out[0] = NAME + ID;
    }

    pub fn check() {
        assert_eq!(uses_consts::ID, 0x3001);
        let h = uses_consts::handler();
        vyre::ir::validate_handler(&h).unwrap();
    }
}
