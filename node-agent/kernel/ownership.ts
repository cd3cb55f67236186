// How the node agent tells its kernel objects from everybody else's. Cleanup
// may only ever remove objects carrying these marks.
//
// - links: IFLA_IFALIAS starting with OWNER_ALIAS_PREFIX ("ovn-evpn:<what>"),
//   and IFLA_GROUP = OWNED_LINK_GROUP so `ip link show group 234` lists them.
//   The alias is the authoritative mark (survives in `ip -d link`, free text
//   for the owning object); the group is a convenience for operators.
// - routes: rtm_protocol = RTPROT_OVN_EVPN (234). Not 196 (0xC4): FRR's rt_protos
//   assigns 186-198 to its daemons (196 = "static"), and zebra sweeps routes of
//   its own protocols at startup, so 196 would make FRR delete our routes.
// - addresses, neighbours and FDB entries have no mark of their own: they are
//   ours when they sit on an owned link (the SVI, the vxlan, the bridge port) and
//   have the state we set (neigh: PERMANENT/NOARP; FDB: static = NOARP with
//   NTF_MASTER, the vxlan flood entry = PERMANENT with NTF_SELF). Entries learnt
//   by the kernel or installed by zebra (NTF_EXT_LEARNED) are never ours.
//   Except on the ovn backend's links (alias "ovn-evpn:ovn-…", backends/ovn):
//   the link is ours, but the static FDB and permanent neighbour entries on it
//   are ovn-controller's (it writes the local MACs/IPs there for FRR, and
//   deletes entries it thinks are its own), so none of them is ever ours.
export const OWNER_ALIAS_PREFIX = 'ovn-evpn:';
export const OWNED_LINK_GROUP = 234;
export const RTPROT_OVN_EVPN = 234;

export function ownerAlias(what: string): string {
  return `${OWNER_ALIAS_PREFIX}${what}`;
}

/** A link as dumped (netlink/link-codec.ts `Link`): this file stays below the adapter it marks for. */
export function isOwnedLink(link: { readonly alias: string | null }): boolean {
  return link.alias?.startsWith(OWNER_ALIAS_PREFIX) === true;
}

/** An owned link whose FDB and neighbour entries belong to ovn-controller (backends/ovn), never to us. */
export function hasForeignEntries(link: { readonly alias: string | null }): boolean {
  return link.alias?.startsWith(`${OWNER_ALIAS_PREFIX}ovn-`) === true;
}
