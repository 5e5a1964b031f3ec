# `scripts/bench logs`: log ingestion and search, vigil against ClickHouse (Debian's
# clickhouse-server 18.16), with the floor of a plain compressed file beside them.
#
# bench/logs/log_gen writes 2M JSON lines (~315 B) of a small web-shop fleet (8 services,
# levels, trace ids, error codes, durations; bench/logs/log_workload.h) over 90 min, once as
# NDJSON (what vigil ingests) and once as ClickHouse JSONEachRow rows of the same lines
# (timestamp as integer ns, the rest of the fields in attr_keys/attr_values arrays).
# bench/logs/log_load sends a file in batches over keep-alive connections. Per system: lines/s
# and the server's CPU-µs per line during the load, its peak RSS during the load, on-disk
# bytes per line once persisted (vigil: <data>/logs after a flush; ClickHouse: the table's
# active parts after OPTIMIZE FINAL), then four searches, each once to warm up and $repeats
# times timed with curl (median):
#   needle     the lines of one trace_id
#   substring  lines containing "connection refused"
#   filter     error_code="PAYMENT_DECLINED" and duration_ms > 200
#   counts     lines per level per minute over the whole range
# The three line searches return the newest 100 matches (Loki's limit=100, direction=backward);
# for ClickHouse, runs.tsv also has the substring and filter as counts. Every answer is checked
# against what the generator counted; a wrong answer fails the benchmark. The floor: the
# NDJSON file compressed with `zstd -3 -T1` (size, compressor speed and CPU), and
# `zstdcat | grep -c` scans for the needle and the substring.
#
# ClickHouse 18.16 has no per-column CODEC (added in 19.x), so its zstd variant sets the
# server-wide <compression> method (zstd, level 3) instead; it has no DateTime64 either, so
# times are UInt64 ns. Each ClickHouse runs from its own config under $WORK, on loopback.
#
# Sourced by scripts/bench after bench/lib.sh, with ROOT, BUILD, WORK, quick, repeats and
# available (the systems: vigil, clickhouse) set. Environment: BENCH_LOGS_LINES (default 2M,
# --quick 100k), BENCH_SENDERS (connections, default 4), BENCH_LOGS_CH_BATCH (lines per
# ClickHouse insert, default 20000), BENCH_LOGS_VIGIL_BATCH (default 1000),
# BENCH_LOGS_CH_VARIANTS (default "lz4 zstd"), BENCH_LOGS_START_S (first timestamp; default:
# the hour 2-3 h ago).

GEN=$BUILD/bench/logs/log_gen
LLOAD=$BUILD/bench/logs/log_load
VIGIL=${VIGIL:-$BUILD/src/server/vigil}
quick=${quick:-0}
repeats=${repeats:-5}
if [[ $quick == 1 ]]; then lines=${BENCH_LOGS_LINES:-100000}; else lines=${BENCH_LOGS_LINES:-2000000}; fi
connections=${BENCH_SENDERS:-4}
ch_batch=${BENCH_LOGS_CH_BATCH:-20000}
vigil_batch=${BENCH_LOGS_VIGIL_BATCH:-1000}
ch_variants=${BENCH_LOGS_CH_VARIANTS:-lz4 zstd}
duration_s=5400

RUNS=$WORK/runs.tsv
TIMES=$WORK/query_times.tsv
ANSWER=$WORK/answer.out
printf 'system\tlines\tlines_per_s\tcpu_us_per_line\tpeak_rss_load\tpeak_rss_end\trss_after_load\tdisk_bytes\tdisk_bytes_per_line\tpersist_cpu_us\tneedle_ms\tsubstring_ms\tfilter_ms\tcounts_ms\tsubstring_count_ms\tfilter_count_ms\tchecks\tload1\n' >"$RUNS"
printf 'system\tquery\trepeat\tms\n' >"$TIMES"

for bin in "$GEN" "$LLOAD"; do
  [[ -x $bin ]] || { log "missing $bin: build log_gen and log_load first"; return 1; }
done

# ---- helpers --------------------------------------------------------------------------------
min100() { echo $(($1 < 100 ? $1 : 100)); }

# One row of $RUNS; empty arguments are figures a system does not have.
record() {  # system lines/s cpu peak_load peak_end rss_after disk persist needle substring filter counts substring_count filter_count
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$lines" \
    "$2" "$3" "$4" "$5" "$6" "$7" "$(ratio "$7" "$lines")" "$8" "$9" "${10}" "${11}" "${12}" \
    "${13}" "${14}" "${checks:-ok}" "$(cut -d' ' -f1 /proc/loadavg)" >>"$RUNS"
}

