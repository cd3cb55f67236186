# shellcheck shell=bash disable=SC2034 # the variables are read by build.sh
# The Debian roots of the images (sourced by build.sh). Everything that shapes a
# root is in this file and in test/stack/current.lock: their hash is the roots'
# cache key, so editing build.sh only reassembles the images and does not run
# mmdebstrap again.
lock=test/stack/current.lock

# evpn-frr and evpn-node-agent: the FRR every suite tests, from the test world's
# lock (suite and exact versions): frr, its vtysh/frr-reload.py (python3),
# iproute2, iputils-ping and jq for node-init.sh, libstdc++6 for node. Each named
# package is pinned to the lock's version, and the finished root must hold only
# packages at the lock's versions (frr_check), so the image ships what was tested.
frr_suite=$(sed -n 's/^# suite: //p' "$lock")
frr_variant=essential
frr_pkgs=$(for p in frr frr-pythontools iproute2 iputils-ping jq libstdc++6; do grep -m1 "^$p=" "$lock"; done | paste -sd,)
frr_hooks=(
  # root joins frrvty, the group of FRR's vty sockets, instead of getting
  # CAP_DAC_OVERRIDE (the runtime adds it from /etc/group for user 0).
  'sed -i -E "s/^(frrvty:[^:]*:[0-9]+:)$/\1root/;t;s/^(frrvty:[^:]*:[0-9]+:.+)$/\1,root/" "$1/etc/group"'
)
# Every package of the finished root (a tar) at the lock's version (the registry did not move).
frr_check() { # tar
  local extra
  extra=$(tar -xOf "$1" ./var/lib/dpkg/status | awk '/^Package: /{p=$2} /^Version: /{print p "=" $2}' | LC_ALL=C sort \
    | LC_ALL=C comm -23 - <(grep -v '^#' "$lock" | LC_ALL=C sort))
  [[ -z $extra ]] || { echo "roots.sh: the FRR root has packages not in $lock at these versions:" $extra >&2; return 1; }
}

# evpn-operator: only what the node binary links (variant extract: the packages
# unpacked, no dpkg, no shell), base-files, and passwd/group with user 42494.
# Debian 12: nothing of the test world runs in it.
operator_suite=bookworm
operator_variant=extract
operator_pkgs=base-files,base-passwd,libc6,libgcc-s1,libstdc++6
operator_hooks=(
  'cp "$1/usr/share/base-passwd/passwd.master" "$1/etc/passwd"; cp "$1/usr/share/base-passwd/group.master" "$1/etc/group"'
  'echo "ovn-evpn:x:42494:42494:ovn-evpn operator:/nonexistent:/usr/sbin/nologin" >>"$1/etc/passwd"'
  'echo "ovn-evpn:x:42494:" >>"$1/etc/group"'
  'rm -rf "$1"/usr/share/doc/*/changelog* "$1"/usr/share/lintian "$1"/usr/share/gcc "$1"/usr/share/gdb "$1"/var/lib/dpkg "$1"/var/cache/apt "$1"/var/lib/apt'
)

# Builds root $1 (frr or operator) into $2 (a tar): no recommends, no
# doc/man/locale, no /dev entries (the runtime provides /dev).
build_root() { # name out
  local name=$1 out=$2 variant pkgs suite args=()
  local -n hooks="${name}_hooks"
  variant="${name}_variant"; variant=${!variant}
  pkgs="${name}_pkgs"; pkgs=${!pkgs}
  suite="${name}_suite"; suite=${!suite}
  for h in "${hooks[@]}"; do args+=(--customize-hook="$h"); done
  mmdebstrap --quiet --variant="$variant" --include="$pkgs" \
    --aptopt='APT::Install-Recommends "false"' --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --customize-hook='rm -rf "$1"/var/log/* "$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old' \
    "${args[@]}" --skip=output/dev \
    "$suite" "$out" >&2
  if declare -F "${name}_check" >/dev/null; then "${name}_check" "$out"; fi
}
