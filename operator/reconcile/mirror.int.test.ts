// The mirror end to end: real OVN NB/SB ovsdb-servers (and ovn-northd where
// Port_Binding rows are needed), rows written with ovn-nbctl/ovn-sbctl exactly
// as networking-bgpvpn's driver writes them, the operator in-process, and a
// private real kube-apiserver with the CRDs from crds/generated.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvpnNetwork, EvpnNodeState, EvpnPortSet } from '../../crds/index.ts';
import { AGENT_FIELD_MANAGER, Label } from '../../crds/index.ts';
import { applyObject, applyStatus } from '../../lib/kube/apply.ts';
import type { OvnDatabases } from '../../test/harness/ovn/ovn-databases.ts';
import { driverExternalIds } from '../../test/fixtures/mirror/driver-rows.ts';
import { invalidNameCases, malformedCases } from '../../test/fixtures/mirror/malformed-cases.ts';
import { evpnResources } from '../../crds/resources.ts';
import type { Live } from '../object-key.ts';
import {
  listEvents,
  listObjects,
  type KubeEnv,
  conditionOf as condition,
} from '../../test/harness/operator/kube-env.ts';
import { startOperatorEnv, type OperatorEnv } from '../../test/harness/operator/operator-env.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import { nonLeaseWrites, runOperator, type RunningOperator } from '../../test/harness/operator/operator-harness.ts';
import {
  addChassis,
  addNetwork,
  addRouterInterface,
  addVmPort,
  externalIdArgs,
  lsName,
  Northd,
  removeBgpvpnKeys,
  setExternalIds,
  waitForPortBinding,
} from '../../test/harness/operator/ovn-driver.ts';
import { WatchLog } from '../../test/harness/operator/watch-log.ts';

const GRACE_MS = 1500;
// The latency test deletes 50 objects in one pass, and most tests end by deleting every network they made,
// which the guard holds whatever the count (an emptied OVN): no hold here; the mass-deletion guard has its
// own test (mass-delete.int.test.ts).
const MASS_DELETE = { maxShare: 0.5, floor: 100, holdMs: 0 };
let kube: KubeEnv;
let ovn: OvnDatabases;
let env: OperatorEnv;
let northd: Northd;
let op: RunningOperator;
let networks: WatchLog<Live<EvpnNetwork>>;

beforeAll(async () => {
  env = await startOperatorEnv();
  ({ kube, ovn } = env);
  northd = new Northd(ovn);
  op = await runOperator(kube, ovn, { pruneGraceMs: GRACE_MS, massDelete: MASS_DELETE });
  networks = await new WatchLog<Live<EvpnNetwork>>(kube.client, evpnResources.networks).start();
});

afterAll(async () => {
  await networks.stop();
  await op.stop();
  await northd.stop();
  await env.stop();
});

const gone = (what: string, get: () => Promise<unknown>): Promise<true> =>
  waitFor(`${what} gone`, async () => ((await get()) === undefined ? true : undefined));
const mirrorErrors = (): number =>
  Number(/controller_reconcile_errors_total\{controller="mirror"\} (\d+)/.exec(op.registry.render())?.[1] ?? 0);
const bgpvpnKeys = (ids: Record<string, string>): string[] =>
  Object.keys(ids).filter((k) => k.startsWith('neutron_bgpvpn:'));

