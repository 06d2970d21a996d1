#!/usr/bin/env bash
# Interleaved comparison: server CPU per request of two or more systems on one workload, measured
# in alternation so that the machine's drift (20-40 % within an hour on a shared VM) falls on every
# system alike. run.sh measures one system after another, which is right for a report of many
# figures but lets drift move a ratio; this is the tool for a question about one ratio.
#
#   benchmarks/ab.sh WORKLOAD SYSTEM SYSTEM...
#
# WORKLOAD is resp (redis-benchmark -c 50 GET), http (wrk -t1 -c50 plaintext) or echo (the Go
# echo-client, 100 connections x 64 B). A SYSTEM is a name from run.sh (netpoll, netty, go, redis,
# nginx, ...; netpoll-jna and netpoll-ffm are the netpoll server on the JDK 25 beside JDK 17 with its
# C calls through JNA or FFM, and netpoll-ffm-io_uring the same on the io_uring backend) or netpoll=JAR for a netpoll-jvm samples jar other than the one built
# here, so that two builds can be compared: git stash / checkout, build, copy the jar aside, and
# pass both. The load generator's p99 is recorded too (redis-benchmark's, wrk --latency's,
# echo-client's) and its median printed.
# Every server starts at once, pinned to SERVER_CPU, each on its own port; each is warmed up; then
# AB_ROUNDS rounds (default 5) measure each system once for AB_SECONDS (default 5; the warm-up is
# AB_WARMUP, default 8) with the load generator on CLIENT_CPU. It prints every measurement, then
# per system the median CPU seconds per 100k requests, the part of it in the kernel, and the
# median of its per-round ratios to the first system. It exits 1 if a load generator failed.
# Build first (benchmarks/run.sh --smoke builds everything); this script builds nothing.
set -uo pipefail
cd "$(dirname "$0")/.."

(($# >= 3)) || { echo "usage: benchmarks/ab.sh resp|http|echo SYSTEM SYSTEM..." >&2; exit 2; }
WORKLOAD=$1; shift
case $WORKLOAD in resp|http|echo) ;; *) echo "ab: unknown workload $WORKLOAD" >&2; exit 2 ;; esac

BENCH=benchmarks
GOBIN=$PWD/$BENCH/peers/go/bin
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
JVM_OPTS=${BENCH_JVM_OPTS:--Xmx1g -XX:+UseSerialGC}
ROUNDS=${AB_ROUNDS:-5}
SECONDS_PER_RUN=${AB_SECONDS:-5}
WARMUP_SECONDS=${AB_WARMUP:-8}
LOADGEN_TIMEOUT=120
JDK21=${JDK21_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
WORK=$(mktemp -d)

source "$BENCH/harness/measure.sh"
source "$BENCH/harness/systems.sh"

declare -a LABELS=() PIDS=() PORTS=()
stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2> /dev/null; done
  wait 2> /dev/null
  rm -rf "$WORK"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# load PORT OUT SECONDS: one run of the workload's load generator against PORT; sets REQUESTS to
# the number of requests it completed (empty if it failed), P99_US to the load generator's 99th
# percentile latency in microseconds, and SERVER_CPU_S.
load() {
  local port=$1 out=$2 secs=$3
  REQUESTS=
  case $WORKLOAD in
    resp)
      # redis-benchmark takes a request count: size it from the rate of a short probe.
      run_loadgen "$out" redis-benchmark -p "$port" -c 50 -n 20000 -t get --csv
      local n
      n=$(awk -F'"' -v t="$secs" '$2 == "GET" { print int($4 * t / 1000) * 1000 }' "$out")
      [[ -n $n ]] || return
      measure_pid_loadgen "$out" redis-benchmark -p "$port" -c 50 -n "$n" -t get --csv
      # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms",...
      P99_US=$(awk -F'"' '$2 == "GET" { print $14 * 1000 }' "$out")
      ((LOADGEN_RC == 0)) && REQUESTS=$n ;;
    http)
      measure_pid_loadgen "$out" wrk -t1 -c50 -d"${secs}s" --latency "http://127.0.0.1:$port/"
      P99_US=$(wrk_micros "$(awk '$1 == "99%" { print $2 }' "$out")")
      ((LOADGEN_RC == 0)) && ! grep -q 'Non-2xx' "$out" && REQUESTS=$(awk '/ requests in / { print $1 }' "$out") ;;
    echo)
      measure_pid_loadgen "$out" "$GOBIN/echo-client" --addr "127.0.0.1:$port" --conns 100 --size 64 --duration "$secs"
      P99_US=$(sed -n 's/^echo-client:.*p99_us=\([0-9.]*\).*/\1/p' "$out")
      ((LOADGEN_RC == 0)) && REQUESTS=$(sed -n 's/^echo-client:.*round_trips=\([0-9]*\).*/\1/p' "$out") ;;
  esac
}

