#!/usr/bin/env bash
# A local 3-node zk-scheduler cluster on a real 3-server ZooKeeper ensemble, all on 127.0.0.1.
#
#   ops/cluster.sh start    build the jar if missing; start ZooKeeper zk1..zk3 (QuorumPeerMain from
#                           the service's fat jar, i.e. the ZooKeeper version the build resolved),
#                           wait for a quorum, start node-1..node-3, wait until healthy, print status
#   ops/cluster.sh status   each ZooKeeper server's mode ('srvr') and each node's /api/v1/cluster;
#                           exit 0 only with 1 ZooKeeper leader + 2 followers and 1 agreed node leader
#   ops/cluster.sh stop     stop the nodes first, then ZooKeeper
#
# Both start and stop are safe to repeat. Everything lives in <repo>/var/cluster:
#   zk<N>/zoo.cfg, zk<N>/data (myid, snapshots, logs), zk<N>.log, zk<N>.pid,
#   node-<N>.log, node-<N>.pid, node-<N>/ (the node's working directory)
#
# Ports (server/node N = 1..3 adds N to each base; override in the environment):
#   ZK_CLIENT_PORT_BASE=2280     ZooKeeper clients    2281 2282 2283
#   ZK_PEER_PORT_BASE=28880      quorum (peer) port   28881 28882 28883
#   ZK_ELECTION_PORT_BASE=38880  leader election      38881 38882 38883
#   NODE_API_PORT_BASE=8180      node API             8181 8182 8183
#   NODE_ADMIN_PORT_BASE=8190    node admin           8191 8192 8193
# Also: CLUSTER_DIR (<repo>/var/cluster), ZKS_CONFIG (<repo>/config.yml), JAVA (java),
# ZK_JAVA_OPTS (-Xmx256m), NODE_JAVA_OPTS (-Xmx512m), START_TIMEOUT (90 s), STOP_TIMEOUT (60 s),
# ZKS_VIEWER_TOKEN (dev-viewer-token-0001, for status).
set -euo pipefail

OPS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$OPS_DIR/.." && pwd)"
JAR="$ROOT/scheduler-service/target/zk-scheduler.jar"
CONFIG="${ZKS_CONFIG:-$ROOT/config.yml}"
BASE="${CLUSTER_DIR:-$ROOT/var/cluster}"

SIZE=3
ZK_CLIENT_PORT_BASE="${ZK_CLIENT_PORT_BASE:-2280}"
ZK_PEER_PORT_BASE="${ZK_PEER_PORT_BASE:-28880}"
ZK_ELECTION_PORT_BASE="${ZK_ELECTION_PORT_BASE:-38880}"
NODE_API_PORT_BASE="${NODE_API_PORT_BASE:-8180}"
NODE_ADMIN_PORT_BASE="${NODE_ADMIN_PORT_BASE:-8190}"

JAVA="${JAVA:-java}"
ZK_JAVA_OPTS="${ZK_JAVA_OPTS:--Xmx256m}"
NODE_JAVA_OPTS="${NODE_JAVA_OPTS:--Xmx512m}"
START_TIMEOUT="${START_TIMEOUT:-90}"
# The scheduler's shutdownTimeout (10 s) plus Jetty's shutdownGracePeriod (30 s), with room.
STOP_TIMEOUT="${STOP_TIMEOUT:-60}"
VIEWER_TOKEN="${ZKS_VIEWER_TOKEN:-dev-viewer-token-0001}"

log() { printf '%s\n' "$*"; }
die() {
  printf 'cluster: %s\n' "$*" >&2
  exit 1
}

zk_client_port() { echo $((ZK_CLIENT_PORT_BASE + $1)); }
node_api_port() { echo $((NODE_API_PORT_BASE + $1)); }
node_admin_port() { echo $((NODE_ADMIN_PORT_BASE + $1)); }

