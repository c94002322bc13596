#!/usr/bin/env bash
# Scale-out benchmark (issue "Scale-out: replicas behind a consistent-hash balancer", acceptance
# point): N nodes x C cold clients of one large blob, each client asking its node directly.
#
# For each setup it prints the wall time until every client has the whole blob, and the upstream
# bytes / blob size (from the upstream registry's access log):
#   cluster   N Stevedore nodes that list each other as peers (cluster:)   goal: 1.0
#   apart     the same N Stevedore nodes without cluster: (each on its own)     N.0
#   proxies   N docker-registry instances in proxy mode (CNCF Distribution)     N.0 and up
#   single    one Stevedore node with all N x C clients                         1.0
# and the cluster's wall time against the single node's (the same clients, the same bytes served).
#
# Usage (from a checkout; ./stevedore builds target/stevedore.jar when it is missing or stale):
#   perf/cluster.sh [--runs R] [--nodes N] [--clients C] [--size-mb M]
#   defaults: 3, 3, 10, 320
#
# Everything runs on 127.0.0.1 and shares the machine's CPUs: the upstream docker-registry, every
# node, and the curl clients. On a machine with few CPUs, N nodes do not serve faster than one (they
# share the same CPUs); what the cluster buys there is the upstream traffic. Every node starts with
# a fresh, empty data directory for every run. In each client set, the first client of each node
# writes its download to a file that is hashed afterwards, the others write to /dev/null; every
# client's status and byte count are checked. The proxies store what they fetched in the background:
# the script waits until each holds the blob, so their upstream bytes are all counted.
#
# Needs docker-registry, curl and openssl (apt-get install docker-registry curl openssl; installed
# by this script when missing) and a Java 25 JDK. PERF_KEEP=1 keeps the logs in the temp dir.
# Results: printed, and written to perf/results/cluster.md. The exit status is 0 even when a goal
# is missed (PASS/MISS is printed next to it), non-zero when the benchmark itself fails.
set -uo pipefail

RUNS=3
NODES=3
CLIENTS=10
SIZE_MB=320
COMMAND_LINE="perf/cluster.sh${*:+ $*}"

usage() {
  sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="${2-}"; shift 2 || { usage; exit 2; } ;;
    --nodes) NODES="${2-}"; shift 2 || { usage; exit 2; } ;;
    --clients) CLIENTS="${2-}"; shift 2 || { usage; exit 2; } ;;
    --size-mb) SIZE_MB="${2-}"; shift 2 || { usage; exit 2; } ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for value in "$RUNS" "$NODES" "$CLIENTS" "$SIZE_MB"; do
  case "$value" in
    ''|*[!0-9]*|0) echo "--runs, --nodes, --clients and --size-mb take a positive whole number, got '$value'" >&2; exit 2 ;;
  esac
done

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BLOB_BYTES=$((SIZE_MB * 1024 * 1024))
# The upstream's copy, the cache, and one node store at a time per node, plus the hashed downloads.
perf_start cluster $(((BLOB_BYTES / 1024) * (2 * NODES + 4) + 1048576))
ensure_tools docker-registry curl openssl
ensure_stevedore

start_upstream
make_blob "cluster" "$BLOB_BYTES"
BLOB_HEX="$MADE_HEX"
BLOB_PATH="/v2/bench/blob/blobs/sha256:$BLOB_HEX"
upstream_put_blob bench/blob "$MADE_FILE" "$BLOB_HEX"
log "upstream $UPSTREAM holds bench/blob@sha256:$BLOB_HEX ($BLOB_BYTES bytes)"
SECRET="perf-cluster-secret-$$-$RANDOM"

