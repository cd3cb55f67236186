// Helpers shared by the deploy/ integration tests: the helm binary (built from
// its Go module by deploy/tools/build-helm.sh), chart rendering, multi-document
// YAML, and kubectl against the shared test control plane.
import { execFile, execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { kubectl, kubeconfigPath } from '../../test/harness/cluster/kube-test-env.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const chartDir = join(repoRoot, 'deploy/helm/ovn-evpn');
export const kustomizeBase = join(repoRoot, 'deploy/kustomize/base');
export const overridesDir = join(chartDir, 'values_overrides');
/** Cold build ≈ 4.5 min on 2 cores; cached afterwards. */
export const HELM_BUILD_TIMEOUT_MS = 20 * 60_000;

let helmPath: string | undefined;
export function helmBinary(): string {
  helmPath ??= execFileSync(join(repoRoot, 'deploy/tools/build-helm.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: HELM_BUILD_TIMEOUT_MS,
  }).trim();
  return helmPath;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export function run(
  file: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      file,
      [...args],
      {
        env: opts.env ?? process.env,
        cwd: opts.cwd ?? repoRoot,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(new Error(error.message, { cause: error }));
          return;
        }
        resolvePromise({ stdout, stderr, code: error === null ? 0 : Number(error.code) });
      },
    );
    // A child that exits before reading stdin (most of them) must not fail the run with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.input ?? '');
  });
}

/** helm with the shared control plane's kubeconfig (lookup, install, upgrade). */
export function helm(args: readonly string[]): Promise<RunResult> {
  return run(helmBinary(), ['--kubeconfig', kubeconfigPath(), ...args]);
}

export async function helmTemplate(release: string, namespace: string, extra: readonly string[] = []): Promise<string> {
  const r = await run(helmBinary(), ['template', release, chartDir, '--namespace', namespace, ...extra]);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return r.stdout;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is K8sObject => typeof o === 'object' && o !== null && 'kind' in o);
}

export async function mustKubectl(args: readonly string[], input?: string): Promise<string> {
  const r = await kubectl(args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${String(r.code)}): ${r.stderr}`);
  return r.stdout;
}

/** Creates the namespace and installs the CRDs (idempotent: other test files share the cluster). */
export async function prepareCluster(namespace: string): Promise<void> {
  await mustKubectl(['apply', '--server-side', '--force-conflicts', '-f', join(repoRoot, 'crds/generated')]);
  await mustKubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/evpnnetworks.evpn.ovn-evpn.dev',
    'crd/evpnvrfs.evpn.ovn-evpn.dev',
    'crd/evpnnodestates.evpn.ovn-evpn.dev',
    'crd/evpnportsets.evpn.ovn-evpn.dev',
  ]);
  await mustKubectl(['create', 'namespace', namespace]);
}
