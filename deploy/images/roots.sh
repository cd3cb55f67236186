# shellcheck shell=bash disable=SC2034 # the variables are read by build.sh
# The Debian roots of the images (sourced by build.sh). Everything that shapes a
# root is in this file: its hash is the roots' cache key, so editing build.sh
# only reassembles the images and does not run mmdebstrap again.
suite=bookworm

# evpn-frr and evpn-node-agent: FRR 8.4 and its vtysh/frr-reload.py (python3),
# iproute2, iputils-ping and jq for node-init.sh, libstdc++6 for node.
# usr-is-merged satisfies init-system-helpers' "usrmerge | usr-is-merged".
frr_variant=essential
frr_pkgs=usr-is-merged,frr,frr-pythontools,iproute2,iputils-ping,jq,libstdc++6
frr_hooks=(
  # apt still brings usrmerge, and with it perl (~45 MB); the root is merged-/usr
  # from the start, so they go.
  'chroot "$1" dpkg --purge usrmerge libfile-find-rule-perl libnumber-compare-perl libtext-glob-perl perl libperl5.36 perl-modules-5.36 libgdbm-compat4 >/dev/null'
  # root joins frrvty, the group of FRR's vty sockets, instead of getting
  # CAP_DAC_OVERRIDE (the runtime adds it from /etc/group for user 0).
  'sed -i -E "s/^(frrvty:[^:]*:[0-9]+:)$/\1root/;t;s/^(frrvty:[^:]*:[0-9]+:.+)$/\1,root/" "$1/etc/group"'
)

# evpn-operator: only what the node binary links (variant extract: the packages
# unpacked, no dpkg, no shell), base-files, and passwd/group with user 42494.
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
  local name=$1 out=$2 variant pkgs args=()
  local -n hooks="${name}_hooks"
  variant="${name}_variant"; variant=${!variant}
  pkgs="${name}_pkgs"; pkgs=${!pkgs}
  for h in "${hooks[@]}"; do args+=(--customize-hook="$h"); done
  mmdebstrap --quiet --variant="$variant" --include="$pkgs" \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --customize-hook='rm -rf "$1"/var/log/* "$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old' \
    "${args[@]}" --skip=output/dev \
    "$suite" "$out" >&2
}