NODE_PIDS=()
NODE_URLS=()
start_nodes() { # start_nodes NAME COUNT CLUSTER(yes|no): fresh Stevedore nodes; sets NODE_PIDS, NODE_URLS
  local name="$1" count="$2" i peers="" ports=()
  NODE_PIDS=()
  NODE_URLS=()
  for ((i = 0; i < count; i++)); do
    ports+=("$(free_port)")
    peers="$peers${peers:+, }http://127.0.0.1:${ports[i]}"
  done
  for ((i = 0; i < count; i++)); do
    STEVEDORE_EXTRA_YAML=""
    if [ "$3" = yes ]; then
      STEVEDORE_EXTRA_YAML="$(printf 'cluster:\n  self: http://127.0.0.1:%s\n  peers: [%s]\n  secret: %s\n' \
        "${ports[i]}" "$peers" "$SECRET")"$'\n'
    fi
    STEVEDORE_PORT="${ports[i]}" STEVEDORE_EXTRA_YAML="$STEVEDORE_EXTRA_YAML" \
      start_stevedore "$name-$i" "$UPSTREAM"
    NODE_PIDS+=("$STEVEDORE_PID")
    NODE_URLS+=("$STEVEDORE_URL")
  done
}
stop_nodes() { # stop_nodes NAME: stops them, drops their data, notes warnings in their logs
  local name="$1" i
  for ((i = 0; i < ${#NODE_PIDS[@]}; i++)); do
    stop_pid "${NODE_PIDS[i]}"
    rm -rf "$WORK/stevedore-$name-$i"
    STEVEDORE_LOG="$WORK/stevedore-$name-$i.log"
    stevedore_notes "$name, node $i"
  done
}

PROXY_PIDS=()
PROXY_URLS=()
start_proxies() { # start_proxies NAME COUNT: docker-registry proxies with fresh storage
  local i
  PROXY_PIDS=()
  PROXY_URLS=()
  for ((i = 0; i < $2; i++)); do
    start_peer "$1-$i" "$UPSTREAM"
    PROXY_PIDS+=("$PEER_PID")
    PROXY_URLS+=("$PEER_URL")
  done
}
stop_proxies() { # stop_proxies NAME: after each stored the blob (it does so in the background)
  local i
  for ((i = 0; i < ${#PROXY_PIDS[@]}; i++)); do
    wait_peer_blob "$1-$i" "$BLOB_HEX" || NOTES+=("$1: proxy $i had not stored the blob $CURL_MAX s after its clients finished")
    stop_pid "${PROXY_PIDS[i]}"
    rm -rf "$WORK/peer-$1-$i"
  done
}

with_path() { # with_path URL...: each URL with the blob's path
  local url
  for url in "$@"; do printf '%s%s ' "$url" "$BLOB_PATH"; done
}

upstream_since() { # upstream_since LINE: sets GETS and UP for the blob since that log line
  local bytes
  settle_log "$UPSTREAM_LOG"
  read -r GETS bytes < <(upstream_gets "$1" "$(line_count "$UPSTREAM_LOG")" "$BLOB_PATH")
  UP="$(ratio "$bytes" "$BLOB_BYTES")"
}

NOTES=()
R_CW=() R_CUP=() R_CGET=() R_AW=() R_AUP=() R_PW=() R_PUP=() R_SW=() R_SUP=() R_CS=()
TOTAL=$((NODES * CLIENTS))
for ((run = 1; run <= RUNS; run++)); do
  log "run $run/$RUNS"

  start_nodes "run$run-cluster" "$NODES" yes
  before="$(line_count "$UPSTREAM_LOG")"
  many_clients "$(with_path "${NODE_URLS[@]}")" "$BLOB_BYTES" "$BLOB_HEX" "$CLIENTS" "run $run, cluster"
  upstream_since "$before"
  R_CW+=("$WALL") R_CUP+=("$UP") R_CGET+=("$GETS")
  stop_nodes "run$run-cluster"
  log "  cluster ($NODES nodes x $CLIENTS clients): $WALL s, upstream GETs $GETS, bytes / size $UP"

  start_nodes "run$run-apart" "$NODES" no
  before="$(line_count "$UPSTREAM_LOG")"
  many_clients "$(with_path "${NODE_URLS[@]}")" "$BLOB_BYTES" "$BLOB_HEX" "$CLIENTS" "run $run, apart"
  upstream_since "$before"
  R_AW+=("$WALL") R_AUP+=("$UP")
  stop_nodes "run$run-apart"
  log "  apart ($NODES nodes without cluster:): $WALL s, upstream GETs $GETS, bytes / size $UP"

  start_proxies "run$run" "$NODES"
  before="$(line_count "$UPSTREAM_LOG")"
  many_clients "$(with_path "${PROXY_URLS[@]}")" "$BLOB_BYTES" "$BLOB_HEX" "$CLIENTS" "run $run, proxies"
  P_WALL="$WALL"
  stop_proxies "run$run"
  upstream_since "$before"
  R_PW+=("$P_WALL") R_PUP+=("$UP")
  log "  proxies ($NODES docker-registry proxies): $P_WALL s, upstream GETs $GETS, bytes / size $UP"

  start_nodes "run$run-single" 1 no
  before="$(line_count "$UPSTREAM_LOG")"
  many_clients "$(with_path "${NODE_URLS[@]}")" "$BLOB_BYTES" "$BLOB_HEX" "$TOTAL" "run $run, single"
  upstream_since "$before"
  R_SW+=("$WALL") R_SUP+=("$UP")
  stop_nodes "run$run-single"
  log "  single (1 node x $TOTAL clients): $WALL s, upstream GETs $GETS, bytes / size $UP"
  R_CS+=("$(ratio "${R_CW[run - 1]}" "$WALL")")
done

M_CW="$(median %.3f "${R_CW[@]}")"
M_CUP="$(median %.3f "${R_CUP[@]}")"
M_AW="$(median %.3f "${R_AW[@]}")"
M_AUP="$(median %.3f "${R_AUP[@]}")"
M_PW="$(median %.3f "${R_PW[@]}")"
M_PUP="$(median %.3f "${R_PUP[@]}")"
M_SW="$(median %.3f "${R_SW[@]}")"
M_SUP="$(median %.3f "${R_SUP[@]}")"
M_CS="$(median %.3f "${R_CS[@]}")"

report() {
  echo "# Scale-out: $NODES nodes x $CLIENTS cold clients of one $SIZE_MB MiB blob"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(machine_line) (clients, upstream and every node share the CPUs)"
  echo "- load average (1/5/15 min) at start: $LOAD_START; at end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine adds noise)"
  echo "- java: $(java_version)"
  echo "- upstream and proxies: $(docker-registry --version 2>&1 | head -n 1)"
  echo "- stevedore: commit $(stevedore_commit)"
  echo "- command: \`$COMMAND_LINE\`"
  echo "- blob: $BLOB_BYTES bytes; $RUNS runs; all traffic on 127.0.0.1, upstream unthrottled"
  echo
  echo "Each client asks its node directly (no balancer), all $TOTAL at once. **cluster**: $NODES Stevedore"
  echo "nodes listing each other (\`cluster.peers\`): the nodes that do not own the blob fetch it from"
  echo "the one that does. **apart**: the same nodes without \`cluster:\`. **proxies**: $NODES docker-registry"
  echo "instances in proxy mode. **single**: one Stevedore node with all $TOTAL clients. Upstream bytes are"
  echo "the bytes of the upstream registry's GETs of the blob, from its access log."
  echo
  echo "| setup | wall s (median) | upstream bytes / blob size | goal | |"
  echo "|---|---:|---:|---|---|"
  echo "| cluster, $NODES x $CLIENTS | $M_CW | $M_CUP | 1.0 | $(verdict "$M_CUP" "<=" 1.0) |"
  echo "| apart, $NODES x $CLIENTS | $M_AW | $M_AUP | | |"
  echo "| proxies, $NODES x $CLIENTS | $M_PW | $M_PUP | | |"
  echo "| single, 1 x $TOTAL | $M_SW | $M_SUP | 1.0 | $(verdict "$M_SUP" "<=" 1.0) |"
  echo
  echo "Cluster wall / single wall (median of the runs' ratios): $M_CS."
  echo
  echo "## Runs"
  echo
  echo "| run | cluster s | cluster up/size | cluster GETs | apart s | apart up/size | proxies s | proxies up/size | single s | single up/size | cluster / single |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for ((k = 0; k < RUNS; k++)); do
    echo "| $((k + 1)) | ${R_CW[k]} | ${R_CUP[k]} | ${R_CGET[k]} | ${R_AW[k]} | ${R_AUP[k]} | ${R_PW[k]} | ${R_PUP[k]} | ${R_SW[k]} | ${R_SUP[k]} | ${R_CS[k]} |"
  done
  echo
  if [ ${#NOTES[@]} -gt 0 ]; then
    echo "## Notes"
    echo
    for note in "${NOTES[@]}"; do echo "- $note"; done
  else
    echo "No warning or error lines in the nodes' logs."
  fi
}

mkdir -p "$REPO/perf/results"
report | tee "$REPO/perf/results/cluster.md"
exit 0
