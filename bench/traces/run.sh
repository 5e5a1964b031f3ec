# `scripts/bench traces`: span ingestion, trace-by-id lookups and a trace search, vigil against
# ClickHouse (Debian's clickhouse-server 18.16) kept the way ClickHouse-based tracing stacks
# keep spans.
#
# bench/traces/span_gen writes 1M spans (~53k traces of 5-50 spans: a web shop's ten services,
# ~8 attributes per span, events on ~10%, ~3% errors; bench/traces/span_workload.h) starting
# over 30 min that ended 10 min ago, once as OTLP/HTTP protobuf requests of <=512 spans per
# service instance (what vigil ingests on POST /v1/traces) and once as ClickHouse JSONEachRow
# rows of two tables:
#   spans        one row per span (ids as hex, attributes as key/value arrays, times as UInt64
#                ns: 18.16 has no DateTime64), ORDER BY (service, start_ns)
#   trace_id_ts  one row per trace (trace_id, first start, last end), ORDER BY trace_id: the
#                lookup table that turns a trace id into a time range for the spans table
# Per system: spans/s and the server's CPU-seconds per million spans during the load (both
# ClickHouse tables count), its peak RSS, on-disk bytes per span once persisted (vigil: its
# traces folder after POST /api/v1/admin/traces/flush; ClickHouse: the active parts of both
# tables after OPTIMIZE FINAL), then
#   trace by id  1,000 random trace ids fetched one after another on one keep-alive connection
#                (bench/traces/trace_fetch), p50 and p99: vigil's GET /api/v1/traces/<id>;
#                for ClickHouse the lookup-table query, then the spans query within its range,
#                as Jaeger's and Grafana's ClickHouse backends do. Every answer's span count is
#                checked.
#   search       one service + one attribute + a min span duration over the whole range, the
#                newest 20 matching traces, once to warm up and $repeats times timed (median):
#                vigil's GET /api/v1/traces/search, which answers with a summary of each
#                trace; a GROUP BY trace_id over the spans table, which answers with ids, and
#                ("search + summaries") the same followed by a pass over the found traces'
#                spans that summarizes them as vigil does (start, duration, span and error
#                counts, services, root span).
#                The same search with limit 1000 must find, on both systems, the number of
#                traces the generator counted; a wrong answer fails the benchmark.
#
# ClickHouse 18.16 has no per-column CODEC, so its zstd variant sets the server-wide
# <compression> method (zstd, level 3); no data-skipping indexes either (no bloom filter on
# trace_id, as newer schemas have). Names, kinds and attribute keys are LowCardinality
# (allow_experimental_low_cardinality_type=1). Each ClickHouse runs from its own config under
# $WORK, on loopback.
#
# Sourced by scripts/bench after bench/lib.sh, with ROOT, BUILD, WORK, quick, repeats and
# available (the systems: vigil, clickhouse) set. Environment: BENCH_TRACES_SPANS (default 1M,
# --quick 50k), BENCH_SENDERS (connections, default 4), BENCH_TRACES_CH_BATCH (rows per
# ClickHouse insert, default 20000), BENCH_TRACES_CH_VARIANTS (default "lz4 zstd"),
# BENCH_TRACES_LOOKUPS (default 1000).

SGEN=$BUILD/bench/traces/span_gen
SLOAD=$BUILD/bench/traces/span_load
TFETCH=$BUILD/bench/traces/trace_fetch
LLOAD=$BUILD/bench/logs/log_load
VIGIL=${VIGIL:-$BUILD/src/server/vigil}
quick=${quick:-0}
repeats=${repeats:-5}
if [[ $quick == 1 ]]; then spans=${BENCH_TRACES_SPANS:-50000}; else spans=${BENCH_TRACES_SPANS:-1000000}; fi
connections=${BENCH_SENDERS:-4}
ch_batch=${BENCH_TRACES_CH_BATCH:-20000}
ch_variants=${BENCH_TRACES_CH_VARIANTS:-lz4 zstd}
lookups=${BENCH_TRACES_LOOKUPS:-1000}
duration_s=1800

