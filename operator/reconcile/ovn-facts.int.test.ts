// A mirrored network's data-path facts end to end: real OVN NB/SB ovsdb-servers
// written with ovn-nbctl as Neutron's ML2/OVN writes them (localnet ports with
// the segmentation id as tag, neutron:mtu, DHCP_Options referenced by VM
// ports, router interfaces), the operator in-process, and a real apiserver.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvpnNetwork, EvpnPortSet } from '../../crds/index.ts';
import { Label } from '../../crds/index.ts';
import type { OvnDatabases } from '../../test/harness/ovn/ovn-databases.ts';
import { evpnResources } from '../../crds/resources.ts';
import { driverExternalIds } from '../../test/fixtures/mirror/driver-rows.ts';
import type { Live } from '../object-key.ts';
import {
  listEvents,
  listObjects,
  type KubeEnv,
  conditionOf as condition,
} from '../../test/harness/operator/kube-env.ts';
import { startOperatorEnv, type OperatorEnv } from '../../test/harness/operator/operator-env.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import { runOperator, type RunningOperator } from '../../test/harness/operator/operator-harness.ts';
import {
  addChassis,
  addDhcpOptions,
  addNetwork,
  addRouterInterface,
  addVmPort,
  freshTag,
  lsName,
  Northd,
  setExternalIds,
  setLocalnetTag,
  waitForPortBinding,
} from '../../test/harness/operator/ovn-driver.ts';

let kube: KubeEnv;
let ovn: OvnDatabases;
let env: OperatorEnv;
let op: RunningOperator;
let northd: Northd;

beforeAll(async () => {
  env = await startOperatorEnv();
  ({ kube, ovn } = env);
  northd = new Northd(ovn);
  op = await runOperator(kube, ovn, { pruneGraceMs: 1500 });
});

afterAll(async () => {
  await op.stop();
  await northd.stop();
  await env.stop();
});

/** Waits until the network exists and `check` holds for it. */
const networkWhere = (
  what: string,
  name: string,
  check: (n: Live<EvpnNetwork>) => boolean,
): Promise<Live<EvpnNetwork>> =>
  waitFor(what, async () => {
    const n = await env.getNetwork(name);
    return n !== undefined && check(n) ? n : undefined;
  });
const eventFor = (name: string, reason: string): Promise<{ note: string; type: string }> =>
  waitFor(`${reason} Event`, async () =>
    (await listEvents(kube.client)).find((e) => e.regarding.name === name && e.reason === reason),
  );
let nextVni = 90100;
const association = (type: 'l2' | 'l3' = 'l2'): Record<string, string> => {
  const vni = nextVni++;
  return driverExternalIds({ vni, type, routeTargets: [`65000:${vni}`] });
};

