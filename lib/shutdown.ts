import type { Logger } from './log.ts';
import { errorFields, silentLogger } from './log.ts';

export type ShutdownHook = () => void | Promise<void>;

export interface ShutdownOptions {
  /** Overall budget for all hooks; past it the process exits with code 1. */
  readonly timeoutMs?: number;
  readonly log?: Logger;
  readonly signals?: readonly NodeJS.Signals[];
  /** Injected for tests; defaults to `process.exit`. */
  readonly exit?: (code: number) => void;
}

export interface Shutdown {
  /** Hooks run in registration order: register the reverse of start-up (stop accepting work, drain, release the lease, close servers). */
  register(name: string, hook: ShutdownHook): void;
  /** Aborted as soon as shutdown begins, so long-running loops can stop. */
  readonly signal: AbortSignal;
  /** Runs the hooks once; later calls return the same promise. */
  run(reason: string): Promise<void>;
  /** Installs the signal handlers; returns a function that removes them. */
  install(): () => void;
}

export function createShutdown(options: ShutdownOptions = {}): Shutdown {
  const log = options.log ?? silentLogger();
  const timeoutMs = options.timeoutMs ?? 25_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const hooks: { name: string; hook: ShutdownHook }[] = [];
  const controller = new AbortController();
  let running: Promise<void> | undefined;

  const runHooks = async (): Promise<boolean> => {
    let clean = true;
    for (const { name, hook } of hooks) {
      const started = performance.now();
      try {
        await hook();
        log.info({ hook: name, durationMs: Math.round(performance.now() - started) }, 'shutdown hook done');
      } catch (err) {
        clean = false;
        log.error({ hook: name, ...errorFields(err) }, 'shutdown hook failed');
      }
    }
    return clean;
  };

  const run = (reason: string): Promise<void> => {
    running ??= (async () => {
      log.info({ reason, timeoutMs }, 'shutting down');
      controller.abort(new Error(`shutdown: ${reason}`));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => {
          resolve('timeout');
        }, timeoutMs);
        timer.unref();
      });
      const outcome = await Promise.race([runHooks(), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        log.error({ timeoutMs }, 'shutdown timed out');
        exit(1);
      }
    })();
    return running;
  };

  return {
    register: (name, hook) => void hooks.push({ name, hook }),
    signal: controller.signal,
    run,
    install: () =>
      onSignals(options.signals ?? ['SIGTERM', 'SIGINT'], (sig) => {
        if (running !== undefined) {
          // A second signal means the operator is impatient: leave now.
          log.warn({ signal: sig }, 'second signal, exiting');
          exit(1);
          return;
        }
        void run(sig).then(() => {
          exit(0);
        });
      }),
  };
}

/** Installs `handler` for `signals`; returns a function that removes it. */
function onSignals(signals: readonly NodeJS.Signals[], handler: (sig: NodeJS.Signals) => void): () => void {
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
