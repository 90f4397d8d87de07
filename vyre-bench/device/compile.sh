#!/bin/bash
# Where a cold start goes, in one call on a lent GPU machine: the driver's
# compile of the work pass for programs of the build workload's handlers
# (1, 20 and 40 of them, and any hand-edited variant you add), then fresh
# start-up processes. Build on the development machine first:
#
#   cargo build --release -p vyre-bench --bin startup --bin compile_probe
#   mkdir -p .bin/cp && cp target/release/{startup,compile_probe} .bin/ && strip .bin/*
#   for n in 1 20 40; do .bin/startup $n 1 --wgsl > .bin/cp/h$n.wgsl; done
#   cp vyre-bench/device/{compile,gpu_env}.sh .bin/
#
# (edit a copy of .bin/cp/h20.wgsl to measure a variant of the lowering
# before building it; `python3 vyre-bench/device/compile_variants.py
# .bin/cp/h1.wgsl .bin/cp/h20.wgsl .bin/cp` writes the standard ones, and
# `startup N 1 --wgsl --per-lane` the modules software adapters get),
# then run `bash .bin/compile.sh` there with `.gl`
# and `.bin` carried. NVIDIA's shader cache and vyre's are off, so every
# compile is cold; each module is compiled twice, and each start-up takes
# a salt no cache has seen. Everything comes back as $OUT/o.tgz: cp.txt
# (ms per module) and startup.txt.
set -u
# shellcheck source=gpu_env.sh
source "$(dirname "$0")/gpu_env.sh"
export VYRE_CACHE=off __GL_SHADER_DISK_CACHE=0
(cd .bin/cp && for i in 1 2; do ../compile_probe ./*.wgsl; done) > /tmp/o/cp.txt 2>&1
cat /tmp/o/cp.txt
for salt in 11 12 13; do
  ./.bin/startup 20 "$salt" 2>&1 | tee -a /tmp/o/startup.txt
done
vy_clocks_stop
tar czf "$OUT/o.tgz" -C /tmp/o .
