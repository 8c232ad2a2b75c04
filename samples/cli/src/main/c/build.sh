#!/usr/bin/env bash
# Rebuilds the demo workload: one C source, built as WASI (INSTRUCTION tier) and as a static
# native binary (PROCESS and HARDWARE tiers). Needs clang-14, lld-14, wasi-libc, gcc.
#   apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 gcc
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../resources/demo"
mkdir -p "$out"
clang-14 --target=wasm32-wasi -O2 -Wl,--strip-all -o "$out/wordcount.wasm" "$here/wordcount.c"
gcc -static -Os -s -o "$out/wordcount-x86_64" "$here/wordcount.c"
ls -l "$out"
