// The CRDs against the real kube-apiserver: they install, the server itself
// accepts and refuses the validation table with its EVPN-00x codes, and kubectl
// shows the printer columns.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubectl, uniqueName } from '../test/harness/cluster/kube-test-env.ts';
import { API_GROUP_VERSION } from './api-group.ts';
import { validationCases } from '../test/fixtures/crds/api-validation-cases.ts';

const generatedDir = join(import.meta.dirname, 'generated');

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  for (const f of readdirSync(generatedDir)) await ok(['apply', '--server-side', '-f', join(generatedDir, f)]);
  await ok(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '-l', 'app.kubernetes.io/part-of=ovn-evpn']);
});

describe('CRDs in the real API server', () => {
  it('are established and served under evpn.ovn-evpn.dev/v1alpha1', async () => {
    const out = await ok(['api-resources', '--api-group=evpn.ovn-evpn.dev', '-o', 'name']);
    expect(out.split('\n').filter(Boolean).sort()).toEqual([
      'evpnnetworks.evpn.ovn-evpn.dev',
      'evpnnodestates.evpn.ovn-evpn.dev',
      'evpnportsets.evpn.ovn-evpn.dev',
      'evpnvrfs.evpn.ovn-evpn.dev',
    ]);
  });

  it.each(validationCases)('server validation: $name', async (c) => {
    const obj = { apiVersion: API_GROUP_VERSION, kind: c.kind, metadata: { name: uniqueName('v') }, spec: c.spec };
    const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: stringify(obj) });
    if (c.rejectedWith === undefined) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    } else {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(c.rejectedWith);
    }
  });

  // The example l2 association (vni 10100): the network's VNI is the L2VNI, its VRF's L3VNI is 10100 + the offset, the table 10100 + 1000000.
  it('shows NAME, VNI, TYPE, VLAN, VRF, BACKEND, READY and AGE for networks, NAME, L3VNI, TABLE, BACKEND for VRFs, and the evpn category lists every kind', async () => {
    const vrf = uniqueName('vrf');
    const net = uniqueName('net');
    await ok(
      ['apply', '-f', '-'],
      stringify({
        apiVersion: API_GROUP_VERSION,
        kind: 'EvpnVrf',
        metadata: { name: vrf },
        spec: { vni: 1010100, routingTable: 1010100, backend: 'ovn' },
      }),
    );
    await ok(
      ['apply', '-f', '-'],
      stringify({
        apiVersion: API_GROUP_VERSION,
        kind: 'EvpnNetwork',
        metadata: { name: net },
        spec: { type: 'l2', vni: 10100, vrf, vlanId: 100, routeTargets: ['65000:10100'] },
      }),
    );
    await ok([
      'patch',
      'evpnnetwork',
      net,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { ready: '2/2', readyNodes: 2, totalNodes: 2, backend: 'kernel' } }),
    ]);
    await ok([
      'patch',
      'evpnvrf',
      vrf,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { ready: '2/2', routingTable: 1010100, networkCount: 1, backend: 'ovn' } }),
    ]);

    const nets = (await ok(['get', 'evpnnetworks', net])).split('\n');
    expect(nets[0]?.split(/\s+/)).toEqual(['NAME', 'VNI', 'TYPE', 'VLAN', 'VRF', 'BACKEND', 'READY', 'AGE']);
    expect(nets[1]?.split(/\s+/).slice(0, 7)).toEqual([net, '10100', 'l2', '100', vrf, 'kernel', '2/2']);

    const vrfs = (await ok(['get', 'evpnvrfs', vrf])).split('\n');
    expect(vrfs[0]?.split(/\s+/)).toEqual(['NAME', 'L3VNI', 'TABLE', 'NETWORKS', 'BACKEND', 'READY', 'AGE']);
    expect(vrfs[1]?.split(/\s+/).slice(0, 6)).toEqual([vrf, '1010100', '1010100', '1', 'ovn', '2/2']);

    const all = await ok(['get', 'evpn']);
    expect(all).toContain(`evpnnetwork.evpn.ovn-evpn.dev/${net}`);
    expect(all).toContain(`evpnvrf.evpn.ovn-evpn.dev/${vrf}`);
    expect(await ok(['get', 'enet', net, '-o', 'name'])).toContain(net);

    const described = await ok(['describe', 'evpnvrf', vrf]);
    expect(described).toMatch(/Vni:\s+1010100\n/);
    expect(described).toMatch(/Routing Table:\s+1010100\n/);
    expect(described).toMatch(/Backend:\s+ovn\n/);
    await ok(['delete', 'evpnnetwork', net]);
    await ok(['delete', 'evpnvrf', vrf]);
  });
});
