#!/usr/bin/env bash
# Soak (issue 16, part 5): one Stevedore under many clients for minutes, behind an upstream that
# spoils 5% of its answers, with a quota smaller than the working set so eviction runs throughout.
#
# Usage (from a checkout; ./stevedore builds target/stevedore.jar when it is missing or stale):
#   perf/soak.sh [--minutes 10] [--clients 200] [--images 24] [--hot 4] [--quota-mb 96]
#                [--fault-rate 0.05] [--retry-after 1] [--pause-ms 0] [--out perf/results/soak.md]
#   a quick check: perf/soak.sh --minutes 1 --clients 20 --out /tmp/soak.md
# Environment: STEVEDORE_JAVA_OPTS reaches the mirror's JVM through ./stevedore (e.g. -Xmx256m);
# PERF_KEEP=1 keeps the logs (access log, fault log, samples, mirror log) in the run's temp dir.
#
# What runs, all on 127.0.0.1:
#   upstream   docker-registry with --images test images soak/img-NN:v1, each an OCI manifest with
#              a config (~0.6-1.5 KB) and three layers: small (16-64 KiB), medium (1-3 MiB) and
#              large (6-14 MiB) of pseudo-random bytes (lib.sh make_blob, cached in $PERF_CACHE).
#              Working set with 24 images: ~290 MB.
#   faults     perf/faulty-proxy.py between the mirror and the upstream: --fault-rate of the answers
#              to manifest and blob requests are spoiled: reset mid-body (40%), body cut short of
#              its Content-Length (40%), 503 (15%), 429 with Retry-After: --retry-after s (5%; the
#              mirror then asks the upstream nothing for that long and answers its misses 429, so
#              a larger share would keep it refusing most of the time).
#              It logs every request (the log classifies the clients' errors, see below).
#   stevedore  ONE ./stevedore serve, storage.max-size --quota-mb MiB (must be below the working
#              set: the script refuses otherwise), tag-freshness 10s (tags are revalidated all the
#              time, so faults also hit tag requests), access log to a file.
#   clients    perf/soak-clients.py: --clients threads for --minutes, each with one keep-alive
#              connection, looping over blob GETs (full body; SHA-256 checked for every blob up to
#              64 KiB and 10% of the others), ranged blob GETs (206, Content-Range, bytes compared),
#              blob HEADs, manifests by tag and by digest (body's digest checked), manifest HEADs by
#              tag; 70% of the picks go to the --hot images (warm), the rest to any image (cold
#              whenever eviction took the blob). The weights are at the top of soak-clients.py.
#   sampler    every 10 s: the mirror's RSS (VmRSS) and open file descriptors (/proc/PID/fd), its
#              stored bytes and quota (/_stevedore/status.json on the admin port), evictions,
#              fill resumes and failed fills (/metrics).
# At the end: the clients' errors classified against the fault log (soak-clients.py says how: an
# error is expected only when an injected fault explains it, e.g. a 429 while an injected
# Retry-After ran, a refusal of a fill's first upstream answer passed on as 502, or a fill whose
# resumes ran out), then, once no fill runs, `./stevedore verify --config FILE` through the running
# server (re-hashes every stored blob and manifest).
#
# Goals (the exit status is 1 when one is missed):
#   unexpected errors            0 (wrong bytes or headers are never expected)
#   peak RSS                     < 512 MiB
#   RSS flat after warm-up       the samples after the warm-up (the first fifth of the run) split in
#                                two halves: max of the second <= 1.1 x max of the first + 16 MiB
#   open fds flat                the same rule, + 16 descriptors
#   eviction throughout          evictions in the second half of the run > 0
#   stored bytes at the end      <= the quota
#   stevedore verify             exit 0, 0 blobs and 0 manifests removed as corrupted
#   faults injected              > 0 (else the run proved nothing about faults)
# Latency p50/p99 of cached small blobs (hot images' configs and small layers, GET, after the
# warm-up) is reported twice, without a goal: from the clients (Python threads: includes their own
# scheduling on a busy machine) and from the mirror's access log (duration_ms of cache hits).
#
# The 10-minute, 200-client run is the one whose report is kept (perf/results/soak.md). The
# machine's other work shows in the report's load and CPU lines: on 2 shared CPUs the numbers of
# one run are those of that run.
set -uo pipefail # not -e: lib.sh checks what it runs and dies with a message

