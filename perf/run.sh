#!/usr/bin/env bash
# Side-by-side benchmarks of Stevedore and the reference systems (issue 7, parts 1 and 2).
#
# Usage (from a checkout; ./stevedore builds target/stevedore.jar when it is missing or stale):
#   perf/run.sh [--runs N] [--only LIST] [--blob-mb M] [--image-mb M] [--clients C]
#               [--rss-clients C] [--rss-mb M] [--wrk-seconds S] [--link-mbit N] [--out FILE]
#   defaults: --runs 3, every scenario, --blob-mb 335, --image-mb 786, --clients 20,
#             --rss-clients 50, --rss-mb 300, --wrk-seconds 10, no link (plain loopback),
#             --out perf/RESULTS.md (perf/RESULTS-link-${N}mbit.md with --link-mbit N)
#   a quick check (about two minutes):
#     perf/run.sh --runs 1 --blob-mb 32 --image-mb 64 --clients 5 --rss-clients 10 --rss-mb 32 \
#       --wrk-seconds 2 --out /tmp/RESULTS.md
# --only takes a comma-separated list of: warm-blob, cold-blob, skopeo, concurrent-cold, wrk, rss.
# UPSTREAM_TLS=1 (environment): the upstream serves HTTPS with a self-signed certificate that every
# mirror trusts (Stevedore's ca-file, the peer's SSL_CERT_FILE, curl's CURL_CA_BUNDLE), as public
# registries do; Go's server offers HTTP/2 there. Results default to perf/RESULTS-tls.md.
# MB here is 10^6 bytes, and so is MB/s (curl's unit); Mbit/s is 10^6 bits/s (tc's "mbit").
#
# --link-mbit N: the upstream as a remote registry behind ONE SHARED link of N Mbit/s, as a WAN
# link that every connection from the upstream shares. Why: on loopback the upstream is faster
# than any mirror, so the cold scenarios measure only CPU; a real mirror's upstream is a WAN link.
# There the peer's one upstream GET per client (21 for 20 clients) costs 21 times the link time,
# Stevedore's single flight once. (nginx's limit_rate, which perf/single-flight.sh uses, is per
# connection and cannot model a shared link.)
# How: an htb qdisc on lo (needs root) with one class of rate = ceil = N Mbit/s (burst: 10 ms of
# the link, at least 128 KiB) for what the upstream registry's port sends, picked by a u32 filter
# on the source port; other traffic matches no class and goes out unshaped. So the mirrors'
# fetches and direct's downloads (direct = pulling from the remote registry, over the same link)
# cross the link; client <-> mirror traffic and nginx stay on plain loopback, and requests TO the
# upstream are not shaped (they are small). The link is set after the content is generated and
# pushed (set-up stays fast), before the first scenario, and checked: a Range download of ~2 s of
# the link from the upstream must come out at 0.5-1.3 x N Mbit/s, or the run fails. It is removed
# on every exit (end, failure, Ctrl-C, TERM; not KILL: then `tc qdisc del dev lo root`). The run
# refuses to start when not root or when lo already has a root qdisc other than the default
# noqueue (someone else's shaping).
# The results (default perf/RESULTS-link-${N}mbit.md) say so in the settings and in every table's
# title (every scenario has measurements over the upstream: direct in warm-blob and wrk, the
# peer's tag revalidation in wrk, every cold fill), with the link's packets and drops; the notes
# give the link time of one blob for cold-blob and concurrent-cold. Targets are unchanged.
# Downloads may take twice the link time of the biggest transfer (the peer's concurrent-cold GETs)
# and at least 900 s. A run takes longer: every cold byte crosses the link, also the 64 MB warm-up
# blob of each fresh mirror (~1.3 s at 400 Mbit/s, twice that for the peer's two GETs).
# Caveats: loopback htb is a token bucket that queues, with no propagation delay and no random
# loss, so TCP runs as on a fat, short pipe (none of a real WAN's round trips, slow start or loss
# recovery). It shapes by source port: the upstream's port, below the ephemeral range, so no
# client connection shares it. While it is set, ALL of lo's traffic (other programs' too) passes
# the htb qdisc, unshaped but queued once more (nginx's warm downloads: within ~1-3% of plain
# loopback here).
#
# Systems, all on 127.0.0.1 and on this machine's 2 CPUs, which they share with the clients:
#   stevedore  started through ./stevedore serve --config FILE (the launcher's JVM options apply;
#              STEVEDORE_JAVA_OPTS is passed on), with a fresh data dir where a scenario is cold;
#              tag-freshness 1h, so every tag request of a run is within freshness.
#   peer       CNCF Distribution 2.8 (Debian docker-registry) in proxy mode (proxy.remoteurl), fresh
#              storage where cold; access log off. The mirror most people run.
#   direct     the upstream docker-registry itself (pulling with no mirror); its access log (stdout)
#              counts the upstream GETs and bytes of the mirrors.
#   nginx      a private nginx (own config, pid, logs and temp dirs under the run's temp dir,
#              foreground, never the system service) serving the blob files straight from the
#              upstream registry's filesystem storage: `/v2/<name>/blobs/sha256:<hex>` maps to
#              `<root>/docker/registry/v2/blobs/sha256/<hex[0:2]>/<hex>/data` (regex location,
#              alias). sendfile on, access_log off, 2 worker processes (one per CPU: with one
#              worker, wrk's 64 connections got ~15% fewer requests/s here; one big download is
#              served by one worker either way). The limit of serving on this machine.
# Alternation: in every scenario each run measures every system back to back, in the order
# A B C ... in odd runs and ... C B A in even runs, so drift (the machine's other work, page cache,
# a warming JIT) hits all systems alike. Reported: the median over the runs of each number, and of
# each per-run ratio (a ratio of two measurements taken seconds apart, not of two medians).
# A Stevedore or peer started fresh first pulls three 64 MB warm-up blobs cold, and the first
# twice more warm, none of which any scenario measures: "cold" is about the cache, not about a JVM
# that has not compiled its hot paths yet (the peer, in Go, gets the same warm-up). With one cold
# warm-up blob, the C2 compiler was still compiling the upstream read path (okio, NioSocketImpl)
# during the measured cold download: 19% of its CPU samples, once per process.
#
# Scenarios:
#   warm-blob        one large blob (--blob-mb) with curl to /dev/null; MB/s of Stevedore (blob
#                    already cached), the peer (cached), direct and nginx. Targets: Stevedore/peer
#                    >= 1.0, Stevedore/nginx >= 1.0. Why: the hot path of every repeated pull.
#                    Limits: Helidon set up as Stevedore's server, sending the bytes from memory
#                    (perf/HelidonFromMemory.java), over the peer and over nginx: the most
#                    Stevedore's HTTP layer allows.
#   cold-blob        the same blob, each mirror with a fresh store every run (the JVM warmed up
#                    first, see above): MB/s of Stevedore, the peer and direct. Target:
#                    Stevedore/direct >= 0.5, Stevedore/peer >= 1.0, Stevedore's CPU seconds per GB
#                    <= 3.0 (time to first byte reported too). Why: a first pull
#                    must not cost much more than going to the upstream, although every byte is
#                    verified and stored on the way. Limit: SHA-256 MB/s of one stream on this CPU
#                    (openssl speed) / direct, the most a mirror that checks the digest before the
#                    last byte can reach (Stevedore does).
#   skopeo           skopeo copy of an image of --image-mb in 5 gzip'd layers (40/25/20/10/5 %) to
#                    a dir: destination (deleted between copies, outside the timed part): Stevedore
#                    cold (fresh store) and then warm, the peer the same, and direct. Targets:
#                    Stevedore cold <= 1.1x direct's time, warm <= 1.0x. Why: a real client, with
#                    its manifest requests and parallel layer downloads.
#   concurrent-cold  --clients concurrent cold clients of the large blob (fresh stores): upstream
#                    bytes / blob size (from the upstream's access log; target 1.0: one upstream
#                    fetch, single flight) and wall time Stevedore/peer (target <= 0.5; the peer
#                    makes one upstream GET per client). Why: a fleet pulling a new image at once.
#                    Limit: nginx sending the same downloads from the page cache (sendfile), wall
#                    time / the peer's: no mirror serves them faster on this machine.
#   wrk              requests/s on a 706-byte cached blob (an image config) for Stevedore, the peer
#                    and nginx (targets: Stevedore >= 0.5x nginx and >= 30x the peer; direct too, for
#                    reference: it shows what Distribution itself costs per request), on a manifest
#                    by tag within tag freshness (Stevedore >= 50x the peer, which revalidates
#                    every tag upstream) and on a manifest by digest (ratio to the peer reported).
#                    Manifests are asked with the Accept list containerd sends. Also counted: the
#                    upstream requests per request served (the peer's tag revalidation). Why: the
#                    many small requests of every pull, where per-request overhead rules.
#   rss              Stevedore's peak RSS (VmRSS of /proc/PID/status every 0.2 s) while
#                    --rss-clients clients download one --rss-mb blob at once: cold (fresh store:
#                    one fill, the others follow it) and then warm. Target <= 512 MiB each. Why:
#                    memory must not grow with blob size or the number of waiters.
# A limit row is a reference that does less than any mirror must, measured in the same runs and
# held against a target: "OUT OF REACH here" means no mirror meets that target on this machine.
# Also reported, for cold-blob, skopeo and concurrent-cold: the CPU seconds each mirror used
# (utime + stime from /proc/PID/stat) for the scenario's pulls, the peer's background store
# included: what a pull costs the machine the mirror runs on.
#
# Tools and their settings:
#   curl    -s -m 900 -w '%{http_code} %{size_download} %{time_starttransfer} %{time_total}'
#           -o /dev/null: status and byte count are checked on every timed download; MB/s =
#           bytes / curl's total time (no process start-up in it). The body's SHA-256 is checked once per system (and per cold /
#           warm case) with a separate download to a file, hashed outside the timed part; with
#           many clients, one client writes a file that is hashed afterwards and the others write
#           to /dev/null, so hashing never competes with the servers for the CPUs.
#   skopeo  --insecure-policy copy -q --src-tls-verify=false docker://HOST:PORT/bench/image:v1
#           dir:DEST, timed by the shell (a whole pull is seconds); skopeo checks every layer's
#           digest itself, and the copy is checked for every layer's size (and, on the first run,
#           SHA-256 and the manifest's digest).
#   wrk     -t2 -c64 -d<wrk-seconds>s --timeout 10s -s SCRIPT: two threads on two CPUs (one thread
#           became the bottleneck against nginx here), 64 connections as in the stack's own
#           measurements, a 10 s timeout so the peer's slow manifest answers (up to ~2 s at the
#           99th percentile) are counted rather than dropped. The Lua script sets the Accept header
#           for manifests and prints the counts; req/s counts only 2xx/3xx answers, and any error
#           is written in the notes. Every URL is checked first (200, body's SHA-256) and warmed
#           with an untimed wrk of half --wrk-seconds (at least 2 s): Stevedore's JIT needs
#           several seconds of load before it is at speed, so a quick check with --wrk-seconds 2
#           understates Stevedore's small-request rate (here ~14k req/s in a 2 s run, 42-55k in 10 s runs).
#
# Test content is the same on every run: pseudo-random bytes from AES-128-CTR key streams
# (perf/lib.sh random_bytes) and OCI image layouts written by perf/make-image.py (gzip'd tar
# layers, in stored deflate blocks: random bytes do not compress, and skopeo would gzip an
# uncompressed layer on its way to a registry, changing its digest), pushed into the upstream with
# `skopeo copy oci:DIR:v1 docker://...`; blobs are uploaded with a monolithic PUT. Generated
# content is kept in PERF_CACHE (default /tmp/stevedore-perf-cache) for the next run.
#
# Needs docker-registry, skopeo, nginx, wrk, curl, openssl and python3 (installed with apt-get
# when missing; Debian's nginx package may itself start the system service, which this script
# never touches) and a Java 25 JDK (.mvn/java-home.sh finds one under /usr/lib/jvm).
# Ctrl-C or kill -TERM stops every process it started. PERF_KEEP=1 keeps the logs in the temp dir.
#
# Results: printed, and written to --out (perf/RESULTS.md): date, machine, versions, commands, a
# table per scenario and a summary of the targets. Each scenario also says how much of the
# machine's CPU time other work took meanwhile (/proc/stat minus the CPU time of this script's own
# processes, live and reaped); above 10% the notes call it contended. Exit status 0 even when a target is missed
# (PASS/MISS says so); non-zero when the benchmark itself fails (a wrong digest or status, a failed
# download or copy, a server that does not start).
set -uo pipefail

