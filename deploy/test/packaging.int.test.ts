// CRD copies and container images. The CRDs in the chart and the kustomize base
// must be byte-equal to crds/generated (deploy/tools/sync-crds.sh copies them).
// The images are built by deploy/images/build.sh (`make images`) and run by
// images.int.test.ts; here: the chart's default images are the ones it builds.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartDir, helmTemplate, kustomizeBase, parseManifests, repoRoot, run } from './deploy-env.ts';

const generated = join(repoRoot, 'crds/generated');

describe('CRD copies', () => {
  it.each([
    ['helm chart', join(chartDir, 'crds')],
    ['kustomize base', join(kustomizeBase, 'crds')],
  ])('in the %s equal crds/generated (run deploy/tools/sync-crds.sh)', (_where, dir) => {
    const want = readdirSync(generated)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    expect(readdirSync(dir).sort()).toEqual(want);
    for (const f of want) expect(readFileSync(join(dir, f), 'utf8'), f).toBe(readFileSync(join(generated, f), 'utf8'));
  });
});

describe('images', () => {
  it("the chart's default images are the three that make images builds (FRR: the test world's, from test/stack/current.lock)", async () => {
    // --list prints the references whether or not the archives exist yet.
    const list = await run(join(repoRoot, 'deploy/images/build.sh'), ['--list']);
    const refs: Record<string, string | undefined> = Object.fromEntries(
      list.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .map(([name = '', , ref = '']) => [name, ref]),
    );
    expect(Object.keys(refs).sort()).toEqual(['frr', 'node-agent', 'operator']);
    const objs = parseManifests(await helmTemplate('evpn', 'ovn-evpn'));
    const podSpec = (
      kind: string,
    ): { initContainers?: { name: string; image: string }[]; containers: { name: string; image: string }[] } =>
      (objs.find((o) => o.kind === kind) as unknown as { spec: { template: { spec: ReturnType<typeof podSpec> } } })
        .spec.template.spec;
    const images = (kind: string): Record<string, string> => {
      const spec = podSpec(kind);
      return Object.fromEntries([...(spec.initContainers ?? []), ...spec.containers].map((c) => [c.name, c.image]));
    };
    expect(Object.values(images('Deployment'))).toEqual([refs['operator']]);
    expect(images('DaemonSet')).toEqual({
      'node-init': refs['node-agent'],
      frr: refs['frr'],
      'node-agent': refs['node-agent'],
    });
  });
});
