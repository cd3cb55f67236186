// The backend flags: which data path a network without spec.backend takes, and
// whether the operator may write OVN NB at all (docs/backends.md). Pure.
import { Backend } from '../crds/backend.ts';

export interface BackendFlags {
  /** The backend of an object without spec.backend. */
  readonly defaultBackend: Backend;
  /** Write the dynamic-routing keys of `ovn` networks into OVN NB; false: report what would be written, write nothing. */
  readonly ovnWrites: boolean;
}

export function parseBackend(text: string, flag: string, fail: (message: string) => Error): Backend {
  const parsed = Backend.safeParse(text);
  if (!parsed.success) throw fail(`${flag}: expected kernel or ovn, got ${JSON.stringify(text)}`);
  return parsed.data;
}
