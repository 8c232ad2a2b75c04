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
command -v "$cc" >/dev/null || { echo "build-agent.sh: $cc not found (apt-get install gcc libc6-dev)" >&2; exit 1; }
"$cc" -static -Os -Wall -Wextra -Werror -o "$out.tmp" "$src"
strip "$out.tmp" 2>/dev/null || true
mv "$out.tmp" "$out"
