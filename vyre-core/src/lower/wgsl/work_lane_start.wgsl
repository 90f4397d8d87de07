//! The start of every work pass, after the lane has its state word: the
//! task state a lane resets and its counters. A block of
//! work_per_lane.wgsl, work_cooperative.wgsl and work_sharded.wgsl.
//! Placeholder: SPAWN_START, the call of vy_spawn_start in a program that
//! spawns.
vy_lane = lane;
vy_lane_iters = 0u;
vy_spawned = 0u;
vy_overflowed = 0u;
vy_spawn_full = 0u;
{{SPAWN_START}}
var claims = 0u;
var executed = 0u;
var faulted = 0u;
// Per-handler and per-priority counts, run-length coded: a lane mostly
// repeats the same opcode and priority, so one private pair each
// replaces an atomic per task (or a private array per handler).
var run_op = vy_NO_HANDLER;
var run_op_count = 0u;
var run_prio = 0u;
var run_prio_count = 0u;
