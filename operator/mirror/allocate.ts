// Stable allocation of per-network numbers (VLAN ids) the OVN
// association does not carry. An existing assignment is always kept (it lives
// in the mirrored object itself, so restarts keep it); a new one starts at a
// hash of the network id and probes upwards, so the number a network gets does
// not depend on the order networks were seen, and released numbers are reused.
import { createHash } from 'node:crypto';

export interface Range { min: number; max: number }

export const VLAN_RANGE: Range = { min: 1, max: 4094 };

function preferredSlot(key: string, range: Range): number {
  const size = range.max - range.min + 1;
  const digest = createHash('sha256').update(key).digest();
  return range.min + (digest.readUInt32BE(0) % size);
}

export interface AllocationRequest {
  key: string;
  /** The number this key already holds, kept when still free. */
  current?: number | undefined;
}

/**
 * Assigns one number per key. `reserved` numbers are never handed out (user
 * objects, other allocators). Keys are processed current-holders first, then
 * in key order, so the result is a function of the set of keys.
 */
export function allocateNumbers(requests: readonly AllocationRequest[], range: Range, reserved: ReadonlySet<number>): Map<string, number> {
  const taken = new Set<number>(reserved);
  const result = new Map<string, number>();
  const sorted = [...requests].sort((a, b) => a.key.localeCompare(b.key));
  for (const r of sorted) {
    if (r.current === undefined || r.current < range.min || r.current > range.max || taken.has(r.current)) continue;
    taken.add(r.current);
    result.set(r.key, r.current);
  }
  const size = range.max - range.min + 1;
  for (const r of sorted) {
    if (result.has(r.key)) continue;
    const start = preferredSlot(r.key, range);
    for (let i = 0; i < size; i++) {
      const candidate = range.min + ((start - range.min + i) % size);
      if (!taken.has(candidate)) {
        taken.add(candidate);
        result.set(r.key, candidate);
        break;
      }
    }
  }
  return result;
}
