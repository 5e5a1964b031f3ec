# `scripts/bench metrics`: remote_write ingestion into each system (what is measured: see
# scripts/bench). Sourced by scripts/bench after bench/lib.sh, with LOAD, VIGIL, WORK,
# repeats, senders, workloads and available set.

RUNS=$WORK/runs.tsv
printf 'workload\tsystem\trepeat\tseries\tsamples\tsamples_per_s\tcpu_us_per_sample\tpeak_rss\trss_after\trss_before\tdisk_bytes\tdisk_sample_bytes\tpersist_cpu_us\tload1\n' >"$RUNS"

# What persist_and_measure found.
disk_total=0
disk_samples=0
cpu_persist=0

warn_busy_ports

# Persists what the server holds and sets disk_total and disk_samples to the bytes of the
# persisted data (all of it, and the sample data without the series index), and cpu_persist
# to the server's CPU-µs spent persisting. Stops the server.
persist_and_measure() {  # system port datadir
  local sys=$1 port=$2 data=$3 cpu0
  cpu0=$(cpu_us "$server_pid")
  case $sys in
    vigil)
      # The head becomes a block under metrics/<block id>/ (index, chunks/, meta); the WAL
      # is not counted.
      curl -sf -X POST "http://127.0.0.1:$port/api/v1/admin/tsdb/flush" >/dev/null ||
        { log "vigil flush failed"; return 1; }
      cpu_persist=$(($(cpu_us "$server_pid") - cpu0))
      local blocks=()
      for d in "$data"/metrics/*/; do
        [[ -f $d/index ]] && blocks+=("$d")
      done
      [[ ${#blocks[@]} -gt 0 ]] || { log "vigil wrote no block"; return 1; }
      disk_total=$(file_bytes "${blocks[@]}")
      disk_samples=$(file_bytes "${blocks[@]/%/chunks}")
      stop_server
      ;;
    prometheus)
      # A snapshot including the head writes the head as one block (index, chunks/, meta.json,
      # tombstones) under snapshots/<name>/; the WAL is not counted.
      local resp name
      resp=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/admin/tsdb/snapshot?skip_head=false")
      name=$(sed -n 's/.*"name":"\([^"]*\)".*/\1/p' <<<"$resp")
      [[ -n $name ]] || { log "prometheus snapshot failed: $resp"; return 1; }
      cpu_persist=$(($(cpu_us "$server_pid") - cpu0))
      disk_total=$(file_bytes "$data/snapshots/$name")
      disk_samples=$(file_bytes "$data/snapshots/$name"/*/chunks)
      stop_server
      ;;
    victoria-metrics)
      # force_flush turns buffered rows into in-memory parts; VictoriaMetrics writes them to
      # disk parts on its own a few seconds later, merging as it goes. Wait until data/ holds
      # parts and its size has not changed for 3 s (at most 60 s), then stop the server
      # gracefully (it writes whatever is left) and count data/ (small and big parts:
      # timestamps, values, per-part block index) plus indexdb/ (the series index).
      curl -sf "http://127.0.0.1:$port/internal/force_flush" >/dev/null ||
        { log "victoria-metrics force_flush failed"; return 1; }
      local prev=-1 cur stable=0
      for _ in $(seq 60); do
        sleep 1
        cur=$(file_bytes "$data/data")
        if [[ $cur == "$prev" && $cur -gt 0 ]]; then
          stable=$((stable + 1))
          [[ $stable -ge 3 ]] && break
        else
          stable=0
        fi
        prev=$cur
      done
      cpu_persist=$(($(cpu_us "$server_pid") - cpu0))
      stop_server
      disk_total=$(file_bytes "$data/data" "$data/indexdb")
      disk_samples=$(file_bytes "$data/data")
      ;;
  esac
}

run_one() {  # workload series samples system repeat
  local wl=$1 series=$2 samples=$3 sys=$4 rep=$5
  local dir port
  dir=$(mktemp -d "$WORK/$wl-$sys-$rep.XXXX")
  port=$(free_port)
  local serverlog=$dir/server.log
  start_server "$sys" "$dir" "$port" || return 1
  local load1
  load1=$(cut -d' ' -f1 /proc/loadavg)
  log "[$wl $rep/$repeats] $sys: sending $series series x $samples samples (load average $load1)"
  if ! "$LOAD" --target "127.0.0.1:$port" --series "$series" --samples "$samples" \
    --senders "$senders" --server-pid "$server_pid" >"$dir/load.json" 2>"$dir/load.err"; then
    log "$sys FAILED under load:"
    cat "$dir/load.err" >&2
    tail -5 "$serverlog" >&2
    stop_server
    return 1
  fi
  if ! persist_and_measure "$sys" "$port" "$dir/data"; then
    stop_server
    return 1
  fi
  local j=$dir/load.json
  local n rate cpu peak after before
  n=$(json_field samples "$j")
  rate=$(json_field samples_per_second "$j")
  cpu=$(json_field server_cpu_us_per_sample "$j")
  peak=$(json_field server_rss_peak_bytes "$j")
  after=$(json_field server_rss_after_bytes "$j")
  before=$(json_field server_rss_before_bytes "$j")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$wl" "$sys" "$rep" \
    "$series" "$n" "$rate" "$cpu" "$peak" "$after" "$before" "$disk_total" "$disk_samples" \
    "$cpu_persist" "$load1" >>"$RUNS"
  log "$(awk -v r="$rate" -v c="$cpu" -v p="$peak" -v t="$disk_total" -v n="$n" 'BEGIN {
    printf "  %.0f samples/s, %.2f CPU-us/sample, peak RSS %.0f MiB, %.2f B/sample on disk",
      r, c, p / 1048576, t / n }')"
  rm -rf "$dir/data"
}

failed=0
for w in "${workloads[@]}"; do
  read -r wl series samples <<<"$w"
  for rep in $(seq "$repeats"); do
    for sys in "${available[@]}"; do
      run_one "$wl" "$series" "$samples" "$sys" "$rep" || failed=1
    done
  done
done

# ---- the table: medians over repeats, then vigil/peer ratios -------------------------------
awk -F'\t' -v peers="${available[*]}" '
  function median(key, col,   n, i, j, t, a) {
    n = split(vals[key, col], a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
      t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
    }
    if (n == 0) return ""
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  function metric(key, m) {
    if (m == 1) return median(key, 6)                           # samples/s
    if (m == 2) return median(key, 7)                           # CPU-us per sample
    if (m == 3) return median(key, 8) / 1048576                 # peak RSS MiB
    if (m == 4) return median(key, 9) / series[key]             # RSS bytes per series
    if (m == 5) return median(key, 11) / samples[key]           # disk bytes per sample
    if (m == 6) return median(key, 12) / samples[key]           # of which sample data
  }
  function fmt(m, v) {
    if (m == 1) return v >= 1e6 ? sprintf("%.2fM", v / 1e6) : sprintf("%.0fk", v / 1e3)
    if (m == 3 || m == 4) return sprintf("%.0f", v)
    return sprintf("%.2f", v)
  }
  NR > 1 {
    key = $1 SUBSEP $2
    if (!(key in series)) { order[++nkeys] = key; series[key] = $4; samples[key] = $5 }
    for (c = 6; c <= 12; c++) vals[key, c] = vals[key, c] " " $c
    if (!($1 in seenwl)) { seenwl[$1] = 1; wls[++nwl] = $1; desc[$1] = $4 " series x " $5 / $4 " samples" }
    runs[key]++
  }
  END {
    print "| workload | system | samples/s | CPU-µs/sample | peak RSS MiB | RSS B/series | disk B/sample | of which samples B/sample |"
    print "|---|---|---:|---:|---:|---:|---:|---:|"
    short["victoria-metrics"] = "VM"; short["prometheus"] = "Prometheus"; short["vigil"] = "vigil"
    for (w = 1; w <= nwl; w++) {
      for (k = 1; k <= nkeys; k++) {
        split(order[k], p, SUBSEP)
        if (p[1] != wls[w]) continue
        line = "| " wls[w] " (" desc[wls[w]] ") | " p[2] (runs[order[k]] > 1 ? " (median of " runs[order[k]] ")" : "")
        for (m = 1; m <= 6; m++) line = line " | " fmt(m, metric(order[k], m))
        print line " |"
      }
      vk = wls[w] SUBSEP "vigil"
      if (!(vk in series)) continue
      for (q = 1; q <= 2; q++) {
        peer = q == 1 ? "victoria-metrics" : "prometheus"
        pk = wls[w] SUBSEP peer
        if (!(pk in series)) continue
        line = "| " wls[w] " | **vigil / " short[peer] "**"
        for (m = 1; m <= 6; m++) {
          a = metric(vk, m); b = metric(pk, m)
          line = line " | " (b > 0 ? sprintf("%.2f×", a / b) : "–")
        }
        print line " |"
      }
    }
  }' "$RUNS"
echo
echo "Per-run figures: $RUNS (server logs and load reports beside it)."
[[ $failed == 0 ]] || { log "some runs failed (see above)"; exit 1; }