describe('network association (NB Logical_Switch)', () => {
  it('creates, updates and deletes the EvpnNetwork and its EvpnVrf', async () => {
    const net = randomUUID();
    const ids = driverExternalIds({
      vni: 10100,
      type: 'l2',
      routeTargets: ['65000:10100'],
      routeDistinguishers: ['192.0.2.1:10100'],
      localPref: 100,
    });
    await addNetwork(ovn.nbctl, net, ids);
    const created = await waitFor('EvpnNetwork', () => env.getNetwork(net));
    expect(created.metadata.labels?.[Label.MirroredFrom]).toBe('network');
    expect(created.metadata.managedFields?.map((f) => (f as { manager: string }).manager)).toContain(
      'ovn-evpn-operator',
    );
    // The l2 BGPVPN's VNI and policy are the network's L2VNI's; its VRF's L3VNI is vni + the offset.
    expect(created.spec).toMatchObject({
      type: 'l2',
      vni: 10100,
      vrf: 'vrf-10100',
      source: { association: 'network', networkId: net },
      bgpAs: 65000,
      routeTargets: ['65000:10100'],
      routeDistinguishers: ['192.0.2.1:10100'],
      localPref: 100,
    });
    const vrf = await waitFor('EvpnVrf', () => env.getVrf('vrf-10100'));
    expect(vrf.spec).toEqual({ vni: 1_010_100, routingTable: 1_010_100, bgpAs: 65000 });

    await setExternalIds(ovn.nbctl, 'Logical_Switch', lsName(net), {
      'neutron_bgpvpn:rt': '["65000:10100", "65000:999"]',
    });
    await waitFor('network route targets updated', async () =>
      (await env.getNetwork(net))?.spec.routeTargets?.length === 2 ? true : undefined,
    );
    const updated = await env.getNetwork(net);
    expect(updated?.metadata.uid).toBe(created.metadata.uid);
    expect(updated?.spec.vlanId).toBe(created.spec.vlanId);

    const removedAt = Date.now();
    await removeBgpvpnKeys(ovn.nbctl, 'Logical_Switch', lsName(net), bgpvpnKeys(ids));
    await gone('EvpnNetwork', () => env.getNetwork(net));
    expect(Date.now() - removedAt).toBeGreaterThanOrEqual(GRACE_MS - 100);
    await gone('EvpnVrf', () => env.getVrf('vrf-10100'));
  });
});

describe('router association (NB Logical_Router_Port)', () => {
  it("creates, updates and deletes the network with the router port's subnets", async () => {
    const net = randomUUID();
    const router = randomUUID();
    const port = randomUUID();
    const ids = driverExternalIds({ vni: 20000, type: 'l3', routeTargets: ['65000:20000'] });
    await addNetwork(ovn.nbctl, net);
    await addRouterInterface(ovn.nbctl, {
      routerId: router,
      portId: port,
      networkId: net,
      mac: '02:00:00:00:20:01',
      cidrs: ['10.20.0.1/24', 'fd00:20::1/64'],
      ids,
    });
    const created = await waitFor('EvpnNetwork', () => env.getNetwork(net));
    expect(created.metadata.labels?.[Label.MirroredFrom]).toBe('router');
    expect(created.spec).toMatchObject({
      type: 'l3',
      vni: 20000,
      vrf: 'vrf-20000',
      subnets: [
        { cidr: '10.20.0.0/24', gateway: '10.20.0.1' },
        { cidr: 'fd00:20::/64', gateway: 'fd00:20::1' },
      ],
      source: {
        association: 'router',
        routerId: router,
        rows: [{ db: 'OVN_Northbound', table: 'Logical_Router_Port', name: `lrp-${port}` }],
      },
    });
    await ovn.nbctl(['set', 'Logical_Router_Port', `lrp-${port}`, 'networks="10.21.0.1/24"']);
    await waitFor('subnets updated', async () =>
      (await env.getNetwork(net))?.spec.subnets?.[0]?.cidr === '10.21.0.0/24' ? true : undefined,
    );
    await ovn.nbctl(['lrp-del', `lrp-${port}`]);
    await gone('EvpnNetwork', () => env.getNetwork(net));
    await gone('EvpnVrf', () => env.getVrf('vrf-20000'));
  });
});

