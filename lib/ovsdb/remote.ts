// OVSDB connection strings in the form OVN and OVS tools use: unix:PATH, tcp:HOST:PORT
// (IPv6 hosts in brackets: tcp:[::1]:6641).
import type { NetConnectOpts } from 'node:net';

export type Remote =
  | { readonly kind: 'unix'; readonly path: string; readonly text: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly text: string };

export function parseRemote(text: string): Remote {
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length);
    if (path === '') throw new Error(`invalid OVSDB remote "${text}": empty socket path`);
    return { kind: 'unix', path, text };
  }
  if (text.startsWith('tcp:')) {
    const rest = text.slice('tcp:'.length);
    const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(rest);
    const host = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`invalid OVSDB remote "${text}": expected tcp:HOST:PORT`);
    }
    return { kind: 'tcp', host, port, text };
  }
  throw new Error(`invalid OVSDB remote "${text}": expected unix:PATH or tcp:HOST:PORT (ssl is not supported)`);
}

export function socketOptions(remote: Remote): NetConnectOpts {
  return remote.kind === 'unix' ? { path: remote.path } : { host: remote.host, port: remote.port };
}