MINUTES=10
CLIENTS=200
IMAGES=24
HOT=4
QUOTA_MB=96
FAULT_RATE=0.05
RETRY_AFTER=1
PAUSE_MS=0
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --images) IMAGES="$2"; shift 2 ;;
    --hot) HOT="$2"; shift 2 ;;
    --quota-mb) QUOTA_MB="$2"; shift 2 ;;
    --fault-rate) FAULT_RATE="$2"; shift 2 ;;
    --retry-after) RETRY_AFTER="$2"; shift 2 ;;
    --pause-ms) PAUSE_MS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for value in "$MINUTES" "$CLIENTS" "$IMAGES" "$HOT" "$QUOTA_MB" "$RETRY_AFTER"; do
  [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -gt 0 ] || { echo "not a positive whole number: $value" >&2; exit 2; }
done
[ "$HOT" -le "$IMAGES" ] || { echo "--hot $HOT is more than --images $IMAGES" >&2; exit 2; }
COMMAND="perf/soak.sh --minutes $MINUTES --clients $CLIENTS --images $IMAGES --hot $HOT --quota-mb $QUOTA_MB --fault-rate $FAULT_RATE --retry-after $RETRY_AFTER --pause-ms $PAUSE_MS"

# shellcheck source=perf/lib.sh
. "$(dirname "$0")/lib.sh"
OUT="${OUT:-$PERF_DIR/results/soak.md}"
SECONDS_RUN=$((MINUTES * 60))
WARMUP=$((SECONDS_RUN / 5))
SAMPLE_EVERY=10
perf_start soak 2000000
ensure_tools docker-registry curl openssl python3
ensure_stevedore
DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# ---------------------------------------------------------------------------------------------
# Content: IMAGES images, pushed to the upstream; the plan tells the clients what to expect
# ---------------------------------------------------------------------------------------------
start_upstream
PLAN="$WORK/plan.tsv"
: >"$PLAN"
WORKING_SET=0
push_image() { # push_image INDEX: its blobs and manifest into the upstream, and into the plan
  local i="$1" repository tag=v1 kind bytes hot=0 manifest="$WORK/manifest-$1.json" layers="" config=""
  repository="$(printf 'soak/img-%02d' "$i")"
  [ "$i" -lt "$HOT" ] && hot=1
  for kind in config small medium large; do
    case "$kind" in
      config) bytes=$((600 + 37 * i)) ;;
      small) bytes=$((16384 * (1 + i % 4))) ;;
      medium) bytes=$((1048576 * (1 + i % 3))) ;;
      large) bytes=$((6291456 + 2097152 * (i % 5))) ;;
    esac
    make_blob "soak-$i-$kind" "$bytes"
    upstream_put_blob "$repository" "$MADE_FILE" "$MADE_HEX"
    WORKING_SET=$((WORKING_SET + bytes))
    printf 'blob\t%s\t%s\tsha256:%s\t%s\t%s\n' "$repository" "$kind" "$MADE_HEX" "$bytes" "$MADE_FILE" >>"$PLAN"
    if [ "$kind" = config ]; then
      config="$(printf '{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s}' "$MADE_HEX" "$bytes")"
    else
      layers="$layers${layers:+,}$(printf '{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}' "$MADE_HEX" "$bytes")"
    fi
  done
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":[%s]}' \
    "$config" "$layers" >"$manifest"
  upstream_put_manifest "$repository" "$tag" "$manifest" application/vnd.oci.image.manifest.v1+json
  printf 'image\t%s\t%s\tsha256:%s\t%s\t%s\n' "$repository" "$tag" "$(sha256sum "$manifest" | cut -d' ' -f1)" \
    "$(stat -c %s "$manifest")" "$hot" >>"$PLAN"
}
log "pushing $IMAGES images into the upstream"
for ((i = 0; i < IMAGES; i++)); do push_image "$i"; done
QUOTA_BYTES=$((QUOTA_MB * 1048576))
[ "$WORKING_SET" -gt "$QUOTA_BYTES" ] ||
  die "the working set ($WORKING_SET bytes) fits the quota ($QUOTA_BYTES): nothing would be evicted; raise --images or lower --quota-mb"

# ---------------------------------------------------------------------------------------------
# The fault layer and the mirror
# ---------------------------------------------------------------------------------------------
FAULT_LOG="$WORK/upstream-faults.jsonl"
PROXY_PORT="$(free_port)"
python3 "$PERF_DIR/faulty-proxy.py" --listen "$PROXY_PORT" --upstream "$UPSTREAM" --log "$FAULT_LOG" \
  --rate "$FAULT_RATE" --retry-after "$RETRY_AFTER" >"$WORK/faulty-proxy.log" 2>&1 &
