// OVSDB connection strings in the form OVN and OVS tools use: unix:PATH, tcp:HOST:PORT,
// ssl:HOST:PORT (IPv6 hosts in brackets: tcp:[::1]:6641), and lists of them,
// comma-separated, for the members of a clustered database, exactly as
// `ovn-nbctl --db` and ovn-controller's ovn-remote take them.
import type { NetConnectOpts } from 'node:net';

export type Remote =
  | { readonly kind: 'unix'; readonly path: string; readonly text: string }
  | { readonly kind: 'tcp' | 'ssl'; readonly host: string; readonly port: number; readonly text: string };

/**
 * The files an ssl: remote needs, as OVN's own --private-key, --certificate and
 * --ca-cert: our key and certificate (ovsdb-server asks for a client
 * certificate) and the CA that must have signed the server's certificate.
 */
export interface SslFiles {
  readonly privateKey: string;
  readonly certificate: string;
  readonly caCert: string;
  /**
   * The name the server's certificate must carry (subjectAltName DNS or IP, else
   * CN). Unset: any certificate the CA signed, as OVN's own clients accept.
   */
  readonly serverName?: string | undefined;
}

export function parseRemote(text: string): Remote {
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length);
    if (path === '') throw new Error(`invalid OVSDB remote "${text}": empty socket path`);
    return { kind: 'unix', path, text };
  }
  for (const kind of ['tcp', 'ssl'] as const) {
    if (!text.startsWith(`${kind}:`)) continue;
    const rest = text.slice(kind.length + 1);
    const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(rest);
    const host = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`invalid OVSDB remote "${text}": expected ${kind}:HOST:PORT`);
    }
    return { kind, host, port, text };
  }
  throw new Error(`invalid OVSDB remote "${text}": expected unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT`);
}

/**
 * A member list: one or more remotes, comma-separated, no blanks (as
 * `ovn-nbctl --db`); the same member twice is a mistake worth saying.
 */
export function parseRemoteList(text: string): Remote[] {
  const members = text.split(',').map(parseRemote);
  const seen = new Set<string>();
  for (const m of members) {
    if (seen.has(m.text)) throw new Error(`invalid OVSDB remote list "${text}": ${m.text} is given twice`);
    seen.add(m.text);
  }
  return members;
}

/**
 * The members in a random order (Fisher-Yates). Every process of a fleet
 * would otherwise connect to the first member, as ovsdb-cs avoids by shuffling too.
 */
export function shuffleMembers<T>(members: readonly T[], random: () => number = Math.random): T[] {
  const out = [...members];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

export function socketOptions(remote: Remote): NetConnectOpts {
  return remote.kind === 'unix' ? { path: remote.path } : { host: remote.host, port: remote.port };
}
