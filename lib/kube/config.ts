import { existsSync } from 'node:fs';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  PatchStrategy,
  ServerConfiguration,
  createConfiguration,
  setHeaderMiddleware,
  type Configuration,
  type ConfigurationOptions,
  type Middleware,
} from '@kubernetes/client-node';
import { KubeClient } from './kube-client.ts';
import { resourceOfPath, writeVerbOf, type WriteCounter } from './write-counter.ts';

const serviceAccountTokenPath = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export type KubeConfigSource = 'kubeconfig' | 'in-cluster' | 'default';

/**
 * KUBECONFIG (first path of a list) if set, else the pod's service account, else
 * ~/.kube/config. Throws if the result has no cluster, so a misconfigured process
 * fails at start, not at its first request.
 */
export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): { kubeConfig: KubeConfig; source: KubeConfigSource } {
  const kc = new KubeConfig();
  let source: KubeConfigSource;
  const fromEnv = env['KUBECONFIG']?.split(':').find((p) => p !== '');
  if (fromEnv !== undefined) {
    kc.loadFromFile(fromEnv);
    source = 'kubeconfig';
  } else if (env['KUBERNETES_SERVICE_HOST'] !== undefined && existsSync(serviceAccountTokenPath)) {
    kc.loadFromCluster();
    source = 'in-cluster';
  } else {
    kc.loadFromDefault();
    source = 'default';
  }
  if (kc.getCurrentCluster() === null) throw new Error(`no current cluster in the ${source} kubeconfig`);
  return { kubeConfig: kc, source };
}

/** A generated-client middleware that counts mutating requests into the same WriteCounter as KubeClient. */
export function writeCountingMiddleware(counter: WriteCounter): Middleware {
  return {
    pre: (ctx) => {
      const contentType = ctx.getHeaders()['Content-Type'];
      const verb = writeVerbOf(ctx.getHttpMethod(), contentType);
      if (verb !== undefined) counter.record(verb, resourceOfPath(new URL(ctx.getUrl()).pathname));
      return Promise.resolve(ctx);
    },
    post: (res) => Promise.resolve(res),
  };
}

/**
 * Per-call options that make a generated `patch*` method send the given patch
 * type: 2.0.1 picks `application/json-patch+json` by itself. Prepended (not
 * appended like `setHeaderOptions`) so the write counter sees the final type.
 * Usage: `api.patchNamespacedCustomObjectStatus({ ..., fieldManager, force: true }, patchOptions(PatchStrategy.ServerSideApply))`.
 */
export function patchOptions(strategy: PatchStrategy): ConfigurationOptions {
  return { middleware: [setHeaderMiddleware('Content-Type', strategy)], middlewareMergeStrategy: 'prepend' };
}

export const serverSideApplyOptions = (): ConfigurationOptions => patchOptions(PatchStrategy.ServerSideApply);

/** Like `kc.makeApiClient`, but with the write-counting middleware in place. For PATCH calls, pass `patchOptions(...)`. */
export function makeApiClient<T>(kc: KubeConfig, api: new (config: Configuration) => T, counter?: WriteCounter): T {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error('kubeconfig has no current cluster');
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: counter === undefined ? [] : [writeCountingMiddleware(counter)],
  });
  return new api(config);
}

export interface KubeClients {
  readonly kubeConfig: KubeConfig;
  /** The REST client the shared runtime uses (informers, SSA, leases, events). */
  readonly rest: KubeClient;
  readonly core: CoreV1Api;
  readonly customObjects: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  readonly events: EventsV1Api;
}

export function createKubeClients(kc: KubeConfig, counter?: WriteCounter, userAgent = 'ovn-evpn'): KubeClients {
  return {
    kubeConfig: kc,
    rest: new KubeClient(kc, { ...(counter === undefined ? {} : { writeCounter: counter }), userAgent }),
    core: makeApiClient(kc, CoreV1Api, counter),
    customObjects: makeApiClient(kc, CustomObjectsApi, counter),
    coordination: makeApiClient(kc, CoordinationV1Api, counter),
    events: makeApiClient(kc, EventsV1Api, counter),
  };
}
