# Shared by the benchmark runners (bench/*/run.sh): starting peers on loopback, waiting for
# them, reading their CPU time and sizes from /proc and the file system. Sourced, not run.
# server_pid is the server being measured; cleanup stops it on any exit.

log() { echo "bench: $*" >&2; }

server_pid=""
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    sleep 1
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

warn_busy_ports() {
  for port in 9090 8428; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      log "WARNING: something listens on port $port (a packaged prometheus/victoria-metrics service?);" \
        "it shares the CPU with the measured server"
    fi
  done
}

free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# Sum of the sizes of regular files under the given paths (apparent bytes, not blocks).
file_bytes() {
  local total=0
  if [[ $# -gt 0 ]]; then
    total=$(find "$@" -type f -printf '%s\n' 2>/dev/null | awk '{s += $1} END {printf "%d", s}')
  fi
  echo "${total:-0}"
}

json_field() { sed -n "s/.*\"$1\":\([-0-9.eE+]*\).*/\1/p" "$2"; }

wait_ready() {  # url pid log
  for _ in $(seq 600); do
    if curl -sf -o /dev/null "$1"; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then
      log "server exited during startup; last lines of $3:"
      tail -20 "$3" >&2
      return 1
    fi
    sleep 0.1
  done
  log "server not ready after 60 s: $1"
  return 1
}

stop_server() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 200); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# CPU time of a process so far, in microseconds (utime + stime of /proc/<pid>/stat).
cpu_us() {
  sed 's/.*) //' "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($12 + $13) * 1000000 / hz}'
}


# Starts one system on 127.0.0.1:port with its data in dir/data and waits until it is ready;
# sets server_pid. Extra arguments go to the server's command line.
start_server() {  # system dir port [args...]
  local sys=$1 dir=$2 port=$3 ready
  shift 3
  local serverlog=$dir/server.log
  case $sys in
    vigil)
      "$VIGIL" server --data-dir "$dir/data" --http.listen "127.0.0.1:$port" \
        --otlp.grpc.listen off --otlp.http.listen off "$@" >"$serverlog" 2>&1 &
      ready=/-/ready ;;
    vigil-serial)  # vigil evaluating each query on one thread, as Prometheus does
      printf 'query:\n  parallelism: 1\n' >"$dir/vigil.yml"
      "$VIGIL" server --config "$dir/vigil.yml" --data-dir "$dir/data" \
        --http.listen "127.0.0.1:$port" --otlp.grpc.listen off --otlp.http.listen off "$@" \
        >"$serverlog" 2>&1 &
      ready=/-/ready ;;
    prometheus)
      printf 'global:\n  scrape_interval: 15s\n' >"$dir/prometheus.yml"
      prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
        --web.listen-address="127.0.0.1:$port" --web.enable-remote-write-receiver \
        --web.enable-admin-api --log.level=warn "$@" >"$serverlog" 2>&1 &
      ready=/-/ready ;;
    victoria-metrics)
      victoria-metrics -storageDataPath="$dir/data" -httpListenAddr="127.0.0.1:$port" \
        -retentionPeriod=100y -loggerLevel=WARN "$@" >"$serverlog" 2>&1 &
      ready=/health ;;
  esac
  server_pid=$!
  wait_ready "http://127.0.0.1:$port$ready" "$server_pid" "$serverlog" || { stop_server; return 1; }
}

# The systems of the list that are installed (vigil always is: it was just built).
available_systems() {  # "vigil prometheus victoria-metrics"
  local sys out=()
  for sys in $1; do
    case $sys in
      vigil | vigil-serial) out+=("$sys") ;;
      prometheus | victoria-metrics)
        if command -v "$sys" >/dev/null; then out+=("$sys"); else log "$sys is not installed: skipped"; fi ;;
      clickhouse)
        if command -v clickhouse-server >/dev/null; then out+=("$sys"); else log "$sys is not installed: skipped"; fi ;;
      *) log "unknown system $sys"; return 2 ;;
    esac
  done
  echo "${out[*]}"
}