describe('router association (SB lrp-* Port_Binding, where the shipped driver writes it)', () => {
  const net = randomUUID();
  const port = randomUUID();
  const ids = driverExternalIds({ vni: 21000, type: 'l3', routeTargets: ['192.0.2.9:21000'] });

  it('creates, updates and deletes the network', async () => {
    northd.start();
    await addNetwork(ovn.nbctl, net);
    await addRouterInterface(ovn.nbctl, {
      routerId: randomUUID(),
      portId: port,
      networkId: net,
      mac: '02:00:00:00:21:01',
      cidrs: ['10.121.0.1/24'],
    });
    await waitForPortBinding(ovn.sbctl, `lrp-${port}`);
    await northd.stop(); // northd would rewrite the driver's keys from NB at once
    await setExternalIds(ovn.sbctl, 'Port_Binding', `lrp-${port}`, ids);
    const created = await waitFor('EvpnNetwork', () => env.getNetwork(net));
    // `as` taken from an IP-form route target is not an ASN: left out, the node's ASN applies.
    expect(created.spec).toMatchObject({
      type: 'l3',
      vni: 21000,
      vrf: 'vrf-21000',
      subnets: [{ cidr: '10.121.0.0/24', gateway: '10.121.0.1' }],
      source: { association: 'router', rows: [{ db: 'OVN_Southbound', table: 'Port_Binding', name: `lrp-${port}` }] },
    });
    expect(created.spec.bgpAs).toBeUndefined();
    expect((await waitFor('vrf', () => env.getVrf('vrf-21000'))).spec).toEqual({
      vni: 21000,
      routeTargets: ['192.0.2.9:21000'],
    });

    await setExternalIds(ovn.sbctl, 'Port_Binding', `lrp-${port}`, { 'neutron_bgpvpn:vni': '21001' });
    await waitFor('moved to vrf-21001', async () =>
      (await env.getNetwork(net))?.spec.vrf === 'vrf-21001' ? true : undefined,
    );
    expect((await env.getNetwork(net))?.metadata.uid).toBe(created.metadata.uid);
    await gone('old EvpnVrf', () => env.getVrf('vrf-21000'));
  });

  it('keeps the network when ovn-northd rewrites the row for a moment', async () => {
    const before = await waitFor('EvpnNetwork', () => env.getNetwork(net));
    const from = networks.events.length;
    northd.start();
    await waitFor(
      'northd wiped the SB keys',
      async () => {
        const out = await ovn.sbctl([
          '--bare',
          '--columns=external_ids',
          'find',
          'Port_Binding',
          `logical_port=lrp-${port}`,
        ]);
        return out.includes('neutron_bgpvpn') ? undefined : true;
      },
      { timeoutMs: 10_000, stepMs: 5 },
    );
    await northd.stop();
    await setExternalIds(ovn.sbctl, 'Port_Binding', `lrp-${port}`, { ...ids, 'neutron_bgpvpn:vni': '21001' }); // the driver writes them again
    await new Promise((r) => setTimeout(r, GRACE_MS + 500));
    const after = await env.getNetwork(net);
    expect(after?.metadata.uid).toBe(before.metadata.uid);
    expect(after?.spec).toEqual(before.spec);
    expect(networks.events.slice(from).filter((e) => e.object.metadata.name === net && e.type === 'delete')).toEqual(
      [],
    );

    await removeBgpvpnKeys(ovn.sbctl, 'Port_Binding', `lrp-${port}`, bgpvpnKeys(ids));
    await gone('EvpnNetwork', () => env.getNetwork(net));
  });
});

describe('port association (SB Port_Binding of a VM port) and port sets', () => {
  it('creates the network with its routes, one port set per node, follows a port move, and deletes', async () => {
    const net = randomUUID();
    northd.start();
    await addNetwork(ovn.nbctl, net);
    await addVmPort(ovn.nbctl, { networkId: net, portId: 'vm-port-1', mac: '02:00:00:00:30:01', ips: ['10.30.0.11'] });
    await addVmPort(ovn.nbctl, {
      networkId: net,
      portId: 'vm-port-2',
      mac: '02:00:00:00:30:02',
      ips: ['10.30.0.12', 'fd00:30::12'],
    });
    await addChassis(ovn.sbctl, 'chassis-a', 'node-a');
    await addChassis(ovn.sbctl, 'chassis-b', 'node-b', '127.0.0.2');
    await waitForPortBinding(ovn.sbctl, 'vm-port-1');
    await waitForPortBinding(ovn.sbctl, 'vm-port-2');
    await northd.stop();
    await ovn.sbctl(['lsp-bind', 'vm-port-1', 'chassis-a', '--', 'lsp-bind', 'vm-port-2', 'chassis-b']);
    const ids = driverExternalIds({
      vni: 30000,
      type: 'l2',
      routeTargets: ['65000:30000'],
      advertiseFixedIps: true,
      routes: [{ destination: '10.40.0.0/24', nexthop: '10.30.0.11' }],
    });
    await setExternalIds(ovn.sbctl, 'Port_Binding', 'vm-port-1', ids);

    const created = await waitFor('EvpnNetwork', () => env.getNetwork(net));
    expect(created.metadata.labels?.[Label.MirroredFrom]).toBe('port');
    expect(created.spec).toMatchObject({
      type: 'l2',
      vrf: 'vrf-30000',
      advertiseFixedIps: true,
      routes: [{ type: 'prefix', destination: '10.40.0.0/24', nexthop: '10.30.0.11' }],
      source: { association: 'port', portIds: ['vm-port-1'] },
    });
    const sets = await waitFor('two port sets', async () => {
      const l = await listObjects<EvpnPortSet>(kube.client, evpnResources.portSets, `${Label.Network}=${net}`);
      return l.length === 2 ? l.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)) : undefined;
    });
    expect(sets.map((s) => [s.metadata.name, s.metadata.labels?.[Label.Node], s.spec.ports])).toEqual([
      [`${net}.node-a`, 'node-a', [{ name: 'vm-port-1', mac: '02:00:00:00:30:01', ips: ['10.30.0.11'] }]],
      [
        `${net}.node-b`,
        'node-b',
        [{ name: 'vm-port-2', mac: '02:00:00:00:30:02', ips: ['10.30.0.12', 'fd00:30::12'] }],
      ],
    ]);

    await ovn.sbctl(['lsp-unbind', 'vm-port-2', '--', 'lsp-bind', 'vm-port-2', 'chassis-a']);
    await waitFor('port moved to node-a', async () => {
      const l = await listObjects<EvpnPortSet>(kube.client, evpnResources.portSets, `${Label.Network}=${net}`);
      return l.length === 1 && l[0]?.spec.ports.length === 2 ? true : undefined;
    });
    await waitFor('network status counts the ports', async () =>
      (await env.getNetwork(net))?.status?.ports === 2 ? true : undefined,
    );
    // ports_total, cluster-wide: at least this network's two ports.
    expect(Number(/^evpn_operator_mirrored_ports (\d+)$/m.exec(op.registry.render())?.[1])).toBeGreaterThanOrEqual(2);

    await removeBgpvpnKeys(ovn.sbctl, 'Port_Binding', 'vm-port-1', bgpvpnKeys(ids));
    await gone('EvpnNetwork', () => env.getNetwork(net));
    await waitFor('port sets gone', async () =>
      (await listObjects(kube.client, evpnResources.portSets, `${Label.Network}=${net}`)).length === 0
        ? true
        : undefined,
    );
  });
});

