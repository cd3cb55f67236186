#!/bin/bash
# verify-evpn.sh
#
# Seed 000's node check (/work/shared/seeds/000_*.txt, "验证脚本"), copied as
# it is but for one adaptation: the BGPVPN's VNI and type are given as
# arguments instead of looked up with `openstack bgpvpn show` (there is no
# OpenStack API in the e2e). test/e2e runs it inside a node's namespace with a
# `vtysh` on PATH that talks to that node's FRR (evpn-fabric.e2e.test.ts).
# shellcheck disable=SC2086 # the seed's unquoted expansions, kept as written

VNI=$1
TYPE=${2:-l2}

if [ -z "$VNI" ]; then
  echo "Usage: $0 <vni> [type]"
  exit 1
fi

echo "Verifying BGPVPN: vni $VNI"
echo "================================"

echo "VNI: $VNI"
echo "Type: $TYPE"
echo ""

# 检查 VXLAN 设备
echo "Checking VXLAN device..."
if ip link show vxlan-$VNI &> /dev/null; then
  echo "✓ vxlan-$VNI exists"
else
  echo "✗ vxlan-$VNI NOT found"
fi

# 检查 VRF
echo ""
echo "Checking VRF..."
if ip link show vrf-$VNI &> /dev/null; then
  echo "✓ vrf-$VNI exists"
  ip route show vrf vrf-$VNI
else
  echo "✗ vrf-$VNI NOT found"
fi

# 检查 FRR EVPN
echo ""
echo "Checking FRR EVPN routes..."
vtysh -c "show bgp l2vpn evpn vni $VNI"

echo ""
echo "Verification complete"
