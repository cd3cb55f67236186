import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from './generate.ts';

describe('generated CRD YAML', () => {
  it.each([...generatedFiles()])('%s is up to date (run `npm run gen:crds`)', (path, text) => {
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});
