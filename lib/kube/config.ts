// Which API server a process talks to and how it authenticates, as kubectl
// decides it: KUBECONFIG (every file of the list, merged), else the pod's
// service account, else ~/.kube/config. Read by our own code (kubeconfig.ts
// says why); client-node's KubeConfig is imported only for auth-provider users
// and proxies. Files are watched, not read once: a rotated token file, client
// certificate or CA applies at the next request (KubeClient rebuilds its TLS
// agent when the material changes), and an exec plugin runs again when its
// credential expires or the server refuses it.
import { existsSync, readFileSync } from 'node:fs';
import type https from 'node:https';
import { homedir } from 'node:os';
import { delimiter } from 'node:path';
import { ExecCredentialSource } from './exec-credential.ts';
import { inClusterSpec, mergedKubeconfigText, parseKubeconfigs, type KubeconfigText, type KubeTargetSpec, type Material } from './kubeconfig.ts';
import { WatchedFile } from './watched-file.ts';

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubeConfigSource = 'kubeconfig' | 'in-cluster' | 'default';

/**
 * What KubeClient needs of a kubeconfig. client-node's KubeConfig has the same
 * shape, so tests and the CLI may pass one.
 */
export interface KubeTarget {
  getCurrentCluster(): { readonly server: string; readonly proxyUrl?: string | undefined } | null;
  /** Sets TLS material and credentials; called before every request. */
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
  /** The server answered 401: drop cached credentials (an exec plugin runs again). */
  invalidateCredentials?(): void;
}

type Source = { readonly file: WatchedFile } | { readonly data: Buffer };
const sourceOf = (m: Material): Source => ('data' in m ? { data: m.data } : { file: new WatchedFile(m.file) });
const read = (s: Source): Buffer => ('data' in s ? s.data : s.file.read());

/** A kubeconfig context or the service account: files re-read when they change, an exec plugin run on expiry. */
class SpecTarget implements KubeTarget {
  readonly #spec: KubeTargetSpec;
  readonly #ca: Source | undefined;
  readonly #cert: Source | undefined;
  readonly #key: Source | undefined;
  readonly #tokenFile: WatchedFile | undefined;
  readonly #exec: ExecCredentialSource | undefined;

  constructor(spec: KubeTargetSpec) {
    this.#spec = spec;
    this.#ca = spec.ca === undefined ? undefined : sourceOf(spec.ca);
    this.#cert = spec.cert === undefined ? undefined : sourceOf(spec.cert);
    this.#key = spec.key === undefined ? undefined : sourceOf(spec.key);
    this.#tokenFile = spec.tokenFile === undefined ? undefined : new WatchedFile(spec.tokenFile);
    this.#exec = spec.exec === undefined ? undefined : new ExecCredentialSource(spec.exec, {
      server: spec.server, insecure: spec.insecureSkipTlsVerify,
      ...(spec.ca !== undefined && 'data' in spec.ca ? { caData: spec.ca.data.toString('base64') } : {}),
      ...(spec.tlsServerName === undefined ? {} : { tlsServerName: spec.tlsServerName }),
    });
    // Read at start: a missing CA, key or token file is an error now, not at the first request.
    for (const s of [this.#ca, this.#cert, this.#key]) if (s !== undefined) read(s);
    if (this.#tokenFile !== undefined && spec.token === undefined) this.#tokenFile.read();
  }

  getCurrentCluster(): { readonly server: string } {
    return { server: this.#spec.server };
  }

  async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    if (this.#ca !== undefined) opts.ca = read(this.#ca);
    if (this.#cert !== undefined) opts.cert = read(this.#cert);
    if (this.#key !== undefined) opts.key = read(this.#key);
    if (this.#spec.insecureSkipTlsVerify) opts.rejectUnauthorized = false;
    if (this.#spec.tlsServerName !== undefined) opts.servername = this.#spec.tlsServerName;
    if (this.#spec.basicAuth !== undefined) opts.auth = this.#spec.basicAuth;
    let token = this.#bearerToken();
    if (this.#exec !== undefined) {
      const c = await this.#exec.get();
      // The plugin's certificate wins over the kubeconfig's, as in client-go.
      if (c.cert !== undefined && c.key !== undefined) { opts.cert = c.cert; opts.key = c.key; }
      token = c.token ?? token;
    }
    if (token !== undefined) opts.headers = { ...(opts.headers as Record<string, string> | undefined), authorization: `Bearer ${token}` };
  }

  invalidateCredentials(): void {
    this.#exec?.invalidate();
  }

  /** client-go's order: the token file's content while it can be read, else the static token. */
  #bearerToken(): string | undefined {
    if (this.#tokenFile !== undefined) {
      try {
        return this.#tokenFile.read().toString('utf8').trim();
      } catch (err) {
        if (this.#spec.token === undefined) throw err;
      }
    }
    return this.#spec.token;
  }
}

/** Auth-provider users and proxies: client-node's KubeConfig over the merged list, imported on first use. */
class ClientNodeTarget implements KubeTarget {
  readonly #server: string;
  readonly #proxyUrl: string | undefined;
  readonly #loaded: Promise<KubeTarget>;

  constructor(spec: KubeTargetSpec, files: readonly KubeconfigText[], context: string | undefined) {
    this.#server = spec.server;
    this.#proxyUrl = spec.proxyUrl;
    this.#loaded = import('@kubernetes/client-node').then(({ KubeConfig }) => {
      const kc = new KubeConfig();
      kc.loadFromString(mergedKubeconfigText(files));
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

function fromFiles(paths: readonly string[], context: string | undefined): KubeTarget {
  // kubectl skips files of the list that do not exist.
  const files = paths.filter((p) => existsSync(p)).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  if (files.length === 0) throw new Error(`kubeconfig: none of ${paths.join(delimiter)} exists`);
  const spec = parseKubeconfigs(files, context);
  return spec.needsClientNode ? new ClientNodeTarget(spec, files, context) : new SpecTarget(spec);
}

/**
 * KUBECONFIG (every path of the list, merged as kubectl merges them) if set,
 * else the pod's service account, else ~/.kube/config; `context` overrides the
 * current context. Throws if the result has no cluster or its files cannot be
 * read, so a misconfigured process fails at start, not at its first request.
 */
export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env, context?: string): { kubeConfig: KubeTarget; source: KubeConfigSource } {
  const fromEnv = (env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p !== '');
  if (fromEnv.length > 0) return { kubeConfig: fromFiles([...new Set(fromEnv)], context), source: 'kubeconfig' };
  if (env['KUBERNETES_SERVICE_HOST'] !== undefined && existsSync(`${serviceAccountDir}/token`)) {
    return { kubeConfig: new SpecTarget(inClusterSpec(env, serviceAccountDir)), source: 'in-cluster' };
  }
  return { kubeConfig: fromFiles([`${env['HOME'] ?? homedir()}/.kube/config`], context), source: 'default' };
}
