// Item 6 of issue 24 in the e2e: seed 000's own node check (seed/verify-evpn.sh)
// run on a node, and the adoption of a node an older agent left with its
// L2VNI devices named vx-<vni>, with the L2 traffic gap it costs measured.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../harness/wait-for.ts';
import { bash, run, startBackground, stopBackground } from './guest-exec.ts';
import type { Network, NodeName } from './scenario.ts';

/**
 * seed/verify-evpn.sh (the seed's script with the VNI given instead of
 * `openstack bgpvpn show`) in a node's namespace; its bare `vtysh` reaches the
 * node's FRR through a shim on PATH that adds `-N <node>`. Returns its output.
 */
export async function runSeedVerify(node: NodeName, vni: number, workDir: string): Promise<string> {
  const real = (await run('bash', ['-c', 'command -v vtysh'])).trim();
  const shims = mkdtempSync(join(workDir, 'seed-shim-'));
  writeFileSync(join(shims, 'vtysh'), `#!/bin/sh\nexec ${real} -N ${node} "$@"\n`, { mode: 0o755 });
  const script = join(import.meta.dirname, 'seed', 'verify-evpn.sh');
  return run('ip', [
    'netns',
    'exec',
    node,
    'env',
    `PATH=${shims}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    'bash',
    script,
    String(vni),
    'l2',
  ]);
}

/**
 * Replaces the node's vxlan-<vni> devices by what an older agent made: vx-<vni>
 * with its ownership marks (alias, group), the network's VLAN as untagged pvid
 * and its port flags. zebra takes the new devices over as it would have then.
 */
export async function leaveOldL2Names(node: NodeName, vtep: string, l2: readonly Network[]): Promise<void> {
  await bash(
    l2
      .map((n) => {
        const [v, vlan, old] = [String(n.vni), String(n.segmentationId), `vx-${String(n.vni)}`];
        return [
          `ip -n ${node} link del vxlan-${v}`,
          `ip -n ${node} link add ${old} type vxlan id ${v} local ${vtep} dstport 4789 nolearning`,
          `ip -n ${node} link set dev ${old} alias ovn-evpn:l2vni-vxlan group 234 addrgenmode none master br-evpn`,
          `bridge -n ${node} vlan add dev ${old} vid ${vlan} pvid untagged`,
          `bridge -n ${node} link set dev ${old} learning off neigh_suppress on`,
          `ip -n ${node} link set dev ${old} up`,
        ].join('\n');
      })
      .join('\n'),
  );
}

export interface L2Gap {
  actionMs: number;
  longestMs: number;
  lost: number;
  sent: number;
  replies: number;
}

/**
 * Pings every 100 ms (ping -D, one reply line per answered icmp_seq) from
 * before `action` until it resolves; the longest run of unanswered sequence
 * numbers × 100 ms is how long traffic stopped.
 */
export async function measureL2Gap(
  fromNs: string,
  to: string,
  log: string,
  action: () => Promise<void>,
): Promise<L2Gap> {
  const pinger = startBackground(
    'gap-ping',
    'ip',
    ['netns', 'exec', fromNs, 'ping', '-D', '-i', '0.1', '-W', '1', to],
    log,
  );
  let actionMs: number;
  try {
    await waitFor('replies before the action', () => readFileSync(log, 'utf8').includes('icmp_seq=5 '), {
      timeoutMs: 20_000,
      stepMs: 100,
    });
    const start = Date.now();
    await action();
    actionMs = Date.now() - start;
  } finally {
    await stopBackground(pinger);
  }
  const seqs = [...readFileSync(log, 'utf8').matchAll(/icmp_seq=(\d+) ttl/g)].map((m) => Number(m[1]));
  const longest = Math.max(0, ...seqs.slice(1).map((q, i) => q - (seqs[i] ?? q) - 1));
  const sent = (seqs.at(-1) ?? 0) - (seqs[0] ?? 0) + 1;
  return { actionMs, longestMs: longest * 100, lost: sent - seqs.length, sent, replies: seqs.length };
}
