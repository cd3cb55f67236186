// Pure: a line FRR refused when the delta was sent over the vty sockets, and
// whom it fails. Every refusal is someone's:
//  - in a VRF's stanzas (`vrf X`, `router bgp A vrf X`, `route-map RM-X-LP`):
//    that EvpnVrf (EVPN-006 on it alone; its networks keep their outcome);
//  - in (or deleting) an L2VNI's `vni N` block under `router bgp A`'s
//    `address-family l2vpn evpn`: the EvpnNetwork with that VNI; the rest of
//    the block is still sent, so the other L2VNIs and the underlay are applied;
//  - anywhere else (the underlay neighbours, `bfd`, prefix lists, a refusal
//    about an object that is no longer applied): the node; FrrApplied goes
//    False and every object on the node reports it is not applied.
// The read-back comparison leaves out exactly the refused units (maskRefused),
// never a whole stanza for one L2VNI, so any other difference still counts.
import { EvpnErrorCode } from '../../crds/index.ts';
import type { EvpnNetwork, EvpnVrf } from '../../crds/index.ts';
import { vrfDeviceOf } from '../backends/ovn/backend.ts';
import type { ConfigNode, DaemonName, FrrStanzas } from './stanzas.ts';
import { vrfsOfKeys } from './stanzas.ts';

export type FrrRefusal = {
  /** The stanza key of the block the line was sent in. */
  readonly key: string;
  readonly daemon: DaemonName;
  /** The context lines the refused line was sent in (outermost first, the block's first line included). */
  readonly context: readonly string[];
  readonly line: string;
  /** FRR's answer. */
  readonly message: string;
};

export type RefusalTarget =
  | { readonly kind: 'vrf'; readonly vrf: string }
  | { readonly kind: 'l2vni'; readonly vni: number }
  | { readonly kind: 'node' };

const VNI_LINE = /^(?:no )?vni (\d+)$/;

export function targetOf(r: FrrRefusal): RefusalTarget {
  const [vrf] = vrfsOfKeys([r.key]);
  if (vrf !== undefined) return { kind: 'vrf', vrf };
  if (/^router bgp \d+$/.test(r.key)) {
    const vni = [r.line, ...r.context].map((l) => VNI_LINE.exec(l)?.[1]).find((v) => v !== undefined);
    if (vni !== undefined && [...r.context, r.line].includes('address-family l2vpn evpn'))
      return { kind: 'l2vni', vni: Number(vni) };
  }
  return { kind: 'node' };
}

export const describeRefusal = (r: FrrRefusal): string => `${r.daemon}: ${r.line}: ${r.message}`;

/**
 * FRR's answer to a refused line as one plain line. A northbound commit wraps
 * the reason in boilerplate: FRR 10's mgmtd (status 13, measured on 10.7.1)
 * "% Configuration failed.\n\ncommit failed session-id 1009 on Unknown-FD-12
 * req-id 18 source-ds: candidate target-ds: running validate-only: 0: reason:
 * 'Failed to create cfgdata: vni 2003 is already mapped to another vrf'", whose
 * session and request ids change on every try (the condition's message would
 * change on every pass); FRR 8.4's northbound daemons "% Configuration
 * failed.\n\nError type: validation\nError description: …". Only the reason is kept.
 */
