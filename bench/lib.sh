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
