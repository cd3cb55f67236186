// bin/kubectl-evpn against the real API server: run as a kubectl plugin
// (kubectl finds kubectl-evpn on PATH), reading the kubeconfig like kubectl.
// The shared cluster holds other tests' objects too, so every assertion is
// about this file's own uniquely named objects.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubectl, kubectlPath, kubeconfigPath, uniqueName } from '../../test/harness/cluster/kube-test-env.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const plugin = join(repo, 'bin/kubectl-evpn');
const apiVersion = 'evpn.ovn-evpn.dev/v1alpha1';

function run(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(file, [...args], { env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      res({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

/** `kubectl evpn ...`: kubectl's plugin lookup on PATH, KUBECONFIG from the environment. */
const kubectlEvpn = (args: readonly string[]): ReturnType<typeof run> =>
  run(kubectlPath(), ['evpn', ...args], {
    ...process.env,
    PATH: `${join(repo, 'bin')}:${process.env['PATH'] ?? ''}`,
    KUBECONFIG: kubeconfigPath(),
  });

async function must(args: readonly string[], input: string): Promise<void> {
  const r = await kubectl(args, { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
}

describe('kubectl evpn', () => {
  const id = uniqueName('t');
  const vni = 100_000 + Math.floor(Math.random() * 1_000_000);
  const vlan = 2 + Math.floor(Math.random() * 4000);
  const vrfName = `vrf-${vni}`;
  const netName = `${id}-net`;
  const neutronId = `${id}-neutron-uuid`;
  const node = `${id}-worker`;
  const synced = `${id}-synced`;
  const stale = `${id}-stale`;

  beforeAll(async () => {
    await must(['apply', '--server-side', '--force-conflicts', '-f', join(repo, 'crds/generated')], '');
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/evpnnodestates.evpn.ovn-evpn.dev']);
    const objects = [
      { apiVersion, kind: 'EvpnVrf', metadata: { name: vrfName }, spec: { vni, routeTargets: ['65000:1'] } },
      {
        apiVersion,
        kind: 'EvpnNetwork',
        metadata: { name: netName },
        spec: {
          type: 'l2',
          vni: vni + 1,
          vlanId: vlan,
          vrf: vrfName,
          routeTargets: ['65000:7'],
          subnets: [{ cidr: '10.77.0.0/24', gateway: '10.77.0.1' }],
          source: { association: 'network', networkId: neutronId },
        },
      },
      {
        apiVersion,
        kind: 'EvpnPortSet',
        metadata: { name: `${netName}.${node}` },
        spec: {
          network: netName,
          nodeName: node,
          ports: [
            { name: 'p1', mac: '02:00:00:00:00:01', ips: ['10.77.0.10'] },
            { name: 'p2', mac: '02:00:00:00:00:02' },
          ],
        },
      },
      { apiVersion, kind: 'EvpnNodeState', metadata: { name: node }, spec: { nodeName: node } },
    ];
    await must(['apply', '-f', '-'], objects.map((o) => stringify(o)).join('---\n'));
    const status = {
      vtepIp: '10.0.192.111',
      asn: 4200049263,
      lastSyncTime: new Date().toISOString(),
      syncDurationMs: 23_500,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Degraded',
          message: 'one network failed',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
      frr: { running: true, peersEstablished: 1, peersTotal: 2 },
      vrfs: [{ name: vrfName, vni, ready: true, devices: [`vrf-${vni}`] }],
      networks: [
        {
          name: netName,
          ready: false,
          reason: 'FrrFailed',
          message: 'EVPN-006: frr-reload failed',
          localPorts: 2,
          fdbEntries: 2,
          neighbors: 1,
          remoteVteps: 3,
        },
      ],
    };
    await must(
      ['patch', 'evpnnodestate', node, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })],
      '',
    );
  });

  it('is found by kubectl as a plugin and prints its help', async () => {
    const r = await kubectlEvpn(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kubectl evpn plan -f manifest.yaml');
    expect(r.stdout).toContain('It needs\nno access to any node');
  });

  it('lists networks like ovn-evpn-show networks', async () => {
    const r = await kubectlEvpn(['networks']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^NETWORK ID\s+VNI\s+TYPE\s+VLAN\s+VRF\s+L3VNI\s+PORTS\s+READY$/);
    const row = r.stdout.split('\n').find((l) => l.startsWith(netName));
    expect(row?.split(/\s+/)).toEqual([netName, String(vni + 1), 'l2', String(vlan), vrfName, String(vni), '2', '0/1']);
  });

  it('lists VRFs with their table and member networks', async () => {
    const r = await kubectlEvpn(['vrfs']);
    const row = r.stdout.split('\n').find((l) => l.startsWith(`${vrfName} `));
    expect(row?.split(/\s+/)).toEqual([vrfName, String(vni), String(vni + 1_000_000), '1', netName, '1/1']);
  });

  it('shows one network by name or by Neutron UUID, with per-node results', async () => {
    for (const key of [netName, neutronId]) {
      const r = await kubectlEvpn(['network', key]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Network:              ${netName}`);
      expect(r.stdout).toContain(`VRF:                  ${vrfName} (L3VNI ${vni}, table ${vni + 1_000_000})`);
      expect(r.stdout).toContain(`Source:               network association of network ${neutronId}`);
      expect(r.stdout).toMatch(
        new RegExp(`${node}\\s+false\\s+2\\s+2\\s+1\\s+-\\s+3\\s+-\\s+FrrFailed: EVPN-006: frr-reload failed`),
      );
    }
    const missing = await kubectlEvpn(['network', `${id}-nope`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('EVPN-003');
  });

  it('summarises status like ovn-bgp-agent-status, one line per node', async () => {
    const r = await kubectlEvpn(['status']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^EVPN Status\n===========\nActive Networks: \d+ \(L2: \d+, L3: \d+\)/);
    expect(r.stdout).toMatch(
      new RegExp(
        `${node}\\s+False\\s+10\\.0\\.192\\.111\\s+4200049263\\s+1/1\\s+0/1\\s+2\\s+1/2\\s+\\d+s ago\\s+23\\.5s`,
      ),
    );
    expect(r.stdout).toMatch(new RegExp(`${node}\\s+${netName}\\s+FrrFailed\\s+EVPN-006: frr-reload failed`));
  });

  // Two more nodes for plan, made by its first test (the views' tests above count nodes):
  // one in sync (both objects applied at the cluster's generation), one that still has a network gone from the cluster.
  let planNodes: Promise<void> | undefined;
  const makePlanNodes = (): Promise<void> =>
    (planNodes ??= (async () => {
      const generation = async (kind: string, name: string): Promise<number> =>
        Number((await kubectl(['get', kind, name, '-o', 'jsonpath={.metadata.generation}'])).stdout);
      const vrfResult = {
        name: vrfName,
        generation: await generation('evpnvrf', vrfName),
        vni,
        ready: true,
        devices: [`vrf-${vni}`, `br3-${vni}`, `vx3-${vni}`],
      };
      const netResult = {
        name: netName,
        generation: await generation('evpnnetwork', netName),
        vni: vni + 1,
        vlanId: vlan,
        ready: true,
        devices: [`vxlan-${vni + 1}`, `br-evpn.${vlan}`],
      };
      const goneVlan = vlan === 4094 ? 4093 : vlan + 1;
      for (const [name, networks] of [
        [synced, [netResult]],
        [
          stale,
          [
            netResult,
            {
              name: `${id}-gone`,
              vni: vni + 5,
              vlanId: goneVlan,
              ready: true,
              devices: [`vxlan-${vni + 5}`, `br-evpn.${goneVlan}`],
            },
          ],
        ],
      ] as const) {
        await must(
          ['apply', '-f', '-'],
          stringify({ apiVersion, kind: 'EvpnNodeState', metadata: { name }, spec: { nodeName: name } }),
        );
        const s = {
          vtepIp: name === synced ? '10.0.192.112' : '10.0.192.113',
          asn: 4200049263,
          lastSyncTime: new Date().toISOString(),
          vrfs: [vrfResult],
          networks,
        };
        await must(
          ['patch', 'evpnnodestate', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: s })],
          '',
        );
      }
    })());

  it("plans a manifest per node from the cluster's objects without applying it", async () => {
    await makePlanNodes();
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    const file = join(dir, 'change.yaml');
    writeFileSync(
      file,
      stringify({
        apiVersion,
        kind: 'EvpnNetwork',
        metadata: { name: netName },
        spec: {
          type: 'l2',
          vni: vni + 2,
          vlanId: vlan,
          vrf: vrfName,
          routeTargets: ['65000:7'],
          subnets: [{ cidr: '10.77.0.0/24', gateway: '10.77.0.1' }],
        },
      }),
    );
    const r = await kubectlEvpn(['plan', '-f', file]);
    expect(r.code, r.stderr).toBe(0);
    // The node in sync replaces the VXLAN of the old VNI.
    const section = r.stdout.split('\n\n').find((s) => s.startsWith(`Node ${synced} `)) ?? '';
    expect(section).toContain(`Node ${synced} (VTEP 10.0.192.112, AS 4200049263)`);
    expect(section).toContain('from: what the node reports applied (EvpnNodeState, last sync');
    expect(section).toContain(`- link vxlan-${vni + 1}`);
    expect(section).toContain(`+ link vxlan-${vni + 2} (vxlan, vni ${vni + 2} local 10.0.192.112, master br-evpn`);
    expect(section).toContain(`-   vni ${vni + 1}`);
    // The node that failed the network has no old VXLAN to delete: it creates the new one and applies the network.
    const failed = r.stdout.split('\n\n').find((s) => s.startsWith(`Node ${node} `)) ?? '';
    expect(failed).toContain(`Node ${node} (VTEP 10.0.192.111, AS 4200049263)`);
    expect(failed).not.toContain(`- link vxlan-${vni + 1}`);
    expect(failed).toContain(`+ link vxlan-${vni + 2} (vxlan, vni ${vni + 2} local 10.0.192.111, master br-evpn`);
    expect(failed).toContain(`EvpnNetwork ${netName}: FrrFailed: EVPN-006: frr-reload failed -> applied`);
    expect(r.stdout).toContain('Nothing was applied.');
    // Really nothing was applied.
    const still = await kubectl(['get', 'evpnnetwork', netName, '-o', 'jsonpath={.spec.vni}']);
    expect(still.stdout).toBe(String(vni + 1));
  });

  it('plans without a manifest what each node still has to change: nothing in sync, deletions of what is gone', async () => {
    await makePlanNodes();
    const r = await kubectlEvpn(['plan', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const plans = JSON.parse(r.stdout) as {
      node: { name: string };
      basis: { reported: boolean; notes: string[] };
      kernel: { linkDeletes: string[]; linkCreates: { link: { name: string } }[] };
      frr: string[];
      objects: unknown[];
    }[];
    const of = (name: string) => plans.find((p) => p.node.name === name);
    // Other tests' objects share the cluster: only this file's devices are asserted.
    const mine = (names: readonly string[]): string[] =>
      names
        .filter(
          (n) =>
            n.endsWith(String(vni + 1)) ||
            n.endsWith(String(vni + 5)) ||
            n.endsWith(`.${vlan}`) ||
            n.endsWith(`-${vni}`),
        )
        .sort();
    expect(mine(of(synced)?.kernel.linkDeletes ?? [])).toEqual([]);
    expect(mine(of(synced)?.kernel.linkCreates.map((c) => c.link.name) ?? [])).toEqual([]);
    const goneVlan = vlan === 4094 ? 4093 : vlan + 1;
    expect(of(stale)?.kernel.linkDeletes).toEqual(expect.arrayContaining([`vxlan-${vni + 5}`, `br-evpn.${goneVlan}`]));
    expect(of(stale)?.objects).toContainEqual({
      kind: 'EvpnNetwork',
      name: `${id}-gone`,
      before: 'applied',
      after: 'absent',
    });
    expect(of(stale)?.basis.notes).toContain(
      `EvpnNetwork ${id}-gone: gone from the cluster, still applied on the node`,
    );
    // FRR drops the gone network's L2VNI block too, on that node only.
    expect(of(stale)?.frr).toEqual(expect.arrayContaining([`-   vni ${vni + 5}`, '-   exit-vni']));
    expect(of(synced)?.frr).not.toContain(`-   vni ${vni + 5}`);
    const text = await kubectlEvpn(['plan']);
    const staleText = text.stdout.split('\n\n').find((s) => s.startsWith(`Node ${stale} `));
    expect(staleText).toContain(`- link vxlan-${vni + 5}`);
    expect(staleText).toContain(`-   vni ${vni + 5}`);
  });

  it('reads the kubeconfig from --kubeconfig when KUBECONFIG is not set', async () => {
    const env = { ...process.env };
    delete env['KUBECONFIG'];
    const r = await run(plugin, ['vrfs', '--kubeconfig', kubeconfigPath()], {
      ...env,
      HOME: mkdtempSync(join(tmpdir(), 'home-')),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(vrfName);
    const bad = await run(plugin, ['vrfs', '--kubeconfig', join(tmpdir(), 'does-not-exist')], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('cannot read the EVPN objects');
  });

  it('refuses an invalid manifest before talking to the cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, stringify({ apiVersion, kind: 'EvpnVrf', metadata: { name: 'x' }, spec: { vni: 0 } }));
    const r = await kubectlEvpn(['plan', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('EvpnVrf/x is invalid: spec.vni: EVPN-001');
  });
});
