# Builds every system and load generator that can be built here, and records in SKIP[system]
# (and SKIP_WORKLOAD[workload]) why anything cannot run. Sourced by run.sh; reports to stdout.

declare -A SKIP=()
declare -A SKIP_WORKLOAD=()

need_tool() { # need_tool TOOL APT_PACKAGE: "" if present, else a reason
  command -v "$1" > /dev/null 2>&1 || echo "$1 not found (apt-get install $2)"
}

# jdk21: a JDK ≥ 21 for the virtual-thread peer: $JDK21_HOME, else the Temurin 25 install.
find_jdk21() {
  local candidate
  for candidate in "${JDK21_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64; do
    if [[ -n "$candidate" && -x "$candidate/bin/javac" ]]; then
      echo "$candidate"
      return
    fi
  done
}

build_all() {
  local why
  echo "build: Maven modules (peers, report) on $(java -version 2>&1 | head -1)"
  if ! mvn -B -q -DskipTests package -pl benchmarks/peers/netty,benchmarks/peers/ktor,benchmarks/report -am \
      > "$WORK/mvn.log" 2>&1; then
    tail -30 "$WORK/mvn.log"
    echo "build: Maven build failed; cannot go on" >&2
    exit 1
  fi

  JDK21=$(find_jdk21)
  if [[ -z "$JDK21" ]]; then
    SKIP[loom]="no JDK ≥ 21 found (set JDK21_HOME)"
  else
    echo "build: virtual-thread peer on $("$JDK21/bin/java" -version 2>&1 | head -1)"
    JAVA_HOME=$JDK21 mvn -B -q -DskipTests package -pl benchmarks/peers/loom -am > "$WORK/mvn-loom.log" 2>&1 \
        || { tail -20 "$WORK/mvn-loom.log"; SKIP[loom]="its Maven build failed on $JDK21"; }
  fi

  SAMPLES_JAR=samples/target/netpoll-samples.jar
  if [[ ! -f samples/pom.xml ]]; then
    why="the samples module is not on this branch yet (no samples/pom.xml)"
  elif ! mvn -B -q -DskipTests package -pl samples -am > "$WORK/mvn-samples.log" 2>&1; then
    tail -20 "$WORK/mvn-samples.log"
    why="the samples module does not build"
  elif [[ ! -f "$SAMPLES_JAR" ]]; then
    why="the samples build made no $SAMPLES_JAR"
  else
    why=""
    echo "build: netpoll-jvm samples ($SAMPLES_JAR)"
  fi
  if [[ -n "$why" ]]; then
    SKIP[netpoll]=$why
    SKIP[netpoll-default]=$why
  fi

  why=$(need_tool go golang-go)
  if [[ -z "$why" ]]; then
    echo "build: Go peers and load generators on $(go version)"
    (cd "$BENCH/peers/go" && go build -o "$GOBIN/" ./...) || why="the Go peers do not build"
  fi
  if [[ -n "$why" ]]; then
    SKIP[go]=$why
    SKIP_WORKLOAD[echo]="no echo load generator: $why"
    SKIP_WORKLOAD[fairness]="no fairness load generator: $why"
    SKIP_WORKLOAD[idle]="no idle-connection client: $why"
    SKIP_WORKLOAD[idle-tls]="no idle-connection client: $why"
    SKIP_WORKLOAD[tls-handshake]="no handshake load generator: $why"
  fi

  why=$(need_tool redis-server redis-server); [[ -z "$why" ]] || SKIP[redis]=$why
  why=$(need_tool nginx nginx); [[ -z "$why" ]] || SKIP[nginx]=$why
  why=$(need_tool redis-benchmark redis-tools); [[ -z "$why" ]] || SKIP_WORKLOAD[resp]=$why
  why=$(need_tool wrk wrk); [[ -z "$why" ]] || { SKIP_WORKLOAD[http]=$why; SKIP_WORKLOAD[https]=$why; }
  why=$(need_tool openssl openssl)
  if [[ -n "$why" ]]; then
    for w in https tls-handshake idle-tls; do SKIP_WORKLOAD[$w]=${SKIP_WORKLOAD[$w]:-$why}; done
  fi
}
