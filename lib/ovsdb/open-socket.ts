// Opening the socket of one remote (plain or TLS with a pinned CA), and the TLS
// failures put in words an operator can act on. Kept apart from the JSON-RPC
// session so the session reads as message handling only.
import { readFileSync } from 'node:fs';
import { createConnection, isIP, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect } from 'node:tls';
import { ConnectError } from './errors.ts';
import { socketOptions, type Remote, type SslFiles } from './remote.ts';

export const REFUSED_CERT = /alert (unknown ca|bad certificate|certificate required|certificate unknown)/i;

/** TLS verification failures, in words: the usual cause is the wrong --ca-cert. */
const CERT_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

export function tlsFailure(remote: Remote, ssl: SslFiles, err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `cannot connect to ${remote.text}: the server's certificate is not issued to the expected server name (${err.message})`;
  if (CERT_ERRORS.has(code))
    return `cannot connect to ${remote.text}: the server's certificate is not signed by the CA in ${ssl.caCert} (${code})`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `cannot connect to ${remote.text}: the server's certificate is not valid now (${code})`;
  if (REFUSED_CERT.test(err.message) || code.startsWith('ERR_SSL_TLSV1')) {
    const alert = REFUSED_CERT.exec(err.message)?.[0] ?? code;
    return `cannot connect to ${remote.text}: the server refused our certificate ${ssl.certificate} (${alert}); it must be signed by the server's CA`;
  }
  return `cannot connect to ${remote.text}: ${code || err.message}`;
}

export function openSocket(
  remote: Remote,
  ssl: SslFiles | undefined,
): { socket: Socket; ready: 'connect' | 'secureConnect' } {
  if (remote.kind !== 'ssl') return { socket: createConnection(socketOptions(remote)), ready: 'connect' };
  if (ssl === undefined)
    throw new ConnectError(
      remote.text,
      `cannot connect to ${remote.text}: an ssl: remote needs a private key, a certificate and a CA certificate`,
    );
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new ConnectError(
        remote.text,
        `cannot connect to ${remote.text}: cannot read the ${what} ${file}: ${e.code ?? e.message}`,
        e.code,
        { cause: err },
      );
    }
  };
  const serverName = ssl.serverName;
  const socket = tlsConnect({
    host: remote.host,
    port: remote.port,
    key: read(ssl.privateKey, 'private key'),
    cert: read(ssl.certificate, 'certificate'),
    ca: read(ssl.caCert, 'CA certificate'),
    rejectUnauthorized: true,
    // The CA is pinned (only it is trusted, not the system store). Without an expected name nothing more is
    // checked, as OVS and OVN do not either (ovs-pki certificates name a switch or a controller, not a host);
    // with one, the certificate must carry it, so a chassis certificate from a shared CA cannot pose as NB/SB.
    ...(serverName === undefined
      ? { checkServerIdentity: () => undefined }
      : {
          checkServerIdentity: (_host: string, cert: Parameters<typeof checkServerIdentity>[1]) =>
            checkServerIdentity(serverName, cert),
          ...(isIP(serverName) === 0 ? { servername: serverName } : {}),
        }),
  });
  return { socket, ready: 'secureConnect' };
}
