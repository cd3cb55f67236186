// Operator replicas the way a Deployment with a restartPolicy runs them: each
// replica is a bin/evpn-operator process that is started again (after a short
// back-off, as the kubelet does) whenever it exits, whether it was killed by
// the test, lost its lease or failed to start while the apiserver was down.
// Each start gets a fresh leader-election identity `<replica>-<n>`, so the
// Lease tells which process holds it.
import { startOperatorProcess, type OperatorProcess } from './operator-process.ts';

export interface OperatorReplica {
  readonly name: string;
  /** The running process (the latest start). */
  current(): OperatorProcess;
  /** Identity of the latest start. */
  identity(): string;
  /** Starts so far (1 + restarts). */
  starts(): number;
  /** SIGKILLs the process and keeps it down (no automatic restart) until resume(). */
  killAndHold(): Promise<void>;
  /** Starts a held replica again. */
  resume(): void;
}

export interface OperatorReplicas {
  readonly replicas: readonly OperatorReplica[];
  /** The replica whose current process holds `identity`, if any. */
  byIdentity(identity: string | undefined): OperatorReplica | undefined;
  /** SIGKILLs every process and stops restarting them. */
  stop(): Promise<void>;
}

export interface OperatorReplicasOptions {
  readonly count: number;
  /** Flags of every replica; `--identity` is added per start. */
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Wait before a restart; default 500 ms. */
  readonly restartDelayMs?: number;
}

export function startOperatorReplicas(o: OperatorReplicasOptions): OperatorReplicas {
  let stopping = false;
  const replicas = Array.from({ length: o.count }, (_, i) => {
    const name = `replica-${String.fromCharCode(97 + i)}`;
    let n = 0;
    let id = '';
    let proc: OperatorProcess | undefined;
    let held = false;
    const start = (): void => {
      n++;
      id = `${name}-${n}`;
      const p = startOperatorProcess([...o.args, '--identity', id], o.env);
      proc = p;
      void p.exited.then(() => {
        setTimeout(() => {
          if (!stopping && !held && proc === p) start();
        }, o.restartDelayMs ?? 500);
      });
    };
    start();
    const current = (): OperatorProcess => {
      if (proc === undefined) throw new Error(`${name} never started`);
      return proc;
    };
    return {
      name,
      current,
      identity: () => id,
      starts: () => n,
      killAndHold: async () => {
        held = true;
        const p = current();
        p.child.kill('SIGKILL');
        await p.exited;
      },
      resume: () => {
        held = false;
        start();
      },
    };
  });
  return {
    replicas,
    byIdentity: (identity) => replicas.find((r) => r.identity() === identity),
    stop: async () => {
      stopping = true;
      await Promise.all(
        replicas.map(async (r) => {
          const p = r.current();
          p.child.kill('SIGKILL');
          await p.exited;
        }),
      );
    },
  };
}
