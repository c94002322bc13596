# shellcheck shell=bash
# shellcheck disable=SC2034 # the results of functions are globals the sourcing script reads
# Shared machinery of the perf/ benchmarks (run.sh, single-flight.sh, cluster.sh); sourced, never run.
#
# What is here: logging; tracking and stopping every process a benchmark starts (also on Ctrl-C
# and TERM); installing missing tools with apt-get; building Stevedore through its launcher;
# deterministic test content cached between runs; starting the upstream docker-registry, Stevedore
# (through ./stevedore, so the launcher's JVM options apply), the peer (docker-registry in proxy
# mode) and private nginx instances on 127.0.0.1; clients that check status, byte count and
# digest; counting upstream GETs from the upstream's access log; shaping the upstream's answers
# into one shared link with tc (removed again on exit); an RSS sampler; medians, ratios and
# verdicts.
#
# A script sources this file after parsing its arguments, then calls
#   perf_start NAME NEED_KIB   (temp dir $WORK, clean-up traps, free-space check)
# Environment: PERF_KEEP=1 keeps the logs in $WORK (the bulky stores are deleted anyway);
# PERF_CACHE (default /tmp/stevedore-perf-cache) holds the generated test content.

PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$PERF_DIR/.." && pwd)"
PERF_CACHE="${PERF_CACHE:-/tmp/stevedore-perf-cache}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Processes and clean-up: every process started is recorded and stopped on exit, also on Ctrl-C.
# ---------------------------------------------------------------------------------------------
WORK=""
PIDS=()
BULKY=() # directories under $WORK deleted even when PERF_KEEP keeps the logs

# PIDs are reused (pid_max is often 32768, and the JVMs' threads use up the same numbers), so a
# process is only ever signalled while it is still this shell's child, and a finished one is
# dropped from PIDS: a stale number must never stop someone else's process.
mine() { # mine PID: the process exists and this shell started it
  [ "$(ps -o ppid= -p "$1" 2>/dev/null | tr -d ' ')" = "$$" ]
}
forget_pid() { # forget_pid PID: drop it from PIDS
  local pid kept=()
  for pid in "${PIDS[@]}"; do
    [ "$pid" != "$1" ] && kept+=("$pid")
  done
  PIDS=("${kept[@]}")
}

stop_pid() { # stop_pid PID: TERM, up to 10 s, then KILL (only while it is this shell's child)
  local pid="$1" i
  if mine "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
      if ! mine "$pid" || ! kill -0 "$pid" 2>/dev/null; then break; fi
      sleep 0.1
    done
    mine "$pid" && kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  forget_pid "$pid"
  return 0
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local pid dir
  trap - EXIT INT TERM
  link_stop # first: the machine's loopback must not stay shaped, whatever happens below
  for pid in "${PIDS[@]}"; do
    mine "$pid" && kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do
    stop_pid "$pid"
  done
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    if [ -n "${PERF_KEEP-}" ]; then
      for dir in "${BULKY[@]}"; do rm -rf "$dir"; done
      log "kept the logs in $WORK"
    else
      rm -rf "$WORK"
    fi
  fi
}

perf_start() { # perf_start NAME NEED_KIB: $WORK, traps, free-space check, load average
  local avail_kb
  trap cleanup EXIT
  trap 'log "interrupted"; exit 130' INT TERM
  cd "$REPO" || die "cannot enter $REPO"
  LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")" || die "mktemp"
  avail_kb="$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')"
  [ "${avail_kb:-0}" -gt "$2" ] || die "$WORK has ${avail_kb} KiB free; this needs about $2 KiB"
}

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
tool_path() { # tool_path NAME: its path (also /usr/sbin, which a user's PATH may lack)
  command -v "$1" 2>/dev/null || { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1"; }
}

ensure_tools() { # ensure_tools NAME...: apt-get install the missing ones (command = package)
  local name missing=() sudo=""
  for name in "$@"; do
    tool_path "$name" >/dev/null || missing+=("$name")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} with apt-get"
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if ! { $sudo apt-get update -q && $sudo apt-get install -y -q "${missing[@]}"; }; then
    die "cannot install ${missing[*]}"
  fi
  for name in "${missing[@]}"; do
    tool_path "$name" >/dev/null || die "no $name after installing it"
  done
}

ensure_stevedore() { # builds target/stevedore.jar through the launcher when missing or stale
  STEVEDORE_VERSION="$("$REPO/stevedore" --version 2>"$WORK/launcher.err")" ||
    { tail -n 30 "$WORK/launcher.err" >&2; die "./stevedore --version failed (build?)"; }
}