# ---- the workload -------------------------------------------------------------------------
# Starts on an hour 2-3 h ago, so the lines are recent for every system (retention, query
# defaults) and minute buckets are aligned.
start_s=${BENCH_LOGS_START_S:-$((($(date +%s) - 7200) / 3600 * 3600))}
NDJSON=$WORK/logs.ndjson
CHROWS=$WORK/logs.clickhouse.ndjson
SUMMARY=$WORK/logs-summary.json
log "generating $lines log lines (90 min from $(date -u -d "@$start_s" +%FT%TZ))"
"$GEN" --lines "$lines" --start-s "$start_s" --duration-s "$duration_s" --out "$NDJSON" \
  --clickhouse-out "$CHROWS" --summary "$SUMMARY" || { log "log_gen failed"; return 1; }
# The generated files are written back before any system is measured, so the first one does
# not share the disk and the kernel's writeback with them.
sync
needle=$(json_string needle_trace_id "$SUMMARY")
first_ns=$(json_field first_ns "$SUMMARY")
last_ns=$(json_field last_ns "$SUMMARY")
ndjson_bytes=$(json_field ndjson_bytes "$SUMMARY")
want_needle=$(json_field needle_lines "$SUMMARY")
want_substring=$(json_field substring_lines "$SUMMARY")
want_filter=$(json_field filter_lines "$SUMMARY")
want_groups=$(json_field level_minute_groups "$SUMMARY")
log "  $(ratio "$ndjson_bytes" "$lines" %.0f) bytes per line; needle trace $needle" \
  "($want_needle lines); $want_substring lines with \"connection refused\";" \
  "$want_filter PAYMENT_DECLINED over 200 ms"

# ---- the floor: zstd -3 and zstdcat | grep -------------------------------------------------
ZST=$WORK/logs.ndjson.zst
grep_count() {  # fixed string: prints the latency in ms, the count goes to $ANSWER
  local t0 t1
  t0=$(date +%s%N)
  { zstdcat "$ZST" | grep -c -F -- "$1" || true; } >"$ANSWER"
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f\n", (b - a) / 1e6}'
}
run_floor() {
  local times secs user sys zbytes needle_ms substring_ms
  # One thread, as one ingest core would have; wall and CPU time from bash's `time`.
  times=$({ TIMEFORMAT='%R %U %S'; time zstd -q -f -3 -T1 -o "$ZST" "$NDJSON"; } 2>&1) ||
    { log "zstd failed: $times"; return 1; }
  read -r secs user sys <<<"$times"
  zbytes=$(stat -c %s "$ZST")
  checks=""
  time_query floor needle grep_count "$needle"
  needle_ms=$qms
  check "grep needle" "$want_needle" "$(cat "$ANSWER")"
  time_query floor substring grep_count "connection refused"
  substring_ms=$qms
  check "grep substring" "$want_substring" "$(cat "$ANSWER")"
  record "zstd -3" "$(ratio "$lines" "$secs" %.0f)" \
    "$(awk -v u="$user" -v s="$sys" -v n="$lines" 'BEGIN {printf "%.3f", (u + s) * 1e6 / n}')" \
    "" "" "" "$zbytes" "" "$needle_ms" "$substring_ms" "" "" "" ""
  checks=""
  record "raw NDJSON" "" "" "" "" "" "$ndjson_bytes" "" "" "" "" "" "" ""
  log "floor: zstd -3 at $(ratio "$lines" "$secs" %.0f) lines/s, $(ratio "$zbytes" "$lines" %.1f)" \
    "B/line; zstdcat | grep: needle $needle_ms ms, substring $substring_ms ms"
  rm -f "$ZST"
}

# ---- ClickHouse ---------------------------------------------------------------------------
# A private server per variant (bench/lib.sh start_clickhouse); the zstd variant compresses
# every part with zstd.
CH_TABLE="CREATE TABLE logs (
  timestamp_ns UInt64,
  service String,
  env String,
  level String,
  message String,
  trace_id String,
  span_id String,
  error_code String,
  duration_ms Float64,
  http_method String,
  http_route String,
  status_code UInt16,
  attr_keys Array(String),
  attr_values Array(String)
) ENGINE = MergeTree() ORDER BY (service, timestamp_ns)"

