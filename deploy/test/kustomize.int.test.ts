// The kustomize base for GitOps users: generated from the chart
// (deploy/tools/gen-kustomize.ts), checked here to be up to date, to carry the
// same essential objects as `helm template` (RBAC rules, images, commands,
// args, security contexts, admission policy), and to be accepted by the real
// API server through an overlay that moves it into a namespace of its own.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubectl, uniqueName } from '../../test/harness/cluster/kube-test-env.ts';
import { KUSTOMIZE_NAMESPACE, renderBase } from '../tools/gen-kustomize.ts';
import {
  HELM_BUILD_TIMEOUT_MS,
  helmBinary,
  helmTemplate,
  kustomizeBase,
  mustKubectl,
  parseManifests,
  prepareCluster,
} from './deploy-env.ts';
import type { K8sObject } from './deploy-env.ts';

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  securityContext?: unknown;
  env?: unknown;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: unknown;
  hostNetwork?: boolean;
  serviceAccountName?: string;
  volumes?: unknown;
}

/** What must be the same however the operator is installed. */
function essentials(objects: readonly K8sObject[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const o of objects) {
    const key = `${o.kind}/${o.metadata.name}`;
    switch (o.kind) {
      case 'ClusterRole':
      case 'Role':
        out[key] = o['rules'];
        break;
      case 'ClusterRoleBinding':
      case 'RoleBinding':
        out[key] = { roleRef: o['roleRef'], subjects: o['subjects'] };
        break;
      case 'ValidatingAdmissionPolicy':
      case 'ValidatingAdmissionPolicyBinding':
        out[key] = o['spec'];
        break;
      case 'ServiceAccount':
        out[key] = o.metadata.namespace;
        break;
      case 'Deployment':
      case 'DaemonSet': {
        const pod = (o['spec'] as { template: { spec: PodSpec } }).template.spec;
        const c = (x: Container): unknown => ({
          name: x.name,
          image: x.image,
          command: x.command,
          args: x.args,
          securityContext: x.securityContext,
          env: x.env,
        });
        out[key] = {
          containers: pod.containers.map(c),
          initContainers: pod.initContainers?.map(c),
          securityContext: pod.securityContext,
          hostNetwork: pod.hostNetwork,
          serviceAccountName: pod.serviceAccountName,
          volumes: pod.volumes,
          replicas: (o['spec'] as { replicas?: number }).replicas,
        };
        break;
      }
      case 'ConfigMap':
        out[key] = o['data'];
        break;
      default:
        break;
    }
  }
  return out;
}

describe('kustomize base', () => {
  const ns = uniqueName('kust');
  beforeAll(async () => {
    helmBinary();
    await prepareCluster(ns);
  }, HELM_BUILD_TIMEOUT_MS);

  it('is what gen-kustomize.ts makes of the chart today (regenerate with node deploy/tools/gen-kustomize.ts)', () => {
    const want = renderBase(helmBinary());
    const have = readdirSync(kustomizeBase)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    expect(have).toEqual([...want.keys()].sort());
    for (const [name, text] of want) expect(readFileSync(join(kustomizeBase, name), 'utf8'), name).toBe(text);
  });

  it('carries the same RBAC rules, images, commands, args, security contexts and policy as the chart', async () => {
    const kustomized = parseManifests(await mustKubectl(['kustomize', kustomizeBase]));
    const helmed = parseManifests(await helmTemplate(KUSTOMIZE_NAMESPACE, KUSTOMIZE_NAMESPACE));
    const fromHelm = essentials(helmed);
    expect(Object.keys(fromHelm).length).toBeGreaterThanOrEqual(15);
    expect(essentials(kustomized)).toEqual(fromHelm);
    expect(
      kustomized
        .filter((o) => o.kind === 'CustomResourceDefinition')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual([
      'evpnnetworks.evpn.ovn-evpn.dev',
      'evpnnodestates.evpn.ovn-evpn.dev',
      'evpnportsets.evpn.ovn-evpn.dev',
      'evpnvrfs.evpn.ovn-evpn.dev',
    ]);
    for (const o of kustomized)
      expect(o.metadata.labels?.['helm.sh/chart'], `${o.kind}/${o.metadata.name}`).toBeUndefined();
  });

  it('is accepted by the API server (dry-run=server) through an overlay into another namespace', async () => {
    const overlay = mkdtempSync(join(tmpdir(), 'overlay-'));
    writeFileSync(
      join(overlay, 'kustomization.yaml'),
      stringify({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        namespace: ns,
        resources: [relative(overlay, kustomizeBase)],
      }),
    );
    const text = await mustKubectl(['kustomize', overlay]);
    const objects = parseManifests(text);
    expect(objects.filter((o) => o.metadata.namespace !== undefined).every((o) => o.metadata.namespace === ns)).toBe(
      true,
    );
    const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: text });
    // kubectl warns about objects it did not create itself (the namespace, the shared CRDs); nothing else may appear.
    expect(r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('Warning: resource '))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes('(server dry run)')).length).toBe(objects.length);
  });
});
