//! The values a handler reads from its context (`ctx.lane()`, ...).

/// A value the scheduler gives the running task (`ctx.lane()`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CtxValue {
    /// `ctx.lane() -> u32`: the global index of the executing lane.
    Lane,
    /// `ctx.slot() -> u32`: the ring slot of the running task.
    Slot,
    /// `ctx.tenant() -> u32`: the tenant of the running task.
    Tenant,
    /// `ctx.priority()`: the running task's priority as `u32`, 0 = CRITICAL
    /// to 4 = IDLE.
    Priority,
}

impl CtxValue {
    /// Every context value.
    pub const ALL: [CtxValue; 4] = [
        CtxValue::Lane,
        CtxValue::Slot,
        CtxValue::Tenant,
        CtxValue::Priority,
    ];

    /// The method of `Ctx` that reads it (`lane`, `slot`, ...).
    pub fn method_name(self) -> &'static str {
        match self {
            CtxValue::Lane => "lane",
            CtxValue::Slot => "slot",
            CtxValue::Tenant => "tenant",
            CtxValue::Priority => "priority",
        }
    }

    /// The value read by the `Ctx` method `name`.
    pub fn from_method_name(name: &str) -> Option<CtxValue> {
        CtxValue::ALL.into_iter().find(|v| v.method_name() == name)
    }
}
