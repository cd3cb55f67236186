// Validation of the watched resources against their schemas: an object that
// fails is left out with a coded rejection for its status (EVPN-00x from the
// schema's message, EVPN-002 otherwise); the others are applied.
import type { Rejection } from './select-applicable.ts';

export interface Parsed<T> { ok: T[]; rejected: Map<string, Rejection> }

interface Schema<T> {
  safeParse(x: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

export function parseAll<T>(items: readonly unknown[], schema: Schema<T>): Parsed<T> {
  const ok: T[] = [];
  const rejected = new Map<string, Rejection>();
  for (const item of items) {
    const r = schema.safeParse(item);
    if (r.success) { ok.push(r.data); continue; }
    const name = (item as { metadata?: { name?: string } }).metadata?.name ?? '?';
    const message = r.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');
    const code = /EVPN-00\d/.exec(message)?.[0] ?? 'EVPN-002';
    rejected.set(name, { code, reason: 'InvalidSpec', message: message.startsWith('EVPN-') ? message : `${code}: ${message}` });
  }
  return { ok, rejected };
}
