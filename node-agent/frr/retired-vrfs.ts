// The VRF stanzas left behind when a VRF goes away. The agent removes a VRF
// by taking its `vni` (and `router bgp A vrf X`) away before the kernel VRF
// goes (node-pass-order.ts): `no vrf X` is refused while the device exists.
// FRR 8.4 then prints nothing of X; FRR 10 (mgmtd holds the VRF as
// configuration) keeps an empty `vrf X` … `exit-vrf` for good (seen in the
// e2e on 10.7.1, also for a VRF removed minutes earlier). So once the kernel
// pass has removed the device, the agent deletes that stanza — only for VRFs
// it applied itself and no longer wants, and only while the stanza is empty:
// anything someone else put in it (static routes…) makes it theirs.
import type { Logger } from 'pino';
import type { FrrIo } from './io/frr-io.ts';
import { parseConfigTree } from './stanzas.ts';

/**
 * The VRFs among `retired` that the running config shows as an empty `vrf X`
 * block, once each: read per daemon, FRR 10's text has the block from mgmtd
 * and from zebra (the e2e's first run sent `no vrf X` twice).
 */
export function emptyRetiredVrfs(runningText: string, retired: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const node of parseConfigTree(runningText)) {
    const name = /^vrf (\S+)$/.exec(node.line)?.[1];
    if (name !== undefined && node.children.length === 0 && retired.has(name)) out.add(name);
  }
  return [...out];
}

/**
 * The retired VRFs after an apply that took FRR from the `applied` VRFs to
 * `next`, `changed` being the stanza keys the apply changed: a `vrf X` among
 * them that is not wanted had its `vni` taken away — also on the first apply
 * after a restart, when `applied` is still empty. One wanted again is not retired.
 */
export function retireVrfs(
  retired: ReadonlySet<string>,
  applied: ReadonlySet<string>,
  next: ReadonlySet<string>,
  changed: readonly string[] = [],
): Set<string> {
  const emptied = changed.map((k) => /^vrf (\S+)$/.exec(k)?.[1]).filter((v) => v !== undefined);
  const out = new Set([...retired, ...applied, ...emptied]);
  for (const v of next) out.delete(v);
  return out;
}

/**
 * Deletes the empty stanzas of `retired` VRFs: one read, and when there is
 * something to delete one vtysh call and one read. vtysh, not the daemon
 * sockets: after FRR restarted from its boot config (`vtysh -b`), bgpd holds
 * a `vrf X` of its own besides mgmtd's, and only vtysh sends `no vrf X` to
 * every daemon that has one (the e2e's fault test left bgpd's blocks when
 * only mgmtd was told). Returns the VRFs whose empty stanza is still there
 * (refused: the kernel VRF still exists), to try again on the next pass;
 * FRR 8.4 never has one, so there it reads once and is done.
 */
export async function dropEmptyVrfs(
  io: FrrIo,
  log: Logger | undefined,
  retired: ReadonlySet<string>,
): Promise<Set<string>> {
  const empty = emptyRetiredVrfs(await io.readRunning(), retired);
  if (empty.length === 0) return new Set();
  // vtysh fails the call when a daemon refuses a line; the read-back below says what is left.
  const refused = await io
    .configure(['configure terminal', ...empty.map((v) => `no vrf ${v}`), 'end'])
    .then(() => undefined)
    .catch((err: unknown) => String(err));
  const left = emptyRetiredVrfs(await io.readRunning(), retired);
  log?.info(
    { deleted: empty.filter((v) => !left.includes(v)), left, refused },
    'removed empty VRF stanzas of removed VRFs',
  );
  return new Set(left);
}
