// The kubeconfig loader against a real kube-apiserver, each case checked by
// asking the server who we are (SelfSubjectReview): a client certificate from
// files, renewed on disk while the client runs (a new TLS agent); a token file
// that wins over a static token and is rotated while the client runs; an exec
// credential plugin (a small script) giving tokens and then certificates, run
// again on expiry and never per request; and a two-file KUBECONFIG that
// `kubectl evpn` merges as kubectl does. A private control plane: it needs a
// client CA and static tokens of its own.
import { execFileSync, execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startControlPlane, type ControlPlane } from '../../test/harness/cluster/control-plane.ts';
import { kubeconfigPath, kubectl, kubectlPath } from '../../test/harness/cluster/kube-test-env.ts';
import { loadKubeConfig } from './config.ts';
import { KubeClient } from './kube-client.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const masters = ['system:masters'];
const tokens = [
  { token: 'static-token-0000000000', user: 'static-user', groups: masters },
  { token: 'file-token-one-00000000', user: 'file-user-1', groups: masters },
  { token: 'file-token-two-00000000', user: 'file-user-2', groups: masters },
  { token: 'exec-token-one-00000000', user: 'exec-user-1', groups: masters },
  { token: 'exec-token-two-00000000', user: 'exec-user-2', groups: masters },
];
const tokenOf = (user: string): string => tokens.find((t) => t.user === user)?.token ?? '';

