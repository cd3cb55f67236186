// subnets[].gatewayOwner: ovn → the IRB holds no address of that subnet (an OVN
// router port answers for the gateway) and routes the subnet instead.
import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { NodeConfig } from '../inputs/node-config.ts';
import { renderKernelState } from './render-kernel-state.ts';

const node = NodeConfig.parse({ nodeName: 'node-1', vtepIp: '10.0.0.1' });
const vrf: EvpnVrf = { apiVersion: API_GROUP_VERSION, kind: 'EvpnVrf', metadata: { name: 'v' }, spec: { vni: 10100 } };
const net = (subnets: NonNullable<EvpnNetwork['spec']['subnets']>): EvpnNetwork => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name: 'n' },
  spec: { type: 'l2', vni: 10101, vrf: 'v', vlanId: 101, subnets },
});

describe('renderKernelState gateway owner', () => {
  it('puts the gateway on the IRB when EVPN owns it (default), and no subnet route', () => {
    const r = renderKernelState(
      node,
      [vrf],
      [
        net([
          { cidr: '10.1.0.0/24', gateway: '10.1.0.1' },
          { cidr: 'fd00:1::/64', gateway: 'fd00:1::1', gatewayOwner: 'evpn' },
        ]),
      ],
      [],
    );
    expect(r.desired.addrs).toEqual([
      { dev: 'br-evpn.101', address: '10.1.0.1/24' },
      { dev: 'br-evpn.101', address: 'fd00:1::1/64' },
    ]);
    expect(r.desired.routes.filter((x) => x.dev === 'br-evpn.101')).toEqual([]);
  });

  it('leaves an OVN-owned gateway off the IRB and routes that subnet to it', () => {
    const r = renderKernelState(
      node,
      [vrf],
      [
        net([
          { cidr: '10.1.0.0/24', gateway: '10.1.0.1', gatewayOwner: 'ovn' },
          { cidr: '10.2.0.0/24', gateway: '10.2.0.1' },
        ]),
      ],
      [],
    );
    expect(r.desired.addrs).toEqual([{ dev: 'br-evpn.101', address: '10.2.0.1/24' }]);
    expect(r.desired.routes.filter((x) => x.dev === 'br-evpn.101')).toEqual([
      { table: 1010100, dst: '10.1.0.0/24', dev: 'br-evpn.101' },
    ]);
    expect(r.networks.get('n')?.routes).toBe(1);
  });
});
