// A test-side informer that timestamps every event it sees, to assert that an
// object was never deleted, and to time when a change became visible.
import { Informer } from '../../../lib/kube/informer.ts';
import type { KubeClient } from '../../../lib/kube/kube-client.ts';
import type { KubeObject, ResourceRef } from '../../../lib/kube/resource.ts';

export interface LoggedEvent<T> {
  readonly type: 'add' | 'update' | 'delete';
  readonly object: T;
  /** performance.now() when the informer delivered it. */
  readonly at: number;
}

export class WatchLog<T extends KubeObject> {
  readonly events: LoggedEvent<T>[] = [];
  readonly informer: Informer<T>;
  #waiters: (() => void)[] = [];

  constructor(client: KubeClient, resource: ResourceRef) {
    this.informer = new Informer<T>({ client, resource });
    const push = (type: LoggedEvent<T>['type'], object: T): void => {
      this.events.push({ type, object, at: performance.now() });
      for (const w of this.#waiters.splice(0)) w();
    };
    this.informer.on({
      add: (o) => {
        push('add', o);
      },
      update: (_a, b) => {
        push('update', b);
      },
      delete: (o) => {
        push('delete', o);
      },
    });
  }

  async start(): Promise<this> {
    this.informer.start();
    await this.informer.waitForSync();
    return this;
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  get(name: string): T | undefined {
    return this.informer.get(name);
  }

  /** Resolves with the time of the first event from `from` on whose object satisfies `match`. */
  async waitForEvent(from: number, match: (e: LoggedEvent<T>) => boolean, timeoutMs = 15_000): Promise<LoggedEvent<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.slice(from).find(match);
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for a watch event`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  deletesOf(name: string): number {
    return this.events.filter((e) => e.type === 'delete' && e.object.metadata.name === name).length;
  }
}