RUNS=3
ONLY="warm-blob,cold-blob,skopeo,concurrent-cold,wrk,rss"
BLOB_MB=335
IMAGE_MB=786
CLIENTS=20
RSS_CLIENTS=50
RSS_MB=300
WRK_SECONDS=10
LINK=""
OUT=""
COMMAND_LINE="perf/run.sh${*:+ $*}"

usage() {
  sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="${2-}"; shift 2 || { usage; exit 2; } ;;
    --only) ONLY="${2-}"; shift 2 || { usage; exit 2; } ;;
    --blob-mb) BLOB_MB="${2-}"; shift 2 || { usage; exit 2; } ;;
    --image-mb) IMAGE_MB="${2-}"; shift 2 || { usage; exit 2; } ;;
    --clients) CLIENTS="${2-}"; shift 2 || { usage; exit 2; } ;;
    --rss-clients) RSS_CLIENTS="${2-}"; shift 2 || { usage; exit 2; } ;;
    --rss-mb) RSS_MB="${2-}"; shift 2 || { usage; exit 2; } ;;
    --wrk-seconds) WRK_SECONDS="${2-}"; shift 2 || { usage; exit 2; } ;;
    --link-mbit) LINK="${2-}"; shift 2 || { usage; exit 2; } ;;
    --out) OUT="${2-}"; shift 2 || { usage; exit 2; } ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for value in "$RUNS" "$BLOB_MB" "$IMAGE_MB" "$CLIENTS" "$RSS_CLIENTS" "$RSS_MB" "$WRK_SECONDS" ${LINK:+"$LINK"}; do
  case "$value" in
    ''|*[!0-9]*|0) echo "--runs, --*-mb, --*clients, --wrk-seconds and --link-mbit take a positive whole number, got '$value'" >&2; exit 2 ;;
  esac
done
SCENARIOS=(warm-blob cold-blob skopeo concurrent-cold wrk rss)
declare -A SELECTED=()
IFS=, read -r -a chosen <<<"$ONLY"
for name in "${chosen[@]}"; do
  case " ${SCENARIOS[*]} " in
    *" $name "*) SELECTED[$name]=1 ;;
    *) echo "--only: unknown scenario '$name' (known: ${SCENARIOS[*]})" >&2; exit 2 ;;
  esac