java_command() { # the java the launcher picks (the same .mvn/java-home.sh logic)
  (
    # shellcheck source=/dev/null
    . "$REPO/.mvn/java-home.sh"
    echo "${JAVA_HOME:-/nonexistent}/bin/java"
  )
}
java_version() { "$(java_command)" -version 2>&1 | head -n 1; }

stevedore_commit() {
  local commit
  commit="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit (with local changes)"
  fi
  echo "$commit"
}

machine_line() { # CPUs, model, memory, kernel, and what the host or kernel does to memory meanwhile
  local reporting=""
  # A guest that reports free pages to its host pays a host fault on each page it writes to again,
  # so a cold pull's file writes cost more CPU the longer ago memory was freed (perf/README.md).
  compgen -G '/sys/bus/virtio/drivers/virtio_balloon/virtio*' >/dev/null &&
    [ -r /sys/module/page_reporting/parameters/page_reporting_order ] &&
    reporting="; free page reporting to the host on (cold pulls pay for writing to memory freed earlier)"
  # DAMON's proactive reclaim pages out memory, page cache included, that it saw idle for a while:
  # a blob file nobody read for a minute or so may come from disk again, slower.
  local kdamond reclaim=""
  for kdamond in /sys/kernel/mm/damon/admin/kdamonds/[0-9]*; do
    [ "$(cat "$kdamond/state" 2>/dev/null)" = on ] &&
      grep -qx pageout "$kdamond"/contexts/*/schemes/*/action 2>/dev/null &&
      reclaim="; DAMON proactive reclaim on (pages out idle memory, page cache too)"
  done
  printf '%s CPUs (%s), %s GiB memory, Linux %s%s%s\n' "$(nproc)" \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
    "$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" "$(uname -r)" "$reporting" "$reclaim"
}

# ---------------------------------------------------------------------------------------------
# Time, ports, logs
# ---------------------------------------------------------------------------------------------
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

free_port() { # a port on 127.0.0.1 that nothing listens on (bounded tries)
  local i port low=32768 span
  # Below the ephemeral range: a port that the kernel may give any client connection meanwhile
  # (curl, wrk, a mirror's upstream connections) could be taken by the time a server binds it.
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
  span=$((low - 20000))
  [ "$span" -ge 1000 ] || die "the ephemeral port range starts at $low; free_port needs ports 20000 and up below it"
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + RANDOM % span))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

wait_http_200() { # wait_http_200 URL PID LOGFILE [seconds]: until URL answers 200, PID alive
  local url="$1" pid="$2" logfile="$3" limit="${4:-60}" i code
  for ((i = 0; i < limit * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$logfile" >&2; die "process $pid exited before $url answered"; }
    code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null)"
    [ "$code" = 200 ] && return 0
    sleep 0.2
  done
  tail -n 30 "$logfile" >&2
  die "$url did not answer 200 within ${limit} s"
}

line_count() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }

settle_log() { # settle_log FILE: until its line count stays the same for 1 s (at most 60 s)
  local file="$1" previous=-1 current i
  for ((i = 0; i < 120; i++)); do
    current="$(line_count "$file")"
    if [ "$current" = "$previous" ]; then
      sleep 0.5
      [ "$(line_count "$file")" = "$current" ] && return 0
    fi
    previous="$current"
    sleep 0.5
  done
}

# ---------------------------------------------------------------------------------------------
# Other work on the machine: CPU time used by everything but this benchmark
# ---------------------------------------------------------------------------------------------
own_ticks() { # sets OWN_TICKS: CPU clock ticks of this shell, its reaped children and its live
  # descendants (not to be called in a $(...) subshell, whose `times` would be its own)
  local tck reaped live file="${WORK:-/tmp}/times.$$"
  tck="$(getconf CLK_TCK)"
  # `times` (run in this shell, not in a $(...) subshell): this shell's user and system time,
  # then its reaped children's, e.g. 0m1.250s
  times >"$file"
  reaped="$(tr ' ' '\n' <"$file" | awk -v tck="$tck" '{ sub(/s$/, ""); split($0, p, "m"); t += (p[1] * 60 + p[2]) * tck }
    END { printf "%.0f", t }')"
  # a live process's own time and that of the children it reaped (fields 14-17 of /proc/PID/stat)
  live="$(ps -e -o pid=,ppid= | awk -v root=$$ '{ parent[$1] = $2 } END {
      for (p in parent) { q = p; n = 0; while ((q in parent) && q != root && q > 1 && n++ < 64) q = parent[q]; if (q == root && p != root) print p } }' |
    while read -r pid; do
      stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
      echo "${stat##*) }"
    done | awk '{ t += $12 + $13 + $14 + $15 } END { printf "%.0f", t }')"
  OWN_TICKS=$((reaped + live))
}
cpu_ticks() { # "<busy> <total>" ticks of all CPUs since boot (/proc/stat; steal counts as busy)
  awk '$1 == "cpu" { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6; exit }' /proc/stat
}
cpu_mark() { # remembers the counters; cpu_others then tells what other work used since
  read -r CPU_MARK_BUSY CPU_MARK_TOTAL < <(cpu_ticks)
  own_ticks
  CPU_MARK_OWN="$OWN_TICKS"
}
cpu_others() { # sets CPU_OTHERS: the share (%) of the machine's CPU time that other work used since cpu_mark
  local busy total
  read -r busy total < <(cpu_ticks)
  own_ticks
  CPU_OTHERS="$(awk -v b=$((busy - CPU_MARK_BUSY)) -v t=$((total - CPU_MARK_TOTAL)) -v o=$((OWN_TICKS - CPU_MARK_OWN)) \
    'BEGIN { s = (t > 0) ? (b - o) * 100 / t : 0; if (s < 0) s = 0; printf "%.0f", s }')"
}