describe('malformed associations', () => {
  it(`reports each of the ${malformedCases.length} + ${invalidNameCases.length} cases with its code, while other networks keep working`, async () => {
    expect(malformedCases.length).toBeGreaterThanOrEqual(20);
    const cases = [
      ...malformedCases,
      ...invalidNameCases.map((c) => ({
        ...c,
        externalIds: driverExternalIds({ vni: 10100, type: 'l2', routeTargets: ['65000:10100'] }),
      })),
    ];
    const good = randomUUID();
    await addNetwork(ovn.nbctl, good, driverExternalIds({ vni: 40000, type: 'l3', routeTargets: ['65000:40000'] }));
    await waitFor('good network', () => env.getNetwork(good));
    const ids: string[] = cases.map((c) => ('networkId' in c ? c.networkId : randomUUID()));
    const errorsBefore = mirrorErrors();
    // One transaction, as a driver resync would write them.
    await ovn.nbctl(
      cases
        .flatMap((c, i) => {
          const ls = lsName(ids[i] ?? '');
          return ['--', 'ls-add', ls, '--', 'set', 'Logical_Switch', ls, ...externalIdArgs(c.externalIds)];
        })
        .slice(1),
    );
    const late = randomUUID();
    await addNetwork(ovn.nbctl, late, driverExternalIds({ vni: 40001, type: 'l2', routeTargets: ['65000:40001'] }));
    await waitFor('a network added after the bad rows', () => env.getNetwork(late));

    const events = await waitFor('one Warning event per malformed row', async () => {
      const all = await listEvents(kube.client);
      const mine = all.filter((e) => ids.includes(e.regarding.name));
      return mine.length >= cases.length ? mine : undefined;
    });
    for (const [i, c] of cases.entries()) {
      const e = events.filter((x) => x.regarding.name === ids[i]);
      expect(e, c.name).toHaveLength(1);
      expect(e[0], c.name).toMatchObject({
        type: 'Warning',
        reason: 'MalformedAssociation',
        regarding: { kind: 'EvpnNetwork' },
      });
      expect(e[0]?.note.startsWith(`${c.code}: `), `${c.name}: ${e[0]?.note}`).toBe(true);
      expect(e[0]?.note, c.name).toContain(c.says);
      if (!('networkId' in c)) expect(await env.getNetwork(ids[i] ?? ''), c.name).toBeUndefined();
    }
    // Refused before any write: no 422 from the apiserver, so no failed pass and no retry storm.
    expect(mirrorErrors()).toBe(errorsBefore);
    expect(op.registry.render()).toMatch(/evpn_operator_errors_total\{code="EVPN-007"\} [1-9]/);
    expect((await env.getNetwork(good))?.metadata.labels?.[Label.MirroredFrom]).toBe('network');
    const metrics = op.registry.render();
    expect(metrics).toMatch(/evpn_operator_errors_total\{code="EVPN-001"\} [1-9]/);
    expect(metrics).toMatch(/evpn_operator_errors_total\{code="EVPN-002"\} [1-9]/);
    // Clean up: the rows go away, and so do the problems.
    await ovn.nbctl(ids.flatMap((id) => ['--', 'ls-del', lsName(id)]).slice(1));
  });

  it('keeps the last good spec of a mirrored network through a bad update, and flags it', async () => {
    const net = randomUUID();
    const ids = driverExternalIds({ vni: 41000, type: 'l2', routeTargets: ['65000:41000'] });
    await addNetwork(ovn.nbctl, net, ids);
    const good = await waitFor('EvpnNetwork', () => env.getNetwork(net));
    await setExternalIds(ovn.nbctl, 'Logical_Switch', lsName(net), {
      'neutron_bgpvpn:rt': '["65000:41000", "not-a-target"]',
    });
    const flagged = await waitFor('SourceDegraded', async () => {
      const n = await env.getNetwork(net);
      return condition(n, 'SourceDegraded')?.status === 'True' ? n : undefined;
    });
    expect(flagged.spec).toEqual(good.spec);
    expect(condition(flagged, 'SourceDegraded')).toMatchObject({
      reason: 'LastGoodSpecKept',
      message: expect.stringMatching(/^EVPN-002: .*"not-a-target".*the last good spec is kept$/) as unknown,
    });
    expect((await env.getNetwork(net))?.spec.routeTargets).toEqual(['65000:41000']);
    await waitFor('LastGoodSpecKept event', async () =>
      (await listEvents(kube.client)).some((e) => e.regarding.name === net && e.reason === 'LastGoodSpecKept')
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, GRACE_MS + 300));
    expect((await env.getNetwork(net))?.metadata.uid).toBe(good.metadata.uid);

    await setExternalIds(ovn.nbctl, 'Logical_Switch', lsName(net), {
      'neutron_bgpvpn:rt': '["65000:41000", "65000:41001"]',
    });
    const healed = await waitFor('healed', async () => {
      const n = await env.getNetwork(net);
      return condition(n, 'SourceDegraded')?.status === 'False' ? n : undefined;
    });
    expect(condition(healed, 'Accepted')?.status).toBe('True');
    expect(healed.spec.routeTargets).toEqual(['65000:41000', '65000:41001']);
    await ovn.nbctl(['ls-del', lsName(net)]);
  });
});

