// FRR for the ovn backend: the kernel backend's model with the VRF named after
// OVN's device, the BGPVPN's RT/RD on the VRF and the L2VNI (OVN has no RT
// knob), advertise-all-vni and type-5 from what OVN installs in the VRF table.
import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../../crds/index.ts';
import { buildFrrModel, frrNodeSettings } from '../../frr/build-frr-model.ts';
import { prepareFrrConfig } from '../../frr/frr-config.ts';

const node = frrNodeSettings({
  bgp: { asn: 65000, routerId: '10.0.0.1', peers: [{ address: '10.0.0.254', remoteAs: 'internal' }], bfd: false },
  node: { vtepIp: '10.0.0.1' },
});
const vrf: EvpnVrf = {
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnVrf',
  metadata: { name: 'vrf-10100' },
  spec: { vni: 10100, backend: 'ovn', routeTargets: ['64999:100'], routeDistinguishers: ['10.0.0.1:100'] },
};
const net: EvpnNetwork = {
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name: 'geneve-a' },
  spec: {
    type: 'l2',
    vni: 10101,
    vrf: 'vrf-10100',
    backend: 'ovn',
    routeTargets: ['64999:101'],
    routeDistinguishers: ['10.0.0.1:101'],
    source: { association: 'network', networkId: 'geneve-a' },
  },
};

describe('FRR for the ovn backend', () => {
  const r = prepareFrrConfig(buildFrrModel(node, [vrf], [net]));
  const text = r.ok ? r.config.text : '';

  it('renders a valid config', () => {
    expect(r.ok).toBe(true);
  });

  it("binds the L3VNI to OVN's VRF device and redistributes what OVN installs there as type-5", () => {
    expect(text).toMatch(/^vrf ovnvrf-10100\n vni 10100\n/m);
    expect(text).toMatch(
      /router bgp 65000 vrf ovnvrf-10100\n[\s\S]*?redistribute kernel[\s\S]*?address-family l2vpn evpn\n[\s\S]*?advertise ipv4 unicast/,
    );
    expect(text).toMatch(
      /router bgp 65000 vrf ovnvrf-10100[\s\S]*?rd 10\.0\.0\.1:100[\s\S]*?route-target import 64999:100/,
    );
    expect(text).not.toMatch(/(^|\s)vrf-10100/m);
  });

  it("advertises every VNI, with the network's RD and RTs on its L2VNI", () => {
    expect(text).toContain('advertise-all-vni');
    expect(text).toMatch(
      /vni 10101\n\s+rd 10\.0\.0\.1:101\n\s+route-target import 64999:101\n\s+route-target export 64999:101/,
    );
  });
});
