// Which live objects are the operator's. The mirrored-from label alone is not
// proof: `kubectl get -o yaml` copies it, so a GitOps copy of a mirrored object
// carries it too. An object is ours when the label is there AND our field
// manager applied it (a managedFields entry of ovn-evpn-operator, operation
// Apply, on the main resource; our status writes do not count, we write status
// on user objects too). Anything else is the user's: never overwritten, never
// pruned, and a clash with OVN is reported as EVPN-004. Pure.
import { Label, OPERATOR_FIELD_MANAGER } from '../../crds/index.ts';

interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly subresource?: string;
}

interface Owned {
  readonly metadata: {
    readonly labels?: Readonly<Record<string, string>> | undefined;
    readonly managedFields?: readonly unknown[] | undefined;
  };
}

export function appliedByOperator(o: Owned, manager = OPERATOR_FIELD_MANAGER): boolean {
  return (o.metadata.managedFields ?? []).some((e) => {
    const m = e as ManagedFieldsEntry;
    return m.manager === manager && m.operation === 'Apply' && (m.subresource ?? '') === '';
  });
}

/** Labelled as mirrored but not applied by the operator: a user's copy. */
export const isImpostor = (o: Owned): boolean =>
  o.metadata.labels?.[Label.MirroredFrom] !== undefined && !appliedByOperator(o);

/**
 * The live objects as the mirror must see them: a user's copy that carries the
 * mirrored-from label loses it in this view, so every later step treats it as
 * the user-authored object it is.
 */
export function withoutImpostorLabels<T extends Owned>(list: readonly T[]): T[] {
  return list.map((o) => {
    if (!isImpostor(o)) return o;
    const labels = Object.fromEntries(
      Object.entries(o.metadata.labels ?? {}).filter(([k]) => k !== Label.MirroredFrom),
    );
    return { ...o, metadata: { ...o.metadata, labels } };
  });
}
