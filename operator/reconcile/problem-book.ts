// The mirror's current problems, by object. The mirror reconciler replaces the
// whole set after each pass; the status reconciler reads it to set the
// Accepted/SourceDegraded conditions, and is told which objects changed.
import { EventEmitter } from 'node:events';
import type { MirrorProblem } from '../mirror/build-desired.ts';
import { objectKey } from '../../crds/object-key.ts';
import type { ObjectRefKey } from '../object-key.ts';

export interface ProblemBookEvents {
  changed: [keys: ObjectRefKey[]];
}

const identity = (p: MirrorProblem): string => JSON.stringify([p.kind, p.name, p.reason, p.message]);

export class ProblemBook extends EventEmitter<ProblemBookEvents> {
  #byKey = new Map<ObjectRefKey, MirrorProblem[]>();
  #all = new Set<string>();

  get(key: ObjectRefKey): readonly MirrorProblem[] {
    return this.#byKey.get(key) ?? [];
  }

  /** Every object with at least one problem. */
  keys(): ObjectRefKey[] {
    return [...this.#byKey.keys()];
  }

  all(): MirrorProblem[] {
    return [...this.#byKey.values()].flat();
  }

  /** Replaces the set; returns the problems that were not there before. */
  replace(problems: readonly MirrorProblem[]): MirrorProblem[] {
    const next = new Map<ObjectRefKey, MirrorProblem[]>();
    const seen = new Set<string>();
    const fresh: MirrorProblem[] = [];
    for (const p of problems) {
      const id = identity(p);
      if (seen.has(id)) continue;
      seen.add(id);
      if (!this.#all.has(id)) fresh.push(p);
      const key = objectKey(p.kind, p.name);
      const list = next.get(key) ?? [];
      list.push(p);
      next.set(key, list);
    }
    const changed: ObjectRefKey[] = [];
    for (const key of new Set([...this.#byKey.keys(), ...next.keys()])) {
      if (
        JSON.stringify(this.#byKey.get(key)?.map(identity) ?? []) !== JSON.stringify(next.get(key)?.map(identity) ?? [])
      )
        changed.push(key);
    }
    this.#byKey = next;
    this.#all = seen;
    if (changed.length > 0) this.emit('changed', changed);
    return fresh;
  }
}
