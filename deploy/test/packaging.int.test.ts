// CRD copies and container images. The CRDs in the chart and the kustomize base
// must be byte-equal to crds/generated (deploy/tools/sync-crds.sh copies them).
// There is no Docker engine on these machines, so the Dockerfiles are linted by
// hadolint (installed from its PyPI wheel by deploy/tools/install-hadolint.sh)
// and checked for the properties the README promises; they are not built.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartDir, kustomizeBase, repoRoot, run } from './deploy-env.ts';

const generated = join(repoRoot, 'crds/generated');
const dockerDir = join(repoRoot, 'deploy/docker');
const dockerfiles = readdirSync(dockerDir).filter((f) => f.endsWith('.Dockerfile')).sort();

describe('CRD copies', () => {
  it.each([['helm chart', join(chartDir, 'crds')], ['kustomize base', join(kustomizeBase, 'crds')]])('in the %s equal crds/generated (run deploy/tools/sync-crds.sh)', (_where, dir) => {
    const want = readdirSync(generated).filter((f) => f.endsWith('.yaml')).sort();
    expect(readdirSync(dir).sort()).toEqual(want);
    for (const f of want) expect(readFileSync(join(dir, f), 'utf8'), f).toBe(readFileSync(join(generated, f), 'utf8'));
  });
});

describe('Dockerfiles', () => {
  const hadolint = execFileSync(join(repoRoot, 'deploy/tools/install-hadolint.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 }).trim();

  it('exist for the operator and the node agent', () => {
    expect(dockerfiles).toEqual(['node-agent.Dockerfile', 'operator.Dockerfile']);
  });

  it.each(dockerfiles)('%s passes hadolint', async (f) => {
    const r = await run(hadolint, ['--config', join(dockerDir, 'hadolint.yaml'), join(dockerDir, f)]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('hadolint really fails a bad Dockerfile (the lint is not a no-op)', async () => {
    const r = await run(hadolint, ['--config', join(dockerDir, 'hadolint.yaml'), '-'], { input: 'FROM node:latest\nRUN cd /app && npm install\n' });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/DL3007|DL3003|DL3016/);
  });

  it.each(dockerfiles)('%s is multi-stage on Node 24 and drops root where the process allows', (f) => {
    const text = readFileSync(join(dockerDir, f), 'utf8');
    const froms = text.split('\n').filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/node:24/);
    const lastUser = [...text.matchAll(/^USER (\S+)/gm)].at(-1)?.[1];
    if (f === 'operator.Dockerfile') expect(lastUser).toBe('42494:42494');
    else expect(lastUser).toBe('0:0'); // NET_ADMIN: see the Dockerfile and README
    expect(text).toMatch(/^ENTRYPOINT \[/m);
  });
});
