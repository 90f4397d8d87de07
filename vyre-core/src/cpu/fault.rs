//! [`TaskFault`]: a task's fault as the protocol's two words, with a
//! constructor per fault the CPU machine raises.

use crate::protocol::fault;
use crate::report::FaultKind;

/// A fault of one task: the protocol's code and detail words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskFault {
    /// Fault code ([`protocol::fault`](crate::protocol::fault)).
    pub code: u32,
    /// Code-specific detail.
    pub detail: u32,
}

impl TaskFault {
    /// A buffer index out of bounds; detail = the index.
    pub fn out_of_bounds(index: u32) -> Self {
        TaskFault {
            code: fault::OUT_OF_BOUNDS,
            detail: index,
        }
    }

    /// Integer division or remainder by zero; detail 0.
    pub fn divide_by_zero() -> Self {
        TaskFault {
            code: fault::DIVIDE_BY_ZERO,
            detail: 0,
        }
    }

    /// The task's loop iterations exceeded `limit`; detail = the limit.
    pub fn loop_limit(limit: u32) -> Self {
        TaskFault {
            code: fault::LOOP_LIMIT,
            detail: limit,
        }
    }

    /// The slot's opcode is not in the program; detail = the opcode.
    pub fn unknown_opcode(opcode: u32) -> Self {
        TaskFault {
            code: fault::UNKNOWN_OPCODE,
            detail: opcode,
        }
    }

    /// The task's tenant is outside the table; detail = the tenant.
    pub fn bad_tenant(tenant: u32) -> Self {
        TaskFault {
            code: fault::BAD_TENANT,
            detail: tenant,
        }
    }

    /// `ctx.fault(code)`; detail = the user's code.
    pub fn user(code: u32) -> Self {
        TaskFault {
            code: fault::USER,
            detail: code,
        }
    }

    /// A spawn at a priority above 4; detail = the priority.
    pub fn bad_priority(priority: u32) -> Self {
        TaskFault {
            code: fault::BAD_PRIORITY,
            detail: priority,
        }
    }

    /// The fault as the report decodes it.
    pub fn kind(self) -> FaultKind {
        FaultKind::from_words(self.code, self.detail)
    }
}