stevedore_notes() { # stevedore_notes WHAT: adds to NOTES when Stevedore's log reports trouble
  local n
  n="$(problems "$STEVEDORE_LOG")"
  [ "$n" != 0 ] && NOTES+=("$1: $n warning/error lines in Stevedore's log, e.g. \`$(first_problem "$STEVEDORE_LOG")\`")
}

problems() { # problems LOGFILE: the number of lines that report trouble
  grep -E -c 'WARNING|SEVERE|ERROR|Exception' "$1" 2>/dev/null || true
}
first_problem() { # first_problem LOGFILE: the first such line, cut to 200 characters
  grep -E -m1 'WARNING|SEVERE|ERROR|Exception' "$1" 2>/dev/null | cut -c1-200
}

# ---------------------------------------------------------------------------------------------
# Test content: deterministic, cached in $PERF_CACHE between runs
# ---------------------------------------------------------------------------------------------
random_bytes() { # random_bytes NAME BYTES: the same pseudo-random bytes for the same NAME, always
  local key
  key="$(printf 'stevedore-perf/%s' "$1" | sha256sum | cut -c1-32)"
  # AES-128-CTR of zeros: ~1-2 GB/s with AES-NI, where head -c /dev/urandom makes ~0.3 GB/s.
  # openssl ends on SIGPIPE when head has enough: its status says nothing (the size is checked).
  { openssl enc -aes-128-ctr -nosalt -bufsize 1048576 -K "$key" -iv 00000000000000000000000000000000 \
    -in /dev/zero 2>/dev/null || true; } | head -c "$2"
}

make_blob() { # make_blob NAME BYTES: sets MADE_FILE and MADE_HEX (cached)
  local file="$PERF_CACHE/blobs/$1-$2"
  if [ ! -f "$file.sha256" ] || [ ! -f "$file" ]; then
    mkdir -p "$PERF_CACHE/blobs" || die "cannot create $PERF_CACHE/blobs"
    log "generating blob $1 ($2 bytes) in $PERF_CACHE"
    random_bytes "$1" "$2" >"$file.tmp.$$"
    if [ "$(stat -c %s "$file.tmp.$$" 2>/dev/null)" != "$2" ]; then
      rm -f "$file.tmp.$$"
      die "cannot write $file ($2 bytes)"
    fi
    sha256sum "$file.tmp.$$" | cut -d' ' -f1 >"$file.sha256.tmp.$$"
    if ! { mv -f "$file.tmp.$$" "$file" && mv -f "$file.sha256.tmp.$$" "$file.sha256"; }; then
      die "cannot store $file"
    fi
  fi
  MADE_FILE="$file"
  MADE_HEX="$(cat "$file.sha256")"
}

verify_file() { # verify_file FILE HEX WHAT: its SHA-256 is HEX; then it is deleted
  local hex
  hex="$(sha256sum "$1" | cut -d' ' -f1)"
  [ "$hex" = "$2" ] || die "$3: downloaded bytes hash to sha256:$hex, not sha256:$2"
  rm -f "$1"
}

