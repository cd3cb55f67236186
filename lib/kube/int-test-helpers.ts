// Shared by lib's integration tests (*.int.test.ts): polling and namespaces on
// the real apiserver. Not used by production code.
import { KubeClient } from './kube-client.ts';
import { coreResources, resourcePath } from './resource.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import { WriteCounter } from './write-counter.ts';

export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000, stepMs = 25): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await predicate()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function testClient(kc: KubeConfig): { client: KubeClient; writes: WriteCounter } {
  const writes = new WriteCounter();
  return { client: new KubeClient(kc, { writeCounter: writes, userAgent: 'ovn-evpn-lib-test' }), writes };
}

export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.request({ method: 'POST', path: resourcePath(coreResources.namespaces), body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
}

export async function deleteNamespace(client: KubeClient, name: string): Promise<void> {
  try {
    await client.request({ method: 'DELETE', path: resourcePath(coreResources.namespaces, { name }) });
  } catch {
    // Best effort: there is no namespace controller in the test control plane anyway.
  }
}

export function configMap(namespace: string, name: string, data: Record<string, string>, labels: Record<string, string> = {}): unknown {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
}
