// The operator process keeps working when its kubeconfig's token file is
// rotated under it (a projected service-account token, a rotated Secret): it
// starts as user op-a, the file then holds op-b's token and op-a loses every
// right, and the operator still mirrors a new OVN association. Had it kept
// op-a's token, every write would be refused (403). Real kube-apiserver
// (private: static tokens of its own), real OVN databases, bin/evpn-operator.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { EvpnNetwork } from '../crds/index.ts';
import { evpnResources } from '../crds/resources.ts';
import { startOvnDatabases, type OvnDatabases } from '../test/harness/ovn/ovn-databases.ts';
import { runKubectl } from '../test/harness/cluster/kube-test-env.ts';
import { getObject, startKubeEnv, type KubeEnv } from '../test/harness/operator/kube-env.ts';
import { startOperatorProcess, type OperatorProcess } from '../test/harness/operator/operator-process.ts';
import { addNetwork } from '../test/harness/operator/ovn-driver.ts';
import { waitFor } from '../test/harness/wait-for.ts';
import { driverExternalIds } from '../test/fixtures/mirror/driver-rows.ts';

const TOKEN_A = 'operator-token-a-0000000000';
const TOKEN_B = 'operator-token-b-0000000000';

let kube: KubeEnv;
let ovn: OvnDatabases;
let dir: string;
let op: OperatorProcess | undefined;

beforeAll(async () => {
  [kube, ovn] = await Promise.all([
    startKubeEnv({
      extraTokens: [
        { token: TOKEN_A, user: 'op-a' },
        { token: TOKEN_B, user: 'op-b' },
      ],
    }),
    startOvnDatabases(),
  ]);
  for (const user of ['op-a', 'op-b'])
    await kube.kubectl([
      'create',
      'clusterrolebinding',
      `${user}-admin`,
      '--clusterrole=cluster-admin',
      `--user=${user}`,
    ]);
  dir = mkdtempSync(join(tmpdir(), 'operator-token-'));
});

afterAll(async () => {
  if (op !== undefined) {
    op.child.kill('SIGTERM');
    await op.exited;
  }
  await Promise.all([ovn.stop(), kube.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const mirrored = (name: string): Promise<true> =>
  waitFor(
    `EvpnNetwork ${name} mirrored`,
    async () =>
      (await getObject<EvpnNetwork>(kube.client, evpnResources.networks, name)) !== undefined ? true : undefined,
    { timeoutMs: 60_000 },
  );

describe('bin/evpn-operator with a rotated token file', () => {
  it('authenticates with the new token from the next request on: a network added after the old user lost its rights is mirrored', async () => {
    const admin = parse(readFileSync(kube.cp.kubeconfigPath, 'utf8')) as {
      clusters: { cluster: Record<string, unknown> }[];
    };
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TOKEN_A}\n`);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'op',
        clusters: [{ name: 'k', cluster: admin.clusters[0]?.cluster }],
        users: [{ name: 'operator', user: { tokenFile } }],
        contexts: [{ name: 'op', context: { cluster: 'k', user: 'operator' } }],
      }),
    );
    op = startOperatorProcess(
      [
        '--ovn-nb',
        ovn.nbRemote.unix,
        '--ovn-sb',
        ovn.sbRemote.unix,
        '--metrics-addr',
        '127.0.0.1:0',
        '--no-leader-elect',
      ],
      { KUBECONFIG: kubeconfig },
    );

    const first = randomUUID();
    await addNetwork(ovn.nbctl, first, driverExternalIds({ vni: 92000, type: 'l3', routeTargets: ['65000:92000'] }));
    await mirrored(first);

    // Rotation as the kubelet does it (a new file swapped in), then the old identity is revoked.
    writeFileSync(`${tokenFile}.new`, `${TOKEN_B}\n`);
    renameSync(`${tokenFile}.new`, tokenFile);
    await kube.kubectl(['delete', 'clusterrolebinding', 'op-a-admin']);
    const denied = await runKubectl(kube.cp.kubectlPath, kube.cp.kubeconfigPath, [
      'auth',
      'can-i',
      'create',
      'evpnnetworks.evpn.ovn-evpn.dev',
      '--as=op-a',
    ]);
    expect(denied.stdout.trim()).toBe('no');

    const second = randomUUID();
    await addNetwork(ovn.nbctl, second, driverExternalIds({ vni: 92001, type: 'l3', routeTargets: ['65000:92001'] }));
    await mirrored(second);
    expect(op.child.exitCode).toBeNull();
  });
});
