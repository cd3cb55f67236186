// Phase 5 of buildDesired: one EvpnNetwork spec per usable association, with its
// VNI and VRF from phase 3 (network-vnis.ts) and its data-path facts from OVN
// (network-facts.ts); and the networks that keep their last good spec. Two
// networks on one VLAN: vlan-collisions.ts.
//
// A network OVN gives no VLAN path (no localnet: Geneve; a localnet without
// tag: flat; several localnets), or whose VLAN another network on the same
// physical network also has, is still mirrored, so `kubectl get` shows it, but
// without vlanId and provider: no agent applies it (crds hasProviderPath), and
// its Accepted condition and Event say why. That holds for the kernel backend
// only: on the ovn backend (crds/backend.ts) OVN carries any network type itself,
// so a Geneve or flat network is no problem there.
import type { Backend, EvpnNetwork, EvpnNetworkSpec, EvpnVrf, EvpnVrfSpec } from '../../crds/index.ts';
import {
  DEFAULT_BACKEND,
  effectiveBackend,
  EvpnErrorCode,
  EvpnNetworkSpec as EvpnNetworkSpecSchema,
  Label,
} from '../../crds/index.ts';
import { bgpPolicyOf } from './vrf-spec.ts';
import { dropVlanCollisions } from './vlan-collisions.ts';
import { conflictProblem, mirrorProblem, type MirrorProblem } from './mirror-problem.ts';
import { MTU_KEY, MTU_RANGE, type NetworkFacts, type ProviderPath } from './network-facts.ts';
import type { NetworkNumbers } from './network-vnis.ts';
import { isMirrored, type UsableAssociation } from './select-associations.ts';

const noPath = (id: string, message: string): MirrorProblem =>
  mirrorProblem(
    {
      kind: 'EvpnNetwork',
      name: id,
      reason: 'NoProviderPath',
      keptLastGood: false,
      code: EvpnErrorCode.UnusableAssociation,
    },
    `${message}; no agent applies this network`,
  );

/** Why a provider path is not a VLAN one, or undefined when it is. */
export function providerProblem(id: string, provider: ProviderPath): MirrorProblem | undefined {
  switch (provider.kind) {
    case 'vlan':
      return undefined;
    case 'flat':
      return noPath(
        id,
        `flat provider network on physical network ${provider.physicalNetwork || '(unnamed)'} (localnet port without tag): EVPN stretches VLANs only`,
      );
    case 'tunnel':
      return noPath(
        id,
        'tenant (Geneve) network without a localnet port: OVN puts none of its frames on a provider bridge',
      );
    case 'ambiguous':
      return noPath(
        id,
        `${provider.localnets.length} localnet ports (${provider.localnets.join(', ')}): a multi-segment network has no single VLAN`,
      );
  }
}

/** The MTU to use: OVN's when valid, else the last good one (with a problem). */
function mtuFor(
  id: string,
  facts: NetworkFacts,
  previous: EvpnNetworkSpec | undefined,
): { mtu?: number; problem?: MirrorProblem } {
  const m = facts.mtu;
  if (m === undefined) return {};
  if ('ok' in m) return { mtu: m.ok };
  const kept = previous?.mtu;
  return {
    ...(kept !== undefined ? { mtu: kept } : {}),
    problem: {
      kind: 'EvpnNetwork',
      name: id,
      reason: 'InvalidMtu',
      keptLastGood: true,
      code: EvpnErrorCode.UnusableAssociation,
      message:
        `${EvpnErrorCode.UnusableAssociation}: Logical_Switch external_ids ${MTU_KEY}=${JSON.stringify(m.invalid)} is not an MTU (${MTU_RANGE.min}–${MTU_RANGE.max}); ` +
        (kept !== undefined ? `the last good MTU ${kept} is kept` : 'the default MTU applies'),
    },
  };
}

const backendOf = (numbers: NetworkNumbers, id: string): Backend => numbers.backendOf?.(id) ?? DEFAULT_BACKEND;