/** Who the server says the client is. */
async function whoami(client: KubeClient): Promise<string> {
  const r = await client.request<{ status: { userInfo: { username: string } } }>({
    method: 'POST',
    path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  return r.status.userInfo.username;
}

const openssl = (dir: string, args: readonly string[]): void => {
  execFileSync('openssl', [...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
};

/** A client certificate for `user` (group system:masters) signed by the test CA in `dir`. */
function clientCert(dir: string, user: string): { cert: string; key: string } {
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${user}.key`,
    '-out',
    `${user}.csr`,
    '-subj',
    `/O=system:masters/CN=${user}`,
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${user}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${user}.crt`,
    '-days',
    '1',
    '-extfile',
    'client.ext',
  ]);
  return { cert: readFileSync(join(dir, `${user}.crt`), 'utf8'), key: readFileSync(join(dir, `${user}.key`), 'utf8') };
}

describe('kubeconfig loader against a real API server', () => {
  let cp: ControlPlane;
  let dir: string;
  let cluster: Record<string, unknown>;
  const clients: KubeClient[] = [];
  const clientFor = (kubeconfig: Record<string, unknown>, name: string): KubeClient => {
    const path = join(dir, name);
    writeFileSync(path, stringify(kubeconfig));
    const c = new KubeClient(loadKubeConfig({ KUBECONFIG: path }).kubeConfig);
    clients.push(c);
    return c;
  };
  const config = (user: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'c',
    clusters: [{ name: 'k', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubeconfig-int-'));
    openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=kubeconfig-test-client-ca',
    ]);
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n');
    cp = await startControlPlane({ extraTokens: tokens, clientCaFile: join(dir, 'ca.crt') });
    const admin = parse(readFileSync(cp.kubeconfigPath, 'utf8')) as {
      clusters: { cluster: Record<string, unknown> }[];
    };
    cluster = admin.clusters[0]?.cluster ?? {};
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('authenticates with a client certificate from files, and picks up renewed files while it runs (a new TLS agent)', async () => {
    const one = clientCert(dir, 'cert-user-1');
    writeFileSync(join(dir, 'client.crt'), one.cert);
    writeFileSync(join(dir, 'client.key'), one.key);
    // Relative paths: relative to the kubeconfig's directory.
    const client = clientFor(
      config({ 'client-certificate': 'client.crt', 'client-key': 'client.key' }),
      'cert.kubeconfig',
    );
    expect(await whoami(client)).toBe('cert-user-1');
    expect(await whoami(client)).toBe('cert-user-1');
    const two = clientCert(dir, 'cert-user-2');
    writeFileSync(join(dir, 'client.key'), two.key);
    writeFileSync(join(dir, 'client.crt'), two.cert);
    expect(await whoami(client)).toBe('cert-user-2');
  });

  it('takes a token file over a static token, reads the rotated file while it runs, and falls back to the static token without the file', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, `${tokenOf('file-user-1')}\n`);
    const client = clientFor(config({ token: tokenOf('static-user'), tokenFile: file }), 'token.kubeconfig');
    expect(await whoami(client)).toBe('file-user-1');
    // Kubernetes rotates a projected token by swapping the file under a symlink; a rename is the same for a reader.
    writeFileSync(`${file}.new`, `${tokenOf('file-user-2')}\n`);
    execFileSync('mv', [`${file}.new`, file]);
    expect(await whoami(client)).toBe('file-user-2');
    writeFileSync(file, tokenOf('file-user-1'));
    expect(await whoami(client)).toBe('file-user-1');
    rmSync(file);
    expect(await whoami(client)).toBe('static-user');
  });

  describe('an exec credential plugin', () => {
    const plugin = (): string => join(dir, 'bin', 'credential-plugin');
    const runs = (): number =>
      readFileSync(join(dir, 'exec-runs'), 'utf8')
        .split('\n')
        .filter((l) => l !== '').length;
    beforeAll(() => {
      execFileSync('mkdir', ['-p', join(dir, 'bin')]);
      // Prints a token or a certificate (exec-mode) valid EXPIRES seconds, counts its runs, keeps what it was given.
      writeFileSync(
        plugin(),
        `#!/bin/bash
set -eu
d=$(cd "$(dirname "$0")/.." && pwd)
echo run >> "$d/exec-runs"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$d/exec-info.json"
exp=$(date -u -d "+$EXPIRES seconds" +%Y-%m-%dT%H:%M:%SZ)
pem() { awk '{ printf "%s\\\\n", $0 }' "$1"; }
if [ "$(cat "$d/exec-mode")" = token ]; then
  printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\\n' "$(cat "$d/exec-token")" "$exp"
else
  printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"%s","clientKeyData":"%s","expirationTimestamp":"%s"}}\\n' "$(pem "$d/exec.crt")" "$(pem "$d/exec.key")" "$exp"
fi
`,
      );
      chmodSync(plugin(), 0o755);
      writeFileSync(join(dir, 'exec-runs'), '');
    });
    const execUser = {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: './bin/credential-plugin',
        env: [{ name: 'EXPIRES', value: '8' }],
        provideClusterInfo: true,
        interactiveMode: 'Never',
      },
    };

    it('gives a token, kept until it nearly expires (one run for many requests), then runs again and the new token applies', async () => {
      writeFileSync(join(dir, 'exec-mode'), 'token');
      writeFileSync(join(dir, 'exec-token'), tokenOf('exec-user-1'));
      writeFileSync(join(dir, 'exec-runs'), '');
      const client = clientFor(config(execUser), 'exec-token.kubeconfig');
      const first = await Promise.all([whoami(client), whoami(client), whoami(client)]);
      expect(first).toEqual(['exec-user-1', 'exec-user-1', 'exec-user-1']);
      expect(await whoami(client)).toBe('exec-user-1');
      expect(runs()).toBe(1);
      const info = JSON.parse(readFileSync(join(dir, 'exec-info.json'), 'utf8')) as Record<string, unknown>;
      expect(info).toMatchObject({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        spec: { interactive: false, cluster: { server: cp.server } },
      });
      writeFileSync(join(dir, 'exec-token'), tokenOf('exec-user-2'));
      // Valid 8 s, renewed 5 s before: after ~3 s the next request runs the plugin again.
      await new Promise((r) => setTimeout(r, 3_500));
      expect(await whoami(client)).toBe('exec-user-2');
      expect(runs()).toBe(2);
    });

    it('runs again at once when the server refuses its token (401)', async () => {
      writeFileSync(join(dir, 'exec-mode'), 'token');
      writeFileSync(join(dir, 'exec-token'), 'not-a-known-token');
      writeFileSync(join(dir, 'exec-runs'), '');
      const client = clientFor(config(execUser), 'exec-401.kubeconfig');
      await expect(whoami(client)).rejects.toMatchObject({ statusCode: 401 });
      writeFileSync(join(dir, 'exec-token'), tokenOf('exec-user-1'));
      expect(await whoami(client)).toBe('exec-user-1');
      expect(runs()).toBe(2);
    });

    it('gives a client certificate, and a renewed one on expiry, presented on a new TLS connection', async () => {
      const one = clientCert(dir, 'exec-cert-1');
      writeFileSync(join(dir, 'exec.crt'), one.cert);
      writeFileSync(join(dir, 'exec.key'), one.key);
      writeFileSync(join(dir, 'exec-mode'), 'cert');
      writeFileSync(join(dir, 'exec-runs'), '');
      const client = clientFor(config(execUser), 'exec-cert.kubeconfig');
      expect(await whoami(client)).toBe('exec-cert-1');
      expect(await whoami(client)).toBe('exec-cert-1');
      const two = clientCert(dir, 'exec-cert-2');
      writeFileSync(join(dir, 'exec.crt'), two.cert);
      writeFileSync(join(dir, 'exec.key'), two.key);
      await new Promise((r) => setTimeout(r, 3_500));
      expect(await whoami(client)).toBe('exec-cert-2');
      expect(runs()).toBe(2);
    });
  });
});

