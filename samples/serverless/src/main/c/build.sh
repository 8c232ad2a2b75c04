#!/usr/bin/env bash
# Rebuilds the sample function in ../resources/functions: one C source as a WASI command and as a
# static native program.
#   apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 gcc
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../resources/functions"
mkdir -p "$out"
clang-14 --target=wasm32-wasi --sysroot="${WASI_SYSROOT:-/usr}" -O2 -Wall -Wextra -Werror \
  -Wl,--strip-all -o "$out/shout.wasm" "$here/shout.c"
gcc -static -Os -s -Wall -Wextra -Werror -o "$out/shout-x86_64" "$here/shout.c"
ls -l "$out"
