// `npm run gen:crds`: writes crds/generated/<plural>.yaml from the zod schemas.
// With --check, exits 1 when a checked-in file is stale (used by the tests).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdYaml } from './render-crd.ts';
import { kinds } from './kinds.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), 'generated');

export function generatedFiles(): Map<string, string> {
  return new Map(kinds.map((k) => [join(outDir, `${k.plural}.yaml`), renderCrdYaml(k)]));
}

function main(): void {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  mkdirSync(outDir, { recursive: true });
  for (const [path, text] of generatedFiles()) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* new file */
    }
    if (current === text) continue;
    if (check) stale.push(path);
    else writeFileSync(path, text);
  }
  if (stale.length > 0) {
    console.error(`stale generated CRDs (run npm run gen:crds): ${stale.join(', ')}`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
