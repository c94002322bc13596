#!/usr/bin/env bash
# Where the CPU of one cold download goes: a fresh Stevedore (JAR, default this checkout's) warmed
# up as perf/run.sh does, then `perf record` (cpu-clock, call graphs, JIT symbols from
# -XX:+DumpPerfMapAtExit) of the mirror process during one cold download of the 335 MB blob, and
# the samples sorted by what the innermost telling frame was doing (perf/cold-profile.py).
#   perf/cold-profile.sh [JAR] [OUT.data]
# COLD_LINK_MBIT=N puts the upstream behind one shared link of N Mbit/s (root; see perf/run.sh).
# UPSTREAM_TLS=1 serves the upstream over HTTPS (perf/lib.sh start_upstream).
# COLD_CLIENTS=N has N clients download the cold blob at once, as perf/run.sh's concurrent-cold.
set -uo pipefail # not -e: lib.sh checks what it runs and dies with a message
JAR="${1:-$(cd "$(dirname "$0")/.." && pwd)/target/stevedore.jar}"
OUT="${2:-/tmp/cold-profile.data}"
# shellcheck source=perf/lib.sh
. "$(dirname "$0")/lib.sh"
perf_start cold-profile 1200000
command -v perf >/dev/null || die "needs perf (Debian package linux-perf)"
cold_content
if [ -n "${COLD_LINK_MBIT-}" ]; then # the upstream behind one shared link, as perf/run.sh --link-mbit
  link_check
  link_start "${UPSTREAM_HOSTPORT##*:}" "$COLD_LINK_MBIT"
fi
start_jar "$JAR" stevedore -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit
perf record -e cpu-clock -F 1999 -g -p "$MIRROR_PID" -o "$OUT" 2>"$WORK/perf.err" &
RECORDER=$!
sleep 0.5 # perf attaches
before="$(pid_cpu "$MIRROR_PID")"
if [ "${COLD_CLIENTS:-1}" -gt 1 ]; then
  set_curl_max 600
  many_clients "$MIRROR_URL$BLOB_PATH" "$COLD_BLOB_BYTES" "$BLOB_HEX" "$COLD_CLIENTS" "cold download"
  DL_SECONDS="$WALL"
else
  download "$MIRROR_URL$BLOB_PATH" "$COLD_BLOB_BYTES" "cold download"
fi
echo "cold 335 MB, ${COLD_CLIENTS:-1} client(s): $DL_SECONDS s, $(awk -v a="$(pid_cpu "$MIRROR_PID")" -v b="$before" 'BEGIN { printf "%.2f", a - b }') CPU s"
kill -INT "$RECORDER"
wait "$RECORDER"
stop_pid "$MIRROR_PID" # writes /tmp/perf-PID.map, which perf report reads
python3 "$(dirname "$0")/cold-profile.py" "$OUT"