run_clickhouse() {  # variant (lz4 | zstd)
  local variant=$1 sys=clickhouse dir
  [[ $variant == zstd ]] && sys=clickhouse-zstd
  dir=$(mktemp -d "$WORK/$sys.XXXX")
  start_clickhouse "$dir" "$variant" || return 1
  ch_sql "$CH_TABLE" >/dev/null || { stop_server; return 1; }
  checks=""
  log "$sys: loading $lines lines ($ch_batch per insert, $connections connections)"
  if ! "$LLOAD" --target "127.0.0.1:$ch_port" \
    --path "/?query=INSERT%20INTO%20logs%20FORMAT%20JSONEachRow" --content-type application/json \
    --file "$CHROWS" --batch-lines "$ch_batch" --connections "$connections" \
    --server-pid "$server_pid" >"$dir/load.json" 2>"$dir/load.err"; then
    log "$sys FAILED under load:"
    cat "$dir/load.err" >&2
    stop_server
    return 1
  fi
  check "row count" "$lines" "$(ch_sql "SELECT count() FROM logs")"

  # Persist: merge everything into one part (OPTIMIZE does nothing while a background merge
  # holds some of the parts, so retry until one active part is left), then count the files
  # of the active parts (replaced parts linger on disk for a few minutes; they are garbage).
  local cpu0 persist_cpu parts=0 paths=() disk
  local where_parts="database = 'default' AND table = 'logs' AND active"
  cpu0=$(cpu_us "$server_pid")
  for _ in $(seq 120); do
    ch_sql "OPTIMIZE TABLE logs FINAL" >/dev/null || true
    parts=$(ch_sql "SELECT count() FROM system.parts WHERE $where_parts")
    [[ $parts == 1 ]] && break
    sleep 1
  done
  persist_cpu=$(($(cpu_us "$server_pid") - cpu0))
  [[ $parts == 1 ]] || log "  $sys: still $parts active parts"
  mapfile -t paths < <(ch_sql "SELECT path FROM system.parts WHERE $where_parts")
  disk=$(file_bytes "${paths[@]}")

  # The searches return the newest 100 matching lines, as Loki's API does.
  local select="SELECT * FROM logs WHERE"
  local newest="ORDER BY timestamp_ns DESC LIMIT 100 FORMAT JSONEachRow"
  local filter="error_code = 'PAYMENT_DECLINED' AND duration_ms > 200"
  local needle_ms substring_ms filter_ms counts_ms sub_count_ms filter_count_ms
  time_query "$sys" needle ch_timed "$select trace_id = '$needle' $newest" ||
    { stop_server; return 1; }
  needle_ms=$qms
  check "needle rows" "$(min100 "$want_needle")" "$(wc -l <"$ANSWER")"
  time_query "$sys" substring ch_timed "$select message LIKE '%connection refused%' $newest" ||
    { stop_server; return 1; }
  substring_ms=$qms
  check "substring rows" "$(min100 "$want_substring")" "$(wc -l <"$ANSWER")"
  time_query "$sys" filter ch_timed "$select $filter $newest" || { stop_server; return 1; }
  filter_ms=$qms
  check "filter rows" "$(min100 "$want_filter")" "$(wc -l <"$ANSWER")"
  time_query "$sys" counts ch_timed "SELECT level, intDiv(timestamp_ns, 60000000000) AS minute,
    count() AS lines FROM logs WHERE timestamp_ns >= $first_ns AND timestamp_ns <= $last_ns
    GROUP BY level, minute ORDER BY minute, level FORMAT JSONEachRow" || { stop_server; return 1; }
  counts_ms=$qms
  check "counts groups" "$want_groups" "$(wc -l <"$ANSWER")"
  check "counts sum" "$lines" "$(grep -o '"lines":"\{0,1\}[0-9]*' "$ANSWER" | tr -dc '0-9\n' |
    awk '{s += $1} END {print s + 0}')"
  # The same filters as counts (what a UI shows beside the lines): in runs.tsv only.
  time_query "$sys" substring_count ch_timed \
    "SELECT count() FROM logs WHERE message LIKE '%connection refused%'" || { stop_server; return 1; }
  sub_count_ms=$qms
  check "substring count" "$want_substring" "$(cat "$ANSWER")"
  time_query "$sys" filter_count ch_timed "SELECT count() FROM logs WHERE $filter" ||
    { stop_server; return 1; }
  filter_count_ms=$qms
  check "filter count" "$want_filter" "$(cat "$ANSWER")"

  local peak_end j=$dir/load.json
  peak_end=$(vm_hwm "$server_pid")
  stop_server
  record "$sys" "$(json_field lines_per_second "$j")" "$(json_field server_cpu_us_per_line "$j")" \
    "$(json_field server_rss_peak_bytes "$j")" "$peak_end" \
    "$(json_field server_rss_after_bytes "$j")" "$disk" "$persist_cpu" "$needle_ms" \
    "$substring_ms" "$filter_ms" "$counts_ms" "$sub_count_ms" "$filter_count_ms"
  log "  $(awk -v r="$(json_field lines_per_second "$j")" -v c="$(json_field server_cpu_us_per_line "$j")" \
    -v p="$(json_field server_rss_peak_bytes "$j")" -v d="$disk" -v n="$lines" 'BEGIN {
    printf "%.0f lines/s, %.2f CPU-us/line, peak RSS %.0f MiB, %.1f B/line on disk", r, c, p / 1048576, d / n }');" \
    "needle $needle_ms ms, substring $substring_ms ms, filter $filter_ms ms, counts $counts_ms ms"
  rm -rf "$dir/data"
}

