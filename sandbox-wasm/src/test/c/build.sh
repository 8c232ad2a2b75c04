#!/usr/bin/env bash
# Rebuilds the test modules in ../resources/wasm from the C sources here.
# Needs (Debian 12): apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
# Debian's wasi-libc installs into /usr/include/wasm32-wasi and /usr/lib/wasm32-wasi, so the
# sysroot is /usr (the upstream wasi-sdk layout would be /usr/share/wasi-sysroot).
set -euo pipefail
cd "$(dirname "$0")"
out=../resources/wasm
mkdir -p "$out"
CC=${CC:-clang-14}
SYSROOT=${WASI_SYSROOT:-/usr}
cflags=(--target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wall -Wextra -Wl,--strip-all)
for prog in hello args env echo files spin membomb trap flood exitcode; do
  "$CC" "${cflags[@]}" -o "$out/$prog.wasm" "$prog.c"
done
# The plugin is a library: no _start, exports only, one host import, 2 pages of initial memory.
"$CC" "${cflags[@]}" -mexec-model=reactor -Wl,--allow-undefined \
  -Wl,--initial-memory=131072 -o "$out/plugin.wasm" plugin.c
# Memory probes: 2 MiB initial and no maximum, and 4 pages initial with a maximum of 8 pages.
"$CC" "${cflags[@]}" -Wl,--initial-memory=2097152 -o "$out/grow.wasm" grow.c
"$CC" "${cflags[@]}" -Wl,--initial-memory=262144 -Wl,--max-memory=524288 -o "$out/grow-max.wasm" grow.c
echo "built: $(ls "$out")"
