// The ovn backend's write path against the real components: OVN NB/SB
// ovsdb-servers with ovn-northd of the test world (run with EVPN_STACK=current:
// OVN 26.03.1, the first with native EVPN), a private kube-apiserver, and the
// operator in-process. Rows are written with ovn-nbctl as Neutron and
// networking-bgpvpn write them; what northd derives from our keys is read back
// from SB.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evpnResources } from '../../crds/resources.ts';
import { applyObject } from '../../lib/kube/apply.ts';
import { driverExternalIds } from '../../test/fixtures/mirror/driver-rows.ts';
import { listEvents, type KubeEnv, conditionOf as condition } from '../../test/harness/operator/kube-env.ts';
import { runOperator, type RunningOperator } from '../../test/harness/operator/operator-harness.ts';
import {
  addNetwork,
  addRouterInterface,
  addVmPort,
  lsName,
  removeBgpvpnKeys,
} from '../../test/harness/operator/ovn-driver.ts';
import { type Ctl, type OvnDatabases } from '../../test/harness/ovn/ovn-databases.ts';
import { stackName } from '../../test/harness/stack/stack.ts';
import { startOperatorEnv, type OperatorEnv } from '../../test/harness/operator/operator-env.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import { OWNED_KEYS_MARKER } from '../ovn-keys/plan-ovn-keys.ts';

const OPTIONS = { pruneGraceMs: 500, massDelete: { maxShare: 0.5, floor: 100, holdMs: 0 } };
let kube: KubeEnv;
let ovn: OvnDatabases;
let env: OperatorEnv;
let op: RunningOperator;

/** One row's map columns and _version, read with the real ovn-nbctl/ovn-sbctl. */
interface DbRow {
  readonly [column: string]: unknown;
}

async function listRows(ctl: Ctl, table: string, record?: string): Promise<DbRow[]> {
  const out = JSON.parse(await ctl(['--format=json', 'list', table, ...(record === undefined ? [] : [record])])) as {
    headings: string[];
    data: unknown[][];
  };
  const decode = (v: unknown): unknown =>
    Array.isArray(v) && v[0] === 'map'
      ? Object.fromEntries(v[1] as [string, string][])
      : Array.isArray(v) && v[0] === 'uuid'
        ? v[1]
        : v;
  return out.data.map((row) => Object.fromEntries(out.headings.map((h, i) => [h, decode(row[i])])));
}

const mapOf = (row: DbRow | undefined, column: string): Record<string, string> =>
  (row?.[column] ?? {}) as Record<string, string>;
const nbRow = async (table: string, name: string): Promise<DbRow | undefined> =>
  (await listRows(ovn.nbctl, table, name))[0];
const ovnKeyWrites = (): number =>
  Number(/evpn_operator_ovn_key_writes_total (\d+)/.exec(op.registry.render())?.[1] ?? 0);

/** A person's (or GitOps') choice of backend on a mirrored network or VRF, with a field manager of their own. */
async function chooseBackend(
  network: string,
  backend: 'ovn' | 'kernel',
  kind: 'networks' | 'vrfs' = 'networks',
): Promise<void> {
  await applyObject(
    kube.client,
    evpnResources[kind],
    { metadata: { name: network }, spec: { backend } },
    { fieldManager: 'a-person', force: true },
  );
}

const SWITCH_KEYS = (vni: number): Record<string, string> => ({
  'dynamic-routing-vni': String(vni),
  'dynamic-routing-bridge-ifname': `ovnbr-${vni}`,
  'dynamic-routing-vxlan-ifname': `ovnvx-${vni}`,
  'dynamic-routing-advertise-ifname': `ovnlo-${vni}`,
  'dynamic-routing-redistribute': 'fdb,ip',
});

beforeAll(async () => {
  env = await startOperatorEnv({ northd: true });
  ({ kube, ovn } = env);
  op = await runOperator(kube, ovn, OPTIONS);
});

afterAll(async () => {
  await op.stop();
  await env.stop();
});