# ---- vigil --------------------------------------------------------------------------------
# vigil's JSON-lines ingest and logs flush, and Loki's query API.
VIGIL_INGEST=/api/v1/logs/ingest
VIGIL_FLUSH=/api/v1/admin/logs/flush
VIGIL_QUERY=/loki/api/v1/query_range
vigil_port=""
loki_timed() {  # logql [step]: prints the latency in ms, leaves the answer in $ANSWER
  local out code secs args=() end=$((last_ns + 1))
  if [[ -n ${2:-} ]]; then
    args=(--data-urlencode "step=$2")
    # Metric steps run from start by whole steps, each window (t - 1m, t]: end on a step at or
    # after the last line, so the windows cover every line once.
    local step_ns=$((${2%s} * 1000000000))
    end=$((first_ns + (last_ns - first_ns + step_ns - 1) / step_ns * step_ns))
  fi
  out=$(curl -sS -G -o "$ANSWER" -w '%{http_code} %{time_total}' \
    --data-urlencode "query=$1" --data-urlencode "start=$first_ns" \
    --data-urlencode "end=$end" --data-urlencode "limit=100" \
    --data-urlencode "direction=backward" "${args[@]}" \
    "http://127.0.0.1:$vigil_port$VIGIL_QUERY") || return 1
  read -r code secs <<<"$out"
  if [[ $code != 200 ]]; then
    log "vigil: HTTP $code for: $1"
    head -c 2000 "$ANSWER" >&2
    return 1
  fi
  awk -v s="$secs" 'BEGIN {printf "%.1f\n", s * 1000}'
}
# Entries of a streams answer: every value is ["<ns>","<line>"].
stream_entries() { grep -o '\[ *"[0-9]\{1,19\}" *, *"' "$ANSWER" | wc -l; }
# Sum of a matrix answer's values: [<seconds>,"<count>"].
matrix_sum() { grep -o ', *"[0-9]*" *\]' "$ANSWER" | tr -dc '0-9\n' | awk '{s += $1} END {print s + 0}'; }

