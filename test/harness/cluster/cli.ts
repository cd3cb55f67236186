// `node test/harness/cluster/cli.ts up|down|status`: a long-lived local control plane for
// the demo and for poking at the API by hand. `up` reuses a running one, so it is
// cheap to call from scripts; its last stdout line is the kubeconfig path:
//   export KUBECONFIG=$(npm run -s cluster:up)
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isApiServerReady, isPidAlive, startControlPlane, terminatePid } from './control-plane.ts';
import { errorMessage } from '../../../lib/log.ts';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const stateDir = join(repoRoot, '.cache', 'cluster');
const statePath = join(stateDir, 'state.json');
const dataDir = join(stateDir, 'data');

const ClusterState = z.object({
  pids: z.object({ etcd: z.number().int(), apiServer: z.number().int() }),
  kubeconfigPath: z.string(),
  server: z.string(),
  token: z.string(),
  dataDir: z.string(),
  binDir: z.string(),
  kubectlPath: z.string(),
  startedAt: z.string(),
});
type ClusterState = z.infer<typeof ClusterState>;

function readState(): ClusterState | undefined {
  if (!existsSync(statePath)) return undefined;
  const parsed = ClusterState.safeParse(JSON.parse(readFileSync(statePath, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

async function isHealthy(state: ClusterState): Promise<boolean> {
  return (
    isPidAlive(state.pids.etcd) &&
    isPidAlive(state.pids.apiServer) &&
    existsSync(state.kubeconfigPath) &&
    (await isApiServerReady(state.server, state.token))
  );
}

/** Stops whatever a state file (or a half-written start) left behind. */
async function tearDown(state: ClusterState | undefined): Promise<void> {
  if (state !== undefined) {
    await terminatePid(state.pids.apiServer);
    await terminatePid(state.pids.etcd);
  }
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(statePath, { force: true });
}

async function up(): Promise<void> {
  const existing = readState();
  if (existing !== undefined && (await isHealthy(existing))) {
    process.stderr.write(
      `cluster: reusing ${existing.server} (etcd pid ${existing.pids.etcd}, kube-apiserver pid ${existing.pids.apiServer})\n`,
    );
    process.stdout.write(`${existing.kubeconfigPath}\n`);
    return;
  }
  if (existsSync(statePath) || existsSync(dataDir)) {
    process.stderr.write('cluster: cleaning up a stale cluster\n');
    await tearDown(existing);
  }
  mkdirSync(stateDir, { recursive: true });
  const started = Date.now();
  const cp = await startControlPlane({ detached: true, dataDir });
  const state: ClusterState = {
    pids: cp.pids(),
    kubeconfigPath: cp.kubeconfigPath,
    server: cp.server,
    token: cp.token,
    dataDir: cp.dataDir,
    binDir: cp.binDir,
    kubectlPath: cp.kubectlPath,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  process.stderr.write(
    `cluster: ${cp.server} ready in ${Date.now() - started} ms; kubectl: ${cp.kubectlPath}; logs in ${cp.dataDir}\n`,
  );
  process.stdout.write(`${cp.kubeconfigPath}\n`);
}

async function down(): Promise<void> {
  const state = readState();
  if (state === undefined && !existsSync(dataDir)) {
    process.stderr.write('cluster: none running\n');
    return;
  }
  await tearDown(state);
  process.stderr.write('cluster: stopped\n');
}

async function status(): Promise<boolean> {
  const state = readState();
  if (state === undefined) {
    process.stdout.write('cluster: none\n');
    return false;
  }
  const healthy = await isHealthy(state);
  process.stdout.write(
    `cluster: ${healthy ? 'ready' : 'NOT ready'} ${state.server} kubeconfig ${state.kubeconfigPath}\n`,
  );
  return healthy;
}

async function main(argv: readonly string[]): Promise<number> {
  switch (argv[0]) {
    case 'up':
      await up();
      return 0;
    case 'down':
      await down();
      return 0;
    case 'status':
      return (await status()) ? 0 : 1;
    default:
      process.stderr.write('usage: node test/harness/cluster/cli.ts up|down|status\n');
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`cluster: ${errorMessage(err)}\n`);
  process.exitCode = 1;
}
