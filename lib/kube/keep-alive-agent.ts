// The kube client's keep-alive HTTP agent, one per client, built from the
// kubeconfig's TLS material (client-node's own agent has keep-alive off: a TLS
// handshake per request), and built again when that material changes (a
// renewed client certificate from a file or an exec plugin, a rotated CA): a
// socket keeps the identity of its handshake, so only new sockets can present
// the new certificate. Apart from kube-client.ts because deciding when an
// agent is stale is its own concern, with its own comparison rules.
import http from 'node:http';
import https from 'node:https';

export class KeepAliveAgent {
  private agent: http.Agent | undefined;
  /** The TLS material `agent` was built from: another one (a rotated certificate or CA) builds a new agent. */
  private agentTls: TlsMaterial | undefined;

  /** The agent for a request to `url` with the kubeconfig's options; a proxied cluster uses the kubeconfig's own agent. */
  for(url: URL, opts: https.RequestOptions, proxied: boolean): http.Agent | undefined {
    if (proxied) return opts.agent instanceof http.Agent ? opts.agent : undefined;
    const tls = tlsMaterialOf(opts);
    if (this.agent !== undefined && this.agentTls !== undefined && sameTls(this.agentTls, tls)) return this.agent;
    if (this.agent !== undefined) retireAgent(this.agent);
    this.agentTls = tls;
    this.agent =
      url.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
            ...(tls.servername === undefined ? {} : { servername: tls.servername }),
          })
        : new http.Agent({ keepAlive: true });
    return this.agent;
  }

  /** Closes idle keep-alive sockets so the process can exit. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
    this.agentTls = undefined;
  }
}

type TlsMaterial = Pick<https.RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;

const tlsMaterialOf = (o: https.RequestOptions): TlsMaterial => ({
  ca: o.ca,
  cert: o.cert,
  key: o.key,
  rejectUnauthorized: o.rejectUnauthorized,
  servername: o.servername,
});

/** Same value: identical (files unchanged give the same Buffer), or equal bytes (an exec plugin's fresh strings). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return false;
}

const sameTls = (a: TlsMaterial, b: TlsMaterial): boolean =>
  sameValue(a.ca, b.ca) &&
  sameValue(a.cert, b.cert) &&
  sameValue(a.key, b.key) &&
  a.rejectUnauthorized === b.rejectUnauthorized &&
  a.servername === b.servername;

/** An agent replaced by a new one: idle sockets close now, busy ones (a watch) finish on their old handshake, then close. */
function retireAgent(agent: http.Agent): void {
  agent.on('free', (socket: import('node:net').Socket) => {
    socket.destroy();
  });
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}
