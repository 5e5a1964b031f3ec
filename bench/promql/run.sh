# `scripts/bench promql`: dashboard query latency and memory (what is measured: see
# scripts/bench). Sourced by scripts/bench after bench/lib.sh, with LOAD, QUERY, VIGIL, WORK,
# repeats, senders and available set.

RESULTS=$WORK/promql.tsv
printf 'system\tquery\trange\tmedian_ms\tmin_ms\tseries\tpoints\tpeak_rss\n' >"$RESULTS"
warn_busy_ports

series=${BENCH_PROMQL_SERIES:-10000}
samples=${BENCH_PROMQL_SAMPLES:-5760}  # 24 h at 15 s
# Every system gets the same data: the same workload ending at the same time.
end_ms=$((($(date +%s) - 600) * 1000))

# Waits until a system has put the loaded data where it stays, so queries do not race the
# background work that follows a bulk load: vigil and Prometheus persist all but the last
# 2-3 h of their head into blocks (their head's minTime moves up) and then merge blocks;
# VictoriaMetrics flushes its buffers and merges parts. Done when the data folder has not
# changed for 10 s (and, for the first two, the head has been compacted).
settle() {  # system port datadir
  local sys=$1 port=$2 data=$3 i head_min
  if [[ $sys == victoria-metrics ]]; then
    curl -sf "http://127.0.0.1:$port/internal/force_flush" >/dev/null
  else
    for i in $(seq 300); do
      head_min=$(curl -sf "http://127.0.0.1:$port/api/v1/status/tsdb" |
        sed -n 's/.*"headStats":{[^}]*"minTime":\(-\{0,1\}[0-9]*\).*/\1/p')
      [[ -n $head_min && $head_min -ge $((end_ms - 4 * 3600 * 1000)) ]] && break
      sleep 1
    done
  fi
  local prev="" cur stable=0
  for i in $(seq 300); do
    sleep 1
    cur=$(find "$data" -type f -printf '%p %s\n' 2>/dev/null | sort | md5sum)
    if [[ $cur == "$prev" ]]; then stable=$((stable + 1)); else stable=0; fi
    [[ $stable -ge 10 ]] && return 0
    prev=$cur
  done
  log "$sys: data still changing after 300 s"
}

query_one() {  # system
  local sys=$1 dir port args=()
  dir=$(mktemp -d "$WORK/promql-$sys.XXXX")
  port=$(free_port)
  # VictoriaMetrics caches query results and, by default, hides the last 30 s: both off, so
  # it computes every answer over all the data like the others.
  [[ $sys == victoria-metrics ]] && args=(-search.disableCache -search.latencyOffset=0s)
  start_server "$sys" "$dir" "$port" "${args[@]}" || return 1
  log "$sys: loading $series series x $samples samples"
  if ! "$LOAD" --target "127.0.0.1:$port" --series "$series" --samples "$samples" \
    --end-ms "$end_ms" --samples-per-series-per-request 60 --max-round-lead 2 \
    --senders "$senders" \
    >"$dir/load.json" 2>"$dir/load.err"; then
    log "$sys FAILED under load:"
    cat "$dir/load.err" >&2
    stop_server
    return 1
  fi
  settle "$sys" "$port" "$dir/data"
  log "$sys: $(json_field samples_per_second "$dir/load.json" | cut -d. -f1) samples/s; querying"
  if ! "$QUERY" --target "127.0.0.1:$port" --end-ms "$end_ms" --repeats "$repeats" \
    --server-pid "$server_pid" >"$dir/query.jsonl" 2>"$dir/query.err"; then
    log "$sys FAILED a query:"
    cat "$dir/query.err" >&2
    stop_server
    return 1
  fi
  stop_server
  local peak
  peak=$(json_field peak_rss_bytes "$dir/query.jsonl")
  grep '"query"' "$dir/query.jsonl" | while read -r line; do
    local q r
    q=$(sed -n 's/.*"query":"\([^"]*\)".*/\1/p' <<<"$line")
    r=$(sed -n 's/.*"range":"\([^"]*\)".*/\1/p' <<<"$line")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sys" "$q" "$r" \
      "$(json_field median_ms <(echo "$line"))" "$(json_field min_ms <(echo "$line"))" \
      "$(json_field series <(echo "$line"))" "$(json_field points <(echo "$line"))" "$peak"
  done >>"$RESULTS"
  rm -rf "$dir/data"
}

failed=0
for sys in "${available[@]}"; do
  query_one "$sys" || failed=1
done

# One row per query and range: median latency per system, then vigil's ratios; the result
# size is vigil's (a peer returning a different number of series is flagged with "≠").
# vigil-serial (vigil with query.parallelism: 1) gets its own column when it was run.
awk -F'\t' '
  NR > 1 {
    key = $2 " (" $3 ")"
    if (!(key in seen)) { seen[key] = 1; keys[++n] = key }
    ms[key, $1] = $4; ser[key, $1] = $6; peak[$1] = $8; has[$1] = 1
  }
  function cell(k, s) { return (k, s) in ms ? sprintf("%.1f", ms[k, s]) : "–" }
  function ratio(k, a, b) {
    return ((k, a) in ms && (k, b) in ms && ms[k, b] > 0) ? sprintf("%.2f×", ms[k, a] / ms[k, b]) : "–"
  }
  END {
    serial = has["vigil-serial"]
    head = "| query (range) | series | vigil ms |" (serial ? " vigil 1 thread ms |" : "")
    head = head " Prometheus ms | VictoriaMetrics ms | vigil / Prometheus |"
    head = head (serial ? " vigil 1 thread / Prometheus |" : "") " vigil / VictoriaMetrics |"
    print head
    print "|---|---:|---:|" (serial ? "---:|---:|" : "") "---:|---:|---:|---:|"
    for (i = 1; i <= n; i++) {
      k = keys[i]
      flag = ""
      if ((k, "prometheus") in ser && ser[k, "prometheus"] != ser[k, "vigil"]) flag = " ≠Prometheus " ser[k, "prometheus"]
      if ((k, "victoria-metrics") in ser && ser[k, "victoria-metrics"] != ser[k, "vigil"]) flag = flag " ≠VM " ser[k, "victoria-metrics"]
      line = "| " k " | " ser[k, "vigil"] flag " | " cell(k, "vigil") " |"
      if (serial) line = line " " cell(k, "vigil-serial") " |"
      line = line " " cell(k, "prometheus") " | " cell(k, "victoria-metrics") " | " ratio(k, "vigil", "prometheus") " |"
      if (serial) line = line " " ratio(k, "vigil-serial", "prometheus") " |"
      print line " " ratio(k, "vigil", "victoria-metrics") " |"
    }
    line = "| peak RSS while querying (MiB) | |"
    split("vigil vigil-serial prometheus victoria-metrics", order, " ")
    for (j = 1; j <= 4; j++) {
      if (order[j] == "vigil-serial" && !serial) continue
      line = line (has[order[j]] ? sprintf(" %.0f |", peak[order[j]] / 1048576) : " – |")
    }
    print line
  }' "$RESULTS"
echo
echo "Per-query figures: $RESULTS (server logs and client reports beside it)."
[[ $failed == 0 ]] || { log "some runs failed (see above)"; exit 1; }
