// The kubeconfig, read by our own code: the operator and the agent only need a
// server, TLS material and a bearer token. Importing any part of
// @kubernetes/client-node (its KubeConfig pulls the generated API and every auth
// plugin) costs ~80 MiB of RSS per process, measured with Node 24: a third of
// the operator's memory budget and half the agent's. Exec and auth-provider
// users and proxies are rarer: for those, `needsClientNode` sends the loader to
// client-node's KubeConfig (imported only then).
import { parse } from 'yaml';
import { z } from 'zod';

const ClusterEntry = z.object({
  name: z.string(),
  cluster: z.object({
    server: z.string().min(1),
    'certificate-authority': z.string().optional(),
    'certificate-authority-data': z.string().optional(),
    'insecure-skip-tls-verify': z.boolean().optional(),
    'tls-server-name': z.string().optional(),
    'proxy-url': z.string().optional(),
  }),
});

const UserEntry = z.object({
  name: z.string(),
  user: z.object({
    token: z.string().optional(),
    tokenFile: z.string().optional(),
    'client-certificate': z.string().optional(),
    'client-certificate-data': z.string().optional(),
    'client-key': z.string().optional(),
    'client-key-data': z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    exec: z.unknown().optional(),
    'auth-provider': z.unknown().optional(),
  }).nullish().transform((u) => u ?? {}),
});

const ContextEntry = z.object({
  name: z.string(),
  context: z.object({ cluster: z.string(), user: z.string().optional() }),
});

const KubeconfigFile = z.object({
  clusters: z.array(ClusterEntry).nullish().transform((v) => v ?? []),
  users: z.array(UserEntry).nullish().transform((v) => v ?? []),
  contexts: z.array(ContextEntry).nullish().transform((v) => v ?? []),
  'current-context': z.string().optional(),
});

/** Where a file or an inline value comes from: a path (relative to the kubeconfig) or base64 data. */
export type Material = { readonly file: string } | { readonly data: Buffer };

/** What one context of a kubeconfig resolves to. */
export interface KubeTargetSpec {
  readonly server: string;
  readonly ca?: Material;
  readonly cert?: Material;
  readonly key?: Material;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly basicAuth?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly proxyUrl?: string;
  /** Exec or auth-provider user, or a proxy: only client-node's KubeConfig handles these. */
  readonly needsClientNode: boolean;
}

/** A path of the kubeconfig, relative to its directory unless absolute (as kubectl reads it). */
const relative = (path: string | undefined, baseDir: string): string | undefined =>
  path === undefined || path.startsWith('/') ? path : `${baseDir}/${path}`;

function material(file: string | undefined, data: string | undefined, baseDir: string): Material | undefined {
  if (data !== undefined) return { data: Buffer.from(data, 'base64') };
  const path = relative(file, baseDir);
  return path === undefined ? undefined : { file: path };
}

type Cluster = z.infer<typeof ClusterEntry>['cluster'];
type User = z.infer<typeof UserEntry>['user'];

/** `{ [key]: value }`, or nothing when the value is undefined (exactOptionalPropertyTypes). */
const opt = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/** The context's cluster and user; with no context at all, a file's only cluster (and user), like client-node. */
function selectContext(file: z.infer<typeof KubeconfigFile>, context: string | undefined): { cluster: Cluster; user: User } {
  const contextName = context ?? file['current-context'];
  const ctx = file.contexts.find((c) => c.name === contextName)?.context;
  if (contextName !== undefined && contextName !== '' && ctx === undefined) throw new Error(`kubeconfig: no context named "${contextName}"`);
  const only = <T>(list: readonly T[]): T | undefined => (list.length === 1 ? list[0] : undefined);
  const cluster = ctx === undefined ? only(file.clusters)?.cluster : file.clusters.find((c) => c.name === ctx.cluster)?.cluster;
  if (cluster === undefined) throw new Error('kubeconfig: no current cluster');
  const user = ctx?.user === undefined ? only(file.users)?.user : file.users.find((u) => u.name === ctx.user)?.user;
  return { cluster, user: user ?? {} };
}

function specOf(cluster: Cluster, user: User, baseDir: string): KubeTargetSpec {
  return {
    server: cluster.server,
    ...opt('ca', material(cluster['certificate-authority'], cluster['certificate-authority-data'], baseDir)),
    ...opt('cert', material(user['client-certificate'], user['client-certificate-data'], baseDir)),
    ...opt('key', material(user['client-key'], user['client-key-data'], baseDir)),
    ...opt('token', user.token),
    ...opt('tokenFile', relative(user.tokenFile, baseDir)),
    ...opt('basicAuth', user.username === undefined || user.password === undefined ? undefined : `${user.username}:${user.password}`),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    ...opt('tlsServerName', cluster['tls-server-name']),
    ...opt('proxyUrl', cluster['proxy-url']),
    needsClientNode: user.exec !== undefined || user['auth-provider'] !== undefined || cluster['proxy-url'] !== undefined,
  };
}

/**
 * The kubeconfig text's context (`context`, else current-context) resolved to
 * what a client connects with. Throws a plain error for a file it cannot use.
 */
export function parseKubeconfig(text: string, baseDir: string, context?: string): KubeTargetSpec {
  const parsed = KubeconfigFile.safeParse(parse(text) ?? {});
  if (!parsed.success) throw new Error(`kubeconfig: ${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const { cluster, user } = selectContext(parsed.data, context);
  return specOf(cluster, user, baseDir);
}

/** The pod's service account, as client-go's rest.InClusterConfig reads it. */
export function inClusterSpec(env: NodeJS.ProcessEnv, dir: string): KubeTargetSpec {
  const host = env['KUBERNETES_SERVICE_HOST'] ?? '';
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: { file: `${dir}/ca.crt` },
    tokenFile: `${dir}/token`,
    insecureSkipTlsVerify: false,
    needsClientNode: false,
  };
}