describe('a two-file KUBECONFIG with kubectl evpn', () => {
  function run(
    file: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((res) => {
      execFile(file, [...args], { env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
        res({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      });
    });
  }

  it('merges them as kubectl does: the context in the first file, its cluster and user only in the second', async () => {
    const crds = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(repo, 'crds/generated')]);
    expect(crds.code, crds.stderr).toBe(0);
    const shared = parse(readFileSync(kubeconfigPath(), 'utf8')) as {
      clusters: { cluster: Record<string, unknown> }[];
      users: { user: Record<string, unknown> }[];
    };
    const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-two-'));
    const first = join(dir, 'contexts.yaml');
    const second = join(dir, 'credentials.yaml');
    writeFileSync(
      first,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'merged',
        contexts: [{ name: 'merged', context: { cluster: 'shared', user: 'admin' } }],
      }),
    );
    writeFileSync(
      second,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'not-this-one',
        clusters: [{ name: 'shared', cluster: shared.clusters[0]?.cluster }],
        users: [{ name: 'admin', user: shared.users[0]?.user }],
        contexts: [{ name: 'not-this-one', context: { cluster: 'nowhere' } }],
      }),
    );
    const env = { ...process.env, KUBECONFIG: `${first}:${second}` };
    const r = await run(join(repo, 'bin/kubectl-evpn'), ['status'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // kubectl itself, as a plugin host, reads the same list and finds the plugin working.
    const k = await run(kubectlPath(), ['evpn', 'status'], {
      ...env,
      PATH: `${join(repo, 'bin')}:${process.env['PATH'] ?? ''}`,
    });
    expect(k.code, k.stderr).toBe(0);
    // The two runs may straddle a second: the "LAST SYNC  62s ago" column is the clock's, not the merge's.
    const sameClock = (out: string): string => out.replace(/\b\d+s ago\b/g, 'Ns ago');
    expect(sameClock(k.stdout)).toBe(sameClock(r.stdout));
    expect((await run(kubectlPath(), ['config', 'current-context'], env)).stdout.trim()).toBe('merged');
    // With the first file alone there is no cluster: the merge is what makes it work.
    const alone = await run(join(repo, 'bin/kubectl-evpn'), ['status'], { ...process.env, KUBECONFIG: first });
    expect(alone.code).not.toBe(0);
    expect(alone.stderr).toContain('names cluster "shared", which no file defines');
    rmSync(dir, { recursive: true, force: true });
  });
});
