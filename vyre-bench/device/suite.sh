#!/bin/bash
# The bench's full run on a lent GPU machine, in one call (a cold start
# costs minutes of device time). Build on the development machine first:
#
#   cargo build --release -p vyre-bench --bins
#   mkdir -p .bin && cp target/release/{bench,startup} .bin/ && strip .bin/*
#   cp vyre-bench/device/{suite,gpu_env}.sh .bin/ && git rev-parse --short HEAD > .bin/commit
#
# then run `bash .bin/suite.sh` there with `.gl` (the Vulkan loader's
# debs, `../shared/GPU.md`) and `.bin` carried. `startup` must sit beside
# `bench`: the wall workload times fresh processes with it. Everything
# comes back as $OUT/o.tgz: the suite's results.json, summary.md and
# plots under full/, and start-up stages (one cold and three warm
# processes) in stages.txt. SUITE_TIMEOUT (seconds, default 420) bounds
# the bench, for a call with less device time left.
set -u
# shellcheck source=gpu_env.sh
source "$(dirname "$0")/gpu_env.sh"
mkdir -p /tmp/o/full
# vyre's own caches start empty: the first-use tuning and the cold start
# are part of what the suite measures.
rm -rf ~/.cache/vyre
echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'): bench --only wall,trivial,mix,priority,bfs,service,scale ($(cat .bin/commit 2>/dev/null))" > /tmp/o/full/log.txt
timeout "${SUITE_TIMEOUT:-420}" ./.bin/bench --only wall,trivial,mix,priority,bfs,service,scale --stages --out /tmp/o/full >> /tmp/o/full/log.txt 2>&1
grep -E "wall|defaults|start-up|publish|held|autotune" /tmp/o/full/log.txt | head -20
rm -rf /tmp/vc
for run in cold warm warm warm; do
  echo "# $run" >> /tmp/o/stages.txt
  __GL_SHADER_DISK_CACHE=0 VYRE_CACHE_DIR=/tmp/vc timeout 30 ./.bin/startup 20 97 --stages >> /tmp/o/stages.txt 2>&1
done
grep -E "runtime_new|pipelines program" /tmp/o/stages.txt
vy_clocks_stop
tar czf "$OUT/o.tgz" -C /tmp/o .
