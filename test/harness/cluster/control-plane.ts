// A real Kubernetes control plane (etcd + kube-apiserver) on loopback, run the way
// controller-runtime's envtest runs it: no kubelet, no controller-manager, no
// scheduler. Tests get the same API server, validation, RBAC and watch semantics
// as a cluster, started in seconds from the binaries build-binaries.sh caches.
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { ensureBinaries } from './binaries.ts';
import { isPidAlive, spawnComponent, terminate, waitUntil } from '../processes.ts';
import { findFreePorts, isApiServerReady, isEtcdHealthy } from './probes.ts';

export { isPidAlive, terminatePid } from '../processes.ts';
export { isApiServerReady } from './probes.ts';

export interface ControlPlaneOptions {
  /** Holds kube-apiserver, kubectl, etcd; default: ensureBinaries() (builds if missing). */
  readonly binDir?: string;
  /** Where etcd data, certs, keys, logs and the kubeconfig go; default: a fresh temp dir. */
  readonly dataDir?: string;
  /**
   * true: the processes outlive this Node process (for `cli.ts up`); false (default):
   * they are killed when this process exits, even if it is killed itself.
   */
  readonly detached?: boolean;
  /** Time allowed for etcd and then kube-apiserver to become ready; default 120 s. */
  readonly startTimeoutMs?: number;
  /** More static bearer tokens the apiserver accepts besides the admin's (client authentication tests). */
  readonly extraTokens?: readonly {
    readonly token: string;
    readonly user: string;
    readonly groups?: readonly string[];
  }[];
  /** A CA whose client certificates the apiserver accepts (--client-ca-file: CN is the user, O the groups). */
  readonly clientCaFile?: string;
}

export interface ControlPlane {
  readonly kubeconfigPath: string;
  /** https://127.0.0.1:PORT */
  readonly server: string;
  /** Bearer token of the `admin` user (group system:masters). */
  readonly token: string;
  readonly binDir: string;
  readonly kubectlPath: string;
  readonly dataDir: string;
  readonly etcdUrl: string;
  /** Current pids; the apiserver's changes on restartApiServer(). */
  pids(): { etcd: number; apiServer: number };
  /** Stops kube-apiserver, then etcd, then removes dataDir. Idempotent. */
  stop(): Promise<void>;
  /** Restarts kube-apiserver alone, on the same port, against the same etcd; resolves when /readyz is ok. */
  restartApiServer(): Promise<void>;
}

const adminUser = 'admin';
const tempDirPrefix = 'ovn-evpn-cp-';
const ownerFile = 'owner.pid';

/**
 * A run that was killed leaves its temp data dir behind (its processes die with it,
 * see child-processes.ts); the next start removes those whose owner is gone, so CI
 * machines that run the suite many times do not fill up with etcd WAL files.
 */
function removeOrphanedDataDirs(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(tempDirPrefix)) continue;
    const dir = join(tmpdir(), entry);
    let owner: number;
    try {
      owner = Number.parseInt(readFileSync(join(dir, ownerFile), 'utf8'), 10);
    } catch {
      continue; // not ours to judge (or being created right now)
    }
    if (Number.isInteger(owner) && owner > 0 && !isPidAlive(owner)) rmSync(dir, { recursive: true, force: true });
  }
}
const readyTimeoutDefaultMs = 120_000;

function writeKubeconfig(path: string, server: string, token: string, caFile: string | undefined): void {
  const cluster: Record<string, unknown> = { server };
  if (caFile === undefined) cluster['insecure-skip-tls-verify'] = true;
  else cluster['certificate-authority'] = caFile;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'ovn-evpn-test', cluster }],
    users: [{ name: adminUser, user: { token } }],
    contexts: [{ name: 'ovn-evpn-test', context: { cluster: 'ovn-evpn-test', user: adminUser, namespace: 'default' } }],
    'current-context': 'ovn-evpn-test',
  };
  writeFileSync(path, stringifyYaml(doc), { mode: 0o600 });
}

/**
 * The apiserver self-signs into cert-dir (certificate, then its CA). Verify with
 * it when it does cover 127.0.0.1; otherwise fall back to skipping verification.
 */
async function writeVerifiedKubeconfig(
  dataDir: string,
  certDir: string,
  server: string,
  token: string,
): Promise<string> {
  const caFile = join(certDir, 'apiserver.crt');
  const verifies = existsSync(caFile) && (await isApiServerReady(server, token, readFileSync(caFile)));
  const kubeconfigPath = join(dataDir, 'kubeconfig');
  writeKubeconfig(kubeconfigPath, server, token, verifies ? caFile : undefined);
  return kubeconfigPath;
}

/** A fresh data dir (owned by this process, so a later run removes it when orphaned) unless one is given. */
async function prepareDataDir(given: string | undefined): Promise<string> {
  let dataDir = given;
  if (dataDir === undefined) {
    removeOrphanedDataDirs();
    dataDir = await mkdtemp(join(tmpdir(), tempDirPrefix));
    writeFileSync(join(dataDir, ownerFile), `${process.pid}\n`);
  }
  mkdirSync(dataDir, { recursive: true });
  return dataDir;
}

