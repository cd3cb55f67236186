// The kubeconfig file's shape, as far as kubeconfig.ts reads it: zod at the
// boundary, so a malformed file fails with its path and field, not later as an
// undefined. Unknown fields pass (.loose()): kubectl writes more than we need.
import { parse } from 'yaml';
import { z } from 'zod';

const ClusterEntry = z.object({
  name: z.string(),
  cluster: z
    .object({
      server: z.string().min(1),
      'certificate-authority': z.string().optional(),
      'certificate-authority-data': z.string().optional(),
      'insecure-skip-tls-verify': z.boolean().optional(),
      'tls-server-name': z.string().optional(),
      'proxy-url': z.string().optional(),
    })
    .loose(),
});

const ExecConfig = z
  .object({
    command: z.string().min(1),
    args: z
      .array(z.string())
      .nullish()
      .transform((v) => v ?? []),
    env: z
      .array(z.object({ name: z.string().min(1), value: z.string() }))
      .nullish()
      .transform((v) => v ?? []),
    apiVersion: z.string().default('client.authentication.k8s.io/v1'),
    provideClusterInfo: z.boolean().optional(),
    interactiveMode: z.string().optional(),
  })
  .loose();

const UserEntry = z.object({
  name: z.string(),
  user: z
    .object({
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
    })
    .loose()
    .nullish()
    .transform((u) => u ?? {}),
});

const ContextEntry = z.object({
  name: z.string(),
  context: z.object({ cluster: z.string(), user: z.string().optional() }).loose(),
});

const KubeconfigFile = z.object({
  clusters: z
    .array(ClusterEntry)
    .nullish()
    .transform((v) => v ?? []),
  users: z
    .array(UserEntry)
    .nullish()
    .transform((v) => v ?? []),
  contexts: z
    .array(ContextEntry)
    .nullish()
    .transform((v) => v ?? []),
  'current-context': z.string().optional(),
});

export type Cluster = z.infer<typeof ClusterEntry>['cluster'];
export type User = z.infer<typeof UserEntry>['user'];
export type Context = z.infer<typeof ContextEntry>['context'];
export type Exec = z.infer<typeof ExecConfig>;

/** One file of a KUBECONFIG list: its text and its path (relative paths inside it are relative to its directory). */
export interface KubeconfigText {
  readonly text: string;
  readonly path: string;
}

/** One file's entries; a plain error naming the field and the file when it is not a kubeconfig. */
export function parseKubeconfigFile(f: KubeconfigText): z.infer<typeof KubeconfigFile> {
  const parsed = KubeconfigFile.safeParse(parse(f.text) ?? {});
  if (!parsed.success)
    throw new Error(
      `kubeconfig: ${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'} (${f.path})`,
    );
  return parsed.data;
}
