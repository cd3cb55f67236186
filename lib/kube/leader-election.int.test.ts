import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../test/harness/cluster/control-plane.ts';
import { kubeconfigPath, kubectlPath, makeKubeConfig, uniqueName } from '../../test/harness/cluster/kube-test-env.ts';
import { testClient } from '../../test/harness/kube/kube-fixtures.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import { KubeClient, type KubeRequest } from './kube-client.ts';
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

const readLease = (name: string): Promise<Lease> =>
  client.request<Lease>({ method: 'GET', path: resourcePath(coreResources.leases, { namespace: 'default', name }) });

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
    await waitFor('takeover', () => others.some((e) => e.isLeader()), { timeoutMs: 10_000 });
    const takeoverMs = Date.now() - stoppedAt;
    process.stderr.write(
      `leader-election: graceful handover took ${takeoverMs} ms (lease ${timing.leaseDurationMs} ms, retry ${timing.retryPeriodMs} ms)\n`,
    );
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
    const child = spawn(process.execPath, [script, kubeconfigPath(), 'default', lease, 'crashing-leader'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let childOut = '';
    child.stdout.on('data', (d: Buffer) => (childOut += d.toString()));
    await waitFor('child leads', () => childOut.includes('leading'), { timeoutMs: 20_000 });

    const log: string[] = [];
    const standby = elector(lease, 'standby', log);
    const run = standby.run();
    await new Promise((r) => setTimeout(r, 2 * timing.leaseDurationMs));
    expect(standby.isLeader()).toBe(false);
    expect(standby.leader()).toBe('crashing-leader');

    const lastRenew = Date.parse((await readLease(lease)).spec?.renewTime ?? '');
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await waitFor('standby takes over', () => standby.isLeader(), { timeoutMs: 15_000 });
    const afterKill = Date.now() - killedAt;
    const afterLastRenew = Date.now() - lastRenew;
    process.stderr.write(
      `leader-election: takeover after crash ${afterKill} ms after SIGKILL, ${afterLastRenew} ms after the last renew (lease ${timing.leaseDurationMs} ms)\n`,
    );
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

/** Records when each successful lease write was sent: what the lease's expiry is measured from. */
class RecordingClient extends KubeClient {
  readonly writes: { readonly method: string; readonly sentAt: number; readonly answeredAt: number }[] = [];

  override async request<T>(req: KubeRequest): Promise<T> {
    const sentAt = performance.now();
    const answer = await super.request<T>(req);
    if (req.method !== 'GET') this.writes.push({ method: req.method, sentAt, answeredAt: performance.now() });
    return answer;
  }
}

interface Term {
  readonly id: string;
  readonly start: number;
  end?: number;
  stoppedCallbackAt?: number;
}

/** Fails if two terms ever overlap (an open term lasts forever). */
function expectNoOverlap(terms: readonly Term[]): void {
  const sorted = [...terms].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const next = sorted[i];
    if (prev === undefined || next === undefined) continue;
    expect(
      prev.end,
      `${prev.id} [${prev.start}, ${String(prev.end)}] overlaps ${next.id} starting ${next.start}`,
    ).toBeDefined();
    expect(prev.end ?? Infinity).toBeLessThanOrEqual(next.start);
  }
}

describe('LeaderElector against a paused (SIGSTOP) apiserver of its own', () => {
  const t = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
  // Timer and scheduling delay allowed on a busy 2-core machine; far below the
  // leaseDuration - renewDeadline margin that safety rests on.
  const slackMs = 400;
  let cp: ControlPlane;
  let apiPid: number;
  let paused = false;
  const pause = (): void => {
    process.kill(apiPid, 'SIGSTOP');
    paused = true;
  };
  const resume = (): void => {
    if (!paused) return;
    process.kill(apiPid, 'SIGCONT');
    paused = false;
  };

  beforeAll(async () => {
    // Private: pausing the shared apiserver would stall every other suite.
    cp = await startControlPlane({ binDir: dirname(kubectlPath()) });
    apiPid = cp.pids().apiServer;
  });
  afterAll(async () => {
    resume();
    await cp.stop();
  });

  function candidate(lease: string, id: string, terms: Term[]): { elector: LeaderElector; client: RecordingClient } {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const client = new RecordingClient(kc, { userAgent: `le-pause-${id}` });
    let term: Term | undefined;
    const elector = new LeaderElector({
      client,
      namespace: 'default',
      name: lease,
      identity: id,
      ...t,
      onStartedLeading: (signal) => {
        const mine: Term = { id, start: performance.now() };
        term = mine;
        terms.push(mine);
        signal.addEventListener('abort', () => (mine.end = performance.now()));
      },
      onStoppedLeading: () => {
        if (term !== undefined) term.stoppedCallbackAt = performance.now();
      },
    });
    return { elector, client };
  }

  for (const pauseMs of [t.renewDeadlineMs + 700, 2 * t.leaseDurationMs]) {
    it(`a leader stops within renewDeadline of its last renewal, and the standby takes over only after the lease expired (pause ${pauseMs} ms)`, async () => {
      const lease = uniqueName('lib-le-pause');
      const terms: Term[] = [];
      const a = candidate(lease, 'a', terms);
      const b = candidate(lease, 'b', terms);
      // Sampled as well as recorded: the terms come from the callbacks, isLeader() from the elector.
      let twoLeaders = 0;
      const sampler = setInterval(() => {
        if (a.elector.isLeader() && b.elector.isLeader()) twoLeaders++;
      }, 5);
      try {
        const runA = a.elector.run();
        await waitFor('a leads', () => a.elector.isLeader());
        const runB = b.elector.run();
        await waitFor('b sees a', () => b.elector.leader() === 'a');
        // A few renewals, so that b has seen a's record change while it waits.
        await new Promise((r) => setTimeout(r, 4 * t.retryPeriodMs));
        expect(a.client.writes.length).toBeGreaterThanOrEqual(3);

        const pausedAt = performance.now();
        pause();
        await waitFor('a stops leading', () => !a.elector.isLeader(), {
          timeoutMs: t.leaseDurationMs + 2_000,
          stepMs: 5,
        });
        const aTerm = terms.find((x) => x.id === 'a');
        const aEnd = aTerm?.end;
        if (aEnd === undefined) throw new Error('a never ended its term');
        // a's last successful renewal: the write whose commit b's takeover waits on.
        const lastRenew = a.client.writes.at(-1);
        if (lastRenew === undefined) throw new Error('a never wrote');
        expect(lastRenew.sentAt).toBeLessThanOrEqual(pausedAt);
        const sinceRenew = aEnd - lastRenew.sentAt;
        process.stderr.write(
          `leader-election (pause ${pauseMs} ms): leader stopped ${Math.round(sinceRenew)} ms after its last successful renewal was sent ` +
            `(${Math.round(aEnd - pausedAt)} ms after SIGSTOP; renewDeadline ${t.renewDeadlineMs}, lease ${t.leaseDurationMs} ms)\n`,
        );
        // Not before the renew deadline of that round (which started a GET earlier), and not late.
        expect(sinceRenew).toBeGreaterThanOrEqual(t.renewDeadlineMs - 250);
        expect(sinceRenew).toBeLessThanOrEqual(t.renewDeadlineMs + slackMs);
        // Strictly before the lease can expire for anyone.
        expect(aEnd).toBeLessThan(lastRenew.sentAt + t.leaseDurationMs);
        // onStoppedLeading runs at the moment the work signal aborts, not after some request settles.
        expect(Math.abs((aTerm?.stoppedCallbackAt ?? Infinity) - aEnd)).toBeLessThan(50);
        // Still paused: a gave up without any answer from the apiserver.
        expect(paused).toBe(true);
        expect(b.elector.isLeader()).toBe(false);
        // A leader that lost its lease does not campaign again.
        await runA;

        await new Promise((r) => setTimeout(r, Math.max(0, pausedAt + pauseMs - performance.now())));
        const resumedAt = performance.now();
        resume();
        await waitFor('b takes over', () => b.elector.isLeader(), {
          timeoutMs: t.leaseDurationMs + 5 * t.retryPeriodMs + 3_000,
          stepMs: 5,
        });
        const bTerm = terms.find((x) => x.id === 'b');
        const acquired = b.client.writes.find((w) => w.method === 'PUT');
        if (bTerm === undefined || acquired === undefined) throw new Error('b leads without a term or a write');
        process.stderr.write(
          `leader-election (pause ${pauseMs} ms): standby took over ${Math.round(acquired.sentAt - lastRenew.sentAt)} ms after the leader's last renewal, ` +
            `${Math.round(bTerm.start - resumedAt)} ms after SIGCONT, ${Math.round(bTerm.start - aEnd)} ms after the leader stopped\n`,
        );
        // Its takeover PUT was sent only after the lease expired: no earlier than
        // leaseDuration after a's last renewal was sent (the earliest a commit could be).
        expect(acquired.sentAt).toBeGreaterThanOrEqual(lastRenew.sentAt + t.leaseDurationMs);
        expect(acquired.sentAt).toBeGreaterThanOrEqual(resumedAt);
        const taken = await b.client.request<Lease>({
          method: 'GET',
          path: resourcePath(coreResources.leases, { namespace: 'default', name: lease }),
        });
        expect(taken.spec?.holderIdentity).toBe('b');
        expect(taken.spec?.leaseTransitions).toBe(1);

        await b.elector.stop();
        await runB;
        expect(terms.map((x) => x.id)).toEqual(['a', 'b']);
        expectNoOverlap(terms);
        expect(twoLeaders).toBe(0);
      } finally {
        clearInterval(sampler);
        resume();
        await Promise.all([a.elector.stop(), b.elector.stop()]);
        a.client.close();
        b.client.close();
      }
    });
  }
});
