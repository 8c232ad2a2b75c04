#!/usr/bin/env bash
# Builds strata-init (x86_64, static, no libc) and prints it base64-encoded for InitBinary.java.
# Needs gcc for x86_64. The build is reproducible: same compiler, same bytes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$(mktemp -d)/strata-init}
gcc -Os -static -nostdlib -ffreestanding -fno-stack-protector -fno-asynchronous-unwind-tables \
  -fno-pic -no-pie -fcf-protection=none -Wall -Wextra -Wno-unused-parameter \
  -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,max-page-size=4096 -Wl,-z,norelro -s -o "$out" "$here/strata-init.c"
echo "built $out ($(stat -c %s "$out") bytes)" >&2
base64 -w0 "$out"
echo
