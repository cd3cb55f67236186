// Chassis → Kubernetes node name. OVN knows a chassis by its name (the
// system-id, often a UUID) and its hostname; Kubernetes nodes are named by the
// kubelet. Three ways to map, chosen with --node-name-from:
//   hostname      Chassis.hostname as is (the default; nothing is stripped)
//   chassis-name  Chassis.name
//   map:<file>    a YAML/JSON mapping whose keys are chassis hostnames or names;
//                 chassis not in the map have no node (their ports are not mirrored)
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ChassisRow, OvnSnapshot } from './ovn-snapshot.ts';
import { errorMessage } from '../../lib/log.ts';

export type NodeNameMode =
  | { readonly kind: 'hostname' }
  | { readonly kind: 'chassis-name' }
  | { readonly kind: 'map'; readonly file: string; readonly map: ReadonlyMap<string, string> };

export function parseNodeNameMapText(textValue: string, file: string): Map<string, string> {
  const parsed: unknown = parseYaml(textValue);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${file}: expected a mapping of chassis hostname or name to node name`);
  }
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v !== 'string' || v === '')
      throw new Error(`${file}: the node name for ${JSON.stringify(k)} must be a non-empty string`);
    map.set(k, v);
  }
  return map;
}

export function parseNodeNameMode(value: string): NodeNameMode {
  if (value === 'hostname') return { kind: 'hostname' };
  if (value === 'chassis-name') return { kind: 'chassis-name' };
  if (value.startsWith('map:') && value.length > 4) {
    const file = value.slice(4);
    let textValue: string;
    try {
      textValue = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`--node-name-from ${value}: cannot read ${file}: ${errorMessage(err)}`, { cause: err });
    }
    return { kind: 'map', file, map: parseNodeNameMapText(textValue, file) };
  }
  throw new Error(`--node-name-from must be hostname, chassis-name or map:<file>, got ${JSON.stringify(value)}`);
}

export function nodeNameOfChassis(mode: NodeNameMode, c: ChassisRow): string | undefined {
  switch (mode.kind) {
    case 'hostname':
      return c.hostname !== '' ? c.hostname : undefined;
    case 'chassis-name':
      return c.name !== '' ? c.name : undefined;
    case 'map':
      return mode.map.get(c.hostname) ?? mode.map.get(c.name);
  }
}

/**
 * The mirror takes a chassis's `hostname || name` as its node; this rewrites each
 * chassis so that field already holds the node name (or nothing), which keeps the
 * mirror unaware of the mapping modes.
 */
export function withNodeNames(snapshot: OvnSnapshot, mode: NodeNameMode): OvnSnapshot {
  if (mode.kind === 'hostname') return snapshot;
  return {
    ...snapshot,
    chassis: snapshot.chassis.map((c) => {
      const node = nodeNameOfChassis(mode, c) ?? '';
      return { uuid: c.uuid, name: node, hostname: node };
    }),
  };
}
