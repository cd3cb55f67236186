// Pure: which VRF or network a failed kernel operation belongs to, through the
// devices it touches, so one broken object never hides the others' success. A
// failure that touches no object's device (the shared bridge, the uplink) is a
// node error and fails every object.
import { EvpnErrorCode } from '../../crds/index.ts';
import type { Rejection } from '../inputs/select-applicable.ts';
import type { BatchFailure } from './netlink/kernel-adapter.ts';
import type { KernelOp } from './netlink/kernel-ops.ts';
import type { PlannedObject, RenderedState } from './render-kernel-state.ts';

export interface ObjectOutcome extends PlannedObject {
  ready: boolean;
  reason?: string;
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
  rendered: Pick<RenderedState, 'vrfs' | 'networks'>;
  failures: readonly BatchFailure[];
  /** Desired links whose name a foreign link holds. */
  blocked: readonly string[];
  rejectedVrfs: ReadonlyMap<string, Rejection>;
  rejectedNetworks: ReadonlyMap<string, Rejection>;
}

type Owner = { kind: 'vrf' | 'network'; name: string };

export function devicesOf(op: KernelOp): string[] {
  switch (op.op) {
    case 'createLink': return [op.link.name, ...(op.link.master !== undefined ? [op.link.master] : [])];
    case 'setLink': case 'deleteLink': return [op.name];
    case 'addAddr': case 'replaceAddr': case 'delAddr': return [op.addr.dev];
    case 'addRoute': case 'replaceRoute': case 'delRoute': return op.route.dev !== undefined ? [op.route.dev] : [];
    case 'replaceNeighbor': case 'delNeighbor': return [op.neighbor.dev];
    case 'addFdb': case 'replaceFdb': case 'appendFdb': case 'delFdb': return [op.fdb.dev];
    case 'addBridgeVlan': case 'delBridgeVlan': return [op.vlan.dev];
    case 'setBridgePort': return [op.port.dev];
  }
}

function ownersByDevice(rendered: AttributionInput['rendered']): Map<string, Owner[]> {
  const owners = new Map<string, Owner[]>();
  const add = (dev: string, o: Owner): void => { owners.set(dev, [...(owners.get(dev) ?? []), o]); };
  for (const [name, v] of rendered.vrfs) for (const d of v.devices) add(d, { kind: 'vrf', name });
  for (const [name, n] of rendered.networks) for (const d of n.devices) add(d, { kind: 'network', name });
  return owners;
}

const outcomeOf = (p: PlannedObject, errs: readonly string[]): ObjectOutcome =>
  errs.length === 0
    ? { ...p, ready: true }
    : { ...p, ready: false, reason: 'InfrastructureFailed', message: `${EvpnErrorCode.Infrastructure}: ${errs.slice(0, 3).join('; ')}${errs.length > 3 ? ` (+${errs.length - 3} more)` : ''}` };

const rejectedOutcome = (name: string, r: Rejection): ObjectOutcome => ({ name, devices: [], ready: false, reason: r.reason, message: r.message });

export function attributeFailures(input: AttributionInput): Attribution {
  const owners = ownersByDevice(input.rendered);
  const errors = new Map<string, string[]>();
  const nodeErrors: string[] = [];
  const record = (devices: readonly string[], message: string): void => {
    const objs = devices.flatMap((d) => owners.get(d) ?? []);
    if (objs.length === 0) nodeErrors.push(message);
    for (const o of objs) errors.set(`${o.kind}/${o.name}`, [...(errors.get(`${o.kind}/${o.name}`) ?? []), message]);
  };
  let unsupported: string | undefined;
  for (const f of input.failures) {
    if (f.error.errno === 'EOPNOTSUPP' && f.op.op === 'createLink') unsupported = f.error.message;
    record(devicesOf(f.op), f.error.message);
  }
  for (const name of input.blocked) record([name], `a link named ${name} exists and is not owned by ovn-evpn; it is left alone`);

  const outcomes = (kind: Owner['kind'], planned: ReadonlyMap<string, PlannedObject>, rejected: ReadonlyMap<string, Rejection>): Map<string, ObjectOutcome> => {
    const m = new Map([...planned].map(([k, p]) => [k, outcomeOf(p, [...(errors.get(`${kind}/${p.name}`) ?? []), ...nodeErrors])]));
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
