// Fault injection on a node of the e2e fabric (evpn-fabric.e2e.test.ts): what
// changes in OVN while a component is down, and how to tell that the node came
// back. An extra network, net-f (l2, vni 10400, VLAN 106, no VMs), is the
// steady stream of changes: associated while the agent is down, given an extra
// import route target while bgpd is down, disassociated while all of FRR is
// down. Each must be on the node once the component is back.
import { driverExternalIds, type BgpvpnFixture } from '../fixtures/mirror/driver-rows.ts';
import { waitFor } from '../harness/wait-for.ts';
import type { Fabric } from './fabric.ts';
import { bash } from './guest-exec.ts';
import { PHYSNET } from './ovn-chassis.ts';
import type { NodeName, OvnDriver } from './scenario.ts';

export const netF = {
  label: 'net-f',
  id: 'ffffffff-0000-4000-8000-000000000006',
  vni: 10400,
  segmentationId: 106,
  segmentId: 'ffffffff-5e60-4000-8000-000000000006',
} as const;
const bgpvpnF = (importTargets?: string[]): BgpvpnFixture => ({
  vni: netF.vni,
  type: 'l2',
  routeTargets: [`65000:${String(netF.vni)}`],
  routeDistinguishers: [`192.0.2.1:${String(netF.vni)}`],
  ...(importTargets === undefined ? {} : { importTargets }),
});
export const netFExtraImport = '65000:10401';

const q = (text: string): string => JSON.stringify(text);
const idArgs = (ids: Readonly<Record<string, string>>): string[] =>
  Object.entries(ids).map(([k, v]) => `external_ids:${q(k)}=${q(v)}`);
const lsF = `neutron-${netF.id}`;

/** Neutron's network net-f (Logical_Switch + localnet with the segmentation id) with its association, in one transaction. */
export async function associateNetF(ovn: OvnDriver): Promise<void> {
  const ln = `provnet-${netF.segmentId}`;
  await ovn.nbctl([
    '--may-exist',
    'ls-add',
    lsF,
    '--',
    'set',
    'Logical_Switch',
    lsF,
    ...idArgs({ 'neutron:network_name': netF.label, 'neutron:mtu': '1500', ...driverExternalIds(bgpvpnF()) }),
    '--',
    '--may-exist',
    'lsp-add',
    lsF,
    ln,
    '--',
    'lsp-set-type',
    ln,
    'localnet',
    '--',
    'lsp-set-addresses',
    ln,
    'unknown',
    '--',
    'lsp-set-options',
    ln,
    `network_name=${PHYSNET}`,
    '--',
    'set',
    'Logical_Switch_Port',
    ln,
    `tag=${String(netF.segmentationId)}`,
  ]);
}

/** The BGPVPN gains an import route target (networking-bgpvpn's `--import-targets`). */
export async function addImportTargetNetF(ovn: OvnDriver): Promise<void> {
  await ovn.nbctl(['set', 'Logical_Switch', lsF, ...idArgs(driverExternalIds(bgpvpnF([netFExtraImport])))]);
}

/** The association is deleted: every neutron_bgpvpn:* key goes (the network stays in Neutron). */
export async function disassociateNetF(ovn: OvnDriver): Promise<void> {
  const keys = Object.keys(driverExternalIds(bgpvpnF([netFExtraImport]))).map(q);
  await ovn.nbctl(['remove', 'Logical_Switch', lsF, 'external_ids', ...keys]);
}

/** What net-f must look like on a node: absent, present, or present with the extra import RT. */
export type NetFState = 'absent' | 'present' | 'import';

/** Each node's link names and FRR running config. */
export interface NodesView {
  links: ReadonlyMap<NodeName, ReadonlySet<string>>;
  running: ReadonlyMap<NodeName, string>;
}