connect_string() {
  local n s=""
  for ((n = 1; n <= SIZE; n++)); do
    s+="${s:+,}127.0.0.1:$(zk_client_port "$n")"
  done
  printf '%s\n' "$s"
}

# ---- processes -------------------------------------------------------------------------------

# Unique text on each process's command line, so a recycled pid is never mistaken for ours.
zk_marker() { printf '%s\n' "$BASE/zk$1/zoo.cfg"; }
node_marker() { printf '%s\n' "-Dzks.ops=cluster:$BASE:node-$1"; }

cmdline_of() {
  if [[ -r "/proc/$1/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true
  else
    ps -p "$1" -o command= 2>/dev/null || true
  fi
}

# live_pid PIDFILE MARKER: prints the pid if that process is alive and ours; else removes the file.
live_pid() {
  local file="$1" marker="$2" pid
  [[ -f "$file" ]] || return 1
  pid="$(<"$file")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && [[ "$(cmdline_of "$pid")" == *"$marker"* ]]; then
    printf '%s\n' "$pid"
    return 0
  fi
  rm -f "$file"
  return 1
}

zk_pid() { live_pid "$BASE/zk$1.pid" "$(zk_marker "$1")"; }
node_pid() { live_pid "$BASE/node-$1.pid" "$(node_marker "$1")"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

show_log_tail() {
  if [[ -f "$1" ]]; then
    printf -- '--- last 30 lines of %s ---\n' "$1" >&2
    tail -n 30 "$1" >&2
    printf -- '---\n' >&2
  fi
}

# stop_all ENTRY... : SIGTERM every listed process at once, wait for all, SIGKILL what is left
# after STOP_TIMEOUT, remove the pid files. Each ENTRY is "label:pid:pidfile".
stop_all() {
  local entry label pid file waited=0 alive
  for entry in "$@"; do
    IFS=: read -r label pid file <<<"$entry"
    log "Stopping $label (pid $pid) ..."
    kill -TERM "$pid" 2>/dev/null || true
  done
  while :; do
    alive=0
    for entry in "$@"; do
      IFS=: read -r label pid file <<<"$entry"
      if kill -0 "$pid" 2>/dev/null; then alive=1; fi
    done
    if ((alive == 0)); then break; fi
    if ((waited >= STOP_TIMEOUT)); then
      for entry in "$@"; do
        IFS=: read -r label pid file <<<"$entry"
        if kill -0 "$pid" 2>/dev/null; then
          log "$label still running after ${STOP_TIMEOUT}s: sending SIGKILL."
          kill -KILL "$pid" 2>/dev/null || true
        fi
      done
      sleep 1
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
  for entry in "$@"; do
    IFS=: read -r label pid file <<<"$entry"
    rm -f "$file"
  done
}

# ---- ZooKeeper -------------------------------------------------------------------------------

# zk_cmd PORT WORD: send a four-letter word, print the answer (bash /dev/tcp, else nc).
zk_cmd() {
  local port="$1" word="$2" out
  out="$(
    {
      exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
      printf '%s' "$word" >&3
      while IFS= read -r -t 3 line <&3 || [[ -n "${line:-}" ]]; do
        printf '%s\n' "$line"
        line=""
      done
      exec 3>&-
    } 2>/dev/null
  )" || out=""
  if [[ -z "$out" ]] && command -v nc >/dev/null 2>&1; then
    out="$(printf '%s' "$word" | nc -w 3 127.0.0.1 "$port" 2>/dev/null)" || out=""
  fi
  printf '%s' "$out"
}

# zk_mode N: leader | follower | standalone | not-serving | down
zk_mode() {
  local out
  out="$(zk_cmd "$(zk_client_port "$1")" srvr)"
  if [[ "$out" =~ Mode:\ ([a-z]+) ]]; then
    printf '%s\n' "${BASH_REMATCH[1]}"
  elif [[ -n "$out" ]]; then
    printf 'not-serving\n'
  else
    printf 'down\n'
  fi
}

write_zk_files() {
  local n="$1" dir="$BASE/zk$1" m
  mkdir -p "$dir/data"
  printf '%s\n' "$n" >"$dir/data/myid"
  {
    printf '# written by ops/cluster.sh on every start\n'
    printf 'tickTime=2000\ninitLimit=10\nsyncLimit=5\n'
    printf 'dataDir=%s\n' "$dir/data"
    printf 'clientPort=%s\nclientPortAddress=127.0.0.1\n' "$(zk_client_port "$n")"
    printf 'maxClientCnxns=60\n'
    printf 'autopurge.snapRetainCount=3\nautopurge.purgeInterval=1\n'
    printf '4lw.commands.whitelist=ruok,srvr,mntr\n'
    printf 'admin.enableServer=false\n'
    for ((m = 1; m <= SIZE; m++)); do
      printf 'server.%d=127.0.0.1:%d:%d\n' "$m" $((ZK_PEER_PORT_BASE + m)) $((ZK_ELECTION_PORT_BASE + m))
    done
  } >"$dir/zoo.cfg"
}

write_zk_logback() {
  # The fat jar has no logback.xml, and logback's default is DEBUG to the console.
  cat >"$BASE/zk-logback.xml" <<'EOF'
<configuration>
  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%d{ISO8601}] [%thread] %logger{36}: %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="CONSOLE"/></root>
</configuration>
EOF
}

start_zk() {
  local n="$1" pid port p
  if pid="$(zk_pid "$n")"; then
    log "zk$n already running (pid $pid)."
    return 0
  fi
  port="$(zk_client_port "$n")"
  for p in "$port" $((ZK_PEER_PORT_BASE + n)) $((ZK_ELECTION_PORT_BASE + n)); do
    if port_in_use "$p"; then die "port $p (for zk$n) is already in use by another process"; fi
  done
  write_zk_files "$n"
  local -a opts
  read -r -a opts <<<"$ZK_JAVA_OPTS"
  printf '\n=== cluster start %s ===\n' "$(date '+%Y-%m-%d %H:%M:%S')" >>"$BASE/zk$n.log"
  (
    cd "$BASE/zk$n"
    exec nohup "$JAVA" "${opts[@]}" -Dlogback.configurationFile="$BASE/zk-logback.xml" \
      -Dzookeeper.admin.enableServer=false -Dzookeeper.jmx.log4j.disable=true \
      -cp "$JAR" org.apache.zookeeper.server.quorum.QuorumPeerMain "$(zk_marker "$n")" \
      >>"$BASE/zk$n.log" 2>&1 </dev/null
  ) &
  printf '%s\n' "$!" >"$BASE/zk$n.pid"
  log "Started zk$n (pid $!, client port $port, log $BASE/zk$n.log)."
}

wait_zk_quorum() {
  local waited=0 n mode leaders followers pid
  log "Waiting up to ${START_TIMEOUT}s for the ZooKeeper quorum ..."
  while :; do
    leaders=0
    followers=0
    for ((n = 1; n <= SIZE; n++)); do
      if ! pid="$(zk_pid "$n")"; then
        show_log_tail "$BASE/zk$n.log"
        die "zk$n exited during startup; see $BASE/zk$n.log"
      fi
      mode="$(zk_mode "$n")"
      case "$mode" in
        leader) leaders=$((leaders + 1)) ;;
        follower) followers=$((followers + 1)) ;;
      esac
    done
    if ((leaders == 1 && followers == SIZE - 1)); then
      log "ZooKeeper quorum formed after ${waited}s."
      return 0
    fi
    if ((waited >= START_TIMEOUT)); then
      for ((n = 1; n <= SIZE; n++)); do show_log_tail "$BASE/zk$n.log"; done
      die "no ZooKeeper quorum after ${START_TIMEOUT}s ($leaders leader(s), $followers follower(s)); see $BASE/zk*.log; 'ops/cluster.sh stop' cleans up"
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