RUNS=$WORK/runs.tsv
TIMES=$WORK/query_times.tsv
ANSWER=$WORK/answer.out
printf 'system\tspans\tspans_per_s\tcpu_us_per_span\tpeak_rss_load\tpeak_rss_end\trss_after_load\tdisk_bytes\tdisk_bytes_per_span\tpersist_cpu_us\tbyid_p50_ms\tbyid_p99_ms\tbyid_mean_ms\tsearch_ms\tsearch_traces\tchecks\tload1\tsearch_summaries_ms\n' >"$RUNS"
printf 'system\tquery\trepeat\tms\n' >"$TIMES"

for bin in "$SGEN" "$SLOAD" "$TFETCH" "$LLOAD"; do
  [[ -x $bin ]] || { log "missing $bin: build span_gen, span_load, trace_fetch and log_load first"; return 1; }
done

# ---- helpers --------------------------------------------------------------------------------
# One row of $RUNS; empty arguments are figures a system does not have.
record() {  # system spans/s cpu peak_load peak_end rss_after disk persist p50 p99 mean search_ms search_traces [summaries_ms]
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$spans" \
    "$2" "$3" "$4" "$5" "$6" "$7" "$(ratio "$7" "$spans")" "$8" "$9" "${10}" "${11}" "${12}" \
    "${13}" "${checks:-ok}" "$(cut -d' ' -f1 /proc/loadavg)" "${14:-}" >>"$RUNS"
}

# ---- the workload -------------------------------------------------------------------------
# Traces start over 30 min ending 10 min before generation: recent for every system (vigil
# accepts 14 days back, 10 min ahead) and complete.
start_s=${BENCH_TRACES_START_S:-$(($(date +%s) - 2400))}
OTLP=$WORK/spans.otlp
CHSPANS=$WORK/spans.clickhouse.ndjson
CHTRACES=$WORK/traces.clickhouse.ndjson
IDS=$WORK/trace_ids.tsv
SUMMARY=$WORK/traces-summary.json
log "generating $spans spans (traces starting over 30 min from $(date -u -d "@$start_s" +%FT%TZ))"
"$SGEN" --spans "$spans" --start-s "$start_s" --duration-s "$duration_s" --otlp-out "$OTLP" \
  --clickhouse-spans "$CHSPANS" --clickhouse-traces "$CHTRACES" --trace-ids "$IDS" \
  --sample "$lookups" --summary "$SUMMARY" || { log "span_gen failed"; return 1; }
# The generated files (about 1.5 GB) are written back before any system is measured, so the
# first one does not share the disk and the kernel's writeback with them.
sync
spans=$(json_field spans "$SUMMARY")
traces=$(json_field traces "$SUMMARY")
first_ns=$(json_field first_start_ns "$SUMMARY")
last_ns=$(json_field last_start_ns "$SUMMARY")
otlp_bytes=$(json_field otlp_bytes "$SUMMARY")
search_service=$(json_string search_service "$SUMMARY")
search_key=$(json_string search_attr_key "$SUMMARY")
search_value=$(json_string search_attr_value "$SUMMARY")
search_min_ms=$(json_field search_min_duration_ms "$SUMMARY")
want_search=$(json_field search_traces "$SUMMARY")
want_top=$((want_search < 20 ? want_search : 20))
log "  $traces traces, $(ratio "$spans" "$traces" %.1f) spans per trace," \
  "$(json_field attributes_per_span "$SUMMARY" | cut -c1-4) attributes per span," \
  "$(json_field error_spans "$SUMMARY") error spans; $(ratio "$otlp_bytes" "$spans" %.0f) B/span of OTLP;" \
  "search: service=$search_service $search_key=$search_value duration>=${search_min_ms}ms" \
  "matches $want_search traces"

