import { describe, expect, it } from 'vitest';
import { inClusterSpec, mergedKubeconfigText, parseKubeconfig, parseKubeconfigs } from './kubeconfig.ts';

const file = `
apiVersion: v1
kind: Config
current-context: dev
clusters:
  - name: dev-cluster
    cluster: { server: 'https://10.0.0.1:6443', certificate-authority: ca.crt, tls-server-name: kubernetes }
  - name: prod-cluster
    cluster: { server: 'https://10.0.0.2:6443', certificate-authority-data: ${Buffer.from('CA').toString('base64')} }
users:
  - name: dev-user
    user: { token: abc }
  - name: prod-user
    user: { client-certificate: /etc/pki/u.crt, client-key-data: ${Buffer.from('KEY').toString('base64')} }
  - name: sso
    user: { exec: { command: kubelogin } }
contexts:
  - name: dev
    context: { cluster: dev-cluster, user: dev-user }
  - name: prod
    context: { cluster: prod-cluster, user: prod-user }
  - name: sso
    context: { cluster: prod-cluster, user: sso }
`;

describe('parseKubeconfig', () => {
  it('resolves the current context: server, a CA file relative to the kubeconfig, the token, the TLS name', () => {
    expect(parseKubeconfig(file, '/home/u/.kube')).toEqual({
      server: 'https://10.0.0.1:6443',
      ca: { file: '/home/u/.kube/ca.crt' },
      token: 'abc',
      insecureSkipTlsVerify: false,
      tlsServerName: 'kubernetes',
      needsClientNode: false,
    });
  });

  it('takes another context by name, with inline data decoded and absolute paths kept', () => {
    expect(parseKubeconfig(file, '/home/u/.kube', 'prod')).toEqual({
      server: 'https://10.0.0.2:6443',
      ca: { data: Buffer.from('CA') },
      cert: { file: '/etc/pki/u.crt' },
      key: { data: Buffer.from('KEY') },
      insecureSkipTlsVerify: false,
      needsClientNode: false,
    });
  });

  it('runs exec users itself (a command with a path relative to the kubeconfig, a bare one from PATH); sends auth-provider users and proxies to client-node', () => {
    expect(parseKubeconfig(file, '/x', 'sso')).toMatchObject({
      needsClientNode: false,
      exec: {
        command: 'kubelogin',
        args: [],
        env: [],
        apiVersion: 'client.authentication.k8s.io/v1',
        provideClusterInfo: false,
      },
    });
    const relative =
      'clusters: [{ name: a, cluster: { server: "https://h:6443" } }]\nusers: [{ name: u, user: { exec: { command: ./bin/cred, args: [x], apiVersion: client.authentication.k8s.io/v1beta1 } } }]\n';
    expect(parseKubeconfig(relative, '/home/u/.kube').exec).toEqual({
      command: '/home/u/.kube/bin/cred',
      args: ['x'],
      env: [],
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      provideClusterInfo: false,
    });
    expect(
      parseKubeconfig(
        'clusters: [{ name: a, cluster: { server: "https://h:6443" } }]\nusers: [{ name: u, user: { auth-provider: { name: oidc } } }]\n',
        '/x',
      ).needsClientNode,
    ).toBe(true);
    expect(
      parseKubeconfig(
        'clusters: [{ name: a, cluster: { server: "https://h:6443", proxy-url: "http://proxy:3128" } }]\n',
        '/x',
      ).needsClientNode,
    ).toBe(true);
  });

  it('keeps both token and tokenFile (the file wins while it can be read, config.ts)', () => {
    const both =
      'clusters: [{ name: a, cluster: { server: "https://h:6443" } }]\nusers: [{ name: u, user: { token: static, tokenFile: tok } }]\n';
    expect(parseKubeconfig(both, '/k')).toMatchObject({ token: 'static', tokenFile: '/k/tok' });
  });

  it('refuses an unknown context and a file without a cluster, with a plain message', () => {
    expect(() => parseKubeconfig(file, '/x', 'staging')).toThrow('kubeconfig: no context named "staging"');
    expect(() => parseKubeconfig('apiVersion: v1\nkind: Config\n', '/x')).toThrow('kubeconfig: no current cluster');
    expect(() => parseKubeconfig('clusters: [{ name: a, cluster: {} }]', '/x')).toThrow(
      /kubeconfig: clusters\.0\.cluster\.server/,
    );
  });

  it("uses a file's only cluster and user when there is no context", () => {
    const bare =
      'clusters: [{ name: a, cluster: { server: "http://127.0.0.1:8080", insecure-skip-tls-verify: true } }]\nusers: [{ name: u, user: { username: admin, password: pw } }]\n';
    expect(parseKubeconfig(bare, '/x')).toEqual({
      server: 'http://127.0.0.1:8080',
      basicAuth: 'admin:pw',
      insecureSkipTlsVerify: true,
      needsClientNode: false,
    });
  });
});

