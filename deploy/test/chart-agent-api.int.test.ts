// The chart's side of "the agent API is closed by default" (issue 24 item 2):
// the agent always gets a token file, from the chart's own random Secret (kept
// across a real install/upgrade, through lookup against the real API server)
// or from a Secret the values name; the chart refuses the API on the node IP
// without a Secret of your own, production values ship with one, and metrics
// are scraped from their own listener, which a ServiceMonitor requires on the
// node IP.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubectl, uniqueName } from '../../test/harness/cluster/kube-test-env.ts';
import {
  chartDir,
  HELM_BUILD_TIMEOUT_MS,
  helm,
  helmBinary,
  helmTemplate,
  mustKubectl,
  overridesDir,
  parseManifests,
  prepareCluster,
  run,
  type K8sObject,
} from './deploy-env.ts';

interface Container {
  name: string;
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  containers: Container[];
  volumes: { name: string; secret?: { secretName: string; optional?: boolean; defaultMode?: number } }[];
}

const daemonSet = (objects: readonly K8sObject[]): PodSpec =>
  (objects.find((o) => o.kind === 'DaemonSet') as unknown as { spec: { template: { spec: PodSpec } } }).spec.template
    .spec;
const agentOf = (pod: PodSpec): Container | undefined => pod.containers.find((c) => c.name === 'node-agent');
const secrets = (objects: readonly K8sObject[]): (K8sObject & { data?: Record<string, string> })[] =>
  objects.filter((o) => o.kind === 'Secret');
const sets = (...pairs: string[]): string[] => pairs.flatMap((p) => ['--set', p]);

