#!/usr/bin/env bash
# One zk-scheduler node on a laptop: embedded ZooKeeper, data and logs under <repo>/var.
#
#   ops/run-local.sh [start]   build the jar if missing, start the node in the background, wait
#                              until /healthcheck is healthy, create the example job "hello"
#   ops/run-local.sh stop      stop the node (SIGTERM, then SIGKILL after STOP_TIMEOUT seconds)
#   ops/run-local.sh status    say whether it runs and print /healthcheck
#
# Environment (all optional): ZKS_PORT (8080), ZKS_ADMIN_PORT (8081), ZKS_DATA_DIR
# (<repo>/var/zookeeper), ZKS_INSTANCE_ID, ZKS_ADMIN_TOKEN / ZKS_VIEWER_TOKEN (the dev tokens of
# config.yml), ZKS_CONFIG (<repo>/config.yml), JAVA (java), JAVA_OPTS (-Xmx512m),
# START_TIMEOUT (60 s), STOP_TIMEOUT (60 s).
set -euo pipefail

OPS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$OPS_DIR/.." && pwd)"
JAR="$ROOT/scheduler-service/target/zk-scheduler.jar"
CONFIG="${ZKS_CONFIG:-$ROOT/config.yml}"
VAR_DIR="$ROOT/var"
LOG_FILE="$VAR_DIR/run-local.log"
PID_FILE="$VAR_DIR/run-local.pid"

JAVA="${JAVA:-java}"
JAVA_OPTS="${JAVA_OPTS:--Xmx512m}"
API_PORT="${ZKS_PORT:-8080}"
ADMIN_PORT="${ZKS_ADMIN_PORT:-8081}"
# zookeeper.embedded.port in config.yml; used only to explain a port clash before starting.
EMBEDDED_ZK_PORT=2191
DATA_DIR="${ZKS_DATA_DIR:-$VAR_DIR/zookeeper}"
ADMIN_TOKEN="${ZKS_ADMIN_TOKEN:-dev-admin-token-0001}"
START_TIMEOUT="${START_TIMEOUT:-60}"
# The scheduler's shutdownTimeout (10 s) plus Jetty's shutdownGracePeriod (30 s), with room.
STOP_TIMEOUT="${STOP_TIMEOUT:-60}"
# Passed to the JVM only so this script can recognise its own process (Dropwizard ignores it).
MARKER="-Dzks.ops=run-local:$ROOT"
JOB_ID="hello"
JOB_JSON='{"id":"hello","schedule":{"interval":"PT10S"},"tasks":[{"id":"say","type":"noop"}]}'

API="http://127.0.0.1:$API_PORT"
ADMIN="http://127.0.0.1:$ADMIN_PORT"

log() { printf '%s\n' "$*"; }
die() {
  printf 'run-local: %s\n' "$*" >&2
  exit 1
}

# The command line of a process, or nothing when it is gone.
cmdline_of() {
  if [[ -r "/proc/$1/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true
  else
    ps -p "$1" -o command= 2>/dev/null || true
  fi
}

# Prints the pid of the running node, or fails when it is not running (removes a stale pid file).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(<"$PID_FILE")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && [[ "$(cmdline_of "$pid")" == *"$MARKER"* ]]; then
    printf '%s\n' "$pid"
    return 0
  fi
  rm -f "$PID_FILE"
  return 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

show_log_tail() {
  if [[ -f "$LOG_FILE" ]]; then
    printf -- '--- last 40 lines of %s ---\n' "$LOG_FILE" >&2
    tail -n 40 "$LOG_FILE" >&2
    printf -- '---\n' >&2
  fi
}

build_jar() {
  [[ -f "$JAR" ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "$JAR is missing and mvn is not on PATH: install Maven 3.8+ or build the jar"
  log "Building $JAR (mvn -B -q package -DskipTests) ..."
  (cd "$ROOT" && mvn -B -q package -DskipTests) || die "the Maven build failed (see above); fix it or build the jar yourself"
  [[ -f "$JAR" ]] || die "the build finished but $JAR is still missing"
}

healthcheck_code() {
  curl -s -o /dev/null -m 3 -w '%{http_code}' "$ADMIN/healthcheck" 2>/dev/null || true
}

wait_healthy() {
  local pid="$1" waited=0
  log "Waiting up to ${START_TIMEOUT}s for $ADMIN/healthcheck ..."
  while ((waited < START_TIMEOUT)); do
    if [[ "$(healthcheck_code)" == "200" ]]; then
      log "Healthy after ${waited}s."
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      show_log_tail
      die "the node (pid $pid) exited during startup; see $LOG_FILE"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  show_log_tail
  printf 'Last /healthcheck answer:\n' >&2
  curl -s -m 3 "$ADMIN/healthcheck" >&2 || printf '(no answer)' >&2
  printf '\n' >&2
  die "not healthy after ${START_TIMEOUT}s; the node (pid $pid) is still running: inspect $LOG_FILE, then 'ops/run-local.sh stop'"
}

create_example_job() {
  local body_file code
  body_file="$(mktemp)"
  code="$(curl -s -o "$body_file" -m 10 -w '%{http_code}' -X POST "$API/api/v1/jobs" \
    -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
    --data "$JOB_JSON" || true)"
  case "$code" in
    200 | 201) log "Created the example job '$JOB_ID' (every 10 s, one noop task)." ;;
    409) log "The example job '$JOB_ID' already exists." ;;
    *)
      printf 'POST /api/v1/jobs answered HTTP %s: %s\n' "${code:-(none)}" "$(cat "$body_file")" >&2
      rm -f "$body_file"
      die "could not create the example job"
      ;;
  esac
  rm -f "$body_file"
}

