// The golden FRR cases: test/golden/frr/<case>.model.json (input) and
// <case>.frr.conf (the rendered text, reviewed and accepted by real FRR).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GOLDEN_FRR_DIR = join(import.meta.dirname, 'frr');

export type GoldenFrrCase = { readonly name: string; readonly model: unknown; readonly confPath: string };

export function listGoldenFrrCases(): GoldenFrrCase[] {
  return readdirSync(GOLDEN_FRR_DIR)
    .filter((f) => f.endsWith('.model.json'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.model.json'.length);
      return {
        name,
        model: JSON.parse(readFileSync(join(GOLDEN_FRR_DIR, f), 'utf8')) as unknown,
        confPath: join(GOLDEN_FRR_DIR, `${name}.frr.conf`),
      };
    });
}