# ---------------------------------------------------------------------------------------------
# The upstream registry (docker-registry, filesystem storage, access log on stdout)
# ---------------------------------------------------------------------------------------------
UPSTREAM_CA="" # with UPSTREAM_TLS=1: the upstream's self-signed certificate, trusted by curl and start_jar
start_upstream() { # sets UPSTREAM (URL), UPSTREAM_HOSTPORT, UPSTREAM_PID, UPSTREAM_LOG, UPSTREAM_STORAGE
  # UPSTREAM_TLS=1 serves HTTPS, as every public registry does (and Go's server offers HTTP/2 there)
  local port scheme=http
  port="$(free_port)"
  UPSTREAM_LOG="$WORK/upstream-access.log"
  UPSTREAM_STORAGE="$WORK/upstream-storage"
  BULKY+=("$UPSTREAM_STORAGE")
  mkdir -p "$UPSTREAM_STORAGE"
  cat >"$WORK/upstream.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $UPSTREAM_STORAGE
http:
  addr: 127.0.0.1:$port
  secret: stevedore-benchmark
EOF
  if [ -n "${UPSTREAM_TLS-}" ]; then
    scheme=https
    UPSTREAM_CA="$WORK/upstream-cert.pem"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
      -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/upstream-key.pem" \
      -out "$UPSTREAM_CA" 2>"$WORK/openssl.err" || die "openssl could not make the upstream's certificate"
    printf '  tls:\n    certificate: %s\n    key: %s\n' "$UPSTREAM_CA" "$WORK/upstream-key.pem" >>"$WORK/upstream.yml"
    export CURL_CA_BUNDLE="$UPSTREAM_CA" # every curl here talks to local servers only
  fi
  docker-registry serve "$WORK/upstream.yml" >"$UPSTREAM_LOG" 2>"$WORK/upstream.err" &
  UPSTREAM_PID=$!
  PIDS+=("$UPSTREAM_PID")
  UPSTREAM_HOSTPORT="127.0.0.1:$port"
  UPSTREAM="$scheme://$UPSTREAM_HOSTPORT"
  wait_http_200 "$UPSTREAM/v2/" "$UPSTREAM_PID" "$WORK/upstream.err" 30
}