/** The VLAN path into `spec`; the problem when the kernel backend has none (the ovn backend needs none). */
function setProviderPath(
  spec: EvpnNetworkSpec,
  id: string,
  provider: ProviderPath,
  backend: Backend,
): MirrorProblem | undefined {
  if (provider.kind === 'vlan') {
    spec.vlanId = provider.vlanId;
    spec.provider = { physicalNetwork: provider.physicalNetwork };
  }
  return backend === 'kernel' ? providerProblem(id, provider) : undefined;
}

export interface NetworkSpecResult {
  spec: EvpnNetworkSpec;
  problems: MirrorProblem[];
}

/** The spec of one network (maybe without a VLAN path, with the problem saying so), or the problem that stops it. */
export function networkSpecOf(
  id: string,
  a: UsableAssociation,
  numbers: NetworkNumbers,
  facts: NetworkFacts,
  previous?: EvpnNetworkSpec,
): NetworkSpecResult | MirrorProblem {
  const vrf = numbers.vrfOf.get(id);
  if (vrf === undefined) return conflictProblem('EvpnNetwork', id, `no VRF to route in`);
  const problems: MirrorProblem[] = [];
  // l2: the BGPVPN's vni is the L2VNI and its policy is the L2VNI's; l3: the vni is the VRF's L3VNI.
  const spec: EvpnNetworkSpec = { type: a.association.type, vrf, vni: a.association.vni };
  const pathProblem = setProviderPath(spec, id, facts.provider, backendOf(numbers, id));
  if (pathProblem) problems.push(pathProblem);
  const mtu = mtuFor(id, facts, previous);
  if (mtu.mtu !== undefined) spec.mtu = mtu.mtu;
  if (mtu.problem) problems.push(mtu.problem);
  if (a.association.type === 'l2') Object.assign(spec, bgpPolicyOf(a.association));
  else if (a.association.bgpAs !== undefined) spec.bgpAs = a.association.bgpAs;
  if (facts.subnets.length) spec.subnets = facts.subnets;
  if (a.advertiseFixedIps !== undefined) spec.advertiseFixedIps = a.advertiseFixedIps;
  if (a.routes.length) spec.routes = a.routes;
  spec.source = {
    association: a.kind,
    networkId: id,
    ...(a.routerId !== undefined ? { routerId: a.routerId } : {}),
    ...(a.portIds.length ? { portIds: a.portIds } : {}),
    rows: a.rows.map((r) => ({
      db: r.db,
      table: r.table,
      uuid: r.uuid,
      ...(r.name !== undefined ? { name: r.name } : {}),
    })),
  };
  // A last safety net: never emit a spec the API server would refuse.
  const checked = EvpnNetworkSpecSchema.safeParse(spec);
  if (!checked.success) {
    const provider =
      spec.provider === undefined ? '' : ` (physical network ${JSON.stringify(spec.provider.physicalNetwork)})`;
    return {
      kind: 'EvpnNetwork',
      name: id,
      reason: 'MalformedAssociation',
      keptLastGood: false,
      code: EvpnErrorCode.InvalidRouteTarget,
      message: `${EvpnErrorCode.InvalidRouteTarget}: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}${provider}`,
    };
  }
  return { spec, problems };
}

const isProblem = (x: NetworkSpecResult | MirrorProblem): x is MirrorProblem => 'reason' in x;

interface SpecMemo {
  readonly id: string;
  readonly a: UsableAssociation;
  readonly vrf: string | undefined;
  readonly facts: NetworkFacts;
  readonly previous: EvpnNetworkSpec | undefined;
  readonly backend: Backend;
  readonly result: NetworkSpecResult | MirrorProblem;
}

/** The last result per association entry (its rows array is one per entry and pass of collectAssociations). */
const specMemo = new WeakMap<object, SpecMemo>();

/**
 * networkSpecOf, given back unchanged while its inputs are the same objects:
 * an unchanged network keeps its spec object from pass to pass (the later
 * steps then recognise it by identity) and is not checked again. The results
 * are never modified.
 */
