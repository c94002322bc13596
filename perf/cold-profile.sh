#!/usr/bin/env bash
# Where the CPU of one cold download goes: a fresh Stevedore (JAR, default this checkout's) warmed
# up as perf/run.sh does, then `perf record` (cpu-clock, call graphs, JIT symbols from
# -XX:+DumpPerfMapAtExit) of the mirror process during one cold download of the 335 MB blob, and
# the samples sorted by what the innermost telling frame was doing (perf/cold-profile.py).
#   perf/cold-profile.sh [JAR] [OUT.data]
set -uo pipefail # not -e: lib.sh checks what it runs and dies with a message
JAR="${1:-$(cd "$(dirname "$0")/.." && pwd)/target/stevedore.jar}"
OUT="${2:-/tmp/cold-profile.data}"
# shellcheck source=perf/lib.sh
. "$(dirname "$0")/lib.sh"
perf_start cold-profile 1200000
command -v perf >/dev/null || die "needs perf (Debian package linux-perf)"
start_upstream
WARMUPS=()
for name in warmup warmup-2 warmup-3; do
  make_blob "$name" $((64 * 1000 * 1000))
  WARMUPS+=("$MADE_HEX")
  upstream_put_blob bench/warmup "$MADE_FILE" "$MADE_HEX"
done
make_blob blob 335000000
upstream_put_blob bench/blob "$MADE_FILE" "$MADE_HEX"
BLOB_HEX="$MADE_HEX"
port="$(free_port)"
mkdir -p "$WORK/data"
BULKY+=("$WORK/data")
printf 'server:\n  host: 127.0.0.1\n  port: %s\nstorage:\n  path: %s\nadmin:\n  port: %s\nupstreams:\n  - name: lab\n    url: %s\n    default: true\n' \
  "$port" "$WORK/data" "$(free_port)" "$UPSTREAM" >"$WORK/stevedore.yaml"
"$(java_command)" --enable-native-access=ALL-UNNAMED -Xms32m -XX:+PreserveFramePointer \
  -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -jar "$JAR" serve \
  --config "$WORK/stevedore.yaml" >"$WORK/stevedore.log" 2>&1 &
MIRROR=$!
PIDS+=("$MIRROR")
URL="http://127.0.0.1:$port"
wait_http_200 "$URL/v2/" "$MIRROR" "$WORK/stevedore.log" 90
for hex in "${WARMUPS[0]}" "${WARMUPS[@]}" "${WARMUPS[0]}"; do
  download "$URL/v2/bench/warmup/blobs/sha256:$hex" 64000000 "warm-up"
done
perf record -e cpu-clock -F 1999 -g -p "$MIRROR" -o "$OUT" 2>"$WORK/perf.err" &
RECORDER=$!
sleep 0.5 # perf attaches
before="$(pid_cpu "$MIRROR")"
download "$URL/v2/bench/blob/blobs/sha256:$BLOB_HEX" 335000000 "cold download"
echo "cold 335 MB: $DL_SECONDS s, $(awk -v a="$(pid_cpu "$MIRROR")" -v b="$before" 'BEGIN { printf "%.2f", a - b }') CPU s"
kill -INT "$RECORDER"
wait "$RECORDER"
stop_pid "$MIRROR" # writes /tmp/perf-PID.map, which perf report reads
python3 "$(dirname "$0")/cold-profile.py" "$OUT"
