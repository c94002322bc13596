#!/usr/bin/env bash
# What metrics, the access log and the status page cost per request: wrk on a cached manifest by
# tag, by digest and a 706-byte blob, alternating between a jar without them (BASE_JAR, e.g. one
# built at 771d38a) and this checkout's jar (access log on unless ACCESS_LOG=false), the order
# swapped every round. Needs docker-registry, skopeo, wrk, curl, python3, and the small image
# perf/run.sh --only wrk leaves in /tmp/stevedore-perf-cache. Binds 127.0.0.1:15500-15503.
#   BASE_JAR=/path/to/old/stevedore.jar perf/observe-ab.sh [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
: "${BASE_JAR:?set BASE_JAR to a stevedore.jar without the observability parts}"
NEW_JAR="${NEW_JAR:-$here/target/stevedore.jar}"
IMAGE="${IMAGE:-/tmp/stevedore-perf-cache/images/small-v1-706-4096}"
ROUNDS="${1:-4}"
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
WORK="$(mktemp -d)"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
mkdir -p a b
printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\nhttp:\n  addr: 127.0.0.1:15500\nlog:\n  level: error\n' "$WORK" >registry.yml
docker-registry serve registry.yml >registry.log 2>&1 &
PIDS+=($!)
sleep 2
TAG=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['manifests'][0]['annotations']['org.opencontainers.image.ref.name'])" "$IMAGE/index.json")
skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$IMAGE:$TAG" "docker://127.0.0.1:15500/bench/small:$TAG"
for side in a b; do
  port=$([ "$side" = a ] && echo 15501 || echo 15502)
  printf 'server:\n  host: 127.0.0.1\n  port: %s\nstorage:\n  path: %s/%s/data\nupstreams:\n  - name: lab\n    url: http://127.0.0.1:15500\n    default: true\n    tag-freshness: 1h\n' \
    "$port" "$WORK" "$side" >"$side/c.yaml"
done
printf 'admin:\n  port: 15503\naccess-log:\n  enabled: %s\n' "${ACCESS_LOG:-true}" >>b/c.yaml
"$JAVA" --enable-native-access=ALL-UNNAMED -Xms32m -jar "$BASE_JAR" serve --config a/c.yaml >a/log 2>&1 &
PIDS+=($!)
"$JAVA" --enable-native-access=ALL-UNNAMED -Xms32m -jar "$NEW_JAR" serve --config b/c.yaml >b/log 2>&1 &
PIDS+=($!)
sleep 6
ACCEPT='application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, */*'
echo "wrk.headers[\"Accept\"] = \"$ACCEPT\"" >manifest.lua
manifest="http://127.0.0.1:15501/v2/bench/small/manifests"
DIGEST=$(curl -s -o /dev/null -D - -H "Accept: $ACCEPT" "$manifest/$TAG" | awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}' | tr -d '\r')
BLOB=$(curl -s -H "Accept: $ACCEPT" "$manifest/$TAG" | python3 -c "import json,sys;print(json.load(sys.stdin)['config']['digest'])")
rps() { wrk -t2 -c64 -d8s "$@" | awk '/Requests\/sec/ {print $2}'; }
for port in 15501 15502; do # fill both caches, then warm both JITs
  curl -s -o /dev/null -H "Accept: $ACCEPT" "http://127.0.0.1:$port/v2/bench/small/manifests/$TAG"
  curl -s -o /dev/null "http://127.0.0.1:$port/v2/bench/small/blobs/$BLOB"
  rps -s manifest.lua "http://127.0.0.1:$port/v2/bench/small/manifests/$TAG" >/dev/null
done
for round in $(seq 1 "$ROUNDS"); do
  order="15501 15502"
  [ $((round % 2)) = 0 ] && order="15502 15501"
  for port in $order; do
    name=$([ "$port" = 15501 ] && echo base || echo new)
    echo "round $round $name tag $(rps -s manifest.lua "http://127.0.0.1:$port/v2/bench/small/manifests/$TAG")" \
      "digest $(rps -s manifest.lua "http://127.0.0.1:$port/v2/bench/small/manifests/$DIGEST")" \
      "blob $(rps "http://127.0.0.1:$port/v2/bench/small/blobs/$BLOB")"
  done
done
