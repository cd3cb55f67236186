// zod → JSON Schema (draft 2020-12) → the structural OpenAPI v3 subset that
// CRDs accept: no $schema, no additionalProperties:false, const folded into enum,
// anyOf of literals folded into enum.
import { z } from 'zod';

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys a CRD schema does without. */
function dropped(key: string, value: unknown): boolean {
  if (key === '$schema' || key === 'id') return true;
  if (key === 'additionalProperties' && value === false) return true;
  // z.int() without bounds emits ±MAX_SAFE_INTEGER: noise in a CRD.
  return (key === 'minimum' || key === 'maximum') && Math.abs(Number(value)) === Number.MAX_SAFE_INTEGER;
}

function structural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structural);
  if (!isRecord(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (dropped(key, value)) continue;
    if (key === 'const') out.enum = [value];
    else out[key] = structural(value);
  }
  if (Array.isArray(out.anyOf) && out.anyOf.every((s) => isRecord(s) && Array.isArray(s.enum))) {
    const options = out.anyOf as Json[];
    out.type = options[0]?.type;
    out.enum = options.flatMap((s) => s.enum as unknown[]);
    delete out.anyOf;
  }
  // JSON Schema integers with 2^32-1 bounds need int64 so the apiserver does not truncate.
  if (out.type === 'integer') out.format = 'int64';
  return out;
}

export function toStructuralSchema(schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' });
  return structural(json) as Json;
}
