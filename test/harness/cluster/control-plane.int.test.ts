import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CoreV1Api, KubeConfig, V1ConfigMap, V1ObjectMeta, VersionApi } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { kubeconfigPath, kubectl, kubectlPath, makeKubeConfig, runKubectl, uniqueName } from './kube-test-env.ts';

const goMod = readFileSync(new URL('bin-src/go.mod', import.meta.url), 'utf8');
const builtVersion = /^\s*k8s\.io\/kubernetes (v\S+)/m.exec(goMod)?.[1];

describe('shared control plane', () => {
  it('answers /version with the release the binaries were built from', async () => {
    expect(builtVersion).toMatch(/^v1\.\d+\.\d+$/);
    const info = await makeKubeConfig().makeApiClient(VersionApi).getCode();
    expect(info.gitVersion).toBe(builtVersion);
  });

  it('is what KUBECONFIG points at, for code that loads its config the usual way', () => {
    expect(process.env['KUBECONFIG']).toBe(kubeconfigPath());
  });

  it('is ready through the matching kubectl', async () => {
    const res = await kubectl(['get', '--raw', '/readyz']);
    expect(res).toMatchObject({ code: 0, stdout: 'ok' });
    const client = await kubectl(['version', '--output=json']);
    expect(client.code).toBe(0);
    const versions = JSON.parse(client.stdout) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string };
    };
    expect(versions.clientVersion.gitVersion).toBe(versions.serverVersion.gitVersion);
  });

  it('enforces RBAC: the admin may create namespaces, an unprivileged user may not', async () => {
    const admin = await kubectl(['auth', 'can-i', 'create', 'namespaces']);
    expect(admin).toMatchObject({ code: 0, stdout: 'yes\n' });
    const someone = await kubectl(['auth', 'can-i', 'create', 'namespaces', `--as=${uniqueName('someone')}`]);
    expect(someone).toMatchObject({ code: 1, stdout: 'no\n' });
    const denied = await kubectl(['get', 'configmaps', '-n', 'default', `--as=${uniqueName('someone')}`]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/Forbidden/);
  });
});

describe('private control plane', () => {
  let cp: ControlPlane | undefined;
  afterAll(async () => {
    await cp?.stop();
  });

  it('keeps its data and its clients across a kube-apiserver restart', async () => {
    cp = await startControlPlane({ binDir: dirname(kubectlPath()) });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const name = uniqueName('before-restart');
    const body = new V1ConfigMap();
    body.metadata = new V1ObjectMeta();
    body.metadata.name = name;
    body.data = { written: 'before' };
    await core.createNamespacedConfigMap({ namespace: 'default', body });
    const before = cp.pids();

    await cp.restartApiServer();

    const after = cp.pids();
    expect(after.apiServer).not.toBe(before.apiServer);
    expect(after.etcd).toBe(before.etcd);
    // Same client object, same port, same CA: nothing on the client side changes.
    const read = await core.readNamespacedConfigMap({ name, namespace: 'default' });
    expect(read.data).toEqual({ written: 'before' });
    const viaKubectl = await runKubectl(cp.kubectlPath, cp.kubeconfigPath, [
      'get',
      'configmap',
      name,
      '-o',
      'jsonpath={.data.written}',
    ]);
    expect(viaKubectl).toMatchObject({ code: 0, stdout: 'before' });
  });

  it('removes its processes and data on stop', async () => {
    if (cp === undefined) throw new Error('previous test did not start the control plane');
    const { etcd, apiServer } = cp.pids();
    const { dataDir } = cp;
    await cp.stop();
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive(etcd)).toBe(false);
    expect(alive(apiServer)).toBe(false);
    expect(() => readFileSync(`${dataDir}/kubeconfig`)).toThrow(/ENOENT/);
  });
});
