// Golden files: the rendered text is compared byte for byte with the reviewed
// file. Regenerate only on purpose: UPDATE_GOLDEN=1 npx vitest run --project unit node-agent/frr
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listGoldenFrrCases } from '../../test/golden/golden-frr-cases.ts';
import { renderFrrConfig } from './render.ts';

const update = process.env['UPDATE_GOLDEN'] === '1';
const cases = listGoldenFrrCases();

describe('renderFrrConfig golden files', () => {
  it('has at least 8 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases)('$name', ({ model, confPath }) => {
    const rendered = renderFrrConfig(model);
    if (update) writeFileSync(confPath, rendered);
    expect(existsSync(confPath), `${confPath} missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(rendered).toBe(readFileSync(confPath, 'utf8'));
  });
});
