#!/bin/bash
# A/B of bench binaries in one call on a lent GPU machine: the variants
# alternate, REPS times (default 2), so that the machine's drift falls on
# every variant alike. Build on the development machine, copy each binary
# into `.bin/` under its own name (`cp target/release/bench .bin/bench-new`,
# strip), copy this script and gpu_env.sh there too, and run with `.gl` and
# `.bin` carried:
#
#   bash .bin/ab.sh "--only service --stages" old=bench-old new=bench-new \
#       nospin=bench-new:VYRE_WAIT_SPIN_US=0
#
# A variant is NAME=BINARY[:ENV=VALUE]. Each run's log and results come
# back in $OUT/o.tgz (NAME-REP.log, NAME-REP/); the lines that carry the
# headline figures are printed as they finish.
set -u
# shellcheck source=gpu_env.sh
source "$(dirname "$0")/gpu_env.sh"
args=$1
shift
for i in $(seq 1 "${REPS:-2}"); do
  for v in "$@"; do
    name=${v%%=*}
    rest=${v#*=}
    bin=${rest%%:*}
    envs=""
    [[ $rest == *:* ]] && envs=${rest#*:}
    # shellcheck disable=SC2086 # the bench's arguments are words
    env $envs "./.bin/$bin" $args --out "/tmp/o/$name-$i" > "/tmp/o/$name-$i.log" 2>&1
    echo "$name-$i: $(grep -E 'held|start-up|publish call|defaults over|ratio' "/tmp/o/$name-$i.log" | tr '\n' ' ')"
  done
done
vy_clocks_stop
tar czf "$OUT/o.tgz" -C /tmp/o .
