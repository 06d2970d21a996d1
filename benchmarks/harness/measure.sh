# Reading a process's cost from /proc, running a load generator on the client core, and writing
# raw.tsv rows. Sourced by run.sh.

CLK_TCK=$(getconf CLK_TCK)

# cpu_ticks PID: user + system clock ticks of every thread of PID so far (/proc/PID/stat 14+15).
cpu_ticks() {
  local stat rest
  stat=$(< "/proc/$1/stat")
  rest=${stat##*) }            # fields from 3 on; the command name may hold spaces
  read -r -a f <<< "$rest"
  echo $(( f[11] + f[12] ))
}

ticks_to_seconds() { awk -v t="$1" -v hz="$CLK_TCK" 'BEGIN { printf "%.3f", t / hz }'; }

# rss_kib PID: resident set size now.
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# run_loadgen OUT CMD...: runs CMD pinned to the client core, bounded by LOADGEN_TIMEOUT seconds,
# its output in OUT. Sets LOADGEN_RC, LOADGEN_CPU_S (its user + system CPU, children included) and
# LOADGEN_WALL_S.
run_loadgen() {
  local out=$1; shift
  local stats
  stats=$(bash -c '
    out=$1 timeout_s=$2 cpu=$3; shift 3
    t0=$(date +%s%N)
    timeout "$timeout_s" taskset -c "$cpu" "$@" > "$out" 2>&1
    rc=$?
    t1=$(date +%s%N)
    read -r -a st < /proc/$$/stat
    echo "$rc $(( st[15] + st[16] )) $(( (t1 - t0) / 1000000 ))"' _ "$out" "$LOADGEN_TIMEOUT" "$CLIENT_CPU" "$@")
  read -r LOADGEN_RC cpu_ticks wall_ms <<< "$stats"
  LOADGEN_CPU_S=$(ticks_to_seconds "$cpu_ticks")
  LOADGEN_WALL_S=$(awk -v ms="$wall_ms" 'BEGIN { printf "%.3f", ms / 1000 }')
}

# row FIELD...: appends one line to raw.tsv (the header is Sample.header in the report module).
row() {
  local IFS=$'\t'
  echo "$*" >> "$RAW"
}

raw_header() {
  printf 'workload\tcase\tconns\tsize\tsystem\trun\trps\tp50_us\tp99_us\trequests\tserver_cpu_s\tloadgen_cpu_s\twall_s\trss_growth_kb\tidle_cpu_s\tmax_us\n' > "$RAW"
}

# wrk_micros VALUE: wrk's "1.23ms" / "870.00us" / "1.02s" in microseconds.
wrk_micros() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) m = 1; else if (v ~ /ms$/) m = 1000; else if (v ~ /s$/) m = 1000000; else m = 60000000
    sub(/[a-z]+$/, "", v); printf "%.1f", v * m }'
}