done
[ ${#SELECTED[@]} -gt 0 ] || { echo "--only names no scenario" >&2; exit 2; }
selected() { # selected NAME...: any of them was chosen
  local name
  for name in "$@"; do [ -n "${SELECTED[$name]-}" ] && return 0; done
  return 1
}

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ -n "$LINK" ]; then
  link_check # before any set-up: refuse at once when lo cannot be shaped
  [ -n "$OUT" ] || OUT="$REPO/perf/RESULTS-link-${LINK}mbit.md"
fi
if [ -z "$OUT" ] && [ -n "${UPSTREAM_TLS-}" ]; then OUT="$REPO/perf/RESULTS-tls.md"; fi
[ -n "$OUT" ] || OUT="$REPO/perf/RESULTS.md"
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac

MB=1000000
BLOB_BYTES=$((BLOB_MB * MB))
IMAGE_BYTES=$((IMAGE_MB * MB))
RSS_BYTES=$((RSS_MB * MB))
WARMUP_BYTES=$((64 * MB))
SMALL_CONFIG_BYTES=706
IMAGE_TAG=v1
perf_start stevedore-perf $(((BLOB_BYTES + IMAGE_BYTES + RSS_BYTES + 3 * WARMUP_BYTES) * 5 / 1024 + 2097152))
LINK_TITLE=""
if [ -n "$LINK" ]; then
  LINK_TITLE=" (upstream over a shared $LINK Mbit/s link)"
  # The longest download crosses the link with the most copies on it: a client of the peer in
  # concurrent-cold (a GET per client, one more to store), a peer's skopeo pull (two GETs a
  # layer), an rss fill. Allow twice its link time, and never less than the loopback's 900 s.
  link_bytes=$(((CLIENTS + 1) * BLOB_BYTES))
  [ $((2 * IMAGE_BYTES)) -gt "$link_bytes" ] && link_bytes=$((2 * IMAGE_BYTES))
  [ "$RSS_BYTES" -gt "$link_bytes" ] && link_bytes="$RSS_BYTES"
  link_max=$((2 * link_bytes * 8 / (LINK * 1000000) + 1)) # seconds
  [ "$link_max" -gt "$CURL_MAX" ] && set_curl_max "$link_max"
fi

needs_nginx() { selected warm-blob concurrent-cold wrk; } # the scenarios that compare with nginx
tools=(docker-registry curl openssl python3)
selected skopeo wrk && tools+=(skopeo)
needs_nginx && tools+=(nginx)
selected wrk && tools+=(wrk)
ensure_tools "${tools[@]}"
ensure_stevedore
# Now, as the jar was built: the report rewrites --out, which may be a tracked file of this tree.
STEVEDORE_COMMIT="$(stevedore_commit)"

# The exact client commands (printed in the results as they are run).
SKOPEO_PULL=(skopeo --insecure-policy copy -q --src-tls-verify=false)
WRK=(wrk -t2 -c64 "-d${WRK_SECONDS}s" --timeout 10s)
SHA256_SPEED=(openssl speed -evp sha256 -bytes 1048576 -seconds 2)
WRK_WARMUP=$(((WRK_SECONDS + 1) / 2)) # seconds of untimed wrk per URL first (the JIT compiles meanwhile)
[ "$WRK_WARMUP" -ge 2 ] || WRK_WARMUP=2
ACCEPT="application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, */*"

declare -A R=()     # measurements: key -> per-run values, space-separated
NOTES=()            # lines for the notes
SECTIONS=()         # markdown files, one per scenario
SUMMARY=()          # summary table rows

add() { R[$1]="${R[$1]-}${R[$1]:+ }$2"; } # add KEY VALUE

in_order() { # in_order RUN NAME...: the names, reversed in even runs
  local run="$1" i
  shift
  local names=("$@")
  if ((run % 2)); then
    printf '%s\n' "${names[@]}"
  else
    for ((i = ${#names[@]} - 1; i >= 0; i--)); do echo "${names[i]}"; done
  fi
}

link_seconds() { awk -v b="$1" -v m="$LINK" 'BEGIN { printf "%.2f", b * 8 / m / 1e6 }'; } # link_seconds BYTES: time on the link
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", b / 1e6 / s; else print "n/a" }'; }


# ---------------------------------------------------------------------------------------------
# Content: made (or taken from PERF_CACHE) and pushed into the upstream
# ---------------------------------------------------------------------------------------------
start_upstream

make_image() { # make_image NAME CONFIG_BYTES LAYER_BYTES...: sets IMAGE_DIR, IMAGE_DIGEST (cached)
  local name="$1" key dir tmp
  shift
  key="$name-$IMAGE_TAG-$(IFS=-; echo "$*")"
  dir="$PERF_CACHE/images/$key"
  if [ ! -f "$dir/.digest" ]; then
    log "generating image $key in $PERF_CACHE"
    mkdir -p "$PERF_CACHE/images" || die "cannot create $PERF_CACHE/images"
    tmp="$PERF_CACHE/images/.tmp.$key.$$"
    rm -rf "$tmp"
    python3 "$PERF_DIR/make-image.py" "$tmp" "$IMAGE_TAG" "$name" "$@" >"$tmp.digest" ||
      die "make-image.py failed for $key"
    if ! { mv "$tmp.digest" "$tmp/.digest" && rm -rf "$dir" && mv "$tmp" "$dir"; }; then
      die "cannot store $dir"
    fi
  fi
  IMAGE_DIR="$dir"
  IMAGE_DIGEST="$(cat "$dir/.digest")"
}

image_blobs() { # image_blobs DIR DIGEST: "<hex> <size>" of the config and each layer
  python3 -c 'import json, sys
m = json.load(open(sys.argv[1] + "/blobs/sha256/" + sys.argv[2][7:]))
for d in [m["config"]] + m["layers"]:
    print(d["digest"][7:], d["size"])' "$1" "$2"
}

push_image() { # push_image DIR DIGEST REPOSITORY: skopeo copy, checked by the digest of the tag
  local answer
  skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$1:$IMAGE_TAG" \
    "docker://$UPSTREAM_HOSTPORT/$3:$IMAGE_TAG" >"$WORK/push.log" 2>&1 ||
    { cat "$WORK/push.log" >&2; die "skopeo could not push $1 to $3"; }
  answer="$(curl -s -m 30 -o /dev/null -H "Accept: $ACCEPT" -w '%{http_code} %header{docker-content-digest}' \
    "$UPSTREAM/v2/$3/manifests/$IMAGE_TAG")"
  [ "$answer" = "200 $2" ] || die "the upstream's $3:$IMAGE_TAG answers '$answer', not '200 $2'"
}

# The large blob (warm-blob, cold-blob, concurrent-cold) and the warm-up blob
make_blob warmup "$WARMUP_BYTES"
WARMUP_HEX="$MADE_HEX"
WARMUP_PATH="/v2/bench/warmup/blobs/sha256:$WARMUP_HEX"
upstream_put_blob bench/warmup "$MADE_FILE" "$WARMUP_HEX"
WARMUP_MORE=() # the other cold warm-up blobs: "HEX" each
for name in warmup-2 warmup-3; do
  make_blob "$name" "$WARMUP_BYTES"
  WARMUP_MORE+=("$MADE_HEX")
  upstream_put_blob bench/warmup "$MADE_FILE" "$MADE_HEX"
done
if selected warm-blob cold-blob concurrent-cold; then
  make_blob blob "$BLOB_BYTES"
  BLOB_HEX="$MADE_HEX"
  BLOB_PATH="/v2/bench/blob/blobs/sha256:$BLOB_HEX"
  upstream_put_blob bench/blob "$MADE_FILE" "$BLOB_HEX"
fi
if selected rss; then
  make_blob rss "$RSS_BYTES"
  RSS_HEX="$MADE_HEX"
  RSS_PATH="/v2/bench/rss/blobs/sha256:$RSS_HEX"
  upstream_put_blob bench/rss "$MADE_FILE" "$RSS_HEX"
fi
if selected skopeo; then
  layer_sizes=()
  left="$IMAGE_BYTES"
  for percent in 40 25 20 10; do
    layer_sizes+=($((IMAGE_BYTES * percent / 100)))
    left=$((left - IMAGE_BYTES * percent / 100))
  done
  layer_sizes+=("$left")
  make_image image 0 "${layer_sizes[@]}"
  IMAGE_LAYOUT="$IMAGE_DIR"
  IMAGE_MANIFEST="$IMAGE_DIGEST"
  mapfile -t IMAGE_BLOBS < <(image_blobs "$IMAGE_LAYOUT" "$IMAGE_MANIFEST")
  push_image "$IMAGE_LAYOUT" "$IMAGE_MANIFEST" bench/image
  IMAGE_TOTAL=0
  for entry in "${IMAGE_BLOBS[@]}"; do IMAGE_TOTAL=$((IMAGE_TOTAL + ${entry#* })); done
fi
if selected wrk; then
  make_image small "$SMALL_CONFIG_BYTES" 4096
  SMALL_MANIFEST="$IMAGE_DIGEST"
  mapfile -t small_blobs < <(image_blobs "$IMAGE_DIR" "$IMAGE_DIGEST")
  SMALL_CONFIG_HEX="${small_blobs[0]% *}"
  [ "${small_blobs[0]#* }" = "$SMALL_CONFIG_BYTES" ] || die "the small image's config is not $SMALL_CONFIG_BYTES bytes"
  push_image "$IMAGE_DIR" "$SMALL_MANIFEST" bench/small
fi
log "upstream $UPSTREAM holds the test content"

# nginx serving the upstream's blob files (warm-blob, concurrent-cold, wrk)
NGINX_URL=""
if needs_nginx; then
  port="$(free_port)"
  user_line=""
  [ "$(id -u)" = 0 ] && user_line="user $(id -un) $(id -gn);" # else workers keep the caller's user
  start_nginx "$WORK/nginx" "worker_processes 2; $user_line" "
  access_log off;
  sendfile on;
  tcp_nopush on;
  types { }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$port;
    location = /v2/ { return 200 '{}'; }
    location ~ \"^/v2/.+/blobs/sha256:([0-9a-f]{2})([0-9a-f]{62})\$\" {
      alias $UPSTREAM_STORAGE/docker/registry/v2/blobs/sha256/\$1/\$1\$2/data;
    }
  }"
  NGINX_URL="http://127.0.0.1:$port"
  wait_http_200 "$NGINX_URL/v2/" "$NGINX_PID" "$WORK/nginx/error.log" 30
fi

# The link: only now, so that generating and pushing the content went at loopback speed
if [ -n "$LINK" ]; then
  link_start "${UPSTREAM_HOSTPORT##*:}" "$LINK"
  link_probe "$UPSTREAM$WARMUP_PATH" "$WARMUP_BYTES"
fi

# ---------------------------------------------------------------------------------------------
# Helpers of the scenarios
# ---------------------------------------------------------------------------------------------
warm_up() { # warm_up BASE_URL: three warm-up blobs cold, the first twice more warm (not measured)
  local i hex
  for i in 1 2 3; do
    download "$1$WARMUP_PATH" "$WARMUP_BYTES" "warm-up $i at $1"
  done
  for hex in "${WARMUP_MORE[@]}"; do
    download "$1/v2/bench/warmup/blobs/sha256:$hex" "$WARMUP_BYTES" "warm-up cold at $1"
  done
}

MIRROR_CPU_MARK=""
mirror_pid() { if [ "$1" = stevedore ]; then echo "$STEVEDORE_PID"; else echo "$PEER_PID"; fi; }
mirror_cpu_mark() { MIRROR_CPU_MARK="$(pid_cpu "$(mirror_pid "$1")")"; } # mirror_cpu_mark stevedore|peer
mirror_cpu_since() { # mirror_cpu_since stevedore|peer: CPU seconds the mirror used since mirror_cpu_mark
  awk -v a="$(pid_cpu "$(mirror_pid "$1")")" -v b="$MIRROR_CPU_MARK" 'BEGIN { printf "%.2f", a - b }'
}
start_fresh() { # start_fresh stevedore|peer NAME: a fresh store, warmed up; sets URL
  if [ "$1" = stevedore ]; then
    start_stevedore "$2" "$UPSTREAM"
    URL="$STEVEDORE_URL"
    warm_up "$URL"
  else
    start_peer "$2" "$UPSTREAM"
    URL="$PEER_URL"
    warm_up "$URL"
    wait_peer_blob "$2" "$WARMUP_HEX" || die "the peer did not store the warm-up blob"
  fi
}
stop_fresh() { # stop_fresh stevedore|peer NAME WHAT
  if [ "$1" = stevedore ]; then
    stevedore_notes "$3"
    stop_stevedore "$2"
  else
    stop_peer "$2"
  fi
}



upstream_mark() { UPSTREAM_MARK="$(line_count "$UPSTREAM_LOG")"; }
finish_cold() { # finish_cold stevedore|peer NAME KEY WHAT: after a cold download of the large blob
  # The peer stores in the background: wait for it, so its upstream bytes are all counted; then
  # record the upstream GETs and bytes per blob (KEY.SYS.gets, KEY.SYS.up), the mirror's CPU
  # seconds since mirror_cpu_mark (KEY.SYS.cpu, the peer's background store included) and stop it.
  local sys="$1" name="$2" key="$3" what="$4" gets bytes
  if [ "$sys" = peer ]; then
    wait_peer_blob "$name" "$BLOB_HEX" || NOTES+=("$what: the peer had not stored the blob $CURL_MAX s later")
  fi
  add "$key.$sys.cpu" "$(mirror_cpu_since "$sys")"
  read -r gets bytes < <(upstream_since "$BLOB_PATH")
  add "$key.$sys.gets" "$gets"
  add "$key.$sys.up" "$(ratio "$bytes" "$BLOB_BYTES")"
  stop_fresh "$sys" "$name" "$what"
}
upstream_since() { # upstream_since PATH: "<GETs> <bytes>" of PATH since upstream_mark
  settle_log "$UPSTREAM_LOG"
  upstream_gets "$UPSTREAM_MARK" "$(line_count "$UPSTREAM_LOG")" "$1"
}

# Sections: one table per scenario, | measure | median | runs | target | verdict |
SECTION=""
section_start() { # section_start NAME TITLE TEXT
  SECTION="$WORK/section-$1.md"
  SECTION_NAME="$1"
  {
    echo "## $2$LINK_TITLE"
    echo
    echo "$3"
    echo
    echo "| measure | median | runs | target | |"
    echo "|---|---:|---|---|---|"
  } >"$SECTION"
  SECTIONS+=("$SECTION")
}
med() { # med FORMAT KEY: the median of a measurement's runs
  local values
  read -r -a values <<<"${R[$2]-}"
  median "$1" "${values[@]}"
}
row() { # row LABEL FORMAT KEY [OP GOAL [limit]]: a table row; with a target, also a summary row
  # "limit": a reference that does less than a mirror must, held against the target; when it
  # misses it, no mirror meets the target on this machine
  local label="$1" format="$2" key="$3" op="${4-}" goal="${5-}" values m v target="" verdict=""
  read -r -a values <<<"${R[$key]-}"
  m="$(med "$format" "$key")"
  if [ -n "$op" ]; then
    target="$op $goal"
    v="$(verdict "$m" "$op" "$goal")"
    if [ "${6-}" = limit ]; then
      label="limit: $label"
      if [ "$v" = MISS ]; then v="OUT OF REACH here"; else v="reachable"; fi
    fi
    verdict="**$v**"
    SUMMARY+=("| $SECTION_NAME | $label | $m | $target | $v |")
  fi
  local joined="${values[*]}"
  echo "| $label | $m | ${joined// / · } | $target | $verdict |" >>"$SECTION"
  log "  $label: median $m${op:+ (target $op $goal: $v)}"
}
section_text() { printf '%s\n' "" "$@" "" >>"$SECTION"; }

# ---------------------------------------------------------------------------------------------
# 1. warm-blob
# ---------------------------------------------------------------------------------------------
scenario_warm_blob() {
  local run sys url gets bytes
  local -A urls=()
  log "warm-blob: one $BLOB_BYTES-byte blob, cached"
  start_fresh stevedore warm
  urls[stevedore]="$URL$BLOB_PATH"
  start_fresh peer warm
  urls[peer]="$URL$BLOB_PATH"
  urls[direct]="$UPSTREAM$BLOB_PATH"
  urls[nginx]="$NGINX_URL$BLOB_PATH"
  for sys in stevedore peer direct nginx; do # the mirrors fill here; every body is checked once
    checked_download "${urls[$sys]}" "$BLOB_BYTES" "$BLOB_HEX" "warm-blob, $sys, check"
  done
  start_from_memory "$BLOB_BYTES"
  urls[memory]="$MEMORY_URL/blob"
  for run in 1 2 3; do # untimed, so that its JIT has compiled the write path, as Stevedore's has
    download "${urls[memory]}" "$BLOB_BYTES" "warm-blob, Helidon from memory, warm-up"
  done
  wait_peer_blob warm "$BLOB_HEX" || die "the peer did not store the blob"
  checked_download "${urls[stevedore]}" "$BLOB_BYTES" "$BLOB_HEX" "warm-blob, stevedore, check of the stored copy"
  upstream_mark
  for ((run = 1; run <= RUNS; run++)); do
    for sys in $(in_order "$run" stevedore peer direct nginx memory); do
      download "${urls[$sys]}" "$BLOB_BYTES" "warm-blob, run $run, $sys"
      add "warm.$sys" "$(mbps "$BLOB_BYTES" "$DL_SECONDS")"
    done
    add warm.s/p "$(ratio "$(last warm.stevedore)" "$(last warm.peer)")"
    add warm.s/n "$(ratio "$(last warm.stevedore)" "$(last warm.nginx)")"
    add warm.s/d "$(ratio "$(last warm.stevedore)" "$(last warm.direct)")"
    add warm.p/n "$(ratio "$(last warm.peer)" "$(last warm.nginx)")"
    add warm.m/p "$(ratio "$(last warm.memory)" "$(last warm.peer)")"
    add warm.m/n "$(ratio "$(last warm.memory)" "$(last warm.nginx)")"
    log "warm-blob run $run/$RUNS: MB/s stevedore $(last warm.stevedore), peer $(last warm.peer), direct $(last warm.direct), nginx $(last warm.nginx)"
  done
  read -r gets bytes < <(upstream_since "$BLOB_PATH")
  [ "$gets" != "$RUNS" ] && NOTES+=("warm-blob: the upstream served $gets GETs of the blob during the timed runs, not just direct's $RUNS: a mirror was not warm")
  stop_fresh stevedore warm "warm-blob"
  stop_fresh peer warm "warm-blob"
  stop_pid "$MEMORY_PID"

  section_start warm-blob "warm-blob: one $BLOB_MB MB blob, cached, curl to /dev/null" \
    "MB/s (10^6 bytes/s) of one download per system per run; Stevedore and the peer hold the blob already (filled and checked before the runs); direct is the upstream registry; nginx serves the upstream's blob file with sendfile. The limit rows: Helidon, set up as Stevedore sets it up, sending the same number of bytes from one array in memory, 1 MiB per write (perf/HelidonFromMemory.java): what Stevedore's HTTP layer allows when reading the blob costs nothing. At GB/s one download lasts a fraction of a second, so the runs scatter: more --runs tighten the medians."
  row "stevedore warm MB/s" %.0f warm.stevedore
  row "peer warm MB/s" %.0f warm.peer
  row "direct MB/s" %.0f warm.direct
  row "nginx MB/s" %.0f warm.nginx
  row "Helidon from memory MB/s" %.0f warm.memory
  row "stevedore / peer" %.3f warm.s/p ">=" 1.0
  row "Helidon from memory / peer" %.3f warm.m/p ">=" 1.0 limit
  row "stevedore / nginx" %.3f warm.s/n ">=" 1.0
  row "Helidon from memory / nginx" %.3f warm.m/n ">=" 1.0 limit
  row "stevedore / direct" %.3f warm.s/d
  row "peer / nginx" %.3f warm.p/n
}
sha256_rate() { # sets SHA256_MBPS: SHA-256 MB/s of one stream of 1 MiB blocks on this CPU
  local line
  line="$("${SHA256_SPEED[@]}" 2>/dev/null | awk '$1 == "sha256" { print $2 }')"
  [[ "$line" =~ ^[0-9.]+k$ ]] || die "\`${SHA256_SPEED[*]}\` printed no rate"
  SHA256_MBPS="$(awk -v k="${line%k}" 'BEGIN { printf "%.0f", k / 1000 }')" # openssl's k = 1000 bytes/s
}
last() { local values; read -r -a values <<<"${R[$1]-}"; echo "${values[-1]-n/a}"; } # last KEY

# ---------------------------------------------------------------------------------------------
# 2. cold-blob
# ---------------------------------------------------------------------------------------------
scenario_cold_blob() {
  local run sys gets bytes
  log "cold-blob: one $BLOB_BYTES-byte blob, fresh store every run"
  for sys in stevedore peer; do # the body of a cold download, checked once per mirror (untimed)
    start_fresh "$sys" "cold-check"
    checked_download "$URL$BLOB_PATH" "$BLOB_BYTES" "$BLOB_HEX" "cold-blob, $sys, check"
    [ "$sys" = peer ] && { wait_peer_blob cold-check "$BLOB_HEX" || die "the peer did not store the blob"; }
    stop_fresh "$sys" "cold-check" "cold-blob, check"
  done
  checked_download "$UPSTREAM$BLOB_PATH" "$BLOB_BYTES" "$BLOB_HEX" "cold-blob, direct, check"
  for ((run = 1; run <= RUNS; run++)); do
    for sys in $(in_order "$run" stevedore peer direct sha256); do
      if [ "$sys" = sha256 ]; then
        sha256_rate
        add cold.sha256 "$SHA256_MBPS"
        continue
      fi
      if [ "$sys" = direct ]; then
        download "$UPSTREAM$BLOB_PATH" "$BLOB_BYTES" "cold-blob, run $run, direct"
        add cold.direct "$(mbps "$BLOB_BYTES" "$DL_SECONDS")"
        add cold.direct.ttfb "$DL_FIRST_BYTE_MS"
        continue
      fi
      start_fresh "$sys" "cold-$run"
      upstream_mark
      mirror_cpu_mark "$sys"
      download "$URL$BLOB_PATH" "$BLOB_BYTES" "cold-blob, run $run, $sys"
      add "cold.$sys" "$(mbps "$BLOB_BYTES" "$DL_SECONDS")"
      add "cold.$sys.ttfb" "$DL_FIRST_BYTE_MS"
      finish_cold "$sys" "cold-$run" cold "cold-blob, run $run"
    done
    add cold.s/d "$(ratio "$(last cold.stevedore)" "$(last cold.direct)")"
    add cold.p/d "$(ratio "$(last cold.peer)" "$(last cold.direct)")"
    add cold.s/p "$(ratio "$(last cold.stevedore)" "$(last cold.peer)")"
    add cold.stevedore.cpugb "$(awk -v s="$(last cold.stevedore.cpu)" -v b="$BLOB_BYTES" 'BEGIN { printf "%.2f", s * 1e9 / b }')"
    add cold.h/d "$(ratio "$(last cold.sha256)" "$(last cold.direct)")"
    log "cold-blob run $run/$RUNS: MB/s stevedore $(last cold.stevedore), peer $(last cold.peer), direct $(last cold.direct)"
  done

  section_start cold-blob "cold-blob: one $BLOB_MB MB blob, fresh store every run" \
    "MB/s of one download through a mirror that has never seen the blob (a fresh data dir or storage, after the 64 MB warm-up blob), and straight from the upstream. Upstream GETs and bytes are counted in the upstream's access log. The limit row: SHA-256 of one stream on this CPU (\`${SHA256_SPEED[*]}\`, MB/s) over direct's rate. A mirror that checks a blob's digest before it lets the last byte go, as Stevedore does, cannot end a cold download sooner than the hash of the whole blob takes, so this is the most its ratio can be here, with the CPUs to spare."
  row "stevedore cold MB/s" %.0f cold.stevedore
  row "peer cold MB/s" %.0f cold.peer
  row "direct MB/s" %.0f cold.direct
  row "SHA-256 MB/s (one stream)" %.0f cold.sha256
  row "stevedore / direct" %.3f cold.s/d ">=" 0.5
  row "SHA-256 / direct" %.3f cold.h/d ">=" 0.5 limit
  row "peer / direct" %.3f cold.p/d
  row "stevedore / peer" %.3f cold.s/p ">=" 1.0
  row "stevedore CPU s" %.2f cold.stevedore.cpu
  row "stevedore CPU s per GB" %.2f cold.stevedore.cpugb "<=" 3.0
  row "peer CPU s" %.2f cold.peer.cpu
  row "stevedore time to first byte ms" %.1f cold.stevedore.ttfb
  row "peer time to first byte ms" %.1f cold.peer.ttfb
  row "direct time to first byte ms" %.1f cold.direct.ttfb
  row "stevedore upstream GETs" %.0f cold.stevedore.gets
  row "stevedore upstream bytes / blob size" %.3f cold.stevedore.up
  row "peer upstream GETs" %.0f cold.peer.gets
  row "peer upstream bytes / blob size" %.3f cold.peer.up
  if [ -n "$LINK" ]; then
    NOTES+=("cold-blob over the $LINK Mbit/s link: its rate is $(awk -v m="$LINK" 'BEGIN { printf "%.1f", m / 8 }') MB/s, one copy of the blob takes $(link_seconds "$BLOB_BYTES") s on it; the peer's second GET (its background store) shares the link with the client's.")
  fi
}

# ---------------------------------------------------------------------------------------------
# 3. skopeo
# ---------------------------------------------------------------------------------------------
SKOPEO_DEST=""
skopeo_pull() { # skopeo_pull HOST:PORT WHAT CHECK: sets SKOPEO_SECONDS, SKOPEO_CPU (skopeo's CPU
  # seconds) and SKOPEO_UPSTREAM_CPU (the upstream registry's meanwhile); CHECK=1 also hashes the copy
  local hostport="$1" what="$2" start end entry hex size file upstream_before
  SKOPEO_DEST="$WORK/skopeo-dest"
  rm -rf "$SKOPEO_DEST"
  upstream_before="$(pid_cpu "$UPSTREAM_PID")"
  start="$(now)"
  /usr/bin/time -f '%U %S' -o "$WORK/skopeo.cpu" "${SKOPEO_PULL[@]}" \
    "docker://$hostport/bench/image:$IMAGE_TAG" "dir:$SKOPEO_DEST" >"$WORK/skopeo.log" 2>&1 ||
    { tail -n 20 "$WORK/skopeo.log" >&2; die "$what: skopeo copy failed"; }
  end="$(now)"
  SKOPEO_SECONDS="$(elapsed "$start" "$end")"
  SKOPEO_CPU="$(awk '{ printf "%.2f", $1 + $2 }' "$WORK/skopeo.cpu")"
  SKOPEO_UPSTREAM_CPU="$(awk -v a="$(pid_cpu "$UPSTREAM_PID")" -v b="$upstream_before" 'BEGIN { printf "%.2f", a - b }')"
  for entry in "${IMAGE_BLOBS[@]}"; do
    hex="${entry% *}"
    size="${entry#* }"
    file="$SKOPEO_DEST/$hex"
    [ "$(stat -c %s "$file" 2>/dev/null)" = "$size" ] || die "$what: the copy has no $size-byte $hex"
    [ "$3" = 1 ] && verify_file "$file" "$hex" "$what"
  done
  if [ "$3" = 1 ]; then
    hex="$(sha256sum "$SKOPEO_DEST/manifest.json" | cut -d' ' -f1)"
    [ "sha256:$hex" = "$IMAGE_MANIFEST" ] || die "$what: the copied manifest is sha256:$hex, not $IMAGE_MANIFEST"
  fi
  rm -rf "$SKOPEO_DEST"
}

cpu_bound() { # cpu_bound WALL CPU_SECONDS...: the wall time over the shortest the CPU seconds allow on
  # this machine's CPUs; near 1, the processes kept every CPU busy: bound by CPU
  local wall="$1"
  shift
  printf '%s\n' "$@" | awk -v w="$wall" -v n="$(nproc)" '{ s += $1 } END { printf "%.2f", w / (s / n) }'
}

scenario_skopeo() {
  local run sys check hostport gets bytes entry
  log "skopeo: $IMAGE_TOTAL bytes in ${#IMAGE_BLOBS[@]} blobs (config and 5 layers)"
  skopeo_pull "$UPSTREAM_HOSTPORT" "skopeo, direct, warm-up" 0 # the upstream's files into page cache
  for ((run = 1; run <= RUNS; run++)); do
    check=0
    [ "$run" = 1 ] && check=1
    for sys in $(in_order "$run" stevedore peer direct); do
      if [ "$sys" = direct ]; then
        skopeo_pull "$UPSTREAM_HOSTPORT" "skopeo, run $run, direct" "$check"
        add skopeo.direct "$SKOPEO_SECONDS"
        add skopeo.direct.client.cpu "$SKOPEO_CPU"
        add skopeo.direct.upstream.cpu "$SKOPEO_UPSTREAM_CPU"
        add skopeo.direct.bound "$(cpu_bound "$SKOPEO_SECONDS" "$SKOPEO_CPU" "$SKOPEO_UPSTREAM_CPU")"
        continue
      fi
      start_fresh "$sys" "skopeo-$run"
      hostport="${URL#http://}"
      mirror_cpu_mark "$sys"
      skopeo_pull "$hostport" "skopeo, run $run, $sys cold" "$check"
      add "skopeo.$sys.cold" "$SKOPEO_SECONDS"
      if [ "$sys" = peer ]; then # the peer stores in the background: let it finish before warm
        for entry in "${IMAGE_BLOBS[@]}"; do
          wait_peer_blob "skopeo-$run" "${entry% *}" || NOTES+=("skopeo, run $run: the peer had not stored ${entry% *}")
        done
      fi
      add "skopeo.$sys.cold.cpu" "$(mirror_cpu_since "$sys")"
      if [ "$sys" = stevedore ]; then # the peer's background store would blur the upstream's share
        add skopeo.stevedore.cold.client.cpu "$SKOPEO_CPU"
        add skopeo.stevedore.cold.upstream.cpu "$SKOPEO_UPSTREAM_CPU"
        add skopeo.stevedore.cold.bound "$(cpu_bound "$(last skopeo.stevedore.cold)" "$SKOPEO_CPU" \
          "$SKOPEO_UPSTREAM_CPU" "$(last skopeo.stevedore.cold.cpu)")"
      fi
      upstream_mark
      mirror_cpu_mark "$sys"
      skopeo_pull "$hostport" "skopeo, run $run, $sys warm" "$check"
      add "skopeo.$sys.warm" "$SKOPEO_SECONDS"
      add "skopeo.$sys.warm.cpu" "$(mirror_cpu_since "$sys")"
      [ "$sys" = stevedore ] && add skopeo.stevedore.warm.client.cpu "$SKOPEO_CPU"
      read -r gets bytes < <(upstream_since "/v2/bench/image/blobs/")
      [ "$gets" != 0 ] && NOTES+=("skopeo, run $run: the warm pull through $sys made $gets upstream blob GETs ($bytes bytes)")
      stop_fresh "$sys" "skopeo-$run" "skopeo, run $run"
    done
    add skopeo.sc/d "$(ratio "$(last skopeo.stevedore.cold)" "$(last skopeo.direct)")"
    # The mirror CPU seconds a cold pull at 1.1x direct leaves, with every CPU busy all along and
    # skopeo and the upstream using what they used in this run's cold pull.
    add skopeo.sc.room "$(awk -v n="$(nproc)" -v d="$(last skopeo.direct)" \
      -v c="$(last skopeo.stevedore.cold.client.cpu)" -v u="$(last skopeo.stevedore.cold.upstream.cpu)" \
      'BEGIN { printf "%.2f", n * 1.1 * d - c - u }')"
    add skopeo.sw/d "$(ratio "$(last skopeo.stevedore.warm)" "$(last skopeo.direct)")"
    add skopeo.pc/d "$(ratio "$(last skopeo.peer.cold)" "$(last skopeo.direct)")"
    add skopeo.pw/d "$(ratio "$(last skopeo.peer.warm)" "$(last skopeo.direct)")"
    log "skopeo run $run/$RUNS: s stevedore cold $(last skopeo.stevedore.cold) warm $(last skopeo.stevedore.warm), peer cold $(last skopeo.peer.cold) warm $(last skopeo.peer.warm), direct $(last skopeo.direct)"
  done

  section_start skopeo "skopeo: pull of a $IMAGE_MB MB, 5-layer image to dir:" \
    "Seconds of \`skopeo copy\` of bench/image:$IMAGE_TAG ($IMAGE_TOTAL bytes of blobs) to a dir: destination: through a mirror with a fresh store (cold), then again through the same mirror (warm), and straight from the upstream (direct). Lower is better; ratios are time / direct's time. skopeo's own CPU seconds (\`/usr/bin/time\`) and the upstream registry's (/proc) with the mirror's give what the pull cost the machine: a wall time near that bill over the CPUs (a ratio near 1) means the processes kept every CPU busy, so the pull was bound by CPU. The last row is what a cold pull at 1.1x direct would leave the mirror to spend, with every CPU busy from start to end."
  row "stevedore cold s" %.3f skopeo.stevedore.cold
  row "stevedore warm s" %.3f skopeo.stevedore.warm
  row "peer cold s" %.3f skopeo.peer.cold
  row "peer warm s" %.3f skopeo.peer.warm
  row "direct s" %.3f skopeo.direct
  row "stevedore cold / direct" %.3f skopeo.sc/d "<=" 1.1
  row "stevedore warm / direct" %.3f skopeo.sw/d "<=" 1.0
  row "peer cold / direct" %.3f skopeo.pc/d
  row "peer warm / direct" %.3f skopeo.pw/d
  row "stevedore cold CPU s" %.2f skopeo.stevedore.cold.cpu
  row "peer cold CPU s" %.2f skopeo.peer.cold.cpu
  row "stevedore warm CPU s" %.2f skopeo.stevedore.warm.cpu
  row "peer warm CPU s" %.2f skopeo.peer.warm.cpu
  row "skopeo's CPU s, direct" %.2f skopeo.direct.client.cpu
  row "skopeo's CPU s, stevedore cold" %.2f skopeo.stevedore.cold.client.cpu
  row "skopeo's CPU s, stevedore warm" %.2f skopeo.stevedore.warm.client.cpu
  row "upstream CPU s, direct" %.2f skopeo.direct.upstream.cpu
  row "upstream CPU s, stevedore cold" %.2f skopeo.stevedore.cold.upstream.cpu
  row "direct: wall / (all CPU s / $(nproc) CPUs)" %.2f skopeo.direct.bound
  row "stevedore cold: wall / (all CPU s / $(nproc) CPUs)" %.2f skopeo.stevedore.cold.bound
  row "stevedore cold CPU s that 1.1x direct leaves" %.2f skopeo.sc.room
}

# ---------------------------------------------------------------------------------------------
# 4. concurrent-cold
# ---------------------------------------------------------------------------------------------
scenario_concurrent_cold() {
  local run sys gets bytes
  log "concurrent-cold: $CLIENTS cold clients of one $BLOB_BYTES-byte blob"
  for ((run = 1; run <= RUNS; run++)); do
    for sys in $(in_order "$run" stevedore peer nginx); do
      if [ "$sys" = nginx ]; then
        many_clients "$NGINX_URL$BLOB_PATH" "$BLOB_BYTES" "$BLOB_HEX" "$CLIENTS" "concurrent-cold, run $run, nginx"
        add conc.nginx "$WALL"
        continue
      fi
      start_fresh "$sys" "concurrent-$run"
      upstream_mark
      mirror_cpu_mark "$sys"
      many_clients "$URL$BLOB_PATH" "$BLOB_BYTES" "$BLOB_HEX" "$CLIENTS" "concurrent-cold, run $run, $sys"
      add "conc.$sys" "$WALL"
      finish_cold "$sys" "concurrent-$run" conc "concurrent-cold, run $run"
    done
    add conc.s/p "$(ratio "$(last conc.stevedore)" "$(last conc.peer)")"
    add conc.n/p "$(ratio "$(last conc.nginx)" "$(last conc.peer)")"
    log "concurrent-cold run $run/$RUNS: wall s stevedore $(last conc.stevedore) (upstream GETs $(last conc.stevedore.gets)), peer $(last conc.peer) (upstream GETs $(last conc.peer.gets))"
  done

  local upstream_text="On loopback the upstream serves each of the peer's extra GETs from the page cache at memory speed, so they cost the peer little wall time here; the wall target assumes an upstream link slower than the mirror, which \`perf/run.sh --link-mbit\` models."
  if [ -n "$LINK" ]; then
    upstream_text="Every upstream GET shares the one $LINK Mbit/s link, where one copy of the blob takes $(link_seconds "$BLOB_BYTES") s: single flight needs it once, the peer once per GET (see the notes)."
  fi
  section_start concurrent-cold "concurrent-cold: $CLIENTS concurrent cold clients of one $BLOB_MB MB blob" \
    "Wall time from starting $CLIENTS curl clients at once to the last one's end, through a mirror with a fresh store. Upstream GETs and bytes of the blob from the upstream's access log (the peer's background store included). $upstream_text The limit row: nginx sending the same $CLIENTS downloads from the page cache with sendfile (no fetch, no store, the upstream's blob file), over the peer's cold wall time: no mirror serves them faster here."
  row "stevedore wall s" %.3f conc.stevedore
  row "peer wall s" %.3f conc.peer
  row "nginx wall s (cached)" %.3f conc.nginx
  row "stevedore upstream bytes / blob size" %.3f conc.stevedore.up "<=" 1.0
  row "stevedore wall / peer wall" %.3f conc.s/p "<=" 0.5
  row "nginx wall / peer wall" %.3f conc.n/p "<=" 0.5 limit
  row "stevedore upstream GETs" %.0f conc.stevedore.gets
  row "peer upstream GETs" %.0f conc.peer.gets
  row "peer upstream bytes / blob size" %.3f conc.peer.up
  row "stevedore CPU s" %.2f conc.stevedore.cpu
  row "peer CPU s" %.2f conc.peer.cpu
  if [ -n "$LINK" ]; then
    local one stevedore peer peer_gets
    one="$(link_seconds "$BLOB_BYTES")"
    stevedore="$(med %.3f conc.stevedore)"
    peer="$(med %.3f conc.peer)"
    peer_gets="$(med %.0f conc.peer.gets)"
    NOTES+=("concurrent-cold over the $LINK Mbit/s link: one copy of the $BLOB_MB MB blob takes $one s on the link ($BLOB_BYTES bytes x 8 / $LINK / 10^6), the least any cold pull can take. Stevedore's wall $stevedore s is $(ratio "$stevedore" "$one") x that (one upstream GET); the peer's $peer s is $(ratio "$peer" "$one") x, for $peer_gets upstream GETs, whose floor is $(awk -v n="$peer_gets" -v t="$one" 'BEGIN { if (n ~ /^[0-9]+$/) printf "%.2f", n * t; else print "n/a" }') s (medians).")
  fi
}

# ---------------------------------------------------------------------------------------------
# 5. wrk
# ---------------------------------------------------------------------------------------------
write_wrk_scripts() {
  local done_function='done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d %d %.0f %.0f\n", summary.requests, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end'
  printf '%s\n' "$done_function" >"$WORK/wrk-blob.lua"
  printf 'wrk.headers["Accept"] = "%s"\n%s\n' "$ACCEPT" "$done_function" >"$WORK/wrk-manifest.lua"
}

wrk_run() { # wrk_run URL SCRIPT WHAT [warm-up]: sets WRK_RPS (2xx/3xx answers per second), WRK_P99 (ms)
  local url="$1" script="$2" what="$3" out line requests duration connect read write status timeout p99
  if [ -n "${4-}" ]; then
    wrk -t2 -c64 "-d${WRK_WARMUP}s" --timeout 10s -s "$script" "$url" >/dev/null 2>&1 || die "$what: wrk failed"
    return 0
  fi
  out="$("${WRK[@]}" -s "$script" "$url" 2>&1)" || { echo "$out" >&2; die "$what: wrk failed"; }
  line="$(grep '^WRK ' <<<"$out")" || { echo "$out" >&2; die "$what: no counts from wrk's script"; }
  read -r _ requests duration connect read write status timeout _ p99 <<<"$line"
  WRK_RPS="$(awk -v n="$requests" -v bad="$status" -v us="$duration" 'BEGIN { printf "%.0f", (n - bad) / (us / 1e6) }')"
  WRK_REQUESTS="$requests"
  WRK_P99="$(awk -v us="$p99" 'BEGIN { printf "%.1f", us / 1000 }')"
  if [ "$((connect + read + write + status + timeout))" != 0 ]; then
    NOTES+=("$what: wrk counted errors: connect $connect, read $read, write $write, non-2xx/3xx $status, timeout $timeout (of $requests requests; req/s counts only good answers)")
  fi
}

scenario_wrk() {
  local run sys target url script body_hex code
  local -A urls=()
  log "wrk: ${WRK[*]} on a $SMALL_CONFIG_BYTES-byte blob and a manifest by tag and by digest"
  write_wrk_scripts
  start_fresh stevedore wrk
  urls[blob.stevedore]="$URL/v2/bench/small/blobs/sha256:$SMALL_CONFIG_HEX"
  urls[tag.stevedore]="$URL/v2/bench/small/manifests/$IMAGE_TAG"
  urls[digest.stevedore]="$URL/v2/bench/small/manifests/$SMALL_MANIFEST"
  start_fresh peer wrk
  urls[blob.peer]="$URL/v2/bench/small/blobs/sha256:$SMALL_CONFIG_HEX"
  urls[tag.peer]="$URL/v2/bench/small/manifests/$IMAGE_TAG"
  urls[digest.peer]="$URL/v2/bench/small/manifests/$SMALL_MANIFEST"
  urls[blob.nginx]="$NGINX_URL/v2/bench/small/blobs/sha256:$SMALL_CONFIG_HEX"
  urls[blob.direct]="$UPSTREAM/v2/bench/small/blobs/sha256:$SMALL_CONFIG_HEX"
  local targets=(blob.stevedore blob.peer blob.nginx blob.direct tag.stevedore tag.peer digest.stevedore digest.peer)
  for target in "${targets[@]}"; do # every URL answers 200 with the right body (this also fills)
    url="${urls[$target]}"
    code="$(curl -s -m 30 -o "$WORK/check" -H "Accept: $ACCEPT" -w '%{http_code}' "$url")"
    [ "$code" = 200 ] || die "wrk, $target: $url answered $code"
    body_hex="$(sha256sum "$WORK/check" | cut -d' ' -f1)"
    case "$target" in
      blob.*) [ "$body_hex" = "$SMALL_CONFIG_HEX" ] || die "wrk, $target: the body is sha256:$body_hex" ;;
      *) [ "sha256:$body_hex" = "$SMALL_MANIFEST" ] || die "wrk, $target: the body is sha256:$body_hex" ;;
    esac
  done
  wait_peer_blob wrk "$SMALL_CONFIG_HEX" || die "the peer did not store the small blob"
  for target in "${targets[@]}"; do
    case "$target" in blob.*) script="$WORK/wrk-blob.lua" ;; *) script="$WORK/wrk-manifest.lua" ;; esac
    wrk_run "${urls[$target]}" "$script" "wrk warm-up, $target" warm-up
  done
  for ((run = 1; run <= RUNS; run++)); do
    for target in $(in_order "$run" "${targets[@]}"); do
      case "$target" in blob.*) script="$WORK/wrk-blob.lua" ;; *) script="$WORK/wrk-manifest.lua" ;; esac
      settle_log "$UPSTREAM_LOG" # the previous run's last requests are not counted in this one
      upstream_mark
      wrk_run "${urls[$target]}" "$script" "wrk, run $run, $target"
      add "wrk.$target" "$WRK_RPS"
      # how many requests the upstream got per request served (the peer revalidates tags)
      add "wrk.$target.up" "$(ratio $(($(line_count "$UPSTREAM_LOG") - UPSTREAM_MARK)) "$WRK_REQUESTS")"
      add "wrk.$target.p99" "$WRK_P99"
    done
    add wrk.blob.s/n "$(ratio "$(last wrk.blob.stevedore)" "$(last wrk.blob.nginx)")"
    add wrk.blob.s/p "$(ratio "$(last wrk.blob.stevedore)" "$(last wrk.blob.peer)")"
    add wrk.tag.s/p "$(ratio "$(last wrk.tag.stevedore)" "$(last wrk.tag.peer)")"
    add wrk.digest.s/p "$(ratio "$(last wrk.digest.stevedore)" "$(last wrk.digest.peer)")"
    log "wrk run $run/$RUNS: req/s blob stevedore $(last wrk.blob.stevedore), peer $(last wrk.blob.peer), nginx $(last wrk.blob.nginx), direct $(last wrk.blob.direct); tag stevedore $(last wrk.tag.stevedore), peer $(last wrk.tag.peer); digest stevedore $(last wrk.digest.stevedore), peer $(last wrk.digest.peer)"
  done
  stop_fresh stevedore wrk "wrk"
  stop_fresh peer wrk "wrk"

  section_start wrk "wrk: $SMALL_CONFIG_BYTES-byte cached blob, manifest by tag, manifest by digest" \
    "Requests/s (2xx/3xx answers only) of \`${WRK[*]}\`, each URL checked and warmed first (${WRK_WARMUP} s of the same load); p99 latency in ms. The tag is within Stevedore's tag freshness (1h); the peer asks the upstream for every tag request."
  row "blob: stevedore req/s" %.0f wrk.blob.stevedore
  row "blob: peer req/s" %.0f wrk.blob.peer
  row "blob: nginx req/s" %.0f wrk.blob.nginx
  row "blob: direct req/s (the upstream docker-registry, for reference)" %.0f wrk.blob.direct
  row "blob: stevedore / nginx" %.3f wrk.blob.s/n ">=" 0.5
  row "blob: stevedore / peer" %.1f wrk.blob.s/p ">=" 30
  row "tag: stevedore req/s" %.0f wrk.tag.stevedore
  row "tag: peer req/s" %.0f wrk.tag.peer
  row "tag: stevedore / peer" %.1f wrk.tag.s/p ">=" 50
  row "digest: stevedore req/s" %.0f wrk.digest.stevedore
  row "digest: peer req/s" %.0f wrk.digest.peer
  row "digest: stevedore / peer" %.1f wrk.digest.s/p
  row "blob p99 ms: stevedore" %.1f wrk.blob.stevedore.p99
  row "blob p99 ms: peer" %.1f wrk.blob.peer.p99
  row "blob p99 ms: nginx" %.1f wrk.blob.nginx.p99
  row "blob p99 ms: direct" %.1f wrk.blob.direct.p99
  row "tag p99 ms: stevedore" %.1f wrk.tag.stevedore.p99
  row "tag p99 ms: peer" %.1f wrk.tag.peer.p99
  row "digest p99 ms: stevedore" %.1f wrk.digest.stevedore.p99
  row "digest p99 ms: peer" %.1f wrk.digest.peer.p99
  row "blob upstream requests per request: stevedore" %.3f wrk.blob.stevedore.up
  row "blob upstream requests per request: peer" %.3f wrk.blob.peer.up
  row "tag upstream requests per request: stevedore" %.3f wrk.tag.stevedore.up
  row "tag upstream requests per request: peer" %.3f wrk.tag.peer.up
  row "digest upstream requests per request: stevedore" %.3f wrk.digest.stevedore.up
  row "digest upstream requests per request: peer" %.3f wrk.digest.peer.up
}