# ---- ClickHouse ---------------------------------------------------------------------------
CH_SPANS_TABLE="CREATE TABLE spans (
  start_ns UInt64,
  trace_id String,
  span_id String,
  parent_span_id String,
  trace_state String,
  name LowCardinality(String),
  kind LowCardinality(String),
  service LowCardinality(String),
  resource_keys Array(LowCardinality(String)),
  resource_values Array(String),
  scope_name LowCardinality(String),
  scope_version LowCardinality(String),
  attr_keys Array(LowCardinality(String)),
  attr_values Array(String),
  duration_ns UInt64,
  status_code LowCardinality(String),
  status_message String,
  event_times Array(UInt64),
  event_names Array(String),
  event_attr_keys Array(Array(String)),
  event_attr_values Array(Array(String))
) ENGINE = MergeTree() ORDER BY (service, start_ns)"
CH_TRACES_TABLE="CREATE TABLE trace_id_ts (trace_id String, start_ns UInt64, end_ns UInt64)
  ENGINE = MergeTree() ORDER BY (trace_id, start_ns)"
CH_PROFILE="<allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>"

# The search as SQL: spans of the service with the attribute (a span attribute in this
# workload, as vigil matches span attributes first) lasting at least the min duration, grouped
# into traces, newest first.
ch_search_sql() {  # limit
  echo "SELECT trace_id, max(start_ns) AS newest FROM spans
    WHERE service = '$search_service' AND start_ns >= $first_ns AND start_ns <= $last_ns
      AND duration_ns >= $((search_min_ms * 1000000))
      AND attr_values[indexOf(attr_keys, '$search_key')] = '$search_value'
    GROUP BY trace_id ORDER BY newest DESC LIMIT $1"
}
# vigil's search answers with a summary of each trace (start, duration, span and error counts,
# services, root span): the same from ClickHouse takes a second pass over the spans of the
# found traces (within an hour of the range, as vigil looks).
ch_search_summaries_sql() {
  echo "SELECT trace_id, min(start_ns) AS start, max(start_ns + duration_ns) - start AS duration,
      count() AS spans, countIf(status_code = 'STATUS_CODE_ERROR') AS errors,
      groupUniqArray(service) AS services, argMin(service, start_ns) AS root_service,
      argMin(name, start_ns) AS root_name
    FROM spans
    WHERE trace_id IN (SELECT trace_id FROM ($(ch_search_sql 20)))
      AND start_ns >= $((first_ns - 3600000000000)) AND start_ns <= $((last_ns + 3600000000000))
    GROUP BY trace_id ORDER BY start DESC FORMAT TabSeparated"
}

ch_load() {  # dir table file: loads the rows, leaves log_load's JSON in dir/load-table.json
  if ! "$LLOAD" --target "127.0.0.1:$ch_port" \
    --path "/?query=INSERT%20INTO%20$2%20FORMAT%20JSONEachRow" --content-type application/json \
    --file "$3" --batch-lines "$ch_batch" --connections "$connections" \
    --server-pid "$server_pid" >"$1/load-$2.json" 2>"$1/load-$2.err"; then
    log "  loading $2 FAILED:"
    cat "$1/load-$2.err" >&2
    return 1
  fi
}

