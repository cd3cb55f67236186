// What networking-bgpvpn and Neutron do to OVN, done with the real ovn-nbctl and
// ovn-sbctl, for the operator's integration tests. Values are quoted as JSON
// strings, which the ctl tools parse back byte for byte (quotes, brackets,
// commas and backslashes included), so the rows hold exactly what the driver's
// Python json.dumps produced.
import { join } from 'node:path';
import { startDaemon, stopDaemon, type Daemon } from '../processes.ts';
import type { Ctl, OvnDatabases } from '../ovn/ovn-databases.ts';
import { waitFor } from '../wait-for.ts';

const q = (text: string): string => JSON.stringify(text);

/** `external_ids:"k"="v"` arguments for `ovn-nbctl set`. */
export function externalIdArgs(ids: Readonly<Record<string, string>>): string[] {
  return Object.entries(ids).map(([k, v]) => `external_ids:${q(k)}=${q(v)}`);
}

export async function setExternalIds(ctl: Ctl, table: string, record: string, ids: Readonly<Record<string, string>>): Promise<void> {
  if (Object.keys(ids).length === 0) return;
  await ctl(['set', table, record, ...externalIdArgs(ids)]);
}

/** Removes every neutron_bgpvpn:* key, as the driver does when an association is deleted. */
export async function removeBgpvpnKeys(ctl: Ctl, table: string, record: string, keys: readonly string[]): Promise<void> {
  await ctl(['remove', table, record, 'external_ids', ...keys.map(q)]);
}

export const lsName = (networkId: string): string => `neutron-${networkId}`;

/** A Neutron network: its Logical_Switch, optionally with a network association. */
export async function addNetwork(nbctl: Ctl, networkId: string, ids: Readonly<Record<string, string>> = {}): Promise<void> {
  const ls = lsName(networkId);
  await nbctl(['ls-add', ls, '--', 'set', 'Logical_Switch', ls, ...externalIdArgs({ 'neutron:network_name': `net-${networkId.slice(0, 8)}`, ...ids })]);
}

/** A router interface on a network: LR (if new), LRP `lrp-<port>` and the switch's router port. */
export async function addRouterInterface(nbctl: Ctl, o: {
  routerId: string; portId: string; networkId: string; mac: string; cidrs: readonly string[]; ids?: Readonly<Record<string, string>>;
}): Promise<void> {
  const lr = `neutron-${o.routerId}`;
  const lrp = `lrp-${o.portId}`;
  await nbctl([
    '--may-exist', 'lr-add', lr,
    '--', 'lrp-add', lr, lrp, o.mac, ...o.cidrs,
    '--', 'set', 'Logical_Router_Port', lrp, ...externalIdArgs({ 'neutron:network_name': lsName(o.networkId), 'neutron:router_name': o.routerId, ...o.ids }),
    '--', 'lsp-add', lsName(o.networkId), o.portId,
    '--', 'lsp-set-type', o.portId, 'router',
    '--', 'lsp-set-addresses', o.portId, 'router',
    '--', 'lsp-set-options', o.portId, `router-port=${lrp}`,
  ]);
}

export async function addVmPort(nbctl: Ctl, networkId: string, portId: string, mac: string, ips: readonly string[]): Promise<void> {
  await nbctl(['lsp-add', lsName(networkId), portId, '--', 'lsp-set-addresses', portId, [mac, ...ips].join(' ')]);
}

/** A chassis as ovn-controller registers it, with its hostname. */
export async function addChassis(sbctl: Ctl, name: string, hostname: string, ip = '127.0.0.1'): Promise<void> {
  await sbctl(['chassis-add', name, 'geneve', ip, '--', 'set', 'Chassis', name, `hostname=${q(hostname)}`]);
}

export async function waitForPortBinding(sbctl: Ctl, logicalPort: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(`Port_Binding ${logicalPort}`, async () => {
    const out = await sbctl(['--bare', '--columns=_uuid', 'find', 'Port_Binding', `logical_port=${q(logicalPort)}`]);
    return out.trim() !== '';
  }, { timeoutMs, stepMs: 20 });
}

/**
 * ovn-northd, started and stopped by the test: it creates the Port_Binding rows
 * from NB, and rewrites their external_ids from NB on every run (so SB writes of
 * the driver only stay while it is stopped).
 */
export class Northd {
  #daemon: Daemon | undefined;
  readonly #ovn: OvnDatabases;
  constructor(ovn: OvnDatabases) {
    this.#ovn = ovn;
  }
  start(): void {
    if (this.#daemon !== undefined) return;
    const dir = this.#ovn.dir;
    this.#daemon = startDaemon('northd', 'ovn-northd', [
      `--ovnnb-db=${this.#ovn.nbRemote.unix}`, `--ovnsb-db=${this.#ovn.sbRemote.unix}`,
      `--unixctl=${join(dir, 'test-northd.ctl')}`, `--log-file=${join(dir, 'test-northd.log')}`, '-vconsole:off',
    ]);
  }
  async stop(): Promise<void> {
    const d = this.#daemon;
    this.#daemon = undefined;
    if (d !== undefined) await stopDaemon(d);
  }
}