describe.runIf(stackName() === 'oldest')('the ovn backend on an OVN without native EVPN (23.03)', () => {
  it('is a condition on the network (EVPN-001), and nothing is written to NB', async () => {
    const net = randomUUID();
    await addNetwork(ovn.nbctl, net, driverExternalIds({ vni: 30000, type: 'l2', routeTargets: ['65000:30000'] }), {
      segment: { type: 'geneve' },
    });
    await waitFor('network', async () => ((await env.getNetwork(net)) !== undefined ? true : undefined));
    await chooseBackend(net, 'ovn');
    const refused = await waitFor('refused', async () => {
      const n = await env.getNetwork(net);
      return condition(n, 'Accepted')?.reason === 'BackendUnsupported' ? n : undefined;
    });
    expect(condition(refused, 'Accepted')?.message).toMatch(
      /^EVPN-001: the OVN NB schema is 7\.0\.0: OVN before 26\.03 \(NB schema 7\.18\.0\) has no native EVPN/,
    );
    expect(refused.status?.backend).toBe('ovn');
    await op.operator.idle();
    expect(mapOf(await nbRow('Logical_Switch', lsName(net)), 'other_config')).toEqual({});
    expect(ovnKeyWrites()).toBe(0);
  });
});

// OVN 26.03 is the current test world's (EVPN_STACK=current); the oldest world checks the refusal above.
describe.runIf(stackName() === 'current')('the ovn backend on OVN 26.03', () => {
  it("carries a Geneve network once a person chooses ovn, keeps that choice across mirror writes, and leaves Neutron's keys alone", async () => {
    const net = randomUUID();
    await addNetwork(ovn.nbctl, net, driverExternalIds({ vni: 31000, type: 'l2', routeTargets: ['65000:31000'] }), {
      segment: { type: 'geneve' },
    });
    await ovn.nbctl(['set', 'Logical_Switch', lsName(net), 'other_config:mcast_snoop=true']);
    await addVmPort(ovn.nbctl, { networkId: net, portId: randomUUID(), mac: 'fa:16:3e:00:31:01', ips: ['10.31.0.11'] });
    // The cluster default (kernel) cannot carry it: flagged, never a silent no-op.
    const flagged = await waitFor('NoProviderPath', async () => {
      const n = await env.getNetwork(net);
      return condition(n, 'Accepted')?.reason === 'NoProviderPath' ? n : undefined;
    });
    expect(flagged.status?.backend).toBe('kernel');
    expect(condition(flagged, 'Accepted')?.message).toMatch(/^EVPN-001: /);
    expect(mapOf(await nbRow('Logical_Switch', lsName(net)), 'other_config')).toEqual({ mcast_snoop: 'true' });

    await chooseBackend(net, 'ovn');
    const accepted = await waitFor('accepted on ovn', async () => {
      const n = await env.getNetwork(net);
      return condition(n, 'Accepted')?.status === 'True' && n?.status?.backend === 'ovn' ? n : undefined;
    });
    expect(accepted.spec.backend).toBe('ovn');
    const ls = await waitFor('switch keys', async () => {
      const row = await nbRow('Logical_Switch', lsName(net));
      return 'dynamic-routing-vni' in mapOf(row, 'other_config') ? row : undefined;
    });
    expect(mapOf(ls, 'other_config')).toEqual({ mcast_snoop: 'true', ...SWITCH_KEYS(31000) });
    const ids = mapOf(ls, 'external_ids');
    expect(JSON.parse(ids[OWNED_KEYS_MARKER] ?? '{}')).toEqual(SWITCH_KEYS(31000));
    expect(ids['neutron_bgpvpn:vni']).toBe('31000');

    // northd takes them: the switch's SB datapath carries the EVPN keys ovn-controller reads.
    const dp = await waitFor('SB datapath keys', async () => {
      const rows = await listRows(ovn.sbctl, 'Datapath_Binding');
      return rows.find((r) => mapOf(r, 'external_ids')['dynamic-routing-vni'] === '31000');
    });
    expect(mapOf(dp, 'external_ids')).toMatchObject(SWITCH_KEYS(31000));
    const macs = await waitFor('Advertised_MAC_Binding', async () => {
      const rows = await listRows(ovn.sbctl, 'Advertised_MAC_Binding');
      return rows.some((r) => r['mac'] === 'fa:16:3e:00:31:01') ? rows : undefined;
    });
    expect(macs.find((r) => r['mac'] === 'fa:16:3e:00:31:01')?.['ip']).toBe('10.31.0.11');

    // A mirror write (new route target from Neutron) keeps the person's choice: the operator never applies spec.backend.
    await ovn.nbctl([
      'set',
      'Logical_Switch',
      lsName(net),
      `external_ids:"neutron_bgpvpn:rt"=${JSON.stringify('["65000:31001"]')}`,
    ]);
    const rewritten = await waitFor('new RT mirrored', async () => {
      const n = await env.getNetwork(net);
      return n?.spec.routeTargets?.includes('65000:31001') === true ? n : undefined;
    });
    expect(rewritten.spec.backend).toBe('ovn');
    expect(rewritten.status?.backend).toBe('ovn');
  });

  it('writes the router keys for a router association, which northd turns into Advertised_Route', async () => {
    const net = randomUUID();
    const router = randomUUID();
    await addNetwork(ovn.nbctl, net, {}, { segment: { type: 'geneve' } });
    await addRouterInterface(ovn.nbctl, {
      routerId: router,
      portId: randomUUID(),
      networkId: net,
      mac: 'fa:16:3e:00:32:01',
      cidrs: ['10.32.0.1/24'],
      ids: driverExternalIds({ vni: 32000, type: 'l3', routeTargets: ['65000:32000'] }),
    });
    await ovn.nbctl(['set', 'Logical_Router', `neutron-${router}`, 'options:always_learn_from_arp_request=false']);
    await waitFor('network', async () => ((await env.getNetwork(net)) !== undefined ? true : undefined));
    await chooseBackend(net, 'ovn');
    // The network alone is not enough: the agents name the VRF device after the VRF's backend.
    const waiting = await waitFor('kernel VRF reported', async () => {
      const n = await env.getNetwork(net);
      return condition(n, 'Accepted')?.reason === 'BackendUnsupported' ? n : undefined;
    });
    expect(condition(waiting, 'Accepted')?.message).toMatch(
      /^EVPN-001: its router's VRF EvpnVrf vrf-32000 is on the kernel backend/,
    );
    expect(mapOf(await nbRow('Logical_Router', `neutron-${router}`), 'options')).not.toHaveProperty('dynamic-routing');
    await chooseBackend('vrf-32000', 'ovn', 'vrfs');
    const lr = await waitFor('router keys', async () => {
      const row = await nbRow('Logical_Router', `neutron-${router}`);
      return 'dynamic-routing' in mapOf(row, 'options') ? row : undefined;
    });
    expect(mapOf(lr, 'options')).toEqual({
      always_learn_from_arp_request: 'false',
      'dynamic-routing': 'true',
      'dynamic-routing-vrf-id': '1032000',
      'dynamic-routing-vrf-name': 'ovnvrf-32000',
      'dynamic-routing-redistribute': 'connected,static',
    });
    // An l3 association: no L2VNI, so no switch keys.
    expect(mapOf(await nbRow('Logical_Switch', lsName(net)), 'other_config')).toEqual({});
    const routes = await waitFor('Advertised_Route', async () => {
      const rows = await listRows(ovn.sbctl, 'Advertised_Route');
      return rows.some((r) => r['ip_prefix'] === '10.32.0.0/24') ? rows : undefined;
    });
    expect(routes.filter((r) => r['ip_prefix'] === '10.32.0.0/24')).toHaveLength(1);
  });

  it('reports a key someone else set to another value as EVPN-004, and leaves the row untouched', async () => {
    const net = randomUUID();
    await addNetwork(ovn.nbctl, net, driverExternalIds({ vni: 33000, type: 'l2', routeTargets: ['65000:33000'] }), {
      segment: { type: 'geneve' },
    });
    // Neutron's own ovn-evpn extension got there first, with its own VNI.
    await ovn.nbctl(['set', 'Logical_Switch', lsName(net), 'other_config:dynamic-routing-vni=4242']);
    await waitFor('network', async () => ((await env.getNetwork(net)) !== undefined ? true : undefined));
    const before = await nbRow('Logical_Switch', lsName(net));
    await chooseBackend(net, 'ovn');
    const refused = await waitFor('conflict', async () => {
      const n = await env.getNetwork(net);
      return condition(n, 'Accepted')?.reason === 'Conflict' ? n : undefined;
    });
    expect(condition(refused, 'Accepted')).toMatchObject({ status: 'False' });
    expect(condition(refused, 'Accepted')?.message).toMatch(
      /^EVPN-004: Logical_Switch neutron-.* dynamic-routing-vni="4242"/,
    );
    const events = await waitFor('event', async () => {
      const list = (await listEvents(kube.client)).filter((e) => e.regarding.name === net && e.reason === 'Conflict');
      return list.length > 0 ? list : undefined;
    });
    expect(events[0]?.note).toMatch(/^EVPN-004: /);
    await op.operator.idle();
    const after = await nbRow('Logical_Switch', lsName(net));
    expect(after?.['_version']).toBe(before?.['_version']);
    expect(mapOf(after, 'other_config')).toEqual({ 'dynamic-routing-vni': '4242' });
  });

  it('makes no OVN write after a restart with nothing changed, and removes only our keys on disassociation', async () => {
    const net = randomUUID();
    await addNetwork(ovn.nbctl, net, driverExternalIds({ vni: 34000, type: 'l2', routeTargets: ['65000:34000'] }), {
      segment: { type: 'geneve' },
    });
    await waitFor('network', async () => ((await env.getNetwork(net)) !== undefined ? true : undefined));
    await chooseBackend(net, 'ovn');
    await waitFor('switch keys', async () =>
      'dynamic-routing-vni' in mapOf(await nbRow('Logical_Switch', lsName(net)), 'other_config') ? true : undefined,
    );
    await op.operator.idle();
    const versions = async (): Promise<unknown[]> =>
      [...(await listRows(ovn.nbctl, 'Logical_Switch')), ...(await listRows(ovn.nbctl, 'Logical_Router'))]
        .map((r) => `${String(r['name'])}@${String(r['_version'])}`)
        .sort();
    const steady = await versions();
    await op.stop();
    op = await runOperator(kube, ovn, OPTIONS);
    await op.operator.idle();
    await new Promise((r) => setTimeout(r, 1500));
    await op.operator.idle();
    expect(ovnKeyWrites()).toBe(0);
    expect(await versions()).toEqual(steady);

    // Neutron sets a key of its own meanwhile; the disassociation removes ours and only ours.
    await ovn.nbctl(['set', 'Logical_Switch', lsName(net), 'other_config:mcast_snoop=true']);
    const ls = await nbRow('Logical_Switch', lsName(net));
    const bgpvpn = Object.keys(mapOf(ls, 'external_ids')).filter((k) => k.startsWith('neutron_bgpvpn:'));
    await removeBgpvpnKeys(ovn.nbctl, 'Logical_Switch', lsName(net), bgpvpn);
    const cleared = await waitFor('our keys gone', async () => {
      const row = await nbRow('Logical_Switch', lsName(net));
      return 'dynamic-routing-vni' in mapOf(row, 'other_config') ? undefined : row;
    });
    expect(mapOf(cleared, 'other_config')).toEqual({ mcast_snoop: 'true' });
    expect(mapOf(cleared, 'external_ids')).not.toHaveProperty(OWNED_KEYS_MARKER);
    expect(mapOf(cleared, 'external_ids')['neutron:network_name']).toBe(`net-${net.slice(0, 8)}`);
  });
  it('keeps our keys while the mass-deletion guard holds the network, and removes them when it is pruned', async () => {
    const nets = [randomUUID(), randomUUID()];
    for (const [i, net] of nets.entries()) {
      await addNetwork(
        ovn.nbctl,
        net,
        driverExternalIds({ vni: 35000 + i, type: 'l2', routeTargets: [`65000:${35000 + i}`] }),
        { segment: { type: 'geneve' } },
      );
    }
    for (const net of nets) {
      await waitFor('network', async () => ((await env.getNetwork(net)) !== undefined ? true : undefined));
      await chooseBackend(net, 'ovn');
    }
    await waitFor('switch keys', async () => {
      const rows = await Promise.all(nets.map((n) => nbRow('Logical_Switch', lsName(n))));
      return rows.every((r) => 'dynamic-routing-vni' in mapOf(r, 'other_config')) ? true : undefined;
    });
    // A guard that holds any deletion for a long time, as when OVN comes back emptied.
    await op.stop();
    op = await runOperator(kube, ovn, { ...OPTIONS, massDelete: { maxShare: 0.01, floor: 0, holdMs: 600_000 } });
    await op.operator.idle();
    for (const net of nets) {
      const ids = mapOf(await nbRow('Logical_Switch', lsName(net)), 'external_ids');
      const keys = Object.keys(ids).filter((k) => k.startsWith('neutron_bgpvpn:'));
      await removeBgpvpnKeys(ovn.nbctl, 'Logical_Switch', lsName(net), keys);
    }
    await waitFor('deletes held', async () => {
      const n = await env.getNetwork(nets[0] ?? '');
      return condition(n, 'SourceDegraded')?.message.includes('its delete is held') === true ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 1500));
    await op.operator.idle();
    for (const net of nets)
      expect(mapOf(await nbRow('Logical_Switch', lsName(net)), 'other_config')).toMatchObject({
        'dynamic-routing-vni': expect.stringMatching(/^3500[01]$/) as unknown,
      });
    // The hold ends (a shorter guard after a restart): the objects go, and our keys with them.
    await op.stop();
    op = await runOperator(kube, ovn, OPTIONS);
    for (const net of nets) {
      const row = await waitFor('keys removed', async () => {
        const r = await nbRow('Logical_Switch', lsName(net));
        return 'dynamic-routing-vni' in mapOf(r, 'other_config') ? undefined : r;
      });
      expect(mapOf(row, 'external_ids')).not.toHaveProperty(OWNED_KEYS_MARKER);
    }
  });
  it('writes nothing with OVN writes off, and says which network lacks its keys', async () => {
    await op.stop();
    op = await runOperator(kube, ovn, { ...OPTIONS, ovnWrites: false });
    const net = randomUUID();
    await addNetwork(ovn.nbctl, net, driverExternalIds({ vni: 36000, type: 'l2', routeTargets: ['65000:36000'] }), {
      segment: { type: 'geneve' },
    });
    await waitFor('network', async () => ((await env.getNetwork(net)) !== undefined ? true : undefined));
    await chooseBackend(net, 'ovn');
    const refused = await waitFor('writes-off condition', async () => {
      const n = await env.getNetwork(net);
      return condition(n, 'Accepted')?.reason === 'BackendUnsupported' ? n : undefined;
    });
    expect(condition(refused, 'Accepted')?.message).toMatch(/^EVPN-001: OVN writes are off \(--ovn-writes=false\)/);
    await op.operator.idle();
    expect(mapOf(await nbRow('Logical_Switch', lsName(net)), 'other_config')).toEqual({});
    expect(ovnKeyWrites()).toBe(0);
    // Someone else (an OVN admin) sets exactly our keys: the network is carried, and they stay theirs.
    await ovn.nbctl([
      'set',
      'Logical_Switch',
      lsName(net),
      ...Object.entries(SWITCH_KEYS(36000)).map(([k, v]) => `other_config:${k}=${JSON.stringify(v)}`),
    ]);
    await waitFor('accepted', async () =>
      condition(await env.getNetwork(net), 'Accepted')?.status === 'True' ? true : undefined,
    );
    expect(mapOf(await nbRow('Logical_Switch', lsName(net)), 'external_ids')).not.toHaveProperty(OWNED_KEYS_MARKER);
    await op.stop();
    op = await runOperator(kube, ovn, OPTIONS);
  });
});
