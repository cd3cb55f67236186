// The Events this controller already recorded (still within the apiserver's
// event TTL), read once after start so a restart or failover does not repeat
// them (event-memory.ts).
import type { KubeClient } from '../../lib/kube/kube-client.ts';
import { coreResources, resourcePath } from '../../lib/kube/resource.ts';
import { eventIdentity } from './event-memory.ts';

interface RecordedEvent {
  readonly reportingController?: string;
  readonly reason?: string;
  readonly note?: string;
  readonly regarding?: { readonly kind: string; readonly name: string };
}

export async function readRecordedEvents(
  client: KubeClient,
  where: { readonly namespace: string; readonly reportingController: string },
  signal: AbortSignal,
): Promise<Set<string>> {
  const seen = new Set<string>();
  const list = await client.listAll<RecordedEvent>(
    resourcePath(coreResources.events, { namespace: where.namespace }),
    {},
    signal,
  );
  for (const e of list.items) {
    if (e.reportingController !== where.reportingController || e.regarding === undefined) continue;
    seen.add(eventIdentity(e.regarding.kind, e.regarding.name, e.reason ?? '', e.note ?? ''));
  }
  return seen;
}
