// OVSDB connection strings in the form OVN and OVS tools use: unix:PATH, tcp:HOST:PORT,
// ssl:HOST:PORT (IPv6 hosts in brackets: tcp:[::1]:6641).
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

export function socketOptions(remote: Remote): NetConnectOpts {
  return remote.kind === 'unix' ? { path: remote.path } : { host: remote.host, port: remote.port };
}
