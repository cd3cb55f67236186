// Least privilege, proven on the real API server: the chart's ServiceAccounts,
// RBAC and ValidatingAdmissionPolicy are really applied into a namespace of the
// test's own, then `kubectl auth can-i --as=system:serviceaccount:…` asks the
// authorizer, and impersonated writes (with the node-name user extra a bound
// service account token carries) go through admission.
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubectl, uniqueName } from '../../test/harness/cluster/kube-test-env.ts';
import {
  HELM_BUILD_TIMEOUT_MS,
  helmBinary,
  helmTemplate,
  mustKubectl,
  parseManifests,
  prepareCluster,
} from './deploy-env.ts';

const ns = uniqueName('rbac');
const release = uniqueName('r');
const agentSa = `system:serviceaccount:${ns}:${release}-ovn-evpn-node-agent`;
const operatorSa = `system:serviceaccount:${ns}:${release}-ovn-evpn-operator`;
const NODE_NAME_EXTRA = 'authentication.kubernetes.io/node-name';
const applied = new Set([
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
]);

async function canI(as: string, verb: string, resource: string, namespace = ns): Promise<boolean> {
  const r = await kubectl(['auth', 'can-i', verb, resource, `--as=${as}`, '-n', namespace]);
  if (r.code !== 0 && r.stdout.trim() !== 'no') throw new Error(`can-i ${verb} ${resource}: ${r.stderr}`);
  return r.stdout.trim() === 'yes';
}

function nodeState(name: string, nodeName = name): string {
  return stringify({
    apiVersion: 'evpn.ovn-evpn.dev/v1alpha1',
    kind: 'EvpnNodeState',
    metadata: { name },
    spec: { nodeName },
  });
}

/** Creates an EvpnNodeState as the agent's service account running on `node`. */
function createAsAgent(name: string, node: string | undefined, nodeName = name): ReturnType<typeof kubectl> {
  const extra = node === undefined ? [] : [`--as-user-extra=${NODE_NAME_EXTRA}=${node}`];
  return kubectl(['create', '-f', '-', `--as=${agentSa}`, '--as-group=system:serviceaccounts', ...extra], {
    input: nodeState(name, nodeName),
  });
}