run_clickhouse() {  # variant (lz4 | zstd)
  local variant=$1 sys=clickhouse dir
  [[ $variant == zstd ]] && sys=clickhouse-zstd
  dir=$(mktemp -d "$WORK/$sys.XXXX")
  start_clickhouse "$dir" "$variant" "$CH_PROFILE" || return 1
  { ch_sql "$CH_SPANS_TABLE" && ch_sql "$CH_TRACES_TABLE"; } >/dev/null || { stop_server; return 1; }
  checks=""
  log "$sys: loading $spans spans and $traces trace rows ($ch_batch per insert, $connections connections)"
  ch_load "$dir" spans "$CHSPANS" && ch_load "$dir" trace_id_ts "$CHTRACES" || { stop_server; return 1; }
  check "span rows" "$spans" "$(ch_sql "SELECT count() FROM spans")"
  check "trace rows" "$traces" "$(ch_sql "SELECT count() FROM trace_id_ts")"
  local s=$dir/load-spans.json t=$dir/load-trace_id_ts.json
  local secs cpu rate cpu_per_span
  secs=$(awk -v a="$(json_field send_seconds "$s")" -v b="$(json_field send_seconds "$t")" 'BEGIN {print a + b}')
  cpu=$(($(json_field server_cpu_us "$s") + $(json_field server_cpu_us "$t")))
  rate=$(ratio "$spans" "$secs" %.0f)
  cpu_per_span=$(ratio "$cpu" "$spans" %.3f)

  # Persist: merge each table into one part (OPTIMIZE does nothing while a background merge
  # holds some of the parts, so retry until one active part per table is left), then count the
  # files of the active parts (replaced parts linger on disk for a few minutes; garbage).
  local cpu0 persist_cpu parts=0 paths=() disk
  local where_parts="database = 'default' AND table IN ('spans', 'trace_id_ts') AND active"
  cpu0=$(cpu_us "$server_pid")
  for _ in $(seq 300); do
    ch_sql "OPTIMIZE TABLE spans FINAL" >/dev/null || true
    ch_sql "OPTIMIZE TABLE trace_id_ts FINAL" >/dev/null || true
    parts=$(ch_sql "SELECT count() FROM system.parts WHERE $where_parts" || true)
    [[ $parts == 2 ]] && break
    sleep 1
  done
  persist_cpu=$(($(cpu_us "$server_pid") - cpu0))
  [[ $parts == 2 ]] || log "  $sys: still $parts active parts"
  mapfile -t paths < <(ch_sql "SELECT path FROM system.parts WHERE $where_parts")
  disk=$(file_bytes "${paths[@]}")

  local fetch=$dir/fetch.json
  log "  $sys: $lookups trace-by-id lookups"
  if ! "$TFETCH" --target "127.0.0.1:$ch_port" --system clickhouse --ids "$IDS" \
    --limit "$lookups" >"$fetch" 2>"$dir/fetch.err"; then
    log "  $sys: trace-by-id FAILED:"
    cat "$dir/fetch.err" >&2
    checks+="${checks:+,}trace_by_id"
    failed=1
  fi
  time_query "$sys" search ch_timed "$(ch_search_sql 20) FORMAT TabSeparated" ||
    { stop_server; return 1; }
  local search_ms=$qms summaries_ms found
  check "search top rows" "$want_top" "$(wc -l <"$ANSWER")"
  time_query "$sys" search_summaries ch_timed "$(ch_search_summaries_sql)" ||
    { stop_server; return 1; }
  summaries_ms=$qms
  check "search summaries" "$want_top" "$(wc -l <"$ANSWER")"
  ch_timed "$(ch_search_sql 1000) FORMAT TabSeparated" >/dev/null || { stop_server; return 1; }
  found=$(wc -l <"$ANSWER")
  check "search traces" "$want_search" "$found"

  local peak_end
  peak_end=$(vm_hwm "$server_pid")
  stop_server
  record "$sys" "$rate" "$cpu_per_span" "$(json_field server_rss_peak_bytes "$t")" "$peak_end" \
    "$(json_field server_rss_after_bytes "$t")" "$disk" "$persist_cpu" \
    "$(json_field p50_ms "$fetch")" "$(json_field p99_ms "$fetch")" "$(json_field mean_ms "$fetch")" \
    "$search_ms" "$found" "$summaries_ms"
  log "  $rate spans/s, $cpu_per_span CPU-s per 1M spans, $(ratio "$disk" "$spans" %.1f) B/span;" \
    "by id p50 $(ratio "$(json_field p50_ms "$fetch")" 1) ms p99 $(ratio "$(json_field p99_ms "$fetch")" 1) ms;" \
    "search $search_ms ms, with summaries $summaries_ms ms ($found traces)"
  rm -rf "$dir/data"
}