/** Writes the admin token file and the service-account key pair; returns the token. */
function writeAdminToken(dataDir: string, extra: NonNullable<ControlPlaneOptions['extraTokens']> = []): string {
  // Static admin token: the simplest authenticator a test client and kubectl share.
  const token = randomBytes(24).toString('hex');
  const lines = [{ token, user: adminUser, groups: ['system:masters'] }, ...extra].map(
    (t) => `${t.token},${t.user},${t.user},"${(t.groups ?? []).join(',')}"\n`,
  );
  writeFileSync(join(dataDir, 'tokens.csv'), lines.join(''), { mode: 0o600 });
  // Service-account token signing key; the apiserver refuses to start without one.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dataDir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(join(dataDir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  return token;
}

function etcdArgsOf(dataDir: string, etcdUrl: string, etcdPeerUrl: string): string[] {
  return [
    '--name=default',
    `--data-dir=${join(dataDir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${etcdPeerUrl}`,
    `--initial-advertise-peer-urls=${etcdPeerUrl}`,
    `--initial-cluster=default=${etcdPeerUrl}`,
    // Test data is thrown away: skip fsync, which dominates write latency on CI disks.
    '--unsafe-no-fsync',
  ];
}

interface ApiServerPlace {
  dataDir: string;
  certDir: string;
  etcdUrl: string;
  apiPort: number;
  server: string;
  clientCaFile: string | undefined;
}

function apiServerArgsOf({ dataDir, certDir, etcdUrl, apiPort, server, clientCaFile }: ApiServerPlace): string[] {
  const tokenFile = join(dataDir, 'tokens.csv');
  const saKey = join(dataDir, 'sa.key');
  const saPub = join(dataDir, 'sa.pub');
  return [
    `--etcd-servers=${etcdUrl}`,
    `--cert-dir=${certDir}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--authorization-mode=RBAC',
    `--token-auth-file=${tokenFile}`,
    `--service-account-issuer=${server}`,
    `--service-account-key-file=${saPub}`,
    `--service-account-signing-key-file=${saKey}`,
    // No controller-manager creates service-account tokens here.
    '--disable-admission-plugins=ServiceAccount',
    '--allow-privileged=true',
    // --advertise-address is left to default on purpose: 127.0.0.1 is rejected
    // as an endpoint of the `kubernetes` Service.
    ...(clientCaFile === undefined ? [] : [`--client-ca-file=${clientCaFile}`]),
  ];
}

/**
 * Starts etcd and kube-apiserver on free loopback ports and resolves once /readyz
 * is ok and a kubeconfig for the admin user (system:masters) is written. On failure
 * the processes are stopped and the error quotes the failing component's log.
 */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binDir = opts.binDir ?? (await ensureBinaries());
  const detached = opts.detached ?? false;
  const timeoutMs = opts.startTimeoutMs ?? readyTimeoutDefaultMs;
  const dataDir = await prepareDataDir(opts.dataDir);
  const certDir = join(dataDir, 'certs');
  mkdirSync(certDir, { recursive: true });

  const [etcdClientPort = 0, etcdPeerPort = 0, apiPort = 0] = await findFreePorts(3);
  const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
  const etcdPeerUrl = `http://127.0.0.1:${etcdPeerPort}`;
  const server = `https://127.0.0.1:${apiPort}`;

  const token = writeAdminToken(dataDir, opts.extraTokens);
  const etcdLog = join(dataDir, 'etcd.log');
  const apiLog = join(dataDir, 'kube-apiserver.log');
  const etcdArgs = etcdArgsOf(dataDir, etcdUrl, etcdPeerUrl);
  const apiArgs = apiServerArgsOf({ dataDir, certDir, etcdUrl, apiPort, server, clientCaFile: opts.clientCaFile });

  let etcd: ChildProcess | undefined;
  let apiServer: ChildProcess | undefined;
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (apiServer !== undefined) await terminate(apiServer);
    if (etcd !== undefined) await terminate(etcd);
    rmSync(dataDir, { recursive: true, force: true });
  };

  const startApiServer = async (): Promise<ChildProcess> => {
    const child = spawnComponent(join(binDir, 'kube-apiserver'), apiArgs, apiLog, detached);
    await waitUntil('kube-apiserver', child, apiLog, timeoutMs, () => isApiServerReady(server, token));
    return child;
  };

  try {
    etcd = spawnComponent(join(binDir, 'etcd'), etcdArgs, etcdLog, detached);
    await waitUntil('etcd', etcd, etcdLog, timeoutMs, () => isEtcdHealthy(etcdUrl));
    apiServer = await startApiServer();
  } catch (err) {
    await stop();
    throw err;
  }

  const kubeconfigPath = await writeVerifiedKubeconfig(dataDir, certDir, server, token);

  const kubectlPath = join(binDir, 'kubectl');
  return {
    kubeconfigPath,
    server,
    token,
    binDir,
    kubectlPath,
    dataDir,
    etcdUrl,
    pids: () => ({ etcd: etcd.pid ?? -1, apiServer: apiServer?.pid ?? -1 }),
    stop,
    restartApiServer: async () => {
      if (stopped) throw new Error('control plane is stopped');
      if (apiServer !== undefined) await terminate(apiServer);
      apiServer = await startApiServer();
    },
  };
}
