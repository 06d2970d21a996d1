# The systems under test: which workloads each serves, how to start it pinned to the server core,
# and how to stop it. Sourced by run.sh after build.sh has set SKIP[system] for what is missing.

ALL_SYSTEMS=(netpoll netpoll-default netty loom ktor go redis nginx)

# serves SYSTEM WORKLOAD: whether SYSTEM has a server for WORKLOAD (resp, http, https or echo;
# fairness: the echo servers of netpoll-jvm and Go, where the scheduler's fairness is the question).
serves() {
  case "$1:$2" in
    netpoll*:fairness|go:fairness) return 0 ;;
    *:fairness) return 1 ;;
    netpoll*:resp|netpoll*:http|netpoll*:https|netpoll*:echo) return 0 ;;
    loom:https) return 1 ;;
    netty:*|loom:*|go:*) return 0 ;;
    ktor:resp|ktor:echo) return 0 ;;
    uring-probe*:echo|epoll-probe:echo) return 0 ;;
    redis:resp|nginx:http|nginx:https) return 0 ;;
    *) return 1 ;;
  esac
}

# server_command SYSTEM WORKLOAD PORT: prints nothing, fills the array CMD. The https workload is
# the http server given TLS_CERT and TLS_KEY (made by tls_certificate); Netty's is its
# SslHandler on the JDK provider.
server_command() {
  local system=$1 workload=$2 addr=127.0.0.1:$3
  local tls=()
  if [[ $workload == https ]]; then
    workload=http
    tls=(--tls-cert "$TLS_CERT" --tls-key "$TLS_KEY")
  fi
  case "$system" in
    netpoll) CMD=(java $JVM_OPTS -jar "$SAMPLES_JAR" "$workload" --addr "$addr" --parallelism 1 --dispatcher netpoll "${tls[@]}") ;;
    netpoll-default) CMD=(java $JVM_OPTS -jar "$SAMPLES_JAR" "$workload" --addr "$addr" --parallelism 1 --dispatcher default "${tls[@]}") ;;
    # The netpoll server on the JDK 25 beside JDK 17, its C calls through JNA or FFM (-Dnetpoll.native),
    # on epoll or, with the suffix -io_uring, on io_uring (-Dnetpoll.backend).
    netpoll-jna|netpoll-ffm|netpoll-jna-io_uring|netpoll-ffm-io_uring)
      local layer=${system#netpoll-} backend=()
      [[ $system == *-io_uring ]] && backend=(-Dnetpoll.backend=io_uring)
      CMD=("$JDK21/bin/java" $JVM_OPTS --enable-native-access=ALL-UNNAMED "-Dnetpoll.native=${layer%%-*}" "${backend[@]}" \
        -jar "$SAMPLES_JAR" "$workload" --addr "$addr" --parallelism 1 --dispatcher netpoll "${tls[@]}") ;;
    # Not servers: the echo loops that measure what docs/io_uring.md's design (b) could gain, on the
    # JDK 25: EpollEchoProbe (readiness) and CompletionEchoProbe (io_uring; -multishot: a multishot
    # receive into provided buffers). Echo only.
    epoll-probe) CMD=("$JDK21/bin/java" $JVM_OPTS --enable-native-access=ALL-UNNAMED -cp "$BENCH/target/benchmarks.jar" \
        io.netpoll.benchmarks.EpollEchoProbe --addr "$addr") ;;
    uring-probe|uring-probe-multishot)
      local mode=single
      [[ $system == *-multishot ]] && mode=multishot
      CMD=("$JDK21/bin/java" $JVM_OPTS --enable-native-access=ALL-UNNAMED "-Dprobe.mode=$mode" -cp "$BENCH/target/benchmarks.jar" \
        io.netpoll.poller.iouring.CompletionEchoProbe --addr "$addr") ;;
    netty) CMD=(java $JVM_OPTS -jar "$BENCH/peers/netty/target/peers-netty.jar" "$workload" --addr "$addr" "${tls[@]}") ;;
    loom) CMD=("$JDK21/bin/java" $JVM_OPTS -jar "$BENCH/peers/loom/target/peers-loom.jar" "$workload" --addr "$addr") ;;
    ktor) CMD=(java $JVM_OPTS -jar "$BENCH/peers/ktor/target/peers-ktor.jar" "$workload" --addr "$addr") ;;
    go) CMD=("$GOBIN/$workload-server" --addr "$addr" "${tls[@]}") ;;
    redis) CMD=(redis-server --bind 127.0.0.1 --port "$3" --save "" --appendonly no --protected-mode no --daemonize no) ;;
    nginx)
      local dir=$WORK/nginx-$3
      mkdir -p "$dir/tmp"
      local conf=nginx.conf
      ((${#tls[@]})) && conf=nginx-tls.conf
      sed -e "s/PORT/$3/" -e "s#CERT#${TLS_CERT:-}#" -e "s#KEY#${TLS_KEY:-}#" "$BENCH/peers/nginx/$conf" > "$dir/nginx.conf"
      CMD=(nginx -p "$dir" -c "$dir/nginx.conf" -e stderr) ;;
  esac
}

NEXT_PORT=17100

# start_server SYSTEM WORKLOAD: starts it pinned to the server core on a fresh port and waits until
# the port accepts connections. Sets SERVER_PID and PORT; returns 1 (with the log's tail printed)
# if it dies or is not ready in 60 s.
start_server() {
  local system=$1 workload=$2
  PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
  server_command "$system" "$workload" "$PORT"
  local log=$WORK/$system-$workload-$PORT.log
  taskset -c "$SERVER_CPU" "${CMD[@]}" > "$log" 2>&1 &
  SERVER_PID=$!
  local deadline=$((SECONDS + 60))
  while ! (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null; do
    if ! kill -0 "$SERVER_PID" 2> /dev/null || ((SECONDS > deadline)); then
      echo "  $system $workload: server did not come up; last lines of $log:" >&2
      tail -5 "$log" >&2
      stop_server
      return 1
    fi
    sleep 0.1
  done
}

# stop_server: SIGTERM, then SIGKILL after 5 s, for the server this script started.
stop_server() {
  [[ -n "${SERVER_PID:-}" ]] || return 0
  kill -TERM "$SERVER_PID" 2> /dev/null || true
  for _ in $(seq 50); do
    kill -0 "$SERVER_PID" 2> /dev/null || break
    sleep 0.1
  done
  kill -KILL "$SERVER_PID" 2> /dev/null || true
  wait "$SERVER_PID" 2> /dev/null || true
  SERVER_PID=
}

# tls_certificate: a self-signed EC P-256 certificate for 127.0.0.1 in WORK, made once per run
# (never committed); sets TLS_CERT and TLS_KEY.
tls_certificate() {
  TLS_CERT=$WORK/tls-cert.pem
  TLS_KEY=$WORK/tls-key.pem
  [[ -f $TLS_CERT ]] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
      -addext subjectAltName=IP:127.0.0.1 -keyout "$TLS_KEY" -out "$TLS_CERT" 2> /dev/null
}
