#!/usr/bin/env bash
# JMH micro-benchmarks of Stevedore's hot paths (chunk read, SHA-256, manifest cache hit).
# Installs the main artifact, builds perf/jmh/target/benchmarks.jar, runs it, and writes
# perf/results/jmh.md (summary) and perf/results/jmh.json (JMH's raw results).
#
# Arguments go to JMH unchanged; the benchmark classes' annotations give the defaults
# (1 fork, 3 x 2 s warm-up, 5 x 2 s measurement). Examples:
#   perf/jmh/run.sh                              # everything (~5 min)
#   perf/jmh/run.sh ChunkRead -p chunkSize=1048576
#   perf/jmh/run.sh Sha256 -f 2 -i 10            # more forks and iterations for tighter errors
#   perf/jmh/run.sh -l                           # list the benchmarks
# Environment: JMH_SKIP_BUILD=1 reuses the built jar; JMH_NOTE="..." adds a note to the summary
# (e.g. that the machine was busy).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

if [ "${JMH_SKIP_BUILD:-}" != 1 ]; then
  # The benchmarks depend on io.stevedore:stevedore:0.1.0-SNAPSHOT from the local repository.
  ./mvnw -q -B -DskipTests install
  ./mvnw -q -B -f perf/jmh/pom.xml package
fi

# Run on the JDK the build uses (25+): the default java may be older.
. .mvn/java-home.sh
mkdir -p perf/results
JMH_COMMAND="perf/jmh/run.sh${*:+ $*}" exec "$JAVA_HOME/bin/java" \
  -Djmh.report=perf/results/jmh.md \
  -cp perf/jmh/target/benchmarks.jar io.stevedore.perf.Report \
  -rf json -rff perf/results/jmh.json "$@"