# ---------------------------------------------------------------------------------------------
# 6. rss
# ---------------------------------------------------------------------------------------------
rss_now() { # rss_now PID: VmRSS in MiB
  awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null
}

scenario_rss() {
  local run gets bytes
  log "rss: $RSS_CLIENTS clients of one $RSS_BYTES-byte blob, cold then warm"
  for ((run = 1; run <= RUNS; run++)); do
    start_fresh stevedore "rss-$run"
    add rss.idle "$(rss_now "$STEVEDORE_PID")"
    upstream_mark
    start_rss_sampler "$STEVEDORE_PID" "$WORK/rss-cold"
    many_clients "$URL$RSS_PATH" "$RSS_BYTES" "$RSS_HEX" "$RSS_CLIENTS" "rss, run $run, cold"
    stop_rss_sampler
    add rss.cold "$(($(cat "$WORK/rss-cold") / 1024))"
    add rss.cold.wall "$WALL"
    read -r gets bytes < <(upstream_since "$RSS_PATH")
    add rss.cold.up "$(ratio "$bytes" "$RSS_BYTES")"
    start_rss_sampler "$STEVEDORE_PID" "$WORK/rss-warm"
    many_clients "$URL$RSS_PATH" "$RSS_BYTES" "$RSS_HEX" "$RSS_CLIENTS" "rss, run $run, warm"
    stop_rss_sampler
    add rss.warm "$(($(cat "$WORK/rss-warm") / 1024))"
    add rss.warm.wall "$WALL"
    stop_fresh stevedore "rss-$run" "rss, run $run"
    log "rss run $run/$RUNS: peak RSS MiB cold $(last rss.cold) ($(last rss.cold.wall) s), warm $(last rss.warm) ($(last rss.warm.wall) s)"
  done

  section_start rss "rss: Stevedore's peak RSS, $RSS_CLIENTS concurrent downloads of one $RSS_MB MB blob" \
    "Peak VmRSS (MiB) of the Stevedore JVM, sampled every 0.2 s while $RSS_CLIENTS clients download the blob at once: cold (fresh store, after the warm-up blob: one fill that the others follow) and then warm (the same process, blob stored). Idle is the RSS after start-up and warm-up."
  row "idle RSS MiB (after warm-up)" %.0f rss.idle
  row "cold peak RSS MiB" %.0f rss.cold "<=" 512
  row "warm peak RSS MiB" %.0f rss.warm "<=" 512
  row "cold wall s" %.3f rss.cold.wall
  row "warm wall s" %.3f rss.warm.wall
  row "cold upstream bytes / blob size" %.3f rss.cold.up
}

