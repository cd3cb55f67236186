// Pure: this chassis' two OVN EVPN keys in the Open_vSwitch row's external_ids
// (ovn-controller(8)): `ovn-evpn-local-ip` (our VTEP IP: the source of
// ovn-controller's VXLAN packets and the address FRR advertises) and
// `ovn-evpn-vxlan-ports` (the UDP ports of its flow-based VXLAN ports in
// br-int; the fabric's 4789). The map is shared with ovn-controller, Neutron's
// installer and admins, so only these two keys are ever mutated (as
// node-agent/ovs does for its port's keys), and only the keys we wrote are
// ours: `ovn-evpn:chassis-keys` lists them. A key someone else set to the value
// we want is left as it is (and never removed by us); set to another value, it
// is a conflict: reported, not overwritten. The keys go when the node has no
// network on the ovn backend any more. Nothing to change: no operation, so a
// restarted agent adopts its keys with zero writes.
import type { Mutation, Operation } from '../../../lib/ovsdb/index.ts';

export const LOCAL_IP_KEY = 'ovn-evpn-local-ip';
export const VXLAN_PORTS_KEY = 'ovn-evpn-vxlan-ports';
/** Which of the two keys this agent wrote (sorted, comma-separated). */
export const CHASSIS_MARK_KEY = 'ovn-evpn:chassis-keys';

export type ChassisKeys = Readonly<Record<string, string>>;

export interface ChassisKeysPlan {
  ops: Operation[];
  /** Keys set by someone else to another value: we leave them (and say so). */
  conflict?: string;
  /** The keys as they will be (ours and adopted), for the status. */
  keys: ChassisKeys;
}

/** The keys this node needs: none while no network is on the ovn backend. */
export function desiredChassisKeys(
  anyOvn: boolean,
  vtepIp: string,
  evpnVxlanPorts: readonly number[],
): ChassisKeys | undefined {
  if (!anyOvn) return undefined;
  return { [LOCAL_IP_KEY]: vtepIp, [VXLAN_PORTS_KEY]: evpnVxlanPorts.join(',') };
}

const markedKeys = (actual: ChassisKeys): Set<string> =>
  new Set((actual[CHASSIS_MARK_KEY] ?? '').split(',').filter((k) => k === LOCAL_IP_KEY || k === VXLAN_PORTS_KEY));

function mutate(rootUuid: string, remove: readonly string[], insert: ChassisKeys): Operation[] {
  const mutations: Mutation[] = [
    ...(remove.length === 0 ? [] : [['external_ids', 'delete', [...remove].sort()] as const]),
    ...(Object.keys(insert).length === 0 ? [] : [['external_ids', 'insert', insert] as const]),
  ];
  if (mutations.length === 0) return [];
  return [
    { op: 'comment', comment: 'ovn-evpn node-agent: chassis EVPN keys' },
    { op: 'mutate', table: 'Open_vSwitch', where: [['_uuid', '==', rootUuid]], mutations },
  ];
}

/** The one mutate (or none) that brings our keys to `desired`, other keys untouched. */
export function planChassisKeys(
  rootUuid: string,
  actual: ChassisKeys,
  desired: ChassisKeys | undefined,
): ChassisKeysPlan {
  const ours = markedKeys(actual);
  if (desired === undefined) {
    const remove = [...ours].filter((k) => actual[k] !== undefined);
    const mark = actual[CHASSIS_MARK_KEY] === undefined ? [] : [CHASSIS_MARK_KEY];
    return { ops: mutate(rootUuid, [...remove, ...mark], {}), keys: {} };
  }
  const conflicts: string[] = [];
  const write: Record<string, string> = {};
  const owned = new Set<string>();
  for (const [k, v] of Object.entries(desired)) {
    const have = actual[k];
    if (ours.has(k)) owned.add(k);
    if (have === v) continue;
    if (have !== undefined && !ours.has(k)) conflicts.push(`${k}=${have} (we need ${v})`);
    else {
      write[k] = v;
      owned.add(k);
    }
  }
  const mark = [...owned].sort().join(',');
  const markChanged = (actual[CHASSIS_MARK_KEY] ?? '') !== mark;
  if (markChanged && mark !== '') write[CHASSIS_MARK_KEY] = mark;
  const remove = [
    ...Object.keys(write).filter((k) => actual[k] !== undefined),
    ...(markChanged && mark === '' && actual[CHASSIS_MARK_KEY] !== undefined ? [CHASSIS_MARK_KEY] : []),
  ];
  const keys = Object.fromEntries(Object.entries(desired).filter(([k, v]) => (write[k] ?? actual[k]) === v));
  return {
    ops: mutate(rootUuid, remove, write),
    keys,
    ...(conflicts.length > 0
      ? { conflict: `Open_vSwitch external_ids set by someone else, left as they are: ${conflicts.join(', ')}` }
      : {}),
  };
}
