import { describe, expect, it } from 'vitest';
import { API_GROUP_VERSION } from '../../crds/index.ts';
import type { EvpnNetwork } from '../../crds/index.ts';
import { parseBridgeMappings } from './ovs-view.ts';
import { OWNER_KEY, PHYSNETS_KEY, renderUplink, type UplinkInput } from './render-uplink.ts';

const net = (name: string, vlanId: number | undefined, physnet?: string): EvpnNetwork => ({
  apiVersion: API_GROUP_VERSION,
  kind: 'EvpnNetwork',
  metadata: { name },
  spec: {
    type: 'l2',
    vni: 10000 + (vlanId ?? 0),
    ...(vlanId !== undefined ? { vlanId } : {}),
    ...(physnet !== undefined ? { provider: { physicalNetwork: physnet } } : {}),
  },
});
const input = (networks: EvpnNetwork[], over: Partial<UplinkInput> = {}): UplinkInput => ({
  networks,
  portName: 'evpn-ovs',
  mappings: new Map([
    ['physnet1', 'br-prov'],
    ['physnet2', 'br-ex'],
    ['physnet3', 'br-prov'],
  ]),
  bridges: new Set(['br-prov', 'br-ex', 'br-int']),
  currentBridge: undefined,
  ...over,
});

describe('parseBridgeMappings', () => {
  it.each([
    ['physnet1:br-prov', [['physnet1', 'br-prov']]],
    [
      ' physnet1:br-prov , physnet2:br-ex',
      [
        ['physnet1', 'br-prov'],
        ['physnet2', 'br-ex'],
      ],
    ],
    ['physnet1:br-a,physnet1:br-b', [['physnet1', 'br-a']]],
    ['', []],
    [undefined, []],
    ['junk,:br,p:,a:b:c', []],
  ])('%j', (text, expected) => {
    expect([...parseBridgeMappings(text)]).toEqual(expected);
  });
});

describe('renderUplink', () => {
  it('trunks exactly the VLANs of the networks whose physical network maps to the bridge, sorted', () => {
    const r = renderUplink(input([net('b', 300, 'physnet1'), net('a', 100, 'physnet1'), net('c', 200, 'physnet3')]));
    expect(r.port).toEqual({
      bridge: 'br-prov',
      name: 'evpn-ovs',
      trunks: [100, 200, 300],
      externalIds: { [OWNER_KEY]: 'node-agent', [PHYSNETS_KEY]: 'physnet1,physnet3' },
    });
    expect([...r.networks.values()].every((n) => n.plugged)).toBe(true);
  });

  it('wants no port when nothing is stretched onto OVS (an empty trunks set would carry every VLAN)', () => {
    expect(renderUplink(input([])).port).toBeUndefined();
    expect(renderUplink(input([net('x', 100)])).port).toBeUndefined();
  });

  it('leaves networks without a provider out of OVS and out of the results (kernel plumbing only)', () => {
    const r = renderUplink(input([net('plain', 100), net('p', 101, 'physnet1')]));
    expect(r.port?.trunks).toEqual([101]);
    expect(r.networks.has('plain')).toBe(false);
  });

  it('gives a network of an unmapped physical network NoBridgeMapping; the others are plugged', () => {
    const r = renderUplink(input([net('lost', 100, 'physnet9'), net('ok', 101, 'physnet1')]));
    expect(r.networks.get('lost')).toMatchObject({ plugged: false, reason: 'NoBridgeMapping' });
    expect(r.networks.get('lost')?.message).toContain('physnet9');
    expect(r.networks.get('ok')).toMatchObject({ plugged: true, bridge: 'br-prov' });
    expect(r.port?.trunks).toEqual([101]);
  });

  it('gives a mapping to a missing bridge BridgeNotFound', () => {
    const r = renderUplink(input([net('n', 100, 'physnet1')], { bridges: new Set() }));
    expect(r.networks.get('n')).toMatchObject({ plugged: false, reason: 'BridgeNotFound', bridge: 'br-prov' });
    expect(r.port).toBeUndefined();
  });

  it("uses one bridge per node: the one with most networks; the other bridge's networks say UplinkOnOtherBridge", () => {
    const r = renderUplink(input([net('a', 100, 'physnet2'), net('b', 101, 'physnet1'), net('c', 102, 'physnet1')]));
    expect(r.port?.bridge).toBe('br-prov');
    expect(r.networks.get('a')).toMatchObject({ plugged: false, reason: 'UplinkOnOtherBridge', bridge: 'br-ex' });
  });

  it('keeps the bridge the port already sits on while it carries a network (adding networks never moves it)', () => {
    const r = renderUplink(
      input([net('a', 100, 'physnet2'), net('b', 101, 'physnet1'), net('c', 102, 'physnet1')], {
        currentBridge: 'br-ex',
      }),
    );
    expect(r.port).toMatchObject({ bridge: 'br-ex', trunks: [100] });
    expect(r.networks.get('b')?.reason).toBe('UplinkOnOtherBridge');
  });
});
