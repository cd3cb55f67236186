// The Grafana dashboard (deploy/helm/ovn-evpn/files/grafana/ovn-evpn.json): every
// metric its PromQL queries exists in the code, it covers the agreed metric set (networks, VRFs, ports, sync duration),
// and the chart ships it as a ConfigMap for Grafana's sidecar when asked to.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../lib/metrics.ts';
import { createAgentMetrics } from '../../node-agent/metrics.ts';
import { createOperatorMetrics } from '../../operator/operator-metrics.ts';
import { chartDir, helmTemplate, parseManifests, repoRoot } from './deploy-env.ts';

const dashboardPath = join(chartDir, 'files/grafana/ovn-evpn.json');
const dashboardText = readFileSync(dashboardPath, 'utf8');

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}
const dashboard = JSON.parse(dashboardText) as {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query: unknown }[] };
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const exprs = [
  ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ...dashboard.templating.list
    .map((v) => (typeof v.query === 'object' && v.query !== null ? (v.query as { query: string }).query : ''))
    .filter((q) => q.startsWith('label_values(')),
];

const keywords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);
/** Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or variables. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '') // label lists
    .replace(/label_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*\w+\s*\)/g, '$1'); // Grafana's label_values(metric, label)
  const names: string[] = [];
  for (const m of stripped.matchAll(/\$?[a-zA-Z_:][\w:]*(\s*\()?/g)) {
    const token = m[0];
    if (token.startsWith('$') || m[1] !== undefined || keywords.has(token.toLowerCase())) continue;
    names.push(token);
  }
  return names;
}

/** Names registered in the non-test sources: registry.counter/gauge/histogram('name', …) and the agent's gauge('name', …). */
function registeredInCode(): Map<string, 'counter' | 'gauge' | 'histogram'> {
  const found = new Map<string, 'counter' | 'gauge' | 'histogram'>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!['node_modules', 'testing', 'fixtures'].includes(e.name)) walk(p);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/\b(counter|gauge|histogram)\(\s*'([a-zA-Z_:][\w:]*)'/g)) {
          const [, type, name] = m as unknown as [string, 'counter' | 'gauge' | 'histogram', string];
          found.set(name, type);
        }
      }
    }
  };
  for (const d of ['lib', 'operator', 'node-agent']) walk(join(repoRoot, d));
  return found;
}

describe('the Grafana dashboard', () => {
  const code = registeredInCode();
  const exposed = new Set(
    [...code].flatMap(([name, type]) =>
      type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
    ),
  );
  const queried = [...new Set(exprs.flatMap(metricNames))].sort();

  it('the metric-name extraction finds what the metric factories register (the check is not vacuous)', () => {
    const rendered = (r: MetricsRegistry): string[] =>
      [...r.render().matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? '');
    const operator = new MetricsRegistry();
    createOperatorMetrics(operator);
    const agent = createAgentMetrics().registry;
    for (const name of [...rendered(operator), ...rendered(agent)])
      expect(code.has(name), `${name} not found by the source scan`).toBe(true);
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le) (rate(foo_seconds_bucket{a="b"}[$__rate_interval]))) / on(pod) group_left bar',
      ),
    ).toEqual(['foo_seconds_bucket', 'bar']);
  });

  it('queries only metrics that the operator and the agents export', () => {
    expect(queried.length).toBeGreaterThan(10);
    const unknown = queried.filter((n) => !exposed.has(n));
    expect(unknown, `metrics in ${relative(repoRoot, dashboardPath)} that no code registers`).toEqual([]);
  });

  it("covers the metric set (networks, VRFs, ports, sync duration) and the operator's health", () => {
    for (const name of [
      'ovn_evpn_agent_networks',
      'ovn_evpn_agent_vrfs',
      'ovn_evpn_agent_ports',
      'ovn_evpn_agent_sync_duration_seconds_bucket',
      'evpn_operator_leader',
      'evpn_operator_ovn_synced',
      'evpn_operator_mirrored_objects',
      'evpn_operator_ovn_to_cr_latency_seconds_bucket',
    ]) {
      expect(queried).toContain(name);
    }
  });

  it('has panels with unique ids inside the 24-column grid', () => {
    const ids = panels.map((p) => (p as unknown as { id: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels as unknown as { title: string; gridPos: { x: number; w: number } }[])
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
  });
});

describe("the chart's dashboard ConfigMap", () => {
  it('is not rendered by default', async () => {
    const objs = parseManifests(await helmTemplate('evpn', 'ovn-evpn'));
    expect(objs.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-grafana-dashboard'))).toEqual([]);
  });

  it("carries the dashboard and the Grafana sidecar's label when enabled", async () => {
    const objs = parseManifests(
      await helmTemplate('evpn', 'ovn-evpn', [
        '--set',
        'monitoring.grafanaDashboard.enabled=true',
        '--set',
        'monitoring.grafanaDashboard.namespace=monitoring',
      ]),
    );
    const cms = objs.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === 'evpn-ovn-evpn-grafana-dashboard');
    expect(cms).toHaveLength(1);
    const cm = cms[0] as unknown as {
      metadata: { namespace?: string; labels?: Record<string, string> };
      data: Record<string, string | undefined>;
    };
    expect(cm.metadata.namespace).toBe('monitoring');
    expect(cm.metadata.labels?.['grafana_dashboard']).toBe('1');
    expect(JSON.parse(cm.data['ovn-evpn.json'] ?? 'null')).toEqual(dashboard);
  });
});
