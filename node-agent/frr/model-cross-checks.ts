// Cross-field rules of the FRR model: what each field's own schema cannot see
// (duplicates, a VNI used as both L2 and L3, eBGP-only options on iBGP
// sessions). Kept apart from the field schemas so model.ts reads as the shape.
import type { FrrModel } from './model.ts';

type Issue = { path: (string | number)[]; message: string };

function findDuplicates(values: readonly (string | number)[]): Set<number> {
  const seen = new Map<string | number, number>();
  const duplicates = new Set<number>();
  values.forEach((value, index) => {
    if (seen.has(value)) duplicates.add(index);
    else seen.set(value, index);
  });
  return duplicates;
}

// The schema's output before the cross checks; superRefine does not change the type.
type ParsedModel = FrrModel;

function checkVrfsAndVnis(model: ParsedModel): Issue[] {
  const issues: Issue[] = [];
  for (const i of findDuplicates(model.vrfs.map((v) => v.name))) {
    issues.push({ path: ['vrfs', i, 'name'], message: 'duplicate VRF name' });
  }
  for (const i of findDuplicates(model.vrfs.map((v) => v.l3vni))) {
    issues.push({ path: ['vrfs', i, 'l3vni'], message: 'L3VNI used by two VRFs' });
  }
  for (const i of findDuplicates(model.l2vnis.map((v) => v.vni))) {
    issues.push({ path: ['l2vnis', i, 'vni'], message: 'duplicate L2VNI' });
  }
  // zebra treats a VNI configured as both as L3 only: no type-2/3 routes, the L2 segment goes dark.
  const l3vnis = new Set(model.vrfs.map((v) => v.l3vni));
  model.l2vnis.forEach((l2, i) => {
    if (l3vnis.has(l2.vni)) {
      issues.push({
        path: ['l2vnis', i, 'vni'],
        message: `VNI ${l2.vni} is also a VRF's L3VNI; one VNI cannot be both`,
      });
    }
  });
  return issues;
}

function checkUnderlayNeighbors(model: ParsedModel, peerIds: readonly string[]): Issue[] {
  const issues: Issue[] = [];
  model.underlayNeighbors.forEach((n, i) => {
    if (n.ebgpMultihop !== undefined && (n.remoteAs === 'internal' || n.remoteAs === model.asn)) {
      issues.push({
        path: ['underlayNeighbors', i, 'ebgpMultihop'],
        message: 'only valid for eBGP (remoteAs external or another ASN)',
      });
    }
  });
  for (const i of findDuplicates(peerIds)) {
    issues.push({ path: ['underlayNeighbors', i], message: 'duplicate neighbour' });
  }
  return issues;
}

function checkEvpnPeerGroup(model: ParsedModel, peerIds: readonly string[]): Issue[] {
  const group = model.evpn.peerGroup;
  if (group === undefined) return [];
  const issues: Issue[] = [];
  const underlay = new Set(peerIds);
  group.members.forEach((member, i) => {
    if (underlay.has(member)) {
      issues.push({ path: ['evpn', 'peerGroup', 'members', i], message: 'already an underlay neighbour' });
    }
  });
  for (const i of findDuplicates(group.members)) {
    issues.push({ path: ['evpn', 'peerGroup', 'members', i], message: 'duplicate member' });
  }
  if (underlay.has(group.name)) {
    issues.push({
      path: ['evpn', 'peerGroup', 'name'],
      message: 'peer-group name clashes with a neighbour interface',
    });
  }
  const ibgp = group.remoteAs === 'internal' || group.remoteAs === model.asn;
  if (group.ebgpMultihop !== undefined && ibgp) {
    // bgpd ignores it on iBGP sessions and never shows it: the reload would never converge.
    issues.push({
      path: ['evpn', 'peerGroup', 'ebgpMultihop'],
      message: 'only valid for eBGP (remoteAs external or another ASN)',
    });
  }
  if (group.routeReflectorClients && !ibgp) {
    issues.push({
      path: ['evpn', 'peerGroup', 'routeReflectorClients'],
      message: 'route-reflector clients must be iBGP (remoteAs internal or the node ASN)',
    });
  }
  return issues;
}

export function checkCrossFields(model: ParsedModel): Issue[] {
  const peerIds = model.underlayNeighbors.map((n) => n.address ?? n.interface ?? '');
  return [...checkVrfsAndVnis(model), ...checkUnderlayNeighbors(model, peerIds), ...checkEvpnPeerGroup(model, peerIds)];
}