# ---- vigil --------------------------------------------------------------------------------
VIGIL_FLUSH=/api/v1/admin/traces/flush
VIGIL_SEARCH=/api/v1/traces/search
vigil_port=""
vigil_search() {  # limit: prints the latency in ms, leaves the answer in $ANSWER
  local out code secs
  out=$(curl -sS -G -o "$ANSWER" -w '%{http_code} %{time_total}' \
    --data-urlencode "service=$search_service" --data-urlencode "attr=$search_key=$search_value" \
    --data-urlencode "min_duration=${search_min_ms}ms" --data-urlencode "limit=$1" \
    --data-urlencode "start=$first_ns" --data-urlencode "end=$last_ns" \
    "http://127.0.0.1:$vigil_port$VIGIL_SEARCH") || return 1
  read -r code secs <<<"$out"
  if [[ $code != 200 ]]; then
    log "vigil: HTTP $code for the search"
    head -c 2000 "$ANSWER" >&2
    return 1
  fi
  awk -v s="$secs" 'BEGIN {printf "%.1f\n", s * 1000}'
}
answer_traces() { { grep -o '"trace_id":"' "$ANSWER" || true; } | wc -l; }

run_vigil() {
  local sys=vigil dir code
  if [[ ! -x $VIGIL ]]; then
    log "vigil: $VIGIL is not built: skipped"
    return 0
  fi
  dir=$(mktemp -d "$WORK/vigil.XXXX")
  vigil_port=$(free_port)
  start_server vigil "$dir" "$vigil_port" || return 1
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$vigil_port$VIGIL_SEARCH" || true)
  if [[ $code == 404 ]]; then
    log "vigil: trace endpoints not available"
    stop_server
    return 0
  fi
  checks=""
  log "$sys: loading $spans spans ($(json_field requests "$SUMMARY") OTLP requests, $connections connections)"
  if ! "$SLOAD" --target "127.0.0.1:$vigil_port" --file "$OTLP" --connections "$connections" \
    --server-pid "$server_pid" >"$dir/load.json" 2>"$dir/load.err"; then
    log "$sys FAILED under load:"
    cat "$dir/load.err" >&2
    stop_server
    return 1
  fi
  check "spans sent" "$spans" "$(json_field spans "$dir/load.json")"
  local cpu0 persist_cpu disk segments
  cpu0=$(cpu_us "$server_pid")
  if ! curl -sf -X POST "http://127.0.0.1:$vigil_port$VIGIL_FLUSH" >/dev/null; then
    log "  vigil: traces flush failed"
    checks+="${checks:+,}flush"
    failed=1
  fi
  persist_cpu=$(($(cpu_us "$server_pid") - cpu0))
  disk=$(file_bytes "$dir/data/traces")
  segments=$(file_bytes "$dir/data/traces/segments")
  log "  vigil: $(ratio "$disk" "$spans" %.1f) B/span in data/traces," \
    "$(ratio "$segments" "$spans" %.1f) in its segments"

  local fetch=$dir/fetch.json
  log "  $sys: $lookups trace-by-id lookups"
  if ! "$TFETCH" --target "127.0.0.1:$vigil_port" --system vigil --ids "$IDS" \
    --limit "$lookups" >"$fetch" 2>"$dir/fetch.err"; then
    log "  $sys: trace-by-id FAILED:"
    cat "$dir/fetch.err" >&2
    checks+="${checks:+,}trace_by_id"
    failed=1
  fi
  time_query "$sys" search vigil_search 20 || { stop_server; return 1; }
  local search_ms=$qms found
  check "search top traces" "$want_top" "$(answer_traces)"
  vigil_search 1000 >/dev/null || { stop_server; return 1; }
  found=$(answer_traces)
  check "search traces" "$want_search" "$found"

  local peak_end j=$dir/load.json
  peak_end=$(vm_hwm "$server_pid")
  stop_server
  record "$sys" "$(json_field spans_per_second "$j" | cut -d. -f1)" \
    "$(json_field server_cpu_us_per_span "$j")" "$(json_field server_rss_peak_bytes "$j")" \
    "$peak_end" "$(json_field server_rss_after_bytes "$j")" "$disk" "$persist_cpu" \
    "$(json_field p50_ms "$fetch")" "$(json_field p99_ms "$fetch")" "$(json_field mean_ms "$fetch")" \
    "$search_ms" "$found"
  log "  $(json_field spans_per_second "$j" | cut -d. -f1) spans/s," \
    "$(json_field server_cpu_us_per_span "$j" | cut -c1-5) CPU-s per 1M spans;" \
    "by id p50 $(ratio "$(json_field p50_ms "$fetch")" 1) ms p99 $(ratio "$(json_field p99_ms "$fetch")" 1) ms;" \
    "search $search_ms ms ($found traces)"
  rm -rf "$dir/data"
}

