// Host side of the end-to-end test and of `make demo`: starts the real control
// plane (etcd + kube-apiserver, CRDs installed), real OVN NB and SB, each a
// 3-member RAFT cluster as production runs them, with ovn-northd (the operator
// and the guest get the members' loopback TCP ports as member lists) and the
// operator as a host process, then boots the user-mode Linux guest with
// networking and runs the command there (the two nodes, their agents and FRR
// live in the guest: the host kernel has no vrf). Everything it started is
// stopped when the command ends, whatever its outcome; exits with its code.
//
//   node test/e2e/host.ts [--quiet] [-e K=V]... -- command [args...]
//
// The guest gets: KUBECONFIG (server 10.0.2.2:PORT, TLS name kept), KUBECTL,
// API_PORT, OVN_NB / OVN_SB (member lists tcp:10.0.2.2:PORT,…) and E2E_DIR (a directory under
// the repository for artifacts: the guest's /tmp is private).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../harness/cluster/control-plane.ts';
import { hasExited, spawnComponent, tailFile, terminate, waitUntil } from '../harness/processes.ts';
import { runKubectl } from '../harness/cluster/kube-test-env.ts';
import { findFreePorts, httpGet } from '../harness/cluster/probes.ts';
import { startOvnClusters, type OvnCluster, type OvnClusters } from '../harness/ovn/ovn-cluster.ts';
import { guestKubeconfig } from '../harness/uml/with-cluster.ts';
import { hostStackVersions, useStackOnHost } from '../harness/stack/stack.ts';

const repo = join(import.meta.dirname, '..', '..');
const t0 = Date.now();
let tPhase = t0;
let quiet = false;

function phase(name: string): void {
  const now = Date.now();
  if (!quiet) process.stdout.write(`PHASE host: ${name}: ${now - tPhase}ms (total ${now - t0}ms)\n`);
  tPhase = now;
}

/** The members as the guest reaches them (the host's loopback is 10.0.2.2 there). */
function guestMembers(c: OvnCluster): string {
  return c.members.map((m) => `tcp:10.0.2.2:${tcpPort(m.tcp)}`).join(',');
}

function tcpPort(remote: string): string {
  const port = /:(\d+)$/.exec(remote)?.[1];
  if (port === undefined) throw new Error(`no port in ${remote}`);
  return port;
}

async function installCrds(cp: ControlPlane): Promise<void> {
  const crdDir = join(repo, 'crds', 'generated');
  const crds = readdirSync(crdDir).filter((f) => f.endsWith('.yaml'));
  const applied = await runKubectl(cp.kubectlPath, cp.kubeconfigPath, [
    'apply',
    '--server-side',
    ...crds.flatMap((f) => ['-f', join(crdDir, f)]),
  ]);
  if (applied.code !== 0) throw new Error(`installing CRDs: ${applied.stderr}`);
  const established = await runKubectl(cp.kubectlPath, cp.kubeconfigPath, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd',
    '-l',
    'app.kubernetes.io/part-of=ovn-evpn',
  ]);
  if (established.code !== 0) throw new Error(`CRDs not established: ${established.stderr}`);
}

/** The operator as a host process on the OVN unix sockets; returns once /readyz answers. */
async function startOperator(
  cp: ControlPlane,
  ovn: OvnClusters,
  operatorLog: string,
): Promise<ReturnType<typeof spawnComponent>> {
  const [metricsPort] = await findFreePorts(1);
  if (metricsPort === undefined) throw new Error('no free port for the operator');
  const operatorArgs = [
    `--ovn-nb=${ovn.nb.tcpRemotes}`,
    `--ovn-sb=${ovn.sb.tcpRemotes}`,
    `--metrics-addr=127.0.0.1:${metricsPort}`,
    // One replica: no Lease to wait for. Prune quickly so the withdrawal phase is short; the
    // withdrawal removes every mirrored object, which the mass-deletion guard holds whatever the
    // count (as it holds an emptied OVN): no hold here, the scenario empties OVN on purpose.
    '--leader-elect=false',
    '--prune-grace=1s',
    '--mass-delete-hold=0s',
  ];
  // The tether in spawnComponent needs the operator's environment to carry the kubeconfig.
  process.env.KUBECONFIG = cp.kubeconfigPath;
  const operator = spawnComponent(join(repo, 'bin', 'evpn-operator'), operatorArgs, operatorLog, false);
  await waitUntil(
    'evpn-operator',
    operator,
    operatorLog,
    60_000,
    async () => (await httpGet({ url: `http://127.0.0.1:${metricsPort}/readyz` }))?.status === 200,
  );
  return operator;
}

