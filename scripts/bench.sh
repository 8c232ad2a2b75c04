#!/usr/bin/env bash
# ./strata bench [--quick | --full] [harness options]: runs the claims harness of the benchmarks
# module and writes benchmarks/results/<date>-<host>/{claims.md,claims.json,chart.svg}.
#   --quick   under 5 minutes on a 2-core machine (short iterations, small density caps)
#   --full    the default: longer iterations, density up to 120k WASM / 1000 PROCESS / 100 HARDWARE
#   --help    every option (tiers, include pattern, output directory)
# Environment: STRATA_BENCH_NO_BUILD=1 skips the Maven build (use the existing benchmarks.jar);
# STRATA_BENCH_JAVA_OPTS adds JVM options to the harness (JMH forks and probes set their own).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jar="$root/benchmarks/target/benchmarks.jar"
java=java
[[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] && java="$JAVA_HOME/bin/java"

stale() {
  [[ ! -f $jar ]] && return 0
  [[ -n $(find "$root/pom.xml" "$root"/sandbox-*/pom.xml "$root"/sandbox-*/src/main "$root"/benchmarks/pom.xml \
      "$root"/benchmarks/src/main -newer "$jar" -print -quit 2>/dev/null) ]]
}

if [[ ${STRATA_BENCH_NO_BUILD:-} != 1 ]] && stale; then
  command -v mvn >/dev/null || { echo "bench: Maven is needed to build the benchmarks: apt-get install maven" >&2; exit 125; }
  echo "bench: building the benchmarks and the tiers they measure..." >&2
  if ! mvn -q -B -DskipTests package -pl benchmarks -am >&2; then
    echo "bench: the build failed; run 'mvn -B -DskipTests package -pl benchmarks -am' to see why" >&2
    exit 125
  fi
fi
[[ -f $jar ]] || { echo "bench: $jar is missing; build it with 'mvn -B -DskipTests package -pl benchmarks -am'" >&2; exit 125; }

# shellcheck disable=SC2086
exec "$java" ${STRATA_BENCH_JAVA_OPTS:-} -cp "$jar" dev.strata.sandbox.bench.harness.ClaimsHarness \
  --results-root "$root/benchmarks/results" "$@"
