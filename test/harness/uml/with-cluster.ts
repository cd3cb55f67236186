// Host side of the UML suites that need Kubernetes: starts the real control
// plane on 127.0.0.1, installs the CRDs, writes a kubeconfig the guest can use
// (server 10.0.2.2:PORT through vde_switch + slirpvde, TLS name still
// 127.0.0.1, which the apiserver's certificate covers), boots the guest with
// networking and runs the command there. Exits with the guest command's code.
//
//   node test/harness/uml/with-cluster.ts [-e K=V]... -- command [args...]
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runKubectl } from '../cluster/kube-test-env.ts';
import { startControlPlane } from '../cluster/control-plane.ts';
import { errorMessage } from '../../../lib/log.ts';

const repo = join(import.meta.dirname, '..', '..', '..');

export function guestKubeconfig(hostKubeconfig: string): string {
  const kc = parse(readFileSync(hostKubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
  for (const c of kc.clusters) {
    const url = new URL(String(c.cluster.server));
    c.cluster['tls-server-name'] = url.hostname;
    url.hostname = '10.0.2.2';
    c.cluster.server = url.toString().replace(/\/$/, '');
  }
  return stringify(kc);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const sep = args.indexOf('--');
  const opts = sep < 0 ? [] : args.slice(0, sep);
  const command = sep < 0 ? args : args.slice(sep + 1);
  // Under the repository: the guest sees the host's /tmp as its own private tmpfs.
  const dataDir = join(repo, '.cache', 'uml', `cluster-${process.pid}`);
  mkdirSync(dataDir, { recursive: true });
  const cp = await startControlPlane({ dataDir });
  try {
    for (const f of readdirSync(join(repo, 'crds', 'generated'))) {
      const r = await runKubectl(cp.kubectlPath, cp.kubeconfigPath, [
        'apply',
        '--server-side',
        '-f',
        join(repo, 'crds', 'generated', f),
      ]);
      if (r.code !== 0) throw new Error(`installing ${f}: ${r.stderr}`);
    }
    const guestPath = join(cp.dataDir, 'guest.kubeconfig');
    writeFileSync(guestPath, guestKubeconfig(cp.kubeconfigPath));
    const child = spawn(
      join(repo, 'test', 'uml', 'boot.sh'),
      ['-n', 'vde', '-e', `KUBECONFIG=${guestPath}`, '-e', `KUBECTL=${cp.kubectlPath}`, ...opts, '--', ...command],
      { stdio: 'inherit', cwd: repo },
    );
    return await new Promise<number>((resolve) =>
      child.once('close', (code) => {
        resolve(code ?? 1);
      }),
    );
  } finally {
    await cp.stop();
  }
}

if (process.argv[1] === import.meta.filename) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`with-cluster: ${errorMessage(err)}\n`);
      process.exit(1);
    },
  );
}
