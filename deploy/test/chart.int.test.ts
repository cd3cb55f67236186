// The Helm chart against the real API server: lint, render every
// values_overrides file and have the API server accept each object
// (--dry-run=server validates against the real schemas and admission), the
// schema refuse bad values, and `lookup` keep an edited ASN ConfigMap across a
// real install/upgrade.
import { readdirSync } from 'node:fs';
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
} from './deploy-env.ts';

const overrides = readdirSync(overridesDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const valueSets: [string, string[]][] = [
  ['defaults', []],
  ...overrides.map((f): [string, string[]] => [f, ['-f', join(overridesDir, f)]]),
];

describe('helm chart', () => {
  const ns = uniqueName('chart');

  beforeAll(async () => {
    helmBinary();
    await prepareCluster(ns);
  }, HELM_BUILD_TIMEOUT_MS);

  it('has the three values_overrides (example, production, minimal)', () => {
    expect(overrides).toEqual(['evpn.yaml', 'example.yaml', 'production.yaml']);
  });

  it.each(valueSets)('passes helm lint --strict with %s', async (_name, args) => {
    const r = await run(helmBinary(), ['lint', chartDir, '--strict', ...args]);
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  it.each(valueSets)('renders %s into objects the API server accepts (dry-run=server)', async (_name, args) => {
    const text = await helmTemplate(uniqueName('rel'), ns, args);
    const objects = parseManifests(text);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const k of [
      'Deployment',
      'DaemonSet',
      'ClusterRole',
      'Role',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
      'PriorityClass',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'Service',
      'ConfigMap',
      'ServiceAccount',
    ]) {
      expect(kinds, `${k} rendered`).toContain(k);
    }
    const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: text });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes('(server dry run)')).length).toBe(objects.length);
  });

  it('keeps the operator restricted and the agent unprivileged by default', async () => {
    const objects = parseManifests(await helmTemplate('sec', ns));
    const deploy = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: {
        replicas: number;
        template: { spec: { containers: { args: string[]; securityContext: Record<string, unknown> }[] } };
      };
    };
    expect(deploy.spec.replicas).toBe(2);
    const op = deploy.spec.template.spec.containers[0];
    expect(op?.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 42494,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(op?.securityContext).not.toHaveProperty('capabilities.add');
    expect(op?.args).toContain('--leader-elect=true');
    // Today's data path unless asked (docs/backends.md); OVN writes happen only for ovn-backend networks.
    expect(op?.args).toEqual(expect.arrayContaining(['--default-backend=kernel', '--ovn-writes=true']));
    const ds = objects.find((o) => o.kind === 'DaemonSet') as unknown as {
      spec: {
        template: {
          spec: { hostNetwork: boolean; containers: { name: string; securityContext: Record<string, unknown> }[] };
        };
      };
    };
    expect(ds.spec.template.spec.hostNetwork).toBe(true);
    const agent = ds.spec.template.spec.containers.find((c) => c.name === 'node-agent');
    expect(agent?.securityContext).toMatchObject({
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] },
      readOnlyRootFilesystem: true,
    });
    expect(agent?.securityContext).not.toHaveProperty('privileged');
    const frr = ds.spec.template.spec.containers.find((c) => c.name === 'frr');
    expect(frr?.securityContext).not.toHaveProperty('privileged');
  });

  it('shares with the FRR sidecar what restart repair needs: the boot config the daemons read (-f) and their pid/vty sockets', async () => {
    type Container = { name: string; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] };
    const objects = parseManifests(await helmTemplate('frrboot', ns));
    const ds = objects.find((o) => o.kind === 'DaemonSet') as unknown as {
      spec: { template: { spec: { containers: Container[] } } };
    };
    const mounts = (name: string): Container['volumeMounts'] =>
      ds.spec.template.spec.containers.find((c) => c.name === name)?.volumeMounts;
    for (const c of ['frr', 'node-agent']) {
      expect(mounts(c), c).toContainEqual({ name: 'frr-conf', mountPath: '/etc/frr' });
      expect(mounts(c), c).toContainEqual({ name: 'frr-run', mountPath: '/var/run/frr' });
    }
    const etc = objects.find(
      (o) => o.kind === 'ConfigMap' && (o as { metadata: { name: string } }).metadata.name.endsWith('-etc'),
    ) as unknown as { data: Record<string, string> };
    const agentConfig = JSON.parse(etc.data['node-agent.json'] ?? '{}') as {
      frr?: { configPath?: string; bootConfigPath?: string };
    };
    expect(agentConfig.frr).toEqual({ configPath: '/var/lib/ovn-evpn/frr.conf', bootConfigPath: '/etc/frr/frr.conf' });
  });

  it('gives the agent SYS_ADMIN only for netns, and privileged only when asked', async () => {
    const containers = async (set: string): Promise<{ name: string; securityContext: Record<string, unknown> }[]> => {
      const ds = parseManifests(await helmTemplate('sec', ns, ['--set', set])).find(
        (o) => o.kind === 'DaemonSet',
      ) as unknown as {
        spec: { template: { spec: { containers: { name: string; securityContext: Record<string, unknown> }[] } } };
      };
      return ds.spec.template.spec.containers;
    };
    expect(
      (await containers('nodeAgent.netns.enabled=true')).find((c) => c.name === 'node-agent')?.securityContext,
    ).toMatchObject({ capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN'] } });
    expect(
      (await containers('nodeAgent.privileged=true')).find((c) => c.name === 'node-agent')?.securityContext,
    ).toEqual({ privileged: true });
  });

  it('mounts only the ovsdb-server socket into the agent, and nothing of OVS when it is off', async () => {
    type Pod = {
      containers: {
        name: string;
        args?: string[];
        volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
      }[];
      volumes: { name: string; hostPath?: { path: string; type: string } }[];
    };
    const pod = async (args: string[]): Promise<Pod> =>
      (
        parseManifests(await helmTemplate('ovs', ns, args)).find((o) => o.kind === 'DaemonSet') as unknown as {
          spec: { template: { spec: Pod } };
        }
      ).spec.template.spec;
    const on = await pod([]);
    const agent = on.containers.find((c) => c.name === 'node-agent');
    expect(agent?.args).toContain('--ovsdb=unix:/run/openvswitch/db.sock');
    const ovsMounts = (agent?.volumeMounts ?? []).filter((m) => m.mountPath.includes('openvswitch'));
    // The directory, read-only: a socket file mounted alone keeps the old inode after an ovsdb-server restart.
    expect(ovsMounts).toEqual([{ name: 'ovsdb-run', mountPath: '/run/openvswitch', readOnly: true }]);
    expect(on.volumes.filter((v) => v.hostPath?.path.includes('openvswitch'))).toEqual([
      { name: 'ovsdb-run', hostPath: { path: '/run/openvswitch', type: 'Directory' } },
    ]);
    for (const c of on.containers.filter((x) => x.name !== 'node-agent'))
      expect(JSON.stringify(c.volumeMounts ?? [])).not.toContain('openvswitch');
    const off = await pod(['--set', 'nodeAgent.ovs.enabled=false']);
    expect(off.containers.find((c) => c.name === 'node-agent')?.args).toContain('--no-ovs');
    expect(JSON.stringify(off)).not.toContain('openvswitch');
  });

  it('wires ssl: OVN connections from a Secret, and refuses ssl: without one', async () => {
    type Pod = {
      spec: {
        containers: {
          name: string;
          args: string[];
          volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
        }[];
        volumes: { name: string; secret?: { secretName: string } }[];
      };
    };
    const operatorPod = async (sets: string[]): Promise<Pod> =>
      (
        parseManifests(
          await helmTemplate(
            'ssl',
            ns,
            sets.flatMap((x) => ['--set', x]),
          ),
        ).find((o) => o.kind === 'Deployment') as unknown as { spec: { template: Pod } }
      ).spec.template;
    const plain = await operatorPod([]);
    expect(plain.spec.containers[0]?.args.some((a) => a.startsWith('--ovsdb-'))).toBe(false);
    const pod = await operatorPod([
      'operator.ovn.nbConnection=ssl:10.0.0.1:6641',
      'operator.ovn.sbConnection=ssl:10.0.0.1:6642',
      'operator.ovn.ssl.secretName=ovn-client-tls',
    ]);
    const c = pod.spec.containers.find((x) => x.name === 'operator');
    expect(c?.args).toEqual(
      expect.arrayContaining([
        '--ovn-nb=ssl:10.0.0.1:6641',
        '--ovsdb-private-key=/etc/ovn-evpn/ovsdb-ssl/tls.key',
        '--ovsdb-certificate=/etc/ovn-evpn/ovsdb-ssl/tls.crt',
        '--ovsdb-ca-cert=/etc/ovn-evpn/ovsdb-ssl/ca.crt',
      ]),
    );
    expect(c?.volumeMounts).toContainEqual({ name: 'ovsdb-ssl', mountPath: '/etc/ovn-evpn/ovsdb-ssl', readOnly: true });
    expect(pod.spec.volumes.find((v) => v.name === 'ovsdb-ssl')?.secret?.secretName).toBe('ovn-client-tls');
    const r = await run(helmBinary(), [
      'template',
      'bad',
      chartDir,
      '--set',
      'operator.ovn.nbConnection=ssl:10.0.0.1:6641',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('needs operator.ovn.ssl.secretName');
  });

  it('passes the backend default and the OVN write switch to the operator', async () => {
    const objects = parseManifests(
      await helmTemplate('be', ns, ['--set', 'operator.defaultBackend=ovn', '--set', 'operator.ovn.writes=false']),
    );
    const deploy = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    expect(deploy.spec.template.spec.containers[0]?.args).toEqual(
      expect.arrayContaining(['--default-backend=ovn', '--ovn-writes=false']),
    );
  });

  it('takes OVN member lists, as one comma-separated string or as a list, and the expected server name', async () => {
    type Deployment = { spec: { template: { spec: { containers: { name: string; args: string[] }[] } } } };
    const args = async (sets: string[]): Promise<string[]> =>
      (
        parseManifests(await helmTemplate('members', ns, sets)).find(
          (o) => o.kind === 'Deployment',
        ) as unknown as Deployment
      ).spec.template.spec.containers.find((c) => c.name === 'operator')?.args ?? [];
    const asList = await args([
      '--set',
      'operator.ovn.nbConnection={ssl:10.0.0.1:6641,ssl:10.0.0.2:6641,ssl:[fd00::3]:6641}',
      '--set-string',
      'operator.ovn.sbConnection=tcp:10.0.0.1:6642\\,tcp:10.0.0.2:6642\\,tcp:10.0.0.3:6642',
      '--set',
      'operator.ovn.ssl.secretName=ovn-client-tls',
      '--set',
      'operator.ovn.ssl.serverName=ovn-ovsdb.openstack.svc',
    ]);
    expect(asList).toEqual(
      expect.arrayContaining([
        '--ovn-nb=ssl:10.0.0.1:6641,ssl:10.0.0.2:6641,ssl:[fd00::3]:6641',
        '--ovn-sb=tcp:10.0.0.1:6642,tcp:10.0.0.2:6642,tcp:10.0.0.3:6642',
        '--ovsdb-ca-cert=/etc/ovn-evpn/ovsdb-ssl/ca.crt',
        '--ovsdb-server-name=ovn-ovsdb.openstack.svc',
      ]),
    );
    // An ssl: member anywhere in a list needs the Secret.
    const r = await run(helmBinary(), [
      'template',
      'bad',
      chartDir,
      '--set',
      'operator.ovn.nbConnection={tcp:10.0.0.1:6641,ssl:10.0.0.2:6641}',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('needs operator.ovn.ssl.secretName');
  });

  it('keeps the agent API on loopback by default and closed: the token file is always passed and mounted (deploy/test/chart-agent-api.int.test.ts has the rest)', async () => {
    type Ds = {
      spec: {
        template: {
          spec: {
            containers: {
              name: string;
              args?: string[];
              volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
            }[];
          };
        };
      };
    };
    const agent = async (sets: string[]): Promise<Ds['spec']['template']['spec']['containers'][number] | undefined> =>
      (
        parseManifests(
          await helmTemplate(
            'api',
            ns,
            sets.flatMap((x) => ['--set', x]),
          ),
        ).find((o) => o.kind === 'DaemonSet') as unknown as Ds
      ).spec.template.spec.containers.find((c) => c.name === 'node-agent');
    const plain = await agent([]);
    expect(plain?.args).toContain('--http-addr=127.0.0.1:9410');
    expect(plain?.args).toContain('--api-token-file=/etc/ovn-evpn/agent-api/token');
    expect(plain?.volumeMounts).toContainEqual({
      name: 'agent-api-token',
      mountPath: '/etc/ovn-evpn/agent-api',
      readOnly: true,
    });
    const exposed = await agent(['nodeAgent.http.bindPodIp=true', 'nodeAgent.http.tokenSecretName=agent-api']);
    expect(exposed?.args).toEqual(
      expect.arrayContaining(['--http-addr=$(POD_IP):9410', '--api-token-file=/etc/ovn-evpn/agent-api/token']),
    );
    expect(exposed?.volumeMounts).toContainEqual({
      name: 'agent-api-token',
      mountPath: '/etc/ovn-evpn/agent-api',
      readOnly: true,
    });
  });

  it.each([
    ['bgp.peerIp=bogus', 'peerIp'],
    ['bgp.evpn.enabled=true', 'rrIps'],
    ['operator.ovn.nbConnection=ovn-nb:6641', 'nbConnection'],
    ['operator.ovn.nbConnection={tcp:10.0.0.1:6641,10.0.0.2:6641}', 'nbConnection'],
    ['operator.ovn.ssl.serverName=bad name', 'serverName'],
    ['nodeAgent.config.bridge=a-name-longer-than-15', 'bridge'],
    ['priorityClass.value=2000000000', 'value'],
    ['unknownKey=1', 'unknownKey'],
    ['operator.defaultBackend=ovs', 'defaultBackend'],
  ])('refuses %s through values.schema.json', async (set, field) => {
    const r = await run(helmBinary(), ['template', 'bad', chartDir, '--set', set]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(field);
  });

  it('refuses a ServiceMonitor when the cluster has no prometheus-operator CRD, renders it when it has', async () => {
    const without = await run(helmBinary(), [
      'template',
      'sm',
      chartDir,
      '--set',
      'monitoring.serviceMonitor.enabled=true',
      '--set',
      'nodeAgent.metrics.bindPodIp=true',
    ]);
    expect(without.code).not.toBe(0);
    expect(without.stderr).toContain('needs the ServiceMonitor CRD');
    const withCrd = await helmTemplate('sm', ns, [
      '--set',
      'monitoring.serviceMonitor.enabled=true',
      '--set',
      'nodeAgent.metrics.bindPodIp=true',
      '--api-versions',
      'monitoring.coreos.com/v1/ServiceMonitor',
    ]);
    expect(parseManifests(withCrd).some((o) => o.kind === 'ServiceMonitor')).toBe(true);
  });

  it('creates the ASN mapping ConfigMap once and keeps an edited one across helm upgrade (lookup)', async () => {
    const release = uniqueName('asn');
    const cm = `${release}-ovn-evpn-asn`;
    const install = await helm([
      'install',
      release,
      chartDir,
      '--namespace',
      ns,
      '--skip-crds',
      '--set-json',
      'bgp.asnMapping={"10.0.192.0/24":"65001"}',
    ]);
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    try {
      const first = JSON.parse(
        await mustKubectl(['-n', ns, 'get', 'configmap', cm, '-o', 'jsonpath={.data.mapping\\.json}']),
      ) as unknown;
      expect(first).toEqual({ '10.0.192.0/24': '65001' });
      // An operator adds a rack by hand...
      const edited = JSON.stringify({ '10.0.192.0/24': '65001', '10.0.193.0/24': '65002' });
      await mustKubectl([
        '-n',
        ns,
        'patch',
        'configmap',
        cm,
        '--type',
        'merge',
        '-p',
        JSON.stringify({ data: { 'mapping.json': edited } }),
      ]);
      // ...and an upgrade with other values must not undo it.
      const upgrade = await helm([
        'upgrade',
        release,
        chartDir,
        '--namespace',
        ns,
        '--skip-crds',
        '--set-json',
        'bgp.asnMapping={"10.9.9.0/24":"65099"}',
      ]);
      expect(upgrade.code, upgrade.stderr).toBe(0);
      const after = await mustKubectl(['-n', ns, 'get', 'configmap', cm, '-o', 'jsonpath={.data.mapping\\.json}']);
      expect(JSON.parse(after)).toEqual({ '10.0.192.0/24': '65001', '10.0.193.0/24': '65002' });
    } finally {
      await helm(['uninstall', release, '--namespace', ns]);
    }
    const gone = await kubectl(['-n', ns, 'get', 'configmap', cm]);
    expect(gone.code).not.toBe(0);
  });
});
