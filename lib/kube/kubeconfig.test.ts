import { describe, expect, it } from 'vitest';
import { inClusterSpec, parseKubeconfig } from './kubeconfig.ts';

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
      server: 'https://10.0.0.1:6443', ca: { file: '/home/u/.kube/ca.crt' }, token: 'abc',
      insecureSkipTlsVerify: false, tlsServerName: 'kubernetes', needsClientNode: false,
    });
  });

  it('takes another context by name, with inline data decoded and absolute paths kept', () => {
    expect(parseKubeconfig(file, '/home/u/.kube', 'prod')).toEqual({
      server: 'https://10.0.0.2:6443', ca: { data: Buffer.from('CA') }, cert: { file: '/etc/pki/u.crt' }, key: { data: Buffer.from('KEY') },
      insecureSkipTlsVerify: false, needsClientNode: false,
    });
  });

  it('sends exec users to client-node', () => {
    expect(parseKubeconfig(file, '/x', 'sso').needsClientNode).toBe(true);
  });

  it('refuses an unknown context and a file without a cluster, with a plain message', () => {
    expect(() => parseKubeconfig(file, '/x', 'staging')).toThrow('kubeconfig: no context named "staging"');
    expect(() => parseKubeconfig('apiVersion: v1\nkind: Config\n', '/x')).toThrow('kubeconfig: no current cluster');
    expect(() => parseKubeconfig('clusters: [{ name: a, cluster: {} }]', '/x')).toThrow(/kubeconfig: clusters\.0\.cluster\.server/);
  });

  it('uses a file\'s only cluster and user when there is no context', () => {
    const bare = 'clusters: [{ name: a, cluster: { server: "http://127.0.0.1:8080", insecure-skip-tls-verify: true } }]\nusers: [{ name: u, user: { username: admin, password: pw } }]\n';
    expect(parseKubeconfig(bare, '/x')).toEqual({ server: 'http://127.0.0.1:8080', basicAuth: 'admin:pw', insecureSkipTlsVerify: true, needsClientNode: false });
  });
});

describe('inClusterSpec', () => {
  it('is the service host and port with the mounted CA and token, IPv6 in brackets', () => {
    expect(inClusterSpec({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, '/sa')).toEqual({
      server: 'https://[fd00::1]:443', ca: { file: '/sa/ca.crt' }, tokenFile: '/sa/token', insecureSkipTlsVerify: false, needsClientNode: false,
    });
  });
});