describe('helm chart: the agent API token and the metrics listener', () => {
  const ns = uniqueName('chartapi');

  beforeAll(async () => {
    helmBinary();
    await prepareCluster(ns);
  }, HELM_BUILD_TIMEOUT_MS);

  it('by default generates a random token Secret and mounts it into the agent, whose API stays on loopback', async () => {
    const objects = parseManifests(await helmTemplate('tok', ns));
    const [secret, ...more] = secrets(objects);
    expect(more).toEqual([]);
    expect(secret?.metadata.name).toBe('tok-ovn-evpn-node-agent-api-token');
    const token = Buffer.from(secret?.data?.['token'] ?? '', 'base64').toString('utf8');
    expect(token).toMatch(/^[A-Za-z0-9]{48}$/);
    // Random per render without a release to look up: two renders, two tokens.
    const again = secrets(parseManifests(await helmTemplate('tok', ns)))[0]?.data?.['token'];
    expect(again).not.toBe(secret?.data?.['token']);
    const pod = daemonSet(objects);
    expect(pod.volumes.find((v) => v.name === 'agent-api-token')?.secret).toEqual({
      secretName: 'tok-ovn-evpn-node-agent-api-token',
      defaultMode: 0o400,
      optional: true,
    });
    const agent = agentOf(pod);
    expect(agent?.args).toEqual(
      expect.arrayContaining([
        '--http-addr=127.0.0.1:9410',
        '--api-token-file=/etc/ovn-evpn/agent-api/token',
        '--metrics-addr=127.0.0.1:9411',
      ]),
    );
    expect(agent?.volumeMounts).toContainEqual({
      name: 'agent-api-token',
      mountPath: '/etc/ovn-evpn/agent-api',
      readOnly: true,
    });
    for (const c of pod.containers.filter((x) => x.name !== 'node-agent'))
      expect(JSON.stringify(c.volumeMounts ?? []), c.name).not.toContain('agent-api');
  });

  it('refuses bindPodIp without a token Secret of your own, and takes it with one (no generated Secret then)', async () => {
    const r = await run(helmBinary(), ['template', 'bad', chartDir, ...sets('nodeAgent.http.bindPodIp=true')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      "nodeAgent.http.bindPodIp: the agent API on the node's IP needs nodeAgent.http.tokenSecretName",
    );
    const objects = parseManifests(
      await helmTemplate(
        'own',
        ns,
        sets('nodeAgent.http.bindPodIp=true', 'nodeAgent.http.tokenSecretName=my-agent-token'),
      ),
    );
    expect(secrets(objects)).toEqual([]);
    const pod = daemonSet(objects);
    expect(pod.volumes.find((v) => v.name === 'agent-api-token')?.secret?.secretName).toBe('my-agent-token');
    expect(agentOf(pod)?.args).toEqual(
      expect.arrayContaining(['--http-addr=$(POD_IP):9410', '--api-token-file=/etc/ovn-evpn/agent-api/token']),
    );
  });

  it('ships production values with the API on the node IP behind a named token Secret, and metrics scrapable', async () => {
    const objects = parseManifests(await helmTemplate('prod', ns, ['-f', join(overridesDir, 'production.yaml')]));
    expect(secrets(objects)).toEqual([]);
    const pod = daemonSet(objects);
    expect(pod.volumes.find((v) => v.name === 'agent-api-token')?.secret?.secretName).toBe('ovn-evpn-agent-api');
    expect(agentOf(pod)?.args).toEqual(
      expect.arrayContaining([
        '--http-addr=$(POD_IP):9410',
        '--api-token-file=/etc/ovn-evpn/agent-api/token',
        '--metrics-addr=$(POD_IP):9411',
      ]),
    );
  });

  it('points the metrics Service at the metrics listener, and a ServiceMonitor needs it on the node IP', async () => {
    const objects = parseManifests(await helmTemplate('mon', ns));
    const svc = objects.find(
      (o) => o.kind === 'Service' && o.metadata.name === 'mon-ovn-evpn-node-agent-metrics',
    ) as unknown as { spec: { ports: { name: string; port: number; targetPort: string }[] } };
    expect(svc.spec.ports).toContainEqual({ name: 'metrics', port: 9411, targetPort: 'metrics', protocol: 'TCP' });
    expect(svc.spec.ports.some((p) => p.targetPort === 'http')).toBe(false);
    expect(agentOf(daemonSet(objects))?.ports).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'metrics', containerPort: 9411 })]),
    );
    const crd = ['--api-versions', 'monitoring.coreos.com/v1/ServiceMonitor'];
    const refused = await run(helmBinary(), [
      'template',
      'mon',
      chartDir,
      ...crd,
      ...sets('monitoring.serviceMonitor.enabled=true'),
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('set nodeAgent.metrics.bindPodIp=true so Prometheus can scrape it');
    const ok = parseManifests(
      await helmTemplate('mon', ns, [
        ...crd,
        ...sets('monitoring.serviceMonitor.enabled=true', 'nodeAgent.metrics.bindPodIp=true'),
      ]),
    );
    expect(agentOf(daemonSet(ok))?.args).toEqual(
      expect.arrayContaining(['--metrics-addr=$(POD_IP):9411', '--http-addr=127.0.0.1:9410']),
    );
  });

  it('keeps the generated token across helm upgrade (lookup on the real API server), and removes it on uninstall', async () => {
    const release = uniqueName('tok');
    const name = `${release}-ovn-evpn-node-agent-api-token`;
    const read = async (): Promise<string> =>
      mustKubectl(['-n', ns, 'get', 'secret', name, '-o', 'jsonpath={.data.token}']);
    const install = await helm(['install', release, chartDir, '--namespace', ns, '--skip-crds']);
    expect(install.code, install.stderr).toBe(0);
    try {
      const first = await read();
      expect(Buffer.from(first, 'base64').toString('utf8')).toMatch(/^[A-Za-z0-9]{48}$/);
      const upgrade = await helm([
        'upgrade',
        release,
        chartDir,
        '--namespace',
        ns,
        '--skip-crds',
        ...sets('nodeAgent.logLevel=debug'),
      ]);
      expect(upgrade.code, upgrade.stderr).toBe(0);
      expect(await read()).toBe(first);
    } finally {
      await helm(['uninstall', release, '--namespace', ns]);
    }
    expect((await kubectl(['-n', ns, 'get', 'secret', name])).code).not.toBe(0);
  });
});
