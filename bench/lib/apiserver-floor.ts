// The operator's floor (issue 27 item 2): the objects the operator mirrored,
// written again into the same apiserver by a plain parallel client with the
// operator's write concurrency and phase order (VRFs, networks, port sets),
// and nothing else: no OVN read, no planning, no informer. The operator's
// initial mirror over this is what is ours.
import { evpnResources } from '../../crds/resources.ts';
import { applyObject } from '../../lib/kube/apply.ts';
import type { KubeClient } from '../../lib/kube/kube-client.ts';
import { resourcePath, type KubeObject, type ResourceRef } from '../../lib/kube/resource.ts';
import { DEFAULT_WRITE_CONCURRENCY } from '../../operator/reconcile/mirror-writer.ts';
import { round, type Result } from './stats.ts';

const PHASES: readonly ResourceRef[] = [evpnResources.vrfs, evpnResources.networks, evpnResources.portSets];
const FIELD_MANAGER = 'bench-apiserver-floor';

interface Body {
  readonly metadata: { name: string; labels: Record<string, string> };
  readonly spec: unknown;
}

/** What the operator applied: name, labels and spec of every object, per phase. */
async function snapshot(client: KubeClient): Promise<Body[][]> {
  return Promise.all(
    PHASES.map(async (res) =>
      (await client.listAll<KubeObject & { spec?: unknown }>(resourcePath(res))).items.map((o) => ({
        metadata: { name: o.metadata.name ?? '', labels: { ...(o.metadata.labels ?? {}) } },
        spec: o.spec,
      })),
    ),
  );
}

async function deleteAll(client: KubeClient): Promise<void> {
  for (const res of [...PHASES].reverse()) await client.request({ method: 'DELETE', path: resourcePath(res) });
  // Bounded: an object that never goes (a finalizer of someone else's) must fail the bench, not hang it.
  const deadline = Date.now() + 300_000;
  for (;;) {
    const left = await Promise.all(PHASES.map(async (r) => (await client.listAll(resourcePath(r))).items.length));
    if (left.every((n) => n === 0)) return;
    if (Date.now() > deadline) throw new Error(`apiserver floor: ${left.join('/')} objects still there after 300 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function applyAll(client: KubeClient, res: ResourceRef, bodies: readonly Body[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++] as Body;
      await applyObject(client, res, { metadata: body.metadata, spec: body.spec }, { fieldManager: FIELD_MANAGER });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, bodies.length) }, worker));
}

/**
 * Must run with the operator stopped (it deletes every mirrored object and
 * creates them again). Returns the time of the writes alone and their count.
 */
export async function apiserverWriteFloor(
  client: KubeClient,
  limit = DEFAULT_WRITE_CONCURRENCY,
): Promise<{ ms: number; writes: number }> {
  const phases = await snapshot(client);
  await deleteAll(client);
  const t0 = performance.now();
  for (const [i, res] of PHASES.entries()) await applyAll(client, res, phases[i] ?? [], limit);
  return { ms: performance.now() - t0, writes: phases.reduce((n, p) => n + p.length, 0) };
}

/** `baseline.apiserver.writes_<n>` and the initial mirror's ratio over it (target ≤ 1.3). */
export function apiserverFloorResults(
  floor: { ms: number; writes: number },
  initialMirrorMs: number | undefined,
  size: string,
): Result[] {
  const results: Result[] = [
    {
      name: `baseline.apiserver.writes_${floor.writes}`,
      value: round(floor.ms),
      unit: 'ms',
      size,
      note: `floor: the ${floor.writes} mirrored objects deleted, then applied again by a plain client, ${DEFAULT_WRITE_CONCURRENCY} in flight, VRFs → networks → port sets (the operator's order), operator stopped`,
    },
  ];
  if (initialMirrorMs !== undefined && floor.ms > 0)
    results.push({
      name: 'ratio.initial_mirror_over_floor',
      value: Math.round((initialMirrorMs / floor.ms) * 100) / 100,
      unit: 'x',
      size,
      note: 'operator.initial_mirror / the apiserver floor (target ≤ 1.3)',
    });
  return results;
}
