import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigPath, makeKubeConfig, uniqueName } from '../../test/cluster/kube-test-env.ts';
import { testClient, waitFor } from './int-test-helpers.ts';
import type { KubeClient } from './kube-client.ts';
import { LeaderElector, type Lease } from './leader-election.ts';
import { coreResources, resourcePath } from './resource.ts';

const timing = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
let client: KubeClient;

function elector(lease: string, identity: string, log: string[]): LeaderElector {
  return new LeaderElector({
    client,
    namespace: 'default',
    name: lease,
    identity,
    ...timing,
    onStartedLeading: (signal) => {
      log.push(`start ${identity}`);
      signal.addEventListener('abort', () => log.push(`end ${identity}`));
    },
  });
}

const readLease = (name: string): Promise<Lease> => client.request<Lease>({ method: 'GET', path: resourcePath(coreResources.leases, { namespace: 'default', name }) });

/** Samples for `ms` and fails if two candidates ever lead at once. */
async function assertNeverTwoLeaders(electors: readonly LeaderElector[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    expect(electors.filter((e) => e.isLeader()).length).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('LeaderElector against a real apiserver', () => {
  beforeAll(() => {
    ({ client } = testClient(makeKubeConfig()));
  });
  afterAll(() => {
    client.close();
  });

  it('elects exactly one of three candidates, and on graceful stop hands over well within the lease duration', async () => {
    const lease = uniqueName('lib-le');
    const log: string[] = [];
    const electors = ['a', 'b', 'c'].map((id) => elector(lease, id, log));
    const runs = electors.map((e) => e.run());
    await waitFor('a leader', () => electors.some((e) => e.isLeader()));
    await assertNeverTwoLeaders(electors, 3_000);
    const leaderIndex = electors.findIndex((e) => e.isLeader());
    const leader = electors[leaderIndex];
    const leaderId = ['a', 'b', 'c'][leaderIndex];
    if (leader === undefined || leaderId === undefined) throw new Error('no leader');
    const others = electors.filter((e) => e !== leader);
    expect((await readLease(lease)).spec?.holderIdentity).toBe(leaderId);

    const stoppedAt = Date.now();
    await leader.stop();
    expect((await readLease(lease)).spec?.holderIdentity ?? '').toBe('');
    await waitFor('takeover', () => others.some((e) => e.isLeader()), 10_000);
    const takeoverMs = Date.now() - stoppedAt;
    process.stderr.write(`leader-election: graceful handover took ${takeoverMs} ms (lease ${timing.leaseDurationMs} ms, retry ${timing.retryPeriodMs} ms)\n`);
    expect(takeoverMs).toBeLessThan(timing.leaseDurationMs);
    await assertNeverTwoLeaders(electors, 1_500);
    const next = others.find((e) => e.isLeader());
    expect((await readLease(lease)).spec?.leaseTransitions).toBe(1);
    // The old leader's work saw its signal abort before the new one started.
    expect(log.slice(0, 2)).toEqual([`start ${leaderId}`, `end ${leaderId}`]);
    expect(log.filter((l) => l.startsWith('start'))).toHaveLength(2);
    for (const e of electors) await e.stop();
    await Promise.all(runs);
    expect(next?.isLeader()).toBe(false);
  });

  it('takes over from a crashed leader (SIGKILL, no release) only after the lease expires', async () => {
    const lease = uniqueName('lib-le-crash');
    const script = fileURLToPath(new URL('./testdata/run-elector.ts', import.meta.url));
    const child = spawn(process.execPath, [script, kubeconfigPath(), 'default', lease, 'crashing-leader'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let childOut = '';
    child.stdout.on('data', (d: Buffer) => (childOut += d.toString()));
    await waitFor('child leads', () => childOut.includes('leading'), 20_000);

    const log: string[] = [];
    const standby = elector(lease, 'standby', log);
    const run = standby.run();
    await new Promise((r) => setTimeout(r, 2 * timing.leaseDurationMs));
    expect(standby.isLeader()).toBe(false);
    expect(standby.leader()).toBe('crashing-leader');

    const lastRenew = Date.parse((await readLease(lease)).spec?.renewTime ?? '');
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await waitFor('standby takes over', () => standby.isLeader(), 15_000);
    const afterKill = Date.now() - killedAt;
    const afterLastRenew = Date.now() - lastRenew;
    process.stderr.write(`leader-election: takeover after crash ${afterKill} ms after SIGKILL, ${afterLastRenew} ms after the last renew (lease ${timing.leaseDurationMs} ms)\n`);
    // Not before the lease ran out (measured from the dead leader's last renew), and not much after.
    expect(afterLastRenew).toBeGreaterThanOrEqual(timing.leaseDurationMs);
    expect(afterKill).toBeLessThan(timing.leaseDurationMs + 3 * timing.retryPeriodMs + 1_000);
    const taken = await readLease(lease);
    expect(taken.spec?.holderIdentity).toBe('standby');
    expect(taken.spec?.leaseTransitions).toBe(1);
    await standby.stop();
    await run;
  });

  it('never lets two candidates lead when they race for a fresh lease', async () => {
    for (let round = 0; round < 5; round++) {
      const lease = uniqueName('lib-le-race');
      const log: string[] = [];
      const electors = ['x', 'y', 'z', 'w'].map((id) => elector(lease, id, log));
      const runs = electors.map((e) => e.run());
      await waitFor('a leader', () => electors.some((e) => e.isLeader()));
      await assertNeverTwoLeaders(electors, 600);
      expect(log.filter((l) => l.startsWith('start'))).toHaveLength(1);
      for (const e of electors) await e.stop();
      await Promise.all(runs);
    }
  });
});