describe('inClusterSpec', () => {
  it('is the service host and port with the mounted CA and token, IPv6 in brackets', () => {
    expect(inClusterSpec({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, '/sa')).toEqual({
      server: 'https://[fd00::1]:443',
      ca: { file: '/sa/ca.crt' },
      tokenFile: '/sa/token',
      insecureSkipTlsVerify: false,
      needsClientNode: false,
    });
  });
});

describe('parseKubeconfigs: a KUBECONFIG list merged as kubectl merges it', () => {
  const a = {
    path: '/home/u/.kube/a.yaml',
    text: `
current-context: ctx-a
clusters:
  - { name: shared, cluster: { server: 'https://from-a:6443', certificate-authority: ca-a.crt } }
users:
  - { name: shared-user, user: { token: token-a } }
contexts:
  - { name: ctx-a, context: { cluster: shared, user: shared-user } }
  - { name: both, context: { cluster: shared, user: shared-user } }
`,
  };
  const b = {
    path: '/etc/kube/b.yaml',
    text: `
current-context: ctx-b
clusters:
  - { name: shared, cluster: { server: 'https://from-b:6443' } }
  - { name: only-b, cluster: { server: 'https://only-b:6443', certificate-authority: ca-b.crt } }
users:
  - { name: shared-user, user: { token: token-b } }
  - { name: b-user, user: { tokenFile: token } }
contexts:
  - { name: ctx-b, context: { cluster: only-b, user: b-user } }
  - { name: both, context: { cluster: only-b, user: b-user } }
`,
  };

  it('takes the current context from the first file that sets one, and a map key from the first file that has it', () => {
    expect(parseKubeconfigs([a, b])).toMatchObject({
      server: 'https://from-a:6443',
      ca: { file: '/home/u/.kube/ca-a.crt' },
      token: 'token-a',
    });
    expect(parseKubeconfigs([a, b], 'both')).toMatchObject({ server: 'https://from-a:6443', token: 'token-a' });
    expect(parseKubeconfigs([b, a], 'both')).toMatchObject({
      server: 'https://only-b:6443',
      tokenFile: '/etc/kube/token',
    });
  });

  it('reaches entries only the second file defines, their paths relative to that file', () => {
    expect(parseKubeconfigs([a, b], 'ctx-b')).toEqual({
      server: 'https://only-b:6443',
      ca: { file: '/etc/kube/ca-b.crt' },
      tokenFile: '/etc/kube/token',
      insecureSkipTlsVerify: false,
      needsClientNode: false,
    });
  });

  it('takes the current context from a later file when the first sets none', () => {
    const noCurrent = { path: '/x/c.yaml', text: 'clusters: [{ name: c, cluster: { server: "https://c:6443" } }]\n' };
    expect(parseKubeconfigs([noCurrent, b]).server).toBe('https://only-b:6443');
  });

  it('says which file is broken and which names are missing', () => {
    expect(() => parseKubeconfigs([a, { path: '/bad.yaml', text: 'clusters: [{ name: x, cluster: {} }]' }])).toThrow(
      '(/bad.yaml)',
    );
    expect(() =>
      parseKubeconfigs([
        { path: '/x/d.yaml', text: 'contexts: [{ name: d, context: { cluster: nowhere } }]\ncurrent-context: d\n' },
      ]),
    ).toThrow('names cluster "nowhere", which no file defines');
  });

  it('writes the merged list as one file with absolute paths, for client-node', () => {
    const text = mergedKubeconfigText([a, b]);
    expect(parseKubeconfig(text, '/elsewhere', 'ctx-b')).toMatchObject({
      ca: { file: '/etc/kube/ca-b.crt' },
      tokenFile: '/etc/kube/token',
    });
    expect(parseKubeconfig(text, '/elsewhere')).toMatchObject({
      server: 'https://from-a:6443',
      ca: { file: '/home/u/.kube/ca-a.crt' },
    });
  });
});
