#!/usr/bin/env bash
# Runs the official WASI testsuite (72 wasm32-wasip1 tests in ../shared/corpora/wasi-testsuite)
# against `strata run --isolation instruction`, one JVM per test, and fails unless all pass.
# The JUnit runner sandbox-wasm/.../WasiTestsuiteTest runs the same tests in-process on both
# engines (much faster); this script checks the CLI path end to end.
#   scripts/wasi-testsuite.sh [SUITE_ROOT]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpora=${STRATA_CORPORA:-$root/../shared/corpora}
suite=${1:-$corpora/wasi-testsuite}
[[ -d $suite ]] || { echo "wasi-testsuite.sh: no testsuite at $suite (CI puts shared/corpora beside the clone)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "wasi-testsuite.sh: needs python3 (apt-get install python3)" >&2; exit 2; }
"$root/strata" doctor >/dev/null 2>&1 || true   # builds the CLI once, before the timed runs
log=$(mktemp)
trap 'rm -f "$log"' EXIT
python3 "$corpora/tools/run_wasi_testsuite.py" "$suite" \
  --runner "java ${STRATA_JAVA_OPTS:--XX:TieredStopAtLevel=1 -Xshare:auto} -jar $root/samples/cli/target/strata.jar run --isolation instruction" \
  | tee "$log"
total=$(grep -E '^TOTAL ' "$log" | tail -1)
[[ $total == "TOTAL 72/72 passed" ]] || { echo "wasi-testsuite.sh: expected 72/72, got: $total" >&2; exit 1; }
