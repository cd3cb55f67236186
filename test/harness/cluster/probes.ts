// Loopback ports and HTTP(S) health probes for etcd and kube-apiserver.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

/** Distinct free loopback ports: all are held open together so none repeats. */
export async function findFreePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            resolve(server);
          });
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('unexpected listen address');
    return address.port;
  });
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) =>
          s.close(() => {
            resolve();
          }),
        ),
    ),
  );
  return ports;
}

interface GetTarget {
  readonly url: string;
  readonly token?: string;
  /** PEM to verify the server with; absent = do not verify. */
  readonly ca?: Buffer;
}

/** GET url; the status and body, or undefined on any connection error. Never throws. */
export function httpGet(target: GetTarget, timeoutMs = 2_000): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const url = new URL(target.url);
    const headers: Record<string, string> =
      target.token === undefined ? {} : { authorization: `Bearer ${target.token}` };
    const onResponse = (res: IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', () => {
        resolve(undefined);
      });
    };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(
            url,
            target.ca === undefined
              ? { headers, timeout: timeoutMs, rejectUnauthorized: false }
              : { headers, timeout: timeoutMs, ca: target.ca },
            onResponse,
          )
        : httpRequest(url, { headers, timeout: timeoutMs }, onResponse);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      resolve(undefined);
    });
    req.end();
  });
}

/** Whether the API server at `server` answers /readyz for `token`. */
export async function isApiServerReady(server: string, token: string, ca?: Buffer): Promise<boolean> {
  const res = await httpGet(
    ca === undefined ? { url: `${server}/readyz`, token } : { url: `${server}/readyz`, token, ca },
  );
  return res?.status === 200 && res.body.trim() === 'ok';
}

export async function isEtcdHealthy(etcdUrl: string): Promise<boolean> {
  const res = await httpGet({ url: `${etcdUrl}/health` });
  return res?.status === 200 && res.body.includes('"health":"true"');
}
