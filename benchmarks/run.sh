#!/usr/bin/env bash
# One command for every end-to-end performance figure of netpoll-jvm:
#
#   benchmarks/run.sh           full run (~15 min on 2 quiet cores): benchmarks/results/REPORT.md + PNG charts
#   benchmarks/run.sh --smoke   CI smoke run (a few seconds per system and workload, one run each,
#                               no thresholds): benchmarks/target/smoke/REPORT.md
#
# It builds the peers (Netty, Ktor, virtual threads, Go) and the netpoll-jvm samples when present,
# then runs every workload (RESP, HTTP plaintext, HTTPS keep-alive, TLS handshakes, echo, echo
# fairness, idle plain and TLS connections) against every system
# that serves it, one server at a time pinned to SERVER_CPU with its load generator on CLIENT_CPU,
# and writes raw.tsv (every run), environment.md (machine, versions, commands, skips) and the
# report. A system or workload that cannot run here is skipped with the reason printed and kept
# in the report. Knobs (environment): BENCH_SYSTEMS, BENCH_WORKLOADS (subsets, space-separated),
# SERVER_CPU (0), CLIENT_CPU (1), BENCH_JVM_OPTS, JDK21_HOME, and BENCH_RESULTS: the directory the
# run writes raw.tsv, environment.md, REPORT.md and the charts into (default benchmarks/results,
# or benchmarks/target/smoke with --smoke), so a partial or exploratory run can leave the
# committed results alone, e.g. BENCH_WORKLOADS=idle BENCH_RESULTS=/tmp/idle benchmarks/run.sh.
set -uo pipefail
cd "$(dirname "$0")/.."

MODE=full
case "${1:-}" in
  "") ;;
  --smoke) MODE=smoke ;;
  *) echo "usage: benchmarks/run.sh [--smoke]" >&2; exit 2 ;;
esac

BENCH=benchmarks
GOBIN=$PWD/$BENCH/peers/go/bin
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
JVM_OPTS=${BENCH_JVM_OPTS:--Xmx1g -XX:+UseSerialGC}
if [[ $MODE == full ]]; then
  RESULTS=${BENCH_RESULTS:-$BENCH/results}
  RUNS=3
  WARMUP_SECONDS=8  # a JVM server reaches steady state after about 6 s of load
  RESP_TESTS="ping_inline ping_mbulk set get"
  RESP_SECONDS=1
  RESP_WARMUP_REQUESTS=150000
  HTTP_CONNS="50 256"
  HTTP_SECONDS=3
  ECHO_CONNS="1 100 1000"
  ECHO_SIZES="64 4096"
  ECHO_SECONDS=2
  FAIRNESS_SECONDS=5
  IDLE_CONNS=10000
  IDLE_TLS_CONNS=5000
  HANDSHAKE_CONNS=50
  HANDSHAKE_SECONDS=3
  IDLE_SETTLE_SECONDS=2
  IDLE_WINDOW_SECONDS=3
  LOADGEN_TIMEOUT=120
else
  RESULTS=${BENCH_RESULTS:-$BENCH/target/smoke}
  RUNS=1
  WARMUP_SECONDS=1
  RESP_TESTS="get"
  RESP_SECONDS=0.3
  RESP_WARMUP_REQUESTS=2000
  HTTP_CONNS="50"
  HTTP_SECONDS=1
  ECHO_CONNS="100"
  ECHO_SIZES="64"
  ECHO_SECONDS=1
  FAIRNESS_SECONDS=1.5
  IDLE_CONNS=1000
  IDLE_TLS_CONNS=500
  HANDSHAKE_CONNS=50
  HANDSHAKE_SECONDS=1
  IDLE_SETTLE_SECONDS=1
  IDLE_WINDOW_SECONDS=1
  LOADGEN_TIMEOUT=30
fi

WORK=$(mktemp -d)
RAW=$RESULTS/raw.tsv
SERVER_PID=
trap 'stop_server; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

source "$BENCH/harness/measure.sh"
source "$BENCH/harness/systems.sh"
source "$BENCH/harness/workloads.sh"
source "$BENCH/harness/build.sh"

ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
if (($(ulimit -n) < IDLE_CONNS + 1000)); then
  IDLE_CONNS=$(( ($(ulimit -n) - 1000) / 1000 * 1000 ))
  echo "run: open-file limit $(ulimit -n) allows only $IDLE_CONNS idle connections"
fi

started=$SECONDS
build_all
command -v taskset > /dev/null || { echo "run: taskset not found (apt-get install util-linux)" >&2; exit 1; }

mkdir -p "$RESULTS"
rm -f "$RESULTS"/*.png
raw_header
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

SYSTEMS=(${BENCH_SYSTEMS:-${ALL_SYSTEMS[*]}})
for workload in ${BENCH_WORKLOADS:-resp http https tls-handshake echo fairness idle idle-tls}; do
  if [[ -n "${SKIP_WORKLOAD[$workload]:-}" ]]; then
    echo "$workload: skipped: ${SKIP_WORKLOAD[$workload]}"
    continue
  fi
  case $workload in
    idle) server_workload=echo ;;
    tls-handshake|idle-tls) server_workload=https ;;
    *) server_workload=$workload ;;
  esac
  for system in "${SYSTEMS[@]}"; do
    serves "$system" "$server_workload" || continue
    if [[ -n "${SKIP[$system]:-}" ]]; then
      echo "$workload $system: skipped: ${SKIP[$system]}"
      continue
    fi
    echo "$workload $system ($((SECONDS - started)) s)"
    "workload_${workload//-/_}" "$system"
  done
done

source "$BENCH/harness/environment.sh" > "$RESULTS/environment.md"
java -jar "$BENCH/report/target/report.jar" "$RESULTS" || exit 1
echo "run: $MODE run done in $((SECONDS - started)) s; report: $RESULTS/REPORT.md"
if (($(wc -l < "$RAW") < 2)); then
  echo "run: nothing was measured" >&2
  exit 1
fi
