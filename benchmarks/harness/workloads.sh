# The workloads, each run against one system: start its server, warm it up (unrecorded),
# then RUNS measured runs per case, one raw.tsv row per run. Sourced by run.sh.

# measure SERVER_PID OUT CMD...: runs a load generator and sets SERVER_CPU_S to the server's CPU
# seconds spent meanwhile.
measure() {
  local pid=$1 out=$2; shift 2
  local before after
  before=$(cpu_ticks "$pid")
  run_loadgen "$out" "$@"
  after=$(cpu_ticks "$pid")
  SERVER_CPU_S=$(ticks_to_seconds $((after - before)))
}

failed() {
  echo "  $1: load generator failed (exit $LOADGEN_RC); last lines:" >&2
  tail -3 "$2" >&2
}

# resp_requests OUT: how many requests make a run of about RESP_SECONDS at the GET rate that the
# redis-benchmark --csv output in OUT shows (so slow and fast servers get runs of equal length).
resp_requests() {
  awk -F'"' -v t="$RESP_SECONDS" '$2 == "GET" { n = int($4 * t / 1000) * 1000; print (n < 2000 ? 2000 : n) }' "$1"
}

# RESP: redis-benchmark -c 50, one invocation per test so server CPU is per test; without and
# with -P 16. The warm-ups also size the measured runs.
workload_resp() {
  local system=$1 out=$WORK/resp.out
  start_server "$system" resp || return 0
  local -A requests=()
  run_loadgen "$out" redis-benchmark -p "$PORT" -c 50 -n "$RESP_WARMUP_REQUESTS" -t ping,set,get --csv
  requests[1]=$(resp_requests "$out")
  run_loadgen "$out" redis-benchmark -p "$PORT" -c 50 -P 16 -n $((RESP_WARMUP_REQUESTS * 4)) -t get --csv
  requests[16]=$(resp_requests "$out")
  if [[ -z "${requests[1]}" || -z "${requests[16]}" ]]; then
    failed "$system resp warm-up" "$out"
    stop_server
    return 0
  fi
  for run in $(seq "$RUNS"); do
    for pipeline in 1 16; do
      local workload=resp n=${requests[$pipeline]}
      ((pipeline == 1)) || workload=resp-p16
      for test in $RESP_TESTS; do
        measure "$SERVER_PID" "$out" redis-benchmark -p "$PORT" -c 50 -P "$pipeline" -n "$n" -t "$test" --csv
        if ((LOADGEN_RC != 0)); then failed "$system $workload $test" "$out"; continue; fi
        # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        awk -F'"' -v OFS='\t' -v w="$workload" -v s="$system" -v r="$run" -v n="$n" \
            -v cpu="$SERVER_CPU_S" -v lcpu="$LOADGEN_CPU_S" -v wall="$LOADGEN_WALL_S" \
            '$2 != "test" && $4 != "" { print w, $2, 50, "-", s, r, $4, $10 * 1000, $14 * 1000, n, cpu, lcpu, wall, "-", "-", "-" }' \
            "$out" >> "$RAW"
      done
    done
  done
  stop_server
}

# HTTP plaintext: wrk -t1 --latency at each of HTTP_CONNS; WORKLOAD=https runs the same over
# keep-alive TLS (one handshake per connection, then every request on it).
workload_http() {
  local system=$1 workload=${2:-http} out=$WORK/http.out
  local scheme=http
  [[ $workload == https ]] && { scheme=https; tls_certificate; }
  start_server "$system" "$workload" || return 0
  # A cold JVM needs a few seconds for its first TLS handshakes: warm https up for at least 4 s.
  local warmup=$WARMUP_SECONDS
  [[ $scheme == https ]] && ((warmup < 4)) && warmup=4
  run_loadgen "$out" wrk -t1 -c256 -d"${warmup}s" "$scheme://127.0.0.1:$PORT/"
  for run in $(seq "$RUNS"); do
    for conns in $HTTP_CONNS; do
      measure "$SERVER_PID" "$out" wrk -t1 -c"$conns" -d"${HTTP_SECONDS}s" --latency "$scheme://127.0.0.1:$PORT/"
      if ((LOADGEN_RC != 0)) || ! grep -q '^Requests/sec' "$out"; then failed "$system $workload c=$conns" "$out"; continue; fi
      if grep -q 'Non-2xx' "$out"; then failed "$system $workload c=$conns: answers that are not 200 OK" "$out"; continue; fi
      if grep -q '^ *0 requests in' "$out"; then failed "$system $workload c=$conns: no request completed" "$out"; continue; fi
      grep -h 'Socket errors' "$out" | sed "s/^/  $system $workload c=$conns: /" >&2
      local rps requests p50 p99
      rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
      requests=$(awk '/ requests in / { print $1 }' "$out")
      p50=$(wrk_micros "$(awk '$1 == "50%" { print $2 }' "$out")")
      p99=$(wrk_micros "$(awk '$1 == "99%" { print $2 }' "$out")")
      row "$workload" "c=$conns" "$conns" - "$system" "$run" "$rps" "$p50" "$p99" "$requests" \
          "$SERVER_CPU_S" "$LOADGEN_CPU_S" "$LOADGEN_WALL_S" - - -
    done
  done
  stop_server
}