# ---------------------------------------------------------------------------------------------
# Run the chosen scenarios, then report
# ---------------------------------------------------------------------------------------------
OTHERS=""          # per scenario: the share of CPU time other work used
cpu_mark
RUN_MARK=("$CPU_MARK_BUSY" "$CPU_MARK_TOTAL" "$CPU_MARK_OWN")
for name in "${SCENARIOS[@]}"; do
  selected "$name" || continue
  load_before="$(cut -d' ' -f1 /proc/loadavg)"
  start="$(now)"
  cpu_mark
  case "$name" in
    warm-blob) scenario_warm_blob ;;
    cold-blob) scenario_cold_blob ;;
    skopeo) scenario_skopeo ;;
    concurrent-cold) scenario_concurrent_cold ;;
    wrk) scenario_wrk ;;
    rss) scenario_rss ;;
  esac
  cpu_others
  OTHERS="$OTHERS${OTHERS:+, }$name $CPU_OTHERS%"
  section_text "- took $(elapsed "$start" "$(now)") s; load average (1 min) before: $load_before, after: $(cut -d' ' -f1 /proc/loadavg); other work on the machine used $CPU_OTHERS% of its CPU time meanwhile"
  if [ "$CPU_OTHERS" -ge 10 ]; then
    NOTES+=("$name ran contended: other work used $CPU_OTHERS% of the machine's CPU time meanwhile (from /proc/stat, minus this benchmark's own processes); rerun it alone before trusting its numbers")
  fi
