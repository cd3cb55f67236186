// The mirror as one pure function: OVN snapshot + the objects already in the
// cluster → the EvpnVrf/EvpnNetwork/EvpnPortSet specs that should exist, plus
// the problems to report. The operator applies the result with server-side
// apply and prunes only mirrored objects that are no longer desired.
//
// The single-number rule (one VNI cannot be both the L2VNI and the L3VNI):
// a BGPVPN association's `vni` is always the L3VNI of the VRF `vrf-<vni>`.
// A type-l2 network additionally gets its own L2VNI, allocated from a pool
// (default 16000000–16777215) and kept for the life of the network.
import {
  effectiveRoutingTable, EvpnErrorCode, EvpnNetworkSpec, EvpnVrfSpec, Label,
} from '../../crds/index.ts';
import type { EvpnNetwork, EvpnPortSetSpec, EvpnVrf, LocalPort } from '../../crds/index.ts';
import { portSetName } from '../../crds/evpn-port-set.ts';
import { allocateNumbers, DEFAULT_L2VNI_RANGE, VLAN_RANGE } from './allocate.ts';
import type { Range } from './allocate.ts';
import { collectAssociations, datapathNameIndex, networkOfPortBinding } from './collect-associations.ts';
import type { NetworkAssociation } from './collect-associations.ts';
import type { OvnSnapshot } from '../ovn-source/ovn-snapshot.ts';

export interface MirrorProblem {
  kind: 'EvpnNetwork' | 'EvpnVrf';
  name: string;
  reason: 'MalformedAssociation' | 'Conflict' | 'LastGoodSpecKept';
  message: string;
  /** The object keeps its last good spec (it already existed). */
  keptLastGood: boolean;
}

export interface MirrorInput {
  snapshot: OvnSnapshot;
  networks: readonly EvpnNetwork[];
  vrfs: readonly EvpnVrf[];
  /** Chassis hostname → Kubernetes node name; undefined drops the port. */
  nodeNameOf: (hostname: string) => string | undefined;
  l2vniRange?: Range;
}

export interface MirrorOutput {
  vrfs: Map<string, EvpnVrfSpec>;
  networks: Map<string, EvpnNetworkSpec>;
  portSets: Map<string, EvpnPortSetSpec>;
  problems: MirrorProblem[];
  /** The association kind of each mirrored network (for the source label). */
  sources: Map<string, string>;
}

export const vrfNameFor = (l3vni: number): string => `vrf-${l3vni}`;
export const isMirrored = (o: { metadata: { labels?: Record<string, string> | undefined } }): boolean =>
  o.metadata.labels?.[Label.MirroredFrom] !== undefined;

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function portsByNetworkAndNode(input: MirrorInput, wanted: ReadonlySet<string>): Map<string, EvpnPortSetSpec> {
  const chassisHost = new Map(input.snapshot.chassis.map((c) => [c.uuid, c.hostname || c.name]));
  const dpNames = datapathNameIndex(input.snapshot);
  const sets = new Map<string, EvpnPortSetSpec>();
  for (const pb of input.snapshot.portBindings) {
    if (pb.type !== '' || pb.chassis === undefined) continue;
    const network = networkOfPortBinding(pb, dpNames);
    if (network === undefined || !wanted.has(network)) continue;
    const host = chassisHost.get(pb.chassis);
    const node = host === undefined ? undefined : input.nodeNameOf(host);
    if (node === undefined) continue;
    for (const entry of pb.mac) {
      const [mac, ...ips] = entry.trim().split(/\s+/);
      if (mac === undefined || !MAC.test(mac.toLowerCase())) continue;
      const port: LocalPort = { name: pb.logicalPort, mac: mac.toLowerCase() };
      if (ips.length > 0) port.ips = ips.sort();
      const name = portSetName(network, node);
      const set = sets.get(name) ?? { network, nodeName: node, ports: [] };
      if (!set.ports.some((p) => p.name === port.name)) set.ports.push(port);
      sets.set(name, set);
      break; // one MAC per logical port; extra entries are virtual addresses
    }
  }
  for (const s of sets.values()) s.ports.sort((a, b) => a.name.localeCompare(b.name));
  return sets;
}

function vrfSpecOf(a: NonNullable<NetworkAssociation['association']>): EvpnVrfSpec {
  const spec: EvpnVrfSpec = { vni: a.vni };
  if (a.bgpAs !== undefined) spec.bgpAs = a.bgpAs;
  if (a.routeTargets.length) spec.routeTargets = a.routeTargets;
  if (a.importTargets.length) spec.importTargets = a.importTargets;
  if (a.exportTargets.length) spec.exportTargets = a.exportTargets;
  if (a.routeDistinguishers.length) spec.routeDistinguishers = a.routeDistinguishers;
  if (a.localPref !== undefined) spec.localPref = a.localPref;
  return spec;
}