describe('VLAN, physical network and MTU from the localnet port and the switch', () => {
  it('takes the localnet tag and network_name, follows a tag change, and takes neutron:mtu', async () => {
    const net = randomUUID();
    const tag = freshTag();
    await addNetwork(ovn.nbctl, net, association(), {
      segment: { type: 'vlan', tag, physnet: 'datacentre' },
      mtu: '1442',
    });
    const created = await networkWhere('EvpnNetwork', net, () => true);
    expect(created.spec).toMatchObject({
      type: 'l2',
      vlanId: tag,
      provider: { physicalNetwork: 'datacentre' },
      mtu: 1442,
    });
    expect(
      condition(await networkWhere('Accepted', net, (n) => condition(n, 'Accepted') !== undefined), 'Accepted')?.status,
    ).toBe('True');

    const moved = freshTag();
    await setLocalnetTag(ovn.nbctl, net, moved);
    const after = await networkWhere('tag change followed', net, (n) => n.spec.vlanId === moved);
    expect(after.metadata.uid).toBe(created.metadata.uid);
    expect(after.spec.vni).toBe(created.spec.vni);

    await setExternalIds(ovn.nbctl, 'Logical_Switch', lsName(net), { 'neutron:mtu': '9000' });
    await networkWhere('MTU change followed', net, (n) => n.spec.mtu === 9000);
    await ovn.nbctl(['ls-del', lsName(net)]);
  });

  it('keeps the last good MTU when neutron:mtu goes out of range, flags it, and heals', async () => {
    const net = randomUUID();
    await addNetwork(ovn.nbctl, net, association('l3'), { mtu: '1450' });
    await networkWhere('MTU 1450', net, (n) => n.spec.mtu === 1450);
    await setExternalIds(ovn.nbctl, 'Logical_Switch', lsName(net), { 'neutron:mtu': '65000' });
    const flagged = await networkWhere('SourceDegraded', net, (n) => condition(n, 'SourceDegraded')?.status === 'True');
    expect(flagged.spec.mtu).toBe(1450);
    expect(condition(flagged, 'SourceDegraded')?.message).toBe(
      'EVPN-001: Logical_Switch external_ids neutron:mtu="65000" is not an MTU (576–9216); the last good MTU 1450 is kept',
    );
    expect(condition(flagged, 'Accepted')?.status).toBe('True');
    expect((await eventFor(net, 'InvalidMtu')).note).toMatch(/^EVPN-001: .*65000/);
    await setExternalIds(ovn.nbctl, 'Logical_Switch', lsName(net), { 'neutron:mtu': '1400' });
    const healed = await networkWhere(
      'healed',
      net,
      (n) => n.spec.mtu === 1400 && condition(n, 'SourceDegraded')?.status === 'False',
    );
    expect(healed.metadata.uid).toBe(flagged.metadata.uid);
    await ovn.nbctl(['ls-del', lsName(net)]);
  });
});

describe('subnets and gateways', () => {
  it("reads IPv4 and IPv6 subnets from the DHCP_Options the ports reference; a router port's gateway is OVN's", async () => {
    const net = randomUUID();
    await addNetwork(ovn.nbctl, net, association());
    const v4 = await addDhcpOptions(ovn.nbctl, {
      subnetId: randomUUID(),
      cidr: '10.150.0.0/24',
      gateway: '10.150.0.1',
    });
    const v6 = await addDhcpOptions(ovn.nbctl, { subnetId: randomUUID(), cidr: 'fd00:150::/64' });
    const other = await addDhcpOptions(ovn.nbctl, {
      subnetId: randomUUID(),
      cidr: '10.151.0.0/24',
      gateway: '10.151.0.1',
    });
    await addVmPort(ovn.nbctl, {
      networkId: net,
      portId: `vm-${net.slice(0, 8)}-1`,
      mac: '02:00:00:00:50:01',
      ips: ['10.150.0.11', 'fd00:150::11'],
      dhcp: { v4, v6 },
    });
    await addVmPort(ovn.nbctl, {
      networkId: net,
      portId: `vm-${net.slice(0, 8)}-2`,
      mac: '02:00:00:00:50:02',
      ips: ['10.150.0.12'],
      dhcp: { v4 },
    });
    const dhcpOnly = await networkWhere('DHCP subnets', net, (n) => n.spec.subnets?.length === 2);
    // No router yet: the IPv4 gateway is the IRB's (anycast), IPv6 DHCP names no gateway.
    expect(dhcpOnly.spec.subnets).toEqual([
      { cidr: '10.150.0.0/24', gateway: '10.150.0.1' },
      { cidr: 'fd00:150::/64' },
    ]);
    expect(JSON.stringify(dhcpOnly.spec.subnets)).not.toContain('10.151');
    expect(other).not.toBe(v4);

    // A Neutron router interface on both subnets: it holds the gateways, so OVN owns them.
    await addRouterInterface(ovn.nbctl, {
      routerId: randomUUID(),
      portId: randomUUID(),
      networkId: net,
      mac: '02:00:00:00:50:fe',
      cidrs: ['10.150.0.1/24', 'fd00:150::1/64'],
    });
    const routed = await networkWhere('router-owned gateways', net, (n) => n.spec.subnets?.[0]?.gatewayOwner === 'ovn');
    expect(routed.spec.subnets).toEqual([
      { cidr: '10.150.0.0/24', gateway: '10.150.0.1', gatewayOwner: 'ovn' },
      { cidr: 'fd00:150::/64', gateway: 'fd00:150::1', gatewayOwner: 'ovn' },
    ]);
    await ovn.nbctl(['ls-del', lsName(net)]);
  });

  it('leaves the gateway to the IRB when the router port has another address', async () => {
    const net = randomUUID();
    await addNetwork(ovn.nbctl, net, association());
    await addRouterInterface(ovn.nbctl, {
      routerId: randomUUID(),
      portId: randomUUID(),
      networkId: net,
      mac: '02:00:00:00:52:fe',
      cidrs: ['10.152.0.254/24'],
    });
    // Without DHCP options, the router port's address is the only gateway known, and OVN holds it.
    await networkWhere(
      'router port subnet',
      net,
      (n) =>
        JSON.stringify(n.spec.subnets) ===
        JSON.stringify([{ cidr: '10.152.0.0/24', gateway: '10.152.0.254', gatewayOwner: 'ovn' }]),
    );
    const v4 = await addDhcpOptions(ovn.nbctl, {
      subnetId: randomUUID(),
      cidr: '10.152.0.0/24',
      gateway: '10.152.0.1',
    });
    await addVmPort(ovn.nbctl, {
      networkId: net,
      portId: `vm-${net.slice(0, 8)}`,
      mac: '02:00:00:00:52:01',
      ips: ['10.152.0.11'],
      dhcp: { v4 },
    });
    const n = await networkWhere("the subnet's gateway", net, (x) => x.spec.subnets?.[0]?.gateway === '10.152.0.1');
    expect(n.spec.subnets).toEqual([{ cidr: '10.152.0.0/24', gateway: '10.152.0.1' }]);
    await ovn.nbctl(['ls-del', lsName(net)]);
  });
});

