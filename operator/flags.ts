// The operator's command line, parsed into typed options (pure: no I/O except
// reading a --node-name-from map file).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MAX_VNI } from '../crds/primitives.ts';
import { parseNodeNameMode, type NodeNameMode } from './ovn-source/node-names.ts';
import { parseRemoteList, type SslFiles } from '../lib/ovsdb/index.ts';
import { DEFAULT_MASS_DELETE_POLICY, type MassDeletePolicy } from './mirror/mass-delete-guard.ts';
import { errorMessage } from '../lib/log.ts';
import { parseBackend, type BackendFlags } from './backend-flags.ts';

export interface OperatorFlags extends BackendFlags {
  readonly ovnNb: string;
  readonly ovnSb: string;
  readonly metricsHost: string;
  /** 0: a free port (tests). */
  readonly metricsPort: number;
  readonly nodeNames: NodeNameMode;
  /** L3VNI of an l2 network's own VRF = its L2VNI + this (undefined: the mirror's default). */
  readonly l3vniOffset: number | undefined;
  readonly leaderElect: boolean;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly pruneGraceMs: number;
  /** How often the mirror recomputes every network from a fresh read of OVN (a safety net under the incremental passes). */
  readonly fullResyncMs: number;
  readonly massDelete: MassDeletePolicy;
  /** Key, certificate, CA (and the expected server name) for ssl: remotes; undefined when no member is ssl:. */
  readonly ovsdbSsl: SslFiles | undefined;
  /** A database member silent this long is left for the next one. */
  readonly ovsdbProbeIntervalMs: number;
  readonly identity: string | undefined;
}

export const usage = `Usage: evpn-operator --ovn-nb REMOTE --ovn-sb REMOTE [options]

Mirrors networking-bgpvpn associations from the OVN databases into EvpnVrf,
EvpnNetwork and EvpnPortSet objects and folds node status into them.

  --ovn-nb REMOTES           OVN_Northbound database, as ovn-nbctl --db takes it: unix:PATH, tcp:HOST:PORT or
                             ssl:HOST:PORT, or the members of a cluster comma-separated (required)
  --ovn-sb REMOTES           OVN_Southbound database, the same way (required)
  --ovsdb-private-key FILE   our private key, for ssl: remotes (as OVN's --private-key)
  --ovsdb-certificate FILE   our certificate, for ssl: remotes (as OVN's --certificate)
  --ovsdb-ca-cert FILE       the CA that signed the servers' certificates; the only one trusted (as OVN's --ca-cert)
  --ovsdb-server-name NAME   the name every NB/SB server certificate must carry (subjectAltName, else CN);
                             unset: any certificate that CA signed
  --ovsdb-probe-interval DUR a member silent this long (an echo goes out at half of it) is left for the
                             next one (default 5s, at least 1s)
  --metrics-addr HOST:PORT   /healthz, /readyz and /metrics (default 127.0.0.1:8080)
  --node-name-from MODE      chassis → node: hostname (default), chassis-name, or map:FILE
  --l3vni-offset N           an l2 network without an l3 router association routes in
                             vrf-<vni> with L3VNI vni + N (default 1000000)
  --leader-elect[=BOOL]      campaign for a Lease before writing (default true)
  --lease-namespace NS       namespace of the Lease (default $POD_NAMESPACE or "default")
  --lease-name NAME          name of the Lease (default ovn-evpn-operator)
  --lease-duration DUR       (default 15s)   --renew-deadline DUR (default 10s)   --retry-period DUR (default 2s)
  --prune-grace DUR          how long a mirrored object may be missing from OVN before it is deleted (default 5s)
  --full-resync DUR          how often the mirror recomputes every network from a fresh read of OVN; between
                             those, an OVN change recomputes only the networks it touches (default 5m)
  --mass-delete-share FRAC   a pass deleting more than this share of the mirrored objects is held (default 0.5)
  --mass-delete-floor N      ... unless it deletes N objects or fewer (default 5)
  --mass-delete-hold DUR     how long held deletes wait for OVN to recover before they proceed (default 10m)
  --identity ID              leader-election identity (default hostname + random suffix)
  --default-backend B        data path of a network or VRF without spec.backend: kernel (default) or ovn
  --ovn-writes[=BOOL]        write OVN's dynamic-routing keys for ovn-backend networks into NB (default true)

The kubeconfig comes from $KUBECONFIG, else the pod's service account. DUR is
like 500ms, 5s or 2m. Logs are JSON on stdout; LOG_LEVEL sets the level.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (m === null)
    throw new UsageError(`${flag}: expected a duration like 500ms, 5s or 2m, got ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000);
}

