#!/usr/bin/env bash
# Where a server's CPU goes under load, by binary: the kernel, libc's syscall wrappers, the JIT's
# code, JNA's glue, the JVM itself (or a C server's own code). This is the profile that separates
# what every server pays (the kernel's TCP work) from what the runtime adds.
#
#   benchmarks/perf-split.sh WORKLOAD SYSTEM
#
# WORKLOAD and SYSTEM as for ab.sh (resp, http, echo; netpoll, netty, go, redis, nginx, ...). The
# server runs pinned to SERVER_CPU, is warmed up, then sampled by `perf record -e cpu-clock` (a
# software clock: it works in VMs without hardware counters) for PERF_SECONDS (6) while the load
# generator runs on CLIENT_CPU. A JVM's JIT code is named through `jcmd PID Compiler.perfmap`.
# Prints the share per binary and the top PERF_TOP (25) user-space symbols. Needs perf (apt-get install
# linux-perf) and kernel.perf_event_paranoid <= 2.
set -uo pipefail
cd "$(dirname "$0")/.."

(($# == 2)) || { echo "usage: benchmarks/perf-split.sh resp|http|echo SYSTEM" >&2; exit 2; }
WORKLOAD=$1 SYSTEM=$2
command -v perf > /dev/null || { echo "perf-split: perf not found (apt-get install linux-perf)" >&2; exit 1; }

BENCH=benchmarks
GOBIN=$PWD/$BENCH/peers/go/bin
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
JVM_OPTS=${BENCH_JVM_OPTS:--Xmx1g -XX:+UseSerialGC}
PERF_SECONDS=${PERF_SECONDS:-6}
JDK21=${JDK21_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
SAMPLES_JAR=samples/target/netpoll-samples.jar
WORK=$(mktemp -d)
SERVER_PID=
LOAD_PID=

source "$BENCH/harness/systems.sh"
trap 'kill "$LOAD_PID" 2> /dev/null; stop_server; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

serves "$SYSTEM" "$WORKLOAD" || { echo "perf-split: $SYSTEM has no $WORKLOAD server" >&2; exit 2; }
NEXT_PORT=17400
start_server "$SYSTEM" "$WORKLOAD" || exit 1

# load SECONDS: the workload's load generator on the client core for about SECONDS.
load() {
  case $WORKLOAD in
    resp) taskset -c "$CLIENT_CPU" redis-benchmark -p "$PORT" -c 50 -n $(($1 * 60000)) -t get -q ;;
    http) taskset -c "$CLIENT_CPU" wrk -t1 -c50 -d"$1s" "http://127.0.0.1:$PORT/" ;;
    echo) taskset -c "$CLIENT_CPU" "$GOBIN/echo-client" --addr "127.0.0.1:$PORT" --conns 100 --size 64 --duration "$1" ;;
    *) echo "perf-split: unknown workload $WORKLOAD" >&2; exit 2 ;;
  esac > /dev/null 2>&1
}

# The process that serves: nginx's worker is the process itself (master_process off).
load 8
load $((PERF_SECONDS + 4)) &
LOAD_PID=$!
sleep 1
perf record -q -e cpu-clock -F 2000 -p "$SERVER_PID" -o "$WORK/perf.data" -- sleep "$PERF_SECONDS" 2> /dev/null
[[ $SYSTEM == netpoll* || $SYSTEM == netty || $SYSTEM == ktor ]] && jcmd "$SERVER_PID" Compiler.perfmap > /dev/null 2>&1
wait "$LOAD_PID"
LOAD_PID=

echo "$SYSTEM $WORKLOAD: CPU samples by binary"
perf report -i "$WORK/perf.data" --no-children --sort dso --stdio 2> /dev/null | grep -v '^#' | grep . \
  | sed -e 's/jna[0-9]*\.tmp (deleted)/JNA (libjnidispatch)/' -e 's/\[JIT\] tid [0-9]*/JIT-compiled Java/' | head -10
echo "top user-space symbols"
perf report -i "$WORK/perf.data" --no-children --sort dso,sym --stdio 2> /dev/null | grep -v '^#' | grep . \
  | grep -v kallsyms | sed -e 's/jna[0-9]*\.tmp (deleted)/JNA/' -e 's/\[JIT\] tid [0-9]*/JIT/' | head -"${PERF_TOP:-25}"
