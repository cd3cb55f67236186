// Standard Kubernetes conditions (metav1.Condition): kept sorted by type, the
// lastTransitionTime preserved while the status holds, so an unchanged status
// compares equal and costs no write.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

/** A condition as a reconciler states it: the time is filled in by `setCondition`. */
export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** RFC 3339 with second precision, as the apiserver stores metav1.Time. */
export function formatKubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function byType(a: Condition, b: Condition): number {
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

/**
 * Returns a new list with `input` set: lastTransitionTime changes only when the
 * status changes (reason/message/observedGeneration updates keep it).
 */
export function setCondition(list: readonly Condition[], input: ConditionInput, now: Date): Condition[] {
  const existing = list.find((c) => c.type === input.type);
  const lastTransitionTime =
    existing !== undefined && existing.status === input.status ? existing.lastTransitionTime : formatKubeTime(now);
  const next: Condition = { ...input, lastTransitionTime };
  return [...list.filter((c) => c.type !== input.type), next].sort(byType);
}

/** Sets several conditions at once (one timestamp). */
export function setConditions(list: readonly Condition[], inputs: readonly ConditionInput[], now: Date): Condition[] {
  return inputs.reduce<Condition[]>((acc, c) => setCondition(acc, c, now), [...list]);
}

export function findCondition(list: readonly Condition[] | undefined, type: string): Condition | undefined {
  return list?.find((c) => c.type === type);
}

export function isConditionTrue(list: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(list, type)?.status === 'True';
}

function conditionEqual(a: Condition, b: Condition): boolean {
  return (
    a.type === b.type &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.lastTransitionTime === b.lastTransitionTime &&
    a.observedGeneration === b.observedGeneration
  );
}

/** Order-insensitive equality of two condition lists (the apiserver may hand them back in any order). */
export function conditionsEqual(a: readonly Condition[] | undefined, b: readonly Condition[] | undefined): boolean {
  const x = [...(a ?? [])].sort(byType);
  const y = [...(b ?? [])].sort(byType);
  return (
    x.length === y.length &&
    x.every((c, i) => {
      const other = y[i];
      return other !== undefined && conditionEqual(c, other);
    })
  );
}

/**
 * Semantic equality of two JSON status values: object key order is ignored,
 * `undefined` fields equal missing ones, and a `conditions` array compares by type.
 * Used to skip a status write that would change nothing.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v: unknown, i) => semanticEqual(v, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  return [...keys].every((k) => fieldEqual(k, ra[k], rb[k]));
}

function fieldEqual(key: string, a: unknown, b: unknown): boolean {
  if (key === 'conditions' && Array.isArray(a) && Array.isArray(b))
    return conditionsEqual(a as Condition[], b as Condition[]);
  return semanticEqual(a, b);
}