run_vigil() {
  local sys=vigil dir code qcode
  if [[ ! -x $VIGIL ]]; then
    log "vigil: $VIGIL is not built: skipped"
    return 0
  fi
  dir=$(mktemp -d "$WORK/vigil.XXXX")
  vigil_port=$(free_port)
  start_server vigil "$dir" "$vigil_port" || return 1
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/x-ndjson' \
    --data-binary '' "http://127.0.0.1:$vigil_port$VIGIL_INGEST" || true)
  qcode=$(curl -s -o /dev/null -w '%{http_code}' -G --data-urlencode 'query={service=~".+"}' \
    "http://127.0.0.1:$vigil_port$VIGIL_QUERY" || true)
  if [[ $code == 404 || $qcode == 404 ]]; then
    log "vigil: logs endpoints not available"
    stop_server
    return 0
  fi
  checks=""
  log "$sys: loading $lines lines ($vigil_batch per request, $connections connections)"
  if ! "$LLOAD" --target "127.0.0.1:$vigil_port" --path "$VIGIL_INGEST" \
    --content-type application/x-ndjson --file "$NDJSON" --batch-lines "$vigil_batch" \
    --connections "$connections" --server-pid "$server_pid" >"$dir/load.json" 2>"$dir/load.err"; then
    log "$sys FAILED under load:"
    cat "$dir/load.err" >&2
    stop_server
    return 1
  fi
  local cpu0 persist_cpu disk
  cpu0=$(cpu_us "$server_pid")
  curl -sf -X POST "http://127.0.0.1:$vigil_port$VIGIL_FLUSH" >/dev/null ||
    log "  vigil: logs flush failed"
  persist_cpu=$(($(cpu_us "$server_pid") - cpu0))
  disk=$(file_bytes "$dir/data/logs")

  local all='{service=~".+"}'
  local needle_ms substring_ms filter_ms counts_ms
  time_query "$sys" needle loki_timed "$all | trace_id=\"$needle\"" || { stop_server; return 1; }
  needle_ms=$qms
  check "needle rows" "$(min100 "$want_needle")" "$(stream_entries)"
  time_query "$sys" substring loki_timed "$all |= \"connection refused\"" ||
    { stop_server; return 1; }
  substring_ms=$qms
  check "substring rows" "$(min100 "$want_substring")" "$(stream_entries)"
  time_query "$sys" filter loki_timed "$all | error_code=\"PAYMENT_DECLINED\" | duration_ms > 200" ||
    { stop_server; return 1; }
  filter_ms=$qms
  check "filter rows" "$(min100 "$want_filter")" "$(stream_entries)"
  time_query "$sys" counts loki_timed "sum by (level) (count_over_time($all[1m]))" 60s ||
    { stop_server; return 1; }
  counts_ms=$qms
  check "counts sum" "$lines" "$(matrix_sum)"

  local peak_end j=$dir/load.json
  peak_end=$(vm_hwm "$server_pid")
  stop_server
  record "$sys" "$(json_field lines_per_second "$j")" "$(json_field server_cpu_us_per_line "$j")" \
    "$(json_field server_rss_peak_bytes "$j")" "$peak_end" \
    "$(json_field server_rss_after_bytes "$j")" "$disk" "$persist_cpu" "$needle_ms" \
    "$substring_ms" "$filter_ms" "$counts_ms" "" ""
  log "  $(json_field lines_per_second "$j" | cut -d. -f1) lines/s; needle $needle_ms ms," \
    "substring $substring_ms ms, filter $filter_ms ms, counts $counts_ms ms"
  rm -rf "$dir/data"
}

# ---- run ----------------------------------------------------------------------------------
run_floor || failed=1
for sys in ${available[*]:-}; do
  case $sys in
    vigil) run_vigil || failed=1 ;;
    clickhouse)
      if ! command -v clickhouse-server >/dev/null; then
        log "clickhouse-server is not installed: skipped"
        continue
      fi
      for variant in $ch_variants; do run_clickhouse "$variant" || failed=1; done
      ;;
    *) log "logs: no runner for $sys: skipped" ;;
  esac
done
rm -f "$ANSWER" "$WORK/ch_sql.out" "$NDJSON" "$CHROWS"

# ---- the table ----------------------------------------------------------------------------
awk -F'\t' "$AWK_TABLE_FUNCTIONS"'
  NR > 1 {
    name = $1
    if (name == "clickhouse") name = "ClickHouse 18.16 (LZ4)"
    else if (name == "clickhouse-zstd") name = "ClickHouse 18.16 (zstd)"
    else if (name == "zstd -3") name = "floor: zstd -3 file, zstdcat \\| grep -c"
    else if (name == "raw NDJSON") name = "floor: raw NDJSON"
    if ($17 != "ok") name = name " (FAILED checks: " $17 ")"
    print_rows[++n] = "| " name " | " cell($3, "%.0f") " | " cell($4, "%.2f") " | " \
      cell($5 == "" ? "" : $5 / 1048576, "%.0f") " | " cell($9, "%.1f") " | " cell($11, "%.1f") \
      " | " cell($12, "%.1f") " | " cell($13, "%.1f") " | " cell($14, "%.1f") " |"
    for (c = 3; c <= 14; c++) v[$1, c] = $c
  }
  END {
    print "| system | lines/s | CPU-µs/line | peak RSS MiB | disk B/line | needle ms | substring ms | field filter ms | counts by level/min ms |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= n; i++) print print_rows[i]
    ratio_row("ClickHouse (LZ4)", "clickhouse", "3 4 5 9 11 12 13 14", " |")
    ratio_row("ClickHouse (zstd)", "clickhouse-zstd", "3 4 5 9 11 12 13 14", " |")
  }' "$RUNS"
echo
echo "$lines lines of $(ratio "$ndjson_bytes" "$lines" %.0f) B of JSON on average; peak RSS during" \
  "the load; query latencies: median of $repeats, client-side (curl), newest 100 matches."
echo "Per-run figures: $RUNS; every query latency: $TIMES (server logs beside them)."
[[ $failed == 0 ]] || { log "some runs failed (see above)"; return 1; }