const samePolicy = (x: EvpnVrfSpec, y: EvpnVrfSpec): boolean => JSON.stringify(x) === JSON.stringify(y);

export function buildDesired(input: MirrorInput): MirrorOutput {
  const problems: MirrorProblem[] = [];
  const userNetworks = input.networks.filter((n) => !isMirrored(n));
  const userVrfs = input.vrfs.filter((v) => !isMirrored(v));
  const mirroredNetworks = new Map(input.networks.filter(isMirrored).map((n) => [n.metadata.name, n]));
  const userNetworkNames = new Set(userNetworks.map((n) => n.metadata.name));
  const associations = collectAssociations(input.snapshot);

  // 1. Decide which networks are mirrored and from which association.
  const usable = new Map<string, NetworkAssociation & { association: NonNullable<NetworkAssociation['association']> }>();
  const keptLastGood = new Map<string, EvpnNetworkSpec>();
  for (const [id, a] of associations) {
    if (userNetworkNames.has(id)) {
      problems.push({ kind: 'EvpnNetwork', name: id, reason: 'Conflict', keptLastGood: false,
        message: `${EvpnErrorCode.Conflict}: a user-authored EvpnNetwork ${id} and an OVN ${a.kind} association claim the same network; the operator leaves the user object alone and mirrors nothing for it` });
      continue;
    }
    if (!a.association) {
      const previous = mirroredNetworks.get(id);
      problems.push({ kind: 'EvpnNetwork', name: id, reason: previous ? 'LastGoodSpecKept' : 'MalformedAssociation', keptLastGood: previous !== undefined,
        message: `${a.problem?.message ?? 'malformed association'}${previous ? '; the last good spec is kept' : ''}` });
      if (previous) keptLastGood.set(id, previous.spec);
      continue;
    }
    for (const c of a.conflicts) problems.push({ kind: 'EvpnNetwork', name: id, reason: 'Conflict', keptLastGood: false, message: c });
    usable.set(id, { ...a, association: a.association });
  }

  // 2. One VNI, one type: a VNI claimed as l2 by one BGPVPN and l3 by another is a conflict.
  const typeOfVni = new Map<number, 'l2' | 'l3'>();
  for (const [id, a] of [...usable].sort(([x], [y]) => {
    // Networks that already exist decide first, so a newcomer cannot flip a working VRF.
    const ex = mirroredNetworks.has(x) ? 0 : 1; const ey = mirroredNetworks.has(y) ? 0 : 1;
    return ex - ey || x.localeCompare(y);
  })) {
    const t = typeOfVni.get(a.association.vni);
    if (t === undefined) { typeOfVni.set(a.association.vni, a.association.type); continue; }
    if (t === a.association.type) continue;
    usable.delete(id);
    problems.push({ kind: 'EvpnNetwork', name: id, reason: 'Conflict', keptLastGood: false,
      message: `${EvpnErrorCode.Conflict}: VNI ${a.association.vni} is already used as type ${t}; this ${a.association.type} association is not applied` });
  }

  // 3. VRFs: one per L3VNI. User VRFs with the same name or VNI are left alone.
  const vrfs = new Map<string, EvpnVrfSpec>();
  const vrfOwner = new Map<string, string>();
  for (const [id, a] of [...usable].sort(([x], [y]) => x.localeCompare(y))) {
    const name = vrfNameFor(a.association.vni);
    const spec = vrfSpecOf(a.association);
    const existing = vrfs.get(name);
    if (existing) {
      if (!samePolicy(existing, spec)) {
        problems.push({ kind: 'EvpnNetwork', name: id, reason: 'Conflict', keptLastGood: false,
          message: `${EvpnErrorCode.Conflict}: VRF ${name} gets its BGP policy from network ${vrfOwner.get(name) ?? '?'}; this network's BGPVPN asks for a different one` });
      }
      continue;
    }
    vrfs.set(name, spec);
    vrfOwner.set(name, id);
  }
  for (const user of userVrfs) {
    const sameName = vrfs.has(user.metadata.name);
    const sameVni = [...vrfs].find(([n, s]) => s.vni === user.spec.vni && n !== user.metadata.name);
    if (sameName) {
      vrfs.delete(user.metadata.name);
      problems.push({ kind: 'EvpnVrf', name: user.metadata.name, reason: 'Conflict', keptLastGood: false,
        message: `${EvpnErrorCode.Conflict}: an OVN association also claims ${user.metadata.name}; the user-authored object is used as is and not overwritten` });
    }
    if (sameVni) {
      problems.push({ kind: 'EvpnVrf', name: user.metadata.name, reason: 'Conflict', keptLastGood: false,
        message: `${EvpnErrorCode.Conflict}: L3VNI ${user.spec.vni} is also claimed by the mirrored VRF ${sameVni[0]}` });
      problems.push({ kind: 'EvpnVrf', name: sameVni[0], reason: 'Conflict', keptLastGood: false,
        message: `${EvpnErrorCode.Conflict}: L3VNI ${user.spec.vni} is also claimed by the user-authored VRF ${user.metadata.name}` });
    }
  }

  // 4. Numbers: VLAN ids for every network, L2VNIs for l2 networks.
  const reservedVlans = new Set(userNetworks.flatMap((n) => (n.spec.vlanId === undefined ? [] : [n.spec.vlanId])));
  for (const spec of keptLastGood.values()) if (spec.vlanId !== undefined) reservedVlans.add(spec.vlanId);
  const vlans = allocateNumbers(
    [...usable.keys()].map((id) => ({ key: id, current: mirroredNetworks.get(id)?.spec.vlanId })), VLAN_RANGE, reservedVlans);
  const reservedVnis = new Set<number>([
    ...[...vrfs.values()].map((v) => v.vni), ...userVrfs.map((v) => v.spec.vni),
    ...userNetworks.flatMap((n) => (n.spec.vni === undefined ? [] : [n.spec.vni])),
    ...[...keptLastGood.values()].flatMap((s) => (s.vni === undefined ? [] : [s.vni])),
  ]);
  const l2vnis = allocateNumbers(
    [...usable].filter(([, a]) => a.association.type === 'l2')
      .map(([id]) => ({ key: id, current: mirroredNetworks.get(id)?.spec.type === 'l2' ? mirroredNetworks.get(id)?.spec.vni : undefined })),
    input.l2vniRange ?? DEFAULT_L2VNI_RANGE, reservedVnis);

  // 5. Network specs.
  const networks = new Map<string, EvpnNetworkSpec>(keptLastGood);
  const sources = new Map<string, string>();
  for (const [id, a] of usable) {
    const vlanId = vlans.get(id);
    if (vlanId === undefined) {
      problems.push({ kind: 'EvpnNetwork', name: id, reason: 'Conflict', keptLastGood: false, message: `${EvpnErrorCode.Infrastructure}: no free VLAN id left (1–4094)` });
      continue;
    }
    const spec: EvpnNetworkSpec = { type: a.association.type, vrf: vrfNameFor(a.association.vni), vlanId };
    if (a.association.type === 'l2') {
      const vni = l2vnis.get(id);
      if (vni === undefined) {
        problems.push({ kind: 'EvpnNetwork', name: id, reason: 'Conflict', keptLastGood: false, message: `${EvpnErrorCode.InvalidVni}: the L2VNI pool is exhausted` });
        continue;
      }
      spec.vni = vni;
    } else {
      spec.vni = a.association.vni;
    }
    if (a.association.bgpAs !== undefined) spec.bgpAs = a.association.bgpAs;
    if (a.subnets.length) spec.subnets = a.subnets;
    if (a.advertiseFixedIps !== undefined) spec.advertiseFixedIps = a.advertiseFixedIps;
    if (a.routes.length) spec.routes = a.routes;
    spec.source = {
      association: a.kind, networkId: id,
      ...(a.routerId !== undefined ? { routerId: a.routerId } : {}),
      ...(a.portIds.length ? { portIds: a.portIds } : {}),
      rows: a.rows.map((r) => ({ db: r.db, table: r.table, uuid: r.uuid, ...(r.name !== undefined ? { name: r.name } : {}) })),
    };
    // A last safety net: never emit a spec the API server would refuse.
    const checked = EvpnNetworkSpec.safeParse(spec);
    if (!checked.success) {
      problems.push({ kind: 'EvpnNetwork', name: id, reason: 'MalformedAssociation', keptLastGood: false,
        message: `${EvpnErrorCode.InvalidRouteTarget}: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
      continue;
    }
    networks.set(id, spec);
    sources.set(id, a.kind);
  }
  for (const [name, spec] of vrfs) {
    if (!EvpnVrfSpec.safeParse(spec).success || effectiveRoutingTable(spec) > 4_294_967_295) vrfs.delete(name);
  }
  // Kept-last-good networks keep their VRF alive too.
  for (const [id, spec] of keptLastGood) {
    const vrfName = spec.vrf;
    if (vrfName === undefined || vrfs.has(vrfName)) continue;
    const previous = input.vrfs.find((v) => v.metadata.name === vrfName && isMirrored(v));
    if (previous) vrfs.set(vrfName, previous.spec);
    sources.set(id, mirroredNetworks.get(id)?.metadata.labels?.[Label.MirroredFrom] ?? 'network');
  }

  const wantedPortNetworks = new Set([...networks.keys(), ...userNetworkNames]);
  return { vrfs, networks, portSets: portsByNetworkAndNode(input, wantedPortNetworks), problems, sources };
}
