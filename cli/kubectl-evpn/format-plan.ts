// Text of `kubectl evpn plan`: per node, what the plan starts from, the kernel
// operations (in the agent's order: deletes, removes, creates of links,
// updates, creates), the FRR lines and the objects whose verdict changes.
import type { KernelOp } from '../../node-agent/kernel/netlink/kernel-ops.ts';
import { planSize } from '../../node-agent/kernel/diff-kernel-state.ts';
import type { NodePlan } from './plan.ts';

function describeOp(op: KernelOp): string {
  switch (op.op) {
    case 'createLink':
      return `+ link ${linkText(op.link)}`;
    case 'setLink':
      return `~ link ${op.name}: ${Object.entries(op.change)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(', ')}`;
    case 'deleteLink':
      return `- link ${op.name}`;
    case 'addAddr':
    case 'replaceAddr':
      return `+ address ${op.addr.address} dev ${op.addr.dev}`;
    case 'delAddr':
      return `- address ${op.addr.address} dev ${op.addr.dev}`;
    case 'addRoute':
    case 'replaceRoute':
    case 'delRoute':
      return `${op.op === 'delRoute' ? '-' : '+'} ${routeText(op.route)}`;
    case 'replaceNeighbor':
      return `+ neighbour ${op.neighbor.dst} lladdr ${op.neighbor.lladdr} dev ${op.neighbor.dev}`;
    case 'delNeighbor':
      return `- neighbour ${op.neighbor.dst} dev ${op.neighbor.dev}`;
    case 'addFdb':
    case 'replaceFdb':
    case 'appendFdb':
      return `+ fdb ${fdbText(op.fdb)}`;
    case 'delFdb':
      return `- fdb ${fdbText(op.fdb)}`;
    case 'addBridgeVlan':
      return `+ bridge vlan ${op.vlan.vid} dev ${op.vlan.dev}${flags(op.vlan, ['pvid', 'untagged', 'self'])}`;
    case 'delBridgeVlan':
      return `- bridge vlan ${op.vlan.vid} dev ${op.vlan.dev}`;
    case 'setBridgePort':
      return `~ bridge port ${op.port.dev}:${onOff('learning', op.port.learning)}${onOff('neigh_suppress', op.port.neighSuppress)}`;
  }
}

type OpWith<F extends string> = Extract<KernelOp, Record<F, unknown>>;

/** ` word value`, or nothing when the value is absent. */
const opt = (word: string, value: string | number | undefined): string =>
  value === undefined ? '' : ` ${word} ${value}`;
const onOff = (word: string, value: boolean | undefined): string =>
  value === undefined ? '' : ` ${word} ${value ? 'on' : 'off'}`;
function flags<T extends object>(o: T, names: readonly (keyof T & string)[]): string {
  return names
    .filter((n) => o[n] === true)
    .map((n) => ` ${n}`)
    .join('');
}

function linkText(l: OpWith<'link'>['link']): string {
  const extra =
    l.kind === 'vrf'
      ? `table ${l.table}`
      : l.kind === 'vxlan'
        ? `vni ${l.vni} local ${l.local ?? '-'}`
        : l.kind === 'vlan'
          ? `on ${l.link} vlan ${l.vlanId}`
          : l.kind === 'veth'
            ? `peer ${l.peer.name}`
            : '';
  return `${l.name} (${l.kind}${extra === '' ? '' : `, ${extra}`}${l.master === undefined ? '' : `, master ${l.master}`}${l.mtu === undefined ? '' : `, mtu ${l.mtu}`})`;
}

function routeText(r: OpWith<'route'>['route']): string {
  const type = r.type !== undefined && r.type !== 'unicast' ? ` ${r.type}` : '';
  return `route table ${r.table} ${r.dst}${type}${opt('via', r.via)}${opt('dev', r.dev)}${opt('metric', r.metric)}${r.family === 6 ? ' (ipv6)' : ''}`;
}

function fdbText(f: OpWith<'fdb'>['fdb']): string {
  return `${f.mac} dev ${f.dev}${opt('vlan', f.vlan)}`;
}

export function formatNodePlan(p: NodePlan): string {
  const k = p.kernel;
  const lines: string[] = [
    `Node ${p.node.name} (VTEP ${p.node.vtepIp}${p.node.vtepKnown ? '' : ' [placeholder: no EvpnNodeState status yet]'}, AS ${p.node.asn})`,
  ];
  lines.push(
    p.basis.reported
      ? `  from: what the node reports applied (EvpnNodeState${p.basis.lastSyncTime === undefined ? '' : `, last sync ${p.basis.lastSyncTime}`})`
      : '  from: nothing (the node reported no pass yet: planned as an empty node)',
  );
  for (const n of p.basis.notes) lines.push(`  note: ${n}`);
  if (planSize(k) === 0 && p.frr.length === 0 && p.objects.length === 0) {
    lines.push('  no changes');
    return lines.join('\n');
  }
  for (const o of p.objects) lines.push(`  ${o.kind} ${o.name}: ${o.before} -> ${o.after}`);
  if (planSize(k) > 0) {
    const creates = k.linkCreates.length + k.creates.length;
    lines.push(
      `  kernel: ${creates} to create, ${k.updates.length} to update, ${k.linkDeletes.length + k.removes.length} to delete`,
    );
    for (const name of k.linkDeletes) lines.push(`    - link ${name}`);
    for (const op of [...k.removes, ...k.linkCreates, ...k.updates, ...k.creates]) lines.push(`    ${describeOp(op)}`);
  }
  if (k.blocked.length > 0)
    lines.push(`  blocked (name held by a link the agent does not own): ${k.blocked.join(', ')}`);
  if (p.frr.length > 0) {
    lines.push(
      `  frr: ${p.frr.filter((l) => l.startsWith('+')).length} lines added, ${p.frr.filter((l) => l.startsWith('-')).length} removed`,
    );
    for (const l of p.frr) lines.push(`    ${l}`);
  }
  return lines.join('\n');
}
