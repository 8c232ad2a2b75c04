#!/usr/bin/env bash
# The whole test suite, from a fresh Debian/Ubuntu machine with a JDK 17+ and Maven:
# installs the host packages the tier tests need, provisions the guest kernel for the HARDWARE
# tier, runs `mvn -B verify` (every module, every tier), then the PROCESS tier once more as an
# unprivileged user. With CI=true a missing runtime fails the tests instead of skipping them.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

step() { printf '\n=== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

step "host packages"
scripts/install-test-deps.sh

if [[ -x scripts/provision-guest-kernel.sh ]]; then
  step "guest kernel for the HARDWARE tier"
  scripts/provision-guest-kernel.sh
fi

step "mvn verify"
mvn -B -ntp -fae verify

if [[ -x scripts/test-rootless.sh ]]; then
  step "PROCESS tier as an unprivileged user"
  scripts/test-rootless.sh "$root"
fi

if [[ -x scripts/wasi-testsuite.sh ]]; then
  step "official WASI testsuite through ./strata run"
  scripts/wasi-testsuite.sh
fi

step "done"
