#!/usr/bin/env bash
# What a cold blob costs, old build against new: one cold download of the large blob perf/run.sh
# uses (335 MB) through a fresh Stevedore, alternating between BASE_JAR and NEW_JAR (default: this
# checkout's target/stevedore.jar), the order swapped every round, with a direct download from the
# upstream in each round for the ratio. Each side is a new JVM with an empty store, warmed up as
# run.sh does: three 64 MB warm-up blobs cold, the first twice more warm. Reports per download: MB/s, the
# ratio to direct, and the mirror's CPU seconds (/proc/PID/stat) during it; then medians.
#   BASE_JAR=/path/to/old/stevedore.jar perf/cold-ab.sh [ROUNDS]
# Extra JVM options for both sides: COLD_JAVA_OPTS (e.g. a JFR recording for a profile).
# UPSTREAM_TLS=1: the upstream serves HTTPS (see perf/lib.sh start_upstream).
set -uo pipefail # not -e: lib.sh checks what it runs and dies with a message
: "${BASE_JAR:?set BASE_JAR to the stevedore.jar to compare against}"
NEW_JAR="${NEW_JAR:-$(cd "$(dirname "$0")/.." && pwd)/target/stevedore.jar}"
ROUNDS="${1:-4}"
# shellcheck source=perf/lib.sh
. "$(dirname "$0")/lib.sh"
perf_start cold-ab 1200000
BLOB_BYTES="$COLD_BLOB_BYTES"
cold_content
read -r -a JAVA_OPTIONS <<<"${COLD_JAVA_OPTS-}"

# A fast cold download must also be a correct one: the new jar's body is checked once, untimed.
start_jar "$NEW_JAR" new-check "${JAVA_OPTIONS[@]}"
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
    start_jar "$jar" "$side-$round" "${JAVA_OPTIONS[@]}"
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
