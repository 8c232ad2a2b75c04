#!/usr/bin/env bash
# Provisions the guest kernel for the HARDWARE tier (sandbox-kvm): Debian's cloud kernel image
# and its modules, unpacked (not installed) into a cache directory.
#
#   ./scripts/provision-guest-kernel.sh [CACHE_DIR]
#
# CACHE_DIR defaults to $STRATA_KERNEL_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/strata/kernel.
# The layout is CACHE_DIR/<kernel release>/{boot/vmlinuz-*,lib/modules/<release>/...} plus a
# symlink CACHE_DIR/current -> <kernel release>. sandbox-kvm looks there (and in
# /var/cache/strata/kernel) when no kernel is configured.
#
# Nothing is installed system-wide: the package is fetched with `apt-get download` and unpacked
# with `dpkg -x`. When CACHE_DIR/current already holds a kernel and its modules, the script does
# nothing (no network) and exits 0 in well under a second. Set STRATA_KERNEL_REFRESH=1 to look
# for a newer kernel package anyway.
set -euo pipefail

META_PACKAGE="${STRATA_KERNEL_PACKAGE:-linux-image-cloud-amd64}"
CACHE_DIR="${1:-${STRATA_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/strata/kernel}}"

log() { echo "provision-guest-kernel: $*" >&2; }

complete() {
  local dir="$1"
  compgen -G "$dir/boot/vmlinuz-*" >/dev/null &&
    [[ -n "$(find "$dir/lib/modules" -name 'virtio_console.ko*' -print -quit 2>/dev/null)" ]]
}

if [[ -z "${STRATA_KERNEL_REFRESH:-}" && -L "$CACHE_DIR/current" ]] && complete "$CACHE_DIR/current"; then
  log "already provisioned: $(readlink -f "$CACHE_DIR/current")"
  exit 0
fi

for tool in apt-get apt-cache dpkg; do
  command -v "$tool" >/dev/null || { log "needs $tool (a Debian or Ubuntu host)"; exit 1; }
done

# The meta package depends on exactly one versioned image package, e.g. linux-image-6.1.0-56-cloud-amd64.
resolve() {
  apt-cache depends "$META_PACKAGE" 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n1
}
image_package="$(resolve || true)"
if [[ -z "$image_package" ]]; then
  log "apt does not know $META_PACKAGE yet: running apt-get update"
  apt-get update -qq >&2
  image_package="$(resolve || true)"
fi
if [[ -z "$image_package" ]]; then
  log "cannot resolve $META_PACKAGE to a kernel image package (is the Debian main archive in apt's sources?)"
  exit 1
fi
release="${image_package#linux-image-}"

mkdir -p "$CACHE_DIR"
target="$CACHE_DIR/$release"
if ! complete "$target"; then
  work="$(mktemp -d "$CACHE_DIR/.download.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  log "downloading $image_package"
  # apt-get download writes into the current directory. As root apt would drop to the _apt user,
  # who cannot reach a cache under /root: download as root instead (the .deb is only unpacked).
  sandbox_opt=()
  [[ $(id -u) == 0 ]] && sandbox_opt=(-o APT::Sandbox::User=root)
  (cd "$work" && apt-get download -q "${sandbox_opt[@]}" "$image_package" >&2)
  deb="$(ls "$work"/*.deb)"
  log "unpacking $(basename "$deb") into $target"
  rm -rf "$work/root"
  dpkg -x "$deb" "$work/root"
  rm -rf "$target"
  mv "$work/root" "$target"
  complete "$target" || { log "the package did not hold a kernel and virtio_console: $deb"; exit 1; }
fi
ln -sfn "$release" "$CACHE_DIR/current"
log "provisioned $(ls "$target"/boot/vmlinuz-*) (modules in $target/lib/modules)"