/** The guest command and the options before `--` (the `-e K=V` pairs to pass on); sets `quiet`. */
function parseHostArgs(): { command: string[]; passEnv: string[] } {
  const args = process.argv.slice(2);
  const sep = args.indexOf('--');
  const opts = sep < 0 ? [] : args.slice(0, sep);
  const command = sep < 0 ? args : args.slice(sep + 1);
  if (command.length === 0) throw new Error('usage: host.ts [--quiet] [-e K=V]... -- command [args...]');
  quiet = opts.includes('--quiet');
  return { command, passEnv: opts.filter((o) => o !== '--quiet') };
}

/** A fresh artifacts directory for this run. */
function createRunDir(): string {
  // Under the repository: the guest mounts it read-write, and nothing else of the host.
  const runsDir = join(repo, '.cache', 'e2e');
  mkdirSync(runsDir, { recursive: true });
  // Keep the five most recent runs' artifacts.
  for (const old of readdirSync(runsDir).sort().reverse().slice(5))
    rmSync(join(runsDir, old), { recursive: true, force: true });
  const dir = join(runsDir, `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The guest's environment (K=V): how it reaches the apiserver and OVN, where its artifacts go. */
function writeGuestEnv(cp: ControlPlane, ovn: OvnClusters, dir: string, passEnv: readonly string[]): string[] {
  const guestKc = join(dir, 'guest.kubeconfig');
  writeFileSync(guestKc, guestKubeconfig(cp.kubeconfigPath));
  return [
    `KUBECONFIG=${guestKc}`,
    `KUBECTL=${cp.kubectlPath}`,
    `API_PORT=${new URL(cp.server).port}`,
    `OVN_NB=${guestMembers(ovn.nb)}`,
    `OVN_SB=${guestMembers(ovn.sb)}`,
    `E2E_DIR=${dir}`,
    `E2E_T0=${t0}`,
    ...passEnv.filter((o) => o !== '-e'),
  ];
}

// SIGTERM/SIGINT (make demo interrupted, a CI timeout): stop the guest, then main's finally tears down the
// operator, OVN and the apiserver; without this the process died and left all of them running.
const stopping = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const)
  process.once(sig, () => {
    process.stderr.write(`host: ${sig}: stopping the guest, then the operator, OVN and the apiserver\n`);
    stopping.abort();
  });

/** Boots the guest to run `command`; resolves with its exit code and its stderr (collected only when quiet). */
async function runGuest(command: readonly string[], env: readonly string[]): Promise<{ code: number; stderr: string }> {
  const child = spawn(
    join(repo, 'test', 'uml', 'boot.sh'),
    ['-n', 'vde', ...env.flatMap((e) => ['-e', e]), '--', ...command],
    { stdio: ['ignore', 'inherit', quiet ? 'pipe' : 'inherit'], cwd: repo },
  );
  // boot.sh takes the guest down on TERM (its EXIT trap).
  const stopGuest = (): void => {
    child.kill('SIGTERM');
  };
  stopping.signal.addEventListener('abort', stopGuest, { once: true });
  let bootStderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    bootStderr += chunk;
  });
  const code = await new Promise<number>((resolve) =>
    child.once('close', (c) => {
      resolve(c ?? 1);
    }),
  );
  stopping.signal.removeEventListener('abort', stopGuest);
  return { code, stderr: bootStderr };
}

async function main(): Promise<number> {
  const { command, passEnv } = parseHostArgs();
  const dir = createRunDir();

  // The host's OVN runs the same test world as the guest (EVPN_STACK, read by boot.sh too).
  useStackOnHost();
  if (!quiet) process.stdout.write(`host: ${hostStackVersions()}\n`);

  let cp: ControlPlane | undefined;
  let ovn: OvnClusters | undefined;
  let operator: ReturnType<typeof spawnComponent> | undefined;
  try {
    cp = await startControlPlane({ dataDir: join(dir, 'cluster') });
    await installCrds(cp);
    phase('control plane + CRDs');

    ovn = await startOvnClusters({ northd: true });
    phase('OVN NB+SB+northd');

    const operatorLog = join(dir, 'operator.log');
    operator = await startOperator(cp, ovn, operatorLog);
    phase('operator ready');

    if (stopping.signal.aborted) return 143;
    const { code, stderr: bootStderr } = await runGuest(command, writeGuestEnv(cp, ovn, dir, passEnv));
    phase('guest');
    if (code !== 0) {
      if (quiet) process.stderr.write(bootStderr);
      process.stderr.write(`host: guest command failed (${code}); artifacts in ${dir}\n`);
      if (hasExited(operator))
        process.stderr.write(`host: the operator had exited; tail of its log:\n${tailFile(operatorLog)}\n`);
    }
    return code;
  } finally {
    if (operator !== undefined) await terminate(operator);
    if (ovn !== undefined) await ovn.stop();
    if (cp !== undefined) await cp.stop();
    phase('teardown');
  }
}

if (process.argv[1] === import.meta.filename) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`e2e host: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