# ---- small helpers shared by the runners ------------------------------------------------------
median() {
  sort -g | awk '{a[NR] = $1} END {
    if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN {if (b > 0) printf f, a / b}'; }
vm_hwm() { awk '/^VmHWM:/ {printf "%d", $2 * 1024}' "/proc/$1/status"; }
json_string() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$2"; }

# ---- answers and timed queries, for the runners ----------------------------------------------
# Answers that differ from what the generator counted are listed in the run's checks column
# and fail the benchmark (after the table).
checks=""
failed=0
check() {  # what expected got
  if [[ $2 != "$3" ]]; then
    log "  CHECK FAILED: $1: expected $2, got $3"
    checks+="${checks:+,}${1// /_}"
    failed=1
  fi
}

# Runs `fn args...` (prints its latency in ms, leaves the answer in $ANSWER) once to warm up,
# then $repeats times; sets qms to the median and logs every latency in $TIMES. The runner
# sets ANSWER (a file under $WORK).
qms=""
time_query() {  # system query fn args...
  local sys=$1 q=$2 rep ms samples=()
  shift 2
  "$@" >/dev/null || return 1
  for rep in $(seq "$repeats"); do
    ms=$("$@") || return 1
    samples+=("$ms")
    printf '%s\t%s\t%s\t%s\n' "$sys" "$q" "$rep" "$ms" >>"$TIMES"
  done
  qms=$(printf '%s\n' "${samples[@]}" | median)
}

# ---- ClickHouse (Debian's clickhouse-server 18.16) ------------------------------------------
# A private server: its own config and data folder, loopback only, the given ports, warnings-only
# logs, no system log tables. compression: lz4 (ClickHouse's default) or zstd, set server-wide
# with <compression> (18.16 has no per-column CODEC). profile_xml: extra settings of the default
# profile, e.g. <allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>.
write_clickhouse_server_config() {  # dir http_port tcp_port compression [profile_xml]
  local dir=$1 compression=""
  if [[ $4 == zstd ]]; then
    compression="<compression><case><method>zstd</method><level>3</level></case></compression>"
  fi
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$dir/clickhouse-server.log</log>
    <errorlog>$dir/clickhouse-server.err.log</errorlog>
    <size>100M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$2</http_port>
  <tcp_port>$3</tcp_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/data/tmp/</tmp_path>
  <user_files_path>$dir/data/user_files/</user_files_path>
  <format_schema_path>$dir/data/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <max_concurrent_queries>100</max_concurrent_queries>
  <mark_cache_size>5368709120</mark_cache_size>
  $compression
</yandex>
XML
  cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default>${5:-}</default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
XML
}

# Starts a private clickhouse-server in dir (see write_clickhouse_server_config) on free ports
# and waits until it answers; sets server_pid and ch_port.
ch_port=""
start_clickhouse() {  # dir compression [profile_xml]
  local dir=$1 tcp
  ch_port=$(free_port)
  tcp=$(free_port)
  [[ $tcp != "$ch_port" ]] || tcp=$(free_port)
  mkdir -p "$dir/data"
  write_clickhouse_server_config "$dir" "$ch_port" "$tcp" "$2" "${3:-}"
  clickhouse-server --config-file="$dir/config.xml" >"$dir/stdout.log" 2>&1 &
  server_pid=$!
  if ! wait_ready "http://127.0.0.1:$ch_port/ping" "$server_pid" "$dir/stdout.log"; then
    tail -5 "$dir/clickhouse-server.err.log" >&2 2>/dev/null || true
    stop_server
    return 1
  fi
}

# One statement over ClickHouse's HTTP interface on $ch_port: prints the answer; fails (with
# the server's message on stderr) on an HTTP error. Scratch file under $WORK.
ch_sql() {  # sql
  local code
  code=$(curl -sS -o "$WORK/ch_sql.out" -w '%{http_code}' --data-binary "$1" \
    "http://127.0.0.1:$ch_port/") || return 1
  if [[ $code != 200 ]]; then
    log "clickhouse: HTTP $code for: $1"
    head -c 2000 "$WORK/ch_sql.out" >&2
    return 1
  fi
  cat "$WORK/ch_sql.out"
}

# Like ch_sql, but prints the client-side latency in ms and leaves the answer in $ANSWER.
ch_timed() {  # sql
  local out code secs
  out=$(curl -sS -o "$ANSWER" -w '%{http_code} %{time_total}' --data-binary "$1" \
    "http://127.0.0.1:$ch_port/") || return 1
  read -r code secs <<<"$out"
  if [[ $code != 200 ]]; then
    log "clickhouse: HTTP $code for: $1"
    head -c 2000 "$ANSWER" >&2
    return 1
  fi
  awk -v s="$secs" 'BEGIN {printf "%.1f\n", s * 1000}'
}

# awk functions the log and trace tables share: cell() formats a figure ("–" when missing);
# ratio_row() prints "| **vigil / <label>** | a/b× | ..." over the given columns of the
# v[system, column] array the table's program fills, nothing when either system is missing.
AWK_TABLE_FUNCTIONS='
  function cell(x, f) { return x == "" ? "–" : sprintf(f, x) }
  function ratio_row(label, peer, colspec, tail,    cols, n, k, a, b, line) {
    if (!(("vigil", 3) in v) || !((peer, 3) in v)) return
    line = "| **vigil / " label "**"
    n = split(colspec, cols, " ")
    for (k = 1; k <= n; k++) {
      a = v["vigil", cols[k]]; b = v[peer, cols[k]]
      line = line " | " (a != "" && b > 0 ? sprintf("%.2f×", a / b) : "–")
    }
    print line tail
  }'
