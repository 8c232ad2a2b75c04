#!/usr/bin/env bash
# Rebuilds the sample's WASM plugins in ../resources/plugins from the C sources here.
# Needs (Debian 12): apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
# The plugins are libraries (-mexec-model=reactor: no _start, no WASI calls); their two imports,
# kv.get and out.write, are left undefined for the host to grant.
set -euo pipefail
cd "$(dirname "$0")"
out=../resources/plugins
mkdir -p "$out"
CC=${CC:-clang-14}
SYSROOT=${WASI_SYSROOT:-/usr}
for plugin in greet spin flood crash hog sneaky; do
  "$CC" --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wall -Wextra -Werror \
    -mexec-model=reactor -Wl,--allow-undefined -Wl,--strip-all -Wl,--initial-memory=131072 \
    -o "$out/$plugin.wasm" "$plugin.c"
done
echo "built: $(cd "$out" && ls *.wasm | tr '\n' ' ')"
