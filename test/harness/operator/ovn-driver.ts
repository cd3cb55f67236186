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

export async function setExternalIds(
  ctl: Ctl,
  table: string,
  record: string,
  ids: Readonly<Record<string, string>>,
): Promise<void> {
  if (Object.keys(ids).length === 0) return;
  await ctl(['set', table, record, ...externalIdArgs(ids)]);
}

/** Removes every neutron_bgpvpn:* key, as the driver does when an association is deleted. */
export async function removeBgpvpnKeys(
  ctl: Ctl,
  table: string,
  record: string,
  keys: readonly string[],
): Promise<void> {
  await ctl(['remove', table, record, 'external_ids', ...keys.map(q)]);
}

export const lsName = (networkId: string): string => `neutron-${networkId}`;

/** How Neutron's ML2/OVN lays out a network's segment: a localnet port with the segmentation id as tag (vlan), without tag (flat), or none (geneve). */
export type Segment =
  { type: 'vlan'; tag: number; physnet?: string } | { type: 'flat'; physnet?: string } | { type: 'geneve' };

export interface NetworkOptions {
  /** Default: a VLAN provider network on physnet1 with a tag unique in this process (from 100), as a bulk provisioning script creates them. */
  segment?: Segment;
  /** external_ids neutron:mtu; default 1500 (Neutron always writes it). */
  mtu?: string | null;
}

let nextTag = 100;
/** A VLAN tag no other network of this test process got from addNetwork. */
export const freshTag = (): number => nextTag++;

export const localnetName = (networkId: string): string => `provnet-${networkId}`;

/**
 * A Neutron network: its Logical_Switch (with neutron:mtu and optionally a
 * network association) and its localnet port, in one transaction as Neutron
 * writes them.
 */
export async function addNetwork(
  nbctl: Ctl,
  networkId: string,
  ids: Readonly<Record<string, string>> = {},
  options: NetworkOptions = {},
): Promise<void> {
  const ls = lsName(networkId);
  const mtu = options.mtu === undefined ? '1500' : options.mtu;
  const segment = options.segment ?? { type: 'vlan', tag: freshTag() };
  const args = [
    'ls-add',
    ls,
    '--',
    'set',
    'Logical_Switch',
    ls,
    ...externalIdArgs({
      'neutron:network_name': `net-${networkId.slice(0, 8)}`,
      ...(mtu === null ? {} : { 'neutron:mtu': mtu }),
      ...ids,
    }),
  ];
  if (segment.type !== 'geneve') {
    const ln = localnetName(networkId);
    args.push(
      '--',
      'lsp-add',
      ls,
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
      `network_name=${segment.physnet ?? 'physnet1'}`,
    );
    if (segment.type === 'vlan') args.push('--', 'set', 'Logical_Switch_Port', ln, `tag=${segment.tag}`);
  }
  await nbctl(args);
}

/** Neutron changing a VLAN network's segmentation id: the localnet's tag. */
export async function setLocalnetTag(nbctl: Ctl, networkId: string, tag: number): Promise<void> {
  await nbctl(['set', 'Logical_Switch_Port', localnetName(networkId), `tag=${tag}`]);
}

/**
 * A Neutron subnet's DHCP_Options row (cidr; IPv4: options router, server_id,
 * lease_time; IPv6: server_id only, no router); returns its uuid.
 */
export async function addDhcpOptions(
  nbctl: Ctl,
  o: { subnetId: string; cidr: string; gateway?: string },
): Promise<string> {
  const v6 = o.cidr.includes(':');
  const options = v6
    ? ['options:server_id="02:00:00:00:00:fe"']
    : [
        'options:server_id="169.254.0.1"',
        'options:lease_time="43200"',
        'options:server_mac="02:00:00:00:00:fe"',
        ...(o.gateway === undefined ? [] : [`options:router=${q(o.gateway)}`]),
      ];
  const out = await nbctl([
    'create',
    'DHCP_Options',
    `cidr=${q(o.cidr)}`,
    ...options,
    `external_ids:subnet_id=${q(o.subnetId)}`,
  ]);
  return out.trim();
}

/** A router interface on a network: LR (if new), LRP `lrp-<port>` and the switch's router port. */
export async function addRouterInterface(
  nbctl: Ctl,
  o: {
    routerId: string;
    portId: string;
    networkId: string;
    mac: string;
    cidrs: readonly string[];
    ids?: Readonly<Record<string, string>>;
  },
): Promise<void> {
  const lr = `neutron-${o.routerId}`;
  const lrp = `lrp-${o.portId}`;
  await nbctl([
    '--may-exist',
    'lr-add',
    lr,
    '--',
    'lrp-add',
    lr,
    lrp,
    o.mac,
    ...o.cidrs,
    '--',
    'set',
    'Logical_Router_Port',
    lrp,
    ...externalIdArgs({ 'neutron:network_name': lsName(o.networkId), 'neutron:router_name': o.routerId, ...o.ids }),
    '--',
    'lsp-add',
    lsName(o.networkId),
    o.portId,
    '--',
    'lsp-set-type',
    o.portId,
    'router',
    '--',
    'lsp-set-addresses',
    o.portId,
    'router',
    '--',
    'lsp-set-options',
    o.portId,
    `router-port=${lrp}`,
  ]);
}

/** A VM port with addresses "MAC IP…", and the DHCP_Options of its subnets as Neutron references them. */
export async function addVmPort(
  nbctl: Ctl,
  o: {
    networkId: string;
    portId: string;
    mac: string;
    ips: readonly string[];
    dhcp?: { v4?: string; v6?: string };
  },
): Promise<void> {
  const { networkId, portId, mac, ips, dhcp = {} } = o;
  await nbctl([
    'lsp-add',
    lsName(networkId),
    portId,
    '--',
    'lsp-set-addresses',
    portId,
    [mac, ...ips].join(' '),
    ...(dhcp.v4 === undefined ? [] : ['--', 'set', 'Logical_Switch_Port', portId, `dhcpv4_options=${dhcp.v4}`]),
    ...(dhcp.v6 === undefined ? [] : ['--', 'set', 'Logical_Switch_Port', portId, `dhcpv6_options=${dhcp.v6}`]),
  ]);
}

/** A chassis as ovn-controller registers it, with its hostname. */
export async function addChassis(sbctl: Ctl, name: string, hostname: string, ip = '127.0.0.1'): Promise<void> {
  await sbctl(['chassis-add', name, 'geneve', ip, '--', 'set', 'Chassis', name, `hostname=${q(hostname)}`]);
}

export async function waitForPortBinding(sbctl: Ctl, logicalPort: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    `Port_Binding ${logicalPort}`,
    async () => {
      const out = await sbctl(['--bare', '--columns=_uuid', 'find', 'Port_Binding', `logical_port=${q(logicalPort)}`]);
      return out.trim() !== '';
    },
    { timeoutMs, stepMs: 20 },
  );
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
      `--ovnnb-db=${this.#ovn.nbRemote.unix}`,
      `--ovnsb-db=${this.#ovn.sbRemote.unix}`,
      `--unixctl=${join(dir, 'test-northd.ctl')}`,
      `--log-file=${join(dir, 'test-northd.log')}`,
      '-vconsole:off',
    ]);
  }
  async stop(): Promise<void> {
    const d = this.#daemon;
    this.#daemon = undefined;
    if (d !== undefined) await stopDaemon(d);
  }
}