start() {
  local pid
  if pid="$(running_pid)"; then
    log "zk-scheduler is already running (pid $pid)."
  else
    build_jar
    [[ -f "$CONFIG" ]] || die "no configuration at $CONFIG"
    command -v "$JAVA" >/dev/null 2>&1 || die "java not found (set JAVA=/path/to/java; Java 17+)"
    local port
    for port in "$API_PORT" "$ADMIN_PORT" "$EMBEDDED_ZK_PORT"; do
      if port_in_use "$port"; then
        die "port $port is already in use (API $API_PORT, admin $ADMIN_PORT, embedded ZooKeeper $EMBEDDED_ZK_PORT): stop whatever holds it, or set ZKS_PORT / ZKS_ADMIN_PORT"
      fi
    done
    mkdir -p "$VAR_DIR" "$DATA_DIR"
    local -a java_opts
    read -r -a java_opts <<<"$JAVA_OPTS"
    log "Starting zk-scheduler (API $API, admin $ADMIN, embedded ZooKeeper on 127.0.0.1:$EMBEDDED_ZK_PORT, data in $DATA_DIR)"
    log "Log: $LOG_FILE"
    printf '\n=== run-local start %s ===\n' "$(date '+%Y-%m-%d %H:%M:%S')" >>"$LOG_FILE"
    (
      cd "$ROOT"
      ZKS_ZOOKEEPER="" ZKS_PORT="$API_PORT" ZKS_ADMIN_PORT="$ADMIN_PORT" ZKS_DATA_DIR="$DATA_DIR" \
        exec nohup "$JAVA" "${java_opts[@]}" "$MARKER" -jar "$JAR" server "$CONFIG" \
        >>"$LOG_FILE" 2>&1 </dev/null
    ) &
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"
    log "Started, pid $pid (in $PID_FILE)."
  fi
  wait_healthy "$pid"
  create_example_job

  # Show the literal dev token, or a reference to the variable rather than a real secret.
  local viewer_shown='dev-viewer-token-0001'
  # shellcheck disable=SC2016
  if [[ -n "${ZKS_VIEWER_TOKEN:-}" ]]; then viewer_shown='$ZKS_VIEWER_TOKEN'; fi
  cat <<EOF

zk-scheduler is up.
  The example job's runs (the first one about 10 s after the job was created):
    curl -s -H "Authorization: Bearer $viewer_shown" $API/api/v1/jobs/$JOB_ID/runs
  The job and the cluster:
    curl -s -H "Authorization: Bearer $viewer_shown" $API/api/v1/jobs/$JOB_ID
    curl -s -H "Authorization: Bearer $viewer_shown" $API/api/v1/cluster
  Health and metrics:  $ADMIN/healthcheck   $ADMIN/metrics/prometheus
  Log:                 tail -f $LOG_FILE
  Stop:                ops/run-local.sh stop
EOF
}

stop() {
  local pid waited=0
  if ! pid="$(running_pid)"; then
    log "zk-scheduler is not running (no live process in $PID_FILE)."
    return 0
  fi
  log "Stopping zk-scheduler (pid $pid) ..."
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= STOP_TIMEOUT)); then
      log "Still running after ${STOP_TIMEOUT}s: sending SIGKILL."
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE"
  log "Stopped."
}

status() {
  local pid
  if pid="$(running_pid)"; then
    log "zk-scheduler is running (pid $pid); $ADMIN/healthcheck answers HTTP $(healthcheck_code):"
    curl -s -m 3 "$ADMIN/healthcheck" || true
    printf '\n'
  else
    log "zk-scheduler is not running."
    return 1
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  -h | --help | help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (use: start | stop | status)" ;;
esac