describe('never lose a network', () => {
  it('keeps a working VRF and network when the route targets grow past the API limit of 32', async () => {
    const net = randomUUID();
    await addNetwork(ovn.nbctl, net, driverExternalIds({ vni: 42000, type: 'l3', routeTargets: ['65000:42000'] }));
    const good = await waitFor('EvpnNetwork', () => env.getNetwork(net));
    const vrf = await waitFor('EvpnVrf', () => env.getVrf('vrf-42000'));
    const rts = Array.from({ length: 33 }, (_, i) => `65000:${42000 + i}`);
    await setExternalIds(ovn.nbctl, 'Logical_Switch', lsName(net), { 'neutron_bgpvpn:rt': JSON.stringify(rts) });
    const flagged = await waitFor('SourceDegraded', async () => {
      const n = await env.getNetwork(net);
      return condition(n, 'SourceDegraded')?.status === 'True' ? n : undefined;
    });
    expect(condition(flagged, 'SourceDegraded')?.message).toMatch(
      /^EVPN-002: neutron_bgpvpn:rt has 33 entries; at most 32 route targets are allowed; the last good spec is kept$/,
    );
    await new Promise((r) => setTimeout(r, 3 * GRACE_MS));
    await op.operator.idle();
    expect((await env.getNetwork(net))?.metadata.uid).toBe(good.metadata.uid);
    const kept = await env.getVrf('vrf-42000');
    expect(kept?.metadata.uid).toBe(vrf.metadata.uid);
    expect(kept?.spec.routeTargets).toEqual(['65000:42000']);
    await ovn.nbctl(['ls-del', lsName(net)]);
    await gone('EvpnVrf', () => env.getVrf('vrf-42000'));
  });

  it('neither prunes nor overwrites a kubectl copy of a mirrored object, label and all, and reports the clash', async () => {
    const net = randomUUID();
    await addNetwork(ovn.nbctl, net, driverExternalIds({ vni: 43000, type: 'l3', routeTargets: ['65000:43000'] }));
    const mirrored = await waitFor('EvpnNetwork', () => env.getNetwork(net));
    // What `kubectl get -o yaml | kubectl apply` of the mirrored object makes under another name: the label comes along.
    const copy = randomUUID();
    const copySpec = { ...mirrored.spec, vrf: 'vrf-43000' };
    await applyObject(
      kube.client,
      evpnResources.networks,
      { metadata: { name: copy, labels: { ...mirrored.metadata.labels } }, spec: copySpec },
      { fieldManager: 'kubectl-client-side-apply' },
    );
    const created = await waitFor('copy', () => env.getNetwork(copy));
    await new Promise((r) => setTimeout(r, 3 * GRACE_MS));
    await op.operator.idle();
    const later = await env.getNetwork(copy);
    expect(later?.metadata.uid).toBe(created.metadata.uid);
    expect(later?.spec).toEqual(copySpec);
    expect(later?.metadata.labels?.[Label.MirroredFrom]).toBe('network');
    // Now OVN claims the copy's name: a conflict on the copy, which keeps its spec.
    await addNetwork(ovn.nbctl, copy, driverExternalIds({ vni: 43001, type: 'l3', routeTargets: ['65000:43001'] }));
    const clash = await waitFor('Conflict on the copy', async () => {
      const n = await env.getNetwork(copy);
      return condition(n, 'Accepted')?.reason === 'Conflict' ? n : undefined;
    });
    expect(condition(clash, 'Accepted')?.message).toMatch(/^EVPN-004: a user-authored EvpnNetwork/);
    expect(clash.spec).toEqual(copySpec);
    const managers = (clash.metadata.managedFields as { manager: string; subresource?: string }[]).filter(
      (f) => f.manager === 'ovn-evpn-operator',
    );
    expect(managers.map((f) => f.subresource)).toEqual(['status']);
    await ovn.nbctl(['--', 'ls-del', lsName(net), '--', 'ls-del', lsName(copy)]);
    await gone('EvpnNetwork', () => env.getNetwork(net));
    await new Promise((r) => setTimeout(r, 2 * GRACE_MS));
    expect((await env.getNetwork(copy))?.metadata.uid).toBe(created.metadata.uid);
  });
});