describe('RBAC and admission policy', () => {
  beforeAll(async () => {
    helmBinary();
    await prepareCluster(ns);
    const objects = parseManifests(await helmTemplate(release, ns)).filter((o) => applied.has(o.kind));
    await mustKubectl(['apply', '-f', '-'], objects.map((o) => stringify(o)).join('---\n'));
  }, HELM_BUILD_TIMEOUT_MS);

  it.each([
    ['get', 'evpnnetworks'],
    ['list', 'evpnnetworks'],
    ['watch', 'evpnnetworks'],
    ['watch', 'evpnvrfs'],
    ['list', 'evpnportsets'],
    ['get', 'evpnnodestates'],
    ['create', 'evpnnodestates'],
    ['update', 'evpnnodestates/status'],
    ['create', 'events.events.k8s.io'],
    ['patch', 'events.events.k8s.io'],
  ])('lets the agent %s %s', async (verb, resource) => {
    expect(await canI(agentSa, verb, resource)).toBe(true);
  });

  it.each([
    ['create', 'evpnnetworks'],
    ['update', 'evpnnetworks'],
    ['patch', 'evpnnetworks'],
    ['delete', 'evpnnetworks'],
    ['update', 'evpnnetworks/status'],
    ['create', 'evpnvrfs'],
    ['delete', 'evpnvrfs'],
    ['update', 'evpnportsets'],
    ['delete', 'evpnnodestates'],
    ['create', 'configmaps'],
    ['get', 'secrets'],
    ['create', 'leases.coordination.k8s.io'],
    ['get', 'events.events.k8s.io'],
    ['list', 'events.events.k8s.io'],
    ['delete', 'events.events.k8s.io'],
    ['create', 'events'],
    ['update', 'nodes'],
    ['create', 'pods'],
  ])('refuses the agent %s %s', async (verb, resource) => {
    expect(await canI(agentSa, verb, resource)).toBe(false);
  });

  it.each([
    ['create', 'evpnnetworks'],
    ['update', 'evpnnetworks'],
    ['delete', 'evpnnetworks'],
    ['patch', 'evpnvrfs'],
    ['delete', 'evpnportsets'],
    ['create', 'evpnportsets'],
    ['update', 'evpnnetworks/status'],
    ['patch', 'evpnvrfs/status'],
    ['watch', 'evpnnodestates'],
    ['delete', 'evpnnodestates'],
    ['create', 'leases.coordination.k8s.io'],
    ['update', 'leases.coordination.k8s.io'],
    ['create', 'events.events.k8s.io'],
    ['list', 'nodes'],
  ])('lets the operator %s %s', async (verb, resource) => {
    expect(await canI(operatorSa, verb, resource)).toBe(true);
  });

  it.each([
    ['update', 'evpnnodestates'],
    ['update', 'evpnnodestates/status'],
    ['create', 'evpnnodestates'],
    ['get', 'secrets'],
    ['create', 'configmaps'],
    ['update', 'nodes'],
    ['create', 'pods'],
  ])('refuses the operator %s %s', async (verb, resource) => {
    expect(await canI(operatorSa, verb, resource)).toBe(false);
  });

  it("limits the operator's leases to its own namespace", async () => {
    expect(await canI(operatorSa, 'create', 'leases.coordination.k8s.io', ns)).toBe(true);
    expect(await canI(operatorSa, 'create', 'leases.coordination.k8s.io', 'kube-system')).toBe(false);
  });

  it("rejects an agent write to another node's EvpnNodeState, and accepts its own", async () => {
    const own = uniqueName('node-a');
    const other = uniqueName('node-b');
    // The policy is compiled asynchronously after it is created: wait until it bites.
    let denied = await createAsAgent(other, own);
    for (let i = 0; i < 60 && denied.code === 0; i++) {
      await mustKubectl(['delete', 'evpnnodestate', other]);
      await new Promise((r) => setTimeout(r, 500));
      denied = await createAsAgent(other, own);
    }
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(
      `a node agent may write only its own node's EvpnNodeState: node ${own} tried to write ${other}`,
    );

    const allowed = await createAsAgent(own, own);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);

    // Its own name but another node in spec.nodeName, and no node at all: refused.
    const wrongSpec = await createAsAgent(uniqueName('node-c'), undefined);
    expect(wrongSpec.code).not.toBe(0);
    expect(wrongSpec.stderr).toContain('carries no node name');
    const spoofed = await kubectl(
      ['apply', '-f', '-', `--as=${agentSa}`, `--as-user-extra=${NODE_NAME_EXTRA}=${own}`],
      { input: nodeState(own, other) },
    );
    expect(spoofed.code).not.toBe(0);
    expect(spoofed.stderr).toContain(`spec.nodeName must be the agent's own node ${own}`);

    // Status writes of another node's object are refused as well.
    await mustKubectl(['create', '-f', '-'], nodeState(other));
    const status = await kubectl([
      'patch',
      'evpnnodestate',
      other,
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"vtepIp":"10.0.0.9"}}',
      `--as=${agentSa}`,
      `--as-user-extra=${NODE_NAME_EXTRA}=${own}`,
    ]);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('may write only its own node');
    const ownStatus = await kubectl([
      'patch',
      'evpnnodestate',
      own,
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"vtepIp":"10.0.0.1"}}',
      `--as=${agentSa}`,
      `--as-user-extra=${NODE_NAME_EXTRA}=${own}`,
    ]);
    expect(ownStatus.code, ownStatus.stderr).toBe(0);

    // The operator (not matched by the policy) still may delete any node's state.
    const del = await kubectl(['delete', 'evpnnodestate', other, own, `--as=${operatorSa}`]);
    expect(del.code, del.stderr).toBe(0);
  });
});
