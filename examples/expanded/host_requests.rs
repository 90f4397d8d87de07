// @generated from examples/host_requests.rs: what `#[opcode]`, `#[device]` and
// `megakernel!` expand to. Do not edit; regenerate with
//     VYRE_BLESS=1 cargo test -p vyre-expand expanded
// (This directory has no main.rs, so Cargo does not build it as an example.)

/// The host reads chunk `chunk` of file `file` into `text` (at the file's
/// first chunk slot, plus `chunk`) and replies how many bytes it read:
/// `CHUNK_BYTES`, or fewer for the file's last chunk.
#[allow(non_snake_case)]
pub mod read_chunk {
    /// The request kind's id (what the host serves it under).
    pub const ID: u32 = 1u32;
    /// The kind's name.
    pub const NAME: &str = "read_chunk";
    /// The types of the request's arguments, in order.
    pub const ARGS: &[::vyre::ir::ScalarType] = &[
        ::vyre::ir::ScalarType::U32,
        ::vyre::ir::ScalarType::U32,
    ];
    /// The type of the reply (the continuation's last argument).
    pub const REPLY: &[::vyre::ir::ScalarType] = &[::vyre::ir::ScalarType::U32];
    /// The kind, for a megakernel's `requests:` (or
    /// `ProgramBuilder::request_kind`).
    pub fn kind() -> ::vyre::RequestKind {
        ::vyre::RequestKind {
            id: ID,
            name: ::std::string::String::from(NAME),
            args: ARGS.to_vec(),
            reply: REPLY.to_vec(),
        }
    }
    /// The request, in a handler:
    /// `ctx.request(priority, kind::call(args…), op::then(given…))`.
    pub fn call(
        file: ::core::primitive::u32,
        chunk: ::core::primitive::u32,
    ) -> ::vyre::host::RequestCall<::core::primitive::u32> {
        let mut __w = [0u32; 2usize + 1];
        ::vyre::host::ArgWord::write(file, &mut __w[0usize..]);
        ::vyre::host::ArgWord::write(chunk, &mut __w[1usize..]);
        ::vyre::host::RequestCall::new(ID, &__w[..2usize])
    }
    /// A typed host handler of this kind for
    /// `Runtime::serve` (or the kernel type's `serve`): `f` gets
    /// the request's arguments and the reply (for buffer writes)
    /// and returns the reply's value, or an error that faults the
    /// continuation.
    pub fn serve<F>(mut f: F) -> ::vyre::Served
    where
        F: FnMut(
                ::core::primitive::u32,
                ::core::primitive::u32,
                &mut ::vyre::Reply,
            ) -> ::core::result::Result<::core::primitive::u32, ::std::string::String>
            + ::core::marker::Send + 'static,
    {
        ::vyre::Served::new(
            ID,
            ::std::boxed::Box::new(move |
                __req: &::vyre::HostRequest<'_>,
                __reply: &mut ::vyre::Reply|
            {
                let __a0: ::core::primitive::u32 = ::vyre::host::__private::arg::<
                    ::core::primitive::u32,
                >(__req.args, 0usize);
                let __a1: ::core::primitive::u32 = ::vyre::host::__private::arg::<
                    ::core::primitive::u32,
                >(__req.args, 1usize);
                let __value = f(__a0, __a1, __reply)?;
                let mut __w = [0u32; 2];
                ::vyre::host::ArgWord::write(__value, &mut __w);
                __reply
                    .push_words(
                        &__w[..<::core::primitive::u32 as ::vyre::host::ArgWord>::TYPE
                            .words() as usize],
                    );
                ::core::result::Result::Ok(())
            }),
        )
    }
}
/// Whether byte `b` separates words (ASCII whitespace).
#[allow(unknown_lints, clippy::manual_range_patterns)]
pub fn is_space(b: u32) -> bool {
    b == 32 || b == 10 || b == 9 || b == 13
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
pub mod is_space {
    use super::*;
    /// Parameter types (`u32` for the context and buffers).
    pub const __VYRE_PARAMS: &[::vyre::ir::ScalarType] = &[::vyre::ir::ScalarType::U32];
    /// Return type (`u32` when there is none).
    pub const __VYRE_RET: ::vyre::ir::ScalarType = ::vyre::ir::ScalarType::Bool;
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
        let [__a0] = ::vyre::host::__private::device_args::<1usize>("is_space", __args)?;
        let __base: u32 = __cx
            .alloc(
                ::std::vec![
                    ::vyre::program::LocalDecl::scalar("b", ::vyre::ir::ScalarType::U32,
                    false), ::vyre::program::LocalDecl::scalar("ret",
                    ::vyre::ir::ScalarType::Bool, true)
                ],
            );
        __blk
            .push(::vyre::ir::Stmt::Let {
                local: ::vyre::ir::LocalId(__base + 0u32),
                value: __a0.scalar("is_space", "b")?,
            });
        __blk
            .push(::vyre::ir::Stmt::Let {
                local: ::vyre::ir::LocalId(__base + 1u32),
                value: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::Bool(false)),
            });
        __blk
            .push(::vyre::ir::Stmt::Assign {
                local: ::vyre::ir::LocalId(__base + 1u32),
                value: ::vyre::ir::Expr::Binary {
                    op: ::vyre::ir::BinOp::Or,
                    lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                        op: ::vyre::ir::BinOp::Or,
                        lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                            op: ::vyre::ir::BinOp::Or,
                            lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                                op: ::vyre::ir::BinOp::Eq,
                                lhs: ::std::boxed::Box::new(
                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + 0u32)),
                                ),
                                rhs: ::std::boxed::Box::new(
                                    ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(32u32)),
                                ),
                            }),
                            rhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                                op: ::vyre::ir::BinOp::Eq,
                                lhs: ::std::boxed::Box::new(
                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + 0u32)),
                                ),
                                rhs: ::std::boxed::Box::new(
                                    ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(10u32)),
                                ),
                            }),
                        }),
                        rhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                            op: ::vyre::ir::BinOp::Eq,
                            lhs: ::std::boxed::Box::new(
                                ::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + 0u32)),
                            ),
                            rhs: ::std::boxed::Box::new(
                                ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(9u32)),
                            ),
                        }),
                    }),
                    rhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                        op: ::vyre::ir::BinOp::Eq,
                        lhs: ::std::boxed::Box::new(
                            ::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + 0u32)),
                        ),
                        rhs: ::std::boxed::Box::new(
                            ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(13u32)),
                        ),
                    }),
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
/// Byte `i` of chunk slot `slot` of `text` (four bytes a word, the first
/// in the low bits).
#[allow(unknown_lints, clippy::manual_range_patterns)]
pub fn byte_at(text: &Buffer<u32>, slot: u32, i: u32) -> u32 {
    (text[slot * CHUNK_WORDS + i / 4] >> ((i % 4) * 8)) & 255
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
        let [__a0, __a1, __a2] = ::vyre::host::__private::device_args::<
            3usize,
        >("byte_at", __args)?;
        let __base: u32 = __cx
            .alloc(
                ::std::vec![
                    ::vyre::program::LocalDecl::scalar("slot",
                    ::vyre::ir::ScalarType::U32, false),
                    ::vyre::program::LocalDecl::scalar("i", ::vyre::ir::ScalarType::U32,
                    false), ::vyre::program::LocalDecl::scalar("ret",
                    ::vyre::ir::ScalarType::U32, true)
                ],
            );
        let __buf0: ::vyre::ir::BufferId = __a0.buffer("byte_at", "text")?;
        __blk
            .push(::vyre::ir::Stmt::Let {
                local: ::vyre::ir::LocalId(__base + 0u32),
                value: __a1.scalar("byte_at", "slot")?,
            });
        __blk
            .push(::vyre::ir::Stmt::Let {
                local: ::vyre::ir::LocalId(__base + 1u32),
                value: __a2.scalar("byte_at", "i")?,
            });
        __blk
            .push(::vyre::ir::Stmt::Let {
                local: ::vyre::ir::LocalId(__base + 2u32),
                value: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(0u32)),
            });
        __blk
            .push(::vyre::ir::Stmt::Assign {
                local: ::vyre::ir::LocalId(__base + 2u32),
                value: ::vyre::ir::Expr::Binary {
                    op: ::vyre::ir::BinOp::BitAnd,
                    lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                        op: ::vyre::ir::BinOp::Shr,
                        lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Load {
                            buffer: __buf0,
                            index: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                                op: ::vyre::ir::BinOp::Add,
                                lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                                    op: ::vyre::ir::BinOp::Mul,
                                    lhs: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + 0u32)),
                                    ),
                                    rhs: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Lit(
                                            ::vyre::host::__private::const_lit(super::CHUNK_WORDS),
                                        ),
                                    ),
                                }),
                                rhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                                    op: ::vyre::ir::BinOp::Div,
                                    lhs: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + 1u32)),
                                    ),
                                    rhs: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(4u32)),
                                    ),
                                }),
                            }),
                        }),
                        rhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                            op: ::vyre::ir::BinOp::Mul,
                            lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Binary {
                                op: ::vyre::ir::BinOp::Rem,
                                lhs: ::std::boxed::Box::new(
                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + 1u32)),
                                ),
                                rhs: ::std::boxed::Box::new(
                                    ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(4u32)),
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
                ::vyre::ir::Expr::Local(::vyre::ir::LocalId(__base + 2u32)),
            ),
        )
    }
}
/// Asks for the first chunk of `file`.
#[allow(unknown_lints, clippy::manual_range_patterns)]
pub fn start(ctx: &Ctx, file: u32) {
    if !ctx.request(Priority::Normal, read_chunk::call(file, 0), count::then(file, 0)) {
        ctx.spawn(Priority::Low, start::task(file));
    }
}
///Generated by `#[opcode]` for the handler `start`: its id, task encoder, metadata and IR.
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
pub mod start {
    use super::*;
    /// The opcode id.
    pub const ID: u32 = 1u32;
    /// The handler's name (the megakernel's buffers bind by the
    /// parameter names, the handler by this one).
    pub const NAME: &str = "start";
    /// The types of the task arguments, in order.
    pub const ARGS: &[::vyre::ir::ScalarType] = &[::vyre::ir::ScalarType::U32];
    /// The names of the task arguments, in order.
    pub const ARG_NAMES: &[&str] = &["file"];
    /// The buffer parameters, in order: name, element type, access.
    pub const BUFFERS: &[::vyre::host::BufferMeta] = &[];
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
                ::vyre::program::LocalDecl::scalar("file", ::vyre::ir::ScalarType::U32,
                false), ::vyre::program::LocalDecl::scalar("spawned",
                ::vyre::ir::ScalarType::Bool, false)
            ],
        );
        let __body: ::vyre::ir::Block = {
            let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
            __blk
                .push(::vyre::ir::Stmt::Request {
                    priority: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(2u32)),
                    kind: read_chunk::ID,
                    args: ::std::vec![
                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(0u32)),
                        ::vyre::ir::Expr::Lit(::vyre::host::__private::int_lit(::vyre::host::__private::param_type(read_chunk::ARGS,
                        1usize), 0i64))
                    ],
                    opcode: count::ID,
                    given: ::std::vec![
                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(0u32)),
                        ::vyre::ir::Expr::Lit(::vyre::host::__private::int_lit(::vyre::host::__private::param_type(count::ARGS,
                        1usize), 0i64))
                    ],
                    result: ::core::option::Option::Some(::vyre::ir::LocalId(1u32)),
                });
            __blk
                .push(::vyre::ir::Stmt::If {
                    cond: ::vyre::ir::Expr::Unary {
                        op: ::vyre::ir::UnOp::Not,
                        operand: ::std::boxed::Box::new(
                            ::vyre::ir::Expr::Local(::vyre::ir::LocalId(1u32)),
                        ),
                    },
                    then_body: {
                        let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                        __blk
                            .push(::vyre::ir::Stmt::Spawn {
                                priority: ::vyre::ir::Expr::Lit(
                                    ::vyre::ir::Literal::U32(3u32),
                                ),
                                opcode: start::ID,
                                args: ::std::vec![
                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(0u32))
                                ],
                                result: ::core::option::Option::None,
                            });
                        ::vyre::ir::Block(::std::mem::take(__blk))
                    },
                    else_body: {
                        let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
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
    pub fn task(file: ::core::primitive::u32) -> ::vyre::Task {
        let __args: [::vyre::ir::Literal; 1usize] = [
            <::vyre::ir::Literal as ::core::convert::From<_>>::from(file),
        ];
        ::vyre::Task::new(ID, __args)
    }
    /// This opcode as the continuation of a device→host request: every
    /// argument but the last, which receives the host's reply
    /// (`ctx.request(priority, kind::call(…), op::then(…))`).
    pub fn then() -> ::vyre::host::Continuation<::core::primitive::u32> {
        let mut __w = [0u32; 0usize + 1];
        ::vyre::host::Continuation::new(ID, &__w[..0usize])
    }
    /// This opcode as a type: `publish_batch(priority, Op, &args)` and,
    /// when the first argument is a `u32` index, `publish_range`.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct Op;
    impl ::vyre::Opcode for Op {
        const ID: u32 = ID;
        const NAME: &'static str = NAME;
        const ARG_TYPES: &'static [::vyre::ir::ScalarType] = ARGS;
        type Args = ::core::primitive::u32;
        #[inline]
        fn encode(args: &Self::Args, words: &mut [u32]) {
            ::vyre::host::ArgWord::write(*args, &mut words[0usize..]);
        }
    }
    impl ::vyre::RangeOpcode for Op {
        type Rest = ();
        #[inline]
        fn encode_rest(args: &Self::Rest, words: &mut [u32]) {
            let _ = (args, words);
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
        super::start(
            __ctx,
            ::vyre::host::__private::arg::<::core::primitive::u32>(__args, 0usize),
        )
    }
}
/// Counts the words that start in chunk `chunk` of `file` (`len` bytes,
/// read by the host into its slot) and asks for the next chunk.
#[allow(unknown_lints, clippy::manual_range_patterns)]
pub fn count(
    ctx: &Ctx,
    text: &Buffer<u32>,
    first_slot: &Buffer<u32>,
    words: &Buffer<Atomic<u32>>,
    file: u32,
    chunk: u32,
    len: u32,
) {
    let slot = first_slot[file] + chunk;
    let mut before_is_space = true;
    if chunk > 0 {
        before_is_space = is_space(byte_at(text, slot - 1, CHUNK_BYTES - 1));
    }
    let mut found = 0u32;
    for i in 0..len {
        ::vyre::host::loop_tick();
        let space = is_space(byte_at(text, slot, i));
        if !space && before_is_space {
            found += 1;
        }
        before_is_space = space;
    }
    words[file].fetch_add(found);
    if len == CHUNK_BYTES {
        let next = chunk + 1;
        if !ctx
            .request(
                Priority::Normal,
                read_chunk::call(file, next),
                count::then(file, next),
            )
        {
            ctx.spawn(Priority::Low, retry::task(file, next));
        }
    }
}
///Generated by `#[opcode]` for the handler `count`: its id, task encoder, metadata and IR.
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
pub mod count {
    use super::*;
    /// The opcode id.
    pub const ID: u32 = 2u32;
    /// The handler's name (the megakernel's buffers bind by the
    /// parameter names, the handler by this one).
    pub const NAME: &str = "count";
    /// The types of the task arguments, in order.
    pub const ARGS: &[::vyre::ir::ScalarType] = &[
        ::vyre::ir::ScalarType::U32,
        ::vyre::ir::ScalarType::U32,
        ::vyre::ir::ScalarType::U32,
    ];
    /// The names of the task arguments, in order.
    pub const ARG_NAMES: &[&str] = &["file", "chunk", "len"];
    /// The buffer parameters, in order: name, element type, access.
    pub const BUFFERS: &[::vyre::host::BufferMeta] = &[
        ::vyre::host::BufferMeta::new(
            "text",
            ::vyre::ir::ScalarType::U32,
            ::vyre::ir::Access::Read,
        ),
        ::vyre::host::BufferMeta::new(
            "first_slot",
            ::vyre::ir::ScalarType::U32,
            ::vyre::ir::Access::Read,
        ),
        ::vyre::host::BufferMeta::new(
            "words",
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
                ::vyre::program::LocalDecl::scalar("file", ::vyre::ir::ScalarType::U32,
                false), ::vyre::program::LocalDecl::scalar("chunk",
                ::vyre::ir::ScalarType::U32, false),
                ::vyre::program::LocalDecl::scalar("len", ::vyre::ir::ScalarType::U32,
                false), ::vyre::program::LocalDecl::scalar("slot",
                ::vyre::ir::ScalarType::U32, false),
                ::vyre::program::LocalDecl::scalar("before_is_space",
                ::vyre::ir::ScalarType::Bool, true),
                ::vyre::program::LocalDecl::scalar("found", ::vyre::ir::ScalarType::U32,
                true), ::vyre::program::LocalDecl::scalar("i",
                ::vyre::ir::ScalarType::U32, false),
                ::vyre::program::LocalDecl::scalar("space", is_space::__VYRE_RET, false),
                ::vyre::program::LocalDecl::scalar("next", ::vyre::ir::ScalarType::U32,
                false), ::vyre::program::LocalDecl::scalar("spawned",
                ::vyre::ir::ScalarType::Bool, false)
            ],
        );
        let __body: ::vyre::ir::Block = {
            let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
            __blk
                .push(::vyre::ir::Stmt::Let {
                    local: ::vyre::ir::LocalId(3u32),
                    value: ::vyre::ir::Expr::Binary {
                        op: ::vyre::ir::BinOp::Add,
                        lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Load {
                            buffer: ::vyre::ir::BufferId(1u32),
                            index: ::std::boxed::Box::new(
                                ::vyre::ir::Expr::Local(::vyre::ir::LocalId(0u32)),
                            ),
                        }),
                        rhs: ::std::boxed::Box::new(
                            ::vyre::ir::Expr::Local(::vyre::ir::LocalId(1u32)),
                        ),
                    },
                });
            __blk
                .push(::vyre::ir::Stmt::Let {
                    local: ::vyre::ir::LocalId(4u32),
                    value: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::Bool(true)),
                });
            __blk
                .push(::vyre::ir::Stmt::If {
                    cond: ::vyre::ir::Expr::Binary {
                        op: ::vyre::ir::BinOp::Gt,
                        lhs: ::std::boxed::Box::new(
                            ::vyre::ir::Expr::Local(::vyre::ir::LocalId(1u32)),
                        ),
                        rhs: ::std::boxed::Box::new(
                            ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(0u32)),
                        ),
                    },
                    then_body: {
                        let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                        let __v1 = ::vyre::host::__private::device_value(
                            "byte_at",
                            byte_at::__vyre_inline(
                                __cx,
                                __blk,
                                ::std::vec![
                                    ::vyre::host::__private::DeviceArg::Buffer(::vyre::ir::BufferId(0u32)),
                                    ::vyre::host::__private::DeviceArg::Scalar(::vyre::ir::Expr::Binary
                                    { op : ::vyre::ir::BinOp::Sub, lhs :
                                    ::std::boxed::Box::new(::vyre::ir::Expr::Local(::vyre::ir::LocalId(3u32))),
                                    rhs :
                                    ::std::boxed::Box::new(::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(1u32))),
                                    }),
                                    ::vyre::host::__private::DeviceArg::Scalar(::vyre::ir::Expr::Binary
                                    { op : ::vyre::ir::BinOp::Sub, lhs :
                                    ::std::boxed::Box::new(::vyre::ir::Expr::Lit(::vyre::host::__private::const_lit(super::CHUNK_BYTES))),
                                    rhs :
                                    ::std::boxed::Box::new(::vyre::ir::Expr::Lit(::vyre::host::__private::int_lit(::vyre::host::__private::const_type(&
                                    super::CHUNK_BYTES), 1i64))), })
                                ],
                            )?,
                        )?;
                        let __v2 = ::vyre::host::__private::device_value(
                            "is_space",
                            is_space::__vyre_inline(
                                __cx,
                                __blk,
                                ::std::vec![
                                    ::vyre::host::__private::DeviceArg::Scalar(__v1)
                                ],
                            )?,
                        )?;
                        __blk
                            .push(::vyre::ir::Stmt::Assign {
                                local: ::vyre::ir::LocalId(4u32),
                                value: __v2,
                            });
                        ::vyre::ir::Block(::std::mem::take(__blk))
                    },
                    else_body: {
                        let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                        ::vyre::ir::Block(::std::mem::take(__blk))
                    },
                });
            __blk
                .push(::vyre::ir::Stmt::Let {
                    local: ::vyre::ir::LocalId(5u32),
                    value: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(0u32)),
                });
            __blk
                .push(::vyre::ir::Stmt::For {
                    var: ::vyre::ir::LocalId(6u32),
                    start: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(0u32)),
                    end: ::vyre::ir::Expr::Local(::vyre::ir::LocalId(2u32)),
                    inclusive: false,
                    body: {
                        let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                        let __v3 = ::vyre::host::__private::device_value(
                            "byte_at",
                            byte_at::__vyre_inline(
                                __cx,
                                __blk,
                                ::std::vec![
                                    ::vyre::host::__private::DeviceArg::Buffer(::vyre::ir::BufferId(0u32)),
                                    ::vyre::host::__private::DeviceArg::Scalar(::vyre::ir::Expr::Local(::vyre::ir::LocalId(3u32))),
                                    ::vyre::host::__private::DeviceArg::Scalar(::vyre::ir::Expr::Local(::vyre::ir::LocalId(6u32)))
                                ],
                            )?,
                        )?;
                        let __v4 = ::vyre::host::__private::device_value(
                            "is_space",
                            is_space::__vyre_inline(
                                __cx,
                                __blk,
                                ::std::vec![
                                    ::vyre::host::__private::DeviceArg::Scalar(__v3)
                                ],
                            )?,
                        )?;
                        __blk
                            .push(::vyre::ir::Stmt::Let {
                                local: ::vyre::ir::LocalId(7u32),
                                value: __v4,
                            });
                        __blk
                            .push(::vyre::ir::Stmt::If {
                                cond: ::vyre::ir::Expr::Binary {
                                    op: ::vyre::ir::BinOp::And,
                                    lhs: ::std::boxed::Box::new(::vyre::ir::Expr::Unary {
                                        op: ::vyre::ir::UnOp::Not,
                                        operand: ::std::boxed::Box::new(
                                            ::vyre::ir::Expr::Local(::vyre::ir::LocalId(7u32)),
                                        ),
                                    }),
                                    rhs: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(4u32)),
                                    ),
                                },
                                then_body: {
                                    let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                                    __blk
                                        .push(::vyre::ir::Stmt::Assign {
                                            local: ::vyre::ir::LocalId(5u32),
                                            value: ::vyre::ir::Expr::Binary {
                                                op: ::vyre::ir::BinOp::Add,
                                                lhs: ::std::boxed::Box::new(
                                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(5u32)),
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
                        __blk
                            .push(::vyre::ir::Stmt::Assign {
                                local: ::vyre::ir::LocalId(4u32),
                                value: ::vyre::ir::Expr::Local(::vyre::ir::LocalId(7u32)),
                            });
                        ::vyre::ir::Block(::std::mem::take(__blk))
                    },
                });
            __blk
                .push(
                    ::vyre::ir::Stmt::Eval(::vyre::ir::Expr::Atomic {
                        op: ::vyre::ir::AtomicOp::FetchAdd,
                        buffer: ::vyre::ir::BufferId(2u32),
                        index: ::std::boxed::Box::new(
                            ::vyre::ir::Expr::Local(::vyre::ir::LocalId(0u32)),
                        ),
                        value: ::core::option::Option::Some(
                            ::std::boxed::Box::new(
                                ::vyre::ir::Expr::Local(::vyre::ir::LocalId(5u32)),
                            ),
                        ),
                    }),
                );
            __blk
                .push(::vyre::ir::Stmt::If {
                    cond: ::vyre::ir::Expr::Binary {
                        op: ::vyre::ir::BinOp::Eq,
                        lhs: ::std::boxed::Box::new(
                            ::vyre::ir::Expr::Local(::vyre::ir::LocalId(2u32)),
                        ),
                        rhs: ::std::boxed::Box::new(
                            ::vyre::ir::Expr::Lit(
                                ::vyre::host::__private::const_lit(super::CHUNK_BYTES),
                            ),
                        ),
                    },
                    then_body: {
                        let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                        __blk
                            .push(::vyre::ir::Stmt::Let {
                                local: ::vyre::ir::LocalId(8u32),
                                value: ::vyre::ir::Expr::Binary {
                                    op: ::vyre::ir::BinOp::Add,
                                    lhs: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(1u32)),
                                    ),
                                    rhs: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(1u32)),
                                    ),
                                },
                            });
                        __blk
                            .push(::vyre::ir::Stmt::Request {
                                priority: ::vyre::ir::Expr::Lit(
                                    ::vyre::ir::Literal::U32(2u32),
                                ),
                                kind: read_chunk::ID,
                                args: ::std::vec![
                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(0u32)),
                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(8u32))
                                ],
                                opcode: count::ID,
                                given: ::std::vec![
                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(0u32)),
                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(8u32))
                                ],
                                result: ::core::option::Option::Some(
                                    ::vyre::ir::LocalId(9u32),
                                ),
                            });
                        __blk
                            .push(::vyre::ir::Stmt::If {
                                cond: ::vyre::ir::Expr::Unary {
                                    op: ::vyre::ir::UnOp::Not,
                                    operand: ::std::boxed::Box::new(
                                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(9u32)),
                                    ),
                                },
                                then_body: {
                                    let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                                    __blk
                                        .push(::vyre::ir::Stmt::Spawn {
                                            priority: ::vyre::ir::Expr::Lit(
                                                ::vyre::ir::Literal::U32(3u32),
                                            ),
                                            opcode: retry::ID,
                                            args: ::std::vec![
                                                ::vyre::ir::Expr::Local(::vyre::ir::LocalId(0u32)),
                                                ::vyre::ir::Expr::Local(::vyre::ir::LocalId(8u32))
                                            ],
                                            result: ::core::option::Option::None,
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
        file: ::core::primitive::u32,
        chunk: ::core::primitive::u32,
        len: ::core::primitive::u32,
    ) -> ::vyre::Task {
        let __args: [::vyre::ir::Literal; 3usize] = [
            <::vyre::ir::Literal as ::core::convert::From<_>>::from(file),
            <::vyre::ir::Literal as ::core::convert::From<_>>::from(chunk),
            <::vyre::ir::Literal as ::core::convert::From<_>>::from(len),
        ];
        ::vyre::Task::new(ID, __args)
    }
    /// This opcode as the continuation of a device→host request: every
    /// argument but the last, which receives the host's reply
    /// (`ctx.request(priority, kind::call(…), op::then(…))`).
    pub fn then(
        file: ::core::primitive::u32,
        chunk: ::core::primitive::u32,
    ) -> ::vyre::host::Continuation<::core::primitive::u32> {
        let mut __w = [0u32; 2usize + 1];
        ::vyre::host::ArgWord::write(file, &mut __w[0usize..]);
        ::vyre::host::ArgWord::write(chunk, &mut __w[1usize..]);
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
        let __b2 = __buffers.atomic::<::core::primitive::u32>(__bindings, 2usize);
        super::count(
            __ctx,
            &*__b0,
            &*__b1,
            __b2,
            ::vyre::host::__private::arg::<::core::primitive::u32>(__args, 0usize),
            ::vyre::host::__private::arg::<::core::primitive::u32>(__args, 1usize),
            ::vyre::host::__private::arg::<::core::primitive::u32>(__args, 2usize),
        )
    }
}
/// Asks again for chunk `chunk` of `file` after a refused request.
#[allow(unknown_lints, clippy::manual_range_patterns)]
pub fn retry(ctx: &Ctx, file: u32, chunk: u32) {
    if !ctx
        .request(
            Priority::Normal,
            read_chunk::call(file, chunk),
            count::then(file, chunk),
        )
    {
        ctx.spawn(Priority::Low, retry::task(file, chunk));
    }
}
///Generated by `#[opcode]` for the handler `retry`: its id, task encoder, metadata and IR.
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
pub mod retry {
    use super::*;
    /// The opcode id.
    pub const ID: u32 = 3u32;
    /// The handler's name (the megakernel's buffers bind by the
    /// parameter names, the handler by this one).
    pub const NAME: &str = "retry";
    /// The types of the task arguments, in order.
    pub const ARGS: &[::vyre::ir::ScalarType] = &[
        ::vyre::ir::ScalarType::U32,
        ::vyre::ir::ScalarType::U32,
    ];
    /// The names of the task arguments, in order.
    pub const ARG_NAMES: &[&str] = &["file", "chunk"];
    /// The buffer parameters, in order: name, element type, access.
    pub const BUFFERS: &[::vyre::host::BufferMeta] = &[];
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
                ::vyre::program::LocalDecl::scalar("file", ::vyre::ir::ScalarType::U32,
                false), ::vyre::program::LocalDecl::scalar("chunk",
                ::vyre::ir::ScalarType::U32, false),
                ::vyre::program::LocalDecl::scalar("spawned",
                ::vyre::ir::ScalarType::Bool, false)
            ],
        );
        let __body: ::vyre::ir::Block = {
            let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
            __blk
                .push(::vyre::ir::Stmt::Request {
                    priority: ::vyre::ir::Expr::Lit(::vyre::ir::Literal::U32(2u32)),
                    kind: read_chunk::ID,
                    args: ::std::vec![
                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(0u32)),
                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(1u32))
                    ],
                    opcode: count::ID,
                    given: ::std::vec![
                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(0u32)),
                        ::vyre::ir::Expr::Local(::vyre::ir::LocalId(1u32))
                    ],
                    result: ::core::option::Option::Some(::vyre::ir::LocalId(2u32)),
                });
            __blk
                .push(::vyre::ir::Stmt::If {
                    cond: ::vyre::ir::Expr::Unary {
                        op: ::vyre::ir::UnOp::Not,
                        operand: ::std::boxed::Box::new(
                            ::vyre::ir::Expr::Local(::vyre::ir::LocalId(2u32)),
                        ),
                    },
                    then_body: {
                        let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
                        __blk
                            .push(::vyre::ir::Stmt::Spawn {
                                priority: ::vyre::ir::Expr::Lit(
                                    ::vyre::ir::Literal::U32(3u32),
                                ),
                                opcode: retry::ID,
                                args: ::std::vec![
                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(0u32)),
                                    ::vyre::ir::Expr::Local(::vyre::ir::LocalId(1u32))
                                ],
                                result: ::core::option::Option::None,
                            });
                        ::vyre::ir::Block(::std::mem::take(__blk))
                    },
                    else_body: {
                        let __blk: &mut ::std::vec::Vec<::vyre::ir::Stmt> = &mut ::std::vec::Vec::new();
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
        file: ::core::primitive::u32,
        chunk: ::core::primitive::u32,
    ) -> ::vyre::Task {
        let __args: [::vyre::ir::Literal; 2usize] = [
            <::vyre::ir::Literal as ::core::convert::From<_>>::from(file),
            <::vyre::ir::Literal as ::core::convert::From<_>>::from(chunk),
        ];
        ::vyre::Task::new(ID, __args)
    }
    /// This opcode as the continuation of a device→host request: every
    /// argument but the last, which receives the host's reply
    /// (`ctx.request(priority, kind::call(…), op::then(…))`).
    pub fn then(
        file: ::core::primitive::u32,
    ) -> ::vyre::host::Continuation<::core::primitive::u32> {
        let mut __w = [0u32; 1usize + 1];
        ::vyre::host::ArgWord::write(file, &mut __w[0usize..]);
        ::vyre::host::Continuation::new(ID, &__w[..1usize])
    }
    /// This opcode as a type: `publish_batch(priority, Op, &args)` and,
    /// when the first argument is a `u32` index, `publish_range`.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct Op;
    impl ::vyre::Opcode for Op {
        const ID: u32 = ID;
        const NAME: &'static str = NAME;
        const ARG_TYPES: &'static [::vyre::ir::ScalarType] = ARGS;
        type Args = (::core::primitive::u32, ::core::primitive::u32);
        #[inline]
        fn encode(args: &Self::Args, words: &mut [u32]) {
            ::vyre::host::ArgWord::write(args.0, &mut words[0usize..]);
            ::vyre::host::ArgWord::write(args.1, &mut words[1usize..]);
        }
    }
    impl ::vyre::RangeOpcode for Op {
        type Rest = ::core::primitive::u32;
        #[inline]
        fn encode_rest(args: &Self::Rest, words: &mut [u32]) {
            ::vyre::host::ArgWord::write(*args, &mut words[0usize..]);
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
        super::retry(
            __ctx,
            ::vyre::host::__private::arg::<::core::primitive::u32>(__args, 0usize),
            ::vyre::host::__private::arg::<::core::primitive::u32>(__args, 1usize),
        )
    }
}
/// Counts words, one chunk request at a time per file.
/**

Generated by `megakernel!`: `WordCount::new(&gpu)` or `WordCount::builder(&gpu)` instantiates it; each declared buffer has an accessor method of its name.*/
pub struct WordCount {
    __vyre_runtime: ::vyre::Runtime,
}
const _: () = {
    if let ::core::option::Option::Some(__vyre_msg) = ::vyre::kernel::__private::check_bindings(
        "WordCount",
        "start",
        start::BUFFERS,
        &[
            ::vyre::kernel::__private::Declared::new(
                "text",
                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
            ),
            ::vyre::kernel::__private::Declared::new(
                "first_slot",
                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
            ),
            ::vyre::kernel::__private::Declared::new(
                "words",
                ::vyre::ir::BufferKind::atomic(::vyre::ir::ScalarType::U32),
            ),
        ],
    ) {
        ::core::panic!("{}", __vyre_msg.as_str())
    }
};
const _: () = {
    if let ::core::option::Option::Some(__vyre_msg) = ::vyre::kernel::__private::check_reserved(
        "WordCount",
        "start",
        start::ID,
    ) {
        ::core::panic!("{}", __vyre_msg.as_str())
    }
};
const _: () = {
    if let ::core::option::Option::Some(__vyre_msg) = ::vyre::kernel::__private::check_bindings(
        "WordCount",
        "count",
        count::BUFFERS,
        &[
            ::vyre::kernel::__private::Declared::new(
                "text",
                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
            ),
            ::vyre::kernel::__private::Declared::new(
                "first_slot",
                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
            ),
            ::vyre::kernel::__private::Declared::new(
                "words",
                ::vyre::ir::BufferKind::atomic(::vyre::ir::ScalarType::U32),
            ),
        ],
    ) {
        ::core::panic!("{}", __vyre_msg.as_str())
    }
};
const _: () = {
    if let ::core::option::Option::Some(__vyre_msg) = ::vyre::kernel::__private::check_reserved(
        "WordCount",
        "count",
        count::ID,
    ) {
        ::core::panic!("{}", __vyre_msg.as_str())
    }
};
const _: () = {
    if let ::core::option::Option::Some(__vyre_msg) = ::vyre::kernel::__private::check_unique(
        "WordCount",
        WordCount::__VYRE_OPCODE_IDS,
        1usize,
    ) {
        ::core::panic!("{}", __vyre_msg.as_str())
    }
};
const _: () = {
    if let ::core::option::Option::Some(__vyre_msg) = ::vyre::kernel::__private::check_bindings(
        "WordCount",
        "retry",
        retry::BUFFERS,
        &[
            ::vyre::kernel::__private::Declared::new(
                "text",
                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
            ),
            ::vyre::kernel::__private::Declared::new(
                "first_slot",
                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
            ),
            ::vyre::kernel::__private::Declared::new(
                "words",
                ::vyre::ir::BufferKind::atomic(::vyre::ir::ScalarType::U32),
            ),
        ],
    ) {
        ::core::panic!("{}", __vyre_msg.as_str())
    }
};
const _: () = {
    if let ::core::option::Option::Some(__vyre_msg) = ::vyre::kernel::__private::check_reserved(
        "WordCount",
        "retry",
        retry::ID,
    ) {
        ::core::panic!("{}", __vyre_msg.as_str())
    }
};
const _: () = {
    if let ::core::option::Option::Some(__vyre_msg) = ::vyre::kernel::__private::check_unique(
        "WordCount",
        WordCount::__VYRE_OPCODE_IDS,
        2usize,
    ) {
        ::core::panic!("{}", __vyre_msg.as_str())
    }
};
impl WordCount {
    /// Every opcode's path and id, for the duplicate-id checks.
    #[doc(hidden)]
    const __VYRE_OPCODE_IDS: &'static [(&'static str, u32)] = &[
        ("start", start::ID),
        ("count", count::ID),
        ("retry", retry::ID),
    ];
}
#[allow(dead_code, clippy::all)]
impl WordCount {
    /// The megakernel's name (also its program's name).
    pub const NAME: &'static str = "WordCount";
    /// The sizes and limits this megakernel declares (the others
    /// are `ProgramConfig`'s defaults).
    pub fn config() -> ::vyre::ProgramConfig {
        ::vyre::ProgramConfig {
            request_slots: 16u32,
            grow_ring: true,
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
                    ::vyre::kernel::__private::assemble_with_requests(
                        Self::NAME,
                        Self::config(),
                        &[
                            ::vyre::kernel::__private::Declared::new(
                                "text",
                                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
                            ),
                            ::vyre::kernel::__private::Declared::new(
                                "first_slot",
                                ::vyre::ir::BufferKind::plain(::vyre::ir::ScalarType::U32),
                            ),
                            ::vyre::kernel::__private::Declared::new(
                                "words",
                                ::vyre::ir::BufferKind::atomic(::vyre::ir::ScalarType::U32),
                            ),
                        ],
                        &[
                            ::vyre::kernel::__private::Opcode {
                                handler: start::try_handler,
                                id: start::ID,
                                name: start::NAME,
                                native: start::__native,
                            },
                            ::vyre::kernel::__private::Opcode {
                                handler: count::try_handler,
                                id: count::ID,
                                name: count::NAME,
                                native: count::__native,
                            },
                            ::vyre::kernel::__private::Opcode {
                                handler: retry::try_handler,
                                id: retry::ID,
                                name: retry::NAME,
                                native: retry::__native,
                            },
                        ],
                        &[read_chunk::kind],
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
    /// Serves a request kind with a typed handler made by its
    /// `serve`: see `Runtime::serve`.
    pub fn serve(&mut self, served: ::vyre::Served) -> ::vyre::Result<()> {
        self.__vyre_runtime.serve(served)
    }
    ///The `text` buffer (`u32`): write, upload, read and resize it.
    pub fn text(&mut self) -> ::vyre::kernel::BufferAccess<'_, ::core::primitive::u32> {
        ::vyre::kernel::BufferAccess::__new(&mut self.__vyre_runtime, "text")
    }
    ///The `first_slot` buffer (`u32`): write, upload, read and resize it.
    pub fn first_slot(
        &mut self,
    ) -> ::vyre::kernel::BufferAccess<'_, ::core::primitive::u32> {
        ::vyre::kernel::BufferAccess::__new(&mut self.__vyre_runtime, "first_slot")
    }
    ///The `words` buffer (`Atomic<u32>`): write, upload, read and resize it as `u32` values.
    pub fn words(&mut self) -> ::vyre::kernel::BufferAccess<'_, ::core::primitive::u32> {
        ::vyre::kernel::BufferAccess::__new(&mut self.__vyre_runtime, "words")
    }
}
impl ::vyre::kernel::HasOpcode<start::Op> for WordCount {}
impl ::vyre::kernel::HasOpcode<count::Op> for WordCount {}
impl ::vyre::kernel::HasOpcode<retry::Op> for WordCount {}
impl ::vyre::kernel::Megakernel for WordCount {
    const NAME: &'static str = "WordCount";
    fn try_program() -> ::vyre::Result<::std::sync::Arc<::vyre::Program>> {
        WordCount::try_program()
    }
    fn from_runtime(runtime: ::vyre::Runtime) -> Self {
        WordCount {
            __vyre_runtime: runtime,
        }
    }
    fn runtime(&self) -> &::vyre::Runtime {
        &self.__vyre_runtime
    }
    fn runtime_mut(&mut self) -> &mut ::vyre::Runtime {
        &mut self.__vyre_runtime
    }
}
impl ::core::fmt::Debug for WordCount {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("WordCount").field("runtime", &self.__vyre_runtime).finish()
    }
}
