// The agent's configuration: flags, environment and an optional file written
// by the chart's init container (node-level BGP settings). Validated once at
// start; a bad value is a clear error and exit, never a crash loop on data.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { defaultServerAsn } from './frr/model.ts';
import { NodeConfig } from './inputs/node-config.ts';

export const AgentConfig = z.object({
  node: NodeConfig,
  /** FRR node-level settings; vrfs and l2vnis are added from the resources. */
  bgp: z.object({
    asn: z.int().min(1).max(4_294_967_295),
    routerId: z.ipv4(),
    peers: z
      .array(
        z.object({
          address: z.string(),
          remoteAs: z.union([z.literal('internal'), z.literal('external'), z.int()]).default('internal'),
        }),
      )
      .default([]),
    bfd: z.boolean().default(false),
  }),
  frr: z.object({
    enabled: z.boolean().default(true),
    pathspace: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/)
      .optional(),
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
  /** The node's Open vSwitch database, where the uplink's OVS end is plugged (node-agent/ovs). */
  ovs: z
    .object({
      enabled: z.boolean().default(true),
      remote: z
        .string()
        .regex(/^(unix:.+|tcp:.+:\d+)$/, 'ovs.remote must be unix:PATH or tcp:HOST:PORT')
        .default('unix:/run/openvswitch/db.sock'),
    })
    .prefault({}),
  /** The API (/v1/evpn/*): loopback by default, the chart's port (deploy/helm values nodeAgent.http.port). */
  httpAddr: z.string().default('127.0.0.1:9410'),
  /** The bearer token every API request but the probes needs (a mounted Secret), read at each request; without it the API is closed. */
  apiTokenFile: z.string().min(1).optional(),
  /** Prometheus /metrics and the probes, without a token (chart: nodeAgent.metrics.port). */
  metricsAddr: z.string().default('127.0.0.1:9411'),
  resyncSeconds: z.int().min(1).default(30),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

const usage = `usage: evpn-node-agent --vtep-ip IP [--asn N] [--router-id IP] [--bgp-peer IP[:ASN|internal|external]]...
  [--frr-pathspace NS] [--frr-config PATH] [--frr-boot-config PATH] [--no-frr] [--ovsdb unix:PATH|tcp:HOST:PORT] [--no-ovs] [--bfd] [--http-addr HOST:PORT] [--api-token-file FILE] [--metrics-addr HOST:PORT] [--resync-seconds N]
  [--bridge NAME] [--uplink NAME] [--uplink-peer NAME] [--anycast-mac MAC] [--mtu N] [--default-backend kernel|ovn] [--config FILE]
env: NODE_NAME (required), KUBECONFIG (or in-cluster)`;

export class ConfigError extends Error {}

function peerOf(text: string): { address: string; remoteAs: 'internal' | 'external' | number } {
  const i = text.lastIndexOf(':');
  // IPv6 peers are written [addr]:as
  const bracket = /^\[(.+)\](?::(.+))?$/.exec(text);
  const [address, as] = bracket
    ? [bracket[1] ?? '', bracket[2]]
    : text.includes('.') && i > 0
      ? [text.slice(0, i), text.slice(i + 1)]
      : [text, undefined];
  if (as === undefined || as === '' || as === 'internal') return { address, remoteAs: 'internal' };
  if (as === 'external') return { address, remoteAs: 'external' };
  return { address, remoteAs: Number(as) };
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      'vtep-ip': { type: 'string' },
      asn: { type: 'string' },
      'router-id': { type: 'string' },
      'bgp-peer': { type: 'string', multiple: true },
      bfd: { type: 'boolean' },
      'frr-pathspace': { type: 'string' },
      'frr-config': { type: 'string' },
      'frr-boot-config': { type: 'string' },
      'no-frr': { type: 'boolean' },
      ovsdb: { type: 'string' },
      'no-ovs': { type: 'boolean' },
      'http-addr': { type: 'string' },
      'api-token-file': { type: 'string' },
      'metrics-addr': { type: 'string' },
      'resync-seconds': { type: 'string' },
      bridge: { type: 'string' },
      uplink: { type: 'string' },
      'uplink-peer': { type: 'string' },
      'anycast-mac': { type: 'string' },
      mtu: { type: 'string' },
      'default-backend': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  }).values;
}
type Flags = ReturnType<typeof parseFlags>;

/** The config file's sections, each `{}` when absent; the file itself is optional. */
interface FileConfig {
  node: Record<string, unknown>;
  bgp: Record<string, unknown>;
  frr: Record<string, unknown>;
  ovs: Record<string, unknown>;
  frrNodeSettings: unknown;
}

function readConfigFile(path: string | undefined): FileConfig {
  const file = path === undefined ? {} : (parseYaml(readFileSync(path, 'utf8')) as Record<string, unknown>);
  return {
    node: (file.node ?? {}) as Record<string, unknown>,
    bgp: (file.bgp ?? {}) as Record<string, unknown>,
    frr: (file.frr ?? {}) as Record<string, unknown>,
    ovs: (file.ovs ?? {}) as Record<string, unknown>,
    frrNodeSettings: file.frrNodeSettings,
  };
}

/** `{ [key]: value }`, or nothing when the value was not given (the file's or the default stands). */
function given<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function num(s: string | undefined): number | undefined {
  return s === undefined ? undefined : Number(s);
}

/** A flag that turns a feature off: `{ enabled: false }` when set. */
function disabledBy(flag: boolean | undefined): { enabled?: false } {
  return flag === true ? { enabled: false } : {};
}

function resolveAsn(flags: Flags, file: FileConfig, vtepIp: string): number {
  const asn = num(flags.asn) ?? (file.bgp.asn as number | undefined);
  if (asn !== undefined) return asn;
  try {
    return defaultServerAsn(vtepIp);
  } catch (e: unknown) {
    throw new ConfigError(`cannot derive the ASN from --vtep-ip: ${(e as Error).message}`);
  }
}

function nodeSection(
  flags: Flags,
  file: FileConfig,
  identity: { nodeName: string; vtepIp: string },
): Record<string, unknown> {
  return {
    ...file.node,
    ...identity,
    ...given('bridge', flags.bridge),
    ...given('uplink', flags.uplink),
    ...given('uplinkPeer', flags['uplink-peer']),
    ...given('anycastGatewayMac', flags['anycast-mac']?.toLowerCase()),
    ...given('defaultMtu', num(flags.mtu)),
    ...given('defaultBackend', flags['default-backend']),
  };
}

function bgpSection(flags: Flags, file: FileConfig, vtepIp: string): Record<string, unknown> {
  return {
    ...file.bgp,
    asn: resolveAsn(flags, file, vtepIp),
    routerId: flags['router-id'] ?? file.bgp.routerId ?? vtepIp,
    ...given('peers', flags['bgp-peer']?.map(peerOf)),
    ...(flags.bfd === true ? { bfd: true } : {}),
  };
}

/** Flags override the file, which overrides the schema's defaults. */
function mergeConfig(
  flags: Flags,
  file: FileConfig,
  identity: { nodeName: string; vtepIp: string },
): Record<string, unknown> {
  return {
    node: nodeSection(flags, file, identity),
    bgp: bgpSection(flags, file, identity.vtepIp),
    frr: {
      ...file.frr,
      ...disabledBy(flags['no-frr']),
      ...given('pathspace', flags['frr-pathspace']),
      ...given('configPath', flags['frr-config']),
      ...given('bootConfigPath', flags['frr-boot-config']),
    },
    ovs: { ...file.ovs, ...disabledBy(flags['no-ovs']), ...given('remote', flags.ovsdb) },
    ...given('frrNodeSettings', file.frrNodeSettings),
    ...given('httpAddr', flags['http-addr']),
    ...given('apiTokenFile', flags['api-token-file']),
    ...given('metricsAddr', flags['metrics-addr']),
    ...given('resyncSeconds', num(flags['resync-seconds'])),
  };
}

export function parseAgentConfig(argv: readonly string[], env: NodeJS.ProcessEnv): AgentConfig {
  const flags = parseFlags(argv);
  if (flags.help === true) throw new ConfigError(usage);
  const file = readConfigFile(flags.config);
  const vtepIp = flags['vtep-ip'] ?? (file.node.vtepIp as string | undefined);
  const nodeName = env.NODE_NAME ?? (file.node.nodeName as string | undefined);
  if (nodeName === undefined || nodeName === '') throw new ConfigError(`NODE_NAME is not set\n${usage}`);
  if (vtepIp === undefined) throw new ConfigError(`--vtep-ip is required\n${usage}`);
  const parsed = AgentConfig.safeParse(mergeConfig(flags, file, { nodeName, vtepIp }));
  if (!parsed.success) {
    throw new ConfigError(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
