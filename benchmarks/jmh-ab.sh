#!/usr/bin/env bash
# Interleaved JMH comparison of native layers: the same benchmarks run under each configuration in
# turn, round after round, so the machine's drift (20-40 % within an hour here) falls on every
# configuration alike; ab.sh does the same for the end-to-end servers.
#
#   benchmarks/jmh-ab.sh REGEX CONFIG CONFIG... [-- JMH OPTIONS]
#
# A CONFIG is jdk17 (the default java: JNA), jna or ffm (the JDK 25 beside it, with native access
# enabled and -Dnetpoll.native set), each optionally followed by +io_uring for
# -Dnetpoll.backend=io_uring (for example ffm+io_uring). JMH_ROUNDS rounds (default 3) each run every configuration once
# with one fork (JMH options after -- are added, for example -wi 2 -i 3 -prof gc). It prints each
# round's scores, then per benchmark and configuration the median score, the median of the per-round
# ratios to the first configuration, and the median B/op when -prof gc was given.
# Build first: mvn -B -q -DskipTests package (benchmarks/target/benchmarks.jar).
set -uo pipefail
cd "$(dirname "$0")/.."

(($# >= 3)) || { echo "usage: benchmarks/jmh-ab.sh REGEX CONFIG CONFIG... [-- JMH OPTIONS]" >&2; exit 2; }
REGEX=$1; shift
CONFIGS=()
while (($#)) && [[ $1 != -- ]]; do CONFIGS+=("$1"); shift; done
[[ ${1:-} == -- ]] && shift
JMH_OPTS=("$@")
JAR=benchmarks/target/benchmarks.jar
JDK25=${JDK21_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
ROUNDS=${JMH_ROUNDS:-3}
[[ -f $JAR ]] || { echo "jmh-ab: $JAR not found (mvn -B -q -DskipTests package)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# command CONFIG: fills CMD with the java command for CONFIG (JMH's forks inherit its options).
command_for() {
  local layer=${1%+*} backend=()
  case $1 in
    *+io_uring) backend=(-Dnetpoll.backend=io_uring) ;;
    *+*) echo "jmh-ab: unknown backend in $1 (+io_uring)" >&2; exit 2 ;;
  esac
  case $layer in
    jdk17) CMD=(java "${backend[@]}" -jar "$JAR") ;;
    jna|ffm)
      [[ -x $JDK25/bin/java ]] || { echo "jmh-ab: no JDK 25 at $JDK25 (set JDK21_HOME)" >&2; exit 2; }
      CMD=("$JDK25/bin/java" --enable-native-access=ALL-UNNAMED "-Dnetpoll.native=$layer" "${backend[@]}" -jar "$JAR") ;;
    *) echo "jmh-ab: unknown configuration $1 (jdk17, jna, ffm; +io_uring)" >&2; exit 2 ;;
  esac
}

for round in $(seq "$ROUNDS"); do
  for config in "${CONFIGS[@]}"; do
    command_for "$config"
    out=$WORK/$round-$config.json
    if ! "${CMD[@]}" "$REGEX" -f 1 "${JMH_OPTS[@]}" -rf json -rff "$out" > "$WORK/$round-$config.log" 2>&1; then
      echo "jmh-ab: round $round $config failed; last lines:" >&2
      tail -5 "$WORK/$round-$config.log" >&2
      exit 1
    fi
    echo "round $round $config done"
  done
done

python3 - "$WORK" "$ROUNDS" "${CONFIGS[@]}" <<'PY'
import json, statistics, sys
work, rounds, configs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
score, alloc = {}, {}
for r in range(1, rounds + 1):
    for c in configs:
        for b in json.load(open(f"{work}/{r}-{c}.json")):
            name = b["benchmark"].rsplit(".", 2)[-2] + "." + b["benchmark"].rsplit(".", 1)[-1]
            if b.get("params"):
                name += "(" + ",".join(f"{k}={v}" for k, v in b["params"].items()) + ")"
            score.setdefault(name, {}).setdefault(c, []).append(b["primaryMetric"]["score"])
            unit = b["primaryMetric"]["scoreUnit"]
            score[name]["unit"] = unit
            for k, v in b.get("secondaryMetrics", {}).items():
                if k.endswith("gc.alloc.rate.norm"):
                    alloc.setdefault(name, {}).setdefault(c, []).append(v["score"])
for name, per in score.items():
    print(f"{name} ({per['unit']}; {rounds} interleaved rounds):")
    first = per[configs[0]]
    for c in configs:
        ratios = [v / f for v, f in zip(per[c], first)]
        line = f"  {c:6} median {statistics.median(per[c]):10.1f}  ratio to {configs[0]} {statistics.median(ratios):.3f} [{min(ratios):.3f}-{max(ratios):.3f}]"
        if name in alloc and c in alloc[name]:
            line += f"  B/op {statistics.median(alloc[name][c]):.2f}"
        line += "  rounds " + " ".join(f"{v:.1f}" for v in per[c])
        print(line)
PY