PROXY_PID=$!
PIDS+=("$PROXY_PID")
wait_http_200 "http://127.0.0.1:$PROXY_PORT/v2/" "$PROXY_PID" "$WORK/faulty-proxy.log" 30

ACCESS_LOG="$WORK/access.log"
STEVEDORE_MAX_SIZE="${QUOTA_MB}MiB" STEVEDORE_TAG_FRESHNESS=10s STEVEDORE_ACCESS_LOG_FILE="$ACCESS_LOG" \
  start_stevedore soak "http://127.0.0.1:$PROXY_PORT"

# ---------------------------------------------------------------------------------------------
# The sampler: every 10 s, one line of the mirror's RSS, fds, store and eviction counters
# ---------------------------------------------------------------------------------------------
SAMPLES="$WORK/samples.tsv"
metric() { # metric NAME [LABELS] < /metrics text: the value (0 when absent)
  local name="$1"
  [ -n "${2-}" ] && name="$name{$2}"
  awk -v name="$name" '$1 == name { v = $2 } END { printf "%.0f", v + 0 }'
}
sample() { # sample SECONDS: appends one line to $SAMPLES
  local rss fds status stored quota metrics
  rss="$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$STEVEDORE_PID/status" 2>/dev/null)"
  fds="$(find "/proc/$STEVEDORE_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
  status="$(curl -s -m 5 "$STEVEDORE_ADMIN_URL/_stevedore/status.json")"
  # the first ones are the store's; the running fills that follow have their own storedBytes
  stored="$(grep -o -m1 '"storedBytes":[0-9]*' <<<"$status" | head -n 1 | cut -d: -f2)"
  quota="$(grep -o -m1 '"quotaBytes":[0-9]*' <<<"$status" | head -n 1 | cut -d: -f2)"
  metrics="$(curl -s -m 5 "$STEVEDORE_URL/metrics")"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "${rss:-?}" "$fds" "${stored:-?}" "${quota:-?}" \
    "$(metric stevedore_evictions_total <<<"$metrics")" \
    "$(metric stevedore_fill_resumes_total <<<"$metrics")" \
    "$(metric stevedore_fills_total 'result="failed"' <<<"$metrics")" >>"$SAMPLES"
}
start_sampler() {
  local start="$EPOCHREALTIME"
  (
    for ((n = 0; ; n++)); do
      [ -e "$WORK/sampler.stop" ] && break
      sample $((n * SAMPLE_EVERY))
      sleep "$(awk -v s="$start" -v n=$((n + 1)) -v e="$SAMPLE_EVERY" -v now="$EPOCHREALTIME" \
        'BEGIN { d = s + n * e - now; print (d > 0 ? d : 0) }')"
    done
  ) &
  SAMPLER_PID=$!
  PIDS+=("$SAMPLER_PID")
}

# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------
log "soak: $CLIENTS clients for $MINUTES min against $STEVEDORE_URL (quota ${QUOTA_MB} MiB, working set $WORKING_SET bytes, faults $FAULT_RATE)"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
cpu_mark
CPU_START="$(pid_cpu "$STEVEDORE_PID")"
start_sampler
python3 "$PERF_DIR/soak-clients.py" --url "$STEVEDORE_URL" --plan "$PLAN" --clients "$CLIENTS" \
  --seconds "$SECONDS_RUN" --warmup "$WARMUP" --fault-log "$FAULT_LOG" --access-log "$ACCESS_LOG" \
  --out-md "$WORK/clients.md" --out-summary "$WORK/clients.summary" --pause-ms "$PAUSE_MS" \
  --retry-after "$RETRY_AFTER" >"$WORK/clients.log" 2>&1 &
CLIENTS_PID=$!
PIDS+=("$CLIENTS_PID")
wait "$CLIENTS_PID"
CLIENTS_RC=$?
forget_pid "$CLIENTS_PID"
touch "$WORK/sampler.stop"
stop_pid "$SAMPLER_PID"
cpu_others
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
[ "$CLIENTS_RC" = 0 ] && [ -s "$WORK/clients.summary" ] ||
  { tail -n 30 "$WORK/clients.log" >&2; die "soak-clients.py failed (exit $CLIENTS_RC)"; }
log "clients done: $(tail -n 1 "$WORK/clients.log")"

