#!/usr/bin/env bash
# Runs the PROCESS tier's tests (sandbox-linux) once more as an unprivileged user, the way an
# application server runs: rootless runc in a user namespace, rlimits instead of cgroups on v1.
#
#   scripts/test-rootless.sh [repo-root]
#
# Run as root after `mvn verify` (it uses the compiled classes). The user ($STRATA_ROOTLESS_USER,
# default strata-rootless) is created if missing. That user can read neither root's ~/.m2 nor,
# often, the checkout, so the test class path (resolved by Maven offline from root's ~/.m2, online
# as a fallback) is copied into a private temp dir, and the tests run with plain `java`
# (dev.strata.sandbox.linux.RootlessRun, a JUnit Platform launcher). CI=true is passed on: a
# missing runtime fails instead of skipping.
set -euo pipefail

root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
user=${STRATA_ROOTLESS_USER:-strata-rootless}
module="$root/sandbox-linux"

if [[ $(id -u) -ne 0 ]]; then
  echo "test-rootless: run me as root (I create a user and switch to it)" >&2
  exit 2
fi
for f in "$module/target/classes" "$module/target/test-classes"; do
  if [[ ! -d $f ]]; then
    echo "test-rootless: $f is missing: run 'mvn verify' (or 'mvn -pl sandbox-linux test-compile') first" >&2
    exit 2
  fi
done
if ! id -u "$user" >/dev/null 2>&1; then
  echo "test-rootless: creating user $user"
  useradd --create-home --shell /bin/bash --user-group "$user"
fi
uid=$(id -u "$user")
if [[ -r /proc/sys/kernel/unprivileged_userns_clone && $(cat /proc/sys/kernel/unprivileged_userns_clone) != 1 ]]; then
  echo "test-rootless: unprivileged user namespaces are off (sysctl kernel.unprivileged_userns_clone=0)" >&2
fi

work=$(mktemp -d /tmp/strata-rootless.XXXXXX)
cleanup() {
  # the sandboxes' own state dir of the test user (bundles, runc state), then our copy
  rm -rf "$work" "/tmp/strata-$uid"
}
trap cleanup EXIT

cpfile="$work/classpath.txt"
mvn_cp() {
  (cd "$root" && mvn -B -q "$@" -pl sandbox-linux dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile" >/dev/null)
}
mvn_cp -o || mvn_cp -ntp

mkdir -p "$work/lib"
cp -r "$module/target/classes" "$work/classes"
cp -r "$module/target/test-classes" "$work/test-classes"
cp_entries=("$work/test-classes" "$work/classes")
IFS=: read -r -a jars < "$cpfile" || true  # no trailing newline
for jar in "${jars[@]}"; do
  [[ -z $jar ]] && continue
  dest="$work/lib/$(basename "$jar")"
  cp "$jar" "$dest"
  cp_entries+=("$dest")
done
classpath=$(IFS=:; echo "${cp_entries[*]}")
chmod 755 "$work"
chmod -R a+rX "$work"

echo "test-rootless: running sandbox-linux tests as $user (uid $uid)"
set +e
runuser -u "$user" -- env -i \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME="$(getent passwd "$user" | cut -d: -f6)" \
  CI="${CI:-}" LANG=C.UTF-8 \
  java -XX:-UsePerfData -Djava.io.tmpdir=/tmp -cp "$classpath" dev.strata.sandbox.linux.RootlessRun
status=$?
set -e

# nothing of the test user may outlive the run (zombies wait for the host's PID 1 to reap them)
# (from /proc: procps may not be installed)
alive() {
  local d state
  for d in /proc/[0-9]*; do
    [[ $(stat -c %u "$d" 2>/dev/null) == "$uid" ]] || continue
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "$d/status" 2>/dev/null)
    [[ -n $state && $state != Z ]] && echo "${d#/proc/}"
  done
}
for _ in 1 2 3 4 5 6 7 8 9 10; do
  [[ -z $(alive) ]] && break
  sleep 0.5
done
left=$(alive)
if [[ -n $left ]]; then
  echo "test-rootless: processes of $user left behind: $left" >&2
  for p in $left; do echo "  $p: $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" >&2; done
  status=1
fi
exit $status
