// Cross-object checks the API server cannot do: which VRFs and networks can be
// applied together on a node. An object that fails is left out (with a coded
// reason for its status); every other object is still applied.
import { effectiveRoutingTable, EvpnErrorCode, hasProviderPath } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { isOvnBackend } from '../backends/ovn/backend.ts';

export interface Rejection {
  code: EvpnErrorCode;
  reason: string;
  message: string;
}

export interface Applicable {
  vrfs: EvpnVrf[];
  networks: EvpnNetwork[];
  rejectedVrfs: Map<string, Rejection>;
  rejectedNetworks: Map<string, Rejection>;
}

type Named = { metadata: { name: string; creationTimestamp?: string | undefined } };

/** Oldest first (then by name): the object that held a number first keeps it. */
const byAge = (a: Named, b: Named): number =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
  a.metadata.name.localeCompare(b.metadata.name);

/** Groups of objects claiming the same key, each sorted so that [0] keeps it. */
function duplicates<T extends Named>(
  items: readonly T[],
  key: (t: T) => string | number | undefined,
): Map<string | number, T[]> {
  const groups = new Map<string | number, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return new Map([...groups].filter(([, list]) => list.length > 1).map(([k, list]) => [k, list.sort(byAge)]));
}

const conflict = (message: string): Rejection => ({
  code: EvpnErrorCode.Conflict,
  reason: 'Conflict',
  message: `${EvpnErrorCode.Conflict}: ${message}`,
});

/** Refuses every newcomer of a group claiming the same number; the group's holder keeps it. */
function rejectDuplicates<T extends Named>(
  groups: Map<string | number, T[]>,
  claim: { label: string; kind: string },
  rejected: Map<string, Rejection>,
): void {
  for (const [value, [holder, ...rest]] of groups) {
    for (const item of rest)
      rejected.set(
        item.metadata.name,
        conflict(`${claim.label} ${value} is already used by ${claim.kind} ${holder?.metadata.name ?? '?'}`),
      );
  }
}

/** What a network is checked against: the VRFs, and which of them were refused. */
interface VrfContext {
  vrfByName: ReadonlyMap<string, EvpnVrf>;
  rejectedVrfs: ReadonlyMap<string, Rejection>;
  l3vnis: ReadonlySet<number>;
}

/** A network OVN gives no VLAN path, or whose VRF is missing or itself refused. */
function pathOrVrfRejection(n: EvpnNetwork, ctx: VrfContext): Rejection | undefined {
  // OVN carries the ovn backend's networks itself (Geneve too): only the kernel backend needs a VLAN path.
  if (n.spec.source !== undefined && !isOvnBackend(n) && !hasProviderPath(n.spec)) {
    return {
      code: EvpnErrorCode.UnusableAssociation,
      reason: 'NoProviderPath',
      message: `${EvpnErrorCode.UnusableAssociation}: OVN gives this network no VLAN path (see its Accepted condition); not applied`,
    };
  }
  const vrfName = n.spec.vrf;
  if (vrfName === undefined) return undefined;
  if (!ctx.vrfByName.has(vrfName)) {
    return {
      code: EvpnErrorCode.NotFound,
      reason: 'VrfNotFound',
      message: `${EvpnErrorCode.NotFound}: EvpnVrf ${vrfName} does not exist`,
    };
  }
  const refused = ctx.rejectedVrfs.get(vrfName);
  if (refused !== undefined) {
    return {
      code: EvpnErrorCode.Conflict,
      reason: 'Conflict',
      message: `${EvpnErrorCode.Conflict}: its EvpnVrf ${vrfName} is not applied: ${refused.message}`,
    };
  }
  return undefined;
}

/** An L2VNI that is some VRF's L3VNI, or an l3 network's VNI that is not its VRF's L3VNI. */
function vniRejection(n: EvpnNetwork, ctx: VrfContext): Rejection | undefined {
  const vrfName = n.spec.vrf;
  if (n.spec.type === 'l2' && n.spec.vni !== undefined && ctx.l3vnis.has(n.spec.vni)) {
    return conflict(`VNI ${n.spec.vni} is an L3VNI of an EvpnVrf; one VNI cannot be both the L2VNI and the L3VNI`);
  }
  if (
    n.spec.type === 'l3' &&
    n.spec.vni !== undefined &&
    vrfName !== undefined &&
    ctx.vrfByName.get(vrfName)?.spec.vni !== n.spec.vni
  ) {
    return conflict(
      `an l3 network's vni (${n.spec.vni}) must be its VRF's L3VNI (${ctx.vrfByName.get(vrfName)?.spec.vni ?? '?'})`,
    );
  }
  return undefined;
}

export function selectApplicable(vrfs: readonly EvpnVrf[], networks: readonly EvpnNetwork[]): Applicable {
  const rejectedVrfs = new Map<string, Rejection>();
  const rejectedNetworks = new Map<string, Rejection>();

  // A newcomer that claims a number in use is refused; the holder keeps working.
  rejectDuplicates(
    duplicates(vrfs, (v) => v.spec.vni),
    { label: 'L3VNI', kind: 'EvpnVrf' },
    rejectedVrfs,
  );
  const liveVrfs = vrfs.filter((v) => !rejectedVrfs.has(v.metadata.name));
  rejectDuplicates(
    duplicates(liveVrfs, (v) => effectiveRoutingTable(v.spec)),
    { label: 'routing table', kind: 'EvpnVrf' },
    rejectedVrfs,
  );
  const ctx: VrfContext = {
    vrfByName: new Map(vrfs.map((v) => [v.metadata.name, v])),
    rejectedVrfs,
    l3vnis: new Set(vrfs.map((v) => v.spec.vni)),
  };

  for (const n of networks) {
    const rejection = pathOrVrfRejection(n, ctx) ?? vniRejection(n, ctx);
    if (rejection !== undefined) rejectedNetworks.set(n.metadata.name, rejection);
  }
  const live = (): EvpnNetwork[] => networks.filter((n) => !rejectedNetworks.has(n.metadata.name));
  rejectDuplicates(
    duplicates(
      live().filter((n) => n.spec.type === 'l2'),
      (n) => n.spec.vni,
    ),
    { label: 'L2VNI', kind: 'EvpnNetwork' },
    rejectedNetworks,
  );
  rejectDuplicates(
    duplicates(live(), (n) => n.spec.vlanId),
    { label: 'VLAN', kind: 'EvpnNetwork' },
    rejectedNetworks,
  );
  return {
    vrfs: vrfs.filter((v) => !rejectedVrfs.has(v.metadata.name)),
    networks: networks.filter((n) => !rejectedNetworks.has(n.metadata.name)),
    rejectedVrfs,
    rejectedNetworks,
  };
}
