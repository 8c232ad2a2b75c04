#!/usr/bin/env bash
# Installs the host packages the tier tests need, when they are missing (Debian/Ubuntu).
#   PROCESS tier:  runc, crun, bubblewrap (a second driver), uidmap (rootless runs)
#   HARDWARE tier: qemu-system-x86, busybox-static (the guest's userland), gcc + libc6-dev (the
#                  guest agent is built from C during the Maven build)
#   WASI test programs (only to rebuild them): clang-14, lld-14, wasi-libc, libclang-rt-14-dev-wasm32
#   the WASI testsuite runner: python3
set -euo pipefail
packages=(runc crun bubblewrap uidmap qemu-system-x86 busybox-static gcc libc6-dev python3)
if [[ ${STRATA_WITH_WASI_TOOLCHAIN:-0} == 1 ]]; then
  packages+=(clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-test-deps: all present (${packages[*]})"
  exit 0
fi
sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
echo "install-test-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
