// The kubeconfig, read by our own code: the operator and the agent only need a
// server, TLS material, a bearer token or an exec credential plugin. Importing
// any part of @kubernetes/client-node (its KubeConfig pulls the generated API
// and every auth plugin) costs ~80 MiB of RSS per process, measured with Node
// 24: a third of the operator's memory budget and half the agent's. Only the
// rare auth-provider users and proxies go to client-node's KubeConfig
// (`needsClientNode`). Pure: texts in, a spec out; config.ts does the I/O.
import { dirname, isAbsolute, join } from 'node:path';
import { parse, stringify } from 'yaml';
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
  }).loose(),
});

const ExecConfig = z.object({
  command: z.string().min(1),
  args: z.array(z.string()).nullish().transform((v) => v ?? []),
  env: z.array(z.object({ name: z.string().min(1), value: z.string() })).nullish().transform((v) => v ?? []),
  apiVersion: z.string().default('client.authentication.k8s.io/v1'),
  provideClusterInfo: z.boolean().optional(),
  interactiveMode: z.string().optional(),
}).loose();

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
    exec: ExecConfig.optional(),
    'auth-provider': z.unknown().optional(),
  }).loose().nullish().transform((u) => u ?? {}),
});

const ContextEntry = z.object({
  name: z.string(),
  context: z.object({ cluster: z.string(), user: z.string().optional() }).loose(),
});

const KubeconfigFile = z.object({
  clusters: z.array(ClusterEntry).nullish().transform((v) => v ?? []),
  users: z.array(UserEntry).nullish().transform((v) => v ?? []),
  contexts: z.array(ContextEntry).nullish().transform((v) => v ?? []),
  'current-context': z.string().optional(),
});

type Cluster = z.infer<typeof ClusterEntry>['cluster'];
type User = z.infer<typeof UserEntry>['user'];
type Context = z.infer<typeof ContextEntry>['context'];

/** Where a file or an inline value comes from: a path (relative to the kubeconfig) or base64 data. */
export type Material = { readonly file: string } | { readonly data: Buffer };

/** An exec credential plugin (client.authentication.k8s.io ExecCredential), its command resolved like kubectl does. */
export interface ExecSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion: string;
  readonly provideClusterInfo: boolean;
}

/** What one context of a kubeconfig resolves to. */
export interface KubeTargetSpec {
  readonly server: string;
  readonly ca?: Material;
  readonly cert?: Material;
  readonly key?: Material;
  /** The static token; a readable tokenFile wins over it (client-go's order). */
  readonly token?: string;
  readonly tokenFile?: string;
  readonly basicAuth?: string;
  readonly exec?: ExecSpec;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly proxyUrl?: string;
  /** Auth-provider user or a proxy: only client-node's KubeConfig handles these. */
  readonly needsClientNode: boolean;
}

/** One file of a KUBECONFIG list: its text and its path (relative paths inside it are relative to its directory). */
export interface KubeconfigText {
  readonly text: string;
  readonly path: string;
}

/** An entry with the directory of the file that defined it. */
interface Sourced<T> { readonly value: T; readonly baseDir: string }

interface MergedConfig {
  readonly clusters: ReadonlyMap<string, Sourced<Cluster>>;
  readonly users: ReadonlyMap<string, Sourced<User>>;
  readonly contexts: ReadonlyMap<string, Sourced<Context>>;
  readonly currentContext: string | undefined;
}

/** A path of the kubeconfig, relative to its directory unless absolute (as kubectl reads it). */
const relative = (path: string | undefined, baseDir: string): string | undefined =>
  path === undefined || path === '' || isAbsolute(path) ? path : join(baseDir, path);

function material(file: string | undefined, data: string | undefined, baseDir: string): Material | undefined {
  if (data !== undefined && data !== '') return { data: Buffer.from(data, 'base64') };
  const path = relative(file, baseDir);
  return path === undefined || path === '' ? undefined : { file: path };
}

/** `{ [key]: value }`, or nothing when the value is undefined (exactOptionalPropertyTypes). */
const opt = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

function parseFile(f: KubeconfigText): z.infer<typeof KubeconfigFile> {
  const parsed = KubeconfigFile.safeParse(parse(f.text) ?? {});
  if (!parsed.success) throw new Error(`kubeconfig: ${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'} (${f.path})`);
  return parsed.data;
}

/**
 * kubectl's merge of a KUBECONFIG list: clusters, users and contexts by name,
 * the first file to define a name wins (later ones never override it); the
 * current context is the first file's that sets one.
 */
function mergeFiles(files: readonly KubeconfigText[]): MergedConfig {
  const clusters = new Map<string, Sourced<Cluster>>();
  const users = new Map<string, Sourced<User>>();
  const contexts = new Map<string, Sourced<Context>>();
  let currentContext: string | undefined;
  for (const f of files) {
    const file = parseFile(f);
    const baseDir = dirname(f.path);
    for (const c of file.clusters) if (!clusters.has(c.name)) clusters.set(c.name, { value: c.cluster, baseDir });
    for (const u of file.users) if (!users.has(u.name)) users.set(u.name, { value: u.user, baseDir });
    for (const c of file.contexts) if (!contexts.has(c.name)) contexts.set(c.name, { value: c.context, baseDir });
    if (currentContext === undefined && file['current-context'] !== undefined && file['current-context'] !== '') currentContext = file['current-context'];
  }
  return { clusters, users, contexts, currentContext };
}

