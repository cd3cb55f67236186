#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo run for real: user-mode
# Linux (a 6.1 kernel with vrf/vxlan/bridge), FRR, OVS/OVN (ovn-host: the
# nodes' ovn-controller in the e2e), vde2 (UML <-> host loopback), tcpdump
# (the e2e checks VLAN tags on the wire), ethtool, shellcheck; mmdebstrap,
# buildah and podman for the images. Skips apt entirely when everything is
# already there.
set -euo pipefail
pkgs=(user-mode-linux kmod iproute2 iputils-ping frr frr-pythontools openvswitch-switch
      ovn-central ovn-host vde2 tcpdump ethtool socat bc shellcheck jq procps psmisc)
# make images (deploy/images/build.sh) and the image tests: Debian roots, OCI
# assembly, running the images; binutils for strip; the rest is what podman
# ran with when the image tests were written (recommends we install without).
image_pkgs=(mmdebstrap buildah podman runc containernetworking-plugins binutils uidmap fuse-overlayfs slirp4netns netavark aardvark-dns)
pkgs+=("${image_pkgs[@]}")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup-apt: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Debian's postinst scripts try to start the daemons; we run our own instances,
  # so keep the packaged services from starting (no systemd here anyway).
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