describe('user-authored objects', () => {
  it('reports a VNI claimed by a user VRF and an OVN association on both, and overwrites neither', async () => {
    const userVrf = `tenant-${randomUUID().slice(0, 8)}`;
    await applyObject(
      kube.client,
      evpnResources.vrfs,
      { metadata: { name: userVrf }, spec: { vni: 50000, routeTargets: ['65000:1'] } },
      { fieldManager: 'gitops' },
    );
    const net = randomUUID();
    await addNetwork(ovn.nbctl, net, driverExternalIds({ vni: 50000, type: 'l3', routeTargets: ['65000:50000'] }));
    const [user, mirrored] = await waitFor('Conflict on both VRFs', async () => {
      const u = await env.getVrf(userVrf);
      const m = await env.getVrf('vrf-50000');
      return condition(u, 'Accepted')?.reason === 'Conflict' && condition(m, 'Accepted')?.reason === 'Conflict'
        ? ([u, m] as const)
        : undefined;
    });
    expect(condition(user, 'Accepted')?.message).toMatch(
      /^EVPN-004: L3VNI 50000 is also claimed by the mirrored VRF vrf-50000/,
    );
    expect(condition(mirrored, 'Accepted')?.message).toMatch(
      new RegExp(`^EVPN-004: L3VNI 50000 is also claimed by the user-authored VRF ${userVrf}`),
    );
    expect(user?.spec).toEqual({ vni: 50000, routeTargets: ['65000:1'] });
    expect(user?.metadata.labels?.[Label.MirroredFrom]).toBeUndefined();
    expect(user?.status?.routingTable).toBe(1_050_000);
    await ovn.nbctl(['ls-del', lsName(net)]);
    await waitFor('user VRF accepted again', async () =>
      condition(await env.getVrf(userVrf), 'Accepted')?.status === 'True' ? true : undefined,
    );
  });

  it('leaves a user EvpnNetwork of the same name alone and reports the conflict on it', async () => {
    const net = randomUUID();
    const spec = { type: 'l3', vrf: 'my-vrf' };
    await applyObject(
      kube.client,
      evpnResources.networks,
      { metadata: { name: net }, spec },
      { fieldManager: 'gitops' },
    );
    await addNetwork(ovn.nbctl, net, driverExternalIds({ vni: 51000, type: 'l2', routeTargets: ['65000:51000'] }));
    const user = await waitFor('Conflict', async () => {
      const n = await env.getNetwork(net);
      return condition(n, 'Accepted')?.reason === 'Conflict' ? n : undefined;
    });
    expect(condition(user, 'Accepted')?.message).toMatch(
      /^EVPN-004: a user-authored EvpnNetwork .* and an OVN network association claim the same network/,
    );
    expect(user.spec).toEqual(spec);
    expect(user.metadata.labels).toBeUndefined();
    expect(
      (user.metadata.managedFields as { manager: string; subresource?: string }[])
        .filter((f) => f.manager === 'ovn-evpn-operator')
        .map((f) => f.subresource),
    ).toEqual(['status']);
    await waitFor('Event', async () =>
      (await listEvents(kube.client)).some(
        (e) => e.regarding.name === net && e.reason === 'Conflict' && e.note.startsWith('EVPN-004'),
      )
        ? true
        : undefined,
    );
    expect(await env.getVrf('vrf-51000')).toBeUndefined();
    await ovn.nbctl(['ls-del', lsName(net)]);
  });
});