/** Links and running configs of `names`, read by one bash (a spawn from Node costs seconds in a loaded UML guest). */
export async function readNodes(names: readonly NodeName[]): Promise<NodesView> {
  const out = await bash(
    names
      .map(
        (n) =>
          `echo "@@links ${n}"; ip -n ${n} -br link show; echo "@@frr ${n}"; vtysh -N ${n} -c 'show running-config'`,
      )
      .join('\n'),
  );
  const links = new Map<NodeName, Set<string>>();
  const running = new Map<NodeName, string>();
  for (const part of out.split('@@').slice(1)) {
    const [head = '', ...rest] = part.split('\n');
    const [kind, node] = head.split(' ') as [string, NodeName];
    if (kind === 'links')
      links.set(node, new Set(rest.map((l) => (l.split(/\s+/)[0] ?? '').split('@')[0] ?? '').filter((l) => l !== '')));
    else running.set(node, `\n${rest.join('\n')}`);
  }
  return { links, running };
}

/** What `node` lacks of net-f as `want` says (its VXLAN device, its VLAN IRB, its FRR vni stanza, the extra import RT), or what it still has of it. */
export function netFLacks(view: NodesView, node: NodeName, want: NetFState): string[] {
  const links = view.links.get(node) ?? new Set();
  const running = view.running.get(node) ?? '';
  const has = {
    [`vxlan-${String(netF.vni)}`]: links.has(`vxlan-${String(netF.vni)}`),
    [`br-evpn.${String(netF.segmentationId)}`]: links.has(`br-evpn.${String(netF.segmentationId)}`),
    [`FRR vni ${String(netF.vni)}`]: new RegExp(`\\n\\s*vni ${String(netF.vni)}\\n`).test(running),
  };
  const extra = new RegExp(`vni ${String(netF.vni)}\\n(\\s+.*\\n)*?\\s+route-target import ${netFExtraImport}`).test(
    running,
  );
  const out: string[] = [];
  for (const [what, there] of Object.entries(has)) {
    if (want === 'absent' && there) out.push(`${node} still has ${what}`);
    if (want !== 'absent' && !there) out.push(`${node} lacks ${what}`);
  }
  if (want !== 'absent' && extra !== (want === 'import'))
    out.push(`${node} ${want === 'import' ? 'lacks' : 'has'} import RT ${netFExtraImport}`);
  return out;
}

interface AgentCounters {
  writes: number;
  reloads: number;
  lastSync: number;
}

/** An unlabelled sample; 0 when absent (a counter never incremented has no sample). */
function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{\\})? (\\S+)$`, 'm').exec(text);
  return m?.[1] === undefined ? 0 : Number(m[1]);
}

async function counters(fabric: Fabric, node: NodeName): Promise<AgentCounters> {
  const text = await fabric.agentApi(node, '/metrics');
  return {
    writes: metric(text, 'ovn_evpn_agent_netlink_writes_total'),
    reloads: metric(text, 'ovn_evpn_agent_frr_reloads_total'),
    lastSync: metric(text, 'ovn_evpn_agent_last_sync_timestamp_seconds'),
  };
}

/**
 * Asks the agent of `node` for a pass (POST /v1/evpn/sync on its loopback API)
 * and returns what that pass (and any pass that ended after the request) wrote:
 * netlink writes and frr-reload.py runs that changed the configuration.
 */
export async function nextPassWrites(fabric: Fabric, node: NodeName): Promise<{ writes: number; reloads: number }> {
  const before = await counters(fabric, node);
  const asked = Date.now() / 1000;
  await fabric.agentApi(node, '/v1/evpn/sync', 'POST');
  const after = await waitFor(
    `a pass of the agent of ${node} after the sync request`,
    async () => {
      const c = await counters(fabric, node);
      return c.lastSync > asked ? c : undefined;
    },
    { timeoutMs: 60_000, stepMs: 250 },
  );
  return { writes: after.writes - before.writes, reloads: after.reloads - before.reloads };
}
