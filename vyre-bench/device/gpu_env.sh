# Sourced by the other scripts here, on a lent GPU machine: unpacks the
# Vulkan loader's debs carried in `.gl` (`../shared/GPU.md`), points the
# loader at NVIDIA's driver, records the GPU in /tmp/o/gpu.txt and starts
# a sampler of the GPU's clocks (below). Copy it into `.bin/` beside the
# script that sources it.
for f in .gl/*.deb; do dpkg -x "$f" / >/dev/null; done
ldconfig
VK_DRIVER_FILES=$(find / -xdev -name 'nvidia_icd*.json' 2>/dev/null | head -1)
export VK_DRIVER_FILES
mkdir -p /tmp/o
nvidia-smi --query-gpu=name,driver_version --format=csv > /tmp/o/gpu.txt 2>&1

# The GPU's clocks, power, temperature and clock-limit reasons every 250
# ms, in /tmp/o/clocks.csv, for the whole call: BFS runs in two modes per
# process on the H100s lent so far (about 1.7x apart, every pass alike,
# docs/benchmarks.md, session 24), and the samples say whether the slow
# one is the GPU's clock. `vy_clocks_stop` (before packing /tmp/o) ends it;
# the sampler also ends with the call.
# A script run by another (startup.sh inside a call's own script) keeps
# the sampler it found and leaves it running.
vy_clocks_pid=
if [ -z "${VY_CLOCKS_PID:-}" ] || ! kill -0 "$VY_CLOCKS_PID" 2>/dev/null; then
  vy_clocks_fields=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu,clocks_event_reasons.active
  if ! nvidia-smi --query-gpu=$vy_clocks_fields --format=csv,noheader > /dev/null 2>&1; then
    vy_clocks_fields=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu
  fi
  nvidia-smi --query-gpu=$vy_clocks_fields --format=csv -lms 250 > /tmp/o/clocks.csv 2>&1 &
  vy_clocks_pid=$!
  export VY_CLOCKS_PID=$vy_clocks_pid
fi
vy_clocks_stop() {
  if [ -n "$vy_clocks_pid" ]; then
    kill "$vy_clocks_pid" 2>/dev/null
    wait "$vy_clocks_pid" 2>/dev/null
  fi
}