upstream_put_blob() { # upstream_put_blob REPOSITORY FILE HEX: monolithic upload, checked with a HEAD
  local repository="$1" file="$2" digest="sha256:$3" location separator code answer size
  location="$(curl -s -m 30 -D - -o /dev/null -X POST "$UPSTREAM/v2/$repository/blobs/uploads/" |
    tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')"
  [ -n "$location" ] || die "the upstream gave no upload Location"
  case "$location" in /*) location="$UPSTREAM$location" ;; esac
  case "$location" in *\?*) separator='&' ;; *) separator='?' ;; esac
  code="$(curl -s -m 600 -o /dev/null -w '%{http_code}' -T "$file" \
    -H 'Content-Type: application/octet-stream' "$location${separator}digest=$digest")"
  [ "$code" = 201 ] || die "upload of $digest answered $code, not 201"
  size="$(stat -c %s "$file")"
  answer="$(curl -s -m 30 -I -o /dev/null -w '%{http_code} %header{content-length}' "$UPSTREAM/v2/$repository/blobs/$digest")"
  [ "$answer" = "200 $size" ] || die "HEAD of the uploaded blob answered '$answer', not '200 $size'"
}

upstream_put_manifest() { # upstream_put_manifest REPOSITORY TAG FILE MEDIA_TYPE: PUT, checked by its digest
  local hex answer
  hex="$(sha256sum "$3" | cut -d' ' -f1)"
  answer="$(curl -s -m 30 -o /dev/null -w '%{http_code} %header{docker-content-digest}' -X PUT \
    -H "Content-Type: $4" --data-binary "@$3" "$UPSTREAM/v2/$1/manifests/$2")"
  [ "$answer" = "201 sha256:$hex" ] || die "PUT of manifest $1:$2 answered '$answer', not '201 sha256:$hex'"
}

upstream_blob_file() { # upstream_blob_file HEX: where the upstream's filesystem storage keeps it
  echo "$UPSTREAM_STORAGE/docker/registry/v2/blobs/sha256/${1:0:2}/$1/data"
}

upstream_gets() { # upstream_gets FROM_LINE TO_LINE PATH: "<GET count> <bytes>" of PATH in the access log
  sed -n "$(($1 + 1)),$2p" "$UPSTREAM_LOG" | awk -v path="$3" '
    $6 == "\"GET" && (index($7, path) == 1) && (length($7) == length(path) || substr($7, length(path) + 1, 1) == "?") {
      n++; if ($10 ~ /^[0-9]+$/) bytes += $10
    }
    END { printf "%d %.0f\n", n, bytes }'
}

# ---------------------------------------------------------------------------------------------
# A shared upstream link (run.sh --link-mbit): an htb class on lo that carries everything the
# upstream's port sends, so all connections from the upstream share one rate, as on a WAN link.
# Only traffic FROM the upstream is shaped (its answers: the mirrors' fetches, direct downloads);
# everything else on lo matches no class and goes out unshaped (htb's direct queue: the qdisc has
# no default class; with a 100gbit default class instead, nginx's warm downloads were ~9% slower
# here, the direct queue ~1%). A token bucket that queues: no propagation delay, no random loss.
# ---------------------------------------------------------------------------------------------
LINK_MBIT=""     # set from just before the shaping is installed until cleanup removes it
LINK_COMMANDS=() # the tc commands as run, for the results

link_check() { # link_check: dies unless this can shape lo: root, tc, no root qdisc on lo yet
  local root
  [ "$(id -u)" = 0 ] || die "--link-mbit shapes lo with tc, which needs root"
  tool_path tc >/dev/null || die "--link-mbit needs tc (apt-get install iproute2)"
  root="$(tc qdisc show dev lo root 2>&1)" || die "tc qdisc show dev lo failed: $root"
  case "$root" in
    "qdisc noqueue 0: root"*) ;;
    *) die "lo already has a root qdisc ('$root'): someone else shapes it, and this leaves it alone (if it is an 'htb 1:' that a perf run killed with KILL left behind: tc qdisc del dev lo root)" ;;
  esac
}

link_tc() { # link_tc ARG...: tc ARG..., recorded in LINK_COMMANDS; dies on failure, logs any warning
  local out
  LINK_COMMANDS+=("tc $*")
  out="$(tc "$@" 2>&1)" || die "tc $* failed: $out"
  [ -z "$out" ] || log "tc $*: $out"
}

link_start() { # link_start PORT MBIT: what 127.0.0.1:PORT sends shares one link of MBIT Mbit/s
  local port="$1" mbit="$2" burst
  # burst: 10 ms of the link, at least two of lo's 64 KiB packets (measured here: within 2% of
  # the rate from 20 to 5000 Mbit/s, for 2 s downloads). quantum: given, so htb does not compute
  # rate / r2q, which is above its 200000-byte maximum from 17 Mbit/s up ("quantum of class 10020
  # is big"); it only matters when classes borrow, and this one is alone.
  burst=$((mbit * 1250))
  [ "$burst" -ge 131072 ] || burst=131072
  LINK_MBIT="$mbit"
  LINK_COMMANDS=()
  link_tc qdisc add dev lo root handle 1: htb
  link_tc class add dev lo parent 1: classid 1:20 htb rate "${mbit}mbit" ceil "${mbit}mbit" \
    burst "$burst" cburst "$burst" quantum 200000
  link_tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip sport "$port" 0xffff flowid 1:20
}

link_stats() { # link_stats: what the link carried so far, and the drops of the whole qdisc on lo
  local link all bytes packets dropped
  link="$(tc -s class show dev lo classid 1:20 2>/dev/null | awk '$1 == "Sent" { gsub(/[(,]/, ""); print $2, $4, $7; exit }')"
  all="$(tc -s qdisc show dev lo root 2>/dev/null | awk '$1 == "Sent" { gsub(/[(,]/, ""); print $7; exit }')"
  read -r bytes packets dropped <<<"$link"
  echo "${bytes:-?} bytes in ${packets:-?} packets (${dropped:-?} dropped; ${all:-?} dropped by the whole qdisc on lo)"
}

link_stop() { # link_stop: removes the shaping, if link_start installed it (cleanup calls this)
  [ -n "$LINK_MBIT" ] || return 0
  LINK_MBIT=""
  if tc qdisc show dev lo root 2>/dev/null | grep -q '^qdisc htb 1: root'; then
    tc qdisc del dev lo root || log "could not remove the shaping of lo: run tc qdisc del dev lo root"
  fi
}

link_probe() { # link_probe URL SIZE: a timed Range download of URL (a blob of SIZE bytes) from the
  # upstream must come out at 0.5 to 1.3 times LINK_MBIT; sets LINK_PROBE_BYTES and LINK_PROBE_MBIT
  local url="$1" bytes code size total
  bytes=$((LINK_MBIT * 250000)) # 2 s of the link, 1 MB to the whole blob
  [ "$bytes" -ge 1000000 ] || bytes=1000000
  [ "$bytes" -le "$2" ] || bytes="$2"
  read -r code size total < <(curl -s -m "$CURL_MAX" -r "0-$((bytes - 1))" -o /dev/null \
    -w '%{http_code} %{size_download} %{time_total}' "$url")
  [ "$code $size" = "206 $bytes" ] || die "link check: a Range download got '$code $size', not '206 $bytes' ($url)"
  LINK_PROBE_BYTES="$bytes"
  LINK_PROBE_MBIT="$(awk -v b="$bytes" -v s="$total" 'BEGIN { printf "%.0f", b * 8 / 1e6 / s }')"
  awk -v got="$LINK_PROBE_MBIT" -v want="$LINK_MBIT" 'BEGIN { exit !(got >= 0.5 * want && got <= 1.3 * want) }' ||
    die "the link does not work: $bytes bytes from the upstream came at $LINK_PROBE_MBIT Mbit/s ($total s), not near $LINK_MBIT Mbit/s"
  log "link check: $bytes bytes from the upstream in $total s: $LINK_PROBE_MBIT Mbit/s (link: $LINK_MBIT Mbit/s)"
}

# ---------------------------------------------------------------------------------------------
# Stevedore and the peer, each with a fresh, empty store
# ---------------------------------------------------------------------------------------------
STEVEDORE_PID=""
STEVEDORE_URL=""
STEVEDORE_LOG=""
start_from_memory() { # start_from_memory BYTES: perf/HelidonFromMemory.java; sets MEMORY_URL, MEMORY_PID
  local port log="$WORK/from-memory.log"
  port="$(free_port)"
  [ -d "$REPO/target/libs" ] || die "no $REPO/target/libs (the build puts Stevedore's libraries there)"
  "$(java_command)" -cp "$REPO/target/libs/*" "$REPO/perf/HelidonFromMemory.java" "$port" "$1" >"$log" 2>&1 &
  MEMORY_PID=$!
  PIDS+=("$MEMORY_PID")
  MEMORY_URL="http://127.0.0.1:$port"
  wait_http_200 "$MEMORY_URL/v2/" "$MEMORY_PID" "$log" 60
}
start_stevedore() { # start_stevedore NAME UPSTREAM_URL: through ./stevedore, fresh data dir
  # Sets STEVEDORE_URL, STEVEDORE_PID, STEVEDORE_LOG, STEVEDORE_CONFIG, STEVEDORE_ADMIN_URL.
  # STEVEDORE_ACCESS_LOG=false turns the access log off (to measure what it costs);
  # STEVEDORE_ACCESS_LOG_FILE sends it to a file; STEVEDORE_MAX_SIZE sets storage.max-size (a
  # quota); STEVEDORE_TAG_FRESHNESS replaces the 1h tag freshness; STEVEDORE_PORT fixes the port
  # (a cluster's nodes name each other before they start); STEVEDORE_EXTRA_YAML is appended (a
  # cluster: section).
  local name="$1" dir="$WORK/stevedore-$1" port admin_port
  port="${STEVEDORE_PORT:-$(free_port)}"
  admin_port="$(free_port)"
  mkdir -p "$dir/data"
  BULKY+=("$dir")
  STEVEDORE_CONFIG="$dir/stevedore.yaml"
  {
    printf 'server:\n  host: 127.0.0.1\n  port: %s\n' "$port"
    printf 'storage:\n  path: %s\n' "$dir/data"
    [ -n "${STEVEDORE_MAX_SIZE-}" ] && printf '  max-size: %s\n' "$STEVEDORE_MAX_SIZE"
    printf 'admin:\n  port: %s\n' "$admin_port"
    printf 'access-log:\n  enabled: %s\n' "${STEVEDORE_ACCESS_LOG:-true}"
    [ -n "${STEVEDORE_ACCESS_LOG_FILE-}" ] && printf '  file: %s\n' "$STEVEDORE_ACCESS_LOG_FILE"
    printf 'upstreams:\n  - name: lab\n    url: %s\n    default: true\n    tag-freshness: %s\n' \
      "$2" "${STEVEDORE_TAG_FRESHNESS:-1h}"
    [ -n "$UPSTREAM_CA" ] && printf '    ca-file: %s\n' "$UPSTREAM_CA"
    printf '%s' "${STEVEDORE_EXTRA_YAML-}"
  } >"$STEVEDORE_CONFIG"
  STEVEDORE_ADMIN_URL="http://127.0.0.1:$admin_port"
  STEVEDORE_LOG="$WORK/stevedore-$name.log"
  "$REPO/stevedore" serve --config "$STEVEDORE_CONFIG" >"$STEVEDORE_LOG" 2>&1 &
  STEVEDORE_PID=$!
  PIDS+=("$STEVEDORE_PID")
  STEVEDORE_URL="http://127.0.0.1:$port"
  wait_http_200 "$STEVEDORE_URL/v2/" "$STEVEDORE_PID" "$STEVEDORE_LOG" 90
}
stop_stevedore() { # stop_stevedore NAME: stop it and drop its data dir
  stop_pid "$STEVEDORE_PID"
  rm -rf "$WORK/stevedore-$1"
}

# ---------------------------------------------------------------------------------------------
# One jar against one cold blob (cold-ab.sh, cold-profile.sh)
# ---------------------------------------------------------------------------------------------
COLD_BLOB_BYTES=335000000
COLD_WARMUP_BYTES=64000000
cold_content() { # starts the upstream with three warm-up blobs and the large blob; sets WARMUPS, BLOB_HEX, BLOB_PATH
  local name
  start_upstream
  WARMUPS=()
  for name in warmup warmup-2 warmup-3; do
    make_blob "$name" "$COLD_WARMUP_BYTES"
    WARMUPS+=("$MADE_HEX")
    upstream_put_blob bench/warmup "$MADE_FILE" "$MADE_HEX"
  done
  make_blob blob "$COLD_BLOB_BYTES"
  BLOB_HEX="$MADE_HEX"
  BLOB_PATH="/v2/bench/blob/blobs/sha256:$BLOB_HEX"
  upstream_put_blob bench/blob "$MADE_FILE" "$BLOB_HEX"
}
start_jar() { # start_jar JAR NAME [JAVA_OPTION...]: a fresh store, warmed up as run.sh does; sets MIRROR_PID, MIRROR_URL
  local jar="$1" dir="$WORK/$2" port hex ca=""
  shift 2
  port="$(free_port)"
  mkdir -p "$dir/data"
  BULKY+=("$dir")
  [ -n "$UPSTREAM_CA" ] && ca="    ca-file: $UPSTREAM_CA"$'\n'
  printf 'server:\n  host: 127.0.0.1\n  port: %s\nstorage:\n  path: %s\nadmin:\n  port: %s\nupstreams:\n  - name: lab\n    url: %s\n    default: true\n%s' \
    "$port" "$dir/data" "$(free_port)" "$UPSTREAM" "$ca" >"$dir/stevedore.yaml"
  "$(java_command)" --enable-native-access=ALL-UNNAMED -Xms32m "$@" -jar "$jar" serve \
    --config "$dir/stevedore.yaml" >"$dir.log" 2>&1 &
  MIRROR_PID=$!
  PIDS+=("$MIRROR_PID")
  MIRROR_URL="http://127.0.0.1:$port"
  wait_http_200 "$MIRROR_URL/v2/" "$MIRROR_PID" "$dir.log" 90
  # Three blobs cold, the first twice more warm: the cold path compiled before anything is measured.
  for hex in "${WARMUPS[0]}" "${WARMUPS[@]}" "${WARMUPS[0]}"; do
    download "$MIRROR_URL/v2/bench/warmup/blobs/sha256:$hex" "$COLD_WARMUP_BYTES" "warm-up"
  done
}

PEER_PID=""
PEER_URL=""
start_peer() { # start_peer NAME UPSTREAM_URL: docker-registry in proxy mode, fresh, empty storage
  local name="$1" dir="$WORK/peer-$1" port
  port="$(free_port)"
  mkdir -p "$dir/storage"
  BULKY+=("$dir")
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
http:
  addr: 127.0.0.1:$port
  secret: stevedore-benchmark
proxy:
  remoteurl: $2
EOF
  # Go's TLS takes extra roots from SSL_CERT_FILE: the upstream's own certificate with UPSTREAM_TLS.
  SSL_CERT_FILE="${UPSTREAM_CA:-${SSL_CERT_FILE-}}" docker-registry serve "$dir/config.yml" >"$WORK/peer-$name.log" 2>&1 &
  PEER_PID=$!
  PIDS+=("$PEER_PID")
  PEER_URL="http://127.0.0.1:$port"
  wait_http_200 "$PEER_URL/v2/" "$PEER_PID" "$WORK/peer-$name.log" 30
}
peer_has_blob() { # peer_has_blob NAME HEX: the peer's storage holds the whole blob
  [ -f "$WORK/peer-$1/storage/docker/registry/v2/blobs/sha256/${2:0:2}/$2/data" ]
}
wait_peer_blob() { # wait_peer_blob NAME HEX: until the peer stored it (it does so in the background)
  local i
  for ((i = 0; i < CURL_MAX * 10; i++)); do
    peer_has_blob "$1" "$2" && return 0
    sleep 0.1
  done
  return 1
}
stop_peer() {
  stop_pid "$PEER_PID"
  rm -rf "$WORK/peer-$1"
}

# ---------------------------------------------------------------------------------------------
# nginx: a private instance (own config, pid, logs, temp dirs; foreground; never the system one)
# ---------------------------------------------------------------------------------------------
NGINX_PID=""
start_nginx() { # start_nginx DIR MAIN_DIRECTIVES HTTP_DIRECTIVES: writes DIR/nginx.conf, starts it
  local dir="$1" nginx
  nginx="$(tool_path nginx)" || die "no nginx"
  mkdir -p "$dir/tmp"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
$2
events { worker_connections 4096; }
http {
  client_body_temp_path $dir/tmp/client-body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  gzip off;
$3
}
EOF
  "$nginx" -t -q -p "$dir/" -e "$dir/error.log" -c "$dir/nginx.conf" 2>"$dir/config-test.err" ||
    { cat "$dir/config-test.err" >&2; die "nginx rejects $dir/nginx.conf"; }
  "$nginx" -p "$dir/" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
}

# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------
set_curl_max() { # set_curl_max SECONDS: the longest any one download may take (CURL_MAX, CURL_GET)
  CURL_MAX="$1"
  # One download: status and size are checked; the times are curl's own (no process start-up).
  CURL_GET=(curl -s -m "$CURL_MAX" -w '%{http_code} %{size_download} %{time_starttransfer} %{time_total}')
}
set_curl_max 900
download() { # download URL BYTES WHAT [OUTFILE]: sets DL_SECONDS (total) and DL_FIRST_BYTE_MS
  local code size first total
  read -r code size first total < <("${CURL_GET[@]}" -o "${4:-/dev/null}" "$1")
  [ "$code $size" = "200 $2" ] || die "$3: the client got '$code $size', not '200 $2' ($1)"
  DL_SECONDS="$total"
  DL_FIRST_BYTE_MS="$(awk -v s="$first" 'BEGIN { printf "%.1f", s * 1000 }')"
}

checked_download() { # checked_download URL BYTES HEX WHAT: a download whose SHA-256 is then checked (sets DL_SECONDS)
  download "$1" "$2" "$4" "$WORK/check"
  verify_file "$WORK/check" "$3" "$4"
}

many_clients() { # many_clients URLS BYTES HEX N WHAT: N clients of each of the space-separated
  # URLS, all at once; the first client of each URL is hashed afterwards; sets WALL
  local urls="$1" bytes="$2" hex="$3" n="$4" what="$5" start end i k=0 url out answer pids=() hashed=()
  rm -f "$WORK"/client-*.out "$WORK"/download-*
  start="$(now)"
  for url in $urls; do
    for ((i = 1; i <= n; i++)); do
      k=$((k + 1))
      if [ "$i" = 1 ]; then
        out="$WORK/download-$k"
        hashed+=("$out")
      else
        out=/dev/null
      fi
      curl -s -m "$CURL_MAX" -o "$out" -w '%{http_code} %{size_download}' "$url" >"$WORK/client-$k.out" 2>&1 &
      pids+=($!)
      PIDS+=($!)
    done
  done
  for i in "${pids[@]}"; do
    wait "$i"
  done
  end="$(now)"
  for i in "${pids[@]}"; do
    forget_pid "$i"
  done
  WALL="$(elapsed "$start" "$end")"
  for ((i = 1; i <= k; i++)); do
    answer="$(cat "$WORK/client-$i.out")"
    [ "$answer" = "200 $bytes" ] || die "$what: client $i got '$answer', not '200 $bytes'"
  done
  for out in "${hashed[@]}"; do
    verify_file "$out" "$hex" "$what"
  done
}

RSS_STOP=""
RSS_PID=""
start_rss_sampler() { # start_rss_sampler PID OUTFILE: peak VmRSS (KiB) of PID, every 0.2 s
  local pid="$1" out="$2"
  RSS_STOP="$WORK/rss.stop"
  rm -f "$RSS_STOP"
  echo 0 >"$out"
  (
    peak=0
    for ((i = 0; i < 18000; i++)); do # at most one hour
      [ -e "$RSS_STOP" ] && break
      rss=""
      while read -r key value _; do
        [ "$key" = "VmRSS:" ] && { rss="$value"; break; }
      done 2>/dev/null <"/proc/$pid/status"
      [ -z "$rss" ] && break
      if [ "$rss" -gt "$peak" ]; then
        peak="$rss"
        echo "$peak" >"$out"
      fi
      sleep 0.2
    done
  ) &
  RSS_PID=$!
  PIDS+=("$RSS_PID")
}
stop_rss_sampler() {
  touch "$RSS_STOP"
  stop_pid "$RSS_PID"
}

# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------
pid_cpu() { # pid_cpu PID: CPU seconds (user + system) the process has used so far
  # Fields counted after "pid (comm) ", so a command name with spaces cannot shift them.
  sed 's/^.*) //' "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / hz }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b == 0) print "n/a"; else printf "%.3f", a / b }'; }

median() { # median FORMAT VALUES... (values that are not numbers, such as n/a, are left out)
  local format="$1"
  shift
  printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | awk -v f="$format" '{ v[NR] = $1 } END {
    if (NR == 0) { print "n/a"; exit }
    if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf f, m }'
}

verdict() { # verdict VALUE OP GOAL (OP is <= or >=): PASS or MISS (n/a for no value)
  awk -v v="$1" -v op="$2" -v goal="$3" 'BEGIN {
    if (v !~ /^[0-9.]+$/) { print "n/a"; exit }
    if (op == "<=") ok = (v + 0 <= goal + 0.0005); else ok = (v + 0 >= goal - 0.0005)
    print (ok ? "PASS" : "MISS") }'
}
