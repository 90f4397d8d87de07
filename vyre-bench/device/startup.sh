#!/bin/bash
# Start-up of fresh processes, cold and warm, for several `startup`
# binaries in one call on a lent GPU machine (an A/B of what a new process
# spends before its first run). Build on the development machine, copy
# each binary into `.bin/` under its own name (`cp target/release/startup
# .bin/startup-new`, strip), copy this script and gpu_env.sh there too,
# and run with `.gl` and `.bin` carried:
#
#   bash .bin/startup.sh startup-main startup-new
#
# Per round (REPS, default 2) and binary, in turn: one cold process (an
# empty vyre cache and a salt no cache has seen) and three warm ones
# (vyre's cache from the cold one). NVIDIA's own shader cache is off
# throughout, as in the bench's build workload. Each process prints its
# stages; the lines that carry the runtime's time are printed as they
# finish, and everything comes back in $OUT/startup.txt (with the GPU's
# clocks in $OUT/clocks.csv, gpu_env.sh).
set -u
# shellcheck source=gpu_env.sh
source "$(dirname "$0")/gpu_env.sh"
export __GL_SHADER_DISK_CACHE=0
salt=200
for i in $(seq 1 "${REPS:-2}"); do
  for bin in "$@"; do
    salt=$((salt + 1))
    dir=/tmp/vyre-cache-$bin-$i
    rm -rf "$dir"
    for run in cold warm warm warm; do
      echo "# $bin $i $run (salt $salt)" >> "$OUT/startup.txt"
      VYRE_CACHE_DIR=$dir timeout 60 "./.bin/$bin" 20 "$salt" --stages >> "$OUT/startup.txt" 2>&1
      echo "$bin $i $run: $(tail -1 "$OUT/startup.txt" | grep -o 'runtime (WGSL + pipelines) [0-9.]* ms')"
    done
  done
done
vy_clocks_stop
if [ -f /tmp/o/clocks.csv ] && [ "$OUT" != /tmp/o ]; then
  cp /tmp/o/clocks.csv "$OUT/"
fi
