#!/usr/bin/env bash
# Builds the current test world: a Debian unstable root (FRR, OVN, OVS and what
# the guests run beside them) with exactly the package versions of
# test/stack/current.lock, into .cache/roots/current-<hash of the lock>/. The
# UML guests boot it as their root (test/uml/boot.sh), the host runs its OVN
# through the root's own dynamic loader (test/stack/in-root.sh), the FRR image
# is built from the same lock (deploy/images/roots.sh). Run as root (the root's
# files keep their owners: frr, openvswitch ...). Prints the root's path.
#
#   scripts/build-test-root.sh            build (or reuse) the locked root
#   scripts/build-test-root.sh --path     print the root's path if it is built, else fail (never builds)
#   scripts/build-test-root.sh --relock   resolve the top-level packages of the
#                                         lock header again and rewrite the lock
#
# Offline: mmdebstrap resolves against Debian's default registry for the suite
# (no mirror argument), and signatures are checked against the host's Debian
# keyring. The registry's sid Release file is past its Valid-Until date, hence
# Check-Valid-Until=false (validity only; signatures are still verified).
# A build that does not reproduce the lock exactly (the registry moved) fails
# and names the packages that differ: relock, test, commit the new lock.
set -euo pipefail
cd "$(dirname "$0")/.."
lock=test/stack/current.lock
relock=0
[[ ${1:-} == --relock ]] && relock=1

# The header holds the suite and the top-level packages; the body every package=version.
suite=$(sed -n 's/^# suite: //p' "$lock")
read -r -a top <<<"$(sed -n 's/^# include: //p' "$lock")"
[[ -n $suite && ${#top[@]} -gt 0 ]] || { echo "build-test-root: $lock has no '# suite:' or '# include:' line" >&2; exit 2; }
mapfile -t pinned < <(grep -v '^#' "$lock" | grep .)

key=$(sha256sum "$lock" | cut -c1-16)
dest=.cache/roots/current-$key
if [[ $relock == 0 && -f $dest/.complete ]]; then echo "$PWD/$dest"; exit 0; fi
[[ ${1:-} != --path ]] || { echo "build-test-root: $dest is not built (make setup-root)" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "build-test-root: run as root (make setup does)" >&2; exit 2; }
mkdir -p .cache/roots
exec 9>.cache/roots/.build.lock
flock 9
if [[ $relock == 0 && -f $dest/.complete ]]; then echo "$PWD/$dest"; exit 0; fi

if [[ $relock == 1 ]]; then
  include=$(IFS=,; echo "${top[*]}")
else
  include=$(IFS=,; echo "${pinned[*]}")
fi
tmp=.cache/roots/.tmp-$$
rm -rf --one-file-system "$tmp"
# --one-file-system: an interrupted mmdebstrap may leave /sys or /proc mounted in it.
trap 'rm -rf --one-file-system "$tmp"' EXIT
t0=$(date +%s)
# No recommends, no docs/man/locales. Daemons never start at install time
# (policy-rc.d exits 101). The guests mount tmpfs over /etc/frr, /var/lib ...
# so nothing here is written at run time.
mmdebstrap --quiet --variant=apt --include="$include" \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --essential-hook='printf "#!/bin/sh\nexit 101\n" > "$1/usr/sbin/policy-rc.d"; chmod +x "$1/usr/sbin/policy-rc.d"' \
  --customize-hook='rm -f "$1/usr/sbin/policy-rc.d"; rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/*' \
  --skip=output/dev \
  "$suite" "$tmp" >&2

actual=$(chroot "$tmp" dpkg-query -W -f '${db:Status-Abbrev} ${Package}=${Version}\n' | awk '$1 == "ii" { print $2 }' | LC_ALL=C sort)
if [[ $relock == 1 ]]; then
  { grep '^#' "$lock"; echo "$actual"; } > "$lock.new" && mv "$lock.new" "$lock"
  echo "build-test-root: $lock rewritten ($(wc -l <<<"$actual") packages) in $(( $(date +%s) - t0 ))s; run again to build it" >&2
  exit 0
fi
expected=$(printf '%s\n' "${pinned[@]}" | LC_ALL=C sort)
if [[ $actual != "$expected" ]]; then
  echo "build-test-root: the root does not match $lock (the registry moved?):" >&2
  diff <(echo "$expected") <(echo "$actual") >&2 || true
  exit 1
fi
{ chroot "$tmp" /usr/lib/frr/zebra --version | head -1
  chroot "$tmp" ovn-northd --version | head -1
  chroot "$tmp" ovs-vswitchd --version | head -1; } > "$tmp/.versions"
echo "build_s=$(( $(date +%s) - t0 ))" > "$tmp/.complete"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
# Older roots of earlier locks go (each is ~300 MB).
find .cache/roots -maxdepth 1 -name 'current-*' ! -name "current-$key" -exec rm -rf {} +
echo "build-test-root: $dest in $(( $(date +%s) - t0 ))s: $(tr '\n' ';' < "$dest/.versions")" >&2
echo "$PWD/$dest"