ALIVE=yes
kill -0 "$STEVEDORE_PID" 2>/dev/null || ALIVE=no
CPU_USED="n/a"
[ "$ALIVE" = yes ] && CPU_USED="$(awk -v a="$(pid_cpu "$STEVEDORE_PID")" -v b="$CPU_START" 'BEGIN { printf "%.1f", a - b }')"
# verify re-hashes what is stored: wait until no fill runs, so it sees a store at rest.
for ((i = 0; i < 120; i++)); do
  curl -s -m 5 "$STEVEDORE_ADMIN_URL/_stevedore/status.json" | grep -q '"fills":\[\]' && break
  sleep 0.5
done
sample "end"
VERIFY_LOG="$WORK/verify.log"
"$REPO/stevedore" verify --config "$STEVEDORE_CONFIG" >"$VERIFY_LOG" 2>&1
VERIFY_RC=$?
VERIFY_LINE="$(grep -E '^verified .* manifests; removed' "$VERIFY_LOG" | tail -n 1)"
CORRUPTED="$(sed -E -n 's/.*removed ([0-9]+) blobs and ([0-9]+) manifests.*/\1 \2/p' <<<"$VERIFY_LINE" | awk '{ print $1 + $2 }')"

# ---------------------------------------------------------------------------------------------
# Goals and the report
# ---------------------------------------------------------------------------------------------
declare -A SUMMARY
while IFS='=' read -r key value; do SUMMARY[$key]="$value"; done <"$WORK/clients.summary"

flat() { # flat COLUMN SLACK: "<max of the 1st half> <max of the 2nd half>" of the samples after the warm-up
  awk -F'\t' -v col="$1" -v warm="$WARMUP" '$1 != "end" && $1 + 0 > warm && $col ~ /^[0-9]+$/ { v[n++] = $col }
    END { if (n < 2) { print "n/a n/a"; exit } h = int(n / 2); a = 0; b = 0
      for (i = 0; i < h; i++) if (v[i] > a) a = v[i]
      for (i = h; i < n; i++) if (v[i] > b) b = v[i]
      print a, b }' "$SAMPLES"
}
column_max() { awk -F'\t' -v col="$1" '$col ~ /^[0-9]+$/ && $col > m { m = $col } END { print m + 0 }' "$SAMPLES"; }
read -r RSS_A RSS_B < <(flat 2)
read -r FDS_A FDS_B < <(flat 3)
RSS_PEAK_KIB="$(column_max 2)"
RSS_PEAK_MIB="$(awk -v k="$RSS_PEAK_KIB" 'BEGIN { printf "%.0f", k / 1024 }')"
# evictions during the second half of the run: the counter at the end minus at the middle sample
EVICTED_LATE="$(awk -F'\t' -v half=$((SECONDS_RUN / 2)) '$1 != "end" && $1 + 0 <= half { mid = $6 } $1 != "end" { last = $6 } END { print last - mid }' "$SAMPLES")"
END_STORED="$(awk -F'\t' '$1 == "end" { print $4 }' "$SAMPLES")"

GOALS=()
MISSED=0
goal() { # goal WHAT MEASURED PASS|MISS
  GOALS+=("| $1 | $2 | $3 |")
  [ "$3" = PASS ] || MISSED=$((MISSED + 1))
}
is() { if [ "$1" = 1 ]; then echo PASS; else echo MISS; fi; }
goal "mirror still running at the end" "$ALIVE" "$(is "$([ "$ALIVE" = yes ] && echo 1)")"
goal "unexpected errors: 0" "${SUMMARY[unexpected]} (and ${SUMMARY[expected]} expected) of ${SUMMARY[requests]} requests" \
  "$(is "$([ "${SUMMARY[unexpected]}" = 0 ] && echo 1)")"
goal "peak RSS < 512 MiB" "$RSS_PEAK_MIB MiB" "$(verdict "$RSS_PEAK_MIB" '<=' 511)"
goal "RSS flat after the ${WARMUP} s warm-up (2nd half max <= 1.1 x 1st half max + 16 MiB)" \
  "$(awk -v a="$RSS_A" -v b="$RSS_B" 'BEGIN { if (a !~ /^[0-9]+$/) print "too few samples"; else printf "%.0f -> %.0f MiB", a / 1024, b / 1024 }')" \
  "$(awk -v a="$RSS_A" -v b="$RSS_B" 'BEGIN { print (a ~ /^[0-9]+$/ && b <= 1.1 * a + 16384) ? "PASS" : "MISS" }')"
goal "open fds flat after the warm-up (2nd half max <= 1.1 x 1st half max + 16)" "$FDS_A -> $FDS_B" \
  "$(awk -v a="$FDS_A" -v b="$FDS_B" 'BEGIN { print (a ~ /^[0-9]+$/ && b <= 1.1 * a + 16) ? "PASS" : "MISS" }')"
