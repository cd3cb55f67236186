// The operator as a process and under failure: clear start-up errors from
// bin/evpn-operator, OVSDB server restarts, an apiserver restart, and leader
// failover between two bin/evpn-operator processes. Real ovsdb-servers and a
// private real kube-apiserver (restarted by one of the tests).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvpnNetwork } from '../crds/index.ts';
import { type OvnDatabases } from '../test/harness/ovn/ovn-databases.ts';
import { driverExternalIds } from '../test/fixtures/mirror/driver-rows.ts';
import { evpnResources } from '../crds/resources.ts';
import { leaseHolder, listObjects, type KubeEnv } from '../test/harness/operator/kube-env.ts';
import { startOperatorEnv, type OperatorEnv } from '../test/harness/operator/operator-env.ts';
import { waitFor } from '../test/harness/wait-for.ts';
import { nonLeaseWrites, runOperator } from '../test/harness/operator/operator-harness.ts';
import { httpGet, startOperatorProcess, type OperatorProcess } from '../test/harness/operator/operator-process.ts';
import { addNetwork, lsName } from '../test/harness/operator/ovn-driver.ts';

let kube: KubeEnv;
let ovn: OvnDatabases;
let env: OperatorEnv;

// The restart tests end by deleting every network on purpose, which the mass-deletion guard holds
// whatever the count (an emptied OVN); the guard has its own test (reconcile/mass-delete.int.test.ts).
const NO_HOLD = { maxShare: 1, floor: 100, holdMs: 0 };

beforeAll(async () => {
  env = await startOperatorEnv();
  ({ kube, ovn } = env);
});

afterAll(async () => {
  await env.stop();
});

const exists = (name: string): Promise<true> =>
  waitFor(`EvpnNetwork ${name}`, async () => ((await env.getNetwork(name)) !== undefined ? true : undefined), {
    timeoutMs: 30_000,
  });
const absent = (name: string): Promise<true> =>
  waitFor(`EvpnNetwork ${name} gone`, async () => ((await env.getNetwork(name)) === undefined ? true : undefined), {
    timeoutMs: 30_000,
  });
const association = (vni: number): Record<string, string> =>
  driverExternalIds({ vni, type: 'l3', routeTargets: [`65000:${vni}`] });