export function parseL3vniOffset(text: string, flag: string): number {
  const n = /^\d{1,8}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(n >= 1 && n < MAX_VNI))
    throw new UsageError(`${flag}: expected a whole number within 1-${MAX_VNI - 1}, got ${JSON.stringify(text)}`);
  return n;
}

function parseHostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (host === undefined || port > 65535)
    throw new UsageError(`${flag}: expected HOST:PORT, got ${JSON.stringify(text)}`);
  return { host: host === '' ? '0.0.0.0' : host, port };
}

function parseProbeInterval(text: string): number {
  const ms = parseDuration(text, '--ovsdb-probe-interval');
  // Shorter than a second would drop a busy but healthy server (ovsdb-server's own floor is 1 s too).
  if (ms < 1000) throw new UsageError(`--ovsdb-probe-interval: at least 1s, got ${JSON.stringify(text)}`);
  return ms;
}

function parseBool(text: string, flag: string): boolean {
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  throw new UsageError(`${flag}: expected true or false, got ${JSON.stringify(text)}`);
}

function parseMassDeletePolicy(share: string, floor: string, hold: string): MassDeletePolicy {
  const maxShare = Number(share);
  if (!/^\d*\.?\d+$/.test(share) || maxShare <= 0 || maxShare > 1)
    throw new UsageError(`--mass-delete-share: expected a fraction in (0, 1], got ${JSON.stringify(share)}`);
  if (!/^\d{1,9}$/.test(floor))
    throw new UsageError(`--mass-delete-floor: expected a count, got ${JSON.stringify(floor)}`);
  return { maxShare, floor: Number(floor), holdMs: parseDuration(hold, '--mass-delete-hold') };
}

/** A DNS name or an IP address, nothing a TLS library could read otherwise. */
const SERVER_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$|^[0-9a-f:.]+$/i;

interface SslFlags {
  privateKey?: string | undefined;
  certificate?: string | undefined;
  caCert?: string | undefined;
  serverName?: string | undefined;
}

/** All three files for an ssl: member, or none; files without an ssl: member are a mistake worth saying. */
function parseSslFiles(remotes: readonly string[], f: SslFlags): SslFiles | undefined {
  const ssl = remotes.some((list) => list.split(',').some((r) => r.startsWith('ssl:')));
  const given = [f.privateKey, f.certificate, f.caCert, f.serverName].filter((x) => x !== undefined).length;
  if (!ssl) {
    if (given > 0)
      throw new UsageError(
        '--ovsdb-private-key, --ovsdb-certificate, --ovsdb-ca-cert and --ovsdb-server-name are for ssl: remotes; neither --ovn-nb nor --ovn-sb has one',
      );
    return undefined;
  }
  const { privateKey, certificate, caCert, serverName } = f;
  if (privateKey === undefined || certificate === undefined || caCert === undefined) {
    throw new UsageError('an ssl: remote needs --ovsdb-private-key, --ovsdb-certificate and --ovsdb-ca-cert');
  }
  if (serverName !== undefined && !SERVER_NAME.test(serverName))
    throw new UsageError(
      `--ovsdb-server-name: expected a DNS name or an IP address, got ${JSON.stringify(serverName)}`,
    );
  return { privateKey, certificate, caCert, ...(serverName === undefined ? {} : { serverName }) };
}

