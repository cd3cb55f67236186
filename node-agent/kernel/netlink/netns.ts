// Network namespaces. The netlink package opens its sockets in the calling
// thread's namespace and has no setns(); Node cannot call setns() either. So
// an adapter always works in the namespace of its process: to manage a named
// namespace, start the agent process inside it once (`ip netns exec NAME node
// ...`, see netnsExecArgv), never one process per operation. From outside, a
// namespace can only be the target of a link move or a veth peer
// (IFLA_NET_NS_FD, see openNetnsFd).
import { closeSync, openSync, statSync } from 'node:fs';

const NETNS_DIR = '/run/netns';

export function netnsPath(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name) || name === '.' || name === '..')
    throw new TypeError(`invalid netns name "${name}"`);
  return `${NETNS_DIR}/${name}`;
}

/** Opens /run/netns/NAME for IFLA_NET_NS_FD; close it with closeNetnsFd after the request. */
export function openNetnsFd(name: string): number {
  return openSync(netnsPath(name), 'r');
}

export function closeNetnsFd(fd: number): void {
  closeSync(fd);
}

/** True when this process runs in the named namespace (same nsfs inode). */
export function inNetns(name: string): boolean {
  const self = statSync('/proc/self/ns/net');
  const ns = statSync(netnsPath(name));
  return self.ino === ns.ino && self.dev === ns.dev;
}

/** argv that runs `argv` inside the named namespace (for a one-time spawn at startup). */
export function netnsExecArgv(name: string, argv: readonly string[]): string[] {
  netnsPath(name);
  return ['ip', 'netns', 'exec', name, ...argv];
}