describe('status aggregation from EvpnNodeStates', () => {
  async function reportNode(node: string, results: NonNullable<EvpnNodeState['status']>): Promise<void> {
    await applyObject(
      kube.client,
      evpnResources.nodeStates,
      { metadata: { name: node }, spec: { nodeName: node } },
      { fieldManager: AGENT_FIELD_MANAGER },
    );
    await applyStatus(kube.client, evpnResources.nodeStates, { name: node }, results, {
      fieldManager: AGENT_FIELD_MANAGER,
    });
  }

  it('folds per-node results into ready counts, failing nodes and the Ready condition', async () => {
    const net = randomUUID();
    await addNetwork(ovn.nbctl, net, driverExternalIds({ vni: 60000, type: 'l2', routeTargets: ['65000:60000'] }));
    const created = await waitFor('EvpnNetwork', () => env.getNetwork(net));
    const generation = created.metadata.generation ?? 0;
    await reportNode('agg-node-1', {
      networks: [{ name: net, generation, ready: true }],
      vrfs: [{ name: 'vrf-60000', ready: true }],
    });
    await reportNode('agg-node-2', {
      networks: [{ name: net, generation, ready: false, reason: 'FrrFailed', message: 'vtysh refused vni 16000123' }],
      vrfs: [{ name: 'vrf-60000', ready: true }],
    });
    const failing = await waitFor('NodesFailing', async () => {
      const n = await env.getNetwork(net);
      return condition(n, 'Ready')?.reason === 'NodesFailing' ? n : undefined;
    });
    expect(failing.status).toMatchObject({
      ready: '1/2',
      readyNodes: 1,
      totalNodes: 2,
      observedGeneration: generation,
      l3vni: 1_060_000,
      failingNodes: [{ node: 'agg-node-2', reason: 'FrrFailed', message: 'vtysh refused vni 16000123' }],
    });
    expect(condition(failing, 'Ready')).toMatchObject({
      status: 'False',
      observedGeneration: generation,
      message: expect.stringContaining('agg-node-2 (FrrFailed') as unknown,
    });
    const vrf = await waitFor('VRF Applied', async () => {
      const v = await env.getVrf('vrf-60000');
      return condition(v, 'Ready')?.reason === 'Applied' ? v : undefined;
    });
    expect(vrf.status).toMatchObject({ ready: '2/2', routingTable: 1_060_000, networkCount: 1 });

    await reportNode('agg-node-2', {
      networks: [{ name: net, generation, ready: true }],
      vrfs: [{ name: 'vrf-60000', ready: true }],
    });
    const applied = await waitFor('Applied', async () => {
      const n = await env.getNetwork(net);
      return condition(n, 'Ready')?.reason === 'Applied' ? n : undefined;
    });
    expect(applied.status).toMatchObject({ ready: '2/2', failingNodes: [] });
    for (const node of ['agg-node-1', 'agg-node-2']) await kube.kubectl(['delete', 'evpnnodestate', node]);
    await waitFor('NoNodes', async () =>
      condition(await env.getNetwork(net), 'Ready')?.reason === 'NoNodes' ? true : undefined,
    );
    await ovn.nbctl(['ls-del', lsName(net)]);
  });
});