workload_https() { workload_http "$1" https; }

# Echo round trips: the Go echo-client at each of ECHO_CONNS × ECHO_SIZES.
workload_echo() {
  local system=$1 out=$WORK/echo.out
  start_server "$system" echo || return 0
  run_loadgen "$out" "$GOBIN/echo-client" --addr "127.0.0.1:$PORT" --conns 100 --size 64 --duration "$WARMUP_SECONDS"
  for run in $(seq "$RUNS"); do
    for conns in $ECHO_CONNS; do
      for size in $ECHO_SIZES; do
        measure "$SERVER_PID" "$out" "$GOBIN/echo-client" --addr "127.0.0.1:$PORT" \
            --conns "$conns" --size "$size" --duration "$ECHO_SECONDS"
        if ((LOADGEN_RC != 0)) || ! grep -q '^echo-client:' "$out"; then failed "$system echo $conns×$size" "$out"; continue; fi
        # echo-client: conns=N size=B round_trips=… rps=… p50_us=… p99_us=…
        local line
        line=$(grep '^echo-client:' "$out" | sed 's/[a-z0-9_]*=//g')
        read -r _ _ _ trips rps p50 p99 <<< "$line"
        row echo "conns=$conns size=$size" "$conns" "$size" "$system" "$run" "$rps" "$p50" "$p99" "$trips" \
            "$SERVER_CPU_S" "$LOADGEN_CPU_S" "$LOADGEN_WALL_S" - - -
      done
    done
  done
  stop_server
}

# Fairness: the Go fairness-client against an echo server: two connections streaming 16 KiB writes
# both ways and a third timing a 64-byte round trip every 10 ms (its p50, p99 and max; rps is the
# streams' echoed MiB/s, requests the probes).
workload_fairness() {
  local system=$1 out=$WORK/fairness.out
  start_server "$system" echo || return 0
  local client=("$GOBIN/fairness-client" --addr "127.0.0.1:$PORT" --streams 2 --chunk 16384 --size 64 --interval 10ms)
  run_loadgen "$out" "${client[@]}" --duration "$WARMUP_SECONDS"
  for run in $(seq "$RUNS"); do
    measure "$SERVER_PID" "$out" "${client[@]}" --duration "$FAIRNESS_SECONDS"
    if ((LOADGEN_RC != 0)) || ! grep -q '^fairness-client:' "$out"; then failed "$system fairness" "$out"; continue; fi
    # fairness-client: streams=N probes=… streamed_mib_s=… p50_us=… p99_us=… max_us=…
    local line
    line=$(grep '^fairness-client:' "$out" | sed 's/[a-z0-9_]*=//g')
    read -r _ _ probes mibs p50 p99 max <<< "$line"
    row fairness "streams=2 probe=64B/10ms" 3 64 "$system" "$run" "$mibs" "$p50" "$p99" "$probes" \
        "$SERVER_CPU_S" "$LOADGEN_CPU_S" "$LOADGEN_WALL_S" - - "$max"
  done
  stop_server
}

