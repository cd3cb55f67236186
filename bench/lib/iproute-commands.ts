// Pure: the agent's kernel plan (KernelOp[]) as iproute2 commands, for the two
// baselines of issue 8 — one `ip`/`bridge` process per command (the way the
// seeds' scripts work) and one `ip -batch` plus one `bridge -batch` (the
// floor). Each link create becomes `link add` + `link set` (alias, group,
// addrgenmode, up), as the adapter sends it as RTM_NEWLINK + RTM_SETLINK, so
// both sides leave exactly the same kernel state (checked after every
// baseline run by diffing with the agent's own planner).
import type { KernelOp } from '../../node-agent/kernel/netlink/kernel-ops.ts';
import type { LinkChange, LinkSpec } from '../../node-agent/kernel/netlink/link-codec.ts';
import { RTPROT_OVN_EVPN } from '../../node-agent/kernel/ownership.ts';

export interface IprouteCommand {
  readonly tool: 'ip' | 'bridge';
  /** Arguments after the tool name; also one line of a -batch file. */
  readonly args: readonly string[];
}

const ip = (...args: (string | number)[]): IprouteCommand => ({ tool: 'ip', args: args.map(String) });
const bridge = (...args: (string | number)[]): IprouteCommand => ({ tool: 'bridge', args: args.map(String) });

function kindArgs(l: LinkSpec): (string | number)[] {
  switch (l.kind) {
    case 'vrf':
      return ['type', 'vrf', 'table', l.table];
    case 'bridge':
      return [
        'type',
        'bridge',
        'vlan_filtering',
        l.vlanFiltering === false ? 0 : 1,
        'vlan_default_pvid',
        l.vlanDefaultPvid ?? 0,
        'stp_state',
        l.stp === true ? 1 : 0,
      ];
    case 'vxlan':
      return [
        'type',
        'vxlan',
        'id',
        l.vni,
        ...(l.local !== undefined ? ['local', l.local] : []),
        'dstport',
        l.port ?? 4789,
        ...(l.learning === true ? [] : ['nolearning']),
      ];
    case 'vlan':
      return ['type', 'vlan', 'id', l.vlanId];
    case 'veth':
      return ['type', 'veth', 'peer', 'name', l.peer.name, ...(l.peer.mtu !== undefined ? ['mtu', l.peer.mtu] : [])];
    case 'dummy':
      return ['type', 'dummy'];
  }
}

function setArgs(name: string, c: LinkChange): (string | number)[] {
  const a: (string | number)[] = ['link', 'set', 'dev', name];
  if (c.mtu !== undefined) a.push('mtu', c.mtu);
  if (c.address !== undefined) a.push('address', c.address);
  if (c.master === null) a.push('nomaster');
  else if (c.master !== undefined) a.push('master', c.master);
  if (c.alias === null) a.push('alias', '');
  else if (c.alias !== undefined) a.push('alias', c.alias);
  if (c.group !== undefined) a.push('group', c.group);
  if (c.addrGenModeNone === true) a.push('addrgenmode', 'none');
  if (c.up !== undefined) a.push(c.up ? 'up' : 'down');
  return a;
}

function createLink(l: LinkSpec): IprouteCommand[] {
  const bridgeMtu = l.kind === 'bridge' && l.mtu !== undefined;
  const add: (string | number)[] = ['link', 'add'];
  if (l.kind === 'vlan') add.push('link', l.link);
  add.push('name', l.name);
  if (l.address !== undefined) add.push('address', l.address);
  if (l.mtu !== undefined && !bridgeMtu) add.push('mtu', l.mtu);
  if (l.master !== undefined) add.push('master', l.master);
  add.push(...kindArgs(l));
  const change: LinkChange = {
    ...(bridgeMtu ? { mtu: l.mtu } : {}),
    ...(l.alias !== undefined ? { alias: l.alias } : {}),
    ...(l.group !== undefined ? { group: l.group } : {}),
    ...(l.addrGenModeNone === true ? { addrGenModeNone: true } : {}),
    ...(l.up !== undefined ? { up: l.up } : {}),
  };
  return Object.keys(change).length > 0 ? [ip(...add), ip(...setArgs(l.name, change))] : [ip(...add)];
}

function routeArgs(verb: string, r: Extract<KernelOp, { route: unknown }>['route']): (string | number)[] {
  const family = r.family ?? (r.dst.includes(':') || (r.via ?? '').includes(':') ? 6 : 4);
  const dst = r.dst === 'default' ? (family === 6 ? '::/0' : '0.0.0.0/0') : r.dst;
  const a: (string | number)[] = ['route', verb];
  if (r.type !== undefined && r.type !== 'unicast') a.push(r.type);
  a.push(dst, 'table', r.table);
  if (r.metric !== undefined) a.push('metric', r.metric);
  if (r.via !== undefined) a.push('via', r.via);
  if (r.dev !== undefined) a.push('dev', r.dev);
  if (r.src !== undefined) a.push('src', r.src);
  a.push('proto', r.protocol ?? RTPROT_OVN_EVPN);
  return a;
}