# ---- service nodes ---------------------------------------------------------------------------

start_node() {
  local n="$1" pid api admin p
  if pid="$(node_pid "$n")"; then
    log "node-$n already running (pid $pid)."
    return 0
  fi
  api="$(node_api_port "$n")"
  admin="$(node_admin_port "$n")"
  for p in "$api" "$admin"; do
    if port_in_use "$p"; then die "port $p (for node-$n) is already in use by another process"; fi
  done
  mkdir -p "$BASE/node-$n"
  local -a opts
  read -r -a opts <<<"$NODE_JAVA_OPTS"
  printf '\n=== cluster start %s ===\n' "$(date '+%Y-%m-%d %H:%M:%S')" >>"$BASE/node-$n.log"
  (
    cd "$BASE/node-$n"
    ZKS_ZOOKEEPER="$(connect_string)" ZKS_INSTANCE_ID="node-$n" \
      ZKS_PORT="$api" ZKS_ADMIN_PORT="$admin" ZKS_DATA_DIR="$BASE/node-$n/zookeeper-unused" \
      exec nohup "$JAVA" "${opts[@]}" "$(node_marker "$n")" -jar "$JAR" server "$CONFIG" \
      >>"$BASE/node-$n.log" 2>&1 </dev/null
  ) &
  printf '%s\n' "$!" >"$BASE/node-$n.pid"
  log "Started node-$n (pid $!, API $api, admin $admin, log $BASE/node-$n.log)."
}

