// A cached object's managedFields cut down to who manages it: informers keep
// thousands of objects, and the field sets are most of their size.
import type { KubeObject } from './resource.ts';

/** The part of a managedFields entry that says who manages the object and how, without the field sets. */
export interface ManagerSummary {
  readonly manager?: string;
  readonly operation?: string;
  readonly subresource?: string;
}

/**
 * Replaces `metadata.managedFields` by one {manager, operation, subresource}
 * entry per distinct manager: what ownership checks read, without the
 * fieldsV1 sets that are most of a cached object's size (client-go's
 * TransformStripManagedFields drops them outright).
 */
export function summarizeManagedFields<T extends KubeObject>(obj: T): T {
  const entries = (obj.metadata as { managedFields?: readonly unknown[] }).managedFields;
  if (entries === undefined) return obj;
  const seen = new Set<string>();
  const summary: ManagerSummary[] = [];
  for (const e of entries) {
    const m = e as ManagerSummary;
    const s: ManagerSummary = {
      ...(m.manager === undefined ? {} : { manager: m.manager }),
      ...(m.operation === undefined ? {} : { operation: m.operation }),
      ...(m.subresource === undefined ? {} : { subresource: m.subresource }),
    };
    const id = `${s.manager ?? ''}\n${s.operation ?? ''}\n${s.subresource ?? ''}`;
    if (seen.has(id)) continue;
    seen.add(id);
    summary.push(s);
  }
  return { ...obj, metadata: { ...obj.metadata, managedFields: summary } };
}