/** One KernelOp as the iproute2 command(s) that do the same. */
export function commandsOf(op: KernelOp): IprouteCommand[] {
  switch (op.op) {
    case 'createLink':
      return createLink(op.link);
    case 'setLink':
      return [ip(...setArgs(op.name, op.change))];
    case 'deleteLink':
      return [ip('link', 'del', 'dev', op.name)];
    case 'addAddr':
      return [ip('addr', 'add', op.addr.address, 'dev', op.addr.dev)];
    case 'replaceAddr':
      return [ip('addr', 'replace', op.addr.address, 'dev', op.addr.dev)];
    case 'delAddr':
      return [ip('addr', 'del', op.addr.address, 'dev', op.addr.dev)];
    case 'addRoute':
      return [ip(...routeArgs('add', op.route))];
    case 'replaceRoute':
      return [ip(...routeArgs('replace', op.route))];
    case 'delRoute':
      return [ip(...routeArgs('del', op.route))];
    case 'replaceNeighbor':
      return [
        ip(
          'neigh',
          'replace',
          op.neighbor.dst,
          'lladdr',
          op.neighbor.lladdr,
          'dev',
          op.neighbor.dev,
          'nud',
          op.neighbor.state ?? 'permanent',
        ),
      ];
    case 'delNeighbor':
      return [ip('neigh', 'del', op.neighbor.dst, 'dev', op.neighbor.dev)];
    case 'addFdb':
    case 'appendFdb':
    case 'replaceFdb':
    case 'delFdb':
      return [bridge(...fdbArgs(op))];
    case 'addBridgeVlan':
    case 'delBridgeVlan':
      return [bridge(...vlanArgs(op))];
    case 'setBridgePort':
      return [bridge(...portArgs(op.port))];
  }
}

/** A batch-file line; iproute2's batch reader splits on blanks and honours double quotes. */
export function batchLine(c: IprouteCommand): string {
  return c.args.map((a) => (a === '' || /[\s"]/.test(a) ? `"${a.replace(/"/g, '\\"')}"` : a)).join(' ');
}

/**
 * The floor: all `ip` work in one batch, then all `bridge` work in another.
 * Bridge VLANs, port flags and FDB entries only need the links (ip batch);
 * nothing in the ip batch needs a bridge command before it.
 */
export function splitBatches(commands: readonly IprouteCommand[]): {
  ip: string;
  bridge: string;
  ipLines: number;
  bridgeLines: number;
} {
  const ipLines = commands.filter((c) => c.tool === 'ip').map(batchLine);
  const bridgeLines = commands.filter((c) => c.tool === 'bridge').map(batchLine);
  return {
    ip: `${ipLines.join('\n')}\n`,
    bridge: `${bridgeLines.join('\n')}\n`,
    ipLines: ipLines.length,
    bridgeLines: bridgeLines.length,
  };
}

type OpOf<K extends KernelOp['op']> = Extract<KernelOp, { op: K }>;

function fdbArgs(op: OpOf<'addFdb' | 'appendFdb' | 'replaceFdb' | 'delFdb'>): (string | number)[] {
  const verb = { addFdb: 'add', appendFdb: 'append', replaceFdb: 'replace', delFdb: 'del' }[op.op];
  const f = op.fdb;
  const a: (string | number)[] = ['fdb', verb, f.mac, 'dev', f.dev];
  if (f.vlan !== undefined) a.push('vlan', f.vlan);
  if (f.dst !== undefined) a.push('dst', f.dst);
  if (f.master === true) a.push('master');
  if (f.self === true) a.push('self');
  if (op.op !== 'delFdb') a.push(f.state ?? 'static');
  return a;
}

function vlanArgs(op: OpOf<'addBridgeVlan' | 'delBridgeVlan'>): (string | number)[] {
  const v = op.vlan;
  const a: (string | number)[] = ['vlan', op.op === 'addBridgeVlan' ? 'add' : 'del', 'dev', v.dev, 'vid', v.vid];
  if (v.pvid === true) a.push('pvid');
  if (v.untagged === true) a.push('untagged');
  if (v.self === true) a.push('self');
  return a;
}

function portArgs(p: OpOf<'setBridgePort'>['port']): (string | number)[] {
  const a: (string | number)[] = ['link', 'set', 'dev', p.dev];
  if (p.learning !== undefined) a.push('learning', p.learning ? 'on' : 'off');
  if (p.neighSuppress !== undefined) a.push('neigh_suppress', p.neighSuppress ? 'on' : 'off');
  return a;
}
