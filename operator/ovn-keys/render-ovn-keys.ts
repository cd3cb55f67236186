// The ovn backend's keys in OVN NB (docs/backends.md), rendered from the
// mirror's desired networks and VRFs. Pure. For each mirrored network whose
// backend is ovn:
//   - an l2 network: its Logical_Switch `neutron-<network>` other_config gets
//     dynamic-routing-vni (the L2VNI), the three device names the agent creates
//     (crds/ovn-evpn-names.ts) and dynamic-routing-redistribute=fdb,ip;
//   - a router association: its Logical_Router `neutron-<router>` options get
//     dynamic-routing=true, the VRF's table as dynamic-routing-vrf-id, the
//     agent's VRF device as dynamic-routing-vrf-name, and
//     dynamic-routing-redistribute=connected,static (type-5 of the router's
//     subnets and static routes).
// No Logical_Router_Port dynamic-routing-maintain-vrf: the agent owns the VRF
// device (FRR's `vrf`/`vni` stanza needs it to stay), and ovn-controller deletes
// a VRF it maintains whenever it exits or the port moves.
import type { Backend, EvpnNetworkSpec, EvpnVrfSpec } from '../../crds/index.ts';
import {
  codedMessage,
  effectiveRoutingTable,
  EvpnErrorCode,
  ovnEvpnSwitchDevices,
  ovnEvpnVrfDevice,
} from '../../crds/index.ts';
import type { MirrorProblem } from '../mirror/mirror-problem.ts';
import { NEUTRON_NAME_PREFIX } from '../ovn-source/bgpvpn-keys.ts';

export type KeyTable = 'Logical_Switch' | 'Logical_Router';

/** The map column our keys live in, per table. */
export const KEY_COLUMN: Readonly<Record<KeyTable, 'other_config' | 'options'>> = {
  Logical_Switch: 'other_config',
  Logical_Router: 'options',
};

export const SWITCH_REDISTRIBUTE = 'fdb,ip';
/** Tables OVN refuses as dynamic-routing-vrf-id (and falls back to the datapath's tunnel key); the API refuses 253–255 already. */
const OVN_RESERVED_TABLES: readonly number[] = [252, 4_294_967_295];
export const ROUTER_REDISTRIBUTE = 'connected,static';

/** The keys one row should carry, and the networks that ask for them (problems name these). */
export interface DesiredRowKeys {
  readonly table: KeyTable;
  /** The row's name: `neutron-<network id>` or `neutron-<router id>`. */
  readonly name: string;
  readonly keys: Readonly<Record<string, string>>;
  readonly networks: readonly string[];
}

export interface RenderInput {
  /** The mirrored networks (user-authored ones have no OVN rows of ours). */
  readonly networks: ReadonlyMap<string, EvpnNetworkSpec>;
  readonly vrfs: ReadonlyMap<string, EvpnVrfSpec>;
  readonly backendOf: (network: string) => Backend;
  /** The backend of an EvpnVrf: the agent names its VRF device by it (ovnvrf-<l3vni> only on ovn). */
  readonly vrfBackendOf: (vrf: string) => Backend;
}

export interface RenderedKeys {
  /** `<table>/<name>` → the row's desired keys. */
  readonly rows: Map<string, DesiredRowKeys>;
  readonly problems: MirrorProblem[];
}

export const rowKey = (table: KeyTable, name: string): string => `${table}/${name}`;

export function switchKeys(l2vni: number): Record<string, string> {
  const d = ovnEvpnSwitchDevices(l2vni);
  return {
    'dynamic-routing-vni': String(l2vni),
    'dynamic-routing-bridge-ifname': d.bridge,
    'dynamic-routing-vxlan-ifname': d.vxlan,
    'dynamic-routing-advertise-ifname': d.advertise,
    'dynamic-routing-redistribute': SWITCH_REDISTRIBUTE,
  };
}

