#!/usr/bin/env bash
# Where the machine's CPU goes in one cold download, and what that bounds: the CPU seconds of the
# upstream registry, the client (curl) and the mirror, for a direct download of the large blob
# perf/run.sh uses (335 MB) and for a cold one through a fresh Stevedore (warmed up as run.sh
# does). Their sum over the machine's CPUs is the shortest wall time the download could take when
# every process ran flat out at once; compared with the measured wall time it says whether the
# download was bound by CPU.
#   perf/cold-budget.sh [ROUNDS]      (default 3; JAR= another stevedore.jar)
set -uo pipefail # not -e: lib.sh checks what it runs and dies with a message
JAR="${JAR:-$(cd "$(dirname "$0")/.." && pwd)/target/stevedore.jar}"
ROUNDS="${1:-3}"
# shellcheck source=perf/lib.sh
. "$(dirname "$0")/lib.sh"
perf_start cold-budget 1200000
BLOB_BYTES="$COLD_BLOB_BYTES"
cold_content
CPUS="$(nproc)"

# timed_download URL WHAT [MIRROR_PID]: one download; prints "wall upstream_cpu client_cpu mirror_cpu"
timed_download() {
  local url="$1" what="$2" mirror="${3-}" up_before mirror_before=0 times
  up_before="$(pid_cpu "$UPSTREAM_PID")"
  [ -n "$mirror" ] && mirror_before="$(pid_cpu "$mirror")"
  times="$WORK/curl-times"
  /usr/bin/time -f '%U %S' -o "$times" "${CURL_GET[@]}" -o /dev/null "$url" >"$WORK/curl-out" ||
    die "$what: curl failed"
  read -r code size _ wall <"$WORK/curl-out"
  [ "$code $size" = "200 $BLOB_BYTES" ] || die "$what: got '$code $size'"
  awk -v w="$wall" -v u="$(pid_cpu "$UPSTREAM_PID")" -v ub="$up_before" \
    -v m="$([ -n "$mirror" ] && pid_cpu "$mirror" || echo 0)" -v mb="$mirror_before" \
    -v c="$(awk '{ print $1 + $2 }' "$times")" \
    'BEGIN { printf "%.3f %.2f %.2f %.2f\n", w, u - ub, c, m - mb }'
}

echo "| download | wall s | upstream CPU s | client CPU s | mirror CPU s | all CPU s | all / $CPUS CPUs, s | wall / that |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
row() { # row LABEL "wall up client mirror"
  read -r wall up client mirror <<<"$2"
  awk -v l="$1" -v w="$wall" -v u="$up" -v c="$client" -v m="$mirror" -v n="$CPUS" 'BEGIN {
    all = u + c + m; printf "| %s | %.3f | %.2f | %.2f | %.2f | %.2f | %.3f | %.2f |\n", l, w, u, c, m, all, all / n, w / (all / n) }'
}
for ((round = 1; round <= ROUNDS; round++)); do
  row "direct, round $round" "$(timed_download "$UPSTREAM$BLOB_PATH" "direct $round")"
  start_jar "$JAR" "cold-$round"
  row "Stevedore cold, round $round" "$(timed_download "$MIRROR_URL$BLOB_PATH" "cold $round" "$MIRROR_PID")"
  stop_pid "$MIRROR_PID"
  rm -rf "$WORK/cold-$round/data"
done
