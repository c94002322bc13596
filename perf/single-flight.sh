#!/usr/bin/env bash
# Single-flight fills benchmark (issue "Single-flight fills", acceptance point).
#
# For C concurrent cold clients of one large blob it prints:
#   - upstream bytes / blob size                        (goal 1.0: one upstream fetch)
#   - wall time of C cold clients / one cold client     (goal <= 1.5)
# plus the peak RSS of Stevedore during the C clients, the same C clients against an already
# warm Stevedore (what serving alone costs), and the same C cold clients against the reference
# peer, CNCF Distribution (docker-registry) in proxy mode.
#
# Usage (from a checkout; ./stevedore builds target/stevedore.jar when it is missing or stale):
#   perf/single-flight.sh [--runs N] [--size-mb M] [--clients C] [--upstream-mbps LIST]
#   defaults: 3, 320, 20, 0
#
# --upstream-mbps LIST: a comma-separated list of upstream link rates in MiB/s (1 MiB = 1048576
# bytes, as nginx counts "m"); 0 means the plain loopback upstream (unthrottled, the default).
# Every setting in the list gets its own RUNS runs and its own tables, one after the other, in the
# same result file. The committed results come from
#   perf/single-flight.sh --upstream-mbps 0,100,25
# (100 MiB/s is a fast WAN link, but on a 2-CPU machine it is about as fast as Stevedore's fill
# itself, and serving C copies (W) takes longer than the link time, so the CPUs still bound B;
# 25 MiB/s is slow enough that the link bounds A and B there.)
# A setting N > 0 puts a private nginx (reverse proxy, `limit_rate`) in front of the upstream
# registry, and Stevedore and the peer both use the nginx URL as their upstream, so A, B and the
# peer fetch over a link of N MiB/s (W reads no upstream). Why: on loopback the upstream is faster
# than the mirror, so A is bound by Stevedore's fill and B by serving C copies on the shared CPUs,
# which is not what single flight is about; a real mirror's upstream is a WAN link, where the fill
# is bound by the link and C clients should finish in about the time of one cold fetch.
# Caveat: `limit_rate` is per connection (per request), not a shared link. Stevedore makes one
# upstream connection per fill, so it gets N MiB/s; the peer makes one upstream GET per client
# (C + 1 with its background store), each of which also gets N MiB/s. On a real shared link of
# N MiB/s the peer's C + 1 transfers would share N, so its wall times would be far worse than
# shown here; the peer numbers under a throttle are a lower bound for it.
#
# Needs docker-registry (CNCF Distribution 2.8) and curl:  apt-get install docker-registry curl,
# and nginx for a throttled setting:  apt-get install nginx (installed by this script with apt-get
# only when missing; the script starts its own nginx with its own config, pid, logs and temp dirs
# under the run's temp dir, in the foreground, single process, on 127.0.0.1: it neither reads
# /etc/nginx nor starts, stops or reloads the system service. Note that Debian's package install
# may itself try to start the system service), and a Java 25 JDK (.mvn/java-home.sh finds one under
# /usr/lib/jvm).
#
# Everything runs on 127.0.0.1: an upstream docker-registry holding one random blob, Stevedore
# (a fresh, empty data directory for every scenario), and the peer docker-registry in proxy mode.
# Upstream bytes are read from the upstream registry's access log (Apache combined format, on its
# stdout): the bytes column of its GET lines for the blob path, counted by line position between
# the start and the end of a scenario. With a throttle, nginx's own access log also gives the time
# of each upstream GET, from which the rate of the fill in A and in B is shown (the link at work).
#
# nginx settings for the throttle: `limit_rate` (bytes/s) with `proxy_buffering on`, because nginx
# does not apply limit_rate to unbuffered proxied responses (measured with nginx 1.22: 320 MiB went
# through at ~400 MiB/s with proxy_buffering off and limit_rate 100m). `proxy_max_temp_file_size 0`
# so nothing is spooled to disk: nginx holds at most its memory buffers (16 x 256 KiB) per request
# and reads from the registry only as fast as the throttled client drains them (back-pressure).
# The large buffers matter for a smooth and exact rate: nginx sleeps bytes-sent / rate after each
# write, in whole milliseconds, so small writes round the sleep down and overshoot (64 KiB buffers
# gave ~120 MiB/s for 100m; 256 KiB buffers with a 2 MiB busy size give 99-102 MiB/s in every
# quarter second, 320 MiB in 3.2 s). `proxy_http_version 1.1` with keep-alive to the registry;
# `gzip off`; Range, HEAD and the response headers (Content-Length, Content-Range,
# Docker-Content-Digest) pass through as they are (checked with a HEAD and a Range GET at start).
#
# Scenarios, per run:
#   A  one cold client through Stevedore (new empty store)
#   B  C concurrent cold clients through Stevedore (new empty store); RSS sampled every 0.2 s
#   W  C concurrent clients again against the same Stevedore, now warm (blob stored)
#   P  C concurrent cold clients through docker-registry in proxy mode (new empty storage)
# A writes its download to a file that is hashed after the timed part; in B, W and P one client
# writes a file (hashed afterwards) and the others write to /dev/null, so hashing does not compete
# with the servers for the CPU; every client's status and byte count are checked.
#
# Ctrl-C or kill -TERM stops every process it started (a shell ignores SIGINT in background jobs
# it starts, so stop a backgrounded run with TERM).
# PERF_KEEP=1 (or SINGLE_FLIGHT_KEEP=1) keeps the logs (Stevedore's, the registries') in the temp dir.
# The shared machinery (processes, servers, clients, numbers) is perf/lib.sh, also used by perf/run.sh.
# The blob is pseudo-random but the same on every run (perf/lib.sh make_blob), cached in
# PERF_CACHE (default /tmp/stevedore-perf-cache); Stevedore starts through ./stevedore, so the
# launcher's JVM options (STEVEDORE_JAVA_OPTS) apply.
#
# Results: printed, and written to perf/results/single-flight.md. The exit status is 0 even when a
# goal is missed (PASS/MISS is printed next to each goal); it is non-zero when the benchmark itself
# fails (a wrong digest, a failed download, a server that does not start).
set -uo pipefail