describe('networks OVN gives no VLAN path', () => {
  const cases = [
    {
      name: 'a flat provider network (localnet without tag)',
      segment: { type: 'flat', physnet: 'physnet1' } as const,
      encapIp: '127.0.0.11',
      says: /^EVPN-001: flat provider network on physical network physnet1 .*no agent applies this network$/,
    },
    {
      name: 'a Geneve tenant network (no localnet port)',
      segment: { type: 'geneve' } as const,
      encapIp: '127.0.0.12',
      says: /^EVPN-001: tenant \(Geneve\) network without a localnet port.*no agent applies this network$/,
    },
  ];
  const portSets = (net: string): Promise<EvpnPortSet[]> =>
    listObjects<EvpnPortSet>(kube.client, evpnResources.portSets, `${Label.Network}=${net}`);
  it.each(cases)(
    '$name is mirrored without vlanId, Accepted=False NoProviderPath, with an Event, and no port sets',
    async ({ segment, encapIp, says }) => {
      const net = randomUUID();
      const vm = `vm-${net.slice(0, 8)}`;
      const chassis = `chassis-${net.slice(0, 8)}`;
      await addNetwork(ovn.nbctl, net, {}, { segment });
      // A VM of this network bound on a node (its port set would plumb it there), before the association comes.
      northd.start();
      await addVmPort(ovn.nbctl, { networkId: net, portId: vm, mac: '02:00:00:00:60:01', ips: ['10.160.0.11'] });
      await addChassis(ovn.sbctl, chassis, `node-${net.slice(0, 8)}`, encapIp);
      await waitForPortBinding(ovn.sbctl, vm);
      await northd.stop();
      await ovn.sbctl(['lsp-bind', vm, chassis]);
      await new Promise((r) => setTimeout(r, 300));
      await setExternalIds(ovn.nbctl, 'Logical_Switch', lsName(net), association());
      const n = await networkWhere('Accepted=False', net, (x) => condition(x, 'Accepted')?.status === 'False');
      expect(n.spec).toMatchObject({ type: 'l2', source: { association: 'network', networkId: net } });
      expect(n.spec.vlanId).toBeUndefined();
      expect(n.spec.provider).toBeUndefined();
      expect(condition(n, 'Accepted')).toMatchObject({
        reason: 'NoProviderPath',
        message: expect.stringMatching(says) as unknown,
      });
      expect(await eventFor(net, 'NoProviderPath')).toMatchObject({
        type: 'Warning',
        note: expect.stringMatching(says) as unknown,
      });
      await op.operator.idle();
      expect(await portSets(net)).toEqual([]);
      // Neutron adds a VLAN segment's localnet later: the path appears, the condition clears.
      const tag = freshTag();
      if (segment.type === 'geneve') {
        await ovn.nbctl([
          'lsp-add',
          lsName(net),
          `provnet-${net}`,
          '--',
          'lsp-set-type',
          `provnet-${net}`,
          'localnet',
          '--',
          'lsp-set-options',
          `provnet-${net}`,
          'network_name=physnet1',
          '--',
          'set',
          'Logical_Switch_Port',
          `provnet-${net}`,
          `tag=${tag}`,
        ]);
      } else {
        await setLocalnetTag(ovn.nbctl, net, tag);
      }
      const fixed = await networkWhere(
        'accepted',
        net,
        (x) => x.spec.vlanId === tag && condition(x, 'Accepted')?.status === 'True',
      );
      expect(fixed.spec.provider).toEqual({ physicalNetwork: 'physnet1' });
      expect(fixed.metadata.uid).toBe(n.metadata.uid);
      const sets = await waitFor("the VM's port set", async () => {
        const l = await portSets(net);
        return l.length === 1 ? l : undefined;
      });
      expect(sets[0]?.spec.ports).toEqual([{ name: vm, mac: '02:00:00:00:60:01', ips: ['10.160.0.11'] }]);
      await ovn.nbctl(['ls-del', lsName(net)]);
      await ovn.sbctl(['chassis-del', chassis]);
    },
  );
});

