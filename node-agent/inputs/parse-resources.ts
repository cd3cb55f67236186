// Validation of the watched resources against their schemas: an object that
// fails is left out with a coded rejection for its status (the code its schema
// check gave the first coded issue, EVPN-002 otherwise); the others are applied.
import type { z } from 'zod';
import { codedMessage, EvpnErrorCode, issueCode } from '../../crds/error-codes.ts';
import type { Rejection } from './select-applicable.ts';

export interface Parsed<T> {
  ok: T[];
  rejected: Map<string, Rejection>;
}

interface Schema<T> {
  safeParse(x: unknown): { success: true; data: T } | { success: false; error: { issues: z.core.$ZodIssue[] } };
}

export function parseAll<T>(items: readonly unknown[], schema: Schema<T>): Parsed<T> {
  const ok: T[] = [];
  const rejected = new Map<string, Rejection>();
  for (const item of items) {
    const r = schema.safeParse(item);
    if (r.success) {
      ok.push(r.data);
      continue;
    }
    const name = (item as { metadata?: { name?: string } }).metadata?.name ?? '?';
    const message = r.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');
    const coded = r.error.issues.map(issueCode).find((c) => c !== undefined);
    const code = coded ?? EvpnErrorCode.InvalidRouteTarget;
    // A message whose first issue is coded already starts with its code.
    const first = r.error.issues[0];
    rejected.set(name, {
      code,
      reason: 'InvalidSpec',
      message:
        first !== undefined && issueCode(first) !== undefined && first.path.length === 0
          ? message
          : codedMessage(code, message),
    });
  }
  return { ok, rejected };
}
