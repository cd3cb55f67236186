// Which API server a process talks to and how it authenticates: KUBECONFIG
// (first path of a list), else the pod's service account, else ~/.kube/config.
// Read by our own code (kubeconfig.ts says why); client-node's KubeConfig is
// imported only for exec/auth-provider users and proxies.
import { existsSync, readFileSync } from 'node:fs';
import type https from 'node:https';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { inClusterSpec, parseKubeconfig, type KubeTargetSpec, type Material } from './kubeconfig.ts';

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Bound service-account tokens rotate (hourly by default): re-read the file this often, as client-go does. */
const tokenFileRefreshMs = 60_000;

export type KubeConfigSource = 'kubeconfig' | 'in-cluster' | 'default';

/**
 * What KubeClient needs of a kubeconfig. client-node's KubeConfig has the same
 * shape, so tests and the CLI may pass one.
 */
export interface KubeTarget {
  getCurrentCluster(): { readonly server: string; readonly proxyUrl?: string | undefined } | null;
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
}

const read = (m: Material): Buffer => ('data' in m ? m.data : readFileSync(m.file));

/** A static kubeconfig context: TLS material read once, a token file re-read every minute. */
class SpecTarget implements KubeTarget {
  readonly #spec: KubeTargetSpec;
  readonly #tls: Pick<https.RequestOptions, 'ca' | 'cert' | 'key'>;
  #token: { value: string; readAt: number } | undefined;

  constructor(spec: KubeTargetSpec) {
    this.#spec = spec;
    // Read at start: a missing CA or key is an error now, not at the first request.
    this.#tls = {
      ...(spec.ca === undefined ? {} : { ca: read(spec.ca) }),
      ...(spec.cert === undefined ? {} : { cert: read(spec.cert) }),
      ...(spec.key === undefined ? {} : { key: read(spec.key) }),
    };
    if (spec.tokenFile !== undefined) this.#tokenFromFile(spec.tokenFile);
  }

  getCurrentCluster(): { readonly server: string } {
    return { server: this.#spec.server };
  }

  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    Object.assign(opts, this.#tls);
    if (this.#spec.insecureSkipTlsVerify) opts.rejectUnauthorized = false;
    if (this.#spec.tlsServerName !== undefined) opts.servername = this.#spec.tlsServerName;
    if (this.#spec.basicAuth !== undefined) opts.auth = this.#spec.basicAuth;
    const token = this.#spec.token ?? (this.#spec.tokenFile === undefined ? undefined : this.#tokenFromFile(this.#spec.tokenFile));
    if (token !== undefined) opts.headers = { ...(opts.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` };
    return Promise.resolve();
  }

  #tokenFromFile(path: string): string {
    const now = Date.now();
    if (this.#token === undefined || now - this.#token.readAt >= tokenFileRefreshMs) {
      this.#token = { value: readFileSync(path, 'utf8').trim(), readAt: now };
    }
    return this.#token.value;
  }
}

/** Exec/auth-provider users and proxies: client-node's KubeConfig, imported on first use. */
class ClientNodeTarget implements KubeTarget {
  readonly #server: string;
  readonly #proxyUrl: string | undefined;
  readonly #loaded: Promise<KubeTarget>;

  constructor(spec: KubeTargetSpec, path: string, context: string | undefined) {
    this.#server = spec.server;
    this.#proxyUrl = spec.proxyUrl;
    this.#loaded = import('@kubernetes/client-node').then(({ KubeConfig }) => {
      const kc = new KubeConfig();
      kc.loadFromFile(path);
      if (context !== undefined) kc.setCurrentContext(context);
      return kc;
    });
    // Surfaced by the first request; never an unhandled rejection.
    this.#loaded.catch(() => undefined);
  }

  getCurrentCluster(): { readonly server: string; readonly proxyUrl?: string } {
    return { server: this.#server, ...(this.#proxyUrl === undefined ? {} : { proxyUrl: this.#proxyUrl }) };
  }

  async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    await (await this.#loaded).applyToHTTPSOptions(opts);
  }
}

function fromFile(path: string, context: string | undefined): KubeTarget {
  const spec = parseKubeconfig(readFileSync(path, 'utf8'), dirname(path), context);
  return spec.needsClientNode ? new ClientNodeTarget(spec, path, context) : new SpecTarget(spec);
}

/**
 * KUBECONFIG (first path of a list) if set, else the pod's service account, else
 * ~/.kube/config; `context` overrides the current context of a file. Throws if
 * the result has no cluster or its files cannot be read, so a misconfigured
 * process fails at start, not at its first request.
 */
export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env, context?: string): { kubeConfig: KubeTarget; source: KubeConfigSource } {
  const fromEnv = env['KUBECONFIG']?.split(':').find((p) => p !== '');
  if (fromEnv !== undefined) return { kubeConfig: fromFile(fromEnv, context), source: 'kubeconfig' };
  if (env['KUBERNETES_SERVICE_HOST'] !== undefined && existsSync(`${serviceAccountDir}/token`)) {
    return { kubeConfig: new SpecTarget(inClusterSpec(env, serviceAccountDir)), source: 'in-cluster' };
  }
  return { kubeConfig: fromFile(`${env['HOME'] ?? homedir()}/.kube/config`, context), source: 'default' };
}