function memoNetworkSpecOf(
  id: string,
  a: UsableAssociation,
  numbers: NetworkNumbers,
  facts: NetworkFacts,
  previous?: EvpnNetworkSpec,
): NetworkSpecResult | MirrorProblem {
  const vrf = numbers.vrfOf.get(id);
  const backend = backendOf(numbers, id);
  const m = specMemo.get(a.rows);
  if (
    m !== undefined &&
    m.id === id &&
    m.vrf === vrf &&
    m.facts === facts &&
    m.previous === previous &&
    m.backend === backend &&
    sameEntry(m.a, a)
  )
    return m.result;
  const result = networkSpecOf(id, a, numbers, facts, previous);
  specMemo.set(a.rows, { id, a, vrf, facts, previous, backend, result });
  return result;
}

/** The fields networkSpecOf reads, compared by identity (the entry itself is copied by selectAssociations). */
const sameEntry = (x: UsableAssociation, y: UsableAssociation): boolean =>
  x.association === y.association &&
  x.kind === y.kind &&
  x.routerId === y.routerId &&
  x.portIds === y.portIds &&
  x.advertiseFixedIps === y.advertiseFixedIps &&
  x.routes === y.routes &&
  x.rows === y.rows;

export interface DesiredNetworks {
  networks: Map<string, EvpnNetworkSpec>;
  /** The association kind of each mirrored network (for the source label). */
  sources: Map<string, string>;
  problems: MirrorProblem[];
}

export interface NetworkInputs {
  usable: ReadonlyMap<string, UsableAssociation>;
  keptLastGood: ReadonlyMap<string, EvpnNetworkSpec>;
  numbers: NetworkNumbers;
  /** The data-path facts of a network (network-facts.ts). */
  factsOf: (id: string) => NetworkFacts;
  mirroredNetworks: ReadonlyMap<string, EvpnNetwork>;
  userNetworks: readonly EvpnNetwork[];
  /** The backend of a network without spec.backend (its live object's, which a person may set). */
  defaultBackend?: Backend | undefined;
}

/** Kept-last-good networks first, then one spec per usable association; then VLAN collisions. */
export function networksFromAssociations(input: NetworkInputs): DesiredNetworks {
  const out: DesiredNetworks = { networks: new Map(input.keptLastGood), sources: new Map(), problems: [] };
  const clusterDefault = input.defaultBackend ?? DEFAULT_BACKEND;
  const numbers: NetworkNumbers = {
    ...input.numbers,
    backendOf: (id) => effectiveBackend(input.mirroredNetworks.get(id)?.spec ?? {}, clusterDefault),
  };
  for (const [id, a] of input.usable) {
    const result = memoNetworkSpecOf(id, a, numbers, input.factsOf(id), input.mirroredNetworks.get(id)?.spec);
    if (isProblem(result)) {
      out.problems.push(result);
      continue;
    }
    out.networks.set(id, result.spec);
    out.sources.set(id, a.kind);
    out.problems.push(...result.problems);
  }
  const holders = new Map<string, EvpnNetworkSpec>([
    ...input.keptLastGood,
    ...input.userNetworks.map((n) => [n.metadata.name, n.spec] as const),
  ]);
  out.problems.push(...dropVlanCollisions(out.networks, new Set(out.sources.keys()), holders));
  return out;
}

/**
 * Kept-last-good networks keep their VRF alive too (its last mirrored spec);
 * such a network's source label is carried over when its VRF is restored this way.
 */
export function keepVrfsOfLastGood(
  keptLastGood: ReadonlyMap<string, EvpnNetworkSpec>,
  desired: { vrfs: ReadonlyMap<string, EvpnVrfSpec>; sources: ReadonlyMap<string, string> },
  live: { vrfs: readonly EvpnVrf[]; mirroredNetworks: ReadonlyMap<string, EvpnNetwork> },
): { vrfs: Map<string, EvpnVrfSpec>; sources: Map<string, string> } {
  const vrfs = new Map(desired.vrfs);
  const sources = new Map(desired.sources);
  for (const [id, spec] of keptLastGood) {
    const vrfName = spec.vrf;
    if (vrfName === undefined || vrfs.has(vrfName)) continue;
    const previous = live.vrfs.find((v) => v.metadata.name === vrfName && isMirrored(v));
    if (previous) vrfs.set(vrfName, previous.spec);
    sources.set(id, live.mirroredNetworks.get(id)?.metadata.labels?.[Label.MirroredFrom] ?? 'network');
  }
  return { vrfs, sources };
}