describe('one VLAN on one physical network for two networks', () => {
  it('reports EVPN-004 on both and applies neither; removing one gives the other its VLAN', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const c = randomUUID();
    const tag = freshTag();
    await addNetwork(ovn.nbctl, a, association(), { segment: { type: 'vlan', tag } });
    await networkWhere('a applied', a, (n) => n.spec.vlanId === tag);
    await addNetwork(ovn.nbctl, b, association('l3'), { segment: { type: 'vlan', tag } });
    await addNetwork(ovn.nbctl, c, association('l3'), { segment: { type: 'vlan', tag, physnet: 'physnet2' } });
    const [na, nb] = await Promise.all(
      [a, b].map((id) => networkWhere('Conflict', id, (n) => condition(n, 'Accepted')?.reason === 'Conflict')),
    );
    for (const [n, other] of [
      [na, b],
      [nb, a],
    ] as const) {
      expect(n?.spec.vlanId).toBeUndefined();
      expect(n?.spec.provider).toBeUndefined();
      expect(condition(n, 'Accepted')?.message).toBe(
        `EVPN-004: VLAN ${tag} on physical network physnet1 is also the VLAN of EvpnNetwork ${other}; no agent applies this network until one of them changes`,
      );
    }
    expect((await eventFor(a, 'Conflict')).note).toContain(`EVPN-004: VLAN ${tag}`);
    expect((await eventFor(b, 'Conflict')).note).toContain(`EVPN-004: VLAN ${tag}`);
    // The same VLAN on another physical network is another segment.
    expect((await networkWhere('c', c, () => true)).spec).toMatchObject({
      vlanId: tag,
      provider: { physicalNetwork: 'physnet2' },
    });

    await ovn.nbctl(['ls-del', lsName(b)]);
    await networkWhere(
      'a gets its VLAN back',
      a,
      (n) => n.spec.vlanId === tag && condition(n, 'Accepted')?.status === 'True',
    );
    await ovn.nbctl(['ls-del', lsName(a), '--', 'ls-del', lsName(c)]);
  });
});
