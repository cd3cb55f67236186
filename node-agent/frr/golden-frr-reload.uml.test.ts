// Every golden config is accepted by the real frr-reload.py of the test
// world's FRR (EVPN_STACK: 10.7.1 current, 8.4.4 oldest) and is a fixed point:
// after `--reload`, `--test` finds nothing left to add or delete (besides the
// benign residuals in residualDiff). The cases are applied one after another,
// so each step also proves that the complete config removes what the
// previous case had (VRFs, RTs, neighbours, BFD profiles).
// Runs in the UML guest, whose root is the test world: FRR 10's daemons need
// the root's libraries, YANG modules and paths, which the host cannot give
// them. No VRF devices are made (FRR keeps VRFs it has no device for as inactive).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGoldenFrrCases } from '../../test/golden/golden-frr-cases.ts';
import { startFrrTestInstance, type FrrTestInstance } from '../../test/harness/frr/frr-test-instance.ts';
import { parseReloadTestOutput, readVrfVnis, residualDiff } from './running-config.ts';
import { parseFrrModel } from './model.ts';
import { diffStanzas, parseStanzas } from './stanzas.ts';

const cases = listGoldenFrrCases();
let frr: FrrTestInstance;

function frrReload(
  mode: '--test' | '--reload',
  file: string,
): { code: number; stdout: string; out: string; ms: number } {
  const t0 = Date.now();
  // A bound on each call: spawnSync blocks the event loop, so vitest's own timeout could never fire.
  const r = spawnSync('python3', ['/usr/lib/frr/frr-reload.py', '--pathspace', frr.pathspace, mode, file], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, out: `${r.stdout}${r.stderr}`, ms: Date.now() - t0 };
}

function runningText(): string {
  return spawnSync('vtysh', ['-N', frr.pathspace, '-c', 'show running-config'], { encoding: 'utf8', timeout: 60_000 })
    .stdout;
}

describe('golden FRR configs against real frr-reload.py', () => {
  beforeAll(() => {
    frr = startFrrTestInstance(`frrgold${process.pid}`);
    const version = spawnSync('vtysh', ['-N', frr.pathspace, '-c', 'show version'], { encoding: 'utf8' }).stdout;
    process.stderr.write(
      `golden: ${version.split('\n').find((l) => l.startsWith('FRRouting')) ?? 'FRR ?'} (EVPN_STACK=${process.env.EVPN_STACK ?? 'oldest'})\n`,
    );
  });
  afterAll(() => {
    frr.stop();
  });

  it.each(cases)(
    '$name: --test accepts it, --reload applies it, and it is a fixed point',
    ({ name, model, confPath }) => {
      const test = frrReload('--test', confPath);
      expect(test.code, test.out).toBe(0);
      expect(test.out).not.toMatch(/Unknown command|vtysh failed|% /);

      const reload = frrReload('--reload', confPath);
      expect(reload.code, reload.out).toBe(0);
      expect(reload.out).not.toMatch(/Unknown command|Configuration failed|Failure to communicate/);

      const again = frrReload('--test', confPath);
      expect(again.code, again.out).toBe(0);
      expect(residualDiff(parseReloadTestOutput(again.stdout)), `${name} is not a fixed point`).toEqual({
        toDelete: [],
        toAdd: [],
      });

      // Every VRF holds its L3VNI, and nothing ended up as a global `vni` or a VNC `vrf-policy`.
      const running = readVrfVnis(runningText());
      const want = new Map(parseFrrModel(model).vrfs.map((v) => [v.name, v.l3vni]));
      expect(running.vrfVnis).toEqual(want);
      expect(running.globalVnis).toEqual([]);
      expect(running.vrfPolicies).toEqual([]);
      // FRR's running config read back into stanzas is the rendered config: what the applier's confirmation relies on.
      // (Same lines in each block; frr-reload may leave them in another order than rendered.)
      expect(diffStanzas(parseStanzas(runningText()), parseStanzas(readFileSync(confPath, 'utf8'))).batch).toEqual([]);
      process.stderr.write(
        `golden ${name}: --test ${test.ms} ms, --reload ${reload.ms} ms, bytes ${readFileSync(confPath).length}\n`,
      );
    },
  );
});

// The incremental applier's delta: each case reached from the previous one (then
// backwards) with one `vtysh -f` batch from what FRR runs, and FRR's running
// config read back equals the case. Errors of single lines are allowed (vtysh
// carries on), a residual is not.
describe('golden FRR configs reached by the stanza delta (vtysh -f)', () => {
  beforeAll(() => {
    frr = startFrrTestInstance(`frrdelta${process.pid}`);
  });
  afterAll(() => {
    frr.stop();
  });

  it.each([...cases, ...[...cases].reverse()].map((c, i) => ({ ...c, step: i })))(
    'step $step → $name',
    ({ confPath, step }) => {
      const want = parseStanzas(readFileSync(confPath, 'utf8'));
      const delta = diffStanzas(parseStanzas(runningText()), want);
      const batch = join(tmpdir(), `frr-delta-${process.pid}-${step}.conf`);
      writeFileSync(batch, `${delta.batch.join('\n')}\n`);
      const r = spawnSync('vtysh', ['-N', frr.pathspace, '-f', batch], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      expect(diffStanzas(parseStanzas(runningText()), want).batch).toEqual([]);
    },
  );
});
