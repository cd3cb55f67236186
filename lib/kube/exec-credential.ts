// Adapter: an exec credential plugin (client.authentication.k8s.io
// ExecCredential, as kubectl runs it): the command's JSON on stdout gives a
// bearer token and/or a client certificate and key, kept until the
// expirationTimestamp it states (or until the API server answers 401), then the
// command runs again. One run at a time however many requests wait for it: a
// credential is fetched per expiry, never per request.
import { execFile } from 'node:child_process';
import { z } from 'zod';
import type { ExecSpec } from './kubeconfig.ts';

const ExecCredentialOutput = z.object({
  apiVersion: z.string().optional(),
  kind: z.literal('ExecCredential'),
  status: z
    .object({
      token: z.string().optional(),
      clientCertificateData: z.string().optional(),
      clientKeyData: z.string().optional(),
      expirationTimestamp: z.string().optional(),
    })
    .refine(
      (s) => (s.clientCertificateData === undefined) === (s.clientKeyData === undefined),
      'clientCertificateData and clientKeyData come together',
    ),
});

export interface ExecCredential {
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
  /** ms since the epoch; undefined: valid until the server refuses it. */
  readonly expiresAt?: number;
}

/** Refresh a little before the stated expiry, so no request leaves with a credential about to lapse. */
const EXPIRY_SKEW_MS = 5_000;
const RUN_TIMEOUT_MS = 60_000;

export class ExecCredentialSource {
  readonly #spec: ExecSpec;
  readonly #cluster: { server: string; caData?: string; insecure: boolean; tlsServerName?: string };
  #current: ExecCredential | undefined;
  #running: Promise<ExecCredential> | undefined;
  /** Runs so far (tests and logs). */
  runs = 0;

  constructor(spec: ExecSpec, cluster: { server: string; caData?: string; insecure: boolean; tlsServerName?: string }) {
    this.#spec = spec;
    this.#cluster = cluster;
  }

  /** The current credential, running the plugin when there is none or it has (nearly) expired. */
  get(now = Date.now()): Promise<ExecCredential> {
    const c = this.#current;
    if (c !== undefined && (c.expiresAt === undefined || c.expiresAt - EXPIRY_SKEW_MS > now)) return Promise.resolve(c);
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** The API server refused the credential: the next request runs the plugin again. */
  invalidate(): void {
    this.#current = undefined;
  }

  async #run(): Promise<ExecCredential> {
    this.runs += 1;
    const { command, args, env } = this.#spec;
    const childEnv = {
      ...process.env,
      ...Object.fromEntries(env.map((e) => [e.name, e.value])),
      KUBERNETES_EXEC_INFO: JSON.stringify(this.#execInfo()),
    };
    const stdout = await runPlugin(command, args, childEnv);
    const credential = parseCredential(command, stdout);
    this.#current = credential;
    return credential;
  }

  /** The KUBERNETES_EXEC_INFO the plugin reads; the cluster only when the kubeconfig asks to provide it. */
  #execInfo(): object {
    const { apiVersion, provideClusterInfo } = this.#spec;
    return {
      apiVersion,
      kind: 'ExecCredential',
      spec: {
        interactive: false,
        ...(provideClusterInfo
          ? {
              cluster: {
                server: this.#cluster.server,
                'insecure-skip-tls-verify': this.#cluster.insecure,
                ...(this.#cluster.caData === undefined ? {} : { 'certificate-authority-data': this.#cluster.caData }),
                ...(this.#cluster.tlsServerName === undefined
                  ? {}
                  : { 'tls-server-name': this.#cluster.tlsServerName }),
              },
            }
          : {}),
      },
    };
  }
}

/** Runs the plugin once and resolves with its stdout; a failure carries the start of its stderr. */
function runPlugin(command: string, args: readonly string[], childEnv: NodeJS.ProcessEnv): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    execFile(
      command,
      [...args],
      { env: childEnv, timeout: RUN_TIMEOUT_MS, maxBuffer: 1024 * 1024, encoding: 'utf8' },
      (err, out, errText) => {
        if (err === null) {
          resolve(out);
          return;
        }
        reject(
          new Error(
            `kubeconfig exec plugin ${command} failed: ${err.message}${errText.trim() === '' ? '' : `: ${errText.trim().slice(0, 500)}`}`,
          ),
        );
      },
    );
  });
}

/** The plugin's stdout as a credential; anything but a valid ExecCredential is an error naming the plugin. */
function parseCredential(command: string, stdout: string): ExecCredential {
  let parsed: z.infer<typeof ExecCredentialOutput>;
  try {
    parsed = ExecCredentialOutput.parse(JSON.parse(stdout));
  } catch (err) {
    throw new Error(
      `kubeconfig exec plugin ${command} printed no valid ExecCredential: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const s = parsed.status;
  const expiresAt = s.expirationTimestamp === undefined ? undefined : Date.parse(s.expirationTimestamp);
  if (expiresAt !== undefined && Number.isNaN(expiresAt))
    throw new Error(
      `kubeconfig exec plugin ${command}: expirationTimestamp ${s.expirationTimestamp ?? ''} is not a time`,
    );
  return {
    ...(s.token === undefined ? {} : { token: s.token }),
    ...(s.clientCertificateData === undefined ? {} : { cert: s.clientCertificateData }),
    ...(s.clientKeyData === undefined ? {} : { key: s.clientKeyData }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}
