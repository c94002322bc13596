#!/usr/bin/env bash
# What a cold blob costs, old build against new: one cold download of the large blob perf/run.sh
# uses (335 MB) through a fresh Stevedore, alternating between BASE_JAR and NEW_JAR (default: this
# checkout's target/stevedore.jar), the order swapped every round, with a direct download from the
# upstream in each round for the ratio. Each side is a new JVM with an empty store, warmed up as
# run.sh does: three 64 MB warm-up blobs cold, the first twice more warm. Reports per download: MB/s, the
# ratio to direct, and the mirror's CPU seconds (/proc/PID/stat) during it; then medians.
#   BASE_JAR=/path/to/old/stevedore.jar perf/cold-ab.sh [ROUNDS]
# Extra JVM options for both sides: COLD_JAVA_OPTS (e.g. a JFR recording for a profile).
set -uo pipefail # not -e: lib.sh checks what it runs and dies with a message
: "${BASE_JAR:?set BASE_JAR to the stevedore.jar to compare against}"
NEW_JAR="${NEW_JAR:-$(cd "$(dirname "$0")/.." && pwd)/target/stevedore.jar}"
ROUNDS="${1:-4}"
# shellcheck source=perf/lib.sh
. "$(dirname "$0")/lib.sh"
perf_start cold-ab 1200000
JAVA="$(java_command)"
BLOB_BYTES=335000000
WARMUP_BYTES=64000000
start_upstream
WARMUPS=()
for name in warmup warmup-2 warmup-3; do
  make_blob "$name" "$WARMUP_BYTES"
  WARMUPS+=("$MADE_HEX")
  upstream_put_blob bench/warmup "$MADE_FILE" "$MADE_HEX"
done
make_blob blob "$BLOB_BYTES"
BLOB_HEX="$MADE_HEX"
upstream_put_blob bench/blob "$MADE_FILE" "$BLOB_HEX"
BLOB_PATH="/v2/bench/blob/blobs/sha256:$BLOB_HEX"

start_jar() { # start_jar JAR NAME: a fresh store; sets MIRROR_PID and MIRROR_URL
  local dir="$WORK/$2" port
  port="$(free_port)"
  mkdir -p "$dir/data"
  BULKY+=("$dir")
  printf 'server:\n  host: 127.0.0.1\n  port: %s\nstorage:\n  path: %s\nadmin:\n  port: %s\nupstreams:\n  - name: lab\n    url: %s\n    default: true\n' \
    "$port" "$dir/data" "$(free_port)" "$UPSTREAM" >"$dir/stevedore.yaml"
  # shellcheck disable=SC2086 # options are words
  "$JAVA" --enable-native-access=ALL-UNNAMED -Xms32m ${COLD_JAVA_OPTS-} -jar "$1" serve \
    --config "$dir/stevedore.yaml" >"$WORK/$2.log" 2>&1 &
  MIRROR_PID=$!
  PIDS+=("$MIRROR_PID")
  MIRROR_URL="http://127.0.0.1:$port"
  wait_http_200 "$MIRROR_URL/v2/" "$MIRROR_PID" "$WORK/$2.log" 90
  local hex
  for hex in "${WARMUPS[0]}" "${WARMUPS[@]}" "${WARMUPS[0]}"; do
    download "$MIRROR_URL/v2/bench/warmup/blobs/sha256:$hex" "$WARMUP_BYTES" "warm-up"
  done
}

# A fast cold download must also be a correct one: the new jar's body is checked once, untimed.
start_jar "$NEW_JAR" new-check
checked_download "$MIRROR_URL$BLOB_PATH" "$BLOB_BYTES" "$BLOB_HEX" "new, check"
stop_pid "$MIRROR_PID"
rm -rf "$WORK/new-check/data"

declare -A RESULTS
for ((round = 1; round <= ROUNDS; round++)); do
  order="base new"
  [ $((round % 2)) = 0 ] && order="new base"
  download "$UPSTREAM$BLOB_PATH" "$BLOB_BYTES" "direct, round $round"
  direct="$(awk -v b="$BLOB_BYTES" -v s="$DL_SECONDS" 'BEGIN { printf "%.0f", b / s / 1e6 }')"
  for side in $order; do
    jar="$BASE_JAR"
    [ "$side" = new ] && jar="$NEW_JAR"
    start_jar "$jar" "$side-$round"
    before="$(pid_cpu "$MIRROR_PID")"
    download "$MIRROR_URL$BLOB_PATH" "$BLOB_BYTES" "$side, round $round"
    cpu="$(awk -v a="$(pid_cpu "$MIRROR_PID")" -v b="$before" 'BEGIN { printf "%.2f", a - b }')"
    rate="$(awk -v b="$BLOB_BYTES" -v s="$DL_SECONDS" 'BEGIN { printf "%.0f", b / s / 1e6 }')"
    echo "round $round $side: $rate MB/s, $(ratio "$rate" "$direct") of direct ($direct MB/s), $cpu CPU s"
    RESULTS[$side.rate]+="$rate "
    RESULTS[$side.ratio]+="$(ratio "$rate" "$direct") "
    RESULTS[$side.cpu]+="$cpu "
    stop_pid "$MIRROR_PID"
    rm -rf "$WORK/$side-$round/data"
  done
done
for side in base new; do
  # shellcheck disable=SC2086 # lists of numbers
  echo "$side median: $(median %.0f ${RESULTS[$side.rate]}) MB/s, $(median %.3f ${RESULTS[$side.ratio]}) of direct, $(median %.2f ${RESULTS[$side.cpu]}) CPU s  (MB/s: ${RESULTS[$side.rate]}; CPU s: ${RESULTS[$side.cpu]})"
done
