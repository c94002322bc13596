#!/usr/bin/env bash
# Fuzzes Jazzer fuzz tests (src/test/java/**/*FuzzTest.java), one at a time, for N minutes each.
#
#   perf/fuzz.sh DigestFuzzTest 5         # one target for 5 minutes
#   perf/fuzz.sh all 5                    # every *FuzzTest in turn, 5 minutes each
#
# Each run is `JAZZER_FUZZ=1` surefire with `jazzer.max_duration`; Jazzer keeps its growing corpus
# in .cifuzz-corpus/ (not committed) and writes an input that fails a test into the test's inputs
# directory under src/test/resources, where `./mvnw verify` then replays it: commit it with the fix.
# Logs go to target/fuzz/<TestClass>.log; the summary line per target (executions, seconds,
# findings) is printed and appended to target/fuzz/summary.txt.
# MVN_ARGS (default -o, offline) is passed to Maven; JAVA_HOME defaults to the JDK 25 here.
set -euo pipefail

target=${1:?usage: perf/fuzz.sh <TestClass>|all [minutes]}
minutes=${2:-5}
seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
read -r -a mvn_args <<<"${MVN_ARGS:--o}"
mkdir -p target/fuzz

# Compile once; each target then runs surefire alone (its argLine attaches Jazzer's agent).
./mvnw -B -q "${mvn_args[@]}" test-compile

if [[ $target == all ]]; then
  mapfile -t targets < <(find src/test/java -name '*FuzzTest.java' -printf '%f\n' | sed 's/\.java$//' | sort)
else
  targets=("$target")
fi

status=0
for test in "${targets[@]}"; do
  log=target/fuzz/${test%%#*}.log
  echo "fuzzing $test for $minutes min (log: $log)"
  if JAZZER_FUZZ=1 ./mvnw -B "${mvn_args[@]}" surefire:test -Dtest="$test" \
    -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration="${seconds}s" >"$log" 2>&1; then
    result=passed
  else
    result="FAILED (a finding, or a broken run: see $log)"
    status=1
  fi
  # libFuzzer's own last words: "Done <runs> runs in <seconds> second(s)".
  runs=$(grep -a -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -1 || true)
  cov=$(grep -a -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 | grep -o 'cov: [0-9]*' || true)
  line="$(date -u +%FT%TZ) $test ${minutes}m: ${runs:-no libFuzzer summary} ${cov} -> $result"
  echo "$line" | tee -a target/fuzz/summary.txt
done
exit $status