RUNS=3
SIZE_MB=320
CLIENTS=20
UPSTREAM_MBPS=0
COMMAND_LINE="perf/single-flight.sh${*:+ $*}"

usage() {
  sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="${2-}"; shift 2 || { usage; exit 2; } ;;
    --size-mb) SIZE_MB="${2-}"; shift 2 || { usage; exit 2; } ;;
    --clients) CLIENTS="${2-}"; shift 2 || { usage; exit 2; } ;;
    --upstream-mbps) UPSTREAM_MBPS="${2-}"; shift 2 || { usage; exit 2; } ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for value in "$RUNS" "$SIZE_MB" "$CLIENTS"; do
  case "$value" in
    ''|*[!0-9]*|0) echo "--runs, --size-mb and --clients take a positive whole number, got '$value'" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a SETTINGS <<<"$UPSTREAM_MBPS"
[ ${#SETTINGS[@]} -gt 0 ] || { echo "--upstream-mbps takes a comma-separated list such as 0,100" >&2; exit 2; }
NEED_NGINX=""
for value in "${SETTINGS[@]}"; do
  case "$value" in
    ''|*[!0-9]*) echo "--upstream-mbps takes whole numbers (MiB/s, 0 = unthrottled), got '$value'" >&2; exit 2 ;;
  esac
  [ "$value" -gt 100000 ] && { echo "--upstream-mbps $value is more than 100000" >&2; exit 2; }
  [ "$value" -gt 0 ] && NEED_NGINX=1
done

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PERF_KEEP="${PERF_KEEP-${SINGLE_FLIGHT_KEEP-}}"

BLOB_BYTES=$((SIZE_MB * 1024 * 1024))
perf_start single-flight $(((BLOB_BYTES / 1024) * 6 + 1048576))
tools=(docker-registry curl openssl)
[ -n "$NEED_NGINX" ] && tools+=(nginx)
ensure_tools "${tools[@]}"
ensure_stevedore

# ---------------------------------------------------------------------------------------------
# The upstream registry and the blob
# ---------------------------------------------------------------------------------------------
start_upstream
make_blob "single-flight" "$BLOB_BYTES"
BLOB_HEX="$MADE_HEX"
DIGEST="sha256:$BLOB_HEX"
BLOB_PATH="/v2/bench/blob/blobs/$DIGEST"
upstream_put_blob bench/blob "$MADE_FILE" "$BLOB_HEX"
log "upstream $UPSTREAM holds bench/blob@$DIGEST ($BLOB_BYTES bytes)"

# ---------------------------------------------------------------------------------------------
# The link: the upstream directly (loopback), or a private nginx in front of it with limit_rate
# ---------------------------------------------------------------------------------------------
LINK=""          # the upstream URL Stevedore and the peer use
NGINX_LOG=""
start_link() { # start_link MBPS: sets LINK (and starts nginx when MBPS > 0)
  local mbps="$1" dir="$WORK/nginx-$1" port
  if [ "$mbps" = 0 ]; then
    LINK="$UPSTREAM"
    NGINX_LOG=""
    NGINX_PID=""
    return 0
  fi
  port="$(free_port)"
  NGINX_LOG="$dir/access.log"
  # master_process off: one process, running as the invoking user (no privilege drop to a user
  # that could not write this temp dir), stopped by its pid like every other process here.
  start_nginx "$dir" "master_process off;" "
  log_format bench '\$request_method \$uri \$status \$body_bytes_sent \$request_time';
  access_log $NGINX_LOG bench;
  upstream registry {
    server $UPSTREAM_HOSTPORT;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$port;
    server_name bench;
    client_max_body_size 0;
    location / {
      proxy_pass http://registry;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host \$http_host;
      proxy_buffering on;
      proxy_buffers 16 256k;
      proxy_busy_buffers_size 2m;
      proxy_max_temp_file_size 0;
      proxy_request_buffering off;
      proxy_read_timeout 600s;
      proxy_send_timeout 600s;
      send_timeout 600s;
      limit_rate $((mbps * 1048576));
    }
  }"
  LINK="http://127.0.0.1:$port"
  wait_http_200 "$LINK/v2/" "$NGINX_PID" "$dir/error.log" 30
  local answer
  answer="$(curl -s -m 30 -I -o /dev/null -w '%{http_code} %header{content-length}' "$LINK$BLOB_PATH")"
  [ "$answer" = "200 $BLOB_BYTES" ] || die "HEAD of the blob through nginx answered '$answer'"
  answer="$(curl -s -m 30 -o /dev/null -H 'Range: bytes=1000-1999' -w '%{http_code} %{size_download} %header{content-range}' "$LINK$BLOB_PATH")"
  [ "$answer" = "206 1000 bytes 1000-1999/$BLOB_BYTES" ] || die "a Range GET of the blob through nginx answered '$answer'"
}
stop_link() {
  [ -n "$NGINX_PID" ] && stop_pid "$NGINX_PID"
  NGINX_PID=""
}

link_gets() { # link_gets FROM_LINE TO_LINE: "<GET count> <MiB/s of the largest GET>" from nginx's log
  sed -n "$(($1 + 1)),$2p" "$NGINX_LOG" | awk -v path="$BLOB_PATH" '
    $1 == "GET" && $2 == path { n++; if ($4 > best) { best = $4; t = $5 } }
    END { if (t > 0) printf "%d %.1f\n", n, best / 1048576 / t; else printf "%d n/a\n", n }'
}

# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------
one_client() { # one_client BASE_URL WHAT: sets WALL (the download is hashed afterwards)
  checked_download "$1$BLOB_PATH" "$BLOB_BYTES" "$BLOB_HEX" "$2"
  WALL="$(printf "%.3f" "$DL_SECONDS")"
}
clients() { # clients BASE_URL WHAT: C clients at once, sets WALL
  many_clients "$1$BLOB_PATH" "$BLOB_BYTES" "$BLOB_HEX" "$CLIENTS" "$2"
}

NOTES=()
SECTIONS=()
SUMMARY=()

run_setting() { # run_setting MBPS: RUNS runs of A, B, W and the peer over this link; writes a section
  local mbps="$1" label run n before
  local -a R_A=() R_B=() R_BA=() R_UPA=() R_UPB=() R_GETA=() R_GETB=() R_RSS=() R_AGG=() R_W=()
  local -a R_P=() R_UPP=() R_GETP=() R_PRSS=() R_BP=() R_FA=() R_FB=()
  local load_start load_end
  if [ "$mbps" = 0 ]; then label="loopback"; else label="$mbps MiB/s"; fi
  # curl's limit: at least 900 s, and three times what one transfer needs over the link
  local curl_max=900
  if [ "$mbps" != 0 ]; then
    n=$((3 * BLOB_BYTES / (mbps * 1048576) + 60))
    [ "$n" -gt "$curl_max" ] && curl_max="$n"
  fi
  set_curl_max "$curl_max" # CURL_GET too (a plain CURL_MAX= left one_client's downloads at 900 s)
  load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
  start_link "$mbps"
  log "upstream link: $label ($LINK)"

  for ((run = 1; run <= RUNS; run++)); do
    log "[$label] run $run/$RUNS"
    local A_WALL B_WALL W_WALL P_WALL getsA bytesA getsB bytesB getsW getsP bytesP rssB rssP
    local fillA="n/a" fillB="n/a" nbefore

    # A: one cold client
    start_stevedore "$mbps-run$run-A" "$LINK"
    before="$(line_count "$UPSTREAM_LOG")"
    [ -n "$NGINX_LOG" ] && nbefore="$(line_count "$NGINX_LOG")"
    one_client "$STEVEDORE_URL" "$label, run $run, A"
    A_WALL="$WALL"
    settle_log "$UPSTREAM_LOG"
    read -r getsA bytesA < <(upstream_gets "$before" "$(line_count "$UPSTREAM_LOG")" "$BLOB_PATH")
    if [ -n "$NGINX_LOG" ]; then
      settle_log "$NGINX_LOG"
      read -r _ fillA < <(link_gets "$nbefore" "$(line_count "$NGINX_LOG")")
    fi
    stop_stevedore "$mbps-run$run-A"
    stevedore_notes "$label, run $run, A"
    log "  A (1 cold client): ${A_WALL} s, upstream GETs $getsA, bytes $bytesA, fill MiB/s $fillA"

    # B: C cold clients, then W: the same C clients against the now warm store
    start_stevedore "$mbps-run$run-B" "$LINK"
    before="$(line_count "$UPSTREAM_LOG")"
    [ -n "$NGINX_LOG" ] && nbefore="$(line_count "$NGINX_LOG")"
    start_rss_sampler "$STEVEDORE_PID" "$WORK/rss-B"
    clients "$STEVEDORE_URL" "$label, run $run, B"
    B_WALL="$WALL"
    stop_rss_sampler
    settle_log "$UPSTREAM_LOG"
    read -r getsB bytesB < <(upstream_gets "$before" "$(line_count "$UPSTREAM_LOG")" "$BLOB_PATH")
    if [ -n "$NGINX_LOG" ]; then
      settle_log "$NGINX_LOG"
      read -r _ fillB < <(link_gets "$nbefore" "$(line_count "$NGINX_LOG")")
    fi
    rssB=$(($(cat "$WORK/rss-B") / 1024))
    log "  B ($CLIENTS cold clients): ${B_WALL} s, upstream GETs $getsB, bytes $bytesB, fill MiB/s $fillB, peak RSS $rssB MiB"
    before="$(line_count "$UPSTREAM_LOG")"
    clients "$STEVEDORE_URL" "$label, run $run, W"
    W_WALL="$WALL"
    settle_log "$UPSTREAM_LOG"
    read -r getsW _ < <(upstream_gets "$before" "$(line_count "$UPSTREAM_LOG")" "$BLOB_PATH")
    [ "$getsW" != 0 ] && NOTES+=("$label, run $run, W: $getsW upstream GETs of the blob although it was stored")
    log "  W ($CLIENTS warm clients): ${W_WALL} s"
    stop_stevedore "$mbps-run$run-B"
    stevedore_notes "$label, run $run, B/W"

    # P: C cold clients through the peer
    start_peer "$mbps-run$run" "$LINK"
    before="$(line_count "$UPSTREAM_LOG")"
    start_rss_sampler "$PEER_PID" "$WORK/rss-P"
    clients "$PEER_URL" "$label, run $run, peer"
    P_WALL="$WALL"
    stop_rss_sampler
    # The peer stores the blob in the background: wait for it, so its upstream bytes are all counted.
    wait_peer_blob "$mbps-run$run" "$BLOB_HEX" || NOTES+=("$label, run $run, peer: the blob was not in its storage $CURL_MAX s after the clients finished")
    settle_log "$UPSTREAM_LOG"
    read -r getsP bytesP < <(upstream_gets "$before" "$(line_count "$UPSTREAM_LOG")" "$BLOB_PATH")
    rssP=$(($(cat "$WORK/rss-P") / 1024))
    stop_peer "$mbps-run$run"
    log "  peer ($CLIENTS cold clients): ${P_WALL} s, upstream GETs $getsP, bytes $bytesP, peak RSS $rssP MiB"

    R_A+=("$A_WALL")
    R_B+=("$B_WALL")
    R_BA+=("$(ratio "$B_WALL" "$A_WALL")")
    R_UPA+=("$(ratio "$bytesA" "$BLOB_BYTES")")
    R_UPB+=("$(ratio "$bytesB" "$BLOB_BYTES")")
    R_GETA+=("$getsA")
    R_GETB+=("$getsB")
    R_FA+=("$fillA")
    R_FB+=("$fillB")
    R_RSS+=("$rssB")
    R_AGG+=("$(awk -v c="$CLIENTS" -v s="$BLOB_BYTES" -v t="$B_WALL" 'BEGIN { printf "%.0f", c * s / 1e6 / t }')")
    R_W+=("$W_WALL")
    R_P+=("$P_WALL")
    R_UPP+=("$(ratio "$bytesP" "$BLOB_BYTES")")
    R_GETP+=("$getsP")
    R_PRSS+=("$rssP")
    R_BP+=("$(ratio "$B_WALL" "$P_WALL")")
  done
  stop_link
  load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

  local M_A M_B M_BA M_UPA M_UPB M_GETA M_GETB M_RSS M_AGG M_W M_P M_UPP M_GETP M_PRSS M_BP M_FA M_FB
  M_A="$(median %.3f "${R_A[@]}")"
  M_B="$(median %.3f "${R_B[@]}")"
  M_BA="$(median %.3f "${R_BA[@]}")"
  M_UPA="$(median %.3f "${R_UPA[@]}")"
  M_UPB="$(median %.3f "${R_UPB[@]}")"
  M_GETA="$(median %.0f "${R_GETA[@]}")"
  M_GETB="$(median %.0f "${R_GETB[@]}")"
  M_FA="$(median %.1f "${R_FA[@]}")"
  M_FB="$(median %.1f "${R_FB[@]}")"
  M_RSS="$(median %.0f "${R_RSS[@]}")"
  M_AGG="$(median %.0f "${R_AGG[@]}")"
  M_W="$(median %.3f "${R_W[@]}")"
  M_P="$(median %.3f "${R_P[@]}")"
  M_UPP="$(median %.3f "${R_UPP[@]}")"
  M_GETP="$(median %.0f "${R_GETP[@]}")"
  M_PRSS="$(median %.0f "${R_PRSS[@]}")"
  M_BP="$(median %.3f "${R_BP[@]}")"
  SUMMARY+=("| $label | $M_A | $M_B | $M_BA $(verdict "$M_BA" "<=" 1.5) | $M_UPB $(verdict "$M_UPB" "<=" 1.0) | $M_RSS | $M_W | $M_P | $M_UPP | $M_BP |")

  local out="$WORK/section-$mbps.md" k
  {
    if [ "$mbps" = 0 ]; then
      echo "## Upstream on loopback (unthrottled)"
      echo
      echo "The upstream answers faster than anything else here: A is bound by Stevedore's fill, B by"
      echo "serving $CLIENTS copies on the shared CPUs (compare W), so B / A measures the machine more than"
      echo "single flight."
    else
      echo "## Upstream throttled to $mbps MiB/s per connection (nginx limit_rate)"
      echo
      echo "Stevedore and the peer reach the upstream through nginx with \`limit_rate $((mbps * 1048576))\`"
      echo "(bytes/s, per connection; buffered in memory only, see the script). The blob alone takes"
      echo "$(awk -v s="$BLOB_BYTES" -v r="$mbps" 'BEGIN { printf "%.2f", s / (r * 1048576) }') s over this link. Stevedore fills over one upstream connection; the peer"
      echo "makes one upstream GET per client, and each of them gets $mbps MiB/s too: on a real shared link"
      echo "of $mbps MiB/s its $((CLIENTS + 1)) transfers would share it, so its times here are a lower bound."
      echo "Fill MiB/s is the rate of Stevedore's upstream GET as nginx logged it (bytes / request time):"
      echo "below $mbps in A, the mirror's fill (CPU) rather than the link bounds A; lower in B than in A,"
      echo "serving the $CLIENTS clients takes the CPUs from the fill. The link bounds B only when W (serving"
      echo "alone) is well below the link time."
    fi
    echo
    echo "- load average (1/5/15 min) at the start of this part: $load_start; at its end: $load_end"
    echo
    echo "### Medians"
    echo
    echo "| measure | median | goal | |"
    echo "|---|---:|---|---|"
    echo "| blob size (bytes) | $BLOB_BYTES | | |"
    echo "| A wall, 1 cold client (s) | $M_A | | |"
    echo "| B wall, $CLIENTS cold clients (s) | $M_B | | |"
    echo "| B / A wall | $M_BA | <= 1.5 | $(verdict "$M_BA" "<=" 1.5) |"
    echo "| A upstream bytes / blob size | $M_UPA | 1.0 | $(verdict "$M_UPA" "<=" 1.0) |"
    echo "| B upstream bytes / blob size | $M_UPB | 1.0 | $(verdict "$M_UPB" "<=" 1.0) |"
    echo "| A / B upstream GETs of the blob | $M_GETA / $M_GETB | 1 / 1 | |"
    if [ "$mbps" != 0 ]; then
      echo "| A / B fill rate over the link (MiB/s) | $M_FA / $M_FB | $mbps | |"
    fi
    echo "| B peak RSS of Stevedore (MiB) | $M_RSS | | |"
    echo "| B aggregate delivery (MB/s, $CLIENTS x size / B wall) | $M_AGG | | |"
    echo "| W wall, $CLIENTS warm clients (s) | $M_W | | |"
    echo "| peer B wall (s) | $M_P | | |"
    echo "| peer upstream bytes / blob size | $M_UPP | | |"
    echo "| peer upstream GETs of the blob | $M_GETP | | |"
    echo "| peer peak RSS (MiB) | $M_PRSS | | |"
    echo "| our B wall / peer B wall | $M_BP | | |"
    echo
    echo "### Runs"
    echo
    if [ "$mbps" != 0 ]; then
      echo "| run | A wall s | B wall s | B/A | A up/size | B up/size | GETs A/B | fill MiB/s A/B | B peak RSS MiB | B MB/s | W wall s | peer wall s | peer up/size | peer GETs | peer RSS MiB | B/peer |"
      echo "|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    else
      echo "| run | A wall s | B wall s | B/A | A up/size | B up/size | GETs A/B | B peak RSS MiB | B MB/s | W wall s | peer wall s | peer up/size | peer GETs | peer RSS MiB | B/peer |"
      echo "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    fi
    for ((k = 0; k < RUNS; k++)); do
      if [ "$mbps" != 0 ]; then fill="${R_FA[k]}/${R_FB[k]} | "; else fill=""; fi
      echo "| $((k + 1)) | ${R_A[k]} | ${R_B[k]} | ${R_BA[k]} | ${R_UPA[k]} | ${R_UPB[k]} | ${R_GETA[k]}/${R_GETB[k]} | $fill${R_RSS[k]} | ${R_AGG[k]} | ${R_W[k]} | ${R_P[k]} | ${R_UPP[k]} | ${R_GETP[k]} | ${R_PRSS[k]} | ${R_BP[k]} |"
    done
    echo
  } >"$out"
  SECTIONS+=("$out")
}

for mbps in "${SETTINGS[@]}"; do
  run_setting "$mbps"
done

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
java_version="$(java_version)"
registry_version="$(docker-registry --version 2>&1 | head -n 1)"
nginx_version=""
[ -n "$NEED_NGINX" ] && nginx_version="$("$(tool_path nginx)" -v 2>&1 | head -n 1)"
commit="$(stevedore_commit)"
links=""
for mbps in "${SETTINGS[@]}"; do
  if [ "$mbps" = 0 ]; then links="$links${links:+; }loopback, unthrottled"; else links="$links${links:+; }$mbps MiB/s per connection (nginx limit_rate)"; fi
done

report() {
  echo "# Single-flight fills: $CLIENTS concurrent cold clients of one $SIZE_MB MiB blob"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(machine_line) (client, upstream, nginx and mirror share the CPUs)"
  echo "- load average (1/5/15 min) at start: $LOAD_START; at end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine adds noise)"
  echo "- java: $java_version"
  echo "- upstream and peer: $registry_version"
  [ -n "$nginx_version" ] && echo "- throttle: $nginx_version"
  echo "- stevedore: commit $commit"
  echo "- command: \`$COMMAND_LINE\`"
  echo "- blob: $BLOB_BYTES bytes; $RUNS runs per upstream link; all traffic on 127.0.0.1"
  echo "- upstream links: $links"
  echo
  echo "Scenarios: **A** one cold client through Stevedore; **B** $CLIENTS concurrent cold clients through"
  echo "Stevedore (fresh store); **W** the same $CLIENTS clients again once the blob is stored (serving"
  echo "alone, no upstream); **peer** $CLIENTS concurrent cold clients through docker-registry in proxy mode"
  echo "(fresh storage). Upstream bytes come from the upstream registry's access log (GETs of the blob path)."
  echo "Goals: upstream bytes / blob size 1.0; B wall / A wall <= 1.5."
  echo
  if [ ${#SETTINGS[@]} -gt 1 ]; then
    echo "## Summary (medians)"
    echo
    echo "| upstream link | A s | B s | B/A | B up/size | B RSS MiB | W s | peer s | peer up/size | B/peer |"
    echo "|---|---:|---:|---|---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${SUMMARY[@]}"
    echo
  fi
  cat "${SECTIONS[@]}"
  if [ ${#NOTES[@]} -gt 0 ]; then
    echo "## Notes"
    echo
    for note in "${NOTES[@]}"; do echo "- $note"; done
  else
    echo "No warning or error lines in Stevedore's logs; no upstream GET of the stored blob in W."
  fi
}

mkdir -p "$REPO/perf/results"
report | tee "$REPO/perf/results/single-flight.md"
exit 0
