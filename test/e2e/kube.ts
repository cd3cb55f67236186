// kubectl from inside the guest (the binary the host built, the guest kubeconfig).
import { run, tryRun, type RunResult } from './guest-exec.ts';

export interface KubeObject {
  metadata: { name: string; uid?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export class Kubectl {
  readonly #bin: string;
  readonly #kubeconfig: string;
  constructor(bin: string, kubeconfig: string) {
    this.#bin = bin;
    this.#kubeconfig = kubeconfig;
  }

  run(args: readonly string[]): Promise<string> {
    return run(this.#bin, ['--kubeconfig', this.#kubeconfig, ...args]);
  }

  tryRun(args: readonly string[]): Promise<RunResult> {
    return tryRun(this.#bin, ['--kubeconfig', this.#kubeconfig, ...args]);
  }

  async list(resource: string): Promise<KubeObject[]> {
    const out = await this.run(['get', resource, '-o', 'json']);
    return (JSON.parse(out) as { items: KubeObject[] }).items;
  }
}
