#!/bin/bash
# BFS at several dispatches, for one or more bench binaries, alternated,
# in one call on a lent GPU machine; then what the driver compiled for
# each binary's BFS program (registers, shared memory). Build on the
# development machine, copy each bench binary into `.bin/` under its own
# name (strip), with `pipeline_stats`, this script and gpu_env.sh, and run
# with `.gl` and `.bin` carried:
#
#   bash .bin/bfs.sh bench:528 bench:792 bench:1056 bench-new:528
#
# A variant is BINARY:WORKGROUPS. SCALE (default 22) is the RMAT scale,
# REPS (default 2) the alternations. Every run's log and results come back
# in $OUT/o.tgz (bfs-BINARY-WORKGROUPS-REP.log and folder, stats-BINARY.txt,
# timeline.txt: when each process started, against clocks.csv);
# the megakernel's and the direct kernel's times are printed as they finish.
set -u
# shellcheck source=gpu_env.sh
source "$(dirname "$0")/gpu_env.sh"
scale=${SCALE:-22}
for i in $(seq 1 "${REPS:-2}"); do
  for v in "$@"; do
    bin=${v%%:*}
    wg=${v#*:}
    name=bfs-$bin-$wg-$i
    echo "$(date -u +%H:%M:%S.%N) $name" >> /tmp/o/timeline.txt
    VYRE_CACHE_DIR=/tmp/vc-$bin timeout 200 "./.bin/$bin" --only bfs --min-scale "$scale" \
      --max-scale "$scale" --workgroups "$wg" --out "/tmp/o/$name" > "/tmp/o/$name.log" 2>&1
    echo "$name: $(grep -E 'megakernel [0-9]' "/tmp/o/$name.log" | tr '\n' ' ')"
  done
done
# The SPIR-V each binary's runs left in its cache directory.
for v in "$@"; do
  bin=${v%%:*}
  [ -f "/tmp/o/stats-$bin.txt" ] && continue
  __GL_SHADER_DISK_CACHE=0 timeout 120 ./.bin/pipeline_stats "/tmp/vc-$bin" > "/tmp/o/stats-$bin.txt" 2>&1
  echo "$bin: $(grep -A1 'vy_work' "/tmp/o/stats-$bin.txt" | grep -o 'Register Count: [0-9]*' | tr '\n' ' ')"
done
vy_clocks_stop
tar czf "$OUT/o.tgz" -C /tmp/o .
