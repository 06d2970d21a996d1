#!/usr/bin/env bash
# Interleaved rounds of DeadlineBenchmark from two builds of benchmarks.jar: build each commit with
# `mvn -B -q -DskipTests package`, copy benchmarks/target/benchmarks.jar aside, then
#   benchmarks/results/deadlines/jmh-ab-builds.sh BEFORE.jar AFTER.jar
set -euo pipefail
before=$1 after=$2
for round in 1 2 3; do
  for jar in "$before" "$after"; do
    echo "== $jar round $round"
    java -jar "$jar" DeadlineBenchmark -wi 2 -i 3 -w 1 -r 1 -f 1 2>&1 | grep -E "^DeadlineBenchmark"
  done
done
