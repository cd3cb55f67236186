// Pure: which VRF or network a failed kernel operation belongs to, so one
// broken object never hides the others' success. First through the devices it
// touches (a network's VXLAN and IRB, a VRF's devices); then, for an entry on
// a shared device (the bridge, the uplink), through the object whose render
// produced the entry (a network's VLAN, its ports' FDB entries); an entry no
// longer rendered (a removal) goes to the network that holds its VLAN now or
// the VRF that holds its routing table. Only what belongs to no object (the
// shared devices themselves) is a node error, which fails every object.
import { codedMessage, EvpnErrorCode } from '../../crds/index.ts';
import type { Rejection } from '../inputs/select-applicable.ts';
import type { BatchFailure } from './netlink/kernel-adapter.ts';
import { entryDevices, type KernelOp } from './netlink/kernel-ops.ts';
import { opEntryKey, opTable, opVlan } from './entry-keys.ts';
import type { PlannedObject, RenderedState } from './rendered-state.ts';
import { objectKey } from '../../crds/object-key.ts';

export interface ObjectOutcome extends PlannedObject {
  ready: boolean;
  reason?: string;
  /** The EVPN-00x code of an object not applied, set where its failure is found; the message starts with it. */
  code?: EvpnErrorCode;
  message?: string;
}

export interface Attribution {
  vrfs: Map<string, ObjectOutcome>;
  networks: Map<string, ObjectOutcome>;
  /** Failures that belong to no single object (shared bridge, uplink). */
  nodeErrors: string[];
  /** Set when the kernel lacks a needed feature (e.g. no VRF module). */
  unsupported?: string;
}

export interface AttributionInput {
  rendered: Pick<RenderedState, 'vrfs' | 'networks'> & Partial<Pick<RenderedState, 'entryOwners'>>;
  failures: readonly BatchFailure[];
  /** Desired links whose name a foreign link holds. */
  blocked: readonly string[];
  rejectedVrfs: ReadonlyMap<string, Rejection>;
  rejectedNetworks: ReadonlyMap<string, Rejection>;
}

type Owner = { kind: 'vrf' | 'network'; name: string };

export function devicesOf(op: KernelOp): string[] {
  switch (op.op) {
    case 'createLink':
      return [op.link.name, ...(op.link.master !== undefined ? [op.link.master] : [])];
    case 'setLink':
    case 'deleteLink':
      return [op.name];
    default:
      return entryDevices(op);
  }
}

function ownersByDevice(rendered: AttributionInput['rendered']): Map<string, Owner[]> {
  const owners = new Map<string, Owner[]>();
  const add = (dev: string, o: Owner): void => {
    owners.set(dev, [...(owners.get(dev) ?? []), o]);
  };
  for (const [name, v] of rendered.vrfs) for (const d of v.devices) add(d, { kind: 'vrf', name });
  for (const [name, n] of rendered.networks) for (const d of n.devices) add(d, { kind: 'network', name });
  return owners;
}

/** The owner of an operation on an entry, when its devices name none. */
function entryOwnerOf(op: KernelOp, rendered: AttributionInput['rendered']): Owner | undefined {
  const entries = rendered.entryOwners ?? new Map<string, Owner>();
  const key = opEntryKey(op);
  const direct = key === undefined ? undefined : entries.get(key);
  if (direct) return direct;
  const vlan = opVlan(op);
  const table = opTable(op);
  for (const [k, o] of entries) {
    if (vlan !== undefined && o.kind === 'network' && k.startsWith('vlan|') && k.endsWith(`|${vlan}`)) return o;
    if (table !== undefined && o.kind === 'vrf' && k.startsWith(`route|${table}|`)) return o;
  }
  return undefined;
}

const outcomeOf = (p: PlannedObject, errs: readonly string[]): ObjectOutcome =>
  errs.length === 0
    ? { ...p, ready: true }
    : {
        ...p,
        ready: false,
        reason: 'InfrastructureFailed',
        code: EvpnErrorCode.Infrastructure,
        message: codedMessage(
          EvpnErrorCode.Infrastructure,
          `${errs.slice(0, 3).join('; ')}${errs.length > 3 ? ` (+${errs.length - 3} more)` : ''}`,
        ),
      };

const rejectedOutcome = (name: string, r: Rejection): ObjectOutcome => ({
  name,
  devices: [],
  ready: false,
  reason: r.reason,
  code: r.code,
  message: r.message,
});

export function attributeFailures(input: AttributionInput): Attribution {
  const owners = ownersByDevice(input.rendered);
  const errors = new Map<string, string[]>();
  const nodeErrors: string[] = [];
  const record = (devices: readonly string[], message: string, op?: KernelOp): void => {
    const byDevice = devices.flatMap((d) => owners.get(d) ?? []);
    const byEntry = byDevice.length === 0 && op !== undefined ? entryOwnerOf(op, input.rendered) : undefined;
    const objs = byEntry ? [byEntry] : byDevice;
    if (objs.length === 0) nodeErrors.push(message);
    for (const o of objs)
      errors.set(objectKey(o.kind, o.name), [...(errors.get(objectKey(o.kind, o.name)) ?? []), message]);
  };
  let unsupported: string | undefined;
  for (const f of input.failures) {
    if (f.error.errno === 'EOPNOTSUPP' && f.op.op === 'createLink') unsupported = f.error.message;
    record(devicesOf(f.op), f.error.message, f.op);
  }
  for (const name of input.blocked)
    record([name], `a link named ${name} exists and is not owned by ovn-evpn; it is left alone`);

  const outcomes = (
    kind: Owner['kind'],
    planned: ReadonlyMap<string, PlannedObject>,
    rejected: ReadonlyMap<string, Rejection>,
  ): Map<string, ObjectOutcome> => {
    const m = new Map(
      [...planned].map(([k, p]) => [k, outcomeOf(p, [...(errors.get(objectKey(kind, p.name)) ?? []), ...nodeErrors])]),
    );
    for (const [k, r] of rejected) m.set(k, rejectedOutcome(k, r));
    return m;
  };
  return {
    vrfs: outcomes('vrf', input.rendered.vrfs, input.rejectedVrfs),
    networks: outcomes('network', input.rendered.networks, input.rejectedNetworks),
    nodeErrors,
    ...(unsupported !== undefined ? { unsupported } : {}),
  };
}