# ---- run ----------------------------------------------------------------------------------
for sys in ${available[*]:-}; do
  case $sys in
    vigil) run_vigil || failed=1 ;;
    clickhouse)
      for variant in $ch_variants; do run_clickhouse "$variant" || failed=1; done
      ;;
    *) log "traces: no runner for $sys: skipped" ;;
  esac
done
rm -f "$ANSWER" "$WORK/ch_sql.out" "$OTLP" "$CHSPANS" "$CHTRACES"

# ---- the table ----------------------------------------------------------------------------
awk -F'\t' "$AWK_TABLE_FUNCTIONS"'
  NR > 1 {
    name = $1
    if (name == "clickhouse") name = "ClickHouse 18.16 (LZ4)"
    else if (name == "clickhouse-zstd") name = "ClickHouse 18.16 (zstd)"
    if ($16 != "ok") name = name " (FAILED checks: " $16 ")"
    if ($1 == "vigil") $18 = $14  # vigil'"'"'s search already answers with summaries
    rows[++n] = "| " name " | " cell($3, "%.0f") " | " cell($4, "%.2f") " | " \
      cell($5 == "" ? "" : $5 / 1048576, "%.0f") " | " cell($9, "%.1f") " | " cell($11, "%.2f") \
      " | " cell($12, "%.2f") " | " cell($14, "%.1f") " | " cell($18, "%.1f") " | " cell($15, "%d") " |"
    for (c = 3; c <= 18; c++) v[$1, c] = $c
  }
  END {
    print "| system | spans/s | CPU-s per 1M spans | peak RSS MiB | disk B/span | by id p50 ms | by id p99 ms | search ms | search + summaries ms | search traces |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= n; i++) print rows[i]
    ratio_row("ClickHouse (LZ4)", "clickhouse", "3 4 5 9 11 12 14 18", " | |")
    ratio_row("ClickHouse (zstd)", "clickhouse-zstd", "3 4 5 9 11 12 14 18", " | |")
  }' "$RUNS"
echo
echo "$spans spans in $traces traces; $(ratio "$otlp_bytes" "$spans" %.0f) B/span as OTLP protobuf." \
  "Peak RSS during the load; by id: $lookups random traces, one at a time; search:" \
  "service=$search_service, $search_key=$search_value, span duration >= ${search_min_ms}ms," \
  "newest 20 traces, median of $repeats (client-side, curl); vigil answers with each trace's" \
  "summary, ClickHouse with trace ids (search) or with summaries from a second pass over the" \
  "found traces' spans (search + summaries); search traces: the same search with limit 1000" \
  "(expected $want_search)."
echo "Per-run figures: $RUNS; every search latency: $TIMES (server logs beside them)."
# The systems must agree on the search (each was also checked against the generator's count).
found_all=$(awk -F'\t' 'NR > 1 && $15 != "" {printf "%s%s %s", sep, $1, $15; sep = ", "}' "$RUNS")
echo "Search matches: ${found_all:-none} (expected $want_search)."
if [[ $(awk -F'\t' 'NR > 1 && $15 != "" {print $15}' "$RUNS" | sort -u | wc -l) -gt 1 ]]; then
  log "SEARCH MISMATCH between systems: $found_all"
  failed=1
fi
[[ $failed == 0 ]] || { log "some runs failed (see above)"; return 1; }