export function routerKeys(vrf: EvpnVrfSpec): Record<string, string> {
  return {
    'dynamic-routing': 'true',
    'dynamic-routing-vrf-id': String(effectiveRoutingTable(vrf)),
    'dynamic-routing-vrf-name': ovnEvpnVrfDevice(vrf.vni),
    'dynamic-routing-redistribute': ROUTER_REDISTRIBUTE,
  };
}

const sameKeys = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

export function backendProblem(
  network: string,
  text: string,
  code: MirrorProblem['code'] = EvpnErrorCode.UnusableAssociation,
): MirrorProblem {
  return {
    kind: 'EvpnNetwork',
    name: network,
    reason: code === EvpnErrorCode.Conflict ? 'Conflict' : 'BackendUnsupported',
    code,
    keptLastGood: false,
    message: codedMessage(code, text),
  };
}

/** Adds one row's keys for `network`; two networks asking one row for different keys is a conflict on the second. */
function addRow(out: RenderedKeys, network: string, row: Omit<DesiredRowKeys, 'networks'>): void {
  const key = rowKey(row.table, row.name);
  const have = out.rows.get(key);
  if (have === undefined) {
    out.rows.set(key, { ...row, networks: [network] });
    return;
  }
  if (sameKeys(have.keys, row.keys)) {
    out.rows.set(key, { ...have, networks: [...have.networks, network] });
    return;
  }
  out.problems.push(
    backendProblem(
      network,
      `${row.table} ${row.name} already carries the ovn backend keys of EvpnNetwork ${have.networks.join(', ')} with other values (another VRF); this network's keys are not written`,
      EvpnErrorCode.Conflict,
    ),
  );
}

function renderRouter(
  out: RenderedKeys,
  id: string,
  routerId: string,
  spec: EvpnNetworkSpec,
  input: RenderInput,
): void {
  const vrf = spec.vrf === undefined ? undefined : input.vrfs.get(spec.vrf);
  if (spec.vrf === undefined || vrf === undefined) return; // the mirror reports a network without its VRF already
  if (input.vrfBackendOf(spec.vrf) !== 'ovn') {
    out.problems.push(
      backendProblem(
        id,
        `its router's VRF EvpnVrf ${spec.vrf} is on the kernel backend, so no node has the VRF device OVN would route in; set spec.backend: ovn on EvpnVrf ${spec.vrf} too`,
      ),
    );
    return;
  }
  const table = effectiveRoutingTable(vrf);
  if (OVN_RESERVED_TABLES.includes(table)) {
    out.problems.push(
      backendProblem(
        id,
        `EvpnVrf ${spec.vrf} uses routing table ${table}, which OVN does not take as dynamic-routing-vrf-id (252 and 4294967295 are reserved); choose another spec.routingTable`,
      ),
    );
    return;
  }
  addRow(out, id, { table: 'Logical_Router', name: `${NEUTRON_NAME_PREFIX}${routerId}`, keys: routerKeys(vrf) });
}

function renderNetwork(out: RenderedKeys, id: string, spec: EvpnNetworkSpec, input: RenderInput): void {
  const routerId = spec.source?.routerId;
  if (spec.type === 'l2' && spec.vni !== undefined)
    addRow(out, id, { table: 'Logical_Switch', name: `${NEUTRON_NAME_PREFIX}${id}`, keys: switchKeys(spec.vni) });
  if (routerId !== undefined) renderRouter(out, id, routerId, spec, input);
  else if (spec.type === 'l3') {
    out.problems.push(
      backendProblem(
        id,
        "an l3 BGPVPN associated with a network has no OVN Logical_Router to advertise type-5 routes from on the ovn backend; associate the network's router instead, or use the kernel backend",
      ),
    );
  }
}

/** The keys every ovn-backend network asks for, by row, in network name order (stable problem attribution). */
export function renderOvnKeys(input: RenderInput): RenderedKeys {
  const out: RenderedKeys = { rows: new Map(), problems: [] };
  const ids = [...input.networks.keys()].sort();
  for (const id of ids) {
    const spec = input.networks.get(id);
    if (spec?.source === undefined || input.backendOf(id) !== 'ovn') continue;
    renderNetwork(out, id, spec, input);
  }
  return out;
}