describe('start-up errors of bin/evpn-operator', () => {
  async function runToExit(args: string[]): Promise<{ code: number | null; stderr: string; ms: number }> {
    const started = Date.now();
    const p = startOperatorProcess([...args, '--metrics-addr', '127.0.0.1:0', '--no-leader-elect'], {
      KUBECONFIG: kube.cp.kubeconfigPath,
    });
    const { code } = await p.exited;
    return { code, stderr: p.stderr(), ms: Date.now() - started };
  }

  it('exits 1 with a clear message when the NB socket is missing', async () => {
    const r = await runToExit(['--ovn-nb', `unix:${ovn.dir}/missing-nb.sock`, '--ovn-sb', ovn.sbRemote.unix]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `evpn-operator: --ovn-nb unix:${ovn.dir}/missing-nb.sock: cannot connect to unix:${ovn.dir}/missing-nb.sock: ENOENT`,
    );
    expect(r.ms).toBeLessThan(10_000);
  });

  it('exits 1 when the NB remote points at the southbound database', async () => {
    const r = await runToExit(['--ovn-nb', ovn.sbRemote.tcp, '--ovn-sb', ovn.sbRemote.unix]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /--ovn-nb tcp:127\.0\.0\.1:\d+: database OVN_Northbound not served by tcp:127\.0\.0\.1:\d+ \(it serves: .*OVN_Southbound/,
    );
  });

  it('exits 2 with the usage on a bad flag', async () => {
    const r = await runToExit(['--ovn-nb', 'ssl:1.2.3.4', '--ovn-sb', ovn.sbRemote.unix]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--ovn-nb: invalid OVSDB remote "ssl:1.2.3.4"');
    expect(r.stderr).toContain('Usage: evpn-operator');
    const noFiles = await runToExit(['--ovn-nb', 'ssl:127.0.0.1:6641', '--ovn-sb', ovn.sbRemote.unix]);
    expect(noFiles.code).toBe(2);
    expect(noFiles.stderr).toContain(
      'an ssl: remote needs --ovsdb-private-key, --ovsdb-certificate and --ovsdb-ca-cert',
    );
  });
});

describe('restarts', () => {
  it('survives OVSDB server restarts (changes made while down included) without duplicate or lost objects', async () => {
    const op = await runOperator(kube, ovn, { ovnProbeIntervalMs: 1000, massDelete: NO_HOLD });
    try {
      const [keep, drop, add]: [string, string, string] = [randomUUID(), randomUUID(), randomUUID()];
      await addNetwork(ovn.nbctl, keep, association(90000));
      await addNetwork(ovn.nbctl, drop, association(90001));
      await exists(keep);
      await exists(drop);
      const kept = await env.getNetwork(keep);
      await ovn.restartNb({
        whileDown: async (nbctl) => {
          await addNetwork(nbctl, add, association(90002));
          await nbctl(['ls-del', lsName(drop)]);
        },
      });
      await exists(add);
      await absent(drop);
      await ovn.restartSb();
      await new Promise((r) => setTimeout(r, 2500)); // longer than the prune grace
      await op.operator.idle();
      const names = (await listObjects<EvpnNetwork>(kube.client, evpnResources.networks))
        .map((n) => n.metadata.name)
        .filter((n) => [keep, drop, add].includes(n))
        .sort();
      expect(names).toEqual([keep, add].sort());
      expect((await env.getNetwork(keep))?.metadata.uid).toBe(kept?.metadata.uid);
      expect(op.operator.readiness()).toEqual({ ok: true, why: 'leading' });
      await ovn.nbctl(['ls-del', lsName(keep), '--', 'ls-del', lsName(add)]);
      await absent(keep);
    } finally {
      await op.stop();
    }
  });

  // Without leader election: an outage longer than the renew deadline makes a
  // leader step down and exit (to be restarted), which the failover test covers.
  it('survives an apiserver restart (OVN changes made while it is down included)', async () => {
    const op = await runOperator(kube, ovn, { massDelete: NO_HOLD });
    try {
      const [keep, drop, add]: [string, string, string] = [randomUUID(), randomUUID(), randomUUID()];
      await addNetwork(ovn.nbctl, keep, association(91000));
      await addNetwork(ovn.nbctl, drop, association(91001));
      await exists(keep);
      await exists(drop);
      const kept = await env.getNetwork(keep);
      const restarted = kube.cp.restartApiServer();
      await new Promise((r) => setTimeout(r, 300));
      await addNetwork(ovn.nbctl, add, association(91002));
      await ovn.nbctl(['ls-del', lsName(drop)]);
      await restarted;
      await exists(add);
      await absent(drop);
      expect((await env.getNetwork(keep))?.metadata.uid).toBe(kept?.metadata.uid);
      const names = (await listObjects<EvpnNetwork>(kube.client, evpnResources.networks))
        .map((n) => n.metadata.name)
        .filter((n) => [keep, drop, add].includes(n))
        .sort();
      expect(names).toEqual([keep, add].sort());
      expect(op.operator.isLeader()).toBe(true);
      await ovn.nbctl(['ls-del', lsName(keep), '--', 'ls-del', lsName(add)]);
      await absent(keep);
    } finally {
      await op.stop();
    }
  });
});

describe('leader election between two bin/evpn-operator processes', () => {
  const procs: OperatorProcess[] = [];
  afterAll(() => {
    for (const p of procs) p.child.kill('SIGKILL');
  });

  const holder = (lease: string): Promise<string | undefined> => leaseHolder(kube.client, lease);

  it('has one active replica, fails over when it dies, and releases the lease on SIGTERM', async () => {
    const lease = `evpn-op-${randomUUID().slice(0, 8)}`;
    const start = (id: string): OperatorProcess => {
      const p = startOperatorProcess(
        [
          '--ovn-nb',
          ovn.nbRemote.unix,
          '--ovn-sb',
          ovn.sbRemote.tcp,
          '--metrics-addr',
          '127.0.0.1:0',
          '--identity',
          id,
          '--lease-namespace',
          'default',
          '--lease-name',
          lease,
          '--lease-duration',
          '3s',
          '--renew-deadline',
          '2s',
          '--retry-period',
          '500ms',
          '--prune-grace',
          '1s',
        ],
        { KUBECONFIG: kube.cp.kubeconfigPath, LOG_LEVEL: 'info' },
      );
      procs.push(p);
      return p;
    };
    const a = start('op-a');
    const b = start('op-b');
    const first = await waitFor('a leader', () => holder(lease), { timeoutMs: 20_000 });
    const [leader, standby] = first === 'op-a' ? [a, b] : [b, a];
    const [leaderPort, standbyPort] = await Promise.all([leader.metricsPort(), standby.metricsPort()]);
    await waitFor('both ready', async () =>
      (await httpGet(leaderPort, '/readyz')).status === 200 && (await httpGet(standbyPort, '/readyz')).status === 200
        ? true
        : undefined,
    );
    expect((await httpGet(standbyPort, '/readyz')).body).toContain('[+]operator ok');

    const one = randomUUID();
    await addNetwork(ovn.nbctl, one, association(92000));
    await exists(one);
    const leaderMetrics = (await httpGet(leaderPort, '/metrics')).body;
    expect(leaderMetrics).toMatch(/^evpn_operator_leader 1$/m);
    expect(leaderMetrics).toMatch(/^evpn_operator_mirrored_objects\{kind="EvpnNetwork"\} [1-9]/m);
    expect(leaderMetrics).toMatch(/^evpn_operator_ovn_to_cr_latency_seconds_count [1-9]/m);
    expect(leaderMetrics).toMatch(/^evpn_operator_api_writes_total\{verb="apply",resource="evpnnetworks"\} [1-9]/m);
    const standbyMetrics = (await httpGet(standbyPort, '/metrics')).body;
    expect(standbyMetrics).toMatch(/^evpn_operator_leader 0$/m);
    expect(standbyMetrics).not.toMatch(/evpn_operator_api_writes_total\{verb="[a-z]+",resource="evpn/);

    // The leader dies without releasing the lease: the standby waits it out, then mirrors.
    leader.child.kill('SIGKILL');
    const killedAt = performance.now();
    const two = randomUUID();
    await addNetwork(ovn.nbctl, two, association(92001));
    const newHolder = await waitFor(
      'new leader',
      async () => {
        const h = await holder(lease);
        return h !== undefined && h !== first ? h : undefined;
      },
      { timeoutMs: 20_000, stepMs: 50 },
    );
    const leaseMs = performance.now() - killedAt;
    await exists(two);
    const failoverMs = performance.now() - killedAt;
    process.stdout.write(
      `leader failover after SIGKILL: lease taken over in ${leaseMs.toFixed(0)} ms, pending OVN change mirrored ${failoverMs.toFixed(0)} ms after the kill (lease duration 3 s)\n`,
    );
    expect(newHolder).toBe(standby === a ? 'op-a' : 'op-b');

    // Graceful stop releases the lease at once.
    standby.child.kill('SIGTERM');
    const { code } = await standby.exited;
    expect(code).toBe(0);
    expect(await holder(lease)).toBeUndefined();
    expect(standby.logs.some((l) => l['msg'] === 'released lease')).toBe(true);
    await ovn.nbctl(['ls-del', lsName(one), '--', 'ls-del', lsName(two)]);
  });
});

describe('an operator restart after the failover test', () => {
  it('still writes nothing when nothing changed', async () => {
    // The failover test ended by deleting every network, which the mass-deletion guard would hold whatever
    // the count (operator/reconcile/mass-delete.int.test.ts tests that); here they are meant to go.
    const op = await runOperator(kube, ovn, { massDelete: NO_HOLD });
    await op.operator.idle();
    await new Promise((r) => setTimeout(r, 2000)); // the deletes above are past their grace now
    await op.operator.idle();
    await op.stop();
    const again = await runOperator(kube, ovn, { massDelete: NO_HOLD });
    await again.operator.idle();
    await new Promise((r) => setTimeout(r, 1000));
    await again.operator.idle();
    expect(nonLeaseWrites(again.writes)).toEqual({});
    await again.stop();
  });
});
