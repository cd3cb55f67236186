# shellcheck shell=bash disable=SC2034 # the variables are read by build.sh
# The Debian roots of the images (sourced by build.sh). Everything that shapes a
# root is in this file (and, for the FRR root, test/stack/current.lock): their
# hashes are the roots' cache keys, so editing build.sh only reassembles the
# images and does not run mmdebstrap again.
lock=test/stack/current.lock

# Prints the lock's pinned Package=Version lines (no comments).
lock_pins() { grep -v '^#' "$lock" | grep .; }
# The lock's pin of one package, e.g. lock_pin frr -> frr=10.7.1-6.
lock_pin() { lock_pins | grep -m1 "^$1=" || { echo "roots.sh: $1 is not in $lock" >&2; return 1; }; }

# evpn-frr and evpn-node-agent: the current test world's FRR (the lock's suite
# and versions: what the UML suite, the e2e and the bench run), its
# vtysh/frr-reload.py (python3), iproute2, iputils-ping and jq for node-init.sh,
# libstdc++6 for node. The top-level packages are pinned to the lock's
# versions; build.sh then checks that every package of the root is the lock's
# (the same package set, or the build fails and names what differs).
frr_suite=$(sed -n 's/^# suite: //p' "$lock")
frr_variant=essential
frr_top=(frr frr-pythontools iproute2 iputils-ping jq libstdc++6)
frr_hooks=(
  # root joins frrvty, the group of FRR's vty sockets, instead of getting
  # CAP_DAC_OVERRIDE (the runtime adds it from /etc/group for user 0).
  'sed -i -E "s/^(frrvty:[^:]*:[0-9]+:)$/\1root/;t;s/^(frrvty:[^:]*:[0-9]+:.+)$/\1,root/" "$1/etc/group"'
)
frr_pkgs() { local p pins=(); for p in "${frr_top[@]}"; do pins+=("$(lock_pin "$p")"); done; (IFS=,; echo "${pins[*]}"); }

# evpn-operator: only what the node binary links (variant extract: the packages
# unpacked, no dpkg, no shell), base-files, and passwd/group with user 42494.
# Debian 12 (glibc 2.36): node needs no more, and the operator runs no FRR/OVN.
operator_suite=bookworm
operator_variant=extract
operator_pkgs() { echo base-files,base-passwd,libc6,libgcc-s1,libstdc++6; }
operator_hooks=(
  'cp "$1/usr/share/base-passwd/passwd.master" "$1/etc/passwd"; cp "$1/usr/share/base-passwd/group.master" "$1/etc/group"'
  'echo "ovn-evpn:x:42494:42494:ovn-evpn operator:/nonexistent:/usr/sbin/nologin" >>"$1/etc/passwd"'
  'echo "ovn-evpn:x:42494:" >>"$1/etc/group"'
  'rm -rf "$1"/usr/share/doc/*/changelog* "$1"/usr/share/lintian "$1"/usr/share/gcc "$1"/usr/share/gdb "$1"/var/lib/dpkg "$1"/var/cache/apt "$1"/var/lib/apt'
)

# Builds root $1 (frr or operator) into $2 (a tar): no recommends, no
# doc/man/locale, no /dev entries (the runtime provides /dev). $3, when given,
# receives the root's installed Package=Version list (before the hooks that
# drop dpkg's database). The sid Release file of the registry is past its
# Valid-Until date (as for scripts/build-test-root.sh): validity is not checked,
# signatures are.
build_root() { # name out [versions-file]
  local name=$1 out=$2 versions=${3:-/dev/null} variant suite pkgs args=()
  local -n hooks="${name}_hooks"
  variant="${name}_variant"; variant=${!variant}
  suite="${name}_suite"; suite=${!suite}
  pkgs=$("${name}_pkgs")
  for h in "${hooks[@]}"; do args+=(--customize-hook="$h"); done
  mmdebstrap --quiet --variant="$variant" --include="$pkgs" \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --customize-hook="dpkg-query --admindir=\"\$1/var/lib/dpkg\" -W -f '\${db:Status-Abbrev} \${Package}=\${Version}\n' 2>/dev/null | awk '\$1 == \"ii\" { print \$2 }' | LC_ALL=C sort > '$versions' || true" \
    --customize-hook='rm -rf "$1"/var/log/* "$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old' \
    "${args[@]}" --skip=output/dev \
    "$suite" "$out" >&2
}