# TLS handshakes: the Go tls-handshakes client with HANDSHAKE_CONNS workers, each connection one
# full handshake (no resumption), one request with "Connection: close", the response, the close.
workload_tls_handshake() {
  local system=$1 out=$WORK/handshake.out
  tls_certificate
  start_server "$system" https || return 0
  local client=("$GOBIN/tls-handshakes" --addr "127.0.0.1:$PORT" --conns "$HANDSHAKE_CONNS")
  run_loadgen "$out" "${client[@]}" --duration "$WARMUP_SECONDS"
  for run in $(seq "$RUNS"); do
    measure "$SERVER_PID" "$out" "${client[@]}" --duration "$HANDSHAKE_SECONDS"
    if ((LOADGEN_RC != 0)) || ! grep -q '^tls-handshakes:' "$out"; then failed "$system tls-handshake" "$out"; continue; fi
    # tls-handshakes: conns=N handshakes=… rps=… p50_us=… p99_us=…
    local line
    line=$(grep '^tls-handshakes:' "$out" | sed 's/[a-z0-9_]*=//g')
    read -r _ _ handshakes rps p50 p99 <<< "$line"
    row tls-handshake "c=$HANDSHAKE_CONNS" "$HANDSHAKE_CONNS" - "$system" "$run" "$rps" "$p50" "$p99" "$handshakes" \
        "$SERVER_CPU_S" "$LOADGEN_CPU_S" "$LOADGEN_WALL_S" - - -
  done
  stop_server
}

# Idle connections on the echo server, each after one 16-byte round trip.
workload_idle() { idle_connections idle echo "$IDLE_CONNS" "$1"; }

# Idle TLS connections on the HTTPS server, each after a full handshake and one keep-alive GET.
workload_idle_tls() {
  tls_certificate
  idle_connections idle-tls https "$IDLE_TLS_CONNS" "$1" --tls --http
}

# idle_connections WORKLOAD SERVER_WORKLOAD CONNS SYSTEM [IDLE_CONNS_FLAG...]: fresh for every run,
# after a 1,000-connection warm-up, the server's RSS growth while CONNS connections (set up by the
# Go idle-conns client with the flags given) sit idle, and its CPU over IDLE_WINDOW_SECONDS of
# that idleness.
idle_connections() {
  local workload=$1 server_workload=$2 conns=$3 system=$4; shift 4
  local out=$WORK/idle.out held=$WORK/idle-held.out flags=("$@")
  for run in $(seq "$RUNS"); do
    start_server "$system" "$server_workload" || return 0
    local client=("$GOBIN/idle-conns" --addr "127.0.0.1:$PORT" "${flags[@]}")
    run_loadgen "$out" "${client[@]}" --conns 1000 --hold 0
    if ((LOADGEN_RC != 0)); then failed "$system $workload warm-up" "$out"; stop_server; return 0; fi
    sleep 1
    local rss_before rss_after cpu_before cpu_after
    rss_before=$(rss_kib "$SERVER_PID")
    # Truncated here, not by the background redirection, which may happen after the first grep.
    : > "$held"
    taskset -c "$CLIENT_CPU" "${client[@]}" --conns "$conns" \
        --hold $((IDLE_SETTLE_SECONDS + IDLE_WINDOW_SECONDS + 1)) >> "$held" 2>&1 &
    local pid=$!
    local deadline=$((SECONDS + 120))
    until grep -q '^idle-conns: holding' "$held"; do
      if ! kill -0 "$pid" 2> /dev/null || ((SECONDS > deadline)); then break; fi
      sleep 0.1
    done
    if ! grep -q '^idle-conns: holding' "$held"; then
      kill "$pid" 2> /dev/null
      wait "$pid"
      echo "  $system $workload: connections not established (client exit $?); last lines:" >&2
      tail -3 "$held" >&2
      stop_server
      return 0
    fi
    sleep "$IDLE_SETTLE_SECONDS"
    rss_after=$(rss_kib "$SERVER_PID")
    cpu_before=$(cpu_ticks "$SERVER_PID")
    sleep "$IDLE_WINDOW_SECONDS"
    cpu_after=$(cpu_ticks "$SERVER_PID")
    wait "$pid" || true
    row "$workload" "conns=$conns" "$conns" - "$system" "$run" - - - - - - "$IDLE_WINDOW_SECONDS" \
        $((rss_after - rss_before)) "$(ticks_to_seconds $((cpu_after - cpu_before)))" -
    stop_server
  done
}