export function plainRefusalMessage(output: string, status: number): string {
  const text = output.trim();
  const reason = /reason: '([\s\S]*)'$/.exec(text)?.[1] ?? /^Error description: (.+)$/m.exec(text)?.[1];
  const plain = (reason ?? text)
    .replace(/^Failed to \w+ cfgdata: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return plain === '' ? `status ${status}` : plain;
}

const depthOf = (line: string): number => line.length - line.trimStart().length;

/** The `vni N` line that opens the block `lines[i]` is in (i itself when it opens one); -1: none. */
function openingVniLine(lines: readonly string[], i: number): number {
  const line = lines[i] ?? '';
  if (/^\s*vni \d+$/.test(line)) return i;
  for (let k = i - 1; k >= 0; k -= 1) {
    const above = lines[k] ?? '';
    if (depthOf(above) < depthOf(line) && /^\s*vni \d+$/.test(above)) return k;
  }
  return -1;
}

/**
 * Where sending goes on after the refused line `lines[i]`: after the end of
 * its `vni N` block (an L2VNI's unit), the next line for a refused leaf
 * `no vni N`, or undefined: the refusal ends the block.
 */
export function refusalUnitEnd(lines: readonly string[], i: number, refusal: FrrRefusal): number | undefined {
  if (targetOf(refusal).kind !== 'l2vni') return undefined;
  if (refusal.line.startsWith('no ')) return i + 1;
  const open = openingVniLine(lines, i);
  if (open < 0) return undefined;
  const depth = depthOf(lines[open] ?? '');
  let m = i + 1;
  while (m < lines.length && depthOf(lines[m] ?? '') > depth) m += 1;
  return lines[m]?.trim() === 'exit-vni' && depthOf(lines[m] ?? '') === depth ? m + 1 : m;
}

function withoutVni(node: ConfigNode, vni: number): ConfigNode {
  return {
    line: node.line,
    children: node.children.map((c) =>
      c.line === 'address-family l2vpn evpn'
        ? { line: c.line, children: c.children.filter((v) => v.line !== `vni ${vni}`) }
        : c,
    ),
  };
}

/** The stanzas without the refused units: what the read-back must still match exactly. */
export function maskRefused(stanzas: FrrStanzas, refusals: readonly FrrRefusal[]): FrrStanzas {
  if (refusals.length === 0) return stanzas;
  const out = new Map(stanzas);
  for (const r of refusals) {
    const t = targetOf(r);
    const node = out.get(r.key);
    if (node === undefined) continue;
    if (t.kind === 'l2vni') out.set(r.key, withoutVni(node, t.vni));
    else out.delete(r.key);
  }
  return out;
}

/** VRF devices whose stanzas FRR refused (their L3VNI is not checked either). */
export function refusedVrfDevices(refusals: readonly FrrRefusal[]): Set<string> {
  return new Set(
    refusals.flatMap((r) => {
      const t = targetOf(r);
      return t.kind === 'vrf' ? [t.vrf] : [];
    }),
  );
}

export type FrrRejection = { readonly code: EvpnErrorCode; readonly reason: 'FrrRejected'; readonly message: string };
export type RefusalAttribution = {
  readonly vrfs: ReadonlyMap<string, FrrRejection>;
  readonly networks: ReadonlyMap<string, FrrRejection>;
  /** Refusals that are the node's (underlay, shared stanzas, objects no longer applied); undefined: none. */
  readonly node: string | undefined;
};

const rejection = (message: string): FrrRejection => ({
  code: EvpnErrorCode.Frr,
  reason: 'FrrRejected',
  message: `${EvpnErrorCode.Frr}: ${message}`,
});

/** Each refusal to the EvpnVrf, EvpnNetwork or node it fails. */
export function attributeRefusals(
  refusals: readonly FrrRefusal[],
  vrfs: readonly EvpnVrf[],
  networks: readonly EvpnNetwork[],
): RefusalAttribution {
  const byVrf = new Map<string, string[]>();
  const byNetwork = new Map<string, string[]>();
  const node: string[] = [];
  const add = (m: Map<string, string[]>, k: string, text: string): void => {
    m.set(k, [...(m.get(k) ?? []), text]);
  };
  for (const r of refusals) {
    const t = targetOf(r);
    const text = describeRefusal(r);
    const owner =
      t.kind === 'vrf'
        ? vrfs.find((v) => vrfDeviceOf(v) === t.vrf)
        : t.kind === 'l2vni'
          ? networks.find((n) => n.spec.type === 'l2' && n.spec.vni === t.vni)
          : undefined;
    if (owner === undefined) node.push(text);
    else add(t.kind === 'vrf' ? byVrf : byNetwork, owner.metadata.name, text);
  }
  const rejections = (m: Map<string, string[]>, what: string): Map<string, FrrRejection> =>
    new Map([...m].map(([k, texts]) => [k, rejection(`FRR refused ${what}: ${texts.join('; ')}`)]));
  return {
    vrfs: rejections(byVrf, 'its configuration'),
    networks: rejections(byNetwork, 'its L2VNI configuration'),
    node: node.length === 0 ? undefined : `FRR refused the node's configuration: ${node.slice(0, 5).join('; ')}`,
  };
}