done

# The reference systems' own ways, as this run measured them
peer_gets="$(med %.0f cold.peer.gets)"
[ "$peer_gets" != n/a ] && [ "$peer_gets" -gt 1 ] &&
  NOTES+=("The peer fetched the blob $peer_gets times from the upstream for one cold client (median): distribution 2.8's proxy streams the client's copy in one upstream GET and stores the blob in a second one, in the background (and makes one more GET per extra concurrent client: see concurrent-cold).")
peer_tag="$(med %.3f wrk.tag.peer.up)"
[ "$peer_tag" != n/a ] &&
  NOTES+=("Per manifest-by-tag request, the peer sent $peer_tag requests to the upstream (median; Stevedore $(med %.3f wrk.tag.stevedore.up)): it revalidates every tag, so each of its tag answers waits for an upstream round trip.")

# Stop the long-running servers so their CPU time is counted as this benchmark's, not as others'
stop_pid "$UPSTREAM_PID"
[ -n "$NGINX_PID" ] && stop_pid "$NGINX_PID"
CPU_MARK_BUSY="${RUN_MARK[0]}" CPU_MARK_TOTAL="${RUN_MARK[1]}" CPU_MARK_OWN="${RUN_MARK[2]}"
cpu_others
RUN_OTHERS="$CPU_OTHERS"

LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
quote() { # quote WORD...: as a shell would need them, single-quoting only where needed
  local word out=""
  for word in "$@"; do
    case "$word" in
      *[!A-Za-z0-9_./:=,+-]*) out="$out${out:+ }'$word'" ;;
      *) out="$out${out:+ }$word" ;;
    esac
  done
  echo "$out"
}
report() {
  echo "# Stevedore side by side with the reference systems"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(machine_line); every server and client on these CPUs, over 127.0.0.1"
  if [ -n "$LINK" ]; then
    echo "- upstream link: the upstream registry's answers (to the mirrors' fetches and to direct downloads) go over one shared $LINK Mbit/s link: an htb class on lo for what the upstream's port sends (a token bucket that queues: no propagation delay, no random loss); clients <-> mirrors and nginx over plain loopback. Checked at start: $LINK_PROBE_BYTES bytes from the upstream at $LINK_PROBE_MBIT Mbit/s. The link carried $(link_stats) in the whole run"
  fi
  if [ -n "$UPSTREAM_CA" ]; then
    echo "- upstream over TLS: the upstream registry serves HTTPS with a self-signed EC P-256 certificate that Stevedore (ca-file), the peer (SSL_CERT_FILE) and curl trust; Go's server offers HTTP/2 by ALPN. Clients <-> mirrors stay plain HTTP; nginx serves the upstream's files without TLS"
  fi
  echo "- load average (1/5/15 min) at start: $LOAD_START; at end: $LOAD_END"
  echo "- other work on the machine used $RUN_OTHERS% of its CPU time during the run (per scenario: $OTHERS; from /proc/stat, minus this benchmark's own processes): anything above a few % makes the numbers noisy"
  echo "- stevedore: commit $STEVEDORE_COMMIT, $STEVEDORE_VERSION, started by ./stevedore serve; STEVEDORE_JAVA_OPTS='${STEVEDORE_JAVA_OPTS-}'"
  echo "- java: $(java_version)"
  echo "- docker-registry (upstream, peer): $(docker-registry --version 2>&1 | head -n 1)"
  needs_nginx && echo "- nginx: $("$(tool_path nginx)" -v 2>&1 | head -n 1)"
  selected skopeo wrk && echo "- skopeo: $(skopeo --version 2>&1 | head -n 1)"
  selected wrk && echo "- wrk: $(wrk -v 2>&1 | head -n 1)"
  echo "- curl: $(curl --version | head -n 1)"
  echo "- command: \`$COMMAND_LINE\` ($RUNS runs; MB = 10^6 bytes)"
  echo
  echo "## Summary (medians over the runs; ratios are medians of per-run ratios)"
  echo
  echo "| scenario | measure | median | target | |"
  echo "|---|---|---:|---|---|"
  printf '%s\n' "${SUMMARY[@]}"
  echo
  cat "${SECTIONS[@]}"
  echo
  echo "## Commands"
  echo
  echo "- timed download: \`$(quote "${CURL_GET[@]}") -o /dev/null URL\`"
  echo "- body checks: \`curl -s -m $CURL_MAX -o FILE URL\`, then \`sha256sum FILE\` (untimed)"
  echo "- concurrent clients: N x \`curl -s -m $CURL_MAX -o /dev/null -w '%{http_code} %{size_download}' URL &\` (the first with \`-o FILE\`, hashed after), timed by the shell from the first start to the last end"
  selected skopeo && echo "- skopeo: \`$(quote "${SKOPEO_PULL[@]}") docker://127.0.0.1:PORT/bench/image:$IMAGE_TAG dir:DEST\`, timed by the shell; DEST deleted between pulls"
  selected wrk && echo "- wrk: \`$(quote "${WRK[@]}") -s wrk-blob.lua|wrk-manifest.lua URL\`; wrk-manifest.lua sets \`Accept: $ACCEPT\`"
  if [ -n "$LINK" ]; then
    echo "- link (after the content was pushed, before the first scenario; removed at exit with \`tc qdisc del dev lo root\`):"
    for command in "${LINK_COMMANDS[@]}"; do echo "  - \`$command\`"; done
  fi
  echo "- content pushed with: \`skopeo --insecure-policy copy -q --dest-tls-verify=false oci:DIR:$IMAGE_TAG docker://127.0.0.1:PORT/REPO:$IMAGE_TAG\`; raw blobs with a monolithic upload (POST, PUT ?digest=)"
  echo
  echo "## Notes"
  echo
  echo "- Client, upstream, mirror and nginx share $(nproc) CPUs: absolute numbers are this machine's, ratios are the point."
  echo "- The upstream registry writes an access log line per request (how upstream GETs are counted); the peer's access log and nginx's are off."
  echo "- direct and nginx read the upstream's blob files from the page cache (the machine has memory to spare); so do the mirrors' stores."
  for note in "${NOTES[@]}"; do echo "- $note"; done
}

mkdir -p "$(dirname "$OUT")"
report >"$OUT"
cat "${SECTIONS[@]}"
echo
echo "## Summary (medians; written to $OUT)"
echo
echo "| scenario | measure | median | target | |"
echo "|---|---|---:|---|---|"
printf '%s\n' "${SUMMARY[@]}"
if [ ${#NOTES[@]} -gt 0 ]; then
  echo
  for note in "${NOTES[@]}"; do echo "- $note"; done
fi
exit 0
