import type { Counter } from '../metrics.ts';

export type WriteVerb = 'create' | 'update' | 'patch' | 'apply' | 'delete';

const mutatingMethods: Readonly<Record<string, WriteVerb>> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** Maps an HTTP method (and content type, to tell SSA from other patches) to a write verb; undefined for reads. */
export function writeVerbOf(method: string, contentType?: string): WriteVerb | undefined {
  const verb = mutatingMethods[method.toUpperCase()];
  if (verb === 'patch' && contentType?.startsWith('application/apply-patch') === true) return 'apply';
  return verb;
}

/**
 * Counts every mutating request sent to the apiserver, by verb and resource, so a
 * test can prove that a restart with nothing to do made 0 writes.
 */
export class WriteCounter {
  private readonly counts = new Map<string, number>();
  private readonly metric: Counter | undefined;

  /** `metric`, if given, must have the labels `verb` and `resource`. */
  constructor(metric?: Counter) {
    this.metric = metric;
  }

  record(verb: WriteVerb, resource: string): void {
    const k = `${verb} ${resource}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    this.metric?.inc({ verb, resource });
  }

  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  /** `{ 'apply evpnvrfs': 2, 'create events': 1 }` */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  reset(): void {
    this.counts.clear();
  }
}

/** The resource segment of an API path: `/apis/g/v/namespaces/ns/foos/x/status` → `foos/status`. */
export function resourceOfPath(path: string): string {
  const parts =
    path
      .split('?')[0]
      ?.split('/')
      .filter((p) => p !== '') ?? [];
  const start = parts[0] === 'api' ? 2 : 3;
  let rest = parts.slice(start);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const plural = rest[0] ?? 'unknown';
  const sub = rest[2];
  return sub === undefined ? plural : `${plural}/${sub}`;
}
