// A leader-election candidate in its own process, so an integration test can
// kill it with SIGKILL (a crash: no release) and watch another take over.
// Usage: node run-elector.ts <kubeconfig> <namespace> <lease> <identity>
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../kube-client.ts';
import { LeaderElector } from '../leader-election.ts';

const [kubeconfig, namespace, name, identity] = process.argv.slice(2);
if (kubeconfig === undefined || namespace === undefined || name === undefined || identity === undefined) {
  throw new Error('usage: run-elector.ts <kubeconfig> <namespace> <lease> <identity>');
}
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const elector = new LeaderElector({
  client: new KubeClient(kc),
  namespace,
  name,
  identity,
  leaseDurationMs: 3_000,
  renewDeadlineMs: 2_000,
  retryPeriodMs: 500,
  onStartedLeading: () => {
    process.stdout.write('leading\n');
  },
});
await elector.run();
