// Helpers for integration test files that talk to the shared control plane that
// global-setup.ts starts. Several test files share that one apiserver (and run
// one after another, not in a fresh cluster each): give every object a unique
// name (uniqueName) or a namespace of the test's own, and never assert on the
// whole contents of a list. A test that must restart or break the apiserver
// starts a private one with startControlPlane() from control-plane.ts instead.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import type {} from './provided-context.ts';

export function kubeconfigPath(): string {
  return inject('kubeconfig');
}

export function kubectlPath(): string {
  return inject('kubectl');
}

export function apiServerUrl(): string {
  return inject('kubeServer');
}

/** A fresh KubeConfig for the shared control plane's admin user. */
export function makeKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/** `prefix-<8 hex>`: a DNS-1123 name no other test or run uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (e.g. a manifest for `apply -f -`). */
  readonly input?: string;
  /** Default: the shared control plane's kubeconfig. */
  readonly kubeconfig?: string;
  /** Default: 60 s; then kubectl is killed and code is null. */
  readonly timeoutMs?: number;
}

export interface KubectlResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code; null when killed by a signal (e.g. the timeout). */
  readonly code: number | null;
}

/**
 * Runs the matching kubectl against the shared control plane. Never rejects on a
 * non-zero exit: tests assert on `code` (RBAC denials and validation errors are
 * results, not exceptions).
 */
export function kubectl(args: readonly string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  return runKubectl(kubectlPath(), opts.kubeconfig ?? kubeconfigPath(), args, opts);
}

/** kubectl with an explicit binary and kubeconfig, e.g. for a private control plane. */
export function runKubectl(
  kubectlBin: string,
  kubeconfig: string,
  args: readonly string[],
  opts: Pick<KubectlOptions, 'input' | 'timeoutMs'> = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlBin, ['--kubeconfig', kubeconfig, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ stdout, stderr, code });
    });
    child.stdin.end(opts.input ?? '');
  });
}
