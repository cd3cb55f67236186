// The EVPN objects `kubectl evpn` works on, as one snapshot, and how a manifest
// changes it (kubectl apply semantics: an object replaces the one of the same
// kind and name).
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { API_GROUP_VERSION, EvpnNetwork, EvpnNodeState, EvpnPortSet, EvpnVrf } from '../../crds/index.ts';

export interface EvpnObjects {
  vrfs: EvpnVrf[];
  networks: EvpnNetwork[];
  portSets: EvpnPortSet[];
  nodeStates: EvpnNodeState[];
}

export const emptyObjects = (): EvpnObjects => ({ vrfs: [], networks: [], portSets: [], nodeStates: [] });

const schemas = { EvpnVrf, EvpnNetwork, EvpnPortSet, EvpnNodeState } as const;
type Kind = keyof typeof schemas;
const listOf: Record<Kind, keyof EvpnObjects> = {
  EvpnVrf: 'vrfs',
  EvpnNetwork: 'networks',
  EvpnPortSet: 'portSets',
  EvpnNodeState: 'nodeStates',
};

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

const isKind = (k: unknown): k is Kind => typeof k === 'string' && k in schemas;

/** Parses a multi-document manifest (also `kind: List`); every document must be one of the four kinds. */
export function parseManifest(text: string, source = 'manifest'): EvpnObjects {
  const out = emptyObjects();
  const docs = parseAllDocuments(text);
  const items: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new ManifestError(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const list = z.object({ kind: z.literal('List'), items: z.array(z.unknown()) }).safeParse(value);
    items.push(...(list.success ? list.data.items : [value]));
  }
  items.forEach((item, i) => {
    const head = z
      .looseObject({ apiVersion: z.string(), kind: z.string(), metadata: z.looseObject({ name: z.string() }) })
      .safeParse(item);
    const where = head.success ? `${head.data.kind}/${head.data.metadata.name}` : `document ${i + 1}`;
    if (!head.success) throw new ManifestError(`${source}: ${where} has no apiVersion, kind or metadata.name`);
    if (!isKind(head.data.kind) || head.data.apiVersion !== API_GROUP_VERSION) {
      throw new ManifestError(
        `${source}: ${where} (${head.data.apiVersion}) is not an ${API_GROUP_VERSION} EvpnVrf, EvpnNetwork, EvpnPortSet or EvpnNodeState`,
      );
    }
    const parsed = schemas[head.data.kind].safeParse(item);
    if (!parsed.success) {
      throw new ManifestError(
        `${source}: ${where} is invalid: ${parsed.error.issues.map((e) => `${e.path.join('.')}: ${e.message}`).join('; ')}`,
      );
    }
    (out[listOf[head.data.kind]] as unknown[]).push(parsed.data);
  });
  return out;
}

function overlay<T extends { metadata: { name: string } }>(base: readonly T[], changes: readonly T[]): T[] {
  const byName = new Map(base.map((o) => [o.metadata.name, o]));
  for (const c of changes) byName.set(c.metadata.name, c);
  return [...byName.values()];
}

/** `current` after `kubectl apply -f manifest`. */
export function applyManifest(current: EvpnObjects, manifest: EvpnObjects): EvpnObjects {
  return {
    vrfs: overlay(current.vrfs, manifest.vrfs),
    networks: overlay(current.networks, manifest.networks),
    portSets: overlay(current.portSets, manifest.portSets),
    nodeStates: overlay(current.nodeStates, manifest.nodeStates),
  };
}
