// One source for each default (issue 24 item 4): render the chart with its
// default values, read what it gives each binary (flags, the agent's config
// file, the init container's BGP timers), parse that with the binaries' own
// parsers, and compare every setting with the binary's documented default (the
// operator's --help text, the agent's config schema). A setting may differ only
// where the chart sets it explicitly for a reason written down below; an entry
// there that no longer differs fails too, so the list cannot go stale.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../node-agent/config.ts';
import { frrNodeSettings } from '../../node-agent/frr/build-frr-model.ts';
import { parseOperatorFlags, usage as operatorUsage } from '../../operator/flags.ts';
import { HELM_BUILD_TIMEOUT_MS, helmBinary, helmTemplate, parseManifests, type K8sObject } from './deploy-env.ts';

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string }[];
}
interface Pod {
  containers: Container[];
  initContainers?: Container[];
}

/** Where the chart deliberately differs from a binary's default, and why. */
const AGENT_CHART_DIFFERS: Record<string, string> = {
  apiTokenFile: 'the chart mounts a token Secret; the bare binary has none, so its API is closed',
  'frr.bootConfigPath':
    "the FRR sidecar boots from /etc/frr/frr.conf, shared with the agent; a bare agent never writes the host FRR's own config unasked",
};
const OPERATOR_CHART_DIFFERS: Record<string, string> = {
  metricsHost:
    'in a pod (own network namespace, NetworkPolicy on the port) the kubelet probes and Prometheus reach the pod IP; a bare operator on a host stays on loopback',
};
/** Per node or per cluster, never a default: what node-init derives and the OVN addresses. */
const AGENT_DERIVED = new Set(['node.nodeName', 'node.vtepIp', 'bgp.asn', 'bgp.routerId', 'frrNodeSettings']);
const OPERATOR_DERIVED = new Set(['ovnNb', 'ovnSb', 'leaseNamespace', 'identity']);

/** { a: { b: 1 } } → { 'a.b': 1 }; arrays stay leaves. */
function flatten(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value))
      for (const [fk, fv] of flatten(v, prefix === '' ? k : `${prefix}.${k}`)) out.set(fk, fv);
  } else out.set(prefix, value);
  return out;
}

/** Keys whose values differ between the two objects (derived ones aside). */
function differing(
  chart: unknown,
  binary: unknown,
  derived: ReadonlySet<string>,
): Map<string, { chart: unknown; binary: unknown }> {
  const a = flatten(chart);
  const b = flatten(binary);
  const out = new Map<string, { chart: unknown; binary: unknown }>();
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if ([...derived].some((d) => key === d || key.startsWith(`${d}.`))) continue;
    if (JSON.stringify(a.get(key)) !== JSON.stringify(b.get(key)))
      out.set(key, { chart: a.get(key), binary: b.get(key) });
  }
  return out;
}

/** The operator's --help: `--flag ARG ... (default X)` → flag → X. */
function documentedOperatorDefaults(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of operatorUsage.matchAll(/--([a-z][a-z-]*)(?:\[=BOOL\])?(?:(?!--)[^()])*\(default ([^)]+)\)/g))
    out.set(m[1] ?? '', m[2] ?? '');
  return out;
}

describe('chart defaults = binary defaults', () => {
  let objects: K8sObject[];
  let pod: Pod;
  let operatorArgs: string[];
  beforeAll(async () => {
    helmBinary();
    objects = parseManifests(await helmTemplate('defaults', 'ovn-evpn'));
    pod = (objects.find((o) => o.kind === 'DaemonSet') as unknown as { spec: { template: { spec: Pod } } }).spec
      .template.spec;
    const op = objects.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: Pod } } };
    operatorArgs = op.spec.template.spec.containers.find((c) => c.name === 'operator')?.args ?? [];
  }, HELM_BUILD_TIMEOUT_MS);

  it("gives the agent the binary's defaults except where it says why (flags and config file)", () => {
    const args = pod.containers.find((c) => c.name === 'node-agent')?.args ?? [];
    const etc = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'defaults-ovn-evpn-node-agent-etc',
    ) as unknown as { data: Record<string, string> };
    const dir = mkdtempSync(join(tmpdir(), 'chart-defaults-'));
    writeFileSync(join(dir, 'node-agent.json'), etc.data['node-agent.json'] ?? '{}');
    expect(args[0]).toBe('--config=/run/ovn-evpn/node-agent.json');
    const env = { NODE_NAME: 'node-1' };
    const identity = ['--vtep-ip=192.0.2.10'];
    const chart = parseAgentConfig([...identity, `--config=${join(dir, 'node-agent.json')}`, ...args.slice(1)], env);
    const binary = parseAgentConfig(identity, env);
    const diff = differing(chart, binary, AGENT_DERIVED);
    expect([...diff.keys()].sort(), JSON.stringify(Object.fromEntries(diff))).toEqual(
      Object.keys(AGENT_CHART_DIFFERS).sort(),
    );
    // The port the chart exposes is the binary's default port, both listeners.
    expect(chart.httpAddr).toBe(binary.httpAddr);
    expect(chart.metricsAddr).toBe(binary.metricsAddr);
  });

  it('gives the init container the BGP timers the agent uses without it', () => {
    const init = pod.initContainers?.find((c) => c.name === 'node-init');
    const envOf = (name: string): string | undefined => init?.env?.find((e) => e.name === name)?.value;
    const settings = frrNodeSettings(
      parseAgentConfig(['--vtep-ip=192.0.2.10', '--bgp-peer=192.0.2.1'], { NODE_NAME: 'node-1' }),
    );
    const timers = settings.underlayNeighbors?.[0]?.timers;
    expect(timers).toBeDefined();
    expect({ keepalive: Number(envOf('BGP_KEEPALIVE')), hold: Number(envOf('BGP_HOLD')) }).toEqual(timers);
  });

  it("gives the operator the binary's documented defaults except where it says why", () => {
    const documented = documentedOperatorDefaults();
    const rendered = operatorArgs
      .map((a) => /^--([a-z-]+)=(.*)$/.exec(a))
      .filter((m) => m !== null)
      .map((m) => [m[1] ?? '', m[2] ?? ''] as const);
    const env = { POD_NAMESPACE: 'ovn-evpn' };
    const required = rendered.filter(([f]) => f === 'ovn-nb' || f === 'ovn-sb').flatMap(([f, v]) => [`--${f}=${v}`]);
    const binary = parseOperatorFlags(required, env);
    // What --help says is what the binary does, for every flag the chart renders.
    for (const [flag] of rendered) {
      const doc = documented.get(flag);
      // Prose such as `$POD_NAMESPACE or "default"` describes a derivation, not a value to pass.
      if (doc === undefined || /[\s$]/.test(doc)) continue;
      expect(
        parseOperatorFlags([...required, `--${flag}=${doc}`], env),
        `--${flag}: --help says (default ${doc})`,
      ).toEqual(binary);
    }
    const chart = parseOperatorFlags(
      operatorArgs.map((a) => a.replace('$(POD_NAMESPACE)', 'ovn-evpn')),
      env,
    );
    const diff = differing(chart, binary, OPERATOR_DERIVED);
    expect([...diff.keys()].sort()).toEqual(Object.keys(OPERATOR_CHART_DIFFERS).sort());
    // Each such setting is one the chart passes explicitly, so the binary's default never applies by accident.
    expect(rendered.map(([f]) => f)).toContain('metrics-addr');
    expect(documented.get('metrics-addr')).toBe('127.0.0.1:8080');
  });
});