describe('latency', () => {
  it('measures ovn-nbctl set → object visible in the apiserver over 50 changes', async () => {
    const samples: number[] = [];
    const ids = Array.from({ length: 25 }, () => randomUUID());
    for (const [i, id] of ids.entries()) {
      const from = networks.events.length;
      const t0 = performance.now();
      await addNetwork(
        ovn.nbctl,
        id,
        driverExternalIds({ vni: 70000 + i, type: 'l3', routeTargets: [`65000:${70000 + i}`] }),
      );
      const e = await networks.waitForEvent(from, (x) => x.type === 'add' && x.object.metadata.name === id);
      samples.push(e.at - t0);
    }
    for (const [i, id] of ids.entries()) {
      const from = networks.events.length;
      const t0 = performance.now();
      await ovn.nbctl(['set', 'Logical_Switch', lsName(id), `external_ids:"neutron_bgpvpn:vni"="${71000 + i}"`]);
      const e = await networks.waitForEvent(
        from,
        (x) => x.object.metadata.name === id && x.object.spec.vrf === `vrf-${71000 + i}`,
      );
      samples.push(e.at - t0);
    }
    samples.sort((a, b) => a - b);
    const pct = (p: number): number =>
      samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))] ?? NaN;
    const hist = op.operator.metrics.ovnToCrLatency.snapshot();
    process.stdout.write(
      `OVN→object latency over ${samples.length} changes: p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${pct(100).toFixed(1)} ms ` +
        `(operator histogram: ${hist.count} observations, mean ${((hist.sum / Math.max(1, hist.count)) * 1000).toFixed(1)} ms)\n`,
    );
    expect(samples).toHaveLength(50);
    expect(pct(50)).toBeLessThan(500);
    await ovn.nbctl(ids.flatMap((id) => ['--', 'ls-del', lsName(id)]).slice(1));
    await waitFor('latency networks gone', () =>
      ids.every((id) => networks.get(id) === undefined) ? true : undefined,
    );
  });
});

describe('operator restart', () => {
  it('makes zero API writes when nothing changed', async () => {
    // A steady state with every kind of object, a kept-last-good network, a conflict and node status in it.
    const net = randomUUID();
    const bad = randomUUID();
    await addNetwork(ovn.nbctl, net, driverExternalIds({ vni: 80000, type: 'l2', routeTargets: ['65000:80000'] }));
    await addNetwork(ovn.nbctl, bad, driverExternalIds({ vni: 80001, type: 'l2', routeTargets: ['65000:80001'] }));
    await waitFor('networks', async () =>
      (await env.getNetwork(net)) !== undefined && (await env.getNetwork(bad)) !== undefined ? true : undefined,
    );
    await setExternalIds(ovn.nbctl, 'Logical_Switch', lsName(bad), { 'neutron_bgpvpn:vni': '0' });
    await ovn.nbctl([
      'ls-add',
      'neutron-never-valid',
      '--',
      'set',
      'Logical_Switch',
      'neutron-never-valid',
      ...externalIdArgs({ 'neutron_bgpvpn:vni': 'x' }),
    ]);
    await applyObject(
      kube.client,
      evpnResources.nodeStates,
      { metadata: { name: 'restart-node' }, spec: { nodeName: 'restart-node' } },
      { fieldManager: AGENT_FIELD_MANAGER },
    );
    await applyStatus(
      kube.client,
      evpnResources.nodeStates,
      { name: 'restart-node' },
      { networks: [{ name: net, ready: true }] },
      { fieldManager: AGENT_FIELD_MANAGER },
    );
    await waitFor('settled', async () => {
      await op.operator.idle();
      return condition(await env.getNetwork(bad), 'SourceDegraded')?.status === 'True' &&
        (await env.getNetwork(net))?.status?.ready === '1/1'
        ? true
        : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    await op.operator.idle();
    await op.stop();

    op = await runOperator(kube, ovn, {
      pruneGraceMs: GRACE_MS,
      massDelete: MASS_DELETE,
      leaderElection: {
        namespace: 'default',
        name: `op-${randomUUID().slice(0, 8)}`,
        retryPeriodMs: 500,
        renewDeadlineMs: 2000,
        leaseDurationMs: 3000,
      },
    });
    await op.operator.idle();
    await new Promise((r) => setTimeout(r, 1500));
    await op.operator.idle();
    const writes = nonLeaseWrites(op.writes);
    process.stdout.write(
      `operator restart with nothing changed: ${JSON.stringify(writes)} (all writes incl. lease: ${JSON.stringify(op.writes.snapshot())})\n`,
    );
    expect(writes).toEqual({});
    expect(op.operator.problems.all().length).toBeGreaterThanOrEqual(2);
  });
});