const only = <T>(m: ReadonlyMap<string, T>): T | undefined => (m.size === 1 ? [...m.values()][0] : undefined);

/** The named context (none when the name is empty or unset); an unknown name is an error. */
function findContext(merged: MergedConfig, name: string | undefined): Context | undefined {
  if (name === undefined || name === '') return undefined;
  const ctx = merged.contexts.get(name)?.value;
  if (ctx === undefined) throw new Error(`kubeconfig: no context named "${name}"`);
  return ctx;
}

/** The context's cluster and user; with no context at all, the only cluster (and user), like client-node. */
function selectContext(merged: MergedConfig, context: string | undefined): { cluster: Sourced<Cluster>; user: Sourced<User> | undefined } {
  const name = context ?? merged.currentContext ?? '';
  const ctx = findContext(merged, name);
  if (ctx === undefined) {
    const cluster = only(merged.clusters);
    if (cluster === undefined) throw new Error('kubeconfig: no current cluster');
    return { cluster, user: only(merged.users) };
  }
  const cluster = merged.clusters.get(ctx.cluster);
  if (cluster === undefined) throw new Error(`kubeconfig: context "${name}" names cluster "${ctx.cluster}", which no file defines`);
  const user = ctx.user === undefined ? undefined : merged.users.get(ctx.user);
  if (ctx.user !== undefined && user === undefined) throw new Error(`kubeconfig: context "${name}" names user "${ctx.user}", which no file defines`);
  return { cluster, user };
}

/** kubectl runs a command with a path separator relative to the kubeconfig's directory, a bare name from PATH. */
function execSpec(exec: z.infer<typeof ExecConfig>, baseDir: string): ExecSpec {
  const command = exec.command.includes('/') ? (relative(exec.command, baseDir) ?? exec.command) : exec.command;
  return { command, args: exec.args, env: exec.env, apiVersion: exec.apiVersion, provideClusterInfo: exec.provideClusterInfo === true };
}

function specOf({ value: cluster, baseDir: clusterDir }: Sourced<Cluster>, sourcedUser: Sourced<User> | undefined): KubeTargetSpec {
  const user = sourcedUser?.value ?? {};
  const userDir = sourcedUser?.baseDir ?? clusterDir;
  return {
    server: cluster.server,
    ...opt('ca', material(cluster['certificate-authority'], cluster['certificate-authority-data'], clusterDir)),
    ...opt('cert', material(user['client-certificate'], user['client-certificate-data'], userDir)),
    ...opt('key', material(user['client-key'], user['client-key-data'], userDir)),
    ...opt('token', user.token === '' ? undefined : user.token),
    ...opt('tokenFile', relative(user.tokenFile === '' ? undefined : user.tokenFile, userDir)),
    ...opt('basicAuth', user.username === undefined || user.password === undefined ? undefined : `${user.username}:${user.password}`),
    ...opt('exec', user.exec === undefined ? undefined : execSpec(user.exec, userDir)),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    ...opt('tlsServerName', cluster['tls-server-name']),
    ...opt('proxyUrl', cluster['proxy-url']),
    needsClientNode: user['auth-provider'] !== undefined || cluster['proxy-url'] !== undefined,
  };
}

/**
 * The context (`context`, else the current context) of a KUBECONFIG list,
 * merged as kubectl merges it, resolved to what a client connects with. Throws
 * a plain error for files it cannot use.
 */
export function parseKubeconfigs(files: readonly KubeconfigText[], context?: string): KubeTargetSpec {
  const { cluster, user } = selectContext(mergeFiles(files), context);
  return specOf(cluster, user);
}

/** One kubeconfig text whose relative paths are relative to `baseDir`. */
export function parseKubeconfig(text: string, baseDir: string, context?: string): KubeTargetSpec {
  return parseKubeconfigs([{ text, path: join(baseDir, 'config') }], context);
}

/**
 * The merged list as one kubeconfig text with absolute paths, for
 * client-node's KubeConfig (auth-provider users and proxies), which reads one file.
 */
export function mergedKubeconfigText(files: readonly KubeconfigText[]): string {
  const m = mergeFiles(files);
  const absolute = <T extends Record<string, unknown>>(v: T, dir: string, keys: readonly string[]): T =>
    Object.fromEntries(Object.entries(v).map(([k, x]) => [k, keys.includes(k) && typeof x === 'string' ? relative(x, dir) : x])) as T;
  return stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: [...m.clusters].map(([name, c]) => ({ name, cluster: absolute(c.value, c.baseDir, ['certificate-authority']) })),
    users: [...m.users].map(([name, u]) => ({ name, user: absolute(u.value, u.baseDir, ['client-certificate', 'client-key', 'tokenFile']) })),
    contexts: [...m.contexts].map(([name, c]) => ({ name, context: c.value })),
    ...opt('current-context', m.currentContext),
  });
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
