# Prints environment.md: when, where and how this run measured, and what it skipped. Sourced by
# run.sh at the end of a run, with its settings in scope.

version() { "$@" 2>&1 | head -1; }

cat << MD
- **Run**: $MODE, $(date -u '+%Y-%m-%d %H:%M UTC'), commit \`$(git rev-parse --short HEAD 2> /dev/null || echo unknown)\`, $((SECONDS - started)) s including builds; command \`$(for k in BENCH_SYSTEMS BENCH_WORKLOADS; do [[ -n "${!k:-}" ]] && printf '%s="%s" ' "$k" "${!k}"; done)benchmarks/run.sh$([[ $MODE == smoke ]] && echo " --smoke")\`
- **Machine**: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
- **Load average** (1/5/15 min) at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg). The run itself keeps both cores busy (about 2); more than that means other work shared the cores: treat the figures as indicative.
- **Pinning**: every server on core $SERVER_CPU, every load generator on core $CLIENT_CPU (\`taskset -c\`); one server runs at a time.
- **Repeats**: $RUNS measured run(s) per point after an unrecorded warm-up of each server; tables show the median with min–max.
- **Versions**: $(version java -version); virtual threads on $([[ -n "${JDK21:-}" ]] && version "$JDK21/bin/java" -version || echo "n/a"); $(version go version || true); $(version redis-server --version || true); $(version nginx -v || true); $(version wrk -v || true); JVM options for every JVM server: \`$JVM_OPTS\`
- **Server CPU** is user + system time of the server process (all threads: event loops, JIT, GC) from \`/proc/PID/stat\` over the load generator's run; **load generator CPU** is its own CPU time over its wall time (near 100% means it may be the bottleneck).

| workload | load generator command (per measured run) |
|---|---|
| RESP | \`redis-benchmark -p PORT -c 50 -P {1,16} -n N -t TEST --csv\` for TEST in $RESP_TESTS, N sized from the server's warm-up GET rate for runs of about $RESP_SECONDS s |
| HTTP | \`wrk -t1 -c{${HTTP_CONNS// /,}} -d${HTTP_SECONDS}s --latency http://127.0.0.1:PORT/\` |
| echo | \`echo-client --addr 127.0.0.1:PORT --conns {${ECHO_CONNS// /,}} --size {${ECHO_SIZES// /,}} --duration $ECHO_SECONDS\` (Go, \`benchmarks/peers/go\`) |
| idle | \`idle-conns --conns $IDLE_CONNS --ping-size 16\` against the echo server after a 1,000-connection warm-up; RSS growth read ${IDLE_SETTLE_SECONDS} s after the last connection opened, CPU over the next ${IDLE_WINDOW_SECONDS} s |

| system | server |
|---|---|
| netpoll-jvm (Netpoll) | \`samples\` jar, \`--dispatcher netpoll --parallelism 1\` |
| netpoll-jvm (Default) | the same server code on \`--dispatcher default\` |
| Netty 4.2 epoll | \`benchmarks/peers/netty\`: one epoll event loop per available core, HttpServerCodec for HTTP |
| virtual threads | \`benchmarks/peers/loom\`: blocking \`java.net\` sockets, a virtual thread per connection |
| Ktor sockets | \`benchmarks/peers/ktor\`: ktor-network raw sockets, coroutine per connection (echo and RESP only) |
| Go stdlib | \`benchmarks/peers/go\`: goroutine per connection, net/http for HTTP |
| redis-server | the real one (RESP ceiling), no persistence |
| nginx | the real one (HTTP ceiling), one worker, \`return 200\` |
MD

if ((${#SKIP[@]} + ${#SKIP_WORKLOAD[@]} > 0)); then
  echo
  echo "**Not measured in this run:**"
  echo
  for s in "${!SKIP[@]}"; do echo "- $s: ${SKIP[$s]}"; done
  for w in "${!SKIP_WORKLOAD[@]}"; do echo "- workload $w: ${SKIP_WORKLOAD[$w]}"; done
fi
