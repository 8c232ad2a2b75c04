#!/usr/bin/env bash
# Builds the guest agent as a static x86_64 binary: build-agent.sh OUTPUT.
# Called by the Maven build (generate-resources); needs gcc and static glibc (apt-get install gcc libc6-dev).
# Skips the compile when OUTPUT is newer than the source.
set -euo pipefail
src="$(cd "$(dirname "$0")" && pwd)/strata-agent.c"
out="$1"
if [[ -f "$out" && "$out" -nt "$src" && "$out" -nt "$0" ]]; then
  exit 0
fi
mkdir -p "$(dirname "$out")"
cc="${CC:-gcc}"
if ! command -v "$cc" >/dev/null; then
  # Do not break the whole build: the kvm backend then reports itself unavailable, naming the fix.
  echo "build-agent.sh: WARNING: $cc not found, the guest agent is not built and the kvm backend will be" \
    "unavailable (apt-get install gcc libc6-dev, then rebuild)" >&2
  exit 0
fi
"$cc" -static -Os -Wall -Wextra -Werror -o "$out.tmp" "$src"
strip "$out.tmp" 2>/dev/null || true
mv "$out.tmp" "$out"