const FLAG_OPTIONS = {
  'ovn-nb': { type: 'string' },
  'ovn-sb': { type: 'string' },
  'metrics-addr': { type: 'string', default: '127.0.0.1:8080' },
  'node-name-from': { type: 'string', default: 'hostname' },
  'l3vni-offset': { type: 'string' },
  'leader-elect': { type: 'string', default: 'true' },
  'lease-namespace': { type: 'string' },
  'lease-name': { type: 'string', default: 'ovn-evpn-operator' },
  'lease-duration': { type: 'string', default: '15s' },
  'renew-deadline': { type: 'string', default: '10s' },
  'retry-period': { type: 'string', default: '2s' },
  'prune-grace': { type: 'string', default: '5s' },
  'full-resync': { type: 'string', default: '5m' },
  'mass-delete-share': { type: 'string', default: String(DEFAULT_MASS_DELETE_POLICY.maxShare) },
  'mass-delete-floor': { type: 'string', default: String(DEFAULT_MASS_DELETE_POLICY.floor) },
  'mass-delete-hold': { type: 'string', default: '10m' },
  'ovsdb-private-key': { type: 'string' },
  'ovsdb-certificate': { type: 'string' },
  'ovsdb-ca-cert': { type: 'string' },
  'ovsdb-server-name': { type: 'string' },
  'ovsdb-probe-interval': { type: 'string', default: '5s' },
  identity: { type: 'string' },
  'default-backend': { type: 'string', default: 'kernel' },
  'ovn-writes': { type: 'string', default: 'true' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** parseArgs over FLAG_OPTIONS; --leader-elect may be given bare, so it is normalised to a string option first. */
function parseFlagValues(argv: readonly string[]) {
  const args = argv.map((a) =>
    a === '--leader-elect' || a === '--ovn-writes'
      ? `${a}=true`
      : a === '--no-leader-elect'
        ? '--leader-elect=false'
        : a,
  );
  try {
    return parseArgs({
      args,
      allowPositionals: false,
      options: FLAG_OPTIONS,
    }).values;
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}

type FlagValues = ReturnType<typeof parseFlagValues>;

/** Both database remotes, checked up front so a typo is a usage error rather than a connection failure. */
function checkRemotes(nb: string, sb: string): void {
  for (const [flag, remote] of [
    ['--ovn-nb', nb],
    ['--ovn-sb', sb],
  ] as const) {
    try {
      parseRemoteList(remote);
    } catch (err) {
      throw new UsageError(`${flag}: ${errorMessage(err)}`);
    }
  }
}

function parseNodeNames(text: string): NodeNameMode {
  try {
    return parseNodeNameMode(text);
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}

function parseLeaseTimings(
  values: FlagValues,
): Pick<OperatorFlags, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'> {
  const leaseDurationMs = parseDuration(values['lease-duration'], '--lease-duration');
  const renewDeadlineMs = parseDuration(values['renew-deadline'], '--renew-deadline');
  const retryPeriodMs = parseDuration(values['retry-period'], '--retry-period');
  if (!(retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    throw new UsageError('lease timings must satisfy --retry-period < --renew-deadline < --lease-duration');
  }
  return { leaseDurationMs, renewDeadlineMs, retryPeriodMs };
}

export function parseOperatorFlags(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): OperatorFlags | 'help' {
  const values = parseFlagValues(argv);
  if (values.help === true) return 'help';
  const nb = values['ovn-nb'];
  const sb = values['ovn-sb'];
  if (nb === undefined || sb === undefined) throw new UsageError('--ovn-nb and --ovn-sb are required');
  checkRemotes(nb, sb);
  const metrics = parseHostPort(values['metrics-addr'], '--metrics-addr');
  const nodeNames = parseNodeNames(values['node-name-from']);
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = parseLeaseTimings(values);
  return {
    ovnNb: nb,
    ovnSb: sb,
    metricsHost: metrics.host,
    metricsPort: metrics.port,
    nodeNames,
    l3vniOffset:
      values['l3vni-offset'] === undefined ? undefined : parseL3vniOffset(values['l3vni-offset'], '--l3vni-offset'),
    leaderElect: parseBool(values['leader-elect'], '--leader-elect'),
    leaseNamespace: values['lease-namespace'] ?? env['POD_NAMESPACE'] ?? 'default',
    leaseName: values['lease-name'],
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    pruneGraceMs: parseDuration(values['prune-grace'], '--prune-grace'),
    fullResyncMs: parseDuration(values['full-resync'], '--full-resync'),
    massDelete: parseMassDeletePolicy(
      values['mass-delete-share'],
      values['mass-delete-floor'],
      values['mass-delete-hold'],
    ),
    ovsdbSsl: parseSslFiles([nb, sb], {
      privateKey: values['ovsdb-private-key'],
      certificate: values['ovsdb-certificate'],
      caCert: values['ovsdb-ca-cert'],
      serverName: values['ovsdb-server-name'],
    }),
    ovsdbProbeIntervalMs: parseProbeInterval(values['ovsdb-probe-interval']),
    identity: values.identity,
    defaultBackend: parseBackend(values['default-backend'], '--default-backend', (m) => new UsageError(m)),
    ovnWrites: parseBool(values['ovn-writes'], '--ovn-writes'),
  };
}
