// vitest globalSetup of the `integration` project: one real control plane for the
// whole run (≈4 s to start), shared by every *.int.test.ts file. Test files reach
// it through kube-test-env.ts. Files share one apiserver, so every test must use
// names of its own (uniqueName() there) and must not assume an empty cluster.
import type { TestProject } from 'vitest/node';
import { startControlPlane } from './control-plane.ts';
import type { KubeTestContext } from './provided-context.ts';
import { hostStackVersions, useStackOnHost } from '../stack/stack.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The OVN databases and northd of the integration tests run the test world's OVN (workers inherit the env).
  useStackOnHost();
  process.stderr.write(`integration: ${hostStackVersions()}\n`);
  const started = Date.now();
  const cp = await startControlPlane();
  process.stderr.write(`test cluster: ${cp.server} ready in ${Date.now() - started} ms (logs in ${cp.dataDir})\n`);
  const provided: KubeTestContext = { kubeconfig: cp.kubeconfigPath, kubectl: cp.kubectlPath, kubeServer: cp.server };
  project.provide('kubeconfig', provided.kubeconfig);
  project.provide('kubectl', provided.kubectl);
  project.provide('kubeServer', provided.kubeServer);
  // For code under test that loads its config the usual way (KUBECONFIG); workers
  // are started after this and inherit it.
  process.env['KUBECONFIG'] = cp.kubeconfigPath;
  return async () => {
    await cp.stop();
  };
}