goal "eviction throughout: evictions in the 2nd half > 0" "$EVICTED_LATE" "$(is "$([ "${EVICTED_LATE:-0}" -gt 0 ] && echo 1)")"
goal "stored bytes at the end <= quota" "$END_STORED of $QUOTA_BYTES" \
  "$(is "$([[ "$END_STORED" =~ ^[0-9]+$ ]] && [ "$END_STORED" -le "$QUOTA_BYTES" ] && echo 1)")"
goal "stevedore verify: exit 0, 0 corrupted" "exit $VERIFY_RC, ${CORRUPTED:-no summary line} corrupted" \
  "$(is "$([ "$VERIFY_RC" = 0 ] && [ "${CORRUPTED:-x}" = 0 ] && echo 1)")"
goal "upstream faults injected > 0" "${SUMMARY[faults]} of ${SUMMARY[upstream_requests]} upstream requests" \
  "$(is "$([ "${SUMMARY[faults]}" -gt 0 ] && echo 1)")"

NOTES=()
# Every error answer is logged at WARNING, the expected ones too; SEVERE is what needs a look.
stevedore_notes "stevedore"
SEVERE="$(grep -c ' SEVERE ' "$STEVEDORE_LOG")"
[ "$SEVERE" != 0 ] && NOTES+=("stevedore: $SEVERE SEVERE lines, e.g. \`$(grep -m1 ' SEVERE ' "$STEVEDORE_LOG" | cut -c1-200)\`")
mkdir -p "$(dirname "$OUT")"
{
  echo "# Soak: one Stevedore, $CLIENTS clients, $MINUTES min, faulty upstream, quota below the working set"
  echo
  echo "$DATE, \`$COMMAND\`, Stevedore $STEVEDORE_VERSION (commit $(stevedore_commit)), $(java_version)."
  echo "Machine: $(machine_line). Load average at start $LOAD_START, at the end $LOAD_END;"
  echo "other work used ${CPU_OTHERS}% of the machine's CPU time during the run; Stevedore used $CPU_USED CPU s."
  echo
  echo "## Goals"
  echo
  echo "| goal | measured | verdict |"
  echo "|---|---|---|"
  printf '%s\n' "${GOALS[@]}"
  echo
  echo "## Set-up"
  echo
  echo "- $IMAGES images (soak/img-NN:v1; $HOT hot ones get 70% of the picks), working set $WORKING_SET bytes ($(awk -v b="$WORKING_SET" 'BEGIN { printf "%.0f", b / 1048576 }') MiB) against a quota of $QUOTA_MB MiB (\`storage.max-size\`)."
  echo "- Upstream: docker-registry behind perf/faulty-proxy.py spoiling $FAULT_RATE of the manifest and blob answers (reset mid-body 40%, cut short 40%, 503 15%, 429 with Retry-After: $RETRY_AFTER 5%)."
  echo "- Stevedore: tag-freshness 10s, access log to a file, started through \`./stevedore serve\`; the clients pause $PAUSE_MS ms between requests; warm-up (left out of latencies and of the flatness checks): $WARMUP s."
  echo
  cat "$WORK/clients.md"
  echo
  echo "## Samples every $SAMPLE_EVERY s"
  echo
  echo "| s | RSS MiB | open fds | stored MiB | quota MiB | evictions | fill resumes | failed fills |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1,
      ($2 ~ /^[0-9]+$/ ? sprintf("%.0f", $2 / 1024) : $2), $3,
      ($4 ~ /^[0-9]+$/ ? sprintf("%.1f", $4 / 1048576) : $4),
      ($5 ~ /^[0-9]+$/ ? sprintf("%.0f", $5 / 1048576) : $5), $6, $7, $8 }' "$SAMPLES"
  echo
  echo "(\"end\": after the clients stopped and no fill was running, just before verify.)"
  echo
  echo "## stevedore verify"
  echo
  echo '```'
  grep -v '^verified [0-9]*/' "$VERIFY_LOG" | tail -n 20
  echo '```'
  if [ ${#NOTES[@]} -gt 0 ]; then
    echo
    echo "## Notes"
    echo
    printf -- '- %s\n' "${NOTES[@]}"
  fi
} >"$OUT"
cat "$OUT"
log "report written to $OUT"
if [ "$MISSED" -gt 0 ]; then
  log "$MISSED goal(s) missed"
  exit 1
fi
