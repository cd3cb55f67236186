// The other nodes' VMs as this node's kernel routes them: the host routes
// zebra installed from BGP (type-2 MAC/IP with the L3VNI, or type-5 /32) in
// each VRF's table. The operator's Ready waits for them (operator/status/
// convergence.ts): until the /32 of a remote VM is installed, a node that has
// the VM's subnet on its own IRB ARPs for it locally and drops the packets.
// Read from the kernel, not FRR: it is what forwards, and one netlink dump
// covers every VRF (`show ip route vrf all json` in FRR 8.4 prints one JSON
// document per VRF, back to back, not one document).
import type { Route } from '../kernel/netlink/addr-route-codec.ts';
import type { KernelAdapter } from '../kernel/netlink/kernel-adapter.ts';

/** rtm_protocol zebra gives BGP's routes (FRR's rt_protos: "bgp"). */
export const RTPROT_BGP = 186;

/** Pure: routing table → the IPv4 host addresses BGP routed there, sorted. */
export function remoteHostsByTable(routes: readonly Route[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const r of routes) {
    if (r.protocol !== RTPROT_BGP || r.family !== 4 || !r.dst.endsWith('/32')) continue;
    const hosts = out.get(r.table) ?? [];
    hosts.push(r.dst.slice(0, -3));
    out.set(r.table, hosts);
  }
  for (const hosts of out.values()) hosts.sort();
  return out;
}

/** One dump of BGP's IPv4 routes (all tables). */
export async function readRemoteHosts(kernel: Pick<KernelAdapter, 'dumpRoutes'>): Promise<Map<number, string[]>> {
  return remoteHostsByTable(await kernel.dumpRoutes({ family: 4, protocol: RTPROT_BGP }));
}
