// @generated from examples/scan.rs: what `#[opcode]`, `#[device]` and
// `megakernel!` expand to. Do not edit; regenerate with
//     VYRE_BLESS=1 cargo test -p vyre-expand expanded
// (This directory has no main.rs, so Cargo does not build it as an example.)

/// Byte `i` of a text packed four bytes to a word, little-endian.
#[allow(unknown_lints, clippy::manual_range_patterns)]
pub fn byte_at(text: &Buffer<u32>, i: u32) -> u32 {
    (text[i >> 2] >> ((i & 3) * 8)) & 0xFF
}
#[doc(hidden)]
#[allow(
    dead_code,
    unused_imports,
    unused_variables,
    unused_mut,
    unused_braces,
    unreachable_code,
    non_snake_case,
    non_upper_case_globals,
    clippy::all,
    clippy::pedantic,
    clippy::nursery
)]
pub mod byte_at {
    use super::*;
    /// Parameter types (`u32` for the context and buffers).
    pub const __VYRE_PARAMS: &[::vyre::ir::ScalarType] = &[
        ::vyre::ir::ScalarType::U32,
        ::vyre::ir::ScalarType::U32,
    ];
    /// Return type (`u32` when there is none).
    pub const __VYRE_RET: ::vyre::ir::ScalarType = ::vyre::ir::ScalarType::U32;
    /// Appends the function's body to `__blk`, its parameters bound
    /// to `__args`; returns its value.
    pub fn __vyre_inline(
        __cx: &mut ::vyre::host::__private::Inliner,
        __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt>,
        __args: ::std::vec::Vec<::vyre::host::__private::DeviceArg>,
    ) -> ::core::result::Result<
        ::vyre::host::__private::DeviceValue,
        ::vyre::host::HandlerError,
    > {
        __cx.enter(::core::module_path!())?;
        let [__a0, __a1] = ::vyre::host::__private::device_args::<
            2usize,
        >("byte_at", __args)?;
        let __base: u32 = __cx
            .alloc(
                ::std::vec![
                    ::vyre::program::LocalDecl::scalar("i", ::vyre::ir::ScalarType::U32,
                    false), ::vyre::program::LocalDecl::scalar("ret",
                    ::vyre::ir::ScalarType::U32, true)
                ],
            );
        let __buf0: ::vyre::ir::BufferId = __a0.buffer("byte_at", "text")?;
        __blk
            .push(::vyre::ir::Stmt::Let {
                local: ::vyre::ir::LocalId(__base + 0u32),
                value: __a1.scalar("byte_at", "i")?,
            });
        __blk
            .push(::vyre::ir::Stmt::Let {
                local: ::vyre::ir::LocalId(__base + 1u32),
                value: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(0u32)),
            });
        __blk
            .push(::vyre::ir::Stmt::Assign {
                local: ::vyre::ir::LocalId(__base + 1u32),
                value: ::vyre::ir::Expr::Binary {
                    op: ::vyre::ir::BinOp::BitAnd,
                    lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                        op: ::vyre::ir::BinOp::Shr,
                        lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Load {
                            buffer: __buf0,
                            index: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                                op: ::vyre::ir::BinOp::Shr,
                                lhs: ::std::boxed::Box::new(
                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + 0u32)),
                                ),
                                rhs: ::std::boxed::Box::new(::vyre::ir::Expr::Cast {
                                    to: ::vyre::ir::ScalarType::U32,
                                    value: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Lit(::vyre::ir::Literal::I32(2i32)),
                                    ),
                                }),
                            }),
                        }),
                        rhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                            op: ::vyre::ir::BinOp::Mul,
                            lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                                op: ::vyre::ir::BinOp::BitAnd,
                                lhs: ::std::boxed::Box::new(
                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + 0u32)),
                                ),
                                rhs: ::std::boxed::Box::new(
                                    ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(3u32)),
                                ),
                            }),
                            rhs: ::std::boxed::Box::new(
                                ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(8u32)),
                            ),
                        }),
                    }),
                    rhs: ::std::boxed::Box::new(
                        ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(255u32)),
                    ),
                },
            });
        __cx.leave();
        ::core::result::Result::Ok(
            ::vyre::host::__private::DeviceValue::Scalar(
                ::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + 1u32)),
            ),
        )
    }
}
/// Counts the matches of every pattern that start in `start..end` of a text
/// of `len` bytes. Pattern `p` is `pat_bytes[pat_off[p]..pat_off[p + 1]]`,
/// one byte per word.
#[allow(unknown_lints, clippy::manual_range_patterns)]
pub fn scan(
    text: &Buffer<u32>,
    pat_bytes: &Buffer<u32>,
    pat_off: &Buffer<u32>,
    counts: &Buffer<Atomic<u32>>,
    start: u32,
    end: u32,
    len: u32,
) {
    let patterns = pat_off.len() - 1;
    for p in 0..patterns {
        ::vyre::host::loop_tick();
        let a = pat_off[p];
        let n = pat_off[p + 1] - a;
        let head = pat_bytes[a];
        let last = end.min(len + 1 - n.min(len + 1));
        let mut found = 0;
        for i in start..last {
            ::vyre::host::loop_tick();
            if byte_at(text, i) == head {
                let mut j = 1;
                while j < n && byte_at(text, i + j) == pat_bytes[a + j] {
                    ::vyre::host::loop_tick();
                    j += 1;
                }
                if j == n {
                    found += 1;
                }
            }
        }
        if found > 0 {
            counts[p].fetch_add(found);
        }
    }
}
///Generated by `#[opcode]` for the handler `scan`: its id, task encoder, metadata and IR.
#[allow(
    dead_code,
    unused_imports,
    unused_variables,
    unused_mut,
    unused_braces,
    unreachable_code,
    non_snake_case,
    non_upper_case_globals,
    clippy::all,
    clippy::pedantic,
    clippy::nursery
)]
pub mod scan {
    use super::*;
    /// The opcode id.
    pub const ID: u32 = 768u32;
    /// The handler's name (the megakernel's buffers bind by the
    /// parameter names, the handler by this one).
    pub const NAME: &str = "scan";
    /// The types of the task arguments, in order.
    pub const ARGS: &[::vyre::ir::ScalarType] = &[
        ::vyre::ir::ScalarType::U32,
        ::vyre::ir::ScalarType::U32,
        ::vyre::ir::ScalarType::U32,
    ];
    /// The names of the task arguments, in order.
    pub const ARG_NAMES: &[&str] = &["start", "end", "len"];
    /// The buffer parameters, in order: name, element type, access.
    pub const BUFFERS: &[::vyre::host::BufferMeta] = &[
        ::vyre::host::BufferMeta::new(
            "text",
            ::vyre::ir::ScalarType::U32,
            ::vyre::ir::Access::Read,
        ),
        ::vyre::host::BufferMeta::new(
            "pat_bytes",
            ::vyre::ir::ScalarType::U32,
            ::vyre::ir::Access::Read,
        ),
        ::vyre::host::BufferMeta::new(
            "pat_off",
            ::vyre::ir::ScalarType::U32,
            ::vyre::ir::Access::Read,
        ),
        ::vyre::host::BufferMeta::new(
            "counts",
            ::vyre::ir::ScalarType::U32,
            ::vyre::ir::Access::Atomic,
        ),
    ];
    /// The handler as IR: id, name, buffer uses, argument types and
    /// body.
    ///
    /// # Panics
    ///
    /// When [`try_handler`] fails (recursive `#[device]` calls).
    pub fn handler() -> ::vyre::OpcodeHandler {
        ::vyre::host::__private::expect_handler(NAME, try_handler())
    }
    /// The handler as IR, or why it cannot be built.
    pub fn try_handler() -> ::core::result::Result<
        ::vyre::OpcodeHandler,
        ::vyre::host::HandlerError,
    > {
        let __cx: &mut ::vyre::host::__private::Inliner = &mut ::vyre::host::__private::Inliner::new(
            ::std::vec![
                ::vyre::program::LocalDecl::scalar("start", ::vyre::ir::ScalarType::U32,
                false), ::vyre::program::LocalDecl::scalar("end",
                ::vyre::ir::ScalarType::U32, false),
                ::vyre::program::LocalDecl::scalar("len", ::vyre::ir::ScalarType::U32,
                false), ::vyre::program::LocalDecl::scalar("patterns",
                ::vyre::ir::ScalarType::U32, false),
                ::vyre::program::LocalDecl::scalar("p", ::vyre::ir::ScalarType::U32,
                false), ::vyre::program::LocalDecl::scalar("a",
                ::vyre::ir::ScalarType::U32, false),
                ::vyre::program::LocalDecl::scalar("n", ::vyre::ir::ScalarType::U32,
                false), ::vyre::program::LocalDecl::scalar("head",
                ::vyre::ir::ScalarType::U32, false),
                ::vyre::program::LocalDecl::scalar("last", ::vyre::ir::ScalarType::U32,
                false), ::vyre::program::LocalDecl::scalar("found",
                ::vyre::ir::ScalarType::U32, true),
                ::vyre::program::LocalDecl::scalar("i", ::vyre::ir::ScalarType::U32,
                false), ::vyre::program::LocalDecl::scalar("j",
                ::vyre::ir::ScalarType::U32, true),
                ::vyre::program::LocalDecl::scalar("cond", ::vyre::ir::ScalarType::Bool,
                true)
            ],
        );
        let __body: ::vyre::ir::Block = {
            let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
            __blk
                .push(::vyre::ir::Stmt::Let {
                    local: ::vyre::ir::LocalId(3u32),
                    value: ::vyre::ir::Expr::Binary {
                        op: ::vyre::ir::BinOp::Sub,
                        lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Len {
                            buffer: ::vyre::ir::BufferId(2u32),
                        }),
                        rhs: ::std::boxed::Box::new(
                            ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(1u32)),
                        ),
                    },
                });
            __blk
                .push(::vyre::ir::Stmt::For {
                    var: ::vyre::ir::LocalId(4u32),
                    start: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(0u32)),
                    end: ::vyre::ir::Expr::Local(::vyre::ir::LocalId(3u32)),
                    inclusive: false,
                    body: {
                        let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                        __blk
                            .push(::vyre::ir::Stmt::Let {
                                local: ::vyre::ir::LocalId(5u32),
                                value: ::vyre::ir::Expr::Load {
                                    buffer: ::vyre::ir::BufferId(2u32),
                                    index: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(4u32)),
                                    ),
                                },
                            });
                        __blk
                            .push(::vyre::ir::Stmt::Let {
                                local: ::vyre::ir::LocalId(6u32),
                                value: ::vyre::ir::Expr::Binary {
                                    op: ::vyre::ir::BinOp::Sub,
                                    lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Load {
                                        buffer: ::vyre::ir::BufferId(2u32),
                                        index: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                                            op: ::vyre::ir::BinOp::Add,
                                            lhs: ::std::boxed::Box::new(
                                                ::vyre::ir::Expr::Local(::vyre::ir::LocalId(4u32)),
                                            ),
                                            rhs: ::std::boxed::Box::new(
                                                ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(1u32)),
                                            ),
                                        }),
                                    }),
                                    rhs: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(5u32)),
                                    ),
                                },
                            });
                        __blk
                            .push(::vyre::ir::Stmt::Let {
                                local: ::vyre::ir::LocalId(7u32),
                                value: ::vyre::ir::Expr::Load {
                                    buffer: ::vyre::ir::BufferId(1u32),
                                    index: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(5u32)),
                                    ),
                                },
                            });
                        __blk
                            .push(::vyre::ir::Stmt::Let {
                                local: ::vyre::ir::LocalId(8u32),
                                value: ::vyre::ir::Expr::Intrinsic {
                                    func: ::vyre::ir::Intrinsic::Min,
                                    args: ::std::vec![
                                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(1u32)),
                                        ::vyre::ir::Expr::Binary { op : ::vyre::ir::BinOp::Sub, lhs
                                        : ::std::boxed::Box::new(::vyre::ir::Expr::Binary { op :
                                        ::vyre::ir::BinOp::Add, lhs :
                                        ::std::boxed::Box::new(::vyre::ir::Expr::Local(::vyre::ir::LocalId(2u32))),
                                        rhs :
                                        ::std::boxed::Box::new(::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(1u32))),
                                        }), rhs : ::std::boxed::Box::new(::vyre::ir::Expr::Intrinsic
                                        { func : ::vyre::ir::Intrinsic::Min, args :
                                        ::std::vec![::vyre::ir::Expr::Local(::vyre::ir::LocalId(6u32)),
                                        ::vyre::ir::Expr::Binary { op : ::vyre::ir::BinOp::Add, lhs
                                        :
                                        ::std::boxed::Box::new(::vyre::ir::Expr::Local(::vyre::ir::LocalId(2u32))),
                                        rhs :
                                        ::std::boxed::Box::new(::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(1u32))),
                                        }] }), }
                                    ],
                                },
                            });
                        __blk
                            .push(::vyre::ir::Stmt::Let {
                                local: ::vyre::ir::LocalId(9u32),
                                value: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(0u32)),
                            });
                        __blk
                            .push(::vyre::ir::Stmt::For {
                                var: ::vyre::ir::LocalId(10u32),
                                start: ::vyre::ir::Expr::Local(::vyre::ir::LocalId(0u32)),
                                end: ::vyre::ir::Expr::Local(::vyre::ir::LocalId(8u32)),
                                inclusive: false,
                                body: {
                                    let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                                    let __v1 = ::vyre::host::__private::device_value(
                                        "byte_at",
                                        byte_at::__vyre_inline(
                                            __cx,
                                            __blk,
                                            ::std::vec![
                                                ::vyre::host::__private::DeviceArg::Buffer(::vyre::ir::BufferId(0u32)),
                                                ::vyre::host::__private::DeviceArg::Scalar(::vyre::ir::Expr::Local(::vyre::ir::LocalId(10u32)))
                                            ],
                                        )?,
                                    )?;
                                    __blk
                                        .push(::vyre::ir::Stmt::If {
                                            cond: ::vyre::ir::Expr::Binary {
                                                op: ::vyre::ir::BinOp::Eq,
                                                lhs: ::std::boxed::Box::new(__v1),
                                                rhs: ::std::boxed::Box::new(
                                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(7u32)),
                                                ),
                                            },
                                            then_body: {
                                                let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                                                __blk
                                                    .push(::vyre::ir::Stmt::Let {
                                                        local: ::vyre::ir::LocalId(11u32),
                                                        value: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(1u32)),
                                                    });
                                                __blk
                                                    .push(::vyre::ir::Stmt::Loop {
                                                        body: {
                                                            let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                                                            __blk
                                                                .push(::vyre::ir::Stmt::Let {
                                                                    local: ::vyre::ir::LocalId(12u32),
                                                                    value: ::vyre::ir::Expr::Binary {
                                                                        op: ::vyre::ir::BinOp::Lt,
                                                                        lhs: ::std::boxed::Box::new(
                                                                            ::vyre::ir::Expr::Local(::vyre::ir::LocalId(11u32)),
                                                                        ),
                                                                        rhs: ::std::boxed::Box::new(
                                                                            ::vyre::ir::Expr::Local(::vyre::ir::LocalId(6u32)),
                                                                        ),
                                                                    },
                                                                });
                                                            __blk
                                                                .push(::vyre::ir::Stmt::If {
                                                                    cond: ::vyre::ir::Expr::Local(::vyre::ir::LocalId(12u32)),
                                                                    then_body: {
                                                                        let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                                                                        let __v2 = ::vyre::host::__private::device_value(
                                                                            "byte_at",
                                                                            byte_at::__vyre_inline(
                                                                                __cx,
                                                                                __blk,
                                                                                ::std::vec![
                                                                                    ::vyre::host::__private::DeviceArg::Buffer(::vyre::ir::BufferId(0u32)),
                                                                                    ::vyre::host::__private::DeviceArg::Scalar(::vyre::ir::Expr::Binary
                                                                                    { op : ::vyre::ir::BinOp::Add, lhs :
                                                                                    ::std::boxed::Box::new(::vyre::ir::Expr::Local(::vyre::ir::LocalId(10u32))),
                                                                                    rhs :
                                                                                    ::std::boxed::Box::new(::vyre::ir::Expr::Local(::vyre::ir::LocalId(11u32))),
                                                                                    })
                                                                                ],
                                                                            )?,
                                                                        )?;
                                                                        __blk
                                                                            .push(::vyre::ir::Stmt::Assign {
                                                                                local: ::vyre::ir::LocalId(12u32),
                                                                                value: ::vyre::ir::Expr::Binary {
                                                                                    op: ::vyre::ir::BinOp::Eq,
                                                                                    lhs: ::std::boxed::Box::new(__v2),
                                                                                    rhs: ::std::boxed::Box::new(::vyre::ir::Expr::Load {
                                                                                        buffer: ::vyre::ir::BufferId(1u32),
                                                                                        index: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                                                                                            op: ::vyre::ir::BinOp::Add,
                                                                                            lhs: ::std::boxed::Box::new(
                                                                                                ::vyre::ir::Expr::Local(::vyre::ir::LocalId(5u32)),
                                                                                            ),
                                                                                            rhs: ::std::boxed::Box::new(
                                                                                                ::vyre::ir::Expr::Local(::vyre::ir::LocalId(11u32)),
                                                                                            ),
                                                                                        }),
                                                                                    }),
                                                                                },
                                                                            });
                                                                        ::vyre::ir::Block(::std::mem::take(__blk))
                                                                    },
                                                                    else_body: ::vyre::ir::Block(::std::vec::Vec::new()),
                                                                });
                                                            __blk
                                                                .push(::vyre::ir::Stmt::If {
                                                                    cond: ::vyre::ir::Expr::Unary {
                                                                        op: ::vyre::ir::UnOp::Not,
                                                                        operand: ::std::boxed::Box::new(
                                                                            ::vyre::ir::Expr::Local(::vyre::ir::LocalId(12u32)),
                                                                        ),
                                                                    },
                                                                    then_body: ::vyre::ir::Block(
                                                                        ::std::vec![::vyre::ir::Stmt::Break],
                                                                    ),
                                                                    else_body: ::vyre::ir::Block(::std::vec::Vec::new()),
                                                                });
                                                            __blk
                                                                .push(
                                                                    ::vyre::ir::Stmt::Block({
                                                                        let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                                                                        __blk
                                                                            .push(::vyre::ir::Stmt::Assign {
                                                                                local: ::vyre::ir::LocalId(11u32),
                                                                                value: ::vyre::ir::Expr::Binary {
                                                                                    op: ::vyre::ir::BinOp::Add,
                                                                                    lhs: ::std::boxed::Box::new(
                                                                                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(11u32)),
                                                                                    ),
                                                                                    rhs: ::std::boxed::Box::new(
                                                                                        ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(1u32)),
                                                                                    ),
                                                                                },
                                                                            });
                                                                        ::vyre::ir::Block(::std::mem::take(__blk))
                                                                    }),
                                                                );
                                                            ::vyre::ir::Block(::std::mem::take(__blk))
                                                        },
                                                    });
                                                __blk
                                                    .push(::vyre::ir::Stmt::If {
                                                        cond: ::vyre::ir::Expr::Binary {
                                                            op: ::vyre::ir::BinOp::Eq,
                                                            lhs: ::std::boxed::Box::new(
                                                                ::vyre::ir::Expr::Local(::vyre::ir::LocalId(11u32)),
                                                            ),
                                                            rhs: ::std::boxed::Box::new(
                                                                ::vyre::ir::Expr::Local(::vyre::ir::LocalId(6u32)),
                                                            ),
                                                        },
                                                        then_body: {
                                                            let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                                                            __blk
                                                                .push(::vyre::ir::Stmt::Assign {
                                                                    local: ::vyre::ir::LocalId(9u32),
                                                                    value: ::vyre::ir::Expr::Binary {
                                                                        op: ::vyre::ir::BinOp::Add,
                                                                        lhs: ::std::boxed::Box::new(
                                                                            ::vyre::ir::Expr::Local(::vyre::ir::LocalId(9u32)),
                                                                        ),
                                                                        rhs: ::std::boxed::Box::new(
                                                                            ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(1u32)),
                                                                        ),
                                                                    },
                                                                });
                                                            ::vyre::ir::Block(::std::mem::take(__blk))
                                                        },
                                                        else_body: {
                                                            let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                                                            ::vyre::ir::Block(::std::mem::take(__blk))
                                                        },
                                                    });
                                                ::vyre::ir::Block(::std::mem::take(__blk))
                                            },
                                            else_body: {
                                                let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                                                ::vyre::ir::Block(::std::mem::take(__blk))
                                            },
                                        });
                                    ::vyre::ir::Block(::std::mem::take(__blk))
                                },
                            });
                        __blk
                            .push(::vyre::ir::Stmt::If {
                                cond: ::vyre::ir::Expr::Binary {
                                    op: ::vyre::ir::BinOp::Gt,
                                    lhs: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(9u32)),
                                    ),
                                    rhs: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(0u32)),
                                    ),
                                },
                                then_body: {
                                    let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                                    __blk
                                        .push(
                                            ::vyre::ir::Stmt::Eval(::vyre::ir::Expr::Atomic {
                                                op: ::vyre::ir::AtomicOp::FetchAdd,
                                                buffer: ::vyre::ir::BufferId(3u32),
                                                index: ::std::boxed::Box::new(
                                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(4u32)),
                                                ),
                                                value: ::core::option::Option::Some(
                                                    ::std::boxed::Box::new(
                                                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(9u32)),
                                                    ),
                                                ),
                                            }),
                                        );
                                    ::vyre::ir::Block(::std::mem::take(__blk))
                                },
                                else_body: {
                                    let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                                    ::vyre::ir::Block(::std::mem::take(__blk))
                                },
                            });
                        ::vyre::ir::Block(::std::mem::take(__blk))
                    },
                });
            ::vyre::ir::Block(::std::mem::take(__blk))
        };
        ::vyre::host::__private::finish_handler(
            ID,
            NAME,
            BUFFERS,
            ARGS.len(),
            __cx,
            __body,
        )
    }
    ///A task of this opcode with these arguments, for `publish` or `ctx.spawn`.
    pub fn task(
        start: ::core::primitive::u32,
        end: ::core::primitive::u32,
        len: ::core::primitive::u32,
    ) -> ::vyre::Task {
        let __args: [::vyre::ir::Literal; 3usize] = [
            <::vyre::ir::Literal as ::core::convert::From<_>>::from(start),
            <::vyre::ir::Literal as ::core::convert::From<_>>::from(end),
            <::vyre::ir::Literal as ::core::convert::From<_>>::from(len),
        ];
        ::vyre::Task::new(ID, __args)
    }
    /// This opcode as the continuation of a device→host request: every
    /// argument but the last, which receives the host's reply
    /// (`ctx.request(priority, kind::call(…), op::then(…))`).
    pub fn then(
        start: ::core::primitive::u32,
        end: ::core::primitive::u32,
    ) -> ::vyre::host::Continuation<::core::primitive::u32> {
        let mut __w = [0u32; 2usize + 1];
        ::vyre::host::ArgWord::write(start, &mut __w[0usize..]);
        ::vyre::host::ArgWord::write(end, &mut __w[1usize..]);
        ::vyre::host::Continuation::new(ID, &__w[..2usize])
    }
    /// This opcode as a type: `publish_batch(priority, Op, &args)` and,
    /// when the first argument is a `u32` index, `publish_range`.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct Op;
    impl ::vyre::Opcode for Op {
        const ID: u32 = ID;
        const NAME: &'static str = NAME;
        const ARG_TYPES: &'static [::vyre::ir::ScalarType] = ARGS;
        type Args = (
            ::core::primitive::u32,
            ::core::primitive::u32,
            ::core::primitive::u32,
        );
        #[inline]
        fn encode(args: &Self::Args, words: &mut [u32]) {
            ::vyre::host::ArgWord::write(args.0, &mut words[0usize..]);
            ::vyre::host::ArgWord::write(args.1, &mut words[1usize..]);
            ::vyre::host::ArgWord::write(args.2, &mut words[2usize..]);
        }
    }
    impl ::vyre::RangeOpcode for Op {
        type Rest = (::core::primitive::u32, ::core::primitive::u32);
        #[inline]
        fn encode_rest(args: &Self::Rest, words: &mut [u32]) {
            ::vyre::host::ArgWord::write(args.0, &mut words[0usize..]);
            ::vyre::host::ArgWord::write(args.1, &mut words[1usize..]);
        }
    }
    /// Runs the original function on the host for the native backend:
    /// `bindings[i]` is the program buffer of buffer parameter `i`,
    /// `args` the task's argument words.
    #[doc(hidden)]
    pub fn __native(
        __ctx: &::vyre::host::Ctx,
        __buffers: &::vyre::host::HostBuffers,
        __bindings: &[usize],
        __args: &[u32],
    ) {
        let __b0 = __buffers.read::<::core::primitive::u32>(__bindings, 0usize);
        let __b1 = __buffers.read::<::core::primitive::u32>(__bindings, 1usize);
        let __b2 = __buffers.read::<::core::primitive::u32>(__bindings, 2usize);
        let __b3 = __buffers.atomic::<::core::primitive::u32>(__bindings, 3usize);
        super::scan(
            &*__b0,
            &*__b1,
            &*__b2,
            __b3,
            ::vyre::host::__private::arg::<::core::primitive::u32>(__args, 0usize),
            ::vyre::host::__private::arg::<::core::primitive::u32>(__args, 1usize),
            ::vyre::host::__private::arg::<::core::primitive::u32>(__args, 2usize),
        )
    }
}
/// Counts pattern matches chunk by chunk.
/**

Generated by `megakernel!`: `Scan::new(&gpu)` or `Scan::builder(&gpu)` instantiates it; each declared buffer has an accessor method of its name.*/
pub struct Scan {
    __vyre_runtime: ::vyre::Runtime,
}
const _: () = {
    if let ::core::option::Option::Some(__vyre_msg) = ::vyre::kernel::__private::check_bindings(
        "Scan",
        "scan",
        scan::BUFFERS,
        &[
            ::vyre::kernel::__private::Declared::new(
                "text",
                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
            ),
            ::vyre::kernel::__private::Declared::new(
                "pat_bytes",
                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
            ),
            ::vyre::kernel::__private::Declared::new(
                "pat_off",
                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
            ),
            ::vyre::kernel::__private::Declared::new(
                "counts",
                ::vyre::ir::BufferKind::atomic(::vyre::ir::ScalarType::U32),
            ),
        ],
    ) {
        ::core::panic!("{}", __vyre_msg.as_str())
    }
};
const _: () = {
    if let ::core::option::Option::Some(__vyre_msg) = ::vyre::kernel::__private::check_reserved(
        "Scan",
        "scan",
        scan::ID,
    ) {
        ::core::panic!("{}", __vyre_msg.as_str())
    }
};
#[allow(dead_code, clippy::all)]
impl Scan {
    /// The megakernel's name (also its program's name).
    pub const NAME: &'static str = "Scan";
    /// The sizes and limits this megakernel declares (the others
    /// are `ProgramConfig`'s defaults).
    pub fn config() -> ::vyre::ProgramConfig {
        ::vyre::ProgramConfig {
            slots: 8192u32,
            grow_ring: false,
            auto_dispatch: true,
            ..::core::default::Default::default()
        }
    }
    /// The assembled program, shared: built on first use and
    /// cached. An error says what could not be assembled (a
    /// handler whose IR cannot be built, a spawn of an opcode
    /// this megakernel does not list).
    pub fn try_program() -> ::vyre::Result<::std::sync::Arc<::vyre::Program>> {
        static __VYRE_PROGRAM: ::std::sync::OnceLock<
            ::vyre::Result<::std::sync::Arc<::vyre::Program>>,
        > = ::std::sync::OnceLock::new();
        ::core::clone::Clone::clone(
            __VYRE_PROGRAM
                .get_or_init(|| {
                    ::vyre::kernel::__private::assemble(
                        Self::NAME,
                        Self::config(),
                        &[
                            ::vyre::kernel::__private::Declared::new(
                                "text",
                                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
                            ),
                            ::vyre::kernel::__private::Declared::new(
                                "pat_bytes",
                                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
                            ),
                            ::vyre::kernel::__private::Declared::new(
                                "pat_off",
                                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
                            ),
                            ::vyre::kernel::__private::Declared::new(
                                "counts",
                                ::vyre::ir::BufferKind::atomic(::vyre::ir::ScalarType::U32),
                            ),
                        ],
                        &[
                            ::vyre::kernel::__private::Opcode {
                                handler: scan::try_handler,
                                id: scan::ID,
                                name: scan::NAME,
                                native: scan::__native,
                            },
                        ],
                    )
                }),
        )
    }
    /// The assembled program (a copy of the shared one).
    ///
    /// # Panics
    ///
    /// When the program cannot be assembled; `try_program` returns
    /// the reason as an error instead.
    pub fn program() -> ::vyre::Program {
        match Self::try_program() {
            ::core::result::Result::Ok(p) => ::core::clone::Clone::clone(&*p),
            ::core::result::Result::Err(e) => {
                ::core::panic!("megakernel `{}`: {}", Self::NAME, e)
            }
        }
    }
    /// The program lowered to WGSL.
    ///
    /// # Panics
    ///
    /// When the program cannot be assembled (see `program`).
    pub fn wgsl() -> ::std::string::String {
        match Self::try_program() {
            ::core::result::Result::Ok(p) => p.wgsl(),
            ::core::result::Result::Err(e) => {
                ::core::panic!("megakernel `{}`: {}", Self::NAME, e)
            }
        }
    }
    /// An instance on `gpu`, with default sizes and limits.
    pub fn new(gpu: &::vyre::Gpu) -> ::vyre::Result<Self> {
        Self::builder(gpu).build()
    }
    /// A builder for an instance on `gpu`: workgroups, schedule
    /// seed, run limits and initial buffer lengths.
    pub fn builder(gpu: &::vyre::Gpu) -> ::vyre::kernel::KernelBuilder<Self> {
        ::vyre::kernel::KernelBuilder::new(gpu)
    }
    /// Publishes `task` at `priority` for tenant 0. The task is
    /// checked and queued; `run` moves it into the ring.
    pub fn publish(
        &mut self,
        priority: ::vyre::Priority,
        task: ::vyre::Task,
    ) -> ::vyre::Result<()> {
        self.__vyre_runtime.publish(priority, task)
    }
    /// Publishes `task` at `priority` for `tenant`.
    pub fn publish_for(
        &mut self,
        tenant: u32,
        priority: ::vyre::Priority,
        task: ::vyre::Task,
    ) -> ::vyre::Result<()> {
        self.__vyre_runtime.publish_for(tenant, priority, task)
    }
    /// Publishes one task of opcode `O` (`name::Op`, one of this
    /// megakernel's) per element of `tasks` at `priority` for
    /// tenant 0: the arguments as `()`, the value, or a tuple,
    /// packed straight into the host queue.
    pub fn publish_batch<O: ::vyre::Opcode>(
        &mut self,
        priority: ::vyre::Priority,
        op: O,
        tasks: &[O::Args],
    ) -> ::vyre::Result<()>
    where
        Self: ::vyre::kernel::HasOpcode<O>,
    {
        self.__vyre_runtime.publish_batch(priority, op, tasks)
    }
    /// Publishes one task of opcode `O` per index of `indices`
    /// (the opcode's first argument, a `u32`), the other arguments
    /// being `rest`, at `priority` for tenant 0. The device writes
    /// the tasks from one descriptor: nothing per task crosses the
    /// bus.
    pub fn publish_range<O: ::vyre::RangeOpcode>(
        &mut self,
        priority: ::vyre::Priority,
        op: O,
        indices: ::core::ops::Range<u32>,
        rest: O::Rest,
    ) -> ::vyre::Result<()>
    where
        Self: ::vyre::kernel::HasOpcode<O>,
    {
        self.__vyre_runtime.publish_range(priority, op, indices, rest)
    }
    /// Runs rounds until no runnable work is left, a handler asks
    /// for shutdown, or a run limit is reached.
    pub fn run(&mut self) -> ::vyre::Result<::vyre::RunReport> {
        self.__vyre_runtime.run()
    }
    /// Enables a tenant: its parked tasks become claimable.
    pub fn enable_tenant(&mut self, tenant: u32) -> ::vyre::Result<()> {
        self.__vyre_runtime.enable_tenant(tenant)
    }
    /// Disables a tenant: its tasks stay in the ring, parked.
    pub fn disable_tenant(&mut self, tenant: u32) -> ::vyre::Result<()> {
        self.__vyre_runtime.disable_tenant(tenant)
    }
    /// Resizes the ring's five partitions (CRITICAL first) between
    /// runs: see `Runtime::set_partition_sizes`.
    pub fn set_partition_sizes(&mut self, sizes: [u32; 5]) -> ::vyre::Result<()> {
        self.__vyre_runtime.set_partition_sizes(sizes)
    }
    /// The runtime, for everything else (accounting, limits, raw
    /// publishing, buffers by name).
    pub fn runtime(&self) -> &::vyre::Runtime {
        &self.__vyre_runtime
    }
    /// The runtime, mutably.
    pub fn runtime_mut(&mut self) -> &mut ::vyre::Runtime {
        &mut self.__vyre_runtime
    }
    /// The runtime, taking the instance apart.
    pub fn into_runtime(self) -> ::vyre::Runtime {
        self.__vyre_runtime
    }
    /// Which backend runs this instance.
    pub fn backend(&self) -> ::vyre::BackendKind {
        self.__vyre_runtime.backend()
    }
    ///The `text` buffer (`u32`): write, upload, read and resize it.
    pub fn text(&mut self) -> ::vyre::kernel::BufferAccess<'_, ::core::primitive::u32> {
        ::vyre::kernel::BufferAccess::__new(&mut self.__vyre_runtime, "text")
    }
    ///The `pat_bytes` buffer (`u32`): write, upload, read and resize it.
    pub fn pat_bytes(
        &mut self,
    ) -> ::vyre::kernel::BufferAccess<'_, ::core::primitive::u32> {
        ::vyre::kernel::BufferAccess::__new(&mut self.__vyre_runtime, "pat_bytes")
    }
    ///The `pat_off` buffer (`u32`): write, upload, read and resize it.
    pub fn pat_off(
        &mut self,
    ) -> ::vyre::kernel::BufferAccess<'_, ::core::primitive::u32> {
        ::vyre::kernel::BufferAccess::__new(&mut self.__vyre_runtime, "pat_off")
    }
    ///The `counts` buffer (`Atomic<u32>`): write, upload, read and resize it as `u32` values.
    pub fn counts(
        &mut self,
    ) -> ::vyre::kernel::BufferAccess<'_, ::core::primitive::u32> {
        ::vyre::kernel::BufferAccess::__new(&mut self.__vyre_runtime, "counts")
    }
}
impl ::vyre::kernel::HasOpcode<scan::Op> for Scan {}
impl ::vyre::kernel::Megakernel for Scan {
    const NAME: &'static str = "Scan";
    fn try_program() -> ::vyre::Result<::std::sync::Arc<::vyre::Program>> {
        Scan::try_program()
    }
    fn from_runtime(runtime: ::vyre::Runtime) -> Self {
        Scan { __vyre_runtime: runtime }
    }
    fn runtime(&self) -> &::vyre::Runtime {
        &self.__vyre_runtime
    }
    fn runtime_mut(&mut self) -> &mut ::vyre::Runtime {
        &mut self.__vyre_runtime
    }
}
impl ::core::fmt::Debug for Scan {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("Scan").field("runtime", &self.__vyre_runtime).finish()
    }
}