# user_sys_ticks PID: "USER SYS" clock ticks of every thread of PID so far (/proc/PID/stat 14, 15).
user_sys_ticks() {
  local stat rest
  stat=$(< "/proc/$1/stat")
  rest=${stat##*) }
  read -r -a f <<< "$rest"
  echo "${f[11]} ${f[12]}"
}

# measure_pid_loadgen OUT CMD...: the load generator, with SERVER_CPU_S and SERVER_SYS_S set to the
# CPU (all, and in the kernel) that the server MEASURED_PID spent meanwhile.
measure_pid_loadgen() {
  local out=$1; shift
  local u0 s0 u1 s1
  read -r u0 s0 <<< "$(user_sys_ticks "$MEASURED_PID")"
  run_loadgen "$out" "$@"
  read -r u1 s1 <<< "$(user_sys_ticks "$MEASURED_PID")"
  SERVER_CPU_S=$(ticks_to_seconds $((u1 + s1 - u0 - s0)))
  SERVER_SYS_S=$(ticks_to_seconds $((s1 - s0)))
}

NEXT_PORT=17300
for spec in "$@"; do
  system=${spec%%=*}
  SAMPLES_JAR=samples/target/netpoll-samples.jar
  [[ $spec == *=* ]] && SAMPLES_JAR=${spec#*=}
  serves "$system" "$WORKLOAD" || { echo "ab: $system has no $WORKLOAD server" >&2; exit 2; }
  [[ $system != netpoll* || -f $SAMPLES_JAR ]] || { echo "ab: $SAMPLES_JAR not found (build it first)" >&2; exit 2; }
  start_server "$system" "$WORKLOAD" || exit 1
  LABELS+=("$spec"); PIDS+=("$SERVER_PID"); PORTS+=("$PORT")
  SERVER_PID=
done

for i in "${!LABELS[@]}"; do
  MEASURED_PID=${PIDS[$i]}
  echo "ab: warming up ${LABELS[$i]} for ${WARMUP_SECONDS} s"
  load "${PORTS[$i]}" "$WORK/warmup.out" "$WARMUP_SECONDS"
done

declare -A RESULTS=() KERNEL=() RATIOS=() P99=()
first=
FAILED=0
for round in $(seq "$ROUNDS"); do
  for i in "${!LABELS[@]}"; do
    MEASURED_PID=${PIDS[$i]}
    load "${PORTS[$i]}" "$WORK/run.out" "$SECONDS_PER_RUN"
    requests=$REQUESTS
    if [[ -z $requests || $requests == 0 ]]; then
      FAILED=1
      echo "ab: round $round ${LABELS[$i]}: load generator failed; last lines:" >&2
      tail -3 "$WORK/run.out" >&2
      continue
    fi
    per100k=$(awk -v c="$SERVER_CPU_S" -v n="$requests" 'BEGIN { printf "%.3f", c * 100000 / n }')
    sys100k=$(awk -v c="$SERVER_SYS_S" -v n="$requests" 'BEGIN { printf "%.3f", c * 100000 / n }')
    RESULTS[$i]+="$per100k "
    ((i == 0)) && first=$per100k
    RATIOS[$i]+="$(awk -v m="$per100k" -v b="$first" 'BEGIN { printf "%.3f", m / b }') "
    KERNEL[$i]+="$sys100k "
    P99[$i]+="${P99_US:-} "
    printf 'round %d  %-40s cpu_s/100k %s (kernel %s)  requests %s  rps %s  p99_us %s\n' "$round" "${LABELS[$i]}" "$per100k" "$sys100k" \
        "$requests" "$(awk -v n="$requests" -v w="$LOADGEN_WALL_S" 'BEGIN { printf "%.0f", n / w }')" "${P99_US:-?}"
  done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The ratio is the median of each round's ratio to the first system's run just before it (so a
# drift between rounds cancels), with the lowest and highest of them.
echo "server CPU s per 100k requests ($WORKLOAD, $ROUNDS interleaved rounds of ${SECONDS_PER_RUN} s): median, part in the kernel, ratio to the first [range], median p99:"
for i in "${!LABELS[@]}"; do
  m=$(median <<< "${RESULTS[$i]:-}")
  k=$(median <<< "${KERNEL[$i]:-}")
  r=$(median <<< "${RATIOS[$i]:-}")
  range=$(tr ' ' '\n' <<< "${RATIOS[$i]:-}" | grep . | sort -g | sed -n '1p;$p' | paste -sd-)
  p=$(median <<< "${P99[$i]:-}")
  printf '  %-40s %s  kernel %s  %sx [%s]  p99 %s us\n' "${LABELS[$i]}" "$m" "$k" "$r" "$range" "$p"
done
exit "$FAILED"
