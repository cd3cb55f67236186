// The agent's configuration: flags, environment and an optional file written
// by the chart's init container (node-level BGP settings). Validated once at
// start; a bad value is a clear error and exit, never a crash loop on data.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { defaultServerAsn } from './frr/model.ts';
import type { FrrModelInput } from './frr/model.ts';
import { NodeConfig } from './inputs/node-config.ts';

export const AgentConfig = z.object({
  node: NodeConfig,
  /** FRR node-level settings; vrfs and l2vnis are added from the resources. */
  bgp: z.object({
    asn: z.int().min(1).max(4_294_967_295),
    routerId: z.ipv4(),
    peers: z.array(z.object({ address: z.string(), remoteAs: z.union([z.literal('internal'), z.literal('external'), z.int()]).default('internal') })).default([]),
    bfd: z.boolean().default(false),
  }),
  frr: z.object({
    enabled: z.boolean().default(true),
    pathspace: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).optional(),
    /** The agent's copy of the last applied config. */
    configPath: z.string().default('/var/lib/ovn-evpn/frr.conf'),
    statusIntervalSeconds: z.int().min(1).default(10),
    /** FRR's own boot config (frr.conf the daemons start with), kept equal to the applied config when set. */
    bootConfigPath: z.string().optional(),
    /** The periodic check that FRR still runs the applied config (daemon restarts, drift, dropped VNIs). */
    checkIntervalSeconds: z.int().min(1).default(5),
  }),
  /**
   * The node-level FRR model as the chart's init container derived it (ASN,
   * leaf and route-reflector peers, timers, BFD). When present it is used as
   * is, so the agent's first reload matches the boot config; otherwise it is
   * built from `bgp`.
   */
  frrNodeSettings: z.record(z.string(), z.unknown()).optional(),
  httpAddr: z.string().default('127.0.0.1:9650'),
  resyncSeconds: z.int().min(1).default(30),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

const usage = `usage: evpn-node-agent --vtep-ip IP [--asn N] [--router-id IP] [--bgp-peer IP[:ASN|internal|external]]...
  [--frr-pathspace NS] [--frr-config PATH] [--no-frr] [--bfd] [--http-addr HOST:PORT] [--resync-seconds N]
  [--bridge NAME] [--uplink NAME] [--uplink-peer NAME] [--anycast-mac MAC] [--mtu N] [--config FILE]
env: NODE_NAME (required), KUBECONFIG (or in-cluster)`;

export class ConfigError extends Error {}

function peerOf(text: string): { address: string; remoteAs: 'internal' | 'external' | number } {
  const i = text.lastIndexOf(':');
  // IPv6 peers are written [addr]:as
  const bracket = /^\[(.+)\](?::(.+))?$/.exec(text);
  const [address, as] = bracket ? [bracket[1] ?? '', bracket[2]] : text.includes('.') && i > 0 ? [text.slice(0, i), text.slice(i + 1)] : [text, undefined];
  if (as === undefined || as === '' || as === 'internal') return { address, remoteAs: 'internal' };
  if (as === 'external') return { address, remoteAs: 'external' };
  return { address, remoteAs: Number(as) };
}

export function parseAgentConfig(argv: readonly string[], env: NodeJS.ProcessEnv): AgentConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'vtep-ip': { type: 'string' }, asn: { type: 'string' }, 'router-id': { type: 'string' },
      'bgp-peer': { type: 'string', multiple: true }, bfd: { type: 'boolean' },
      'frr-pathspace': { type: 'string' }, 'frr-config': { type: 'string' }, 'no-frr': { type: 'boolean' },
      'http-addr': { type: 'string' }, 'resync-seconds': { type: 'string' },
      bridge: { type: 'string' }, uplink: { type: 'string' }, 'uplink-peer': { type: 'string' },
      'anycast-mac': { type: 'string' }, mtu: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) throw new ConfigError(usage);
  const file = values.config === undefined ? {} : (parseYaml(readFileSync(values.config, 'utf8')) as Record<string, unknown>);
  const fileNode = (file.node ?? {}) as Record<string, unknown>;
  const fileBgp = (file.bgp ?? {}) as Record<string, unknown>;
  const fileFrr = (file.frr ?? {}) as Record<string, unknown>;
  const vtepIp = values['vtep-ip'] ?? (fileNode.vtepIp as string | undefined);
  const nodeName = env.NODE_NAME ?? (fileNode.nodeName as string | undefined);
  if (nodeName === undefined || nodeName === '') throw new ConfigError(`NODE_NAME is not set\n${usage}`);
  if (vtepIp === undefined) throw new ConfigError(`--vtep-ip is required\n${usage}`);
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  let asn = num(values.asn) ?? (fileBgp.asn as number | undefined);
  if (asn === undefined) {
    try { asn = defaultServerAsn(vtepIp); } catch (e: unknown) { throw new ConfigError(`cannot derive the ASN from --vtep-ip: ${(e as Error).message}`); }
  }
  const raw = {
    node: {
      ...fileNode, nodeName, vtepIp,
      ...(values.bridge !== undefined ? { bridge: values.bridge } : {}),
      ...(values.uplink !== undefined ? { uplink: values.uplink } : {}),
      ...(values['uplink-peer'] !== undefined ? { uplinkPeer: values['uplink-peer'] } : {}),
      ...(values['anycast-mac'] !== undefined ? { anycastGatewayMac: values['anycast-mac'].toLowerCase() } : {}),
      ...(values.mtu !== undefined ? { defaultMtu: Number(values.mtu) } : {}),
    },
    bgp: {
      ...fileBgp, asn, routerId: values['router-id'] ?? (fileBgp.routerId as string | undefined) ?? vtepIp,
      ...(values['bgp-peer'] !== undefined ? { peers: values['bgp-peer'].map(peerOf) } : {}),
      ...(values.bfd === true ? { bfd: true } : {}),
    },
    frr: {
      ...fileFrr,
      ...(values['no-frr'] === true ? { enabled: false } : {}),
      ...(values['frr-pathspace'] !== undefined ? { pathspace: values['frr-pathspace'] } : {}),
      ...(values['frr-config'] !== undefined ? { configPath: values['frr-config'] } : {}),
    },
    ...(file.frrNodeSettings !== undefined ? { frrNodeSettings: file.frrNodeSettings } : {}),
    ...(values['http-addr'] !== undefined ? { httpAddr: values['http-addr'] } : {}),
    ...(values['resync-seconds'] !== undefined ? { resyncSeconds: Number(values['resync-seconds']) } : {}),
  };
  const parsed = AgentConfig.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** The node-level part of the FRR model. */
export function frrNodeSettings(c: AgentConfig): Omit<FrrModelInput, 'vrfs' | 'l2vnis'> {
  // Validated with the whole FRR model before every render (validateFrrModel).
  if (c.frrNodeSettings !== undefined) return c.frrNodeSettings as Omit<FrrModelInput, 'vrfs' | 'l2vnis'>;
  return {
    asn: c.bgp.asn,
    routerId: c.bgp.routerId,
    underlayNeighbors: c.bgp.peers.map((p) => ({ address: p.address, remoteAs: p.remoteAs, evpn: true, bfd: c.bgp.bfd, timers: { keepalive: 3, hold: 9 }, connectRetry: 1 })),
    advertiseNetworks: [`${c.node.vtepIp}/32`],
    gracefulRestart: { enabled: true },
    ...(c.bgp.bfd ? { bfd: {} } : {}),
  };
}