wait_nodes_healthy() {
  local waited=0 n healthy code
  log "Waiting up to ${START_TIMEOUT}s for the nodes' /healthcheck ..."
  while :; do
    healthy=0
    for ((n = 1; n <= SIZE; n++)); do
      if ! node_pid "$n" >/dev/null; then
        show_log_tail "$BASE/node-$n.log"
        die "node-$n exited during startup; see $BASE/node-$n.log"
      fi
      code="$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$(node_admin_port "$n")/healthcheck" || true)"
      if [[ "$code" == 200 ]]; then healthy=$((healthy + 1)); fi
    done
    if ((healthy == SIZE)); then
      log "All $SIZE nodes healthy after ${waited}s."
      return 0
    fi
    if ((waited >= START_TIMEOUT)); then
      for ((n = 1; n <= SIZE; n++)); do show_log_tail "$BASE/node-$n.log"; done
      die "only $healthy of $SIZE nodes healthy after ${START_TIMEOUT}s; see $BASE/node-*.log"
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

# ---- commands --------------------------------------------------------------------------------

start() {
  [[ -f "$CONFIG" ]] || die "no configuration at $CONFIG"
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (set JAVA=/path/to/java; Java 17+)"
  if [[ ! -f "$JAR" ]]; then
    command -v mvn >/dev/null 2>&1 || die "$JAR is missing and mvn is not on PATH: install Maven 3.8+ or build the jar"
    log "Building $JAR (mvn -B -q package -DskipTests) ..."
    (cd "$ROOT" && mvn -B -q package -DskipTests) || die "the Maven build failed (see above); fix it or build the jar yourself"
    [[ -f "$JAR" ]] || die "the build finished but $JAR is still missing"
  fi
  mkdir -p "$BASE"
  write_zk_logback
  local n
  for ((n = 1; n <= SIZE; n++)); do start_zk "$n"; done
  wait_zk_quorum
  for ((n = 1; n <= SIZE; n++)); do start_node "$n"; done
  wait_nodes_healthy
  printf '\n'
  status || true
  cat <<EOF

Stop with: ops/cluster.sh stop
Create a job on any node, e.g.:
  curl -s -X POST -H 'Authorization: Bearer dev-admin-token-0001' -H 'Content-Type: application/json' \\
    http://127.0.0.1:$(node_api_port 1)/api/v1/jobs \\
    -d '{"id":"hello","schedule":{"interval":"PT10S"},"tasks":[{"id":"say","type":"noop"}]}'
EOF
}

