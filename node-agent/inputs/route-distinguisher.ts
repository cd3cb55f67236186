// Pure: which of an object's route distinguishers this node advertises with.
// networking-bgpvpn's `route_distinguishers` is a list ("one of these RDs will
// be used"); FRR takes one RD per VRF and per VNI. Behind a route reflector the
// RD decides how many paths survive: the reflector compares paths of one prefix
// under one RD and reflects only its best, so nodes that share an RD are seen
// as one path per prefix (no ECMP, slower failover); different RDs keep one
// path per node. So:
//  - no RD: none is set, FRR derives router-id:index, a different one per node;
//  - one RD: honoured as given on every node (the operator asked for it);
//  - several: node i of the list is the one whose router id, read as a 32-bit
//    number, is i modulo the list's length. Deterministic on every restart and
//    without knowing the other nodes; nodes with consecutive router ids (the
//    usual VTEP numbering) get different RDs until the list runs out.

/** The RD this node uses, or undefined for FRR's automatic one. */
export function routeDistinguisherFor(rds: readonly string[] | undefined, routerId: string): string | undefined {
  if (rds === undefined || rds.length === 0) return undefined;
  if (rds.length === 1) return rds[0];
  return rds[Number(ipv4Number(routerId) % BigInt(rds.length))];
}

/** The dotted quad as an unsigned 32-bit number (BigInt: no sign or precision surprises); 0 if not one. */
function ipv4Number(address: string): bigint {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return 0n;
  return octets.reduce((acc, o) => acc * 256n + BigInt(o), 0n);
}
