// The marks of one pass's writes, indexed so that the kernel state cache can
// tell a monitor line that echoes our own write from a change by somebody else
// (state-cache.ts).
import type { EchoMark, KernelEvent } from './own-writes.ts';

/** One polarity of a pass's marks, indexed (a cold start has tens of thousands). */
class MarkIndex {
  readonly devices = new Set<string>();
  readonly addrDevs = new Set<string>();
  readonly routes = new Set<string>();
  readonly neighbors = new Set<string>();
  /** dev|mac, and dev|*|vlan for the FDB entries of a VLAN leaving a port */
  readonly fdb = new Set<string>();

  constructor(marks: readonly EchoMark[]) {
    for (const m of marks) {
      switch (m.scope) {
        case 'device':
          this.devices.add(m.dev);
          break;
        case 'addrs':
          this.addrDevs.add(m.dev);
          break;
        case 'route':
          this.routes.add(`${m.table}|${m.dst}`);
          break;
        case 'neigh':
          this.neighbors.add(`${m.dev}|${m.dst}`);
          break;
        case 'fdb':
          this.fdb.add(m.mac === undefined ? `${m.dev}|*|${m.vlan ?? ''}` : `${m.dev}|${m.mac}`);
          break;
      }
    }
  }

  /**
   * Precise: a device mark covers the link's own lines, its addresses, and
   * the entries the kernel keeps for it by itself (permanent FDB entries of a
   * port or bridge, neighbours that are not permanent), which no diff ever
   * compares. What else the kernel does to entries of a device we touched
   * (flushes) is not recognised: it makes its kind stale, and the next pass
   * dumps it.
   */
  matches(e: KernelEvent, line: string): boolean {
    const onDevice = (): boolean => e.devs.some((d) => this.devices.has(d));
    switch (e.kind) {
      case 'link':
        return onDevice();
      case 'addr':
        return e.devs.some((d) => this.devices.has(d) || this.addrDevs.has(d));
      case 'route':
        return this.routes.has(`${e.table ?? ''}|${e.dst ?? ''}`) || e.devs.some((d) => this.addrDevs.has(d));
      case 'neigh':
        return (
          e.devs.some((d) => this.neighbors.has(`${d}|${e.dst ?? ''}`)) || (!line.includes('PERMANENT') && onDevice())
        );
      case 'fdb':
        return (
          e.devs.some(
            (d) => this.fdb.has(`${d}|${e.mac ?? ''}`) || (e.vlan !== undefined && this.fdb.has(`${d}|*|${e.vlan}`)),
          ) ||
          (/\bpermanent\b/i.test(line) && onDevice())
        );
    }
  }
}

/**
 * The marks of one pass's writes: a deletion line is matched against what the
 * pass removed, any other line against what it created or changed, so
 * somebody else deleting what we just created is not taken for an echo.
 */
export class EchoMarks {
  readonly #removed: MarkIndex;
  readonly #created: MarkIndex;
  /** Open while the writes run; then an echo window that each matched echo extends. */
  until = Number.POSITIVE_INFINITY;

  /** `removed`: the marks of what the pass removes or changes (own-writes.ts#marksOfPlan); `created`: of what it creates. */
  constructor(removed: readonly EchoMark[], created: readonly EchoMark[]) {
    this.#removed = new MarkIndex(removed);
    this.#created = new MarkIndex(created);
  }

  matches(e: KernelEvent, line: string): boolean {
    return (e.deleted ? this.#removed : this.#created).matches(e, line);
  }
}