stop() {
  local n pid
  local -a entries=()
  for ((n = SIZE; n >= 1; n--)); do
    if pid="$(node_pid "$n")"; then entries+=("node-$n:$pid:$BASE/node-$n.pid"); fi
  done
  if ((${#entries[@]} > 0)); then stop_all "${entries[@]}"; else log "No service node running."; fi
  entries=()
  for ((n = SIZE; n >= 1; n--)); do
    if pid="$(zk_pid "$n")"; then entries+=("zk$n:$pid:$BASE/zk$n.pid"); fi
  done
  if ((${#entries[@]} > 0)); then stop_all "${entries[@]}"; else log "No ZooKeeper server running."; fi
  log "Cluster stopped (data kept in $BASE; delete it for a fresh start)."
}

status() {
  local n pid mode port json code ok=0
  local zk_leaders=0 zk_followers=0 node_leaders=0 nodes_up=0 agreed="" disagree=0 seen epoch="?"
  log "ZooKeeper ensemble $(connect_string):"
  for ((n = 1; n <= SIZE; n++)); do
    port="$(zk_client_port "$n")"
    pid="$(zk_pid "$n")" || pid="-"
    mode="$(zk_mode "$n")"
    case "$mode" in
      leader) zk_leaders=$((zk_leaders + 1)) ;;
      follower) zk_followers=$((zk_followers + 1)) ;;
    esac
    printf '  zk%d  pid %-8s 127.0.0.1:%-6s mode: %s\n' "$n" "$pid" "$port" "$mode"
  done
  log "Service nodes:"
  for ((n = 1; n <= SIZE; n++)); do
    pid="$(node_pid "$n")" || pid="-"
    code="$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$(node_admin_port "$n")/healthcheck" || true)"
    json="$(curl -s -m 3 -H "Authorization: Bearer $VIEWER_TOKEN" "http://127.0.0.1:$(node_api_port "$n")/api/v1/cluster" || true)"
    printf '  node-%d  pid %-8s API :%s  admin :%s  healthcheck HTTP %s\n' \
      "$n" "$pid" "$(node_api_port "$n")" "$(node_admin_port "$n")" "${code:-none}"
    printf '    /api/v1/cluster: %s\n' "${json:-(no answer)}"
    if [[ "$json" =~ \"leader\":\"([^\"]*)\" ]]; then
      nodes_up=$((nodes_up + 1))
      seen="${BASH_REMATCH[1]}"
      if [[ -z "$agreed" ]]; then agreed="$seen"; elif [[ "$seen" != "$agreed" ]]; then disagree=1; fi
    fi
    if [[ "$json" =~ \"self\":\{[^}]*\"leader\":true ]]; then
      node_leaders=$((node_leaders + 1))
      if [[ "$json" =~ \"epoch\":([0-9]+) ]]; then epoch="${BASH_REMATCH[1]}"; fi
    fi
  done
  printf 'Summary: ZooKeeper %d leader(s), %d follower(s); service: %d of %d nodes answer, ' \
    "$zk_leaders" "$zk_followers" "$nodes_up" "$SIZE"
  if ((disagree)); then
    printf 'they DISAGREE on the leader, '
  else
    printf 'leader %s (epoch %s), ' "${agreed:-none}" "$epoch"
  fi
  printf '%d node(s) say they lead.\n' "$node_leaders"
  if ((zk_leaders == 1 && zk_followers == SIZE - 1 && nodes_up == SIZE && disagree == 0 && node_leaders == 1)); then
    ok=0
  else
    ok=1
  fi
  return "$ok"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  -h | --help | help | "") sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (use: start | stop | status)" ;;
esac
